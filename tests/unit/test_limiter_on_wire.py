"""The rate limiter counts what reaches the wire, not only what it released (issue 18).

A request released at its slot can reach the socket late (a thread waiting for the GIL, a
pooled connection, a new TCP connect) while the next ones go on time; the gateway then sees
more than ``limit`` calls in a window although the releases were spaced. Each call holds a
ticket that the driver marks when the request's head is written; a send not yet out counts as
going out now. A fake clock drives the limiter: no wall-clock luck.
"""

from __future__ import annotations

import heapq
import random

import httpx
import pytest

from hantoo._core.drivers import send_async, send_sync
from hantoo._core.flow import HttpRequest, Sleep
from hantoo._core.limiter import LimitProfile, RateLimiter, SendTicket, Window

EPS = 1e-9


def crowded(times: list[float], limit: int, period: float) -> list[float]:
    """Spans of ``limit + 1`` consecutive sends shorter than ``period`` (empty: none)."""
    ts = sorted(times)
    return [ts[i + limit] - ts[i] for i in range(len(ts) - limit)
            if ts[i + limit] - ts[i] < period - EPS]


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _release(lim: RateLimiter, clock: Clock) -> SendTicket:
    """One call that wakes exactly when told; returns its ticket at the release time."""
    flow = lim.ticket_flow()
    wait = next(flow)
    while True:
        assert isinstance(wait, Sleep)
        clock.t += wait.seconds
        try:
            wait = flow.send(None)
        except StopIteration as done:
            ticket: SendTicket = done.value
            return ticket


def test_a_request_that_reaches_the_wire_late_pushes_the_next_window_back() -> None:
    """10/s: call 1 is released at its slot but its request goes out 150 ms later, calls
    2-10 go on time. Call 11, due at 1.0 s, would make 11 sends on the wire within 0.9 s;
    it is held until call 2 (0.1 s) leaves the window."""
    clock = Clock()
    lim = RateLimiter(LimitProfile.parse("s", "10/s"), clock=clock)
    first = _release(lim, clock)  # t = 0: released, not on the wire yet
    wire = []
    for _ in range(9):  # t = 0.1 .. 0.9, on time
        _release(lim, clock).sent()
        wire.append(clock.t)
        if clock.t == pytest.approx(100.1):
            clock.t = 100.15
            first.sent()  # call 1's head is written at 0.15 s (the driver stamps it then)
            wire.append(clock.t)
    eleventh = _release(lim, clock)
    eleventh.sent()
    wire.append(clock.t)
    assert clock.t == pytest.approx(101.1)  # held 0.1 s past its slot at 1.0 s
    assert crowded(wire, 10, 1.0) == []


def test_control_a_limiter_told_only_of_releases_lets_the_wire_crowd() -> None:
    """The same calls, but each send stamped at its release (what the limiter knew before
    tickets): call 11 goes at its slot and the wire holds 11 requests within 0.9 s."""
    clock = Clock()
    lim = RateLimiter(LimitProfile.parse("s", "10/s"), clock=clock)
    _release(lim, clock).sent()  # stamped at release; really out at 0.15 s
    wire = [100.15]
    for _ in range(10):
        _release(lim, clock).sent()
        wire.append(clock.t)
    assert clock.t == pytest.approx(101.0)
    assert crowded(wire, 10, 1.0)


def test_a_send_still_on_its_way_counts_as_going_out_now() -> None:
    """Call 1 is still not out when call 11 is due: it is counted as going out now, so call
    11 waits (polling) instead of assuming the window has room."""
    clock = Clock()
    lim = RateLimiter(LimitProfile.parse("s", "10/s"), clock=clock)
    first = _release(lim, clock)
    for _ in range(9):
        _release(lim, clock).sent()
    flow = lim.ticket_flow()
    wait = next(flow)  # call 11, slot at 1.0 s
    assert isinstance(wait, Sleep)
    clock.t += wait.seconds
    hold = flow.send(None)
    assert isinstance(hold, Sleep) and hold.seconds == pytest.approx(0.1)  # 0.1 leaves at 1.1
    clock.t += hold.seconds
    # still not out at 1.1 s: 0.2..0.9 and "now" are 9 sends; call 11 makes 10, allowed
    with pytest.raises(StopIteration):
        flow.send(None)
    clock.t = 101.12
    first.sent()
    assert lim._sends is not None and first._send is not None
    assert first._send.at == pytest.approx(101.12)


