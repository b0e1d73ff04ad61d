"""Two hosts for real: 4 processes on each of two network-namespace "hosts", one simulator and
one Redis in a third namespace (see :mod:`netns_kit`; skipped, saying why, where namespaces
cannot be made — not root, no ``ip``, not Linux).

The hosts share nothing but the private network: their processes reach Redis and the simulator
over a bridge, each with its own token cache directory and Redis connections. The simulator
enforces the real KIS limits on the key (18/s, 1,000/min, 50,000/h; EGW00201 for the excess) and
counts token issuances. Asserted: one issuance for the whole fleet, no refusal reaching a caller,
and at the senders never 19 calls of the fleet within one second (the namespaces share the
machine's clock, so the senders' stamps compare across hosts). The server's own refusal count is
bounded loosely, as in ``test_redis_fleet_processes.py`` (a starved server stamps arrivals late);
the benchmark (``bench/bench_redis_fleet.py --netns``) reports it.

Servers here bind the private address of the server namespace, not 127.0.0.1: the namespaces
have no link to any other network, so that address is as unreachable from outside as loopback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _fleet_workers import min_span
from netns_kit import two_hosts, unavailable

from hantoo._core.limiter import RateLimiter

PER_HOST, TASKS, SECONDS = 4, 8, 6.0


def test_four_processes_on_each_of_two_hosts_share_one_key(tmp_path: Path) -> None:
    reason = unavailable()
    if reason is not None:
        print(f"skipped: {reason}")
        pytest.skip(reason)
    pytest.importorskip("redis", reason="the redis package is not installed (hantoo[redis])")
    with two_hosts(tmp_path, lifetime=240) as net:
        groups = [net.start_group(h, procs=PER_HOST, tasks=TASKS, seconds=SECONDS,
                                  cache_root=tmp_path / "caches",
                                  barrier_dir=tmp_path / "barrier", parties=2 * PER_HOST,
                                  redis=True)
                  for h in (0, 1)]
        results = [r for g in groups for r in net.results(g, timeout=200)]
        stats = net.get_json("/_sim/stats")
    assert len(results) == 2 * PER_HOST
    calls = sum(r["calls"] for r in results)
    issued = sum(stats["token_issuances"].values())
    refused = int(stats["rate_limited"])
    assert issued == 1, issued
    assert sum(r["rejected"] for r in results) == 0
    assert sum(r["other"] for r in results) == 0
    assert {r["mode"] for r in results} == {"fleet"}
    # calls from both hosts, pressing against the limit
    assert all(r["calls"] > 0 for r in results)
    assert calls >= 30, calls  # 6 s at 16.4/s would be ~98; a loaded machine sends fewer
    sends = [t for r in results for t in r["sends"]]
    # as in test_redis_fleet_processes: a send is stamped when its task resumes
    span = min_span(sends, 18)
    print(f"two namespace hosts: calls {calls}, EGW00201 at the server {refused}, shortest "
          f"span of 19 sends {span:.3f}s, issuances {issued}")
    assert span >= 1.0 - 2 * RateLimiter.max_lateness, f"19 calls within {span:.3f}s"
    # The server's count, loosely: at load 10-13 on 2 cores a starved server counted 4-16
    # refusals of 53-84 calls whose senders never put 19 within 1.09 s (docs/benchmarks.md,
    # "Issue 17"). A limiter not doing its job is refused far more often than it is served.
    assert refused <= max(2, calls // 2), refused
