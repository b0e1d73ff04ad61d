"""`hantoo demo` as a user runs it: a real process, no configuration, under 30 seconds."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from hantoo.cli.main import app


def test_demo_runs_the_whole_tour_without_configuration(tmp_path: Path) -> None:
    cache = Path(os.environ["HANTOO_CACHE_DIR"])  # the "user's" token cache (conftest)
    out = tmp_path / "out"
    env = {**os.environ, "COLUMNS": "120", "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "hantoo.cli", "demo", "--pace", "0", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=60,
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert elapsed < 30, f"the demo took {elapsed:.1f} s"
    text = proc.stdout
    assert "Traceback" not in text + proc.stderr
    # token issued once, reused by a second client
    assert "the same token" in text
    assert "tokens issued by the server: 1" in text
    # the buy's fill arrived on the stream, then balance, sell, candles
    assert "fill notice (decrypted H0STCNI0): 10 @" in text
    assert "filled, 10 @" in text
    assert "cash after settlement" in text
    rows = list(csv.DictReader((out / "005930-day.csv").open(encoding="utf-8")))
    assert 15 <= len(rows) <= 24  # a month of trading days
    assert all(int(r["low"]) <= int(r["close"]) <= int(r["high"]) for r in rows)
    # sim tokens went to a temporary cache, never to the user's
    assert not cache.exists() or not any(cache.iterdir())


def test_demo_against_kis_without_credentials_is_a_config_error() -> None:
    result = CliRunner().invoke(app, ["demo", "--env", "paper", "--pace", "0"])
    assert result.exit_code == 3, result.output
    assert "needs an app key" in result.output
    assert "hantoo config init" in result.output
    assert "Traceback" not in result.output
