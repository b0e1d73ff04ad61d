"""A state file written by an earlier release restores: upgrading loses no account.

The fixture is made the way the earlier release made it: the store's own writer snapshots an
engine whose day states carry the earlier layout of ``SymbolState.flows`` (10 entries: traded
quantity bought/sold by investor type, both venues together), then commands go on into the
journal after that snapshot.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hantoo.sim.engine import ExchangeConfig, OrderType, SessionClock, Side
from hantoo.sim.engine.market import FLOW_SLOTS
from hantoo.sim.engine.types import Investor
from hantoo.sim.store import StateFileError, open_exchange

from ._util import ACCT, ACCT2, DAY, assert_ok

SYM = "005930"


def _cfg() -> ExchangeConfig:
    return ExchangeConfig(seed=3, clock=SessionClock(start=DAY))


def _old_layout(flows: list[int]) -> list[int]:
    """The earlier release's 10 entries: quantity only, KRX and NXT together."""
    return [flows[i] + flows[20 + i] for i in range(10)]


def _write_old_state(path: Path, slots: int = 10) -> tuple[object, dict[str, list[int]]]:
    ex = open_exchange(path, _cfg())
    ex.open_account(*ACCT, krw=Decimal(10**10))
    ex.open_account(*ACCT2, krw=Decimal(10**10))
    ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 100)
    ex.place_order(ACCT2, "000660", Side.BUY, OrderType.MARKET, 7)
    ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 10, ex.order_book(SYM).bids[-1].price)
    ex.advance(60)
    old, current = {}, {}
    for code, st in ex._states.items():
        current[code] = st.flows
        st.flows = old[code] = _old_layout(st.flows)[:slots]
    ex.checkpoint()  # the snapshot in the earlier layout
    for code, st in ex._states.items():  # this process goes on in the current one
        st.flows = current[code]
    # commands after the snapshot: the journal replays them onto the upgraded states
    ex.place_order(ACCT2, SYM, Side.BUY, OrderType.MARKET, 3)
    ex.deposit(ACCT2, Decimal(5_000))
    ex.advance(30)
    view = (ex.balance(ACCT), ex.balance(ACCT2), ex.open_orders(ACCT),
            ex.fill_history(ACCT2, DAY.date(), DAY.date()), ex.quote(SYM).price)
    return view, old


def test_an_earlier_release_snapshot_and_journal_restore(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    before, old = _write_old_state(path)
    assert len(old[SYM]) == 10 and sum(old[SYM][:5]) >= 100  # the fixture is the old layout
    ex = open_exchange(path)  # the earlier process is abandoned, as after an upgrade
    after = (ex.balance(ACCT), ex.balance(ACCT2), ex.open_orders(ACCT),
             ex.fill_history(ACCT2, DAY.date(), DAY.date()), ex.quote(SYM).price)
    assert after == before
    assert_ok(ex)

    st = ex._states[SYM]
    assert len(st.flows) == FLOW_SLOTS
    day, by_type = ex.investor_trades(SYM)
    assert day == DAY.date()
    # the old quantities are kept; the replayed order (3 shares) is booked on top of them
    assert sum(b for b, _s, _bv, _sv in by_type.values()) == sum(old[SYM][:5]) + 3
    assert sum(s for _b, s, _bv, _sv in by_type.values()) == sum(old[SYM][5:]) + 3
    # the values are balanced: every won bought was sold
    assert (sum(bv for _b, _s, bv, _sv in by_type.values())
            == sum(sv for _b, _s, _bv, sv in by_type.values()) > 0)
    assert by_type[Investor.INDIVIDUAL][0] >= 103  # both users buy as individuals

    # the upgraded state trades on, and its next snapshot is in the current layout
    ex.place_order(ACCT, SYM, Side.SELL, OrderType.MARKET, 50)
    ex.checkpoint()
    ex2 = open_exchange(path)
    assert ex2.balance(ACCT) == ex.balance(ACCT)
    assert ex2._states[SYM].flows == ex._states[SYM].flows
    assert_ok(ex2)


def test_a_layout_this_release_cannot_read_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "odd.db"
    _write_old_state(path, slots=7)
    with pytest.raises(StateFileError) as err:
        open_exchange(path)
    msg = str(err.value)
    assert str(path) in msg and "7 investor-flow slots" in msg and "Move the file away" in msg
