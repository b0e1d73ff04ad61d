"""Two "hosts" for real: Linux network namespaces joined by a private bridge.

Three namespaces per run (names carry this process's pid, so runs never collide): a *server*
namespace running ``redis-server`` and ``hantoo sim serve``, and two *host* namespaces, each
running its own group of worker processes. Each host is joined to the server namespace by a veth
pair whose server end sits on a bridge there; the subnet (:data:`SUBNET`) is private and the
namespaces have no other link, so nothing in them is reachable from any other network — not
even from the machine's own namespace. That is why the servers bind the private server address
rather than 127.0.0.1 (the rule for servers in tests): inside these namespaces the private
address is as unreachable from outside as loopback is.

Every process is started under ``timeout`` (it stops itself even if the test dies), and
:func:`two_hosts` tears everything down in ``finally``: the processes it started (and any left
inside its namespaces, by pid), then the namespaces, which takes their links and bridge with
them. Only root can do this; :func:`unavailable` says why a machine cannot.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The private subnet of the bridge (the server is .1, the hosts .2 and .3).
SUBNET = "10.217.17"
REDIS_PORT = 6379
SIM_PORT = 8000
HERE = Path(__file__).resolve().parent


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True,
                          timeout=20)


def unavailable() -> str | None:
    """Why network namespaces cannot be used here (``None``: they can)."""
    if sys.platform != "linux":
        return f"network namespaces are Linux only (this is {sys.platform})"
    if os.geteuid() != 0:
        return "creating network namespaces needs root (run the test as root)"
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is not installed"
    if shutil.which("redis-server") is None:
        return "redis-server is not installed (apt-get install redis-server)"
    probe = f"h17probe{os.getpid()}"
    try:
        made = _ip("netns", "add", probe, check=False)
        if made.returncode != 0:
            return f"ip netns add failed: {made.stderr.strip() or made.returncode}"
    finally:
        _ip("netns", "del", probe, check=False)
    return None


@dataclass
class TwoHosts:
    """The running topology: where the servers are, and how to run things on a host."""

    server_ns: str
    host_ns: tuple[str, str]
    lifetime: float
    redis_url: str = f"redis://{SUBNET}.1:{REDIS_PORT}/0"
    sim_url: str = f"http://{SUBNET}.1:{SIM_PORT}"
    procs: list[subprocess.Popen[str]] = field(default_factory=list)

    def exec_args(self, ns: str, *cmd: str) -> list[str]:
        return ["ip", "netns", "exec", ns, "timeout", str(int(self.lifetime)), *cmd]

    def get_json(self, path: str) -> Any:
        """GET ``path`` of the simulator from the first host (the only way in)."""
        code = ("import httpx, sys\n"
                "print(httpx.get(sys.argv[1], timeout=10).text)\n")
        out = subprocess.run(self.exec_args(self.host_ns[0], sys.executable, "-c", code,
                                            self.sim_url + path),
                             check=True, capture_output=True, text=True, timeout=60)
        return json.loads(out.stdout)

    def start_group(self, host: int, *, procs: int, tasks: int, seconds: float,
                    cache_root: Path, barrier_dir: Path, parties: int, redis: bool,
                    shared_cache: bool = False) -> subprocess.Popen[str]:
        """Start ``procs`` fleet workers in host namespace ``host`` (0 or 1); they begin
        together with every other group once ``parties`` workers have arrived at the barrier
        directory (the namespaces share the file system)."""
        cmd = self.exec_args(
            self.host_ns[host], sys.executable, str(HERE / "_netns_host.py"),
            json.dumps({"base_url": self.sim_url, "redis_url": self.redis_url if redis else "",
                        "cache_root": str(cache_root), "procs": procs, "tasks": tasks,
                        "seconds": seconds, "barrier": str(barrier_dir), "parties": parties,
                        "shared_cache": shared_cache, "host": host}))
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(proc)
        return proc

    @staticmethod
    def results(proc: subprocess.Popen[str], timeout: float) -> list[dict[str, Any]]:
        """The workers' results printed by a group (raises with its stderr if it failed)."""
        out, err = proc.communicate(timeout=timeout)
        for line in out.splitlines():
            if line.startswith("RESULTS "):
                data: list[dict[str, Any]] = json.loads(line[len("RESULTS "):])
                return data
        raise RuntimeError(f"host group failed (exit {proc.returncode}): {err[-2000:]}")


def _wait_for_line(proc: subprocess.Popen[str], pattern: str, what: str,
                   timeout: float) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if re.search(pattern, line):
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # never a full pipe
            return
    raise RuntimeError(f"{what} did not start in the server namespace")


def _kill_inside(ns: str) -> None:
    """Kill whatever still runs in namespace ``ns`` (all of it started by this run)."""
    pids = _ip("netns", "pids", ns, check=False).stdout.split()
    for pid in pids:
        with suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)


@contextmanager
def two_hosts(workdir: Path, *, lifetime: float = 240.0) -> Iterator[TwoHosts]:
    """A server namespace (Redis + ``hantoo sim serve`` enforcing the real limits) and two host
    namespaces on a private bridge; everything is removed on the way out."""
    tag = str(os.getpid())
    server, host_a, host_b = f"h17s{tag}", f"h17a{tag}", f"h17b{tag}"
    made: list[str] = []
    net = TwoHosts(server, (host_a, host_b), lifetime)
    try:
        for ns in (server, host_a, host_b):
            _ip("netns", "add", ns)
            made.append(ns)
            _ip("-n", ns, "link", "set", "lo", "up")
        _ip("-n", server, "link", "add", "br0", "type", "bridge")
        _ip("-n", server, "addr", "add", f"{SUBNET}.1/24", "dev", "br0")
        _ip("-n", server, "link", "set", "br0", "up")
        for i, ns in enumerate((host_a, host_b)):
            port = f"v{i}"
            # both ends created directly inside their namespaces: nothing in the machine's own
            _ip("link", "add", port, "netns", server, "type", "veth", "peer", "name", "eth0",
                "netns", ns)
            _ip("-n", server, "link", "set", port, "master", "br0", "up")
            _ip("-n", ns, "addr", "add", f"{SUBNET}.{i + 2}/24", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")
        redis_bin = shutil.which("redis-server") or "redis-server"
        redis = subprocess.Popen(
            net.exec_args(server, redis_bin, "--bind", f"{SUBNET}.1", "--port",
                          str(REDIS_PORT), "--save", "", "--appendonly", "no",
                          "--dir", str(workdir), "--protected-mode", "no"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        net.procs.append(redis)
        _wait_for_line(redis, r"Ready to accept connections", "redis-server", 30)
        sim = subprocess.Popen(
            net.exec_args(server, sys.executable, "-m", "hantoo.cli", "sim", "serve",
                          "--host", f"{SUBNET}.1", "--port", str(SIM_PORT), "--state",
                          ":memory:", "--limits", "real", "--activity", "0"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "COLUMNS": "200"})
        net.procs.append(sim)
        _wait_for_line(sim, rf"REST\s+http://{re.escape(SUBNET)}\.1:{SIM_PORT}",
                       "hantoo sim serve", 90)
        yield net
    finally:
        for proc in net.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in net.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for ns in made:
            _kill_inside(ns)
            _ip("netns", "del", ns, check=False)
