"""Helpers for the CLI tests: invoke the real command object, read PNG headers, run a server.

Why a server per module: commands such as ``order`` then ``orders`` need state that outlives one
invocation, which the embedded simulator (one per process, fresh per command in real use) does
not model; a simulator on 127.0.0.1 — like ``hantoo sim serve`` — does.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import Result
from typer.testing import CliRunner

from hantoo.cli.main import app

HANTOO = [sys.executable, "-m", "hantoo.cli"]
runner = CliRunner()


def run(*args: str, input: str | None = None) -> Result:
    """``hantoo ARGS`` in-process; never raises (see ``result.exit_code``)."""
    return runner.invoke(app, list(args), input=input)


def ok(*args: str, input: str | None = None) -> Result:
    result = run(*args, input=input)
    assert result.exit_code == 0, f"hantoo {' '.join(args)} → {result.exit_code}\n{result.output}"
    return result


def ok_json(*args: str) -> Any:
    return json.loads(ok(*args, "--json").stdout)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", head[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def stats(base_url: str) -> dict[str, Any]:
    data = httpx.get(f"{base_url}/_sim/stats", timeout=5).json()
    assert isinstance(data, dict)
    return data


@contextmanager
def serve_process(state: Path) -> Iterator[str]:
    """``hantoo sim serve`` as a real process on a free port; yields its REST URL."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [*HANTOO, "sim", "serve", "--port", "0", "--state", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    assert proc.stdout is not None
    url, lines = "", []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"REST\s+(http://127\.0\.0\.1:\d+)", line)
        if m:
            url = m.group(1)
            break
    if not url:
        proc.kill()
        pytest.fail("server did not print its URL:\n" + "".join(lines))
    try:
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=10)
