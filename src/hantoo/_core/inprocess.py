"""Serve an ASGI app to httpx clients in-process, from sync and async code alike.

httpx ships an async-only ASGI transport. The embedded simulator must answer a sync
``Client`` too, and its state (engine, locks, tasks) must live on one event loop no matter how
many clients of either kind talk to it. So the app runs on a private event loop in a daemon
thread, and two thin transports hand requests over to that loop:

* :class:`SyncASGITransport` blocks the calling thread until the loop answers;
* :class:`AsyncASGITransport` awaits the answer from the caller's own event loop.

An app that simulates a dropped connection raises :class:`ConnectionError`; both transports turn
that into :class:`httpx.RemoteProtocolError`, exactly what a real socket would produce.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

import httpx

__all__ = ["AsyncASGITransport", "LoopThread", "SyncASGITransport"]

T = TypeVar("T")


class LoopThread:
    """An event loop running forever in a daemon thread."""

    def __init__(self, name: str = "hantoo-loop") -> None:
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        if threading.current_thread() is self.thread:
            raise RuntimeError("LoopThread.run called from its own loop (would deadlock)")
        return self.submit(coro).result(timeout)

    def stop(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=5)


async def _dispatch(
    transport: httpx.ASGITransport,
    method: str,
    url: httpx.URL,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    request = httpx.Request(method, url, headers=headers, content=body)
    try:
        response = await transport.handle_async_request(request)
        content = await response.aread()
    except ConnectionError as exc:
        raise httpx.RemoteProtocolError(f"server dropped the connection ({exc})") from exc
    return response.status_code, response.headers.raw, content


class SyncASGITransport(httpx.BaseTransport):
    """Sync httpx transport onto an ASGI app running in a :class:`LoopThread`."""

    def __init__(self, app: Any, loop: LoopThread, timeout: float = 30.0) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop = loop
        self._timeout = timeout

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        future = self._loop.submit(
            _dispatch(self._asgi, request.method, request.url, request.headers.raw, body)
        )
        try:
            status, headers, content = future.result(_read_timeout(request, self._timeout))
        except TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout("no answer in time", request=request) from None
        return httpx.Response(status, headers=headers, content=content, request=request)


class AsyncASGITransport(httpx.AsyncBaseTransport):
    """Async httpx transport onto an ASGI app running in a :class:`LoopThread`."""

    def __init__(self, app: Any, loop: LoopThread) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop = loop

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        future = self._loop.submit(
            _dispatch(self._asgi, request.method, request.url, request.headers.raw, body)
        )
        try:
            status, headers, content = await asyncio.wait_for(
                asyncio.wrap_future(future), _read_timeout(request, 30.0)
            )
        except TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout("no answer in time", request=request) from None
        return httpx.Response(status, headers=headers, content=content, request=request)


def _read_timeout(request: httpx.Request, default: float) -> float:
    timeouts = request.extensions.get("timeout") or {}
    value = timeouts.get("read") if isinstance(timeouts, dict) else None
    return float(value) if isinstance(value, int | float) else default
