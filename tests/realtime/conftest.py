"""Fixtures: the simulator's WebSocket served on 127.0.0.1 in a thread, per test.

Uses :func:`hantoo.sim.ws.standalone_app` (WebSocket routes + approval endpoint) until the
full simulator server mounts the same routes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
from realtime_helpers import Sim

from hantoo.sim.ws import WsConfig, serve_standalone, standalone_app


@pytest.fixture
def sim_factory() -> Iterator[Callable[..., contextlib.AbstractContextManager[Sim]]]:
    @contextlib.contextmanager
    def start(**config: object) -> Iterator[Sim]:
        config.setdefault("tick_interval", 0.05)
        app, hub = standalone_app(WsConfig(**config))  # type: ignore[arg-type]
        with serve_standalone(app) as (base, ws):
            yield Sim(hub, base, ws)

    yield start


@pytest.fixture
def sim(sim_factory: Callable[..., contextlib.AbstractContextManager[Sim]]) -> Iterator[Sim]:
    with sim_factory() as s:
        yield s
