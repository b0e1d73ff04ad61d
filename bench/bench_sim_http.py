"""Benchmark: the simulator's HTTP server on the current-price API.

Server: ``hantoo.sim.server.running_server`` (uvicorn, httptools, no access log, limits off) in
this process. Load: ``--procs`` separate processes, each driving ``--conns`` keep-alive
connections with pre-built raw HTTP/1.1 requests (``GET /uapi/domestic-stock/v1/quotations/
inquire-price``, TR ``FHKST01010100``) on asyncio streams, for ``--seconds`` after a warm-up.
Every response is checked for status 200. Prints requests/s and latency percentiles.

    .venv/bin/python bench/bench_sim_http.py [--seconds 5] [--procs 1] [--conns 8] [--http h11]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import time
from urllib.parse import urlsplit

import httpx

from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import create_app
from hantoo.sim.server import running_server
from hantoo.sim.state import SimConfig

PATH = "/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD="
SYMBOLS = ("005930", "000660", "035420", "005380", "051910", "035720", "068270", "207940")


def _request(host: str, token: str, symbol: str) -> bytes:
    return (
        f"GET {PATH}{symbol} HTTP/1.1\r\nHost: {host}\r\n"
        f"content-type: application/json; charset=utf-8\r\nauthorization: Bearer {token}\r\n"
        f"appkey: {SIM_APP_KEY}\r\nappsecret: {SIM_APP_SECRET}\r\ntr_id: FHKST01010100\r\n"
        "custtype: P\r\n\r\n"
    ).encode()


async def _conn(host: str, port: int, reqs: list[bytes], until: float, warm: float,
                lat: list[float], errors: list[int]) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    n = 0
    i = 0
    try:
        while True:
            t0 = time.perf_counter()
            if t0 >= until:
                break
            writer.write(reqs[i % len(reqs)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12]
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            t1 = time.perf_counter()
            if status != b"200":
                errors.append(int(status))
            if t0 >= warm:
                n += 1
                lat.append(t1 - t0)
    finally:
        writer.close()
    return n


def _worker(base: str, token: str, seconds: float, conns: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    u = urlsplit(base)
    host, port = u.hostname or "127.0.0.1", u.port or 80
    reqs = [_request(u.netloc, token, s) for s in SYMBOLS]

    async def main() -> tuple[int, list[float], list[int]]:
        now = time.perf_counter()
        warm, until = now + 1.0, now + 1.0 + seconds
        lat: list[float] = []
        errors: list[int] = []
        counts = await asyncio.gather(
            *(_conn(host, port, reqs, until, warm, lat, errors) for _ in range(conns))
        )
        return sum(counts), lat, errors

    total, lat, errors = asyncio.run(main())
    out.put((total, lat[:20000], errors[:10]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--http", choices=["httptools", "h11", "httptools-cased"],
                    default="httptools")
    ap.add_argument(
        "--handler", choices=["registered", "reference"], default="registered",
        help="registered: the inquire-price handler the simulator ships (engine-backed); "
             "reference: the server's own synthetic reference handler (measures the HTTP layer)",
    )
    args = ap.parse_args()
    app = create_app(SimConfig(limits="off", clock_mode="stepped"))
    if args.handler == "reference":
        from hantoo.sim.handlers import _inquire_price

        app.sim.handlers["domestic_stock/inquire_price"] = _inquire_price
    with running_server(app=app, http=args.http) as (base, _ws):
        token = httpx.post(f"{base}/oauth2/tokenP", json={
            "grant_type": "client_credentials", "appkey": SIM_APP_KEY,
            "appsecret": SIM_APP_SECRET}).json()["access_token"]
        ctx = mp.get_context("spawn")
        q = ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(base, token, args.seconds, args.conns, q))
                 for _ in range(args.procs)]
        for p in procs:
            p.start()
        results = [q.get(timeout=args.seconds + 60) for _ in procs]
        for p in procs:
            p.join(timeout=10)
    total = sum(r[0] for r in results)
    lat = sorted(x for r in results for x in r[1])
    errors = [e for r in results for e in r[2]]
    rps = total / args.seconds
    p50 = statistics.median(lat) * 1000 if lat else 0.0
    p99 = lat[int(len(lat) * 0.99)] * 1000 if lat else 0.0
    print(f"sim HTTP inquire-price ({args.handler} handler, {args.http}, "
          f"{args.procs} client proc x {args.conns} conns, "
          f"{args.seconds:.0f}s): {rps:,.0f} requests/s  p50 {p50:.2f} ms  p99 {p99:.2f} ms  "
          f"errors {len(errors)}")
    if errors:
        raise SystemExit(f"non-200 answers: {errors}")


if __name__ == "__main__":
    main()
