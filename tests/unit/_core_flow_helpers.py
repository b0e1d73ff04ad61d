"""Test-only helpers for driving sans-I/O flows without a network.

Kept import-light on purpose: spawned worker processes import this module.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from hantoo._core.flow import Flow, HttpRequest, HttpResponse, Sleep

T = TypeVar("T")

Handler = Callable[[HttpRequest], HttpResponse]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(status, headers or {}, json.dumps(body).encode())


def run_flow(
    flow: Flow[T],
    handler: Handler,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Drive ``flow`` synchronously: requests go to ``handler``, sleeps to ``sleep``."""
    try:
        action = next(flow)
        while True:
            if isinstance(action, Sleep):
                sleep(action.seconds)
                action = flow.send(None)
            elif isinstance(action, HttpRequest):
                try:
                    resp = handler(action)
                except Exception as exc:  # deliver transport errors into the flow
                    action = flow.throw(exc)
                else:
                    action = flow.send(resp)
            else:  # pragma: no cover - defensive
                raise TypeError(f"unknown action {action!r}")
    except StopIteration as stop:
        result: T = stop.value
        return result


class FakeClock:
    """A manual clock; ``sleep`` advances it instead of waiting."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


# -- worker for the multi-process token race (must be importable by spawned children) ----------


def token_race_worker(
    cache_dir: str,
    counter_path: str,
    barrier: Any,
    results: Any,
) -> None:
    """One "process" of the race: get a token through TokenManager with a counting fake issuer."""
    import os

    import filelock

    from hantoo._core.token_manager import TokenManager

    counter_lock = filelock.FileLock(counter_path + ".lock")

    def issuer(request: HttpRequest) -> HttpResponse:
        assert request.url == "/oauth2/tokenP"
        with counter_lock, open(counter_path, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        time.sleep(0.3)  # widen the window in which others could (wrongly) issue too
        return json_response(
            200,
            {
                "access_token": f"race-token-{os.getpid()}-abcdefgh",
                "token_type": "Bearer",
                "expires_in": 86400,
            },
        )

    manager = TokenManager(
        "real",
        "PSraceKEY0123456789abcdefghijklmnopq",
        "race-secret-value-0123456789",
        cache_dir=cache_dir,
        poll_interval=0.05,
        lock_timeout=15.0,
    )
    barrier.wait(30)
    try:
        results.put(("ok", run_flow(manager.token_flow(), issuer)))
    except Exception as exc:  # report instead of dying silently
        results.put(("error", repr(exc)))


def shared_limiter_worker(
    shared_dir: str, spec: str, count: int, barrier: Any, results: Any
) -> None:
    """One process reserving ``count`` slots from a limiter shared through ``shared_dir``."""
    from hantoo._core.limiter import LimitProfile, RateLimiter

    limiter = RateLimiter(
        LimitProfile.parse("shared", spec), environment="sim", key_id="race", shared_dir=shared_dir
    )
    barrier.wait(30)
    times = []
    for _ in range(count):
        now = time.time()
        times.append(now + limiter.reserve(now))
    results.put(times)
