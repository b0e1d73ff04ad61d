"""ELW expiry through the SDK: automatic exercise and cash settlement on the payment date.

KRX ELWs are European and cash-settled: after the last trading day an in-the-money warrant
pays ``(settlement − strike) × conversion ratio`` per warrant (a put the other way round),
truncated to whole won, on the second business day after the last trading day; the rest lapse.
For a stock ELW the settlement price is the mean of the underlying's closes over the five trading
days up to the last trading day, for a KOSPI200 ELW the index's close on it (100 won a point).
The expected payment is computed here from the underlying's daily candles (the index's daily
chart) and the ELW's terms as the SDK reads them, not from the simulator's code.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import pytest

from hantoo.domain import OrderStatus, Side
from hantoo.sim.engine.invariants import check_invariants

sys.path.insert(0, str(Path(__file__).parent))
from simkit import ACCOUNT, START, private_sim

UNDERLYING = "005930"
KOSPI200 = "2001"
WON_PER_POINT = 100
"""KRX: a KOSPI200 ELW pays 100 won per index point × its conversion ratio."""
QTY = 100


@dataclass(frozen=True)
class Held:
    code: str
    underlying: str
    call: bool
    strike: Decimal
    ratio: Decimal


def _rows(c: Any, underlying: str, kind: str) -> list[Any]:
    return list(c.elw.udrl_asset_price(
        fid_cond_mrkt_div_code="W", fid_cond_scr_div_code="11541", fid_mrkt_cls_code=kind,
        fid_input_iscd="00000", fid_unas_input_iscd=underlying, fid_vol_cnt="",
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


def _lowest_strike(c: Any, underlying: str, kind: str, expiry: dt.date) -> Held:
    row = min((r for r in _rows(c, underlying, kind) if r.stck_last_tr_date == expiry),
              key=lambda r: r.acpr)
    return Held(str(row.elw_shrn_iscd), underlying, kind == "C", row.acpr, row.stck_cnvr_rate)


def _buy_at_expiry(sim: Any, c: Any) -> tuple[list[Held], dt.date]:
    """On the nearest last trading day: buy the lowest-strike stock call and KOSPI200 call (in
    the money) and the lowest-strike stock put (out of the money), all from the LP."""
    expiry = min(r.stck_last_tr_date for r in _rows(c, UNDERLYING, "C"))
    _to(sim, expiry)
    held = [_lowest_strike(c, UNDERLYING, "C", expiry), _lowest_strike(c, UNDERLYING, "P", expiry),
            _lowest_strike(c, KOSPI200, "C", expiry)]
    spot = c.quote(UNDERLYING).price
    assert held[0].strike < spot * Decimal("0.97") and held[1].strike < spot * Decimal("0.97")
    for h in held:
        ask = c.order_book(h.code).best_ask
        assert ask is not None
        o = c.place_order(h.code, "buy", QTY, ask.price)
        assert o.refresh().status is OrderStatus.FILLED
    pos = {p.symbol: p.quantity for p in c.positions()}
    assert [pos.get(h.code) for h in held] == [QTY] * 3
    return held, expiry


def _index_close(c: Any, day: dt.date) -> Decimal:
    rows = c.domestic_stock.inquire_daily_indexchartprice(
        fid_cond_mrkt_div_code="U", fid_input_iscd=KOSPI200, fid_input_date_1=f"{day:%Y%m%d}",
        fid_input_date_2=f"{day:%Y%m%d}", fid_period_div_code="D").output2
    return Decimal(next(r.bstp_nmix_prpr for r in rows if r.stck_bsop_date == day))


def _expected(c: Any, h: Held, expiry: dt.date) -> int:
    """Won paid per warrant: the KRX rule applied to the SDK's daily closes and the terms."""
    if h.underlying == KOSPI200:  # the index's close on the last trading day
        settle, unit = _index_close(c, expiry), WON_PER_POINT
    else:  # the mean of the stock's last five closes, the last trading day included
        bars = c.candles(h.underlying, expiry - dt.timedelta(days=14), expiry)
        closes = [b.close for b in sorted(bars, key=lambda b: b.time)][-5:]
        assert len(closes) == 5 and max(b.time.date() for b in bars) == expiry
        settle, unit = sum(closes, Decimal(0)) / 5, 1
    diff = settle - h.strike if h.call else h.strike - settle
    return int(max(Decimal(0), diff * h.ratio * unit).to_integral_value(ROUND_FLOOR))


