"""Bond quotes and issue information from :mod:`hantoo.sim.marketdata.bonds` (issue 16).

``domestic_bond/inquire_price`` answers the clean price that is the present value of the
bond's cash flows at the quoted yield (``ernn_rate``); ``issue_info`` and ``search_bond_info``
answer the same bond's coupon, dates and next/previous coupon dates. A well-formed ISIN the
simulator does not list is ``MCA05918``.
"""

from __future__ import annotations

from decimal import Decimal

from ..marketdata.bonds import BONDS, Bond, BondQuote, coupon_dates, quote
from . import BusinessError, Call, Reply, fill, ok, register
from ._common import BAD_SYMBOL, dec, rate, ymd


def _bond(call: Call, wire: str) -> Bond:
    bond = BONDS.get(call.param(wire).upper())
    if bond is None:
        raise BusinessError(*BAD_SYMBOL)
    return bond


def _quote(call: Call) -> BondQuote:
    bond = _bond(call, "FID_INPUT_ISCD")
    now = call.now()
    prev = call.state.calendar.previous_business_day(now.date())
    q = quote(bond.code, now, prev)
    if q is None:
        raise BusinessError(*BAD_SYMBOL)
    return q


@register("domestic_bond/inquire_price")
def inquire_price(call: Call) -> Reply:
    """채권 현재가 (FHKBJ773400C0): clean price per 10,000 face at the quoted yield; the day's
    open/high/low and volume are the bond market's prints so far
    (:mod:`hantoo.sim.marketdata.bond_tape`), whose last is this price."""
    from ..marketdata.bond_tape import prints

    q = _quote(call)
    change = q.price - q.prev_price
    sign = "2" if change > 0 else "5" if change < 0 else "3"
    day = prints(q.bond, call.now().date(), call.now())
    px = [p.price for p in day] or [q.price]
    ys = [p.yield_pct for p in day] or [q.yield_pct]
    return ok(output=fill(call, "output", {
        "stnd_iscd": q.bond.code, "hts_kor_isnm": q.bond.name,
        "bond_prpr": dec(q.price), "prdy_vrss_sign": sign, "bond_prdy_vrss": dec(change),
        "prdy_ctrt": rate(change, q.prev_price), "acml_vol": str(day[-1].cum_qty if day else 0),
        "bond_prdy_clpr": dec(q.prev_price), "bond_oprc": dec(px[0]),
        "bond_hgpr": dec(max(px)), "bond_lwpr": dec(min(px)),
        "ernn_rate": str(q.yield_pct), "oprc_ert": str(ys[0]),
        "hgpr_ert": str(max(ys)), "lwpr_ert": str(min(ys)),
        "bond_mxpr": dec(q.price * Decimal("1.3")), "bond_llam": dec(q.price * Decimal("0.7")),
    }))


def _info(call: Call) -> dict[str, str]:
    bond = _bond(call, "PDNO")
    prev, nxt = coupon_dates(bond, call.now().date())
    return {
        "pdno": bond.code, "prdt_type_cd": "302", "prdt_name": bond.name,
        "ksd_bond_item_name": bond.name, "prdt_abrv_name": bond.name,
        "srfc_inrt": str(bond.coupon), "ksd_rcvg_bond_srfc_inrt": str(bond.coupon),
        "issu_dt": ymd(bond.issued), "expd_dt": ymd(bond.maturity), "rdpt_dt": ymd(bond.maturity),
        "lstg_dt": ymd(bond.issued), "papr": "10000", "int_dfrm_mcnt": "6",
        "int_caltm_mcnt": "6", "rgbf_int_dfrm_dt": ymd(prev),
        "nxtm_int_dfrm_dt": ymd(nxt[0]) if nxt else "",
        "frst_int_dfrm_dt": ymd(coupon_dates(bond, bond.issued)[1][0]),
        "expd_rdpt_rt": "100.00", "iso_crcy_cd": "KRW",
    }


@register("domestic_bond/issue_info")
def issue_info(call: Call) -> Reply:
    """장내채권 발행정보 (CTPF1101R)."""
    return ok(output=fill(call, "output", _info(call)))


@register("domestic_bond/search_bond_info")
def search_bond_info(call: Call) -> Reply:
    """장내채권 기본조회 (CTPF1114R)."""
    return ok(output=fill(call, "output", _info(call)))
