"""Realtime notices (real H0STCNI0 records) update order handles: fills, modify, cancel."""

from __future__ import annotations

from decimal import Decimal

from hantoo._generated.streams import DomesticStockCcnlNoticeRecord as Notice
from hantoo.domain import Currency, OrderSnapshot, OrderStatus, Side, Symbol
from hantoo.workflows.order import Order, registry_of
from hantoo.workflows.trading import OrderRef


def notice(**fields: str) -> Notice:
    values = ["" for _ in Notice.COLUMNS]
    for name, value in fields.items():
        values[Notice.COLUMNS.index(name)] = value
    return Notice(values)


class FakeClient:
    settings = None


def handle() -> tuple[FakeClient, Order]:
    client = FakeClient()
    ref = OrderRef(Symbol.domestic("005930"), Side.BUY, ("0000000011",), "06010", 10,
                   Decimal(70000), "00")
    snap = OrderSnapshot(order_no="0000000011", symbol="005930", side=Side.BUY, quantity=10,
                         price=Decimal(70000), currency=Currency.KRW,
                         status=OrderStatus.ACCEPTED, remaining_quantity=10)
    order = Order(client, ref, snap)
    registry_of(client).track(order)
    return client, order


def test_fill_modify_and_cancel_notices_update_the_handle() -> None:
    client, order = handle()
    reg = registry_of(client)
    assert reg.route(notice(ODER_NO="11", CNTG_YN="2", CNTG_QTY="4", CNTG_UNPR="70000",
                            RCTF_CLS="0", RFUS_YN="0"))
    assert (order.status, order.filled_quantity, order.remaining_quantity) == (
        OrderStatus.PARTIALLY_FILLED, 4, 6)
    assert reg.route(notice(ODER_NO="0000000012", OODER_NO="0000000011", CNTG_YN="1",
                            RCTF_CLS="1", ODER_PRC="69000", RFUS_YN="0"))
    assert order.order_nos == ("0000000011", "0000000012") and order.price == 69000
    assert reg.route(notice(ODER_NO="12", CNTG_YN="2", CNTG_QTY="2", CNTG_UNPR="69000"))
    assert order.filled_quantity == 6
    assert order.average_fill_price == (Decimal(70000) * 4 + Decimal(69000) * 2) / 6
    assert reg.route(notice(ODER_NO="13", OODER_NO="12", CNTG_YN="1", RCTF_CLS="2",
                            ACPT_YN="2"))
    assert order.status is OrderStatus.CANCELLED and order.remaining_quantity == 0
    assert not reg.route(notice(ODER_NO="99", CNTG_YN="2", CNTG_QTY="1"))
    assert order.notices == 4


def test_rejection_notice() -> None:
    client, order = handle()
    assert registry_of(client).route(notice(ODER_NO="11", RFUS_YN="1", CNTG_YN="1"))
    assert order.status is OrderStatus.REJECTED
