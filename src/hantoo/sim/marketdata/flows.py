"""Investor flows: who bought and who sold each issue's volume, balanced by construction.

Why balanced: every share traded has one buyer and one seller, so across investor types the buy
totals equal the sell totals (and the net buys sum to zero) — the property clients reconcile
against. Until the engine's synthetic participants carry an investor type (issue 11), each day's
volume and value (from the engine's own tape/candles) are split among individuals, foreigners and
institutions with deterministic weights seeded by (simulator seed, issue, day): the same day
always splits the same way, and today's split grows with today's volume. The participants now
carry an investor type (``Exchange.investor_flows(symbol)``: today's quantities only); reading
them here needs values and past days too, and is left for the market-data issue.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

__all__ = ["INVESTOR_TYPES", "Flow", "day_flows", "split"]

INVESTOR_TYPES = ("prsn", "frgn", "orgn")
"""KIS field prefixes: individuals (개인), foreigners (외국인), institutions (기관계)."""


@dataclass(frozen=True, slots=True)
class Flow:
    buy_qty: int
    sell_qty: int
    buy_value: Decimal
    sell_value: Decimal

    @property
    def net_qty(self) -> int:
        return self.buy_qty - self.sell_qty

    @property
    def net_value(self) -> Decimal:
        return self.buy_value - self.sell_value


def _weights(seed: str) -> list[int]:
    h = zlib.crc32(seed.encode())
    return [20 + (h >> (8 * i)) % 80 for i in range(len(INVESTOR_TYPES))]


def _allocate(total: int, weights: list[int]) -> list[int]:
    """``total`` split by ``weights``; the last share takes the rounding remainder, so the parts
    always add up to ``total`` exactly."""
    w = sum(weights)
    parts = [total * x // w for x in weights[:-1]]
    return [*parts, total - sum(parts)]


def split(volume: int, value: Decimal, seed: str) -> dict[str, Flow]:
    """One day's ``volume``/``value`` attributed to buyers and sellers by type (balanced)."""
    buys = _allocate(volume, _weights(seed + "|buy"))
    sells = _allocate(volume, _weights(seed + "|sell"))

    def values(qtys: list[int]) -> list[Decimal]:
        if volume == 0:
            return [Decimal(0)] * len(qtys)
        out = [(value * q / volume).quantize(Decimal(1), ROUND_DOWN) for q in qtys[:-1]]
        return [*out, value - sum(out, Decimal(0))]

    bv, sv = values(buys), values(sells)
    return {t: Flow(buys[i], sells[i], bv[i], sv[i]) for i, t in enumerate(INVESTOR_TYPES)}


def day_flows(exchange: Any, seed: int, symbol: str, day: date, volume: int,
              value: Decimal) -> dict[str, Flow]:
    """Flows of ``symbol`` on ``day`` whose total volume/value is ``volume``/``value``."""
    # The engine's participants keep today's per-type quantities (Exchange.investor_flows), but
    # not values, past days or the house's auction prints that make up the day's volume: until
    # they do, the day's volume is split deterministically (balanced) so every API agrees.
    del exchange
    return split(volume, Decimal(value), f"{seed}|{symbol}|{day.isoformat()}")


#: KIS institution sub-types (기관계 = their sum): securities, investment trusts, private funds,
#: banks, insurers, other financials (merchant banks), pension funds.
INSTITUTION_TYPES = ("scrt", "ivtr", "pe_fund", "bank", "insu", "mrbn", "fund")


def institution_split(net_qty: int, net_value: Decimal, seed: str) -> dict[str, tuple[int,
                                                                                    Decimal]]:
    """An institution net (qty, value) split among :data:`INSTITUTION_TYPES`, summing exactly."""
    weights = [20 + zlib.crc32(f"{seed}|{t}".encode()) % 80 for t in INSTITUTION_TYPES]
    qtys = _allocate(net_qty, weights)
    w = sum(weights)
    values = [(net_value * x / w).quantize(Decimal(1), ROUND_DOWN) for x in weights[:-1]]
    values.append(net_value - sum(values, Decimal(0)))
    return {t: (qtys[i], values[i]) for i, t in enumerate(INSTITUTION_TYPES)}
