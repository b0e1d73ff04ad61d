"""Several processes, one app key, one Redis: against a real simulator server process.

The server enforces the real KIS limits on the key (18/s, 1,000/min, 50,000/h; EGW00201 for the
excess) and counts token issuances. Four spawned processes, each with its own token cache
directory (only Redis is shared, as between hosts) and ten tasks calling as fast as their client
lets them: one token is issued for all of them, no refusal reaches a caller, and at the senders
no 19 calls of the fleet ever fall within one second — also when Redis is stopped in the middle
of the run (each process falls back to its share of the limits, with no burst) and started
again, empty (they rejoin).

The server's own refusal count is bounded loosely, not asserted zero: on a starved machine the
server stamps arrivals when it gets to them, so a paused server bunches calls that were sent
correctly (the same runs with the host-wide *file* limiter are refused as often; see
docs/benchmarks.md, "Issue 17"). The strict figure comes from ``bench/bench_redis_fleet.py``.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from hantoo._core.limiter import RateLimiter

sys.path.insert(0, str(Path(__file__).parent))
from _fleet_workers import fleet_worker, min_span
from redis_kit import RedisServer, redis_server, sim_serve

PROCS, TASKS, SECONDS = 4, 10, 5.0


def _run(tmp_path: Path, redis: RedisServer, base_url: str,
         at_start: Callable[[], object] | None = None, seconds: float = SECONDS,
         ) -> tuple[list[dict[str, Any]], int, int]:
    """Run the fleet; ``at_start`` is called (in a thread) when every process is ready."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(PROCS) as pool:
        barrier = manager.Barrier(PROCS + 1)
        jobs = [(base_url, redis.url, str(tmp_path / f"proc{i}"), TASKS, barrier, seconds)
                for i in range(PROCS)]
        pending = pool.starmap_async(fleet_worker, jobs, chunksize=1)
        barrier.wait(timeout=120)
        if at_start is not None:
            at_start()
        results = pending.get(timeout=120)
    stats = httpx.get(f"{base_url}/_sim/stats").json()
    return results, int(stats["rate_limited"]), sum(stats["token_issuances"].values())


def _check(results: list[dict[str, Any]], refused: int, issued: int, min_calls: int) -> None:
    calls = sum(r["calls"] for r in results)
    assert issued == 1
    assert sum(r["rejected"] for r in results) == 0 and sum(r["other"] for r in results) == 0
    sends = [t for r in results for t in r["sends"]]
    # A send is stamped when its task resumes: the limiter lets a call leave up to
    # ``max_lateness`` after its slot, and the stamp can come one scheduling delay after that,
    # so a busy machine shortens a span by up to about twice that without any slot being early.
    jitter = 2 * RateLimiter.max_lateness
    span = min_span(sends, 18)
    print(f"calls {calls}, EGW00201 at the server {refused}, shortest span of 19 sends "
          f"{span:.3f}s, issuances {issued}")
    assert span >= 1.0 - jitter, "19 calls of the fleet within one second"
    assert calls >= min_calls  # they really pressed against the limit
    # The server's count, loosely: at load 10-13 on 2 cores a starved server counted 4-16
    # refusals of 53-84 calls whose senders never put 19 within 1.09 s (docs/benchmarks.md,
    # "Issue 17"). A limiter not doing its job is refused far more often than it is served.
    assert refused <= max(2, calls // 2), refused
    assert {r["mode"] for r in results} == {"fleet"}  # every process ends on the fleet schedule


def test_four_processes_one_token_no_refusal(tmp_path: Path) -> None:
    with redis_server(tmp_path) as redis, sim_serve() as base_url:
        results, refused, issued = _run(tmp_path, redis, base_url)
    _check(results, refused, issued, min_calls=40)  # 5 s at 16.4/s is 82; a loaded machine


def test_redis_restarted_mid_run_fallback_then_rejoin_no_burst(tmp_path: Path) -> None:
    with redis_server(tmp_path) as redis, sim_serve() as base_url:
        restarts: list[threading.Thread] = []
        results, refused, issued = _run(
            tmp_path, redis, base_url, seconds=8.0,
            # down from 0.5 s to 1.5 s; back, empty; noticed within a probe interval, the
            # grace (2.5 s) over by ~5.5 s: the fleet schedule again for the rest of the run
            at_start=lambda: restarts.append(redis.restart_after(delay=0.5, down_for=1.0)))
        restarts[0].join(timeout=15)
    # the token held in memory outlives Redis's data: still one issuance
    _check(results, refused, issued, min_calls=40)
