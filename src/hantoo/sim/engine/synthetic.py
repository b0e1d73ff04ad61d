"""Seeded synthetic market data: daily history, the intraday path, book liquidity.

Everything is a pure function of ``(seed, symbol, date[, step])`` computed with a keyed hash, so a
given date always yields the same bar whatever was asked before, and the process needs no stored
state to resume after a restart. All prices are integers on the instrument's tick grid; the
random draws are integers too (no float).

* **Daily history** is a random walk in basis points anchored at the instrument's reference price
  on the *anchor date* (the close of the business day before the simulation starts). Closes are
  generated backwards from the anchor and forwards from it, one business day at a time, within
  the ±30 % limit, with a weak pull back to the anchor level so decades stay plausible.
* **Intraday path** for a trading day is a Brownian bridge (integer steps) from that day's open to
  its close, so when the simulated day rolls over the live session's close *is* the history's
  close.
* **Book liquidity** per step: ten levels a side with quantities drawn from one hash.
"""

from __future__ import annotations

import hashlib
import random
from array import array
from datetime import date

from .calendar import TradingCalendar
from .ticks import KRX_LIMIT_PCT, TickFn, daily_limits, floor_to_tick
from .universe import Instrument

_INCREMENTS = (-2, -1, -1, 0, 0, 1, 1, 2)


def hash64(seed: int, *parts: object) -> int:
    """A stable 64-bit hash of the seed and parts (Python's ``hash`` is salted per process)."""
    text = "\x1f".join([str(seed), *map(str, parts)]).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def rng_for(seed: int, *parts: object) -> random.Random:
    """A ``random.Random`` seeded from the hash of the parts."""
    return random.Random(hash64(seed, *parts))


