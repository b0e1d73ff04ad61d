"""Benchmark (issue 14): what an ELW costs the engine next to a share.

An ELW's engine state is priced from its underlying's path by the option model, and its first
quote also builds the 52-week range from the model's daily bars. This measures, in one fresh
stepped engine per figure:

* first quote: ``exchange.quote`` of a never-touched ELW vs of a never-touched share (the day
  state and the 52-week range are built here);
* repeated quote at one instant: the engine's quote memo (ELW vs share);
* the whole ELW board: every listed ELW quoted once with its model numbers (what the ELW
  screens do first), per issue against every share of the universe first quoted.

Prints each figure with the share's figure and the ratio (same run; the machine is noisy).

    python bench/bench_elw_quotes.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable

from hantoo.sim.derivatives.market import market_for
from hantoo.sim.engine import Exchange
from hantoo.sim.engine.clock import KST, SessionClock
from hantoo.sim.engine.config import ExchangeConfig

START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=KST)
SHARES = ["005930", "000660", "035420", "051910", "068270", "035720"]


def _fresh() -> Exchange:
    return Exchange(ExchangeConfig(clock=SessionClock("stepped", start=START), seed=7))


def _time(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()

    ex = _fresh()
    codes = sorted(market_for(ex).elws())
    stock_first = [_time(lambda c=c: ex.quote(c)) for c in SHARES]  # type: ignore[misc]
    elw_first = [_time(lambda c=c: ex.quote(c))  # type: ignore[misc]
                 for c in codes[1:1 + len(SHARES)]]
    s1 = sum(stock_first) / len(stock_first)
    e1 = sum(elw_first) / len(elw_first)
    print(f"first quote: ELW {e1 * 1e3:.1f} ms, share {s1 * 1e3:.1f} ms, ratio {e1 / s1:.2f}")

    n = args.repeat
    s_rep = _time(lambda: [ex.quote(SHARES[0]) for _ in range(n)]) / n
    e_rep = _time(lambda: [ex.quote(codes[1]) for _ in range(n)]) / n
    print(f"repeated quote: ELW {e_rep * 1e6:.1f} us, share {s_rep * 1e6:.1f} us, "
          f"ratio {e_rep / s_rep:.2f}")

    ex2 = _fresh()
    m = market_for(ex2)
    board = _time(lambda: [m.elw_quote(c) for c in sorted(m.elws())])
    shares = [i.code for i in ex2.universe if not i.is_us][:len(codes)]
    base = _time(lambda: [ex2.quote(c) for c in shares])
    per_elw, per_share = board / len(codes), base / len(shares)
    print(f"whole ELW board: {len(codes)} ELWs in {board:.2f} s ({per_elw * 1e3:.1f} ms each, "
          f"model numbers included); {len(shares)} shares first quoted in {base:.2f} s "
          f"({per_share * 1e3:.1f} ms each); per-issue ratio {per_elw / per_share:.2f}")


if __name__ == "__main__":
    main()
