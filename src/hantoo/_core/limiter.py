"""Client-side rate limiting per app key: several windows at once, limits as data.

Why: KIS counts calls per app key and rejects the excess with ``EGW00201`` (HTTP 500). A
rejected call costs a round trip and, for orders, makes the caller wonder what happened. So hantoo
spaces its own calls so the server never has a reason to reject them, across every thread and
task of the process (one limiter per key, from :func:`get_limiter`) and, when enabled, across the
processes of one host.

Algorithm - GCRA per window
---------------------------
Each window (``limit`` calls per ``period`` seconds) is a Generic Cell Rate Algorithm: one float
per window, the *theoretical arrival time* ``tat``. With emission interval ``T`` and tolerance
``tau``, a call at time ``t`` conforms when ``t >= tat - tau``; it then moves
``tat = max(tat, t) + T``. A reservation for several windows takes the latest of their earliest
conforming times, commits that time in every window and returns how long to wait for it.

GCRA is a token bucket, and a token bucket with ``burst = limit`` lets up to about
``2 * limit`` calls into one sliding window (a full bucket plus a period of refill). KIS does not
forgive that, so every window here is parameterised to guarantee *at most ``limit`` calls in any
sliding window of ``period`` seconds*: with a burst of ``b`` calls the sustained rate is
``m = limit - b + 1`` per period (``T = period / m``, ``tau = (b - 1) * T``). Proof sketch:
conforming calls satisfy ``t_k >= t_1 + (k - 1) * T - tau``, so ``limit + 1`` calls span at
least ``limit * T - tau = (m + b - 1) * T = period``.

The default profiles (data, in :data:`PROFILES`):

* ``real``: 18/s with no burst (one call every 1/18 s - KIS punishes bursts even below its
  nominal rate), 1,000/min with a burst of 50 (sustained 951/min), 50,000/h with a burst of
  2,500 (sustained 47,501/h). A short burst therefore runs at 18/s, a long one settles at the
  hourly rate.
* ``paper``: 1/s.
* ``sim``: like ``real``; pass your own :class:`LimitProfile` (or a spec string such as
  ``"30/s+2000/min@100"``) to :func:`get_limiter` to change it.

Server hints
------------
:meth:`RateLimiter.observe_headers` reads ``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset``
when a server sends them (the simulator does; KIS does not): ``Remaining: 0`` blocks every send
until the reset. ``Reset`` is seconds until the reset; a value above 10^9 is read as a Unix time.

Cross-process mode
------------------
KIS counts calls per app key, whatever process they come from, so the clients share the
limiter across the processes of a host by default for ``real`` and ``paper`` (``sim`` keeps
per-process limits; ``shared_rate_limit=`` on the client chooses either way). With
``shared=True`` the GCRA state lives in a small JSON file in the cache directory
(``ratelimit-<env>-<key hash>.json``), read and rewritten under a ``filelock`` on a sibling
``.lock`` file for every reservation. Trade-offs, chosen knowingly:

* cost: one lock, one small read and one atomic rewrite per call (tens of microseconds on a local
  disk; do not put the cache directory on a network file system);
* the shared time base is the wall clock (:func:`time.time`): a backward clock step makes callers
  wait up to the size of the step, a forward step allows at most one extra burst;
* times are floats: at Unix-time magnitudes their resolution is ~0.25 µs, so a window may be
  short by that much - far below any server's accounting;
* a process killed while writing cannot corrupt the state (the file is replaced atomically); an
  unreadable file is treated as empty, which allows at most one burst;
* if the lock cannot be taken within ``lock_timeout`` the reservation falls back to the
  process-local state and logs a warning, rather than stalling the caller;
* the clock is read *after* the lock is taken (a reading from before would make a caller that
  waited for the lock send late, bunched with the next process's call), the lock is polled
  every millisecond, and a caller already past its slot when the reservation returns takes a
  new one, as one that wakes up late does;
* processes are scheduled independently, so arrivals from different processes jitter more
  than those of one event loop (and a busy server counts arrivals late and bunched): shared
  windows add :data:`SHARED_JITTER` (80 ms) per period to their spacing — 8 % of the
  one-second window on top of the 2 % margin (16.4 calls/s instead of 17.6), nothing
  measurable for the minute and hour windows; over a minute or more the 1,000/min window binds
  anyway (the SDK's burst and sustained minute rate allow ~982 calls in the first minute).

The alternative - a broker process owning the limiter - is exact and cheap per call but needs a
daemon; a file is enough for the handful of processes a user runs on one machine.

Observability: a call that must wait longer than ``throttle_threshold`` (0.5 s) is logged on
``hantoo.limiter`` and reported to the optional ``on_throttle`` callback; :meth:`RateLimiter.stats`
gives call and wait counters. The app key itself is never stored: only a hash prefix.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import os
import re
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import filelock

from .flow import Flow, Sleep
from .redact import Secret, get_logger

if TYPE_CHECKING:
    from .coordinator import Coordinator, SharedLimit

__all__ = [
    "PROFILES",
    "FileSharedLimit",
    "LimitProfile",
    "LimiterStats",
    "RateLimiter",
    "SendTicket",
    "ThrottleEvent",
    "Window",
    "gcra_reserve",
    "get_limiter",
    "key_fingerprint",
    "profile_for",
    "reset_limiters",
]

_log = get_logger("limiter")

_NEG_INF: Final = float("-inf")


# Calls are spaced this much wider than the limit. A gateway counts *arrivals*, and arrivals
# jitter by milliseconds to tens of milliseconds (queueing, the event loop, the network), so calls
# sent exactly at the limit are sometimes seen closer together than they were sent. 2 % costs
# 2 % of throughput and absorbs ~20 ms of jitter per second of calls (measured:
# bench/bench_limiter.py, 0 rejections at 98 % of an 18/s limit with 50 tasks).
DEFAULT_MARGIN: Final = 0.02

# Processes sharing a limiter are scheduled independently: on a busy host one process's call can
# reach the server tens of milliseconds later than planned while the next process's is on time,
# so two calls planned a full spacing apart arrive bunched. Shared limiters therefore widen their
# spacing by this much per window (8 % of a one-second window; nothing measurable for the
# minute and hour windows, which bind over long runs). Measured: bench/bench_limiter_procs.py.
SHARED_JITTER: Final = 0.08

_LOCK_POLL: Final = 0.001
#: How many times a caller that missed its slot takes a new one before sending anyway.
_MAX_RESLOTS: Final = 3


@dataclass(frozen=True, slots=True)
class Window:
    """At most ``limit`` calls in any sliding ``period`` seconds, allowing ``burst`` at once.

    ``margin`` widens the spacing by that fraction; :func:`profile_for` (what the clients use)
    applies :data:`DEFAULT_MARGIN` to windows that have none.
    """

    limit: int
    period: float
    burst: int = 1
    margin: float = 0.0

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("limit must be at least 1")
        if not self.period > 0:
            raise ValueError("period must be positive")
        if not 1 <= self.burst <= self.limit:
            raise ValueError("burst must be between 1 and limit")
        if not 0 <= self.margin < 1:
            raise ValueError("margin must be in [0, 1)")

    @property
    def sustained(self) -> int:
        """Calls per period in the long run: ``limit - burst + 1``."""
        return self.limit - self.burst + 1

    @property
    def emission_interval(self) -> float:
        return self.period * (1.0 + self.margin) / self.sustained

    @property
    def tolerance(self) -> float:
        return (self.burst - 1) * self.emission_interval

    @property
    def label(self) -> str:
        unit = {1.0: "s", 60.0: "min", 3600.0: "h"}.get(self.period)
        base = f"{self.limit}/{unit}" if unit else f"{self.limit}/{self.period:g}s"
        return base if self.burst == 1 else f"{base}@{self.burst}"


_SPEC_ITEM = re.compile(r"^\s*(\d+)\s*/\s*(\d*\.?\d*)\s*(s|sec|min|m|h|hour)\s*(?:@\s*(\d+))?\s*$")
_UNITS: Final = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "hour": 3600.0}


@dataclass(frozen=True, slots=True)
class LimitProfile:
    """A named set of windows, all enforced together."""

    name: str
    windows: tuple[Window, ...]

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("a profile needs at least one window")

    @classmethod
    def parse(cls, name: str, spec: str) -> LimitProfile:
        """Parse ``"18/s+1000/min@50+50000/h@2500"`` (``@n`` is the burst; default 1)."""
        windows: list[Window] = []
        for item in spec.replace(",", "+").split("+"):
            m = _SPEC_ITEM.match(item)
            if m is None:
                raise ValueError(
                    f"bad rate-limit window {item!r}; expected e.g. '18/s' or '1000/min@50'"
                )
            count, mult, unit, burst = m.groups()
            period = (float(mult) if mult else 1.0) * _UNITS[unit]
            windows.append(Window(int(count), period, int(burst) if burst else 1))
        return cls(name, tuple(windows))

    @classmethod
    def from_mapping(cls, name: str, data: Mapping[str, Any]) -> LimitProfile:
        """From configuration data: ``{"windows": [{"limit": 18, "period": 1.0}, ...]}``."""
        raw = data.get("windows")
        if not isinstance(raw, list):
            raise ValueError("rate-limit profile needs a 'windows' list")
        windows = tuple(
            Window(int(w["limit"]), float(w["period"]), int(w.get("burst", 1))) for w in raw
        )
        return cls(name, windows)

    @property
    def spec(self) -> str:
        return "+".join(w.label for w in self.windows)


_REAL: Final = LimitProfile(
    "real", (Window(18, 1.0), Window(1000, 60.0, burst=50), Window(50_000, 3600.0, burst=2_500))
)
PROFILES: Final[Mapping[str, LimitProfile]] = MappingProxyType(
    {
        "real": _REAL,
        "paper": LimitProfile("paper", (Window(1, 1.0),)),
        "sim": replace(_REAL, name="sim"),
    }
)


def profile_for(
    environment: str,
    override: LimitProfile | str | None = None,
    *,
    margin: float = DEFAULT_MARGIN,
    jitter: float = 0.0,
) -> LimitProfile:
    """The profile for ``environment``; ``override`` (a profile or a spec string) wins.

    Windows without a margin of their own get ``margin`` (see :data:`DEFAULT_MARGIN`) plus
    ``jitter / period``: an absolute allowance for arrival jitter, which matters for short
    windows only (30 ms is 3 % of a second, 0.05 % of a minute).
    """
    if isinstance(override, LimitProfile):
        chosen = override
    elif isinstance(override, str):
        chosen = LimitProfile.parse(environment, override)
    else:
        try:
            chosen = PROFILES[environment]
        except KeyError:
            raise ValueError(
                f"no rate-limit profile for environment {environment!r}; "
                f"known: {', '.join(PROFILES)} (or pass a LimitProfile)"
            ) from None
    windows = tuple(
        w if w.margin else replace(w, margin=min(0.5, margin + jitter / w.period))
        for w in chosen.windows
    )
    return replace(chosen, windows=windows)


def key_fingerprint(app_key: str | Secret) -> str:
    """A short hash that names an app key in file names, registries and reprs."""
    raw = app_key.get_secret_value() if isinstance(app_key, Secret) else app_key
    return hashlib.sha256(b"hantoo-appkey:" + raw.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ThrottleEvent:
    """Reported when a call had to wait longer than the threshold."""

    environment: str
    key_id: str
    delay: float
    bound_by: str  # the window label that imposed the wait, or "server" for header hints
    at: float


@dataclass(frozen=True, slots=True)
class LimiterStats:
    calls: int
    throttled: int
    total_wait: float
    max_wait: float
    late_wakes: int = 0
    late_sends: int = 0


@dataclass(slots=True)
class _State:
    tats: list[float]
    blocked_until: float = _NEG_INF


def gcra_reserve(
    windows: tuple[Window, ...], state: _State, now: float
) -> tuple[float, str]:
    """The GCRA rule: commit the earliest slot conforming in every window (and after a server
    hint) into ``state``; ``(seconds from now, label of the window that bound it)``.

    Written once in Python; its only twin is the Redis script of
    :mod:`hantoo._core.coordinator_redis`, which applies it to the fleet's state atomically.
    """
    start = max(now, state.blocked_until)
    bound = "server" if state.blocked_until > now else ""
    for i, w in enumerate(windows):
        allowed = state.tats[i] - w.tolerance
        if allowed > start:
            start = allowed
            bound = w.label
    for i, w in enumerate(windows):
        state.tats[i] = max(state.tats[i], start) + w.emission_interval
    return start - now, bound


@dataclass(slots=True)
class _Counters:
    calls: int = 0
    throttled: int = 0
    total_wait: float = 0.0
    max_wait: float = 0.0
    late_wakes: int = 0
    late_sends: int = 0


@dataclass(slots=True)
class _Send:
    """One send in a local limiter's log: released at ``at``; once its request is on the wire
    (:meth:`SendTicket.sent`), ``at`` is that moment and ``on_wire`` is set."""

    at: float
    on_wire: bool = False
    released: float = 0.0  # when the limiter let it go (``at`` before it is on the wire)

    def __post_init__(self) -> None:
        self.released = self.at


class SendTicket:
    """What a call released by :meth:`RateLimiter.ticket_flow` holds until its request is out.

    Why: the limiter releases a call at its slot, but the request reaches the socket later -
    a thread waiting for the GIL, a pooled connection or a new TCP connect, tens to hundreds of
    milliseconds on a busy machine - while the next calls may go on time. The gateway counts
    what reaches it, so the limiter counts what went out: :meth:`sent` (the driver calls it as
    the request's head is written; the call flow again once the answer is in, whichever comes
    first) moves the send in the log to that moment, and a send not yet out counts as going
    out *now* for every call released meanwhile (see :meth:`RateLimiter._hold`).
    """

    __slots__ = ("_limiter", "_send", "waited")

    def __init__(self, limiter: RateLimiter | None, send: _Send | None, waited: float) -> None:
        self._limiter = limiter
        self._send = send
        #: seconds the call waited for its slot
        self.waited = waited

    def sent(self) -> None:
        """The request is on the wire (or will never be): stamp it now. Idempotent."""
        send, limiter = self._send, self._limiter
        if send is None or limiter is None or send.on_wire:
            return
        with limiter._lock:
            if not send.on_wire:
                send.at = max(send.at, limiter.clock())
                send.on_wire = True


# A send not yet on the wire counts as going out now; past this age it is forgotten (a caller
# that dropped its ticket must not hold the key's window for good).
_UNSENT_MAX_AGE: Final = 5.0
# How long a call waits before looking again when the send it must wait out is not out yet.
_UNSENT_POLL: Final = 0.002


class FileSharedLimit:
    """The limiter state of the processes of one host: a JSON file under a file lock.

    The default :class:`hantoo._core.coordinator.SharedLimit` (see "Cross-process mode" in the
    module docstring). The time base is the wall clock, the one clock the processes share.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        environment: str,
        key_id: str,
        *,
        lock_timeout: float = 5.0,
    ) -> None:
        directory = Path(directory)
        stem = f"ratelimit-{environment or 'default'}-{key_id or 'anon'}"
        self.path = directory / f"{stem}.json"
        self.lock = filelock.FileLock(str(directory / f"{stem}.json.lock"), thread_local=False,
                                      mode=0o600)
        self.timeout = lock_timeout
        self.warned = False
        self.clock: Callable[[], float] = time.time

    def __repr__(self) -> str:
        return f"FileSharedLimit({str(self.path)!r})"

    def reserve(self, limiter: RateLimiter, now: float | None) -> tuple[float, str, float]:
        try:
            with self._shared_state(limiter) as state:
                at = limiter.clock() if now is None else now
                return (*gcra_reserve(limiter.profile.windows, state, at), at)
        except filelock.Timeout:
            if not self.warned:
                self.warned = True
                _log.warning(
                    "rate-limit lock %s busy for %.1fs; using process-local limits",
                    self.lock.lock_file,
                    self.timeout,
                )
            at = limiter.clock() if now is None else now
            return (*gcra_reserve(limiter.profile.windows, limiter._state, at), at)

    def block_until(self, limiter: RateLimiter, until: float) -> bool:
        try:
            with self._shared_state(limiter) as state:
                state.blocked_until = max(state.blocked_until, until)
            return True
        except filelock.Timeout:
            return False

    @contextlib.contextmanager
    def _shared_state(self, limiter: RateLimiter) -> Iterator[_State]:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Poll the lock every millisecond (filelock's default is 50 ms): a reservation holds it
        # for well under a millisecond, and a caller waiting 50 ms would miss its slot.
        with self.lock.acquire(timeout=self.timeout, poll_interval=_LOCK_POLL):
            state = self._read_shared(limiter.profile.windows)
            yield state
            self._write_shared(limiter.profile.windows, state)
            # Keep the local copy close, for the fallback path.
            limiter._state = _State(list(state.tats), state.blocked_until)

    def _read_shared(self, windows: tuple[Window, ...]) -> _State:
        path = self.path
        state = _State([_NEG_INF] * len(windows))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return state
        except (OSError, ValueError):
            _log.warning("rate-limit state %s unreadable; starting afresh", path)
            return state
        if not isinstance(data, dict):
            return state
        tats = data.get("tats")
        if isinstance(tats, dict):
            for i, w in enumerate(windows):
                v = tats.get(w.label)
                if isinstance(v, (int, float)) and math.isfinite(v):
                    state.tats[i] = float(v)
        b = data.get("blocked_until")
        if isinstance(b, (int, float)) and math.isfinite(b):
            state.blocked_until = float(b)
        return state

    def _write_shared(self, windows: tuple[Window, ...], state: _State) -> None:
        path = self.path
        payload: dict[str, Any] = {
            "tats": {
                w.label: t
                for w, t in zip(windows, state.tats, strict=True)
                if math.isfinite(t)
            },
        }
        if math.isfinite(state.blocked_until):
            payload["blocked_until"] = state.blocked_until
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ratelimit-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


class RateLimiter:
    """Multi-window GCRA limiter for one app key. Thread-safe; async-friendly; optionally shared.

    The core operation is :meth:`reserve`: non-blocking, it commits a send slot and returns the
    seconds to wait for it, so a flow can ``yield Sleep(delay)``. :meth:`acquire` and
    :meth:`acquire_async` wrap it with a real sleep.
    """

    def __init__(
        self,
        profile: LimitProfile,
        *,
        environment: str = "",
        key_id: str = "",
        clock: Callable[[], float] | None = None,
        throttle_threshold: float = 0.5,
        on_throttle: Callable[[ThrottleEvent], None] | None = None,
        shared_dir: str | os.PathLike[str] | None = None,
        lock_timeout: float = 5.0,
        shared: SharedLimit | None = None,
    ) -> None:
        self.profile = profile
        self.environment = environment
        self.key_id = key_id
        self.throttle_threshold = throttle_threshold
        self.on_throttle = on_throttle
        self._lock = threading.Lock()
        self._state = _State([_NEG_INF] * len(profile.windows))
        self._counters = _Counters()
        # Where the state is shared (a coordinator's SharedLimit), if it is.
        self._shared: SharedLimit | None = shared
        if shared is None and shared_dir is not None:
            self._shared = FileSharedLimit(shared_dir, environment, key_id,
                                           lock_timeout=lock_timeout)
        # The shared state is compared across processes, so it needs a shared time base.
        self.clock: Callable[[], float] = clock or (
            self._shared.clock if self._shared is not None else time.monotonic)

    def __repr__(self) -> str:
        mode = "shared" if self._shared else "local"
        return (
            f"RateLimiter(environment={self.environment!r}, key={self.key_id!r}, "
            f"profile={self.profile.spec!r}, {mode})"
        )

    @property
    def shared(self) -> bool:
        return self._shared is not None

    # -- the core operation -------------------------------------------------------------------

    def reserve(self, now: float | None = None) -> float:
        """Commit the next send slot and return how many seconds to wait before sending.

        ``now`` is the caller's reading of :attr:`clock` (read inside when omitted: in shared
        mode only once the file lock is held). Never blocks (beyond the short file lock in
        shared mode).
        """
        slot, at = self._reserve(now)
        return slot - at

    def _reserve(self, now: float | None) -> tuple[float, float]:
        """``(slot, the clock reading the slot was decided at)``, both in :attr:`clock` time.

        Why the reading is taken under the file lock in shared mode: waiting for the lock can
        take milliseconds while other processes hold it. A reading taken before would make the
        returned wait too long by that much, and the caller would send *after* its slot,
        closer to the next process's call than the spacing allows — the residual EGW00201 of
        host-wide limiting.
        """
        with self._lock:
            if self._shared is not None:
                delay, bound, now = self._shared.reserve(self, now)
            else:
                if now is None:
                    now = self.clock()
                delay, bound = gcra_reserve(self.profile.windows, self._state, now)
            c = self._counters
            c.calls += 1
            c.total_wait += delay
            c.max_wait = max(c.max_wait, delay)
            slow = delay > self.throttle_threshold
            if slow:
                c.throttled += 1
        if slow:
            self._report(delay, bound, now)
        return now + delay, now

    def _report(self, delay: float, bound: str, now: float) -> None:
        _log.info(
            "rate limit: waiting %.3fs before the next call (%s, key %s, window %s)",
            delay,
            self.environment or "-",
            self.key_id or "-",
            bound or "-",
            extra={"elapsed": delay, "limit_window": bound},
        )
        callback = self.on_throttle
        if callback is not None:
            try:
                callback(ThrottleEvent(self.environment, self.key_id, delay, bound, now))
            except Exception:
                _log.exception("rate-limit on_throttle callback failed")

    # -- convenience ----------------------------------------------------------------------------

    # A caller that wakes up later than its slot must not send then if that compresses calls
    # together (a late call and the next, on-time one arriving closer than the spacing is
    # exactly what a gateway counting arrivals rejects). Late by more than ``max_lateness``
    # seconds, it takes a new slot (counted in ``late_wakes``). The slot given up is budget
    # lost for good, which a bulk job pressing against the limit cannot afford on a busy
    # machine; while one runs (:meth:`keep_late_slots`) a *local* limiter, which knows every
    # send of its key, lets a late caller keep its slot (counted in ``late_sends``) and wait
    # only as long as the log of actual sends requires (:meth:`_hold`): no more than ``limit``
    # sends in any ``period * (1 + margin)`` of the shortest window (``max_lateness`` more for
    # the late call itself: lateness means a busy machine, whose arrivals jitter more), and,
    # without a burst, at least ``emission_interval - max_lateness`` after the previous send -
    # what an on-time call may already be. Up to ``max_late_send`` seconds late, and within the
    # margin of every longer window (which only the GCRA schedule guards). Keeping a slot costs
    # a few milliseconds spread over the next calls but leaves no slack: a server stamping
    # arrivals late is refused a little more often (a slot each; reads are retried), which is
    # why the rule is for bulk jobs only.
    #
    # Outside bulk jobs too, a local limiter never lets more than ``limit`` sends *reach the
    # wire* in any ``period`` of the shortest window: the log holds when each request went out
    # (:class:`SendTicket`), a request released but not out yet counts as going out now, and a
    # call is held while the window is full. GCRA spaces the releases; this rule keeps a
    # request that left late (measured in the 2,000-symbol job: 46 requests of a 45/s limiter
    # on the wire within 0.81 s, its releases never closer than 1.02 s) from crowding the
    # next ones into one window.
    max_lateness: float = 0.015
    max_late_send: float = 0.5
    _sends: deque[_Send] | None = None  # local mode: the latest sends, shortest window
    _keeping = 0  # bulk jobs under way (keep_late_slots)

    @contextlib.contextmanager
    def keep_late_slots(self) -> Iterator[None]:
        """While in this block (a bulk job), late callers of a local limiter keep their slots
        (see ``max_lateness``); nests, and applies to every caller of this key meanwhile."""
        with self._lock:
            self._keeping += 1
        try:
            yield
        finally:
            with self._lock:
                self._keeping -= 1

    def _late(self, slot: float) -> bool:
        late = self.clock() - slot
        if late <= self.max_lateness or late <= self._late_send_allowance():
            return False
        with self._lock:
            self._counters.late_wakes += 1
        return True

    def _late_send_allowance(self) -> float:
        """How late a caller may be and still keep its slot (0: it may not)."""
        # A long server hint (X-RateLimit-Remaining: 0): a new slot honours it.
        if (self.shared or not self._keeping
                or self._state.blocked_until - self.clock() > self.max_late_send):
            return 0.0
        windows = sorted(self.profile.windows, key=lambda w: w.period)
        slack = min((w.period * w.margin for w in windows[1:]), default=math.inf)
        return min(self.max_late_send, slack)

    def _hold(self, slot: float) -> tuple[float, _Send | None]:
        """Log a send now and return ``(0, its log entry)``, or ``(seconds to wait, None)``.

        Local limiters only (shared ones return ``(0, None)``: other processes' sends are not
        in the log). The window rule (see ``max_lateness``): with sends still on their way
        counted as going out now, no more than ``limit`` in the last ``period`` (in a bulk
        job ``period * (1 + margin)``, and ``max_lateness`` more for a late call). In a bulk
        job also the spacing after the latest send, and a late call waits out a short server
        hint (``X-RateLimit-Remaining: 0``; on-time calls were scheduled before it, and a hint
        read an answer's round trip late is stale for them). On-time calls whose earlier
        requests went out on time pass straight through (GCRA spaced them at least this far);
        a caller well before its slot (a driver that did not sleep) is not held.
        """
        if self.shared:
            return 0.0, None
        w = min(self.profile.windows, key=lambda w: w.period)
        with self._lock:
            now = self.clock()
            sends = self._sends
            if sends is None:
                sends = self._sends = deque()
            keeping = self._keeping
            widest = w.period * (1.0 + w.margin) + self.max_lateness
            while sends and sends[0].on_wire and sends[0].at <= now - widest:
                sends.popleft()
            if len(sends) > 2 * w.limit + 64:  # an old send still unmarked blocks the left
                self._sends = sends = deque(s for s in sends if _current(s, now, widest))
            hold = 0.0
            late = now - slot > self.max_lateness
            if now >= slot - self.max_lateness:
                if keeping and sends and w.burst == 1:
                    # spacing after the latest release (the window rule below counts the wire)
                    latest = sends[-1].released
                    hold = latest + w.emission_interval - self.max_lateness - now
                room = w.period
                if keeping:
                    # a late call leaves max_lateness more room: lateness comes with a busy
                    # machine, whose arrivals (and the server's stamps) jitter more
                    room = w.period * (1.0 + w.margin) + (self.max_lateness if late else 0.0)
                hold = max(hold, _window_hold(sends, now, room, w.limit))
                if keeping and late:  # a late call honours a server hint
                    hold = max(hold, self._state.blocked_until - now)
            if hold > 0:
                return hold, None
            entry = _Send(now)
            sends.append(entry)
            if late:
                self._counters.late_sends += 1
            return 0.0, entry

    def acquire(self) -> float:
        """Wait for a slot, blocking this thread (drives :meth:`wait_flow`)."""
        flow = self.wait_flow()
        try:
            while True:
                time.sleep(_sleep_of(next(flow)))
        except StopIteration as done:
            return float(done.value)

    async def acquire_async(self) -> float:
        """Wait for a slot with ``asyncio.sleep`` (drives :meth:`wait_flow`)."""
        flow = self.wait_flow()
        try:
            while True:
                await asyncio.sleep(_sleep_of(next(flow)))
        except StopIteration as done:
            return float(done.value)

    def wait_flow(self) -> Flow[float]:
        """Reserve a slot and yield the wait as :class:`Sleep`; returns the seconds waited.

        For callers that send as soon as this returns (:meth:`acquire`,
        :meth:`acquire_async`): the send is logged as on the wire at once. The SDK's own
        calls use :meth:`ticket_flow` and say when their request really went out.
        """
        ticket = yield from self.ticket_flow()
        ticket.sent()
        return ticket.waited

    def ticket_flow(self) -> Flow[SendTicket]:
        """Reserve a slot and yield the wait as :class:`Sleep`; returns a :class:`SendTicket`
        whose :meth:`~SendTicket.sent` the caller calls when its request is on the wire.

        A caller that finds itself past its slot by more than :attr:`max_lateness` — after
        sleeping, or already when the reservation returns — keeps it on a local limiter when
        the log of sends allows (waiting the few milliseconds :meth:`_hold` asks), and takes a
        new slot otherwise (at most ``_MAX_RESLOTS`` times, so a starved machine still makes
        progress).
        """
        waited = 0.0
        reslots = 0
        while True:
            slot, _at = self._reserve(None)
            delay = slot - self.clock()
            # A slot due now still yields once (``Sleep(0)``: a no-op for the sync driver):
            # under asyncio the other ready tasks reserve first, and if that took long — many
            # tasks starting together, each waiting for the shared file lock — this call finds
            # itself late below instead of being sent late, bunched with the next slot.
            yield Sleep(max(delay, 0.0))
            waited += max(delay, 0.0)
            if reslots < _MAX_RESLOTS and self._late(slot):
                reslots += 1
                continue
            while True:
                hold, entry = self._hold(slot)
                if hold <= 0:
                    return SendTicket(self, entry, waited)
                yield Sleep(hold)
                waited += hold

    # -- server hints -----------------------------------------------------------------------------

    def observe_headers(self, headers: Mapping[str, str], now: float | None = None) -> None:
        """Honour ``X-RateLimit-*`` response headers: with ``Remaining: 0`` pause until reset."""
        lowered = {k.lower(): v for k, v in headers.items()}
        remaining = _to_number(lowered.get("x-ratelimit-remaining"))
        if remaining is None or remaining > 0:
            return
        reset = _to_number(lowered.get("x-ratelimit-reset"))
        if now is None:
            now = self.clock()
        if reset is None:
            wait = min(w.period for w in self.profile.windows)
        elif reset > 1e9:  # a Unix time, not a delta
            wait = reset - time.time()
        else:
            wait = reset
        if wait > 0:
            _log.info(
                "server reports no calls left (X-RateLimit-Remaining: 0, limit %s); pausing %.3fs",
                lowered.get("x-ratelimit-limit", "?"),
                wait,
            )
            self.block_until(now + wait, now=now)

    def block_until(self, until: float, *, now: float | None = None) -> None:
        """Send nothing before ``until`` (in :attr:`clock` time), e.g. after ``EGW00201``."""
        with self._lock:
            if self._shared is not None and self._shared.block_until(self, until):
                return
            self._state.blocked_until = max(self._state.blocked_until, until)

    def pause(self, seconds: float, now: float | None = None) -> None:
        """Send nothing for ``seconds`` from ``now``."""
        if now is None:
            now = self.clock()
        self.block_until(now + seconds, now=now)

    def stats(self) -> LimiterStats:
        with self._lock:
            c = self._counters
            return LimiterStats(c.calls, c.throttled, c.total_wait, c.max_wait, c.late_wakes,
                                c.late_sends)


def _current(send: _Send, now: float, widest: float) -> bool:
    """Whether ``send`` can still count in a window (or is on its way, and not stale)."""
    if send.on_wire:
        return send.at > now - widest
    return send.at > now - _UNSENT_MAX_AGE


def _window_hold(sends: deque[_Send], now: float, room: float, limit: int) -> float:
    """How long until fewer than ``limit`` sends fall in the last ``room`` seconds, counting a
    send not yet on the wire as going out now (it can only go out now or later)."""
    horizon = now - room
    stale = now - _UNSENT_MAX_AGE
    times = [s.at if s.on_wire else now for s in sends
             if (s.at > horizon if s.on_wire else s.at > stale)]
    excess = len(times) - limit + 1  # this call included
    if excess <= 0:
        return 0.0
    times.sort()
    first_out = times[excess - 1]  # the window is full until this one leaves it
    if first_out >= now:  # a send still on its way: look again once it is out
        return min(room, _UNSENT_POLL)
    return first_out + room - now


def _sleep_of(action: object) -> float:
    assert isinstance(action, Sleep), "wait_flow only ever asks to sleep"
    return action.seconds


def _to_number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


_REGISTRY_LOCK: Final = threading.Lock()
_REGISTRY: dict[tuple[str, str], RateLimiter] = {}


def get_limiter(
    environment: str,
    app_key: str | Secret,
    *,
    profile: LimitProfile | str | None = None,
    shared: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    throttle_threshold: float = 0.5,
    on_throttle: Callable[[ThrottleEvent], None] | None = None,
    coordinator: Coordinator | None = None,
) -> RateLimiter:
    """The process-wide limiter for ``(environment, app_key)``, created on first use.

    Every client of the process using the same key gets the same object, so their calls are
    counted together. The first call's options configure it; later calls with a different
    ``profile`` get the existing limiter (logged at debug level). ``shared=True`` puts the state
    in the token cache directory (see :func:`hantoo._core.token_cache.default_cache_dir`) so the
    processes of this host share it too; with a ``coordinator`` the state lives where it says
    (e.g. Redis: every process of every host using the key).
    """
    key_id = key_fingerprint(app_key)
    chosen = profile_for(environment, profile, jitter=SHARED_JITTER if shared else 0.0)
    with _REGISTRY_LOCK:
        limiter = _REGISTRY.get((environment, key_id))
        if limiter is None:
            shared_dir: Path | None = None
            shared_limit: SharedLimit | None = None
            if shared and coordinator is not None:
                shared_limit = coordinator.shared_limit(environment, key_id)
            elif shared:
                from .token_cache import default_cache_dir

                shared_dir = default_cache_dir(cache_dir)
            limiter = RateLimiter(
                chosen,
                environment=environment,
                key_id=key_id,
                throttle_threshold=throttle_threshold,
                on_throttle=on_throttle,
                shared_dir=shared_dir,
                shared=shared_limit,
            )
            _REGISTRY[(environment, key_id)] = limiter
        elif limiter.profile != chosen:
            _log.debug(
                "limiter for %s/%s already exists with %s; ignoring %s",
                environment,
                key_id,
                limiter.profile.spec,
                chosen.spec,
            )
        return limiter


def reset_limiters() -> None:
    """Forget every registered limiter (for tests)."""
    with _REGISTRY_LOCK:
        _REGISTRY.clear()
