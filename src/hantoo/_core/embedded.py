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


def embedded_sim() -> EmbeddedSim:
    """The process's embedded simulator, started on first call."""
    global _instance
    with _lock:
        if _instance is None:
            from ..sim.app import SimConfig, create_app

            config = SimConfig(state_path=os.environ.get("HANTOO_SIM_STATE", ":memory:"))
            loop = LoopThread("hantoo-sim")
            app = create_app(config)
            cache_dir = tempfile.mkdtemp(prefix="hantoo-sim-tokens-")
            atexit.register(shutil.rmtree, cache_dir, True)
            _instance = EmbeddedSim(
                app=app, state=app.sim, loop=loop, cache_dir=cache_dir
            )
        return _instance
