"""The one bulk engine: every symbol's paging at once, under the client's one rate limiter.

How it keeps the limiter busy: each symbol's range is cut into parts that can be fetched at
the same time (:func:`~.flows.parts`: daily bars in 140-day windows, minute bars by day and
each day by its first page), and ``concurrency`` workers each run one part at a time, taking
the parts symbol by symbol (so a few symbols are open at once and each is written as soon as
its last part is in). Every call goes through the client's own call flow (token, limiter,
retries), so the limiter - not a request's round trip - sets the pace. With ``n`` requests in
flight and a round trip of ``rtt`` seconds the job can reach ``n / rtt`` calls/s; the default
of 16 covers an 18-20 calls/s limit up to ~0.8 s of latency, and because parts are independent
the job's last symbols (or a job of a few long histories) still keep ``n`` requests in flight.
The limiter spaces the sends, so the pipeline never bursts past the limit (0 rejections is the
design goal, and the summary counts any ``EGW00201``).

Sync and async: the engine is async. :class:`hantoo.AsyncClient` hands it its own ``_run``;
:class:`hantoo.Client` hands it a runner that drives each symbol's flow in a worker thread
(the sync client is thread-safe), and runs the engine to completion with :func:`run_blocking`.
One implementation, two drivers - as everywhere else in hantoo.

Failure isolation: each part's workflow runs on its own; an error ends that symbol only (its
pages so far are kept in its :class:`~.flows.Sink`, its parts not yet started are not) and
is reported in its result.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .._core.flow import Flow, HttpRequest, HttpResponse
from .._core.server_clock import ServerClock
from ..domain.kst import today_kst
from ..domain.symbols import Symbol, to_symbol
from ..errors import ApiError, HantooError
from ..workflows.driver import Context, lower
from ..workflows.market import Interval
from ..workflows.steps import Call, Workflow
from .flows import DAILY_API, PageSizes, Piece, Sink, as_day, parts, piece_flow
from .results import Download, DownloadProgress, DownloadSummary, SymbolResult

if TYPE_CHECKING:
    from .._core.call import CallResult, Policies
    from ..catalog import Api
    from ..config import Settings
    from .store import Store

__all__ = ["DEFAULT_CONCURRENCY", "Host", "JobStopped", "Runner", "download", "run_blocking",
           "threaded_runner"]

T = TypeVar("T")
Runner = Callable[[Flow[Any]], Awaitable[Any]]
ProgressCallback = Callable[[DownloadProgress], None]
DEFAULT_CONCURRENCY = 16
_INTERVALS = ("day", "week", "month", "minute")


class Host(Protocol):
    """What the engine needs from a client (both clients have it)."""

    settings: Settings
    _policies: Policies
    server_clock: ServerClock

    def _flow(self, api: Api, args: Any, *, tr_cont: str = "", strict: bool = True) -> (
        Flow[CallResult]
    ): ...


class JobStopped(Exception):
    """Raised inside a symbol's flow once the job is stopping (Ctrl-C, an error elsewhere):
    flows running in worker threads must not keep calling the server after the job is over."""


class _Meter:
    """Job-wide counters, updated from worker threads or tasks; ``stop`` ends every flow
    before its next request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.rate_limited = 0
        self.rows = 0
        self.done = 0
        self.stop = threading.Event()

    def request(self) -> None:
        with self._lock:
            self.requests += 1

    def refused(self) -> None:
        with self._lock:
            self.rate_limited += 1


@dataclass
class _Tally:
    """One symbol's HTTP attempts (API calls only, not token requests)."""

    requests: int = 0


