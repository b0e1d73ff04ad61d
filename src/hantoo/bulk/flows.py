"""One symbol's history as a sans-I/O workflow that saves every page as it arrives.

Why not just :func:`hantoo.workflows.market.candles_flow`: a bulk job needs two things it does
not give. (1) Partial data survives an error: bars go into a :class:`Sink` owned by the caller,
so a symbol that fails on page 7 still hands over pages 1–6. (2) No wasted calls: KIS answers
at most a fixed number of bars per call (100 daily, 30–120 minute bars), so a *short* page means
the window is exhausted and the trailing "anything older?" call (one in nine calls of a
three-year daily history) is skipped. The page size is not assumed: :class:`PageSizes` learns
the largest page each API has returned during the job, so a server with smaller pages is never
cut short — at worst one extra call is made.

The paging rules themselves (the window's end moves to the start of the oldest bar's period minus
one day; bars keyed by period; every page must bring something new) are those of
``candles_flow``, whose helpers are reused. Overseas symbols and paper-trading minute bars go
through ``candles_flow`` unchanged.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from .._core.wire import ApiResponse
from ..domain.convert import candle_from
from ..domain.kst import KST
from ..domain.objects import Candle, Candles
from ..domain.symbols import Symbol
from ..workflows.driver import Context
from ..workflows.market import Interval, _period_key, _period_start, candles_flow
from ..workflows.steps import Call, Workflow

__all__ = ["DAILY_API", "MINUTE_API", "PageSizes", "Piece", "Sink", "history_flow", "parts",
           "piece_flow"]

DAILY_API = "domestic_stock/inquire_daily_itemchartprice"
MINUTE_API = "domestic_stock/inquire_time_dailychartprice"
_PERIOD = {"day": "D", "week": "W", "month": "M"}
# Calendar days per daily-bar request window: 20 weeks = 100 weekdays = one KIS page at most.
_SPAN = {"day": 140}


class PageSizes:
    """The largest page each API has answered in this job (shared by every symbol's flow).

    A page with fewer rows than that is the last of its window. Thread-safe: the sync client
    runs symbols in worker threads.
    """

    def __init__(self) -> None:
        self._max: dict[str, int] = {}
        self._lock = threading.Lock()

    def full(self, api: str, rows: int) -> bool:
        """Record a page of ``rows`` rows; ``True`` when it is as large as any seen (more may
        follow), ``False`` when it is short (the window is exhausted)."""
        with self._lock:
            best = max(self._max.get(api, 0), rows)
            self._max[api] = best
        return rows > 0 and rows >= best


@dataclass
class Sink:
    """Where a symbol's bars land, page by page; survives the workflow raising."""

    symbol: str
    interval: str
    bars: dict[Hashable, Candle] = field(default_factory=dict)
    pages: int = 0
    complete: bool = False

    def candles(self) -> Candles:
        return Candles(sorted(self.bars.values(), key=lambda c: c.time))

    def merge(self, other: Sink) -> None:
        """Take a part's bars and pages (parts cover disjoint ranges; a bar both have is the
        same bar, kept once)."""
        self.bars.update(other.bars)
        self.pages += other.pages


@dataclass(frozen=True, slots=True)
class Piece:
    """A part of one symbol's range that can be fetched at the same time as the others.

    ``[lo, hi]`` days; a minute window also has its times ``[since, until]``; a ``head`` piece
    is a day's newest minute page, which tells how many bars a page holds and so how to cut
    the rest of the day.
    """

    lo: dt.date
    hi: dt.date
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    head: bool = False


def parts(ctx: Context, symbol: Symbol, start: dt.date, end: dt.date,
          interval: str) -> list[Piece]:
    """``[start, end]`` cut into pieces that can be fetched at the same time, newest first.

    Why: a symbol's pages are a chain - each request needs the previous answer - so a job with
    fewer symbols than requests in flight (its last symbols, a few long histories, a day of
    minute bars) leaves the limiter idle while the chains wait on round trips. Daily bars are
    cut at the flow's own 140-day windows (one page each, so no call is added); minute bars by
    day, and each day by its first page (:func:`piece_flow`). Weekly and monthly bars,
    overseas symbols and paper-trading minute bars stay one piece.
    """
    if symbol.is_overseas or (interval == "minute" and ctx.paper):
        return [Piece(start, end)]
    if interval == "minute":
        days = ((end - dt.timedelta(days=i)) for i in range((end - start).days + 1))
        return [Piece(d, d, head=True) for d in days if d.weekday() < 5] or [Piece(start, end)]
    span = _SPAN.get(interval)
    if span is None:
        return [Piece(start, end)]
    cut: list[Piece] = []
    hi = end
    while hi >= start:
        lo = max(start, hi - dt.timedelta(days=span - 1))
        cut.append(Piece(lo, hi))
        hi = lo - dt.timedelta(days=1)
    return cut


def piece_flow(ctx: Context, sink: Sink, symbol: Symbol, piece: Piece, interval: Interval,
               sizes: PageSizes, *, adjusted: bool = True,
               max_pages: int = 2_000) -> Workflow[list[Piece]]:
    """Fill ``sink`` with ``piece``'s bars (``sink.complete`` at the end); returns the pieces
    it found still to fetch (a minute day's windows after its first page)."""
    if interval == "minute" and piece.head and not symbol.is_overseas and not ctx.paper:
        return (yield from _minute_head(sink, symbol, piece.lo, sizes))
    if interval == "minute" and piece.since is not None and piece.until is not None:
        yield from _minute_window(sink, symbol, piece.lo, piece.since, piece.until, sizes,
                                  max_pages)
        return []
    yield from history_flow(ctx, sink, symbol, piece.lo, piece.hi, interval, sizes,
                            adjusted=adjusted, max_pages=max_pages)
    return []


# KRX's regular session opens at 09:00: a day's minute windows are cut down to it, and the
# last window reaches back to midnight (it ends at its first short page, so bars before the
# open - none on KRX - would still be fetched).
_OPEN = dt.time(9, 0)
_MINUTE = dt.timedelta(minutes=1)


def _minute_args(symbol: Symbol, day: dt.date, cursor: dt.datetime) -> dict[str, Any]:
    return {"fid_cond_mrkt_div_code": "J", "fid_input_iscd": symbol.quote_code,
            "fid_input_hour_1": cursor.time().replace(microsecond=0),
            "fid_pw_data_incu_yn": "N", "fid_input_date_1": day, "fid_fake_tick_incu_yn": ""}


def _minute_head(sink: Sink, symbol: Symbol, day: dt.date,
                 sizes: PageSizes) -> Workflow[list[Piece]]:
    """A day's newest page; then the rest of the day cut into windows of one page each."""
    floor = dt.datetime.combine(day, dt.time(), tzinfo=KST)
    until = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=KST)
    r: ApiResponse = yield Call(MINUTE_API, _minute_args(symbol, day, until))
    sink.pages += 1
    page = [b for b in (candle_from(row, symbol.code, "minute") for row in r.rows("output2"))
            if b is not None]
    fresh = [b for b in page if floor <= b.time <= until]
    full = sizes.full(MINUTE_API, len(page))
    for b in fresh:
        sink.bars[b.time] = b
    sink.complete = True
    if not fresh or not full:
        return []
    cursor = min(b.time for b in fresh) - _MINUTE
    if cursor < floor:
        return []
    width = _MINUTE * (len(page) - 1)
    opening = dt.datetime.combine(day, _OPEN, tzinfo=KST)
    windows: list[Piece] = []
    while cursor - width > opening:
        windows.append(Piece(day, day, since=cursor - width, until=cursor))
        cursor -= width + _MINUTE
    windows.append(Piece(day, day, since=floor, until=cursor))
    return windows


