"""Strict request validation for every API, derived from the catalogue, in one place.

Why one place: the real gateway refuses a malformed request before any business logic runs
(``OPSQ2001`` "ERROR : INPUT INVALID_CHECK_<FIELD>", ``rt_cd`` ``"2"``; an unknown issue code is
``MCA05918`` "종목코드 오류입니다."). Before this module the simulator checked only that required
parameters were *present*, so a request with every value blank got "정상처리" from 246 of 272
APIs. Now :func:`validate` runs in the server pipeline after the account check and before any
handler (semantic or the generic filler), so no handler ever sees garbage and no filler answers
success to a malformed request.

The rules are compiled once per API from its catalogue entry (:func:`rules_for`):

* **required, non-blank** — a required parameter must carry a value unless its documentation says
  blank is meaningful ("공란", "공백", "미입력", "Defaults to", "입력값 없을때" ...). Cursor
  parameters and range filters of queries (price/volume/amount bounds, where blank means "all")
  may always be blank.
* **dates** ``YYYYMMDD`` real calendar dates (KIS also writes ``00YYYYMMDD`` in a few places);
  **times** digits, ``HHMMSS`` a real time of day.
* **numbers** — quantities and counts whole non-negative numbers, prices and amounts
  non-negative decimals, rates signed decimals. Never parsed through a float.
* **flags** ``Y``/``N`` (plus any other letter the documentation lists, e.g. ``X`` for NXT).
* **enumerated codes** — where the documentation lists the allowed values (``"0": 전체, "1":
  보통주``; ``A(전체), K(코스피)``), the value must be one of them. Lists that say they are
  incomplete ("...", "등", "참조") are not enforced.
* **market division codes** (``FID_COND_MRKT_DIV_CODE``) one of the KIS market letters.
* **issue codes** — a domestic stock/ETF/ETN code must be listed in the simulator's universe
  (``Q``/``J`` prefixes accepted); sector/index codes 4 characters; bond codes 12-character
  ``KR`` ISINs; member-firm codes 5 digits.
* **overseas** (stocks, futures and options) — the format rules below plus the overseas
  vocabularies of :mod:`.validation_overseas` (exchanges, currencies, series, tickers; an
  overseas stock must be listed).

Every refusal names the parameter and what is wrong with it, in KIS's shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from hantoo.catalog import Api, Param

from . import validation_overseas as overseas
from .replies import KisError, input_error

__all__ = ["Rule", "check_value", "example_params", "example_value", "rules_for", "validate"]

BAD_SYMBOL_MSG = ("MCA05918", "종목코드 오류입니다.")

_BLANK_HINTS = re.compile(
    r"공란|공백|미입력|빈값|없음|입력값\s*없을|Defaults to|기본값|blank|null|Null|NULL|입력\s*안함"
    r"|전체\s*조회\s*시|허용|\"\"\s*\("  # `""(전체 조회)`: blank is a documented value
)
_INCOMPLETE = re.compile(r"\.\.\.|…|등\)|등$| 등 |참조|~|이상")
# `"0": 전체`, `0: 전체`, `0 : 전체`, `A(전체)`, `'Y' 과거`
_ENUM_COLON = re.compile(r"""(?<![A-Za-z0-9%])["']?([A-Z0-9%]{1,6})["']?\s*:\s*(?=\S)""")
_ENUM_PAREN = re.compile(r"""(?<![A-Za-z0-9%])([A-Z0-9%]{1,4})\s*\((?!ex|예|\d)""")
_ISIN = re.compile(r"^KR[0-9A-Z]{10}$")
#: A parameter documented as a sector/index code ("0001:거래소"), not the digits of "Q500001".
_SECTOR_DOC = re.compile(r"(?<![0-9A-Za-z])(?:0000|0001|1001)(?![0-9])|업종|KSP|KSQ|시장구분")
_ISIN_IN_DOC = re.compile(r"KR[0-9A-Z]{10}")
_TICKER = re.compile(r"^[A-Z][A-Z.]{0,11}$")
_DIGITS = re.compile(r"^\d+$")
_UDEC = re.compile(r"^\d+(\.\d+)?$")
_SDEC = re.compile(r"^[+-]?\d+(\.\d+)?$")
_ALNUM = re.compile(r"^[0-9A-Za-z]+$")
_TOKEN = re.compile(r"^[0-9A-Za-z%_.\-]{1,40}$")
#: Parameters that identify who or what is asked about: never blank when required.
_IDENTITY_WIRES = frozenset({"USER_ID", "SEQ", "ODNO", "ORGN_ODNO", "INTER_GRP_CODE"})

#: KIS market division letters seen across the catalogue (stocks, sectors, ELW, futures, bonds).
MARKET_CODES = frozenset(
    {"J", "NX", "UN", "U", "W", "V", "B", "E", "F", "O", "JF", "JO", "CF", "CO", "EU", "CM",
     "MF", "MO", "WF", "Q", "K", "N", "X", "A"}
)
#: Parameters that carry an issue code.
_SYMBOL_WIRES = re.compile(
    r"^(FID_INPUT_ISCD(_\d+)?|PDNO|MKSC_SHRN_ISCD|SHT_CD|STCK_SHRN_ISCD|ITEM_CD|OVRS_PDNO)$"
)
_ACCOUNT_WIRES = frozenset({"CANO", "ACNT_PRDT_CD"})
_EXCHANGE_WIRES = frozenset({"EXCD", "OVRS_EXCG_CD", "EXCG_CD"})
_CURSORISH = re.compile(r"(^CTS|CTX_|_NK\d*$|_FK\d*$|^KEYB$|^NEXT)")
#: Codes whose allowed values the handlers/engine know better than the documentation's examples.
_NO_ENUM = frozenset({"ORD_DVSN", "ORD_DVSN_CD", "SLL_TYPE", "ORD_OBJT_CBLC_DVSN_CD",
                      "CRDT_TYPE", "PRDT_TYPE_CD", "EXCG_ID_DVSN_CD"})
_FILTER_ENCS = frozenset({"price", "qty", "count", "amount", "rate", "number"})
#: Categories validated in full (codes, blanks, issue existence); the rest by format only.
STRICT_CATEGORIES = frozenset({"domestic_stock", "etfetn", "domestic_bond"})

Check = Callable[[str, Any], str | None]
"""``check(value, universe) -> problem`` (``None`` when the value is acceptable)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """How one parameter of one API is checked."""

    wire: str
    blank_ok: bool
    check: Check | None
    symbol: bool = False
    """A failure of ``check`` is a bad issue code (``MCA05918``) rather than ``OPSQ2001``."""
    listed: Check | None = None
    """Checked after ``check`` passed: a failure is an unlisted issue (``MCA05918`` naming the
    parameter and the code)."""


# --------------------------------------------------------------------------- value checks


#: What clients send for "from the beginning of history" (docs/sim-conformance.md).
OPEN_START = "00000101"
#: ... and for "up to the latest".
OPEN_END = "99991231"


def _date(v: str, _u: Any) -> str | None:
    if v in (OPEN_START, OPEN_END):
        return None
    s = v[2:] if len(v) == 10 and v.startswith("00") else v
    if len(s) != 8 or not s.isdigit():
        return "date must be YYYYMMDD"
    try:
        d = date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        return f"{v} is not a calendar date"
    if not 1900 <= d.year <= 2100:
        return f"{v} is out of range"
    return None


def _time(v: str, _u: Any) -> str | None:
    if not _DIGITS.match(v) or len(v) > 6:
        return "time must be digits (HHMMSS)"
    if len(v) == 6 and (int(v[:2]) > 24 or int(v[2:4]) > 59 or int(v[4:]) > 59):
        return f"{v} is not a time of day (HHMMSS)"
    return None


def _whole(v: str, _u: Any) -> str | None:
    return None if _DIGITS.match(v) else "must be a whole non-negative number"


def _udec(v: str, _u: Any) -> str | None:
    if not _UDEC.match(v):
        return "must be a non-negative number"
    try:
        Decimal(v)
    except InvalidOperation:
        return "must be a number"
    return None


def _sdec(v: str, _u: Any) -> str | None:
    return None if _SDEC.match(v) else "must be a number"


def _market(v: str, _u: Any) -> str | None:
    return None if v.upper() in MARKET_CODES else f"unknown market division code {v[:8]!r}"


def _screen(v: str, _u: Any) -> str | None:
    return None if _DIGITS.match(v) and 4 <= len(v) <= 5 else "screen code must be 5 digits"


def _one_of(allowed: frozenset[str]) -> Check:
    shown = ", ".join(sorted(allowed))[:80]

    def check(v: str, _u: Any) -> str | None:
        return None if v in allowed or v.upper() in allowed else f"must be one of {shown}"

    return check


def _sector(v: str, _u: Any) -> str | None:
    if _ALNUM.match(v) and 3 <= len(v) <= 5:
        return None
    return "sector/index code must be 4 characters (e.g. 0001 KOSPI, 1001 KOSDAQ)"


def _member(v: str, _u: Any) -> str | None:
    return None if _DIGITS.match(v) and len(v) == 5 else "member firm code must be 5 digits"


def _bond(v: str, _u: Any) -> str | None:
    return None if _ISIN.match(v.upper()) else "bond code must be a 12-character KR ISIN"


def listed_domestic(code: str, universe: Any) -> bool:
    """A domestic stock/ETF/ETN code the simulator lists (``Q``/``J`` prefix of 7 accepted)."""
    c = code.upper()
    if len(c) == 7 and c[0] in "QJ":
        c = c[1:]
    if len(c) != 6 or not _ALNUM.match(c):
        return False
    if universe is None:
        return True
    inst = universe.get(c)
    return inst is not None and not inst.market.is_overseas


def _stock(v: str, universe: Any) -> str | None:
    return None if listed_domestic(v, universe) else "unknown issue code"


def _stock_format(v: str, _u: Any) -> str | None:
    c = v.upper()
    if len(c) == 7 and c[0] in "QJ":
        c = c[1:]
    return None if len(c) == 6 and _ALNUM.match(c) else "issue code must be 6 characters"


def _ticker(v: str, _u: Any) -> str | None:
    return None if _TICKER.match(v.upper()) else "overseas ticker must be letters"


def _either(*checks: Check) -> Check:
    def check(v: str, u: Any) -> str | None:
        problems = [c(v, u) for c in checks]
        return None if any(p is None for p in problems) else problems[0]

    return check


def _sane(v: str, _u: Any) -> str | None:
    if len(v) > 200:
        return "value too long"
    if any(ord(ch) < 32 for ch in v):
        return "control characters are not allowed"
    return None


def _token(v: str, _u: Any) -> str | None:
    return None if _TOKEN.match(v) else f"{v[:12]!r} is not a code"


def _flag(extra: frozenset[str]) -> Check:
    allowed = frozenset({"Y", "N"}) | extra

    def check(v: str, _u: Any) -> str | None:
        return None if v.upper() in allowed else f"must be one of {', '.join(sorted(allowed))}"

    return check


# --------------------------------------------------------------------------- compiling rules


def enum_values(doc: str) -> frozenset[str]:
    """The allowed values a parameter's documentation lists, or empty when it lists none (or
    says its list is incomplete)."""
    if not doc or _INCOMPLETE.search(doc):
        return frozenset()
    found = set(_ENUM_COLON.findall(doc)) | set(_ENUM_PAREN.findall(doc))
    return frozenset(found) if len(found) >= 2 else frozenset()


def _symbol_check(api: Api, p: Param) -> Check:
    doc = p.doc
    if api.category == "domestic_bond" or _ISIN_IN_DOC.search(doc) or "채권" in doc:
        if "000660" in doc or "AAPL" in doc:
            return _either(_stock, _bond, _ticker)
        return _bond
    if "회원사" in doc or "99999" in doc:
        return _member
    sector = bool(_SECTOR_DOC.search(doc))
    if not api.category.startswith(("domestic_stock", "etfetn")):
        return _either(_stock_format, _sector) if sector else _sane
    if sector:
        stock = "종목코드" in doc and ("개별" in doc or "000660" in doc or "005930" in doc)
        return _either(_sector, _stock) if stock else _sector
    if "000000" in doc:
        return _either(_one_of(frozenset({"000000"})), _stock)
    if api.key == "domestic_stock/inquire_elw_price":
        return _stock_format  # ELWs are listed by the derivatives market; its handler checks
    return _stock


def _rule(api: Api, p: Param) -> Rule | None:
    wire = p.wire
    if wire == "*" or wire in _ACCOUNT_WIRES or p.credential or p.fixed is not None:
        return None
    if api.category.startswith("overseas"):
        return _overseas_rule(p, api)
    if p.cursor:
        return None
    if api.category not in STRICT_CATEGORIES:
        return _format_rule(p, api)
    doc = p.doc or ""
    cursorish = bool(_CURSORISH.search(wire))
    blank_ok = (
        not p.required
        or cursorish
        or bool(_BLANK_HINTS.search(doc))
        or (p.enc in _FILTER_ENCS and api.kind == "query")
        or (p.enc == "text" and "필수" not in doc)
    )
    # a code whose structure the catalogue does not give may be blank: KIS's own examples send
    # "" for many "required" codes (FID_ETC_CLS_CODE, FID_TRGT_CLS_CODE ...) and it answers
    symbol = False
    check: Check | None
    if cursorish:
        check = _sane
    elif p.enc == "yyyymmdd":
        check = _date
    elif p.enc == "hhmmss":
        check = _time
        # a minute-bar cursor left blank means "from the session end" (docs/sim-conformance.md)
        blank_ok = blank_ok or (wire == "FID_INPUT_HOUR_1" and "chartprice" in api.name)
    elif p.enc in ("qty", "count"):
        check = _whole
    elif p.enc in ("price", "amount"):
        check = _udec
    elif p.enc in ("rate", "number"):
        check = _sdec
    elif p.enc == "flag":
        check = _flag(frozenset(v.upper() for v in enum_values(doc)))
    elif p.enc == "code" and wire.startswith("FID_COND_MRKT_DIV_CODE"):
        check = _market
    elif p.enc == "code" and wire == "FID_COND_SCR_DIV_CODE":
        check = _screen
    elif p.enc == "code" and _SYMBOL_WIRES.match(wire):
        check = _symbol_check(api, p)
        symbol = check is _stock
    elif p.enc in ("code", "text") and wire not in _NO_ENUM and (values := enum_values(doc)):
        check = _one_of(values)
        if p.enc == "text":  # a documented choice, so blank only where the doc allows it
            blank_ok = not p.required or bool(_BLANK_HINTS.search(doc))
    elif wire in _IDENTITY_WIRES:
        check = _token
    elif p.enc == "code":
        check = _token
        blank_ok = True
    else:
        check = _sane
        blank_ok = True
    return Rule(wire=wire, blank_ok=blank_ok, check=check, symbol=symbol)


def _format_rule(p: Param, api: Api) -> Rule | None:
    """Outside the strict categories (overseas, derivatives, ELW) the shape of dates, times and
    numbers is checked, and the parameters that say *what* is asked about (market division,
    exchange, issue code, dates) must not be blank when required; their code values (exchange
    ``%`` wildcards, series codes) follow conventions the catalogue does not document well
    enough to enforce."""
    checks: dict[str, Check] = {"yyyymmdd": _date, "hhmmss": _time, "qty": _whole,
                                "count": _whole, "price": _udec, "amount": _udec}
    wire, doc = p.wire, p.doc or ""
    identity = p.enc == "code" and (
        wire.startswith("FID_COND_MRKT_DIV_CODE") or bool(_SYMBOL_WIRES.match(wire))
        or wire in _EXCHANGE_WIRES or wire in ("SYMB", "SRS_CD")
        or wire.endswith(("PDNO", "_ISCD", "_SRS_CD")))
    dated = p.enc == "yyyymmdd"
    # an order must say what, how many and at what price: never blank when required
    ordering = api.kind == "order" and p.enc in ("qty", "price")
    must = p.required and (identity or dated or ordering) and not _BLANK_HINTS.search(doc)
    check = checks.get(p.enc) or (_sane if identity else None)
    if check is None and not must:
        return None
    return Rule(wire=wire, blank_ok=not must, check=check)


#: Overseas value shapes by catalogue encoding (the generic checks; times also take dates).
_OVERSEAS_BY_ENC: dict[str, Check] = {
    "yyyymmdd": _date, "hhmmss": overseas.time_or_date(_date), "qty": _whole, "count": _whole,
    "price": _udec, "amount": _udec, "number": _udec, "rate": _sdec, "flag": _flag(frozenset()),
}
_OVERSEAS_BY_WIRE: dict[str, Check] = (
    {w: _date for w in overseas.DATE_TEXT} | {w: _whole for w in overseas.NUMERIC_TEXT})


_OVERSEAS_BLANK = re.compile(r"빈칸|만 사용")


def _overseas_rule(p: Param, api: Api) -> Rule | None:
    """Overseas stocks and futures/options: what may be blank as for every format-checked
    category (:func:`_format_rule`); values by their encoding's generic shape, or by the
    overseas vocabulary of the parameter; overseas stock codes must be listed."""
    if p.cursor:
        return Rule(wire=p.wire, blank_ok=True, check=_both(_sane, overseas.cursor_check(p)))
    base = _format_rule(p, api)
    shape = (_OVERSEAS_BY_ENC.get(p.enc) or _OVERSEAS_BY_WIRE.get(p.wire)
             or overseas.code_check(api, p))
    check = _sane if shape is None else _both(_sane, shape)
    # "빈칸" (a blank): the overseas documents' word for a field left empty on purpose; "...만
    # 사용": a field only one of the API's TR IDs uses (a cancel sends no price)
    blank_ok = base is None or base.blank_ok or bool(_OVERSEAS_BLANK.search(p.doc or ""))
    return Rule(wire=p.wire, blank_ok=blank_ok, check=check, listed=overseas.listed_check(api, p))


def _both(first: Check, then: Check) -> Check:
    def check(v: str, u: Any) -> str | None:
        return first(v, u) or then(v, u)

    return check


_cache: dict[str, tuple[Rule, ...]] = {}  # catalogue-derived, immutable: a cache, not state


def rules_for(api: Api) -> tuple[Rule, ...]:
    """The compiled rules of one API (cached per process)."""
    rules = _cache.get(api.key)
    if rules is None:
        rules = _cache[api.key] = tuple(r for p in api.params if (r := _rule(api, p)))
    return rules


def check_value(rule: Rule, value: str, universe: Any) -> KisError | None:
    """The refusal for one parameter value, or ``None`` when it passes."""
    v = value.strip()
    if not v:
        if rule.blank_ok:
            return None
        return input_error(rule.wire, "required value is blank")
    if rule.check is None:
        return None
    problem = rule.check(v, universe)
    if problem is None:
        if rule.listed is None or (unlisted := rule.listed(v, universe)) is None:
            return None
        return KisError(BAD_SYMBOL_MSG[0],
                        f"종목코드 오류입니다 ({rule.wire}={v[:16]}: {unlisted})")
    if rule.symbol:
        return KisError(*BAD_SYMBOL_MSG)
    return input_error(rule.wire, f"{problem}: {v[:24]!r}")


def validate(api: Api, params: Mapping[str, str], universe: Any) -> None:
    """Raise the KIS-style refusal for the first bad parameter of a request (catalogue order).

    ``universe`` is the simulator's instrument universe (``None``: issue codes are checked for
    shape only). Refusals: ``OPSQ2001`` (``rt_cd`` ``"2"``) naming the parameter, or
    ``MCA05918`` for an issue code the market does not list.
    """
    for rule in rules_for(api):
        err = check_value(rule, params.get(rule.wire, ""), universe)
        if err is not None:
            raise err


# --------------------------------------------------------------------------- well-formed examples

_EXAMPLE = re.compile(r"(?:ex\.?|예:?|\()\s*['\"]?([0-9A-Z%]{1,12})\b")


#: ELW screens whose number the catalogue leaves out ("조건화면분류코드 (필수)"): KIS's own
#: screen numbers, as the simulator's ELW handlers require them.
_ELW_SCREENS = {"elw/indicator": "20279", "elw/quick_change": "20287",
                "elw/sensitivity": "20285"}


def example_value(api: Api, p: Param, account: tuple[str, str] = ("50000000", "01")) -> str:
    """A well-formed value for one parameter, from its catalogue entry alone.

    Why: tests and tools need a request every API accepts (the validator refuses blanks and
    made-up codes); this builds one from the documentation's own examples and enumerations.
    """
    w, doc = p.wire, p.doc
    if w == "CANO":
        return account[0]
    if w == "ACNT_PRDT_CD":
        return account[1]
    if p.cursor or p.wire == "*":
        return ""
    if p.fixed is not None:
        return p.fixed
    if api.category.startswith("overseas") and (v := overseas.example(api, p)) is not None:
        return v
    if p.enc == "yyyymmdd":
        return "20261120"
    if p.enc == "hhmmss":
        # an interval in seconds ("초단위, 60(1분), 300(5분)") wears the time-of-day encoding
        return "60" if "초단위" in doc else "100000"
    if p.enc in ("qty", "count"):
        return "1"
    if p.enc in ("price", "amount", "rate", "number"):
        return "0"
    if p.enc == "flag":
        return "N"
    if w.startswith("FID_COND_MRKT_DIV_CODE"):
        if api.category == "elw":
            return "W"
        return "U" if "업종" in doc or "U" in doc.replace("UN", "") else "J"
    if w == "FID_COND_SCR_DIV_CODE":
        if api.key in _ELW_SCREENS:
            return _ELW_SCREENS[api.key]
        m = re.search(r"\d{5}", doc)
        return m.group(0) if m else "20171"
    if _SYMBOL_WIRES.match(w):
        if api.category == "etfetn":
            return "069500"  # KODEX 200: ETF APIs answer only for funds
        if api.category == "domestic_bond" or _ISIN_IN_DOC.search(doc):
            return "KR2033022D33"
        if "회원사" in doc or "99999" in doc:
            return "99999"
        if "KSP" in doc:
            return "KSP"
        if _SECTOR_DOC.search(doc):
            return "0001"
        return "005930"
    values = sorted(enum_values(doc))
    if values:
        return values[0]
    m = _EXAMPLE.search(doc)
    return m.group(1) if m else "0"


def example_params(
    api: Api, account: tuple[str, str] = ("50000000", "01")
) -> dict[str, str]:
    """A well-formed request for ``api`` (every parameter, cursors blank)."""
    return {p.wire: example_value(api, p, account) for p in api.params if p.wire != "*"}
