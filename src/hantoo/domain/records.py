"""Collections of domain objects that export to pandas or polars.

Why a class and not a bare tuple: ``candles.to_pandas()`` is the one-liner people reach for,
and the data frame libraries are an optional extra (``hantoo[data]``), so the import happens
only when asked and fails with the install command. Money stays ``Decimal``: pandas holds the
``Decimal`` objects (object columns), polars gets its ``Decimal`` dtype — never float.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Generic, TypeVar, overload

__all__ = ["Records", "missing_extra"]

T = TypeVar("T")

_INSTALL = 'pip install "hantoo[data]"'


def missing_extra(package: str) -> ImportError:
    return ImportError(
        f"{package} is not installed: data frame export needs the data extra — {_INSTALL}"
    )


def _optional(name: str) -> Any:
    """Import an optional data-frame library (typed ``Any``: the stubs are optional too)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise missing_extra(name) from None


def _row(item: Any) -> dict[str, Any]:
    if hasattr(item, "to_dict"):
        out = item.to_dict()
        assert isinstance(out, dict)
        return out
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return {
            f.name: getattr(item, f.name)
            for f in dataclasses.fields(item)
            if f.name != "raw" and f.repr
        }
    raise TypeError(f"cannot export {type(item).__name__}")


class Records(Sequence[T], Generic[T]):
    """An immutable sequence of domain objects with data-frame export."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._items: tuple[T, ...] = tuple(items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Records[T]: ...
    def __getitem__(self, index: int | slice) -> T | Records[T]:
        if isinstance(index, slice):
            return type(self)(self._items[index])
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Records):
            return self._items == other._items
        if isinstance(other, tuple | list):
            return self._items == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._items)

    def __add__(self, other: Iterable[T]) -> Records[T]:
        return type(self)((*self._items, *other))

    def __repr__(self) -> str:
        name = type(self).__name__
        if len(self._items) <= 6:
            inner = ", ".join(repr(i) for i in self._items)
        else:
            head = ", ".join(repr(i) for i in self._items[:3])
            inner = f"{head}, … {len(self._items) - 4} more …, {self._items[-1]!r}"
        return f"{name}[{len(self._items)}]({inner})"

    def to_dicts(self) -> list[dict[str, Any]]:
        """One dict per item (the fields shown in the repr, without ``raw``)."""
        return [_row(i) for i in self._items]

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame``; money columns keep their ``Decimal`` values."""
        pd = _optional("pandas")
        rows = self.to_dicts()
        return pd.DataFrame.from_records(rows, columns=list(rows[0]) if rows else None)

    def to_polars(self) -> Any:
        """A ``polars.DataFrame``; money columns get the ``Decimal`` dtype."""
        pl = _optional("polars")
        rows = self.to_dicts()
        if not rows:
            return pl.DataFrame()
        columns: dict[str, list[Any]] = {k: [r[k] for r in rows] for k in rows[0]}
        series = []
        for name, values in columns.items():
            values = [v.value if hasattr(v, "value") and not isinstance(v, Decimal) else v
                      for v in values]
            if any(isinstance(v, Decimal) for v in values):
                scale = max(
                    (-int(v.as_tuple().exponent) for v in values if isinstance(v, Decimal)
                     and isinstance(v.as_tuple().exponent, int)),
                    default=0,
                )
                series.append(pl.Series(name, values, dtype=pl.Decimal(scale=max(scale, 0))))
            else:
                series.append(pl.Series(name, values))
        return pl.DataFrame(series)
