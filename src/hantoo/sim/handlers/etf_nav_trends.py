"""ETF NAV trend APIs: the fund's price against its NAV per day and per interval of today.

Both answer :mod:`hantoo.sim.marketdata.nav_history`, whose newest point is the NAV and price
``etfetn/inquire_price`` and ``nav_comparison_trend`` answer at the same instant. Request values
are already validated (:mod:`hantoo.sim.validation`); a non-ETF code is ``MCA05918``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..marketdata.nav_history import NavPoint, daily_navs, minute_navs
from . import BusinessError, Call, Reply, ok, register, shaped
from ._common import (
    BAD_SYMBOL,
    date_range,
    domestic_symbol,
    exchange,
    hms,
    krw,
    rate,
    ymd,
)

ROWS = 100
_CENT = Decimal("0.01")
#: ``FID_HOUR_CLS_CODE``: the interval in seconds (60 = 1 minute … 7200 = 120 minutes).
_INTERVALS = {"60": 1, "180": 3, "300": 5, "600": 10, "1800": 30, "3600": 60, "7200": 120}


def _fund(call: Call) -> str:
    code = domestic_symbol(call)
    inst = exchange(call).universe.get(code)
    if inst is None or inst.kind.value != "ETF":
        raise BusinessError(*BAD_SYMBOL)
    return code


def _sign(change: Decimal) -> str:
    return "2" if change > 0 else "5" if change < 0 else "3"


def _fields(p: NavPoint) -> dict[str, str]:
    change = p.price - p.prev_close
    nav_change = (p.nav - p.prev_nav).quantize(_CENT, ROUND_HALF_UP)
    gap = p.price - p.nav
    return {
        "stck_prpr": krw(p.price), "stck_clpr": krw(p.price), "prdy_vrss": krw(change),
        "prdy_vrss_sign": _sign(change), "prdy_ctrt": rate(change, p.prev_close),
        "acml_vol": str(p.cum_volume), "cntg_vol": str(p.volume),
        "nav": str(p.nav), "nav_prdy_vrss": str(nav_change),
        "nav_prdy_vrss_sign": _sign(nav_change),
        "nav_prdy_ctrt": rate(nav_change, p.prev_nav),
        "nav_vrss_prpr": str(gap.quantize(_CENT, ROUND_HALF_UP)),
        "dprt": rate(gap, p.nav),
    }


@register("etfetn/nav_comparison_daily_trend")
def nav_comparison_daily_trend(call: Call) -> Reply:
    """NAV 비교추이(일) (FHPST02440200): close and NAV per trading day between
    ``FID_INPUT_DATE_1`` and ``FID_INPUT_DATE_2``, newest first (today's NAV is the live one)."""
    code = _fund(call)
    today = call.now().date()
    start, end = date_range(call, 60, today)
    rows = []
    for p in daily_navs(exchange(call), code, start, min(end, today)):
        rows.append({"stck_bsop_date": ymd(p.at), **_fields(p)})
    return ok(output=shaped(call, "output", list(reversed(rows))[:ROWS]))


@register("etfetn/nav_comparison_time_trend")
def nav_comparison_time_trend(call: Call) -> Reply:
    """NAV 비교추이(분) (FHPST02440100): today's price and NAV at the end of every interval of
    ``FID_HOUR_CLS_CODE`` seconds the fund traded in, newest first (the newest is now)."""
    code = _fund(call)
    raw = call.param("FID_HOUR_CLS_CODE")
    interval = _INTERVALS.get(raw)
    if interval is None:
        raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_FID_HOUR_CLS_CODE "
                            f"(one of {', '.join(_INTERVALS)} seconds)", rt_cd="2")
    rows = []
    for p in minute_navs(exchange(call), code, interval):
        rows.append({"bsop_hour": hms(p.at), **_fields(p)})  # type: ignore[arg-type]
    return ok(output=shaped(call, "output", list(reversed(rows))[:ROWS]))


@register("domestic_stock/inquire_index_timeprice")
def inquire_index_timeprice(call: Call) -> Reply:
    """국내업종 시간별지수(분) (FHPUP02110200): the index at the end of every ``FID_INPUT_HOUR_1``
    seconds (60, 300, 600, … 3600) today, newest first; the newest is ``inquire_index_price``'s
    level, volume and value at the same instant."""
    from ..marketdata.index_intraday import intraday_levels
    from ..marketdata.indices import INDICES

    code = call.param("FID_INPUT_ISCD")
    if code not in INDICES:
        raise BusinessError(*BAD_SYMBOL)
    raw = call.param("FID_INPUT_HOUR_1") or "60"
    if not raw.isdigit() or int(raw) % 60 or not 60 <= int(raw) <= 3600:
        raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_FID_INPUT_HOUR_1 "
                            "(seconds: 60, 300, 600, ... up to 3600)", rt_cd="2")
    rows = []
    for p in intraday_levels(exchange(call), code, int(raw) // 60):
        change = p.level - p.prev_close
        rows.append({"bsop_hour": hms(p.start), "bstp_nmix_prpr": str(p.level),
                     "bstp_nmix_prdy_vrss": str(change), "prdy_vrss_sign": _sign(change),
                     "bstp_nmix_prdy_ctrt": rate(change, p.prev_close),
                     "acml_tr_pbmn": krw(p.cum_value), "acml_vol": str(p.cum_volume),
                     "cntg_vol": str(p.volume)})
    return ok(output=shaped(call, "output", list(reversed(rows))[:ROWS]))
