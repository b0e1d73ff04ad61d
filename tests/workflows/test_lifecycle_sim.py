"""Order lifecycle against the simulator: place → partial fill → modify → cancel, domestic and
US, sync and async; the handle, the REST queries and the balance must agree."""

from __future__ import annotations

import asyncio
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from hantoo.domain import OrderStatus, Side

sys.path.insert(0, str(Path(__file__).parent))
from simkit import START, private_sim


def test_domestic_lifecycle_agrees_everywhere() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=2_000_000_000)
        book = c.order_book("068270")
        ask = book.best_ask
        assert ask is not None and book.best_bid is not None
        qty = ask.quantity + 300  # more than the best level holds: a partial fill
        order = c.place_order("068270", "buy", qty, ask.price)
        snap = order.refresh()
        assert snap.status is OrderStatus.PARTIALLY_FILLED
        assert snap.filled_quantity == ask.quantity
        assert snap.average_fill_price == ask.price
        assert order.remaining_quantity == 300

        working = c.open_orders()
        assert [(w.order_no, w.remaining_quantity) for w in working] == [(order.order_no, 300)]

        new_price = book.best_bid.price - 1000
        after = order.modify(new_price)
        assert len(order.order_nos) == 2  # KIS gives the modify its own order number
        assert after.price == new_price and after.filled_quantity == ask.quantity
        assert [w.order_no for w in c.open_orders()] == [order.order_no]

        final = order.cancel()
        assert final.status is OrderStatus.CANCELLED
        assert final.filled_quantity == ask.quantity and final.remaining_quantity == 0
        assert c.open_orders() == []

        fills = c.fills("2026-11-20", "2026-11-23")
        assert [(f.symbol, f.side, f.quantity, f.price) for f in fills] == [
            ("068270", Side.BUY, ask.quantity, ask.price)]
        positions = {p.symbol: p for p in c.positions()}
        assert positions["068270"].quantity == ask.quantity
        assert positions["068270"].average_price == ask.price
        # wait_filled on a cancelled order returns at once with the final state
        assert order.wait_filled(timeout=1).status is OrderStatus.CANCELLED
        kinds = [(s.tr_id, s.body.get("RVSE_CNCL_DVSN_CD")) for s in sim.wire.orders()]
        assert kinds == [("TTTC0012U", None), ("TTTC0013U", "01"), ("TTTC0013U", "02")]


def test_us_lifecycle_agrees_everywhere() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(usd=5_000_000)
        book = c.order_book("NYSE:KO")
        ask, bid = book.best_ask, book.best_bid
        assert ask is not None and bid is not None and book.currency == "USD"
        qty = ask.quantity + 50
        order = c.place_order("KO", "buy", qty, ask.price, exchange="NYSE")
        snap = order.refresh()
        assert snap.status is OrderStatus.PARTIALLY_FILLED
        assert (snap.filled_quantity, snap.remaining_quantity) == (ask.quantity, 50)
        assert snap.currency == "USD" and isinstance(snap.average_fill_price, Decimal)

        assert [w.order_no for w in c.open_orders(market="us")] == [order.order_no]
        lower = bid.price - Decimal("1.00")
        after = order.modify(lower)
        assert after.price == lower and after.filled_quantity == ask.quantity
        final = order.cancel()
        assert final.status is OrderStatus.CANCELLED and final.remaining_quantity == 0
        assert c.open_orders(market="us") == []

        held = {p.symbol: p for p in c.positions(market="us")}
        assert held["KO"].quantity == ask.quantity and held["KO"].currency == "USD"
        fills = c.fills("2026-11-20", "2026-11-23", market="us")
        assert sum(f.quantity for f in fills) == ask.quantity
        tr_ids = [s.tr_id for s in sim.wire.orders()]
        assert tr_ids == ["TTTT1002U", "TTTT1004U", "TTTT1004U"]


