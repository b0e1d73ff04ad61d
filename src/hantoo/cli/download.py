"""``hantoo download`` and ``hantoo quotes``: whole-market data from the shell.

``download`` writes one Parquet/CSV file per symbol into a directory at the pace of the rate
limit, resumes a killed run (only what is missing is fetched) and extends files with
``--append``; a progress bar shows symbols, rows, calls/s against the limit and time left.
``quotes`` prices many symbols, 30 per call where KIS allows it.

Symbols: codes, ``KOSPI`` / ``KOSDAQ``, ``KOSPI200`` / ``KOSPI100`` / ``KOSPI50``,
``name:TEXT`` and ``@FILE``, resolved against ``--universe`` files (KIS ``.mst`` master files or
a listing CSV) or, without one, the simulator's listing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .common import BaseUrlOption, EnvOption, JsonOption, open_client, parse_day, plain
from .market import FromOption, IntervalOption, ToOption, _interval, quote_table
from .output import EXIT_API, command, console, err_console, print_json

if TYPE_CHECKING:
    from ..bulk import DownloadProgress, Universe

UniverseOption = Annotated[
    list[Path] | None,
    typer.Option("--universe", help="KIS master file (kospi_code.mst, kosdaq_code.mst) or a "
                 "listing CSV (code,name,market); repeat for several. Default: the simulator's"),
]
RateOption = Annotated[
    str | None, typer.Option("--rate-limit", help="client limit, e.g. 20/s (default: the "
                             "environment's profile)")]


def register(app: typer.Typer) -> None:
    app.command("download")(download)
    app.command("quotes")(quotes)


def _universe(paths: list[Path] | None) -> Universe:
    from ..bulk.universe import Listing, Universe

    if not paths:
        return Universe.simulator()
    listings: list[Listing] = []
    for p in paths:
        listings.extend(Universe.load(p))
    return Universe(listings, source=", ".join(str(p) for p in paths))


def _needs_universe(specs: list[str]) -> bool:
    return any(not s.strip()[:1].isdigit() and not s.startswith("@") for s in specs)


def select_symbols(specs: list[str], paths: list[Path] | None) -> list[str]:
    """Codes for the command's SYMBOLS arguments (a usage error when nothing is selected)."""
    from ..bulk.universe import Universe

    universe = _universe(paths) if _needs_universe(specs) else Universe([])
    codes = universe.select(specs)
    if not codes:
        raise ValueError("no symbols selected: give codes, KOSPI, KOSDAQ, KOSPI200, "
                         "name:TEXT or @FILE")
    return codes


def _progress_text(p: DownloadProgress) -> str:
    limit = f" / {p.limit_per_second:g}" if p.limit_per_second else ""
    eta = p.eta
    left = "-" if eta is None else str(dt.timedelta(seconds=round(eta)))
    return (f"{p.rows:,} rows · {p.calls_per_second:5.1f}{limit} calls/s · "
            f"{left} left")


@command
def download(
    symbols: Annotated[list[str], typer.Argument(
        help="005930 … | KOSPI | KOSDAQ | KOSPI200 | name:삼성 | @FILE")],
    out: Annotated[Path, typer.Option("--out", help="directory: one file per symbol")],
    start: FromOption = None,
    end: ToOption = None,
    interval: IntervalOption = "day",
    fmt: Annotated[str, typer.Option("--format", help="parquet | csv")] = "parquet",
    append: Annotated[bool, typer.Option(
        "--append", help="extend existing files from their newest bar up to --to / today")]
    = False,
    universe: UniverseOption = None,
    concurrency: Annotated[int, typer.Option(help="requests in flight at most")] = 16,
    rate_limit: RateOption = None,
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bars of many symbols into a directory, at the pace of the rate limit; resumable.

    Run it again after an interruption and only what is missing is fetched. Default range: the
    last 365 days up to the market's latest business day (minute bars: that day).
    """
    from ..bulk.store import Store

    iv = _interval(interval)
    if fmt.lower() not in ("parquet", "csv"):
        raise ValueError(f"--format must be parquet or csv, not {fmt!r}")
    if concurrency < 1:
        raise ValueError("--concurrency must be at least 1")
    first = parse_day(start, "--from") if start else None
    last = parse_day(end, "--to") if end else None
    codes = select_symbols(symbols, universe)
    store = Store(out, fmt)  # checks the directory and pyarrow before any request
    del store
    kwargs = {"rate_limit": rate_limit} if rate_limit else {}
    with open_client(env, base_url, **kwargs) as client, Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"), TimeElapsedColumn(), console=err_console,
        transient=True, disable=as_json,
    ) as bar:
        task = bar.add_task(f"{iv} bars", total=len(codes), info="")

        def show(p: DownloadProgress) -> None:
            bar.update(task, completed=p.symbols_done, info=_progress_text(p))

        job = client.download(codes, first, last, iv, out=out, format=fmt, append=append,
                              concurrency=concurrency, on_progress=show)
    s = job.summary
    if as_json:
        data = s.as_dict()
        data["out"] = str(out)
        data["interval"] = iv
        data["failed_symbols"] = [
            {"symbol": r.symbol, "error": r.error, "code": r.error_code} for r in job.failed()]
        print_json(data)
    else:
        limit = f" (limit {s.limit_per_second:g}/s)" if s.limit_per_second else ""
        err_console.print(
            f"{s.completed} symbols written, {s.skipped} already there, {s.failed} failed · "
            f"{s.rows:,} rows · {s.requests} calls in {s.elapsed:.1f}s = "
            f"{s.calls_per_second:.1f}/s{limit} · {s.retries} retries · "
            f"{s.rate_limited} rate-limit refusals → {out}", highlight=False)
        for r in job.failed():
            err_console.print(f"[red]{r.symbol}[/]: {r.error}", highlight=False)
    if s.failed:
        raise typer.Exit(EXIT_API)


@command
def quotes(
    symbols: Annotated[list[str], typer.Argument(
        help="005930 … | KOSPI | KOSDAQ | KOSPI200 | name:삼성 | @FILE")],
    universe: UniverseOption = None,
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Current prices of many symbols (30 per call with intstock_multprice)."""
    codes = select_symbols(symbols, universe)
    with open_client(env, base_url) as client:
        batch = client.quotes(codes)
    if as_json:
        print_json({"quotes": [plain(q) for q in batch.values()], "errors": dict(batch.errors),
                    "calls": batch.calls})
    else:
        console.print(quote_table(list(batch.values())))
        err_console.print(f"{len(batch)} quotes in {batch.calls} calls", highlight=False)
        for code, why in batch.errors.items():
            err_console.print(f"[red]{code}[/]: {why}", highlight=False)
    if batch.errors:
        raise typer.Exit(EXIT_API)
