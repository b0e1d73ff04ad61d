"""Sans-I/O flows: the one copy of every rule, driven by a sync or an async driver.

A *flow* is a generator that yields actions and receives their results:

* ``yield HttpRequest(...)`` → the driver sends it and sends back an :class:`HttpResponse`
  (or throws a :class:`hantoo.errors.TransportError` subclass into the generator);
* ``yield Sleep(seconds)`` → the driver sleeps (``time.sleep`` or ``asyncio.sleep``) and sends
  back ``None``.

The flow's return value is the driver's result. Waiting for a lock held by another thread or
task is written as polling with ``Sleep``, so the same flow is correct under threads and asyncio
alike (httpx's auth flow is the model for this shape). Drivers live in :mod:`hantoo._core.drivers`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One HTTP request, fully built. ``url`` is a path relative to the client's base URL."""

    method: str
    url: str
    # Headers and bodies carry credentials (appsecret, tokens): never in a repr.
    headers: Mapping[str, str] = field(repr=False)
    params: Mapping[str, str] | None = field(default=None, repr=False)
    json: Any = field(default=None, repr=False)
    timeout: float | None = None
    # Set for requests whose effect must not be duplicated (orders): the driver must not retry
    # them at the transport level either.
    unsafe: bool = False
    # Called by the driver as the request's head is written to the socket (the rate limiter's
    # ticket: the gateway counts what reaches it, not what the limiter released).
    on_wire: Callable[[], None] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """An HTTP answer; header names are lower-cased."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    elapsed: float = 0.0
    extensions: Mapping[str, Any] = field(default_factory=dict)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


@dataclass(frozen=True, slots=True)
class Sleep:
    """Ask the driver to wait."""

    seconds: float


Action = HttpRequest | Sleep
Flow = Generator[Action, HttpResponse | None, T]
