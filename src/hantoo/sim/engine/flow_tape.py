"""The day's investor flows per minute: who bought and who sold, minute by minute, per venue.

Why: the intraday flow APIs (program trading by time, investor flows by time) must add up to the
day totals the daily APIs report, and both must come from the same trades. The engine books each
trade's quantity and value to the buyer's and the seller's investor type for the day
(:attr:`~.market.SymbolState.flows`); this module keeps, for every minute in which the symbol
traded, those running totals as they stood at the minute's end. A minute's flows are the
difference of two snapshots, so every minute adds up to the day by construction.

Cheap on the matching path: a fill costs one division and one comparison (is this a new
minute?) plus two comparisons (was a program order on either side?). The snapshot of the running
totals is taken once per traded minute, not per fill. A liquid symbol trading all day keeps
about 400 snapshots of :data:`ROW` integers.

Path prints (the seeded history before the participants went live) are not trades of anyone and
are not booked here; the market-data layer attributes them (``marketdata.flows``).

**Program trading, arbitrage or not.** The ``PROGRAM`` participants are the program traders.
The simulator has no futures–basket arbitrageur, so a fixed share of their orders is index
arbitrage (차익거래): one whose arrival on the participants' 200 ms grid
(``time_us // 200_000``) is a multiple of :data:`ARB_EVERY`. The label belongs to the order
(every fill of one order is of one kind) and is deterministic under the simulator's seed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .types import Investor

if TYPE_CHECKING:
    from .market import SymbolState
    from .orders import Order

__all__ = ["ARB_EVERY", "BUCKET_US", "PROGRAM", "ROW", "book_program", "close_minute",
           "is_arbitrage", "rows"]

BUCKET_US = 60_000_000
"""One snapshot per minute of simulated time."""

ROW = 24
"""A minute's flows on one venue: ``[0:5]`` bought qty by investor type, ``[5:10]`` sold qty,
``[10:15]`` bought value (won), ``[15:20]`` sold value, then the arbitrage part of the program's
trades: ``20`` bought qty, ``21`` sold qty, ``22`` bought value, ``23`` sold value."""

ARB_EVERY = 3
"""One program order in this many is labelled index arbitrage (by its arrival tick)."""
_GRID_US = 200_000  # the participants' tick (participants.TICK_US)

PROGRAM = int(Investor.PROGRAM)


def is_arbitrage(order: Order) -> bool:
    """Whether a program order is an arbitrage order (see the module docstring)."""
    return order.time_us // _GRID_US % ARB_EVERY == 0


def close_minute(st: SymbolState, minute: int) -> None:
    """A fill in a new ``minute``: snapshot the running totals at the end of the last one.

    Called by the matching engine *before* it books the fill. The snapshot holds the 40
    :attr:`~.market.SymbolState.flows` slots and the 8 arbitrage slots (KRX then NXT)."""
    if st.fmin >= 0:
        st.ftape[st.fmin] = [*st.flows, *st.farb]
    st.fmin = minute


def book_program(st: SymbolState, nxt: bool, b: Order, s: Order, qty: int,
                 notional: int) -> None:
    """The arbitrage part of a fill with a program order on either side."""
    o = 4 if nxt else 0
    arb = st.farb
    if b.investor == PROGRAM and b.time_us // _GRID_US % ARB_EVERY == 0:
        arb[o] += qty
        arb[o + 2] += notional
    if s.investor == PROGRAM and s.time_us // _GRID_US % ARB_EVERY == 0:
        arb[o + 1] += qty
        arb[o + 3] += notional


def rows(st: SymbolState, nxt: bool) -> list[tuple[int, list[int]]]:
    """``(minute start in µs, flows of that minute)`` of one venue (KRX or NXT), oldest first,
    for the minutes in which that venue traded (each a :data:`ROW` list)."""
    points = sorted(st.ftape.items())
    if st.fmin >= 0:
        points.append((st.fmin, [*st.flows, *st.farb]))
    fo, ao = (20, 44) if nxt else (0, 40)
    out = []
    prev = [0] * ROW
    for minute, snap in points:
        cur = snap[fo:fo + 20] + snap[ao:ao + 4]
        diff = [c - p for c, p in zip(cur, prev, strict=True)]
        if any(diff[:5]):  # the venue traded in this minute
            out.append((minute * BUCKET_US, diff))
        prev = cur
    return out
