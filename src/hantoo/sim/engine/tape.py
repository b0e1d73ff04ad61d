"""A symbol's trades of the day as packed columns: the engine's one record that grows with fills.

Why: the day's tape is kept whole (time and sales, minute candles and the realtime feed are
built from it), so its size per trade is what a long order stream costs in memory. A list of
``(time_us, price, qty, aggressor)`` tuples costs about 170 bytes a trade (the tuple and three
``int`` objects); four ``array`` columns cost 25. It behaves as the list did: ``append`` takes
the tuple, iteration and indexing give tuples back, and it pickles compactly into snapshots.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

__all__ = ["Tape"]

Trade = tuple[int, int, int, int]


class Tape:
    """Trades ``(time_us, price, qty, aggressor 0/1/2)`` in time order, packed."""

    __slots__ = ("_aggr", "_px", "_qty", "_t")

    def __init__(self, trades: Iterable[Trade] = ()) -> None:
        self._t = array("q")
        self._px = array("q")
        self._qty = array("q")
        self._aggr = array("b")
        for trade in trades:
            self.append(trade)

    def append(self, trade: Trade) -> None:
        t, px, qty, aggr = trade
        self._t.append(t)
        self._px.append(px)
        self._qty.append(qty)
        self._aggr.append(aggr)  # last: a trade counts once its last column is written

    def add(self, t: int, px: int, qty: int, aggr: int) -> None:
        """Append one trade given as its four columns (the matching loop: no tuple built)."""
        self._t.append(t)
        self._px.append(px)
        self._qty.append(qty)
        self._aggr.append(aggr)  # last: a trade counts once its last column is written

    def __len__(self) -> int:
        return len(self._aggr)

    def __bool__(self) -> bool:
        return bool(self._aggr)

    def __iter__(self) -> Iterator[Trade]:
        # not strict: a reader on another thread during an append sees the trades before it
        return zip(self._t, self._px, self._qty, self._aggr)  # noqa: B905

    def __getitem__(self, i: int) -> Trade:
        n = len(self._aggr)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("tape index out of range")
        return self._t[i], self._px[i], self._qty[i], self._aggr[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Tape):
            return (self._t, self._px, self._qty, self._aggr) == (
                other._t, other._px, other._qty, other._aggr)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Tape({len(self)} trades)"
