"""``client.reconcile(error)`` resolves real unknown outcomes produced by the simulator's fault
knobs: "execute then drop the response" → present; "reset before execution" → absent. The SDK
never sends the order again."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hantoo.domain import OrderStatus, Side
from hantoo.errors import OrderStateUnknownError

sys.path.insert(0, str(Path(__file__).parent))
from simkit import private_sim


def test_dropped_response_is_found_and_reset_is_proven_absent() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=1_000_000_000)
        bid = c.order_book("005930").best_bid
        assert bid is not None
        price = bid.price - 2000
        first = c.place_order("005930", "buy", 3, price)  # teaches the client the server clock

        sim.state.faults.update(next_drop=1, apis=["domestic_stock/order_cash"])
        sent_before = len(sim.wire.orders())
        with pytest.raises(OrderStateUnknownError) as lost:
            c.place_order("005930", "buy", 3, price)
        assert len(sim.wire.orders()) == sent_before + 1  # sent once, never again
        found = c.reconcile(lost.value)
        assert found.present and found.order is not None, found
        assert found.order.order_no != first.order_no  # not confused with the earlier twin
        assert found.order.status is OrderStatus.ACCEPTED and found.order.quantity == 3
        assert found.findings.sent.side is Side.BUY and found.findings.sent.price == price
        assert len(sim.wire.orders()) == sent_before + 1  # reconcile sent no order

        sim.state.faults.update(next_reset=1, apis=["domestic_stock/order_cash"])
        with pytest.raises(OrderStateUnknownError) as reset:
            c.place_order("005930", "buy", 7, price)
        gone = c.reconcile(reset.value)
        assert gone.absent and gone.order is None and gone.candidates == ()
        assert len(gone.findings.examined) >= 2  # the evidence: the day's orders were read
        assert "absent" in repr(gone)
        assert len(c.open_orders()) == 2  # first + the recovered one; nothing re-sent
        c.cancel_all()
        assert c.open_orders() == []


def test_us_dropped_response_is_found() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(usd=1_000_000)
        bid = c.order_book("NYSE:KO").best_bid
        assert bid is not None
        price = bid.price - 1
        c.place_order("NYSE:KO", "buy", 2, price)
        sim.state.faults.update(next_drop=1, apis=["overseas_stock/order"])
        with pytest.raises(OrderStateUnknownError) as lost:
            c.place_order("NYSE:KO", "buy", 5, price)
        found = c.reconcile(lost.value)
        assert found.present and found.order is not None and found.order.quantity == 5
        assert found.order.refresh().status is OrderStatus.ACCEPTED


def test_first_order_of_a_session_is_found_despite_the_simulated_clock() -> None:
    """The simulator's clock is a simulated day, not wall time, and no earlier order taught the
    client the offset: reconcile must search the day instead of a wrong window."""
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=1_000_000_000)
        bid = c.order_book("005930").best_bid
        assert bid is not None
        sim.state.faults.update(next_drop=1, apis=["domestic_stock/order_cash"])
        with pytest.raises(OrderStateUnknownError) as lost:
            c.place_order("005930", "buy", 4, bid.price - 2000)
        found = c.reconcile(lost.value)
        assert found.present and found.order is not None, found
        assert found.order.quantity == 4
        found.order.cancel()
