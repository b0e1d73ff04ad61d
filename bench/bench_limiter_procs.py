"""Host-wide rate limiting: several processes on one app key against `hantoo sim serve`.

A `hantoo sim serve` process enforces the real KIS limits on the demo key (18/s, 1,000/min,
50,000/h; it refuses the excess with EGW00201). ``--procs`` processes each run ``--tasks``
asyncio tasks calling the current-price API through one AsyncClient with the default (real)
profile for ``--seconds``, all on one key and one token cache. Two modes, same run:

* ``local`` — each process has its own limiter (the old default): the baseline;
* ``shared`` — the limiter state is shared by the processes of the host (the new default for
  ``real`` and ``paper``).

Printed per mode: calls, calls/s and the share of what the server's windows allow over the run
(``min(18 * T, 1000 * max(1, T / 60))``; calls still queued in the limiter at the end of ``T``
are completed but not counted), server-side rejections (EGW00201, from
``/_sim/stats``) and rejections that reached a caller (after the SDK's retries). Target for
``shared``: 0 rejections at >= 95 %.

    python bench/bench_limiter_procs.py [--seconds 60] [--procs 4] [--tasks 20]
        [--modes local,shared]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

import httpx

QUOTE = {"fid_cond_mrkt_div_code": "J", "fid_input_iscd": "005930"}


def worker(base_url: str, cache_dir: str, shared: bool, tasks: int, ready: Any,
           seconds: float) -> tuple[int, int, int, int]:
    """One process: once every process is ready (``ready``: a barrier), ``tasks`` tasks call
    for ``seconds``; returns (ok, rejected, other errors, limiter late wakes)."""
    import hantoo
    from hantoo.errors import HantooError, RateLimitError

    async def run() -> tuple[int, int, int, int]:
        ok = rejected = other = 0
        async with hantoo.AsyncClient("sim", base_url=base_url, cache_dir=cache_dir,
                                      shared_rate_limit=shared) as c:
            await c.token()
            _ = c.domestic_stock  # import the generated layer now, not on the clock
            # Spawning and importing take seconds on a busy machine: start together.
            await asyncio.to_thread(ready.wait)
            stop = time.time() + seconds

            async def one() -> None:
                nonlocal ok, rejected, other
                while time.time() < stop:
                    try:
                        await c.domestic_stock.inquire_price(**QUOTE)
                        if time.time() <= stop:  # calls queued at the stop do not count
                            ok += 1
                    except RateLimitError:
                        rejected += 1
                    except HantooError:
                        other += 1

            await asyncio.gather(*(one() for _ in range(tasks)))
            limiter = c._policies.limiter
            late = limiter.stats().late_wakes if limiter is not None else 0
        return ok, rejected, other, late

    return asyncio.run(run())


def start_server(deadline: float) -> tuple[subprocess.Popen[str], str]:
    """`hantoo sim serve` on a free loopback port, in memory; returns the process and URL."""
    cmd = [sys.executable, "-m", "hantoo.cli", "sim", "serve", "--port", "0", "--state", ":memory:",
           "--limits", "real"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"REST\s+(http://127\.0\.0\.1:\d+)", line)
        if m:
            # keep reading what it prints, so a full pipe can never stall the server
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return proc, m.group(1)
    proc.kill()
    raise RuntimeError("hantoo sim serve did not start")


def measure(base_url: str, mode: str, args: argparse.Namespace) -> dict[str, Any]:
    before = httpx.get(f"{base_url}/_sim/stats").json()["rate_limited"]
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="hantoo-bench-") as cache, ctx.Manager() as manager:
        ready = manager.Barrier(args.procs)
        jobs = [(base_url, cache, mode == "shared", args.tasks, ready, args.seconds)]
        with ctx.Pool(args.procs) as pool:
            results = pool.starmap(worker, jobs * args.procs, chunksize=1)
    after = httpx.get(f"{base_url}/_sim/stats").json()["rate_limited"]
    ok = sum(r[0] for r in results)
    t = args.seconds
    allowed = min(18 * t, 1000 * max(1.0, t / 60))
    return {"mode": mode, "calls": ok, "rate": ok / t, "elapsed": t, "share": 100 * ok / allowed,
            "server_rejections": after - before, "caller_rejections": sum(r[1] for r in results),
            "other_errors": sum(r[2] for r in results), "late_wakes": sum(r[3] for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--modes", default="local,shared")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    proc, base_url = start_server(time.monotonic() + 30)
    try:
        rows = []
        for mode in modes:
            if rows:
                time.sleep(61)  # let the server's minute window drain between modes
            rows.append(measure(base_url, mode, args))
            r = rows[-1]
            print(f"{r['mode']:>6}: {r['calls']} calls in {r['elapsed']:.0f}s = {r['rate']:.2f}/s "
                  f"({r['share']:.1f} % of what the limits allow), EGW00201 at the server: "
                  f"{r['server_rejections']}, reaching callers: {r['caller_rejections']}, "
                  f"other errors: {r['other_errors']}, late wakes: {r['late_wakes']}  "
                  f"[{args.procs} procs x {args.tasks} tasks]",
                  flush=True)
        if len(rows) == 2 and rows[0]["calls"]:
            print(f"ratio shared/local calls: {rows[1]['calls'] / rows[0]['calls']:.2f}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