@pytest.mark.parametrize("keeping", [False, True], ids=["plain", "bulk"])
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_late_writes_never_put_more_than_the_limit_on_the_wire(
        seed: int, keeping: bool) -> None:
    """40 callers of a 10/s limiter (2 % margin); a fifth of the requests reach the wire
    20-250 ms after their release and a tenth of the wake-ups are 20-100 ms late. On the wire,
    no window of ``period`` (bulk jobs: ``period * (1 + margin)``) holds more than ``limit``
    sends, every call is sent, and the job ends within a few slots of the schedule."""
    rng = random.Random(seed)
    clock = Clock()
    window = Window(10, 1.0, margin=0.02)
    lim = RateLimiter(LimitProfile("s", (window,)), clock=clock)
    keep = lim.keep_late_slots()  # held in a name: a dropped context manager exits
    if keeping:
        keep.__enter__()
    flows = [lim.ticket_flow() for _ in range(40)]
    events: list[tuple[float, int, int, SendTicket | None]] = []  # (at, order, caller, ticket)
    order = 0
    for i, flow in enumerate(flows):
        wait = next(flow)
        assert isinstance(wait, Sleep)
        heapq.heappush(events, (clock.t + wait.seconds, order, i, None))
        order += 1
    wire: list[float] = []
    while events:
        due, _o, i, ticket = heapq.heappop(events)
        if ticket is not None:  # the driver writes the request's head
            clock.t = max(clock.t, due)
            ticket.sent()
            wire.append(clock.t)
            continue
        late = rng.uniform(0.02, 0.1) if rng.random() < 0.1 else 0.0
        clock.t = max(clock.t, due + late)
        try:
            wait = flows[i].send(None)
        except StopIteration as done:
            delay = rng.uniform(0.02, 0.25) if rng.random() < 0.2 else 0.0
            heapq.heappush(events, (clock.t + delay, order, i, done.value))
        else:
            assert isinstance(wait, Sleep)
            heapq.heappush(events, (clock.t + wait.seconds, order, i, None))
        order += 1
    assert len(wire) == 40
    period = window.period * (1 + window.margin) if keeping else window.period
    assert crowded(wire, window.limit, period) == []
    assert max(wire) - 100.0 < 39 * window.emission_interval + 1.0


def test_the_sync_driver_marks_the_send_as_its_head_goes_out() -> None:
    """Over a real loopback socket, httpx's transport calls the request's ``on_wire`` once,
    before the answer is back."""
    from hantoo.sim.server import running_server

    events: list[str] = []
    with running_server() as (base, _ws), httpx.Client(base_url=base) as http:
        req = HttpRequest("GET", "/_sim/health", headers={},
                          on_wire=lambda: events.append("on wire"))
        response = send_sync(http, req)
        events.append("answered")
    assert response.status == 200
    assert events == ["on wire", "answered"]


async def test_the_async_driver_marks_the_send_as_its_head_goes_out() -> None:
    from hantoo.sim.server import running_server

    events: list[str] = []
    with running_server() as (base, _ws):
        async with httpx.AsyncClient(base_url=base) as http:
            req = HttpRequest("GET", "/_sim/health", headers={},
                              on_wire=lambda: events.append("on wire"))
            response = await send_async(http, req)
            events.append("answered")
    assert response.status == 200
    assert events == ["on wire", "answered"]
