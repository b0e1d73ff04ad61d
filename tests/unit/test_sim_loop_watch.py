"""The simulator's rate limit forgives bunching that its own stalls caused, and only that.

A gateway stamps a call when it arrives; the simulator stamps it when its event loop gets to it.
If the loop stalled (a long handler, the process descheduled), calls that arrived spread over
the stall are checked back to back. ``LoopWatch`` measures such stalls and the limiter widens a
window's tolerance by the longest one inside it. A fake clock drives both.
"""

from __future__ import annotations

from hantoo.sim.limits import Limiter, LoopWatch, parse_profile

PROFILE = parse_profile("18/s")


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _beat_until(watch: LoopWatch, clock: Clock, until: float) -> None:
    while clock.t + watch.interval <= until:
        clock.t += watch.interval
        watch.beat()
    clock.t = until


def _burst(limiter: Limiter, n: int) -> list[bool]:
    out = []
    for _ in range(n):
        verdict = limiter.check("k", PROFILE)
        assert verdict is not None
        out.append(verdict.allowed)
    return out


def _setup(watched: bool) -> tuple[Limiter, LoopWatch, Clock]:
    clock = Clock()
    limiter = Limiter(clock=clock)
    watch = LoopWatch(clock=clock)
    if watched:
        limiter.watch = watch
    watch.beat()
    return limiter, watch, clock


def test_a_burst_checked_after_the_servers_own_stall_is_not_refused() -> None:
    limiter, watch, clock = _setup(watched=True)
    clock.t += 0.6  # the loop stalled 0.6 s: 18 calls that arrived during it are checked at once
    assert _burst(limiter, 18) == [True] * 18
    _beat_until(watch, clock, clock.t + 0.9)
    # 0.9 s later by the server's stamps, but the first 18 may have arrived up to 0.6 s earlier
    assert _burst(limiter, 1) == [True]


def test_without_a_watch_the_same_burst_is_refused() -> None:
    limiter, watch, clock = _setup(watched=False)
    clock.t += 0.6
    assert _burst(limiter, 18) == [True] * 18
    _beat_until(watch, clock, clock.t + 0.9)
    assert _burst(limiter, 1) == [False]


def test_once_the_stall_is_out_of_the_window_the_limit_is_strict_again() -> None:
    limiter, watch, clock = _setup(watched=True)
    clock.t += 0.6
    watch.beat()
    _beat_until(watch, clock, clock.t + 2.0)  # a loop that keeps up for two seconds
    assert _burst(limiter, 18) == [True] * 18
    _beat_until(watch, clock, clock.t + 0.5)
    assert _burst(limiter, 1) == [False]  # 19 within a second, no stall to explain it


def test_a_short_stall_right_after_a_long_one_does_not_erase_it() -> None:
    """Two stalls back to back (a busy loop seldom has just one): the window keeps the longer.
    The beat that ended the long stall wrote it down; the next one's must not replace it."""
    limiter, watch, clock = _setup(watched=True)
    clock.t += 0.6
    assert _burst(limiter, 18) == [True] * 18
    watch.beat()  # the loop is back: the 0.6 s stall is recorded
    clock.t += watch.interval + 0.05  # and stalls again, 50 ms
    watch.beat()
    assert watch.slack(clock.t, 1.0) > 0.5
    _beat_until(watch, clock, clock.t + 0.84)
    # the 18 may have arrived up to 0.6 s before their stamps: the 19th is not the 19th in 1 s
    assert _burst(limiter, 1) == [True]


def test_short_jitter_is_not_a_stall() -> None:
    clock = Clock()
    watch = LoopWatch(clock=clock)
    watch.beat()
    clock.t += watch.interval + 0.003
    watch.beat()
    assert watch.slack(clock.t, 1.0) == 0.0
    clock.t += watch.interval + 0.2
    assert 0.19 < watch.slack(clock.t, 1.0) < 0.21
