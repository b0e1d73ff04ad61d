"""Bond book, ticks, daily prices and chart from :mod:`hantoo.sim.marketdata.bond_tape`.

All four answer the same market as ``domestic_bond/inquire_price`` at the same instant: the
book's best levels are the quote's price, the newest tick and today's close are the quote's
price and today's volume is the quote's ``acml_vol``. Request values are already validated
(:mod:`hantoo.sim.validation`); an ISIN the simulator does not list is ``MCA05918``.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from decimal import Decimal

from ..marketdata.bond_desk import yield_from_price
from ..marketdata.bond_tape import LEVELS, BondBar, book, day_bar, prints
from ..marketdata.bonds import BondQuote, accrued, clean_price
from . import BusinessError, Call, Reply, fill_rows, ok, register, shaped
from ._common import dec, hms, rate, ymd
from .bond_info import _quote

DAYS = 30
TICKS = 30


def _sign(change: Decimal) -> str:
    return "2" if change > 0 else "5" if change < 0 else "3"


def _change(price: Decimal, prev: Decimal) -> dict[str, str]:
    change = price - prev
    return {"bond_prdy_vrss": dec(change), "prdy_vrss_sign": _sign(change),
            "prdy_ctrt": rate(change, prev)}


@register("domestic_bond/inquire_asking_price")
def inquire_asking_price(call: Call) -> Reply:
    """장내채권현재가(호가) (FHKBJ773401C0): the dealer's five levels a side around the quote,
    each with the yield at that price."""
    q = _quote(call)
    now = call.now()
    asks, bids = book(q.bond, now.date(), q.price, now)
    row = {"aspr_acpt_hour": hms(now)}
    for k in range(LEVELS):
        (ap, aq), (bp, bq) = asks[k], bids[k]
        row.update({
            f"bond_askp{k + 1}": dec(ap), f"bond_bidp{k + 1}": dec(bp),
            f"askp_rsqn{k + 1}": str(aq), f"bidp_rsqn{k + 1}": str(bq),
            f"seln_ernn_rate{k + 1}": str(yield_from_price(q.bond, now.date(), ap)),
            f"shnu_ernn_rate{k + 1}": str(yield_from_price(q.bond, now.date(), bp)),
        })
    total_a, total_b = sum(a[1] for a in asks), sum(b[1] for b in bids)
    row.update({"total_askp_rsqn": str(total_a), "total_bidp_rsqn": str(total_b),
                "ntby_aspr_rsqn": str(total_b - total_a)})
    return ok(output=shaped(call, "output", [row]))  # one object, as the broker's spec answers


@register("domestic_bond/inquire_ccnl")
def inquire_ccnl(call: Call) -> Reply:
    """장내채권현재가(체결) (FHKBJ773403C0): today's prints, newest first (at most 30)."""
    q = _quote(call)
    rows = [{"stck_cntg_hour": hms(p.at), "bond_prpr": dec(p.price),
             **_change(p.price, q.prev_price), "cntg_vol": str(p.qty), "acml_vol": str(p.cum_qty)}
            for p in prints(q.bond, call.now().date(), call.now())]
    return ok(output=fill_rows(call, "output", list(reversed(rows))[:TICKS]))


def _bars(call: Call, q: BondQuote) -> list[tuple[BondBar, Decimal]]:
    """(bar, previous close) per business day of the last ``DAYS``, newest first."""
    now = call.now()
    cal = call.state.calendar
    days = cal.business_days(now.date() - timedelta(days=DAYS * 2), now.date())
    out = []
    prev_close: Decimal | None = None
    for d in days:
        bar = day_bar(q.bond, d, now)
        if bar is None:
            continue
        out.append((bar, prev_close if prev_close is not None else bar.open))
        prev_close = bar.close
    return list(reversed(out))[:DAYS]