def snap(price: int, tick_of: TickFn) -> int:
    """Nearest valid price (ties down)."""
    t = tick_of(price)
    return floor_to_tick(price + (t - 1) // 2, tick_of)


class Bar:
    """One OHLCV bar in minor units."""

    __slots__ = ("close", "day", "high", "low", "open", "value", "volume")

    def __init__(
        self, day: date, open_: int, high: int, low: int, close: int, volume: int, value: int = 0
    ) -> None:
        self.day = day
        self.open = open_
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.value = value or volume * close

    def __repr__(self) -> str:
        return f"Bar({self.day}, {self.open}, {self.high}, {self.low}, {self.close}, {self.volume})"


class DailyHistory:
    """Deterministic daily closes for one instrument around an anchor date (lazy, cached)."""

    __slots__ = ("_back", "_back_days", "_cal", "_close", "_fwd", "_fwd_days", "anchor", "inst",
                 "seed")

    def __init__(self, seed: int, inst: Instrument, anchor: date, cal: TradingCalendar) -> None:
        self.seed = seed
        self.inst = inst
        self.anchor = cal.on_or_before(anchor)
        self._cal = cal
        # closes[i] is the close i business days before (back) / after (fwd) the anchor.
        self._back = array("q", [inst.ref_price])
        self._back_days = [self.anchor]
        self._fwd = array("q", [inst.ref_price])
        self._fwd_days = [self.anchor]
        self._close: dict[date, int] = {self.anchor: inst.ref_price}  # every close computed

    def _ret_bp(self, d: date, close: int, *, backward: bool = False) -> int:
        """Return of day ``d`` in bp; ``close`` is the known neighbour (previous or next)."""
        h = hash64(self.seed, self.inst.code, d.toordinal(), "ret")
        # Sum of four 9-bit uniforms → bell-shaped, roughly ±200 bp of spread.
        s = sum((h >> (9 * i)) & 511 for i in range(4)) - 1022
        # Pull towards the anchor level: walking backwards, a high later close means the
        # day's return was likely positive, so the sign of the pull flips.
        drift = (self.inst.ref_price - close) * 10_000 // (self.inst.ref_price * 60)
        return max(-1_500, min(1_500, s * 2 // 3 + (-drift if backward else drift)))

    def close_on(self, d: date) -> int:
        """Close of business day ``d`` (the previous business day's when ``d`` is not one)."""
        hit = self._close.get(d)
        if hit is not None:
            return hit
        d = self._cal.on_or_before(d)
        hit = self._close.get(d)
        if hit is not None:
            return hit
        tick_of = self.inst.tick_of
        known = self._close
        if d >= self.anchor:
            days, closes = self._fwd_days, self._fwd
            while days[-1] < d:
                nd = self._cal.next_business_day(days[-1])
                prev = closes[-1]
                r = self._ret_bp(nd, prev)
                lo, hi = daily_limits(prev, tick_of, KRX_LIMIT_PCT)
                closes.append(min(hi, max(lo, snap(prev * (10_000 + r) // 10_000, tick_of))))
                days.append(nd)
                known[nd] = closes[-1]
            return known[d]
        days, closes = self._back_days, self._back
        while days[-1] > d:
            cur_day, cur = days[-1], closes[-1]
            r = self._ret_bp(cur_day, cur, backward=True)
            prev = max(1, snap(cur * 10_000 // (10_000 + r), tick_of))
            lo, hi = daily_limits(prev, tick_of, KRX_LIMIT_PCT)
            if not lo <= cur <= hi:  # keep the day's move inside its limits
                prev = snap(cur * 10 // 11, tick_of) if cur > hi else snap(cur * 10 // 9, tick_of)
            closes.append(prev)
            days.append(self._cal.previous_business_day(cur_day))
            known[days[-1]] = prev
        return known[d]

    def base_price(self, d: date) -> int:
        """The base (previous close) for trading day ``d``."""
        return self.close_on(self._cal.previous_business_day(d))

    def bar(self, d: date) -> Bar:
        """The OHLCV bar of business day ``d``."""
        inst = self.inst
        tick_of = inst.tick_of
        prev = self.base_price(d)
        close = self.close_on(d)
        lo_lim, hi_lim = daily_limits(prev, tick_of, KRX_LIMIT_PCT)
        h = hash64(self.seed, inst.code, d.toordinal(), "bar")
        o_bp = (h & 255) - 128  # open gap within ±1.28 %
        open_ = min(hi_lim, max(lo_lim, snap(prev * (10_000 + o_bp) // 10_000, tick_of)))
        up_bp = (h >> 8) & 255
        dn_bp = (h >> 16) & 255
        high = min(hi_lim, snap(max(open_, close) * (10_000 + up_bp) // 10_000, tick_of))
        low = max(lo_lim, snap(min(open_, close) * (10_000 - dn_bp) // 10_000, tick_of))
        high = max(high, open_, close)
        low = min(low, open_, close)
        vol_base = inst.volume or 100_000
        volume = max(1, vol_base * (50 + ((h >> 24) & 127)) // 100)
        value = volume * (open_ + high + low + close) // 4
        return Bar(d, open_, high, low, close, volume, value)


def intraday_path(
    seed: int, inst: Instrument, day: date, open_: int, close: int, steps: int,
    lower: int, upper: int, day_volume: int,
) -> tuple[array[int], array[int]]:
    """(prices, volumes) at ``steps + 1`` points: an integer Brownian bridge open → close."""
    rng = rng_for(seed, inst.code, day.toordinal(), "path")
    tick_of = inst.tick_of
    unit = max(1, open_ * 4 // 10_000)
    walk = [0] * (steps + 1)
    w = 0
    getbits = rng.getrandbits
    inc = _INCREMENTS
    for k in range(1, steps + 1):
        w += inc[getbits(3)] * unit
        walk[k] = w
    end = walk[steps]
    prices = array("i", bytes(4 * (steps + 1)))
    span = close - open_
    for k in range(steps + 1):
        p = open_ + span * k // steps + walk[k] - end * k // steps
        p = snap(p, tick_of)
        prices[k] = lower if p < lower else upper if p > upper else p
    prices[0] = open_
    prices[steps] = close
    base = max(1, day_volume // (steps + 1))
    volumes = array("i", [max(1, base * (1 + getbits(2)) // 2) for _ in range(steps + 1)])
    return prices, volumes


def level_quantities(seed: int, code: str, day: date, step: int, base: int) -> tuple[int, ...]:
    """Twenty synthetic level sizes (bids 0–9, asks 10–19) plus a side bit, for one step."""
    h = hash64(seed, code, day.toordinal(), step, "book")
    sizes = [base * (1 + ((h >> (3 * i)) & 7)) for i in range(20)]
    return (*sizes, (h >> 62) & 1)
