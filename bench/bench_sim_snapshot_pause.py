"""How long a snapshot stops the simulator's event loop, 2,500 active symbols.

The server runs the engine on its event loop, so whatever a snapshot does on that thread is a
pause for every request. Setup: ``hantoo.sim.store.open_exchange`` over a generated 2,500-symbol
KRX universe, every symbol made active by orders (books, synthetic liquidity, day state), some
thousands of finished orders to archive. Then, with a ticker task on an asyncio loop that wakes
every millisecond and records the longest gap between wake-ups, one snapshot is taken:

* background (what the server does): the periodic snapshot, written by a forked child process;
  timed until the child has committed it, the loop running meanwhile;
* blocking (the same-run baseline): the snapshot written on the loop's thread, as before.

    python bench/bench_sim_snapshot_pause.py [--symbols 2500] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from hantoo.sim.durable import JournaledExchange
from hantoo.sim.engine import (
    KST,
    EngineReject,
    ExchangeConfig,
    Instrument,
    Market,
    OrderType,
    SessionClock,
    Side,
    Universe,
)
from hantoo.sim.store import StateStore, open_exchange


def universe(n: int, seed: int) -> Universe:
    rng = random.Random(seed)
    levels = [1_500, 4_000, 15_000, 42_000, 71_000, 150_000]
    return Universe([
        Instrument(f"{800000 + i}", f"SNAP{i:04d}", Market.KOSPI, rng.choice(levels),
                   volume=1_000_000, shares=10_000_000)
        for i in range(n)
    ])


def setup(path: Path, n: int) -> JournaledExchange:
    cfg = ExchangeConfig(seed=3, universe=universe(n, 3), max_order_qty=10**9,
                         clock=SessionClock(start=datetime(2026, 3, 10, 9, 0, tzinfo=KST)))
    ex = open_exchange(path, cfg, snapshot_every=10**9)  # snapshots only when this bench says
    j = ex.journal
    assert j is not None
    j.autosync = False
    acct = ex.open_account("12345678", "01", krw=Decimal(10**15))
    for i, inst in enumerate(ex.universe):
        try:  # a market buy (finished: archived) and a resting bid (working) per symbol
            ex.place_order(acct, inst.code, Side.BUY, OrderType.MARKET, 1 + i % 3)
            bid = ex.order_book(inst.code, 1).bids
            if bid:
                ex.place_order(acct, inst.code, Side.BUY, OrderType.LIMIT, 1, bid[0].price)
        except EngineReject:
            pass
        if i % 64 == 0:
            j.flush()
    j.flush()
    return ex


async def measure(ex: JournaledExchange, background: bool) -> tuple[float, float, float]:
    """(longest loop pause, time on the loop's thread, time until committed), seconds."""
    store = ex._j_checkpointer
    assert isinstance(store, StateStore)
    worst = 0.0
    stop = False

    async def ticker() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not stop:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst = max(worst, now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    worst = 0.0
    t0 = time.perf_counter()
    store.checkpoint(ex, background=background)
    on_loop = time.perf_counter() - t0
    while store._child and not store._reap(block=False):
        await asyncio.sleep(0.005)
    committed = time.perf_counter() - t0
    await asyncio.sleep(0.02)
    stop = True
    await task
    return worst, on_loop, committed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--symbols", type=int, default=2_500)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ex = setup(Path(tmp) / "state.sqlite3", args.symbols)
        print(f"bench_sim_snapshot_pause: {len(ex._states):,} active symbols, "
              f"{len(ex.orders):,} hot orders before the first snapshot")
        best: dict[str, tuple[float, float, float]] = {}
        for r in range(args.rounds):
            for label, in_bg in (("background", True), ("blocking", False)):
                for _ in range(200):  # new finished orders for this snapshot to archive
                    inst = ex.universe.get(f"{800000 + random.randrange(args.symbols)}")
                    assert inst is not None
                    with contextlib.suppress(EngineReject):
                        ex.place_order(("12345678", "01"), inst.code, Side.BUY,
                                       OrderType.MARKET, 1)
                res = asyncio.run(measure(ex, in_bg))
                print(f"  round {r + 1} {label:10}: longest loop pause {res[0] * 1e3:7.1f} ms, "
                      f"on the loop's thread {res[1] * 1e3:7.1f} ms, "
                      f"committed after {res[2] * 1e3:7.1f} ms")
                if label not in best or res[0] < best[label][0]:
                    best[label] = res
        ex.wait_snapshot()
        bg, blk = best["background"], best["blocking"]
        print(f"  best of {args.rounds}: loop pause {bg[0] * 1e3:.1f} ms in the background vs "
              f"{blk[0] * 1e3:.1f} ms blocking (ratio {bg[0] / blk[0]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
