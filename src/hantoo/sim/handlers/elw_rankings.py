"""ELW rankings and the ELW search, from the listed ELWs as the engine trades them.

Every row is :meth:`~hantoo.sim.derivatives.market.DerivMarket.elw_quote` — the engine's
price, book and day statistics with the model's greeks — so a ranking agrees with
``inquire_elw_price`` at the same instant. Filters (underlying, issuer, call/put, price and
volume ranges, days left) apply before the sort; the sort keys are the documented ones.

Validation: ``FID_COND_MRKT_DIV_CODE`` must be ``W``; each screen number is its own; unknown
underlyings are ``MCA05918``; enumerations, ranges and dates outside their documented forms
are ``OPSQ2001`` naming the parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from ..derivatives.elw import ISSUERS, ElwQuote
from . import Call, Reply, ok, register
from ._common import exchange, parse_date
from ._futureoption import choice, invalid, market, num, pts
from .elw_quotes import (
    _atm,
    _change,
    _issuer,
    _price_row,
    _quotes,
    _under_change,
    _underlying,
)

MAX_ROWS = 100
"""KIS answers at most 100 rows per call on these screens."""
_MONTHS = {"0": (0, 99_999), "1": (0, 30), "2": (31, 60), "3": (61, 90), "4": (91, 180),
           "5": (181, 270), "6": (271, 365), "7": (366, 99_999)}


def _range(call: Call, lo_wire: str, hi_wire: str) -> tuple[Decimal | None, Decimal | None]:
    """An optional (min, max) pair of non-negative numbers; blank ends are open."""
    out: list[Decimal | None] = []
    for wire in (lo_wire, hi_wire):
        raw = call.param(wire).strip()
        if not raw:
            out.append(None)
            continue
        try:
            v = Decimal(raw)
        except InvalidOperation:
            raise invalid(wire, f"{raw[:10]!r} is not a number (blank: no bound)") from None
        if not v.is_finite() or v < 0:
            raise invalid(wire, f"{raw[:10]!r} must be a number ≥ 0 (blank: no bound)")
        out.append(v)
    lo, hi = out
    if lo is not None and hi is not None and hi < lo:
        raise invalid(hi_wire, f"{hi} is below {lo_wire}={lo}")
    return lo, hi


def _within(v: Decimal | int, bounds: tuple[Decimal | None, Decimal | None]) -> bool:
    lo, hi = bounds
    return (lo is None or v >= lo) and (hi is None or v <= hi)


def _kind(call: Call, *, all_code: str = "0") -> str:
    cp = choice(call, "FID_DIV_CLS_CODE", ("0", "1", "2"), default=all_code)
    return {"0": "", "1": "call", "2": "put"}[cp]


def _screen(call: Call, screen: str, sorts: tuple[str, ...], *, blng: tuple[str, ...] = ("0",),
            ) -> tuple[list[ElwQuote], str]:
    """The ELWs a ranking screen selects, and its sort code."""
    choice(call, "FID_COND_MRKT_DIV_CODE", ("W",))
    choice(call, "FID_COND_SCR_DIV_CODE", (screen,))
    sort = choice(call, "FID_RANK_SORT_CLS_CODE", sorts, default=sorts[0])
    choice(call, "FID_BLNG_CLS_CODE", blng, default=blng[0])
    kind = _kind(call)
    issuer = _issuer(call, "FID_INPUT_ISCD")
    prices = _range(call, "FID_INPUT_PRICE_1", "FID_INPUT_PRICE_2")
    vols = _range(call, "FID_INPUT_VOL_1", "FID_INPUT_VOL_2")
    m = market(call)
    under = _underlying(call, m)
    quotes = _quotes(m, lambda e: (not under or e.underlying == under)
                     and (not kind or e.kind == kind) and (not issuer or e.issuer == issuer))
    return [q for q in quotes if _within(q.price, prices) and _within(q.volume, vols)], sort


def _days_left(call: Call, wire: str) -> tuple[int, int]:
    raw = call.param(wire).strip() or "0"
    if raw not in _MONTHS:
        raise invalid(wire, f"{raw[:6]!r} is not one of {', '.join(_MONTHS)} (0: all)")
    return _MONTHS[raw]


def _rank(quotes: list[ElwQuote], key: Callable[[ElwQuote], Any], *, descending: bool = True
          ) -> list[ElwQuote]:
    return sorted(quotes, key=lambda q: (key(q), q.elw.code) if not descending
                  else (-key(q), q.elw.code))[:MAX_ROWS]


def _rate(now: int, base: int) -> Decimal:
    return (Decimal(now - base) * 100 / base).quantize(Decimal("0.01")) if base else Decimal(0)


def _sign(d: int) -> str:
    return "2" if d > 0 else "5" if d < 0 else "3"


@register("elw/volume_rank")
def volume_rank(call: Call) -> Reply:
    """ELW 거래량순위 (FHPEW02780000): 0 by volume, 1 by traded value."""
    quotes, sort = _screen(call, "20278", ("0", "1"))
    lo, hi = _days_left(call, "FID_INPUT_RMNN_DYNU_1")
    parse_date(call, "FID_INPUT_DATE_1", call.now().date())
    quotes = [q for q in quotes if lo <= q.days_left <= hi]
    ranked = _rank(quotes, (lambda q: q.volume) if sort == "0" else (lambda q: q.turnover))
    rows = []
    for q in ranked:
        r = _price_row(q)
        rows.append({**r, "elw_kor_isnm": q.elw.name, "lstn_stcn": "10000000",
                     "acml_tr_pbmn": str(q.turnover), "unas_isnm": q.elw.underlying_name,
                     "unas_shrn_iscd": q.elw.underlying, "prdy_vol": "0"})
    return ok(output=rows)


@register("elw/updown_rate")
def updown_rate(call: Call) -> Reply:
    """ELW 상승률순위 (FHPEW02770000): 0 rise, 1 fall (from the previous close), 2 rise and
    3 fall from the open, 4 the day's range."""
    quotes, sort = _screen(call, "20277", ("0", "1", "2", "3", "4"))
    lo, hi = _days_left(call, "FID_INPUT_RMNN_DYNU_1")
    quotes = [q for q in quotes if lo <= q.days_left <= hi]
    keys: dict[str, tuple[Callable[[ElwQuote], Any], bool]] = {
        "0": (lambda q: _rate(q.price, q.prev), True),
        "1": (lambda q: _rate(q.price, q.prev), False),
        "2": (lambda q: _rate(q.price, q.open), True),
        "3": (lambda q: _rate(q.price, q.open), False),
        "4": (lambda q: _rate(q.high, q.low), True),
    }
    key, desc = keys[sort]
    rows = []
    for q in _rank(quotes, key, descending=desc):
        vrss, sign, rate = _change(q)
        r = _price_row(q)
        rows.append({**r, "prdy_vrss": vrss.split(".")[0], "prdy_vrss_sign": sign,
                     "prdy_ctrt": rate, "stck_sdpr": str(q.prev),
                     "sdpr_vrss_prpr_sign": _sign(q.price - q.prev),
                     "sdpr_vrss_prpr": str(q.price - q.prev),
                     "sdpr_vrss_prpr_rate": str(_rate(q.price, q.prev)),
                     "stck_oprc": str(q.open), "oprc_vrss_prpr_sign": _sign(q.price - q.open),
                     "oprc_vrss_prpr": str(q.price - q.open),
                     "oprc_vrss_prpr_rate": str(_rate(q.price, q.open)),
                     "stck_hgpr": str(q.high), "stck_lwpr": str(q.low),
                     "prd_rsfl_sign": _sign(q.price - q.prev),
                     "prd_rsfl": str(q.price - q.prev),
                     "prd_rsfl_rate": str(_rate(q.price, q.prev)),
                     "unas_isnm": q.elw.underlying_name, "unas_shrn_iscd": q.elw.underlying})
    return ok(output=rows)


