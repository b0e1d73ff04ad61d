"""The day's investor flows per minute: who bought and who sold, minute by minute, per venue.

Why: the intraday flow APIs (program trading by time, investor flows by time) must add up to the
day totals the daily APIs report, and both must come from the same trades. The engine already
books each trade's quantity and value to the buyer's and the seller's investor type for the day
(:attr:`~.market.SymbolState.flows`); this module books the same numbers into one-minute buckets
as well, so an intraday answer is a sum of buckets and the last cumulative figure is the day's.

Compact: a bucket exists only for a minute in which the symbol traded, and holds
:data:`ROW` integers (a plain list; a liquid symbol trading all day has about 400 of them per
venue). Path prints (the seeded history before the participants went live) are not trades of
anyone and are not booked here; the market-data layer attributes them (``marketdata.flows``).

**Program trading, arbitrage or not.** The ``PROGRAM`` participants are the program traders.
The simulator has no futures–basket arbitrageur, so a fixed share of their orders is index
arbitrage (차익거래): one whose arrival on the participants' 200 ms grid
(``time_us // 200_000``) is a multiple of :data:`ARB_EVERY`. The label belongs to the order
(every fill of one order is of one kind), is deterministic under the simulator's seed, and costs
one division per program fill.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .types import Investor

if TYPE_CHECKING:
    from .market import SymbolState
    from .orders import Order

__all__ = ["ARB_EVERY", "BUCKET_US", "ROW", "book_flow", "is_arbitrage", "rows"]

BUCKET_US = 60_000_000
"""One bucket per minute of simulated time."""

ROW = 24
"""Bucket layout: ``[0:5]`` bought qty by investor type, ``[5:10]`` sold qty, ``[10:15]`` bought
value (won), ``[15:20]`` sold value, then the arbitrage part of the program's trades: ``20``
bought qty, ``21`` sold qty, ``22`` bought value, ``23`` sold value."""

ARB_EVERY = 3
"""One program order in this many is labelled index arbitrage (by its arrival tick)."""
_GRID_US = 200_000  # the participants' tick (participants.TICK_US)

_PROGRAM = int(Investor.PROGRAM)


def is_arbitrage(order: Order) -> bool:
    """Whether a program order is an arbitrage order (see the module docstring)."""
    return order.time_us // _GRID_US % ARB_EVERY == 0


def book_flow(st: SymbolState, now: int, nxt: bool, b: Order, s: Order, qty: int,
              notional: int) -> None:
    """Book one trade (``qty`` at ``notional`` won) into its minute's bucket."""
    key = (now // BUCKET_US) * 2 + nxt
    tape = st.ftape
    row = tape.get(key)
    if row is None:
        row = tape[key] = [0] * ROW
    bi, si = b.investor, s.investor
    row[bi] += qty
    row[5 + si] += qty
    row[10 + bi] += notional
    row[15 + si] += notional
    if bi == _PROGRAM and b.time_us // _GRID_US % ARB_EVERY == 0:
        row[20] += qty
        row[22] += notional
    if si == _PROGRAM and s.time_us // _GRID_US % ARB_EVERY == 0:
        row[21] += qty
        row[23] += notional


def rows(st: SymbolState, nxt: bool) -> list[tuple[int, list[int]]]:
    """``(minute start in µs, bucket)`` of one venue (KRX or NXT), oldest first."""
    want = 1 if nxt else 0
    return [(key // 2 * BUCKET_US, row) for key, row in sorted(st.ftape.items())
            if key % 2 == want]
