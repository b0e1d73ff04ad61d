"""Cost of the engine-backed realtime trade feed (one core, no sockets; issue 13).

Run: python bench/bench_engine_feed.py [--polls 2000] [--trades 200]

The WebSocket hub asks the feed for every subscription's new records every tick (0.25 s). What
that costs, measured in one run against a same-run baseline (one synthetic H0STCNT0 record,
what every subscription cost before the engine feed):

* first fold: the first subscription to a symbol at 14:00 (a day of background prints);
* idle poll: a poll when nothing traded (the common case);
* trade + poll: a one-share market order and the poll that turns its print into a record,
  next to the order alone, and next to the same feed reading the whole day's tape
  (``trades``) instead of only the new prints (``trades_since``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.engine.types import OrderType, Side
from hantoo.sim.engine_feed import EngineFeed
from hantoo.sim.feed import SyntheticFeed

KST = dt.timezone(dt.timedelta(hours=9))


class WholeTape:
    """The exchange without ``trades_since``: the feed falls back to the whole tape."""

    def __init__(self, exchange: object) -> None:
        self._ex = exchange

    def __getattr__(self, name: str) -> object:
        if name == "trades_since":
            raise AttributeError(name)
        return getattr(self._ex, name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--polls", type=int, default=2000)
    ap.add_argument("--trades", type=int, default=200)
    args = ap.parse_args()
    app = create_app(SimConfig(clock_mode="stepped",
                               clock_start=dt.datetime(2026, 11, 23, 14, 0, tzinfo=KST)))
    ex = app.sim.exchange
    acct = ("11112222", "01")
    ex.open_account(*acct, krw=10**11, usd=0)
    feed, synthetic = EngineFeed(ex), SyntheticFeed(0)

    t = time.perf_counter()
    feed.subscribed("H0STCNT0", "005930", 1)
    first = time.perf_counter() - t

    t = time.perf_counter()
    for _ in range(args.polls):
        feed.rows("H0STCNT0", "005930", 1, 1)
    idle = (time.perf_counter() - t) / args.polls
    t = time.perf_counter()
    for _ in range(args.polls):
        synthetic.rows("H0STCNT0", "005930", 1)
    baseline = (time.perf_counter() - t) / args.polls

    market = OrderType("01")

    def trade_and_poll(f: EngineFeed) -> float:
        f.subscribed("H0STCNT0", "005930", 1)
        t = time.perf_counter()
        for _ in range(args.trades):
            ex.place_order(acct, "005930", Side.BUY, market, 1, None)
            assert len(f.rows("H0STCNT0", "005930", 1, 1)) == 1
        return (time.perf_counter() - t) / args.trades

    traded = trade_and_poll(feed)
    whole = trade_and_poll(EngineFeed(WholeTape(ex)))
    t = time.perf_counter()
    for _ in range(args.trades):
        ex.place_order(acct, "005930", Side.BUY, market, 1, None)
    order = (time.perf_counter() - t) / args.trades

    print(f"first fold (14:00)     {first * 1e3:8.1f} ms")
    print(f"idle poll              {idle * 1e6:8.1f} us   "
          f"(synthetic record {baseline * 1e6:.1f} us, ratio {idle / baseline:.2f})")
    print(f"trade + poll           {traded * 1e3:8.2f} ms   "
          f"(order alone {order * 1e3:.2f} ms, ratio {traded / order:.1f})")
    print(f"trade + poll, whole tape {whole * 1e3:6.2f} ms   "
          f"(new prints only is {whole / traded:.1f}x faster)")


if __name__ == "__main__":
    main()
