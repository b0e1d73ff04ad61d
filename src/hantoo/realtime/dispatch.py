"""Callbacks: which user functions see which event.

Shared by the async stream (callbacks run in the event loop; coroutine results are awaited)
and the sync facade (callbacks run in the consuming thread). Routing is by the TR's kind from
the catalogue (``trade``, ``book``, ``fill``, ``expected``, ``index``, ``other``), computed
once per TR ID and cached, so a record costs one dict lookup when nobody listens for it.

A callback that raises is logged and skipped: one bad handler must not stop the stream.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from .._core.redact import get_logger
from .._core.wire import StreamRecord
from .events import Event, FrameError, Gap
from .subscriptions import tr_kind

__all__ = ["Callbacks"]

_log = get_logger("realtime")

F = TypeVar("F", bound=Callable[..., Any])

KINDS = ("trade", "book", "fill", "expected", "index", "other")


class Callbacks:
    """A registry of callbacks by kind, plus ``event`` (everything) and ``record`` (all data)."""

    def __init__(self) -> None:
        self._by_kind: dict[str, list[Callable[[Any], Any]]] = {}
        self._route: dict[str, tuple[Callable[[Any], Any], ...]] = {}

    def __bool__(self) -> bool:
        return bool(self._by_kind)

    def add(self, kind: str, fn: F) -> F:
        if kind not in (*KINDS, "event", "record", "gap", "error", "control"):
            raise ValueError(f"unknown callback kind {kind!r}")
        self._by_kind.setdefault(kind, []).append(fn)
        self._route.clear()
        return fn

    def targets(self, event: Event) -> tuple[Callable[[Any], Any], ...]:
        """The callbacks for one event, in registration order by category."""
        if not self._by_kind:
            return ()
        if isinstance(event, StreamRecord):
            tr = event.TR_ID
            hit = self._route.get(tr)
            if hit is None:
                kind = tr_kind(tr)
                hit = tuple(
                    self._by_kind.get(kind, [])
                    + self._by_kind.get("record", [])
                    + self._by_kind.get("event", [])
                )
                self._route[tr] = hit
            return hit
        extra: list[Callable[[Any], Any]] = []
        if isinstance(event, Gap):
            extra = self._by_kind.get("gap", [])
        elif isinstance(event, FrameError):
            extra = self._by_kind.get("error", [])
        return tuple(extra + self._by_kind.get("control", []) + self._by_kind.get("event", []))

    def call_sync(self, event: Event) -> None:
        for fn in self.targets(event):
            try:
                fn(event)
            except Exception:
                _log.exception("realtime callback %r failed", getattr(fn, "__name__", fn))

    async def call_async(self, event: Event) -> None:
        for fn in self.targets(event):
            try:
                result = fn(event)
                if result is not None and inspect.isawaitable(result):
                    await result
            except Exception:
                _log.exception("realtime callback %r failed", getattr(fn, "__name__", fn))
