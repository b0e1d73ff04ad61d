"""The Redis coordinator against a real ``redis-server`` (started here on a free port).

Tokens: clients with *separate* cache directories (as on separate hosts) share one token
through Redis — one issuance, revocation seen by the others, a Redis that lost its data
refilled from memory instead of a new issuance. Limiter: limiters sharing a key through Redis
keep every window of the profile together, honour a server hint given to one of them, and when
Redis goes away fall back to a local share without a burst, then rejoin.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hantoo._core.coordinator import get_coordinator, reset_coordinators
from hantoo._core.limiter import RateLimiter, Window, profile_for

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "workflows"))
from redis_kit import RedisServer, redis_server
from simkit import private_sim

pytest.importorskip("redis", reason="the redis package is not installed (hantoo[redis])")

import itertools

from hantoo._core.coordinator_redis import (
    PROBE_INTERVAL,
    REJOIN_GRACE,
    RedisCoordinator,
)

EPS = 1e-6


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path) as server:
        yield server
    reset_coordinators()


def sliding_ok(times: list[float], window: Window, eps: float = EPS) -> bool:
    ts = sorted(times)
    n = window.limit
    return all(ts[i + n] - ts[i] >= window.period - eps for i in range(len(ts) - n))


# -- choosing the coordinator ------------------------------------------------------------------


def test_coordinator_is_chosen_by_url_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert get_coordinator(None, tmp_path).remote is False
    with pytest.raises(ValueError, match="unknown coordinator 'http://h"):
        get_coordinator("http://h:1")
    monkeypatch.setenv("HANTOO_COORDINATOR", "redis://:sekrit@127.0.0.1:1/0")
    c = get_coordinator()
    assert isinstance(c, RedisCoordinator) and c.remote
    assert "sekrit" not in repr(c)
    reset_coordinators()


# -- tokens ------------------------------------------------------------------------------------


def test_one_token_for_clients_that_share_only_redis(redis: RedisServer, tmp_path: Path) -> None:
    with private_sim() as sim:
        clients = [sim.client(cache_dir=str(tmp_path / f"host{i}"), coordinator=redis.url)
                   for i in range(3)]
        tokens = {c.token() for c in clients}
        assert len(tokens) == 1
        assert sim.state.auth.issuances(clients[0].settings.app_key) == 1
        for c in clients:
            c.quote("005930")  # the shared token works for every client
        # nothing in the cache directories: the token lives in Redis
        assert not list(tmp_path.glob("host*/*access_token*"))
        for c in clients:
            c.close()


def test_one_approval_key_for_clients_that_share_only_redis(
    redis: RedisServer, tmp_path: Path,
) -> None:
    with private_sim() as sim:
        a = sim.client(cache_dir=str(tmp_path / "a"), coordinator=redis.url)
        b = sim.client(cache_dir=str(tmp_path / "b"), coordinator=redis.url)
        key = a.approval_key()
        assert b.approval_key() == key  # the simulator hands out a fresh key per request
        assert len(sim.state.auth._approvals) == 1
        a.close()
        b.close()


def test_revocation_is_seen_by_the_other_clients(redis: RedisServer, tmp_path: Path) -> None:
    with private_sim() as sim:
        a = sim.client(cache_dir=str(tmp_path / "a"), coordinator=redis.url)
        b = sim.client(cache_dir=str(tmp_path / "b"), coordinator=redis.url)
        first = a.token()
        assert b.token() == first
        assert a.revoke()
        sim.advance(61)  # the simulator issues one token a minute per key
        b.tokens._access.next_recheck = 0.0  # the next call re-reads now, not in 2 s
        second = b.token()
        assert second != first
        assert a.token() == second  # one new issuance, shared
        assert sim.state.auth.issuances(a.settings.app_key) == 2
        a.close()
        b.close()


def test_redis_that_lost_its_data_is_refilled_without_a_new_issuance(
    redis: RedisServer, tmp_path: Path,
) -> None:
    with private_sim() as sim:
        a = sim.client(cache_dir=str(tmp_path / "a"), coordinator=redis.url)
        token = a.token()
        redis.stop()
        redis.start()  # empty: --save ''
        a.tokens._access.next_recheck = 0.0
        assert a.token() == token  # re-read: missing, so ours is put back
        b = sim.client(cache_dir=str(tmp_path / "b"), coordinator=redis.url)
        assert b.token() == token
        assert sim.state.auth.issuances(a.settings.app_key) == 1
        a.close()
        b.close()


# -- limiter -----------------------------------------------------------------------------------


def _limiters(url: str, spec: str, count: int) -> list[RateLimiter]:
    """``count`` limiters on one key, each with its own coordinator: separate processes."""
    profile = profile_for("sim", spec)
    return [RateLimiter(profile, environment="sim", key_id="fleet-test",
                        shared=RedisCoordinator(url).shared_limit("sim", "fleet-test"))
            for _ in range(count)]


def _slots(limiters: list[RateLimiter], n: int) -> list[float]:
    """Reserve ``n`` slots round-robin; each slot in this process's monotonic time, exactly as
    the limiter placed it (a clock read around the call would be off by any descheduling)."""
    out = []
    for i in range(n):
        lim = limiters[i % len(limiters)]
        slot, _at = lim._reserve(None)
        out.append(slot)
    return out


def test_limiters_sharing_redis_keep_every_window_together(redis: RedisServer) -> None:
    limiters = _limiters(redis.url, "16/s+48/10s@3", 3)
    slots = _slots(limiters, 80)
    assert all(lim._shared is not None and lim._shared.mode == "fleet"  # type: ignore[attr-defined]
               for lim in limiters)
    for w in limiters[0].profile.windows:
        assert sliding_ok(slots, w), w.label
    # 80 fleet reservations: 16 in the first second, then the 10 s window's sustained rate
    # (46 per 10 s): the shared schedule reaches ~7 s ahead
    assert max(slots) - time.monotonic() > 5.0


def test_a_server_hint_to_one_limiter_holds_them_all(redis: RedisServer) -> None:
    a, b = _limiters(redis.url, "50/s", 2)
    a.reserve()
    a.observe_headers({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "3"})
    assert b.reserve() > 2.5


def test_redis_down_means_a_local_share_then_rejoin_without_burst(
    redis: RedisServer, caplog: pytest.LogCaptureFixture,
) -> None:
    limiters = _limiters(redis.url, "20/s", 4)
    slots = _slots(limiters, 20)  # the fleet schedule: one second of calls ahead
    assert all(lim._shared.mode == "fleet" for lim in limiters)  # type: ignore[union-attr]
    redis.stop()
    with caplog.at_level(logging.WARNING, logger="hantoo"):
        down = _slots(limiters, 40)
    assert all(lim._shared.mode == "down" for lim in limiters)  # type: ignore[union-attr]
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == len(limiters)  # once per process, not per call
    assert "1/4 of the key's limits" in warnings[0].getMessage()
    # each process on its own gets 5/s; together never more than 20 in any second
    window = limiters[0].profile.windows[0]
    assert sliding_ok(slots + down, window)
    per_process = down[0::4]
    assert min(b - a for a, b in itertools.pairwise(per_process)) >= 0.2 - EPS
    redis.start()
    deadline = time.monotonic() + PROBE_INTERVAL + REJOIN_GRACE + 5
    after: list[float] = []
    while time.monotonic() < deadline and not all(
            lim._shared.mode == "fleet" for lim in limiters):  # type: ignore[union-attr]
        after += _slots(limiters, 4)
        time.sleep(0.2)
    assert all(lim._shared.mode == "fleet" for lim in limiters)  # type: ignore[union-attr]
    after += _slots(limiters, 40)
    assert sliding_ok(slots + down + after, window)


def test_state_lost_without_a_disconnect_is_noticed_and_pending_slots_kept(
    redis: RedisServer,
) -> None:
    import redis as redis_py

    limiters = _limiters(redis.url, "20/s", 2)
    slots = _slots(limiters, 20)  # one second of slots pending
    redis_py.Redis.from_url(redis.url).flushall()  # e.g. a failover to an empty replica
    after = _slots(limiters, 20)
    window = limiters[0].profile.windows[0]
    assert sliding_ok(slots + after, window)
    assert min(after) >= max(slots) - 1.0  # nobody was scheduled over the pending second
    assert all(lim._shared.mode != "fleet" for lim in limiters)  # type: ignore[union-attr]


def test_the_lua_script_applies_the_same_rule_as_gcra_reserve(redis: RedisServer) -> None:
    """The script is the Python rule's only twin: a burst of reservations gets the same slots."""
    from hantoo._core.limiter import _State, gcra_reserve

    (lim,) = _limiters(redis.url, "5/s+12/10s@3+30/min@4", 1)
    windows = lim.profile.windows
    shared = lim._shared
    assert shared is not None
    for _ in range(5):  # load the script and learn the clock offset (nothing reserved)
        shared._call(windows, reserve=False, rejoin=False,  # type: ignore[attr-defined]
                     floors=None)
    lua = []
    for _ in range(25):
        wait, _bound, at = shared.reserve(lim, None)
        lua.append(at + wait)  # the slot on this process's clock
    state = _State([float("-inf")] * len(windows))
    start = lua[0]
    python = [start + gcra_reserve(windows, state, start)[0] for _ in range(25)]
    # the script ran a few hundred microseconds apart, the Python rule at one instant; the
    # clock offset is known to half a round trip
    assert all(abs(a - b) < 0.01 for a, b in zip(lua, python, strict=True)), (lua, python)
    assert python[-1] - python[0] > 10.0  # the longer windows really bound
