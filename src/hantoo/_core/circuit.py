"""A circuit breaker per host: stop hammering a server that keeps failing.

Why: when the KIS gateway is down (or the simulator is not running), every call would otherwise
wait for its own timeout and retries, multiplying the load on a sick server and the latency seen
by the user. After ``failure_threshold`` consecutive failures the breaker *opens*: calls fail at
once with :class:`hantoo.errors.CircuitOpenError` (which says how long is left) for ``cooldown``
seconds. Then it is *half-open*: exactly one probe call is let through; its success closes the
breaker, its failure re-opens it for another cool-down. A probe that never reports back (its
caller was cancelled) is presumed lost after another cool-down, and a new probe is allowed.

What counts as a failure is the caller's decision (transport errors and gateway trouble, not a
business error such as a bad symbol): it calls :meth:`CircuitBreaker.record_failure` or
:meth:`CircuitBreaker.record_success` after each call. This keeps the breaker sans-I/O and usable
from flows, threads and tasks alike. The clock is injectable for tests.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from hantoo.errors import CircuitOpenError, ServiceUnavailableError, TransportError

from .redact import get_logger

__all__ = ["CircuitBreaker", "CircuitConfig", "CircuitRegistry", "CircuitState"]

_log = get_logger("circuit")


class CircuitState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class CircuitConfig:
    """Thresholds: open after ``failure_threshold`` consecutive failures, for ``cooldown`` s."""

    failure_threshold: int = 5
    cooldown: float = 30.0

    def __post_init__(self) -> None:
        if self.failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if self.cooldown < 0:
            raise ValueError("cooldown must not be negative")


class CircuitBreaker:
    """The breaker for one host. Thread-safe; every method is O(1) and never blocks long."""

    def __init__(
        self,
        host: str,
        config: CircuitConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.host = host
        self.config = config or CircuitConfig()
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_started: float | None = None

    def __repr__(self) -> str:
        return f"CircuitBreaker(host={self.host!r}, state={self.state.value})"

    @property
    def state(self) -> CircuitState:
        with self._lock:
            return self._current_state(self._clock())

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def _current_state(self, now: float) -> CircuitState:
        if self._state is CircuitState.OPEN and now - self._opened_at >= self.config.cooldown:
            self._state = CircuitState.HALF_OPEN
            self._probe_started = None
        return self._state

    def before_call(self) -> None:
        """Raise :class:`CircuitOpenError` unless a call may go out now.

        In the half-open state this admits exactly one probe; others fail fast until it reports.
        """
        with self._lock:
            now = self._clock()
            state = self._current_state(now)
            if state is CircuitState.CLOSED:
                return
            if state is CircuitState.OPEN:
                retry_after = max(0.0, self.config.cooldown - (now - self._opened_at))
                raise CircuitOpenError(self.host, retry_after)
            # half-open
            probe = self._probe_started
            if probe is None or now - probe >= self.config.cooldown:
                self._probe_started = now
                return
            raise CircuitOpenError(self.host, max(0.0, self.config.cooldown - (now - probe)))

    def allow(self) -> bool:
        """Non-raising :meth:`before_call`: ``True`` if a call may go out (and counts as one)."""
        try:
            self.before_call()
        except CircuitOpenError:
            return False
        return True

    def record_success(self) -> None:
        with self._lock:
            if self._state is not CircuitState.CLOSED:
                _log.info("circuit for %s closed: probe succeeded", self.host)
            self._state = CircuitState.CLOSED
            self._failures = 0
            self._probe_started = None

    def record_failure(self) -> None:
        with self._lock:
            now = self._clock()
            state = self._current_state(now)
            self._failures += 1
            if state is CircuitState.HALF_OPEN or (
                state is CircuitState.CLOSED and self._failures >= self.config.failure_threshold
            ):
                self._state = CircuitState.OPEN
                self._opened_at = now
                self._probe_started = None
                _log.warning(
                    "circuit for %s opened after %d consecutive failures; failing fast for %.1fs",
                    self.host,
                    self._failures,
                    self.config.cooldown,
                )

    def abandon(self) -> None:
        """The call admitted last was cancelled before it had an outcome: free the probe slot."""
        with self._lock:
            self._probe_started = None

    def reset(self) -> None:
        """Close the breaker and forget the failures (e.g. after the user fixed the network)."""
        with self._lock:
            self._state = CircuitState.CLOSED
            self._failures = 0
            self._probe_started = None

    @contextmanager
    def guard(
        self,
        failures: tuple[type[BaseException], ...] = (TransportError, ServiceUnavailableError),
    ) -> Iterator[None]:
        """``with breaker.guard(): call()`` - check, then record the outcome.

        Exceptions of the ``failures`` types count as failures; any other exception (a business
        error: the server answered) counts as a success for the host's health.
        """
        self.before_call()
        try:
            yield
        except failures:
            self.record_failure()
            raise
        except Exception:
            self.record_success()
            raise
        except BaseException:
            self.abandon()
            raise
        else:
            self.record_success()


class CircuitRegistry:
    """One breaker per host, created on first use; shared by every client of a process."""

    def __init__(
        self,
        config: CircuitConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config or CircuitConfig()
        self._clock = clock
        self._lock = threading.Lock()
        self._breakers: dict[str, CircuitBreaker] = {}

    def get(self, host: str) -> CircuitBreaker:
        with self._lock:
            breaker = self._breakers.get(host)
            if breaker is None:
                breaker = CircuitBreaker(host, self._config, clock=self._clock)
                self._breakers[host] = breaker
            return breaker
