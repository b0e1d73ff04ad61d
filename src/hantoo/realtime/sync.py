"""The blocking facade: the asyncio stream run on a private event-loop thread.

Why a thread and not a second implementation: the protocol, reconnects and limits live once,
in :class:`~hantoo.realtime.stream.RealtimeStream`. This class starts a daemon thread with
its own loop, builds the async stream there, and forwards calls with
``run_coroutine_threadsafe``. Events cross threads in batches (up to ``batch`` per hop), so
iterating costs far less than one cross-thread round trip per record.

Callbacks registered here run in the thread that consumes (``for event in stream`` or
:meth:`run`), never in the loop thread, so a slow callback cannot stall the sockets.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

from .dispatch import Callbacks
from .events import Event, Subscription
from .stream import RealtimeStream, StreamStats

__all__ = ["Stream"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class Stream:
    """Blocking realtime stream; same arguments as :class:`RealtimeStream`."""

    def __init__(self, *args: Any, batch: int = 1024, **kwargs: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="hantoo-realtime", daemon=True
        )
        self._thread.start()
        self._batch = batch
        self._callbacks = Callbacks()
        self._closed = False

        async def make() -> RealtimeStream:
            return RealtimeStream(*args, **kwargs)

        try:
            self.core: RealtimeStream = self._call(make())
        except BaseException:
            self._stop_loop()
            raise

    def __repr__(self) -> str:
        return f"Stream({self.core!r})"

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    # -- subscriptions ------------------------------------------------------------------------

    def subscribe(self, tr: str, *keys: str) -> list[Subscription]:
        return self._call(self.core.subscribe(tr, *keys))

    def unsubscribe(self, tr: str, *keys: str) -> None:
        self._call(self.core.unsubscribe(tr, *keys))

    def subscribe_trades(self, *symbols: str) -> list[Subscription]:
        return self._call(self.core.subscribe_trades(*symbols))

    def subscribe_book(self, *symbols: str) -> list[Subscription]:
        return self._call(self.core.subscribe_book(*symbols))

    def subscribe_expected(self, *symbols: str) -> list[Subscription]:
        return self._call(self.core.subscribe_expected(*symbols))

    def subscribe_index(self, *codes: str) -> list[Subscription]:
        return self._call(self.core.subscribe_index(*codes))

    def subscribe_fills(self, hts_id: str | None = None) -> list[Subscription]:
        return self._call(self.core.subscribe_fills(hts_id))

    def subscribe_us_trades(self, *keys: str) -> list[Subscription]:
        return self._call(self.core.subscribe_us_trades(*keys))

    def subscribe_us_book(self, *keys: str) -> list[Subscription]:
        return self._call(self.core.subscribe_us_book(*keys))

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        return self.core.subscriptions

    @property
    def stats(self) -> StreamStats:
        return self.core.stats

    # -- callbacks (run in the consuming thread) ----------------------------------------------

    def on(self, kind: str, fn: F) -> F:
        return self._callbacks.add(kind, fn)

    def on_trade(self, fn: F) -> F:
        return self._callbacks.add("trade", fn)

    def on_book(self, fn: F) -> F:
        return self._callbacks.add("book", fn)

    def on_fill(self, fn: F) -> F:
        return self._callbacks.add("fill", fn)

    def on_index(self, fn: F) -> F:
        return self._callbacks.add("index", fn)

    def on_record(self, fn: F) -> F:
        return self._callbacks.add("record", fn)

    def on_gap(self, fn: F) -> F:
        return self._callbacks.add("gap", fn)

    def on_error(self, fn: F) -> F:
        return self._callbacks.add("error", fn)

    def on_event(self, fn: F) -> F:
        return self._callbacks.add("event", fn)

    # -- consuming ----------------------------------------------------------------------------

    def events(self, timeout: float | None = None) -> Iterator[Event]:
        """Events as they come; stops after ``timeout`` s without any, or when closed."""
        callbacks = self._callbacks
        while True:
            try:
                got = self._call(self.core.next_batch(self._batch, timeout))
            except StopAsyncIteration:
                return
            if not got:
                return
            for event in got:
                if callbacks:
                    callbacks.call_sync(event)
                yield event

    def __iter__(self) -> Iterator[Event]:
        return self.events()

    def run(self, duration: float | None = None) -> None:
        """Consume events (firing callbacks) for ``duration`` s, or until closed."""
        end = None if duration is None else time.monotonic() + duration
        while end is None or time.monotonic() < end:
            left = None if end is None else max(0.0, end - time.monotonic())
            for _ in self.events(timeout=left if left is not None else 1.0):
                if end is not None and time.monotonic() >= end:
                    return
            if self._closed:
                return

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._call(self.core.close(), timeout=10)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._loop.is_running():
            self._loop.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