@register("domestic_bond/inquire_daily_price")
def inquire_daily_price(call: Call) -> Reply:
    """장내채권현재가(일별) (FHKBJ773404C0): per business day, newest first, the day's prints'
    open/high/low/close and volume; today's close is the quote's price."""
    q = _quote(call)
    rows = []
    for b, prev in _bars(call, q):
        rows.append({"stck_bsop_date": ymd(b.day), "bond_prpr": dec(b.close),
                     **_change(b.close, prev), "acml_vol": str(b.volume),
                     "bond_oprc": dec(b.open), "bond_hgpr": dec(b.high),
                     "bond_lwpr": dec(b.low)})
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_bond/inquire_daily_itemchartprice")
def inquire_daily_itemchartprice(call: Call) -> Reply:
    """장내채권 기간별시세(일) (FHKBJ773701C0): the same daily bars as a chart."""
    q = _quote(call)
    rows = []
    for b, _prev in _bars(call, q):
        rows.append({"stck_bsop_date": ymd(b.day), "bond_oprc": dec(b.open),
                     "bond_hgpr": dec(b.high), "bond_lwpr": dec(b.low),
                     "bond_prpr": dec(b.close), "acml_vol": str(b.volume)})
    return ok(output=fill_rows(call, "output", rows))



#: The bond pricing agencies whose evaluation prices ``avg_unit`` averages (field prefixes).
_AGENCIES = ("kis", "kbp", "nice", "fnp")
_BP = Decimal("0.01")
_AVG_ROWS = 100


def _agency_yield(code: str, day: date, agency: str, close_yield: Decimal) -> Decimal:
    """An agency's evaluation yield: the day's closing yield ± up to 2 bp (seeded)."""
    h = zlib.crc32(f"{code}|{day.isoformat()}|{agency}".encode())
    return close_yield + Decimal(h % 5 - 2) * _BP


@register("domestic_bond/avg_unit")
def avg_unit(call: Call) -> Reply:
    """장내채권 평균단가조회 (CTPF2005R): per business day between ``INQR_STRT_DT`` and
    ``INQR_END_DT``, four pricing agencies' evaluation of the bond ``PDNO`` — each a yield
    within 2 bp of the day's closing print (``inquire_daily_price``), priced by the same
    present-value arithmetic — and their average. Newest first in ``output1``; ``output2`` and
    ``output3`` the newest day's figures (in their recorded shapes)."""
    from ._common import parse_date
    from .bond_info import _bond

    bond = _bond(call, "PDNO")
    now = call.now()
    end = min(parse_date(call, "INQR_END_DT", now.date()), now.date())
    start = parse_date(call, "INQR_STRT_DT", end - timedelta(days=30))
    if start > end:
        raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_INQR_STRT_DT "
                            "(the start date is after the end date)", rt_cd="2")
    rows = []
    for d in call.state.calendar.business_days(start, end):
        ps = prints(bond, d, now)
        if not ps:
            continue
        close = ps[-1]
        acc = accrued(bond, d)
        row: dict[str, str] = {"evlu_dt": ymd(d), "pdno": bond.code, "prdt_type_cd": "302",
                               "chng_yn": "N", "output3": ""}
        prices, yields = [], []
        for a in _AGENCIES:
            y = _agency_yield(bond.code, d, a, close.yield_pct)
            px = clean_price(bond, d, y)
            prices.append(px)
            yields.append(y)
            rt = "nice_evlu_erng_rt" if a == "nice" else f"{a}_erng_rt"
            unpr = "nice_evlu_unpr" if a == "nice" else f"{a}_unpr"
            rf = "nice_evlu_rf_unpr" if a == "nice" else f"{a}_rf_unpr"
            row.update({unpr: dec(px), rt: str(y), rf: dec(px + acc),
                        f"{a}_evlu_amt": dec(px), f"{a}_crdt_grad_text": "AAA",
                        f"{a}_crcy_cd": "KRW", f"{a}_evlu_unit_pric": dec(px),
                        f"{a}_evlu_pric": dec(px + acc)})
        avg_px = sum(prices, Decimal(0)) / len(prices)
        avg_y = sum(yields, Decimal(0)) / len(yields)
        row.update({"avg_evlu_unpr": dec(avg_px), "avg_evlu_erng_rt": str(avg_y.quantize(
            Decimal("0.001"))), "avg_evlu_rf_unpr": dec(avg_px + acc),
            "avg_evlu_amt": dec(avg_px), "avg_evlu_unit_pric": dec(avg_px),
            "avg_evlu_pric": dec(avg_px + acc)})
        rows.append(row)
    rows.reverse()
    rows = rows[:_AVG_ROWS]
    return ok(output1=fill_rows(call, "output1", rows),
              output2=shaped(call, "output2", rows[:1]),
              output3=shaped(call, "output3", rows[:1]))
