"""An ETF's NAV history: per day from its index's daily levels, per minute from the tape.

Why: the NAV trend APIs must show the same NAV rule as the ETF's current NAV
(:func:`.etf.etf_nav`) applied to the past, so their newest row is the NAV and price every other
ETF API answers. The rule, for a day or a moment ``t`` of day ``d``::

    nav(t) = close(d−1) × (1 + multiple × (index(t) − index_close(d−1)) / index_close(d−1))

``close(d−1)`` is the fund's previous close (the simulator keeps no fund accounts, so the
previous NAV is that close, as in ``etf_nav``). Daily index levels come from the constituents'
daily candles (:func:`.indices.daily_levels`); the index at a minute from each constituent's
last print at or before the minute's end (its minute candles; the previous close before its
first print), weighted as the index is (:func:`.indices.level_of`). So the last minute's index
is the live index and its NAV is ``etf_nav``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from .etf import etf_nav, tracked
from .indices import INDICES, constituents, daily_levels, level_of

__all__ = ["NavPoint", "daily_navs", "minute_navs", "nav_at"]

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class NavPoint:
    """The fund at one day's close or one interval's end."""

    at: date | datetime
    price: Decimal
    prev_close: Decimal
    volume: int
    """The day's (or the interval's) traded volume."""
    cum_volume: int
    """The day's volume up to this point."""
    nav: Decimal
    prev_nav: Decimal


def nav_at(prev_nav: Decimal, multiple: int, level: Decimal, prev_level: Decimal) -> Decimal:
    """The NAV rule (module docstring), to the cent."""
    if not prev_level:
        return prev_nav
    move = (level - prev_level) / prev_level
    return (prev_nav * (1 + multiple * move)).quantize(_CENT, ROUND_HALF_UP)


def daily_navs(exchange: Any, symbol: str, start: date, end: date) -> list[NavPoint]:
    """The fund's close and NAV per trading day between ``start`` and ``end``, oldest first;
    today's (if in range) is :func:`.etf.etf_nav`'s."""
    inst = exchange.universe[symbol]
    code, multiple = tracked(inst)
    first = start - timedelta(days=14)  # the day before ``start`` gives its previous close
    levels = {d[0]: d[4] for d in daily_levels(exchange, code, first, end)}
    candles = [c for c in exchange.daily_candles(symbol, first, end, "D") if c.start in levels]
    today = exchange.trading_day()
    out = []
    for prev, c in pairwise(candles):
        if c.start < start:
            continue
        prev_nav = Decimal(prev.close)
        nav = nav_at(prev_nav, multiple, levels[c.start], levels[prev.start])
        if c.start == today:
            live = etf_nav(exchange, symbol)
            if live is not None:
                nav = live.nav
        out.append(NavPoint(c.start, Decimal(c.close), prev_nav, c.volume, c.volume, nav,
                            prev_nav))
    return out


def _last_prices(exchange: Any, code: str) -> list[tuple[datetime, Decimal]]:
    """(minute start, close) of one issue's minute candles today, oldest first."""
    return [(c.start, Decimal(c.close)) for c in exchange.minute_candles(code)]


def minute_navs(exchange: Any, symbol: str, interval: int) -> list[NavPoint]:
    """The fund's price and NAV at the end of every ``interval``-minute bar it traded in
    today, oldest first (the last one is the NAV and price now)."""
    inst = exchange.universe[symbol]
    code, multiple = tracked(inst)
    d = INDICES[code]
    members = constituents(exchange.universe, d)
    shares = [i.shares for i in members]
    refs = [Decimal(i.ref_price) for i in members]
    quotes = [exchange.quote(i.code) for i in members]
    prev_level = level_of(d.base_level, [q.prev_close for q in quotes], shares, refs)
    series = [_last_prices(exchange, i.code) for i in members]
    fund = exchange.quote(symbol)
    prev_nav = Decimal(fund.prev_close)
    bars = exchange.minute_candles(symbol, interval)
    out = []
    cursors = [0] * len(members)
    prices = [Decimal(q.prev_close) for q in quotes]
    cum = 0
    step = timedelta(minutes=interval)
    for n, bar in enumerate(bars):
        end = bar.start + step
        for k, s in enumerate(series):
            i = cursors[k]
            while i < len(s) and s[i][0] < end:
                prices[k] = s[i][1]
                i += 1
            cursors[k] = i
        if n == len(bars) - 1:  # the newest bar: the live index, whatever its members' minute
            prices = [Decimal(q.price) for q in quotes]
        level = level_of(d.base_level, prices, shares, refs)
        cum += bar.volume
        out.append(NavPoint(bar.start, Decimal(bar.close), prev_nav, bar.volume, cum,
                            nav_at(prev_nav, multiple, level, prev_level), prev_nav))
    return out
