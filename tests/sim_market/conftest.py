"""Fixtures: a fresh simulator per test, spoken to over the raw KIS wire."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from market_kit import Wire, wire


@pytest.fixture
async def kis() -> AsyncIterator[Wire]:
    async with wire() as w:
        yield w
