"""Why a rate-limited server refuses a client that spaces its calls (issue 18): one timeline
per request, from the client's limiter slot to the server's arrival stamp.

Two wrappers, each run as its own process, and a report:

* ``python refusal_trace.py serve OUT ARGS...`` runs ``hantoo sim serve ARGS`` and records, per
  request, when its first bytes reached the server's event loop (uvicorn's
  ``data_received``), when the rate limit checked it (``Limiter.check``), whether it was
  refused, and the stall allowance (:class:`hantoo.sim.limits.LoopWatch`) at that moment;
* ``python refusal_trace.py client OUT ARGS...`` runs ``hantoo ARGS`` (e.g. ``download``) and
  records, per request, its limiter slot, when the limiter let it go, when the driver built
  the request and when httpcore wrote its head to the socket (``trace`` extension), plus any
  new TCP connection;
* :func:`report` joins the two on an ``X-Trace`` header the client adds.

Both processes stamp ``time.monotonic()``, which on Linux is one clock for the whole machine,
so the timelines compare directly. Nothing in the library knows about this module.
"""

from __future__ import annotations

import atexit
import contextvars
import itertools
import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

_TRACE = "x-trace"


def _dump(path: str, rows: list[Any]) -> None:
    Path(path).write_text(json.dumps(rows), encoding="utf-8")


def serve(out: str, args: list[str]) -> None:
    from hantoo.sim import app as sim_app
    from hantoo.sim.http_cased import CasedHttpToolsProtocol
    from hantoo.sim.limits import Limiter

    rows: list[dict[str, Any]] = []
    current: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
        "w18", default=None)
    atexit.register(lambda: _dump(out, rows))

    base_received = CasedHttpToolsProtocol.data_received
    base_headers = CasedHttpToolsProtocol.on_headers_complete

    def data_received(self: Any, data: bytes) -> None:
        self._rx = time.monotonic()
        base_received(self, data)

    def on_headers_complete(self: Any) -> None:
        scope = self.scope
        base_headers(self)
        scope["trace_rx"] = getattr(self, "_rx", None)

    base_call = sim_app.SimApp._call

    async def _call(self: Any, scope: Any, receive: Any, send: Any, route: Any,
                    headers: dict[str, str], extra: Any) -> Any:
        row = {"id": headers.get(_TRACE), "rx": scope.get("trace_rx"),
               "start": time.monotonic()}
        token = current.set(row)
        try:
            return await base_call(self, scope, receive, send, route, headers, extra)
        finally:
            current.reset(token)

    base_check = Limiter.check

    def check(self: Limiter, key: str, profile: Any) -> Any:
        verdict = base_check(self, key, profile)
        row = current.get()
        if row is not None and verdict is not None:
            row["check"] = self.clock()
            row["ok"] = verdict.allowed
            row["slack"] = self.watch.slack(row["check"], 1.0) if self.watch else None
            rows.append(row)
        return verdict

    CasedHttpToolsProtocol.data_received = data_received  # type: ignore[method-assign]
    CasedHttpToolsProtocol.on_headers_complete = on_headers_complete  # type: ignore[method-assign]
    sim_app.SimApp._call = _call  # type: ignore[method-assign]
    Limiter.check = check  # type: ignore[method-assign]
    _run_cli(args)


def client(out: str, args: list[str]) -> None:
    from hantoo._core import drivers
    from hantoo._core.limiter import RateLimiter

    rows: dict[int, dict[str, Any]] = {}
    job = Path(out).stem  # ids are unique across the jobs of one report
    lock = threading.Lock()
    ids = itertools.count(1)
    pending: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar(
        "w18slot", default=None)
    atexit.register(lambda: _dump(out, list(rows.values())))

    base_reserve = RateLimiter._reserve
    base_hold = RateLimiter._hold

    def _reserve(self: RateLimiter, now: float | None) -> tuple[float, float]:
        slot, at = base_reserve(self, now)
        pending.set({"slot": slot, "asked": at})
        return slot, at

    def _hold(self: RateLimiter, slot: float) -> Any:
        held = base_hold(self, slot)
        hold = held[0] if isinstance(held, tuple) else held  # main's _hold returns a float
        if hold <= 0:
            mark = pending.get()
            if mark is not None:
                mark["release"] = time.monotonic()
        return held

    base_request = drivers._httpx_request

    def _httpx_request(http: Any, req: Any) -> Any:
        request = base_request(http, req)
        if req.url.startswith("/oauth2"):
            return request
        n = next(ids)
        row: dict[str, Any] = {"id": f"{job}:{n}", "built": time.monotonic(),
                               **(pending.get() or {})}
        pending.set(None)
        with lock:
            rows[n] = row
        request.headers[_TRACE] = row["id"]

        chained = request.extensions.get("trace")  # the SDK's own (the limiter's ticket)

        def trace(event: str, info: Any) -> None:
            if chained is not None:
                chained(event, info)
            if event in ("connection.connect_tcp.started", "http11.send_request_headers.started",
                         "http11.send_request_headers.complete",
                         "http11.receive_response_headers.complete"):
                row[event.split(".", 1)[1]] = time.monotonic()

        request.extensions["trace"] = trace
        return request

    RateLimiter._reserve = _reserve  # type: ignore[method-assign]
    RateLimiter._hold = _hold  # type: ignore[method-assign]
    drivers._httpx_request = _httpx_request  # type: ignore[assignment]
    _run_cli(args)


def _run_cli(args: list[str]) -> None:
    from hantoo.cli.main import main

    # uvicorn re-raises the SIGTERM it caught once it has shut down: exit through atexit then
    signal.signal(signal.SIGTERM, lambda _n, _f: sys.exit(0))

    sys.argv = ["hantoo", *args]
    try:
        main()
    except SystemExit as exit_:
        if exit_.code not in (0, None):
            raise


