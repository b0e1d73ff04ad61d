"""Shared pieces of the semantic handlers: wire formatting, block filling, errors, keyset paging.

Why a module of its own: every handler formats engine values (``Decimal``/``int``/``date``) the
same way KIS does (numbers as strings, dates ``YYYYMMDD``, times ``HHMMSS``), fills blocks whose
field membership the catalogue does not know, turns engine rejections into KIS message codes and
pages lists with cursors that never skip or repeat a row. The leading underscore keeps the
handler loader from treating it as a handler module.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from ..engine.types import EngineReject, RejectReason
from ..generic import fill_fields, request_seed
from . import BusinessError, Call, page_size_for

__all__ = [
    "BAD_SYMBOL",
    "KeysetPage",
    "amount",
    "bad_symbol",
    "block_rows",
    "business_error",
    "dec",
    "domestic_symbol",
    "exchange",
    "hms",
    "keyset_page",
    "krw",
    "parse_date",
    "parse_int",
    "rate",
    "row",
    "sign",
    "usd",
    "ymd",
]

T = TypeVar("T")

BAD_SYMBOL = ("MCA05918", "종목코드 오류입니다.")
_CENT = Decimal("0.01")


# --------------------------------------------------------------------------- formatting


def krw(value: Decimal | int | None) -> str:
    """A won amount or price as KIS sends it: a whole number, no separators."""
    if value is None:
        return "0"
    return str(int(Decimal(value).to_integral_value(ROUND_HALF_UP)))


def usd(value: Decimal | int | None, places: int = 4) -> str:
    """A dollar price with ``places`` decimals (KIS overseas prices carry four)."""
    if value is None:
        value = 0
    q = Decimal(1).scaleb(-places)
    return str(Decimal(value).quantize(q, ROUND_HALF_UP))


def amount(value: Decimal | int | None, currency: str) -> str:
    """An amount in its currency: won whole, dollars with cents."""
    return krw(value) if currency == "KRW" else usd(value, 2)


def dec(value: Decimal | int | None, places: int = 2) -> str:
    """A plain decimal with ``places`` decimals."""
    return usd(value, places)


def rate(num: Decimal | int, den: Decimal | int) -> str:
    """``num / den`` in percent with two decimals (``"0.00"`` when ``den`` is zero)."""
    d = Decimal(den)
    if d == 0:
        return "0.00"
    return str((Decimal(num) * 100 / d).quantize(_CENT, ROUND_HALF_UP))


def sign(change: Decimal | int, *, at_upper: bool = False, at_lower: bool = False) -> str:
    """KIS ``prdy_vrss_sign``: 1 upper limit, 2 up, 3 flat, 4 lower limit, 5 down."""
    if at_upper:
        return "1"
    if at_lower:
        return "4"
    if change > 0:
        return "2"
    if change < 0:
        return "5"
    return "3"


def ymd(d: date | datetime | None) -> str:
    return d.strftime("%Y%m%d") if d is not None else ""


def hms(t: datetime | None) -> str:
    return t.strftime("%H%M%S") if t is not None else ""


def parse_date(call: Call, wire: str, default: date | None = None, *,
               century_prefix: bool = False) -> date:
    """A ``YYYYMMDD`` parameter; blank → ``default``; malformed → ``OPSQ2001`` as KIS answers.
    ``century_prefix``: also ``00YYYYMMDD``, the form some APIs document (the opinion APIs)."""
    raw = call.param(wire)
    if century_prefix and len(raw) == 10 and raw.startswith("00"):
        raw = raw[2:]
    if not raw and default is not None:
        return default
    try:
        if len(raw) != 8 or not raw.isdigit():
            raise ValueError(raw)
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_{wire}", rt_cd="2") from None


def date_range(call: Call, default_days: int, today: date) -> tuple[date, date]:
    """``FID_INPUT_DATE_1`` .. ``FID_INPUT_DATE_2``: the end defaults to ``today``, the start
    to ``default_days`` before the end; a start after the end is refused as KIS refuses it."""
    end = parse_date(call, "FID_INPUT_DATE_2", today)
    start = parse_date(call, "FID_INPUT_DATE_1", end - timedelta(days=default_days))
    if start > end:
        raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_FID_INPUT_DATE_1 "
                            "(the start date is after the end date)", rt_cd="2")
    return start, end


def parse_int(call: Call, wire: str, default: int | None = None) -> int:
    """A whole-number parameter (KIS sends quantities as strings)."""
    raw = call.param(wire)
    if not raw and default is not None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_{wire}", rt_cd="2") from None


def parse_price(call: Call, wire: str) -> Decimal:
    """A price parameter as ``Decimal`` (blank → 0); never a float."""
    raw = call.param(wire) or "0"
    try:
        value = Decimal(raw)
    except ArithmeticError:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_{wire}", rt_cd="2") from None
    if not value.is_finite() or value < 0:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_{wire}", rt_cd="2")
    return value


def floor_cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, ROUND_DOWN)


# --------------------------------------------------------------------------- blocks


def row(
    call: Call, fields: Iterable[str], partial: Mapping[str, str] | None = None, *, index: int = 0
) -> dict[str, str]:
    """Every field in ``fields`` (catalogue order): ``partial``'s values, plausible filler for the
    rest. For APIs whose catalogue does not say which block a field belongs to."""
    return fill_fields(tuple(fields), partial or {}, seed=request_seed(call), row=index, ctx=call)


def block_rows(
    call: Call, fields: Sequence[str], partials: Iterable[Mapping[str, str]], *, start: int = 0
) -> list[dict[str, str]]:
    return [row(call, fields, p, index=start + i) for i, p in enumerate(partials)]


# --------------------------------------------------------------------------- engine access


def fields_of(call: Call, block: str) -> tuple[str, ...]:
    """The catalogue's fields of ``block`` (every field of the API when membership is unknown)."""
    known = call.api.response.blocks.get(block)
    if known is not None:
        return tuple(known)
    return tuple(call.api.response.all_fields())