@register("elw/indicator")
def indicator(call: Call) -> Reply:
    """ELW 지표순위 (FHPEW02790000): 0 leverage, 1 conversion ratio, 2 strike, 3 intrinsic
    value, 4 time value (largest first)."""
    quotes, sort = _screen(call, "20279", ("0", "1", "2", "3", "4"), blng=("0", "1", "2"))
    keys: dict[str, Callable[[ElwQuote], Any]] = {
        "0": lambda q: q.leverage, "1": lambda q: q.elw.ratio, "2": lambda q: q.elw.strike,
        "3": lambda q: q.intrinsic, "4": lambda q: Decimal(q.price) - q.intrinsic,
    }
    rows = []
    for q in _rank(quotes, keys[sort]):
        vrss, sign, rate = _change(q)
        rows.append({"elw_shrn_iscd": q.elw.code, "elw_kor_isnm": q.elw.name,
                     "elw_prpr": str(q.price), "prdy_vrss": vrss.split(".")[0],
                     "prdy_vrss_sign": sign, "prdy_ctrt": rate, "acml_vol": str(q.volume),
                     "stck_cnvr_rate": pts(q.elw.ratio, 4), "lvrg_val": str(q.leverage),
                     "acpr": pts(q.elw.strike), "tmvl_val": pts(Decimal(q.price) - q.intrinsic),
                     "invl_val": pts(q.intrinsic), "elw_ko_barrier": "0"})
    return ok(output=rows)


