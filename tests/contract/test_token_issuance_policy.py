"""Token issuance obeys the same retry/backoff and circuit-breaker policy as every call.

Against a dead port on 127.0.0.1 (nothing listens): the issuance is tried ``max_attempts``
times with backoff, the error says so truthfully, the failures count against the host's
breaker, and once it is open later calls fail fast without touching the network.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import hantoo
from hantoo._core.backoff import RetryPolicy
from hantoo._core.circuit import CircuitConfig, CircuitState
from hantoo.errors import CircuitOpenError, ConnectError


class Counting(httpx.BaseTransport):
    """A real socket transport that counts the requests it tries to send."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return self.inner.handle_request(request)


@pytest.fixture
def dead_url() -> Iterator[str]:
    with socket.socket() as s:  # bind, learn the port, close: nothing listens there now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    yield f"http://127.0.0.1:{port}"


def test_issuance_against_a_dead_port_retries_then_opens_the_breaker(
    dead_url: str, tmp_path: Path,
) -> None:
    wire = Counting()
    retry = RetryPolicy(max_attempts=3, base=0.01, cap=0.02)
    with hantoo.Client("sim", base_url=dead_url, transport=wire, cache_dir=str(tmp_path),
                       retry=retry, rate_limit=False,
                       circuit=CircuitConfig(failure_threshold=5, cooldown=60)) as c:
        with pytest.raises(ConnectError) as first:
            c.quote("005930")
        assert wire.paths == ["/oauth2/tokenP"] * 3  # tried three times, with backoff
        assert "tried 3 times" in str(first.value) and "retried automatically" not in str(
            first.value)
        breaker = c._policies.circuit
        assert breaker is not None and breaker.consecutive_failures == 3
        assert breaker is c.tokens.circuit  # one breaker for the host, tokens included

        with pytest.raises(CircuitOpenError):
            c.quote("005930")  # two more failures open it; the third try fails fast
        assert len(wire.paths) == 5 and breaker.state is CircuitState.OPEN

        for _ in range(3):
            with pytest.raises(CircuitOpenError) as fast:
                c.token()
            assert fast.value.retry_after > 0
        assert len(wire.paths) == 5  # nothing more was sent while the breaker is open


def test_retries_off_says_it_tried_once(dead_url: str, tmp_path: Path) -> None:
    wire = Counting()
    with hantoo.Client("sim", base_url=dead_url, transport=wire, cache_dir=str(tmp_path),
                       retry=RetryPolicy(max_attempts=1), rate_limit=False) as c, pytest.raises(
            ConnectError) as err:
        c.approval_key()
    assert wire.paths == ["/oauth2/Approval"]
    assert "tried once" in str(err.value)