def _counted(flow: Flow[T], meter: _Meter, tally: _Tally) -> Flow[T]:
    """Pass ``flow`` through, counting API requests and rate-limit refusals on the way."""
    try:
        action = next(flow)
        while True:
            if isinstance(action, HttpRequest):
                if meter.stop.is_set():
                    flow.close()
                    raise JobStopped("the download was stopped")
                api_call = not action.url.startswith("/oauth2")
                if api_call:
                    tally.requests += 1
                    meter.request()
                try:
                    response: HttpResponse | None = yield action
                except Exception as exc:
                    action = flow.throw(exc)
                    continue
                if (api_call and response is not None and response.status >= 500
                        and b"EGW00201" in response.content):
                    meter.refused()
                action = flow.send(response)
            else:
                yield action
                action = flow.send(None)
    except StopIteration as stop:
        result: T = stop.value
        return result


def limit_per_second(host: Host) -> float | None:
    """The calls/s of the limiter's shortest window (e.g. 18 of ``18/s+1000/min``; ``None``
    when the limiter is off) - what a progress bar compares the current pace with."""
    limiter = host._policies.limiter
    if limiter is None or not limiter.profile.windows:
        return None
    w = min(limiter.profile.windows, key=lambda w: w.period)
    return w.limit / w.period


def _today_flow(symbol: Symbol, clock: ServerClock | None = None) -> Workflow[dt.date]:
    """The market's latest business day, as the server sees it (its newest daily bar; the
    server's clock alone would say Saturday on a Saturday)."""
    here = clock.today() if clock is not None else today_kst()
    # A short window first (cheap to answer); a server whose clock is far behind ours gets a
    # second, open-ended one.
    for since in (here - dt.timedelta(days=45), dt.date(1990, 1, 1)):
        r = yield Call(DAILY_API, {
            "fid_cond_mrkt_div_code": "J", "fid_input_iscd": symbol.quote_code,
            "fid_input_date_1": since, "fid_input_date_2": here + dt.timedelta(days=366),
            "fid_period_div_code": "D", "fid_org_adj_prc": "0"})
        days = [d for d in (row.get("stck_bsop_date") for row in r.rows("output2"))
                if isinstance(d, dt.date)]
        if days:
            return max(days)
    return here


