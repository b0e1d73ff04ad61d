"""A series' trades of the trading day as packed columns (the derivatives twin of
:mod:`hantoo.sim.engine.tape`).

Why: the day's tape is kept whole — the realtime trade records (:mod:`hantoo.sim.deriv_feed`)
and the intraday candles (``inquire_time_fuopchartprice``) are built from it — so its size per
trade is what a busy futures day costs in memory and in every snapshot. A list of frozen
``Print`` objects with a ``datetime`` each costs about 200 bytes a trade; five ``array``
columns cost 33. It behaves as the list did: ``append`` takes a ``Print``, iteration, indexing
and slicing give ``Print`` objects back (times on the simulator's Korean clock), and it pickles
compactly into snapshots.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, overload

from ..engine.clock import from_us, to_us

if TYPE_CHECKING:
    from .market import Print

__all__ = ["PrintTape"]


class PrintTape(Sequence["Print"]):
    """Prints ``(cum, units, qty, time, side)`` in time order, packed."""

    __slots__ = ("_cum", "_px", "_qty", "_side", "_t")

    def __init__(self, prints: Iterable[Print] = ()) -> None:
        self._cum = array("q")
        self._px = array("q")
        self._qty = array("q")
        self._t = array("q")
        self._side = array("b")
        for p in prints:
            self.append(p)

    def append(self, p: Print) -> None:
        self._cum.append(p.cum)
        self._px.append(p.units)
        self._qty.append(p.qty)
        self._t.append(to_us(p.time))
        self._side.append(p.side)  # last: a print counts once its last column is written

    def _at(self, i: int) -> Print:
        from .market import Print

        return Print(self._cum[i], self._px[i], self._qty[i], from_us(self._t[i]),
                     self._side[i])

    def __len__(self) -> int:
        return len(self._side)

    def __bool__(self) -> bool:
        return bool(self._side)

    def __iter__(self) -> Iterator[Print]:
        for i in range(len(self._side)):
            yield self._at(i)

    @overload
    def __getitem__(self, i: int) -> Print: ...
    @overload
    def __getitem__(self, i: slice) -> list[Print]: ...
    def __getitem__(self, i: int | slice) -> Print | list[Print]:
        n = len(self._side)
        if isinstance(i, slice):
            return [self._at(k) for k in range(*i.indices(n))]
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("tape index out of range")
        return self._at(i)

    def columns(self) -> tuple[array[int], array[int], array[int]]:
        """``(time_us, units, qty)``: the raw columns, for aggregations (candles)."""
        return self._t, self._px, self._qty

    def last_time(self) -> datetime | None:
        return from_us(self._t[-1]) if self._t else None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PrintTape):
            return (self._cum, self._px, self._qty, self._t, self._side) == (
                other._cum, other._px, other._qty, other._t, other._side)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[Any, ...]:
        return (self._cum, self._px, self._qty, self._t, self._side)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self._cum, self._px, self._qty, self._t, self._side = state

    def __repr__(self) -> str:
        return f"PrintTape({len(self)} prints)"
