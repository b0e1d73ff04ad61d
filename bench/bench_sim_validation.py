"""Benchmark: the cost of strict request validation (issue 16) against a whole request.

Measures, in one run: (a) ``hantoo.sim.validation.validate`` on a well-formed request of every
domestic stock, ETF/ETN and bond API (``example_params``), microseconds per call; (b) a whole
in-process ASGI request to the current-price API (routing, auth, validation, handler, JSON),
microseconds per request. Prints both and the ratio (a)/(b): the share of a request validation
costs. Runs for a few seconds.

    python bench/bench_sim_validation.py [--rounds 200] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime

import httpx

from hantoo.catalog import catalog
from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.state import SimConfig
from hantoo.sim.validation import STRICT_CATEGORIES, example_params, rules_for, validate


async def _requests(n: int) -> float:
    app = create_app(SimConfig(clock_mode="stepped", limits="off", seed=7,
                               clock_start=datetime(2026, 11, 23, 10, 0, tzinfo=KST)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sim") as c:
        r = await c.post("/oauth2/tokenP", json={"grant_type": "client_credentials",
                                                  "appkey": SIM_APP_KEY,
                                                  "appsecret": SIM_APP_SECRET})
        h = {"authorization": f"Bearer {r.json()['access_token']}", "appkey": SIM_APP_KEY,
             "appsecret": SIM_APP_SECRET, "tr_id": "FHKST01010100", "custtype": "P"}
        params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
        for _ in range(50):
            await c.get("/uapi/domestic-stock/v1/quotations/inquire-price", params=params,
                        headers=h)
        t0 = time.perf_counter()
        for _ in range(n):
            r = await c.get("/uapi/domestic-stock/v1/quotations/inquire-price", params=params,
                            headers=h)
            assert r.status_code == 200
        return (time.perf_counter() - t0) / n * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--requests", type=int, default=2000)
    args = ap.parse_args()
    app = create_app(SimConfig(clock_mode="stepped", limits="off", seed=7))
    universe = app.sim.exchange.universe
    apis = [a for a in catalog() if a.is_rest and a.category in STRICT_CATEGORIES]
    cases = [(a, example_params(a)) for a in apis]
    for a, _ in cases:
        rules_for(a)  # compile once, as the server does on first use
    t0 = time.perf_counter()
    for _ in range(args.rounds):
        for a, p in cases:
            validate(a, p, universe)
    per_call = (time.perf_counter() - t0) / (args.rounds * len(cases)) * 1e6
    per_request = asyncio.run(_requests(args.requests))
    print(f"validate(): {per_call:.1f} us/call over {len(cases)} APIs x {args.rounds} rounds")
    print(f"whole in-process inquire-price request: {per_request:.1f} us/request")
    print(f"ratio validate/request: {per_call / per_request:.3f}")


if __name__ == "__main__":
    main()
