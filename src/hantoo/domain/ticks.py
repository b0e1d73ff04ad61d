"""Tick sizes: a price off the grid is rejected by the exchange, so check it before sending.

KRX (KOSPI and KOSDAQ since 2023-01-25): < 2,000 → 1; < 5,000 → 5; < 20,000 → 10;
< 50,000 → 50; < 200,000 → 100; < 500,000 → 500; else 1,000. ETF/ETN/ELW: 5.
US: $0.01 (and $0.0001 below $1, as Regulation NMS allows sub-penny quotes there).

Every band boundary is a multiple of the next band's tick, so rounding inside the band that
contains the price always lands on a valid price.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal

from .errors import TickSizeError

__all__ = ["PriceRounding", "TickRule", "align_price", "tick_size"]

_KRX_BANDS: tuple[tuple[int, int], ...] = (
    (2_000, 1), (5_000, 5), (20_000, 10), (50_000, 50), (200_000, 100), (500_000, 500),
)


class TickRule(StrEnum):
    """Which tick table applies."""

    KRX_STOCK = "krx_stock"
    KRX_FUND = "krx_fund"  # ETF, ETN, ELW
    US = "us"


class PriceRounding(StrEnum):
    """What to do with a price off the grid: refuse (default) or round."""

    REFUSE = "refuse"
    DOWN = "down"
    UP = "up"
    NEAREST = "nearest"


def tick_size(price: Decimal, rule: TickRule | str = TickRule.KRX_STOCK) -> Decimal:
    """The tick that applies at ``price``."""
    rule = TickRule(rule)
    if rule is TickRule.US:
        return Decimal("0.0001") if price < 1 else Decimal("0.01")
    if rule is TickRule.KRX_FUND:
        return Decimal(5)
    for upper, tick in _KRX_BANDS:
        if price < upper:
            return Decimal(tick)
    return Decimal(1_000)


def _to_decimal(price: Decimal | int | str) -> Decimal:
    if isinstance(price, float):  # pragma: no cover - typed out, kept for callers without mypy
        raise TypeError("prices must be Decimal, int or str, never float")
    try:
        return price if isinstance(price, Decimal) else Decimal(str(price))
    except ArithmeticError:
        raise ValueError(f"not a price: {price!r}") from None


def align_price(
    price: Decimal | int | str,
    rule: TickRule | str = TickRule.KRX_STOCK,
    rounding: PriceRounding | Literal["refuse", "down", "up", "nearest"] = PriceRounding.REFUSE,
) -> Decimal:
    """``price`` if it is on the grid; otherwise rounded as asked, or :class:`TickSizeError`."""
    p = _to_decimal(price)
    mode = PriceRounding(rounding)
    if not p.is_finite() or p <= 0:
        raise TickSizeError(
            f"price must be a positive number, got {str(p) if p.is_finite() else repr(price)}",
            price=p if p.is_finite() else Decimal(0), lower=Decimal(0), upper=Decimal(0),
        )
    tick = tick_size(p, rule)
    units = p / tick
    lower = units.to_integral_value(ROUND_FLOOR) * tick
    upper = units.to_integral_value(ROUND_CEILING) * tick
    if lower == p:
        return _plain(p, tick)
    if lower <= 0:
        lower = tick
    if mode is PriceRounding.DOWN:
        return _plain(lower, tick)
    if mode is PriceRounding.UP:
        return _plain(upper, tick)
    if mode is PriceRounding.NEAREST:
        return _plain(units.to_integral_value(ROUND_HALF_UP) * tick, tick)
    raise TickSizeError(
        f"{p} is not a valid price: the tick at this price is {tick} "
        f"({TickRule(rule).value} rules)",
        price=p, lower=_plain(lower, tick), upper=_plain(upper, tick),
    )


def _plain(value: Decimal, tick: Decimal) -> Decimal:
    """Normalise the exponent to the tick's (``71000`` not ``7.1E+4``; ``1.50`` for US)."""
    return value.quantize(tick) if tick < 1 else value.quantize(Decimal(1))
