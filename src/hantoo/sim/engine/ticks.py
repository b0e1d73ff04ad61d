"""Price grids: tick sizes, daily price limits and money conversion at the boundary.

Every price inside the engine is an ``int`` in the instrument's *minor unit* (KRW: won; USD:
cents). ``Decimal`` appears only in :func:`to_units` / :func:`from_units`, which the public API
calls once per request, so the matching loop never touches ``Decimal`` (or ``float``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

#: ``price -> tick size`` for one instrument kind.
TickFn = Callable[[int], int]

#: Minor units per major unit, per currency. USD is kept in cents because US stocks trade on a
#: 0.01 grid; fees are rounded to the cent as brokers do. HKD is kept in thousandths (the HKEX
#: spread table starts at 0.001), JPY and VND in whole units, CNY in fen.
CURRENCY_SCALE: dict[str, int] = {
    "KRW": 1, "USD": 100, "HKD": 1000, "JPY": 1, "CNY": 100, "VND": 1,
}

#: KRX tick table for KOSPI/KOSDAQ stocks since 2023-01-25: (price strictly below, tick).
KRX_TICKS: tuple[tuple[int, int], ...] = (
    (2_000, 1),
    (5_000, 5),
    (20_000, 10),
    (50_000, 50),
    (200_000, 100),
    (500_000, 500),
)
KRX_TOP_TICK = 1_000
#: ETF / ETN / ELW trade on a flat 5-won grid.
FUND_TICK = 5
#: US stocks: one cent at every price (sub-dollar sub-penny quotes are not simulated).
US_TICK = 1
#: Daily price limit, percent of the base price (KRX regular session).
KRX_LIMIT_PCT = 30
#: After-hours single-price session band, percent of the day's close.
AFTER_HOURS_BAND_PCT = 10


def krx_stock_tick(price: int) -> int:
    """Tick size of a KOSPI/KOSDAQ stock quoted at ``price`` won."""
    if price < 2_000:
        return 1
    if price < 5_000:
        return 5
    if price < 20_000:
        return 10
    if price < 50_000:
        return 50
    if price < 200_000:
        return 100
    if price < 500_000:
        return 500
    return KRX_TOP_TICK


def fund_tick(price: int) -> int:
    """Tick size of an ETF/ETN/ELW: flat, whatever the price."""
    return FUND_TICK


def us_tick(price: int) -> int:
    """Tick size of a US stock in cents."""
    return US_TICK


def floor_to_tick(price: int, tick_of: TickFn) -> int:
    """Largest valid price ≤ ``price`` (never below one tick)."""
    t = tick_of(price)
    p = price - price % t
    return p if p > 0 else t


def ceil_to_tick(price: int, tick_of: TickFn) -> int:
    """Smallest valid price ≥ ``price``."""
    t = tick_of(price)
    r = price % t
    return price + (t - r) if r else price


def tick_up(price: int, tick_of: TickFn) -> int:
    """The next valid price above a valid ``price``."""
    return price + tick_of(price)


def tick_down(price: int, tick_of: TickFn) -> int:
    """The next valid price below a valid ``price`` (the grid is finer below a band edge)."""
    below = price - 1
    if below <= 0:
        return 0
    return floor_to_tick(below, tick_of)


def daily_limits(base: int, tick_of: TickFn, pct: int = KRX_LIMIT_PCT) -> tuple[int, int]:
    """(lower, upper) price limits around ``base``: ±pct % cut to the grid, inside the band."""
    width = base * pct // 100
    upper = floor_to_tick(base + width, tick_of)
    lower = ceil_to_tick(max(base - width, 1), tick_of)
    return lower, upper


def to_units(value: Decimal | int | str, scale: int) -> int | None:
    """Convert a public price to minor units; ``None`` when it is not a whole number of units."""
    d = Decimal(value) * scale
    i = int(d)
    if d != i:
        return None
    return i


def from_units(value: int, scale: int) -> Decimal:
    """Minor units back to a ``Decimal`` in the major unit (``Decimal`` is exact for these)."""
    if scale == 1:
        return Decimal(value)
    return Decimal(value) / scale