def selector(call: Call, name: str) -> str:
    """The value of a TR-ID selector (``ord_dv`` buy/sell, ``ord_type``...) the sent TR ID
    stands for; ``""`` when the TR ID is not a variant."""
    for v in call.api.variants:
        if call.tr_id in (v.real, v.paper):
            values = v.when.get(name)
            if values:
                return str(values[0])
    return ""


@contextmanager
def engine_errors() -> Iterator[None]:
    """Turn an engine rejection inside the block into the KIS-style business error."""
    try:
        yield
    except EngineReject as exc:
        raise business_error(exc) from None


def exchange(call: Call) -> Any:
    """The engine's exchange; a clear error when the server runs without one."""
    ex = call.state.exchange
    if ex is None:
        raise BusinessError("SIM00501", "시뮬레이터 엔진이 없습니다 (no exchange engine)")
    return ex


def bad_symbol() -> BusinessError:
    return BusinessError(*BAD_SYMBOL)


def domestic_symbol(call: Call, wire: str = "FID_INPUT_ISCD") -> str:
    """The 6-character domestic code of a request (``Q``/``J`` prefixes of ETN/quote codes
    dropped); unknown codes are ``MCA05918`` as on the real server."""
    raw = call.param(wire).upper()
    code = raw[1:] if raw[:1] in ("Q", "J") and len(raw) == 7 else raw
    inst = exchange(call).universe.get(code)
    if inst is None or inst.market.is_overseas:
        raise bad_symbol()
    return code


