"""A stream read through ``hantoo gateway`` starts no simulator socket server of its own.

With the embedded simulator (the default) ``client.stream()`` starts a loopback WebSocket
server on first use; through a gateway the records come from Redis, so that server would be a
thread, a port and an event loop's work for nothing. Checked in a fresh process, where the
embedded simulator is the process's own and nothing else could have started its server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import json
from hantoo import Client
from hantoo._core.embedded import embedded_sim

with Client() as client:
    stream = client.stream()
    print(json.dumps({"gateway": stream.core.gateway is not None,
                      "socket_started": embedded_sim()._urls is not None}))
"""

def _run(code: str, gateway: str | None) -> dict[str, bool]:
    env = dict(os.environ)
    env.pop("HANTOO_REALTIME_GATEWAY", None)
    if gateway is not None:
        env["HANTOO_REALTIME_GATEWAY"] = gateway
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_gateway_stream_starts_no_embedded_socket_server() -> None:
    # nothing listens on this URL: making the stream must not connect anywhere
    seen = _run(PROBE, "redis://127.0.0.1:9/0")
    assert seen == {"gateway": True, "socket_started": False}


def test_a_direct_stream_still_starts_the_embedded_socket_server() -> None:
    assert _run(PROBE, None) == {"gateway": False, "socket_started": True}
