"""``hantoo gateway`` refuses bad setups before connecting anywhere, saying what to do."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("redis", reason="the redis package is not installed (hantoo[redis])")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
from cli_kit import run


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_without_a_redis_coordinator_it_says_which_option(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANTOO_COORDINATOR", raising=False)
    result = run("gateway", "--env", "sim", "--base-url", "http://127.0.0.1:9")
    assert result.exit_code != 0
    assert "--coordinator redis://host:port/0" in _flat(result.output)


def test_embedded_sim_is_refused_with_the_server_to_start() -> None:
    result = run("gateway", "--coordinator", "redis://127.0.0.1:9/0", "--env", "sim")
    assert result.exit_code != 0
    assert "hantoo sim serve" in _flat(result.output)


def test_a_malformed_keys_file_names_the_line(tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("# pool\nPSKEY1 SECRET1\nPSKEY2\n", encoding="utf-8")
    result = run("gateway", "--coordinator", "redis://127.0.0.1:9/0", "--env", "sim",
                 "--base-url", "http://127.0.0.1:9", "--keys-file", str(keys))
    assert result.exit_code != 0
    out = _flat(result.output)
    assert "keys.txt line 3" in out and "APP_KEY APP_SECRET" in out
    assert "SECRET1" not in out
