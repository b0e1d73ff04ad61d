from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hantoo._core.backoff import RetryPolicy, backoff_delay


def test_defaults_are_small_and_bounded() -> None:
    p = RetryPolicy()
    assert p.max_attempts == 3
    assert p.should_retry(1) and p.should_retry(2) and not p.should_retry(3)


def test_no_jitter_is_capped_exponential() -> None:
    p = RetryPolicy(base=0.5, cap=3.0, multiplier=2.0, jitter="none")
    assert [p.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert p.delay(10_000) == 3.0  # no overflow


def test_full_jitter_within_ceiling_and_seeded() -> None:
    p = RetryPolicy(base=1.0, cap=10.0, jitter="full")
    a = [p.delay(n, random.Random(7)) for n in range(1, 8)]
    b = [p.delay(n, random.Random(7)) for n in range(1, 8)]
    assert a == b
    for n, d in enumerate(a, start=1):
        assert 0.0 <= d <= p.ceiling(n)


def test_schedule_yields_max_attempts_minus_one_delays() -> None:
    p = RetryPolicy(max_attempts=4, jitter="decorrelated")
    assert len(list(p.schedule(seed=1))) == 3
    assert list(p.schedule(seed=1)) == list(p.schedule(seed=1))
    assert list(RetryPolicy(max_attempts=1).schedule(seed=1)) == []


def test_decorrelated_uses_previous() -> None:
    p = RetryPolicy(base=1.0, cap=100.0, jitter="decorrelated")
    rng = random.Random(3)
    d = backoff_delay(p, 2, rng=rng, previous=10.0)
    assert 1.0 <= d <= 30.0


@pytest.mark.parametrize(
    "kwargs",
    [{"max_attempts": 0}, {"base": -1.0}, {"multiplier": 0.5}, {"jitter": "weird"}],
)
def test_invalid_policies_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_attempt_is_one_based() -> None:
    with pytest.raises(ValueError):
        RetryPolicy().delay(0)


@settings(max_examples=100, deadline=None)
@given(
    base=st.floats(0.0, 5.0),
    cap=st.floats(0.0, 60.0),
    mult=st.floats(1.0, 4.0),
    jitter=st.sampled_from(["full", "decorrelated", "none"]),
    seed=st.integers(0, 2**32),
    attempts=st.integers(1, 8),
)
def test_delays_always_within_zero_and_cap(
    base: float, cap: float, mult: float, jitter: str, seed: int, attempts: int
) -> None:
    p = RetryPolicy(max_attempts=attempts, base=base, cap=cap, multiplier=mult, jitter=jitter)  # type: ignore[arg-type]
    delays = list(p.schedule(seed=seed))
    assert len(delays) == attempts - 1
    for d in delays:
        assert 0.0 <= d <= cap
