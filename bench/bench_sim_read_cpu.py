"""Benchmark: the simulator app's own CPU per current-price read, without sockets.

Why beside ``bench_sim_persist.py``: requests/s over sockets on the shared 2-core machine moves
with everyone else's load; the CPU time one thread spends in the app per request moves much
less. This calls the ASGI app directly (as uvicorn would, after parsing) with ``inquire-price``
(TR FHKST01010100) over 8 symbols, real-time clock, live market (``activity`` 1), limits off, and
prints microseconds of CPU per request for a persistent state file and for ``:memory:``, best
of ``--rounds`` rounds, and their ratio. What it leaves out is the HTTP server's share (parsing,
framing, the socket write), which ``bench_sim_persist.py`` includes.

    python bench/bench_sim_read_cpu.py [--requests 3000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx

from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import create_app
from hantoo.sim.state import SimConfig

SYMBOLS = ("005930", "000660", "035420", "005380", "051910", "035720", "068270", "207940")
PATH = "/uapi/domestic-stock/v1/quotations/inquire-price"


async def _cpu_per_read(state: str, requests: int, rounds: int) -> float:
    app = create_app(SimConfig(limits="off", clock_mode="realtime", state_path=state))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim"
    ) as c:
        r = await c.post("/oauth2/tokenP", json={"grant_type": "client_credentials",
                                                  "appkey": SIM_APP_KEY,
                                                  "appsecret": SIM_APP_SECRET})
        token = r.json()["access_token"]
        headers = [(b"host", b"sim"), (b"content-type", b"application/json; charset=utf-8"),
                   (b"authorization", f"Bearer {token}".encode()),
                   (b"appkey", SIM_APP_KEY.encode()), (b"appsecret", SIM_APP_SECRET.encode()),
                   (b"tr_id", b"FHKST01010100"), (b"custtype", b"P")]
        queries = [f"FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD={s}".encode() for s in SYMBOLS]
        statuses: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        best = float("inf")
        for _ in range(rounds):
            statuses.clear()
            t0 = time.thread_time()
            for i in range(requests):
                scope = {"type": "http", "method": "GET", "path": PATH,
                         "query_string": queries[i % len(queries)], "headers": headers}
                await app(scope, receive, send)
            best = min(best, (time.thread_time() - t0) / requests)
            if set(statuses) != {200}:
                raise SystemExit(f"{state}: answers other than 200: {sorted(set(statuses))}")
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        disk = asyncio.run(_cpu_per_read(str(Path(tmp) / "s.sqlite3"), args.requests,
                                         args.rounds))
        mem = asyncio.run(_cpu_per_read(":memory:", args.requests, args.rounds))
    print(f"app CPU per inquire-price (best of {args.rounds} x {args.requests}): "
          f"persistent {disk * 1e6:.0f} us, :memory: {mem * 1e6:.0f} us, "
          f"ratio {disk / mem:.2f}")


if __name__ == "__main__":
    main()
