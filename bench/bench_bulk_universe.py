"""Benchmark (issue 18): a 2,000-symbol daily-history job - rejections, memory, kill -9 resume.

Server: a ``hantoo sim serve`` subprocess loaded with a full KRX listing (``--universe FILE``,
e.g. the shared ``krx-universe/universe.csv``; not part of the project), enforcing ``--limit``
calls/s with ``--latency-ms`` added to every call. Each job is the real command line,
``hantoo download @SYMBOLS --out DIR --from .. --to .. --rate-limit N/s --json``, in its own
process, so peak RSS is that process's own (``os.wait4``).

Runs, all against the same server:

1. ``--small`` symbols (200), uninterrupted: peak RSS for a small job;
2. all ``--symbols`` (2,000), uninterrupted, into a fresh directory: calls, time, peak RSS;
3. the same job into another directory, ``kill -9`` once half the files exist, then run again:
   how many calls the resume made, and how many calls were made *again* over the two runs
   compared with run 2 (killed + resumed − uninterrupted).

Prints the server's rate-limit refusals for each run.

    python bench/bench_bulk_universe.py --universe PATH [--limit 50] [--days 90]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench_bulk_download import sim_server
from hantoo.bulk import Universe

DAILY = "domestic_stock/inquire_daily_itemchartprice"


def stats(base: str) -> tuple[int, int]:
    data = httpx.get(f"{base}/_sim/stats", timeout=5).json()
    return int(data["calls_by_api"].get(DAILY, 0)), int(data.get("rate_limited", 0))


def command(base: str, symbols: Path, out: Path, first: str, last: str, limit: str) -> list[str]:
    return [sys.executable, "-m", "hantoo.cli", "download", f"@{symbols}", "--out", str(out),
            "--from", first, "--to", last, "--base-url", base, "--rate-limit", limit, "--json"]


def run_job(args: list[str], env: dict[str, str], *, kill_at: int | None = None,
            watch: Path | None = None) -> tuple[dict[str, Any] | None, float, int]:
    """Run one job; returns its JSON summary (``None`` when killed), seconds, peak RSS KiB."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    if kill_at is not None:
        assert watch is not None
        while proc.poll() is None and len(list(watch.glob("*.parquet"))) < kill_at:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    assert proc.stdout is not None
    text = proc.stdout.read()
    _pid, _status, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    seconds = time.perf_counter() - t0
    summary = json.loads(text) if kill_at is None and text else None
    return summary, seconds, usage.ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--universe", required=True, help="a KRX listing CSV (code,name,market)")
    ap.add_argument("--limit", type=int, default=50, help="the server's calls/s")
    ap.add_argument("--headroom", type=float, default=0.9,
                    help="client limit as a share of the server's (hantoo's real profile: "
                         "18 of KIS's 20/s = 0.9)")
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--symbols", type=int, default=2000)
    ap.add_argument("--small", type=int, default=200)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--to", default="2026-11-30", help="last day of the range")
    opts = ap.parse_args()
    codes = [item.code for item in Universe.from_csv(opts.universe)][:opts.symbols]
    last = opts.to
    first = (dt.date.fromisoformat(last) - dt.timedelta(days=opts.days - 1)).isoformat()
    with tempfile.TemporaryDirectory(prefix="hantoo-bench-") as tmp, \
            sim_server(f"{opts.limit}/s", opts.latency_ms, universe=opts.universe,
                       timeout_s=1800) as base:
        root = Path(tmp)
        env = dict(os.environ, HANTOO_CACHE_DIR=str(root / "cache"))
        all_file, small_file = root / "all.txt", root / "small.txt"
        all_file.write_text("\n".join(codes) + "\n", encoding="utf-8")
        small_file.write_text("\n".join(codes[:opts.small]) + "\n", encoding="utf-8")
        client_limit = f"{max(1, int(opts.limit * opts.headroom))}/s"
        print(f"{len(codes)} symbols, daily bars {first}..{last}, server limit "
              f"{opts.limit}/s, client limit {client_limit}, latency {opts.latency_ms} ms")

        def job(name: str, symbols: Path, out: Path, **kw: Any) -> tuple[
                dict[str, Any] | None, int, int]:
            c0, r0 = stats(base)
            summary, seconds, rss = run_job(
                command(base, symbols, out, first, last, client_limit), env, **kw)
            c1, r1 = stats(base)
            extra = ""
            if summary is not None:
                extra = (f" completed {summary['completed']} skipped {summary['skipped']} "
                         f"failed {summary['failed']} rows {summary['rows']} "
                         f"{summary['calls_per_second']} calls/s")
            print(f"{name:<28} {seconds:6.1f} s  {c1 - c0:5d} calls  peak RSS "
                  f"{rss / 1024:6.1f} MiB  server refusals {r1 - r0}{extra}")
            return summary, c1 - c0, r1 - r0

        job(f"{opts.small} symbols", small_file, root / "small")
        _s, full_calls, _r = job(f"{len(codes)} symbols", all_file, root / "full")
        kill_at = len(codes) // 2
        _s, killed_calls, _r = job(f"{len(codes)} killed at {kill_at} files", all_file,
                                   root / "resume", kill_at=kill_at, watch=root / "resume")
        on_disk = len(list((root / "resume").glob("*.parquet")))
        resumed, resume_calls, _r = job("  resumed", all_file, root / "resume")
        again = killed_calls + resume_calls - full_calls
        print(f"files on disk at the kill: {on_disk}; the resume skipped "
              f"{resumed['skipped'] if resumed else '?'} symbols and made {resume_calls} calls")
        print(f"calls made again because of the kill: {again} = {again / full_calls:.2%} of "
              f"the uninterrupted job's {full_calls}")


if __name__ == "__main__":
    main()
