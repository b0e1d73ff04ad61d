"""Run the README's SDK examples against the embedded simulator; check (or rewrite) what their
comments say is printed.

Usage::

    python tools/readme_examples.py --check            # README.md and README.ko.md; exit 1 on a
                                                        # comment that is not what prints
    python tools/readme_examples.py --write            # rewrite those comments from a run

Why: a README whose comments say ``Decimal('0.85')`` while the code prints ``0.28`` teaches the
reader to distrust the rest. The examples of the SDK section are executed as written (a block
that uses ``client`` without making one gets ``client = hantoo.Client()``, the in-process
simulator), and every line of the form ``print(...)  # what it prints`` or ``expression  # its
repr`` is compared with what the run produced. Other comments are prose and left alone.

What is compared: the text exactly, except numbers that belong to the simulated market —
prices, rates, amounts and order numbers (a number with a decimal point or a thousands separator,
or of four digits or more) — which change with the simulated trading day; those match any number
of the same form. Small counts (``10/10``, ``Positions[1]``) must be equal. ``...`` in a comment
matches anything.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: The section of each README whose Python examples are run.
SECTIONS = {"README.md": "## The SDK", "README.ko.md": "## SDK"}
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")


@dataclass
class Block:
    path: Path
    first_line: int  # index in the file of the block's first code line
    code: list[str]


@dataclass
class Check:
    """One commented line of an example: what the comment says, what the run printed."""

    block: Block
    line: int  # 1-based within the block
    expected: str
    printed: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.block.path.name}:{self.block.first_line + self.line}"


def blocks(path: Path, heading: str) -> list[Block]:
    """The fenced ``python`` blocks between ``heading`` and the next ``## `` heading."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    inside, start = False, 0
    code: list[str] = []
    in_section = False
    for i, line in enumerate(lines):
        if line.startswith("## "):
            in_section = line.strip() == heading
        if not in_section:
            continue
        if not inside and line.strip() == "```python":
            inside, code, start = True, [], i + 1
        elif inside and line.strip() == "```":
            inside = False
            out.append(Block(path, start, code))
        elif inside:
            code.append(line)
    return out


def _split_comment(line: str) -> tuple[str, str] | None:
    """``(code, comment)`` when the line ends in a comment outside any string."""
    try:
        tokens = list(tokenize.generate_tokens(iter([line + "\n"]).__next__))
    except Exception:  # a line that does not tokenize alone (inside a bracket): no check
        return None
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            return line[: tok.start[1]], tok.string[1:].strip()
    return None


def checks_of(block: Block) -> tuple[list[Check], set[int]]:
    """The output comments of ``block``, and the bare-expression lines among them."""
    tree = ast.parse("\n".join(block.code))
    printed_lines: set[int] = set()
    expr_lines: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Expr) or node.lineno != node.end_lineno:
            continue
        value = node.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and \
                value.func.id == "print":
            printed_lines.add(node.lineno)
        elif not isinstance(value, ast.Call):
            expr_lines.add(node.lineno)
    out = []
    for number in sorted(printed_lines | expr_lines):
        split = _split_comment(block.code[number - 1])
        if split is not None:
            out.append(Check(block, number, split[1]))
    return out, expr_lines


def pattern(expected: str) -> re.Pattern[str]:
    """The comment as a regular expression (see the module docstring)."""
    parts: list[str] = []
    pos = 0
    for m in re.finditer(r"\.\.\.|" + _NUMBER.pattern, expected):
        parts.append(re.escape(expected[pos:m.start()]))
        token = m.group()
        if token == "...":
            parts.append(".*?")
        elif "." in token or "," in token or len(token.lstrip("+-")) >= 4:
            parts.append(r"[-+]?\d[\d,]*" + (r"\.\d+" if "." in token else ""))
        else:
            parts.append(re.escape(token))
        pos = m.end()
    parts.append(re.escape(expected[pos:]))
    return re.compile("".join(parts) + r"\Z", re.S)


