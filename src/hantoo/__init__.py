"""hantoo — the Python toolkit for the Korea Investment & Securities (KIS) Open API.

* :class:`Client` / :class:`AsyncClient` — every KIS REST API, typed, with tokens, limits,
  retries and order safety built in; ``environment="sim"`` (the default) talks to the embedded
  simulator, so nothing here needs credentials to try.
* workflows on both clients: ``quote``, ``candles``, ``place_order`` → a self-tracking
  :class:`Order`, ``reconcile``, ... with the domain types of :mod:`hantoo.domain`.
* :mod:`hantoo.errors` — the exception tree.
* :mod:`hantoo.catalog` — every API as data.
"""

from __future__ import annotations

from . import errors
from .client import AsyncClient, Client
from .config import Settings
from .domain import (
    Balance,
    BookLevel,
    BuyingPower,
    Candle,
    Candles,
    Currency,
    Fill,
    Fills,
    OrderBook,
    OrderSnapshot,
    OrderStatus,
    OrderType,
    Position,
    Positions,
    PriceRounding,
    Quote,
    Reservation,
    Side,
    Symbol,
    Tick,
    Ticks,
    TimeInForce,
)
from .errors import (
    ApiError,
    HantooError,
    OrderStateUnknownError,
    RateLimitError,
)
from .workflows import AsyncOrder, Order, ReconcileResult

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "AsyncClient",
    "AsyncOrder",
    "Balance",
    "BookLevel",
    "BuyingPower",
    "Candle",
    "Candles",
    "Client",
    "Currency",
    "Fill",
    "Fills",
    "HantooError",
    "Order",
    "OrderBook",
    "OrderSnapshot",
    "OrderStateUnknownError",
    "OrderStatus",
    "OrderType",
    "Position",
    "Positions",
    "PriceRounding",
    "Quote",
    "RateLimitError",
    "ReconcileResult",
    "Reservation",
    "Settings",
    "Side",
    "Symbol",
    "Tick",
    "Ticks",
    "TimeInForce",
    "__version__",
    "errors",
]
