"""The packed trade tape behaves as the list of trades it replaces, and survives snapshots."""

from __future__ import annotations

import pickle
import random

import pytest

from hantoo.sim.engine import OrderType, Side
from hantoo.sim.engine.tape import Tape

from ._util import ACCT, make_exchange


def test_tape_is_the_list_it_replaces() -> None:
    rng = random.Random(4)
    trades = [(1_773_100_800_000_000 + i * 917, rng.randint(1, 10**7), rng.randint(1, 10**9),
               rng.choice((0, 1, 2))) for i in range(500)]
    tape = Tape()
    for t in trades:
        tape.append(t)
    assert list(tape) == trades and len(tape) == len(trades) and tape == trades
    assert tape[0] == trades[0] and tape[-1] == trades[-1] and tape[-500] == trades[0]
    with pytest.raises(IndexError):
        tape[500]
    with pytest.raises(IndexError):
        tape[-501]
    assert pickle.loads(pickle.dumps(tape)) == tape
    assert not Tape() and Tape() == []


def test_engine_trades_come_from_the_tape() -> None:
    ex = make_exchange()
    for q in (3, 5, 7):
        ex.place_order(ACCT, "005930", Side.BUY, OrderType.MARKET, q)
    st = ex._states["005930"]
    assert isinstance(st.extra, Tape)
    assert sum(t[2] for t in st.extra) == 15  # every share of the three market buys
    newest = ex.trades("005930", limit=1)[0]
    assert (newest.qty, int(newest.price)) == (st.extra[-1][2], st.extra[-1][1])
