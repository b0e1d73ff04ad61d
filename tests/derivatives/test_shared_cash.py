"""One account, one cash: what futures/options margin holds, stock buys and withdrawals cannot
spend, and what open stock buys hold, futures/options orders cannot spend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hantoo.sim.derivatives.market import market_for
from hantoo.sim.engine import Exchange
from hantoo.sim.engine.clock import KST, SessionClock
from hantoo.sim.engine.config import ExchangeConfig
from hantoo.sim.engine.invariants import check_invariants
from hantoo.sim.engine.orders import BUY
from hantoo.sim.engine.types import EngineReject, OrderType, RejectReason, Side

START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=KST)
ACCT = ("50000001", "01")
STOCK = "005930"


def _exchange() -> Exchange:
    ex = Exchange(ExchangeConfig(clock=SessionClock("stepped", start=START), seed=11))
    ex.open_account(*ACCT, krw=200_000_000)
    return ex


def _front(ex: Exchange) -> str:
    m = market_for(ex)
    return min((i for i in m.listing().futures() if not i.product.on_stock),
               key=lambda i: i.expiry).code


def test_futures_margin_is_not_stock_buying_power() -> None:
    ex = _exchange()
    m = market_for(ex)
    price = ex.quote(STOCK).price
    free_before = ex.buying_power(ACCT, STOCK, price).orderable_cash
    assert m.cash_held(ACCT) == 0  # nothing held before any futures
    fut = _front(ex)
    m.place(ACCT, fut, BUY, "01", 4, m.snapshot(fut).asks[0][0])
    held = m.cash_held(ACCT)
    assert held == m.position_margin(ACCT) > 0
    cash = Decimal(int(ex._account(ACCT).cash[0]))
    bp = ex.buying_power(ACCT, STOCK, price)
    assert bp.orderable_cash == cash - held < free_before
    # the stock engine's check agrees with the buying-power answer: max_qty passes, one more not
    with pytest.raises(EngineReject) as rej:
        ex.place_order(ACCT, STOCK, Side.BUY, OrderType.LIMIT, bp.max_qty + 1, price)
    assert rej.value.reason is RejectReason.INSUFFICIENT_CASH
    ex.place_order(ACCT, STOCK, Side.BUY, OrderType.LIMIT, bp.max_qty, price)
    # a withdrawal cannot take the margin either
    with pytest.raises(EngineReject):
        ex.deposit(ACCT, -(cash - held + 1))
    check_invariants(ex)


def test_open_stock_buys_are_not_futures_margin() -> None:
    ex = _exchange()
    m = market_for(ex)
    before = m.orderable_cash(ACCT)
    low = ex.order_book(STOCK).bids[-1].price  # rests: holds cash for the buy
    o = ex.place_order(ACCT, STOCK, Side.BUY, OrderType.LIMIT, 1000, low)
    reserved = int(ex._account(ACCT).reserved[0])
    assert reserved > 0 and o.status.value in ("open", "partial")
    assert m.orderable_cash(ACCT) == before - reserved
    # a futures order needing more than what is left is refused
    fut = _front(ex)
    ask = m.snapshot(fut).asks[0][0]
    one = m.order_margin(ACCT, m.instrument(fut), BUY, 1, m.instrument(fut).units(ask) or 0)
    too_many = m.orderable_cash(ACCT) // one + 1
    with pytest.raises(EngineReject) as rej:
        m.place(ACCT, fut, BUY, "01", min(too_many, 1000), ask)
    assert rej.value.reason is RejectReason.INSUFFICIENT_CASH


def test_reservations_sent_at_the_open_respect_futures_margin() -> None:
    """The engine sends reservations inside its own event processing: the margin it sees there
    is the stored one (no quote reads re-entering the engine), and it is enforced."""
    ex = _exchange()
    m = market_for(ex)
    fut = _front(ex)
    m.place(ACCT, fut, BUY, "01", 4, m.snapshot(fut).asks[0][0])
    held = m.cash_held(ACCT)
    cash = int(ex._account(ACCT).cash[0])
    price = ex.quote(STOCK).price
    units = int(price)
    over = (cash - held) // units + 50  # fits the cash, not the cash less the margin
    assert over * units < cash
    big = ex.reserve_order(ACCT, STOCK, Side.BUY, OrderType.LIMIT, over, price)
    small = ex.reserve_order(ACCT, STOCK, Side.BUY, OrderType.LIMIT, 1, price)
    ex.advance_to(START + dt.timedelta(days=1))
    rsv = {r.seq: r for r in ex.reservation_list(ACCT)}
    assert not rsv[big.seq].odnos and "insufficient_cash" in (rsv[big.seq].last_error or "")
    assert rsv[small.seq].odnos and rsv[small.seq].last_error is None
    check_invariants(ex)
