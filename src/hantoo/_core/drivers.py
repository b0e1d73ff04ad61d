"""Drivers: run a sans-I/O flow with httpx, synchronously or asynchronously.

These are the only places that perform I/O for REST calls. httpx exceptions are translated
into hantoo's transport errors here, and the translation is what makes order safety possible:

* :class:`hantoo.errors.ConnectError` — the request never left (connect refused or timed out,
  no pooled connection free): resending cannot duplicate anything;
* :class:`hantoo.errors.RequestTimeoutError` — sent, no answer in time;
* :class:`hantoo.errors.ConnectionLostError` — sent (perhaps partly), then the connection broke.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx

from .. import errors
from .flow import Flow, HttpRequest, HttpResponse, Sleep

__all__ = ["run_async", "run_sync", "send_async", "send_sync", "translate"]

T = TypeVar("T")


def translate(exc: Exception) -> errors.TransportError:
    """The hantoo transport error for an httpx (or in-process transport) exception."""
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return errors.ConnectError(f"could not connect: {name}")
    if isinstance(exc, httpx.TimeoutException):
        return errors.RequestTimeoutError(f"no answer in time: {name}")
    return errors.ConnectionLostError(f"connection lost: {name}")


def _httpx_request(client: httpx.Client | httpx.AsyncClient, req: HttpRequest) -> httpx.Request:
    return client.build_request(
        req.method,
        req.url,
        headers=dict(req.headers),
        params=dict(req.params) if req.params is not None else None,
        json=req.json if req.method != "GET" else None,
        timeout=req.timeout if req.timeout is not None else httpx.USE_CLIENT_DEFAULT,
        extensions=_wire_trace(req.on_wire, asynchronous=isinstance(client, httpx.AsyncClient)),
    )


_HEAD_OUT = "send_request_headers.started"


def _wire_trace(on_wire: Callable[[], None] | None, *, asynchronous: bool) -> dict[str, Any]:
    """httpcore's ``trace`` extension, calling ``on_wire`` as the request's head is written:
    after the pooled connection is taken (or a new one connected), which is where a request
    released by the rate limiter can lose tens of milliseconds on a busy machine. Transports
    without httpcore (in-process, mocks) never call it; the call flow marks the send then."""
    if on_wire is None:
        return {}
    if asynchronous:
        async def trace_async(event: str, _info: Mapping[str, Any]) -> None:
            if event.endswith(_HEAD_OUT):
                on_wire()

        return {"trace": trace_async}

    def trace(event: str, _info: Mapping[str, Any]) -> None:
        if event.endswith(_HEAD_OUT):
            on_wire()

    return {"trace": trace}


def _response(resp: httpx.Response, started: float) -> HttpResponse:
    return HttpResponse(
        status=resp.status_code,
        headers={k.lower(): v for k, v in resp.headers.items()},
        content=resp.content,
        elapsed=time.monotonic() - started,
    )


def send_sync(client: httpx.Client, req: HttpRequest) -> HttpResponse:
    started = time.monotonic()
    try:
        resp = client.send(_httpx_request(client, req))
    except (httpx.TransportError, OSError) as exc:
        raise translate(exc) from exc
    return _response(resp, started)


async def send_async(client: httpx.AsyncClient, req: HttpRequest) -> HttpResponse:
    started = time.monotonic()
    try:
        resp = await client.send(_httpx_request(client, req))
    except (httpx.TransportError, OSError) as exc:
        raise translate(exc) from exc
    return _response(resp, started)


def run_sync(
    flow: Flow[T],
    send: Callable[[HttpRequest], HttpResponse],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Drive ``flow`` to completion with blocking I/O."""
    try:
        action = next(flow)
        while True:
            if isinstance(action, Sleep):
                if action.seconds > 0:
                    sleep(action.seconds)
                action = flow.send(None)
                continue
            try:
                response = send(action)
            except errors.TransportError as exc:
                action = flow.throw(exc)
                continue
            action = flow.send(response)
    except StopIteration as stop:
        result: T = stop.value
        return result


async def run_async(
    flow: Flow[T],
    send: Callable[[HttpRequest], Awaitable[HttpResponse]],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Drive ``flow`` to completion on the running event loop."""
    try:
        action = next(flow)
        while True:
            if isinstance(action, Sleep):
                if action.seconds > 0:
                    await sleep(action.seconds)
                else:
                    await asyncio.sleep(0)
                action = flow.send(None)
                continue
            try:
                response = await send(action)
            except errors.TransportError as exc:
                action = flow.throw(exc)
                continue
            action = flow.send(response)
    except StopIteration as stop:
        result: T = stop.value
        return result
