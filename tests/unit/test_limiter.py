from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hantoo._core.flow import Sleep
from hantoo._core.limiter import (
    DEFAULT_MARGIN,
    PROFILES,
    LimitProfile,
    RateLimiter,
    ThrottleEvent,
    Window,
    get_limiter,
    key_fingerprint,
    profile_for,
    reset_limiters,
)

EPS = 1e-9
APP_KEY = "PSabcdefghijklmnopqrstuvwxyz0123456789"


def assert_sliding(times: list[float], window: Window, eps: float = EPS) -> None:
    """No more than ``limit`` send times in any sliding window of ``period`` seconds."""
    ts = sorted(times)
    n = window.limit
    for i in range(len(ts) - n):
        assert ts[i + n] - ts[i] >= window.period - eps, (
            f"{n + 1} calls within {ts[i + n] - ts[i]:.6f}s for window {window.label}"
        )


def schedule(limiter: RateLimiter, arrivals: list[float]) -> list[float]:
    return [now + limiter.reserve(now) for now in arrivals]


def test_real_profile_is_data() -> None:
    real = PROFILES["real"]
    assert [(w.limit, w.period) for w in real.windows] == [(18, 1.0), (1000, 60.0), (50000, 3600.0)]
    assert PROFILES["paper"].windows == (Window(1, 1.0),)
    assert profile_for("sim", margin=0.0).windows == real.windows
    assert profile_for("sim", "30/s", margin=0.0).windows == (Window(30, 1.0),)
    # What the clients get: the same windows, spaced DEFAULT_MARGIN wider.
    assert profile_for("sim", "30/s").windows == (Window(30, 1.0, margin=DEFAULT_MARGIN),)
    assert profile_for("sim", "30/s").windows[0].emission_interval == pytest.approx(
        (1 + DEFAULT_MARGIN) / 30
    )
    with pytest.raises(ValueError):
        profile_for("nowhere")


def test_spec_parsing_and_mapping() -> None:
    p = LimitProfile.parse("x", "18/s + 1000/min@50, 50000/h@2500 + 5/10s")
    assert p.windows == (
        Window(18, 1.0),
        Window(1000, 60.0, 50),
        Window(50000, 3600.0, 2500),
        Window(5, 10.0),
    )
    assert LimitProfile.parse("x", p.spec) == p
    m = LimitProfile.from_mapping("y", {"windows": [{"limit": 2, "period": 1, "burst": 2}]})
    assert m.windows == (Window(2, 1.0, 2),)
    for bad in ("18", "18/fortnight", "x/s"):
        with pytest.raises(ValueError):
            LimitProfile.parse("x", bad)
    with pytest.raises(ValueError):
        Window(5, 1.0, burst=6)


def test_18_per_second_back_to_back() -> None:
    lim = RateLimiter(PROFILES["real"])
    times = schedule(lim, [0.0] * 200)
    assert_sliding(times, Window(18, 1.0))
    # ...and not needlessly slow: evenly spaced at 1/18 s
    assert times[0] == 0.0
    assert times[18] == pytest.approx(1.0)
    assert times[-1] == pytest.approx(199 / 18)


