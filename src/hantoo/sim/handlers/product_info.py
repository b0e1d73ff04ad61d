"""상품기본조회 (CTPF1604R, ``search-info``) from the engine's universe.

Why a handler: clients call this TR first to learn what a code is (python-kis does, before any
quote), and read fields KIS's own sample does not list — the Korean and English names
(``prdt_name``, ``prdt_abrv_name``, ``prdt_eng_name120``...). The real answer is one object
with those fields; a code the asked product type does not cover answers ``rt_cd`` ``7``
(no data), which clients use to try the next product type.

``PRDT_TYPE_CD``: ``300`` stock/ETF/ETN (KRX), ``512`` NASDAQ, ``513`` NYSE, ``529`` AMEX, and
the other overseas exchanges' codes (``501`` Hong Kong, ``515`` Tokyo...; ``overseas.PRDT_TYPE``).
The simulator's universe has no English names; they are the Korean name for domestic issues and
the listed name for overseas ones.
"""

from __future__ import annotations

from ..generic import krx_isin
from . import BusinessError, Call, Reply, ok, register
from ._common import exchange, fields_of, row
from .overseas import PRDT_TYPE

_TYPE_OF_MARKET = {"KOSPI": "300", "KOSDAQ": "300", "KONEX": "300", **PRDT_TYPE}
#: The fields KIS answers beyond the sample's list (kept in KIS's order around them).
_EXTRA = ("prdt_name", "prdt_name120", "prdt_abrv_name", "prdt_eng_name", "prdt_eng_name120",
          "prdt_eng_abrv_name", "prdt_clsf_name", "ivst_prdt_type_cd_name")
NO_DATA = ("KIOK0560", "조회할 자료가 없습니다")


@register("domestic_stock/search_info")
def search_info(call: Call) -> Reply:
    """상품기본조회: one object naming the product, or rt_cd 7 when the type does not hold it."""
    code = call.param("PDNO").upper()
    kind = call.param("PRDT_TYPE_CD") or "300"
    inst = exchange(call).universe.get(code.lstrip("AQ") if kind == "300" else code)
    if inst is None or _TYPE_OF_MARKET.get(inst.market.value) != kind:
        raise BusinessError(NO_DATA[0], NO_DATA[1], rt_cd="7")
    domestic = not inst.market.is_overseas
    values = {
        "pdno": inst.code, "prdt_type_cd": kind,
        "std_pdno": krx_isin(inst.code) if domestic else "", "shtn_pdno": inst.code,
        "prdt_name": inst.name, "prdt_name120": inst.name, "prdt_abrv_name": inst.name,
        "prdt_eng_name": inst.name, "prdt_eng_name120": inst.name,
        "prdt_eng_abrv_name": inst.name,
        "prdt_sale_stat_cd": "", "prdt_risk_grad_cd": "", "prdt_clsf_cd": "",
        "prdt_clsf_name": "주권" if domestic else "해외주식", "sale_strt_dt": "",
        "sale_end_dt": "", "wrap_asst_type_cd": "", "ivst_prdt_type_cd": "",
        "ivst_prdt_type_cd_name": "", "frst_erlm_dt": "",
    }
    base = [f for f in fields_of(call, "output") if f not in _EXTRA]
    names = [f for f in _EXTRA if f.startswith("prdt_") and "name" in f and "clsf" not in f]
    rest = [f for f in _EXTRA if f not in names]
    fields = base[:2] + names + base[2:] + rest  # KIS's order: type, names, codes, ...
    return ok(output=row(call, fields, {f: values.get(f, "") for f in fields}))
