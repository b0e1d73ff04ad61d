"""The simulator's WebSocket: the KIS realtime protocol, served by Starlette.

Mounted by the HTTP server through :func:`websocket_routes` on ``/tryitout``, ``/`` and
``/tryitout/<TR_ID>`` (the path some KIS samples use). What a client sees is what KIS does:

* subscribe/unsubscribe JSON (``header.approval_key``/``tr_type``, ``body.input.tr_id``/
  ``tr_key``) answered by acks in the real shape — ``SUBSCRIBE SUCCESS``,
  ``UNSUBSCRIBE SUCCESS``, ``ALREADY IN SUBSCRIBE`` (``rt_cd`` 1), ``OPSP0008`` MAX SUBSCRIBE
  OVER past the registration cap, ``OPSP8996`` ALREADY IN USE appkey for a session over the
  per-key session cap; encrypted TRs get a per-TR random key/iv in ``output``;
* data frames ``flag|TR_ID|NNN|v1^v2^...``, several records per frame when there are several;
* ``PINGPONG`` every ``ping_interval`` s; a session that answers neither by echoing the text
  nor with a pong frame for ``ping_grace`` s is dropped.

Market data for the symbols the engine trades comes from the engine
(:class:`~hantoo.sim.engine_feed.EngineFeed`: the same prices, volumes and book as REST), and
for futures/options series from the derivatives market (:mod:`hantoo.sim.deriv_feed`, fill
notices :mod:`hantoo.sim.deriv_notices`); every other TR from
:class:`~hantoo.sim.feed.SyntheticFeed` (seeded). Order/fill notices are only ever produced by
real fills (:mod:`hantoo.sim.notices` publishes them through
:meth:`RealtimeHub.publish`). Faults (:class:`WsFaults`) can be set at run time
from any thread, or over HTTP with :func:`fault_routes` (``POST /_sim/ws-faults``).

The hub needs one thing from the server: who an approval key belongs to. See
:func:`hub_for` for the lookup it uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import json
import logging
import random
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from .._generated.streams import RECORDS
from ..realtime.crypto import new_key_iv
from ..realtime.frames import PINGPONG, ack_message, encode_frame, pingpong_message
from ..realtime.subscriptions import WsLimits, is_encrypted
from .feed import FillNotice, SyntheticFeed

__all__ = [
    "DemoApprovals",
    "RealtimeHub",
    "WsConfig",
    "WsFaults",
    "WsIdentity",
    "fault_routes",
    "hub_for",
    "serve_standalone",
    "standalone_app",
    "websocket_routes",
]

_log = logging.getLogger("hantoo.sim.ws")

KST = dt.timezone(dt.timedelta(hours=9), "KST")
NOTICE_TRS = {"H0STCNI0", "H0STCNI9"}


@dataclass(frozen=True, slots=True)
class WsIdentity:
    """Who an approval key belongs to: the app key (limits are per app key)."""

    app_key: str
    hts_id: str | None = None
    paper: bool = False


ApprovalLookup = Callable[[str], WsIdentity | None]
HtsBinder = Callable[[str, str], None]
"""``(app_key, hts_id)``: called when a key subscribes a notice TR, so the simulator can bind
the HTS ID as the key's own (the first one wins), as KIS knows it from the account."""


@dataclass
class WsConfig:
    """Realtime knobs of the simulator (limits per the environment's profile)."""

    limits: WsLimits = field(default_factory=WsLimits)
    ping_interval: float = 10.0
    ping_grace: float = 30.0
    tick_interval: float = 0.25  # synthetic feed cadence per subscription
    max_records_per_frame: int = 3
    seed: int = 0
    # Bench mode: > 0 streams pre-built frames of this many records back to back, as fast as
    # the socket takes them (for throughput tests); 0 is the normal paced feed.
    bench_frame_records: int = 0


class WsFaults:
    """Run-time faults. Thread-safe: they only set values the sessions read."""

    def __init__(self, hub: RealtimeHub) -> None:
        self._hub = hub
        self.stall_until = 0.0
        self.frame_delay = 0.0
        self.drops = 0

    def drop_all(self) -> int:
        """Close every session now (clients see the socket close). Returns how many."""
        self.drops += 1
        return self._hub.drop_all()

    def stall(self, seconds: float) -> None:
        """Send nothing (data, acks, pings) for ``seconds``."""
        self.stall_until = time.monotonic() + seconds

    def delay(self, seconds: float) -> None:
        """Hold every outgoing frame for ``seconds`` (0 clears)."""
        self.frame_delay = max(0.0, seconds)

    def clear(self) -> None:
        self.stall_until = 0.0
        self.frame_delay = 0.0

    async def gate(self) -> None:
        wait = self.stall_until - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        if self.frame_delay:
            await asyncio.sleep(self.frame_delay)


