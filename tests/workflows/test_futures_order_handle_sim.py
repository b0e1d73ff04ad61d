"""Overseas futures through the ordinary SDK order handle (issue 15): ``place_order`` takes a
futures series, and ``modify``/``cancel``/``refresh`` and ``reconcile`` after a lost answer
work as for a stock; ``futures_balance`` is typed and in Decimal, in dollars and in won.

Real SDK against the in-process simulator; the clock is stepped and pinned (00:30 KST on
Tuesday 2026-11-24 is 09:30 on Monday in Chicago, inside CME's regular session).
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from hantoo.domain import OrderStatus, Side
from hantoo.domain.errors import TickSizeError, UnsupportedOrderError
from hantoo.errors import OrderStateUnknownError
from hantoo.sim.engine.clock import KST
from hantoo.sim.engine.fx import rates_of
from hantoo.sim.engine.overseas_futures import SPECS
from hantoo.workflows.order import Order

sys.path.insert(0, str(Path(__file__).parent))
from simkit import private_sim

START = dt.datetime(2026, 11, 24, 0, 30, tzinfo=KST)
ES = SPECS["ES"]
SYM = "CME:ESZ26"


def test_place_modify_refresh_cancel_a_futures_order_through_the_handle() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        q = c.quote(SYM)
        sent = len(sim.wire.orders())
        with pytest.raises(TickSizeError):  # checked before sending
            c.place_order(SYM, "buy", 1, q.price + ES.tick / 5)
        with pytest.raises(UnsupportedOrderError, match="day"):
            c.place_order(SYM, "buy", 1, None, tif="gtd")  # a market order is a day order
        with pytest.raises(UnsupportedOrderError, match="stop_price"):
            c.place_futures_order(SYM, "buy", 1, order_type="stop")
        assert len(sim.wire.orders()) == sent
        far = q.price - 300 * ES.tick
        order = c.place_order(SYM, "buy", 2, far)
        assert order.status is OrderStatus.ACCEPTED and order.price == far
        assert order.refresh().status is OrderStatus.ACCEPTED
        assert order.remaining_quantity == 2 and order.ref.order_day == dt.date(2026, 11, 23)
        first = order.order_no
        order.modify(far + ES.tick)
        assert order.order_no != first and order.order_nos == (first, order.order_no)
        snap = order.refresh()
        assert (snap.status, snap.price, snap.remaining_quantity) == (
            OrderStatus.ACCEPTED, far + ES.tick, 2)
        order.cancel()
        assert order.refresh().status is OrderStatus.CANCELLED
        assert order.remaining_quantity == 0
        # a market order fills at once at the bid; the handle says so
        book = c.order_book(SYM)
        assert book.best_bid is not None
        sold = c.place_order(SYM, "sell", 1)
        done = sold.refresh()
        assert done.status is OrderStatus.FILLED and done.average_fill_price == \
            book.best_bid.price
        assert len(sim.wire.orders()) == sent + 4  # place, modify, cancel, place: once each


def test_stop_order_handle_and_the_typed_balance() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        q = c.quote(SYM)
        stop = c.place_futures_order(SYM, "buy", 1, order_type="stop",
                                     stop_price=q.price + 400 * ES.tick, tif="gtd")
        assert stop.refresh().status is OrderStatus.ACCEPTED
        stop.cancel()
        assert stop.refresh().status is OrderStatus.CANCELLED
        bought = c.place_order(SYM, "buy", 3)
        assert bought.refresh().status is OrderStatus.FILLED
        sim.advance(1800)
        bal = c.futures_balance()
        (pos,) = bal.positions
        assert (pos.symbol, pos.side, pos.quantity, pos.currency) == ("ESZ26", Side.BUY, 3, "USD")
        assert pos.average_price == bought.average_fill_price
        assert isinstance(pos.unrealized_pnl, Decimal)
        now = c.quote(SYM).price
        assert pos.current_price == now
        assert pos.unrealized_pnl == (now - pos.average_price) * 3 * ES.multiplier
        assert bal.money.unrealized_pnl == pos.unrealized_pnl
        assert bal.money.margin == 3 * ES.margin
        assert bal.money.orderable == bal.money.cash + bal.money.unrealized_pnl - bal.money.margin
        # the won figures are the dollar ones at the day's rate every FX API shows
        ex = sim.state.exchange
        rate = rates_of(ex).rate("USD", ex.trading_day("KRX"), sim.state.clock.now())
        for name in ("cash", "total", "unrealized_pnl", "margin", "orderable"):
            assert getattr(bal.krw, name) == (getattr(bal.money, name) * rate).quantize(
                Decimal("0.01"), ROUND_HALF_UP), name


def test_lost_futures_order_answer_is_reconciled_never_resent() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        q = c.quote(SYM)
        far = q.price - 300 * ES.tick
        twin = c.place_order(SYM, "buy", 1, far)
        sim.state.faults.update(next_drop=1, apis=["overseas_futureoption/order"])
        sent = len(sim.wire.orders())
        with pytest.raises(OrderStateUnknownError) as lost:
            c.place_order(SYM, "buy", 1, far)
        assert len(sim.wire.orders()) == sent + 1  # sent once, never again
        found = c.reconcile(lost.value)
        assert found.present and found.order is not None, found
        assert found.order.order_no != twin.order_no  # not confused with the earlier twin
        assert found.findings.sent.symbol.is_futures and found.findings.sent.price == far
        adopted = found.order
        assert isinstance(adopted, Order)
        assert adopted.refresh().status is OrderStatus.ACCEPTED
        adopted.cancel()  # the adopted handle works like any other
        assert adopted.refresh().status is OrderStatus.CANCELLED

        sim.state.faults.update(next_reset=1, apis=["overseas_futureoption/order"])
        with pytest.raises(OrderStateUnknownError) as reset:
            c.place_order(SYM, "buy", 2, far)
        gone = c.reconcile(reset.value)
        assert gone.absent and gone.order is None
        assert "overseas_futureoption/inquire_daily_order" in gone.findings.queries
        assert len(sim.wire.orders()) == sent + 3  # the drop, its cancel, the reset: no resend
        twin.cancel()
