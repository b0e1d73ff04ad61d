"""Fixtures: a stepped exchange on a fixed business day with two funded accounts."""

from __future__ import annotations

import pytest

from hantoo.sim.engine import Exchange

from ._util import make_exchange


@pytest.fixture
def ex() -> Exchange:
    return make_exchange()


@pytest.fixture
def bare() -> Exchange:
    """No synthetic liquidity: users only meet each other."""
    return make_exchange(liquidity=False)
