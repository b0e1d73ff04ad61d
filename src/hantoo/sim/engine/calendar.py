"""Trading calendars: which dates the simulated exchanges are open.

KRX is closed on weekends, on public holidays, on election days, on Labour Day (1 May) and on the
last business day of the year. The list below covers 2024–2027 (temporary holidays as announced);
outside that range only weekends and fixed-date holidays are known, and callers may add dates
through :class:`TradingCalendar`'s ``extra_holidays``. US and Asian markets: weekends plus the
fixed-date holidays of :mod:`.overseas_markets`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

_KRX_HOLIDAYS_TEXT = """
2024-01-01 2024-02-09 2024-02-12 2024-03-01 2024-04-10 2024-05-01 2024-05-06 2024-05-15
2024-06-06 2024-08-15 2024-09-16 2024-09-17 2024-09-18 2024-10-01 2024-10-03 2024-10-09
2024-12-25 2024-12-31
2025-01-01 2025-01-27 2025-01-28 2025-01-29 2025-01-30 2025-03-03 2025-05-01 2025-05-05
2025-05-06 2025-06-03 2025-06-06 2025-08-15 2025-10-03 2025-10-06 2025-10-07 2025-10-08
2025-10-09 2025-12-25 2025-12-31
2026-01-01 2026-02-16 2026-02-17 2026-02-18 2026-03-02 2026-05-01 2026-05-05 2026-05-25
2026-06-03 2026-08-17 2026-09-24 2026-09-25 2026-10-05 2026-10-09 2026-12-25 2026-12-31
2027-01-01 2027-02-08 2027-02-09 2027-03-01 2027-05-05 2027-05-13 2027-08-16 2027-09-14
2027-09-15 2027-09-16 2027-10-04 2027-10-11 2027-12-27 2027-12-31
"""

#: KRX market holidays (weekdays only) for 2024–2027.
KRX_HOLIDAYS: frozenset[date] = frozenset(
    date.fromisoformat(t) for t in _KRX_HOLIDAYS_TEXT.split()
)

# Fixed-date holidays used outside the tabulated years (lunar holidays cannot be derived simply).
_FIXED = ((1, 1), (3, 1), (5, 1), (5, 5), (6, 6), (8, 15), (10, 3), (10, 9), (12, 25), (12, 31))
_TABULATED_YEARS = range(2024, 2028)


class TradingCalendar:
    """Business-day arithmetic for one market.

    ``weekends_only=True`` gives the US calendar used by the simulator.
    """

    __slots__ = ("_extra", "_weekends_only")

    def __init__(
        self, *, extra_holidays: Iterable[date] = (), weekends_only: bool = False
    ) -> None:
        self._extra = frozenset(extra_holidays)
        self._weekends_only = weekends_only

    def is_business_day(self, d: date) -> bool:
        """True when the market trades on ``d``."""
        if d.weekday() >= 5 or d in self._extra:
            return False
        if self._weekends_only:
            return True
        if d.year in _TABULATED_YEARS:
            return d not in KRX_HOLIDAYS
        return (d.month, d.day) not in _FIXED

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        d += timedelta(days=1)
        while not self.is_business_day(d):
            d += timedelta(days=1)
        return d

    def previous_business_day(self, d: date) -> date:
        """The last business day strictly before ``d``."""
        d -= timedelta(days=1)
        while not self.is_business_day(d):
            d -= timedelta(days=1)
        return d

    def on_or_before(self, d: date) -> date:
        """``d`` itself when it is a business day, else the previous business day."""
        return d if self.is_business_day(d) else self.previous_business_day(d)

    def business_days(self, start: date, end: date) -> list[date]:
        """Business days in ``[start, end]``, oldest first."""
        out: list[date] = []
        d = start
        while d <= end:
            if self.is_business_day(d):
                out.append(d)
            d += timedelta(days=1)
        return out