@register("elw/quick_change")
def quick_change(call: Call) -> Reply:
    """ELW 당일급변종목 (FHPEW02870000): the largest moves against a reference —
    ``FID_HOUR_CLS_CODE`` 1 (minutes ago: the price ``FID_INPUT_HOUR_1`` minutes back, from
    the day's prints) or 2 (days ago: the close ``FID_INPUT_HOUR_1`` business days back);
    sort 0 rise, 1 fall, 2 either way."""
    quotes, sort = _screen(call, "20287", ("0", "1", "2"), blng=("0", "1", "2"))
    choice(call, "FID_MRKT_CLS_CODE", ("", "A", "C", "P", "W"), default="")
    mode = choice(call, "FID_HOUR_CLS_CODE", ("1", "2"))
    raw = call.param("FID_INPUT_HOUR_1").strip()
    if not raw.isdigit() or not 0 < int(raw) <= (390 if mode == "1" else 60):
        raise invalid("FID_INPUT_HOUR_1", f"{raw[:6]!r}: minutes (1–390) or business days "
                                          "(1–60) back, by FID_HOUR_CLS_CODE")
    back = int(raw)
    hour2 = call.param("FID_INPUT_HOUR_2").strip()
    if hour2 and not (len(hour2) in (4, 6) and hour2.isdigit()):
        raise invalid("FID_INPUT_HOUR_2", f"{hour2[:8]!r}: HHMM or HHMMSS, or blank")
    ex = exchange(call)
    now = call.now()

    def reference(q: ElwQuote) -> int:
        if mode == "2":
            cal = ex.calendar
            d = now.date()
            for _ in range(back):
                d = cal.previous_business_day(d)
            bars = ex.daily_candles(q.elw.code, d, d, "D")
            return int(bars[0].close) if bars else q.prev
        cut = now - timedelta(minutes=back)
        ref = q.prev
        for t in reversed(ex.trades(q.elw.code, limit=100_000)):
            if t.time > cut:
                break
            ref = int(t.price)
        return ref

    refs = {q.elw.code: reference(q) for q in quotes}
    moves = {c: q.price - refs[c] for c, q in zip(refs, quotes, strict=True)}
    key: Callable[[ElwQuote], Any] = {
        "0": lambda q: moves[q.elw.code], "1": lambda q: -moves[q.elw.code],
        "2": lambda q: abs(moves[q.elw.code]),
    }[sort]
    rows = []
    for q in _rank(quotes, key):
        vrss, sign, rate = _change(q)
        ref = refs[q.elw.code]
        rows.append({"elw_shrn_iscd": q.elw.code, "elw_kor_isnm": q.elw.name,
                     "elw_prpr": str(q.price), "prdy_vrss_sign": sign,
                     "prdy_vrss": vrss.split(".")[0], "prdy_ctrt": rate, "askp": str(q.ask),
                     "bidp": str(q.bid), "total_askp_rsqn": "0", "total_bidp_rsqn": "0",
                     "acml_vol": str(q.volume), "stnd_val": str(ref),
                     "stnd_val_vrss": str(q.price - ref),
                     "stnd_val_ctrt": str(_rate(q.price, ref))})
    return ok(output=rows)


