"""The consumer side: a :class:`~hantoo.realtime.RealtimeStream` fed by a gateway via Redis.

What changes for the stream when ``gateway=`` (or ``HANTOO_REALTIME_GATEWAY``) is set, and
nothing else does — same queue, callbacks, iteration, sync facade and events:

* ``subscribe`` runs the admission script: the reference counts go up atomically, or the call
  fails at once with :class:`~hantoo.errors.SubscriptionLimitError` naming the cap per key and
  the pool size (nothing queued silently).
* A heartbeat keeps this consumer's share alive; if it stops (the process died), the gateway
  releases it after the TTL. ``close`` releases it at once.
* Records come from ``XREAD BLOCK`` over the streams of the subscriptions, resuming from the
  last id read, each entry decoded with :func:`~hantoo.realtime.frames.decode_data` — the
  parser a direct session uses. All consumers of one process (one event loop) share one reader
  (:class:`_SharedReader`): a stream is read and decoded once per process, and every consumer
  holding it gets the same (immutable) records in its own queue. Hundreds of consumers in a
  few processes cost Redis a few reads, not hundreds.
* A gateway marker (takeover, KIS reconnect) or a jump in the entry counter (the stream was
  trimmed past this consumer: it stopped reading) becomes a
  :class:`~hantoo.realtime.events.Gap`; trimmed records are counted in ``dropped``.

Backpressure: the shared reader never waits for a consumer. When a consumer's bounded queue has
no room for a batch, that consumer leaves the shared reader for the subscription and reads it
on its own from where it stood (a private cursor); its private reader waits on its queue and
stops issuing ``XREAD`` — it falls behind in Redis, alone, and the gateway's ``MAXLEN`` bounds
what Redis keeps for it (past that: counted drops and a ``Gap``). The others are not slowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, ClassVar, TypeAlias

from redis.exceptions import RedisError

from ..._core.redact import get_logger
from ..._core.wire import StreamRecord
from ...errors import StreamError, SubscriptionLimitError
from ..events import ControlEvent, FrameError, Gap, Subscription
from ..frames import FrameError as WireFrameError
from ..frames import decode_data
from .protocol import (
    ACQUIRE,
    HEARTBEAT,
    LEAVE,
    RELEASE,
    GatewayKeys,
    connect,
    split_gateway_url,
    sub_field,
)

__all__ = ["ENV_VAR", "GatewayFeed"]

ENV_VAR = "HANTOO_REALTIME_GATEWAY"
_log = get_logger("gateway")


class _Cursor:
    """Where a reader stands in one stream."""

    __slots__ = ("epoch", "last_id", "n", "t")

    def __init__(self, last_id: bytes, epoch: bytes = b"", n: int = 0,
                 t: float | None = None) -> None:
        self.last_id = last_id
        self.epoch = epoch
        self.n = n
        self.t = time.time() if t is None else t

    def copy(self) -> _Cursor:
        return _Cursor(self.last_id, self.epoch, self.n, self.t)


#: What reading entries yields: (records, gateway-in time), a Gap, a FrameError, or a count of
#: records trimmed away before they were read.
Item: TypeAlias = "tuple[list[StreamRecord], float] | Gap | FrameError | int"
Entries: TypeAlias = "list[tuple[bytes, dict[bytes, bytes]]]"


def decode_entries(sub: Subscription, cursor: _Cursor, entries: Entries) -> list[Item]:
    """Stream entries → items, advancing ``cursor``; markers and counter jumps become Gaps."""
    items: list[Item] = []
    for entry_id, fields in entries:
        cursor.last_id = entry_id
        epoch = fields.get(b"e", b"")
        if b"m" in fields:
            cursor.epoch, cursor.n = epoch, 0
            items.append(Gap(0, (sub,), float(fields.get(b"since", b"0")),
                             float(fields.get(b"until", b"0"))))
            continue
        t = float(fields[b"t"])
        try:
            records = decode_data(fields[b"f"].decode())
        except WireFrameError as exc:
            items.append(FrameError(0, exc.reason, exc.tr_id, ""))
            continue
        n = int(fields[b"n"])
        if epoch != cursor.epoch:
            if cursor.epoch:  # a new leader whose marker this reader did not see: be safe
                items.append(Gap(0, (sub,), cursor.t, t))
            cursor.epoch = epoch
        elif n > cursor.n + len(records):
            items.append(n - cursor.n - len(records))
            items.append(Gap(0, (sub,), cursor.t, t))
        cursor.n = n
        cursor.t = t
        items.append((records, t))
    return items


async def _xread(r: Any, streams: dict[str, bytes], count: int, block_ms: int) -> Any:
    try:
        return await r.xread(streams, count=count, block=block_ms)
    except RedisError as exc:
        _log.warning("gateway consumer: XREAD failed (%s); retrying", type(exc).__name__)
        await asyncio.sleep(0.2)
        return None


class _SharedReader:
    """One reader per (event loop, Redis, pool) for every feed in the process (see module)."""

    _all: ClassVar[dict[tuple[int, str, str], _SharedReader]] = {}

    @classmethod
    def of(cls, redis_url: str, keys: GatewayKeys, count: int, block_ms: int,
           batch_wait: float) -> _SharedReader:
        ident = (id(asyncio.get_running_loop()), redis_url, keys.pool)
        found = cls._all.get(ident)
        if found is None:
            found = cls._all[ident] = _SharedReader(ident, redis_url, keys, count, block_ms,
                                                    batch_wait)
        return found

    def __init__(self, ident: tuple[int, str, str], redis_url: str, keys: GatewayKeys,
                 count: int, block_ms: int, batch_wait: float) -> None:
        self._ident = ident
        self._redis_url = redis_url
        self.keys = keys
        self._count = count
        self._block_ms = block_ms
        self._batch_wait = batch_wait
        self.members: dict[Subscription, dict[GatewayFeed, None]] = {}
        self.cursors: dict[Subscription, _Cursor] = {}
        self._names: dict[bytes, Subscription] = {}
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._r: Any = None

    def join(self, feed: GatewayFeed, sub: Subscription, start: bytes) -> None:
        if sub not in self.cursors:
            self.cursors[sub] = _Cursor(start)
            self._names[self.keys.stream(sub).encode()] = sub
        self.members.setdefault(sub, {})[feed] = None
        if self._task is None:
            self._r = connect(self._redis_url, socket_connect_timeout=10.0)
            self._task = asyncio.create_task(self._loop(), name="hantoo-gw-shared-read")
        self._changed.set()

    def leave(self, feed: GatewayFeed, sub: Subscription) -> None:
        holders = self.members.get(sub)
        if holders is None:
            return
        holders.pop(feed, None)
        if not holders:
            del self.members[sub]
            del self.cursors[sub]
            self._names.pop(self.keys.stream(sub).encode(), None)

    async def stop_if_idle(self) -> None:
        if self.members or self._task is None:
            return
        task, self._task = self._task, None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        with contextlib.suppress(Exception):
            await self._r.aclose()
        self._r = None
        if self._all.get(self._ident) is self:
            del self._all[self._ident]

    async def _loop(self) -> None:
        while True:
            if not self.cursors:
                self._changed.clear()
                await self._changed.wait()
                continue
            cursors = self.cursors
            streams = {self.keys.stream(s): c.last_id for s, c in cursors.items()}
            reply = await _xread(self._r, streams, self._count, self._block_ms)
            for name, entries in reply or ():
                sub = self._names.get(name)
                cursor = cursors.get(sub) if sub is not None else None
                if sub is None or cursor is None:
                    continue  # nobody holds it any more
                before = cursor.copy()
                items = decode_entries(sub, cursor, entries)
                for feed in list(self.members.get(sub, ())):
                    await feed._offer(sub, items, before)
            if reply and self._batch_wait > 0:
                # Let entries gather before the next read: one read per entry would cost one
                # round trip per record batch.
                await asyncio.sleep(self._batch_wait)


class GatewayFeed:
    """Subscriptions as shared reference counts, records from Redis Streams (see module)."""

    def __init__(
        self,
        url: str,
        *,
        on_records: Callable[[list[StreamRecord]], Awaitable[None]],
        on_control: Callable[[ControlEvent], None],
        room: Callable[[], int] | None = None,
        heartbeat: float = 2.0,
        block_ms: int = 200,
        count: int = 512,
        batch_wait: float = 0.01,
        shared: bool = True,
    ) -> None:
        try:
            redis_url, self.pool = split_gateway_url(url)
        except ValueError as exc:
            raise StreamError(str(exc), hint=f"set {ENV_VAR}=redis://host:port/0") from None
        self.keys = GatewayKeys(self.pool)
        self.consumer = uuid.uuid4().hex
        self._redis_url = redis_url
        self._on_records = on_records
        self._on_control = on_control
        self._room = room
        self._heartbeat = heartbeat
        self._block_ms = block_ms
        self._count = count
        self._batch_wait = batch_wait
        self._shared_wanted = shared
        self._r: Any = None
        self._subs: dict[Subscription, None] = {}
        self._shared: _SharedReader | None = None
        self._private: dict[Subscription, _Cursor] = {}
        self._private_names: dict[bytes, Subscription] = {}
        self._private_task: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Event()
        self._closed = False
        self.dropped = 0
        self.gaps = 0
        self.entries = 0
        #: How many subscriptions left the shared reader because this consumer fell behind.
        self.detached = 0
        #: Bench hook: when a dict, ``id(record)`` → gateway-in time, for the first record of
        #: every entry delivered (a sample: one per entry, not one per record).
        self.latency_probe: dict[int, float] | None = None

    def __repr__(self) -> str:
        return f"GatewayFeed(pool={self.pool!r}, subscriptions={len(self._subs)})"

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        return tuple(self._subs)

    def _redis(self) -> Any:
        if self._r is None:
            self._r = connect(self._redis_url, socket_connect_timeout=10.0)
        return self._r

    # -- subscriptions ----------------------------------------------------------------------------

    async def subscribe(self, subs: Iterable[Subscription]) -> None:
        """All or nothing: admitted by the gateway's capacity, or refused naming it."""
        if self._closed:
            raise StreamError("the stream is closed")
        new = [s for s in dict.fromkeys(subs) if s not in self._subs]
        if not new:
            return
        reply = await self._acquire(new)
        start = f"{int(reply[4])}-0".encode()
        # Beat four times per TTL the gateway enforces, so one late beat is not a death.
        self._heartbeat = min(self._heartbeat, max(0.05, int(reply[5]) / 4000))
        if not self._tasks:  # started now: its period depends on the TTL just learnt
            self._tasks = [
                asyncio.create_task(self._heartbeat_loop(), name="hantoo-gw-heartbeat"),
            ]
        for sub in new:
            self._subs[sub] = None
            if self._shared_wanted:
                if self._shared is None:
                    self._shared = _SharedReader.of(self._redis_url, self.keys, self._count,
                                                    self._block_ms, self._batch_wait)
                self._shared.join(self, sub, start)
            else:
                self._read_alone(sub, _Cursor(start))

    async def _acquire(self, subs: list[Subscription]) -> list[Any]:
        k = self.keys
        try:
            reply: list[Any] = await self._redis().eval(
                ACQUIRE, 5, k.want, k.held(self.consumer), k.consumers, k.info, k.version,
                self.consumer, *(sub_field(s) for s in subs))
        except RedisError as exc:
            raise StreamError(
                f"the realtime gateway's Redis is unreachable ({type(exc).__name__})",
                hint=f"check {ENV_VAR} / gateway= and that Redis runs") from None
        status, keys, cap, total = (int(x) for x in reply[:4])
        if status == -1:
            raise StreamError(
                f"no realtime gateway has announced key pool {self.pool!r} in this Redis",
                hint="start `hantoo gateway --coordinator redis://…` (same Redis, same --pool)")
        if status == -2:
            pool = "1 app key" if keys == 1 else f"{keys} app keys"
            raise SubscriptionLimitError(
                f"cannot subscribe {', '.join(map(str, subs))}: the gateway's pool of {pool} "
                f"carries at most {keys * cap} registrations ({cap} per app key) and "
                f"{total} are in use by all consumers; nothing was registered",
                hint="unsubscribe something, or start the gateway with more app keys")
        return reply

    async def unsubscribe(self, subs: Iterable[Subscription]) -> None:
        gone = [s for s in subs if s in self._subs]
        if not gone:
            return
        for sub in gone:
            del self._subs[sub]
            if self._shared is not None:
                self._shared.leave(self, sub)
            if self._private.pop(sub, None) is not None:
                self._private_names.pop(self.keys.stream(sub).encode(), None)
        k = self.keys
        with contextlib.suppress(RedisError):  # a dead share is reaped by the TTL anyway
            await self._redis().eval(RELEASE, 3, k.want, k.held(self.consumer), k.version,
                                     *(sub_field(s) for s in gone))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._shared is not None:
            for sub in self._subs:
                self._shared.leave(self, sub)
            await self._shared.stop_if_idle()
        tasks = [*self._tasks, *([self._private_task] if self._private_task else [])]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        if self._r is not None:
            k = self.keys
            with contextlib.suppress(RedisError, OSError):
                await self._r.eval(LEAVE, 4, k.want, k.held(self.consumer), k.consumers,
                                   k.version, self.consumer)
            await self._r.aclose()

    async def _heartbeat_loop(self) -> None:
        r = self._redis()
        while True:
            await asyncio.sleep(self._heartbeat)
            try:
                alive = await r.eval(HEARTBEAT, 1, self.keys.consumers, self.consumer)
                if not alive and self._subs:
                    # Reaped while silent (paused too long): take the share again. The gateway
                    # may have dropped the registrations meanwhile, hence the Gap.
                    subs = list(self._subs)
                    await r.eval(LEAVE, 4, self.keys.want, self.keys.held(self.consumer),
                                 self.keys.consumers, self.keys.version, self.consumer)
                    await self._acquire(subs)
                    now = time.time()
                    self.gaps += 1
                    self._on_control(Gap(0, tuple(subs), now - self._heartbeat, now))
            except (RedisError, StreamError) as exc:
                _log.warning("gateway consumer: heartbeat failed (%s)", exc)

    # -- records ----------------------------------------------------------------------------------

    async def _offer(self, sub: Subscription, items: list[Item], before: _Cursor) -> None:
        """From the shared reader: take the batch, or leave it for a private cursor when this
        consumer's queue has no room (it must not hold up the others)."""
        if self._closed or sub not in self._subs:
            return
        if self._room is not None:
            need = sum(len(it[0]) for it in items if isinstance(it, tuple))
            if need > self._room():
                assert self._shared is not None
                self._shared.leave(self, sub)
                self.detached += 1
                self._read_alone(sub, before)
                return
        await self._push(items)

    async def _push(self, items: list[Item]) -> None:
        probe = self.latency_probe
        for it in items:
            if isinstance(it, tuple):
                records, t = it
                self.entries += 1
                if probe is not None and records:
                    probe[id(records[0])] = t
                await self._on_records(records)
            elif isinstance(it, int):
                self.dropped += it
            elif isinstance(it, Gap):
                self.gaps += 1
                self._on_control(it)
            else:
                self._on_control(it)

    def _read_alone(self, sub: Subscription, cursor: _Cursor) -> None:
        self._private[sub] = cursor
        self._private_names[self.keys.stream(sub).encode()] = sub
        if self._private_task is None:
            self._redis()
            self._private_task = asyncio.create_task(self._private_loop(),
                                                     name="hantoo-gw-read")
        self._changed.set()

    async def _private_loop(self) -> None:
        r = self._redis()
        while True:
            if not self._private:
                self._changed.clear()
                await self._changed.wait()
                continue
            cursors = self._private
            streams = {self.keys.stream(s): c.last_id for s, c in cursors.items()}
            reply = await _xread(r, streams, self._count, self._block_ms)
            for name, entries in reply or ():
                sub = self._private_names.get(name)
                cursor = cursors.get(sub) if sub is not None else None
                if sub is None or cursor is None:
                    continue  # unsubscribed while the read was in flight
                await self._push(decode_entries(sub, cursor, entries))
            if reply and self._batch_wait > 0:
                await asyncio.sleep(self._batch_wait)