def _check_paid(sim: Any, c: Any, held: list[Held], expiry: dt.date, cash0: Decimal,
                extra: Decimal = Decimal(0)) -> None:
    per = [_expected(c, h, expiry) for h in held]
    assert per[0] > 0 and per[1] == 0 and per[2] > 0  # the calls finished in the money
    assert _krw(sim) == cash0 + sum(p * QTY for p in per) + extra
    left = {p.symbol for p in c.positions()}
    assert not left & {h.code for h in held}
    pay = _business_days_after(sim, expiry, 2)
    fills = sorted((f.symbol, f.side, f.quantity, f.price) for f in c.fills(pay, pay))
    assert fills == sorted((h.code, Side.SELL, QTY, p) for h, p in zip(held, per, strict=True)
                           if p)
    assert check_invariants(sim.state.exchange) == []  # cash and warrants conserved


def test_itm_call_paid_otm_put_lapses_on_the_payment_date() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=50_000_000)
        held, expiry = _buy_at_expiry(sim, c)
        cash0 = _krw(sim)
        # the day after the last trading day: expired, not yet paid — still in the balance
        nxt = _business_days_after(sim, expiry, 1)
        _to(sim, nxt)
        assert _krw(sim) == cash0
        assert {p.symbol: p.quantity for p in c.positions()}[held[0].code] == QTY
        _to(sim, _business_days_after(sim, expiry, 2))
        _check_paid(sim, c, held, expiry, cash0)


# Four simulators, two of them replaying days of the market from the journal alone: ~25 s on a
# quiet machine, more beside the other test worker, so the default 60 s hang guard is too tight.
@pytest.mark.timeout(240)
def test_payment_survives_a_restart_from_the_state_file(tmp_path: Path) -> None:
    state = str(tmp_path / "sim.sqlite3")
    with private_sim(state_path=state) as sim, sim.client() as c:
        sim.fund(krw=50_000_000)
        held, expiry = _buy_at_expiry(sim, c)
        cash0 = _krw(sim)
        sim.state.exchange.checkpoint()  # what follows is in the journal only
        pay = _business_days_after(sim, expiry, 2)
        _to(sim, pay, dt.time(11))
        sim.fund(krw=1_000)  # a journaled command after the payment: replay runs up to it
        sim.state.exchange.flush()
        paid = _krw(sim)
        records = sorted((f.order_no, f.symbol, f.quantity, f.price) for f in c.fills(pay, pay))
    with private_sim(state_path=state) as sim2, sim2.client() as c2:
        assert _krw(sim2) == paid
        # the replayed payment is the same records, order numbers included
        assert sorted((f.order_no, f.symbol, f.quantity, f.price)
                      for f in c2.fills(pay, pay)) == records
        _check_paid(sim2, c2, held, expiry, cash0, Decimal(1_000))
    # restarted between expiry and payment: the payment still happens, once
    state2 = str(tmp_path / "sim2.sqlite3")
    with private_sim(state_path=state2) as sim, sim.client() as c:
        sim.fund(krw=50_000_000)
        held, expiry = _buy_at_expiry(sim, c)
        cash0 = _krw(sim)
        _to(sim, _business_days_after(sim, expiry, 1))
        sim.fund(krw=500)
        sim.state.exchange.flush()
    with private_sim(state_path=state2) as sim2, sim2.client() as c2:
        assert _krw(sim2) == cash0 + 500
        _to(sim2, _business_days_after(sim2, expiry, 2))
        _to(sim2, _business_days_after(sim2, expiry, 3))
        _check_paid(sim2, c2, held, expiry, cash0, Decimal(500))


def test_snapshot_after_the_last_trading_day_keeps_the_expired_elw(tmp_path: Path) -> None:
    """An expired ELW is no longer listed: the snapshot itself must keep the issue, or the
    restarted simulator could neither value the position nor pay it."""
    state = str(tmp_path / "sim.sqlite3")
    with private_sim(state_path=state) as sim, sim.client() as c:
        sim.fund(krw=50_000_000)
        held, expiry = _buy_at_expiry(sim, c)
        cash0 = _krw(sim)
        _to(sim, _business_days_after(sim, expiry, 1))
        sim.state.exchange.checkpoint()
    with private_sim(state_path=state) as sim2, sim2.client() as c2:
        assert {p.symbol: p.quantity for p in c2.positions()}[held[0].code] == QTY
        _to(sim2, _business_days_after(sim2, expiry, 2))
        _check_paid(sim2, c2, held, expiry, cash0)
