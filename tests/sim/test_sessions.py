"""The KRX day: call auctions, off-hours sessions, expiry, day roll, calendar, clock modes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from hantoo.sim.engine import (
    KST,
    ClockMode,
    EngineReject,
    Exchange,
    OrderStatus,
    OrderType,
    Phase,
    RejectReason,
    SessionClock,
    Side,
    TradingCalendar,
)

from ._util import ACCT, assert_ok, make_exchange

SYM = "005930"


def at(h: int, m: int, s: int = 0, d: date = date(2026, 3, 10)) -> datetime:
    return datetime(d.year, d.month, d.day, h, m, s, tzinfo=KST)


def test_opening_auction_uncrosses_at_one_price() -> None:
    ex = make_exchange(at=at(8, 35))
    assert ex.phase() is Phase.OPENING_AUCTION
    q = ex.quote(SYM)
    assert q.volume == 0 and q.expected_price is not None and q.expected_qty
    buy = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 500, q.upper_limit)
    mkt = ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 300)
    assert buy.status is OrderStatus.OPEN and mkt.status is OrderStatus.OPEN
    assert ex.order_book(SYM).expected_price is not None
    with pytest.raises(EngineReject) as e:
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.BEST_LIMIT, 1)
    assert e.value.reason is RejectReason.SESSION_CLOSED
    ex.advance_to(at(9, 0, 1))
    assert ex.phase() is Phase.CONTINUOUS
    fills = ex.fill_history(ACCT, date(2026, 3, 10), date(2026, 3, 10))
    assert {f.qty for f in fills} and sum(f.qty for f in fills) == 800
    assert len({f.price for f in fills}) == 1  # single price
    assert ex.quote(SYM).open == fills[0].price
    assert_ok(ex)


def test_premarket_off_hours_trades_at_the_previous_close() -> None:
    ex = make_exchange(at=at(8, 31))
    base = ex.quote(SYM).prev_close
    o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.PRE_MARKET, 10)
    assert o.price == base
    ex.advance(120)
    got = ex.order(ACCT, o.odno)
    assert got.status is OrderStatus.FILLED and got.avg_fill_price == base
    ex.advance_to(at(8, 41))
    with pytest.raises(EngineReject) as e:
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.PRE_MARKET, 10)
    assert e.value.reason is RejectReason.SESSION_CLOSED
    assert_ok(ex)


def test_unfilled_premarket_orders_expire_at_0840() -> None:
    ex = make_exchange(at=at(8, 31), liquidity=False)
    o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.PRE_MARKET, 10)
    ex.advance_to(at(8, 40, 1))
    got = ex.order(ACCT, o.odno)
    assert got.status is OrderStatus.EXPIRED and got.cancelled_qty == 10
    assert ex.balance(ACCT).summary[0].reserved == 0
    assert_ok(ex)


def test_closing_auction_conditional_limit_and_expiry() -> None:
    ex = make_exchange(at=at(15, 0))
    book = ex.order_book(SYM)
    low = book.bids[-1].price - 1_000
    cond = ex.place_order(ACCT, SYM, Side.BUY, OrderType.CONDITIONAL_LIMIT, 20, low)
    stale = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 20, low)
    ex.advance_to(at(15, 25))
    assert ex.phase() is Phase.CLOSING_AUCTION
    late = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 7, ex.quote(SYM).upper_limit)
    assert late.status is OrderStatus.OPEN  # waits for the uncross
    with pytest.raises(EngineReject):
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.IOC_LIMIT, 1, low)
    ex.advance_to(at(15, 30, 1))
    assert ex.phase() is Phase.BREAK
    close = ex.quote(SYM).price
    c, s, lt = (ex.order(ACCT, o.odno) for o in (cond, stale, late))
    assert c.status is OrderStatus.FILLED and c.avg_fill_price == close  # became market
    assert lt.status is OrderStatus.FILLED and lt.avg_fill_price == close
    assert s.status is OrderStatus.EXPIRED and s.filled_qty == 0
    with pytest.raises(EngineReject) as e:
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 1, close)
    assert e.value.reason is RejectReason.SESSION_CLOSED
    assert_ok(ex)


def test_post_market_at_the_close_and_after_hours_single_price() -> None:
    ex = make_exchange(at=at(15, 45))
    q = ex.quote(SYM)
    close = q.price
    o6 = ex.place_order(ACCT, SYM, Side.BUY, OrderType.POST_MARKET, 5)
    assert o6.price == close
    ex.advance(61)
    assert ex.order(ACCT, o6.odno).status is OrderStatus.FILLED
    ex.advance_to(at(16, 5))
    assert ex.phase() is Phase.AFTER_HOURS
    with pytest.raises(EngineReject) as e:
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.AFTER_HOURS_SINGLE, 1, close * 2)
    assert e.value.reason is RejectReason.OUTSIDE_PRICE_LIMIT
    o7 = ex.place_order(ACCT, SYM, Side.BUY, OrderType.AFTER_HOURS_SINGLE, 3, close + 500)
    assert o7.status is OrderStatus.OPEN
    ex.advance_to(at(16, 10, 1))
    got = ex.order(ACCT, o7.odno)
    assert got.status is OrderStatus.FILLED and close <= got.avg_fill_price <= close + 500
    ex.advance_to(at(18, 1))
    assert ex.phase() is Phase.CLOSED
    assert_ok(ex)


def test_day_roll_expires_orders_and_chains_the_close() -> None:
    ex = make_exchange(at=at(14, 0))
    ex.watch(SYM)
    far = ex.order_book(SYM).bids[-1].price - 500
    o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 1, far)
    ex.advance_to(at(20, 0))
    close = ex.quote(SYM).price
    assert ex.order(ACCT, o.odno).status is OrderStatus.EXPIRED
    ex.advance_to(at(9, 0, 5, date(2026, 3, 11)))
    q = ex.quote(SYM)
    assert q.trade_date == date(2026, 3, 11) and q.prev_close == close
    assert q.phase is Phase.CONTINUOUS and q.volume > 0
    assert ex.balance(ACCT).summary[0].reserved == 0
    assert_ok(ex)


def test_weekends_and_holidays_are_closed() -> None:
    ex = make_exchange(at=at(10, 0, d=date(2026, 3, 14)))  # Saturday
    assert ex.phase() is Phase.CLOSED
    with pytest.raises(EngineReject) as e:
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 1, ex.quote(SYM).price)
    assert e.value.reason is RejectReason.SESSION_CLOSED
    cal = TradingCalendar()
    assert not cal.is_business_day(date(2026, 3, 2))  # substitute holiday
    assert not cal.is_business_day(date(2025, 10, 6))  # Chuseok
    assert cal.is_business_day(date(2026, 3, 3))
    assert cal.next_business_day(date(2026, 2, 13)) == date(2026, 2, 19)  # Seollal
    hol = make_exchange(at=at(10, 0, d=date(2026, 2, 17)))
    assert hol.phase() is Phase.CLOSED and hol.trading_day() == date(2026, 2, 13)


def test_clock_modes() -> None:
    ns = [0]
    clk = SessionClock(ClockMode.ACCELERATED, start=at(9, 0), speed=60,
                       monotonic_ns=lambda: ns[0])
    ns[0] = 2_000_000_000  # two real seconds
    assert clk.now() == at(9, 2)
    clk.advance(timedelta(minutes=1))
    assert clk.now() == at(9, 3)
    rt = SessionClock(ClockMode.REALTIME, start=at(9, 0), speed=Fraction(5),
                      monotonic_ns=lambda: ns[0])
    ns[0] += 1_500_000_000
    assert rt.now() == at(9, 0, 1) + timedelta(microseconds=500_000)
    wall = SessionClock(ClockMode.WALL, wall_ns=lambda: 1_700_000_000 * 10**9)
    assert wall.now_us() == 1_700_000_000 * 10**6
    with pytest.raises(ValueError):
        wall.advance(1)
    resumed = SessionClock.from_state(clk.state(), monotonic_ns=lambda: ns[0])
    assert resumed.now() == clk.now() and resumed.mode is ClockMode.ACCELERATED


def test_default_clock_starts_in_the_continuous_session() -> None:
    ex = Exchange()
    assert ex.phase() is Phase.CONTINUOUS
    assert ex.now().time().hour == 9
    acct = ex.open_account("12345678", krw=Decimal(10_000_000))
    o = ex.place_order(acct, "005930", Side.BUY, OrderType.MARKET, 1)
    assert o.status is OrderStatus.FILLED
