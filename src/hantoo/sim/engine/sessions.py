"""Session schedules: the timetable of each market as a list of timed events.

The exchange drives the day by walking these events in time order (auction uncrossings, synthetic
price steps, expiries), so everything that happens at a given instant is decided here and nowhere
else. A schedule is a *template* in local seconds-of-day, turned into epoch microseconds per
trading date.

KRX (KST): opening call auction 08:30–09:00 (pre-market off-hours 08:30–08:40 at the previous
close), continuous 09:00–15:20, closing call auction 15:20–15:30, a break, post-market at the close
15:40–16:00, after-hours single price 16:00–18:00 with an auction every 10 minutes. The KRX
timetable also carries NXT's opening (08:00) and closing (20:00) instants (:mod:`.nxt`).

US: pre-open from 04:00, regular session 09:30–16:00 New York time, opening and closing auctions
at the bell. With ``us_mode="mirror"`` (the default for simulated clocks) the US day is laid on
the KRX day shifted by 30 minutes, so that 09:00 KST is the 09:30 US open and US orders fill at
the same simulated hours as domestic ones; ``us_mode="new_york"`` uses real New York time.

Asian exchanges (:mod:`.overseas_markets`) run in their own time zones with a lunch break: a
schedule's ``breaks`` are skipped by the synthetic path (:meth:`MarketSchedule.step_second`), a
``BREAK_START`` event pauses trading and the next step resumes it.
"""

from __future__ import annotations

import bisect
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from .calendar import TradingCalendar
from .clock import KST, US_PER_SEC, from_us, to_us
from .types import Phase


class Ev(StrEnum):
    """Kinds of scheduled events."""

    OPEN_AUCTION_START = "open_auction_start"
    FIXED_STEP = "fixed_step"  # refresh fixed-price (off-hours) synthetic liquidity
    PREMARKET_END = "premarket_end"
    OPEN = "open"
    STEP = "step"  # synthetic price step (arg = step index)
    CLOSE_AUCTION_START = "close_auction_start"
    CLOSE = "close"
    POST_START = "post_start"
    AFTER_START = "after_start"  # also ends the post-market session
    AFTER_AUCTION = "after_auction"  # arg 12 is the last one and closes the session
    BREAK_START = "break_start"  # a lunch break (overseas markets); the next step resumes
    NXT_OPEN = "nxt_open"  # 08:00: NXT's pre-market opens (its other sessions need no event)
    NXT_CLOSE = "nxt_close"  # 20:00: NXT's after-market ends; NXT orders expire


def _s(h: int, m: int) -> int:
    return h * 3600 + m * 60


