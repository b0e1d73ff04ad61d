"""Exchange configuration: everything a run depends on, in one immutable value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from .baskets import Basket
from .clock import SessionClock
from .fees import FeeConfig
from .replay import ReplayData
from .universe import Universe


@dataclass(frozen=True)
class ExchangeConfig:
    """Settings of one simulated exchange.

    ``universe``/``universe_path``: the instruments (default: the shipped universe).
    ``clock``: defaults to a stepped clock at 09:00 KST of the latest business day.
    ``us_mode``: ``"mirror"`` lays the US session on the simulated KRX day (09:30 NY = 09:00
    KST); ``"new_york"`` uses real New York time; default: mirror unless the clock is ``wall``.
    ``margin_ratio``: share of a margin buy paid in cash (the rest is lent).
    ``synthetic_liquidity``: whether the house quotes a ten-level book (off for pure matching).
    ``anchor_date``: the day whose close is each instrument's reference price (default: the
    business day before the clock's start), fixing the synthetic history.
    """

    seed: int = 20_260_101
    universe: Universe | None = None
    universe_path: str | Path | None = None
    clock: SessionClock | None = None
    fees: FeeConfig = field(default_factory=FeeConfig)
    step_seconds: int = 10
    us_mode: str | None = None
    max_order_qty: int = 10_000_000
    margin_ratio: Decimal = Decimal("0.45")
    us_market_reserve_pct: int = 120
    anchor_date: date | None = None
    extra_holidays: tuple[date, ...] = ()
    replay: ReplayData | None = None
    max_reservations: int = 1_000
    reservation_max_days: int = 30
    book_depth: int = 10
    #: Off: no synthetic orders at all (users only trade with each other; prices still move).
    synthetic_liquidity: bool = True
    #: Intensity of the synthetic participants (market makers, noise and momentum traders,
    #: :mod:`.participants`): 0 is a quiet market whose prices follow the seeded path only
    #: (exact tests); 1 is the default live market; 2 doubles the arrival rate, and so on.
    activity: float = 0.0
    #: Funds whose path follows the NAV of a basket (:mod:`.baskets`): called once with the
    #: universe, it returns ``{fund code: Basket}`` (the simulator passes its ETFs' indices).
    baskets: Callable[[Universe], Mapping[str, Basket]] | None = None
