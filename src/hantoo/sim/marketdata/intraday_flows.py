"""Today's investor and program flows minute by minute, from the engine's flow tape.

Why: the intraday flow APIs (program trading by time per issue and per market, program trading
by investor) must add up to what the daily APIs report for today, and both must come from the
same trades. The engine books every trade into a one-minute bucket per venue
(:mod:`hantoo.sim.engine.flow_tape`) as well as into the day totals
(``Exchange.investor_trades``); this module turns buckets into :class:`Minute` records in KIS's
categories (:data:`~.flows.KIS_TYPE`).

Venues follow ``FID_COND_MRKT_DIV_CODE``: ``J`` is KRX, ``NX`` Nextrade, ``UN`` both (each
bucket of the two venues added). Program trading is what the ``PROGRAM`` participants traded,
split into index arbitrage (차익) and the rest (비차익) by the order label the flow tape keeps.
Today's program trading has no seeded part (:func:`.flows.day_detail` takes today's program
from the engine only), so the minutes of a day sum exactly to its daily program figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..engine.clock import from_us
from ..engine.flow_tape import rows as tape_rows
from ..engine.ticks import from_units
from ..engine.types import Investor
from .flows import INVESTOR_TYPES, KIS_TYPE, Flow

__all__ = ["VENUES", "Minute", "issue_minutes", "market_minutes", "program_total",
           "venue_prints"]

VENUES: dict[str, tuple[bool, ...]] = {"J": (False,), "NX": (True,), "UN": (False, True)}
"""``FID_COND_MRKT_DIV_CODE`` → the venues (``nxt`` flags) whose trades it covers."""

_ZERO = Decimal(0)
_NONE = Flow(0, 0, _ZERO, _ZERO)
_P = int(Investor.PROGRAM)


@dataclass(frozen=True, slots=True)
class Minute:
    """One minute's trades: by KIS investor type, the program's part, and its arbitrage part."""

    start: datetime
    types: dict[str, Flow]
    program: Flow
    arbitrage: Flow

    @property
    def non_arbitrage(self) -> Flow:
        p, a = self.program, self.arbitrage
        return Flow(p.buy_qty - a.buy_qty, p.sell_qty - a.sell_qty,
                    p.buy_value - a.buy_value, p.sell_value - a.sell_value)


def _minute(start_us: int, row: list[int]) -> Minute:
    types = dict.fromkeys(INVESTOR_TYPES, _NONE)
    for inv in Investor:
        i = int(inv)
        t = KIS_TYPE[inv]
        types[t] = types[t] + Flow(row[i], row[5 + i], Decimal(row[10 + i]),
                                   Decimal(row[15 + i]))
    program = Flow(row[_P], row[5 + _P], Decimal(row[10 + _P]), Decimal(row[15 + _P]))
    arb = Flow(row[20], row[21], Decimal(row[22]), Decimal(row[23]))
    return Minute(from_us(start_us), types, program, arb)


def _merge(into: dict[int, list[int]], rows: list[tuple[int, list[int]]]) -> None:
    for start, row in rows:
        have = into.get(start)
        if have is None:
            into[start] = list(row)
        else:
            for k, v in enumerate(row):
                have[k] += v


def _state(exchange: Any, symbol: str) -> Any:
    """The engine's day state of ``symbol`` (brought up to now, as every query does)."""
    return exchange._live(symbol)


def issue_minutes(exchange: Any, symbol: str, market: str = "J") -> tuple[date, list[Minute]]:
    """(trading day, minutes with trades, oldest first) of ``symbol`` on ``market``'s venues."""
    st = _state(exchange, symbol)
    merged: dict[int, list[int]] = {}
    for nxt in VENUES[market]:
        _merge(merged, tape_rows(st, nxt))
    return st.trade_day, [_minute(t, merged[t]) for t in sorted(merged)]


def market_minutes(exchange: Any, codes: list[str], market: str = "J") -> list[Minute]:
    """Minutes of all of ``codes`` together (bucket by bucket), oldest first.

    Only issues that traded today have buckets; the others' states are not created (asking
    for their quotes would wake their participants), so this is cheap on a large universe."""
    exchange.sync_quietly()
    states = exchange._states
    merged: dict[int, list[int]] = {}
    for code in codes:
        st = states.get(code)
        if st is None or not st.ftape or st.trade_day != exchange.trading_day():
            continue
        for nxt in VENUES[market]:
            _merge(merged, tape_rows(st, nxt))
    return [_minute(t, merged[t]) for t in sorted(merged)]


def program_total(minutes: list[Minute]) -> tuple[Flow, Flow]:
    """(program, arbitrage) summed over ``minutes``."""
    p = a = _NONE
    for m in minutes:
        p, a = p + m.program, a + m.arbitrage
    return p, a


def venue_prints(exchange: Any, symbol: str, market: str = "J"
                 ) -> list[tuple[datetime, Decimal, int, Decimal]]:
    """(minute start, last price in the minute, volume, value) on ``market``'s venues, oldest
    first: KRX's from its minute candles (the seeded path's prints included), NXT's from its
    tape. With ``UN`` a minute's price is that of the venue that traded last in it (the rule of
    the unified quote)."""
    out: dict[datetime, tuple[Decimal, int, Decimal]] = {}
    krx_last: dict[datetime, int] = {}
    st = _state(exchange, symbol)
    if False in VENUES[market]:
        for c in exchange.minute_candles(symbol):
            out[c.start] = (Decimal(c.close), c.volume, Decimal(c.value))
        for t, _px, _qty, _aggr in st.extra:
            krx_last[from_us(t - t % 60_000_000)] = t
    if True in VENUES[market]:
        scale = st.inst.scale
        nx: dict[int, list[int]] = {}
        for t, px, qty, _ in st.nx.extra:
            m = t - t % 60_000_000
            row = nx.get(m)
            if row is None:
                nx[m] = [px, qty, px * qty, t]
            else:
                row[0] = px
                row[1] += qty
                row[2] += px * qty
                row[3] = t
        for m, (px, qty, value, last_t) in nx.items():
            start = from_us(m)
            have = out.get(start)
            price = from_units(px, scale)
            if have is None:
                out[start] = (price, qty, from_units(value, scale))
            else:
                if krx_last.get(start, -1) >= last_t:
                    price = have[0]
                out[start] = (price, have[1] + qty, have[2] + from_units(value, scale))
    return [(k, *out[k]) for k in sorted(out)]
