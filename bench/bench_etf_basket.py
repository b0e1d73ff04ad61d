"""Benchmark (issue 16): what running ETFs on their index's basket costs the engine.

An ETF's path is built from its members' paths (``hantoo.sim.engine.baskets``) the first time
the fund is touched on a trading day: the first quote of KODEX 200 creates its 200 members'
states. This prints the first ETF quote and a following stock quote with and without baskets,
alternating runs, and the ratio of the medians (same run; the machine is noisy).

    python bench/bench_etf_basket.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from hantoo.sim.engine import Exchange, ExchangeConfig
from hantoo.sim.marketdata.etf import etf_baskets


def _once(baskets: bool) -> tuple[float, float]:
    ex = Exchange(ExchangeConfig(seed=7, baskets=etf_baskets if baskets else None))
    t = time.perf_counter()
    ex.quote("069500")
    first = time.perf_counter() - t
    t = time.perf_counter()
    ex.quote("005930")
    return first, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    runs = ap.parse_args().runs
    plain: list[tuple[float, float]] = []
    basket: list[tuple[float, float]] = []
    for _ in range(runs):
        plain.append(_once(False))
        basket.append(_once(True))
    for name, xs in (("no baskets", plain), ("baskets", basket)):
        print(f"{name:>11}: first ETF quote {statistics.median(x[0] for x in xs) * 1000:7.1f} ms,"
              f" then a stock quote {statistics.median(x[1] for x in xs) * 1000:6.1f} ms")
    ratio = statistics.median(x[0] for x in basket) / statistics.median(x[0] for x in plain)
    print(f"first ETF quote, baskets / no baskets: {ratio:.1f}x (once per fund and trading day)")


if __name__ == "__main__":
    main()
