"""One rate limit per host: four processes on one key stay under the server's limits.

A simulator server enforcing the real KIS limits (18/s, 1,000/min, 50,000/h per app key) on
127.0.0.1; four spawned processes, each with 20 asyncio tasks calling as fast as their client
lets them, for 10 s. With the host-wide limiter (the default for ``real`` and ``paper``) the
server refuses nothing; with per-process limiters (the control) it refuses many calls. The
utilisation figure is measured by ``bench/bench_limiter_procs.py``, not asserted here.
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pytest

import hantoo
from hantoo._core.limiter import reset_limiters
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.server import running_server

sys.path.insert(0, str(Path(__file__).parent))
from _workers import quote_until

PROCS, TASKS, SECONDS = 4, 20, 10.0


def _run(tmp_path: Path, shared: bool) -> tuple[int, int, int]:
    """(calls, EGW00201 refused by the server, EGW00201 reaching callers)."""
    app = create_app(SimConfig(limits="real", clock_mode="stepped"))
    with running_server(app=app) as (base_url, _ws):
        ctx = multiprocessing.get_context("spawn")
        with ctx.Manager() as manager, ctx.Pool(PROCS) as pool:
            job = (base_url, str(tmp_path / ("shared" if shared else "local")), shared, TASKS,
                   manager.Barrier(PROCS), SECONDS)
            results = pool.starmap(quote_until, [job] * PROCS, chunksize=1)
        refused = app.sim.limiter.refused
    return sum(r[0] for r in results), refused, sum(r[1] for r in results)


def test_four_processes_share_one_limit_and_are_never_refused(tmp_path: Path) -> None:
    calls, refused, to_callers = _run(tmp_path, shared=True)
    assert (refused, to_callers) == (0, 0)
    assert calls >= 100  # the processes really pressed against the limit


def test_control_per_process_limiters_are_refused(tmp_path: Path) -> None:
    calls, refused, _ = _run(tmp_path, shared=False)
    assert refused > 50 and calls > 0


@pytest.mark.parametrize(("environment", "shared"), [("real", True), ("paper", True),
                                                      ("sim", False)])
def test_host_wide_sharing_is_the_default_for_real_and_paper(
    tmp_path: Path, environment: str, shared: bool,
) -> None:
    reset_limiters()
    try:
        with hantoo.Client(environment, app_key="PS" + "k" * 34, app_secret="s" * 180,
                           cache_dir=str(tmp_path)) as c:
            limiter = c._policies.limiter
            assert limiter is not None and limiter.shared is shared
        with hantoo.Client(environment, app_key="PS" + "j" * 34, app_secret="s" * 180,
                           cache_dir=str(tmp_path), shared_rate_limit=not shared) as c:
            limiter = c._policies.limiter
            assert limiter is not None and limiter.shared is not shared
    finally:
        reset_limiters()
