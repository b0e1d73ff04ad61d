"""Basket-tracking prices: an ETF's intraday path follows the NAV of the basket it holds.

Why in the engine: an ETF's market price is kept at its net asset value by arbitrage (market
makers quote around the indicative NAV and create/redeem units when it strays). The engine's
stand-in is the ETF's *path*, the price its house liquidity and market makers centre on: for a
fund with a :class:`Basket` the path at step ``k`` is the NAV of the basket at the constituents'
own path prices at step ``k``::

    nav_k = base × (1 + multiple × (Σ p_ik × shares_i / Σ base_i × shares_i − 1))

snapped to the ETF's tick and kept inside its daily limits. ``base`` is the ETF's previous
close, which is also the previous NAV (``hantoo.sim.marketdata.etf``), so with the constituents
on their paths the ETF trades at its NAV to the tick, and the synthetic participants (market
makers re-quote towards the path) keep it there while the constituents move.

The engine does not know indices; which fund holds which basket comes from the simulator's
market-data layer through ``ExchangeConfig.baskets``. Integer arithmetic only.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .synthetic import snap

if TYPE_CHECKING:
    from .market import SymbolState


@dataclass(frozen=True, slots=True)
class Basket:
    """What one fund holds: issue codes, their share counts (weights), the fund's multiple."""

    members: tuple[str, ...]
    shares: tuple[int, ...]
    multiple: int = 1


def basket_path(st: SymbolState, basket: Basket, members: list[SymbolState]) -> array[int]:
    """The fund's path (one price per step of ``st.path``) from its members' states today."""
    steps = len(st.path)
    den = sum(m.base * n for m, n in zip(members, basket.shares, strict=True))
    if den <= 0 or any(len(m.path) != steps for m in members):
        return st.path
    num = [0] * steps
    for m, n in zip(members, basket.shares, strict=True):
        path = m.path
        for k in range(steps):
            num[k] += path[k] * n
    base, mult = st.base, basket.multiple
    tick_of = st.inst.tick_of
    lower, upper = st.lower, st.upper
    out = array("i", bytes(4 * steps))
    for k in range(steps):
        p = snap(base + mult * base * (num[k] - den) // den, tick_of)
        out[k] = lower if p < lower else upper if p > upper else p
    return out
