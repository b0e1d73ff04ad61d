"""Retry policy as data: how many attempts, and how long to wait between them.

Why jitter: when KIS rejects a burst (``EGW00201``) or a gateway hiccups, every client that
retries after the same fixed delay arrives together again. Randomising the delay spreads them.
Two well-known schemes are offered:

* ``full``: ``delay(n) = uniform(0, min(cap, base * multiplier ** (n - 1)))`` - the lowest total
  load on the server; a delay may be close to zero.
* ``decorrelated``: ``delay(n) = min(cap, uniform(base, 3 * previous))`` with
  ``previous = base`` at first - grows like exponential backoff but never shrinks to ~0.
* ``none``: the plain capped exponential, for tests and for callers that want determinism.

The number of attempts is small on purpose (3 by default): reads are retried a few times, and
orders are never retried by this policy at all (only a definitive "not processed" may be resent,
and that decision belongs to the protocol core, not here).

Pass a seeded :class:`random.Random` (or ``seed=``) to make a schedule reproducible in tests.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Backoff", "Jitter", "RetryPolicy", "backoff_delay"]

Jitter = Literal["full", "decorrelated", "none"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a retryable call is repeated.

    ``max_attempts`` counts the first try: 3 means one call and at most two retries.
    Delays are in seconds.
    """

    max_attempts: int = 3
    base: float = 0.25
    cap: float = 8.0
    multiplier: float = 2.0
    jitter: Jitter = "full"

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base < 0 or self.cap < 0:
            raise ValueError("base and cap must not be negative")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")
        if self.jitter not in ("full", "decorrelated", "none"):
            raise ValueError(f"unknown jitter {self.jitter!r}")

    def should_retry(self, attempt: int) -> bool:
        """Whether another try may follow the failed attempt number ``attempt`` (1-based)."""
        return attempt < self.max_attempts

    def ceiling(self, attempt: int) -> float:
        """The capped exponential for ``attempt`` (1-based): the upper bound of ``full``."""
        if attempt < 1:
            raise ValueError("attempt is 1-based")
        # Cap the exponent so huge attempt numbers do not overflow a float.
        exp = min(attempt - 1, 64)
        return min(self.cap, self.base * self.multiplier**exp)

    def delay(
        self,
        attempt: int,
        rng: random.Random | None = None,
        previous: float | None = None,
    ) -> float:
        """The wait after failed attempt ``attempt`` (1-based). See :func:`backoff_delay`."""
        return backoff_delay(self, attempt, rng=rng, previous=previous)

    def schedule(self, *, seed: int | None = None, rng: random.Random | None = None) -> Backoff:
        """A stateful iterator of delays for one call (needed by ``decorrelated`` jitter)."""
        return Backoff(self, rng if rng is not None else random.Random(seed))


def backoff_delay(
    policy: RetryPolicy,
    attempt: int,
    *,
    rng: random.Random | None = None,
    previous: float | None = None,
) -> float:
    """How long to wait after failed attempt ``attempt`` (1-based) before the next one.

    ``previous`` is the delay used before (only ``decorrelated`` jitter looks at it; when absent
    the first delay is drawn as for attempt 1). The result is always within ``[0, cap]``.
    """
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    r = rng if rng is not None else random.Random()
    if policy.jitter == "none":
        return policy.ceiling(attempt)
    if policy.jitter == "full":
        return r.uniform(0.0, policy.ceiling(attempt))
    prev = policy.base if previous is None else max(previous, policy.base)
    return min(policy.cap, r.uniform(policy.base, prev * 3.0))


@dataclass(slots=True)
class Backoff:
    """Delays for the retries of one call: ``max_attempts - 1`` values, then exhaustion."""

    policy: RetryPolicy
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0
    previous: float | None = None

    def next_delay(self) -> float | None:
        """The next delay, or ``None`` when no retry is left."""
        self.attempt += 1
        if not self.policy.should_retry(self.attempt):
            return None
        d = backoff_delay(self.policy, self.attempt, rng=self.rng, previous=self.previous)
        self.previous = d
        return d

    def __iter__(self) -> Iterator[float]:
        while (d := self.next_delay()) is not None:
            yield d


def gave_up_hint(attempts: int) -> str:
    """The hint of a transport error that reaches the caller: how often it was really tried."""
    tries = "once (retries are off)" if attempts == 1 else f"{attempts} times, with backoff"
    return (f"the server did not answer (tried {tries}); check the network and that the server "
            "address (base_url / HANTOO_BASE_URL) is right and the server is running")
