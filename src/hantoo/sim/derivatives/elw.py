"""ELWs (주식워런트증권): issues as data and their LP quotes, priced by the option model.

Issues: for each underlying — KOSPI200 (``2001``) and the five largest KOSPI stocks — each
issuer (``00003`` 한국투자증권, ``00017`` KB증권, ``00005`` 미래에셋증권) lists a call and a put at
90 %, 100 % and 110 % of the underlying's level on the listing day, 180 days before a quarterly
expiry (the second Thursday of March, June, September, December, as the futures calendar), so
two or three expiries are live at once and an issue keeps its terms from listing to expiry.
Codes are six characters ``5`` + issuer digit + underlying rank + expiry digit (``(year × 12 +
month) mod 10``, distinct among the live expiries) + strike slot + call/put digit (KRX gives
ELWs 6-digit codes in the 5xxxxx range).

Terms: an index ELW is worth ``option points × 100 KRW × conversion ratio`` (ratio 1.0); a stock
ELW ``option value × conversion ratio`` (ratio 0.1: ten warrants per share). Prices trade on
the 5-won ELW grid. :func:`elw_quote` is the model alone (its LP one tick either side); the
ELW as it trades — engine price, LP book, day statistics — is
:meth:`~hantoo.sim.derivatives.market.DerivMarket.elw_quote` (see :mod:`.elw_trading`). The
volatility is the underlying's surface (:mod:`.pricing`) plus a
2-point issuer premium, so ELWs price slightly above the listed options as they do on KRX.
Greeks are per unit of the underlying (points for KOSPI200, won for a stock), as the option
board shows them; multiply by the conversion ratio (and 100 KRW per point) for one warrant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from . import pricing
from .instruments import monthly_expiry

__all__ = ["ISSUERS", "Elw", "ElwQuote", "elw_at", "elw_listing", "elw_quote", "elw_value", "grid",
           "unit_of"]

ISSUERS = {"00003": "한국투자증권", "00017": "KB증권", "00005": "미래에셋증권"}
_ISSUER_DIGIT = {"00003": "3", "00017": "7", "00005": "5"}
_MONEYNESS = (Decimal("0.9"), Decimal("1.0"), Decimal("1.1"))
TICK = 5
INDEX_WON_PER_POINT = 100
VOL_PREMIUM = 0.02
LIFE_DAYS = 180
"""An ELW is listed this many days before its expiry."""
LIFE_MONTHS = 6


@dataclass(frozen=True, slots=True)
class Elw:
    code: str
    name: str
    issuer: str
    underlying: str
    underlying_name: str
    kind: str  # "call" | "put"
    strike: Decimal
    ratio: Decimal
    listed: date
    expiry: date
    q: float
    atm_vol: float

    @property
    def on_index(self) -> bool:
        return len(self.underlying) == 4


@dataclass(frozen=True, slots=True)
class ElwQuote:
    elw: Elw
    price: int
    bid: int
    ask: int
    theo: Decimal
    spot: Decimal
    spot_prev: Decimal
    prev: int
    iv: float | None
    greeks: pricing.Greeks
    days_left: int
    open: int = 0
    high: int = 0
    low: int = 0
    volume: int = 0
    turnover: int = 0
    """Won traded today (the engine's day statistics; 0 for a model-only quote)."""

    @property
    def parity(self) -> Decimal:
        """Spot / strike in percent (ELW 패리티)."""
        return (self.spot * 100 / self.elw.strike).quantize(Decimal("0.01"))

    @property
    def gearing(self) -> Decimal:
        """Underlying value per won of warrant (기어링)."""
        under = self.spot * (INDEX_WON_PER_POINT if self.elw.on_index else 1) * self.elw.ratio
        return (under / self.price).quantize(Decimal("0.01")) if self.price else Decimal(0)

    @property
    def leverage(self) -> Decimal:
        """Effective gearing: gearing × |delta| (레버리지)."""
        return (self.gearing * Decimal(repr(abs(self.greeks.delta)))).quantize(Decimal("0.01"))

    @property
    def breakeven_rate(self) -> Decimal:
        """How far the underlying must move to break even at expiry, percent (손익분기율)."""
        per_unit = Decimal(self.price) / (self.elw.ratio * (INDEX_WON_PER_POINT if
                                                            self.elw.on_index else 1))
        be = self.elw.strike + per_unit if self.elw.kind == "call" else self.elw.strike - per_unit
        return ((be - self.spot) * 100 / self.spot).quantize(Decimal("0.01"))

    @property
    def intrinsic(self) -> Decimal:
        d = self.spot - self.elw.strike if self.elw.kind == "call" else self.elw.strike - self.spot
        return max(Decimal(0), d) * self.elw.ratio * (INDEX_WON_PER_POINT if self.elw.on_index
                                                      else 1)


def _grid(won: float) -> int:
    return max(TICK, round(won / TICK) * TICK)


def elw_listing(today: date, is_business_day: Any,
                underlyings: list[tuple[str, str, Decimal, float, float]],
                ref_on: Callable[[str, date], Decimal | None] | None = None) -> dict[str, Elw]:
    """ELWs live on ``today``. ``underlyings``: (code, name, reference level, q, atm vol);
    ``ref_on(code, day)`` gives the underlying's level on an ELW's listing day when it is not
    the fixed reference level (an index), so an ELW's strikes never change after listing."""
    out: dict[str, Elw] = {}
    for rank, (code, name, ref, q, vol) in enumerate(underlyings):
        step = Decimal("2.5") if len(code) == 4 else Decimal(1000)
        for ahead in range(LIFE_MONTHS + 2):
            y = today.year + (today.month - 1 + ahead) // 12
            m = (today.month - 1 + ahead) % 12 + 1
            if m % 3:
                continue  # quarterly expiries
            expiry = monthly_expiry(y, m, is_business_day)
            listed = expiry - timedelta(days=LIFE_DAYS)
            if not listed <= today <= expiry:
                continue
            level = (ref_on(code, listed) if ref_on is not None else None) or ref
            slot = (y * 12 + m) % 10  # distinct among the expiries live at once
            for issuer, digit in _ISSUER_DIGIT.items():
                for k_slot, mny in enumerate(_MONEYNESS):
                    strike = (level * mny / step).quantize(Decimal(1)) * step
                    for kind, cp in (("call", "1"), ("put", "2")):
                        c = f"5{digit}{rank}{slot}{k_slot}{cp}"
                        letter = "콜" if kind == "call" else "풋"
                        out[c] = Elw(
                            c, f"{ISSUERS[issuer][:2]}{name[:6]}{letter}{expiry:%y%m}",
                            issuer, code, name, kind, strike,
                            Decimal(1) if len(code) == 4 else Decimal("0.1"),
                            listed, expiry, q, vol)
    return out


def unit_of(e: Elw) -> float:
    """Won of one warrant per point (index) or won (stock) of option value."""
    return (INDEX_WON_PER_POINT if e.on_index else 1) * float(e.ratio)


def elw_sigma(e: Elw, spot: float, years: float) -> float:
    """The ELW's volatility: the underlying's surface at its strike plus the issuer premium."""
    return pricing.vol_surface(e.atm_vol, float(e.strike),
                               pricing.forward(spot, years, e.q)) + VOL_PREMIUM


def elw_value(e: Elw, spot: float, years: float) -> float:
    """Model value of one warrant in won (float: the model's inside; callers grid it)."""
    sigma = elw_sigma(e, spot, years)
    return pricing.bs_price(e.kind == "call", spot, float(e.strike), years, sigma, e.q) * unit_of(e)


def elw_at(e: Elw, spot: float, years: float, price: int, prev: int = 0,
           spot_prev: float | None = None) -> ElwQuote:
    """The model numbers of ``e`` at one point (a trade, a close): its traded ``price`` with
    the underlying at ``spot`` and ``years`` to expiry. Implied volatility is the one of the
    traded price; greeks and the theoretical value are the model's (surface volatility)."""
    unit = unit_of(e)
    call = e.kind == "call"
    k = float(e.strike)
    sigma = elw_sigma(e, spot, years)
    value = pricing.bs_price(call, spot, k, years, sigma, e.q) * unit
    iv = pricing.implied_vol(call, price / unit, spot, k, max(years, 1e-6), e.q) if price else None
    g = pricing.greeks(call, spot, k, years, sigma, e.q)
    prev_spot = spot if spot_prev is None else spot_prev
    return ElwQuote(e, price, price, price, Decimal(repr(value)).quantize(Decimal("0.01")),
                    Decimal(repr(spot)).quantize(Decimal("0.01")),
                    Decimal(repr(prev_spot)).quantize(Decimal("0.01")), prev, iv, g,
                    max(0, round(years * 365)), price, price, price)


def grid(won: float) -> int:
    """A won value on the ELW grid (5 won, at least one tick)."""
    return _grid(won)


def elw_quote(e: Elw, spot: float, prev_spot: float, years: float, prev_years: float
              ) -> ElwQuote:
    """The LP's quote and the model numbers of one ELW."""
    unit = unit_of(e)
    call = e.kind == "call"
    k = float(e.strike)
    sigma = elw_sigma(e, spot, years)
    value = pricing.bs_price(call, spot, k, years, sigma, e.q) * unit
    prev = elw_value(e, prev_spot, prev_years)
    price = _grid(value)
    iv = pricing.implied_vol(call, price / unit, spot, k, max(years, 1e-6), e.q)
    g = pricing.greeks(call, spot, k, years, sigma, e.q)
    return ElwQuote(e, price, max(TICK, price - TICK), price + TICK,
                    Decimal(repr(value)).quantize(Decimal("0.01")),
                    Decimal(repr(spot)).quantize(Decimal("0.01")),
                    Decimal(repr(prev_spot)).quantize(Decimal("0.01")), _grid(prev), iv, g,
                    max(0, round(years * 365)))
