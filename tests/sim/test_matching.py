"""Continuous matching: price-time priority, order types, modify/cancel, rejections, events."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hantoo.sim.engine import (
    EngineReject,
    Exchange,
    OrderAccepted,
    OrderAction,
    OrderCancelled,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderStatus,
    OrderType,
    RejectReason,
    Side,
    TradeTick,
)
from hantoo.sim.engine.views import Event

from ._util import ACCT, ACCT2, assert_ok, make_exchange

SYM = "005930"  # tick 100 around 70,000
SELLER = ("11112222", "01")


def _px(ex: Exchange, ticks: int = 0) -> Decimal:
    """The current price moved by ``ticks`` ticks of 100 won."""
    return ex.quote(SYM).price + 100 * ticks


def _seller(ex: Exchange, qty: int = 10_000) -> tuple[str, str]:
    ex.open_account(*SELLER, krw=Decimal(10_000_000))
    ex.grant_shares(SELLER, SYM, qty, Decimal(60_000))
    return SELLER


def test_fifo_within_a_level_and_price_priority(bare: Exchange) -> None:
    s = _seller(bare)
    p = _px(bare)
    a = bare.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 10, p)
    b = bare.place_order(ACCT2, SYM, Side.BUY, OrderType.LIMIT, 10, p)
    better = bare.place_order(ACCT2, SYM, Side.BUY, OrderType.LIMIT, 3, p + 100)
    sell = bare.place_order(s, SYM, Side.SELL, OrderType.LIMIT, 15, p)
    assert sell.status is OrderStatus.FILLED
    assert bare.order(ACCT2, better.odno).filled_qty == 3  # higher price first
    assert bare.order(ACCT, a.odno).filled_qty == 10  # then the earlier order at p
    assert bare.order(ACCT2, b.odno).filled_qty == 2
    fills = bare.fill_history(s, sell.trade_date, sell.trade_date)
    # every fill at the resting order's price
    assert [(f.qty, f.price) for f in fills] == [(3, p + 100), (10, p), (2, p)]
    assert_ok(bare)


def test_partial_fill_rests_and_book_is_not_crossed(bare: Exchange) -> None:
    s = _seller(bare)
    p = _px(bare)
    bare.place_order(s, SYM, Side.SELL, OrderType.LIMIT, 30, p)
    buy = bare.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 100, p + 200)
    assert (buy.filled_qty, buy.remaining_qty, buy.status) == (30, 70, OrderStatus.PARTIAL)
    book = bare.order_book(SYM)
    assert book.bids[0].price == p + 200 and book.bids[0].qty == 70
    assert not book.asks
    assert_ok(bare)


def test_market_order_fills_immediately_against_displayed_liquidity(ex: Exchange) -> None:
    book = ex.order_book(SYM)
    best_ask = book.asks[0].price
    o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, book.asks[0].qty + 1)
    assert o.status is OrderStatus.FILLED
    assert o.avg_fill_price > best_ask  # walked into the second level
    assert ex.quote(SYM).price == book.asks[1].price
    assert_ok(ex)


def test_market_order_bigger_than_the_book_rests_at_the_last_price(ex: Exchange) -> None:
    book = ex.order_book(SYM)
    shown = sum(lv.qty for lv in book.asks)
    o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, shown + 1_000)
    assert o.filled_qty == shown and o.remaining_qty == 1_000
    assert o.price == book.asks[-1].price  # the rest waits at the last fill price
    assert ex.order_book(SYM).bids[0].price == book.asks[-1].price
    assert_ok(ex)


def test_ioc_and_fok(ex: Exchange) -> None:
    book = ex.order_book(SYM)
    top = book.asks[0]
    ioc = ex.place_order(ACCT, SYM, Side.BUY, OrderType.IOC_LIMIT, top.qty + 5, top.price)
    assert (ioc.filled_qty, ioc.cancelled_qty, ioc.status) == (
        top.qty, 5, OrderStatus.CANCELLED)
    nxt = ex.order_book(SYM).asks[0]
    fok = ex.place_order(ACCT, SYM, Side.BUY, OrderType.FOK_LIMIT, nxt.qty + 1, nxt.price)
    assert (fok.filled_qty, fok.cancelled_qty) == (0, nxt.qty + 1)
    assert ex.order_book(SYM).asks[0] == nxt  # nothing taken
    fok2 = ex.place_order(ACCT, SYM, Side.BUY, OrderType.FOK_MARKET, nxt.qty + 1)
    assert fok2.status is OrderStatus.FILLED
    ioc_m = ex.place_order(ACCT, SYM, Side.BUY, OrderType.IOC_BEST, 10**6)
    assert 0 < ioc_m.filled_qty < 10**6 and ioc_m.remaining_qty == 0
    assert_ok(ex)


def test_best_and_priority_limit_take_their_price_from_the_book(ex: Exchange) -> None:
    book = ex.order_book(SYM)
    best = ex.place_order(ACCT, SYM, Side.BUY, OrderType.BEST_LIMIT, 1)
    assert best.price == book.asks[0].price and best.status is OrderStatus.FILLED
    prio = ex.place_order(ACCT, SYM, Side.BUY, OrderType.PRIORITY_LIMIT, 1)
    assert prio.price == book.bids[0].price and prio.status is OrderStatus.OPEN


def test_best_limit_without_a_quote_is_rejected(bare: Exchange) -> None:
    with pytest.raises(EngineReject) as e:
        bare.place_order(ACCT, SYM, Side.BUY, OrderType.BEST_LIMIT, 1)
    assert e.value.reason is RejectReason.NO_LIQUIDITY


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"price": "70050"}, RejectReason.BAD_TICK),
        ({"price": "70000.5"}, RejectReason.BAD_TICK),
        ({"price": "1000000"}, RejectReason.OUTSIDE_PRICE_LIMIT),
        ({"price": "100"}, RejectReason.OUTSIDE_PRICE_LIMIT),
        ({"qty": 0}, RejectReason.BAD_QUANTITY),
        ({"qty": -5}, RejectReason.BAD_QUANTITY),
        ({"qty": 10_000_001}, RejectReason.QUANTITY_OVER_MAX),
        ({"symbol": "999999"}, RejectReason.UNKNOWN_SYMBOL),
        ({"account": ("00000000", "01")}, RejectReason.UNKNOWN_ACCOUNT),
        ({"order_type": "31"}, RejectReason.UNSUPPORTED_ORDER_TYPE),
        ({"order_type": "99"}, RejectReason.UNSUPPORTED_ORDER_TYPE),
        ({"order_type": "05"}, RejectReason.SESSION_CLOSED),
        ({"order_type": "07"}, RejectReason.SESSION_CLOSED),
        ({"order_type": "00", "price": None}, RejectReason.BAD_PRICE),
        ({"side": Side.SELL}, RejectReason.INSUFFICIENT_SHARES),
        ({"qty": 9_000_000, "order_type": "01"}, RejectReason.INSUFFICIENT_CASH),
    ],
)
def test_rejections_change_nothing(
    ex: Exchange, kwargs: dict[str, object], reason: RejectReason
) -> None:
    args: dict[str, object] = {
        "account": ACCT, "symbol": SYM, "side": Side.BUY, "order_type": "00", "qty": 1,
        "price": "70000",
    }
    args.update(kwargs)
    before = ex.balance(ACCT)
    n_orders = len(ex.orders)
    with pytest.raises(EngineReject) as e:
        ex.place_order(
            args["account"], args["symbol"], args["side"], args["order_type"],  # type: ignore[arg-type]
            args["qty"], args["price"],  # type: ignore[arg-type]
        )
    assert e.value.reason is reason
    assert e.value.message_ko and e.value.message_en
    assert len(ex.orders) == n_orders
    assert ex.balance(ACCT) == before
    assert_ok(ex)


def test_modify_price_gets_a_new_number_and_loses_priority(bare: Exchange) -> None:
    s = _seller(bare)
    p = _px(bare, -5)
    a = bare.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 10, p + 100)
    b = bare.place_order(ACCT2, SYM, Side.BUY, OrderType.LIMIT, 10, p)
    m = bare.modify_order(ACCT, a.odno, price=p)
    assert m.odno != a.odno and m.orig_odno == a.odno and m.action is OrderAction.MODIFY
    old = bare.order(ACCT, a.odno)
    assert (old.remaining_qty, old.replaced_qty, old.status) == (0, 10, OrderStatus.REPLACED)
    bare.place_order(s, SYM, Side.SELL, OrderType.LIMIT, 10, p)
    assert bare.order(ACCT2, b.odno).filled_qty == 10  # b was first at p now
    assert bare.order(ACCT, m.odno).filled_qty == 0
    assert_ok(bare)


def test_modify_quantity_down_keeps_priority_up_loses_it(bare: Exchange) -> None:
    s = _seller(bare)
    p = _px(bare, -5)
    a = bare.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 10, p)
    b = bare.place_order(ACCT2, SYM, Side.BUY, OrderType.LIMIT, 10, p)
    a2 = bare.modify_order(ACCT, a.odno, qty=4)
    assert bare.order(ACCT, a.odno).cancelled_qty == 6
    bare.place_order(s, SYM, Side.SELL, OrderType.LIMIT, 4, p)
    assert bare.order(ACCT, a2.odno).filled_qty == 4  # still first
    b2 = bare.modify_order(ACCT2, b.odno, qty=20)  # increase: to the back
    c = bare.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 5, p)
    bare.place_order(s, SYM, Side.SELL, OrderType.LIMIT, 21, p)
    assert bare.order(ACCT2, b2.odno).filled_qty == 20
    assert bare.order(ACCT, c.odno).filled_qty == 1  # b2 re-queued before c arrived
    assert_ok(bare)


def test_partial_modify_moves_part_of_the_order(bare: Exchange) -> None:
    p = _px(bare, -5)
    a = bare.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 10, p)
    m = bare.modify_order(ACCT, a.odno, price=p - 100, qty=3, all_qty=False)
    assert m.qty == 3 and m.price == p - 100
    old = bare.order(ACCT, a.odno)
    assert (old.remaining_qty, old.replaced_qty) == (7, 3)
    book = bare.order_book(SYM)
    assert [(lv.price, lv.qty) for lv in book.bids] == [(p, 7), (p - 100, 3)]
    with pytest.raises(EngineReject) as e:
        bare.modify_order(ACCT, a.odno, qty=3, all_qty=False)
    assert e.value.reason is RejectReason.NOTHING_TO_MODIFY
    assert_ok(bare)


def test_modify_to_a_marketable_price_executes(ex: Exchange) -> None:
    book = ex.order_book(SYM)
    low = book.bids[-1].price
    o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 5, low)
    m = ex.modify_order(ACCT, o.odno, price=book.asks[0].price)
    assert m.status is OrderStatus.FILLED
    assert_ok(ex)


def test_cancel_partial_then_all(bare: Exchange) -> None:
    p = _px(bare, -5)
    o = bare.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 10, p)
    c1 = bare.cancel_order(ACCT, o.odno, qty=4)
    assert c1.action is OrderAction.CANCEL and c1.orig_odno == o.odno and c1.qty == 4
    assert bare.order(ACCT, o.odno).remaining_qty == 6
    with pytest.raises(EngineReject) as e:
        bare.cancel_order(ACCT, o.odno, qty=7)
    assert e.value.reason is RejectReason.CANCEL_QTY_EXCEEDS
    bare.cancel_order(ACCT, o.odno)
    final = bare.order(ACCT, o.odno)
    assert (final.remaining_qty, final.cancelled_qty, final.status) == (
        0, 10, OrderStatus.CANCELLED)
    assert bare.balance(ACCT).summary[0].reserved == 0
    with pytest.raises(EngineReject) as e:
        bare.cancel_order(ACCT, o.odno)
    assert e.value.reason is RejectReason.ORDER_NOT_OPEN
    with pytest.raises(EngineReject) as e:
        bare.cancel_order(ACCT2, o.odno)
    assert e.value.reason is RejectReason.UNKNOWN_ORDER
    assert not bare.order_book(SYM).bids
    assert_ok(bare)


def test_events_reach_listeners_in_order(ex: Exchange) -> None:
    seen: list[Event] = []
    ex.add_listener(seen.append)
    o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 1)
    kinds = [type(e) for e in seen]
    assert kinds.index(OrderAccepted) < kinds.index(OrderFilled) < kinds.index(TradeTick)
    fill = next(e for e in seen if isinstance(e, OrderFilled))
    assert fill.fill.odno == o.odno and len(fill.fill.odno) == 10 and fill.fill.qty == 1
    assert fill.fill.fill_id.isdigit()
    seen.clear()
    r = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 1, ex.order_book(SYM).bids[-1].price)
    ex.modify_order(ACCT, r.odno, price=ex.order_book(SYM).bids[-1].price - 100)
    assert any(isinstance(e, OrderModified) for e in seen)
    with pytest.raises(EngineReject):
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 1, "1")
    assert isinstance(seen[-1], OrderRejected)
    ex.cancel_order(ACCT, ex.open_orders(ACCT)[0].odno)
    assert any(isinstance(e, OrderCancelled) and e.reason == "user" for e in seen)


def test_same_seed_same_result() -> None:
    def run() -> list[tuple[str, int, Decimal]]:
        e = make_exchange(seed=42)
        out = []
        for i in range(20):
            qty = 7 + i
            side = Side.BUY if i % 2 else Side.SELL
            if side is Side.SELL and e.sellable_qty(ACCT, SYM) < qty:
                side = Side.BUY
            o = e.place_order(ACCT, SYM, side, OrderType.MARKET, qty)
            out.append((o.odno, o.filled_qty, o.avg_fill_price))
            e.advance(37)
        return out

    assert run() == run()
