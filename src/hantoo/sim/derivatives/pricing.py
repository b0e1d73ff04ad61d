"""Model values of futures and options: the one place they are computed.

* **Futures fair value** ``F = S·e^{(r−q)T}``; the traded level adds a small *basis* (a seeded
  fraction of a point per series and trading day, :func:`basis_noise`) so futures do not sit
  exactly on the model.
* **Options**: Black–Scholes with a continuous dividend yield ``q`` (equivalently Black-76 on
  the forward ``F``). Volatility comes from :func:`vol_surface`: an at-the-money level per
  underlying with a *smile* in log-moneyness ``x = ln(K/F)`` — ``σ(K) = σ_atm·(1 − 0.8x + 2x²)``
  with ``x`` clipped to ±0.35 — the downward skew and convexity index options show.
* **Greeks** per option (one contract unit, in points): delta, gamma, vega per 1 volatility
  point, theta per calendar day, rho per 1 % rate; **implied volatility** by bisection on the
  price (monotone in σ, so bisection always converges).

Why floats here: model values are transcendental functions; the boundary is :func:`to_tick`,
which turns a model value into a ``Decimal`` on the instrument's tick grid. Prices on the wire,
order prices and money never carry a float.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "RATE",
    "Greeks",
    "basis_noise",
    "bs_price",
    "forward",
    "greeks",
    "implied_vol",
    "norm_cdf",
    "to_tick",
    "vol_surface",
]

#: Risk-free rate (CD 91-day level, a simulator constant).
RATE = 0.03
_SQRT2 = math.sqrt(2.0)
_MIN_T = 1.0 / (365.0 * 24.0)  # one hour: an expiring option keeps a finite vega


def norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / _SQRT2))


def norm_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def forward(spot: float, t: float, q: float, r: float = RATE) -> float:
    """Fair value of a futures contract: ``S·e^{(r−q)T}``."""
    return spot * math.exp((r - q) * max(t, 0.0))


def vol_surface(atm_vol: float, strike: float, fwd: float) -> float:
    """σ at ``strike`` for a forward ``fwd``: the smile of the module docstring."""
    x = max(-0.35, min(0.35, math.log(strike / fwd)))
    return atm_vol * (1.0 - 0.8 * x + 2.0 * x * x)


def _d1d2(s: float, k: float, t: float, sigma: float, q: float, r: float) -> tuple[float, float]:
    t = max(t, _MIN_T)
    st = sigma * math.sqrt(t)
    d1 = (math.log(s / k) + (r - q + 0.5 * sigma * sigma) * t) / st
    return d1, d1 - st


def bs_price(call: bool, s: float, k: float, t: float, sigma: float, q: float,
             r: float = RATE) -> float:
    """Black–Scholes value of a European option (points)."""
    if t <= 0.0:
        return max(0.0, (s - k) if call else (k - s))
    d1, d2 = _d1d2(s, k, t, sigma, q, r)
    dq, dr = math.exp(-q * t), math.exp(-r * t)
    if call:
        return s * dq * norm_cdf(d1) - k * dr * norm_cdf(d2)
    return k * dr * norm_cdf(-d2) - s * dq * norm_cdf(-d1)


@dataclass(frozen=True, slots=True)
class Greeks:
    """Sensitivities of one option unit (points): vega per vol point, theta per day, rho per
    1 % rate."""

    delta: float
    gamma: float
    vega: float
    theta: float
    rho: float


def greeks(call: bool, s: float, k: float, t: float, sigma: float, q: float,
           r: float = RATE) -> Greeks:
    """Closed-form Black–Scholes greeks."""
    t = max(t, _MIN_T)
    d1, d2 = _d1d2(s, k, t, sigma, q, r)
    dq, dr = math.exp(-q * t), math.exp(-r * t)
    pdf = norm_pdf(d1)
    sqt = math.sqrt(t)
    gamma = dq * pdf / (s * sigma * sqt)
    vega = s * dq * pdf * sqt / 100.0
    common = -s * dq * pdf * sigma / (2.0 * sqt)
    if call:
        delta = dq * norm_cdf(d1)
        theta = common - r * k * dr * norm_cdf(d2) + q * s * dq * norm_cdf(d1)
        rho = k * t * dr * norm_cdf(d2) / 100.0
    else:
        delta = -dq * norm_cdf(-d1)
        theta = common + r * k * dr * norm_cdf(-d2) - q * s * dq * norm_cdf(-d1)
        rho = -k * t * dr * norm_cdf(-d2) / 100.0
    return Greeks(delta, gamma, vega, theta / 365.0, rho)


def implied_vol(call: bool, price: float, s: float, k: float, t: float, q: float,
                r: float = RATE) -> float | None:
    """σ that reproduces ``price``; ``None`` when the price is outside the no-arbitrage range
    (below intrinsic value or above the underlying)."""
    lo, hi = 1e-4, 5.0
    if price < bs_price(call, s, k, t, lo, q, r) - 1e-9 or price > bs_price(call, s, k, t, hi,
                                                                            q, r):
        return None
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if bs_price(call, s, k, t, mid, q, r) < price:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def basis_noise(seed: int, code: str, day: str, spot: float) -> float:
    """A deterministic basis of at most ±0.1 % of the spot for one series and trading day."""
    h = hashlib.blake2b(f"{seed}|{code}|{day}".encode(), digest_size=8).digest()
    u = int.from_bytes(h, "big") / float(1 << 64)
    return (u - 0.5) * 0.002 * spot


def to_tick(value: float, tick: Decimal, *, floor_one_tick: bool = True) -> Decimal:
    """A model value rounded to the nearest multiple of ``tick`` (never below one tick when
    ``floor_one_tick``): the boundary where floats become wire prices."""
    steps = (Decimal(repr(value)) / tick).quantize(Decimal(1), ROUND_HALF_UP)
    px = steps * tick
    if floor_one_tick and px < tick:
        return tick
    return px
