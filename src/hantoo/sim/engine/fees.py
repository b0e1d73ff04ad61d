"""Commissions and taxes as configuration, applied in integer arithmetic.

Rates are given as ``Decimal`` fractions (``Decimal("0.00015")`` = 0.015 %) and turned once into
an exact ``(numerator, denominator)`` pair, so a fee is ``notional * num // den``: floor-rounded
to the minor unit, no float, no ``Decimal`` in the matching loop. Reservations for open buy orders
use :meth:`FeeSchedule.buy_fee_ceil` so buying power can never be overdrawn by rounding.

Defaults are plausible for 2026: online commission 0.015 %; the securities transaction tax on
sells is 0.20 % for KOSPI (0.05 % tax + 0.15 % rural special tax) and KOSDAQ; ETFs pay no sell
tax; US: 0.25 % commission and a small SEC fee on sells. Change them per broker plan and year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .types import InstrumentKind, Market


def _ratio(rate: Decimal) -> tuple[int, int]:
    if rate < 0:
        raise ValueError("fee rates cannot be negative")
    num, den = rate.as_integer_ratio()
    return num, den


@dataclass(frozen=True)
class FeeConfig:
    """Public, human-friendly fee configuration."""

    krw_commission: Decimal = Decimal("0.00015")
    usd_commission: Decimal = Decimal("0.0025")
    sell_tax: dict[Market, Decimal] = field(
        default_factory=lambda: {
            Market.KOSPI: Decimal("0.0020"),
            Market.KOSDAQ: Decimal("0.0020"),
            Market.KONEX: Decimal("0.0010"),
        }
    )
    #: Sell-side regulatory fee on US stocks (SEC fee), as a rate of the notional.
    usd_sell_fee: Decimal = Decimal("0.0000278")
    #: Instrument kinds exempt from the sell tax.
    tax_exempt_kinds: frozenset[InstrumentKind] = frozenset(
        {InstrumentKind.ETF, InstrumentKind.ETN, InstrumentKind.ELW}
    )


class FeeSchedule:
    """Integer fee calculator built from a :class:`FeeConfig`."""

    __slots__ = ("_exempt", "_krw", "_tax", "_usd", "_usd_sell", "config")

    def __init__(self, config: FeeConfig | None = None) -> None:
        self.config = cfg = config or FeeConfig()
        self._krw = _ratio(cfg.krw_commission)
        self._usd = _ratio(cfg.usd_commission)
        self._usd_sell = _ratio(cfg.usd_sell_fee)
        self._tax = {m: _ratio(r) for m, r in cfg.sell_tax.items()}
        self._exempt = cfg.tax_exempt_kinds

    def commission_ratio(self, is_us: bool) -> tuple[int, int]:
        """(num, den) of the commission rate for the currency."""
        return self._usd if is_us else self._krw

    def tax_ratio(self, market: Market, kind: InstrumentKind) -> tuple[int, int]:
        """(num, den) of the sell-side tax (US: the SEC fee) for an instrument."""
        if market.is_us:
            return self._usd_sell
        if kind in self._exempt:
            return (0, 1)
        return self._tax.get(market, (0, 1))

    def buy_fee_ceil(self, notional: int, is_us: bool) -> int:
        """Commission on a buy, rounded up: what an open buy order reserves."""
        num, den = self._usd if is_us else self._krw
        return -(-notional * num // den)
