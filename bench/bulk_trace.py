"""Where a bulk job's rate-limit budget goes (issue 18): a trace of one client's calls.

Installed around the bulk engine and the client's limiter for the length of a benchmark run
(it wraps ``hantoo.bulk.engine._counted`` and the limiter's ``_reserve``; nothing in the
library knows about it). It records, per API request, when it left and when its answer came
back, and every slot the limiter handed out, then prints:

* calls per second in one-second buckets from the job's start;
* start-up (job start to the first send) and tail (last send to the job's end);
* idle budget: time the limiter's schedule had no call booked although the window allowed one
  (the pipeline ran dry), and the moments nothing at all was in flight;
* slots given up by late wake-ups and calls the server refused, each a slot of budget lost.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any

from hantoo._core.flow import HttpRequest
from hantoo._core.limiter import RateLimiter
from hantoo.bulk import engine


class Trace:
    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self.sends: list[tuple[float, float]] = []  # (sent, answered), time.monotonic()
        self.slots: list[tuple[float, float]] = []  # (asked at, slot)
        self._lock = threading.Lock()
        self.interval = min(limiter.profile.windows, key=lambda w: w.period).emission_interval

    def _traced(self, flow: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
        try:
            action = next(flow)
            while True:
                if isinstance(action, HttpRequest) and not action.url.startswith("/oauth2"):
                    sent = time.monotonic()
                    try:
                        response = yield action
                    except Exception as exc:
                        self._sent(sent)
                        action = flow.throw(exc)
                        continue
                    self._sent(sent)
                    action = flow.send(response)
                else:
                    response = yield action
                    action = flow.send(response)
        except StopIteration as stop:
            return stop.value

    def _sent(self, sent: float) -> None:
        with self._lock:
            self.sends.append((sent, time.monotonic()))

    @contextmanager
    def installed(self) -> Iterator[Trace]:
        counted = engine._counted
        reserve = RateLimiter._reserve
        limiter = self.limiter

        def traced_counted(flow: Any, meter: Any, tally: Any) -> Any:
            return self._traced(counted(flow, meter, tally))

        def traced_reserve(now: float | None) -> tuple[float, float]:
            slot, at = reserve(limiter, now)
            with self._lock:
                self.slots.append((at, slot))
            return slot, at

        engine._counted = traced_counted
        limiter._reserve = traced_reserve  # type: ignore[method-assign]
        try:
            yield self
        finally:
            engine._counted = counted
            del limiter._reserve

    def report(self, started: float, ended: float, *, limit: float, late: int,
               refused: int) -> str:
        sends = sorted(self.sends)
        if not sends:
            return "trace: no calls"
        first, last = sends[0][0], sends[-1][0]
        last_answer = max(a for _s, a in sends)
        buckets = [0] * (int(ended - started) + 1)
        for s, _a in sends:
            buckets[int(s - started)] += 1
        # nothing in flight: gaps in the union of [sent, answered]
        dry, dry_n, reach = 0.0, 0, sends[0][1]
        for s, a in sends[1:]:
            if s > reach + 0.001:
                dry += s - reach
                dry_n += 1
            reach = max(reach, a)
        # the schedule's holes: slot spacing beyond one emission interval
        slots = sorted(slot for _at, slot in self.slots if first - 1 <= slot <= last + 1)
        holes = [b - a - self.interval for a, b in itertools.pairwise(slots)
                 if b - a > self.interval * 1.05]
        idle = sum(holes)
        span = last - first
        rtts = sorted(a - s for s, a in sends)
        n = int(limit)
        starts = [s for s, _a in sends]
        tightest = min((starts[i + n] - starts[i] for i in range(len(starts) - n)),
                       default=float("inf"))
        crowded = sum(1 for i in range(len(starts) - n) if starts[i + n] - starts[i] < 1.0)
        busy = sum(rtts)
        lines = [
            f"  calls/s per second: {' '.join(str(b) for b in buckets)}",
            f"  start-up {first - started:.3f} s (start to first send); sending {span:.2f} s; "
            f"tail {ended - last:.3f} s (last send to end; last answer "
            f"+{last_answer - last:.3f} s)",
            f"  while sending: {len(sends) / span if span else 0:.2f} calls/s "
            f"= {len(sends) / span / limit if span else 0:.1%} of the limit; "
            f"whole job {len(sends) / (ended - started):.2f} calls/s",
            f"  budget idle (no call booked): {idle:.3f} s in {len(holes)} holes "
            f"= {idle / self.interval:.1f} slots; nothing in flight {dry:.3f} s in {dry_n} gaps",
            f"  round trip p50 {rtts[len(rtts) // 2] * 1000:.0f} ms, p90 "
            f"{rtts[len(rtts) * 9 // 10] * 1000:.0f} ms, max {rtts[-1] * 1000:.0f} ms; "
            f"{busy / (last_answer - first):.1f} calls in flight on average",
            f"  client-side send stamps: the closest {n + 1} consecutive sends span "
            f"{tightest:.3f} s; {crowded} spans of {n + 1} under 1 s",
            f"  slots given up (late wake-ups): {late} = {late * self.interval:.3f} s; "
            f"refused by the server: {refused} = {refused * self.interval:.3f} s",
        ]
        return "\n".join(lines)