def run_block(block: Block, checks: list[Check], expr_lines: set[int]) -> None:
    """Execute the block; record what each checked line printed (or evaluated to)."""
    import hantoo

    by_line = {c.line: c for c in checks}
    tree = ast.parse("\n".join(block.code))

    class Show(ast.NodeTransformer):
        def visit_Expr(self, node: ast.Expr) -> ast.AST:
            if node.lineno in expr_lines and node.lineno in by_line:
                call = ast.Call(ast.Name("__show__", ast.Load()),
                                [node.value, ast.Constant(node.lineno)], [])
                return ast.copy_location(ast.Expr(call), node)
            return node

    tree = ast.fix_missing_locations(Show().visit(tree))
    filename = f"<{block.path.name}:{block.first_line + 1}>"

    def record(line: int, text: str) -> None:
        if line in by_line:
            by_line[line].printed.append(text)
        else:
            sys.stdout.write(text + "\n")

    def fake_print(*args: Any, sep: str = " ", **_kw: Any) -> None:
        frame = sys._getframe(1)
        line = frame.f_lineno if frame.f_code.co_filename == filename else -1
        record(line, sep.join(str(a) for a in args))

    def show(value: Any, line: int) -> None:
        record(line, repr(value))

    namespace: dict[str, Any] = {"__name__": "__readme__", "print": fake_print,
                                 "__show__": show, "hantoo": hantoo}
    own_client = "hantoo.Client(" not in "\n".join(block.code)
    if own_client:
        namespace["client"] = hantoo.Client()
    try:
        exec(compile(tree, filename, "exec"), namespace)  # the README's own example
    finally:
        if own_client:
            namespace["client"].close()


def check_file(path: Path, run: Callable[[Block, list[Check], set[int]], None] = run_block) -> (
    list[Check]
):
    """Every output comment of the file's SDK section, with what the run printed."""
    found: list[Check] = []
    for block in blocks(path, SECTIONS.get(path.name, "## The SDK")):
        checks, expr_lines = checks_of(block)
        if checks:
            run(block, checks, expr_lines)
            found += checks
    return found


def mismatches(checks: list[Check]) -> list[str]:
    bad = []
    for c in checks:
        if len(c.printed) != 1 or not pattern(c.expected).match(c.printed[0]):
            got = " | ".join(c.printed) if c.printed else "(nothing)"
            bad.append(f"{c.where}: the comment says {c.expected!r}, the run printed {got!r}")
    return bad


def write(path: Path, checks: list[Check]) -> int:
    """Replace each checked comment by what was printed; returns how many changed."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = 0
    for c in checks:
        if len(c.printed) != 1 or c.printed[0] == c.expected:
            continue
        index = c.block.first_line + c.line - 1
        text = lines[index].rstrip("\n")
        split = _split_comment(text)
        assert split is not None
        lines[index] = f"{split[0]}# {c.printed[0]}\n"
        changed += 1
    path.write_text("".join(lines), encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="fail on a comment that does not "
                      "match what prints")
    mode.add_argument("--write", action="store_true", help="rewrite the comments from a run")
    parser.add_argument("files", nargs="*", type=Path,
                        default=[ROOT / name for name in SECTIONS])
    args = parser.parse_args(argv)
    if len(args.files) > 1:  # each README on a fresh simulator: one process per file
        import subprocess

        flag = "--write" if args.write else "--check"
        codes = [subprocess.run([sys.executable, __file__, flag, str(f)], check=False).returncode
                 for f in args.files]
        return max(codes)
    failures: list[str] = []
    total = 0
    for path in args.files:
        checks = check_file(path)
        total += len(checks)
        if args.write:
            print(f"{path.name}: {write(path, checks)} of {len(checks)} comments rewritten")
        else:
            failures += mismatches(checks)
    if args.check:
        for line in failures:
            print(line)
        print(f"{total} output comments checked, {len(failures)} do not match what prints")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
