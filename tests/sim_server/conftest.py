"""Fixtures for the simulator's HTTP server tests (helpers live in ``_sim_server_kit``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from _sim_server_kit import client_for, get_token, make_app

from hantoo.sim.app import SimApp


@pytest.fixture
def app() -> SimApp:
    return make_app()


@pytest.fixture
async def client(app: SimApp) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c


@pytest.fixture
async def token(client: httpx.AsyncClient) -> str:
    return await get_token(client)