def test_all_windows_honoured_over_many_reservations() -> None:
    profile = PROFILES["real"]
    lim = RateLimiter(profile)
    # bursts of 40 calls every 2 s for 3,000 calls: the minute window must bind at some point
    arrivals = [2.0 * (i // 40) for i in range(3000)]
    times = schedule(lim, arrivals)
    for w in profile.windows:
        assert_sliding(times, w)
    # 1,000/min really binds: after 1,000 calls the minute window slows things below 18/s
    assert times[1200] - times[0] > 1200 / 18


def test_hour_window_with_compressed_profile() -> None:
    # same shape as real but short periods, so the "hour" window is exercised cheaply
    profile = LimitProfile.parse("t", "18/s+100/6s@10+400/36s@40")
    lim = RateLimiter(profile)
    import random

    rng = random.Random(5)
    now, arrivals = 0.0, []
    for _ in range(3000):
        now += rng.choice([0.0, 0.0, 0.01, 0.2, 3.0])
        arrivals.append(now)
    times = schedule(lim, arrivals)
    for w in profile.windows:
        assert_sliding(times, w)
    assert all(t >= a for t, a in zip(times, arrivals, strict=True))


def test_paper_one_per_second() -> None:
    lim = RateLimiter(PROFILES["paper"])
    assert [lim.reserve(0.0) for _ in range(4)] == [0.0, 1.0, 2.0, 3.0]
    assert lim.reserve(10.0) == 0.0


def test_burst_allowed_up_to_burst_size() -> None:
    lim = RateLimiter(LimitProfile("b", (Window(10, 1.0, burst=4),)))
    delays = [lim.reserve(0.0) for _ in range(6)]
    assert delays[:4] == [0.0] * 4
    assert delays[4] > 0


@settings(max_examples=60, deadline=None)
@given(
    windows=st.lists(
        st.tuples(st.integers(1, 30), st.sampled_from([0.5, 1.0, 3.0, 10.0]), st.integers(1, 30)),
        min_size=1,
        max_size=3,
    ),
    gaps=st.lists(st.sampled_from([0.0, 0.0, 0.0, 0.001, 0.05, 0.3, 1.0, 7.0]), max_size=300),
)
def test_property_sliding_windows(windows: list[tuple[int, float, int]], gaps: list[float]) -> None:
    profile = LimitProfile("h", tuple(Window(n, p, min(b, n)) for n, p, b in windows))
    lim = RateLimiter(profile)
    now, arrivals = 0.0, []
    for g in gaps:
        now += g
        arrivals.append(now)
    times = schedule(lim, arrivals)
    assert times == sorted(times)
    for w in profile.windows:
        assert_sliding(times, w)


def test_threads_hammering_share_one_schedule() -> None:
    lim = RateLimiter(PROFILES["real"], clock=lambda: 0.0)
    out: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        mine = [lim.reserve() for _ in range(100)]
        with lock:
            out.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(out) == 800
    assert len(set(out)) == 800  # every reservation got its own slot
    for w in PROFILES["real"].windows:
        assert_sliding(out, w)
    assert lim.stats().calls == 800


def test_threads_acquire_really_sleep() -> None:
    lim = RateLimiter(LimitProfile.parse("fast", "50/s"))
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            lim.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(stamps) == 20
    assert time.monotonic() - t0 >= 19 / 50 - 0.01


async def test_async_acquire_spaces_calls() -> None:
    lim = RateLimiter(LimitProfile.parse("fast", "40/s"))
    stamps: list[float] = []

    async def task() -> None:
        await lim.acquire_async()
        stamps.append(time.monotonic())

    t0 = time.monotonic()
    await asyncio.gather(*(task() for _ in range(12)))
    assert len(stamps) == 12
    assert stamps[-1] - t0 >= 11 / 40 - 0.01
    # spacing observed on the real clock (small tolerance for scheduler jitter)
    stamps.sort()
    assert all(b - a > 1 / 40 - 0.01 for a, b in itertools.pairwise(stamps))


def test_wait_flow_yields_sleep() -> None:
    lim = RateLimiter(PROFILES["paper"], clock=lambda: 5.0)
    first = lim.wait_flow()
    assert next(first) == Sleep(0.0)  # due now: yields once, so other tasks reserve first
    with pytest.raises(StopIteration) as stop:
        first.send(None)
    assert stop.value.value == 0.0
    second = lim.wait_flow()
    action = next(second)
    assert action == Sleep(1.0)
    with pytest.raises(StopIteration):
        second.send(None)


def test_headers_remaining_zero_blocks_until_reset() -> None:
    lim = RateLimiter(LimitProfile.parse("s", "100/s"))
    lim.observe_headers({"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "3"}, now=10.0)
    assert lim.reserve(10.0) == 0.0
    lim.observe_headers(
        {"x-ratelimit-limit": "20", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2.5"},
        now=10.0,
    )
    assert lim.reserve(10.0) == pytest.approx(2.5)
    assert lim.reserve(13.0) == 0.0


def test_headers_reset_as_unix_time_and_garbage() -> None:
    lim = RateLimiter(LimitProfile.parse("s", "100/s"))
    lim.observe_headers(
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(time.time() + 3)}, now=0.0
    )
    assert 2.5 < lim.reserve(0.0) <= 3.0
    other = RateLimiter(LimitProfile.parse("s", "100/s"))
    other.observe_headers({"X-RateLimit-Remaining": "zero", "X-RateLimit-Reset": "x"}, now=0.0)
    assert other.reserve(0.0) == 0.0
    # remaining 0 without a reset: pause for the shortest window
    other.observe_headers({"X-RateLimit-Remaining": "0"}, now=1.0)
    assert other.reserve(1.0) == pytest.approx(1.0)


def test_throttle_is_logged_reported_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    events: list[ThrottleEvent] = []
    lim = RateLimiter(
        PROFILES["paper"], environment="paper", key_id="abcd", on_throttle=events.append
    )
    with caplog.at_level(logging.INFO, logger="hantoo.limiter"):
        for _ in range(3):
            lim.reserve(0.0)
    assert [round(e.delay, 6) for e in events] == [1.0, 2.0]
    assert events[0].bound_by == "1/s"
    msgs = [r.getMessage() for r in caplog.records if r.name == "hantoo.limiter"]
    assert len(msgs) == 2 and "waiting 1.000s" in msgs[0]
    st_ = lim.stats()
    assert (st_.calls, st_.throttled, st_.total_wait, st_.max_wait) == (3, 2, 3.0, 2.0)


def test_below_threshold_is_quiet(caplog: pytest.LogCaptureFixture) -> None:
    lim = RateLimiter(PROFILES["real"], on_throttle=lambda e: pytest.fail("no event expected"))
    with caplog.at_level(logging.INFO, logger="hantoo.limiter"):
        for _ in range(5):
            lim.reserve(0.0)
    assert not [r for r in caplog.records if r.name == "hantoo.limiter"]


def test_failing_callback_does_not_break_limiter() -> None:
    def boom(_: ThrottleEvent) -> None:
        raise RuntimeError("x")

    lim = RateLimiter(PROFILES["paper"], on_throttle=boom)
    lim.reserve(0.0)
    assert lim.reserve(0.0) == 1.0


def test_registry_one_per_key_and_never_shows_the_key() -> None:
    reset_limiters()
    a = get_limiter("real", APP_KEY)
    assert get_limiter("real", APP_KEY) is a
    assert get_limiter("paper", APP_KEY) is not a
    assert get_limiter("real", APP_KEY + "x") is not a
    assert APP_KEY not in repr(a)
    assert all(APP_KEY not in str(v) for v in vars(a).values())
    assert a.key_id == key_fingerprint(APP_KEY)
    reset_limiters()


def test_shared_mode_two_limiters_one_budget(tmp_path: Path) -> None:
    # two objects = two "processes": they only share the state file
    clock = [0.0]
    profile = LimitProfile.parse("s", "5/s+12/10s@3")
    a = RateLimiter(
        profile, environment="sim", key_id="k", shared_dir=tmp_path, clock=lambda: clock[0]
    )
    b = RateLimiter(
        profile, environment="sim", key_id="k", shared_dir=tmp_path, clock=lambda: clock[0]
    )
    times = []
    for i in range(60):
        lim = a if i % 2 else b
        times.append(clock[0] + lim.reserve())
        clock[0] += 0.05
    for w in profile.windows:
        assert_sliding(times, w)
    assert (tmp_path / "ratelimit-sim-k.json").exists()
    # a header hint seen by one is honoured by the other
    a.observe_headers({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "100"}, now=clock[0])
    assert b.reserve(clock[0]) >= 100.0


def test_shared_mode_survives_corrupt_state(tmp_path: Path) -> None:
    (tmp_path / "ratelimit-sim-k.json").write_text("{not json")
    lim = RateLimiter(
        PROFILES["paper"], environment="sim", key_id="k", shared_dir=tmp_path, clock=lambda: 0.0
    )
    assert lim.reserve() == 0.0
    assert lim.reserve() == 1.0


def test_shared_mode_lock_timeout_falls_back_to_local(tmp_path: Path) -> None:
    import filelock

    holder = filelock.FileLock(str(tmp_path / "ratelimit-sim-k.json.lock"), thread_local=False)
    lim = RateLimiter(
        PROFILES["paper"],
        environment="sim",
        key_id="k",
        shared_dir=tmp_path,
        clock=lambda: 0.0,
        lock_timeout=0.05,
    )
    done: list[float] = []
    ready = threading.Event()
    release = threading.Event()

    def hold() -> None:  # hold the lock from another thread (another fd)
        with holder:
            ready.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    ready.wait(5)
    try:
        done.append(lim.reserve())
        done.append(lim.reserve())
    finally:
        release.set()
        t.join(5)
    assert done == [0.0, 1.0]


def test_shared_mode_across_real_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from _core_flow_helpers import shared_limiter_worker

    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(3)
    results = ctx.Queue()
    spec = "5/s+12/4s@4"
    procs = [
        ctx.Process(target=shared_limiter_worker, args=(str(tmp_path), spec, 15, barrier, results))
        for _ in range(3)
    ]
    for p in procs:
        p.start()
    try:
        per_process = [results.get(timeout=20) for _ in procs]
    finally:
        for p in procs:
            p.join(5)
            if p.is_alive():  # pragma: no cover - only on failure
                p.kill()
    times = [t for chunk in per_process for t in chunk]
    assert len(times) == 45
    # Unix times near 1.8e9 have a float resolution of ~0.24 µs, hence the looser epsilon.
    for w in LimitProfile.parse("x", spec).windows:
        assert_sliding(times, w, eps=1e-5)


def test_a_slot_missed_while_other_tasks_reserved_is_retaken() -> None:
    """A call due now that resumes late (other tasks held the loop) takes a new slot rather
    than being sent late, bunched with the next call."""
    now = [100.0]
    lim = RateLimiter(LimitProfile.parse("s", "10/s"), clock=lambda: now[0])
    flow = lim.wait_flow()
    assert next(flow) == Sleep(0.0)
    now[0] += 0.05  # the loop came back 50 ms later
    again = flow.send(None)
    assert isinstance(again, Sleep) and again.seconds > 0  # a fresh slot, later
    assert lim.stats().late_wakes == 1


def test_in_a_bulk_job_a_late_call_keeps_its_slot_but_is_not_bunched_with_the_next() -> None:
    """In a bulk job (``keep_late_slots``) a call due now that resumes 50 ms late is sent
    rather than giving its slot up; the next, on-time call then waits until it is no closer
    than an on-time call may be (the spacing less ``max_lateness``)."""
    now = [100.0]
    lim = RateLimiter(LimitProfile.parse("s", "10/s"), clock=lambda: now[0])
    keeping = lim.keep_late_slots()
    keeping.__enter__()
    late, on_time = lim.wait_flow(), lim.wait_flow()
    assert next(late) == Sleep(0.0)
    assert next(on_time) == Sleep(pytest.approx(0.1))
    now[0] += 0.05  # the loop came back 50 ms late
    with pytest.raises(StopIteration):
        late.send(None)
    now[0] = 100.1  # the next call's slot, on time
    hold = on_time.send(None)
    assert hold == Sleep(pytest.approx(0.05 + 0.1 - lim.max_lateness - 0.1))
    now[0] += hold.seconds
    with pytest.raises(StopIteration):
        on_time.send(None)
    stats = lim.stats()  # both went more than max_lateness after their slots; none lost
    assert stats.late_wakes == 0 and stats.late_sends == 2


def test_a_shared_limiter_still_retakes_a_missed_slot(tmp_path: Path) -> None:
    """Other processes' sends are not in this process's log: a late caller takes a new slot."""
    now = [100.0]
    lim = RateLimiter(LimitProfile.parse("s", "10/s"), clock=lambda: now[0],
                      shared_dir=tmp_path)
    keeping = lim.keep_late_slots()
    keeping.__enter__()
    flow = lim.wait_flow()
    assert next(flow) == Sleep(0.0)
    now[0] += 0.05
    again = flow.send(None)
    assert isinstance(again, Sleep) and again.seconds > 0  # a fresh slot, later
    assert lim.stats().late_wakes == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_in_a_bulk_job_late_wake_ups_lose_no_slot_nor_overfill_a_window(seed: int) -> None:
    """40 callers, a tenth of whose wake-ups come 20-100 ms late: every window of the limit
    still holds at most ``limit`` sends, no two sends are closer than an on-time pair may be,
    and the job ends about when the schedule said (no slot given up: a lost slot alone would
    cost 102 ms each)."""
    import heapq
    import random

    rng = random.Random(seed)
    now = [100.0]
    window = Window(10, 1.0, margin=0.02)
    lim = RateLimiter(LimitProfile("s", (window,)), clock=lambda: now[0])
    keeping = lim.keep_late_slots()
    keeping.__enter__()
    flows = [lim.wait_flow() for _ in range(40)]
    events: list[tuple[float, int]] = []
    for i, flow in enumerate(flows):
        wait = next(flow)
        assert isinstance(wait, Sleep)
        heapq.heappush(events, (now[0] + wait.seconds, i))
    sent: list[float] = []
    while events:
        due, i = heapq.heappop(events)
        late = rng.uniform(0.02, 0.1) if rng.random() < 0.1 else 0.0
        now[0] = max(now[0], due + late)
        try:
            wait = flows[i].send(None)
        except StopIteration:
            sent.append(now[0])
            continue
        assert isinstance(wait, Sleep)
        heapq.heappush(events, (now[0] + wait.seconds, i))
    assert len(sent) == 40
    assert_sliding(sent, window)
    spacing = window.emission_interval - lim.max_lateness
    assert all(b - a >= spacing - EPS for a, b in itertools.pairwise(sorted(sent)))
    stats = lim.stats()
    assert stats.late_wakes == 0 and stats.late_sends >= 3
    # a late call leaves max_lateness more room in its window, nothing like 102 ms a slot
    assert max(sent) - 100.0 < 39 * window.emission_interval + 0.3
