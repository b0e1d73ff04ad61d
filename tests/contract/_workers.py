"""Worker functions for multi-process contract tests (spawned processes import this)."""

from __future__ import annotations

from typing import Any


def quote_once(base_url: str, cache_dir: str, start_at: float) -> str:
    """Wait for a common start instant, then make one call through a fresh client."""
    import time

    import hantoo

    while time.time() < start_at:
        time.sleep(0.001)
    with hantoo.Client("sim", base_url=base_url, cache_dir=cache_dir, rate_limit=False) as c:
        r = c.domestic_stock.inquire_price(fid_cond_mrkt_div_code="J", fid_input_iscd="005930")
    return str(r.output[0].stck_prpr)


def quote_until(base_url: str, cache_dir: str, shared: bool, tasks: int, ready: Any,
                seconds: float) -> tuple[int, int]:
    """Once every process is ready (``ready``: a barrier), ``tasks`` asyncio tasks call the
    current price for ``seconds`` through one client with the default (real) limits; returns
    (calls, EGW00201 reaching callers)."""
    import asyncio
    import time

    import hantoo
    from hantoo.errors import RateLimitError

    async def run() -> tuple[int, int]:
        ok = rejected = 0
        async with hantoo.AsyncClient("sim", base_url=base_url, cache_dir=cache_dir,
                                      shared_rate_limit=shared) as c:
            await c.token()
            _ = c.domestic_stock  # import the generated layer before the clock starts
            await asyncio.to_thread(ready.wait)
            stop = time.time() + seconds

            async def one() -> None:
                nonlocal ok, rejected
                while time.time() < stop:
                    try:
                        await c.domestic_stock.inquire_price(fid_cond_mrkt_div_code="J",
                                                             fid_input_iscd="005930")
                        ok += 1
                    except RateLimitError:
                        rejected += 1

            await asyncio.gather(*(one() for _ in range(tasks)))
        return ok, rejected

    return asyncio.run(run())
