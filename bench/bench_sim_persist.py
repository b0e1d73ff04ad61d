"""Benchmark: the simulator as `hantoo sim serve` runs it (persistent state) against `:memory:`.

Two servers in the same run (``running_server``'s default HTTP server — the one ``hantoo sim
serve`` uses, httptools with KIS header case — in this process, real-time clock, limits off):
one with a state file in a temporary directory — the journaled default — and one with
``--state :memory:``. A client process drives ``--conns`` keep-alive connections with raw
HTTP/1.1 requests (one at a time per connection, as KIS clients send them: no pipelining) for
``--seconds`` after a 1 s warm-up:

* reads: ``inquire-price`` (TR FHKST01010100) over 8 symbols;
* orders: ``order-cash`` market buys of 1 share (TR TTTC0012U) over 8 symbols.

Each order's answer is sent only after the group commit that covers its journal record.
Prints requests/s per configuration, the server's CPU per request (this process's CPU time over
the requests it served: steadier than requests/s on a shared machine), the share of a core the
load generator used, and the persistent / in-memory ratio; checks that every answer was 200
with ``rt_cd`` 0. ``--repeat`` runs the pair that many times (which of the two goes first
alternates) and prints best and spread.

    python bench/bench_sim_persist.py [--seconds 3] [--conns 16] [--kinds reads,orders]
                                      [--repeat 1] [--http httptools-cased|h11|httptools]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from hantoo.config import SIM_ACCOUNT, SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import create_app
from hantoo.sim.server import HttpImpl, running_server
from hantoo.sim.state import SimConfig

SYMBOLS = ("005930", "000660", "035420", "005380", "051910", "035720", "068270", "207940")
PRICE = "/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD="
ORDER = "/uapi/domestic-stock/v1/trading/order-cash"


def _headers(host: str, token: str, tr_id: str) -> str:
    return (f"Host: {host}\r\ncontent-type: application/json; charset=utf-8\r\n"
            f"authorization: Bearer {token}\r\nappkey: {SIM_APP_KEY}\r\n"
            f"appsecret: {SIM_APP_SECRET}\r\ntr_id: {tr_id}\r\ncusttype: P\r\n")


def _requests(kind: str, host: str, token: str) -> list[bytes]:
    if kind == "reads":
        return [(f"GET {PRICE}{s} HTTP/1.1\r\n{_headers(host, token, 'FHKST01010100')}\r\n")
                .encode() for s in SYMBOLS]
    cano, prdt = SIM_ACCOUNT.split("-")
    out = []
    for s in SYMBOLS:
        body = json.dumps({"CANO": cano, "ACNT_PRDT_CD": prdt, "PDNO": s, "ORD_DVSN": "01",
                           "ORD_QTY": "1", "ORD_UNPR": "0", "EXCG_ID_DVSN_CD": "KRX"}).encode()
        head = (f"POST {ORDER} HTTP/1.1\r\n{_headers(host, token, 'TTTC0012U')}"
                f"content-length: {len(body)}\r\n\r\n").encode()
        out.append(head + body)
    return out


async def _conn(host: str, port: int, reqs: list[bytes], warm: float, until: float,
                bad: list[bytes], k: int) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    n, i = 0, k
    try:
        while (t0 := time.perf_counter()) < until:
            writer.write(reqs[i % len(reqs)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            if head[9:12] != b"200" or b'"rt_cd":"0"' not in body:
                bad.append(body[:200])
            if t0 >= warm:
                n += 1
    finally:
        writer.close()
    return n


def _client(base: str, token: str, kind: str, seconds: float, conns: int,
            out: mp.Queue) -> None:  # type: ignore[type-arg]
    u = urlsplit(base)
    reqs = _requests(kind, u.netloc, token)

    async def main() -> tuple[int, list[bytes], float]:
        now = time.perf_counter()
        bad: list[bytes] = []
        cpu0 = time.process_time()
        counts = await asyncio.gather(*(
            _conn(u.hostname or "127.0.0.1", u.port or 80, reqs, now + 1.0, now + 1.0 + seconds,
                  bad, k) for k in range(conns)))
        busy = (time.process_time() - cpu0) / (time.perf_counter() - now)
        return sum(counts), bad, busy

    out.put(asyncio.run(main()))


def run(state: str, kind: str, seconds: float, conns: int, http: HttpImpl) -> float:
    app = create_app(SimConfig(limits="off", clock_mode="realtime", state_path=state,
                               demo_krw=10**13))
    with running_server(app=app, http=http) as (base, _ws):
        token = httpx.post(f"{base}/oauth2/tokenP", json={
            "grant_type": "client_credentials", "appkey": SIM_APP_KEY,
            "appsecret": SIM_APP_SECRET}).json()["access_token"]
        ctx = mp.get_context("spawn")
        q = ctx.Queue()
        p = ctx.Process(target=_client, args=(base, token, kind, seconds, conns, q))
        p.start()
        served0, cpu0 = app.sim.requests, time.process_time()
        total, bad, client_busy = q.get(timeout=seconds + 60)
        # warm-up included on both sides of the division: all of it is the server's work
        cpu_per_req = (time.process_time() - cpu0) / max(app.sim.requests - served0, 1)
        p.join(timeout=10)
    if bad:
        raise SystemExit(f"{kind} on {state}: {len(bad)} bad answers, e.g. {bad[0]!r}")
    syncs = ""
    j = getattr(app.sim.exchange, "journal", None)
    if j is not None:
        syncs = f" ({j.syncs} syncs for {j.appended} journal records)"
    rate = float(total) / seconds
    print(f"  {kind:6} {'persistent' if state != ':memory:' else ':memory:':10} "
          f"{rate:8,.0f} req/s  server {cpu_per_req * 1e6:5.0f} us CPU/req  "
          f"load generator {client_busy:4.0%} of a core{syncs}", flush=True)
    return rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--kinds", default="reads,orders")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--http", choices=["httptools-cased", "h11", "httptools"],
                    default="httptools-cased")
    args = ap.parse_args()
    print(f"sim serve, persistent vs :memory: ({args.conns} conns, {args.seconds:.0f}s each, "
          f"{args.http})")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            pairs = []
            for i in range(args.repeat):
                # alternate which runs first: the machine's load drifts within a pair
                if i % 2:
                    mem = run(":memory:", kind, args.seconds, args.conns, args.http)
                disk = run(str(Path(tmp) / f"{kind}{i}.sqlite3"), kind, args.seconds,
                           args.conns, args.http)
                if not i % 2:
                    mem = run(":memory:", kind, args.seconds, args.conns, args.http)
                print(f"  {kind:6} persistent / in-memory = {disk / mem:.2f}", flush=True)
                pairs.append((disk, mem))
            if args.repeat > 1:
                disks, ratios = [d for d, _ in pairs], [d / m for d, m in pairs]
                print(f"  {kind:6} persistent best {max(disks):,.0f} req/s (spread "
                      f"{min(disks):,.0f}-{max(disks):,.0f}); ratio {min(ratios):.2f}-"
                      f"{max(ratios):.2f}", flush=True)


if __name__ == "__main__":
    main()
