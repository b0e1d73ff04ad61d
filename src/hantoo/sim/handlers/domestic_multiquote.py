"""관심종목(멀티종목) 시세조회 (``intstock_multprice``, FHKST11300006): up to 30 quotes per call.

Why from the engine: a client that prices a watchlist with this call and then one symbol with
``inquire_price`` must see the same last price, volume and limits in both.

As KIS: ``FID_INPUT_ISCD_1`` is required; slots 2–30 are optional and may be left out. One row per
given slot, in slot order. An unknown code fails the whole call with the same ``MCA05918`` that
``inquire_price`` answers for it (the simulator's choice; the reference does not say).
"""

from __future__ import annotations

from ..engine.views import Quote
from . import Call, Reply, ok, register
from ._common import domestic_symbol, engine_errors, exchange, fields_of, krw, row

MAX_SLOTS = 30
_MARKET = {"KOSPI": "KOSPI", "KOSDAQ": "KOSDAQ", "KONEX": "KONEX"}
_TRTM = {"continuous": "장중", "opening_auction": "장전", "closing_auction": "장마감",
         "post_market": "장후", "after_hours": "시간외", "closed": "장마감", "break": "장중"}


def _fields(q: Quote) -> dict[str, str]:
    phase = getattr(q.phase, "value", str(q.phase))
    return {
        "kospi_kosdaq_cls_name": _MARKET.get(q.market.value, q.market.value),
        "mrkt_trtm_cls_name": _TRTM.get(phase, "장중"),
        "hour_cls_code": "0",
        "inter_shrn_iscd": q.symbol,
        "inter_kor_isnm": q.name,
        "inter2_prpr": krw(q.price),
        "inter2_prdy_vrss": krw(q.change),
        "prdy_vrss_sign": q.change_sign,
        "prdy_ctrt": str(q.change_rate),
        "acml_vol": str(q.volume),
        "inter2_oprc": krw(q.open),
        "inter2_hgpr": krw(q.high),
        "inter2_lwpr": krw(q.low),
        "inter2_llam": krw(q.lower_limit) if q.lower_limit is not None else "0",
        "inter2_mxpr": krw(q.upper_limit) if q.upper_limit is not None else "0",
        "inter2_askp": krw(q.best_ask) if q.best_ask is not None else "0",
        "inter2_bidp": krw(q.best_bid) if q.best_bid is not None else "0",
        "acml_tr_pbmn": krw(q.trade_value),
        "inter2_prdy_clpr": krw(q.prev_close),
        "inter2_sdpr": krw(q.prev_close),
    }


@register("domestic_stock/intstock_multprice")
def intstock_multprice(call: Call) -> Reply:
    codes = [domestic_symbol(call, "FID_INPUT_ISCD_1")]
    for slot in range(2, MAX_SLOTS + 1):
        if call.param(f"FID_INPUT_ISCD_{slot}"):
            codes.append(domestic_symbol(call, f"FID_INPUT_ISCD_{slot}"))
    ex = exchange(call)
    fields = fields_of(call, "output")
    rows = []
    for i, code in enumerate(codes):
        with engine_errors():
            q: Quote = ex.quote(code)
        rows.append(row(call, fields, _fields(q), index=i))
    return ok(output=rows)
