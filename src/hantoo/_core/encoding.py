"""Wire ↔ Python encodings of KIS values.

KIS sends and expects every value as a string: ``"71000"``, ``"-0.70"``, ``"20240105"``,
``"093015"``, ``"Y"``. Each field has one encoding (from the field table); this module turns
wire strings into Python values and back.

=========  ======================  =======================================================
encoding   Python type              wire form
=========  ======================  =======================================================
price      ``Decimal``              ``"71000"``, ``"187.2500"``
amount     ``Decimal``              ``"1234567"``
rate       ``Decimal``              ``"-0.70"`` (percent as sent)
number     ``Decimal``              any decimal number
qty        ``int``                  ``"10"`` (``"10.000"`` accepted)
count      ``int``                  ``"3"``
yyyymmdd   ``datetime.date``        ``"20240105"``
hhmmss     ``datetime.time``        ``"093015"`` (``"0930"`` accepted)
datetime   KST ``datetime``         ``"20240105093015"``
flag       ``bool``                 ``"Y"`` / ``"N"``
code/text  ``str``                  as sent
=========  ======================  =======================================================

Money is never a ``float``: encoders refuse floats for money and quantities (a float cannot say
``0.1`` exactly) and decoders produce ``Decimal``. Empty strings decode to ``None``. A value
that does not parse decodes to ``None`` too, and the raw string stays reachable on the model
(``.raw``), so nothing the server sent is lost.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

KST = dt.timezone(dt.timedelta(hours=9), "KST")

DECIMAL_ENCODINGS = frozenset({"price", "amount", "rate", "number"})
INT_ENCODINGS = frozenset({"qty", "count"})
NUMERIC_ENCODINGS = DECIMAL_ENCODINGS | INT_ENCODINGS
ALL_ENCODINGS = NUMERIC_ENCODINGS | {
    "yyyymmdd", "hhmmss", "datetime", "flag", "code", "text", "json",
}

_NUMERIC_TEXT = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")


# --------------------------------------------------------------------------- decoding


def decode_decimal(raw: str) -> Decimal | None:
    s = raw.strip()
    if not s:
        return None
    if "," in s:
        s = s.replace(",", "")
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def decode_int(raw: str) -> int | None:
    s = raw.strip()
    if not s:
        return None
    try:
        return int(s)
    except ValueError:
        d = decode_decimal(s)
        if d is None or d != d.to_integral_value():
            return None
        return int(d)


def decode_date(raw: str) -> dt.date | None:
    s = raw.strip()
    if len(s) != 8 or not s.isdigit() or s == "00000000":
        return None
    try:
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    except ValueError:
        return None


def decode_time(raw: str) -> dt.time | None:
    s = raw.strip()
    if not s.isdigit() or len(s) not in (4, 6):
        return None
    try:
        return dt.time(int(s[:2]), int(s[2:4]), int(s[4:6]) if len(s) == 6 else 0)
    except ValueError:
        return None


def decode_datetime(raw: str) -> dt.datetime | None:
    s = raw.strip()
    if len(s) != 14 or not s.isdigit():
        return None
    try:
        return dt.datetime(
            int(s[:4]), int(s[4:6]), int(s[6:8]), int(s[8:10]), int(s[10:12]), int(s[12:]),
            tzinfo=KST,
        )
    except ValueError:
        return None


def decode_flag(raw: str) -> bool | None:
    s = raw.strip().upper()
    if s in ("Y", "1", "TRUE"):
        return True
    if s in ("N", "0", "FALSE"):
        return False
    return None


def decode_text(raw: str) -> str | None:
    return raw if raw != "" else None


DECODERS: dict[str, Callable[[str], Any]] = {
    "price": decode_decimal,
    "amount": decode_decimal,
    "rate": decode_decimal,
    "number": decode_decimal,
    "qty": decode_int,
    "count": decode_int,
    "yyyymmdd": decode_date,
    "hhmmss": decode_time,
    "datetime": decode_datetime,
    "flag": decode_flag,
    "code": decode_text,
    "text": decode_text,
}


def decode(encoding: str, raw: Any) -> Any:
    """Decode one wire value. Non-string values (rare: nested JSON) are returned as they are."""
    if not isinstance(raw, str):
        return raw
    return DECODERS.get(encoding, decode_text)(raw)


# --------------------------------------------------------------------------- encoding


def _plain_decimal(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError("not a finite number")
    return str(format(value, "f"))


def encode(encoding: str, value: Any, *, name: str) -> str:
    """Encode a Python value for the wire, or raise ``TypeError``/``ValueError`` naming ``name``.

    Strings pass through (they are the wire form), after a format check for numeric, date and
    flag encodings so a typo fails here rather than as an obscure server message.
    """
    if isinstance(value, bool):
        if encoding == "flag":
            return "Y" if value else "N"
        raise TypeError(f"{name}: expected {_expected(encoding)}, got bool")
    if isinstance(value, str):
        _check_text(encoding, value, name)
        return value
    if isinstance(value, float):
        raise TypeError(
            f"{name}: floats are not accepted for {encoding} values (binary floats cannot hold "
            f"decimal values exactly); pass a Decimal, an int or a string such as '71000'"
        )
    if encoding in NUMERIC_ENCODINGS:
        if isinstance(value, int):
            return str(value)
        if isinstance(value, Decimal):
            if encoding in INT_ENCODINGS and value != value.to_integral_value():
                raise ValueError(f"{name}: {encoding} must be a whole number, got {value}")
            try:
                return _plain_decimal(value)
            except ValueError:
                raise ValueError(f"{name}: {value} is not a finite number") from None
    elif encoding == "yyyymmdd":
        if isinstance(value, dt.datetime):
            return value.strftime("%Y%m%d")
        if isinstance(value, dt.date):
            return value.strftime("%Y%m%d")
    elif encoding == "hhmmss":
        if isinstance(value, dt.time | dt.datetime):
            return value.strftime("%H%M%S")
    elif encoding == "datetime":
        if isinstance(value, dt.datetime):
            moment: dt.datetime = value.astimezone(KST) if value.tzinfo is not None else value
            return moment.strftime("%Y%m%d%H%M%S")
    elif encoding in ("code", "text") and isinstance(value, int):
        return str(value)
    raise TypeError(f"{name}: expected {_expected(encoding)}, got {type(value).__name__}")


def _expected(encoding: str) -> str:
    return {
        "price": "Decimal | int | str",
        "amount": "Decimal | int | str",
        "rate": "Decimal | int | str",
        "number": "Decimal | int | str",
        "qty": "int | str",
        "count": "int | str",
        "yyyymmdd": "date | str ('YYYYMMDD')",
        "hhmmss": "time | str ('HHMMSS')",
        "datetime": "datetime | str ('YYYYMMDDHHMMSS')",
        "flag": "bool | str ('Y'/'N')",
    }.get(encoding, "str")


def _check_text(encoding: str, value: str, name: str) -> None:
    if value == "":
        return
    if encoding in NUMERIC_ENCODINGS and not _NUMERIC_TEXT.match(value):
        raise ValueError(f"{name}: {value!r} is not a number")
    if encoding in INT_ENCODINGS and "." in value and decode_int(value) is None:
        raise ValueError(f"{name}: {value!r} is not a whole number")
    if encoding == "yyyymmdd" and decode_date(value) is None:
        raise ValueError(f"{name}: {value!r} is not a date in YYYYMMDD form")
    # some "...DATE_TIME" parameters the catalogue encodes as times take a date (or both):
    # the overseas futures charts' CLOSE_DATE_TIME is YYYYMMDD in KIS's own examples
    if encoding == "hhmmss" and decode_time(value) is None and decode_date(value) is None \
            and decode_datetime(value) is None:
        raise ValueError(f"{name}: {value!r} is not a time in HHMMSS form (nor a date, "
                         "YYYYMMDD, nor YYYYMMDDHHMMSS)")


def python_type(encoding: str) -> str:
    """The annotation (as source text) of a decoded field with this encoding."""
    return {
        "price": "Decimal",
        "amount": "Decimal",
        "rate": "Decimal",
        "number": "Decimal",
        "qty": "int",
        "count": "int",
        "yyyymmdd": "date",
        "hhmmss": "time",
        "datetime": "datetime",
        "flag": "bool",
    }.get(encoding, "str")


def argument_type(encoding: str) -> str:
    """The annotation (as source text) a generated method accepts for a parameter."""
    return {
        "price": "Decimal | int | str",
        "amount": "Decimal | int | str",
        "rate": "Decimal | int | str",
        "number": "Decimal | int | str",
        "qty": "int | str",
        "count": "int | str",
        "yyyymmdd": "date | str",
        "hhmmss": "time | str",
        "datetime": "datetime | str",
        "flag": "bool | str",
        "json": "Mapping[str, Any]",
    }.get(encoding, "str")
