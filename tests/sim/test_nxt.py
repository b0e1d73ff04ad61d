"""NXT (Nextrade): a second venue with its own book and hours, SOR routing, J/NX/UN views.

NXT hours (KST): pre-market 08:00–08:50, main 09:00:30–15:20, after-market 15:30–20:00; NXT
orders expire at 20:00. The stepped clock pins each case to the instant it is about.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hantoo.sim.engine import EngineReject, OrderType, Phase, Side, check_invariants
from hantoo.sim.engine.nxt import nxt_session
from hantoo.sim.engine.types import OrderStatus, RejectReason

from ._util import ACCT, DAY, make_exchange

SYM = "005930"


def _at(h: int, m: int, s: int = 0) -> object:
    return DAY.replace(hour=h, minute=m, second=s)


@pytest.mark.parametrize(
    ("hms", "session"),
    [((7, 59, 59), None), ((8, 0, 0), "pre"), ((8, 49, 59), "pre"), ((8, 50, 0), None),
     ((9, 0, 29), None), ((9, 0, 30), "main"), ((15, 19, 59), "main"), ((15, 20, 0), None),
     ((15, 29, 59), None), ((15, 30, 0), "after"), ((19, 59, 59), "after"), ((20, 0, 0), None)],
)
def test_nxt_session_boundaries(hms: tuple[int, int, int], session: str | None) -> None:
    ex = make_exchange(at=_at(*hms))  # type: ignore[arg-type]
    assert ex.nxt_session_at(ex.clock.now_us()) == session
    assert nxt_session(ex.clock.now_us()) == session


def test_nxt_is_closed_on_a_holiday() -> None:
    sunday = DAY + timedelta(days=5)  # DAY is a Tuesday
    ex = make_exchange(at=sunday.replace(hour=10))
    assert ex.nxt_session_at(ex.clock.now_us()) is None
    with pytest.raises(EngineReject) as rej:
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 1, 70_000, exchange="NXT")
    assert rej.value.reason is RejectReason.SESSION_CLOSED


def test_nxt_pre_market_trades_while_krx_is_closed_and_sor_goes_there() -> None:
    ex = make_exchange(at=_at(8, 10))
    assert ex.phase() is Phase.CLOSED
    nx = ex.order_book(SYM, market="NX")
    assert nx.asks and nx.bids  # the house quotes NXT's pre-market
    assert ex.order_book(SYM).asks == ()  # KRX has no book before 08:30
    with pytest.raises(EngineReject):
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 10, nx.asks[0].price)
    direct = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 10, nx.asks[0].price,
                            exchange="NXT")
    routed = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 5, nx.asks[0].price,
                            exchange="SOR")
    assert (direct.exchange, direct.filled_qty) == ("NXT", 10)
    assert (routed.exchange, routed.filled_qty) == ("NXT", 5)
    q_nx, q_j, q_un = (ex.quote(SYM, m) for m in ("NX", "J", "UN"))
    assert q_nx.volume == 15 and q_nx.price == nx.asks[0].price
    assert q_j.volume == 0
    assert q_un.volume == 15 and q_un.price == q_nx.price
    # market orders are for NXT's main session only
    with pytest.raises(EngineReject) as rej:
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 1, exchange="NXT")
    assert rej.value.reason is RejectReason.UNSUPPORTED_ORDER_TYPE
    assert not check_invariants(ex)


def test_sor_picks_the_better_venue_when_both_trade() -> None:
    ex = make_exchange(at=_at(10, 0))
    krx_best = ex.order_book(SYM).asks[0]
    # take KRX's best ask level: NXT's best ask is now the cheaper one
    ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, krx_best.qty, krx_best.price)
    krx_ask = ex.order_book(SYM).asks[0].price
    nx_ask = ex.order_book(SYM, market="NX").asks[0].price
    assert nx_ask < krx_ask
    assert ex.order_book(SYM, market="UN").asks[0].price == nx_ask
    assert ex.quote(SYM, "UN").best_ask == nx_ask
    buy = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 10, krx_ask, exchange="SOR")
    assert buy.exchange == "NXT" and buy.filled_qty == 10
    assert buy.avg_fill_price == nx_ask
    # a sell goes to the higher bid (KRX on a tie)
    krx_bid = ex.order_book(SYM).bids[0].price
    nx_bid = ex.order_book(SYM, market="NX").bids[0].price
    sell = ex.place_order(ACCT, SYM, Side.SELL, OrderType.LIMIT, 1, min(krx_bid, nx_bid),
                          exchange="SOR")
    assert sell.exchange == ("NXT" if nx_bid > krx_bid else "KRX")
    assert sell.filled_qty == 1 and sell.avg_fill_price == max(krx_bid, nx_bid)
    assert not check_invariants(ex)


def test_nxt_orders_live_until_20_and_then_expire() -> None:
    ex = make_exchange(at=_at(15, 40))
    assert ex.nxt_session_at(ex.clock.now_us()) == "after"
    bid = ex.order_book(SYM, market="NX").bids[-1].price
    o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 3, bid - 1_000, exchange="NXT")
    ex.advance_to(_at(19, 59))  # type: ignore[arg-type]
    assert ex.order(ACCT, o.odno).status is OrderStatus.OPEN
    ex.advance_to(_at(20, 0, 1))  # type: ignore[arg-type]
    done = ex.order(ACCT, o.odno)
    assert done.status is OrderStatus.EXPIRED and done.remaining_qty == 0
    assert ex.balance(ACCT).summary[0].reserved == 0
    assert not check_invariants(ex)


def test_a_modified_nxt_order_stays_on_nxt() -> None:
    ex = make_exchange(at=_at(10, 0))
    bid = ex.order_book(SYM, market="NX").bids[-1].price
    o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 3, bid - 1_000, exchange="NXT")
    new = ex.modify_order(ACCT, o.odno, price=bid - 900)
    assert new.exchange == "NXT"
    assert any(lv.price == bid - 900 for lv in ex.order_book(SYM, 30, market="NX").bids)
    assert all(lv.price != bid - 900 for lv in ex.order_book(SYM, 30).bids)


def test_participants_trade_nxt_in_its_after_market() -> None:
    ex = make_exchange(at=_at(16, 30), activity=1)
    ex.quote(SYM)
    for _ in range(50):
        ex.advance(timedelta(milliseconds=200))
    nx = ex.quote(SYM, "NX")
    assert nx.volume > 0
    assert ex.quote(SYM).volume == ex.quote(SYM, "UN").volume - nx.volume
    assert not check_invariants(ex)


def test_unknown_exchange_is_refused() -> None:
    ex = make_exchange(at=_at(10, 0))
    with pytest.raises(EngineReject, match="KRX, NXT or SOR"):
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 1, 70_000, exchange="NYSE")


def test_a_resting_nxt_order_is_back_on_the_nxt_book_after_a_restart(tmp_path: Path) -> None:
    from hantoo.sim.engine import ExchangeConfig, SessionClock
    from hantoo.sim.store import open_exchange

    path = tmp_path / "sim.db"
    ex = open_exchange(path, ExchangeConfig(seed=3, clock=SessionClock(start=_at(10, 0))))
    ex.open_account(*ACCT, krw=10**10)
    low = ex.order_book(SYM, market="NX").bids[-1].price - 1_000
    o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 4, low, exchange="NXT")
    ex2 = open_exchange(path)
    assert ex2.order(ACCT, o.odno).exchange == "NXT"
    assert any(lv.price == low for lv in ex2.order_book(SYM, 30, market="NX").bids)
    assert all(lv.price != low for lv in ex2.order_book(SYM, 30).bids)
    assert not check_invariants(ex2)
