"""Server-side rate limits per app key, as KIS enforces them.

Profiles are data and match the SDK's (``hantoo._core.limiter``): ``real`` 18/s + 1,000/min +
50,000/h, ``paper`` 1/s, ``off``; or a spec string such as ``"30/s+2000/min"``. ``auto`` (the
default) picks ``real`` or ``paper`` by the calling key's persona.

Algorithm: an exact sliding-window log per (key, window) — the timestamps of the accepted calls
of the last ``period`` seconds in a deque, pruned from the left. A call is refused when a window
already holds ``limit`` calls. This is the strictest rule the SDK's limiter promises to respect
("at most ``limit`` calls in any sliding window of ``period``"), so a well-behaved client is never
refused, and anything faster is. Refused calls are not counted (they cost the server nothing).
``tolerance`` (10 ms) forgives calls that a client spaced correctly but that arrived slightly
bunched by the network or the event loop. A real gateway stamps a call when it arrives; this
server stamps it when its event loop gets to it, so a stall of its own (a long handler, the
process descheduled on a busy machine) would make calls that arrived spread over the stall look
bunched. :class:`LoopWatch` (run by the served app's lifespan) measures such stalls, and a
window's tolerance grows by the longest stall seen within it: the server never refuses a client
for bunching the server itself caused, and refuses as strictly as before while it keeps up.

Refusal: HTTP 500 ``{"rt_cd": "1", "msg_cd": "EGW00201", "msg1": "초당 거래건수를
초과하였습니다."}``, as the real server. Every limited answer carries ``X-RateLimit-Limit`` /
``-Remaining`` / ``-Reset`` (seconds) for the window closest to its limit — the design
document's headers, which the real server does not send but the SDK honours.

Time is the process's monotonic clock, not the simulator clock: limits are about real throughput.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["PROFILES", "LimitProfile", "Limiter", "LoopWatch", "Verdict", "Window",
           "parse_profile", "watch_loop"]


@dataclass(frozen=True, slots=True)
class Window:
    limit: int
    period_s: float


@dataclass(frozen=True, slots=True)
class LimitProfile:
    name: str
    windows: tuple[Window, ...]


PROFILES: dict[str, LimitProfile] = {
    "real": LimitProfile("real", (Window(18, 1.0), Window(1_000, 60.0), Window(50_000, 3600.0))),
    "paper": LimitProfile("paper", (Window(1, 1.0),)),
    "off": LimitProfile("off", ()),
}

_UNITS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "hour": 3600.0}
_PART = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


def parse_profile(spec: str | LimitProfile) -> LimitProfile:
    """``"real"``, ``"paper"``, ``"off"`` or ``"<n>/<unit>[+<n>/<unit>...]"`` (units s, min, h)."""
    if isinstance(spec, LimitProfile):
        return spec
    text = spec.strip().lower()
    if text in PROFILES:
        return PROFILES[text]
    windows: list[Window] = []
    for part in text.split("+"):
        m = _PART.match(part)
        if not m or m.group(3) not in _UNITS or int(m.group(1)) <= 0:
            raise ValueError(
                f"bad limit spec {spec!r}: use real, paper, off or e.g. '30/s+2000/min'"
            )
        mult = int(m.group(2)) if m.group(2) else 1
        windows.append(Window(int(m.group(1)), _UNITS[m.group(3)] * mult))
    return LimitProfile(text, tuple(windows))


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_s: float

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"X-RateLimit-Limit", str(self.limit).encode()),
            (b"X-RateLimit-Remaining", str(self.remaining).encode()),
            (b"X-RateLimit-Reset", f"{self.reset_s:.3f}".encode()),
        ]


class LoopWatch:
    """How long this server's event loop could not stamp arrivals, recently.

    A task (:func:`watch_loop`) beats every ``interval`` seconds. At a check, the time since
    the last beat beyond the interval is a stall that is still going on or just ended: calls
    checked now may have arrived anywhere in it. Stalls over 5 ms are remembered, so every check
    in a window that saw one is forgiven as much. Without a running watch there is no slack.
    """

    MIN_STALL = 0.005

    def __init__(self, interval: float = 0.01, clock: Callable[[], float] = time.monotonic,
                 keep_s: float = 3600.0) -> None:
        self.interval = interval
        self.clock = clock
        self.keep_s = keep_s
        self.last: float | None = None
        self._stalls: deque[tuple[float, float]] = deque()  # (seen at, length)

    def beat(self) -> None:
        now = self.clock()
        self._note(now)
        self.last = now

    def _note(self, now: float) -> float:
        if self.last is None:
            return 0.0
        stall = now - self.last - self.interval
        if stall > self.MIN_STALL:
            # A check during a stall notes it before the beat that ends it does: an entry
            # seen *after* the last beat is this stall, seen again; keep its latest length.
            # (The entry the last beat itself wrote, seen exactly at ``last``, is the stall
            # before: replacing it would forget a long stall as soon as a short one follows.)
            if self._stalls and self._stalls[-1][0] > self.last:
                self._stalls.pop()
            self._stalls.append((now, stall))
            while self._stalls and self._stalls[0][0] < now - self.keep_s:
                self._stalls.popleft()
            return stall
        return 0.0

    def slack(self, now: float, period: float) -> float:
        """The longest stall seen in the last ``period`` seconds, the current one included."""
        longest = self._note(now)
        since = now - period
        for t, stall in reversed(self._stalls):  # newest first: a 1 s window reads a few
            if t < since:
                break
            longest = max(longest, stall)
        return longest


async def watch_loop(watch: LoopWatch) -> None:
    """Beat ``watch`` until cancelled (the served app's lifespan runs it)."""
    import asyncio

    while True:
        watch.beat()
        await asyncio.sleep(watch.interval)


class Limiter:
    """Sliding-window logs per (key id, window)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        tolerance_s: float = 0.010,
    ) -> None:
        self.clock = clock
        self.tolerance_s = tolerance_s
        self.watch: LoopWatch | None = None  # set while a served app measures its stalls
        self._logs: dict[tuple[str, int], deque[float]] = {}
        self.refused = 0
        self.refused_by_key: dict[str, int] = {}

    def check(self, key: str, profile: LimitProfile) -> Verdict | None:
        """Admit or refuse one call of ``key``; ``None`` when the profile has no windows."""
        windows = profile.windows
        if not windows:
            return None
        now = self.clock()
        logs: list[deque[float]] = []
        tightest: tuple[int, int, float] | None = None  # remaining, limit, reset
        refused = False
        for i, w in enumerate(windows):
            dq = self._logs.get((key, i))
            if dq is None:
                dq = self._logs[(key, i)] = deque()
            tolerance = self.tolerance_s
            if self.watch is not None:
                tolerance += self.watch.slack(now, w.period_s)
            horizon = now - w.period_s + tolerance
            while dq and dq[0] <= horizon:
                dq.popleft()
            logs.append(dq)
            reset = (dq[0] + w.period_s - now) if dq else w.period_s
            if len(dq) >= w.limit:
                refused = True
                remaining = 0
            else:
                remaining = w.limit - len(dq) - 1
            if tightest is None or remaining < tightest[0]:
                tightest = (remaining, w.limit, max(reset, 0.0))
        assert tightest is not None
        if refused:
            self.refused += 1
            self.refused_by_key[key] = self.refused_by_key.get(key, 0) + 1
            return Verdict(False, tightest[1], 0, tightest[2])
        for dq in logs:
            dq.append(now)
        return Verdict(True, tightest[1], max(tightest[0], 0), tightest[2])

    def reset(self, key: str | None = None) -> None:
        """Forget the history of ``key`` (every key when ``None``)."""
        if key is None:
            self._logs.clear()
        else:
            for k in [k for k in self._logs if k[0] == key]:
                del self._logs[k]
