"""Rankings and screening over the simulator's universe, from the engine's live quotes.

Why here and not in the handlers: a ranking is a *selection* (which issues, in which order) that
several APIs share (volume, value, change, market cap); the handlers only format rows. Every row
carries the engine's own :class:`~hantoo.sim.engine.views.Quote`, so a ranked price is the quote.

Filters follow the KIS ranking parameters: the index/market code (``0000`` all, ``0001`` KOSPI,
``1001`` KOSDAQ, any index of :mod:`.indices` → its constituents), the issue class (``0`` all,
``1`` common, ``2`` preferred), a price range, a minimum volume, and the exclusion string
(``FID_TRGT_EXLS_CLS_CODE``: a ``1`` at the ETF/ETN positions drops funds and notes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..engine.types import InstrumentKind, Market
from .indices import INDICES, constituents

__all__ = ["Screen", "ranked", "screen"]

#: Positions in the 10-character exclusion string (KIS: 투자위험/경고/주의, 관리종목, 정리매매,
#: 불성실공시, 우선주, 거래정지, ETF, ETN, 신용주문불가, SPAC — the first three share one digit).
_EXCL_PREFERRED, _EXCL_ETF, _EXCL_ETN = 4, 6, 7


@dataclass(frozen=True, slots=True)
class Screen:
    """What a ranking request asks for (parsed wire values; blanks mean "no bound")."""

    market: str = "0000"
    div: str = "0"
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    volume_min: int | None = None
    exclude: str = ""


def _preferred(inst: Any) -> bool:
    return str(inst.name).endswith(("우", "우B", "우C")) or inst.code[-1] in "579K"


def _pool(exchange: Any, market: str) -> list[Any]:
    universe = [i for i in exchange.universe if not i.market.is_overseas]
    if market in ("", "0000"):
        return universe
    if market == "0001":
        return [i for i in universe if i.market is Market.KOSPI]
    if market == "1001":
        return [i for i in universe if i.market is Market.KOSDAQ]
    d = INDICES.get(market)
    return constituents(exchange.universe, d) if d is not None else []


def screen(exchange: Any, s: Screen) -> list[Any]:
    """The quotes of the issues that pass ``s`` (universe order)."""
    out = []
    ex = s.exclude
    for inst in _pool(exchange, s.market):
        if (s.div == "1" and _preferred(inst)) or (s.div == "2" and not _preferred(inst)):
            continue
        if len(ex) > _EXCL_ETN:
            if ex[_EXCL_ETF] == "1" and inst.kind is InstrumentKind.ETF:
                continue
            if ex[_EXCL_ETN] == "1" and inst.kind is InstrumentKind.ETN:
                continue
            if ex[_EXCL_PREFERRED] == "1" and _preferred(inst):
                continue
        q = exchange.quote(inst.code)
        if s.price_min is not None and q.price < s.price_min:
            continue
        if s.price_max is not None and s.price_max > 0 and q.price > s.price_max:
            continue
        if s.volume_min is not None and q.volume < s.volume_min:
            continue
        out.append(q)
    return out


def ranked(quotes: list[Any], key: Callable[[Any], Any], *, descending: bool = True,
           limit: int = 30) -> list[Any]:
    """``quotes`` ordered by ``key`` (ties by code, so the order is deterministic)."""
    if descending:
        order = sorted(quotes, key=lambda q: q.symbol)
        order.sort(key=key, reverse=True)
    else:
        order = sorted(quotes, key=lambda q: (key(q), q.symbol))
    return order[:limit]
