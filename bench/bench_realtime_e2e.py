"""End to end over loopback: the simulator's WebSocket → the SDK's typed records.

Run: .venv/bin/python bench/bench_realtime_e2e.py [--records 1000000] [--per-frame 100]

The simulator runs in a child process (its own core) in bench mode: pre-built multi-record
H0STCNT0 frames sent back to back as fast as the socket takes them. The parent runs
``RealtimeStream`` and consumes records with ``next_batch`` (typed records, lazily decoded),
reading one field per record so the work is not optimised away.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from hantoo.realtime import Credentials, RealtimeStream


def serve(per_frame: int) -> None:
    from hantoo.sim.ws import WsConfig, serve_standalone, standalone_app

    app, _hub = standalone_app(WsConfig(bench_frame_records=per_frame, ping_interval=30))
    with serve_standalone(app) as (base, ws):
        print(base, ws, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


@contextmanager
def server_process(per_frame: int) -> Iterator[tuple[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--serve", "--per-frame", str(per_frame)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base, ws = proc.stdout.readline().split()
        yield base, ws
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def consume(base: str, ws: str, records: int, symbols: int, time_limit: float) -> None:
    stream = RealtimeStream(
        Credentials("PSBENCH" + "0" * 29, "s" * 180),
        ws_url=ws,
        base_url=base,
        environment="sim",
        queue_size=200_000,
    )
    await stream.subscribe_trades(*[f"{i:06d}" for i in range(symbols)])
    got = 0
    first = None
    checksum = 0
    while got < records:
        batch = await stream.next_batch(8192, timeout=5)
        for ev in batch:
            v = getattr(ev, "values", None)
            if v is not None:
                if first is None:
                    first = time.perf_counter()
                got += 1
                checksum += len(v[0])
        if first and time.perf_counter() - first > time_limit:
            break
    elapsed = time.perf_counter() - (first or time.perf_counter())
    await stream.close()
    print(
        f"  {got:,} records in {elapsed:.2f}s → {got / elapsed:,.0f} records/s "
        f"(dropped {stream.stats.dropped}, checksum {checksum})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--per-frame", type=int, default=100)
    ap.add_argument("--symbols", type=int, default=4)
    ap.add_argument("--time-limit", type=float, default=60.0)
    args = ap.parse_args()
    if args.serve:
        serve(args.per_frame)
        return
    print(
        f"simulator → SDK over loopback, H0STCNT0, {args.per_frame} records/frame, "
        f"{args.symbols} subscriptions"
    )
    with server_process(args.per_frame) as (base, ws):
        asyncio.run(consume(base, ws, args.records, args.symbols, args.time_limit))


if __name__ == "__main__":
    main()
