"""The overseas vocabularies of the one request validator (:mod:`hantoo.sim.validation`).

Why a module of its own: the generic validator derives every rule from the catalogue, but the
overseas APIs (stocks on nine exchanges, futures and options) name things with vocabularies the
catalogue documents only by example — exchange codes (``NASD``, ``SEHK``; quote codes ``NAS``,
``HKS``), currencies, product type codes, futures series (``ESZ26``, ``6AM26``, options
``ESZ26 C6000``), futures products and exchanges, order numbers, tickers. These are the checks the
simulator knows better than the documentation; :func:`hantoo.sim.validation.rules_for` plugs
them in for the overseas categories, next to its own date/number/flag shapes and blank rules,
so one pass refuses a malformed overseas request naming the parameter (``OPSQ2001``), and an
unknown overseas stock ``MCA05918`` naming the code (except the current-price API, which
answers blanks as KIS does).

Every check here is ``check(value, universe) -> problem`` (``None``: acceptable), as in
:mod:`hantoo.sim.validation`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .engine.overseas_futures import EXCHANGES, SPECS, parse_series
from .engine.overseas_markets import QUOTE_EXCD

if TYPE_CHECKING:
    from hantoo.catalog import Api, Param

__all__ = ["DATE_TEXT", "NUMERIC_TEXT", "code_check", "cursor_check", "example", "listed_check",
           "time_or_date"]

Check = Callable[[str, Any], "str | None"]

_CHOICE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Z%]{1,5})\s*[:：]")
_CODE_SHAPE = re.compile(r"^[0-9A-Za-z%._@/ \-]{1,40}$")
_TICKER = re.compile(r"^[0-9A-Z][0-9A-Z./\-]{0,15}$")
#: "All" as the overseas APIs write it (a blank or ``%`` wildcards).
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
#: Parameters that are numbers, or dates, in text encoding.
NUMERIC_TEXT = frozenset({"NREC", "NMIN", "QRY_GAP", "NDAY", "MINX", "QRY_CNT",
                          "ORD_GNO_BRNO"})
DATE_TEXT = frozenset({"BYMD"})
STOCK_SYMBOLS = frozenset({"SYMB", "PDNO", "ITEM_CD", "OVRS_PDNO"})
SERIES = frozenset({"SRS_CD", "OVRS_FUTR_FX_PDNO"} | {f"SRS_CD_{i:02d}" for i in range(1, 33)})
ORDER_NOS = frozenset({"ODNO", "ORGN_ODNO", "OVRS_RSVN_ODNO"})
#: Overseas stock APIs where an unknown symbol is *not* an error (KIS answers blanks).
_BLANK_ON_UNKNOWN = frozenset({"overseas_stock/price"})


def _one_of(allowed: frozenset[str], what: str, shown: str) -> Check:
    def check(v: str, _u: Any) -> str | None:
        return None if v.upper() in allowed else f"unknown {what} {v[:8]!r}; one of {shown}"

    return check


def _time_only(v: str) -> str | None:
    if len(v) != 6 or not v.isdigit():
        return f"{v[:16]!r} is not a time or date: HHMMSS, YYYYMMDD or YYYYMMDDHHMMSS"
    if int(v[:2]) > 23 or int(v[2:4]) > 59 or int(v[4:]) > 59:
        return f"{v} is not a time of day"
    return None


def time_or_date(date_check: Check) -> Check:
    """Overseas ``hhmmss`` parameters also take ``YYYYMMDD`` (the futures candle APIs) and
    ``YYYYMMDDHHMMSS`` (some ``DATE_TIME`` fields); dates by the generic ``date_check``."""

    def check(v: str, u: Any) -> str | None:
        if len(v) == 14 and v.isdigit():
            return date_check(v[:8], u) or _time_only(v[8:])
        if len(v) == 8:
            return date_check(v, u)
        return _time_only(v)

    return check


def _series(v: str, _u: Any) -> str | None:
    if parse_series(v) is not None:
        return None
    return (f"unknown series {v[:16]!r}: product root + month letter + year, "
            "e.g. ESZ26 or 6AM26 (option: ESZ26 C6000)")


def _product(v: str, _u: Any) -> str | None:
    return None if v.upper() in SPECS else f"unknown product {v[:8]!r} (e.g. ES, CL, GC)"


def _order_no(v: str, _u: Any) -> str | None:
    return None if v.isdigit() and len(v) <= 10 else f"{v[:12]!r} is not an order number"


def _ticker(v: str, _u: Any) -> str | None:
    return None if v in _ALL or _TICKER.match(v.upper()) else f"{v[:16]!r} is not a ticker"


def _shape(v: str, _u: Any) -> str | None:
    return None if _CODE_SHAPE.match(v) else f"{v[:16]!r} is not a code"


@lru_cache(maxsize=512)
def _choices(key: str, wire: str, doc: str) -> frozenset[str] | None:
    vocab = API_VOCAB.get((key, wire)) or VOCAB.get(wire)
    if vocab is not None:
        return vocab
    found = set(_CHOICE.findall(doc))
    found.discard("ODNO")
    return frozenset(found | {""}) if found else None


def code_check(api: Api, p: Param) -> Check | None:
    """The overseas check of a code or text parameter (``None``: nothing overseas to say)."""
    w, key = p.wire, api.key
    futures = key.startswith("overseas_futureoption")
    if w == "EXCD":
        return _one_of(QUOTE_CODES, "exchange", ", ".join(sorted(QUOTE_EXCD)))
    if w == "OVRS_EXCG_CD":
        codes = ORDER_EXCG | QUOTE_CODES | (frozenset(_ALL) if api.kind != "order" else frozenset())
        return _one_of(codes, "exchange", ", ".join(sorted(ORDER_EXCG)))
    if w in ("TR_CRCY_CD", "CRCY_CD"):
        return _one_of(CURRENCIES | frozenset(_ALL), "currency", "USD, HKD, CNY, JPY, VND")
    if w == "PRDT_TYPE_CD":
        return _one_of(PRDT_TYPES, "product type", ", ".join(sorted(PRDT_TYPES)))
    if w in ("EXCH_CD", "FM_EXCG_CD") and futures:
        return _one_of(EXCHANGES, "exchange", ", ".join(sorted(EXCHANGES)))
    if w in SERIES:
        return _series
    if w == "PROD_ISCD" and futures:
        return _product
    if w in ORDER_NOS:
        return _order_no
    if w in STOCK_SYMBOLS and key.startswith("overseas_stock"):
        return _ticker
    choices = _choices(key, w, p.doc)
    if choices is not None:
        shown = ", ".join(sorted(choices)[:12])
        allowed = choices | (frozenset(_ALL) if not p.required else frozenset())

        def check(v: str, _u: Any) -> str | None:
            return None if v in allowed or v.upper() in allowed else (
                f"{v[:8]!r} is not one of {shown}")

        return check
    return _shape if p.enc == "code" else None


def _overseas_listed(v: str, universe: Any) -> str | None:
    if v in _ALL or universe is None:
        return None
    code = v.upper()
    inst = universe.get(code) or (universe.get(code.zfill(5)) if code.isdigit() else None)
    return None if inst is not None and inst.market.is_overseas else "없는 해외종목"


def cursor_check(p: Param) -> Check:
    """A continuation key: any text the server gave, within the length its name says
    (``CTX_AREA_NK200``: 200 characters)."""
    m = re.search(r"(\d+)$", p.wire)
    limit = int(m.group(1)) if p.wire.startswith("CTX_AREA_") and m else 200

    def check(v: str, _u: Any) -> str | None:
        return None if len(v) <= limit else f"too long ({len(v)} characters, at most {limit})"

    return check


def listed_check(api: Api, p: Param) -> Check | None:
    """Whether the stock a parameter names is listed (its failure answers ``MCA05918``)."""
    if (p.wire in STOCK_SYMBOLS and api.key.startswith("overseas_stock")
            and api.key not in _BLANK_ON_UNKNOWN):
        return _overseas_listed
    return None


#: Well-formed values of the overseas vocabulary parameters (for :func:`example`).
_EXAMPLES: dict[str, str] = {
    "EXCD": "NAS", "OVRS_EXCG_CD": "NASD", "SYMB": "AAPL", "PDNO": "AAPL", "ITEM_CD": "AAPL",
    "OVRS_PDNO": "AAPL", "EXCH_CD": "CME", "FM_EXCG_CD": "CME", "TR_CRCY_CD": "USD",
    "CRCY_CD": "USD", "PRDT_TYPE_CD": "512", "PROD_ISCD": "ES", "ODNO": "1", "ORGN_ODNO": "1",
    "OVRS_RSVN_ODNO": "1", "CCLD_CNDT_CD": "6",
}
_DOC_EXAMPLE = re.compile(r'예:\s*"([^"]*)"')
_LEADING = re.compile(r"([A-Z]{1,2}) ")
_USUAL = re.compile(r"일반적으로 (\w+)|^(\d)\b|(\d)\.\s*지정")


def example(api: Api, p: Param) -> str | None:
    """A value of an overseas code parameter the rules above accept (``None``: the generic
    example applies), for :func:`hantoo.sim.validation.example_value`."""
    w = p.wire
    if w in SERIES:
        return "ESZ26"
    if w in _EXAMPLES:
        return _EXAMPLES[w]
    if w in DATE_TEXT:
        return ""  # the base date: blank is today
    if p.enc not in ("code", "text") or w in NUMERIC_TEXT:
        return None
    vocab = API_VOCAB.get((api.key, w)) or VOCAB.get(w)
    if vocab:
        return "" if "" in vocab else sorted(vocab)[0]
    doc = p.doc
    if m := _DOC_EXAMPLE.search(doc):
        return m.group(1)
    if p.enc == "code" and (m := _LEADING.match(doc)):
        return m.group(1)  # "N 해외지수 X 환율 ..."
    if m := _USUAL.search(doc):
        return next(g for g in m.groups() if g)
    listed = _CHOICE.findall(doc)
    return listed[0] if listed else None
