"""The README's SDK examples print what their comments say (issue 12).

``tools/readme_examples.py --check`` runs the examples of the SDK section of README.md and
README.ko.md against the in-process simulator, each file in a fresh process, and compares every
``print(...)  # output`` comment with what was printed.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "readme_examples.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_examples", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def _check(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(TOOL), "--check", *map(str, files)],
                          capture_output=True, text=True, timeout=300, check=False)


def test_readme_examples_print_what_the_comments_say() -> None:
    done = _check()
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("output comments checked, 0 do not match what prints") == 2
    checked = [int(line.split()[0]) for line in done.stdout.splitlines()
               if "output comments checked" in line]
    assert all(n >= 3 for n in checked), done.stdout  # price, the filled order, positions


def test_the_check_catches_the_old_claims(tmp_path: Path) -> None:
    """The comments the issue found wrong (0.85 as a Decimal repr, a fill "@ 0 KRW")."""
    readme = tmp_path / "README.md"
    readme.write_text(
        "## The SDK\n\n```python\nimport hantoo\n\n"
        "with hantoo.Client() as client:\n"
        "    q = client.quote(\"005930\")\n"
        "    print(q.price, q.change_rate)       # Decimal('71000') Decimal('0.85')\n"
        "    order = client.place_order(\"005930\", \"buy\", 10, order_type=\"market\")\n"
        "    print(order.wait_filled(timeout=10))  # OrderSnapshot(#0000000001 buy 005930 "
        "10/10 @ 0 KRW filled)\n"
        "```\n", encoding="utf-8")
    done = _check(readme)
    assert done.returncode == 1
    assert "2 do not match what prints" in done.stdout
    assert "README.md:8: the comment says \"Decimal('71000') Decimal('0.85')\"" in done.stdout


def test_market_numbers_are_free_counts_and_text_are_not() -> None:
    pattern = _tool().pattern
    said = pattern("OrderSnapshot(#0000000001 buy 005930 10/10 @ avg 71,100 KRW filled)")
    assert said.match("OrderSnapshot(#0000000001 buy 005930 10/10 @ avg 69,200 KRW filled)")
    assert not said.match("OrderSnapshot(#0000000001 buy 005930 9/10 @ avg 71,100 KRW filled)")
    assert not said.match("OrderSnapshot(#0000000001 buy 005930 10/10 @ 0 KRW filled)")
    assert pattern("71000 0.28").match("69100 -0.58")
    assert not pattern("71000 0.28").match("Decimal('71000') Decimal('0.85')")
