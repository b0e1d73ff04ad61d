"""The commonest real unknown outcome over real sockets: "timed out, but executed".

The simulator's ``next_late`` / ``late_rate`` and ``latency_at="after"`` faults run and commit a
call, then hold its answer past the client's timeout; ``latency_at="before"`` holds the request
itself, so a client that gives up has executed nothing. The SDK must raise
``OrderStateUnknownError`` (never send the order twice) and ``client.reconcile`` must tell the two
apart from the server's own records. The rate limit counts arrivals before any injected delay.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _sim_server_kit import (
    PRICE_PARAMS,
    PRICE_PATH,
    client_for,
    get_token,
    make_app,
    price_headers,
)

import hantoo
from hantoo.errors import OrderStateUnknownError
from hantoo.sim.app import SimApp
from hantoo.sim.faults import FaultConfig
from hantoo.sim.server import running_server

ORDERS = ["domestic_stock/order_cash"]


@pytest.fixture
def served() -> Iterator[tuple[SimApp, str]]:
    app = make_app()
    with running_server(app=app) as (base_url, _ws):
        yield app, base_url


def _client(base_url: str, tmp_path: Path, **kw: Any) -> hantoo.Client:
    return hantoo.Client("sim", base_url=base_url, rate_limit=False,
                         cache_dir=str(tmp_path), **kw)


def _orders_of(app: SimApp) -> int:
    return sum(1 for o in app.sim.exchange.orders.values() if o.acct.key != ("99999999", "01"))


def test_late_answer_times_out_but_the_order_executed_and_reconcile_finds_it(
    served: tuple[SimApp, str], tmp_path: Path,
) -> None:
    app, base_url = served
    with _client(base_url, tmp_path, timeout=0.5) as c:
        bid = c.order_book("005930").best_bid
        assert bid is not None
        price = bid.price - 2000
        c.place_order("005930", "buy", 3, price)  # an earlier twin, and the client's clock offset
        app.sim.faults.update(next_late=1, late_ms=1500, apis=ORDERS)
        with pytest.raises(OrderStateUnknownError) as lost:
            c.place_order("005930", "buy", 3, price)
        assert app.sim.faults.counters["late"] == 1
        assert _orders_of(app) == 2  # it executed, although the client gave up
        found = c.reconcile(lost.value)
        assert found.present and found.order is not None, found
        assert found.order.quantity == 3 and found.order.price == price
        assert _orders_of(app) == 2  # nothing sent twice


def test_latency_after_execution_also_leaves_an_executed_order(
    served: tuple[SimApp, str], tmp_path: Path,
) -> None:
    app, base_url = served
    with _client(base_url, tmp_path, timeout=0.4) as c:
        bid = c.order_book("000660").best_bid
        assert bid is not None
        app.sim.faults.update(latency_ms=1200, latency_at="after", apis=ORDERS)
        with pytest.raises(OrderStateUnknownError) as lost:
            c.place_order("000660", "buy", 2, bid.price)
        app.sim.faults.clear()
        found = c.reconcile(lost.value)
        assert found.present and found.order is not None, found
        assert found.order.quantity == 2


def test_latency_before_execution_leaves_nothing_behind(
    served: tuple[SimApp, str], tmp_path: Path,
) -> None:
    app, base_url = served
    with _client(base_url, tmp_path, timeout=0.3) as c:
        bid = c.order_book("000660").best_bid
        assert bid is not None
        app.sim.faults.update(latency_ms=900, latency_at="before", apis=ORDERS)
        with pytest.raises(OrderStateUnknownError) as lost:
            c.place_order("000660", "buy", 2, bid.price)
        time.sleep(1.2)  # let the held request reach the server: it finds the client gone
        app.sim.faults.clear()
        assert _orders_of(app) == 0
        gone = c.reconcile(lost.value)
        assert gone.absent and gone.order is None, gone


async def test_the_rate_limit_counts_arrivals_before_the_injected_delay() -> None:
    app = make_app(limits="1/s")
    async with client_for(app) as client:
        token = await get_token(client)
        app.sim.faults.update(latency_ms=20)
        h = price_headers(token)
        first = await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)
        second = await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)
    assert first.status_code == 200
    assert second.json()["msg_cd"] == "EGW00201"  # refused at arrival ...
    assert app.sim.faults.counters["latency"] == 1  # ... without ever being delayed


def test_fault_knobs_are_validated_with_their_meaning() -> None:
    with pytest.raises(ValueError, match="latency_at"):
        FaultConfig(latency_at="during").validated()
    with pytest.raises(ValueError, match="late_rate"):
        FaultConfig(late_rate=2.0).validated()
    with pytest.raises(ValueError, match="next_late"):
        FaultConfig(next_late=-1).validated()


def test_late_knobs_over_the_control_endpoint(served: tuple[SimApp, str]) -> None:
    _app, base_url = served
    r = httpx.post(f"{base_url}/_sim/faults", json={"next_late": 2, "late_ms": 100,
                                                    "latency_at": "after"})
    cfg = r.json()["config"]
    assert (cfg["next_late"], cfg["late_ms"], cfg["latency_at"]) == (2, 100, "after")
