"""Corporate fundamentals per issue: deterministic, and coherent with the live market.

Why generated yet coherent: the simulator has no filings, but a client checks that the numbers
hang together — PER is today's price over EPS, EPS × shares is the net income, ROE is net income
over equity, the balance sheet balances. So each issue gets a few seeded drivers (earnings
multiple at the reference price, price-to-book, margin, growth, leverage; seeded by the issue code
only, so every simulator run and every API agrees) and everything else is *derived* from them and
the universe (shares outstanding, par value). Amounts in statements are 억원 (10^8 won), as KIS
reports them; per-share figures in won.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["Fundamentals", "Period", "fundamentals", "periods"]

_EOK = Decimal(100_000_000)


def _h(code: str, salt: str) -> int:
    return zlib.crc32(f"{code}|{salt}".encode())


@dataclass(frozen=True, slots=True)
class Fundamentals:
    """The issue's latest fiscal-year per-share figures (won)."""

    eps: Decimal
    bps: Decimal
    growth_pct: int
    """Yearly net-income growth, percent (may be negative)."""
    margin_pct: int
    """Net income over revenue, percent."""
    debt_pct: int
    """Liabilities over equity, percent."""
    dividend_per_share: Decimal


def fundamentals(inst: Any) -> Fundamentals:
    """The drivers of one issue (from its code and reference price only: stable across days)."""
    ref = Decimal(inst.ref_price)
    eps = (ref / Decimal(6 + _h(inst.code, "per") % 24)).quantize(Decimal(1))
    bps = (ref / (Decimal(5 + _h(inst.code, "pbr") % 25) / 10)).quantize(Decimal(1))
    payout = 10 + _h(inst.code, "payout") % 40  # percent of EPS paid as dividends
    return Fundamentals(
        eps=max(eps, Decimal(1)),
        bps=max(bps, Decimal(1)),
        growth_pct=_h(inst.code, "growth") % 26 - 5,
        margin_pct=4 + _h(inst.code, "margin") % 17,
        debt_pct=30 + _h(inst.code, "debt") % 170,
        dividend_per_share=(eps * payout / 100).quantize(Decimal(10)),
    )


@dataclass(frozen=True, slots=True)
class Period:
    """One reporting period's statements (amounts in won; per-share in won)."""

    yymm: str
    eps: Decimal
    net_income: Decimal
    revenue: Decimal
    operating_profit: Decimal
    equity: Decimal
    liabilities: Decimal
    capital: Decimal

    @property
    def assets(self) -> Decimal:
        return self.equity + self.liabilities

    def eok(self, amount: Decimal) -> str:
        """An amount in 억원, two decimals (KIS statement units)."""
        return str((amount / _EOK).quantize(Decimal("0.01"), ROUND_HALF_UP))


def periods(inst: Any, today: date, quarterly: bool = False, count: int = 5) -> list[Period]:
    """The latest ``count`` fiscal years (December year ends before ``today``) or quarters,
    newest first. A quarter carries a quarter of its year's flows; stocks at the period end."""
    f = fundamentals(inst)
    shares = Decimal(inst.shares or 0)
    capital = Decimal(inst.par_value or 0) * shares
    g = Decimal(100 + f.growth_pct) / 100
    out: list[Period] = []
    if quarterly:
        q_end = (today.month - 1) // 3 * 3  # last completed quarter's month (0: previous Dec)
        y, m = (today.year, q_end) if q_end else (today.year - 1, 12)
        ends = []
        for _ in range(count):
            ends.append((y, m))
            y, m = (y, m - 3) if m > 3 else (y - 1, 12)
    else:
        ends = [(today.year - 1 - k, 12) for k in range(count)]
    latest_year = today.year - 1
    for y, m in ends:
        back = latest_year - y
        factor = g ** back  # back < 0: this year's quarters, one more year of growth
        eps = (f.eps / factor).quantize(Decimal(1))
        ni = eps * shares
        part = Decimal(4) if quarterly else Decimal(1)
        equity = f.bps / factor * shares
        out.append(Period(
            yymm=f"{y}{m:02d}",
            eps=(eps / part).quantize(Decimal(1)),
            net_income=ni / part,
            revenue=ni * 100 / f.margin_pct / part,
            operating_profit=ni * 13 / 10 / part,
            equity=equity,
            liabilities=equity * f.debt_pct / 100,
            capital=capital,
        ))
    return out
