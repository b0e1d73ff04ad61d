"""Properties of the derivatives market under any sequence of orders from several accounts:
cash and positions are conserved, every order keeps its quantity identity, margin is never
negative and a refused order changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hantoo.sim.derivatives.market import DerivMarket, market_for
from hantoo.sim.engine import Exchange
from hantoo.sim.engine.clock import KST, SessionClock
from hantoo.sim.engine.config import ExchangeConfig
from hantoo.sim.engine.invariants import check_invariants
from hantoo.sim.engine.orders import BUY, SELL
from hantoo.sim.engine.types import EngineReject

START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=KST)
ACCOUNTS = [("50000001", "03"), ("50000002", "03")]


@contextmanager
def market() -> Iterator[tuple[Exchange, DerivMarket]]:
    ex = Exchange(ExchangeConfig(clock=SessionClock("stepped", start=START), seed=11))
    for a in ACCOUNTS:
        ex.open_account(*a, krw=300_000_000)
    yield ex, market_for(ex)


def _totals(ex: Exchange, m: DerivMarket) -> tuple[int, int, int, dict[str, int]]:
    """(Σ cash, Σ futures pending P&L − cost basis, Σ option P&L − cost basis, net contracts
    per series) over every holder, the house included."""
    holders = [ex.house, *(ex.accounts[a] for a in ACCOUNTS)]
    cash = sum(int(h.cash[0]) for h in holders)
    listing = m.listing()
    fut = 0
    opt = 0
    net: dict[str, int] = {}
    for (_acct, code), p in m.positions.items():
        inst = listing.get(code)
        assert inst is not None
        net[code] = net.get(code, 0) + p.qty
        assert (p.qty == 0 and p.cost == 0) or (p.qty > 0) == (p.cost > 0)
        if inst.is_option:
            opt += p.realized - p.cost
        else:
            fut += p.pending - p.cost
    return cash, fut, opt, net


action = st.tuples(
    st.integers(0, len(ACCOUNTS) - 1),  # who
    st.integers(0, 3),  # which series: front futures, mini, ATM call, ATM put
    st.sampled_from([BUY, SELL]),
    st.integers(1, 8),  # quantity
    st.sampled_from(["01", "02", "04", "10", "11"]),  # limit, market, best, IOC, FOK
    st.integers(-3, 3),  # limit price offset in ticks from the mid
    st.integers(0, 900),  # seconds to wait afterwards
)


@settings(max_examples=8, deadline=None)
@given(st.lists(action, min_size=5, max_size=15))
def test_cash_and_positions_are_conserved(actions: list[tuple[int, int, int, int, str, int,
                                                              int]]) -> None:
    with market() as (ex, m):
        listing = m.listing()
        fut = next(f for f in listing.futures() if f.product.code == "01")
        mini = next(f for f in listing.futures() if f.product.code == "05")
        chain = listing.options(listing.expiry_months()[0], weekly=False, product="01")
        spot = m.spot("2001")[0]
        call = min((o for o in chain if o.kind == "call"),
                   key=lambda o: abs(float(o.strike or 0) - spot))
        put = next(o for o in chain if o.kind == "put" and o.strike == call.strike)
        series = [fut, mini, call, put]
        base = _totals(ex, m)
        for who, which, side, qty, code, offset, wait in actions:
            inst = series[which]
            acct = ACCOUNTS[who]
            snap = m.snapshot(inst.code)
            units = inst.units(snap.price) or 1
            tick = inst.tick_of(units)
            price = inst.points(max(tick, units + offset * tick))
            before = (_totals(ex, m), len(m.orders), int(ex.accounts[acct].cash[0]))
            try:
                m.place(acct, inst.code, side, code, qty, price)
            except EngineReject:
                assert (_totals(ex, m), len(m.orders), int(ex.accounts[acct].cash[0])) == before
            ex.advance(wait)
            now = _totals(ex, m)
            assert now[:3] == base[:3]  # conservation: cash, futures and option P&L
            assert all(v == 0 for v in now[3].values())  # every contract has two sides
            for o in m.orders.values():
                assert o.qty == o.filled + o.remaining + o.cancelled + o.replaced
            for a in ACCOUNTS:
                assert m.position_margin(a) >= 0
                assert m.maintenance_margin(a) <= m.position_margin(a)
        assert check_invariants(ex) == []  # the stock engine's own books still balance


def test_a_refused_order_changes_nothing() -> None:
    with market() as (ex, m):
        fut = m.listing().futures()[0]
        cash = int(ex.accounts[ACCOUNTS[0]].cash[0])
        for price in (Decimal("0.03"), Decimal("9999.00")):
            try:
                m.place(ACCOUNTS[0], fut.code, BUY, "01", 1, price)
            except EngineReject:
                pass
            else:  # pragma: no cover - the assertion below explains
                raise AssertionError(f"{price} should be refused")
        try:
            m.place(ACCOUNTS[0], fut.code, BUY, "02", 1000, Decimal(0))
        except EngineReject as exc:
            assert "증거금" in str(exc.detail)
        assert m.orders == {} and int(ex.accounts[ACCOUNTS[0]].cash[0]) == cash
