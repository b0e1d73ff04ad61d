"""The asyncio realtime stream: subscriptions in, typed events out.

::

    async with RealtimeStream(ws_url=..., base_url=...) as stream:
        await stream.subscribe_trades("005930", "000660")
        stream.on_fill(print)
        async for event in stream:
            match event:
                case DomesticStockCcnlKrxRecord():  ...   # a trade, typed and lazily decoded
                case Gap():  ...                          # reconnected: resync over REST

How it holds together (one rule each):

* **Desired state.** :meth:`subscribe` records what the user wants (after checking the limits,
  before sending anything) and sessions replay it after every connect.
* **Sessions.** One per (app key, session number) slot that has subscriptions; with a pool of
  credentials the :class:`~hantoo.realtime.subscriptions.Planner` spreads subscriptions so no
  key goes over its cap. Sessions start lazily, on their first subscription.
* **Backpressure.** Readers put into one bounded :class:`~hantoo.realtime.queue.EventQueue`;
  the policy decides what gives way; :attr:`stats` counts.
* **Callbacks** fire as events are consumed (by ``async for`` or :meth:`run`), so one consumer
  drives both styles and a slow callback slows the consumer, not the socket readers.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from .._core.backoff import RetryPolicy
from .._core.redact import install_library_redaction
from .._core.wire import StreamRecord
from ..config import Settings, resolve
from ..errors import StreamError
from .approval import ApprovalKeyProvider, Credentials, HttpApprovalKeys
from .connection import Session
from .dispatch import Callbacks
from .events import ControlEvent, Event, Gap, Subscription
from .queue import EventQueue, Policy, QueueClosed
from .subscriptions import LIMIT_PROFILES, Planner, Slot, WsLimits, resolve_tr_id

if TYPE_CHECKING:
    from .gateway.feed import GatewayFeed

__all__ = ["DEFAULT_RECONNECT", "RealtimeStream", "StreamStats"]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_RECONNECT = RetryPolicy(max_attempts=1_000_000, base=0.5, cap=30.0, jitter="full")


@dataclass(frozen=True, slots=True)
class StreamStats:
    """Counters since the stream started."""

    records: int
    control_events: int
    dropped: int
    queued: int
    frame_errors: int
    reconnects: int
    sessions: int


def _ws_endpoint(ws_url: str) -> str:
    """KIS serves ``/tryitout``; a URL that already names a path is used as given."""
    parts = urlsplit(ws_url)
    return ws_url if parts.path not in ("", "/") else ws_url.rstrip("/") + "/tryitout"


class RealtimeStream:
    """Realtime market data and order notices over the KIS WebSocket protocol (asyncio).

    ``credentials`` is one :class:`Credentials` or a pool of them; by default the resolved
    :class:`~hantoo.config.Settings` supply one. ``approval`` overrides where approval keys
    come from (one provider per credential). ``limits`` is a :class:`WsLimits` or a profile name
    (``real``, ``paper``, ``sim``, ``document``); default: the environment's profile.

    ``gateway`` (default ``$HANTOO_REALTIME_GATEWAY``), a ``redis://…[?pool=NAME]`` URL, reads
    records from a ``hantoo gateway`` instead of opening KIS sessions: the API and the events
    are the same; subscriptions count against the gateway pool's cap (docs/gateway.md).
    """

    def __init__(
        self,
        credentials: Credentials | Sequence[Credentials] | None = None,
        *,
        settings: Settings | None = None,
        environment: str | None = None,
        ws_url: str | None = None,
        base_url: str | None = None,
        hts_id: str | None = None,
        approval: Sequence[ApprovalKeyProvider] | None = None,
        limits: WsLimits | str | None = None,
        queue_size: int = 100_000,
        backpressure: Policy = "block",
        reconnect: RetryPolicy = DEFAULT_RECONNECT,
        max_reconnects: int | None = None,
        ping_interval: float | None = 20.0,
        on_gap: Callable[[Gap], Any] | None = None,
        seed: int | None = None,
        gateway: str | None = None,
    ) -> None:
        install_library_redaction()  # websockets logs frames (approval keys) at DEBUG
        if settings is None and (credentials is None or ws_url is None):
            settings = resolve(environment=environment, ws_url=ws_url, base_url=base_url)
        env = environment or (settings.environment if settings else "sim")
        self.environment = env
        self.hts_id = hts_id or (settings.hts_id if settings else None)
        self._custtype = settings.custtype if settings else "P"
        if credentials is None:
            assert settings is not None
            creds: list[Credentials] = [
                Credentials(settings.app_key, settings.app_secret.get_secret_value())]
        elif isinstance(credentials, Credentials):
            creds = [credentials]
        else:
            creds = list(credentials)
        if not creds:
            raise StreamError("a realtime stream needs at least one app key")
        self._url = _ws_endpoint(ws_url or (settings.ws_url if settings else ""))
        rest = base_url or (settings.base_url if settings else "")
        if approval is not None:
            if len(approval) != len(creds):
                raise StreamError("pass one approval-key provider per credential")
            self._approval: list[ApprovalKeyProvider] = list(approval)
        else:
            self._approval = [HttpApprovalKeys(rest, c) for c in creds]
        if isinstance(limits, str):
            limits = LIMIT_PROFILES[limits]
        self.limits = limits or LIMIT_PROFILES.get(env, WsLimits())
        self._planner = Planner(len(creds), self.limits)
        self._queue: EventQueue[Event] | None = None
        self._queue_size = queue_size
        self._policy: Policy = backpressure
        self._reconnect = reconnect
        self._max_reconnects = max_reconnects
        self._ping_interval = ping_interval
        self._rng = random.Random(seed)
        self._sessions: dict[Slot, Session] = {}
        self._callbacks = Callbacks()
        self._batch: list[Event] = []
        self._batch_pos = 0
        self._records = 0
        self._controls = 0
        self._frame_errors = 0
        self._reconnects = 0
        self._closed = False
        if on_gap is not None:
            self._callbacks.add("gap", on_gap)
        self._gateway: GatewayFeed | None = None
        gateway = gateway if gateway is not None else os.environ.get("HANTOO_REALTIME_GATEWAY")
        if gateway:
            from .gateway.feed import GatewayFeed

            self._gateway = GatewayFeed(
                gateway, on_records=self._put_records, on_control=self._put_control,
                room=self._room)

    def __repr__(self) -> str:
        return (
            f"RealtimeStream(environment={self.environment!r}, url={self._url!r}, "
            f"keys={len(self._approval)}, subscriptions={len(self._planner)})"
        )

    # -- queue --------------------------------------------------------------------------------

    @property
    def queue(self) -> EventQueue[Event]:
        if self._queue is None:  # made lazily: it must belong to the running loop
            self._queue = EventQueue(self._queue_size, self._policy)
        return self._queue

    def _room(self) -> int:
        """How many records the queue takes now without waiting (gateway readers ask)."""
        q = self.queue
        return q.maxsize - len(q) if q.policy == "block" else 1 << 30

    async def _put_records(self, records: list[StreamRecord]) -> None:
        self._records += len(records)
        await self.queue.put_many(records)

    def _put_control(self, event: ControlEvent) -> None:
        from .events import FrameError, Reconnecting

        self._controls += 1
        if isinstance(event, FrameError):
            self._frame_errors += 1
        elif isinstance(event, Reconnecting):
            self._reconnects += 1
        self.queue.put_control(event)

    @property
    def stats(self) -> StreamStats:
        q = self._queue
        return StreamStats(
            records=self._records,
            control_events=self._controls,
            dropped=(q.dropped if q else 0) + (self._gateway.dropped if self._gateway else 0),
            queued=len(q) if q else 0,
            frame_errors=self._frame_errors,
            reconnects=self._reconnects,
            sessions=len(self._sessions),
        )

    # -- subscriptions ------------------------------------------------------------------------

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        """The desired state: what every (re)connected session is told to stream."""
        if self._gateway is not None:
            return self._gateway.subscriptions
        return tuple(self._planner)

    @property
    def gateway(self) -> GatewayFeed | None:
        """The gateway feed when this stream reads through ``hantoo gateway``, else ``None``."""
        return self._gateway

    def session_of(self, sub: Subscription) -> int | None:
        """Which session number carries ``sub`` (``None`` if not subscribed)."""
        slot = self._planner.slot_of(sub)
        return None if slot is None else self._sessions[slot].index

    async def subscribe(self, tr: str, *keys: str) -> list[Subscription]:
        """Subscribe ``tr`` (TR ID or stream key) for each key; all or nothing under the limits."""
        if self._closed:
            raise StreamError("the stream is closed")
        if not keys:
            raise StreamError(f"subscribe({tr!r}) needs at least one key (symbol or HTS ID)")
        tr_id = resolve_tr_id(tr, self.environment)
        subs = [Subscription(tr_id, k) for k in keys]
        if self._gateway is not None:
            await self._gateway.subscribe(subs)
            return subs
        placed: list[Subscription] = []
        try:
            for sub in subs:
                if sub not in self._planner:
                    self._planner.place(sub)
                    placed.append(sub)
        except Exception:
            for sub in placed:
                self._planner.remove(sub)
            raise
        for sub in placed:
            slot = self._planner.slot_of(sub)
            assert slot is not None
            session = self._session(slot)
            await session.send(sub, subscribe=True)
        return subs

    async def unsubscribe(self, tr: str, *keys: str) -> None:
        tr_id = resolve_tr_id(tr, self.environment)
        if self._gateway is not None:
            await self._gateway.unsubscribe(Subscription(tr_id, k) for k in keys)
            return
        for key in keys:
            sub = Subscription(tr_id, key)
            slot = self._planner.remove(sub)
            if slot is not None and slot in self._sessions:
                await self._sessions[slot].send(sub, subscribe=False)

    def _session(self, slot: Slot) -> Session:
        session = self._sessions.get(slot)
        if session is None:
            session = Session(
                len(self._sessions),
                self._url,
                self._approval[slot[0]],
                wanted=lambda: self._planner.in_slot(slot),
                on_records=self._put_records,
                on_control=self._put_control,
                reconnect=self._reconnect,
                max_reconnects=self._max_reconnects,
                rng=self._rng,
                custtype=self._custtype,
                ping_interval=self._ping_interval,
            )
            self._sessions[slot] = session
            session.start()
        return session

    # Shortcuts for the common TRs (domestic stock KRX, index, US delayed).

    async def subscribe_trades(self, *symbols: str) -> list[Subscription]:
        """Domestic trades, ``H0STCNT0`` (→ :meth:`on_trade`)."""
        return await self.subscribe("H0STCNT0", *symbols)

    async def subscribe_book(self, *symbols: str) -> list[Subscription]:
        """Domestic 10-level order book, ``H0STASP0`` (→ :meth:`on_book`)."""
        return await self.subscribe("H0STASP0", *symbols)

    async def subscribe_expected(self, *symbols: str) -> list[Subscription]:
        """Domestic expected execution during auctions, ``H0STANC0``."""
        return await self.subscribe("H0STANC0", *symbols)

    async def subscribe_index(self, *codes: str) -> list[Subscription]:
        """Domestic index ticks, ``H0UPCNT0`` (``0001`` KOSPI, ``1001`` KOSDAQ)."""
        return await self.subscribe("H0UPCNT0", *codes)

    async def subscribe_fills(self, hts_id: str | None = None) -> list[Subscription]:
        """Order and fill notices for an HTS ID, ``H0STCNI0`` (paper ``H0STCNI9``), decrypted."""
        who = hts_id or self.hts_id
        if not who:
            raise StreamError("fill notices are keyed by HTS ID", hint="pass hts_id=...")
        return await self.subscribe("H0STCNI0", who)

    async def subscribe_us_trades(self, *keys: str) -> list[Subscription]:
        """US trades, ``HDFSCNT0``; keys like ``DNASAAPL`` (D + exchange + ticker)."""
        return await self.subscribe("HDFSCNT0", *keys)

    async def subscribe_us_book(self, *keys: str) -> list[Subscription]:
        """US order book, ``HDFSASP0``; keys like ``DNASAAPL``."""
        return await self.subscribe("HDFSASP0", *keys)

    # -- callbacks ----------------------------------------------------------------------------

    def on(self, kind: str, fn: F) -> F:
        """Register ``fn`` for a kind: trade, book, fill, expected, index, other, record, gap,
        error, control or event."""
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
        """Called after every reconnect: pass a REST resync (``lambda gap: client.fills()``)."""
        return self._callbacks.add("gap", fn)

    def on_error(self, fn: F) -> F:
        return self._callbacks.add("error", fn)

    def on_event(self, fn: F) -> F:
        return self._callbacks.add("event", fn)

    # -- consuming ----------------------------------------------------------------------------

    async def next_batch(self, limit: int = 1024, timeout: float | None = None) -> list[Event]:
        """Up to ``limit`` events without running callbacks (``[]`` on timeout).

        Raises :class:`StopAsyncIteration` once the stream is closed and drained.
        """
        try:
            return await self.queue.get_batch(limit, timeout)
        except QueueClosed:
            raise StopAsyncIteration from None

    def __aiter__(self) -> RealtimeStream:
        return self

    async def __anext__(self) -> Event:
        if self._batch_pos >= len(self._batch):
            self._batch = []
            self._batch_pos = 0
            while not self._batch:
                self._batch = await self.next_batch()
        event = self._batch[self._batch_pos]
        self._batch_pos += 1
        if self._callbacks:
            await self._callbacks.call_async(event)
        return event

    async def run(self, until: Callable[[], bool | Awaitable[bool]] | None = None) -> None:
        """Consume events, firing callbacks, until the stream closes (or ``until()`` is true)."""
        async for _event in self:
            if until is not None:
                done = until()
                if not isinstance(done, bool):
                    done = await done
                if done:
                    return

    # -- lifecycle ----------------------------------------------------------------------------

    async def close(self) -> None:
        """Close every session; queued events can still be drained."""
        if self._closed:
            return
        self._closed = True
        if self._gateway is not None:
            await self._gateway.close()
        await asyncio.gather(*(s.close() for s in self._sessions.values()))
        self.queue.close()

    async def __aenter__(self) -> RealtimeStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
