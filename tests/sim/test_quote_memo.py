"""The engine keeps each symbol's last quote fields and reuses them while nothing behind them
changed (:meth:`QueryMixin.quote`); these tests check a kept quote never outlives a trade, a
book change or the clock."""

from __future__ import annotations

from datetime import timedelta

from hantoo.sim.engine import Exchange, OrderStatus, OrderType, Side

from ._util import ACCT, assert_ok

SYM = "005930"


def _fresh(ex: Exchange, symbol: str = SYM) -> object:
    """The quote derived again from the engine state, with nothing kept."""
    ex._quote_memo.clear()
    return ex.quote(symbol)


def test_kept_quote_changes_after_a_trade(ex: Exchange) -> None:
    before = ex.quote(SYM)
    assert ex.quote(SYM) is before  # same instant, nothing changed: the kept quote
    book = ex.order_book(SYM)
    top = book.asks[0]
    o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, top.qty + 1)
    assert o.status is OrderStatus.FILLED
    after = ex.quote(SYM)
    assert after is not before
    assert after.volume == before.volume + top.qty + 1
    assert after.price == book.asks[1].price
    assert after.best_ask == ex.order_book(SYM).asks[0].price
    assert after == _fresh(ex)  # what was kept is what would be derived
    assert_ok(ex)


def test_kept_quote_follows_a_new_resting_order_and_the_clock(ex: Exchange) -> None:
    before = ex.quote(SYM)
    better_bid = before.best_bid + 100 if before.best_bid is not None else before.price
    if before.best_ask is not None and better_bid >= before.best_ask:
        better_bid = before.best_ask - 100
    ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 1, better_bid)
    moved = ex.quote(SYM)
    assert moved.best_bid == better_bid and moved.volume == before.volume
    ex.advance(timedelta(seconds=1))
    later = ex.quote(SYM)
    assert later.time == moved.time + timedelta(seconds=1)
    assert later == _fresh(ex)
    for market in ("NX", "UN"):
        assert ex.quote(SYM, market) == _fresh_venue(ex, market)


def _fresh_venue(ex: Exchange, market: str) -> object:
    ex._quote_memo.clear()
    return ex.quote(SYM, market)
