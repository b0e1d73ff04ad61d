"""Wire models: the typed shape of what KIS sends, before any domain interpretation.

Three bases, subclassed by the generated layer (``hantoo._generated``):

* :class:`Row` — one record of a response block. Generated subclasses declare one typed,
  optional attribute per field the catalogue knows; ``raw`` keeps the record exactly as sent,
  and fields the catalogue does not know (KIS adds fields over time) are still reachable, typed
  by the field table, through :meth:`Row.extra` and :meth:`Row.get`.
* :class:`ApiResponse` — ``rt_cd``/``msg_cd``/``msg1``, the continuation header ``tr_cont``,
  and one tuple of rows per block (a block sent as a single object becomes a 1-tuple, so every
  block reads the same way).
* :class:`StreamRecord` — one realtime record. It holds the ``^``-separated values and decodes
  a field only when it is read: a feed of hundreds of thousands of records per second cannot
  afford to build 46 ``Decimal`` objects per record that nobody reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final, TypeVar

import msgspec

from ..catalog import field_table
from .encoding import DECODERS, decode, decode_text

__all__ = ["ApiResponse", "Row", "StreamRecord", "decode_response", "decode_row"]

R = TypeVar("R", bound="Row")
A = TypeVar("A", bound="ApiResponse")


class Row(msgspec.Struct, frozen=True, kw_only=True, repr_omit_defaults=True):
    """One record of a response block (see module docstring)."""

    # (wire name lower-case, attribute, encoding) for every declared field; set by generated code.
    __wire__: ClassVar[tuple[tuple[str, str, str], ...]] = ()
    __index__: ClassVar[dict[str, tuple[str, str]] | None] = None

    raw: dict[str, Any] = msgspec.field(default_factory=dict)

    @classmethod
    def _index(cls) -> dict[str, tuple[str, str]]:
        index = cls.__dict__.get("__index__")
        if index is None:
            index = {wire: (attr, enc) for wire, attr, enc in cls.__wire__}
            cls.__index__ = index
        return index

    def get(self, name: str, default: Any = None) -> Any:
        """A field by wire name (any case) or Python name, decoded by the field table."""
        index = self._index()
        key = name.lower()
        if key in index:
            return getattr(self, index[key][0])
        for wire, value in self.raw.items():
            if wire.lower() == key:
                info = field_table().get(key)
                return decode(info.enc, value) if info else value
        for attr, _enc in index.values():
            if attr == name:
                return getattr(self, attr)
        return default

    def extra(self) -> dict[str, Any]:
        """Fields the server sent that this model does not declare, decoded by the field table."""
        index = self._index()
        table = field_table()
        out: dict[str, Any] = {}
        for wire, value in self.raw.items():
            key = wire.lower()
            if key in index:
                continue
            info = table.get(key)
            out[info.py if info else key] = decode(info.enc, value) if info else value
        return out

    def to_dict(self) -> dict[str, Any]:
        """Every field, decoded, by Python name (declared fields first, then extras)."""
        out = {attr: getattr(self, attr) for _w, attr, _e in self.__wire__}
        out.update(self.extra())
        return out

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{attr}={getattr(self, attr)!r}"
            for _w, attr, _e in self.__wire__
            if getattr(self, attr) is not None
        )
        return f"{type(self).__name__}({shown})"


_DECODER_CACHE: dict[type[Row], dict[str, tuple[str, Callable[[str], Any]]]] = {}


def _decoders(cls: type[Row]) -> dict[str, tuple[str, Callable[[str], Any]]]:
    """wire name (as sent and lower-cased) → (attribute, decoder function), built once."""
    table = _DECODER_CACHE.get(cls)
    if table is None:
        table = {}
        for wire, (attr, enc) in cls._index().items():
            entry = (attr, DECODERS.get(enc, decode_text))
            table[wire] = entry
            table[wire.upper()] = entry
        _DECODER_CACHE[cls] = table
    return table


def decode_row(cls: type[R], data: Mapping[str, Any]) -> R:
    """Build a row from a wire record; unknown fields stay in ``raw``."""
    table = _decoders(cls)
    kwargs: dict[str, Any] = {}
    for wire, value in data.items():
        hit = table.get(wire) or table.get(wire.lower())
        if hit is not None:
            kwargs[hit[0]] = hit[1](value) if isinstance(value, str) else value
    return cls(raw=dict(data), **kwargs)


class ApiResponse(msgspec.Struct, frozen=True, kw_only=True, repr_omit_defaults=True):
    """A decoded REST response (see module docstring)."""

    # block name → row class; set by generated code.
    __blocks__: ClassVar[dict[str, type[Row]]] = {}

    rt_cd: str = ""
    msg_cd: str = ""
    msg1: str = ""
    tr_id: str = ""
    tr_cont: str = ""
    raw: dict[str, Any] = msgspec.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.rt_cd in ("0", "")

    @property
    def has_more(self) -> bool:
        """True when the server says more pages follow (``tr_cont`` ``F`` or ``M``)."""
        return self.tr_cont in ("F", "M")

    def blocks(self) -> dict[str, tuple[Row, ...]]:
        """Every block present, by name (including blocks the catalogue did not list)."""
        out: dict[str, tuple[Row, ...]] = {}
        for name in self.__blocks__:
            rows = getattr(self, name, ())
            if rows:
                out[name] = rows
        for name, value in self.raw.items():
            if name.startswith(("output", "outblock")) and name not in self.__blocks__:
                out[name] = tuple(decode_row(Row, r) for r in _records(value))
        return out

    def rows(self, block: str | None = None) -> tuple[Row, ...]:
        """The rows of ``block`` (default: the first block that has rows)."""
        blocks = self.blocks()
        if block is not None:
            return blocks.get(block, ())
        for rows in blocks.values():
            return rows
        return ()


def _records(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        if value:
            yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping):
                yield item


def decode_response(
    cls: type[A], body: Mapping[str, Any], *, tr_id: str = "", tr_cont: str = ""
) -> A:
    """Build a typed response from a decoded JSON body."""
    kwargs: dict[str, Any] = {}
    for name, row_cls in cls.__blocks__.items():
        if name in body:
            kwargs[name] = tuple(decode_row(row_cls, r) for r in _records(body[name]))
        elif name == "body":  # auth APIs answer with a flat object, not a block
            kwargs[name] = (decode_row(row_cls, body),)
    return cls(
        rt_cd=str(body.get("rt_cd", "")),
        msg_cd=str(body.get("msg_cd", "")),
        msg1=str(body.get("msg1", "")),
        tr_id=tr_id,
        tr_cont=tr_cont,
        raw=dict(body),
        **kwargs,
    )


#: Realtime columns holding an account number, masked in a record's ``repr``.
_MASKED_COLUMNS: Final = frozenset({"ACNT_NO", "CANO"})


class StreamRecord:
    """One realtime record, decoded field by field on access (see module docstring)."""

    __slots__ = ("_values",)

    TR_ID: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    ENCODINGS: ClassVar[tuple[str, ...]] = ()
    # One decoder function per column, resolved once per class (not per field read).
    _DECODERS: ClassVar[tuple[Callable[[str], Any], ...]] = ()
    _NAMES: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._DECODERS = tuple(DECODERS.get(e, decode_text) for e in cls.ENCODINGS)
        cls._NAMES = tuple(c.lower() for c in cls.COLUMNS)

    def __init__(self, values: Sequence[str]) -> None:
        self._values = values

    @property
    def values(self) -> Sequence[str]:
        """The raw values, in column order, as sent (trailing extra columns included)."""
        return self._values

    def _get(self, index: int) -> Any:
        values = self._values
        if index >= len(values):
            return None
        return self._DECODERS[index](values[index])

    @property
    def extra(self) -> tuple[str, ...]:
        """Values past the known columns (KIS adds columns over time)."""
        return tuple(self._values[len(self.COLUMNS):])

    def to_dict(self) -> dict[str, Any]:
        """Every known column decoded, by lower-case column name (missing ones are None)."""
        values = self._values
        n = len(values)
        return {
            name: (decoder(values[i]) if i < n else None)
            for i, (name, decoder) in enumerate(zip(self._NAMES, self._DECODERS, strict=False))
        }

    def __repr__(self) -> str:
        # Fill notices carry the account number (ACNT_NO): personal data, masked when shown.
        shown = ", ".join(
            f"{c.lower()}={'***' if c.upper() in _MASKED_COLUMNS else repr(v)}"
            for c, v in zip(self.COLUMNS[:4], self._values[:4], strict=False)
        )
        return f"{type(self).__name__}({shown}, …)"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, StreamRecord)
            and type(other) is type(self)
            and list(other._values) == list(self._values)
        )

    def __hash__(self) -> int:
        return hash((type(self), tuple(self._values)))
