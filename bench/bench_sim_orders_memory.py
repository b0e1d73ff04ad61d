"""Simulator memory under a long order stream: RSS after N orders over 2,500 symbols.

The configuration users run: ``hantoo.sim.store.open_exchange`` (state file + command journal
in a temporary directory, snapshots every 20,000 commands, group commit every 64 commands),
driven through the public commands by a seeded stream over a generated 2,500-symbol KRX
universe: market buys (filled at once), limit buys a few ticks under the market and cancels
that keep at most ``--working`` orders resting. Finished orders and their fills leave the hot
state at each snapshot (they stay queryable from the state file). The same stream on an
in-memory ``Exchange`` (which keeps everything) is the same-run baseline.

Prints RSS every ``--every`` commands and the growth after the first 100,000.

    python bench/bench_sim_orders_memory.py [--orders 200000] [--every 25000]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
from collections import deque
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from hantoo.sim.engine import (
    KST,
    EngineReject,
    Exchange,
    ExchangeConfig,
    Instrument,
    Market,
    OrderType,
    SessionClock,
    Side,
    Universe,
)
from hantoo.sim.store import open_exchange

N_SYMBOLS = 2_500
TARGET_MB = 300


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def universe(seed: int) -> Universe:
    rng = random.Random(seed)
    levels = [1_500, 4_000, 15_000, 42_000, 71_000, 150_000]
    return Universe([
        Instrument(f"{800000 + i}", f"MEM{i:04d}", Market.KOSPI, rng.choice(levels),
                   volume=1_000_000, shares=10_000_000)
        for i in range(N_SYMBOLS)
    ])


def drive(ex: Exchange, n: int, every: int, working: int, label: str) -> list[tuple[int, float]]:
    rng = random.Random(5)
    codes = [inst.code for inst in ex.universe]
    acct = ex.open_account("12345678", "01", krw=Decimal(10**15))
    journal = getattr(ex, "journal", None)
    if journal is not None:
        journal.flush()
        journal.autosync = False
    resting: deque[str] = deque()
    curve = [(0, rss_mb())]
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        code = rng.choice(codes)
        try:
            if rng.random() < 0.6:
                ex.place_order(acct, code, Side.BUY, OrderType.MARKET, 1 + (i & 3))
            else:
                bid = ex.order_book(code, 1).bids
                if bid:
                    px = bid[0].price
                    o = ex.place_order(acct, code, Side.BUY, OrderType.LIMIT, 1, px)
                    resting.append(o.odno)
                if len(resting) > working:
                    ex.cancel_order(acct, resting.popleft())
        except EngineReject:
            pass
        if journal is not None and i % 64 == 0:
            journal.flush()
        if i % every == 0:
            gc.collect()
            curve.append((i, rss_mb()))
            print(f"  {label:10} {i:>9,} commands  RSS {curve[-1][1]:6.0f} MB  "
                  f"hot orders {len(ex.orders):,}  ({time.perf_counter() - t0:.0f}s)", flush=True)
    return curve


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=200_000)
    ap.add_argument("--every", type=int, default=25_000)
    ap.add_argument("--working", type=int, default=2_000)
    ap.add_argument("--baseline", action="store_true",
                    help="also run the in-memory engine (keeps everything) for the ratio")
    args = ap.parse_args()
    cfg = ExchangeConfig(seed=3, universe=universe(3), max_order_qty=10**9,
                         clock=SessionClock(start=datetime(2026, 3, 10, 9, 0, tzinfo=KST)))
    print(f"bench_sim_orders_memory: {args.orders:,} commands over {N_SYMBOLS:,} symbols")
    with tempfile.TemporaryDirectory() as tmp:
        ex = open_exchange(Path(tmp) / "state.sqlite3", cfg)
        curve = drive(ex, args.orders, args.every, args.working, "journaled")
        archived = ex.order_history(("12345678", "01"), cfg.clock.now().date(),  # type: ignore[union-attr]
                                    cfg.clock.now().date())  # type: ignore[union-attr]
        print(f"  order history still answers every order: {len(archived):,} records")
    at = dict(curve)
    end = curve[-1]
    ok = end[1] < TARGET_MB
    if 100_000 in at and end[0] > 100_000:
        growth = end[1] - at[100_000]
        print(f"  growth from 100,000 to {end[0]:,} commands: {growth:+.0f} MB "
              f"({growth * 1024 / ((end[0] - 100_000) / 1000):.0f} KB per 1,000 commands)")
    print(f"  final RSS {end[1]:.0f} MB (target < {TARGET_MB} MB after 1,000,000)")
    if args.baseline:
        del ex
        gc.collect()
        base_cfg = ExchangeConfig(seed=3, universe=universe(3), max_order_qty=10**9,
                                  clock=SessionClock(start=datetime(2026, 3, 10, 9, 0,
                                                                    tzinfo=KST)))
        start = rss_mb()
        base = drive(Exchange(base_cfg), args.orders, args.every, args.working, "in-memory")
        grow_j = end[1] - curve[0][1]
        grow_b = base[-1][1] - start
        print(f"  growth over the run: journaled {grow_j:+.0f} MB, in-memory {grow_b:+.0f} MB "
              f"(ratio {grow_j / grow_b:.2f})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
