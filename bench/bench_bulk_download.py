"""Benchmark (issue 18): a many-symbol history job at the rate limit vs a sequential loop.

Server: a ``hantoo sim serve`` subprocess on 127.0.0.1 enforcing ``--limits`` (default 20/s),
with ``latency_ms`` (default 50) added to every API call through the fault knobs
(``POST /_sim/faults``). Client: ``hantoo.Client`` with the same limit.

The job: ``--years`` (3) of daily candles for ``--daily`` (20) KOSPI symbols plus one day of
minute bars for ``--minute`` (5) symbols, ending on the simulator's latest business day.

* sequential: ``client.candles(...)`` for each symbol in turn (what users write today);
* bulk: ``client.download(...)`` for the daily symbols while the minute symbols run in a second
  ``download`` on another thread - both under the client's one limiter.

Prints, for each, the wall time, API calls and calls/s; the share of the limit the bulk job
sustained; the speed-up ratio (same run); and the server's rate-limit refusals.

    python bench/bench_bulk_download.py [--limit 20] [--latency-ms 50] [--daily 20] [--minute 5]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime as dt
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

import hantoo
from bulk_trace import Trace
from hantoo.bulk import Universe
from hantoo.bulk.results import Download


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    """Return once the simulator at ``base`` answers its health check; fail if it exits."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"{base}/_sim/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError("the simulator did not start")
        time.sleep(0.2)


@contextmanager
def sim_server(limits: str, latency_ms: int, *, universe: str | None = None,
               timeout_s: float = 900) -> Iterator[str]:
    """``hantoo sim serve`` in a subprocess, stopped on exit (and by ``timeout`` regardless)."""
    port = free_port()
    args = ["timeout", str(int(timeout_s)), sys.executable, "-m", "hantoo.cli", "sim", "serve",
            "--port", str(port), "--state", ":memory:", "--limits", limits, "--clock", "wall"]
    if universe:
        args += ["--universe", universe]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        if latency_ms:
            httpx.post(f"{base}/_sim/faults", json={"latency_ms": latency_ms}, timeout=5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def refused(base: str) -> int:
    stats = httpx.get(f"{base}/_sim/stats", timeout=5).json()
    return int(stats.get("rate_limited", 0))


def server_today(client: hantoo.Client) -> dt.date:
    job = client.download(["005930"], None, None, "day")
    return job["005930"].end


def calls_of(base: str) -> int:
    stats = httpx.get(f"{base}/_sim/stats", timeout=5).json()
    by_api = stats.get("calls_by_api", {})
    return int(sum(by_api.values())) if isinstance(by_api, dict) else 0


async def async_bulk(base: str, spec: str, cache: str, daily: list[str], minute: list[str],
                     start: dt.date, end: dt.date, concurrency: int,
                     span: list[float]) -> list[Download]:
    """The bulk job on :class:`hantoo.AsyncClient` (both parts on one event loop). The job's
    time (``span``: start, end on ``time.monotonic``) excludes building the client, as the
    sync client is built before its job too."""
    async with hantoo.AsyncClient("sim", base_url=base, rate_limit=spec,
                                  cache_dir=cache) as client:
        span.append(time.monotonic())
        day, mins = await asyncio.gather(
            client.download(daily, start, end, "day", concurrency=concurrency),
            client.download(minute, end, end, "minute", concurrency=concurrency))
        span.append(time.monotonic())
        return [day, mins]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--daily", type=int, default=20)
    ap.add_argument("--minute", type=int, default=5)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--async", dest="use_async", action="store_true",
                    help="run the bulk job on hantoo.AsyncClient instead of hantoo.Client")
    opts = ap.parse_args()
    spec = f"{opts.limit}/s"
    kospi = [item.code for item in Universe.simulator() if item.market == "KOSPI"
             and item.group == "ST"]
    daily = kospi[:opts.daily]
    minute = kospi[:opts.minute]
    with tempfile.TemporaryDirectory(prefix="hantoo-bench-") as cache, \
            sim_server(spec, opts.latency_ms) as base, \
            hantoo.Client("sim", base_url=base, rate_limit=spec, cache_dir=cache) as client:
        end = server_today(client)
        start = end.replace(year=end.year - opts.years)
        print(f"server today {end}; daily {len(daily)} symbols {start}..{end}; "
              f"minute {len(minute)} symbols on {end}; limit {spec}; "
              f"latency {opts.latency_ms} ms")
        client.candles(daily[0], end, end)  # warm-up (token, connections)
        # sequential baseline
        r0, c0, t0 = refused(base), calls_of(base), time.perf_counter()
        rows = 0
        for code in daily:
            rows += len(client.candles(code, start, end))
        for code in minute:
            rows += len(client.candles(code, end, end, "minute"))
        seq_s, seq_calls = time.perf_counter() - t0, calls_of(base) - c0
        print(f"sequential loop : {seq_s:6.2f} s  {seq_calls:4d} calls  "
              f"{seq_calls / seq_s:5.2f} calls/s  {rows} rows  "
              f"refused {refused(base) - r0}")
        time.sleep(1.1)  # let the server's 1-second window empty
        # bulk: both parts at once under the one limiter
        limiter = client._policies.limiter
        assert limiter is not None
        late0 = limiter.stats().late_wakes
        kept0 = getattr(limiter.stats(), "late_sends", 0)
        trace = Trace(limiter)
        r0, c0 = refused(base), calls_of(base)
        span: list[float] = []
        with trace.installed():
            jobs = run_bulk(opts, client, base, spec, cache, daily, minute, start, end, span)
        m0, m1 = span
        bulk_s, bulk_calls = m1 - m0, calls_of(base) - c0
        late = limiter.stats().late_wakes - late0
        kept = getattr(limiter.stats(), "late_sends", 0) - kept0
        n_refused = refused(base) - r0
        bulk_rows = sum(j.summary.rows for j in jobs)
        ok = all(j.ok for j in jobs)
        rate = bulk_calls / bulk_s
        print(f"client.download : {bulk_s:6.2f} s  {bulk_calls:4d} calls  "
              f"{rate:5.2f} calls/s  {bulk_rows} rows  complete={ok}  "
              f"refused {n_refused}  retries {sum(j.summary.retries for j in jobs)}")
        print(f"limit utilisation (bulk): {rate / opts.limit:.1%} of {spec}; slots lost to "
              f"late wake-ups: {late}; late calls that kept their slot: {kept}")
        print(f"speed-up vs sequential (same run): {seq_s / bulk_s:.2f}x")
        print("where the budget went (bulk):")
        print(trace.report(m0, m1, limit=opts.limit, late=late, refused=n_refused))


def run_bulk(opts: argparse.Namespace, client: hantoo.Client, base: str, spec: str, cache: str,
             daily: list[str], minute: list[str], start: dt.date,
             end: dt.date, span: list[float]) -> list[Download]:
    """Both parts of the job at once under the one limiter (the sync client from two threads,
    or one event loop for the async client); ``span`` gets the job's start and end."""
    if opts.use_async:
        return asyncio.run(async_bulk(base, spec, cache, daily, minute, start, end,
                                      opts.concurrency, span))
    span.append(time.monotonic())
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        f_day = pool.submit(client.download, daily, start, end, "day",
                            concurrency=opts.concurrency)
        f_min = pool.submit(client.download, minute, end, end, "minute",
                            concurrency=opts.concurrency)
        jobs = [f_day.result(), f_min.result()]
    span.append(time.monotonic())
    return jobs


if __name__ == "__main__":
    main()
