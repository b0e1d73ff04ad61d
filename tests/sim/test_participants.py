"""Synthetic participants: a market that trades by itself, deterministically, conserving money.

The participants (market makers, noise and momentum traders) trade through the matching engine
on a fixed grid of simulated time; these tests pin the stepped clock and check that the tape is
a function of the seed and the clock steps, that liquid symbols trade several times a second,
that users' accounts change only through their own fills, and that activity 0 stays quiet.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hantoo.sim.engine import EngineReject, Exchange, OrderType, Side, check_invariants
from hantoo.sim.engine.participants import TICK_US
from hantoo.sim.engine.types import Investor
from hantoo.sim.state import SimConfig

from ._util import ACCT, DAY, make_exchange

LIQUID = ["005930", "000660", "035420", "005380", "035720"]
TEN_AM = DAY + timedelta(hours=1)

Tape = dict[str, list[tuple[datetime, Decimal, int]]]


def _tape(ex: Exchange, since: datetime) -> Tape:
    return {
        s: [(t.time, t.price, t.qty) for t in reversed(ex.trades(s, 100_000)) if t.time > since]
        for s in LIQUID
    }


def _live(seed: int = 7, step_ms: int = 100, seconds: int = 10, **kw: object) -> Exchange:
    ex = make_exchange(at=TEN_AM, seed=seed, activity=1, **kw)
    for s in LIQUID:
        ex.quote(s)  # looking at a symbol makes it live
    for _ in range(seconds * 1000 // step_ms):
        ex.advance(timedelta(milliseconds=step_ms))
    return ex


def test_liquid_symbols_trade_several_times_a_second_with_no_orders_of_ones_own() -> None:
    ex = _live()
    tape = _tape(ex, TEN_AM)
    counts = {s: len(v) for s, v in tape.items()}
    assert all(n >= 20 for n in counts.values()), counts  # ≥ 2 trades per simulated second
    assert sum(counts.values()) >= 50
    assert all(q > 0 for v in tape.values() for _, _, q in v)
    # the trades are the day's statistics: quote, tape and minute candles agree
    for s in LIQUID:
        q = ex.quote(s)
        last = tape[s][-1]
        assert q.price == last[1]
        candles = ex.minute_candles(s)
        assert candles[-1].close == q.price
        assert sum(c.volume for c in candles) == q.volume
    assert not check_invariants(ex)


def test_same_seed_and_clock_steps_give_the_same_trade_tape() -> None:
    assert _tape(_live(seed=11), TEN_AM) == _tape(_live(seed=11), TEN_AM)
    assert _tape(_live(seed=11), TEN_AM) != _tape(_live(seed=12), TEN_AM)


def test_the_tape_does_not_depend_on_how_finely_the_clock_is_stepped() -> None:
    """Participants act on a fixed grid of simulated time, not once per call."""
    fine = _tape(_live(seed=3, step_ms=50), TEN_AM)
    coarse = _tape(_live(seed=3, step_ms=2_000), TEN_AM)
    assert fine == coarse
    for trades in fine.values():
        assert all((t.microsecond % (TICK_US // 1_000)) == 0 for t, _, _ in trades[:-1])


def test_activity_zero_is_the_quiet_seeded_market() -> None:
    ex = make_exchange(at=TEN_AM, activity=0)
    for s in LIQUID:
        ex.quote(s)
    ex.advance(timedelta(seconds=30))
    for s in LIQUID:
        times = [t.time for t in ex.trades(s, 100_000)]
        assert all(t.microsecond == 0 and t.second % 10 == 0 for t in times)  # path steps only
        assert sum(ex.investor_flows(s)[Investor.INDIVIDUAL]) == 0


def test_participants_fill_a_resting_user_order_as_another_trader_would() -> None:
    ex = make_exchange(at=TEN_AM, activity=1)
    book = ex.order_book("005930")
    bid = book.bids[0].price
    placed = ex.place_order(ACCT, "005930", Side.BUY, OrderType.LIMIT, 10, bid)
    assert placed.filled_qty == 0
    cash_before = ex.balance(ACCT).summary[0].cash_d2
    for _ in range(120):
        ex.advance(timedelta(milliseconds=500))
        if ex.order(ACCT, placed.odno).filled_qty == 10:
            break
    done = ex.order(ACCT, placed.odno)
    assert done.filled_qty == 10
    spent = done.fill_amount + done.fees
    assert ex.balance(ACCT).summary[0].cash_d2 == cash_before - spent
    assert not check_invariants(ex)


def test_investor_types_are_carried_to_the_flows() -> None:
    ex = _live(seconds=5)
    flows = ex.investor_flows("005930")
    bought = sum(b for b, _ in flows.values())
    sold = sum(s for _, s in flows.values())
    # both venues' trades (UN: KRX + NXT), less the seeded path's prints before going live
    assert bought == sold == ex.quote("005930", "UN").volume - _path_volume(ex, "005930")
    assert flows[Investor.INSTITUTION] != (0, 0)  # market makers
    assert flows[Investor.INDIVIDUAL] != (0, 0)  # noise traders


def _path_volume(ex: Exchange, symbol: str) -> int:
    """Volume printed by the seeded path before the symbol went live (no investor behind it)."""
    return sum(t.qty for t in ex.trades(symbol, 100_000) if t.time <= TEN_AM)


def test_bad_activity_is_refused_with_its_range() -> None:
    with pytest.raises(ValueError, match="activity"):
        SimConfig(activity=-1)
    with pytest.raises(ValueError, match="activity"):
        make_exchange(activity=1_000)
    assert SimConfig().activity == 1  # users get a live market by default


ACCTS = [("10000001", "01"), ("10000002", "01")]
command = st.one_of(
    st.tuples(st.just("order"), st.integers(0, 1), st.sampled_from(LIQUID[:3]),
              st.sampled_from(Side), st.sampled_from(["00", "00", "01", "03", "11"]),
              st.integers(1, 40_000), st.integers(-3, 3)),
    st.tuples(st.just("cancel"), st.integers(0, 1), st.integers(0, 20)),
    st.tuples(st.just("wait"), st.integers(1, 3_000)),
)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(command, min_size=3, max_size=25))
def test_participants_conserve_cash_and_shares_and_touch_users_only_by_fills(
    cmds: list[tuple[object, ...]],
) -> None:
    ex = make_exchange(at=DAY + timedelta(hours=5), activity=1, funded=False)
    for key in ACCTS:
        ex.open_account(*key, krw=Decimal(50_000_000_000))
        for s in LIQUID[:3]:
            ex.grant_shares(key, s, 100_000, Decimal(1_000))
    for cmd in cmds:
        try:
            if cmd[0] == "order":
                _, ai, sym, side, otype, qty, ticks = cmd
                p = int(ex.quote(sym).price)  # type: ignore[arg-type]
                tick = ex.instrument(sym).tick_of(p)  # type: ignore[arg-type]
                ex.place_order(ACCTS[ai], sym, side, otype, qty,  # type: ignore[index, arg-type]
                               Decimal(p + tick * ticks))  # type: ignore[operator]
            elif cmd[0] == "cancel":
                _, ai, k = cmd
                opens = ex.open_orders(ACCTS[ai])  # type: ignore[index]
                if opens:
                    ex.cancel_order(ACCTS[ai], opens[k % len(opens)].odno)  # type: ignore[index, operator]
            else:
                for _ in range(3):
                    ex.advance(timedelta(milliseconds=cmd[1]))  # type: ignore[arg-type]
        except EngineReject:
            pass
        problems = check_invariants(ex)
        assert not problems, (cmd, problems)
    # every share a user holds came from the grant or the user's own fills
    for key in ACCTS:
        bal = ex.balance(key)
        fills = ex.fill_history(key, DAY.date(), DAY.date())
        for s in LIQUID[:3]:
            signed = sum(f.qty if f.side is Side.BUY else -f.qty for f in fills if f.symbol == s)
            held = sum(p.qty for p in bal.positions if p.symbol == s)
            assert held == 100_000 + signed


def test_participants_trade_the_off_hours_sessions_at_their_prices() -> None:
    """Post-market (15:40–16:00) at the close; after-hours single price (16:00–18:00) in
    10-minute auctions within ±10 % of the close."""
    ex = make_exchange(at=DAY.replace(hour=15, minute=35), activity=1)
    sym = "005930"
    ex.quote(sym)
    close = ex.quote(sym).price
    ex.advance_to(DAY.replace(hour=15, minute=59, second=30))
    post = [t for t in ex.trades(sym, 10_000) if t.time >= DAY.replace(hour=15, minute=40)]
    assert len(post) >= 5
    assert {t.price for t in post} == {close}
    ex.advance_to(DAY.replace(hour=16, minute=59, second=59))
    after = [t for t in ex.trades(sym, 10_000) if t.time > DAY.replace(hour=16)]
    auctions = {t.time for t in after}
    assert auctions and all(t.minute % 10 == 0 and t.second == 0 for t in auctions)
    lo, hi = close * Decimal("0.9"), close * Decimal("1.1")
    assert all(lo <= t.price <= hi for t in after)
    assert not check_invariants(ex)


@pytest.mark.parametrize("snapshot_mid_way", [False, True])
def test_a_restart_rebuilds_the_live_market_and_the_fills_it_gave_users(
    tmp_path: Path, snapshot_mid_way: bool,
) -> None:
    """Participants fill users' orders between commands, prompted by *reads* (a quote makes a
    symbol live; a long gap skips ticks): the journal carries both, so replay agrees."""
    from hantoo.sim.engine import ExchangeConfig, SessionClock
    from hantoo.sim.store import open_exchange

    path = tmp_path / "sim.db"
    cfg = ExchangeConfig(seed=9, clock=SessionClock(start=TEN_AM), activity=1)
    ex = open_exchange(path, cfg, snapshot_every=1_000)
    ex.open_account(*ACCT, krw=10**10)
    sym = "000660"
    bid = ex.order_book(sym).bids[0].price  # this read makes the symbol live
    o1 = ex.place_order(ACCT, sym, Side.BUY, OrderType.LIMIT, 30, bid)
    for _ in range(40):  # reads only: the participants trade (and may fill o1)
        ex.advance(timedelta(milliseconds=500))
        ex.quote(sym)
    if snapshot_mid_way:
        ex.checkpoint()
    ex.advance(timedelta(seconds=90))
    ex.quote(sym)  # a long gap: the participants skip most of it
    low = ex.order_book(sym).bids[0].price
    o2 = ex.place_order(ACCT, sym, Side.BUY, OrderType.LIMIT, 20, low)
    for _ in range(20):
        ex.advance(timedelta(milliseconds=500))
        ex.quote(sym)
    o3 = ex.place_order(ACCT, sym, Side.SELL, OrderType.MARKET, 1) if ex.sellable_qty(
        ACCT, sym) else None
    assert ex.order(ACCT, o1.odno).filled_qty > 0  # the participants did fill a user order

    def state(e: Exchange) -> object:
        return (
            [e.order(ACCT, o.odno) for o in (o1, o2, o3) if o is not None],
            e.fill_history(ACCT, DAY.date(), DAY.date()), e.balance(ACCT),
            [(t.time, t.price, t.qty) for t in e.trades(sym, 100_000)],
        )

    before = state(ex)
    ex2 = open_exchange(path, cfg)  # as after a crash: the first object is abandoned
    assert state(ex2) == before
    assert not check_invariants(ex2)
