"""ELW orders through the domestic stock order APIs, against the in-process simulator.

An ELW is ordered like a share (KIS: order-cash with the ELW's 6-digit code): the order is
matched against the LP's quotes, the fill makes a position valued at the ELW price in the
balance, the fill shows in the order/fill queries and the buying power, a sale gives the cash
back, and all of it survives a restart from the state file (snapshot + journal). Refusals (KRX's
ELW rules): unknown code, off-tick price (5-won tick), a quantity off the 10-warrant unit, a
market order (limit orders only), an ELW past its last trading day.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hantoo.domain import OrderStatus, Side
from hantoo.errors import HantooError

sys.path.insert(0, str(Path(__file__).parent))
from simkit import ACCOUNT, START, private_sim


def _elw(c: Any, underlying: str, kind: str) -> str:
    rows = c.elw.udrl_asset_price(
        fid_cond_mrkt_div_code="W", fid_cond_scr_div_code="11541", fid_mrkt_cls_code=kind,
        fid_input_iscd="00000", fid_unas_input_iscd=underlying, fid_vol_cnt="",
        fid_trgt_exls_cls_code="0", fid_input_price_1="", fid_input_price_2="",
        fid_input_vol_1="", fid_input_vol_2="", fid_input_rmnn_dynu_1="",
        fid_input_rmnn_dynu_2="", fid_option="0", fid_input_option_1="",
        fid_input_option_2="").output
    return str(rows[0].elw_shrn_iscd)


def _price(c: Any, code: str) -> Any:
    return c.domestic_stock.inquire_elw_price(fid_cond_mrkt_div_code="W",
                                              fid_input_iscd=code).output[0]


def _krw(sim: Any) -> Any:
    return next(s for s in sim.state.exchange.balance(ACCOUNT).summary if s.currency == "KRW")


def _view(sim: Any, c: Any, code: str) -> tuple[Any, ...]:
    pos = {p.symbol: p for p in c.positions()}
    fills = c.fills(START.date(), START.date() + dt.timedelta(days=3))
    krw = _krw(sim)
    return ((pos[code].quantity, pos[code].average_price) if code in pos else None,
            [(f.symbol, f.side, f.quantity, f.price) for f in fills if f.symbol == code],
            krw.cash_d2, krw.orderable)


def test_elw_order_fill_position_balance_and_restart(tmp_path: Path) -> None:
    state = str(tmp_path / "sim.sqlite3")
    with private_sim(state_path=state) as sim, sim.client() as c:
        sim.fund(krw=50_000_000)
        code = _elw(c, "2001", "C")
        p = _price(c, code)
        book = c.order_book(code)
        ask, bid = book.best_ask, book.best_bid
        assert ask is not None and bid is not None
        # the LP's book is the price API's book, on the 5-won ELW grid
        assert (ask.price, bid.price) == (p.askp, p.bidp) and ask.price - bid.price == 5
        cash0 = _krw(sim).cash_d2
        power = c.buying_power(code, ask.price)
        assert power.max_quantity is not None and 0 < power.max_quantity <= cash0 // ask.price

        qty = 120
        order = c.place_order(code, "buy", qty, ask.price)
        snap = order.refresh()
        assert snap.status is OrderStatus.FILLED and snap.filled_quantity == qty
        assert snap.average_fill_price == ask.price
        pos = {x.symbol: x for x in c.positions()}[code]
        assert pos.quantity == qty and pos.average_price == ask.price
        now = _price(c, code)
        assert pos.price == now.elw_prpr and pos.market_value == qty * now.elw_prpr
        paid = cash0 - _krw(sim).cash_d2
        assert qty * ask.price <= paid < qty * ask.price * Decimal("1.01")  # price + commission
        after = c.buying_power(code, ask.price)
        assert after.max_quantity is not None and after.max_quantity < power.max_quantity

        # a resting sell above the LP's ask, then half of the position sold to the LP's bid
        rest = c.place_order(code, "sell", 20, ask.price + 50)
        assert rest.refresh().status is OrderStatus.ACCEPTED
        sold = c.place_order(code, "sell", 60, bid.price)
        assert sold.refresh().status is OrderStatus.FILLED
        sim.state.exchange.checkpoint()  # what follows is in the journal only
        sim.advance(120)
        rest.modify(ask.price + 100)
        before = _view(sim, c, code)
        assert before[0] == (qty - 60, ask.price)
        assert before[1] == [(code, Side.SELL, 60, bid.price), (code, Side.BUY, qty, ask.price)] \
            or sorted(before[1], key=str) == sorted(
                [(code, Side.SELL, 60, bid.price), (code, Side.BUY, qty, ask.price)], key=str)
        open_before = [(w.order_no, w.remaining_quantity, w.price) for w in c.open_orders()]
        assert [x[1:] for x in open_before] == [(20, ask.price + 100)]

    with private_sim(state_path=state) as sim2, sim2.client() as c2:
        assert _view(sim2, c2, code) == before
        assert [(w.order_no, w.remaining_quantity, w.price)
                for w in c2.open_orders()] == open_before
        # the restored ELW still trades: sell the rest to the LP
        book2 = c2.order_book(code)
        assert book2.best_bid is not None
        left = before[0][0] - 20
        done = c2.place_order(code, "sell", left, book2.best_bid.price)
        assert done.refresh().status is OrderStatus.FILLED
        assert {x.symbol: x.quantity for x in c2.positions()}.get(code) == 20  # the resting 20


def test_elw_orders_refused_with_kis_messages() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=10_000_000)
        code = _elw(c, "2001", "P")
        ask = c.order_book(code).best_ask
        assert ask is not None
        with pytest.raises(HantooError) as bad_tick:
            c.place_order(code, "buy", 10, ask.price + 2)
        assert "APBK0506" in str(bad_tick.value) and "tick 5" in str(bad_tick.value)
        with pytest.raises(HantooError) as unknown:
            c.place_order("599999", "buy", 1, 1000)
        assert "MCA05918" in str(unknown.value)
        with pytest.raises(HantooError) as odd_unit:
            c.place_order(code, "buy", 15, ask.price)
        assert "APBK0400" in str(odd_unit.value) and "10" in str(odd_unit.value)
        with pytest.raises(HantooError) as market:
            c.place_order(code, "buy", 10, order_type="market")
        assert "APBK0506" in str(market.value) and "limit order only" in str(market.value)
        with pytest.raises(HantooError) as too_much:
            c.place_order(code, "buy", 10_000_000, ask.price)
        assert "APBK" in str(too_much.value)
        assert [s for s in sim.wire.orders() if s.body.get("PDNO") == code][-1]  # reached us
        assert c.positions() == [] or all(p.symbol != code for p in c.positions())


def test_expired_elw_is_refused_but_stays_in_the_balance() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=10_000_000)
        code = _elw(c, "2001", "C")
        ask = c.order_book(code).best_ask
        assert ask is not None
        c.place_order(code, "buy", 10, ask.price)
        ex = sim.state.exchange
        expiry = ex.universe.extra(code).elw.expiry
        # to the business day after the last trading day, 10:00
        day = ex.calendar.next_business_day(expiry)
        gap = dt.datetime.combine(day, dt.time(10), START.tzinfo) - sim.state.clock.now()
        sim.advance(int(gap.total_seconds()))
        ex.sync()  # the engine's catch-up over the months, before the request's time limit
        with pytest.raises(HantooError) as refused:
            c.place_order(code, "buy", 1, 1000)
        text = str(refused.value)
        assert "APBK1681" in text and code in text and f"{expiry:%Y-%m-%d}" in text
        assert {p.symbol: p.quantity for p in c.positions()}[code] == 10
