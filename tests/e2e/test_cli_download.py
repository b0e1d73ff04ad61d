"""``hantoo download`` / ``hantoo quotes`` through the real command object and the embedded
simulator: the ``--json`` summary, partial failure, resume, usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from cli_kit import run

RANGE = ("--from", "2025-01-02", "--to", "2025-06-30")


def test_download_json_summary_failure_isolation_and_resume(tmp_path: Path) -> None:
    out = tmp_path / "bars"
    first = run("download", "005930", "999999", "000660", "--out", str(out), *RANGE, "--json")
    assert first.exit_code == 4, first.output  # one symbol failed: the API exit code
    summary = json.loads(first.stdout)
    assert summary["symbols"] == 3 and summary["completed"] == 2 and summary["failed"] == 1
    assert summary["rate_limited"] == 0 and summary["pages"] >= 4
    assert summary["failed_symbols"][0]["symbol"] == "999999"
    assert summary["failed_symbols"][0]["code"] == "MCA05918"
    assert sorted(p.name for p in out.glob("*.parquet")) == ["000660.parquet", "005930.parquet"]
    rows = pq.read_table(str(out / "005930.parquet")).num_rows
    assert rows == summary["rows"] // 2 > 100
    again = run("download", "005930", "000660", "--out", str(out), *RANGE, "--json")
    assert again.exit_code == 0, again.output
    resumed = json.loads(again.stdout)
    assert resumed["skipped"] == 2 and resumed["requests"] == 0


def test_download_csv_and_usage_errors(tmp_path: Path) -> None:
    out = tmp_path / "csv"
    ok = run("download", "005930", "--out", str(out), *RANGE, "--format", "csv")
    assert ok.exit_code == 0, ok.output
    head = (out / "005930.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert head[0].startswith("time,open,high,low,close") and head[1].startswith("2025-01-02")
    bad = run("download", "005930", "--out", str(out), "--format", "xls")
    assert bad.exit_code == 2 and "--format" in bad.output
    missing = run("download", "@" + str(tmp_path / "nope.txt"), "--out", str(out))
    assert missing.exit_code == 2 and "no such file" in missing.output
    swapped = run("download", "005930", "--out", str(out), "--from", "2025-06-30",
                  "--to", "2025-01-02")
    assert swapped.exit_code == 2 and "after" in swapped.output


def test_quotes_json_counts_calls() -> None:
    result = run("quotes", "005930", "000660", "035420", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [q["symbol"] for q in data["quotes"]] == ["005930", "000660", "035420"]
    assert data["calls"] == 1 and not data["errors"]
