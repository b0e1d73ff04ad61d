"""The bounded event queue between the socket readers and the consumer.

A consumer slower than the feed must not make memory grow without bound. The policy says what
gives way when the queue is full:

* ``block`` — the reader waits for room, so it stops reading the socket and TCP pushes back on
  the server. Nothing is lost locally, but a consumer that stalls long enough gets the session
  dropped by the server (KIS drops sessions that do not answer PINGPONG).
* ``drop_oldest`` — the oldest queued events make room; the feed stays live, history is lost.
* ``drop_newest`` — arriving events are discarded while the queue is full.

Control events (gaps, reconnects) are never dropped: they are few and they are the signal that
something was missed. ``dropped`` counts what was lost.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from typing import Generic, Literal, TypeVar

__all__ = ["EventQueue", "Policy", "QueueClosed"]

T = TypeVar("T")
Policy = Literal["block", "drop_oldest", "drop_newest"]


class QueueClosed(Exception):
    """The queue is closed and empty."""


class EventQueue(Generic[T]):
    """A deque with a size bound, batch puts and batch gets (one consumer at a time)."""

    def __init__(self, maxsize: int = 100_000, policy: Policy = "block") -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        if policy not in ("block", "drop_oldest", "drop_newest"):
            raise ValueError(f"unknown backpressure policy {policy!r}")
        self.maxsize = maxsize
        self.policy: Policy = policy
        self.dropped = 0
        self.enqueued = 0
        self._items: deque[T] = deque()
        self._readable = asyncio.Event()
        self._writable = asyncio.Event()
        self._writable.set()
        self._closed = False

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """No more puts; the consumer drains what is left, then gets :class:`QueueClosed`."""
        self._closed = True
        self._readable.set()
        self._writable.set()

    def put_control(self, item: T) -> None:
        """Always enqueued, over the bound if need be (control events are rare and vital)."""
        if self._closed:
            return
        self._items.append(item)
        self.enqueued += 1
        self._readable.set()

    async def put_many(self, items: Iterable[T]) -> None:
        """Enqueue data events under the policy."""
        if self._closed:
            return
        buf = self._items
        if self.policy == "block":
            if type(items) is list and len(buf) + len(items) <= self.maxsize:
                buf.extend(items)  # the common case: room for the whole batch
                self.enqueued += len(items)
                self._readable.set()
                return
            for item in items:
                while len(buf) >= self.maxsize and not self._closed:
                    self._writable.clear()
                    self._readable.set()
                    await self._writable.wait()
                if self._closed:
                    return
                buf.append(item)
                self.enqueued += 1
        elif self.policy == "drop_oldest":
            for item in items:
                if len(buf) >= self.maxsize:
                    buf.popleft()
                    self.dropped += 1
                buf.append(item)
                self.enqueued += 1
        else:
            for item in items:
                if len(buf) >= self.maxsize:
                    self.dropped += 1
                else:
                    buf.append(item)
                    self.enqueued += 1
        self._readable.set()

    async def get_batch(self, limit: int = 1024, timeout: float | None = None) -> list[T]:
        """Up to ``limit`` events; waits for at least one (``[]`` after ``timeout``)."""
        buf = self._items
        if not buf:
            if self._closed:
                raise QueueClosed
            self._readable.clear()
            try:
                await asyncio.wait_for(self._readable.wait(), timeout)
            except TimeoutError:
                return []
            if not buf:
                if self._closed:
                    raise QueueClosed
                return []
        n = min(limit, len(buf))
        out = [buf.popleft() for _ in range(n)]
        if len(buf) < self.maxsize:
            self._writable.set()
        return out