async def download(
    host: Host,
    runner: Runner,
    symbols: Iterable[Symbol | str | int],
    start: dt.date | dt.datetime | str | None,
    end: dt.date | dt.datetime | str | None = None,
    interval: Interval = "day",
    *,
    exchange: str | None = None,
    adjusted: bool = True,
    store: Store | None = None,
    append: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_progress: ProgressCallback | None = None,
    max_pages: int = 2_000,
) -> Download:
    """Fetch ``[start, end]`` bars of every symbol concurrently (see the module docstring).

    ``end=None``: the market's latest business day, asked from the server. ``start=None``: that
    day for minute bars, a year before ``end`` otherwise.
    """
    if interval not in _INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(_INTERVALS)}, not {interval!r}")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if append and store is None:
        raise ValueError("append needs an output directory (out=...)")
    syms: list[Symbol] = []
    seen_codes: set[str] = set()
    for s in symbols:
        sym = to_symbol(s, exchange=exchange)
        if str(sym) not in seen_codes:
            seen_codes.add(str(sym))
            syms.append(sym)
    meter = _Meter()
    started = time.monotonic()
    if end is None:
        probe = next((s for s in syms if not s.is_overseas), None)
        last = (await runner(lower(_today_flow(probe, host.server_clock), host))
                if probe is not None else host.server_clock.today())
    else:
        last = as_day(end)
    if start is not None:
        first = as_day(start)
    else:  # minute bars: the last day; longer bars: a year
        first = last if interval == "minute" else last - dt.timedelta(days=365)
    if first > last:
        raise ValueError(f"start {first} is after end {last}")
    ctx = Context.of(host.settings, host.server_clock)
    sizes = PageSizes()
    results: dict[str, SymbolResult] = {}
    # Work in order: a symbol to plan, or a part of a planned symbol. A planned symbol's parts
    # go to the front, so the workers finish symbols one after another.
    work: deque[Symbol | _Part] = deque(syms)
    busy = [0]  # plans and parts under way: each may still queue parts
    more = asyncio.Event()
    # The job's first page is asked alone: it tells how many bars a page holds (PageSizes), so
    # the pages asked next can tell a short page (the end of its range) from a full one.
    # Asked all at once, every first page would look full and many would cost a second call.
    probing: list[asyncio.Event] = []
    limit = limit_per_second(host)
    writes: set[asyncio.Future[Any]] = set()

    def snapshot() -> DownloadProgress:
        elapsed = time.monotonic() - started
        return DownloadProgress(meter.done, len(syms), meter.rows, meter.requests, elapsed,
                                rate.value(meter.requests), limit)

    rate = _Rate()

    async def plan(sym: Symbol) -> None:
        """Skip ``sym`` if its file is complete, else queue its parts at the front."""
        code = str(sym)
        lo, hi = first, last
        if store is not None:
            window = await asyncio.to_thread(store.plan, code, interval, first, last, append)
            if window is None:
                results[code] = SymbolResult(code, interval, first, last, complete=True,
                                             skipped=True, path=store.path_of(code))
                symbol_done()
                return
            lo, hi = window
        job = _SymbolJob(sym, lo, hi, Sink(code, interval))
        queue_parts(job, parts(ctx, sym, lo, hi, interval))

    def queue_parts(job: _SymbolJob, pieces: list[Piece]) -> None:
        job.left += len(pieces)
        work.extendleft(reversed([_Part(job, p) for p in pieces]))
        more.set()

    async def run_part(part: _Part) -> None:
        job = part.job
        if not probing:
            probing.append(asyncio.Event())
            try:
                await fetch_part(part)
            finally:
                probing[0].set()
        else:
            await probing[0].wait()
            await fetch_part(part)
        job.left -= 1
        if job.left == 0:
            results[str(job.symbol)] = await finish(job)
            symbol_done()

    async def fetch_part(part: _Part) -> None:
        job = part.job
        if job.error is None:  # a failed symbol starts no more parts
            sink = Sink(job.sink.symbol, interval)
            tally = _Tally()
            flow = piece_flow(ctx, sink, job.symbol, part.piece, interval, sizes,
                              adjusted=adjusted, max_pages=max_pages)
            try:
                found: list[Piece] = await runner(_counted(lower(flow, host), meter, tally))
                if found and job.error is None:
                    queue_parts(job, found)
            except JobStopped:
                raise
            except (HantooError, ValueError) as exc:
                job.fail(exc.message if isinstance(exc, HantooError) else str(exc),
                         exc.msg_cd if isinstance(exc, ApiError) else type(exc).__name__)
            except Exception as exc:  # a bug or an unexpected answer: this symbol only
                job.fail(f"{type(exc).__name__}: {exc}", type(exc).__name__)
            if job.error is None and not sink.complete:
                job.fail(f"stopped after {max_pages} pages (max_pages)", "max_pages")
            job.sink.merge(sink)
            job.requests += tally.requests

    async def finish(job: _SymbolJob) -> SymbolResult:
        code = str(job.symbol)
        candles = job.sink.candles()
        error = job.error
        path = None
        if store is not None and (candles or error is None):  # nothing fetched: no file
            # shielded: a write under way finishes (and is recorded) even if the job stops
            writing = asyncio.ensure_future(asyncio.to_thread(
                store.write, code, interval, job.lo, job.hi, candles, complete=error is None))
            writes.add(writing)
            writing.add_done_callback(writes.discard)
            path = await asyncio.shield(writing)
        meter.rows += len(candles)
        pages = job.sink.pages
        return SymbolResult(
            code, interval, job.lo, job.hi, rows=len(candles), pages=pages,
            retries=max(job.requests - pages - job.failed_parts, 0),
            complete=error is None, error=error, error_code=job.error_code,
            candles=None if store is not None else candles, path=path)

    def symbol_done() -> None:
        meter.done += 1
        if on_progress is not None:
            on_progress(snapshot())

    async def worker() -> None:
        while True:
            if work:
                item = work.popleft()
                busy[0] += 1
                try:
                    if isinstance(item, _Part):
                        await run_part(item)
                    else:
                        await plan(item)
                finally:
                    busy[0] -= 1
                    more.set()
            elif busy[0]:  # parts may still come: wait rather than leave the pool
                more.clear()
                await more.wait()
            else:
                return

    async def ticker() -> None:
        while True:
            await asyncio.sleep(0.25)
            if on_progress is not None:
                on_progress(snapshot())

    tick = asyncio.create_task(ticker())
    limiter = host._policies.limiter
    try:
        # a late wake-up keeps its slot while the job runs: a slot given up is budget lost
        with limiter.keep_late_slots() if limiter is not None else contextlib.nullcontext():
            await asyncio.gather(*(worker() for _ in range(concurrency)))
    except BaseException:
        meter.stop.set()  # flows in worker threads stop before their next request
        raise
    finally:
        tick.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tick
        if store is not None:
            await asyncio.gather(*writes, return_exceptions=True)
            await asyncio.to_thread(store.flush)
    elapsed = time.monotonic() - started
    if on_progress is not None:
        on_progress(snapshot())
    ordered = {str(s): results[str(s)] for s in syms if str(s) in results}
    fetched = [r for r in ordered.values() if not r.skipped]
    pages = sum(r.pages for r in fetched)
    summary = DownloadSummary(
        symbols=len(syms),
        completed=sum(1 for r in fetched if r.ok),
        failed=sum(1 for r in fetched if not r.ok),
        skipped=sum(1 for r in ordered.values() if r.skipped),
        rows=sum(r.rows for r in fetched),
        pages=pages,
        requests=meter.requests,
        retries=sum(r.retries for r in fetched),
        rate_limited=meter.rate_limited,
        elapsed=elapsed,
        limit_per_second=limit,
        incomplete={r.symbol: r.error or "incomplete" for r in fetched if not r.ok},
    )
    return Download(ordered, summary)


