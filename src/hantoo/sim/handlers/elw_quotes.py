"""ELW quotes and screens, answered from the simulator's ELW listing and option model.

Rules: an ELW's price is its liquidity provider's quote (the model value on the 5-won grid,
:mod:`hantoo.sim.derivatives.elw`); greeks, implied volatility, gearing, leverage, parity and
break-even rates are computed from the same model and underlying, so every screen agrees with
the price API. Unknown ELW or underlying codes are ``MCA05918`` naming the code; enumeration
parameters outside their documented values are ``OPSQ2001`` naming the parameter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from ..derivatives.elw import ISSUERS, Elw, ElwQuote
from ..derivatives.elw_trading import hist_vol
from ..derivatives.market import DerivMarket
from . import BusinessError, Call, Reply, ok, register
from ._common import engine_errors, exchange, parse_date
from ._futureoption import change_fields, choice, invalid, market, num, pts

_ALL_UNDERLYING = ("000000", "00000", "")


def elw_code(call: Call, wire: str = "FID_INPUT_ISCD") -> ElwQuote:
    """The ELW a parameter names, quoted now; unknown codes → ``MCA05918`` naming it."""
    raw = call.param(wire).strip().upper()
    m = market(call)
    if raw not in m.elws():
        raise BusinessError("MCA05918", f"종목코드 오류입니다. ({wire}={raw[:12]!r}: not a listed "
                                        "ELW; see udrl-asset-price)")
    with engine_errors():
        return m.elw_quote(raw)


def _underlying(call: Call, m: DerivMarket, wire: str = "FID_UNAS_INPUT_ISCD") -> str:
    raw = call.param(wire).strip().upper()
    if raw in _ALL_UNDERLYING:
        return ""
    known = {e.underlying for e in m.elws().values()}
    if raw not in known:
        raise BusinessError("MCA05918", f"종목코드 오류입니다. ({wire}={raw[:12]!r}: no ELW on it; "
                                        f"underlyings: {', '.join(sorted(known))})")
    return raw


def _issuer(call: Call, wire: str) -> str:
    raw = call.param(wire).strip()
    if raw in ("", "00000"):
        return ""
    if raw not in ISSUERS:
        raise invalid(wire, f"{raw[:8]!r}: 00000 (all) or an issuer of "
                            f"{', '.join(sorted(ISSUERS))}")
    return raw


def _quotes(m: DerivMarket, keep: Callable[[Elw], bool]) -> list[ElwQuote]:
    with engine_errors():
        return [m.elw_quote(c) for c, e in sorted(m.elws().items()) if keep(e)]


def _change(q: ElwQuote) -> tuple[str, str, str]:
    return change_fields(Decimal(q.price), Decimal(q.prev), at_upper=False, at_lower=False)


def _under_change(q: ElwQuote) -> tuple[str, str, str]:
    return change_fields(q.spot, q.spot_prev, at_upper=False, at_lower=False)


def _atm(q: ElwQuote) -> str:
    ratio = q.spot / q.elw.strike
    if abs(ratio - 1) < Decimal("0.02"):
        return "ATM"
    itm = ratio > 1 if q.elw.kind == "call" else ratio < 1
    return "ITM" if itm else "OTM"


@register("domestic_stock/inquire_elw_price")
def inquire_elw_price(call: Call) -> Reply:
    """ELW 현재가 시세 (FHKEW15010000)."""
    choice(call, "FID_COND_MRKT_DIV_CODE", ("W",))
    q = elw_code(call)
    e = q.elw
    vrss, sign, rate = _change(q)
    uv, us, ur = _under_change(q)
    return ok(output={
        "elw_shrn_iscd": e.code, "hts_kor_isnm": e.name, "elw_prpr": str(q.price),
        "prdy_vrss": vrss.split(".")[0], "prdy_vrss_sign": sign, "prdy_ctrt": rate,
        "acml_vol": str(q.volume), "prdy_vrss_vol_rate": "0", "unas_shrn_iscd": e.underlying,
        "unas_isnm": e.underlying_name, "unas_prpr": pts(q.spot), "unas_prdy_vrss": uv,
        "unas_prdy_vrss_sign": us, "unas_prdy_ctrt": ur, "bidp": str(q.bid),
        "askp": str(q.ask), "acml_tr_pbmn": str(q.turnover), "vol_tnrt": "0",
        "elw_oprc": str(q.open), "elw_hgpr": str(q.high), "elw_lwpr": str(q.low),
        "stck_prdy_clpr": str(q.prev), "hts_thpr": pts(q.theo),
        "dprt": str(((q.price - q.theo) * 100 / q.theo).quantize(Decimal("0.01"))
                    if q.theo else "0"),
        "atm_cls_name": _atm(q),
        "hts_ints_vltl": num(q.iv * 100 if q.iv is not None else None, 2),
        "acpr": pts(e.strike), "elw_sdpr": str(q.prev), "apprch_rate": "0",
        "tick_conv_prc": "5", "invt_epmd_cntt": "",
    })


@register("elw/udrl_asset_list")
def udrl_asset_list(call: Call) -> Reply:
    """ELW 기초자산 목록조회 (FHKEW154100C0): the underlyings with their prices."""
    choice(call, "FID_COND_SCR_DIV_CODE", ("11541",))
    choice(call, "FID_RANK_SORT_CLS_CODE", tuple("0123456"))
    issuer = _issuer(call, "FID_INPUT_ISCD")
    m = market(call)
    seen: dict[str, ElwQuote] = {}
    for q in _quotes(m, lambda e: not issuer or e.issuer == issuer):
        seen.setdefault(q.elw.underlying, q)
    rows = []
    for code, q in seen.items():
        uv, us, ur = _under_change(q)
        rows.append({"unas_shrn_iscd": code, "unas_isnm": q.elw.underlying_name,
                     "unas_prpr": pts(q.spot), "unas_prdy_vrss": uv, "unas_prdy_vrss_sign": us,
                     "unas_prdy_ctrt": ur})
    return ok(output=rows)


def _price_row(q: ElwQuote) -> dict[str, str]:
    e = q.elw
    vrss, sign, rate = _change(q)
    g = q.greeks
    return {
        "elw_shrn_iscd": e.code, "hts_kor_isnm": e.name, "elw_prpr": str(q.price),
        "prdy_vrss": vrss.split(".")[0], "prdy_vrss_sign": sign, "prdy_ctrt": rate,
        "acml_vol": str(q.volume), "acpr": pts(e.strike),
        "prls_qryr_stpr_prc": pts(q.spot * (1 + q.breakeven_rate / 100)),
        "hts_rmnn_dynu": str(q.days_left),
        "hts_ints_vltl": num(q.iv * 100 if q.iv is not None else None, 2),
        "stck_cnvr_rate": pts(e.ratio, 4), "lp_hvol": "0", "lp_rlim": "100.00",
        "lvrg_val": str(q.leverage), "gear": str(q.gearing), "delta_val": num(g.delta),
        "gama": num(g.gamma, 6), "vega": num(g.vega), "theta": num(g.theta),
        "prls_qryr_rate": str(q.breakeven_rate), "cfp": "0", "prit": str(q.parity),
        "invl_val": pts(q.intrinsic), "tmvl_val": pts(Decimal(q.price) - q.intrinsic),
        "hts_thpr": pts(q.theo), "stck_lstn_date": f"{e.listed:%Y%m%d}",
        "stck_last_tr_date": f"{e.expiry:%Y%m%d}", "lp_ntby_qty": "0",
    }


@register("elw/udrl_asset_price")
def udrl_asset_price(call: Call) -> Reply:
    """ELW 기초자산별 종목시세 (FHKEW154101C0): the ELWs of one underlying (or all)."""
    choice(call, "FID_COND_MRKT_DIV_CODE", ("W",))
    choice(call, "FID_COND_SCR_DIV_CODE", ("11541",), default="11541")
    cls = choice(call, "FID_MRKT_CLS_CODE", ("A", "C", "P"))
    issuer = _issuer(call, "FID_INPUT_ISCD")
    m = market(call)
    under = _underlying(call, m)
    kind = {"A": "", "C": "call", "P": "put"}[cls]
    quotes = _quotes(m, lambda e: (not under or e.underlying == under)
                     and (not kind or e.kind == kind) and (not issuer or e.issuer == issuer))
    return ok(output=[_price_row(q) for q in quotes])


@register("elw/sensitivity")
def sensitivity(call: Call) -> Reply:
    """ELW 민감도 순위 (FHPEW02850000): greeks and volatilities, ranked by
    ``FID_RANK_SORT_CLS_CODE`` (0 delta, 1 gamma, 2 vega, 3 theta, 4 implied volatility, others
    by code)."""
    choice(call, "FID_COND_MRKT_DIV_CODE", ("W",))
    choice(call, "FID_COND_SCR_DIV_CODE", ("20285",), default="20285")
    cp = choice(call, "FID_DIV_CLS_CODE", ("0", "1", "2"), default="0")
    issuer = _issuer(call, "FID_INPUT_ISCD")
    sort = call.param("FID_RANK_SORT_CLS_CODE").strip() or "0"
    if not sort.isdigit():
        raise invalid("FID_RANK_SORT_CLS_CODE", f"{sort[:6]!r}: a digit")
    parse_date(call, "FID_INPUT_DATE_1", call.now().date())
    m = market(call)
    under = _underlying(call, m)
    kind = {"0": "", "1": "call", "2": "put"}[cp]
    quotes = _quotes(m, lambda e: (not under or e.underlying == under)
                     and (not kind or e.kind == kind) and (not issuer or e.issuer == issuer))
    keys: dict[str, Callable[[ElwQuote], float]] = {
        "0": lambda q: abs(q.greeks.delta), "1": lambda q: q.greeks.gamma,
        "2": lambda q: q.greeks.vega, "3": lambda q: q.greeks.theta,
        "4": lambda q: q.iv or 0.0,
    }
    if sort in keys:
        quotes.sort(key=keys[sort], reverse=True)
    today = call.now().date()
    hv = functools.cache(lambda under: hist_vol(exchange(call), under, today, 90))
    rows = []
    for q in quotes:
        vrss, sign, rate = _change(q)
        g = q.greeks
        rows.append({
            "elw_shrn_iscd": q.elw.code, "elw_kor_isnm": q.elw.name, "elw_prpr": str(q.price),
            "prdy_vrss": vrss.split(".")[0], "prdy_vrss_sign": sign, "prdy_ctrt": rate,
            "acml_vol": str(q.volume), "hts_thpr": pts(q.theo), "delta_val": num(g.delta),
            "gama": num(g.gamma, 6), "theta": num(g.theta), "vega": num(g.vega),
            "rho": num(g.rho), "hts_ints_vltl": num(q.iv * 100 if q.iv is not None else None, 2),
            "d90_hist_vltl": num(hv(q.elw.underlying), 2),
        })
    return ok(output=rows)


@register("elw/compare_stocks")
def compare_stocks(call: Call) -> Reply:
    """비교대상종목조회 (FHKEW151701C0): the ELWs on a stock."""
    choice(call, "FID_COND_SCR_DIV_CODE", ("11517",))
    m = market(call)
    code = call.param("FID_INPUT_ISCD").strip()
    if exchange(call).universe.get(code) is None:
        raise BusinessError("MCA05918", f"종목코드 오류입니다. (FID_INPUT_ISCD={code[:12]!r})")
    rows = [{"elw_shrn_iscd": c, "elw_kor_isnm": e.name}
            for c, e in sorted(m.elws().items()) if e.underlying == code]
    return ok(output=rows)


def _dated(call: Call, pick: Callable[[Elw], date], start: date, end: date) -> list[ElwQuote]:
    m = market(call)
    under = _underlying(call, m)
    issuer = _issuer(call, "FID_INPUT_ISCD_2")
    return _quotes(m, lambda e: start <= pick(e) <= end and (not under or e.underlying == under)
                   and (not issuer or e.issuer == issuer))


@register("elw/newly_listed")
def newly_listed(call: Call) -> Reply:
    """ELW 신규상장종목 (FHKEW154800C0): ELWs listed on or after ``FID_INPUT_DATE_1``."""
    choice(call, "FID_COND_MRKT_DIV_CODE", ("W",))
    choice(call, "FID_COND_SCR_DIV_CODE", ("11548",), default="11548")
    cp = choice(call, "FID_DIV_CLS_CODE", ("00", "01", "02"))
    choice(call, "FID_BLNG_CLS_CODE", ("0", "1", "2"))
    start = parse_date(call, "FID_INPUT_DATE_1")
    kind = {"00": "call", "01": "put", "02": ""}[cp]
    quotes = [q for q in _dated(call, lambda e: e.listed, start, call.now().date())
              if not kind or q.elw.kind == kind]
    return ok(output=[{"elw_shrn_iscd": q.elw.code, "unas_isnm": q.elw.underlying_name,
                       "lstn_stcn": "10000000", "acpr": pts(q.elw.strike),
                       "stck_last_tr_date": f"{q.elw.expiry:%Y%m%d}", "elw_ko_barrier": "0"}
                      for q in quotes])


@register("elw/expiration_stocks")
def expiration_stocks(call: Call) -> Reply:
    """ELW 만기예정/만기종목 (FHKEW154700C0): ELWs expiring between the two dates."""
    choice(call, "FID_COND_MRKT_DIV_CODE", ("W",))
    choice(call, "FID_COND_SCR_DIV_CODE", ("11547",), default="11547")
    cp = choice(call, "FID_DIV_CLS_CODE", ("0", "1", "2"))
    choice(call, "FID_BLNG_CLS_CODE", ("0", "1", "2"))
    start = parse_date(call, "FID_INPUT_DATE_1")
    end = parse_date(call, "FID_INPUT_DATE_2")
    if end < start:
        raise invalid("FID_INPUT_DATE_2", f"{end:%Y%m%d} is before FID_INPUT_DATE_1")
    kind = {"0": "call", "1": "put", "2": ""}[cp]
    quotes = [q for q in _dated(call, lambda e: e.expiry, start, end)
              if not kind or q.elw.kind == kind]
    return ok(output=[{
        "elw_shrn_iscd": q.elw.code, "elw_kor_isnm": q.elw.name,
        "unas_isnm": q.elw.underlying_name, "unas_prpr": pts(q.spot), "acpr": pts(q.elw.strike),
        "stck_cnvr_rate": pts(q.elw.ratio, 4), "elw_prpr": str(q.price),
        "stck_lstn_date": f"{q.elw.listed:%Y%m%d}", "stck_last_tr_date": f"{q.elw.expiry:%Y%m%d}",
        "unas_shrn_iscd": q.elw.underlying, "lstn_stcn": "10000000", "lp_hvol": "0",
    } for q in quotes])
