"""Korea Standard Time, and turning KIS's separate date and time strings into aware datetimes.

KST has had no daylight saving since 1988, so a fixed offset is exact and needs no tz database.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["KST", "at_kst", "now_kst", "today_kst"]

KST = dt.timezone(dt.timedelta(hours=9), "KST")


def now_kst() -> dt.datetime:
    return dt.datetime.now(KST)


def today_kst() -> dt.date:
    return now_kst().date()


def at_kst(day: dt.date | None, time: dt.time | None = None) -> dt.datetime | None:
    """``day`` + ``time`` as an aware KST datetime (midnight when ``time`` is missing)."""
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        return day if day.tzinfo else day.replace(tzinfo=KST)
    return dt.datetime.combine(day, (time or dt.time()).replace(tzinfo=None), tzinfo=KST)


def as_kst(value: dt.datetime) -> dt.datetime:
    """Naive datetimes are read as KST; aware ones are converted."""
    return value.replace(tzinfo=KST) if value.tzinfo is None else value.astimezone(KST)
