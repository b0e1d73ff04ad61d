"""Overseas futures contract specifications as data (CME group and a few others).

One record per product root: the SDK's contract record (:mod:`hantoo.domain.futures`: exchange,
currency, multiplier, tick) plus what only the simulator needs, the initial margin per contract
and a reference price level. A KIS series code is the root, the month letter and
the two-digit year (``ESZ26`` = E-mini S&P 500, December 2026; ``6AM24`` as in the KIS docs);
an option series adds ``C``/``P`` and the strike (``ESZ26 C6000``).

Sources: the exchanges' contract specification pages (multipliers and ticks); margins are
round figures of the order of the exchanges' published maintenance levels, for the simulator's
buying power only. The simulator uses these records to validate series codes, to price them
(:mod:`.futures_quotes`) and to trade them (:mod:`.futures_book`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ...domain.futures import CONTRACTS, EXCHANGES, MONTH_CODES, FuturesContract
from ...domain.futures import parse_series as _parse

__all__ = ["EXCHANGES", "MONTH_CODES", "SPECS", "FuturesSpec", "parse_series"]


@dataclass(frozen=True)
class FuturesSpec:
    """One futures product (all its delivery months)."""

    root: str
    name: str
    exchange: str
    currency: str
    multiplier: Decimal
    tick: Decimal
    margin: Decimal  # initial margin per contract, in ``currency``
    kind: str  # equity_index, rates, fx, energy, metal, agriculture
    ref: Decimal = Decimal(0)  # a plausible price level (late 2026), anchors the seeded model


_REF = {k: Decimal(v) for k, v in {
    "ES": "6000", "NQ": "21000", "YM": "44000", "RTY": "2300", "MES": "6000", "MNQ": "21000",
    "ZT": "103.5", "ZF": "107", "ZN": "110.5", "ZB": "117", "6E": "1.08", "6J": "0.0067",
    "6A": "0.65", "6B": "1.27", "CL": "70", "NG": "3.2", "GC": "2650", "SI": "31", "HG": "4.2",
    "ZC": "430", "ZS": "1000", "ZW": "560"}.items()}
#: Initial margin per contract (round figures of the exchanges' published levels).
_MARGIN = {"ES": 12_650, "NQ": 18_700, "YM": 9_000, "RTY": 6_800, "MES": 1_265, "MNQ": 1_870,
           "ZT": 1_100, "ZF": 1_500, "ZN": 2_200, "ZB": 4_000, "6E": 2_600, "6J": 3_300,
           "6A": 1_600, "6B": 2_100, "CL": 6_000, "NG": 3_500, "GC": 10_000, "SI": 14_000,
           "HG": 5_500, "ZC": 1_100, "ZS": 2_000, "ZW": 1_700}


def _spec(c: FuturesContract) -> FuturesSpec:
    return FuturesSpec(c.root, c.name, c.exchange, c.currency, c.multiplier, c.tick,
                       Decimal(_MARGIN[c.root]), c.kind, _REF[c.root])


SPECS: dict[str, FuturesSpec] = {root: _spec(c) for root, c in CONTRACTS.items()}


def parse_series(code: str) -> tuple[FuturesSpec, int, int, str, Decimal | None] | None:
    """(spec, month 1–12, two-digit year, ``""``/``C``/``P``, strike) of a series code, or
    ``None`` when the code names no known product."""
    s = _parse(code)
    if s is None:
        return None
    return SPECS[s.contract.root], s.month, s.year2, s.right, s.strike
