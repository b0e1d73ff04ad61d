"""The command journal: what is on disk, when, and what a restart makes of it."""

from __future__ import annotations

import asyncio
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from hantoo.sim.engine import (
    EngineReject,
    ExchangeConfig,
    OrderType,
    RejectReason,
    SessionClock,
    Side,
)
from hantoo.sim.journal import read_journal
from hantoo.sim.store import StateFileError, journal_path, open_exchange

from ._util import ACCT, ACCT2, DAY, assert_ok

SYM = "005930"


def _cfg() -> ExchangeConfig:
    return ExchangeConfig(seed=11, clock=SessionClock(start=DAY))


def _files(path: Path) -> list[Path]:
    return [p for p in (path, journal_path(path), path.with_name(path.name + "-wal"))
            if p.exists()]


def _trade_a_little(ex: object, n: int) -> list[tuple[tuple[str, str], str]]:
    from hantoo.sim.engine import Exchange

    assert isinstance(ex, Exchange)
    acked: list[tuple[tuple[str, str], str]] = []
    for i in range(n):
        book = ex.order_book(SYM)
        who = ACCT2 if i % 3 == 1 else ACCT
        if i % 3 == 0:
            o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 1 + i % 5, book.bids[-1].price)
        elif i % 3 == 1:
            o = ex.place_order(ACCT2, SYM, Side.BUY, OrderType.MARKET, 1 + i % 7)
        else:
            opens = ex.open_orders(ACCT)
            o = ex.cancel_order(ACCT, opens[0].odno) if opens else \
                ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 2)
        acked.append((who, o.odno))
        if i % 4 == 3:
            ex.advance(7)
    return acked


def _view(ex: object) -> tuple[object, ...]:
    from hantoo.sim.engine import Exchange

    assert isinstance(ex, Exchange)
    d = DAY.date()
    return (ex.balance(ACCT), ex.balance(ACCT2), ex.open_orders(ACCT),
            ex.fill_history(ACCT, d, d), ex.fill_history(ACCT2, d, d),
            ex.order_history(ACCT2, d, d), ex.now())


def test_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    ex = open_exchange(path, _cfg())
    ex.open_account(*ACCT, krw=Decimal(10**9))
    ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 1)
    files = _files(path)
    assert journal_path(path) in files and path in files
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_reads_write_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    ex = open_exchange(path, _cfg())
    ex.open_account(*ACCT, krw=Decimal(10**9))
    ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 3)
    before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in _files(path)}
    j = ex.journal
    assert j is not None
    syncs = j.syncs
    for _ in range(20):
        ex.quote(SYM)
        ex.order_book(SYM)
        ex.balance(ACCT)
        ex.daily_candles(SYM, DAY.date().replace(month=1), DAY.date())
        ex.sync()
    with pytest.raises(EngineReject):
        ex.place_order(ACCT, SYM, Side.SELL, OrderType.MARKET, 10**6)  # rejected: not journaled
    assert {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in _files(path)} == before
    assert j.syncs == syncs


def test_restart_replays_the_journal_after_the_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    ex = open_exchange(path, _cfg(), snapshot_every=10, background_snapshots=False)
    ex.open_account(*ACCT, krw=Decimal(10**10))
    ex.open_account(*ACCT2, krw=Decimal(10**10))
    acked = _trade_a_little(ex, 33)
    # snapshots every 10 commands keep the journal short (written before each command returns)
    assert len(read_journal(journal_path(path))) < 10
    before = _view(ex)
    ex2 = open_exchange(path, snapshot_every=10)
    assert _view(ex2) == before
    assert_ok(ex2)
    # the snapshot leaves out intraday paths; the reloaded ones are the engine's own
    assert ex2._states[SYM].path == ex._states[SYM].path
    assert ex2._states[SYM].vols == ex._states[SYM].vols
    assert ex2.quote(SYM) == ex.quote(SYM)
    # finished orders left the hot state at the snapshots, yet every one still answers
    assert len(ex2.orders) < len(acked)
    for who, odno in acked:
        assert ex2.order(who, odno).odno == odno
    filled = next(odno for who, odno in acked if who == ACCT2)
    with pytest.raises(EngineReject) as rej:  # an archived order is "not open", as before
        ex2.cancel_order(ACCT2, filled)
    assert rej.value.reason is RejectReason.ORDER_NOT_OPEN
    # and it goes on working, numbering after the last acknowledged order
    nxt = ex2.place_order(ACCT2, SYM, Side.BUY, OrderType.MARKET, 1)
    assert int(nxt.odno) > max(int(o) for _, o in acked)


