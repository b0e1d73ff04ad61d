"""KRX staged price limits (issue 14): a series trades within the first stage (index futures
±8 % of the base price; options at the underlying moved ±8 %); a limit reached and held five
minutes opens the next stage on that side (±15 %, then ±20 %); the night session keeps the
first stage; orders beyond the current stage are refused; the quote shows the current limits;
a restart rebuilds the stage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from hantoo.sim.derivatives.instruments import DerivInstrument
from hantoo.sim.derivatives.market import DerivMarket, market_for
from hantoo.sim.engine.clock import KST, SessionClock
from hantoo.sim.engine.config import ExchangeConfig
from hantoo.sim.engine.exchange import Exchange
from hantoo.sim.engine.orders import BUY, SELL
from hantoo.sim.engine.types import EngineReject, RejectReason
from hantoo.sim.store import open_exchange

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=KST)
SELLER, BUYER = ("50000011", "03"), ("50000012", "03")


def _market(start: dt.datetime = MONDAY) -> tuple[Exchange, DerivMarket]:
    ex = Exchange(ExchangeConfig(clock=SessionClock("stepped", start=start), seed=11))
    for acct in (SELLER, BUYER):
        ex.open_account(*acct, krw=20_000_000_000)
    return ex, market_for(ex)


def _mini(m: DerivMarket) -> DerivInstrument:
    return min((i for i in m.listing().futures() if i.product.code == "05"),
               key=lambda i: i.expiry)


def _grid(inst: DerivInstrument, units: int, up: bool) -> int:
    tick = inst.tick_of(units)
    return units // tick * tick if up else -(-units // tick) * tick


def _hit_upper(m: DerivMarket, inst: DerivInstrument) -> Decimal:
    """Trade at the upper limit: a resting sell there, and a buy that eats the house asks."""
    snap = m.snapshot(inst.code)
    m.place(SELLER, inst.code, SELL, "01", 1, snap.upper)
    depth = sum(q for _, q in snap.asks)
    m.place(BUYER, inst.code, BUY, "01", depth + 1, snap.upper)
    assert m.snapshot(inst.code).price == snap.upper  # the last trade is at the limit
    return snap.upper


def test_first_stage_is_eight_percent_of_the_base() -> None:
    _ex, m = _market()
    fut = _mini(m)
    snap = m.snapshot(fut.code)
    base = fut.units(snap.base)
    assert base is not None
    assert fut.units(snap.upper) == _grid(fut, base + base * 8 // 100, True)
    assert fut.units(snap.lower) == _grid(fut, base - base * 8 // 100, False)
    assert m.price_stage(fut.code) == (1, 1)
    with pytest.raises(EngineReject) as exc:
        m.place(BUYER, fut.code, BUY, "01", 1, snap.upper + fut.tick(fut.units(snap.upper) or 1))
    assert exc.value.reason is RejectReason.OUTSIDE_PRICE_LIMIT
    assert "stage 1/1" in str(exc.value)


def test_option_limits_follow_the_underlying_moved_by_the_stage() -> None:
    _ex, m = _market()
    calls = [i for i in m.listing().options(product="01") if i.kind == "call"]
    first = min(i.expiry for i in calls)
    for call in sorted((c for c in calls if c.expiry == first),
                       key=lambda c: c.strike or 0)[::7]:
        snap = m.snapshot(call.code)
        st = m._states[call.code]
        hi = m.model_units(call, st.spot_base * 1.08, st.years0)
        lo = m.model_units(call, st.spot_base * 0.92, st.years0)
        assert call.units(snap.upper) == max(_grid(call, hi, True), call.tick_of(1))
        assert call.units(snap.lower) == max(_grid(call, lo, False), call.tick_of(1))
        assert snap.lower <= snap.price <= snap.upper


def test_a_limit_held_five_minutes_opens_the_next_stage_on_that_side() -> None:
    ex, m = _market()
    fut = _mini(m)
    first = _hit_upper(m, fut)
    above = first + fut.tick(fut.units(first) or 1)
    base = fut.units(m.snapshot(fut.code).base)
    assert base is not None
    ex.advance(240)
    m.snapshot(fut.code)
    assert m.price_stage(fut.code) == (1, 1)  # four minutes: not yet
    with pytest.raises(EngineReject):
        m.place(BUYER, fut.code, BUY, "01", 1, above)
    ex.advance(90)
    snap = m.snapshot(fut.code)
    assert m.price_stage(fut.code) == (1, 2)  # held past five minutes: stage 2, upward only
    assert fut.units(snap.upper) == _grid(fut, base + base * 15 // 100, True)
    assert fut.units(snap.lower) == _grid(fut, base - base * 8 // 100, False)
    o = m.place(BUYER, fut.code, BUY, "01", 1, above)  # within stage 2 now: accepted
    assert o.filled == 1  # (against the house asks, below its limit)
    # the second stage reached and held: the third (±20 %) opens; there is no fourth
    _hit_upper(m, fut)
    ex.advance(330)
    m.snapshot(fut.code)
    assert m.price_stage(fut.code) == (1, 3)
    assert fut.units(m.snapshot(fut.code).upper) == _grid(fut, base + base * 20 // 100, True)
    _hit_upper(m, fut)
    ex.advance(330)
    m.snapshot(fut.code)
    assert m.price_stage(fut.code) == (1, 3)


def test_the_night_session_keeps_the_first_stage() -> None:
    ex, m = _market(MONDAY.replace(hour=19))
    fut = _mini(m)
    m.snapshot(fut.code)
    snap = m.snapshot(fut.code)
    m.place(SELLER, fut.code, SELL, "01", 1, snap.upper, night=True)
    m.place(BUYER, fut.code, BUY, "01", sum(q for _, q in snap.asks) + 1, snap.upper,
            night=True)
    ex.advance(1800)
    m.snapshot(fut.code)
    assert m.price_stage(fut.code) == (1, 1)


def test_a_restart_rebuilds_the_stage(tmp_path: Path) -> None:
    cfg = ExchangeConfig(clock=SessionClock("stepped", start=MONDAY), seed=11)
    ex = open_exchange(tmp_path / "sim.db", cfg, snapshot_every=0)
    for acct in (SELLER, BUYER):
        ex.open_account(*acct, krw=20_000_000_000)
    m = market_for(ex)
    fut = _mini(m)
    _hit_upper(m, fut)
    ex.advance(330)
    upper = m.snapshot(fut.code).upper
    assert m.price_stage(fut.code) == (1, 2)
    ex2 = open_exchange(tmp_path / "sim.db")
    m2 = market_for(ex2)
    assert m2.price_stage(fut.code) == (1, 2) and m2.snapshot(fut.code).upper == upper


def test_the_sdk_sees_the_stage_limits_and_kis_refusal() -> None:
    """Through the SDK: the quote's limits are the first stage's, and an order beyond them is
    refused as KIS refuses it (``APBK0507``), naming the limits and the stage."""
    import sys

    from hantoo.errors import HantooError
    from hantoo.futures_options import FuturesOptions

    sys.path.insert(0, str(Path(__file__).parents[1] / "workflows"))
    from simkit import private_sim

    with private_sim(clock_start=MONDAY) as sim, sim.client() as c:
        fo = FuturesOptions(c)
        m = market_for(sim.state.exchange)
        fut = _mini(m)
        q = fo.quote(fut.code)
        snap = m.snapshot(fut.code)
        assert (q.upper_limit, q.lower_limit) == (snap.upper, snap.lower)
        base = fut.units(snap.base)
        assert base is not None
        assert fut.units(q.upper_limit) == _grid(fut, base + base * 8 // 100, True)
        with pytest.raises(HantooError) as exc:
            fo.place_order(fut.code, "buy", 1, q.upper_limit + Decimal("0.02"))
    err = exc.value
    assert getattr(err, "msg_cd", "") == "APBK0507"
    assert "상하한가를 벗어난" in str(err) and "stage 1/1" in str(err)
