"""Benchmark: server CPU time of one daily-candle page (``inquire-daily-itemchartprice``).

The simulator app in process (ASGI, stepped clock, limits off); the requests come from an httpx
ASGI client, and only the CPU time spent inside the app is counted (``time.process_time``
around each call). A page asks for 2020-01-01 .. a date in 2026 (about 1,700 business days,
the newest 100 answered), as a bulk-history job does. Reported:

* cold: the first page of each of 8 symbols (computes and caches the symbol's past candles);
* warm: ``--pages`` further pages over the same symbols with varying end dates (the baseline of
  the ratio is the cold page, measured in the same run).

    python bench/bench_sim_candles.py [--pages 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import datetime
from typing import Any

import httpx

from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.engine import KST

SYMBOLS = ("005930", "000660", "035720", "069500", "005380", "051910", "006400", "035420")
PATH = "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=200)
    args = ap.parse_args()
    app = create_app(SimConfig(clock_mode="stepped", seed=7, limits="off",
                               clock_start=datetime(2026, 11, 23, 10, 0, tzinfo=KST)))
    spent: list[float] = []

    async def timed(scope: Any, receive: Any, send: Any) -> None:
        t = time.process_time()
        await app(scope, receive, send)
        spent.append(time.process_time() - t)

    async def run() -> tuple[list[float], list[float]]:
        transport = httpx.ASGITransport(app=timed)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
            r = await c.post("/oauth2/tokenP", json={
                "grant_type": "client_credentials", "appkey": SIM_APP_KEY,
                "appsecret": SIM_APP_SECRET})
            h = {"authorization": f"Bearer {r.json()['access_token']}", "appkey": SIM_APP_KEY,
                 "appsecret": SIM_APP_SECRET, "tr_id": "FHKST03010100", "custtype": "P"}

            async def page(sym: str, end: str) -> None:
                r = await c.get(PATH, headers=h, params={
                    "FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": sym,
                    "FID_INPUT_DATE_1": "20200101", "FID_INPUT_DATE_2": end,
                    "FID_PERIOD_DIV_CODE": "D", "FID_ORG_ADJ_PRC": "0"})
                body = r.json()
                assert r.status_code == 200 and body["rt_cd"] == "0", r.text
                assert len(body["output2"]) == 100

            spent.clear()
            for s in SYMBOLS:
                await page(s, "20261120")
            cold = list(spent)
            spent.clear()
            for i in range(args.pages):
                await page(SYMBOLS[i % len(SYMBOLS)], f"2026{1 + i % 11:02d}{10 + i % 18:02d}")
            return cold, list(spent)

    cold, warm = asyncio.run(run())
    c_ms = statistics.median(cold) * 1000
    w_ms = statistics.median(warm) * 1000
    p90 = sorted(warm)[int(len(warm) * 0.9)] * 1000
    print(f"daily-candle page (100 of ~1,700 days), server CPU: warm median {w_ms:.2f} ms "
          f"(p90 {p90:.2f} ms, {len(warm)} pages); cold first page per symbol {c_ms:.1f} ms; "
          f"warm / cold = {w_ms / c_ms:.3f}  (target warm < 5 ms)")


if __name__ == "__main__":
    main()
