"""``download`` and ``quotes`` on :class:`hantoo.Client` and :class:`hantoo.AsyncClient`.

The async methods hand the engine the client's own ``_run``; the sync ones hand it a runner that
drives each flow in a worker thread and run the engine to completion (see :mod:`.engine`). So
both are one line over the same code.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from ..domain.symbols import Symbol
from ..workflows.market import Interval
from . import engine
from . import quotes as _quotes
from .engine import DEFAULT_CONCURRENCY, ProgressCallback
from .results import Download
from .store import Store

if TYPE_CHECKING:
    from .._core.call import Policies
    from .._core.flow import Flow
    from .._core.server_clock import ServerClock
    from ..config import Settings
    from .quotes import QuoteBatch

__all__ = ["AsyncBulk", "Bulk"]

T = TypeVar("T")
SymbolLike = Symbol | str | int
DateLike = dt.date | dt.datetime | str


def _store(out: str | os.PathLike[str] | None, fmt: str) -> Store | None:
    return Store(out, fmt) if out is not None else None


class Bulk:
    """Bulk data on the sync client."""

    if TYPE_CHECKING:
        settings: Settings
        _policies: Policies
        server_clock: ServerClock

        def _run(self, flow: Flow[T]) -> T: ...
        def _flow(self, api: Any, args: Any, *, tr_cont: str = "",
                  strict: bool = True) -> Any: ...

    def download(self, symbols: Iterable[SymbolLike], start: DateLike | None,
                 end: DateLike | None = None, interval: Interval = "day", *,
                 out: str | os.PathLike[str] | None = None, format: str = "parquet",
                 append: bool = False, exchange: str | None = None, adjusted: bool = True,
                 concurrency: int = DEFAULT_CONCURRENCY,
                 on_progress: ProgressCallback | None = None) -> Download:
        """Bars of many symbols over ``[start, end]`` at the pace of the rate limit.

        Every symbol pages concurrently under this client's one limiter. ``end=None`` means the
        market's latest business day (asked from the server); ``start=None`` that day for
        minute bars, a year before ``end`` otherwise. With ``out=DIR`` each symbol is
        written to ``DIR/<code>.parquet`` (or ``.csv`` with ``format="csv"``) as soon as it is
        done and a re-run fetches only what is missing; ``append=True`` extends existing files
        up to ``end``. Returns a :class:`~hantoo.bulk.Download`: a result per symbol (bars,
        pages, retries, whether complete and why not) and a summary. One symbol failing never
        costs the others their data.
        """
        return engine.sync_download(
            self._run, self, symbols, start, end, interval, exchange=exchange,
            adjusted=adjusted, store=_store(out, format), append=append,
            concurrency=concurrency, on_progress=on_progress)

    def quotes(self, symbols: Iterable[SymbolLike], *, exchange: str | None = None,
               concurrency: int = DEFAULT_CONCURRENCY) -> QuoteBatch:
        """Current prices of many symbols: 30 per ``intstock_multprice`` call where KIS offers
        it, one ``quote`` call each otherwise, all concurrently under the limiter."""
        runner, pool = engine.threaded_runner(self._run, concurrency)
        try:
            return engine.run_blocking(_quotes.quotes(self, runner, symbols, exchange=exchange,
                                                      concurrency=concurrency))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


class AsyncBulk:
    """Bulk data on the async client (same engine, awaited)."""

    if TYPE_CHECKING:
        settings: Settings
        _policies: Policies
        server_clock: ServerClock

        async def _run(self, flow: Flow[T]) -> T: ...
        def _flow(self, api: Any, args: Any, *, tr_cont: str = "",
                  strict: bool = True) -> Any: ...

    async def download(self, symbols: Iterable[SymbolLike], start: DateLike | None,
                       end: DateLike | None = None, interval: Interval = "day", *,
                       out: str | os.PathLike[str] | None = None, format: str = "parquet",
                       append: bool = False, exchange: str | None = None,
                       adjusted: bool = True, concurrency: int = DEFAULT_CONCURRENCY,
                       on_progress: ProgressCallback | None = None) -> Download:
        """See :meth:`hantoo.Client.download`."""
        return await engine.download(
            self, self._run, symbols, start, end, interval, exchange=exchange,
            adjusted=adjusted, store=_store(out, format), append=append,
            concurrency=concurrency, on_progress=on_progress)

    async def quotes(self, symbols: Iterable[SymbolLike], *, exchange: str | None = None,
                     concurrency: int = DEFAULT_CONCURRENCY) -> QuoteBatch:
        """See :meth:`hantoo.Client.quotes`."""
        return await _quotes.quotes(self, self._run, symbols, exchange=exchange,
                                    concurrency=concurrency)
