"""Properties of ELWs for any inputs hypothesis draws: the model and the engine's ELW prices stay
within the no-arbitrage bounds (within one 5-won tick), and any sequence of ELW orders from
several accounts conserves cash and units and keeps every order's quantity identity."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from hantoo.sim.derivatives import pricing
from hantoo.sim.derivatives.elw import TICK, Elw, elw_value, grid, unit_of
from hantoo.sim.derivatives.elw_trading import ElwInstrument, under_path
from hantoo.sim.derivatives.market import market_for
from hantoo.sim.engine import Exchange
from hantoo.sim.engine.clock import KST, SessionClock
from hantoo.sim.engine.config import ExchangeConfig
from hantoo.sim.engine.invariants import check_invariants
from hantoo.sim.engine.types import EngineReject, OrderType, Side

START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=KST)
ACCOUNTS = [("50000001", "01"), ("50000002", "01")]


def _bounds(e: Elw, spot: float, years: float) -> tuple[float, float]:
    """(lower, upper) no-arbitrage bounds of one warrant in won."""
    r, q = pricing.RATE, e.q
    fs = spot * math.exp(-q * years)
    fk = float(e.strike) * math.exp(-r * years)
    unit = unit_of(e)
    if e.kind == "call":
        return max(0.0, fs - fk) * unit, fs * unit
    return max(0.0, fk - fs) * unit, fk * unit


terms = st.builds(
    lambda index, kind, m, ratio, vol, q: Elw(
        "5X0001", "test", "00003", "2001" if index else "005930",
        "KOSPI200" if index else "Samsung", kind,
        Decimal(round((330 if index else 60_000) * m, 2)),
        Decimal(1) if index else Decimal(ratio), dt.date(2026, 1, 1), dt.date(2027, 6, 10), q,
        vol),
    st.booleans(), st.sampled_from(["call", "put"]), st.floats(0.7, 1.3),
    st.sampled_from(["0.1", "0.2", "0.5", "1"]), st.floats(0.1, 0.6), st.floats(0.0, 0.04))


@settings(max_examples=400, deadline=None)
@given(terms, st.floats(0.6, 1.6), st.floats(1 / 365, 1.0))
def test_elw_model_prices_within_no_arbitrage_bounds(e: Elw, move: float, years: float) -> None:
    spot = (330 if e.on_index else 60_000) * move
    lo, hi = _bounds(e, spot, years)
    won = grid(elw_value(e, spot, years))
    assert won % TICK == 0 and won >= TICK
    assert won >= lo - TICK / 2  # the grid rounds to the nearest 5 won
    assert won <= max(hi + TICK / 2, TICK)


@cache
def _engine() -> Exchange:
    ex = Exchange(ExchangeConfig(clock=SessionClock("stepped", start=START), seed=5))
    for a in ACCOUNTS:
        ex.open_account(*a, krw=200_000_000)
    return ex


@cache
def _codes() -> list[str]:
    return sorted(market_for(_engine()).elws())


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 2340))
def test_engine_elw_path_within_no_arbitrage_bounds(pick: int, k: int) -> None:
    """Every point of the engine's ELW path (what the LP quotes around and what prints) is
    within the bounds at the underlying's path point and the time left then."""
    ex = _engine()
    codes = _codes()
    inst = ex.universe.get(codes[pick % len(codes)])
    assert isinstance(inst, ElwInstrument)
    day = START.date()
    sch = ex.schedules[0]
    steps = sch.steps_per_day
    k = min(k, steps)
    path, vols = inst.model_path(ex, day, steps)
    spot = under_path(ex, inst.elw.underlying, day, steps)[k]
    at = dt.datetime.combine(day, dt.time(), KST) + dt.timedelta(seconds=sch.step_second(k))
    end = dt.datetime.combine(inst.elw.expiry, dt.time(15, 20), KST)
    years = (end - at).total_seconds() / (365 * 86400)
    lo, hi = _bounds(inst.elw, spot, years)
    assert path[k] % TICK == 0 and vols[k] >= 10
    assert lo - TICK <= path[k] <= max(hi + TICK, TICK)


action = st.tuples(
    st.integers(0, len(ACCOUNTS) - 1),  # who
    st.integers(0, 3),  # which ELW: index call/put, stock call/put
    st.sampled_from([Side.BUY, Side.SELL]),
    st.integers(1, 40).map(lambda n: n * 10),  # units, in KRX's 10-warrant trading unit
    st.just(OrderType.LIMIT),  # KRX trades ELWs by limit order only
    st.integers(-3, 3),  # limit price offset in ticks from the LP's ask/bid
    st.integers(0, 600),  # seconds to wait afterwards
)


def _holdings(ex: Exchange) -> tuple[tuple[int, ...], dict[tuple[str, str], int]]:
    everyone = [*ex.accounts.values(), ex.house, ex.lender]
    cash = tuple(int(a.cash[0]) for a in everyone)
    units = {(a.key[0], p.code): p.qty for a in everyone for p in a.positions.values()}
    return cash, units


@settings(max_examples=6, deadline=None)
@given(st.lists(action, min_size=5, max_size=14))
def test_cash_and_units_conserved_over_random_elw_orders(
        actions: list[tuple[int, int, Side, int, OrderType, int, int]]) -> None:
    ex = Exchange(ExchangeConfig(clock=SessionClock("stepped", start=START), seed=9))
    for a in ACCOUNTS:
        ex.open_account(*a, krw=50_000_000)
    elws = market_for(ex).elws()
    pick = [next(c for c, e in sorted(elws.items()) if e.on_index == idx and e.kind == kind)
            for idx, kind in ((True, "call"), (True, "put"), (False, "call"), (False, "put"))]
    for who, which, side, qty, otype, offset, wait in actions:
        code = pick[which]
        q = ex.quote(code)
        ref = int(q.best_ask if side is Side.BUY and q.best_ask else q.best_bid or q.price)
        price = max(TICK, ref + offset * TICK)
        before = _holdings(ex)
        try:
            ex.place_order(ACCOUNTS[who], code, side, otype, qty, price)
        except EngineReject:
            assert _holdings(ex) == before  # a refused order changes nothing
        ex.advance(wait)
        assert check_invariants(ex) == []  # cash, units, reservations, quantity identity
        for a in ACCOUNTS:
            assert all(p.qty >= 0 for p in ex.accounts[a].positions.values())
            assert ex.accounts[a].cash[0] >= 0
