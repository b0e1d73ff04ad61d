"""Errors raised *before anything is sent*: an order the market does not have, a bad price.

They subclass both :class:`hantoo.errors.HantooError` (so ``except HantooError`` sees them) and
:class:`ValueError` (they are argument errors). Each says what was wrong and carries the nearest
valid choice in ``suggestion`` so a program can offer it and a person can read it.
"""

from __future__ import annotations

from decimal import Decimal

from ..errors import HantooError

__all__ = ["InvalidSymbolFormatError", "TickSizeError", "UnsupportedOrderError"]


class UnsupportedOrderError(HantooError, ValueError):
    """An order-type / time-in-force / market combination that does not exist. Nothing was sent.

    ``suggestion`` names the nearest valid choice (e.g. ``"OrderType.PRE_MARKET"``), or is
    empty when there is none.
    """

    def __init__(self, message: str, *, suggestion: str = "") -> None:
        self.suggestion = suggestion
        super().__init__(message, hint=f"try {suggestion}" if suggestion else None)


class TickSizeError(HantooError, ValueError):
    """A price off the exchange's tick grid (or not positive). Nothing was sent.

    ``lower`` and ``upper`` are the nearest valid prices on either side.
    """

    def __init__(self, message: str, *, price: Decimal, lower: Decimal, upper: Decimal) -> None:
        self.price = price
        self.lower = lower
        self.upper = upper
        if price <= 0 or lower <= 0:  # no grid neighbours to offer below the first tick
            hint = "give a price above 0 (the quote shows the current one); a market order " \
                "takes no price"
        else:
            hint = f"use {lower} or {upper}, or pass rounding='down'|'up'|'nearest' to round"
        super().__init__(message, hint=hint)


class InvalidSymbolFormatError(HantooError, ValueError):
    """A symbol that cannot be normalised for the instrument kind or market given."""
