"""The realtime gateway: many consumers, 41 symbols, records/s delivered and latency.

Real parts: a ``redis-server`` on a free 127.0.0.1 port, the simulator's WebSocket server
(its paced synthetic feed: every ``--tick`` seconds, one frame of 1..``--per-frame`` records
per subscription; KIS wire format) in this process, ``hantoo gateway`` as a child process with a
one-key pool subscribing the 41 symbols (H0STCNT0), and ``--procs`` consumer processes with
``--consumers`` ``RealtimeStream(gateway=...)`` objects each, every one subscribed to all 41
symbols and consuming with an ``on_record`` callback (the public API, unchanged).

"Delivered" counts records that reached a consumer's callback inside the measuring window,
summed over all consumers. Latency is gateway-in (the time the gateway's session handed the
decoded frame to its ingest) to that callback, same host clock, sampled on the first record
of every stream entry each consumer receives (an entry carries what arrived for one symbol
within one gateway write interval).

Same-run baseline: one more process holds a *direct* WebSocket client (its own app key, its
own simulator session with the same feed settings) subscribed to the same 41 symbols; the
ratio is per-consumer delivered rate through the gateway over the direct client's rate (1.0
means every consumer got what a direct session gets). The feed is the ingest source: the
gateway's ingest is its real WebSocket path.

    python bench/bench_gateway.py [--procs 4] [--consumers 50] [--seconds 8] [--tick 0.1]
        [--per-frame 24]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "fleet"))

SYMBOLS = [f"{i:06d}" for i in range(1, 42)]


# --------------------------------------------------------------------------- worker side


async def _window() -> tuple[float, float]:
    """Say ready, then wait for the driver's common measuring window (start, end)."""
    print("ready", flush=True)
    line = await asyncio.to_thread(sys.stdin.readline)
    a, b = line.split()
    return float(a), float(b)


