"""A private in-process simulator per test, with the wire captured.

Why private: tests move the simulator clock, deposit money and inject faults; the process-wide
embedded simulator is shared with other tests. ``Capture`` wraps the in-process transport and
records every request's TR ID and body, so a test can assert what reached the server (and that
a refused order never did).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

import hantoo
from hantoo._core.inprocess import AsyncASGITransport, LoopThread, SyncASGITransport
from hantoo.config import SIM_ACCOUNT
from hantoo.sim.app import create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.state import SimConfig

#: A Monday that is a KRX business day; the stepped clock starts in the continuous session.
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=KST)
ACCOUNT = tuple(SIM_ACCOUNT.split("-"))


@dataclass
class Sent:
    method: str
    path: str
    tr_id: str
    body: dict[str, Any]
    params: dict[str, str]


@dataclass
class Wire:
    sent: list[Sent] = field(default_factory=list)

    def orders(self) -> list[Sent]:
        return [s for s in self.sent if s.method == "POST" and "/trading/order" in s.path]

    def paths(self, fragment: str) -> list[Sent]:
        return [s for s in self.sent if fragment in s.path]


def _record(wire: Wire, request: httpx.Request) -> None:
    body: dict[str, Any] = {}
    if request.method == "POST" and request.content:
        body = json.loads(request.content)
    wire.sent.append(Sent(request.method, request.url.path, request.headers.get("tr_id", ""),
                          body, dict(request.url.params)))


class Capture(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, wire: Wire) -> None:
        self.inner, self.wire = inner, wire

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _record(self.wire, request)
        return self.inner.handle_request(request)


class AsyncCapture(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, wire: Wire) -> None:
        self.inner, self.wire = inner, wire

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _record(self.wire, request)
        return await self.inner.handle_async_request(request)


@dataclass
class Sim:
    app: Any
    loop: LoopThread
    wire: Wire
    cache_dir: str

    @property
    def state(self) -> Any:
        return self.app.sim

    def client(self, **kw: Any) -> hantoo.Client:
        kw.setdefault("rate_limit", False)
        kw.setdefault("cache_dir", self.cache_dir)  # tokens of this simulator only
        return hantoo.Client(transport=Capture(SyncASGITransport(self.app, self.loop), self.wire),
                             **kw)

    def async_client(self, **kw: Any) -> hantoo.AsyncClient:
        kw.setdefault("rate_limit", False)
        kw.setdefault("cache_dir", self.cache_dir)
        return hantoo.AsyncClient(
            transport=AsyncCapture(AsyncASGITransport(self.app, self.loop), self.wire), **kw)

    def fund(self, krw: int = 0, usd: int = 0) -> None:
        ex = self.state.exchange
        if krw:
            ex.deposit(ACCOUNT, Decimal(krw), "KRW")
        if usd:
            ex.deposit(ACCOUNT, Decimal(usd), "USD")

    def advance(self, seconds: int) -> None:
        self.state.clock.advance(dt.timedelta(seconds=seconds))


@contextmanager
def private_sim(**config: Any) -> Iterator[Sim]:
    opts: dict[str, Any] = {"clock_mode": "stepped", "clock_start": START, "limits": "off",
                            "seed": 7, "activity": 0}
    opts.update(config)
    app = create_app(SimConfig(**opts))
    loop = LoopThread("workflow-tests")
    with tempfile.TemporaryDirectory(prefix="hantoo-wf-") as cache:
        try:
            yield Sim(app, loop, Wire(), cache)
        finally:
            loop.stop()
