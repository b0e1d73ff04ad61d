"""Model properties of futures/options pricing: no-arbitrage bounds, put–call parity, greeks
against finite differences, implied volatility round trips, tick rounding — for any inputs
hypothesis draws, not for a handful of hand-picked ones."""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hantoo.sim.derivatives import pricing
from hantoo.sim.derivatives.instruments import option_tick

spots = st.floats(min_value=50.0, max_value=2000.0)
moneyness = st.floats(min_value=0.6, max_value=1.5)
years = st.floats(min_value=1.0 / 365.0, max_value=1.0)
vols = st.floats(min_value=0.05, max_value=0.8)
yields = st.floats(min_value=0.0, max_value=0.05)


@settings(max_examples=300, deadline=None)
@given(spots, moneyness, years, vols, yields)
def test_prices_within_no_arbitrage_bounds(s: float, m: float, t: float, sigma: float,
                                           q: float) -> None:
    k = s * m
    r = pricing.RATE
    c = pricing.bs_price(True, s, k, t, sigma, q)
    p = pricing.bs_price(False, s, k, t, sigma, q)
    fs, fk = s * math.exp(-q * t), k * math.exp(-r * t)
    eps = 1e-9 * s
    assert c >= max(0.0, fs - fk) - eps
    assert p >= max(0.0, fk - fs) - eps
    assert c <= fs + eps and p <= fk + eps
    # put–call parity holds exactly in the model
    assert math.isclose(c - p, fs - fk, abs_tol=1e-8 * s)


@settings(max_examples=300, deadline=None)
@given(spots, moneyness, years, vols, yields)
def test_parity_survives_tick_rounding(s: float, m: float, t: float, sigma: float,
                                       q: float) -> None:
    """Each leg rounds to its own grid (0.01 below 10 points, 0.05 above): C − P misses the
    parity value by at most half a tick of each leg."""
    k = s * m
    c = pricing.bs_price(True, s, k, t, sigma, q)
    p = pricing.bs_price(False, s, k, t, sigma, q)

    def grid(v: float) -> tuple[Decimal, Decimal]:
        tick = Decimal(option_tick(round(v * 100))) / 100
        return pricing.to_tick(v, tick, floor_one_tick=False), tick

    (cq, ct), (pq, pt) = grid(c), grid(p)
    parity = Decimal(repr(s * math.exp(-q * t) - k * math.exp(-pricing.RATE * t)))
    assert abs((cq - pq) - parity) <= (ct + pt) / 2 + Decimal("1e-9")


@settings(max_examples=200, deadline=None)
@given(spots, st.floats(min_value=0.8, max_value=1.25), st.floats(min_value=0.02, max_value=1.0),
       st.floats(min_value=0.08, max_value=0.6), yields, st.booleans())
def test_implied_vol_round_trip(s: float, m: float, t: float, sigma: float, q: float,
                                call: bool) -> None:
    k = s * m
    price = pricing.bs_price(call, s, k, t, sigma, q)
    vega = pricing.greeks(call, s, k, t, sigma, q).vega
    if vega < 1e-6 * s:  # no information in the price
        return
    iv = pricing.implied_vol(call, price, s, k, t, q)
    assert iv is not None and abs(iv - sigma) < 1e-4


def test_implied_vol_refuses_prices_outside_the_bounds() -> None:
    assert pricing.implied_vol(True, 0.0, 300.0, 250.0, 0.1, 0.0) is None  # below intrinsic
    assert pricing.implied_vol(False, 400.0, 300.0, 300.0, 0.1, 0.0) is None  # above strike


@settings(max_examples=100, deadline=None)
@given(spots, st.floats(min_value=0.85, max_value=1.15), st.floats(min_value=0.05, max_value=1.0),
       st.floats(min_value=0.1, max_value=0.5), yields, st.booleans())
def test_greeks_match_finite_differences(s: float, m: float, t: float, sigma: float, q: float,
                                         call: bool) -> None:
    k = s * m
    g = pricing.greeks(call, s, k, t, sigma, q)
    h = s * 1e-4
    up = pricing.bs_price(call, s + h, k, t, sigma, q)
    dn = pricing.bs_price(call, s - h, k, t, sigma, q)
    mid = pricing.bs_price(call, s, k, t, sigma, q)
    assert math.isclose(g.delta, (up - dn) / (2 * h), abs_tol=1e-4)
    assert math.isclose(g.gamma, (up - 2 * mid + dn) / (h * h), rel_tol=1e-2, abs_tol=1e-5)
    dv = pricing.bs_price(call, s, k, t, sigma + 1e-4, q) - pricing.bs_price(call, s, k, t,
                                                                            sigma - 1e-4, q)
    assert math.isclose(g.vega, dv / 2e-4 / 100, rel_tol=1e-3, abs_tol=1e-6)


def test_smile_is_skewed_and_convex() -> None:
    f, atm = 330.0, 0.18
    down, at, up = (pricing.vol_surface(atm, k, f) for k in (290.0, 330.0, 370.0))
    assert at == atm
    assert down > at > up  # skew: downside strikes richer than upside ones
    xs = [f * (1 + i / 20) for i in range(-6, 7)]
    vs = [pricing.vol_surface(atm, k, f) for k in xs]
    assert all(vs[i - 1] + vs[i + 1] >= 2 * vs[i] - 1e-12 for i in range(1, len(vs) - 1))


def test_fair_value_carries_rate_minus_yield() -> None:
    assert pricing.forward(300.0, 0.25, 0.015) > 300.0 > pricing.forward(300.0, 0.25, 0.05)
    assert pricing.forward(300.0, 0.0, 0.015) == 300.0
