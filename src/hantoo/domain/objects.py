"""The domain objects most users touch: frozen, typed, ``Decimal`` money, KST-aware times.

Wire models (``hantoo._generated``) mirror what KIS sends, field by field, with KIS's names
(``stck_prpr``). These objects say what it *means* (``Quote.price``), one shape for domestic and
overseas instruments, with the currency carried alongside the amounts (KRW or USD, ...). Each
keeps the wire row(s) it came from in ``raw`` (hidden from repr and equality), so nothing the
server said is lost. They are built by the functions in :mod:`hantoo.domain.convert`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .ordertypes import Side
from .records import Records
from .symbols import Currency

__all__ = [
    "Balance",
    "BookLevel",
    "BuyingPower",
    "Candle",
    "Candles",
    "Fill",
    "Fills",
    "OrderBook",
    "OrderSnapshot",
    "OrderStatus",
    "Position",
    "Positions",
    "Quote",
    "Reservation",
    "Tick",
    "Ticks",
]


def money(amount: Decimal | None, currency: Currency | str) -> str:
    """``71,000 KRW`` / ``187.25 USD`` — for reprs."""
    if amount is None:
        return "-"
    return f"{amount:,f} {currency}" if amount != amount.to_integral_value() else (
        f"{amount:,.0f} {currency}"
    )


def _ts(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S%z")[:-2] if value else "-"


class OrderStatus(StrEnum):
    """Where an order stands. ``UNKNOWN``: the SDK could not learn it (see ``reconcile``)."""

    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        return self in (OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """A current price snapshot."""

    symbol: str
    currency: Currency
    price: Decimal
    change: Decimal | None = None
    change_rate: Decimal | None = None  # percent
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    prev_close: Decimal | None = None
    upper_limit: Decimal | None = None
    lower_limit: Decimal | None = None
    volume: int | None = None
    turnover: Decimal | None = None
    name: str | None = None
    exchange: str = "KRX"
    time: dt.datetime | None = None
    raw: Any = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        rate = f" {self.change_rate:+}%" if self.change_rate is not None else ""
        return (f"Quote({self.symbol} {money(self.price, self.currency)}{rate}"
                f" vol={self.volume if self.volume is not None else '-'})")


@dataclass(frozen=True, slots=True)
class BookLevel:
    """One price level of an order book."""

    price: Decimal
    quantity: int

    def __repr__(self) -> str:
        return f"{self.price}×{self.quantity}"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderBook:
    """Bids and asks, best first (KRX shows 10 levels per side)."""

    symbol: str
    currency: Currency
    asks: tuple[BookLevel, ...]
    bids: tuple[BookLevel, ...]
    total_ask_quantity: int | None = None
    total_bid_quantity: int | None = None
    expected_price: Decimal | None = None
    expected_quantity: int | None = None
    exchange: str = "KRX"
    time: dt.datetime | None = None
    raw: Any = field(default=None, repr=False, compare=False)

    @property
    def best_ask(self) -> BookLevel | None:
        return self.asks[0] if self.asks else None

    @property
    def best_bid(self) -> BookLevel | None:
        return self.bids[0] if self.bids else None

    @property
    def spread(self) -> Decimal | None:
        if self.best_ask is None or self.best_bid is None:
            return None
        return self.best_ask.price - self.best_bid.price

    def __repr__(self) -> str:
        return (f"OrderBook({self.symbol} bid {self.best_bid!r} / ask {self.best_ask!r}, "
                f"{len(self.bids)}x{len(self.asks)} levels {self.currency})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Candle:
    """One bar. ``time`` is the bar's KST start (midnight for day/week/month bars)."""

    symbol: str
    interval: str
    time: dt.datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    currency: Currency
    turnover: Decimal | None = None
    raw: Any = field(default=None, repr=False, compare=False)

    @property
    def date(self) -> dt.date:
        return self.time.date()

    def __repr__(self) -> str:
        when = self.time.strftime("%Y-%m-%d" if self.interval != "minute" else "%Y-%m-%d %H:%M")
        return (f"Candle({self.symbol} {self.interval} {when} O={self.open} H={self.high} "
                f"L={self.low} C={self.close} V={self.volume} {self.currency})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Tick:
    """One trade print."""

    symbol: str
    time: dt.datetime | None
    price: Decimal
    quantity: int
    currency: Currency
    change: Decimal | None = None
    volume: int | None = None  # cumulative
    raw: Any = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        price = money(self.price, self.currency)
        return f"Tick({self.symbol} {_ts(self.time)} {price}×{self.quantity})"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderSnapshot:
    """An order as last seen (REST queries or notices). The live handle is ``Order``."""

    order_no: str
    symbol: str
    side: Side
    quantity: int
    price: Decimal | None
    currency: Currency
    status: OrderStatus
    filled_quantity: int = 0
    average_fill_price: Decimal | None = None
    remaining_quantity: int = 0
    cancelled_quantity: int = 0
    rejected_quantity: int = 0
    order_type_code: str = ""
    branch: str = ""
    original_order_no: str = ""
    exchange: str = "KRX"
    placed_at: dt.datetime | None = None
    raw: Any = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        # What it executed at once anything did (a market order's own price is 0), else the
        # limit, else "market".
        if self.filled_quantity and self.average_fill_price:
            at = f"@ avg {money(self.average_fill_price, self.currency)}"
        elif self.price:
            at = f"@ {money(self.price, self.currency)}"
        else:
            at = "@ market"
        return (f"OrderSnapshot(#{self.order_no} {self.side} {self.symbol} "
                f"{self.filled_quantity}/{self.quantity} {at} {self.status})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Fill:
    """What executed for one order (KIS reports executions per order: quantity and average)."""

    order_no: str
    symbol: str
    side: Side
    quantity: int
    price: Decimal
    amount: Decimal
    currency: Currency
    order_quantity: int | None = None
    order_price: Decimal | None = None
    name: str | None = None
    original_order_no: str = ""
    exchange: str = "KRX"
    time: dt.datetime | None = None
    raw: Any = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return (f"Fill(#{self.order_no} {self.side} {self.symbol} {self.quantity} @ "
                f"{money(self.price, self.currency)} {_ts(self.time)})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    """A holding."""

    symbol: str
    quantity: int
    currency: Currency
    average_price: Decimal | None = None
    purchase_amount: Decimal | None = None
    price: Decimal | None = None
    market_value: Decimal | None = None
    pnl: Decimal | None = None
    pnl_rate: Decimal | None = None  # percent
    orderable_quantity: int | None = None
    name: str | None = None
    exchange: str = "KRX"
    raw: Any = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return (f"Position({self.symbol} {self.quantity} @ avg "
                f"{money(self.average_price, self.currency)} pnl {money(self.pnl, self.currency)})")


class Fills(Records[Fill]):
    """Fills, exportable with ``to_pandas()`` / ``to_polars()``."""


class Positions(Records[Position]):
    """Positions, exportable with ``to_pandas()`` / ``to_polars()``."""


class Candles(Records[Candle]):
    """Candles, oldest first, exportable with ``to_pandas()`` / ``to_polars()``."""


class Ticks(Records[Tick]):
    """Ticks, exportable with ``to_pandas()`` / ``to_polars()``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Balance:
    """Cash and holdings of one account (domestic: KRW; overseas: one currency)."""

    currency: Currency
    positions: Positions
    cash: Decimal | None = None
    settlement_cash: Decimal | None = None  # D+2 estimate
    purchase_amount: Decimal | None = None
    market_value: Decimal | None = None
    pnl: Decimal | None = None
    total_value: Decimal | None = None
    net_assets: Decimal | None = None
    raw: Any = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return (f"Balance(cash {money(self.cash, self.currency)}, value "
                f"{money(self.total_value, self.currency)}, {len(self.positions)} positions)")


@dataclass(frozen=True, slots=True, kw_only=True)
class BuyingPower:
    """What can be bought at a price: with cash only, and at most (with credit/margin)."""

    symbol: str
    currency: Currency
    price: Decimal | None
    cash: Decimal | None = None
    max_amount: Decimal | None = None
    max_quantity: int | None = None
    cash_amount: Decimal | None = None  # without unsettled receivables (미수 없는)
    cash_quantity: int | None = None
    credit: bool = False
    exchange_rate: Decimal | None = None
    order_type_code: str = ""
    raw: Any = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        kind = "credit" if self.credit else "cash"
        return (f"BuyingPower({self.symbol} {kind}: max {self.max_quantity} for "
                f"{money(self.max_amount, self.currency)} at {money(self.price, self.currency)})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Reservation:
    """A reservation order (예약주문), domestic or overseas."""

    reservation_no: str
    symbol: str
    side: Side | None
    quantity: int
    price: Decimal | None
    currency: Currency
    ordered_on: dt.date | None = None
    end_date: dt.date | None = None
    filled_quantity: int = 0
    cancelled: bool = False
    order_no: str = ""
    order_type_code: str = ""
    status_text: str = ""
    exchange: str = "KRX"
    raw: Any = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        until = f" until {self.end_date}" if self.end_date else ""
        state = " cancelled" if self.cancelled else ""
        return (f"Reservation(#{self.reservation_no} {self.side} {self.symbol} {self.quantity} @ "
                f"{money(self.price, self.currency)}{until}{state})")
