"""The simulator's ASGI app: the KIS REST wire protocol in front of the engine.

``create_app(SimConfig(...))`` returns a :class:`SimApp` (a Starlette app). HTTP requests are
served by one hand-written pipeline rather than 276 Starlette routes, for speed and so that every
failure has a KIS-shaped answer; Starlette keeps the WebSocket routes (``hantoo.sim.ws``, mounted
when that module exists) and the lifespan.

The pipeline of an API call, in the order the checks run (the first failure answers)::

    path → route (404 SIM00404)          method (405 SIM00405)         faults: maintenance,
    reset, 5xx (before anything runs)    body size ≤ 64 KiB (SIM00413)  appkey/appsecret
    (EGW00103/105)                       rate limit (EGW00201)          token (EGW00122/121/123)
    tr_id: path + persona (SIM00410, EGW00213)                          params per catalogue
    (OPSQ2001)                           hashkey header (EGW00131)      account (OPSQ2000)
    values per catalogue (``hantoo.sim.validation``: OPSQ2001, MCA05918)
    → handler (registry / SimState.handlers) or the generic responder → drop fault → response

Status codes and bodies: see ``hantoo.sim.replies``. Token endpoints (``/oauth2/tokenP``,
``revokeP``, ``Approval``) and ``/uapi/hashkey`` follow ``hantoo.sim.auth``.

Control endpoints (JSON; for tests, benchmarks and the CLI — not part of KIS):

``GET /_sim/stats``           counters, token issuances per key id (``hantoo.sim.auth.key_id``)
``GET|POST /_sim/faults``     fault knobs and counters; POST a partial ``FaultConfig`` and/or
                              ``{"revoke_tokens": "<appkey>" | "*"}``, ``{"clear": true}``
``POST /_sim/keys``           register ``{appkey, appsecret, persona, account?, hts_id?}``
``GET|POST /_sim/clock``      the simulator time; POST ``{"advance_s": n}``
``POST /_sim/limits``         ``{"limits": "off" | "real" | "paper" | "auto" | "30/s+..."}``
``GET /openapi.json``         the OpenAPI document generated from the catalogue

Response headers on the wire: ``Content-Type: application/json; charset=UTF-8`` (capitalised as
KIS sends it), then lower-case ``tr_id``, ``tr_cont``, ``gt_uid``, and ``X-RateLimit-*`` when the
key is rate limited. ASGI carries header names as bytes; the h11 server (``server.serve``'s
default) writes them as given, the httptools server lower-cases every name.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import inspect
import json
import logging
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from . import generic
from .auth import AppKey
from .engine.clock import from_us
from .faults import ConnectionReset, ResponseDropped
from .handlers import Call, Reply, handler_for
from .limits import LoopWatch, watch_loop
from .replies import (
    BAD_METHOD,
    CONTENT_TYPE,
    GATEWAY_TIMEOUT,
    HASHKEY_INVALID,
    INTERNAL,
    MAINTENANCE,
    RATE_LIMITED,
    TOO_LARGE,
    UNKNOWN_PATH,
    KisError,
    api_error,
    encode_body,
)
from .routing import Route, account_of, check_tr_id, parse_body, parse_params, route_for
from .state import KeySpec, SimConfig, SimState
from .validation import validate

__all__ = ["KeySpec", "SimApp", "SimConfig", "SimState", "create_app"]

_log = logging.getLogger("hantoo.sim.app")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_H_CT = (b"Content-Type", CONTENT_TYPE)


class _BodyTooLarge(Exception):
    pass


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    """While served (``hantoo sim serve``), measure the event loop's own stalls so the rate
    limit does not count arrivals they bunched (``hantoo.sim.limits.LoopWatch``). In-process
    transports run no lifespan: there the limiter keeps its fixed tolerance."""
    limiter = app.state.sim.limiter
    limiter.watch = LoopWatch()
    task = asyncio.get_running_loop().create_task(watch_loop(limiter.watch))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        limiter.watch = None


class SimApp(Starlette):
    """The simulator app. ``app.sim`` (also ``app.state.sim``) is its :class:`SimState`."""

    sim: SimState

    def __init__(self, state: SimState, routes: list[BaseRoute]) -> None:
        super().__init__(routes=routes, lifespan=_lifespan)
        self.sim = state
        self.state.sim = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            await self._http(scope, receive, send)
        except (ResponseDropped, ConnectionReset):
            raise
        except Exception:  # the last net: never a traceback on the wire
            _log.exception("simulator error outside the request pipeline")
            self.sim.internal_errors += 1
            with contextlib.suppress(Exception):
                await _send(send, 500, {"rt_cd": "1", "msg_cd": INTERNAL,
                                        "msg1": "simulator internal error"}, [])

    # ------------------------------------------------------------------ HTTP dispatch

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = self.sim
        state.requests += 1
        path: str = scope["path"]
        if path in _CONTROL_PATHS:
            status = await self._control(scope, receive, send, path)
            _count(state, status)
            return
        if path.startswith("/_sim/"):  # other engineers' control routes (e.g. /_sim/ws-faults)
            await super().__call__(scope, receive, send)
            return
        route = route_for(path)
        date = _date_header(state)
        if route is None:
            await _send(send, 404, {"rt_cd": "1", "msg_cd": UNKNOWN_PATH,
                                    "msg1": f"없는 API 경로입니다: {path[:100]}"}, [date])
            _count(state, 404)
            return
        headers = _headers(scope)
        tr_sent = headers.get("tr_id", "").strip()
        extra: list[tuple[bytes, bytes]] = [date]
        try:
            reply = await self._call(scope, receive, send, route, headers, extra)
        except KisError as exc:
            reply = Reply(exc.body(), status=exc.status)
        except (ResponseDropped, ConnectionReset):
            _count(state, 0)
            raise
        except _Dropped:
            _count(state, 0)
            return
        except Exception as exc:
            _log.exception("handler for %s failed", route.api.key)
            state.internal_errors += 1
            reply = Reply(
                {"rt_cd": "1", "msg_cd": INTERNAL,
                 "msg1": f"simulator internal error in {route.api.key} ({type(exc).__name__})"},
                status=500,
            )
        if not route.is_auth:
            extra.append((b"tr_id", tr_sent.encode("latin-1", "replace")))
            extra.append((b"tr_cont", reply.tr_cont.encode("latin-1", "replace")))
            extra.append((b"gt_uid", state.next_gt_uid().encode()))
        for k, v in reply.headers.items():
            extra.append((k.encode("latin-1"), v.encode("latin-1", "replace")))
        await _send(send, reply.status, reply.body, extra)
        _count(state, reply.status)

    async def _call(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        route: Route,
        headers: dict[str, str],
        extra: list[tuple[bytes, bytes]],
    ) -> Reply:
        state = self.sim
        api = route.api
        method = scope["method"]
        if method != route.method:
            extra.append((b"Allow", route.method.encode()))
            raise KisError(
                BAD_METHOD,
                f"{api.path}는 {route.method} 전용입니다 (method {method[:10]} not allowed)",
                status=405,
            )
        rec = None
        if not route.is_auth:
            # A gateway counts a call when it arrives: before any injected delay.
            rec = state.auth.identify(headers.get("appkey", ""), headers.get("appsecret", ""))
            verdict = state.limiter.check(rec.id, state.profile_for(rec))
            if verdict is not None:
                extra.extend(verdict.headers())
                if not verdict.allowed:
                    raise api_error(RATE_LIMITED)
        faults = state.faults
        faulty = faults.active and not route.is_auth and faults.applies(api.key, api.kind)
        if faulty:
            delay = faults.delay_s("before")
            if delay:
                await asyncio.sleep(delay)
            now = state.clock.now()
            pre = faults.before(now.hour * 60 + now.minute)
            if pre == "maintenance":
                raise api_error(MAINTENANCE, status=503)
            if pre == "reset":
                await _abort(send, reset=True)
            if pre == "error":
                raise api_error(GATEWAY_TIMEOUT)
        body = await _read_body(receive, headers, state.config.max_body_bytes)
        if rec is None:
            return self._auth(route, headers, body)
        state.auth.check_token(headers.get("authorization", ""), rec)
        tr_id = check_tr_id(route, headers.get("tr_id", ""), rec.persona,
                            strict=state.config.strict_tr_ids, seen_legacy=state.legacy_trs_seen)
        params, raw = parse_params(route, scope.get("query_string", b""), body)
        given_hash = headers.get("hashkey")
        if given_hash and route.method == "POST" and not state.auth.verify_hashkey(
            rec, raw, given_hash
        ):
            raise api_error(HASHKEY_INVALID)
        account = None
        if route.takes_account:
            account = state.bind_account(rec, account_of(params))
        validate(api, params, getattr(state.exchange, "universe", None))
        state.calls_by_api[api.key] = state.calls_by_api.get(api.key, 0) + 1
        call = Call(
            api=api, tr_id=tr_id, params=params, key=rec, account=account, state=state,
            tr_cont=headers.get("tr_cont", ""), headers=headers,
        )
        handler = state.handlers.get(api.key) or handler_for(api.key)
        if handler is None:
            reply = generic.respond(call)
        else:
            result = handler(call)
            reply = await result if inspect.isawaitable(result) else result
            if not isinstance(reply, Reply):
                raise TypeError(f"handler for {api.key} returned {type(reply).__name__}, not Reply")
        await state.durable()  # acknowledge only what the journal holds on disk
        if faulty:
            # The call has executed (and committed): hold or lose its answer.
            held = faults.delay_s("after") + faults.late_s()
            if held:
                await asyncio.sleep(held)
            if faults.drop_after():
                await _abort(send, reset=False)
        return reply

    # ------------------------------------------------------------------ token endpoints

    def _auth(self, route: Route, headers: dict[str, str], body: bytes) -> Reply:
        auth = self.sim.auth
        data = parse_body(route, body)
        name = route.api.key
        if name == "auth/hashkey":
            rec = auth.identify(headers.get("appkey", ""), headers.get("appsecret", ""))
            verdict = self.sim.limiter.check(rec.id, self.sim.profile_for(rec))
            if verdict is not None and not verdict.allowed:
                raise api_error(RATE_LIMITED)
            return Reply({"BODY": data, "HASH": auth.hashkey(rec, data)})

        def field(key: str) -> str:
            v = data.get(key, "")
            if not isinstance(v, str):
                raise KisError("EGW00002", f"{key} must be a string", status=403,
                               token_shape=True)
            return v

        if name == "auth/auth_token":
            grant = field("grant_type")
            if grant != "client_credentials":
                raise KisError(
                    "EGW00002", "grant_type must be client_credentials", status=403,
                    token_shape=True,
                )
            return Reply(auth.issue_token(field("appkey"), field("appsecret")))
        if name == "auth/revokeP":
            return Reply(auth.revoke(field("appkey"), field("appsecret"), field("token")))
        # auth/auth_ws_token: the body says "secretkey", not "appsecret"
        secret = field("secretkey") or field("appsecret")
        return Reply(auth.approval(field("appkey"), secret))

    # ------------------------------------------------------------------ control endpoints

    async def _control(self, scope: Scope, receive: Receive, send: Send, path: str) -> int:
        state = self.sim
        method = scope["method"]
        status = 200
        try:
            data: dict[str, Any] = {}
            if method == "POST":
                body = await _read_body(receive, _headers(scope), state.config.max_body_bytes)
                loaded = json.loads(body) if body.strip() else {}
                if not isinstance(loaded, dict):
                    raise ValueError("send a JSON object")
                data = loaded
            if path == "/openapi.json":
                from .openapi import openapi_bytes

                await _send_raw(send, 200, openapi_bytes(), [])
                return 200
            result = self._control_action(path, method, data)
            await state.durable()
        except (_BodyTooLarge, ValueError, TypeError, KeyError) as exc:
            status, result = 400, {"error": str(exc)[:300]}
        except LookupError:
            status, result = 404, {"error": f"no control endpoint {method} {path}"}
        if result is None:
            status, result = 404, {"error": f"no control endpoint {method} {path}"}
        await _send(send, status, result, [])
        return status

    def _control_action(self, path: str, method: str, data: dict[str, Any]) -> Any:
        state = self.sim
        if path == "/_sim/stats" and method == "GET":
            return state.stats()
        if path == "/_sim/health" and method == "GET":
            return {"status": "ok"}
        if path == "/_sim/universe" and method == "GET":
            from .universe_listing import universe_listing

            return universe_listing(state.exchange)
        if path == "/_sim/faults":
            if method == "POST":
                data = dict(data)
                if data.pop("clear", False):
                    state.faults.clear()
                revoke = data.pop("revoke_tokens", None)
                if data:
                    state.faults.update(**data)
                if revoke is not None:
                    n = state.auth.revoke_all(None if revoke == "*" else str(revoke))
                    state.faults.counters["revoked_tokens"] = (
                        state.faults.counters.get("revoked_tokens", 0) + n
                    )
            return state.faults.snapshot()
        if path == "/_sim/keys" and method == "POST":
            persona = data.get("persona", state.config.persona)
            if persona not in ("real", "paper"):
                raise ValueError("persona must be real or paper")
            from hantoo.config import parse_account

            account = data.get("account")
            rec: AppKey = state.register_key(
                str(data["appkey"]), str(data["appsecret"]), persona=persona,
                account=parse_account(str(account)) if account else None,
                hts_id=str(data.get("hts_id", "")),
            )
            return {"key_id": rec.id, "persona": rec.persona}
        if path == "/_sim/clock":
            if method == "POST":
                seconds = data.get("advance_s", 0)
                if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
                    raise ValueError("advance_s must be a non-negative integer")
                state.clock.advance(timedelta(seconds=seconds))
                note = getattr(state.exchange, "note_clock", None)
                if note is not None:
                    note()  # journaled, so a restart resumes at the advanced time
            return {"now": state.clock.now().isoformat(), "mode": state.clock.mode.value}
        if path == "/_sim/limits" and method == "POST":
            state.set_limits(str(data.get("limits", "auto")))
            state.limiter.reset()
            return {"limits": str(data.get("limits", "auto"))}
        return None


_CONTROL_PATHS = frozenset(
    {"/_sim/stats", "/_sim/health", "/_sim/faults", "/_sim/keys", "/_sim/clock", "/_sim/limits",
     "/openapi.json", "/_sim/universe"}
)


class _Dropped(Exception):
    """The connection was closed on purpose (real socket); nothing more to send."""


def _count(state: SimState, status: int) -> None:
    state.responses_by_status[status] = state.responses_by_status.get(status, 0) + 1


def _date_header(state: SimState) -> tuple[bytes, bytes]:
    """``Date`` on the simulator's clock: every time a client can see follows one clock, and
    the SDK learns the simulator's "today" from it (:mod:`hantoo._core.server_clock`).
    Formatted once per second of simulated time (the header has no finer unit)."""
    us = state.clock.now_us()
    last = _LAST_DATE[0]
    if last[0] == us // 1_000_000:
        return last[1]
    now = from_us(us).astimezone(dt.UTC)
    header = (b"Date", email.utils.format_datetime(now, usegmt=True).encode("ascii"))
    _LAST_DATE[0] = (us // 1_000_000, header)
    return header


_LAST_DATE: list[tuple[int, tuple[bytes, bytes]]] = [(-1, (b"Date", b""))]


def _headers(scope: Scope) -> dict[str, str]:
    # ASGI servers give lower-case names already; lower() again for any other caller.
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _read_body(receive: Receive, headers: dict[str, str], limit: int) -> bytes:
    declared = headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise KisError(TOO_LARGE, f"요청 본문이 너무 큽니다 ({declared} bytes > {limit} bytes)")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise KisError(TOO_LARGE, f"요청 본문이 너무 큽니다 (> {limit} bytes)")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send(
    send: Send, status: int, body: Any, extra: list[tuple[bytes, bytes]]
) -> None:
    await _send_raw(send, status, encode_body(body), extra)


async def _send_raw(
    send: Send, status: int, payload: bytes, extra: list[tuple[bytes, bytes]]
) -> None:
    headers = [_H_CT, (b"Content-Length", str(len(payload)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _abort(send: Send, *, reset: bool) -> None:
    """End the exchange without a response: close (drop) or reset the connection.

    Under uvicorn the ``send`` callable belongs to the request cycle, whose ``transport`` is the
    client connection: closing it sends nothing (drop = FIN, reset = RST via ``SO_LINGER`` 0).
    Elsewhere (in-process ASGI) raise :class:`ResponseDropped` / :class:`ConnectionReset`.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if not isinstance(transport, asyncio.BaseTransport):
        raise ConnectionReset("simulated connection reset") if reset else ResponseDropped(
            "simulated dropped response (the request was executed)"
        )
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if isinstance(transport, asyncio.Transport):
            transport.abort()
        else:  # pragma: no cover
            transport.close()
    else:
        transport.close()
    # let connection_lost run so the server marks the cycle disconnected and sends nothing
    for _ in range(3):
        await asyncio.sleep(0)
    raise _Dropped()


def _ws_routes(state: SimState) -> list[BaseRoute]:
    """The realtime engineer's WebSocket routes, when ``hantoo.sim.ws`` exists."""
    try:
        from . import ws  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return []
    routes: list[BaseRoute] = []
    factory = getattr(ws, "websocket_routes", None)
    if factory is not None:
        routes += list(factory(state))
    faults = getattr(ws, "fault_routes", None)
    if faults is not None:
        routes += list(faults(state))
    return routes


def create_app(
    config: SimConfig | None = None,
    *,
    exchange: Any = None,
    state: SimState | None = None,
) -> SimApp:
    """A new, independent simulator app. ``exchange`` injects a prebuilt engine (tests)."""
    if state is None:
        state = SimState(config or SimConfig(), exchange=exchange)
    return SimApp(state, _ws_routes(state))

