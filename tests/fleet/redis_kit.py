"""A real ``redis-server`` and a real ``hantoo sim serve`` for fleet tests, on 127.0.0.1.

Both run as child processes under ``timeout`` (they stop themselves even if the test process
dies) and are stopped when the test ends. Redis keeps nothing on disk (``--save ''``,
``--appendonly no``), so a restart loses its data: the hardest case for the coordinator.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REDIS_BIN = shutil.which("redis-server")
#: Seconds after which a child server stops by itself.
LIFETIME = 240


def need_redis() -> str:
    """The ``redis-server`` binary, or skip the test saying why and how to get it."""
    if REDIS_BIN is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server); "
                    "the Redis coordinator tests need a real server")
    try:
        import redis  # noqa: F401
    except ImportError:
        pytest.skip("the redis package is not installed (pip install 'hantoo[redis]')")
    return REDIS_BIN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """One ``redis-server`` on a fixed loopback port that can be stopped and started again."""

    def __init__(self, workdir: Path) -> None:
        self.binary = need_redis()
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        cmd = ["timeout", str(LIFETIME), self.binary, "--port", str(self.port),
               "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(self.workdir), "--protected-mode", "yes"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def restart_after(self, delay: float, down_for: float) -> threading.Thread:
        """In the background: stop after ``delay`` s, start again ``down_for`` s later."""
        def run() -> None:
            time.sleep(delay)
            self.stop()
            time.sleep(down_for)
            self.start()

        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t


@contextmanager
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    server = RedisServer(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def sim_serve(*, cli: bool = False) -> Iterator[str]:
    """The simulator server in its own process, in memory, enforcing the real KIS limits (it
    refuses the excess with EGW00201); yields its URL.

    ``cli=True`` runs ``hantoo sim serve`` itself. The default runs the same server function
    with a stepped clock (the market does not move, so no simulation competes with requests on
    the server's event loop) and its startup heap frozen out of garbage collection: the server
    counts arrivals when it processes them, so on a busy machine a paused loop bunches them —
    a property of a starved server, not of the clients under test (as in
    tests/contract/test_shared_rate_limit.py).
    """
    if cli:
        cmd = [sys.executable, "-m", "hantoo.cli", "sim", "serve", "--port", "0",
               "--state", ":memory:", "--limits", "real", "--activity", "0"]
    else:
        code = ("import gc\n"
                "from hantoo.sim.app import SimConfig, create_app\n"
                "from hantoo.sim.server import serve\n"
                "app = create_app(SimConfig(limits='real', clock_mode='stepped',\n"
                "                           state_path=':memory:'))\n"
                "gc.collect()\n"
                "gc.freeze()\n"
                "serve(app=app, on_ready=lambda rest, ws: print('REST', rest, flush=True))\n")
        cmd = [sys.executable, "-c", code]
    proc = subprocess.Popen(["timeout", str(LIFETIME), *cmd], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    try:
        assert proc.stdout is not None
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            m = re.search(r"REST\s+(http://127\.0\.0\.1:\d+)", line)
            url = m.group(1) if m else None
        assert url is not None, "hantoo sim serve did not start"
        threading.Thread(target=proc.stdout.read, daemon=True).start()  # never a full pipe
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
