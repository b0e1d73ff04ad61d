"""Domestic futures/options quotes, answered from the simulator's derivatives market.

Rules: prices are the market's (last trade of the day, else the house's mid quote, which is the
model value on the tick grid); theoretical prices, greeks and implied volatility come from
:mod:`hantoo.sim.derivatives.pricing`; the underlying levels from the index module. A code that
is not a listed series is ``MCA05918`` naming it; a market code that does not fit the series
(``O`` for a futures code, …) is refused with ``OPSQ2001`` naming the parameter.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..derivatives.market import Snapshot
from ..marketdata.indices import index_level
from . import Call, Reply, ok, register
from ._common import engine_errors, exchange
from ._futureoption import (
    change_fields,
    choice,
    instrument,
    invalid,
    market,
    market_code,
    num,
    pts,
    won,
)

_INDEX_NAMES = {"2001": "코스피200", "3003": "코스닥150"}


def _snap(call: Call, code: str) -> Snapshot:
    with engine_errors():
        return market(call).snapshot(code)


def _price_block(s: Snapshot, today: date) -> dict[str, str]:
    inst = s.inst
    vrss, sign, rate = change_fields(s.price, s.base, at_upper=s.price >= s.upper,
                                     at_lower=s.price <= s.lower)
    days = (inst.expiry - today).days
    g = s.greeks
    basis = s.price - s.spot if not inst.is_option and not inst.product.on_stock else Decimal(0)
    dprt = ((s.price - s.theo) * 100 / s.theo).quantize(Decimal("0.01")) if s.theo else 0
    return {
        "hts_kor_isnm": inst.name,
        "futs_prpr": pts(s.price),
        "futs_prdy_vrss": vrss,
        "prdy_vrss_sign": sign,
        "futs_prdy_clpr": pts(s.base),
        "futs_prdy_ctrt": rate,
        "acml_vol": str(s.volume),
        "acml_tr_pbmn": won(s.value),
        "hts_otst_stpl_qty": str(s.open_interest),
        "otst_stpl_qty_icdc": str(s.open_interest),
        "futs_oprc": pts(s.open),
        "futs_hgpr": pts(s.high),
        "futs_lwpr": pts(s.low),
        "futs_mxpr": pts(s.upper),
        "futs_llam": pts(s.lower),
        "basis": pts(basis),
        "futs_sdpr": pts(s.base),
        "hts_thpr": pts(s.theo),
        "dprt": str(dprt),
        "crbr_aply_mxpr": pts(s.upper),
        "crbr_aply_llam": pts(s.lower),
        "futs_last_tr_date": f"{inst.expiry:%Y%m%d}",
        "hts_rmnn_dynu": str(max(days, 0)),
        "futs_lstn_medm_hgpr": pts(s.high),
        "futs_lstn_medm_lwpr": pts(s.low),
        "delta_val": num(g.delta if g else (1.0 if not inst.is_option else None)),
        "gama": num(g.gamma if g else None),
        "theta": num(g.theta if g else None),
        "vega": num(g.vega if g else None),
        "rho": num(g.rho if g else None),
        "hist_vltl": num(inst.product.atm_vol * 100, 2),
        "hts_ints_vltl": num(s.iv * 100 if s.iv is not None else None, 2),
        "mrkt_basis": pts(s.price - s.theo),
        "acpr": pts(inst.strike or 0),
    }


def _underlying_block(call: Call, s: Snapshot) -> dict[str, str]:
    inst = s.inst
    if inst.product.on_stock:
        q = exchange(call).quote(inst.product.underlying)
        vrss, sign, rate = change_fields(q.price, q.prev_close, at_upper=False, at_lower=False)
        return {"bstp_cls_code": inst.product.underlying, "hts_kor_isnm": q.name,
                "bstp_nmix_prpr": pts(q.price), "prdy_vrss_sign": sign,
                "bstp_nmix_prdy_vrss": vrss, "bstp_nmix_prdy_ctrt": rate}
    lv = index_level(exchange(call), inst.group)
    assert lv is not None
    return {"bstp_cls_code": inst.group, "hts_kor_isnm": _INDEX_NAMES.get(inst.group, lv.name),
            "bstp_nmix_prpr": pts(lv.level), "prdy_vrss_sign": lv.change_sign,
            "bstp_nmix_prdy_vrss": pts(lv.change), "bstp_nmix_prdy_ctrt": pts(lv.change_rate)}


@register("domestic_futureoption/inquire_price")
def inquire_price(call: Call) -> Reply:
    """선물옵션 시세 (FHMIF10000000): output1 the series, output2/output3 its underlying."""
    mkt = market_code(call)
    inst = instrument(call, "FID_INPUT_ISCD", market_code=mkt)
    s = _snap(call, inst.code)
    under = _underlying_block(call, s)
    return ok(output1=_price_block(s, call.now().date()), output2=under, output3=under)


@register("domestic_futureoption/inquire_asking_price")
def inquire_asking_price(call: Call) -> Reply:
    """선물옵션 시세호가 (FHMIF10010000): output1 price, output2 five levels each side."""
    mkt = market_code(call)
    inst = instrument(call, "FID_INPUT_ISCD", market_code=mkt)
    s = _snap(call, inst.code)
    vrss, sign, rate = change_fields(s.price, s.base, at_upper=s.price >= s.upper,
                                     at_lower=s.price <= s.lower)
    out1 = {"hts_kor_isnm": inst.name, "futs_prpr": pts(s.price), "prdy_vrss_sign": sign,
            "futs_prdy_vrss": vrss, "futs_prdy_ctrt": rate, "acml_vol": str(s.volume),
            "futs_prdy_clpr": pts(s.base), "futs_shrn_iscd": inst.code}
    out2: dict[str, str] = {}
    for i in range(5):
        ap, aq = s.asks[i] if i < len(s.asks) else (Decimal(0), 0)
        bp, bq = s.bids[i] if i < len(s.bids) else (Decimal(0), 0)
        out2[f"futs_askp{i + 1}"] = pts(ap)
        out2[f"futs_bidp{i + 1}"] = pts(bp)
        out2[f"askp_rsqn{i + 1}"] = str(aq)
        out2[f"bidp_rsqn{i + 1}"] = str(bq)
        out2[f"askp_csnu{i + 1}"] = "1" if aq else "0"
        out2[f"bidp_csnu{i + 1}"] = "1" if bq else "0"
    out2["total_askp_rsqn"] = str(sum(q for _, q in s.asks))
    out2["total_bidp_rsqn"] = str(sum(q for _, q in s.bids))
    out2["total_askp_csnu"] = str(len(s.asks))
    out2["total_bidp_csnu"] = str(len(s.bids))
    out2["aspr_acpt_hour"] = call.now().strftime("%H%M%S")
    return ok(output1=out1, output2=out2)


def _board_row(s: Snapshot, atm_strike: Decimal) -> dict[str, str]:
    inst = s.inst
    assert inst.strike is not None
    vrss, sign, rate = change_fields(s.price, s.base, at_upper=s.price >= s.upper,
                                     at_lower=s.price <= s.lower)
    intrinsic = max(Decimal(0), (s.spot - inst.strike) if inst.kind == "call"
                    else (inst.strike - s.spot))
    g = s.greeks
    diff = inst.strike - atm_strike
    atm = "ATM" if diff == 0 else ("ITM" if (diff < 0) == (inst.kind == "call") else "OTM")
    return {
        "acpr": pts(inst.strike), "unch_prpr": pts(s.price), "optn_shrn_iscd": inst.code,
        "optn_prpr": pts(s.price), "optn_prdy_vrss": vrss, "prdy_vrss_sign": sign,
        "optn_prdy_ctrt": rate,
        "optn_bidp": pts(s.bids[0][0] if s.bids else 0),
        "optn_askp": pts(s.asks[0][0] if s.asks else 0),
        "tmvl_val": pts(max(Decimal(0), s.price - intrinsic)), "nmix_sdpr": pts(s.base),
        "acml_vol": str(s.volume),
        "seln_rsqn": str(s.asks[0][1] if s.asks else 0),
        "shnu_rsqn": str(s.bids[0][1] if s.bids else 0),
        "acml_tr_pbmn": won(s.value), "hts_otst_stpl_qty": str(s.open_interest),
        "otst_stpl_qty_icdc": "0",
        "delta_val": num(g.delta if g else None), "gama": num(g.gamma if g else None),
        "vega": num(g.vega if g else None), "theta": num(g.theta if g else None),
        "rho": num(g.rho if g else None),
        "hts_ints_vltl": num(s.iv * 100 if s.iv is not None else None, 2),
        "invl_val": pts(intrinsic), "esdg": "0",
        "dprt": str(((s.price - s.theo) * 100 / s.theo).quantize(Decimal("0.01"))
                    if s.theo else "0"),
        "hist_vltl": num(inst.product.atm_vol * 100, 2), "hts_thpr": pts(s.theo),
        "optn_oprc": pts(s.open), "optn_hgpr": pts(s.high), "optn_lwpr": pts(s.low),
        "optn_mxpr": pts(s.upper), "optn_llam": pts(s.lower), "atm_cls_name": atm,
        "rgbf_vrss_icdc": "0",
        "total_askp_rsqn": str(sum(q for _, q in s.asks)),
        "total_bidp_rsqn": str(sum(q for _, q in s.bids)),
        "futs_antc_cnpr": "0", "futs_antc_cntg_vrss": "0", "antc_cntg_vrss_sign": "3",
        "antc_cntg_prdy_ctrt": "0",
    }


@register("domestic_futureoption/display_board_callput")
def display_board_callput(call: Call) -> Reply:
    """국내옵션전광판_콜풋 (FHPIF05030100): the option chain of one expiry month
    (``FID_MTRT_CNT`` = YYYYMM) — output1 calls, output2 puts, strikes ascending."""
    choice(call, "FID_COND_MRKT_DIV_CODE", ("O",))
    choice(call, "FID_COND_SCR_DIV_CODE", ("20503",))
    choice(call, "FID_MRKT_CLS_CODE", ("CO",))
    choice(call, "FID_MRKT_CLS_CODE1", ("PO",))
    m = market(call)
    month = call.param("FID_MTRT_CNT").strip()
    with engine_errors():
        listing = m.listing()
    months = listing.expiry_months()
    if month not in months:
        raise invalid("FID_MTRT_CNT", f"{month[:8]!r}: listed expiry months are "
                                      f"{', '.join(months)} (YYYYMM)")
    opts = sorted(listing.options(month, weekly=False, product="01"),
                  key=lambda i: (i.strike or 0, i.kind))
    with engine_errors():
        spot = Decimal(repr(m.spot("2001")[0]))
    step = Decimal("2.5")
    atm = (spot / step).quantize(Decimal(1)) * step
    calls: list[dict[str, str]] = []
    puts: list[dict[str, str]] = []
    for inst in opts:
        row = _board_row(_snap(call, inst.code), atm)
        (calls if inst.kind == "call" else puts).append(row)
    return ok(output1=calls, output2=puts)


@register("domestic_futureoption/display_board_option_list")
def display_board_option_list(call: Call) -> Reply:
    """국내옵션전광판_옵션월물리스트 (FHPIO056104C0): the listed monthly expiries."""
    choice(call, "FID_COND_SCR_DIV_CODE", ("509",))
    choice(call, "FID_COND_MRKT_DIV_CODE", ("O", ""), default="")
    with engine_errors():
        months = market(call).listing().expiry_months()
    return ok(output=[{"mtrt_yymm_code": m, "mtrt_yymm": m} for m in months])


@register("domestic_futureoption/display_board_futures")
def display_board_futures(call: Call) -> Reply:
    """국내옵션전광판_선물 (FHPIF05030200): the listed index futures (``MKI`` KOSPI200 family,
    ``KQI`` KOSDAQ150, blank both)."""
    choice(call, "FID_COND_MRKT_DIV_CODE", ("F",))
    choice(call, "FID_COND_SCR_DIV_CODE", ("20503",))
    cls = choice(call, "FID_COND_MRKT_CLS_CODE", ("MKI", "KQI", "WKM", "WKI", ""), default="")
    with engine_errors():
        futs = [i for i in market(call).listing().futures() if not i.product.on_stock]
    if cls == "MKI":
        futs = [i for i in futs if i.group == "2001"]
    elif cls == "KQI":
        futs = [i for i in futs if i.group == "3003"]
    rows = []
    for inst in futs:
        s = _snap(call, inst.code)
        vrss, sign, rate = change_fields(s.price, s.base, at_upper=s.price >= s.upper,
                                         at_lower=s.price <= s.lower)
        rows.append({
            "futs_shrn_iscd": inst.code, "hts_kor_isnm": inst.name, "futs_prpr": pts(s.price),
            "futs_prdy_vrss": vrss, "prdy_vrss_sign": sign, "futs_prdy_ctrt": rate,
            "hts_thpr": pts(s.theo), "acml_vol": str(s.volume),
            "futs_askp": pts(s.asks[0][0] if s.asks else 0),
            "futs_bidp": pts(s.bids[0][0] if s.bids else 0),
            "hts_otst_stpl_qty": str(s.open_interest), "futs_hgpr": pts(s.high),
            "futs_lwpr": pts(s.low),
            "hts_rmnn_dynu": str(max(0, round(s.years * 365))),
            "total_askp_rsqn": str(sum(q for _, q in s.asks)),
            "total_bidp_rsqn": str(sum(q for _, q in s.bids)),
            "futs_antc_cnpr": "0", "futs_antc_cntg_vrss": "0", "antc_cntg_vrss_sign": "3",
            "antc_cntg_prdy_ctrt": "0",
        })
    return ok(output=rows)
