"""Serving the simulator over real sockets with uvicorn.

* :func:`serve` — blocking; what ``hantoo sim serve`` calls.
* :func:`running_server` — a context manager that runs the server in a background thread on
  127.0.0.1 with an ephemeral port and stops it on exit; yields ``(base_url, ws_url)``. Tests and
  benchmarks use it.

HTTP implementation: ``httptools-cased`` by default — uvicorn's httptools server (request parsing
in C) with response header names written exactly as the app gives them, so the wire carries
``Content-Type`` capitalised as KIS sends it (:mod:`hantoo.sim.http_cased`). ``h11`` also keeps
the case but costs about 0.5 ms of server CPU per request in Python; plain ``httptools``
lower-cases every header name (harmless for HTTP clients, which must ignore case). The
WebSocket paths (``/tryitout`` and ``/``) are served by the
same server when ``hantoo.sim.ws`` provides routes.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, Literal

from .app import SimApp, create_app
from .state import SimConfig

__all__ = ["build_server", "running_server", "serve"]

HttpImpl = Literal["httptools-cased", "h11", "httptools"]


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio enables TCP_NODELAY on accepted sockets only when it does, and
    # without it Nagle + delayed ACK add ~40 ms to every response (header and body are two writes)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def build_server(
    app: SimApp,
    *,
    http: HttpImpl = "httptools-cased",
    log_level: str = "warning",
    access_log: bool = False,
) -> Any:
    """A ``uvicorn.Server`` for ``app`` (not started)."""
    import uvicorn

    protocol: Any = http
    if http == "httptools-cased":
        try:
            from .http_cased import CasedHttpToolsProtocol
        except ImportError:  # uvicorn without httptools: h11 keeps the header case too, slower
            protocol = "h11"
        else:
            protocol = CasedHttpToolsProtocol
    config = uvicorn.Config(
        app,
        http=protocol,
        ws="websockets-sansio",
        lifespan="on",
        loop="asyncio",
        log_level=log_level,
        access_log=access_log,
        server_header=False,
        date_header=False,
        # the simulator never reads the client address; uvicorn's X-Forwarded-For rewriting
        # would only cost time on every request
        proxy_headers=False,
    )
    return uvicorn.Server(config)


def serve(
    config: SimConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    http: HttpImpl = "httptools-cased",
    app: SimApp | None = None,
    log_level: str = "info",
    access_log: bool = False,
    on_ready: Any = None,
) -> None:
    """Run the simulator until interrupted. ``port=0`` picks a free port; ``on_ready(base_url,
    ws_url)`` is called once it listens (the CLI prints the URLs from there)."""
    app = app or create_app(config or SimConfig())
    sock = _bind(host, port)
    server = build_server(app, http=http, log_level=log_level, access_log=access_log)
    if on_ready is not None:
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host

        def _notify() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.01)
            if server.started:
                on_ready(f"http://{shown}:{bound}", f"ws://{shown}:{bound}")

        threading.Thread(target=_notify, daemon=True).start()
    server.run(sockets=[sock])


@contextlib.contextmanager
def running_server(
    config: SimConfig | None = None,
    *,
    app: SimApp | None = None,
    http: HttpImpl = "httptools-cased",
    startup_timeout: float = 10.0,
) -> Iterator[tuple[str, str]]:
    """Run the simulator on 127.0.0.1:<ephemeral> in a thread; yield ``(base_url, ws_url)``."""
    app = app or create_app(config or SimConfig())
    sock = _bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = build_server(app, http=http)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="hantoo-sim-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the simulator server did not start")
        time.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