def test_torn_last_write_is_dropped_and_damage_before_the_end_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.db"
    ex = open_exchange(path, _cfg())
    ex.open_account(*ACCT, krw=Decimal(10**10))
    ex.open_account(*ACCT2, krw=Decimal(10**10))
    _trade_a_little(ex, 6)
    before = _view(ex)
    jp = journal_path(path)
    good = jp.read_bytes()
    with jp.open("ab") as f:
        f.write(b'0badc0de [99,1,"ord",')  # a crash in the middle of a write
    assert _view(open_exchange(path)) == before
    assert jp.read_bytes() == good  # cut off before anything new is appended
    lines = good.splitlines(keepends=True)
    assert lines[0].startswith(b"[") and lines[-1].startswith(b"#")  # groups, checksum last
    lines[0] = lines[0].replace(b'"', b"'", 1)  # the first group damaged, good ones after it
    jp.write_bytes(b"".join(lines))
    with pytest.raises(StateFileError, match=r"s\.db\.commands"):
        open_exchange(path)


def test_unreadable_state_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just some text\n" * 100)
    with pytest.raises(StateFileError) as err:
        open_exchange(path, _cfg())
    assert str(path) in str(err.value)
    assert "Move the file away" in str(err.value)
    missing = tmp_path / "no-such-dir" / "s.db"
    with pytest.raises(StateFileError, match="does not exist"):
        open_exchange(missing, _cfg())


def test_concurrent_commands_share_syncs(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    ex = open_exchange(path, _cfg())
    ex.open_account(*ACCT, krw=Decimal(10**10))
    j = ex.journal
    assert j is not None
    j.autosync = False  # as in the server: each request awaits the group commit
    syncs = j.syncs
    n = 40

    async def request(i: int) -> str:
        await asyncio.sleep(0)
        o = ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 1 + i % 3)
        seq = j.appended  # this command's record, appended just now
        await ex.durable()
        assert j.synced >= seq  # on disk before the answer
        return o.odno

    async def main() -> list[str]:
        return await asyncio.gather(*(request(i) for i in range(n)))

    acked = asyncio.run(main())
    used = j.syncs - syncs
    assert 1 <= used < n // 4, used
    assert j.synced == j.appended
    restarted = open_exchange(path)
    for odno in acked:
        assert restarted.order(ACCT, odno).qty >= 1


def test_background_snapshots_lose_nothing_and_answer_archived_orders(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    ex = open_exchange(path, _cfg(), snapshot_every=10)  # periodic snapshots in a child process
    ex.open_account(*ACCT, krw=Decimal(10**10))
    ex.open_account(*ACCT2, krw=Decimal(10**10))
    acked = _trade_a_little(ex, 45)
    d = DAY.date()
    # finished orders left the hot state; whether or not the child has committed yet, every
    # acknowledged order answers, once in the history
    assert len(ex.orders) < len(acked)
    for who, odno in acked:
        assert ex.order(who, odno).odno == odno
    history = [o.odno for o in ex.order_history(ACCT2, d, d)]
    assert len(history) == len(set(history))
    assert {odno for who, odno in acked if who == ACCT2} <= set(history)
    before = _view(ex)
    ex.wait_snapshot()
    assert _view(ex) == before  # the same answers once the state file holds the archive
    assert not path.with_name(path.name + ".commands.prev").exists()
    _trade_a_little(ex, 12)
    before = _view(ex)
    # a restart (as after a crash: the first exchange is not used again) while a snapshot may
    # still be in the making: the last snapshot + the moved-aside journal + the current one
    restarted = open_exchange(path, snapshot_every=10)
    assert _view(restarted) == before
    assert_ok(restarted)
    ex.wait_snapshot()


def test_a_moved_aside_journal_is_replayed_and_private(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    ex = open_exchange(path, _cfg())
    ex.open_account(*ACCT, krw=Decimal(10**10))
    ex.open_account(*ACCT2, krw=Decimal(10**10))
    _trade_a_little(ex, 8)
    j = ex.journal
    assert j is not None
    # as a background snapshot does before forking; here no snapshot follows (a crash)
    prev = path.with_name(path.name + ".commands.prev")
    j.rotate(prev)
    _trade_a_little(ex, 7)
    for p in (prev, journal_path(path)):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
        assert read_journal(p)
    before = _view(ex)
    restarted = open_exchange(path)
    assert _view(restarted) == before
    assert not prev.exists()  # folded into a new snapshot on open
    assert_ok(restarted)
