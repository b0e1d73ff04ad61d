"""Exchange rates: won per unit of USD, HKD, JPY, CNY and VND that move, deterministically.

Why a model and not constants: balances, buying power and P&L in won must move when the rate
moves, and every API must show the *same* rate for the same day. So the rate is a pure function
of ``(seed, currency, date)``: a base level times one plus a 20-business-day moving average of
seeded daily shocks (each within ±3 %), so the rate drifts smoothly, stays within ±3 % of its
base and never needs stored state. The day is the KRX business date (KIS fixes its base rate,
매매기준율, once a morning). Rates are ``Decimal`` with four decimals, in won per *one* unit (the
handlers print JPY and VND per 100 units where KIS does).

**Within the day** the rate moves too, as the Seoul FX market trades (09:00–15:30 KST): given
the instant ``at`` (the simulator clock), the day's fixing moves by a seeded walk of one-minute
steps (each within ±:data:`_STEP_BP` basis points), so two reads a minute apart may differ,
two reads at one instant never do, and the same seed gives the same path. Before 09:00 the
rate is the morning's fixing; from 15:30 it stays at the close (which is also what a past day
shows when asked at a later instant). Every API asks for the rate at its call's instant
(:func:`rate_now` for code outside a call), so the rate chart, the present balance, the
buying power, the margins and the futures deposit in won agree at one instant.

The simulator converts nothing by itself: an order on a market needs cash in that market's
currency (deposit it in that currency). The "after exchange" (환전후) figures of the buying-power
APIs show what the account's won would add at today's rate, as KIS displays them, for
information only.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .clock import KST
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
#: The Seoul FX market's hours (KST) and the intraday walk's step.
FX_OPEN, FX_CLOSE = time(9, 0), time(15, 30)
_STEP_BP = 3
_MINUTES = (FX_CLOSE.hour * 60 + FX_CLOSE.minute) - (FX_OPEN.hour * 60 + FX_OPEN.minute)


class FxRates:
    """Seeded rates; :meth:`rate` is cached per (currency, day)."""

    __slots__ = ("_cache", "_paths", "seed")

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._cache: dict[tuple[str, date], Decimal] = {}
        self._paths: dict[tuple[str, date], list[int]] = {}

    def _shock_bp(self, currency: str, d: date) -> int:
        h = hash64(self.seed, "fx", currency, d.toordinal())
        return int(h % (2 * _SHOCK_BP + 1)) - _SHOCK_BP

    def _minute(self, day: date, at: datetime) -> int:
        """Minutes of ``day``'s FX session that have passed at ``at`` (0 … the whole day)."""
        opens = datetime.combine(day, FX_OPEN, KST)
        passed = int((at - opens).total_seconds() // 60)
        return max(0, min(_MINUTES, passed))

    def _path_bp(self, currency: str, day: date, minute: int) -> int:
        """The walk's offset (basis points) after ``minute`` minutes of ``day``'s session."""
        key = (currency, day)
        path = self._paths.get(key)
        if path is None:
            path, total = [0], 0
            for m in range(1, _MINUTES + 1):
                h = hash64(self.seed, "fx-intraday", currency, day.toordinal(), m)
                total += int(h % (2 * _STEP_BP + 1)) - _STEP_BP
                path.append(total)
            self._paths[key] = path
        return path[minute]

    def rate(self, currency: str, day: date, at: datetime | None = None) -> Decimal:
        """Won per one unit of ``currency`` on ``day`` (KRW: 1): the morning's fixing, or with
        ``at`` the rate at that instant (module docstring)."""
        fixing = self._fixing(currency, day)
        if at is None or currency == "KRW":
            return fixing
        minute = self._minute(day, at)
        if not minute:
            return fixing
        bp = self._path_bp(currency, day, minute)
        return (fixing * (10_000 + bp) / 10_000).quantize(_Q, ROUND_HALF_UP)

    def _fixing(self, currency: str, day: date) -> Decimal:
        """The morning's fixing (매매기준율) of ``day``."""
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


def rate_now(exchange: Any, currency: str, day: date | None = None) -> Decimal:
    """Won per one unit of ``currency`` at the exchange clock's instant: the rate every API
    shows now (``day``: the KRX business day, as the caller already knows it; for a past day,
    that day's close)."""
    fx = rates_of(exchange)
    return fx.rate(currency, day or exchange.trading_day("KRX"), exchange.clock.now())


def rates_of(exchange: object) -> FxRates:
    """The rates of one exchange (one instance per exchange, made on first use)."""
    fx = getattr(exchange, "_fx_rates", None)
    if fx is None:
        fx = FxRates(int(getattr(exchange, "seed", 0)))
        exchange.__dict__["_fx_rates"] = fx
    return fx
