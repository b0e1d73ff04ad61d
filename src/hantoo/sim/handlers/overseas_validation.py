"""Input validation for the overseas APIs (stocks, futures and options), from the catalogue.

Why: KIS refuses a malformed request before any business logic, ``rt_cd`` ``"2"``,
``OPSQ2001 ERROR : INPUT INVALID_CHECK_<FIELD>``; the simulator used to answer many of them with
plausible filler. Each parameter is checked by its catalogue encoding (dates, times, numbers,
quantities, flags), by the codes its documentation enumerates (``00 : 전체 01 : 체결 ...``), by
the vocabularies the simulator knows (exchanges, currencies, product types, futures series) and
by shape (no control characters, no longer than the field). The first bad parameter is named
with what was wrong and what is accepted. Unknown overseas stock codes answer ``MCA05918``
naming the code, as the real server does (except the current-price API, which answers blanks).

Kept separate from the domestic validation on purpose (issue 15): a catalogue-wide validator
may later absorb these rules.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING

from ..engine.overseas_futures import EXCHANGES, parse_series
from ..engine.overseas_markets import QUOTE_EXCD
from . import BusinessError, Call

if TYPE_CHECKING:
    from hantoo.catalog import Api, Param

_CHOICE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Z%]{1,5})\s*[:：]")
_CODE_SHAPE = re.compile(r"^[0-9A-Za-z%._@/ \-]*$")
_TICKER = re.compile(r"^[0-9A-Z][0-9A-Z./\-]{0,15}$")
_DIGITS = re.compile(r"^\d*$")
_ALL = ("", "%", "%%", "%%%")

ORDER_EXCG = frozenset({"NASD", "NYSE", "AMEX", "SEHK", "SHAA", "SZAA", "TKSE", "HASE", "VNSE"})
#: Extra quote codes some APIs take (Shanghai/Shenzhen indices, US daytime).
QUOTE_CODES = frozenset(QUOTE_EXCD) | {"SHI", "SZI"}
CURRENCIES = frozenset({"USD", "HKD", "CNY", "JPY", "VND", "KRW", "EUR", "TUS", "TKR"})
PRDT_TYPES = frozenset({"512", "513", "529", "501", "551", "552", "515", "507", "508", "543",
                        "538", "530"})
#: Vocabularies by wire name where the documentation gives an example, not the list.
VOCAB: dict[str, frozenset[str]] = {
    "MODP": frozenset({"0", "1"}),
    "NEXT": frozenset({"", "1"}),
    "FILL": frozenset({""}),
    "UPMU_GUBUN": frozenset({"0", "1"}),
    "ORD_SVR_DVSN_CD": frozenset({"", "0"}),
    "PRIC_DVSN_CD": frozenset({"1", "2", "3", "4"}),
    "CCLD_CNDT_CD": frozenset({"2", "5", "6"}),
    "CPLX_ORD_DVSN_CD": frozenset({"", "0"}),
    "ALGO_ORD_TMD_DVSN_CD": frozenset({"", "02"}),
    "TR_MKET_CD": frozenset({"", "00", "01", "02", "03", "04", "05"}),
    "INQR_DVSN_CD": frozenset({"00", "01", "02", "03", "04"}),
    "NATN_CD": frozenset({"", "000", "840", "344", "156", "392", "704"}),
    "QRY_TP": frozenset({"", "Q", "P"}),
    "SLL_TYPE": frozenset({"", "00"}),
    "SORT_SQN": frozenset({"", "DS", "AS"}),
    "FID_COND_MRKT_DIV_CODE": frozenset({"N", "X", "KX", "I", "S"}),
}
#: Per-API vocabularies (the same wire name means different things in two APIs).
API_VOCAB: dict[tuple[str, str], frozenset[str]] = {
    ("overseas_stock/dailyprice", "GUBN"): frozenset({"0", "1", "2"}),
    ("overseas_stock/daytime_order", "ORD_DVSN"): frozenset({"00"}),  # daytime: limit only
}
#: Parameters that are numbers in text encoding.
NUMERIC_TEXT = frozenset({"NREC", "NMIN", "QRY_GAP", "NDAY", "MINX", "QRY_CNT",
                          "ORD_GNO_BRNO"})
DATE_TEXT = frozenset({"BYMD"})
STOCK_SYMBOLS = frozenset({"SYMB", "PDNO", "ITEM_CD", "OVRS_PDNO"})
SERIES = frozenset({"SRS_CD", "OVRS_FUTR_FX_PDNO"} | {f"SRS_CD_{i:02d}" for i in range(1, 33)})
ORDER_NOS = frozenset({"ODNO", "ORGN_ODNO", "OVRS_RSVN_ODNO"})
#: Overseas stock APIs where an unknown symbol is *not* an error (KIS answers blanks).
_BLANK_ON_UNKNOWN = frozenset({"overseas_stock/price"})


def _max_len(p: Param) -> int:
    m = re.search(r"(\d+)$", p.wire)
    if p.wire.startswith("CTX_AREA_") and m:
        return int(m.group(1))
    if p.wire.startswith("CTX_AREA_") or p.wire in ("CTS", "KEYB", "INDEX_KEY", "CTS_KEY"):
        return 200
    return 100 if p.enc == "text" else 40


@lru_cache(maxsize=512)
def _choices(key: str, wire: str, doc: str) -> frozenset[str] | None:
    vocab = API_VOCAB.get((key, wire)) or VOCAB.get(wire)
    if vocab is not None:
        return vocab
    found = set(_CHOICE.findall(doc))
    found.discard("ODNO")
    return frozenset(found | {""}) if found else None


def _bad_date(v: str) -> str | None:
    if len(v) != 8 or not v.isdigit():
        return f"{v[:12]!r} is not a date: YYYYMMDD"
    try:
        date(int(v[:4]), int(v[4:6]), int(v[6:]))
    except ValueError:
        return f"{v} is not a calendar date"
    return None


def _bad_time(v: str) -> str | None:
    if len(v) == 14 and v.isdigit():  # some "DATE_TIME" fields take YYYYMMDDHHMMSS
        return _bad_date(v[:8]) or _bad_time(v[8:])
    if len(v) == 8:  # ... or a date (the futures candle APIs)
        return _bad_date(v)
    if len(v) != 6 or not v.isdigit():
        return f"{v[:16]!r} is not a time or date: HHMMSS, YYYYMMDD or YYYYMMDDHHMMSS"
    if int(v[:2]) > 23 or int(v[2:4]) > 59 or int(v[4:]) > 59:
        return f"{v} is not a time of day"
    return None


def _bad_number(v: str, *, signed: bool) -> str | None:
    try:
        d = Decimal(v)
    except InvalidOperation:
        return f"{v[:16]!r} is not a number"
    if not d.is_finite():
        return f"{v[:16]!r} is not a finite number"
    if d < 0 and not signed:
        return f"{v[:16]} is negative"
    return None


def problem_of(call: Call, p: Param, v: str) -> str | None:
    """What is wrong with value ``v`` of parameter ``p`` (``None``: nothing)."""
    if any(ord(ch) < 32 for ch in v):
        return "control characters are not allowed"
    limit = _max_len(p)
    if len(v) > limit:
        return f"too long ({len(v)} characters, at most {limit})"
    w, enc, key = p.wire, p.enc, call.api.key
    if v == "":
        return None  # KIS sends "required" keys blank; what blank means is the handler's call
    if enc == "yyyymmdd" or w in DATE_TEXT:
        return _bad_date(v)
    if enc == "hhmmss":
        return _bad_time(v) if v else None
    if enc in ("price", "amount", "number"):
        return _bad_number(v, signed=False) if v else None
    if enc == "rate":
        return _bad_number(v, signed=True) if v else None
    if enc in ("qty", "count") or w in NUMERIC_TEXT:
        return None if _DIGITS.match(v) else f"{v[:16]!r} is not a whole number"
    if enc == "flag":
        return None if v in ("", "Y", "N") else f"{v[:8]!r}: Y or N"
    if w == "EXCD":
        return None if v.upper() in QUOTE_CODES else (
            f"unknown exchange {v[:8]!r}; one of {', '.join(sorted(QUOTE_EXCD))}")
    if w == "OVRS_EXCG_CD":
        ok = v.upper() in ORDER_EXCG or v.upper() in QUOTE_CODES or (
            v in _ALL and call.api.kind != "order")
        return None if ok else f"unknown exchange {v[:8]!r}; one of {', '.join(sorted(ORDER_EXCG))}"
    if w in ("TR_CRCY_CD", "CRCY_CD"):
        return None if v.upper() in CURRENCIES or v in _ALL else (
            f"unknown currency {v[:8]!r}; one of USD, HKD, CNY, JPY, VND")
    if w == "PRDT_TYPE_CD":
        return None if v in PRDT_TYPES else f"unknown product type {v[:8]!r}"
    if w in ("EXCH_CD", "FM_EXCG_CD") and key.startswith("overseas_futureoption"):
        return None if v.upper() in EXCHANGES or v == "" else (
            f"unknown exchange {v[:8]!r}; one of {', '.join(sorted(EXCHANGES))}")
    if w in SERIES:
        if parse_series(v) is None:
            return (f"unknown series {v[:16]!r}: product root + month letter + year, "
                    "e.g. ESZ26 or 6AM26 (option: ESZ26 C6000)")
        return None
    if w == "PROD_ISCD" and key.startswith("overseas_futureoption"):
        from ..engine.overseas_futures import SPECS

        return None if v.upper() in SPECS else f"unknown product {v[:8]!r} (e.g. ES, CL, GC)"
    if w in ORDER_NOS:
        return None if v.isdigit() and len(v) <= 10 else f"{v[:12]!r} is not an order number"
    if w in STOCK_SYMBOLS and key.startswith("overseas_stock"):
        if v in _ALL:
            return None
        if not _TICKER.match(v.upper()):
            return f"{v[:16]!r} is not a ticker"
        return None
    choices = _choices(key, w, p.doc)
    if choices is not None:
        if v in choices or v.upper() in choices or (v in _ALL and not p.required):
            return None
        shown = ", ".join(sorted(choices)[:12])
        return f"{v[:8]!r} is not one of {shown}"
    if enc == "code" and not _CODE_SHAPE.match(v):
        return f"{v[:16]!r} is not a code"
    return None


def _symbol_check(call: Call, p: Param, v: str) -> None:
    """Unknown overseas stock codes: ``MCA05918`` naming the parameter and the code."""
    if call.api.key in _BLANK_ON_UNKNOWN or v in _ALL or p.wire not in STOCK_SYMBOLS:
        return
    ex = call.state.exchange
    if ex is None:
        return
    code = v.upper()
    inst = ex.universe.get(code) or (ex.universe.get(code.zfill(5)) if code.isdigit() else None)
    if inst is None or not inst.market.is_overseas:
        raise BusinessError("MCA05918", f"종목코드 오류입니다 ({p.wire}={v[:16]}: 없는 해외종목)")


def check(call: Call) -> None:
    """Refuse the request at its first bad parameter (``OPSQ2001``, rt_cd 2)."""
    api: Api = call.api
    for p in api.params:
        v = call.params.get(p.wire)
        if v is None or p.account:
            continue
        problem = problem_of(call, p, v)
        if problem is not None:
            raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_{p.wire} ({problem})",
                                rt_cd="2")
    if api.key.startswith("overseas_stock"):
        for p in api.params:
            v = call.params.get(p.wire)
            if v:
                _symbol_check(call, p, v)