def test_async_twin_runs_the_same_lifecycle() -> None:
    async def scenario() -> None:
        with private_sim() as sim:
            sim.fund(krw=2_000_000_000)
            async with sim.async_client() as c:
                book = await c.order_book("068270")
                assert book.best_ask is not None
                ask = book.best_ask
                order = await c.place_order("068270", Side.BUY, ask.quantity + 10, ask.price)
                snap = await order.refresh()
                assert snap.status is OrderStatus.PARTIALLY_FILLED
                done = await order.cancel()
                assert done.status is OrderStatus.CANCELLED
                assert done.filled_quantity == ask.quantity
                assert (await c.positions())[0].quantity == ask.quantity

    asyncio.run(scenario())


def test_wait_filled_polls_until_filled() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=1_000_000_000)
        ask = c.order_book("005930").best_ask
        assert ask is not None
        order = c.place_order("005930", "buy", 10, ask.price)
        assert order.wait_filled(timeout=5, poll=0.01).status is OrderStatus.FILLED
        assert order.filled_quantity == 10


def test_wait_filled_times_out_on_a_resting_order() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=1_000_000_000)
        bid = c.order_book("005930").best_bid
        assert bid is not None
        order = c.place_order("005930", "buy", 1, bid.price - 5000)
        with pytest.raises(TimeoutError, match="still accepted"):
            order.wait_filled(timeout=0.05, poll=0.01)
        order.cancel()


def test_modify_without_a_price_is_refused_before_sending() -> None:
    """``modify(quantity=N)`` names no price: sent as is it would become a market order and
    trade at once at any price. The SDK refuses it locally and says how to cut instead."""
    from hantoo.domain.errors import UnsupportedOrderError

    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=1_000_000_000)
        bid = c.order_book("005930").best_bid
        assert bid is not None
        order = c.place_order("005930", "buy", 10, bid.price - 5000)
        sent = len(sim.wire.orders())
        with pytest.raises(UnsupportedOrderError, match="market order") as err:
            order.modify(quantity=4)
        assert "order.cancel(6)" in str(err.value.suggestion)
        assert len(sim.wire.orders()) == sent  # nothing went out
        after = order.cancel(6)  # a partial cancel: the order keeps working with 4
        assert after.status is OrderStatus.ACCEPTED
        assert (after.remaining_quantity, after.cancelled_quantity) == (4, 6)
        assert [w.remaining_quantity for w in c.open_orders()] == [4]
        order.cancel()


def test_notices_agree_with_rest() -> None:
    """Over real sockets: the handle follows the encrypted notices without polling, and what
    the notices said agrees with the REST fills and positions afterwards."""
    from hantoo import Client
    from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET, SIM_HTS_ID
    from hantoo.realtime import Credentials, Stream
    from hantoo.sim.app import SimConfig, create_app
    from hantoo.sim.server import running_server

    app = create_app(SimConfig(limits="off", clock_mode="stepped", activity=0, clock_start=START,
                               demo_krw=5_000_000_000))
    seen: list[object] = []
    with running_server(app=app) as (base_url, ws_url), Stream(
        Credentials(SIM_APP_KEY, SIM_APP_SECRET), ws_url=ws_url, base_url=base_url,
        environment="sim",
    ) as stream, Client("sim", base_url=base_url, rate_limit=False) as c:
        stream.on_fill(seen.append)
        c.track_notices(stream)
        stream.subscribe_fills(SIM_HTS_ID)
        stream.run(0.5)
        book = c.order_book("035720")
        ask = book.best_ask
        assert ask is not None
        order = c.place_order("035720", "buy", ask.quantity + 7, ask.price)
        deadline = time.monotonic() + 10
        while order.filled_quantity < ask.quantity:  # no refresh(): notices only
            assert time.monotonic() < deadline, "the notices never updated the handle"
            stream.run(0.1)
        assert order.status is OrderStatus.PARTIALLY_FILLED
        assert order.remaining_quantity == 7
        fills = c.fills("2026-11-20", "2026-11-23")
        assert sum(f.quantity for f in fills) == order.filled_quantity == ask.quantity
        assert {p.symbol: p.quantity for p in c.positions()}["035720"] == ask.quantity
        order.cancel()
    assert seen, "no notice reached the stream"
