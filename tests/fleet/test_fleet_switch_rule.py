"""The rule of a switch between the fleet's schedule and local shares, on a fake clock.

Rule (``hantoo._core.coordinator_redis``): going down and coming back, the first call of the
new schedule comes one full window (the shortest period) after the last call of the old one
that the process knows of, so no such window holds fleet calls and share calls together.

The limiters' clocks are one fake clock (injected into :class:`RateLimiter` and its
``RedisSharedLimit``), so every slot is placed deterministically on it. Redis is a real
``redis-server``: the fleet's slots come from its Lua script, which counts from the server's own
clock. While the fake clock stands still the few milliseconds of real time a batch of
reservations takes make the server's "now" move a little, so fleet slots are compared with a
tolerance of :data:`TOL` (the defect being guarded against shifts calls by hundreds of ms).

The scenario that broke the former rule (share schedules starting right after the fleet's
schedule as last seen, interleaved by rank): one process's last answer is old — the other
processes reserved a second of calls after it — so its share calls land among the fleet calls
still pending: 19 calls within a second.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hantoo._core.limiter import SHARED_JITTER, RateLimiter, profile_for

sys.path.insert(0, str(Path(__file__).parent))
from _fleet_workers import min_span
from redis_kit import RedisServer, redis_server

pytest.importorskip("redis", reason="the redis package is not installed (hantoo[redis])")

from hantoo._core import coordinator_redis
from hantoo._core.coordinator_redis import RedisCoordinator, RedisSharedLimit

TOL = 0.02
LIMIT = 18


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path) as server:
        yield server


def _limiters(url: str, clock: FakeClock, count: int) -> list[RateLimiter]:
    """``count`` processes of one key (each its own coordinator), all on ``clock``."""
    profile = profile_for("sim", f"{LIMIT}/s", jitter=SHARED_JITTER)  # as shared clients use
    out = []
    for _ in range(count):
        shared = RedisCoordinator(url).shared_limit("sim", "switch-rule")
        assert isinstance(shared, RedisSharedLimit)
        shared.clock = clock
        out.append(RateLimiter(profile, environment="sim", key_id="switch-rule", clock=clock,
                               shared=shared))
    return out


def _slot(limiter: RateLimiter) -> float:
    slot, _at = limiter._reserve(None)
    return slot


def _mode(limiter: RateLimiter) -> str:
    shared = limiter._shared
    assert isinstance(shared, RedisSharedLimit)
    return shared.mode


def _fleet_then_down(redis: RedisServer, clock: FakeClock) -> tuple[list[RateLimiter],
                                                                       list[float], list[float]]:
    """Process 0 reserves once, the three others a second's worth after it; Redis stops; then
    every process reserves share slots. Returns the limiters, fleet slots and share slots."""
    limiters = _limiters(redis.url, clock, 4)
    fleet = [_slot(limiters[0])]
    fleet += [_slot(limiters[1 + i % 3]) for i in range(15)]
    assert all(_mode(lim) == "fleet" for lim in limiters)
    redis.stop()
    share = [_slot(limiters[i % 4]) for i in range(24)]
    assert all(_mode(lim) == "down" for lim in limiters)
    return limiters, fleet, share


def test_going_down_waits_a_full_window_after_the_fleet_calls_known(
    redis: RedisServer,
) -> None:
    clock = FakeClock()
    _, fleet, share = _fleet_then_down(redis, clock)
    # the fleet's own calls: one every 1.1/18 s
    assert min(b - a for a, b in itertools.pairwise(fleet)) > 1.1 / LIMIT - TOL
    # the whole sequence: never 19 calls within a second
    assert min_span(fleet + share, LIMIT) >= 1.0 - TOL
    # process 0 knew only the first fleet slot: its first share call is a window after it
    assert min(share[0::4]) >= fleet[0] + 1.0 - TOL
    # and nobody's share call falls within a window of a fleet call it knew of
    for p in range(1, 4):
        assert min(share[p::4]) >= max(fleet[1:][p - 1::3]) + 1.0 - TOL


def test_rejoining_waits_a_full_window_after_every_share_call(
    redis: RedisServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock()
    limiters, fleet, share = _fleet_then_down(redis, clock)
    grace = 0.3
    monkeypatch.setattr(coordinator_redis, "REJOIN_GRACE", grace)
    redis.start()  # empty
    clock.now += coordinator_redis.PROBE_INTERVAL  # the next reservation of each probes
    # each process's next reservation finds Redis back: grace (its share slot is kept and
    # pushed as a floor)
    share += [_slot(lim) for lim in limiters]
    assert all(_mode(lim) == "grace" for lim in limiters)
    # Wait out the grace on Redis's clock; the fake clock moves by the same real time, so
    # that Redis's offsets land where they did.
    began = time.monotonic()
    time.sleep(grace + 0.05)
    clock.now += time.monotonic() - began
    after = [_slot(limiters[i % 4]) for i in range(24)]
    assert all(_mode(lim) == "fleet" for lim in limiters)
    assert min_span(fleet + share + after, LIMIT) >= 1.0 - TOL
    # the fleet resumes one window after the latest share call of any process
    assert min(after) >= max(share) + 1.0 - TOL