def _ms(v: float | None, t0: float) -> str:
    return f"{(v - t0) * 1e3:9.1f}" if v is not None else "        -"


def report(server_path: Path, client_paths: list[Path], *, limit: int, period: float = 1.0,
           shown: int = 3) -> str:
    """Per refused request: the window the server counted, seen from both ends."""
    srv = json.loads(server_path.read_text(encoding="utf-8"))
    cli: dict[str, dict[str, Any]] = {}
    for path in client_paths:
        for r in json.loads(path.read_text(encoding="utf-8")):
            cli[r["id"]] = r
    srv.sort(key=lambda r: r["check"])
    accepted = [r for r in srv if r["ok"]]
    refused = [r for r in srv if not r["ok"]]
    lines = [f"server: {len(srv)} checks, {len(refused)} refused; client: {len(cli)} requests"]

    def lag(r: dict[str, Any], a: str, b: str) -> float | None:
        c = cli.get(r["id"])
        if c is None or a not in c or b not in c:
            return None
        return float(c[b] - c[a])

    # how late each stage is relative to the previous one, over every request
    stages = [("slot", "release"), ("release", "built"),
              ("built", "send_request_headers.complete")]
    for a, b in stages:
        vals = sorted(v for r in srv if (v := lag(r, a, b)) is not None)
        if vals:
            lines.append(f"  {a} -> {b}: p50 {vals[len(vals) // 2] * 1e3:.1f} ms, p99 "
                         f"{vals[int(len(vals) * 0.99)] * 1e3:.1f} ms, max {vals[-1] * 1e3:.1f} ms")
    for name, key in (("send -> rx", "rx"), ("send -> check", "check")):
        vals = sorted(r[key] - cli[r["id"]]["send_request_headers.complete"] for r in srv
                      if r["id"] in cli and "send_request_headers.complete" in cli[r["id"]]
                      and r.get(key) is not None)
        if vals:
            lines.append(f"  {name}: p50 {vals[len(vals) // 2] * 1e3:.1f} ms, p99 "
                         f"{vals[int(len(vals) * 0.99)] * 1e3:.1f} ms, "
                         f"max {vals[-1] * 1e3:.1f} ms")
    sends = sorted(c["send_request_headers.complete"] for c in cli.values()
                   if "send_request_headers.complete" in c)
    tight = min((sends[i + limit] - sends[i] for i in range(len(sends) - limit)), default=0.0)
    rel = sorted(c["release"] for c in cli.values() if "release" in c)
    tight_rel = min((rel[i + limit] - rel[i] for i in range(len(rel) - limit)), default=0.0)
    checks = sorted(r["check"] for r in accepted)
    tight_chk = min((checks[i + limit] - checks[i] for i in range(len(checks) - limit)),
                    default=0.0)
    lines.append(f"  tightest {limit + 1} consecutive: limiter releases {tight_rel:.3f} s, "
                 f"socket writes {tight:.3f} s, server checks (accepted) {tight_chk:.3f} s")
    cases: list[tuple[str, list[dict[str, Any]]]] = []
    for r in refused[:shown]:
        window = [a for a in accepted if r["check"] - period < a["check"] <= r["check"]]
        cases.append((f"refused id {r['id']} at check {r['check']:.3f}: {len(window)} accepted "
                      f"in the {period:g} s before; slack {r['slack']}", [*window, r]))
    if len(accepted) > limit:  # the closest call: the tightest limit + 1 accepted checks
        i = min(range(len(accepted) - limit),
                key=lambda i: accepted[i + limit]["check"] - accepted[i]["check"])
        near = accepted[i:i + limit + 1]
        cases.append((f"tightest accepted window: {limit + 1} checks in "
                      f"{near[-1]['check'] - near[0]['check']:.3f} s; slack at its end "
                      f"{near[-1]['slack']}", near))
    for title, members in cases:
        lines.append(title)
        lines.append("    id      slot   release     built      sent        rx     check  ok")
        t0 = members[0]["check"]
        shown_rows: list[dict[str, Any] | None] = [*members[:4], None, *members[-8:]]
        for m in shown_rows:
            if m is None:
                lines.append("    ...")
                continue
            c = cli.get(m["id"], {})
            lines.append(f"    {m['id']:>5} {_ms(c.get('slot'), t0)} {_ms(c.get('release'), t0)} "
                         f"{_ms(c.get('built'), t0)} "
                         f"{_ms(c.get('send_request_headers.complete'), t0)} "
                         f"{_ms(m.get('rx'), t0)} {_ms(m['check'], t0)}  {int(m['ok'])}"
                         + ("  new conn" if "connect_tcp.started" in c else ""))
        ws = [cli[m["id"]]["send_request_headers.complete"] for m in members
              if m["id"] in cli and "send_request_headers.complete" in cli[m["id"]]]
        wr = [cli[m["id"]]["release"] for m in members
              if m["id"] in cli and "release" in cli[m["id"]]]
        wx = [m["rx"] for m in members if m.get("rx") is not None]
        lines.append(f"    these {len(members)} requests: limiter releases span "
                     f"{max(wr) - min(wr):.3f} s, socket writes {max(ws) - min(ws):.3f} s, "
                     f"server rx {max(wx) - min(wx):.3f} s, checks "
                     f"{members[-1]['check'] - members[0]['check']:.3f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    mode, out, *rest = sys.argv[1:]
    if mode == "serve":
        serve(out, rest)
    elif mode == "client":
        client(out, rest)
    else:
        raise SystemExit("usage: refusal_trace.py serve|client OUT ARGS...")
