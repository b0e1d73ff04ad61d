"""Simulator memory with a full-size KRX universe: process RSS after touching every symbol.

Loads the KRX listing file (``--universe PATH`` or ``$HANTOO_UNIVERSE``, default
``../shared/krx-universe/universe.csv``), builds the exchange, asks every symbol for a quote and a
book (which creates its day state: synthetic path, books, 52-week range) and places a few orders,
then prints the resident set size. Skips with a message when the file is absent.

    .venv/bin/python bench/bench_sim_memory.py [--universe PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from hantoo.sim.engine import (
    KST,
    Exchange,
    ExchangeConfig,
    OrderType,
    SessionClock,
    Side,
    Universe,
    check_invariants,
)

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "krx-universe" / "universe.csv"
TARGET_MB = 300


def rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--universe", default=os.environ.get("HANTOO_UNIVERSE", str(DEFAULT)))
    args = ap.parse_args()
    path = Path(args.universe)
    if not path.is_file():
        print(f"bench_sim_memory: SKIPPED — universe file not found: {path} "
              "(pass --universe PATH or set HANTOO_UNIVERSE)")
        return 0
    base = rss_mb()
    t0 = time.perf_counter()
    universe = Universe.from_csv(path)
    ex = Exchange(ExchangeConfig(
        seed=1, universe=universe,
        clock=SessionClock(start=datetime(2026, 3, 10, 9, 0, tzinfo=KST)),
    ))
    acct = ex.open_account("12345678", "01", krw=Decimal(10**13))
    loaded = rss_mb()
    for i, inst in enumerate(universe):
        ex.quote(inst.code)
        ex.order_book(inst.code)
        if i % 10 == 0:
            ex.place_order(acct, inst.code, Side.BUY, OrderType.MARKET, 1)
    ex.advance(600)  # ten minutes of synthetic steps for the symbols with orders
    dt = time.perf_counter() - t0
    touched = rss_mb()
    problems = check_invariants(ex)
    print(f"bench_sim_memory: {len(universe):,} symbols from {path}")
    print(f"  RSS: start {base:.0f} MB, universe loaded {loaded:.0f} MB, "
          f"every symbol touched {touched:.0f} MB (target < {TARGET_MB} MB)")
    print(f"  elapsed {dt:.1f}s; fills {len(ex.fills):,}; invariants "
          f"{'ok' if not problems else problems[:3]}")
    return 0 if touched < TARGET_MB and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
