"""Simulator memory with a full-size KRX universe: process RSS after touching every symbol.

Loads the KRX listing file (``--universe PATH`` or ``$HANTOO_UNIVERSE``, default
``../shared/krx-universe/universe.csv``), builds the exchange, asks every symbol for a quote and a
book (which creates its day state: synthetic path, books, 52-week range) and places a few orders,
then prints the resident set size. Skips with a message when the file is absent.

``--server`` measures the server instead: it starts ``hantoo sim serve --universe PATH`` as a
separate process, asks it over HTTP for the current price and the order book of every symbol and
buys one share of every tenth, then reads that process's RSS.

    .venv/bin/python bench/bench_sim_memory.py [--universe PATH] [--server]
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


def process_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def server_mode(path: Path) -> int:
    """RSS of a real ``hantoo sim serve`` after every symbol was quoted over HTTP."""
    import re
    import subprocess

    import hantoo

    codes = [inst.code for inst in Universe.from_csv(path)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "hantoo.cli", "sim", "serve", "--port", "0", "--state",
         ":memory:", "--limits", "off", "--universe", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
    )
    try:
        assert proc.stdout is not None
        url = ""
        while not url:
            line = proc.stdout.readline()
            if not line:
                print(f"bench_sim_memory: the server did not start (exit {proc.poll()})")
                return 1
            m = re.search(r"REST\s+(http://\S+)", line)
            url = m.group(1) if m else ""
        start = process_rss_mb(proc.pid)
        t0 = time.perf_counter()
        with hantoo.Client("sim", base_url=url, rate_limit=False) as c:
            for i, code in enumerate(codes):
                c.quote(code)
                c.order_book(code)
                if i % 10 == 0:
                    c.place_order(code, "buy", 1, order_type="market")
        touched = process_rss_mb(proc.pid)
        print(f"bench_sim_memory --server: hantoo sim serve with {len(codes):,} symbols "
              f"from {path}")
        print(f"  server RSS: started {start:.0f} MB, every symbol quoted, booked and every "
              f"tenth traded over HTTP {touched:.0f} MB (target < {TARGET_MB} MB); "
              f"{time.perf_counter() - t0:.1f}s")
        return 0 if touched < TARGET_MB else 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--universe", default=os.environ.get("HANTOO_UNIVERSE", str(DEFAULT)))
    ap.add_argument("--server", action="store_true", help="measure `hantoo sim serve`")
    args = ap.parse_args()
    path = Path(args.universe)
    if not path.is_file():
        print(f"bench_sim_memory: SKIPPED — universe file not found: {path} "
              "(pass --universe PATH or set HANTOO_UNIVERSE)")
        return 0
    if args.server:
        return server_mode(path)
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