class MarketSchedule:
    """The timetable of one market; ``step_seconds`` is the synthetic price step."""

    def __init__(
        self,
        name: str,
        template: list[tuple[int, Ev, int]],
        phases: list[tuple[int, Phase]],
        tz: timezone | ZoneInfo,
        calendar: TradingCalendar,
        continuous: tuple[int, int],
        step_seconds: int,
        breaks: tuple[tuple[int, int], ...] = (),
    ) -> None:
        self.name = name
        #: Lunch breaks inside ``continuous`` (local seconds); the synthetic path skips them.
        self.breaks = breaks
        self._template = sorted(template, key=lambda e: e[0])
        self._phase_secs = [p[0] for p in phases]
        self._phases = [p[1] for p in phases]
        self.tz = tz
        self.calendar = calendar
        self.continuous = continuous
        self.step_seconds = step_seconds
        self._day_cache: tuple[date, list[int], list[tuple[int, Ev, int]]] | None = None

    @cached_property
    def steps_per_day(self) -> int:
        """Number of synthetic price steps in the continuous session (path has one more point)."""
        start, end = self.continuous
        return (end - start - sum(b - a for a, b in self.breaks)) // self.step_seconds

    def step_second(self, k: int) -> int:
        """Local second of day of synthetic path point ``k`` (lunch breaks skipped)."""
        sec = self.continuous[0] + k * self.step_seconds
        for a, b in self.breaks:
            if sec >= a:
                sec += b - a
        return sec

    def extend(self, events: list[tuple[int, Ev, int]]) -> None:
        """Add events to the template (builders that need :meth:`step_second` first)."""
        self._template = sorted([*self._template, *events], key=lambda e: e[0])
        self._day_cache = None
    # -- local time -------------------------------------------------------------------------
    def local(self, us: int) -> tuple[date, int]:
        """(local date, seconds since local midnight) of an instant."""
        dt = from_us(us, KST).astimezone(self.tz)
        return dt.date(), dt.hour * 3600 + dt.minute * 60 + dt.second

    def at(self, d: date, sec: int) -> int:
        """Epoch microseconds of local ``sec`` on local date ``d``."""
        t = time(sec // 3600, sec // 60 % 60, sec % 60)
        return to_us(datetime.combine(d, t, tzinfo=self.tz))

    def phase_at(self, us: int) -> Phase:
        """The phase in force at an instant."""
        d, sec = self.local(us)
        if not self.calendar.is_business_day(d):
            return Phase.CLOSED
        i = bisect.bisect_right(self._phase_secs, sec) - 1
        return self._phases[i] if i >= 0 else Phase.CLOSED

    def step_index(self, us: int) -> int:
        """Index of the synthetic path point in force at an instant (clamped to the session)."""
        _, sec = self.local(us)
        start, end = self.continuous
        if sec <= start:
            return 0
        if sec >= end:
            return self.steps_per_day
        off = sec - start
        for a, b in self.breaks:
            if sec >= b:
                off -= b - a
            elif sec > a:
                off -= sec - a
        return off // self.step_seconds

    def trading_date(self, us: int) -> date:
        """The local date of an instant (the market's trading date when it is a business day)."""
        return self.local(us)[0]

    # -- events -----------------------------------------------------------------------------
    def events_on(self, d: date) -> tuple[list[int], list[tuple[int, Ev, int]]]:
        """(times, events) of local date ``d``; empty on non-business days."""
        cached = self._day_cache
        if cached is not None and cached[0] == d:
            return cached[1], cached[2]
        events: list[tuple[int, Ev, int]] = []
        if self.calendar.is_business_day(d):
            base = self.at(d, 0)
            # DST days have 23/25 hours; events are all far from 02:00 local, so a fixed base
            # plus seconds is exact except on those days, where we convert each one.
            exact = self.at(d, 12 * 3600) - base == 12 * 3600 * US_PER_SEC
            for sec, kind, arg in self._template:
                t = base + sec * US_PER_SEC if exact else self.at(d, sec)
                events.append((t, kind, arg))
        times = [e[0] for e in events]
        self._day_cache = (d, times, events)
        return times, events

    def next_event(self, after_us: int) -> tuple[int, Ev, int, date]:
        """The first event strictly after ``after_us`` (searches up to two weeks ahead).

        Templates never hold two events at the same instant, so "strictly after the last one
        handled" never skips an event.
        """
        cached = self._day_cache
        if cached is not None:
            times = cached[1]
            # inside the cached day: no time-zone conversion, one bisect (the hot case when a
            # clock jump walks a day's steps)
            if times and times[0] <= after_us < times[-1]:
                t, kind, arg = cached[2][bisect.bisect_right(times, after_us)]
                return t, kind, arg, cached[0]
        d, _ = self.local(after_us)
        for _ in range(16):
            times, events = self.events_on(d)
            i = bisect.bisect_right(times, after_us)
            if i < len(events):
                t, kind, arg = events[i]
                return t, kind, arg, d
            d += timedelta(days=1)
        raise RuntimeError(f"{self.name}: no session within 16 days of {from_us(after_us)}")


def krx_schedule(calendar: TradingCalendar, step_seconds: int = 10) -> MarketSchedule:
    """The KRX timetable (see the module docstring)."""
    cont = (_s(9, 0), _s(15, 20))
    tpl: list[tuple[int, Ev, int]] = [(_s(8, 30), Ev.OPEN_AUCTION_START, 0)]
    tpl.append((_s(8, 0), Ev.NXT_OPEN, 0))
    tpl.append((_s(20, 0), Ev.NXT_CLOSE, 0))
    tpl += [(_s(8, 30) + 60 * i, Ev.FIXED_STEP, 0) for i in range(1, 10)]
    tpl.append((_s(8, 40), Ev.PREMARKET_END, 0))
    tpl.append((cont[0], Ev.OPEN, 0))
    n = (cont[1] - cont[0]) // step_seconds
    tpl += [(cont[0] + k * step_seconds, Ev.STEP, k) for k in range(1, n)]
    tpl.append((cont[1], Ev.CLOSE_AUCTION_START, 0))
    tpl.append((_s(15, 30), Ev.CLOSE, 0))
    tpl.append((_s(15, 40), Ev.POST_START, 0))
    tpl += [(_s(15, 40) + 60 * i, Ev.FIXED_STEP, 1) for i in range(1, 20)]
    tpl.append((_s(16, 0), Ev.AFTER_START, 0))
    # The last auction (arg 12, at 18:00) also ends the session: one event per instant.
    tpl += [(_s(16, 0) + 600 * i, Ev.AFTER_AUCTION, i) for i in range(1, 13)]
    phases = [
        (0, Phase.CLOSED),
        (_s(8, 30), Phase.OPENING_AUCTION),
        (cont[0], Phase.CONTINUOUS),
        (cont[1], Phase.CLOSING_AUCTION),
        (_s(15, 30), Phase.BREAK),
        (_s(15, 40), Phase.POST_MARKET),
        (_s(16, 0), Phase.AFTER_HOURS),
        (_s(18, 0), Phase.CLOSED),
    ]
    return MarketSchedule("KRX", tpl, phases, KST, calendar, cont, step_seconds)


US_MIRROR_TZ = timezone(timedelta(hours=9, minutes=30), "US-mirror")


def us_schedule(mode: str = "mirror", step_seconds: int = 10) -> MarketSchedule:
    """The US timetable; ``mode`` is ``"mirror"`` or ``"new_york"``."""
    tz: timezone | ZoneInfo
    if mode == "mirror":
        tz = US_MIRROR_TZ
    elif mode == "new_york":
        tz = ZoneInfo("America/New_York")
    else:
        raise ValueError(f"us_mode must be 'mirror' or 'new_york', not {mode!r}")
    cont = (_s(9, 30), _s(16, 0))
    tpl: list[tuple[int, Ev, int]] = [(_s(4, 0), Ev.OPEN_AUCTION_START, 0)]
    tpl.append((cont[0], Ev.OPEN, 0))
    n = (cont[1] - cont[0]) // step_seconds
    tpl += [(cont[0] + k * step_seconds, Ev.STEP, k) for k in range(1, n)]
    tpl.append((cont[1], Ev.CLOSE, 0))
    phases = [
        (0, Phase.CLOSED),
        (_s(4, 0), Phase.OPENING_AUCTION),
        (cont[0], Phase.CONTINUOUS),
        (cont[1], Phase.CLOSED),
    ]
    cal = TradingCalendar(weekends_only=True)
    return MarketSchedule("US", tpl, phases, tz, cal, cont, step_seconds)
