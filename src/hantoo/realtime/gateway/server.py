"""The gateway process: the KIS WebSocket sessions of a key pool, fanned out through Redis.

One gateway per pool leads at a time (a Redis lease, ``SET NX PX``, renewed every third of its
length); others wait as standbys and take over when the lease lapses, e.g. after ``kill -9``.
The leader:

* publishes the pool's capacity (``keys`` × ``cap``) that consumers' admission script checks;
* reconciles the desired state (``want``, reference counts from every consumer) against its
  sessions — subscribes what is wanted, unsubscribes what nobody wants — placing registrations
  with the same :class:`~hantoo.realtime.subscriptions.Planner` a direct stream uses, so no key
  carries more than its cap;
* writes each arriving frame to the stream of its ``(tr_id, tr_key)`` as one clear KIS frame,
  batched into pipelined ``XADD … MAXLEN ~ N`` (memory stays bounded whoever stops reading);
* writes a marker into every affected stream after a takeover or a KIS reconnect, which
  consumers turn into the same :class:`~hantoo.realtime.events.Gap` a direct session emits;
* reaps consumers whose heartbeat stopped, releasing their share of the reference counts.

Sessions are :class:`~hantoo.realtime.connection.Session` — the same connect, resubscribe,
ping and backoff code as a direct stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError

from ..._core.backoff import RetryPolicy
from ..._core.redact import get_logger
from ..._core.wire import StreamRecord
from ...errors import SubscriptionLimitError
from ..approval import ApprovalKeyProvider
from ..connection import Session
from ..events import Connected, ControlEvent, Disconnected, Gap, Subscription, SubscriptionRejected
from ..stream import DEFAULT_RECONNECT, _ws_endpoint
from ..subscriptions import Planner, Slot, WsLimits
from .protocol import (
    REAP,
    RENEW,
    RESIGN,
    GatewayKeys,
    connect,
    split_gateway_url,
    sub_of_field,
)

__all__ = ["Gateway", "GatewayStats"]

_log = get_logger("gateway")


@dataclass
class GatewayStats:
    """Counters since this process became the leader."""

    records_in: int = 0
    entries_out: int = 0
    unroutable: int = 0
    markers: int = 0
    reaped: int = 0
    takeovers: int = 0
    sessions: int = 0
    subscribed: set[Subscription] = field(default_factory=set)


class Gateway:
    """One gateway process for one key pool (see module docstring).

    ``approval`` holds one provider per app key of the pool; in production they come from the
    coordinator's token store (so approval keys are issued once for the fleet).
    """

    def __init__(
        self,
        gateway_url: str,
        approval: Sequence[ApprovalKeyProvider],
        ws_url: str,
        *,
        limits: WsLimits | None = None,
        maxlen: int = 10_000,
        lease_seconds: float = 5.0,
        consumer_ttl: float = 15.0,
        poll_interval: float = 0.05,
        flush_interval: float = 0.005,
        reconnect: RetryPolicy = DEFAULT_RECONNECT,
        custtype: str = "P",
        ping_interval: float | None = 20.0,
    ) -> None:
        if not approval:
            raise ValueError("a gateway needs at least one app key in its pool")
        if maxlen < 10:
            raise ValueError("maxlen below 10 entries leaves consumers no slack")
        self._redis_url, self.pool = split_gateway_url(gateway_url)
        self.keys = GatewayKeys(self.pool)
        self._approval = list(approval)
        self._url = _ws_endpoint(ws_url)
        self.limits = limits or WsLimits()
        self.maxlen = maxlen
        self.lease_ms = int(lease_seconds * 1000)
        self.consumer_ttl_ms = int(consumer_ttl * 1000)
        self.poll_interval = poll_interval
        self.flush_interval = flush_interval
        self._reconnect = reconnect
        self._custtype = custtype
        self._ping_interval = ping_interval
        self.owner = uuid.uuid4().hex
        self.epoch = 0
        self.stats = GatewayStats()
        self.leading = asyncio.Event()
        self._planner = Planner(len(self._approval), self.limits)
        self._sessions: dict[Slot, Session] = {}
        self._by_tr: dict[str, set[str]] = {}
        self._counts: dict[Subscription, int] = {}
        self._buffer: list[tuple[Subscription, str, float, int]] = []
        self._markers: list[tuple[Subscription, str, float, float]] = []
        self._wake = asyncio.Event()
        self._rng = random.Random()
        self._r: Any = None

    def __repr__(self) -> str:
        return f"Gateway(pool={self.pool!r}, keys={len(self._approval)}, url={self._url!r})"

    @property
    def capacity(self) -> int:
        return self._planner.capacity

    # -- the leader's life ----------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Wait for the lease, lead until ``stop`` is set (or the lease is lost), then resign."""
        self._r = connect(self._redis_url, socket_timeout=5.0,
                                    socket_connect_timeout=2.0)
        try:
            while not stop.is_set():
                if await self._try_lease():
                    try:
                        await self._lead(stop)
                    except RedisError as exc:  # Redis went away while taking over: stand by
                        _log.warning("gateway: Redis failed while leading (%s); standing by",
                                     type(exc).__name__)
                        await self._stop_sessions()
                        self.leading.clear()
                        await asyncio.sleep(self.lease_ms / 4000)
                else:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.lease_ms / 4000)
        finally:
            await self._r.aclose()

    async def _try_lease(self) -> bool:
        assert self._r is not None
        try:
            return bool(await self._r.set(self.keys.lease, self.owner, nx=True, px=self.lease_ms))
        except RedisError as exc:
            _log.warning("gateway: Redis unreachable (%s); retrying", type(exc).__name__)
            return False

    async def _lead(self, stop: asyncio.Event) -> None:
        r = self._r
        assert r is not None
        now = time.time()
        prev_alive = await r.hget(self.keys.info, "alive")
        self.epoch = int(await r.hincrby(self.keys.info, "epoch", 1))
        await r.hset(self.keys.info, mapping={
            "keys": len(self._approval), "cap": self.limits.registrations_per_key,
            "alive": f"{now:.6f}", "maxlen": self.maxlen, "ttl": self.consumer_ttl_ms,
        })
        self.stats.takeovers += 1
        self._counts.clear()
        since = float(prev_alive) if prev_alive else now
        wanted = await self._wanted()
        for sub in wanted:  # whatever a previous leader wrote, nothing arrived since it stopped
            self._markers.append((sub, "restart", since, now))
        await self._apply(wanted)
        await self._flush()
        self.leading.set()
        _log.info("gateway %s leads pool %r (epoch %d, %d keys, %d subscriptions)",
                  self.owner[:8], self.pool, self.epoch, len(self._approval), len(wanted))
        lost = asyncio.Event()
        tasks = [
            asyncio.create_task(self._renew_loop(lost), name="gw-renew"),
            asyncio.create_task(self._reconcile_loop(), name="gw-reconcile"),
            asyncio.create_task(self._reap_loop(), name="gw-reap"),
            asyncio.create_task(self._flush_loop(), name="gw-flush"),
        ]
        stop_wait = asyncio.create_task(stop.wait())
        lost_wait = asyncio.create_task(lost.wait())
        try:
            await asyncio.wait([stop_wait, lost_wait, *tasks],
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop_wait.cancel()
            lost_wait.cancel()
            for t in tasks:
                t.cancel()
            for t in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
            await self._stop_sessions()
            with contextlib.suppress(RedisError):
                await self._flush()
                if not lost.is_set():
                    await r.eval(RESIGN, 1, self.keys.lease, self.owner)
            self.leading.clear()
            if lost.is_set():
                _log.error("gateway %s lost the lease of pool %r; standing by",
                           self.owner[:8], self.pool)

    async def _stop_sessions(self) -> None:
        await asyncio.gather(*(s.close() for s in self._sessions.values()))
        self._sessions.clear()
        for sub in list(self._planner):
            self._planner.remove(sub)
        self._by_tr.clear()
        self.stats.subscribed.clear()
        self.stats.sessions = 0

    async def _renew_loop(self, lost: asyncio.Event) -> None:
        r = self._r
        assert r is not None
        period = self.lease_ms / 3000
        while True:
            await asyncio.sleep(period)
            try:
                ok = await r.eval(RENEW, 1, self.keys.lease, self.owner, self.lease_ms)
                await r.hset(self.keys.info, "alive", f"{time.time():.6f}")
            except RedisError as exc:
                _log.warning("gateway: lease renewal failed (%s)", type(exc).__name__)
                continue
            if not ok:
                lost.set()
                return

    # -- desired state ----------------------------------------------------------------------------

    async def _wanted(self) -> set[Subscription]:
        assert self._r is not None
        raw: dict[bytes, bytes] = await self._r.hgetall(self.keys.want)
        return {sub_of_field(k) for k, v in raw.items() if int(v) > 0}

    async def _reconcile_loop(self) -> None:
        assert self._r is not None
        seen: bytes | None = None
        while True:
            try:
                version = await self._r.get(self.keys.version)
                if version != seen:
                    seen = version
                    await self._apply(await self._wanted())
            except RedisError as exc:
                _log.warning("gateway: reading desired state failed (%s)", type(exc).__name__)
            await asyncio.sleep(self.poll_interval)

    async def _apply(self, wanted: set[Subscription]) -> None:
        """Subscribe what is wanted and not held; unsubscribe what is held and not wanted."""
        held = set(self._planner)
        for sub in sorted(held - wanted):
            slot = self._planner.remove(sub)
            keys = self._by_tr.get(sub.tr_id)
            if keys is not None:
                keys.discard(sub.tr_key)
            self.stats.subscribed.discard(sub)
            if slot is not None and slot in self._sessions:
                await self._sessions[slot].send(sub, subscribe=False)
        for sub in sorted(wanted - held):
            try:
                slot = self._planner.place(sub)
            except SubscriptionLimitError:  # admission forbids this; a stale count could not
                _log.error("gateway: %s is over the pool's capacity; not subscribed", sub)
                continue
            self._by_tr.setdefault(sub.tr_id, set()).add(sub.tr_key)
            self.stats.subscribed.add(sub)
            await self._session(slot).send(sub, subscribe=True)

    def _session(self, slot: Slot) -> Session:
        session = self._sessions.get(slot)
        if session is None:
            session = Session(
                len(self._sessions), self._url, self._approval[slot[0]],
                wanted=lambda: self._planner.in_slot(slot),
                on_records=self._ingest, on_control=self._control,
                reconnect=self._reconnect, max_reconnects=None, rng=self._rng,
                custtype=self._custtype, ping_interval=self._ping_interval,
            )
            self._sessions[slot] = session
            self.stats.sessions = len(self._sessions)
            session.start()
        return session

    async def _reap_loop(self) -> None:
        assert self._r is not None
        period = max(0.2, self.consumer_ttl_ms / 3000)
        while True:
            await asyncio.sleep(period)
            try:
                n = await self._r.eval(REAP, 3, self.keys.want, self.keys.consumers,
                                       self.keys.version, self.consumer_ttl_ms,
                                       self.keys.held(""))
            except RedisError as exc:
                _log.warning("gateway: reaping failed (%s)", type(exc).__name__)
                continue
            if n:
                self.stats.reaped += int(n)
                _log.info("gateway: released %d consumer(s) whose heartbeat stopped", n)

    # -- records in, stream entries out ------------------------------------------------------------

    async def _ingest(self, records: list[StreamRecord]) -> None:
        """One frame's records → the buffer, grouped by registration (flushed in batches)."""
        now = time.time()
        tr_id = records[0].TR_ID
        keys = self._by_tr.get(tr_id)
        self.stats.records_in += len(records)
        if not keys:
            self.stats.unroutable += len(records)
            return
        only = next(iter(keys)) if len(keys) == 1 else None
        groups: dict[str, list[str]] = {}
        for rec in records:
            values = rec.values
            key = values[0] if values and values[0] in keys else only
            if key is None:
                self.stats.unroutable += 1
                continue
            groups.setdefault(key, []).append("^".join(values))
        for key, rows in groups.items():
            self._buffer.append((Subscription(tr_id, key), "^".join(rows), now, len(rows)))
        if len(self._buffer) >= 1024:
            self._wake.set()

    def _control(self, event: ControlEvent) -> None:
        if isinstance(event, Gap):
            for sub in event.subscriptions:
                self._markers.append((sub, "reconnect", event.since, event.until))
            self._wake.set()
        elif isinstance(event, Disconnected):
            _log.warning("gateway: KIS session %d lost: %s", event.session, event.reason)
        elif isinstance(event, Connected):
            _log.info("gateway: KIS session %d connected", event.session)
        elif isinstance(event, SubscriptionRejected):
            _log.warning("gateway: KIS refused %s: %s %s", event.subscription, event.msg_cd,
                         event.message)

    async def _flush_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_interval)
            self._wake.clear()
            try:
                await self._flush()
            except RedisError as exc:
                _log.warning("gateway: writing to Redis failed (%s); retrying",
                             type(exc).__name__)
                await asyncio.sleep(0.2)

    async def _flush(self) -> None:
        if not self._buffer and not self._markers:
            return
        r = self._r
        assert r is not None
        buffer, self._buffer = self._buffer, []
        markers, self._markers = self._markers, []
        pipe = r.pipeline(transaction=False)
        # The counter alone could repeat after Redis lost its data; the owner makes it unique.
        epoch = f"{self.epoch}.{self.owner[:8]}"
        for sub, kind, since, until in markers:
            pipe.xadd(self.keys.stream(sub), {"m": kind, "e": epoch, "since": f"{since:.6f}",
                                              "until": f"{until:.6f}"},
                      maxlen=self.maxlen, approximate=True)
        counts = self._counts
        maxlen = self.maxlen
        # One entry per registration per flush: every frame that arrived for it since the last
        # flush, back to back in one KIS frame (up to 999 records). Fewer, fuller entries are
        # what lets hundreds of consumers keep up; ``t`` is the earliest arrival (honest age).
        merged: dict[Subscription, list[tuple[str, float, int]]] = {}
        for sub, payload, t, k in buffer:
            merged.setdefault(sub, []).append((payload, t, k))
        entries = 0
        for sub, parts in merged.items():
            stream = self.keys.stream(sub)
            i = 0
            while i < len(parts):
                payloads, total, first = [], 0, parts[i][1]
                while i < len(parts) and total + parts[i][2] <= 999:
                    payloads.append(parts[i][0])
                    total += parts[i][2]
                    i += 1
                if not payloads:  # one frame of 999+ records cannot happen (KIS caps at 999)
                    payloads.append(parts[i][0])
                    total = parts[i][2]
                    i += 1
                n = counts.get(sub, 0) + total
                counts[sub] = n
                frame = f"0|{sub.tr_id}|{total:03d}|{'^'.join(payloads)}"
                pipe.xadd(stream, {"f": frame, "t": f"{first:.6f}", "e": epoch, "n": n},
                          maxlen=maxlen, approximate=True)
                entries += 1
        try:
            await pipe.execute()
        except RedisError:
            # The records are lost; say so to their consumers, and keep the markers due.
            now = time.time()
            lost = {sub: t for sub, _p, t, _k in reversed(buffer)}
            self._markers[:0] = markers + [(s, "lost", t, now) for s, t in lost.items()]
            raise
        self.stats.markers += len(markers)
        self.stats.entries_out += entries

