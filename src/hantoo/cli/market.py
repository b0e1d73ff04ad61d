"""``hantoo quote | book | candles | chart``: market data from the shell.

All read-only. ``candles`` fetches long ranges in windows so a progress bar can move (the SDK's
``client.candles`` pages by itself but reports nothing until it is done); bars are keyed by
time, so windows can never duplicate one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..domain.objects import Candle, Candles, OrderBook, Quote
from .common import (
    SIM_NOTE,
    BaseUrlOption,
    EnvOption,
    ExchangeOption,
    JsonOption,
    money,
    open_client,
    parse_day,
    plain,
    qty,
    signed,
)
from .names import resolve_symbol
from .output import command, console, err_console, print_json

if TYPE_CHECKING:
    from ..client import Client

Interval = Literal["day", "week", "month", "minute"]
INTERVALS: tuple[Interval, ...] = ("day", "week", "month", "minute")
# Calendar days per request window: ~100 trading days per KIS page for daily bars, one day
# for minute bars. Weekly and monthly ranges are short enough to fetch in one go.
_WINDOW_DAYS = {"day": 140, "minute": 1}


def register(app: typer.Typer) -> None:
    app.command("quote", help=f"Current price of one or more symbols. {SIM_NOTE}")(quote)
    app.command("book", help="The order book (10 levels a side on KRX).")(book)
    app.command("candles")(candles)
    app.command("chart")(chart)


def quote_table(quotes: list[Quote]) -> Table:
    """One row per quote; the name and time columns only when the server sent them."""
    names = any(q.name for q in quotes)
    times = any(q.time for q in quotes)
    table = Table(title="quotes")
    table.add_column("symbol", no_wrap=True)
    if names:
        table.add_column("name")
    for col in ("price", "change", "%", "open", "high", "low", "volume"):
        table.add_column(col, justify="right", no_wrap=col in ("price", "%"))
    if times:
        table.add_column("time", justify="right")
    for q in quotes:
        cells = [q.symbol] + ([q.name or ""] if names else []) + [
            money(q.price), signed(q.change), signed(q.change_rate, "%"), money(q.open),
            money(q.high), money(q.low), qty(q.volume)]
        if times:
            cells.append(q.time.strftime("%H:%M:%S") if q.time else "-")
        table.add_row(*cells)
    return table


@command
def quote(
    symbols: Annotated[list[str], typer.Argument(
        help="005930, 000660, NASD:AAPL, or a name: 삼성전자")],
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    exchange: ExchangeOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_client(env, base_url) as client:
        quotes = [client.quote(resolve_symbol(client, s, exchange), exchange=exchange)
                  for s in symbols]
    if as_json:
        print_json([plain(q) for q in quotes])
        return
    console.print(quote_table(quotes))


def book_table(book: OrderBook) -> Table:
    """The ladder: asks from the 10th level down to the best, then bids from the best."""
    table = Table(title=f"order book {book.symbol} ({book.currency})")
    table.add_column("ask qty", justify="right", style="blue")
    table.add_column("price", justify="right")
    table.add_column("bid qty", justify="right", style="red")
    for level in reversed(book.asks):
        table.add_row(qty(level.quantity), money(level.price), "")
    for level in book.bids:
        table.add_row("", money(level.price), qty(level.quantity))
    table.caption = (f"spread {money(book.spread)} · total ask {qty(book.total_ask_quantity)}"
                     f" · total bid {qty(book.total_bid_quantity)}")
    return table


@command
def book(
    symbol: Annotated[str, typer.Argument(help="005930, NASD:AAPL, or a name: 삼성전자")],
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    exchange: ExchangeOption = None,
    as_json: JsonOption = False,
) -> None:
    with open_client(env, base_url) as client:
        ob = client.order_book(resolve_symbol(client, symbol, exchange), exchange=exchange)
    if as_json:
        data = plain(ob)
        data["asks"] = [plain(level) for level in ob.asks]
        data["bids"] = [plain(level) for level in ob.bids]
        print_json(data)
        return
    console.print(book_table(ob))


def windows(start: dt.date, end: dt.date, interval: str) -> list[tuple[dt.date, dt.date]]:
    """``[start, end]`` cut into consecutive, non-overlapping request windows."""
    days = _WINDOW_DAYS.get(interval)
    if days is None:
        return [(start, end)]
    out: list[tuple[dt.date, dt.date]] = []
    lo = start
    while lo <= end:
        hi = min(lo + dt.timedelta(days=days - 1), end)
        out.append((lo, hi))
        lo = hi + dt.timedelta(days=1)
    return out


def fetch_candles(client: Client, symbol: str, start: dt.date, end: dt.date,
                  interval: Interval, exchange: str | None, *, progress: bool) -> Candles:
    """Bars for ``[start, end]``, oldest first, with a progress bar on stderr."""
    if start > end:
        raise ValueError(f"--from {start} is after --to {end}")
    parts = windows(start, end, interval)
    seen: dict[dt.datetime, Candle] = {}
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True,
                  disable=not progress) as bar:
        task = bar.add_task(f"{symbol} {interval} bars", total=len(parts))
        for lo, hi in reversed(parts):  # newest first, as KIS pages
            for c in client.candles(symbol, lo, hi, interval, exchange=exchange):
                seen[c.time] = c
            bar.advance(task)
    return Candles(seen[k] for k in sorted(seen))


def candle_table(items: Candles, title: str) -> Table:
    table = Table(title=title)
    for col in ("time", "open", "high", "low", "close", "volume"):
        table.add_column(col, justify="left" if col == "time" else "right")
    for c in items:
        when = c.time.strftime("%Y-%m-%d %H:%M" if c.interval == "minute" else "%Y-%m-%d")
        style = "red" if c.close > c.open else "blue" if c.close < c.open else None
        table.add_row(when, money(c.open), money(c.high), money(c.low), money(c.close),
                      qty(c.volume), style=style)
    return table


def _default_range(client: Client, start: str | None, end: str | None,
                   days: int) -> tuple[dt.date, dt.date]:
    """The dates asked for; a missing --to is the server's today (the simulator's own day)."""
    last = parse_day(end, "--to") if end else client.server_today()
    first = parse_day(start, "--from") if start else last - dt.timedelta(days=days)
    return first, last


FromOption = Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")]
ToOption = Annotated[str | None, typer.Option("--to", help="last day (default: today)")]
IntervalOption = Annotated[str, typer.Option("--interval", help="day | week | month | minute")]


def _interval(text: str) -> Interval:
    for name in INTERVALS:
        if text == name:
            return name
    raise ValueError(f"--interval must be one of {', '.join(INTERVALS)}, not {text!r}")


@command
def candles(
    symbol: Annotated[str, typer.Argument(help="005930, NASD:AAPL, or a name: 삼성전자")],
    start: FromOption = None,
    end: ToOption = None,
    interval: IntervalOption = "day",
    out: Annotated[Path | None, typer.Option("--out", help="write FILE.csv or FILE.parquet")]
    = None,
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    exchange: ExchangeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bars over any date range (paged for you), as a table, JSON, CSV or Parquet.

    Default range: the last 30 days (minute bars: today).
    """
    from .export import check_format, write_candles

    iv = _interval(interval)
    if out is not None:
        check_format(out)
    with open_client(env, base_url) as client:
        first, last = _default_range(client, start, end, 0 if iv == "minute" else 30)
        symbol = resolve_symbol(client, symbol, exchange)
        bars = fetch_candles(client, symbol, first, last, iv, exchange,
                             progress=not as_json)
    if out is not None:
        write_candles(bars, out)
        err_console.print(f"wrote {len(bars)} {iv} bars of {symbol} to {out}")
        return
    if as_json:
        print_json([plain(c) for c in bars])
        return
    if not bars:
        err_console.print(f"no {iv} bars of {symbol} between {first} and {last}")
        return
    console.print(candle_table(bars, f"{symbol} {iv} bars {first} … {last}"))


