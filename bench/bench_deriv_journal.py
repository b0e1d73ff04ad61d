"""Benchmark: futures/options reads on a journaled exchange against an in-memory one.

Why: a derivatives read can change the market (a series' house quotes move onto a resting
order), so such reads append a ``dref`` record to the command journal (issue 14 durability).
This measures what that costs: ``--sweeps`` times, the stepped clock moves one second and 20
KOSPI200 option series are read (model, book refresh, greeks). The in-memory exchange runs
twice (the first is a warm-up), then the journaled one (SQLite state + journal in a temporary
directory). Prints ms per sweep for each, the journaled / in-memory ratio, and how many journal
records the reads wrote.

    python bench/bench_deriv_journal.py [--sweeps 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from hantoo.sim.derivatives.market import market_for
from hantoo.sim.engine import Exchange
from hantoo.sim.engine.clock import KST, SessionClock
from hantoo.sim.engine.config import ExchangeConfig
from hantoo.sim.journal import read_journal
from hantoo.sim.store import journal_path, open_exchange

START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=KST)


def _cfg() -> ExchangeConfig:
    return ExchangeConfig(clock=SessionClock("stepped", start=START), seed=11)


def _sweeps(ex: Exchange, n: int) -> float:
    m = market_for(ex)
    codes = [c for c, i in m.listing().series.items()
             if i.is_option and i.product.code == "01"][:20]
    t = time.perf_counter()
    for _ in range(n):
        ex.advance(1)
        for c in codes:
            m.snapshot(c)
    return (time.perf_counter() - t) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweeps", type=int, default=100)
    n = ap.parse_args().sweeps
    _sweeps(Exchange(_cfg()), n)  # warm-up
    base = _sweeps(Exchange(_cfg()), n)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "sim.db"
        ex = open_exchange(path, _cfg())
        journaled = _sweeps(ex, n)
        recs = read_journal(journal_path(path))
    dref = sum(r[2] == "dref" for r in recs)
    print(f"20-series option read sweep: in-memory {base * 1e3:.2f} ms, journaled "
          f"{journaled * 1e3:.2f} ms (journaled/in-memory {journaled / base:.2f}); "
          f"{len(recs)} journal records over {n} sweeps ({dref} dref, {n * 20} series reads)")


if __name__ == "__main__":
    main()
