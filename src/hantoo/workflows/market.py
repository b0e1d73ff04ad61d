"""Market data workflows: quote, order book, candles over any date range.

Candles page transparently. KIS answers at most ~100 daily bars per call (the newest ones in the
window) and 30–120 minute bars per call (back from a given time), so the window's end moves back
to just before the oldest bar received until the start is reached. Bars are keyed by their
period (day; ISO week; month; minute) so a bar can never appear twice, and the end moves to the
*start of the oldest bar's period* minus one day, so no period is skipped whichever day KIS
labels a weekly or monthly bar with. Every page must bring something new or paging stops, so a
misbehaving server cannot loop it forever.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import Any, Literal

from .._core.wire import ApiResponse
from ..domain.convert import (
    candle_from,
    order_book_from,
    quote_from,
    us_candle_from,
    us_order_book_from,
    us_quote_from,
)
from ..domain.kst import KST, as_kst
from ..domain.objects import Candle, Candles, OrderBook, Quote
from ..domain.symbols import Symbol
from ..errors import UnsupportedInPaperError
from . import futures
from .driver import Context
from .steps import Call, Workflow

__all__ = ["Interval", "candles_flow", "order_book_flow", "quote_flow"]

Interval = Literal["day", "week", "month", "minute"]
_PERIOD = {"day": "D", "week": "W", "month": "M"}
_US_PERIOD = {"day": "0", "week": "1", "month": "2"}


def quote_flow(symbol: Symbol) -> Workflow[Quote]:
    if symbol.is_futures:
        return (yield from futures.futures_quote_flow(symbol))
    if symbol.is_overseas:
        r: ApiResponse = yield Call("overseas_stock/price", {
            "auth": "", "excd": symbol.quote_exchange, "symb": symbol.quote_code})
        return us_quote_from(r, symbol)
    r = yield Call("domestic_stock/inquire_price", {
        "fid_cond_mrkt_div_code": "J", "fid_input_iscd": symbol.quote_code})
    return quote_from(r, symbol)


def order_book_flow(symbol: Symbol) -> Workflow[OrderBook]:
    if symbol.is_futures:
        return (yield from futures.futures_order_book_flow(symbol))
    if symbol.is_overseas:
        r: ApiResponse = yield Call("overseas_stock/inquire_asking_price", {
            "auth": "", "excd": symbol.quote_exchange, "symb": symbol.quote_code})
        return us_order_book_from(r, symbol)
    r = yield Call("domestic_stock/inquire_asking_price_exp_ccn", {
        "fid_cond_mrkt_div_code": "J", "fid_input_iscd": symbol.quote_code})
    return order_book_from(r, symbol)


def _period_key(interval: str) -> Callable[[Candle], Hashable]:
    if interval == "week":
        return lambda c: c.date.isocalendar()[:2]
    if interval == "month":
        return lambda c: (c.date.year, c.date.month)
    if interval == "minute":
        return lambda c: c.time
    return lambda c: c.date


def _period_start(day: dt.date, interval: str) -> dt.date:
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _as_date(value: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return as_kst(value).date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value) if "-" in value else dt.datetime.strptime(
        value, "%Y%m%d").date()


def _as_datetime(value: dt.date | dt.datetime | str, *, end: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return as_kst(value)
    day = _as_date(value)
    return dt.datetime.combine(day, dt.time(23, 59, 59) if end else dt.time(), tzinfo=KST)


def candles_flow(
    ctx: Context,
    symbol: Symbol,
    start: dt.date | dt.datetime | str,
    end: dt.date | dt.datetime | str,
    interval: Interval = "day",
    *,
    adjusted: bool = True,
    max_pages: int = 2_000,
) -> Workflow[Candles]:
    """Bars for ``[start, end]`` (inclusive), oldest first, however many calls it takes."""
    if interval not in ("day", "week", "month", "minute"):
        raise ValueError(f"interval must be day, week, month or minute, not {interval!r}")
    if symbol.is_futures:
        return (yield from futures.futures_candles_flow(symbol, _as_date(start), _as_date(end),
                                                        interval))
    if interval == "minute":
        minute_bars = yield from _minute_bars(ctx, symbol, _as_datetime(start, end=False),
                                              _as_datetime(end, end=True), max_pages)
        return minute_bars
    first, last = _as_date(start), _as_date(end)
    if first > last:
        raise ValueError(f"start {first} is after end {last}")
    key = _period_key(interval)
    seen: dict[Hashable, Candle] = {}
    cursor = last
    floor = _period_start(first, interval)
    for _page in range(max_pages):
        if symbol.is_overseas:
            r: ApiResponse = yield Call("overseas_stock/dailyprice", {
                "auth": "", "excd": symbol.quote_exchange, "symb": symbol.quote_code,
                "gubn": _US_PERIOD[interval], "bymd": cursor.strftime("%Y%m%d"),
                "modp": "1" if adjusted else "0"})
            page = [us_candle_from(row, symbol, interval) for row in r.rows("output2")]
        else:
            r = yield Call("domestic_stock/inquire_daily_itemchartprice", {
                "fid_cond_mrkt_div_code": "J", "fid_input_iscd": symbol.quote_code,
                "fid_input_date_1": first, "fid_input_date_2": cursor,
                "fid_period_div_code": _PERIOD[interval],
                "fid_org_adj_prc": "0" if adjusted else "1"})
            page = [candle_from(row, symbol.code, interval) for row in r.rows("output2")]
        bars = [b for b in page if b is not None and floor <= b.date and
                _period_start(b.date, interval) <= cursor]
        new = [b for b in bars if key(b) not in seen]
        if not new:
            break
        for b in new:
            seen[key(b)] = b
        oldest = min(b.date for b in new)
        cursor = _period_start(oldest, interval) - dt.timedelta(days=1)
        if cursor < floor:
            break
    out = sorted(seen.values(), key=lambda c: c.time)
    if interval == "day":
        out = [c for c in out if first <= c.date <= last]
    return Candles(out)


def _minute_bars(
    ctx: Context, symbol: Symbol, start: dt.datetime, end: dt.datetime, max_pages: int
) -> Workflow[Candles]:
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if symbol.is_overseas:
        us_bars = yield from _us_minute_bars(symbol, start, end, max_pages)
        return us_bars
    seen: dict[dt.datetime, Candle] = {}
    cursor = end
    for _page in range(max_pages):
        if cursor < start:
            break
        args: dict[str, Any] = {
            "fid_cond_mrkt_div_code": "J", "fid_input_iscd": symbol.quote_code,
            "fid_input_hour_1": cursor.time().replace(microsecond=0),
            "fid_pw_data_incu_yn": "N",
        }
        if ctx.paper:
            if cursor.date() != ctx.today():
                raise UnsupportedInPaperError(
                    "KIS paper trading has today's minute bars only (inquire_time_itemchartprice);"
                    " past days need inquire_time_dailychartprice, which paper does not offer"
                )
            r: ApiResponse = yield Call("domestic_stock/inquire_time_itemchartprice",
                                        {**args, "fid_etc_cls_code": ""})
        else:
            r = yield Call("domestic_stock/inquire_time_dailychartprice",
                           {**args, "fid_input_date_1": cursor.date(),
                            "fid_fake_tick_incu_yn": ""})
        page = [candle_from(row, symbol.code, "minute") for row in r.rows("output2")]
        bars = [b for b in page if b is not None and start <= b.time <= cursor
                and b.time not in seen]
        if not bars:
            # nothing (more) on this day at or before the cursor: go to the previous day's end
            cursor = dt.datetime.combine(cursor.date() - dt.timedelta(days=1),
                                         dt.time(23, 59, 59), tzinfo=KST)
            continue
        for b in bars:
            seen[b.time] = b
        cursor = min(b.time for b in bars) - dt.timedelta(minutes=1)
    return Candles(sorted(seen.values(), key=lambda c: c.time))


def _us_minute_bars(
    symbol: Symbol, start: dt.datetime, end: dt.datetime, max_pages: int
) -> Workflow[Candles]:
    seen: dict[dt.datetime, Candle] = {}
    keyb = ""
    for _page in range(max_pages):
        r: ApiResponse = yield Call("overseas_stock/inquire_time_itemchartprice", {
            "auth": "", "excd": symbol.quote_exchange, "symb": symbol.quote_code, "nmin": "1",
            "pinc": "1", "next": "1" if keyb else "", "nrec": "120", "fill": "", "keyb": keyb})
        rows = list(r.rows("output2"))
        page = [us_candle_from(row, symbol, "minute") for row in rows]
        fresh = [b for b in page if b is not None and b.time not in seen]
        if not fresh:
            break
        for b in fresh:
            if start <= b.time <= end:
                seen[b.time] = b
        oldest = min(b.time for b in fresh)
        if oldest < start:
            break
        # KEYB: the local (exchange) time of the oldest bar minus one minute
        oldest_row = rows[[b.time if b else None for b in page].index(oldest)]
        local = oldest_row.get("xymd"), oldest_row.get("xhms")
        if not isinstance(local[0], dt.date) or not local[1]:
            break
        t = str(local[1]).zfill(6)
        stamp = dt.datetime.combine(local[0], dt.time(int(t[:2]), int(t[2:4]), int(t[4:6])))
        keyb = (stamp - dt.timedelta(minutes=1)).strftime("%Y%m%d%H%M%S")
    return Candles(sorted(seen.values(), key=lambda c: c.time))
