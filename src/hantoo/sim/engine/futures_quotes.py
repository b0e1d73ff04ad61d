"""Seeded prices of overseas futures series: daily bars and the live price of the day.

Why a model and not the matching engine: there are no synthetic participants for futures, yet
their quote, candle, order and position APIs must agree with one another (orders trade against
this model in :mod:`.futures_book`): one function of ``(seed, series, day, time)`` gives every
number, so the price API, the book and the daily/weekly/monthly bars never disagree and every
bar has high ≥ max(open, close) ≥ min(open, close) ≥ low.

* The close of a business day is the product's reference level times one plus a 20-day moving
  average of seeded daily shocks (±3 % each), in whole ticks.
* A day opens near the previous close; its high and low reach beyond open and close by seeded
  amounts. During the regular session (08:30–15:15 Chicago time) the day's high and low so far
  widen from the open towards the day's full range with the share of the session elapsed, and
  the price moves from the open towards the close inside them (the range never shrinks).
* A series trades until its expiry (the third Friday of its month); later days have no bars.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .calendar import TradingCalendar
from .overseas_futures import FuturesSpec, parse_series
from .synthetic import hash64

CHICAGO = ZoneInfo("America/Chicago")
SESSION = (8 * 3600 + 30 * 60, 15 * 3600 + 15 * 60)  # regular trading hours, Chicago
_WINDOW = 20
_SHOCK_BP = 300


@dataclass(frozen=True)
class FBar:
    """One futures bar in ticks (multiply by the spec's tick for the price)."""

    day: date
    open: int
    high: int
    low: int
    close: int
    volume: int


def expiry(year2: int, month: int) -> date:
    """The third Friday of the contract month (equity-index convention, used for all here)."""
    first = date(2000 + year2, month, 1)
    friday = first + timedelta(days=(4 - first.weekday()) % 7)
    return friday + timedelta(days=14)


class FuturesQuotes:
    """The seeded model for every series of :data:`.overseas_futures.SPECS`."""

    def __init__(self, seed: int, calendar: TradingCalendar) -> None:
        self.seed = seed
        self.calendar = calendar

    def series(self, code: str) -> tuple[FuturesSpec, date]:
        """(spec, expiry) of a series code; ``ValueError`` for an unknown one."""
        parsed = parse_series(code)
        if parsed is None or parsed[3]:
            raise ValueError(f"unknown futures series {code!r}")
        spec, month, year2, _right, _strike = parsed
        return spec, expiry(year2, month)

    def _shock(self, code: str, d: date) -> int:
        return int(hash64(self.seed, "fut", code, d.toordinal()) % (2 * _SHOCK_BP + 1)) - _SHOCK_BP

    def close_ticks(self, spec: FuturesSpec, code: str, d: date) -> int:
        ref = int(spec.ref / spec.tick)
        total = sum(self._shock(spec.root, d - timedelta(days=i)) for i in range(_WINDOW))
        # a small premium per series so two months of one product differ
        carry = hash64(self.seed, "carry", code) % 41 - 20
        return max(1, ref * (10_000 * _WINDOW + total + carry * _WINDOW) // (10_000 * _WINDOW))

    def bar(self, code: str, d: date) -> FBar:
        """The full bar of business day ``d``."""
        spec, _exp = self.series(code)
        prev = self.close_ticks(spec, code, self.calendar.previous_business_day(d))
        close = self.close_ticks(spec, code, d)
        h = hash64(self.seed, "fbar", code, d.toordinal())
        gap = prev * ((h & 63) - 32) // 10_000  # within ±0.32 %
        open_ = max(1, prev + gap)
        up = max(open_, close) * ((h >> 6) & 127) // 10_000 + 1
        down = min(open_, close) * ((h >> 13) & 127) // 10_000 + 1
        volume = 50_000 + (h >> 20) % 200_000
        return FBar(d, open_, max(open_, close) + up, max(1, min(open_, close) - down), close,
                    volume)

    def live(self, code: str, now: datetime) -> FBar | None:
        """Today's bar so far (``None`` before the first trade of the day or on a closed day)."""
        d = now.astimezone(CHICAGO).date()
        if not self.calendar.is_business_day(d):
            return None
        local = now.astimezone(CHICAGO)
        sec = local.hour * 3600 + local.minute * 60 + local.second
        start, end = SESSION
        if sec < start:
            return None
        full = self.bar(code, d)
        if sec >= end:
            return full
        frac_num, frac_den = sec - start, end - start
        minute = sec // 60
        h = hash64(self.seed, "flive", code, d.toordinal(), minute)
        noise = full.open * ((h & 31) - 16) // 100_000
        # the range so far grows with the session (never shrinks); the price stays inside it
        high = full.open + (full.high - full.open) * frac_num // frac_den
        low = max(1, full.open - (full.open - full.low) * frac_num // frac_den)
        price = full.open + (full.close - full.open) * frac_num // frac_den + noise
        price = max(low, min(high, price))
        return FBar(d, full.open, high, low, price, full.volume * frac_num // frac_den + 1)

    def bars(self, code: str, start: date, end: date, now: datetime) -> list[FBar]:
        """Daily bars of ``[start, end]`` up to ``now`` (today's live bar last), oldest first."""
        _spec, exp = self.series(code)
        today = now.astimezone(CHICAGO).date()
        last = min(end, exp, today)
        out = [self.bar(code, d) for d in self.calendar.business_days(start, last) if d < today]
        if start <= today <= min(end, exp):
            live = self.live(code, now)
            if live is not None:
                out.append(live)
        return out

    def price(self, spec: FuturesSpec, ticks: int) -> Decimal:
        return (spec.tick * ticks).quantize(spec.tick)
