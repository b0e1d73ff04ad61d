"""One WebSocket session for one app key: connect, (re)subscribe, read, reconnect.

A session owns no subscriptions of its own: it asks the stream for the desired set of its
slot every time it connects (``wanted()``), which is what re-applies subscriptions after a
reconnect. It never dies of a bad frame: every message is decoded inside a ``try`` and a
failure becomes a :class:`~hantoo.realtime.events.FrameError` event. Reconnects follow an
exponential backoff with jitter, unlimited unless ``max_reconnects`` is set; the attempt
counter resets once the server acknowledges a subscription or sends data, so a server that
accepts the socket but refuses the session (``OPSP8996``) still backs off.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import websockets
from websockets.exceptions import ConnectionClosed

from .._core.backoff import RetryPolicy, backoff_delay
from .._core.redact import get_logger
from .._core.wire import StreamRecord
from .approval import ApprovalKeyProvider
from .events import (
    Connected,
    ControlEvent,
    Disconnected,
    FrameError,
    Gap,
    Reconnecting,
    Subscribed,
    Subscription,
    SubscriptionRejected,
    Unsubscribed,
)
from .frames import Ack, PingPong, parse_message, subscribe_message
from .frames import FrameError as WireFrameError
from .subscriptions import is_encrypted

__all__ = ["Session"]

_log = get_logger("realtime")

SESSION_IN_USE = "OPSP8996"


class Session:
    """The connection loop of one session slot (see module docstring)."""

    def __init__(
        self,
        index: int,
        url: str,
        keys: ApprovalKeyProvider,
        *,
        wanted: Callable[[], Sequence[Subscription]],
        on_records: Callable[[list[StreamRecord]], Awaitable[None]],
        on_control: Callable[[ControlEvent], None],
        reconnect: RetryPolicy,
        max_reconnects: int | None,
        rng: random.Random,
        custtype: str = "P",
        ping_interval: float | None = 20.0,
        open_timeout: float = 10.0,
    ) -> None:
        self.index = index
        self.url = url
        self._keys = keys
        self._wanted = wanted
        self._on_records = on_records
        self._on_control = on_control
        self._policy = reconnect
        self._max_reconnects = max_reconnects
        self._rng = rng
        self._custtype = custtype
        self._ping_interval = ping_interval
        self._open_timeout = open_timeout
        self._ws: Any = None
        self._approval: str | None = None
        self._ciphers: dict[str, tuple[str, str]] = {}
        self._closing = False
        self._attempt = 0
        self.connects = 0
        # False plays a client that stopped answering PINGPONG (to test server-side drops).
        self.answer_pings = True
        self.task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"Session(index={self.index}, url={self.url!r}, connected={self.connected})"

    @property
    def connected(self) -> bool:
        return self._ws is not None

    def start(self) -> None:
        if self.task is None:
            self.task = asyncio.create_task(self._run(), name=f"hantoo-ws-session-{self.index}")

    async def close(self) -> None:
        self._closing = True
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):  # best-effort
                await asyncio.wait_for(ws.close(), 2.0)
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task

    async def send(self, sub: Subscription, subscribe: bool = True) -> None:
        """Send a (un)subscribe now if connected; otherwise the next connect applies it."""
        ws, key = self._ws, self._approval
        if ws is None or key is None:
            return
        with contextlib.suppress(ConnectionClosed):  # the reconnect re-applies desired state
            await ws.send(
                subscribe_message(
                    key, sub.tr_id, sub.tr_key, subscribe=subscribe, custtype=self._custtype
                )
            )

    async def _run(self) -> None:
        lost_at: float | None = None
        while not self._closing:
            reason = "closed by server"
            try:
                key = await self._keys.get()
                async with websockets.connect(
                    self.url,
                    open_timeout=self._open_timeout,
                    ping_interval=self._ping_interval,
                    ping_timeout=self._ping_interval,
                    max_size=None,
                    compression=None,
                ) as ws:
                    self._approval = key
                    self._ciphers.clear()
                    self._ws = ws
                    subs = list(self._wanted())
                    for sub in subs:
                        await ws.send(
                            subscribe_message(key, sub.tr_id, sub.tr_key, custtype=self._custtype)
                        )
                    reconnect = self.connects > 0
                    self.connects += 1
                    self._on_control(Connected(self.index, reconnect))
                    if reconnect:
                        now = time.time()
                        self._on_control(Gap(self.index, tuple(subs), lost_at or now, now))
                    await self._read(ws)
            except asyncio.CancelledError:
                raise
            except ConnectionClosed as exc:
                reason = f"connection closed ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
            finally:
                self._ws = None
            if self._closing:
                break
            lost_at = time.time()
            self._on_control(Disconnected(self.index, reason))
            self._attempt += 1
            if self._max_reconnects is not None and self._attempt > self._max_reconnects:
                _log.error("session %d: giving up after %d reconnects", self.index, self._attempt)
                break
            delay = backoff_delay(self._policy, self._attempt, rng=self._rng)
            self._on_control(Reconnecting(self.index, self._attempt, delay))
            _log.info("session %d lost (%s); reconnecting in %.2fs", self.index, reason, delay)
            await asyncio.sleep(delay)

    async def _read(self, ws: Any) -> None:
        on_records = self._on_records
        ciphers = self._ciphers
        async for msg in ws:
            try:
                parsed = parse_message(msg, ciphers)
            except WireFrameError as exc:
                self._frame_error(exc)
                continue
            except Exception as exc:  # the stream never dies of one bad frame
                self._frame_error(WireFrameError(f"undecodable: {type(exc).__name__}", msg))
                continue
            if type(parsed) is list:
                self._attempt = 0
                await on_records(parsed)
            elif isinstance(parsed, PingPong):
                if self.answer_pings:
                    await ws.send(parsed.text)
            elif isinstance(parsed, Ack) and self._handle_ack(parsed):
                await ws.close(code=1000, reason="session refused")
                return

    def _frame_error(self, exc: WireFrameError) -> None:
        excerpt = "" if is_encrypted(exc.tr_id) else exc.excerpt
        _log.warning("session %d: unreadable frame: %s", self.index, exc.reason)
        self._on_control(FrameError(self.index, exc.reason, exc.tr_id, excerpt))

    def _handle_ack(self, ack: Ack) -> bool:
        """Book an ack; ``True`` when the session must be dropped and retried later."""
        sub = Subscription(ack.tr_id, ack.tr_key)
        if ack.ok:
            self._attempt = 0
            if ack.unsubscribe:
                self._ciphers.pop(ack.tr_id, None)
                self._on_control(Unsubscribed(sub))
            else:
                if ack.key and ack.iv:
                    self._ciphers[ack.tr_id] = (ack.key, ack.iv)
                self._on_control(Subscribed(sub, ack.encrypted))
            return False
        if "ALREADY IN SUBSCRIBE" in ack.msg1.upper():
            self._on_control(Subscribed(sub, ack.encrypted))
            return False
        if ack.msg_cd == SESSION_IN_USE or "ALREADY IN USE" in ack.msg1.upper():
            _log.warning("session %d: app key already in use elsewhere; retrying", self.index)
            self._on_control(SubscriptionRejected(sub, ack.msg_cd, ack.msg1))
            return True
        _log.warning("session %d: %s refused: %s %s", self.index, sub, ack.msg_cd, ack.msg1)
        self._on_control(SubscriptionRejected(sub, ack.msg_cd, ack.msg1))
        return False
