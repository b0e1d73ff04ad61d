"""Limiter utilisation: sustained calls/s against a simulator enforcing 18/s.

50 concurrent asyncio tasks call the current-price API through one AsyncClient whose limiter
is set to the same 18/s the simulator enforces, for --seconds (default 60). Target: >= 97 % of
the limit with 0 rejections (EGW00201).

    python bench/bench_limiter.py [--seconds 60] [--tasks 50] [--rate 18]
"""

from __future__ import annotations

import argparse
import asyncio
import time

import hantoo
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.server import running_server

QUOTE = {"fid_cond_mrkt_div_code": "J", "fid_input_iscd": "005930"}


async def run(base_url: str, seconds: float, tasks: int, rate: int) -> tuple[int, float]:
    async with hantoo.AsyncClient("sim", base_url=base_url, rate_limit=f"{rate}/s") as c:
        await c.token()
        done = 0
        start = time.monotonic()
        stop = start + seconds

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < stop:
                await c.domestic_stock.inquire_price(**QUOTE)
                done += 1

        await asyncio.gather(*(worker() for _ in range(tasks)))
        return done, time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--rate", type=int, default=18)
    args = parser.parse_args()
    app = create_app(SimConfig(limits=f"{args.rate}/s", clock_mode="stepped"))
    with running_server(app=app) as (base_url, _ws):
        done, elapsed = asyncio.run(run(base_url, args.seconds, args.tasks, args.rate))
    achieved = done / elapsed
    print(f"limiter utilisation: {done} calls in {elapsed:.1f}s = {achieved:.2f} calls/s "
          f"of {args.rate}/s ({100 * achieved / args.rate:.1f} %), "
          f"rejections (EGW00201): {app.sim.limiter.refused}, tasks: {args.tasks}")


if __name__ == "__main__":
    main()
