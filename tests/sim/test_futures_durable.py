"""Overseas futures orders and positions survive a restart, from the journal and from a snapshot.

The futures book's fills are a function of seed and time, so its commands (journaled as
``ofut_*``) replayed at their instants must rebuild the same orders, fills, positions and cash,
and the cash must not count a fill's P&L or fee twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hantoo.sim.durable import JournaledExchange
from hantoo.sim.engine import KST, ExchangeConfig, SessionClock
from hantoo.sim.engine.futures_book import BUY, LIMIT, MARKET, SELL, STOP, STOP_LIMIT, book_of
from hantoo.sim.journal import read_journal
from hantoo.sim.store import StateStore, journal_path, open_exchange

#: 00:30 KST on Tuesday 2026-11-24 is 09:30 on Monday in Chicago: CME's regular session.
START = datetime(2026, 11, 24, 0, 30, tzinfo=KST)
ACCT = ("50123456", "01")
CODE = "ESZ26"


def _cfg() -> ExchangeConfig:
    return ExchangeConfig(seed=7, clock=SessionClock("stepped", start=START))


def _view(ex: JournaledExchange) -> tuple[Any, ...]:
    """Everything an account sees of its futures, at the exchange's instant."""
    book = book_of(ex)
    now = ex.now()
    orders = [(o.odno, o.code, o.side, o.qty, o.kind, o.limit, o.status, o.filled, o.fill_ticks,
               o.fill_time, o.orgn_odno) for o in book.orders_between(ACCT, now.date() - timedelta(
                   days=3), now.date() + timedelta(days=3), now)]
    fills = [(f.ccno, f.odno, f.qty, f.ticks, f.time, f.fee, f.realized) for f in book.fills]
    positions = [(c, p.qty, p.avg_ticks()) for c, p in book.open_positions(ACCT)]
    view = book.view(ACCT, "USD", now)
    return (orders, fills, positions, view.cash, view.realized_today, view.fees_today,
            view.margin, view.orderable, dict(book.owed), ex.balance(ACCT).summary)


def _trade(ex: JournaledExchange) -> tuple[str, str]:
    """A fill that opens, one that closes part, a resting limit modified, one cancelled, and
    a resting order that fills when a later read reaches its minute; returns the open odno."""
    book = book_of(ex)
    now = ex.now()
    last = book.last_ticks(CODE, now)
    tick = book.spec(CODE)[0].tick
    book.place(ACCT, CODE, BUY, 3, MARKET, None, "2", now)
    ex.advance(90)
    book.place(ACCT, CODE, SELL, 1, MARKET, None, "2", ex.now())
    far = book.place(ACCT, CODE, BUY, 2, LIMIT, (last - 400) * tick, "6", ex.now())
    moved = book.modify(ACCT, far.odno, (last - 399) * tick, ex.now())
    gone = book.place(ACCT, CODE, SELL, 1, LIMIT, (last + 400) * tick, "6", ex.now())
    book.cancel(ACCT, gone.odno, ex.now())
    # a sell limit just above the book: it rests, then fills at the first minute reaching it
    now = ex.now()
    near = book.place(ACCT, CODE, SELL, 1, LIMIT, (book.last_ticks(CODE, now) + 2) * tick, "6",
                      now)
    for _ in range(240):
        ex.advance(60)
        book.sync(ex.now())  # a read
        if book.orders[near.odno].status == "filled":
            break
    assert book.orders[near.odno].status == "filled", "the test needs a resting order to fill"
    return moved.odno, near.odno


def test_futures_survive_a_restart_from_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    ex = open_exchange(path, _cfg())
    ex.open_account(*ACCT, usd=Decimal(100_000))
    resting, read_fill = _trade(ex)
    before = _view(ex)
    ops = [r[2] for r in read_journal(journal_path(path))]
    assert ops.count("ofut_ord") == 5 and ops.count("ofut_mod") == 1
    assert ops.count("ofut_cxl") == 1 and ops.count("ofut_sync") == 1
    assert "dep" not in ops  # fills' cash is replayed by the futures records, never twice
    ex.flush()
    del ex

    again = open_exchange(path, _cfg())
    assert _view(again) == before
    book = book_of(again)
    assert book.orders[resting].status == "open" and book.orders[read_fill].status == "filled"
    assert book.open_positions(ACCT)[0][1].qty == 1  # 3 bought, 1 sold, 1 sold by the resting
    assert before[3] != Decimal(100_000)  # the cash carries the realized P&L and the fees


