"""ELW expiry through the SDK: automatic exercise and cash settlement on the payment date.

KRX ELWs are European and cash-settled: after the last trading day an in-the-money warrant
pays ``(settlement − strike) × conversion ratio`` per warrant (a put the other way round),
truncated to whole won, on the second business day after the last trading day; the rest lapse.
For a stock ELW the settlement price is the mean of the underlying's closes over the five trading
days up to the last trading day. The expected payment is computed here from the underlying's
daily candles and the ELW's terms as the SDK reads them, not from the simulator's code.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from hantoo.domain import OrderStatus, Side
from hantoo.sim.engine.invariants import check_invariants

sys.path.insert(0, str(Path(__file__).parent))
from simkit import ACCOUNT, START, private_sim

UNDERLYING = "005930"
QTY = 100


def _rows(c: Any, kind: str) -> list[Any]:
    return list(c.elw.udrl_asset_price(
        fid_cond_mrkt_div_code="W", fid_cond_scr_div_code="11541", fid_mrkt_cls_code=kind,
        fid_input_iscd="00000", fid_unas_input_iscd=UNDERLYING, fid_vol_cnt="",
        fid_trgt_exls_cls_code="0", fid_input_price_1="", fid_input_price_2="",
        fid_input_vol_1="", fid_input_vol_2="", fid_input_rmnn_dynu_1="",
        fid_input_rmnn_dynu_2="", fid_option="0", fid_input_option_1="",
        fid_input_option_2="").output)


def _krw(sim: Any) -> Decimal:
    s = next(s for s in sim.state.exchange.balance(ACCOUNT).summary if s.currency == "KRW")
    return Decimal(s.cash_d2)


def _to(sim: Any, day: dt.date, at: dt.time = dt.time(10)) -> None:
    gap = dt.datetime.combine(day, at, START.tzinfo) - sim.state.clock.now()
    sim.advance(int(gap.total_seconds()))
    sim.state.exchange.sync()  # the engine's catch-up over the days, outside a request


def _business_days_after(sim: Any, day: dt.date, n: int) -> dt.date:
    """The n-th KRX trading day after ``day`` (the simulator's trading calendar)."""
    for _ in range(n):
        day = sim.state.exchange.calendar.next_business_day(day)
    return day


def _buy_at_expiry(sim: Any, c: Any) -> tuple[Any, Any, dt.date]:
    """On the nearest last trading day: buy the lowest-strike call (in the money) and the
    lowest-strike put (out of the money); both fill against the LP."""
    calls, puts = _rows(c, "C"), _rows(c, "P")
    expiry = min(r.stck_last_tr_date for r in calls)
    _to(sim, expiry)
    spot = c.quote(UNDERLYING).price
    call = min((r for r in _rows(c, "C") if r.stck_last_tr_date == expiry), key=lambda r: r.acpr)
    put = min((r for r in _rows(c, "P") if r.stck_last_tr_date == expiry), key=lambda r: r.acpr)
    assert call.acpr < spot * Decimal("0.97") and put.acpr < spot * Decimal("0.97")
    for r in (call, put):
        ask = c.order_book(r.elw_shrn_iscd).best_ask
        assert ask is not None
        o = c.place_order(r.elw_shrn_iscd, "buy", QTY, ask.price)
        assert o.refresh().status is OrderStatus.FILLED
    held = {p.symbol: p.quantity for p in c.positions()}
    assert held[call.elw_shrn_iscd] == QTY and held[put.elw_shrn_iscd] == QTY
    return call, put, expiry


def _expected(c: Any, row: Any, kind: str, expiry: dt.date) -> int:
    """Won paid per warrant: the KRX rule applied to the SDK's candles and the ELW's terms."""
    bars = c.candles(UNDERLYING, expiry - dt.timedelta(days=14), expiry)
    closes = [b.close for b in sorted(bars, key=lambda b: b.time) if b.time.date() <= expiry][-5:]
    assert len(closes) == 5 and sorted(b.time.date() for b in bars)[-1] == expiry
    settle = sum(closes, Decimal(0)) / 5
    diff = settle - row.acpr if kind == "call" else row.acpr - settle
    return int(max(Decimal(0), diff * row.stck_cnvr_rate).to_integral_value(ROUND_FLOOR))


def _check_paid(sim: Any, c: Any, call: Any, put: Any, expiry: dt.date, cash0: Decimal,
                extra: Decimal = Decimal(0)) -> None:
    per_call, per_put = _expected(c, call, "call", expiry), _expected(c, put, "put", expiry)
    assert per_call > 0 and per_put == 0  # the call finished in the money, the put did not
    assert _krw(sim) == cash0 + per_call * QTY + extra
    held = {p.symbol for p in c.positions()}
    assert call.elw_shrn_iscd not in held and put.elw_shrn_iscd not in held
    pay = _business_days_after(sim, expiry, 2)
    fills = [(f.symbol, f.side, f.quantity, f.price)
             for f in c.fills(pay, pay) if f.symbol in (call.elw_shrn_iscd, put.elw_shrn_iscd)]
    assert fills == [(call.elw_shrn_iscd, Side.SELL, QTY, per_call)]
    assert check_invariants(sim.state.exchange) == []  # cash and warrants conserved


def test_itm_call_paid_otm_put_lapses_on_the_payment_date() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=50_000_000)
        call, put, expiry = _buy_at_expiry(sim, c)
        cash0 = _krw(sim)
        # the day after the last trading day: expired, not yet paid — still in the balance
        nxt = _business_days_after(sim, expiry, 1)
        _to(sim, nxt)
        assert _krw(sim) == cash0
        assert {p.symbol: p.quantity for p in c.positions()}[call.elw_shrn_iscd] == QTY
        _to(sim, _business_days_after(sim, expiry, 2))
        _check_paid(sim, c, call, put, expiry, cash0)


def test_payment_survives_a_restart_from_the_state_file(tmp_path: Path) -> None:
    state = str(tmp_path / "sim.sqlite3")
    with private_sim(state_path=state) as sim, sim.client() as c:
        sim.fund(krw=50_000_000)
        call, put, expiry = _buy_at_expiry(sim, c)
        cash0 = _krw(sim)
        sim.state.exchange.checkpoint()  # what follows is in the journal only
        pay = _business_days_after(sim, expiry, 2)
        _to(sim, pay, dt.time(11))
        sim.fund(krw=1_000)  # a journaled command after the payment: replay runs up to it
        sim.state.exchange.flush()
        paid = _krw(sim)
    with private_sim(state_path=state) as sim2, sim2.client() as c2:
        assert _krw(sim2) == paid
        _check_paid(sim2, c2, call, put, expiry, cash0, Decimal(1_000))
    # restarted between expiry and payment: the payment still happens, once
    state2 = str(tmp_path / "sim2.sqlite3")
    with private_sim(state_path=state2) as sim, sim.client() as c:
        sim.fund(krw=50_000_000)
        call, put, expiry = _buy_at_expiry(sim, c)
        cash0 = _krw(sim)
        _to(sim, _business_days_after(sim, expiry, 1))
        sim.fund(krw=500)
        sim.state.exchange.flush()
    with private_sim(state_path=state2) as sim2, sim2.client() as c2:
        assert _krw(sim2) == cash0 + 500
        _to(sim2, _business_days_after(sim2, expiry, 2))
        _to(sim2, _business_days_after(sim2, expiry, 3))
        _check_paid(sim2, c2, call, put, expiry, cash0, Decimal(500))
