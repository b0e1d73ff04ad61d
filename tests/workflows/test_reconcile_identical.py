"""Identical orders are reconciled by count (``client.reconcile_all``), never by guesswork.

KIS has no client order id, so when several identical orders (same symbol, side, quantity,
price, type) end "unknown", no query can say *which* executed — but the number of unowned
orders of that signature says *how many*. The simulator's fault knobs make the unknowns:
"drop" executes the order and drops the answer, "reset" refuses it before anything runs.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from decimal import Decimal
from pathlib import Path

from hantoo.errors import OrderStateUnknownError
from hantoo.workflows import AsyncOrder, Order

sys.path.insert(0, str(Path(__file__).parent))
from simkit import ACCOUNT, START, Sim, private_sim


def _server_order_nos(sim: Sim) -> set[str]:
    rows = sim.state.exchange.order_history(ACCOUNT, START.date(), START.date())
    return {r.odno.lstrip("0") for r in rows}


def _below_market(sim: Sim, c: object) -> Decimal:
    book = c.order_book("005930")  # type: ignore[attr-defined]
    assert book.best_bid is not None
    return Decimal(book.best_bid.price - 3000)


def test_forty_identical_orders_from_four_threads_are_resolved_by_count() -> None:
    # circuit=False: half the orders fail, which would open the breaker and stop the senders
    with private_sim() as sim, sim.client(circuit=False) as c:
        sim.fund(krw=10_000_000_000)
        price = _below_market(sim, c)
        sim.state.faults.update(drop_rate=0.5, apis=["domestic_stock/order_cash"])
        placed: list[Order] = []
        unknown: list[OrderStateUnknownError] = []
        lock = threading.Lock()

        def trader() -> None:
            for _ in range(10):
                try:
                    order = c.place_order("005930", "buy", 1, price)
                except OrderStateUnknownError as exc:
                    with lock:
                        unknown.append(exc)
                else:
                    with lock:
                        placed.append(order)

        threads = [threading.Thread(target=trader) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        sim.state.faults.clear()
        dropped = sim.state.faults.counters["drop"]
        assert len(placed) + len(unknown) == 40 and len(unknown) == dropped > 0
        sent_before = len(sim.wire.orders())

        report = c.reconcile_all(unknown)

        assert len(sim.wire.orders()) == sent_before  # nothing re-sent
        assert len(report.results) == len(unknown) and len(report.groups) == 1
        group = report.groups[0]
        assert (group.outcome, group.intents, group.executed) == ("present", dropped, dropped)
        assert all(r.present and r.order is not None for r in report.results)
        adopted = {o.order_no.lstrip("0") for o in report.orders}
        assert len(adopted) == dropped  # every error got its own order
        mine = adopted | {o.order_no.lstrip("0") for o in placed}
        assert mine == _server_order_nos(sim)  # no executed order left unmatched
        assert "1 groups" in repr(report) and "present" in repr(group)
        # The handles work: each adopted order is live and can be cancelled.
        assert all(o.refresh().quantity == 1 for o in report.orders[:3])
        c.cancel_all()


def test_partly_executed_identical_orders_are_counted_and_adopted() -> None:
    """Drops (executed) and resets (never ran) of the same order: m of n executed."""
    # six failures in a row would open the circuit breaker: not what is tested here
    with private_sim() as sim, sim.client(circuit=False) as c:
        sim.fund(krw=10_000_000_000)
        price = _below_market(sim, c)
        known = c.place_order("005930", "buy", 2, price)  # a twin the client owns
        sim.state.faults.update(next_drop=3, apis=["domestic_stock/order_cash"])
        unknown: list[OrderStateUnknownError] = []
        for _ in range(3):
            try:
                c.place_order("005930", "buy", 2, price)
            except OrderStateUnknownError as exc:
                unknown.append(exc)
        sim.state.faults.update(next_reset=2, apis=["domestic_stock/order_cash"])
        for _ in range(2):
            try:
                c.place_order("005930", "buy", 2, price)
            except OrderStateUnknownError as exc:
                unknown.append(exc)
        # A different signature in the same batch: reset only, so proven absent.
        sim.state.faults.update(next_reset=1, apis=["domestic_stock/order_cash"])
        try:
            c.place_order("005930", "buy", 5, price)
        except OrderStateUnknownError as exc:
            unknown.append(exc)
        assert len(unknown) == 6

        report = c.reconcile_all(unknown)

        by_qty = {g.sent.quantity: g for g in report.groups}
        twos, fives = by_qty[2], by_qty[5]
        assert (twos.outcome, twos.intents, twos.executed, twos.not_executed) == (
            "counted", 5, 3, 2)
        assert len(twos.orders) == 3 and known.order_no not in {o.order_no for o in twos.orders}
        assert (fives.outcome, fives.executed, fives.orders) == ("absent", 0, ())
        assert [r.outcome for r in report.results] == ["counted"] * 5 + ["absent"]
        assert report.executed == 3 and report.unresolved == ()
        owned = {known.order_no.lstrip("0")} | {o.order_no.lstrip("0") for o in report.orders}
        assert owned == _server_order_nos(sim)
        # Reconciling the same errors again finds nothing new: the orders are owned now.
        again = c.reconcile_all(unknown[:3])
        assert again.groups[0].outcome == "absent"


def test_single_reconcile_keeps_its_verdicts_and_more_matches_than_intents_is_ambiguous() -> (
    None
):
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=10_000_000_000)
        price = _below_market(sim, c)
        sim.state.faults.update(next_drop=2, apis=["domestic_stock/order_cash"])
        unknown: list[OrderStateUnknownError] = []
        for _ in range(2):
            try:
                c.place_order("005930", "buy", 4, price)
            except OrderStateUnknownError as exc:
                unknown.append(exc)
        one = c.reconcile(unknown[0])  # two unowned twins, one intent: cannot say which
        assert one.outcome == "ambiguous" and one.order is None and len(one.candidates) == 2
        report = c.reconcile_all(unknown[:1])
        assert report.groups[0].outcome == "ambiguous" and report.orders == ()
        assert report.unresolved == report.groups
        both = c.reconcile_all(unknown)
        assert both.groups[0].outcome == "present" and len(both.orders) == 2


def test_async_reconcile_all_is_the_same_rule() -> None:
    with private_sim() as sim:
        async def run() -> None:
            async with sim.async_client() as c:
                book = await c.order_book("005930")
                assert book.best_bid is not None
                price = book.best_bid.price - 3000
                sim.state.faults.update(next_drop=2, apis=["domestic_stock/order_cash"])
                unknown: list[OrderStateUnknownError] = []
                for _ in range(3):
                    try:
                        await c.place_order("005930", "buy", 1, price)
                    except OrderStateUnknownError as exc:
                        unknown.append(exc)
                report = await c.reconcile_all(unknown)
                assert report.groups[0].outcome == "present" and len(report.orders) == 2
                assert all(isinstance(o, AsyncOrder) for o in report.orders)

        sim.fund(krw=1_000_000_000)
        asyncio.run(run())
