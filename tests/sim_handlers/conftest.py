"""Fixtures: a fresh simulator per test, spoken to over the raw KIS wire."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from handlers_wire import Kis, make_app, make_config


@pytest.fixture
async def kis() -> AsyncIterator[Kis]:
    app = make_app(make_config())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        client = Kis(http, app)
        await client.login()
        yield client