@dataclass
class _SymbolJob:
    """One symbol's range, the bars of its finished parts, and how many parts are left."""

    symbol: Symbol
    lo: dt.date
    hi: dt.date
    sink: Sink
    left: int = 0
    requests: int = 0
    failed_parts: int = 0
    error: str | None = None
    error_code: str | None = None

    def fail(self, error: str, code: str) -> None:
        self.failed_parts += 1
        if self.error is None:
            self.error, self.error_code = error, code


@dataclass
class _Part:
    job: _SymbolJob
    piece: Piece


class _Rate:
    """Calls per second over the last ~3 seconds, from periodic readings of a counter."""

    def __init__(self, span: float = 3.0) -> None:
        self.span = span
        self._samples: deque[tuple[float, int]] = deque()

    def value(self, count: int) -> float:
        now = time.monotonic()
        self._samples.append((now, count))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.span:
            self._samples.popleft()
        t0, c0 = self._samples[0]
        return (count - c0) / (now - t0) if now > t0 else 0.0


def threaded_runner(run: Callable[[Flow[Any]], Any], workers: int) -> tuple[
    Runner, ThreadPoolExecutor
]:
    """A runner that drives each flow with the blocking ``run`` in a pool of threads."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hantoo-bulk")

    def runner(flow: Flow[Any]) -> Awaitable[Any]:
        return asyncio.get_running_loop().run_in_executor(pool, run, flow)

    return runner, pool


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from sync code, even when a loop already runs here
    (Jupyter): then it runs on a fresh loop in a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name="hantoo-bulk-loop")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


def sync_download(run: Callable[[Flow[Any]], Any], host: Host, *args: Any,
                  concurrency: int = DEFAULT_CONCURRENCY, **kwargs: Any) -> Download:
    """:func:`download` for the sync client: flows in threads, the engine on a private loop."""
    runner, pool = threaded_runner(run, concurrency)
    try:
        return run_blocking(download(host, runner, *args, concurrency=concurrency, **kwargs))
    finally:
        # The flows still running stop before their next request (``JobStopped``), so this
        # waits for one round trip at most.
        pool.shutdown(wait=True, cancel_futures=True)