class _Session:
    """One client connection's state on the server."""

    def __init__(self, hub: RealtimeHub, ws: WebSocket, number: int) -> None:
        self.hub = hub
        self.ws = ws
        self.number = number
        self.app_key: str | None = None
        self.subs: dict[tuple[str, str], None] = {}
        self.ciphers: dict[str, tuple[str, str]] = {}
        self.outbox: deque[str] = deque()
        self.outbox_ready = asyncio.Event()
        self.killed = asyncio.Event()
        self.last_answer = time.monotonic()
        self.released = False

    async def send(self, text: str) -> None:
        faults = self.hub.faults
        if faults.stall_until or faults.frame_delay:
            await faults.gate()
        await self.ws.send_text(text)

    def push(self, text: str) -> None:
        self.outbox.append(text)
        self.outbox_ready.set()

    def kill(self) -> None:
        self.hub.release(self)  # free the app key first, so a reconnect is not refused
        self.killed.set()


class RealtimeHub:
    """Every WebSocket session of one simulator, their registrations, the feed and faults."""

    def __init__(
        self,
        approvals: ApprovalLookup,
        config: WsConfig | None = None,
        feed: SyntheticFeed | None = None,
        bind_hts: HtsBinder | None = None,
    ) -> None:
        self.approvals = approvals
        self.bind_hts = bind_hts
        self.config = config or WsConfig()
        self.feed = feed or SyntheticFeed(self.config.seed)
        self.faults = WsFaults(self)
        self.sessions: set[_Session] = set()
        self._by_key: dict[str, list[_Session]] = {}
        self._registrations: dict[str, int] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._numbers = 0
        self.accepted = 0

    # -- run-time control (any thread) --------------------------------------------------------

    def _call(self, fn: Callable[[], Any]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            fn()
        else:
            loop.call_soon_threadsafe(fn)

    def drop_all(self) -> int:
        sessions = list(self.sessions)
        for s in sessions:
            # In the loop: the key is released before the close frame goes out, so a client
            # that reconnects at once is not refused with OPSP8996.
            self._call(s.kill)
        return len(sessions)

    def registrations(self, app_key: str) -> int:
        return self._registrations.get(app_key, 0)

    def release(self, sess: _Session) -> None:
        if sess.released:
            return
        sess.released = True
        self.sessions.discard(sess)
        self.feed.forget(sess.number)
        if sess.app_key is not None:
            holders = self._by_key.get(sess.app_key, [])
            if sess in holders:
                holders.remove(sess)
            self._registrations[sess.app_key] = max(
                0, self._registrations.get(sess.app_key, 0) - len(sess.subs)
            )

    # -- publishing (the engine's hook) -------------------------------------------------------

    def publish(self, tr_id: str, tr_key: str, rows: Sequence[Sequence[str]]) -> int:
        """Send records to every session subscribed to (``tr_id``, ``tr_key``); any thread.

        Notice TRs reach subscribers of both the real and the paper TR ID, encrypted with
        each session's key for that TR. Returns how many sessions were addressed.
        """
        targets = {tr_id} | (NOTICE_TRS if tr_id in NOTICE_TRS else set())
        rows = [list(r) for r in rows]
        count = 0
        for sess in list(self.sessions):
            for tr in targets:
                if (tr, tr_key) in sess.subs:
                    for start in range(0, len(rows), 999):
                        chunk = rows[start : start + 999]
                        cipher = sess.ciphers.get(tr) if is_encrypted(tr) else None
                        frame = encode_frame(tr, chunk, cipher=cipher)
                        self._call(functools.partial(sess.push, frame))
                    count += 1
        return count

    def publish_fill(self, notice: FillNotice) -> int:
        """An order event from the engine → the notice stream of its HTS ID."""
        return self.publish("H0STCNI0", notice.hts_id, [notice.row()])

    # -- the WebSocket endpoint ---------------------------------------------------------------

    async def endpoint(self, ws: WebSocket) -> None:
        self._loop = asyncio.get_running_loop()
        self._numbers += 1
        self.accepted += 1
        await ws.accept()
        sess = _Session(self, ws, self._numbers)
        self.sessions.add(sess)
        _hook_pong_frames(ws, sess)
        tasks = [
            asyncio.create_task(self._feed_loop(sess)),
            asyncio.create_task(self._outbox_loop(sess)),
            asyncio.create_task(self._ping_loop(sess)),
        ]
        killed = asyncio.create_task(sess.killed.wait())
        try:
            while True:
                recv = asyncio.ensure_future(ws.receive())
                done, _ = await asyncio.wait({recv, killed}, return_when=asyncio.FIRST_COMPLETED)
                if killed in done:
                    recv.cancel()
                    break
                msg = recv.result()
                if msg["type"] == "websocket.disconnect":
                    break
                text = msg.get("text")
                if text is None and msg.get("bytes") is not None:
                    text = msg["bytes"].decode("utf-8", "replace")
                if text:
                    await self._on_message(sess, text)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.release(sess)
            for t in (*tasks, killed):
                t.cancel()
            if sess.killed.is_set():
                with contextlib.suppress(Exception):
                    await ws.close(code=1012)

    async def _on_message(self, sess: _Session, text: str) -> None:
        try:
            msg = json.loads(text)
            header = msg["header"]
        except (ValueError, TypeError, KeyError):
            await sess.send(
                ack_message("", "", rt_cd="1", msg_cd="OPSP0001", msg1="JSON PARSING ERROR")
            )
            return
        if not isinstance(header, dict):
            await sess.send(
                ack_message("", "", rt_cd="1", msg_cd="OPSP0001", msg1="JSON PARSING ERROR")
            )
            return
        if header.get("tr_id") == PINGPONG:
            sess.last_answer = time.monotonic()
            return
        body = msg.get("body")
        inp = body.get("input") if isinstance(body, dict) else None
        if not isinstance(inp, dict):
            await sess.send(
                ack_message(
                    "", "", rt_cd="1", msg_cd="OPSP0001", msg1="JSON PARSING ERROR : body.input"
                )
            )
            return
        tr_id, tr_key = str(inp.get("tr_id", "")), str(inp.get("tr_key", ""))
        sess.last_answer = time.monotonic()  # any request shows the client is alive
        reply = self._subscription(sess, header, tr_id, tr_key)
        await sess.send(reply)

    def _subscription(self, sess: _Session, header: dict[str, Any], tr_id: str, tr_key: str) -> str:
        def fail(code: str, text: str) -> str:
            return ack_message(tr_id, tr_key, rt_cd="1", msg_cd=code, msg1=text)

        ident = self.approvals(str(header.get("approval_key", "")))
        if ident is None:
            return fail("OPSP0011", "invalid approval : NOT FOUND")
        limits = self.config.limits
        if sess.app_key is None:
            holders = self._by_key.setdefault(ident.app_key, [])
            if len(holders) >= limits.sessions_per_key:
                return fail("OPSP8996", "ALREADY IN USE appkey")
            holders.append(sess)
            sess.app_key = ident.app_key
        elif sess.app_key != ident.app_key:
            return fail("OPSP8996", "ALREADY IN USE appkey")
        if tr_id not in RECORDS:
            return fail("OPSP0002", "invalid tr_id")
        if not tr_key:
            return fail("OPSP0003", "invalid tr_key")
        encrypted = is_encrypted(tr_id)
        item = (tr_id, tr_key)
        tr_type = str(header.get("tr_type", "1"))
        if tr_type == "2":
            if item not in sess.subs:
                return fail("OPSP0003", "UNSUBSCRIBE ERROR(not found!)")
            del sess.subs[item]
            self._registrations[ident.app_key] -= 1
            return ack_message(
                tr_id,
                tr_key,
                rt_cd="0",
                msg_cd="OPSP0001",
                msg1="UNSUBSCRIBE SUCCESS",
                encrypted=encrypted,
            )
        if tr_type != "1":
            return fail("OPSP0001", "JSON PARSING ERROR : invalid tr_type")
        if item in sess.subs:
            return fail("OPSP0002", "ALREADY IN SUBSCRIBE")
        used = self._registrations.get(ident.app_key, 0)
        per_session = limits.registrations_per_session
        if used >= limits.registrations_per_key or (
            per_session is not None and len(sess.subs) >= per_session
        ):
            return fail("OPSP0008", "MAX SUBSCRIBE OVER")
        sess.subs[item] = None
        self._registrations[ident.app_key] = used + 1
        if not encrypted:
            self.feed.subscribed(tr_id, tr_key, sess.number)
        if tr_id in NOTICE_TRS and self.bind_hts is not None:
            # A client names its HTS ID only here; no simulator-only registration is needed.
            self.bind_hts(ident.app_key, tr_key)
        # KIS answers every successful subscription with a key/iv in ``output``, plain TRs
        # included (their frames stay unencrypted, flag 0); only the notice TRs use it.
        cipher = sess.ciphers.get(tr_id)
        if cipher is None:
            cipher = sess.ciphers[tr_id] = new_key_iv()
        return ack_message(
            tr_id,
            tr_key,
            rt_cd="0",
            msg_cd="OPSP0000",
            msg1="SUBSCRIBE SUCCESS",
            encrypted=encrypted,
            cipher=cipher,
        )

    # -- per-session loops --------------------------------------------------------------------

    async def _outbox_loop(self, sess: _Session) -> None:
        while True:
            await sess.outbox_ready.wait()
            sess.outbox_ready.clear()
            while sess.outbox:
                await sess.send(sess.outbox.popleft())

    async def _ping_loop(self, sess: _Session) -> None:
        cfg = self.config
        while True:
            await asyncio.sleep(cfg.ping_interval)
            now = time.monotonic()
            if now - sess.last_answer > cfg.ping_grace:
                _log.info(
                    "ws session %d: no PINGPONG answer for %.1fs; dropping",
                    sess.number,
                    now - sess.last_answer,
                )
                sess.kill()
                return
            stamp = dt.datetime.fromtimestamp(self.feed.clock(), KST).strftime("%Y%m%d%H%M%S")
            await sess.send(pingpong_message(stamp))

    async def _feed_loop(self, sess: _Session) -> None:
        cfg = self.config
        if cfg.bench_frame_records > 0:
            await self._bench_loop(sess, cfg.bench_frame_records)
            return
        feed = self.feed
        rng = random.Random(cfg.seed + sess.number)
        while True:
            await asyncio.sleep(cfg.tick_interval)
            for tr_id, tr_key in list(sess.subs):
                if is_encrypted(tr_id):
                    feed.catch_up(tr_id)  # a resting futures order may have filled by now
                    continue  # notices come from real fills only
                n = rng.randint(1, max(1, cfg.max_records_per_frame))
                rows = feed.rows(tr_id, tr_key, n, sess.number)
                if rows:  # an engine-backed TR sends nothing when nothing happened
                    await sess.send(encode_frame(tr_id, rows))

    async def _bench_loop(self, sess: _Session, per_frame: int) -> None:
        frames: dict[tuple[str, str], list[str]] = {}
        while True:
            items = [s for s in sess.subs if not is_encrypted(s[0])]
            if not items:
                await asyncio.sleep(0.01)
                continue
            for item in items:
                pre = frames.get(item)
                if pre is None:
                    pre = frames[item] = [
                        encode_frame(item[0], self.feed.rows(item[0], item[1], per_frame))
                        for _ in range(4)
                    ]
                for frame in pre:
                    await sess.send(frame)
                    await asyncio.sleep(0)


def _hook_pong_frames(ws: WebSocket, sess: _Session) -> None:
    """Count a client's pong frames as PINGPONG answers.

    ASGI does not surface pong frames, so this wraps the ``handle_pong`` method of uvicorn's
    WebSocket protocol object (reachable as the ``receive`` callable's owner) when there is
    one. Under another server the hook is skipped and only text echoes count.
    """
    proto = getattr(getattr(ws, "_receive", None), "__self__", None)
    original = getattr(proto, "handle_pong", None)
    if proto is None or original is None:
        return

    def handle_pong(event: Any) -> None:
        # Only a pong that echoes the PINGPONG text counts; pongs to the server's own
        # protocol-level pings are answered by any client library automatically.
        if PINGPONG.encode() in bytes(getattr(event, "data", b"")):
            sess.last_answer = time.monotonic()
        original(event)

    with contextlib.suppress(AttributeError):
        proto.handle_pong = handle_pong


# --------------------------------------------------------------------------- mounting


def hub_for(state: Any) -> RealtimeHub:
    """The hub attached to ``state`` (``state.realtime_hub``), created on first use.

    The approval-key lookup is taken from ``state.ws_identity(approval_key) -> WsIdentity |
    None`` when the state offers it; otherwise from ``state.approval_lookup`` (same signature).
    The limits and ping settings come from ``state.ws_config`` (a :class:`WsConfig`) when set.
    """
    hub = getattr(state, "realtime_hub", None)
    if isinstance(hub, RealtimeHub):
        return hub
    lookup = getattr(state, "ws_identity", None) or getattr(state, "approval_lookup", None)
    if lookup is None:
        raise TypeError(
            "the simulator state must offer ws_identity(approval_key) -> WsIdentity | None "
            "for the WebSocket routes"
        )
    config = getattr(state, "ws_config", None)
    ws_config = config if isinstance(config, WsConfig) else WsConfig()
    feed: SyntheticFeed | None = None
    exchange = getattr(state, "exchange", None)
    if exchange is not None and ws_config.bench_frame_records == 0:
        from .deriv_feed import DerivFeed  # the engine feed, plus futures/options (issue 14)

        feed = DerivFeed(exchange, ws_config.seed)
    elif exchange is not None:
        feed = SyntheticFeed(ws_config.seed, clock=lambda: exchange.clock.now_us() / 1_000_000)
    binder = None
    if getattr(state, "auth", None) is not None:
        from .notices import hts_binder

        binder = hts_binder(state)
    hub = RealtimeHub(lookup, ws_config, feed, binder)
    with contextlib.suppress(AttributeError):
        state.realtime_hub = hub
    if binder is not None and exchange is not None:
        from .deriv_notices import watch_fills  # futures/options fill notices (issue 14)

        watch_fills(state, exchange)
    return hub


def websocket_routes(state: Any) -> list[WebSocketRoute]:
    """The realtime endpoints: ``/tryitout``, ``/tryitout/<TR_ID>`` and ``/``."""
    hub = state if isinstance(state, RealtimeHub) else hub_for(state)
    return [
        WebSocketRoute("/tryitout", hub.endpoint),
        WebSocketRoute("/tryitout/{tr_id}", hub.endpoint),
        WebSocketRoute("/", hub.endpoint),
    ]


def fault_routes(state: Any) -> list[Route]:
    """``POST /_sim/ws-faults`` {"action": "drop"|"stall"|"delay"|"clear", "seconds": n}."""
    hub = state if isinstance(state, RealtimeHub) else hub_for(state)

    async def faults(request: Request) -> JSONResponse:
        try:
            data = await request.json()
            action = str(data.get("action", ""))
            seconds = float(data.get("seconds", 0))
        except (ValueError, TypeError, AttributeError):
            return JSONResponse({"error": "expected JSON {action, seconds}"}, status_code=400)
        if action == "drop":
            return JSONResponse({"dropped": hub.faults.drop_all()})
        if action == "stall":
            hub.faults.stall(seconds)
        elif action == "delay":
            hub.faults.delay(seconds)
        elif action == "clear":
            hub.faults.clear()
        else:
            return JSONResponse({"error": f"unknown action {action!r}"}, status_code=400)
        return JSONResponse({"ok": True, "action": action, "seconds": seconds})

    return [Route("/_sim/ws-faults", faults, methods=["POST"])]


# --------------------------------------------------------------------------- standalone


class DemoApprovals:
    """An approval-key registry for :func:`standalone_app`: any app key gets a key.

    The full simulator uses its own auth registry; this stands in for tests and benchmarks.
    """

    def __init__(self) -> None:
        self._keys: dict[str, WsIdentity] = {}

    def issue(self, app_key: str, hts_id: str | None = None) -> str:
        key = str(uuid.uuid4())
        self._keys[key] = WsIdentity(app_key, hts_id)
        return key

    def __call__(self, approval_key: str) -> WsIdentity | None:
        return self._keys.get(approval_key)


def standalone_app(
    config: WsConfig | None = None, approvals: DemoApprovals | None = None
) -> tuple[Starlette, RealtimeHub]:
    """A minimal app: the WebSocket routes, ``POST /oauth2/Approval`` and the fault route."""
    registry = approvals or DemoApprovals()
    hub = RealtimeHub(registry, config)

    async def approval(request: Request) -> JSONResponse:
        try:
            data = await request.json()
            app_key = str(data["appkey"])
            str(data["secretkey"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse(
                {"error_code": "EGW00103", "error_description": "appkey/secretkey required"},
                status_code=403,
            )
        return JSONResponse({"approval_key": registry.issue(app_key)})

    routes: list[BaseRoute] = [Route("/oauth2/Approval", approval, methods=["POST"])]
    routes += fault_routes(hub)
    routes += websocket_routes(hub)
    return Starlette(routes=routes), hub


@contextlib.contextmanager
def serve_standalone(app: Starlette) -> Iterator[tuple[str, str]]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (a free port) in a thread; yields URLs."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
