"""Exchange rates: won per unit of USD, HKD, JPY, CNY and VND that move, deterministically.

Why a model and not constants: balances, buying power and P&L in won must move when the rate
moves, and every API must show the *same* rate for the same day. So the rate is a pure function
of ``(seed, currency, date)``: a base level times one plus a 20-business-day moving average of
seeded daily shocks (each within ±3 %), so the rate drifts smoothly, stays within ±3 % of its
base and never needs stored state. The day is the KRX business date (KIS fixes its base rate,
매매기준율, once a morning). Rates are ``Decimal`` with four decimals, in won per *one* unit (the
handlers print JPY and VND per 100 units where KIS does).

The simulator converts nothing by itself: an order on a market needs cash in that market's
currency (deposit it in that currency). The "after exchange" (환전후) figures of the buying-power
APIs show what the account's won would add at today's rate, as KIS displays them, for
information only.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .synthetic import hash64

#: Base levels, won per one unit (around late 2026).
BASE_RATES: dict[str, Decimal] = {
    "KRW": Decimal(1),
    "USD": Decimal("1400"),
    "HKD": Decimal("180"),
    "JPY": Decimal("9.3"),
    "CNY": Decimal("195"),
    "VND": Decimal("0.055"),
}
_WINDOW = 20
_SHOCK_BP = 300  # each daily shock is within ±3 %
_Q = Decimal("0.0001")


class FxRates:
    """Seeded rates; :meth:`rate` is cached per (currency, day)."""

    __slots__ = ("_cache", "seed")

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._cache: dict[tuple[str, date], Decimal] = {}

    def _shock_bp(self, currency: str, d: date) -> int:
        h = hash64(self.seed, "fx", currency, d.toordinal())
        return int(h % (2 * _SHOCK_BP + 1)) - _SHOCK_BP

    def rate(self, currency: str, day: date) -> Decimal:
        """Won per one unit of ``currency`` on ``day`` (KRW: 1)."""
        base = BASE_RATES.get(currency)
        if base is None:
            raise ValueError(f"unknown currency {currency!r}; known: {', '.join(BASE_RATES)}")
        if currency == "KRW":
            return base
        key = (currency, day)
        r = self._cache.get(key)
        if r is None:
            total = sum(self._shock_bp(currency, day - timedelta(days=i)) for i in range(_WINDOW))
            r = (base * (10_000 * _WINDOW + total) / (10_000 * _WINDOW)).quantize(
                _Q, ROUND_HALF_UP)
            self._cache[key] = r
        return r

    def to_krw(self, amount: Decimal, currency: str, day: date) -> Decimal:
        """``amount`` of ``currency`` in won at the day's rate, rounded to the won."""
        return (amount * self.rate(currency, day)).quantize(Decimal(1), ROUND_HALF_UP)


def rates_of(exchange: object) -> FxRates:
    """The rates of one exchange (one instance per exchange, made on first use)."""
    fx = getattr(exchange, "_fx_rates", None)
    if fx is None:
        fx = FxRates(int(getattr(exchange, "seed", 0)))
        exchange.__dict__["_fx_rates"] = fx
    return fx
