"""Market data: universe loading, quotes, book, candles, ticks, replay, determinism."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest

from hantoo.sim.engine import (
    Exchange,
    ExchangeConfig,
    InstrumentKind,
    Market,
    OrderType,
    Phase,
    SessionClock,
    Side,
    Universe,
    daily_limits,
    krx_stock_tick,
    load_replay,
)
from hantoo.sim.engine.ticks import fund_tick

from ._util import ACCT, DAY, assert_ok, make_exchange

SYM = "005930"


def test_tick_table_and_limits() -> None:
    assert [krx_stock_tick(p) for p in (1_999, 2_000, 4_995, 5_000, 19_990, 20_000, 49_950,
                                         50_000, 199_900, 200_000, 499_500, 500_000)] == [
        1, 5, 5, 10, 10, 50, 50, 100, 100, 500, 500, 1_000]
    assert fund_tick(123_455) == 5
    lo, hi = daily_limits(71_000, krx_stock_tick)
    assert (lo, hi) == (49_700, 92_300)
    lo, hi = daily_limits(1_999, krx_stock_tick)  # upper band crosses into the 5-won grid
    assert hi % krx_stock_tick(hi) == 0 and hi <= 1_999 * 13 // 10
    assert lo % krx_stock_tick(lo) == 0 and lo >= 1_999 * 7 // 10


def test_default_universe() -> None:
    u = Universe.default()
    assert 60 <= len(u) <= 100
    assert u["005930"].name == "삼성전자" and u["005930"].market is Market.KOSPI
    assert u["069500"].kind is InstrumentKind.ETF
    assert any(i.market is Market.KOSDAQ for i in u)
    us = [i for i in u if i.is_us]
    assert {i.market for i in us} == {Market.NASD, Market.NYSE, Market.AMEX}
    assert u["AAPL"].currency == "USD" and u["AAPL"].ref_price == 23_050


def test_user_universe_csv(tmp_path: Path) -> None:
    f = tmp_path / "u.csv"
    f.write_text(
        "code,name,market,last_price,volume,par_value,shares_outstanding\n"
        "5930,삼성전자,KOSPI,\"46,350\",13832454,100,5969782550\n"
        "069500,KODEX 200,KOSPI,27003,100,0,1000\n",
        encoding="utf-8",
    )
    u = Universe.from_csv(f)
    assert u["005930"].ref_price == 46_350
    assert u["069500"].kind is InstrumentKind.ETF and u["069500"].ref_price == 27_000
    ex = make_exchange(universe_path=f)
    assert ex.quote("005930").name == "삼성전자"
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,market,last_price\n1,x,MARS,5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        Universe.from_csv(bad)


def test_quote_and_book_shape(ex: Exchange) -> None:
    q = ex.quote(SYM)
    b = ex.order_book(SYM)
    assert len(b.asks) == 10 and len(b.bids) == 10
    asks = [lv.price for lv in b.asks]
    bids = [lv.price for lv in b.bids]
    assert asks == sorted(asks) and bids == sorted(bids, reverse=True) and bids[0] < asks[0]
    assert all(int(p) % krx_stock_tick(int(p)) == 0 for p in asks + bids)
    assert q.lower_limit is not None and q.upper_limit is not None
    assert q.lower_limit <= q.low <= q.price <= q.high <= q.upper_limit
    assert q.change == q.price - q.prev_close
    assert q.low_52w <= q.price <= q.high_52w or q.low_52w <= q.high_52w
    assert q.market_cap == q.price * q.shares_outstanding
    assert q.phase is Phase.CONTINUOUS and q.expected_price is None


def test_daily_history_is_deterministic_and_consistent() -> None:
    a, b = make_exchange(seed=11), make_exchange(seed=11)
    end = DAY.date() - timedelta(days=1)
    long = a.daily_candles(SYM, end - timedelta(days=3 * 365), end)
    short = b.daily_candles(SYM, end - timedelta(days=20), end)
    assert len(long) > 700
    assert long[-len(short):] == short  # a date gives the same bar whatever was asked
    assert make_exchange(seed=12).daily_candles(SYM, end - timedelta(days=20), end) != short
    for prev, bar in pairwise(long):
        lo, hi = daily_limits(int(prev.close), krx_stock_tick)
        for p in (bar.open, bar.high, bar.low, bar.close):
            assert lo <= p <= hi and int(p) % krx_stock_tick(int(p)) == 0
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
    assert a.quote(SYM).prev_close == long[-1].close  # the chain continues into today
    weeks = a.daily_candles(SYM, end - timedelta(days=60), end, "W")
    days = a.daily_candles(SYM, end - timedelta(days=60), end, "D")
    first_week = [d for d in days if d.start.isocalendar()[:2] == weeks[1].start.isocalendar()[:2]]
    assert weeks[1].high == max(d.high for d in first_week)
    assert weeks[1].volume == sum(d.volume for d in first_week)
    months = a.daily_candles(SYM, end - timedelta(days=400), end, "M")
    assert 12 <= len(months) <= 14


def test_today_bar_minute_candles_and_ticks() -> None:
    ex = make_exchange()
    ex.watch(SYM)
    ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 10)
    ex.advance(30 * 60)
    q = ex.quote(SYM)
    today = ex.daily_candles(SYM, DAY.date(), DAY.date())
    assert len(today) == 1 and today[0].close == q.price and today[0].volume == q.volume
    mins = ex.minute_candles(SYM)
    assert 30 <= len(mins) <= 31
    assert sum(c.volume for c in mins) == q.volume
    assert max(c.high for c in mins) == q.high and min(c.low for c in mins) == q.low
    five = ex.minute_candles(SYM, 5)
    assert len(five) == 7 and sum(c.volume for c in five) == q.volume
    ticks = ex.trades(SYM, limit=10_000)
    assert ticks[0].price == q.price and ticks[0].cum_volume == q.volume
    assert [t.time for t in ticks] == sorted((t.time for t in ticks), reverse=True)
    assert any(t.side is Side.BUY for t in ticks)  # the user's print is there


def test_lazy_symbols_match_eager_ones() -> None:
    eager, lazy = make_exchange(seed=5), make_exchange(seed=5)
    eager.watch(SYM)
    eager.advance(3600)
    lazy.advance(3600)
    assert lazy.quote(SYM) == eager.quote(SYM)


def test_replay_replaces_the_synthetic_process(tmp_path: Path) -> None:
    f = tmp_path / "bars.csv"
    f.write_text(
        "symbol,date,open,high,low,close,volume\n"
        "005930,2026-03-09,60000,61000,59000,60500,1000\n"
        "005930,2026-03-10,60600,62000,60000,61500,2000\n",
        encoding="utf-8",
    )
    t = tmp_path / "ticks.csv"
    t.write_text(
        "symbol,datetime,price,qty\n"
        "005930,2026-03-10 09:00:00,60600,10\n"
        "005930,2026-03-10 09:05:00,61200,10\n"
        "005930,2026-03-10 09:20:00,60800,10\n",
        encoding="utf-8",
    )
    rep = load_replay(f)
    rep.intraday.update(load_replay(t).intraday)
    ex = make_exchange(replay=rep)
    q = ex.quote(SYM)
    assert q.prev_close == 60_500 and q.open == 60_600
    ex.advance(6 * 60)
    assert ex.quote(SYM).price == 61_200
    ex.advance(15 * 60)
    assert ex.quote(SYM).price == 60_800
    assert ex.daily_candles(SYM, date(2026, 3, 9), date(2026, 3, 9))[0].close == 60_500


def test_replay_parquet(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"symbol": ["005930"], "date": ["2026-03-09"], "open": ["1000"],
                      "high": ["1100"], "low": ["900"], "close": ["1050"], "volume": [5]})
    p = tmp_path / "bars.parquet"
    pq.write_table(table, p)
    rep = load_replay(p)
    assert rep.daily["005930"][date(2026, 3, 9)].close == 1_050


def test_wall_clock_uses_new_york_for_us() -> None:
    clk = SessionClock("wall", wall_ns=lambda: int(DAY.timestamp() + 14 * 3600) * 10**9)
    e = Exchange(ExchangeConfig(clock=clk))  # 23:00 KST = 10:00 New York (DST since 8 March)
    assert e.phase("US") is Phase.CONTINUOUS and e.phase("KRX") is Phase.CLOSED
    acct = e.open_account("12345678", usd=Decimal(100_000))
    ask = e.order_book("AAPL").asks[0].price
    o = e.place_order(acct, "AAPL", Side.BUY, OrderType.LIMIT, 1, ask)
    assert o.filled_qty == 1
    assert_ok(e)