async def _consumers(url: str, n: int) -> dict[str, Any]:
    from hantoo.realtime import RealtimeStream

    start = end = float("inf")
    delivered = [0]
    lat: list[float] = []
    gaps = [0]
    streams = []
    consumers = []

    async def consume(s: RealtimeStream) -> None:
        await s.run(until=lambda: time.time() >= end)  # a backlog is not drained after end

    for _ in range(n):
        s = RealtimeStream(environment="sim", ws_url="ws://unused", base_url="http://unused",
                           gateway=url)
        feed = s.gateway
        assert feed is not None
        probe: dict[int, float] = {}
        feed.latency_probe = probe

        def on_record(rec: Any, probe: dict[int, float] = probe) -> None:
            t = probe.pop(id(rec), None)
            now = time.time()
            if start <= now < end:
                delivered[0] += 1
                if t is not None:
                    lat.append(now - t)

        def on_gap(_gap: Any) -> None:
            if time.time() >= start:
                gaps[0] += 1

        s.on_record(on_record)
        s.on_gap(on_gap)
        await s.subscribe_trades(*SYMBOLS)
        streams.append(s)
        # Consuming starts at once (no backlog piles up while the others subscribe and the
        # other processes start); only the common window counts.
        consumers.append(asyncio.create_task(consume(s)))
    start, end = await _window()

    async def stop_at_end() -> None:  # run() also ends when the stream closes (no event late)
        await asyncio.sleep(max(0.0, end - time.time() + 0.5))
        for s in streams:
            await s.close()

    stopper = asyncio.create_task(stop_at_end())
    await asyncio.gather(*consumers)
    dropped = sum(s.stats.dropped for s in streams)
    await stopper
    lat.sort()
    step = max(1, len(lat) // 20_000)
    return {"delivered": delivered[0], "lat": lat[::step], "gaps": gaps[0], "dropped": dropped}


async def _direct(base: str, ws: str) -> dict[str, Any]:
    from hantoo.realtime import Credentials, RealtimeStream

    start = end = float("inf")
    got = [0]
    s = RealtimeStream([Credentials("PSBENCHDIRECT" + "0" * 23, "s" * 180)], environment="sim",
                       ws_url=ws, base_url=base)

    def on_record(_rec: Any) -> None:
        if start <= time.time() < end:
            got[0] += 1

    s.on_record(on_record)
    await s.subscribe_trades(*SYMBOLS)
    consumer = asyncio.create_task(s.run(until=lambda: time.time() >= end))
    start, end = await _window()
    await consumer
    await s.close()
    return {"delivered": got[0]}


def worker(argv: list[str]) -> None:
    kind, a, b = argv[0], argv[1], argv[2]
    out = asyncio.run(_direct(a, b) if kind == "direct" else _consumers(a, int(b)))
    print(json.dumps(out), flush=True)


# --------------------------------------------------------------------------- driver side


def stream_counts(url: str) -> int:
    """Records the gateway wrote so far (sum of each stream's last ``n``)."""
    import redis

    from hantoo.realtime.events import Subscription
    from hantoo.realtime.gateway import GatewayKeys

    r = redis.Redis.from_url(url)
    total = 0
    for sym in SYMBOLS:
        last: Any = r.xrevrange(GatewayKeys("default").stream(Subscription("H0STCNT0", sym)),
                                count=1)
        if last and b"n" in last[0][1]:
            total += int(last[0][1][b"n"])
    r.close()
    return total


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2:])
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--procs", type=int, default=4)
    p.add_argument("--consumers", type=int, default=50, help="consumers per process")
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--warmup", type=float, default=4.0)
    p.add_argument("--tick", type=float, default=0.1)
    p.add_argument("--per-frame", type=int, default=24)
    args = p.parse_args()

    from gateway_kit import GatewayProc
    from redis_kit import RedisServer

    from hantoo.sim.ws import WsConfig, serve_standalone, standalone_app

    app, _hub = standalone_app(WsConfig(tick_interval=args.tick,
                                        max_records_per_frame=args.per_frame, seed=1))
    with tempfile.TemporaryDirectory(prefix="hantoo-gw-bench-") as tmp, \
            serve_standalone(app) as (base, ws):
        rds = RedisServer(Path(tmp))
        rds.start()
        gw = GatewayProc(rds.url, base, Path(tmp), keys=1)
        gw.start()
        procs: list[subprocess.Popen[str]] = []
        try:
            gw.wait_leading()
            me = str(Path(__file__).resolve())
            for _ in range(args.procs):
                procs.append(subprocess.Popen(
                    [sys.executable, me, "--worker", "gateway", rds.url, str(args.consumers)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
            procs.append(subprocess.Popen(
                [sys.executable, me, "--worker", "direct", base, ws],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
            for pr in procs:  # everyone subscribed before the clock starts
                assert pr.stdout is not None and pr.stdout.readline().strip() == "ready"
            start = time.time() + args.warmup
            end = start + args.seconds
            for pr in procs:
                assert pr.stdin is not None
                pr.stdin.write(f"{start} {end}\n")
                pr.stdin.flush()
            time.sleep(max(0.0, start - time.time()))
            n0 = stream_counts(rds.url)
            time.sleep(max(0.0, end - time.time()))
            n1 = stream_counts(rds.url)
            outs = []
            for pr in procs:
                out, _ = pr.communicate(timeout=args.seconds + 120)
                outs.append(json.loads(out.strip().splitlines()[-1]))
        finally:
            for pr in procs:
                if pr.poll() is None:
                    pr.kill()
            gw.stop()
            rds.stop()
    direct = outs[-1]["delivered"] / args.seconds
    gws = outs[:-1]
    total = sum(o["delivered"] for o in gws)
    lat = sorted(x for o in gws for x in o["lat"])
    n = args.procs * args.consumers
    ingest = (n1 - n0) / args.seconds

    def pct(q: float) -> float:
        return 1000 * lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")

    print(f"consumers: {args.procs} processes x {args.consumers} = {n}, each subscribed to "
          f"{len(SYMBOLS)} symbols (H0STCNT0); feed: tick {args.tick}s, 1..{args.per_frame} "
          f"records/frame; window {args.seconds}s after {args.warmup}s warm-up")
    print(f"gateway ingest: {ingest:,.0f} records/s (1 key, 41 registrations)")
    print(f"delivered to callbacks, all consumers: {total / args.seconds:,.0f} records/s "
          f"({total:,} records)")
    print(f"per consumer: {total / args.seconds / n:,.0f} records/s; direct WebSocket client, "
          f"same feed, same run: {direct:,.0f} records/s; ratio gateway/direct "
          f"{total / args.seconds / n / direct if direct else float('nan'):.3f}")
    print(f"latency gateway-in -> callback: p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, "
          f"max {pct(1.0):.1f} ms")
    print(f"gaps seen in window: {sum(o['gaps'] for o in gws)}, records dropped (trimmed): "
          f"{sum(o['dropped'] for o in gws)}")
    print(f"machine: {os.cpu_count()} CPUs, load average at the end {os.getloadavg()[0]:.1f} "
          "(shared with other work)")


if __name__ == "__main__":
    main()
