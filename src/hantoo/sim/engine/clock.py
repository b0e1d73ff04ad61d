"""The simulator's clock: stepped for tests, real-time or accelerated for demos, or the wall clock.

Time inside the engine is an ``int`` of microseconds since the Unix epoch (UTC): cheap to compare
and to store. :meth:`SessionClock.now` turns it into a KST-aware ``datetime`` for people.

Why a *simulated* day by default: a user who starts the simulator at 22:00 still wants orders to
fill, so unless ``mode="wall"`` the clock starts at 09:00:00 KST (continuous session) of a fixed
date or of the latest KRX business day, and moves only as fast as the mode says.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from fractions import Fraction

from .calendar import TradingCalendar

KST = timezone(timedelta(hours=9), "KST")
US_PER_SEC = 1_000_000


class ClockMode(StrEnum):
    """How simulated time moves."""

    STEPPED = "stepped"  # only when advance() is called (tests, scripted scenarios)
    REALTIME = "realtime"  # one simulated second per real second, from the start instant
    ACCELERATED = "accelerated"  # ``speed`` simulated seconds per real second
    WALL = "wall"  # real KST time; weekends and nights are closed


_STEPPED = ClockMode.STEPPED
_WALL = ClockMode.WALL


def to_us(dt: datetime) -> int:
    """A timezone-aware ``datetime`` as epoch microseconds."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware value (e.g. tzinfo=KST)")
    delta = dt - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * US_PER_SEC + delta.microseconds


_EPOCH_KST = datetime(1970, 1, 1, tzinfo=UTC).astimezone(KST)
_last_kst: tuple[int, datetime] = (0, _EPOCH_KST)


def from_us(us: int, tz: timezone = KST) -> datetime:
    """Epoch microseconds as an aware ``datetime`` (KST unless told otherwise)."""
    if tz is KST:  # every engine answer: the epoch is computed once, the last answer kept
        global _last_kst
        last = _last_kst
        if last[0] == us:
            return last[1]
        dt = _EPOCH_KST + timedelta(microseconds=us)
        _last_kst = (us, dt)
        return dt
    return datetime(1970, 1, 1, tzinfo=UTC).astimezone(tz) + timedelta(microseconds=us)


def default_start(today: date | None = None, calendar: TradingCalendar | None = None) -> datetime:
    """09:00:00 KST of the latest KRX business day on or before ``today`` (KST)."""
    cal = calendar or TradingCalendar()
    d = today or datetime.now(KST).date()
    d = cal.on_or_before(d)
    return datetime(d.year, d.month, d.day, 9, 0, tzinfo=KST)


class SessionClock:
    """A clock the engine asks for the time; see :class:`ClockMode`.

    ``advance`` works in every mode but ``wall``: in real-time and accelerated modes it shifts
    the clock forward (useful to skip to the close in a demo).
    """

    __slots__ = ("_anchor_mono", "_anchor_sim", "_den", "_mode", "_mono", "_num", "_speed",
                 "_wall")

    def __init__(
        self,
        mode: ClockMode | str = ClockMode.STEPPED,
        *,
        start: datetime | None = None,
        speed: int | Fraction = 1,
        monotonic_ns: Callable[[], int] = time.monotonic_ns,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self._mode = ClockMode(mode)
        self._speed = Fraction(speed)
        if self._speed <= 0:
            raise ValueError("speed must be positive")
        if self._mode is ClockMode.REALTIME:
            self._speed = Fraction(1)
        # every request reads the clock several times: the rate's terms as plain ints
        self._num = self._speed.numerator
        self._den = self._speed.denominator * 1000
        self._mono = monotonic_ns
        self._wall = wall_ns
        self._anchor_sim = to_us(start or default_start())
        self._anchor_mono = monotonic_ns()

    @property
    def mode(self) -> ClockMode:
        return self._mode

    @property
    def speed(self) -> Fraction:
        return self._speed

    def now_us(self) -> int:
        """Current simulated instant in epoch microseconds."""
        mode = self._mode
        if mode is _STEPPED:  # a module constant: ClockMode.STEPPED is a slow lookup on 3.11
            return self._anchor_sim
        if mode is _WALL:
            return self._wall() // 1000
        elapsed_ns = self._mono() - self._anchor_mono
        return self._anchor_sim + elapsed_ns * self._num // self._den

    def now(self) -> datetime:
        """Current simulated instant, KST."""
        return from_us(self.now_us())

    def advance(self, delta: timedelta | int) -> datetime:
        """Move simulated time forward by ``delta`` (a timedelta or whole seconds)."""
        if self._mode is ClockMode.WALL:
            raise ValueError("the wall clock cannot be advanced")
        us = delta * US_PER_SEC if isinstance(delta, int) else _td_us(delta)
        if us < 0:
            raise ValueError("time only moves forward")
        self._anchor_sim += us
        return self.now()

    def advance_to(self, when: datetime) -> datetime:
        """Move simulated time forward to ``when`` (no-op when already past it)."""
        target = to_us(when)
        now = self.now_us()
        if target > now:
            self.advance(timedelta(microseconds=target - now))
        return self.now()

    def state(self) -> dict[str, str]:
        """What the store persists to resume the clock after a restart."""
        return {
            "mode": self._mode.value,
            "now_us": str(self.now_us()),
            "speed": str(self._speed),
        }

    @classmethod
    def from_state(
        cls,
        state: dict[str, str],
        *,
        monotonic_ns: Callable[[], int] = time.monotonic_ns,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> SessionClock:
        """Resume a clock saved by :meth:`state` at the instant it was saved."""
        start = from_us(int(state["now_us"]))
        return cls(
            ClockMode(state["mode"]), start=start, speed=Fraction(state["speed"]),
            monotonic_ns=monotonic_ns, wall_ns=wall_ns,
        )


def _td_us(td: timedelta) -> int:
    return (td.days * 86_400 + td.seconds) * US_PER_SEC + td.microseconds
