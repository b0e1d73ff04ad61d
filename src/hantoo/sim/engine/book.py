"""A price-time priority order book for one symbol and venue.

Layout, chosen for the matching loop:

* each side is a ``dict`` price-key → :class:`Level` plus a sorted ``list`` of keys with the
  *best* key last, so the best level is ``keys[-1]`` and removing it is ``list.pop()``. Bids use
  the price as key, asks the negated price, so "best is last" holds on both sides;
* a level is a FIFO ``deque`` of orders and the live total. Cancels are *lazy*: the order's
  ``remaining`` drops to 0 and the level total shrinks, but the dead entry stays in the deque until
  matching reaches it (or the level is compacted). FIFO order of live entries is never disturbed.

Call auctions use the same book: market orders rest at sentinel prices (see
:mod:`.orders`) so they sort ahead of every limit; :func:`uncross` finds the single price.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterator

from .orders import BUY, MARKET_BUY_PX, MARKET_SELL_PX, Order

_COMPACT_MIN_DEAD = 32


class Level:
    """All orders at one price on one side, oldest first."""

    __slots__ = ("dead", "orders", "price", "total")

    def __init__(self, price: int) -> None:
        self.price = price
        self.orders: deque[Order] = deque()
        self.total = 0
        self.dead = 0

    def live(self) -> Iterator[Order]:
        """Live orders in priority order."""
        return (o for o in self.orders if o.remaining)


class BookSide:
    """One side of a book; ``is_bid`` decides the key sign."""

    __slots__ = ("is_bid", "keys", "levels")

    def __init__(self, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.levels: dict[int, Level] = {}
        self.keys: list[int] = []

    def best_price(self) -> int | None:
        """Best price, ignoring nothing (sentinels included); ``None`` when empty."""
        keys = self.keys
        if not keys:
            return None
        k = keys[-1]
        return k if self.is_bid else -k

    def add(self, order: Order) -> None:
        """Append ``order`` at the back of its price level."""
        price = order.price
        key = price if self.is_bid else -price
        lvl = self.levels.get(key)
        if lvl is None:
            lvl = self.levels[key] = Level(price)
            keys = self.keys
            if not keys or key > keys[-1]:
                keys.append(key)
            else:
                bisect.insort(keys, key)
        lvl.orders.append(order)
        lvl.total += order.remaining

    def reduce(self, order: Order, qty: int) -> None:
        """Take ``qty`` off a resting order's remaining (cancel/modify), lazily."""
        key = order.price if self.is_bid else -order.price
        lvl = self.levels[key]
        order.remaining -= qty
        lvl.total -= qty
        if order.remaining == 0:
            lvl.dead += 1
        if lvl.total == 0:
            del self.levels[key]
            self.keys.remove(key)
        elif lvl.dead > _COMPACT_MIN_DEAD and lvl.dead * 2 > len(lvl.orders):
            lvl.orders = deque(o for o in lvl.orders if o.remaining)
            lvl.dead = 0

    def compact(self) -> None:
        """Drop every finished order still queued lazily (so nothing keeps it alive)."""
        for lvl in self.levels.values():
            if lvl.dead:
                lvl.orders = deque(o for o in lvl.orders if o.remaining)
                lvl.dead = 0

    def remove(self, order: Order) -> None:
        """Physically take a live order out of its level (re-pricing; O(level size))."""
        key = order.price if self.is_bid else -order.price
        lvl = self.levels[key]
        lvl.orders.remove(order)
        lvl.total -= order.remaining
        if lvl.total == 0:
            del self.levels[key]
            self.keys.remove(key)

    def iter_levels(self) -> Iterator[Level]:
        """Levels best first."""
        levels = self.levels
        for k in reversed(self.keys):
            yield levels[k]

    def total_qty(self) -> int:
        return sum(lvl.total for lvl in self.levels.values())

    def depth(self, n: int) -> list[tuple[int, int]]:
        """Up to ``n`` displayable (price, qty) levels, best first; sentinels skipped."""
        out: list[tuple[int, int]] = []
        for lvl in self.iter_levels():
            if lvl.price in (MARKET_BUY_PX, MARKET_SELL_PX):
                continue
            out.append((lvl.price, lvl.total))
            if len(out) == n:
                break
        return out

    def __len__(self) -> int:
        return len(self.keys)


class OrderBook:
    """Bids and asks of one symbol at one venue."""

    __slots__ = ("asks", "bids")

    def __init__(self) -> None:
        self.bids = BookSide(True)
        self.asks = BookSide(False)

    def side_of(self, order: Order) -> BookSide:
        return self.bids if order.side == BUY else self.asks

    def add(self, order: Order) -> None:
        (self.bids if order.side == BUY else self.asks).add(order)

    def reduce(self, order: Order, qty: int) -> None:
        (self.bids if order.side == BUY else self.asks).reduce(order, qty)

    def compact(self) -> None:
        """Drop finished orders queued lazily on both sides (before they leave the hot state)."""
        self.bids.compact()
        self.asks.compact()

    def crossed(self) -> bool:
        """True when the best bid is at or above the best ask (allowed only in call auctions)."""
        b = self.bids.best_price()
        a = self.asks.best_price()
        return b is not None and a is not None and b >= a

    def orders(self) -> Iterator[Order]:
        """Every live order, bids then asks, in priority order."""
        for side in (self.bids, self.asks):
            for lvl in side.iter_levels():
                yield from lvl.live()


def uncross(book: OrderBook, reference: int) -> tuple[int, int] | None:
    """Single-price auction: ``(price, volume)`` maximising the executable volume.

    Ties are broken by the smallest order imbalance, then by the price closest to
    ``reference``, then by the lower price, so the result is deterministic. ``None`` when
    nothing can execute.
    """
    bid_levels = [(lvl.price, lvl.total) for lvl in book.bids.iter_levels()]
    ask_levels = [(lvl.price, lvl.total) for lvl in book.asks.iter_levels()]
    if not bid_levels or not ask_levels:
        return None
    prices = sorted(
        {p for p, _ in bid_levels if p != MARKET_BUY_PX}
        | {p for p, _ in ask_levels if p != MARKET_SELL_PX}
    )
    if not prices:
        prices = [reference]
    # Cumulative sell volume at or below p (asks ascending = best first).
    best: tuple[int, int, int, int] | None = None  # (-volume, imbalance, distance, price)
    ai = 0
    sell_cum = 0
    n_ask = len(ask_levels)
    # Buy volume at or above p: start with the total and drop levels below p as p rises.
    bids_asc = list(reversed(bid_levels))
    bi = 0
    buy_cum = sum(q for _, q in bid_levels)
    for p in prices:
        while ai < n_ask and ask_levels[ai][0] <= p:
            sell_cum += ask_levels[ai][1]
            ai += 1
        while bi < len(bids_asc) and bids_asc[bi][0] < p:
            buy_cum -= bids_asc[bi][1]
            bi += 1
        vol = min(buy_cum, sell_cum)
        if vol <= 0:
            continue
        cand = (-vol, abs(buy_cum - sell_cum), abs(p - reference), p)
        if best is None or cand < best:
            best = cand
    if best is None:
        return None
    return best[3], -best[0]
