from __future__ import annotations

import threading

import pytest

from hantoo._core.circuit import CircuitBreaker, CircuitConfig, CircuitRegistry, CircuitState
from hantoo.errors import CircuitOpenError, ConnectError, InvalidSymbolError


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def state(b: CircuitBreaker) -> CircuitState:
    """Read the state through a call, so type checkers do not narrow it between reads."""
    return b.state


def make(threshold: int = 3, cooldown: float = 10.0) -> tuple[CircuitBreaker, Clock]:
    clock = Clock()
    return CircuitBreaker("api.example", CircuitConfig(threshold, cooldown), clock=clock), clock


def test_opens_after_n_consecutive_failures() -> None:
    b, _ = make(threshold=3)
    for _ in range(2):
        b.before_call()
        b.record_failure()
    assert state(b) is CircuitState.CLOSED
    b.before_call()
    b.record_failure()
    assert state(b) is CircuitState.OPEN
    with pytest.raises(CircuitOpenError) as info:
        b.before_call()
    assert info.value.host == "api.example"
    assert info.value.retry_after == pytest.approx(10.0)


def test_success_resets_the_count() -> None:
    b, _ = make(threshold=3)
    b.record_failure()
    b.record_failure()
    b.record_success()
    b.record_failure()
    b.record_failure()
    assert state(b) is CircuitState.CLOSED


def test_half_open_allows_one_probe_then_success_closes() -> None:
    b, clock = make(threshold=1, cooldown=10.0)
    b.record_failure()
    clock.now += 4.0
    with pytest.raises(CircuitOpenError) as info:
        b.before_call()
    assert info.value.retry_after == pytest.approx(6.0)
    clock.now += 6.0
    assert state(b) is CircuitState.HALF_OPEN
    b.before_call()  # the probe
    assert not b.allow()  # a second caller fails fast while the probe is out
    b.record_success()
    assert state(b) is CircuitState.CLOSED
    b.before_call()
    assert b.allow()


def test_half_open_failure_reopens_for_a_full_cooldown() -> None:
    b, clock = make(threshold=2, cooldown=5.0)
    b.record_failure()
    b.record_failure()
    clock.now += 5.0
    b.before_call()
    b.record_failure()
    assert state(b) is CircuitState.OPEN
    clock.now += 4.9
    assert not b.allow()
    clock.now += 0.1
    assert b.allow()


def test_lost_probe_is_replaced_after_a_cooldown() -> None:
    b, clock = make(threshold=1, cooldown=5.0)
    b.record_failure()
    clock.now += 5.0
    assert b.allow()  # probe goes out and never reports
    assert not b.allow()
    clock.now += 5.0
    assert b.allow()


def test_guard_classifies_errors() -> None:
    b, _ = make(threshold=1)
    with pytest.raises(InvalidSymbolError), b.guard():
        raise InvalidSymbolError("MCA05918", "bad symbol")
    assert state(b) is CircuitState.CLOSED  # the server answered: healthy
    with pytest.raises(ConnectError), b.guard():
        raise ConnectError("refused")
    assert state(b) is CircuitState.OPEN
    with pytest.raises(CircuitOpenError), b.guard():
        pass


def test_open_error_text_has_host_and_no_secret() -> None:
    err = CircuitOpenError("openapi.koreainvestment.com", 3.0)
    assert "openapi.koreainvestment.com" in str(err) and "3.0s" in str(err)


def test_registry_shares_one_breaker_per_host() -> None:
    reg = CircuitRegistry(CircuitConfig(2, 1.0))
    assert reg.get("a") is reg.get("a")
    assert reg.get("a") is not reg.get("b")


def test_threads_only_one_probe_in_half_open() -> None:
    b, clock = make(threshold=1, cooldown=1.0)
    b.record_failure()
    clock.now += 1.0
    admitted: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def worker() -> None:
        barrier.wait()
        ok = b.allow()
        with lock:
            admitted.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert admitted.count(True) == 1


def test_invalid_config() -> None:
    with pytest.raises(ValueError):
        CircuitConfig(failure_threshold=0)
    with pytest.raises(ValueError):
        CircuitConfig(cooldown=-1)
