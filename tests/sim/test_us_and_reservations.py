"""US stocks (USD, cents, MOO/LOO/MOC/LOC) and reservation orders."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from hantoo.sim.engine import (
    KST,
    EngineReject,
    OrderStatus,
    OrderType,
    Phase,
    RejectReason,
    Side,
)

from ._util import ACCT, DAY, assert_ok, make_exchange

US = "AAPL"


def test_us_limit_order_in_dollars_and_cents() -> None:
    ex = make_exchange()
    assert ex.phase("US") is Phase.CONTINUOUS  # mirror: 09:00 KST is the 09:30 open
    q = ex.quote(US)
    assert q.currency == "USD" and q.upper_limit is None and q.tick_size == Decimal("0.01")
    ask = ex.order_book(US).asks[0].price
    usd0 = ex.balance(ACCT).summary[1].cash_d2
    o = ex.place_order(ACCT, US, Side.BUY, OrderType.LIMIT, 3, ask)
    assert o.status is OrderStatus.FILLED and o.avg_fill_price == ask
    fee = (3 * ask * Decimal("0.0025")).quantize(Decimal("0.01"), rounding="ROUND_FLOOR")
    assert o.fees == fee
    assert ex.balance(ACCT).summary[1].cash_d2 == usd0 - 3 * ask - fee
    assert ex.balance(ACCT).summary[0].cash_d2 == Decimal(100_000_000_000)  # KRW untouched
    with pytest.raises(EngineReject) as e:
        ex.place_order(ACCT, US, Side.BUY, OrderType.LIMIT, 1, ask + Decimal("0.005"))
    assert e.value.reason is RejectReason.BAD_TICK
    with pytest.raises(EngineReject) as e:
        ex.place_order(ACCT, US, Side.BUY, OrderType.MARKET, 1)
    assert e.value.reason is RejectReason.UNSUPPORTED_ORDER_TYPE
    with pytest.raises(EngineReject) as e:
        ex.place_order(ACCT, US, Side.BUY, OrderType.MOO, 1)
    assert e.value.reason is RejectReason.SESSION_CLOSED
    assert_ok(ex)


def test_on_open_orders_fill_at_the_opening_price() -> None:
    ex = make_exchange(at=datetime(2026, 3, 10, 8, 0, tzinfo=KST))  # US pre-open (mirror)
    assert ex.phase("US") is Phase.OPENING_AUCTION
    moo = ex.place_order(ACCT, US, Side.BUY, OrderType.MOO, 5)
    loo_far = ex.place_order(ACCT, US, Side.BUY, OrderType.LOO, 5, Decimal("1.00"))
    ex.advance_to(datetime(2026, 3, 10, 9, 0, 1, tzinfo=KST))
    m = ex.order(ACCT, moo.odno)
    assert m.status is OrderStatus.FILLED and m.avg_fill_price == ex.quote(US).open
    far = ex.order(ACCT, loo_far.odno)
    assert far.status is OrderStatus.CANCELLED  # on-open only: the rest is cancelled
    assert_ok(ex)


def test_on_close_orders_fill_at_the_close() -> None:
    ex = make_exchange(at=datetime(2026, 3, 10, 15, 0, tzinfo=KST))
    moc = ex.place_order(ACCT, US, Side.BUY, OrderType.MOC, 4)
    assert moc.status is OrderStatus.OPEN
    ex.advance_to(datetime(2026, 3, 10, 15, 30, 1, tzinfo=KST))
    assert ex.phase("US") is Phase.CLOSED
    m = ex.order(ACCT, moc.odno)
    assert m.status is OrderStatus.FILLED and m.avg_fill_price == ex.quote(US).price
    assert_ok(ex)


def test_reservation_is_sent_at_the_next_open() -> None:
    ex = make_exchange(at=datetime(2026, 3, 10, 10, 0, tzinfo=KST))
    r = ex.reserve_order(ACCT, "005930", Side.BUY, OrderType.MARKET, 7)
    assert r.start_date == date(2026, 3, 11) and r.end_date == r.start_date and r.active
    assert not r.odnos
    ex.advance_to(datetime(2026, 3, 11, 8, 30, 1, tzinfo=KST))
    r1 = ex.reservation_list(ACCT)[0]
    assert len(r1.odnos) == 1
    o = ex.order(ACCT, r1.odnos[0])
    assert o.reservation_seq == r.seq and o.status is OrderStatus.OPEN  # in the auction
    ex.advance_to(datetime(2026, 3, 11, 9, 0, 1, tzinfo=KST))
    assert ex.order(ACCT, r1.odnos[0]).status is OrderStatus.FILLED
    done = ex.reservation_list(ACCT)[0]
    assert done.filled_qty == 7 and not done.active
    assert_ok(ex)


def test_period_reservation_is_resent_for_the_unfilled_rest() -> None:
    ex = make_exchange(at=datetime(2026, 3, 10, 10, 0, tzinfo=KST), liquidity=False)
    low = ex.quote("005930").lower_limit
    r = ex.reserve_order(ACCT, "005930", Side.BUY, OrderType.LIMIT, 5, low,
                         end_date=date(2026, 3, 13))
    ex.advance_to(datetime(2026, 3, 12, 9, 30, tzinfo=KST))
    got = ex.reservation_list(ACCT)[0]
    assert len(got.odnos) == 2 and got.active  # 11th (expired unfilled) and 12th
    assert ex.order(ACCT, got.odnos[0]).status is OrderStatus.EXPIRED
    ex.cancel_reservation(ACCT, r.seq)
    ex.advance_to(datetime(2026, 3, 13, 9, 30, tzinfo=KST))
    assert len(ex.reservation_list(ACCT)[0].odnos) == 2  # cancelled: not sent again
    assert_ok(ex)


def test_reservation_rules() -> None:
    ex = make_exchange(max_reservations=2)
    with pytest.raises(EngineReject) as e:
        ex.reserve_order(ACCT, "005930", Side.BUY, OrderType.BEST_LIMIT, 1)
    assert e.value.reason is RejectReason.UNSUPPORTED_ORDER_TYPE
    with pytest.raises(EngineReject) as e:
        ex.reserve_order(ACCT, "005930", Side.BUY, OrderType.MARKET, 1,
                         end_date=DAY.date() + timedelta(days=31))
    assert e.value.reason is RejectReason.RESERVATION_PERIOD
    with pytest.raises(EngineReject) as e:
        ex.reserve_order(ACCT, "AAPL", Side.BUY, OrderType.LIMIT, 1, Decimal("100"))
    assert e.value.reason is RejectReason.UNSUPPORTED_ORDER_TYPE
    with pytest.raises(EngineReject) as e:
        ex.reserve_order(ACCT, "005930", Side.BUY, OrderType.LIMIT, 1, Decimal("70050"))
    assert e.value.reason is RejectReason.BAD_TICK
    ex.reserve_order(ACCT, "005930", Side.BUY, OrderType.MARKET, 1)
    ex.reserve_order(ACCT, "005930", Side.BUY, OrderType.PRE_MARKET, 1,
                     end_date=DAY.date() + timedelta(days=30))
    with pytest.raises(EngineReject) as e:
        ex.reserve_order(ACCT, "005930", Side.BUY, OrderType.MARKET, 1)
    assert e.value.reason is RejectReason.RESERVATION_LIMIT
    assert len(ex.reservation_list(ACCT, symbol="005930")) == 2
