"""Reading wire rows defensively: by name, whatever type the generated model chose.

The generated models type each field by the catalogue's field table, and the table is
inferred from KIS naming, so a field may arrive typed as ``str`` where a number was meant (or be
absent in one API and present in another). Domain converters read through these helpers so the
domain types are right regardless: money becomes ``Decimal`` (never ``float``), quantities
``int``, dates ``date``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

__all__ = ["RowLike", "date_of", "dec", "first", "int_of", "text", "time_of"]


class RowLike(Protocol):
    def get(self, name: str, default: Any = None) -> Any: ...


def first(row: RowLike | Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` that the row has with a non-empty value."""
    for name in names:
        value = row.get(name)
        if value is None and isinstance(row, Mapping):
            value = row.get(name.upper())
        if value not in (None, ""):
            return value
    return None


def dec(row: RowLike | Mapping[str, Any], *names: str) -> Decimal | None:
    value = first(row, *names)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # never produced by hantoo's decoders; refuse to guess
        raise TypeError(f"{names[0]}: float money value {value!r}")
    try:
        return Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None


def int_of(row: RowLike | Mapping[str, Any], *names: str) -> int | None:
    d = dec(row, *names)
    return int(d) if d is not None and d.is_finite() else None


def text(row: RowLike | Mapping[str, Any], *names: str) -> str | None:
    value = first(row, *names)
    return None if value is None else str(value).strip()


def date_of(row: RowLike | Mapping[str, Any], *names: str) -> dt.date | None:
    value = first(row, *names)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value.strip()) >= 8 and value.strip()[:8].isdigit():
        s = value.strip()
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    return None


def time_of(row: RowLike | Mapping[str, Any], *names: str) -> dt.time | None:
    value = first(row, *names)
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        s = value.strip()
        if len(s) >= 6 and s[:6].isdigit():
            h, m, sec = int(s[:2]), int(s[2:4]), int(s[4:6])
            if h < 24 and m < 60 and sec < 60:
                return dt.time(h, m, sec)
        if len(s) == 4 and s.isdigit():
            return dt.time(int(s[:2]), int(s[2:]))
    return None
