"""Domain objects, order-type enums, symbols and tick sizes — the vocabulary of the workflows.

* objects: :class:`Quote`, :class:`OrderBook` (:class:`BookLevel`), :class:`Candle`,
  :class:`Tick`, :class:`OrderSnapshot`, :class:`Fill`, :class:`Position`, :class:`Balance`,
  :class:`BuyingPower`, :class:`Reservation` — frozen, ``Decimal`` money, KST-aware datetimes,
  domestic and overseas alike (each carries its :class:`Currency`);
* collections with ``to_pandas()`` / ``to_polars()``: :class:`Candles`, :class:`Fills`,
  :class:`Positions`, :class:`Ticks`;
* order vocabulary: :class:`OrderType`, :class:`TimeInForce`, :class:`Side` and the wire code
  sets :class:`DomesticOrderCode`, :class:`UsOrderCode`, :class:`FuturesOrderCode`, resolved by
  :func:`resolve_order`;
* :class:`Symbol` / :func:`to_symbol`, :func:`tick_size` / :func:`align_price`;
* converters from wire models: :mod:`hantoo.domain.convert`.
"""

from __future__ import annotations

from .errors import InvalidSymbolFormatError, TickSizeError, UnsupportedOrderError
from .kst import KST
from .objects import (
    Balance,
    BookLevel,
    BuyingPower,
    Candle,
    Candles,
    Fill,
    Fills,
    OrderBook,
    OrderSnapshot,
    OrderStatus,
    Position,
    Positions,
    Quote,
    Reservation,
    Tick,
    Ticks,
)
from .ordertypes import (
    DomesticOrderCode,
    FuturesConditionCode,
    FuturesOrderCode,
    OrderType,
    ProductFamily,
    ResolvedOrder,
    Side,
    TimeInForce,
    UsOrderCode,
    resolve_futures,
    resolve_order,
    resolve_reservation,
)
from .records import Records
from .symbols import Currency, InstrumentKind, Symbol, to_symbol
from .ticks import PriceRounding, TickRule, align_price, tick_size

__all__ = [
    "KST",
    "Balance",
    "BookLevel",
    "BuyingPower",
    "Candle",
    "Candles",
    "Currency",
    "DomesticOrderCode",
    "Fill",
    "Fills",
    "FuturesConditionCode",
    "FuturesOrderCode",
    "InstrumentKind",
    "InvalidSymbolFormatError",
    "OrderBook",
    "OrderSnapshot",
    "OrderStatus",
    "OrderType",
    "Position",
    "Positions",
    "PriceRounding",
    "ProductFamily",
    "Quote",
    "Records",
    "Reservation",
    "ResolvedOrder",
    "Side",
    "Symbol",
    "Tick",
    "TickRule",
    "TickSizeError",
    "Ticks",
    "TimeInForce",
    "UnsupportedOrderError",
    "UsOrderCode",
    "align_price",
    "resolve_futures",
    "resolve_order",
    "resolve_reservation",
    "tick_size",
    "to_symbol",
]
