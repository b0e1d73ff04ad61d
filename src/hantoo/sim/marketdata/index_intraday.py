"""An index through today, interval by interval, from its constituents' minute candles.

Why: the intraday index APIs must show the same calculation as the index now
(:func:`.indices.index_level`): at the end of each interval every constituent counts at its last
print so far (its previous close before its first), weighted as the index is
(:func:`.indices.level_of`). The newest interval ends now, so its level is the live index; volume
and value are the constituents' prints, so the cumulative figures end at the index's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from .indices import INDICES, constituents, level_of

__all__ = ["IndexPoint", "intraday_levels"]


@dataclass(frozen=True, slots=True)
class IndexPoint:
    start: datetime
    level: Decimal
    prev_close: Decimal
    volume: int
    """Traded in the interval (all constituents)."""
    cum_volume: int
    cum_value: Decimal


def intraday_levels(exchange: Any, code: str, interval: int) -> list[IndexPoint]:
    """The index ``code`` at the end of every ``interval``-minute bar any constituent traded
    in today, oldest first (``[]`` for an unknown index)."""
    d = INDICES.get(code)
    if d is None:
        return []
    members = constituents(exchange.universe, d)
    shares = [i.shares for i in members]
    refs = [Decimal(i.ref_price) for i in members]
    quotes = [exchange.quote(i.code) for i in members]
    prev_level = level_of(d.base_level, [q.prev_close for q in quotes], shares, refs)
    bars: dict[datetime, list[Any]] = {}  # bar start → [per-member close or None, vol, value]
    for k, inst in enumerate(members):
        for c in exchange.minute_candles(inst.code, interval):
            row = bars.get(c.start)
            if row is None:
                row = bars[c.start] = [[None] * len(members), 0, Decimal(0)]
            row[0][k] = Decimal(c.close)
            row[1] += c.volume
            row[2] += Decimal(c.value)
    prices = [Decimal(q.prev_close) for q in quotes]
    out = []
    cum_vol, cum_value = 0, Decimal(0)
    starts = sorted(bars)
    for n, start in enumerate(starts):
        closes, vol, value = bars[start]
        for k, px in enumerate(closes):
            if px is not None:
                prices[k] = px
        if n == len(starts) - 1:  # the bar in progress ends now: the live index
            prices = [Decimal(q.price) for q in quotes]
        cum_vol += vol
        cum_value += value
        out.append(IndexPoint(start, level_of(d.base_level, prices, shares, refs), prev_level,
                              vol, cum_vol, cum_value))
    return out