_COND_SORTS: dict[str, Callable[[ElwQuote], Any]] = {
    "1": lambda q: q.elw.code, "2": lambda q: q.price, "3": lambda q: _rate(q.price, q.prev),
    "4": lambda q: q.volume, "5": lambda q: q.elw.strike, "6": lambda q: q.elw.ratio,
    "7": lambda q: q.elw.listed, "8": lambda q: q.elw.expiry, "9": lambda q: q.days_left,
    "10": lambda q: q.leverage,
}


@register("elw/cond_search")
def cond_search(call: Call) -> Reply:
    """ELW 종목검색 (FHKEW15100000): filters on price, volume, days left, leverage, implied
    volatility, gearing, break-even rate, delta, strike, conversion ratio, parity and theta;
    sorted by ``FID_RANK_SORT_CLS_CODE`` (0 none … 10 leverage), ``FID_INPUT_CNT_1`` 1 top
    (descending) or 2 bottom."""
    choice(call, "FID_COND_MRKT_DIV_CODE", ("W",))
    choice(call, "FID_COND_SCR_DIV_CODE", ("11510",))
    sort = choice(call, "FID_RANK_SORT_CLS_CODE", ("0", *_COND_SORTS), default="0")
    order = choice(call, "FID_INPUT_CNT_1", ("1", "2"), default="1")
    kind = {"": "", "0": "", "C": "call", "1": "call", "P": "put", "2": "put", "A": ""}[
        choice(call, "FID_MRKT_CLS_CODE", ("", "0", "A", "C", "P", "1", "2"), default="")]
    choice(call, "FID_DIV_CLS_CODE", ("", "0", "1", "2"), default="")
    issuer = _issuer(call, "FID_INPUT_ISCD")
    start = parse_date(call, "FID_INPUT_DATE_1", call.now().date().replace(year=1900))
    end = parse_date(call, "FID_INPUT_DATE_2", call.now().date().replace(year=9999))
    if end < start:
        raise invalid("FID_INPUT_DATE_2", f"{end:%Y%m%d} is before FID_INPUT_DATE_1")
    bounds = {w: _range(call, f"{w}1", f"{w}2") for w in (
        "FID_PRPR_CNT", "FID_RSFL_RATE", "FID_VOL", "FID_LVRG_VAL", "FID_INTS_VLTL",
        "FID_GEAR", "FID_PRLS_QRYR_RATE", "FID_ACPR", "FID_STCK_CNVR_RATE", "FID_PRIT")}
    days = _range(call, "FID_INPUT_RMNN_DYNU_1", "FID_INPUT_RMNN_DYNU_2")
    delta = _signed(call, "FID_DELTA1", "FID_DELTA2")
    theta = _signed(call, "FID_THETA1", "FID_THETA2")
    m = market(call)
    under = _underlying(call, m)
    quotes = _quotes(m, lambda e: (not under or e.underlying == under)
                     and (not kind or e.kind == kind) and (not issuer or e.issuer == issuer)
                     and start <= e.expiry <= end)

    def keep(q: ElwQuote) -> bool:
        iv = Decimal(num(q.iv * 100 if q.iv is not None else None, 2))
        values: dict[str, Decimal | int] = {
            "FID_PRPR_CNT": q.price, "FID_RSFL_RATE": abs(_rate(q.price, q.prev)),
            "FID_VOL": q.volume, "FID_LVRG_VAL": q.leverage, "FID_INTS_VLTL": iv,
            "FID_GEAR": q.gearing, "FID_PRLS_QRYR_RATE": abs(q.breakeven_rate),
            "FID_ACPR": q.elw.strike, "FID_STCK_CNVR_RATE": q.elw.ratio, "FID_PRIT": q.parity}
        return (all(_within(values[w], b) for w, b in bounds.items())
                and _within(q.days_left, days)
                and _within_signed(Decimal(num(q.greeks.delta)), delta)
                and _within_signed(Decimal(num(q.greeks.theta)), theta))

    found = [q for q in quotes if keep(q)]
    if sort != "0":
        found.sort(key=_COND_SORTS[sort], reverse=order == "1")
    rows = []
    for q in found[:MAX_ROWS]:
        vrss, sign, rate = _change(q)
        uv, us, ur = _under_change(q)
        rows.append({
            "bond_shrn_iscd": q.elw.code, "hts_kor_isnm": q.elw.name,
            "rght_type_name": "콜" if q.elw.kind == "call" else "풋", "elw_prpr": str(q.price),
            "prdy_vrss": vrss.split(".")[0], "prdy_vrss_sign": sign, "prdy_ctrt": rate,
            "acml_vol": str(q.volume), "acpr": pts(q.elw.strike),
            "stck_cnvr_rate": pts(q.elw.ratio, 4), "stck_lstn_date": f"{q.elw.listed:%Y%m%d}",
            "stck_last_tr_date": f"{q.elw.expiry:%Y%m%d}", "hts_rmnn_dynu": str(q.days_left),
            "unas_isnm": q.elw.underlying_name, "unas_prpr": pts(q.spot),
            "unas_prdy_vrss": uv, "unas_prdy_vrss_sign": us, "unas_prdy_ctrt": ur,
            "moneyness": str(q.parity), "atm_cls_name": _atm(q), "prit": str(q.parity),
            "delta_val": num(q.greeks.delta),
            "hts_ints_vltl": num(q.iv * 100 if q.iv is not None else None, 2),
            "tmvl_val": pts(Decimal(q.price) - q.intrinsic), "gear": str(q.gearing),
            "lvrg_val": str(q.leverage), "prls_qryr_rate": str(q.breakeven_rate), "cfp": "0",
            "lstn_stcn": "10000000", "pblc_co_name": _issuer_name(q),
            "lp_mbcr_name": _issuer_name(q), "elw_rght_form": "유럽형",
            "elw_ko_barrier": "0", "apprch_rate": "0", "unas_shrn_iscd": q.elw.underlying,
            "mtrt_date": f"{q.elw.expiry:%Y%m%d}", "tick_conv_prc": "5",
            "prls_qryr_stpr_prc": pts(q.spot * (1 + q.breakeven_rate / 100)),
        })
    return ok(output=rows)


def _issuer_name(q: ElwQuote) -> str:
    return ISSUERS[q.elw.issuer]


def _signed(call: Call, lo_wire: str, hi_wire: str) -> tuple[Decimal | None, Decimal | None]:
    """An optional (min, max) pair that may be negative (delta, theta)."""
    out: list[Decimal | None] = []
    for wire in (lo_wire, hi_wire):
        raw = call.param(wire).strip()
        try:
            v = Decimal(raw) if raw else None
        except InvalidOperation:
            raise invalid(wire, f"{raw[:10]!r} is not a number (blank: no bound)") from None
        if v is not None and not v.is_finite():
            raise invalid(wire, f"{raw[:10]!r} is not a finite number")
        out.append(v)
    return out[0], out[1]


def _within_signed(v: Decimal, b: tuple[Decimal | None, Decimal | None]) -> bool:
    return _within(v, b)
