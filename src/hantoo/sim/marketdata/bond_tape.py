"""The bond market's prints and book: what the quote's yield path traded, and what is bid/offered.

Why: the bond quote (:func:`.bonds.quote`) moves in five-minute yield steps; the tick, daily,
chart and order-book APIs must show the same market. So the market is defined by those steps:

* **Prints.** At the start of every five-minute step of the session (09:00 … 15:30) the
  inter-dealer market prints once at that step's clean price, for a face amount seeded by
  (bond, day, step) — so the last print of the day so far is the quote's price, the day's volume
  is the sum of the prints, and open/high/low/close are the prints'. Past days are the same prints
  over the whole session. The retail desk's fills (:mod:`.bond_desk`) are dealer trades off this
  market and are not printed.
* **Book.** The dealer quotes both sides at the quote's price (the desk fills a buy or a sell at
  that price), then one won per 10,000 face a level away, five levels a side, with seeded depth;
  each level's yield is the yield at which the bond's clean price is that level
  (:func:`.bond_desk.yield_from_price`).

Quantities are face value in won (multiples of 1,000), prices clean per 10,000 face.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from ..engine.clock import KST
from .bonds import Bond, bond_yield_at, clean_price

__all__ = ["LEVELS", "SESSION_MINUTES", "STEP_MINUTES", "BondBar", "BondPrint", "book",
           "day_bar", "prints"]

STEP_MINUTES = 5
SESSION_MINUTES = 390
"""09:00 to 15:30: the quote's yield path stops at the close."""
LEVELS = 5
_TICK = Decimal(1)
_OPEN = time(9, 0)


@dataclass(frozen=True, slots=True)
class BondPrint:
    at: datetime
    price: Decimal
    yield_pct: Decimal
    qty: int
    cum_qty: int


@dataclass(frozen=True, slots=True)
class BondBar:
    day: date
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int


def _qty(bond: Bond, day: date, step: int) -> int:
    h = zlib.crc32(f"{bond.code}|{day.isoformat()}|{step}|qty".encode())
    return (1 + h % 50) * 1_000_000


def _minute(now: datetime) -> int:
    """Minutes into the session at ``now`` (0 before the open, at most the close)."""
    return min(max(now.hour * 60 + now.minute - 9 * 60, 0), SESSION_MINUTES)


def prints(bond: Bond, day: date, now: datetime | None = None) -> list[BondPrint]:
    """The prints of ``day`` up to ``now`` (the whole session when ``now`` is ``None`` or a
    later day), oldest first. Nothing before 09:00."""
    if now is not None and now.date() == day:
        if now.time() < _OPEN:
            return []
        last = _minute(now) // STEP_MINUTES
    else:
        last = SESSION_MINUTES // STEP_MINUTES
    start = datetime.combine(day, _OPEN, tzinfo=KST)
    out = []
    cum = 0
    for step in range(last + 1):
        y = bond_yield_at(bond, day, step * STEP_MINUTES)
        qty = _qty(bond, day, step)
        cum += qty
        out.append(BondPrint(start + timedelta(minutes=step * STEP_MINUTES),
                             clean_price(bond, day, y), y, qty, cum))
    return out


def day_bar(bond: Bond, day: date, now: datetime | None = None) -> BondBar | None:
    """The day's open/high/low/close/volume from its prints (``None`` before any print)."""
    ps = prints(bond, day, now)
    if not ps:
        return None
    px = [p.price for p in ps]
    return BondBar(day, px[0], max(px), min(px), px[-1], ps[-1].cum_qty)


def book(bond: Bond, settle: date, price: Decimal, now: datetime
         ) -> tuple[list[tuple[Decimal, int]], list[tuple[Decimal, int]]]:
    """(asks, bids): ``LEVELS`` (price, face amount) a side, best first, around ``price``."""
    step = _minute(now) // STEP_MINUTES

    def depth(side: str, k: int) -> int:
        h = zlib.crc32(f"{bond.code}|{settle.isoformat()}|{step}|{side}{k}".encode())
        return (1 + h % 30) * 1_000_000

    asks = [(price + _TICK * k, depth("a", k)) for k in range(LEVELS)]
    bids = [(price - _TICK * k, depth("b", k)) for k in range(LEVELS)]
    return asks, bids
