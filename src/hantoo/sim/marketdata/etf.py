"""ETF NAV and indicative NAV from the tracked index.

Why from the index: an ETF holds its index's basket, so its net asset value per share moves with
the index (times its leverage, ``-1`` for an inverse fund). The previous NAV is the ETF's previous
close (the simulator keeps no separate fund accounts), so::

    nav = prev_nav × (1 + multiple × index_change / index_prev_close)

The market price is the engine's own quote, the same on every API; the tracking error and the
disparity (``(price − nav) / nav``) are reported from the two. The price *tracks* the NAV
because the engine runs each ETF on the basket of its index (:func:`etf_baskets`, passed as
``ExchangeConfig.baskets``; see ``hantoo.sim.engine.baskets``): the fund's path is the basket's
NAV at its members' path prices, and its market makers quote around that path, so the ETF trades
at its NAV to the tick on a quiet market and within a few ticks on a live one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..engine.baskets import Basket
from ..engine.types import InstrumentKind
from .indices import INDICES, IndexLevel, constituents, index_level

__all__ = ["TRACKS", "EtfNav", "etf_baskets", "etf_nav", "nav_fields", "tracked"]

_CENT = Decimal("0.01")

#: ETF code → (tracked index code, multiple). Funds not listed track KOSPI200 once, unless their
#: name says otherwise (see :func:`tracked`).
TRACKS: dict[str, tuple[str, int]] = {
    "069500": ("2001", 1),   # KODEX 200
    "114800": ("2001", -1),  # KODEX 인버스
}


def tracked(inst: Any) -> tuple[str, int]:
    """(index code, multiple) an ETF tracks."""
    known = TRACKS.get(inst.code)
    if known is not None:
        return known
    name = str(inst.name)
    index = "3003" if "코스닥150" in name else "2001"
    multiple = -1 if "인버스" in name else 1
    if "레버리지" in name:
        multiple *= 2
    return index, multiple


@dataclass(frozen=True, slots=True)
class EtfNav:
    symbol: str
    index: IndexLevel
    multiple: int
    prev_nav: Decimal
    nav: Decimal
    price: Decimal
    disparity: Decimal
    """``(price − nav) / nav`` in percent."""


def etf_nav(exchange: Any, symbol: str) -> EtfNav | None:
    """NAV of the ETF ``symbol`` now (``None`` when the index cannot be computed)."""
    inst = exchange.universe.get(symbol)
    if inst is None:
        return None
    code, multiple = tracked(inst)
    idx = index_level(exchange, code)
    if idx is None or idx.prev_close == 0:
        return None
    q = exchange.quote(symbol)
    prev_nav = Decimal(q.prev_close)
    nav = (prev_nav * (1 + multiple * idx.change / idx.prev_close)).quantize(_CENT, ROUND_HALF_UP)
    disparity = ((q.price - nav) * 100 / nav).quantize(_CENT, ROUND_HALF_UP) if nav else Decimal(0)
    return EtfNav(symbol, idx, multiple, prev_nav, nav, Decimal(q.price), disparity)


def etf_baskets(universe: Any) -> dict[str, Basket]:
    """Every ETF of ``universe`` with the basket of the index it tracks (its multiple applied):
    what the engine's ETF paths follow (``ExchangeConfig.baskets``)."""
    out: dict[str, Basket] = {}
    for inst in universe:
        if inst.kind is not InstrumentKind.ETF:
            continue
        code, multiple = tracked(inst)
        members = constituents(universe, INDICES[code])
        if members:
            out[inst.code] = Basket(tuple(i.code for i in members),
                                    tuple(i.shares for i in members), multiple)
    return out


def nav_fields(nav: EtfNav) -> dict[str, str]:
    """The NAV wire fields (``nav``, its change, and the NAV at the index's open/high/low) that
    the REST ETF APIs and the realtime ``H0STNAV0`` record both send: one calculation."""
    idx = nav.index

    def at(level: Decimal) -> str:
        move = (level - idx.prev_close) / idx.prev_close if idx.prev_close else Decimal(0)
        return str((nav.prev_nav * (1 + nav.multiple * move)).quantize(_CENT, ROUND_HALF_UP))

    change = nav.nav - nav.prev_nav
    rate = (change * 100 / nav.prev_nav).quantize(_CENT, ROUND_HALF_UP) if nav.prev_nav else 0
    highs = (idx.high, idx.low) if nav.multiple > 0 else (idx.low, idx.high)
    return {
        "nav": str(nav.nav), "nav_prdy_vrss": str(change.quantize(_CENT, ROUND_HALF_UP)),
        "nav_prdy_vrss_sign": "2" if change > 0 else "5" if change < 0 else "3",
        "nav_prdy_ctrt": str(rate), "prdy_clpr_nav": str(nav.prev_nav.quantize(_CENT)),
        "oprc_nav": at(idx.open), "hprc_nav": at(highs[0]), "lprc_nav": at(highs[1]),
    }
