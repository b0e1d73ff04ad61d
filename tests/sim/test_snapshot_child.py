"""The background snapshot child and the parent: the GC is frozen only while the child shares the
heap, a finished child is collected by the command path, and what it archived reads back."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from hantoo.sim import store
from hantoo.sim.durable import JournaledExchange
from hantoo.sim.engine import ExchangeConfig, OrderStatus, OrderType, SessionClock, Side
from hantoo.sim.store import open_exchange

from ._util import ACCT, DAY

SYM = "005930"


@pytest.fixture
def held_child(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The write end of a pipe the snapshot child waits on before writing anything."""
    read_end, write_end = os.pipe()
    monkeypatch.setattr(store, "_child_hook", lambda: os.read(read_end, 1))
    yield write_end  # the test writes to it and closes it
    os.close(read_end)


def _exchange(path: Path) -> JournaledExchange:
    ex = open_exchange(path, ExchangeConfig(seed=5, clock=SessionClock(start=DAY)))
    ex.open_account(*ACCT, krw=Decimal(10**11))
    return ex


def _cancelled_orders(ex: JournaledExchange, n: int) -> list[str]:
    """``n`` resting buys, each cancelled: finished orders a snapshot moves to the archive."""
    price = ex.order_book(SYM).bids[-1].price
    out = []
    for _ in range(n):
        info = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 1, price)
        ex.cancel_order(ACCT, info.odno)
        out.append(info.odno)
    return out


def test_gc_frozen_only_while_the_child_runs(tmp_path: Path, held_child: int) -> None:
    ex = _exchange(tmp_path / "sim.db")
    gone = _cancelled_orders(ex, 5)
    checkpointer = ex._j_checkpointer
    assert isinstance(checkpointer, store.StateStore)
    store._gc_release(0)  # children of stores earlier tests abandoned have exited: thawed
    assert gc.get_freeze_count() == 0
    assert checkpointer.checkpoint(ex, background=True)  # forks; the child waits on the pipe
    try:
        # the objects the child shares are out of the parent's collections meanwhile
        assert gc.get_freeze_count() > 0
        assert gone[0] not in {str(o.odno) for o in ex.orders.values()}  # archived (pending)
        assert ex.order(ACCT, gone[0]).status is OrderStatus.CANCELLED
        checkpointer.poll()  # still running: nothing collected, still frozen
        assert checkpointer._child and gc.get_freeze_count() > 0
    finally:
        os.write(held_child, b"go")
        os.close(held_child)
    os.waitid(os.P_PID, checkpointer._child, os.WEXITED | os.WNOWAIT)  # finished, not reaped
    # the command path collects it within 1,024 commands, and the GC thaws
    _cancelled_orders(ex, 512)
    assert checkpointer._child == 0
    assert gc.get_freeze_count() == 0
    assert checkpointer._pending is None  # the archive now answers from the file
    assert ex.order(ACCT, gone[0]).status is OrderStatus.CANCELLED
    history = ex.order_history(ACCT, DAY.date(), DAY.date())
    assert set(gone) <= {o.odno for o in history}  # read back from the archive table
    checkpointer.close()


def test_an_application_freeze_is_left_alone(tmp_path: Path, held_child: int) -> None:
    ex = _exchange(tmp_path / "sim.db")
    _cancelled_orders(ex, 2)
    checkpointer = ex._j_checkpointer
    assert isinstance(checkpointer, store.StateStore)
    gc.freeze()  # the application's own (e.g. a pre-forking server after its imports)
    try:
        assert checkpointer.checkpoint(ex, background=True)
        os.write(held_child, b"go")
        os.close(held_child)
        checkpointer.wait()
        assert gc.get_freeze_count() > 0  # not unfrozen behind the application's back
    finally:
        gc.unfreeze()
    checkpointer.close()


def test_a_store_abandoned_with_its_child_thaws_the_gc(tmp_path: Path, held_child: int) -> None:
    """A process that drops an exchange whose snapshot child runs (a test's simulated crash)
    must not keep the GC frozen for good: the next store's snapshot thaws it."""
    first = _exchange(tmp_path / "a.db")
    _cancelled_orders(first, 2)
    dropped = first._j_checkpointer
    assert isinstance(dropped, store.StateStore)
    assert dropped.checkpoint(first, background=True)
    abandoned = dropped._child
    os.write(held_child, b"go")
    os.close(held_child)
    os.waitid(os.P_PID, abandoned, os.WEXITED | os.WNOWAIT)  # exited; its store never reaps
    assert gc.get_freeze_count() > 0
    second = _exchange(tmp_path / "b.db")
    _cancelled_orders(second, 2)
    checkpointer = second._j_checkpointer
    assert isinstance(checkpointer, store.StateStore)
    assert checkpointer.checkpoint(second, background=True)
    checkpointer.wait()
    assert gc.get_freeze_count() == 0
    os.waitpid(abandoned, 0)
    checkpointer.close()
