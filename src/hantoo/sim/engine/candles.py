"""Past candles of one symbol, computed once and sliced per request.

Why: a chart page asks for up to decades of daily bars and keeps the newest hundred. Past bars
never change once their day is over (they are a pure function of the seed, the symbol and the
date, or of the replay file), so each symbol's daily candles are computed once per trading day
of the exchange, extended backwards only when a request reaches further, and a request becomes
two bisections and a slice. Weekly, monthly and yearly candles of whole periods are cached the
same way; only a period cut by the request's first or last day is aggregated on the fly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from .synthetic import Bar
from .ticks import from_units
from .views import Candle

_KEYS: dict[str, Callable[[date], object]] = {
    "D": lambda d: d,
    "W": lambda d: d.isocalendar()[:2],
    "M": lambda d: (d.year, d.month),
    "Y": lambda d: d.year,
}


def group_key(period: str) -> Callable[[date], object]:
    return _KEYS[period]


def to_candle(b: Bar, scale: int) -> Candle:
    return Candle(
        start=b.day, open=from_units(b.open, scale), high=from_units(b.high, scale),
        low=from_units(b.low, scale), close=from_units(b.close, scale), volume=b.volume,
        value=from_units(b.value, scale),
    )


def merge(group: Sequence[Candle]) -> Candle:
    """One candle of consecutive daily candles (the first day names it)."""
    return Candle(
        start=group[0].start, open=group[0].open, high=max(c.high for c in group),
        low=min(c.low for c in group), close=group[-1].close,
        volume=sum(c.volume for c in group), value=sum((c.value for c in group), Decimal(0)),
    )


class CandleSeries:
    """Daily candles of one symbol for business days ``[first, until)``, oldest first."""

    __slots__ = ("_groups", "daily", "days", "until")

    def __init__(self, until: date) -> None:
        self.until = until
        self.days: list[date] = []
        self.daily: list[Candle] = []
        self._groups: dict[str, tuple[list[int], list[Candle]]] = {}

    def extend_back(self, days: Sequence[date], bars: Callable[[date], Bar], scale: int) -> None:
        """Prepend the candles of ``days`` (business days before the first one held)."""
        if not days:
            return
        self.days[:0] = days
        self.daily[:0] = [to_candle(bars(d), scale) for d in days]
        self._groups.clear()

    def _grouped(self, period: str) -> tuple[list[int], list[Candle]]:
        """(index of each group's first day, the group's candle) over every day held."""
        hit = self._groups.get(period)
        if hit is None:
            key = _KEYS[period]
            starts: list[int] = []
            last: object = None
            for i, d in enumerate(self.days):
                k = key(d)
                if k != last:
                    starts.append(i)
                    last = k
            bounds = [*starts, len(self.days)]
            candles = [merge(self.daily[bounds[j]:bounds[j + 1]]) for j in range(len(starts))]
            hit = self._groups[period] = (starts, candles)
        return hit

    def select(self, start: date, end: date, period: str) -> list[Candle]:
        """Candles of the held days in ``[start, end]``; a group cut by either end is partial."""
        i0 = bisect_left(self.days, start)
        i1 = bisect_right(self.days, end)
        if i0 >= i1:
            return []
        if period == "D":
            return self.daily[i0:i1]
        starts, candles = self._grouped(period)
        g0 = bisect_right(starts, i0) - 1
        g1 = bisect_right(starts, i1 - 1) - 1
        bounds = [*starts, len(self.days)]
        out: list[Candle] = []
        for g in range(g0, g1 + 1):
            lo, hi = bounds[g], bounds[g + 1]
            if lo >= i0 and hi <= i1:
                out.append(candles[g])
            else:
                out.append(merge(self.daily[max(lo, i0):min(hi, i1)]))
        return out
