"""Real parts for the gateway tests: redis-server, the simulator's WebSocket over 127.0.0.1,
and ``hantoo gateway`` as a child process that can be SIGKILLed and started again.

Every child stops by itself (``--duration`` for the gateway, ``timeout`` for Redis) even if
the test process dies; the fixtures stop them when the test ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from hantoo.realtime import Event, RealtimeStream

#: Seconds after which a gateway child stops by itself.
GATEWAY_LIFETIME = 120


def key_line(n: int) -> str:
    """A demo app key and secret (the simulator accepts any) for a keys file."""
    return f"PSGWTEST{n:028d} {'s' * 180}\n"


class GatewayProc:
    """``hantoo gateway`` in its own process group; ``kill9`` is the crash of the fault test."""

    def __init__(self, redis_url: str, base_url: str, workdir: Path, *, keys: int = 1,
                 pool: str = "default", extra: tuple[str, ...] = ()) -> None:
        self.keys_file = workdir / f"keys-{pool}.txt"
        self.keys_file.write_text("".join(key_line(i) for i in range(keys)), encoding="utf-8")
        self.cmd = [sys.executable, "-m", "hantoo.cli", "gateway", "--coordinator", redis_url,
                    "--pool", pool, "--keys-file", str(self.keys_file), "--only-keys-file",
                    "--env", "sim", "--base-url", base_url,
                    "--duration", str(GATEWAY_LIFETIME), *extra]
        self.log = workdir / f"gateway-{pool}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "COLUMNS": "200", "HANTOO_CACHE_DIR": str(self.keys_file.parent)}
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL,
                                     stderr=self.log.open("ab"), env=env)

    def wait_leading(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "leading" in self.log.read_text(encoding="utf-8", errors="replace"):
                return
            assert self.proc is not None and self.proc.poll() is None, self.output()
            time.sleep(0.05)
        raise AssertionError(f"the gateway did not lead: {self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


@contextlib.contextmanager
def gateway_proc(redis_url: str, base_url: str, workdir: Path, **kw: object) -> Iterator[
        GatewayProc]:
    gw = GatewayProc(redis_url, base_url, workdir, **kw)  # type: ignore[arg-type]
    gw.start()
    try:
        gw.wait_leading()
        yield gw
    finally:
        gw.stop()


def consumer(redis_url: str, pool: str = "default", **kw: object) -> RealtimeStream:
    sep = "&" if "?" in redis_url else "?"
    url = redis_url if pool == "default" else f"{redis_url}{sep}pool={pool}"
    return RealtimeStream(environment="sim", ws_url="ws://unused", base_url="http://unused",
                          gateway=url, **kw)  # type: ignore[arg-type]


async def collect(stream: RealtimeStream, until: Callable[[list[Event]], bool],
                  timeout: float = 20.0) -> list[Event]:
    """Consume events until ``until(events)`` holds (fails the test after ``timeout``)."""
    events: list[Event] = []
    deadline = time.monotonic() + timeout
    while not until(events):
        left = deadline - time.monotonic()
        assert left > 0, f"timed out; last events: {events[-5:]!r}"
        events.extend(await stream.next_batch(4096, timeout=min(left, 0.5)))
    return events


async def eventually(cond: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)
