"""The consumer side: a :class:`~hantoo.realtime.RealtimeStream` fed by a gateway via Redis.

What changes for the stream when ``gateway=`` (or ``HANTOO_REALTIME_GATEWAY``) is set, and
nothing else does — same queue, callbacks, iteration, sync facade and events:

* ``subscribe`` runs the admission script: the reference counts go up atomically, or the call
  fails at once with :class:`~hantoo.errors.SubscriptionLimitError` naming the cap per key and
  the pool size (nothing queued silently).
* A heartbeat keeps this consumer's share alive; if it stops (the process died), the gateway
  releases it after the TTL. ``close`` releases it at once.
* One reader task runs ``XREAD BLOCK`` over the streams of the subscriptions, resuming from the
  last id it read, and decodes each entry with :func:`~hantoo.realtime.frames.decode_data` —
  the parser a direct session uses.
* A gateway marker (takeover, KIS reconnect) or a jump in the entry counter (the stream was
  trimmed past this consumer: it stopped reading) becomes a
  :class:`~hantoo.realtime.events.Gap`; trimmed records are counted in ``dropped``.

Backpressure: the reader puts into the stream's bounded queue; when a consumer stops reading,
the reader waits and stops issuing ``XREAD`` — it falls behind in Redis, alone, and the gateway's
``MAXLEN`` bounds what Redis keeps for it. Other consumers read their own way and are not
slowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

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
    """Where this consumer stands in one stream."""

    __slots__ = ("epoch", "last_id", "n", "t")

    def __init__(self, last_id: bytes) -> None:
        self.last_id = last_id
        self.epoch = b""
        self.n = 0
        self.t = time.time()


class GatewayFeed:
    """Subscriptions as shared reference counts, records from Redis Streams (see module)."""

    def __init__(
        self,
        url: str,
        *,
        on_records: Callable[[list[StreamRecord]], Awaitable[None]],
        on_control: Callable[[ControlEvent], None],
        heartbeat: float = 2.0,
        block_ms: int = 200,
        count: int = 512,
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
        self._heartbeat = heartbeat
        self._block_ms = block_ms
        self._count = count
        self._r: Any = None
        self._cursors: dict[Subscription, _Cursor] = {}
        self._streams: dict[bytes, Subscription] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Event()
        self._closed = False
        self.dropped = 0
        self.gaps = 0
        self.entries = 0
        #: Bench hook: when a dict, ``id(record)`` → gateway-in time for every record delivered.
        self.latency_probe: dict[int, float] | None = None

    def __repr__(self) -> str:
        return f"GatewayFeed(pool={self.pool!r}, subscriptions={len(self._cursors)})"

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        return tuple(self._cursors)

    def _redis(self) -> Any:
        if self._r is None:
            self._r = connect(self._redis_url, socket_connect_timeout=2.0)
            self._tasks = [
                asyncio.create_task(self._read_loop(), name="hantoo-gw-read"),
                asyncio.create_task(self._heartbeat_loop(), name="hantoo-gw-heartbeat"),
            ]
        return self._r

    # -- subscriptions ----------------------------------------------------------------------------

    async def subscribe(self, subs: Iterable[Subscription]) -> None:
        """All or nothing: admitted by the gateway's capacity, or refused naming it."""
        if self._closed:
            raise StreamError("the stream is closed")
        new = [s for s in dict.fromkeys(subs) if s not in self._cursors]
        if not new:
            return
        reply = await self._acquire(new)
        ms = int(reply[4])
        # Beat four times per TTL the gateway enforces, so one late beat is not a death.
        self._heartbeat = min(self._heartbeat, max(0.05, int(reply[5]) / 4000))
        for sub in new:
            self._cursors[sub] = _Cursor(f"{ms}-0".encode())
            self._streams[self.keys.stream(sub).encode()] = sub
        self._changed.set()

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
        gone = [s for s in subs if s in self._cursors]
        if not gone:
            return
        for sub in gone:
            del self._cursors[sub]
            self._streams.pop(self.keys.stream(sub).encode(), None)
        k = self.keys
        with contextlib.suppress(RedisError):  # a dead share is reaped by the TTL anyway
            await self._redis().eval(RELEASE, 3, k.want, k.held(self.consumer), k.version,
                                     *(sub_field(s) for s in gone))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
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
                if not alive and self._cursors:
                    # Reaped while silent (paused too long): take the share again. The gateway
                    # may have dropped the registrations meanwhile, hence the Gap.
                    subs = list(self._cursors)
                    await r.eval(LEAVE, 4, self.keys.want, self.keys.held(self.consumer),
                                 self.keys.consumers, self.keys.version, self.consumer)
                    await self._acquire(subs)
                    now = time.time()
                    self._gap(tuple(subs), now - self._heartbeat, now)
            except (RedisError, StreamError) as exc:
                _log.warning("gateway consumer: heartbeat failed (%s)", exc)

    # -- records ----------------------------------------------------------------------------------

    def _gap(self, subs: tuple[Subscription, ...], since: float, until: float) -> None:
        self.gaps += 1
        self._on_control(Gap(0, subs, since, until))

    async def _read_loop(self) -> None:
        r = self._redis()
        while True:
            if not self._cursors:
                self._changed.clear()
                await self._changed.wait()
                continue
            self._changed.clear()
            cursors = self._cursors
            streams = {self.keys.stream(s): c.last_id for s, c in cursors.items()}
            try:
                reply = await r.xread(streams, count=self._count, block=self._block_ms)
            except RedisError as exc:
                _log.warning("gateway consumer: XREAD failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(0.2)
                continue
            for name, entries in reply or ():
                sub = self._streams.get(name)
                cursor = cursors.get(sub) if sub is not None else None
                if sub is None or cursor is None:
                    continue  # unsubscribed while the read was in flight
                await self._deliver(sub, cursor, entries)

    async def _deliver(self, sub: Subscription, cursor: _Cursor,
                       entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        out: list[StreamRecord] = []
        probe = self.latency_probe
        for entry_id, fields in entries:
            cursor.last_id = entry_id
            self.entries += 1
            epoch = fields.get(b"e", b"")
            marker = fields.get(b"m")
            if marker is not None:
                if out:
                    await self._on_records(out)
                    out = []
                cursor.epoch, cursor.n = epoch, 0
                self._gap((sub,), float(fields.get(b"since", b"0")),
                          float(fields.get(b"until", b"0")))
                continue
            t = float(fields[b"t"])
            try:
                records = decode_data(fields[b"f"].decode())
            except WireFrameError as exc:
                self._on_control(FrameError(0, exc.reason, exc.tr_id, ""))
                continue
            n = int(fields[b"n"])
            if epoch != cursor.epoch:
                if cursor.epoch:  # a new leader without a marker reaching us: be safe
                    self._gap((sub,), cursor.t, t)
                cursor.epoch = epoch
            elif n > cursor.n + len(records):
                missed = n - cursor.n - len(records)
                self.dropped += missed
                if out:
                    await self._on_records(out)
                    out = []
                self._gap((sub,), cursor.t, t)
            cursor.n = n
            cursor.t = t
            if probe is not None:
                for rec in records:
                    probe[id(rec)] = t
            out.extend(records)
        if out:
            await self._on_records(out)
