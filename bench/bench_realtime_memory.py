"""Client memory over a long stream: RSS growth across 5,000,000 records.

Run: .venv/bin/python bench/bench_realtime_memory.py [--records 5000000] [--time-limit 150]

The simulator (bench mode, child process) streams H0STCNT0 frames; the client consumes them
with ``next_batch`` and reads a field of each. RSS is sampled after a warm-up of 300,000
records (queues, caches and allocator arenas at steady state) and at the end; the growth
between the two is the figure that must stay under 10 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import time

from bench_realtime_e2e import server_process
from hantoo.realtime import Credentials, RealtimeStream

WARMUP = 300_000


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


async def run(base: str, ws: str, records: int, time_limit: float) -> None:
    stream = RealtimeStream(
        Credentials("PSMEMORY" + "0" * 28, "s" * 180),
        ws_url=ws,
        base_url=base,
        environment="sim",
        queue_size=50_000,
    )
    await stream.subscribe_trades("005930", "000660")
    got = 0
    base_rss = peak = 0.0
    start = time.perf_counter()
    next_sample = WARMUP
    while got < records and time.perf_counter() - start < time_limit:
        for ev in await stream.next_batch(8192, timeout=5):
            v = getattr(ev, "values", None)
            if v is not None:
                got += 1
        if got >= next_sample:
            if not base_rss:
                gc.collect()
                base_rss = rss_mb()
            peak = max(peak, rss_mb())
            next_sample += 250_000
    # Sampled while still consuming: after this the unread queue (bounded by queue_size)
    # fills up, which is the bound working, not growth.
    gc.collect()
    end_rss = rss_mb()
    queued = stream.stats.queued
    await stream.close()
    elapsed = time.perf_counter() - start
    print(f"  {got:,} records in {elapsed:.1f}s ({got / elapsed:,.0f}/s)")
    print(
        f"  RSS after {WARMUP:,} warm-up records: {base_rss:.1f} MB; peak {peak:.1f} MB; "
        f"end {end_rss:.1f} MB; growth {end_rss - base_rss:+.2f} MB "
        f"(peak growth {peak - base_rss:+.2f} MB; {queued} events queued at the end)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--time-limit", type=float, default=150.0)
    args = ap.parse_args()
    print("client memory over a long H0STCNT0 stream")
    with server_process(100) as (base, ws):
        asyncio.run(run(base, ws, args.records, args.time_limit))


if __name__ == "__main__":
    main()
