"""The engine's mutable order record.

One class serves user orders, synthetic liquidity and auction participants: the matching loop
reads a handful of ``int`` slots, so this object is kept flat (``__slots__``, no properties on the
hot path). Public callers get frozen :class:`~hantoo.sim.engine.views.OrderInfo` snapshots.

Quantity bookkeeping, for every order at every instant::

    qty == filled + remaining + cancelled + replaced

``replaced`` is the part moved to a modifying order (KIS gives a modify its own order number);
it reappears as that order's ``qty``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from .types import CreditType, OrderAction, OrderStatus, OrderType

if TYPE_CHECKING:
    from .accounts import Account
    from .universe import Instrument

#: Where a resting order lives within a symbol.
VENUE_MAIN = 0  # regular book (continuous + opening/closing auctions)
VENUE_FIXED = 1  # KRX off-hours at a fixed price (05 pre-market, 06 post-market)
VENUE_AFTER = 2  # KRX after-hours single price (07)
VENUE_CLOSE = 3  # US on-close orders (MOC/LOC)
VENUE_NXT = 4  # Nextrade, the second domestic venue (.nxt)

#: Auction sentinels for market orders waiting in a call auction (never displayed).
MARKET_BUY_PX = 1 << 60
MARKET_SELL_PX = 0

BUY = 2
SELL = 1

# Enum members as module constants for the per-order code below. Why: on Python 3.11 the enum
# metaclass defines ``__getattr__``, so every ``OrderStatus.OPEN`` in a function goes through
# the interpreter's slow attribute hook (about 0.5 µs, 850 instructions, against a few ns for a
# global); an order command read five or more of them.
_OPEN = OrderStatus.OPEN
_PARTIAL = OrderStatus.PARTIAL
_FILLED = OrderStatus.FILLED
_REPLACED = OrderStatus.REPLACED
_EXPIRED = OrderStatus.EXPIRED
_CANCELLED = OrderStatus.CANCELLED
_NEW = OrderAction.NEW


class Order:
    """An order record; see the module docstring for the quantity identity."""

    __slots__ = (
        "acct",
        "action",
        "cancelled",
        "credit",
        "day",
        "fees",
        "fill_value",
        "filled",
        "inst",
        "investor",
        "loan_date",
        "odno",
        "orig_odno",
        "otype",
        "price",
        "prio",
        "qty",
        "remaining",
        "replaced",
        "reserve_px",
        "reserved",
        "rsv_seq",
        "side",
        "status",
        "synthetic",
        "taxes",
        "time_us",
        "venue",
    )

    def __init__(
        self,
        odno: int,
        acct: Account,
        inst: Instrument,
        side: int,
        otype: OrderType,
        price: int,
        qty: int,
        time_us: int,
        day: date,
        venue: int = VENUE_MAIN,
        synthetic: bool = False,
    ) -> None:
        self.odno = odno
        self.acct = acct
        self.inst = inst
        self.side = side
        self.otype = otype
        self.price = price
        self.qty = qty
        self.remaining = qty
        self.filled = 0
        self.cancelled = 0
        self.replaced = 0
        self.fill_value = 0
        self.prio = 0
        self.time_us = time_us
        self.day = day
        self.status = _OPEN
        self.orig_odno = 0
        self.action = _NEW
        self.reserve_px = 0
        self.reserved = 0
        self.credit: CreditType | None = None
        self.loan_date: date | None = None
        self.rsv_seq = 0
        self.synthetic = synthetic
        self.venue = venue
        self.fees = 0
        self.taxes = 0
        self.investor = 0  # types.Investor.INDIVIDUAL; participants set their own

    def settle_status(self) -> None:
        """Recompute ``status`` once the order stopped working (or after a fill)."""
        if self.remaining:
            self.status = _PARTIAL if self.filled else _OPEN
        elif self.filled == self.qty:
            self.status = _FILLED
        elif self.replaced and not self.cancelled:
            self.status = _REPLACED
        elif self.status is not _EXPIRED:
            self.status = _CANCELLED

    def __repr__(self) -> str:
        return (
            f"Order({self.odno}, {self.inst.code}, side={self.side}, {self.otype.value}, "
            f"px={self.price}, qty={self.qty}, rem={self.remaining}, filled={self.filled})"
        )
