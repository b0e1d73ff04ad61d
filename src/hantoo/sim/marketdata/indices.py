"""Market indices computed from their constituents, in one place.

Method (the KRX method, reduced to what the simulator knows): an index is capitalisation
weighted::

    level = base_level × Σ price_i × shares_i / Σ base_price_i × shares_i

The **base date** is the simulator universe's snapshot: ``base_price_i`` is each constituent's
reference price in the universe file, and ``base_level`` is the documented level the index
stands at when every constituent is at its reference price (:data:`INDICES`; chosen near the real
indices' recent levels so numbers look familiar). The previous close, open, high and low levels
use the constituents' previous closes, opens, highs and lows (so ``high``/``low`` are the levels
at the constituents' own extremes — an upper/lower bound, as the engine keeps no index tape).

Constituents: the market's common stocks (ETFs/ETNs excluded), the largest ``top`` of them by
reference capitalisation for the size indices (KOSPI200, KOSDAQ150, KRX100), fixed issue lists for
the sector indices. Levels are ``Decimal`` with two decimals, never floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..engine.types import InstrumentKind, Market

__all__ = ["INDICES", "IndexDef", "IndexLevel", "constituents", "index_level", "level_of"]

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class IndexDef:
    code: str
    """KIS sector/index code (``FID_INPUT_ISCD`` of the index APIs)."""
    name: str
    base_level: Decimal
    markets: tuple[Market, ...]
    top: int | None = None
    """Only the ``top`` largest issues by reference capitalisation (size indices)."""
    members: tuple[str, ...] = ()
    """A fixed issue list (sector indices); empty means "the markets' common stocks"."""


#: The indices the simulator computes. Sector membership lists real KRX classifications of the
#: default universe's issues; issues missing from a user's universe are simply skipped.
INDICES: dict[str, IndexDef] = {
    d.code: d
    for d in (
        IndexDef("0001", "종합", Decimal("2500.00"), (Market.KOSPI,)),
        IndexDef("1001", "코스닥", Decimal("750.00"), (Market.KOSDAQ,)),
        IndexDef("2001", "코스피200", Decimal("330.00"), (Market.KOSPI,), top=200),
        IndexDef("3003", "코스닥150", Decimal("1250.00"), (Market.KOSDAQ,), top=150),
        IndexDef("4001", "KRX100", Decimal("5000.00"), (Market.KOSPI, Market.KOSDAQ), top=100),
        IndexDef("0013", "전기전자", Decimal("20000.00"), (Market.KOSPI,),
                 members=("005930", "000660", "373220", "006400", "066570", "009150")),
        IndexDef("0015", "운수장비", Decimal("2000.00"), (Market.KOSPI,),
                 members=("005380", "000270", "012330", "012450", "329180", "042660")),
        IndexDef("0021", "금융업", Decimal("500.00"), (Market.KOSPI,),
                 members=("105560", "055550", "086790", "024110", "032830", "006800",
                          "001510")),
        IndexDef("0009", "화학", Decimal("4500.00"), (Market.KOSPI,),
                 members=("051910", "096770", "090430")),
    )
}


@dataclass(frozen=True, slots=True)
class IndexLevel:
    """One index now: levels, change, and the aggregates of its constituents."""

    code: str
    name: str
    level: Decimal
    prev_close: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    change: Decimal
    change_rate: Decimal
    change_sign: str
    volume: int
    trade_value: Decimal
    advancers: int
    decliners: int
    unchanged: int
    upper_limit: int
    lower_limit: int
    members: tuple[str, ...]


def constituents(universe: Iterable[Any], d: IndexDef) -> list[Any]:
    """The instruments of index ``d`` (universe order), as the method above defines them."""
    pool = [i for i in universe
            if not i.market.is_overseas and i.market in d.markets and i.shares > 0]
    if d.members:
        wanted = set(d.members)
        return [i for i in pool if i.code in wanted]
    pool = [i for i in pool if i.kind is InstrumentKind.STOCK]
    if d.top is not None:
        ranked = sorted(pool, key=lambda i: (-(i.ref_price * i.shares), i.code))[: d.top]
        keep = {i.code for i in ranked}
        pool = [i for i in pool if i.code in keep]
    return pool


def level_of(base_level: Decimal, prices: Sequence[Decimal | int], shares: Sequence[int],
             base_prices: Sequence[Decimal | int]) -> Decimal:
    """``base_level × Σ p×s / Σ b×s`` to two decimals (half up)."""
    num = sum((Decimal(p) * s for p, s in zip(prices, shares, strict=True)), Decimal(0))
    den = sum((Decimal(b) * s for b, s in zip(base_prices, shares, strict=True)), Decimal(0))
    if den == 0:
        return base_level
    return (base_level * num / den).quantize(_CENT, ROUND_HALF_UP)


def index_level(exchange: Any, code: str) -> IndexLevel | None:
    """The index ``code`` now, from the engine's live quotes (``None`` for an unknown code)."""
    d = INDICES.get(code)
    if d is None:
        return None
    members = constituents(exchange.universe, d)
    quotes = [exchange.quote(i.code) for i in members]
    shares = [i.shares for i in members]
    base = [Decimal(i.ref_price) for i in members]

    def lv(attr: str) -> Decimal:
        return level_of(d.base_level, [getattr(q, attr) or q.price for q in quotes], shares, base)

    level, prev = lv("price"), lv("prev_close")
    change = level - prev
    rate = (change * 100 / prev).quantize(_CENT, ROUND_HALF_UP) if prev else Decimal(0)
    return IndexLevel(
        code=d.code,
        name=d.name,
        level=level,
        prev_close=prev,
        open=lv("open"),
        high=max(lv("high"), level),
        low=min(lv("low"), level),
        change=change,
        change_rate=rate,
        change_sign="2" if change > 0 else "5" if change < 0 else "3",
        volume=sum(q.volume for q in quotes),
        trade_value=sum((q.trade_value for q in quotes), Decimal(0)),
        advancers=sum(1 for q in quotes if q.change > 0),
        decliners=sum(1 for q in quotes if q.change < 0),
        unchanged=sum(1 for q in quotes if q.change == 0),
        upper_limit=sum(1 for q in quotes if q.change_sign == "1"),
        lower_limit=sum(1 for q in quotes if q.change_sign == "4"),
        members=tuple(i.code for i in members),
    )


def daily_levels(exchange: Any, code: str, start: date, end: date) -> list[tuple[date, Decimal,
                                                                               Decimal, Decimal,
                                                                               Decimal, int]]:
    """Daily (day, open, high, low, close, volume) of index ``code`` between two dates, oldest
    first, from the constituents' daily candles (the last one ends at :func:`index_level`)."""
    d = INDICES.get(code)
    if d is None:
        return []
    members = constituents(exchange.universe, d)
    shares = [i.shares for i in members]
    base = [Decimal(i.ref_price) for i in members]
    by_day: dict[date, list[Any]] = {}
    for n, inst in enumerate(members):
        for c in exchange.daily_candles(inst.code, start, end, "D"):
            row = by_day.setdefault(c.start, [None] * len(members))
            row[n] = c
    out = []
    for day in sorted(by_day):
        row = by_day[day]
        if any(c is None for c in row):  # a constituent not trading that day: skip the day
            continue

        def lv(attr: str, row: list[Any] = row) -> Decimal:
            return level_of(d.base_level, [getattr(c, attr) for c in row], shares, base)

        out.append((day, lv("open"), lv("high"), lv("low"), lv("close"),
                    sum(c.volume for c in row)))
    return out
