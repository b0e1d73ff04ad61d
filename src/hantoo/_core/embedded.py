"""The embedded simulator: what ``environment="sim"`` talks to when no server URL is given.

One simulator per process, created on first use: its ASGI app runs on a private event loop
(:class:`hantoo._core.inprocess.LoopThread`), so sync and async clients share the same exchange,
accounts and tokens, and no socket is opened. Its state is in memory unless ``HANTOO_SIM_STATE``
names a SQLite file. Tokens it issues are cached in a private temporary directory that is
removed at exit, so the user's real token cache is never touched by simulator tokens.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any

from .inprocess import LoopThread

__all__ = ["EmbeddedSim", "embedded_sim"]

_lock = threading.Lock()
_instance: EmbeddedSim | None = None


@dataclass
class EmbeddedSim:
    app: Any
    state: Any
    loop: LoopThread
    cache_dir: str
    _urls: tuple[str, str] | None = None

    def socket_urls(self) -> tuple[str, str]:
        """``(base_url, ws_url)`` of a loopback server for this simulator, started on demand.

        Realtime needs a real WebSocket, so the first stream starts uvicorn on 127.0.0.1 (an
        ephemeral port) *on the simulator's own event loop*: REST in-process and WebSocket
        over the socket then share one engine on one thread, as the engine requires.
        """
        with _lock:
            if self._urls is None:
                from ..sim.server import _bind, build_server

                require_server_extra()

                sock = _bind("127.0.0.1", 0)
                port = sock.getsockname()[1]
                server = build_server(self.app)
                self.loop.submit(server.serve(sockets=[sock]))
                deadline = time.monotonic() + 10
                while not server.started:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the embedded simulator's socket server did not start")
                    time.sleep(0.005)
                self._urls = (f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}")
            return self._urls


def require_server_extra() -> None:
    """Fail with a clear instruction when the simulator's socket server is not installed."""
    import importlib.util

    if importlib.util.find_spec("uvicorn") is None:
        from ..errors import ConfigurationError

        raise ConfigurationError(
            "serving the simulator over a socket (realtime, `hantoo sim serve`) needs uvicorn",
            hint='pip install "hantoo[sim]"',
        )


def sim_clock_mode(choice: str | None) -> str:
    """``--clock`` / ``HANTOO_SIM_CLOCK`` → the simulator's clock mode.

    ``sim`` (the default): the simulator runs its own trading day, starting in the continuous
    session of the latest business day, so orders fill at any hour of the machine's day.
    ``wall``: the simulator follows real KST, so outside KRX hours the market is closed.
    """
    value = (choice or "sim").strip().lower()
    if value not in ("sim", "wall"):
        raise ValueError(f"--clock (HANTOO_SIM_CLOCK) must be sim or wall, not {choice!r}")
    return "wall" if value == "wall" else "realtime"


def embedded_sim() -> EmbeddedSim:
    """The process's embedded simulator, started on first call."""
    global _instance
    with _lock:
        if _instance is None:
            from ..sim.app import SimConfig, create_app

            config = SimConfig(state_path=os.environ.get("HANTOO_SIM_STATE", ":memory:"),
                               clock_mode=sim_clock_mode(os.environ.get("HANTOO_SIM_CLOCK")))
            loop = LoopThread("hantoo-sim")
            app = create_app(config)
            cache_dir = tempfile.mkdtemp(prefix="hantoo-sim-tokens-")
            atexit.register(shutil.rmtree, cache_dir, True)
            _instance = EmbeddedSim(
                app=app, state=app.sim, loop=loop, cache_dir=cache_dir
            )
        return _instance