def test_futures_survive_a_snapshot_and_trade_on(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    ex = open_exchange(path, _cfg())
    ex.open_account(*ACCT, usd=Decimal(100_000))
    resting, _ = _trade(ex)
    ex.checkpoint()  # the journal is emptied: the book must be in the snapshot
    assert read_journal(journal_path(path)) == []
    before = _view(ex)
    del ex

    again = open_exchange(path, _cfg())
    assert _view(again) == before
    book = book_of(again)
    book.cancel(ACCT, resting, again.now())  # the restored book takes commands and journals them
    book.place(ACCT, CODE, SELL, 1, MARKET, None, "2", again.now())
    after = _view(again)
    assert after[2] == []  # flat
    again.flush()
    del again

    third = open_exchange(path, _cfg())
    assert _view(third) == after


def test_stop_orders_and_their_modification_replay_from_the_journal(tmp_path: Path) -> None:
    """A buy stop (moved once) that triggers and fills, a GTD sell stop-limit left waiting:
    the journal's ``ofut_ord``/``ofut_mod`` records carry the stop prices, so the restart
    rebuilds the same orders, trigger, fill and cash."""
    path = tmp_path / "s.db"
    ex = open_exchange(path, _cfg())
    ex.open_account(*ACCT, usd=Decimal(100_000))
    book = book_of(ex)
    now = ex.now()
    tick = book.spec(CODE)[0].tick
    last = book.last_ticks(CODE, now)
    path_ahead = [book.last_ticks(CODE, now + timedelta(minutes=m)) for m in range(1, 240)]
    high, low = max(path_ahead), min(path_ahead)
    assert high > last + 2, "the test needs the price to rise"
    stop = book.place(ACCT, CODE, BUY, 1, STOP, None, "6", now, (high + 50) * tick)
    moved = book.modify(ACCT, stop.odno, None, now, (last + 2) * tick)
    waiting = book.place(ACCT, CODE, SELL, 1, STOP_LIMIT, (low - 60) * tick, "5", now,
                         (low - 50) * tick)
    ex.advance(240 * 60)
    book.sync(ex.now())
    assert book.orders[moved.odno].status == "filled"
    assert book.orders[waiting.odno].status == "open" and book.orders[waiting.odno].waiting
    before = _view(ex)
    stops = [(o.odno, o.stop, o.triggered, o.good_till) for o in book.orders.values()]
    ex.flush()
    del ex

    again = open_exchange(path, _cfg())
    assert _view(again) == before
    assert [(o.odno, o.stop, o.triggered, o.good_till)
            for o in book_of(again).orders.values()] == stops


def _history(ex: JournaledExchange) -> tuple[Any, ...]:
    """Every order and fill of the account over the last week, as the order APIs list them."""
    book = book_of(ex)
    now = ex.now()
    start, end = now.date() - timedelta(days=7), now.date() + timedelta(days=1)
    orders = [(o.odno, o.code, o.side, o.qty, o.kind, o.limit, o.status, o.filled, o.fill_ticks,
               o.fill_time, o.orgn_odno, o.session_day)
              for o in book.orders_between(ACCT, start, end, now)]
    fills = [(f.ccno, f.odno, f.qty, f.ticks, f.time, f.fee, f.realized)
             for f in book.fills_between(ACCT, start, end, now)]
    return orders, fills


def test_finished_futures_orders_leave_memory_and_are_still_answered(tmp_path: Path) -> None:
    """Monday's finished orders go to the archive at the next snapshot once Tuesday's session
    is the current one; the order and fill lists answer the same, before and after a restart,
    and fill numbers go on where they were."""
    from hantoo.sim.futures_archive import archive_futures

    path = tmp_path / "s.db"
    ex = open_exchange(path, _cfg())
    ex.open_account(*ACCT, usd=Decimal(100_000))
    _trade(ex)  # Monday (Chicago): fills, a cancel, a modify, a resting order
    book = book_of(ex)
    ex.advance_to(START + timedelta(days=1, minutes=5))  # Tuesday 09:35 in Chicago
    before = _history(ex)
    finished = {o.odno for o in book.orders.values() if o.status != "open"}
    assert len(finished) >= 6 and len(before[1]) >= 3
    ex.checkpoint()
    assert not finished & set(book.orders), "finished orders left memory"
    assert book.fills == []
    assert _history(ex) == before
    again_book = book
    sell = again_book.place(ACCT, CODE, SELL, 1, MARKET, None, "2", ex.now())
    (new_fill,) = [f for f in again_book.fills if f.odno == sell.odno]
    assert int(new_fill.ccno) == len(before[1]) + 1  # numbering goes on past the archive
    after = _history(ex)
    ex.flush()
    del ex, book, again_book

    again = open_exchange(path, _cfg())
    assert _history(again) == after
    # archived rows written again without a snapshot (a crash between the two): no doubles
    store = again._j_archive
    assert isinstance(store, StateStore)
    archive_futures(store.db, again, again.now())
    assert _history(again) == after
