"""Worker processes of the fleet tests and benchmark (spawned processes import this)."""

from __future__ import annotations

from typing import Any


def fleet_worker(base_url: str, redis_url: str, cache_dir: str, tasks: int, ready: Any,
                 seconds: float) -> dict[str, Any]:
    """One process of the fleet: its own token cache directory (so only Redis is shared), one
    AsyncClient coordinated through ``redis_url`` (``""``: the host-wide file limiter, the
    baseline), ``tasks`` tasks calling the current price for ``seconds`` once every process is
    ready (``ready``: a barrier).

    Returns the calls counted, EGW00201 reaching a caller, other errors, the limiter's mode at
    the end, and ``sends``: the wall-clock instant each call left the limiter (the machine's
    clock is common to the processes of one host), to check the fleet's spacing at the senders.
    """
    import asyncio
    import time

    import hantoo
    from hantoo._core.flow import Flow
    from hantoo.errors import HantooError, RateLimitError

    sends: list[float] = []

    async def run() -> dict[str, Any]:
        ok = rejected = other = 0
        async with hantoo.AsyncClient("sim", base_url=base_url, cache_dir=cache_dir,
                                      coordinator=redis_url, shared_rate_limit=True) as c:
            await c.token()
            _ = c.domestic_stock  # import the generated layer before the clock starts
            limiter = c._policies.limiter
            assert limiter is not None
            wait_flow = limiter.wait_flow

            def timed_wait() -> Flow[float]:  # observes, changes nothing
                waited = yield from wait_flow()
                sends.append(time.time())
                return waited

            limiter.wait_flow = timed_wait  # type: ignore[method-assign]
            await asyncio.to_thread(ready.wait)
            stop = time.time() + seconds

            async def one() -> None:
                nonlocal ok, rejected, other
                while time.time() < stop:
                    try:
                        await c.domestic_stock.inquire_price(fid_cond_mrkt_div_code="J",
                                                             fid_input_iscd="005930")
                        if time.time() <= stop:  # calls queued at the stop do not count
                            ok += 1
                    except RateLimitError:
                        rejected += 1
                    except HantooError:
                        other += 1

            await asyncio.gather(*(one() for _ in range(tasks)))
            mode = str(getattr(getattr(limiter, "_shared", None), "mode", "?"))
        return {"calls": ok, "rejected": rejected, "other": other, "mode": mode,
                "sends": sends}

    return asyncio.run(run())


def min_span(sends: list[float], limit: int) -> float:
    """The shortest time in which ``limit + 1`` of ``sends`` happened (inf if fewer)."""
    ts = sorted(sends)
    spans = [ts[i + limit] - ts[i] for i in range(len(ts) - limit)]
    return min(spans, default=float("inf"))


class FileBarrier:
    """A barrier for processes that share only a file system (network namespaces): each
    arrival leaves a file in ``directory``; everyone goes once ``parties`` files are there."""

    def __init__(self, directory: str, parties: int) -> None:
        self.directory = directory
        self.parties = parties

    def wait(self, timeout: float = 180.0) -> None:
        import os
        import time
        import uuid

        os.makedirs(self.directory, exist_ok=True)
        with open(os.path.join(self.directory, f"{os.getpid()}-{uuid.uuid4().hex}"), "w"):
            pass
        deadline = time.monotonic() + timeout
        while len(os.listdir(self.directory)) < self.parties:
            if time.monotonic() > deadline:
                raise TimeoutError("the other processes of the fleet never arrived")
            time.sleep(0.005)
