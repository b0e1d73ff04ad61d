"""Cost of a simulated-clock jump: CPU seconds to run one trading day of every market.

Since issue 15 the engine walks six timetables (KRX, US, Hong Kong, Tokyo, China, Vietnam), so a
day's jump handles about three times as many scheduled events; this measures what that costs.
Two symbols are watched (one KRX, one US), as a realtime client would.

    python bench/bench_clock_jump.py [--days N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from hantoo.sim.engine import KST, Exchange, ExchangeConfig, SessionClock


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=5)
    args = ap.parse_args()
    clock = SessionClock(mode="stepped", start=dt.datetime(2026, 11, 23, 8, 0, tzinfo=KST))
    ex = Exchange(ExchangeConfig(clock=clock, seed=7))
    watched = ("005930", "AAPL")
    for s in watched:
        ex.watch(s)
    t0 = time.process_time()
    for _ in range(args.days):
        ex.advance(dt.timedelta(days=1))
        for s in watched:
            ex.watch(s)
    cpu = time.process_time() - t0
    print(f"markets: {len(ex.schedules)}; {args.days} one-day clock jumps: {cpu:.3f} s CPU "
          f"({cpu / args.days * 1000:.0f} ms per simulated day)")


if __name__ == "__main__":
    main()
