"""Condition search (종목조건검색): users' saved screening conditions run over the live market.

Why: KIS lets a user save conditions in the HTS and list them (``psearch_title``) and run one
(``psearch_result``) through the API. The simulator has no HTS, so each simulator keeps saved
conditions per HTS ID: :func:`save_conditions` is the simulator's "save in the HTS" (tests and
scenarios call it), and an HTS ID with none saved gets :data:`DEFAULT_CONDITIONS`. Running a
condition is a :mod:`.rankings` screen plus the condition's own bounds (change rate, distance
from the 52-week high), over the engine's live quotes — the same prices every other API answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

from .rankings import Screen, ranked, screen

__all__ = ["DEFAULT_CONDITIONS", "RESULT_ROWS", "Condition", "conditions_of", "run",
           "save_conditions"]

#: KIS answers at most 100 issues per condition.
RESULT_ROWS = 100


@dataclass(frozen=True, slots=True)
class Condition:
    """One saved condition: the ranking screen's bounds plus change and 52-week-high bounds."""

    seq: str
    name: str
    group: str = "기본"
    market: str = "0000"
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    volume_min: int | None = None
    change_min: Decimal | None = None
    """Lowest change from the previous close, percent."""
    change_max: Decimal | None = None
    near_high_pct: Decimal | None = None
    """At most this far (percent) below the 52-week high."""
    stocks_only: bool = True
    """Leave ETFs and ETNs out."""


DEFAULT_CONDITIONS: tuple[Condition, ...] = (
    Condition("0", "거래량 10만주 이상 상승", volume_min=100_000, change_min=Decimal("0.01")),
    Condition("1", "52주 신고가 5% 이내", near_high_pct=Decimal(5)),
    Condition("2", "코스닥 1만~5만원 하락", market="1001", price_min=Decimal(10_000),
              price_max=Decimal(50_000), change_max=Decimal("-0.01")),
)

_SAVED: WeakKeyDictionary[Any, dict[str, tuple[Condition, ...]]] = WeakKeyDictionary()


def save_conditions(state: Any, hts_id: str, conditions: Iterable[Condition]) -> None:
    """Save ``conditions`` as ``hts_id``'s conditions in simulator ``state`` (replacing any)."""
    conds = tuple(conditions)
    seqs = [c.seq for c in conds]
    if len(set(seqs)) != len(seqs):
        raise ValueError(f"condition numbers must be unique, got {seqs}")
    _SAVED.setdefault(state, {})[hts_id] = conds


def conditions_of(state: Any, hts_id: str) -> tuple[Condition, ...]:
    """``hts_id``'s saved conditions (the defaults when it saved none)."""
    return _SAVED.get(state, {}).get(hts_id, DEFAULT_CONDITIONS)


def run(exchange: Any, cond: Condition) -> list[Any]:
    """The quotes that meet ``cond`` now, highest volume first (at most :data:`RESULT_ROWS`)."""
    quotes = screen(exchange, Screen(market=cond.market, price_min=cond.price_min,
                                     price_max=cond.price_max, volume_min=cond.volume_min,
                                     exclude="0000001100" if cond.stocks_only else ""))
    out = []
    for q in quotes:
        if cond.change_min is not None and q.change_rate < cond.change_min:
            continue
        if cond.change_max is not None and q.change_rate > cond.change_max:
            continue
        high = q.high_52w
        if cond.near_high_pct is not None and (
                not high or (high - q.price) * 100 > cond.near_high_pct * high):
            continue
        out.append(q)
    return ranked(out, lambda q: q.volume, limit=RESULT_ROWS)