def _minute_window(sink: Sink, symbol: Symbol, day: dt.date, since: dt.datetime,
                   until: dt.datetime, sizes: PageSizes, max_pages: int) -> Workflow[None]:
    """The bars of ``[since, until]``: pages until one reaches below ``since`` or is short."""
    cursor = until
    for _page in range(max_pages):
        if cursor < since:
            break
        r: ApiResponse = yield Call(MINUTE_API, _minute_args(symbol, day, cursor))
        sink.pages += 1
        page = [b for b in (candle_from(row, symbol.code, "minute")
                            for row in r.rows("output2")) if b is not None]
        fresh = [b for b in page if since <= b.time <= cursor and b.time not in sink.bars]
        full = sizes.full(MINUTE_API, len(page))
        for b in fresh:
            sink.bars[b.time] = b
        if not fresh or not full or any(b.time < since for b in page):
            break
        cursor = min(b.time for b in fresh) - _MINUTE
    else:
        return  # page cap reached: incomplete
    sink.complete = True


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def history_flow(
    ctx: Context,
    sink: Sink,
    symbol: Symbol,
    start: dt.date,
    end: dt.date,
    interval: Interval,
    sizes: PageSizes,
    *,
    adjusted: bool = True,
    max_pages: int = 2_000,
) -> Workflow[None]:
    """Fill ``sink`` with ``symbol``'s bars of ``[start, end]``; ``sink.complete`` at the end."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if symbol.is_overseas or (interval == "minute" and ctx.paper):
        bars: Candles = yield from candles_flow(ctx, symbol, start, end, interval,
                                                adjusted=adjusted, max_pages=max_pages)
        for b in bars:
            sink.bars[b.time] = b
        sink.pages += 1
        sink.complete = True
        return
    if interval == "minute":
        yield from _minute(sink, symbol, start, end, sizes, max_pages)
    else:
        yield from _daily(sink, symbol, start, end, interval, sizes, adjusted, max_pages)


def _daily(sink: Sink, symbol: Symbol, first: dt.date, last: dt.date, interval: str,
           sizes: PageSizes, adjusted: bool, max_pages: int) -> Workflow[None]:
    key = _period_key(interval)
    floor = _period_start(first, interval)
    cursor = last
    span = _SPAN.get(interval)
    for _page in range(max_pages):
        # Daily bars are asked for in windows that hold one page at most (140 calendar days
        # = 100 weekdays): the server then has a short range to answer from, instead of the
        # whole remaining history on every page. A window with no bar at all is followed by
        # one request over everything older, so a long halt cannot end the history early.
        lo = first if span is None else max(first, cursor - dt.timedelta(days=span - 1))
        r: ApiResponse = yield Call(DAILY_API, {
            "fid_cond_mrkt_div_code": "J", "fid_input_iscd": symbol.quote_code,
            "fid_input_date_1": lo, "fid_input_date_2": cursor,
            "fid_period_div_code": _PERIOD[interval],
            "fid_org_adj_prc": "0" if adjusted else "1"})
        sink.pages += 1
        rows = r.rows("output2")
        page = [candle_from(row, symbol.code, interval) for row in rows]
        fresh = [b for b in page if b is not None and floor <= b.date
                 and _period_start(b.date, interval) <= cursor and key(b) not in sink.bars]
        if interval == "day":
            fresh = [b for b in fresh if first <= b.date <= last]
        full = sizes.full(DAILY_API, sum(1 for b in page if b is not None))
        if not fresh:
            if lo <= first:
                break  # nothing older at all: the history is complete
            span = None  # an empty window: ask for everything older once
            continue
        for b in fresh:
            sink.bars[key(b)] = b
        cursor = _period_start(min(b.date for b in fresh), interval) - dt.timedelta(days=1)
        if not full:  # a short page: the window is exhausted
            if lo <= first:
                break
            cursor = min(cursor, lo - dt.timedelta(days=1))
            span = _SPAN.get(interval)
        if cursor < floor or (interval == "day" and not _has_weekday(first, cursor)):
            break  # nothing left, or only a weekend (KRX has no weekend session)
    else:
        return  # page cap reached: incomplete
    sink.complete = True


def _has_weekday(lo: dt.date, hi: dt.date) -> bool:
    """Whether ``[lo, hi]`` holds a Monday-Friday: a part whose page was full but reached
    back to a Monday needs no call for the weekend before it."""
    if (hi - lo).days >= 6:
        return True
    return any((lo + dt.timedelta(days=i)).weekday() < 5 for i in range((hi - lo).days + 1))


def _minute(sink: Sink, symbol: Symbol, first: dt.date, last: dt.date, sizes: PageSizes,
            max_pages: int) -> Workflow[None]:
    """Each day is its own chain of pages (newest day first); weekends are skipped."""
    pages = 0
    day = last
    while day >= first:
        if day.weekday() < 5:
            cursor = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=KST)
            floor = dt.datetime.combine(day, dt.time(), tzinfo=KST)
            while cursor >= floor:
                if pages >= max_pages:
                    return  # incomplete
                args: dict[str, Any] = {
                    "fid_cond_mrkt_div_code": "J", "fid_input_iscd": symbol.quote_code,
                    "fid_input_hour_1": cursor.time().replace(microsecond=0),
                    "fid_pw_data_incu_yn": "N", "fid_input_date_1": day,
                    "fid_fake_tick_incu_yn": ""}
                r: ApiResponse = yield Call(MINUTE_API, args)
                pages += 1
                sink.pages += 1
                page = [candle_from(row, symbol.code, "minute") for row in r.rows("output2")]
                fresh = [b for b in page if b is not None and floor <= b.time <= cursor
                         and b.time not in sink.bars]
                full = sizes.full(MINUTE_API, sum(1 for b in page if b is not None))
                if not fresh:
                    break
                for b in fresh:
                    sink.bars[b.time] = b
                cursor = min(b.time for b in fresh) - dt.timedelta(minutes=1)
                if not full:
                    break
        day -= dt.timedelta(days=1)
    sink.complete = True


def as_day(value: dt.date | dt.datetime | str) -> dt.date:
    """A date from what a user typed (``2026-11-02``, ``20261102``, a date or datetime)."""
    if isinstance(value, dt.datetime | dt.date):
        return _as_date(value)
    text = str(value).strip()
    try:
        if "-" in text:
            return dt.date.fromisoformat(text)
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