# Engine rejection → (msg_cd, msg1). Real codes where the reference documents them; the
# simulator's documented choices (errors.json "basis": "sim") otherwise.
_REJECT_CODES: dict[RejectReason, tuple[str, str]] = {
    RejectReason.UNKNOWN_SYMBOL: BAD_SYMBOL,
    RejectReason.UNKNOWN_ACCOUNT: ("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO"),
    RejectReason.UNKNOWN_ORDER: ("APBK0656", "정정/취소할 주문이 없습니다"),
    RejectReason.BAD_QUANTITY: ("APBK0400", "주문수량을 확인하세요"),
    RejectReason.QUANTITY_OVER_MAX: ("APBK0400", "주문수량이 주문가능수량을 초과했습니다"),
    RejectReason.BAD_PRICE: ("APBK0506", "주문단가를 확인하세요"),
    RejectReason.BAD_TICK: ("APBK0506", "호가단위가 맞지 않습니다"),
    RejectReason.OUTSIDE_PRICE_LIMIT: ("APBK0507", "상하한가를 벗어난 주문입니다"),
    RejectReason.UNSUPPORTED_ORDER_TYPE: ("APBK0506", "주문구분이 올바르지 않습니다"),
    RejectReason.SESSION_CLOSED: ("APBK0918", "장운영시간이 아닙니다"),
    RejectReason.NO_LIQUIDITY: ("APBK0918", "상대호가가 없습니다"),
    RejectReason.INSUFFICIENT_CASH: ("APBK0013", "주문가능금액을 초과 했습니다"),
    RejectReason.INSUFFICIENT_SHARES: ("APBK0400", "주문수량이 주문가능수량을 초과했습니다"),
    RejectReason.ORDER_NOT_OPEN: ("APBK0656", "정정/취소할 주문이 없습니다"),
    RejectReason.NOTHING_TO_MODIFY: ("APBK0656", "정정할 내용이 없습니다"),
    RejectReason.CANCEL_QTY_EXCEEDS: ("APBK0400", "정정/취소 수량이 잔량을 초과합니다"),
    RejectReason.NOT_ALLOWED_FOR_ACCOUNT: ("EGW00206", "해당 계좌에서 불가한 주문입니다"),
    RejectReason.RESERVATION_LIMIT: ("APBK0400", "예약주문 가능 건수를 초과했습니다"),
    RejectReason.RESERVATION_PERIOD: ("OPSQ2001", "ERROR : INPUT INVALID_CHECK_RSVN_ORD_END_DT"),
    RejectReason.NO_LOAN: ("APBK0400", "상환할 신용잔고가 없습니다"),
}


def business_error(exc: EngineReject) -> BusinessError:
    """The KIS-style error for an engine rejection (the engine's detail kept in parentheses)."""
    code, msg = _REJECT_CODES.get(exc.reason, ("APBK0506", exc.message_ko))
    text = f"{msg} ({exc.detail})" if exc.detail else msg
    rt_cd = "2" if code == "OPSQ2001" else "1"
    return BusinessError(code, text, rt_cd=rt_cd)


# --------------------------------------------------------------------------- keyset paging


@dataclass(frozen=True, slots=True)
class KeysetPage:
    """One page: the rows, the ``tr_cont`` header and the cursor fields to echo."""

    rows: list[Any]
    tr_cont: str
    cursors: dict[str, str]


def _fingerprint(call: Call) -> str:
    cursor_wires = {p.wire for p in call.api.params if p.cursor}
    text = "&".join(
        f"{k}={v.strip()}" for k, v in sorted(call.params.items()) if k not in cursor_wires
    )
    return f"{zlib.crc32(text.encode('utf-8')):08X}"


def keyset_page(
    call: Call,
    rows: Sequence[T],
    key: Callable[[T], str],
    *,
    descending: bool,
    page_size: int | None = None,
    default_size: int = 20,
) -> KeysetPage:
    """The page a request asks for, continuing *after the last key sent*, not at an offset.

    Why keys and not offsets: rows arrive while a client pages (new orders, new fills); with
    "newest first" an offset cursor would repeat rows at page boundaries. ``rows`` must already
    be sorted by ``key`` (ascending, or descending when ``descending``) with unique keys. The NK
    cursor carries the last key; the FK cursor a fingerprint of the query conditions — a cursor
    from another query restarts from the first page, as a blank cursor does.
    """
    size = page_size or page_size_for(call, default_size)
    resp_keys = list(call.api.paging.response) if call.api.paging else []
    nk = next((k for k in resp_keys if "nk" in k), None)
    fk = next((k for k in resp_keys if "fk" in k), None)
    fp = _fingerprint(call)
    start = 0
    if call.continued and nk is not None:
        after = call.params.get(nk.upper(), "").strip()
        sent_fp = call.params.get(fk.upper(), "").strip() if fk else fp
        if after and sent_fp == fp:
            start = len(rows)
            for i, r in enumerate(rows):
                k = key(r)
                if (k < after) if descending else (k > after):
                    start = i
                    break
    page = list(rows[start : start + size])
    more = start + size < len(rows)
    cursors: dict[str, str] = {k: "" for k in resp_keys}
    if fk is not None:
        cursors[fk] = fp
    if nk is not None:
        cursors[nk] = key(page[-1]) if more and page else ""
    if nk is None:  # the API has no cursors: one page only
        return KeysetPage(list(rows), "D", cursors)
    return KeysetPage(page, "M" if more else "D", cursors)
