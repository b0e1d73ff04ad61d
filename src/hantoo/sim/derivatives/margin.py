"""Margin: a scanning-range approximation of KRX's portfolio margin (SPAN-like).

Rule (per underlying group — every series on the same index or stock moves together):

1. Revalue the group's net positions under seven scenarios of the underlying:
   ``S·(1 + k·R)`` for ``k`` in −1, −⅔, −⅓, 0, ⅓, ⅔, 1, where ``R`` is the product's scanning
   range (:attr:`~.instruments.Product.scan_pct`: 8 % KOSPI200, 12 % KOSDAQ150, 15 % stocks —
   close to KRX's 위탁증거금률 levels). Futures are revalued at their fair value, options with
   Black–Scholes at an unchanged volatility surface.
2. The group's **initial margin** (위탁증거금) is the largest loss over the scenarios plus the
   *option price margin* (옵션가격증거금: the current value of the group's net short options,
   minus that of its long ones), never below zero; the account's margin is the sum over groups
   (no offset between groups). So a long option needs nothing (its value covers its worst
   loss, and its premium is paid in cash at the fill), and a short option must cover its
   buy-back value plus the scenario loss.
3. **Maintenance margin** (유지증거금) is two thirds of the initial margin, as KRX sets it.

Before an order is
accepted, the account's cash must cover the margin of its positions plus, for every working
order that opens exposure, the standalone margin of that order (the premium for an option
buy); the part of an order that closes an existing position needs nothing. This is deliberately
conservative (no credit for offsets between working orders) and is the documented
approximation of KRX's order-margin check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction

from .instruments import DerivInstrument

__all__ = ["MAINTENANCE", "SCENARIOS", "scan_margin"]

SCENARIOS = (Fraction(-1), Fraction(-2, 3), Fraction(-1, 3), Fraction(0), Fraction(1, 3),
             Fraction(2, 3), Fraction(1))
MAINTENANCE = Fraction(2, 3)

#: ``value(instrument, spot) -> model value in points`` (float).
Valuer = Callable[[DerivInstrument, float], float]


def scan_margin(holdings: Iterable[tuple[DerivInstrument, int]], spots: dict[str, float],
                value: Valuer) -> int:
    """Initial margin in won of signed ``holdings`` (+ long / − short contracts)."""
    groups: dict[str, list[tuple[DerivInstrument, int]]] = {}
    for inst, qty in holdings:
        if qty:
            groups.setdefault(inst.group, []).append((inst, qty))
    total = 0.0
    for group, items in groups.items():
        s = spots[group]
        base = [value(i, s) for i, _ in items]
        worst = 0.0
        price_margin = -sum(b * q * i.multiplier
                            for (i, q), b in zip(items, base, strict=True) if i.is_option)
        for k in SCENARIOS:
            moved = s * (1.0 + float(k) * items[0][0].product.scan_pct / 100.0)
            pnl = sum((value(i, moved) - b) * q * i.multiplier
                      for (i, q), b in zip(items, base, strict=True))
            worst = min(worst, pnl)
        total += max(0.0, price_margin - worst)
    return round(total)