@command
def chart(
    symbol: Annotated[str, typer.Argument(help="005930, NASD:AAPL, or a name: 삼성전자")],
    out: Annotated[Path, typer.Option("--out", help="the PNG file to write")],
    width: Annotated[int, typer.Option(help="pixels")] = 1200,
    height: Annotated[int, typer.Option(help="pixels")] = 700,
    start: FromOption = None,
    end: ToOption = None,
    interval: IntervalOption = "day",
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    exchange: ExchangeOption = None,
    ma: Annotated[str, typer.Option(
        "--ma", help="moving averages of the close, in bars")] = "5,20,60,120",
    no_ma: Annotated[bool, typer.Option("--no-ma", help="draw no moving average")] = False,
) -> None:
    """A candlestick chart with volume, moving averages (5/20/60/120 bars) and the price scale
    on the right, as a PNG of exactly --width × --height pixels.

    Default range: the last 120 days (minute bars: today). Bars before the range are fetched
    too, so that every average is drawn from the first visible bar.
    """
    from .chart import parse_mas, render_chart

    if out.suffix.lower() != ".png":
        raise ValueError(f"--out {out}: the chart is a PNG; name the file *.png")
    iv = _interval(interval)
    mas = () if no_ma else parse_mas(ma)
    with open_client(env, base_url) as client:
        first, last = _default_range(client, start, end, 0 if iv == "minute" else 120)
        warm_from = first - dt.timedelta(days=_warmup_days(iv, max(mas, default=0)))
        symbol = resolve_symbol(client, symbol, exchange)
        bars = fetch_candles(client, symbol, warm_from, last, iv, exchange, progress=True)
    visible_from = next((i for i, c in enumerate(bars) if c.time.date() >= first), len(bars))
    render_chart(bars, out, width=width, height=height,
                 title=f"{symbol} {iv} {first} … {last}", mas=mas, visible_from=visible_from)
    err_console.print(f"wrote {out} ({width}×{height}, {len(bars) - visible_from} bars"
                      + (f", MA {'/'.join(map(str, mas))}" if mas else "") + ")")


def _warmup_days(interval: str, bars: int) -> int:
    """Calendar days that hold ``bars`` earlier bars (weekends and holidays included)."""
    if bars <= 1 or interval == "minute":
        return 0
    per_bar = {"day": 1.5, "week": 7.0, "month": 31.0}[interval]
    return int(bars * per_bar) + 14
