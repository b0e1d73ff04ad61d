"""Durable simulator state: a command journal plus periodic snapshots (event sourcing).

Why it is shaped like this: the engine is a deterministic state machine under its seed and its
clock. What must survive a crash is therefore only the *commands* users sent and the instant
each ran at; everything the market did by itself follows from the seed and the time.

Files (``PATH`` is the state file the user names, e.g. ``sim-state.sqlite3``; all created 0600):

``PATH``
    SQLite (WAL, ``synchronous=FULL``). ``meta`` (schema ``2``, seed, anchor date, clock mode
    and speed) and ``snapshots`` — the latest snapshot: the engine's live state pickled with
    instruments referenced by code, tagged with the sequence number of the last journal record
    it includes. Unpickling accepts only the engine's own classes and plain value types.
    Instruments are stored by code and each symbol's intraday path is left out (both come back
    from the configuration and the seed). ``archived_orders`` / ``archived_fills``: finished
    orders and their fills, one JSON document each (a positional array,
    :mod:`hantoo.sim.archive_docs`; older files' keyed objects are read too), moved out of the
    hot state by each snapshot in the same transaction; order and fill queries read them back,
    so memory does not grow with the order history. ``archived_deriv_orders`` /
    ``archived_deriv_fills``: the same for futures/options
    (:mod:`hantoo.sim.derivatives.archive`; their own order numbering).
``PATH.commands``
    The append-only command journal (format in :mod:`hantoo.sim.journal`, ops in
    :mod:`hantoo.sim.durable`): one checksummed line per *successful* user command.
``PATH.commands.prev``
    Present only while a background snapshot is being written (or after a crash during one):
    the journal records up to that snapshot, moved aside; deleted once the snapshot commits.

**Durability rule.** A command is acknowledged only after its journal record, and every record
before it, is on disk (``fdatasync``). In-process, each command syncs before it returns. In the
server, the request awaits the group commit that covers its record, so concurrent commands share
one sync. Reads, clock syncs and rejected commands write nothing. A ``kill -9`` can lose only
commands that were never acknowledged (a torn last line is dropped on open).

**Restart** = load the latest snapshot, replay the journal records after it (``.prev`` first,
then ``.commands``) at their recorded instants, then move the clock to the last one. Every
``snapshot_every`` commands (and after a long replay) a new snapshot is written in one SQLite
transaction and the journal records it covers are dropped, so restart time stays bounded. A
crash between the two is harmless: records already in the snapshot are skipped by sequence
number.

**Snapshots off the command path.** Pickling thousands of symbol states takes seconds, which
on the server's event loop would be a pause for every request. The periodic snapshot therefore
moves the journal aside and forks: the child sees the engine exactly as of that record
(copy-on-write), pickles it and commits it with its own SQLite connection, then exits; the
parent goes on at once and collects the child later (the orders it archives are answered from
memory meanwhile). Explicit :meth:`JournaledExchange.checkpoint` calls and platforms without
``fork`` write the snapshot before returning.

A state file written before the journal existed (schema ``1``, one JSON row per entity) is
migrated on open (:mod:`hantoo.sim.store_v1`). A file that is not a simulator state, or whose
snapshot or journal is damaged, is refused with :class:`StateFileError` naming the file.
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import io
import json
import logging
import os
import pickle
import signal
import sqlite3
import time
import warnings
from array import array
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from .archive_docs import fill_data, fill_from, order_data, order_from
from .derivatives import archive as deriv_archive
from .durable import JournaledExchange, ReplayClock, apply_record
from .engine.clock import ClockMode, SessionClock, from_us
from .engine.config import ExchangeConfig
from .engine.exchange import Exchange
from .engine.market import SymbolState, upgrade_day_values
from .engine.matching import Fill
from .engine.orders import Order
from .engine.synthetic import intraday_path
from .engine.tape import Tape
from .engine.types import EngineReject
from .engine.universe import Instrument, Universe
from .journal import CommandJournal, JournalCorrupt, read_journal

__all__ = ["SCHEMA_VERSION", "SNAPSHOT_EVERY", "StateFileError", "StateStore", "open_exchange"]

SCHEMA_VERSION = "2"
SNAPSHOT_EVERY = 20_000
"""Journal records between snapshots: bounds replay on restart to well under a second."""
_log = logging.getLogger("hantoo.sim")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (
    seq INTEGER PRIMARY KEY, taken_us INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS archived_orders (
    odno INTEGER PRIMARY KEY, cano TEXT NOT NULL, prdt TEXT NOT NULL, day TEXT NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS archived_orders_by_account ON archived_orders (cano, prdt, day);
CREATE TABLE IF NOT EXISTS archived_fills (
    fill_id INTEGER PRIMARY KEY, odno INTEGER NOT NULL, cano TEXT NOT NULL, prdt TEXT NOT NULL,
    day TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS archived_fills_by_account ON archived_fills (cano, prdt, day);
"""

# Engine attributes rebuilt from the configuration (or caches), never snapshotted.
_NOT_SNAPSHOTTED = frozenset({
    "config", "clock", "universe", "calendar", "schedules", "fee_schedule", "_listeners",
    "_ev", "_store", "_tx", "_histories", "_w52", "_candles", "_quote_memo",
    "_futures_quotes",  # the overseas futures price model: seed and calendar
})
_SAFE_MODULES = ("builtins", "datetime", "decimal", "collections", "array", "fractions",
                 "copyreg", "_codecs", "enum",
                 "zoneinfo")  # overseas futures fill times are Chicago-local


class StateFileError(ValueError):
    """The state file cannot be used; the message names it and says what to do."""


def _refuse(path: Path, why: str) -> StateFileError:
    return StateFileError(
        f"{path}: {why}. Move the file away (or pass another --state path) to start afresh."
    )


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + ".commands")


def prev_journal_path(path: Path) -> Path:
    """The journal moved aside while a background snapshot is written (see ``checkpoint``)."""
    return path.with_name(path.name + ".commands.prev")


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=60)
    db.execute("PRAGMA synchronous=FULL")
    return db


def _iso(day: date, _cache: dict[date, str] = {}) -> str:  # noqa: B006 - the cache
    """``day.isoformat()``, kept: a snapshot archives thousands of records of a few days."""
    s = _cache.get(day)
    if s is None:
        if len(_cache) > 4096:
            _cache.clear()
        s = _cache[day] = day.isoformat()
    return s


def _write_snapshot(
    db: sqlite3.Connection, seq: int, now_us: int, blob: bytes, orders: list[Order],
    fills: list[Fill], meta: dict[str, str], deriv: deriv_archive.Pruned = ([], []),
) -> None:
    """One transaction: the archived orders and fills, the snapshot, the meta."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany(
            "INSERT OR REPLACE INTO archived_orders (odno, cano, prdt, day, data) "
            "VALUES (?, ?, ?, ?, ?)",
            [(o.odno, o.acct.cano, o.acct.prdt, _iso(o.day), order_data(o)) for o in orders])
        db.executemany(
            "INSERT OR REPLACE INTO archived_fills (fill_id, odno, cano, prdt, day, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(f.fill_id, f.order.odno, f.order.acct.cano, f.order.acct.prdt, _iso(f.day),
              fill_data(f)) for f in fills])
        deriv_archive.write(db, deriv)  # finished futures/options orders (issue 14)
        # A snapshot never replaces a newer one: the background child of a process that
        # crashed runs on and may commit after the restarted process's own snapshot.
        db.execute("DELETE FROM snapshots WHERE seq = ? AND taken_us <= ?", (seq, now_us))
        db.execute("INSERT OR IGNORE INTO snapshots (seq, taken_us, data) SELECT ?, ?, ? "
                   "WHERE NOT EXISTS (SELECT 1 FROM snapshots WHERE seq > ?)",
                   (seq, now_us, blob, seq))
        db.execute("DELETE FROM snapshots WHERE seq < ?", (seq,))
        db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                       list(meta.items()))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


_CAN_FORK = hasattr(os, "fork") and hasattr(os, "waitpid")
_child_hook: Callable[[], object] | None = None
"""Tests only: run by a background snapshot child before it writes (to hold it back and force
the interleavings a slow child meets on a loaded machine)."""
CHILD_TIMEOUT_S = 300.0
"""A background snapshot child running longer than this is taken to be stuck and killed."""


def _fork() -> int:
    # Python 3.12+ warns that forking a threaded process may deadlock the *child* when it
    # takes a lock another thread held: the child here takes none (no logging, no journal,
    # its own SQLite connection) and exits through os._exit.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def _child_setup() -> None:
    gc.disable()  # touching every object's header would copy the parent's pages for nothing
    with contextlib.suppress(OSError):  # background work: the engine's process goes first
        os.nice(10)
    with contextlib.suppress(ValueError):  # ValueError: forked from another thread than main
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C in a terminal: let the parent decide


# The parent's cyclic GC must leave the objects it shares with a snapshot child alone while the
# child runs: a full collection writes every tracked object's header, copying every page of the
# heap (thousands of faults on the engine's time). They are frozen (skipped by collections)
# from the fork until every child they were frozen for has exited; objects made meanwhile are
# collected as usual. Freezing is process-wide, so this bookkeeping is too: several stores, or a
# store abandoned with its child (a test's "crash"), thaw when their last child has exited.
_gc_children: set[int] = set()
"""Snapshot children the GC is frozen for."""
_gc_ours = False
"""The freeze is this module's (an application's own ``gc.freeze`` is never undone)."""


def _gc_hold(pid: int) -> None:
    """Freeze the GC for child ``pid`` (right after the fork: freezing touches no objects)."""
    global _gc_ours
    _gc_release(0)
    if not _gc_ours:
        if gc.get_freeze_count():
            return  # the application froze objects itself: leave the freeze to it
        _gc_ours = True
    gc.freeze()
    _gc_children.add(pid)


def _gc_release(pid: int) -> None:
    """Child ``pid`` was reaped; thaw once no child the GC is frozen for still runs."""
    global _gc_ours
    _gc_children.discard(pid)
    for other in list(_gc_children):  # children of abandoned stores: exited, never reaped?
        try:
            if _waitid is None or _waitid(os.P_PID, other, _EXITED_NOREAP) is None:
                continue
        except ChildProcessError:
            pass  # reaped by someone else
        _gc_children.discard(other)
    if _gc_ours and not _gc_children:
        _gc_ours = False
        gc.unfreeze()


_waitid = getattr(os, "waitid", None)  # not on every platform: then only reaped children thaw
_EXITED_NOREAP = getattr(os, "WEXITED", 0) | getattr(os, "WNOHANG", 0) | getattr(os, "WNOWAIT", 0)


def _create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite's -wal/-shm inherit it)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _check_dir(path: Path) -> None:
    parent = path.parent
    if not parent.is_dir():
        raise StateFileError(
            f"{path}: the directory {parent} does not exist; create it or choose another --state"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StateFileError(
            f"{path}: the directory {parent} is not writable; choose another --state"
        )


# ---- snapshots ----------------------------------------------------------------------------


_LOADING: ContextVar[Universe] = ContextVar("_LOADING")


def instrument_ref(code: str) -> Instrument:
    """An instrument of the universe being loaded (what a snapshot stores for one: its code)."""
    inst = _LOADING.get().get(code)
    if inst is None:
        raise pickle.UnpicklingError(f"instrument {code} is not in the loaded universe")
    return inst


def _reduce_instrument(inst: Instrument) -> tuple[Any, tuple[str]]:
    return instrument_ref, (inst.code,)


_PATHLESS: ContextVar[list[SymbolState]] = ContextVar("_PATHLESS")
_PATH_SLOTS = ("path", "vols")
_UNSET = object()


def symbol_state(values: dict[str, Any]) -> SymbolState:
    """A day state from a snapshot; its intraday path is recomputed after loading."""
    st = SymbolState.__new__(SymbolState)
    values = upgrade_day_values(values)  # a snapshot of an earlier release
    for k, v in values.items():
        setattr(st, k, v)
    st.path = st.vols = array("i")
    if isinstance(st.extra, list):  # a snapshot from before the packed tape
        st.extra = Tape(st.extra)
    _PATHLESS.get().append(st)
    return st


def _reduce_state(st: SymbolState) -> tuple[Any, tuple[dict[str, Any]]]:
    # The intraday path is most of a day state's size and a pure function of the seed, the
    # day's bar and the replay file: it is not stored.
    values = {k: getattr(st, k, _UNSET) for k in SymbolState.__slots__ if k not in _PATH_SLOTS}
    return symbol_state, ({k: v for k, v in values.items() if v is not _UNSET},)


def _restore_paths(ex: Exchange, states: list[SymbolState]) -> None:
    """Recompute the intraday path of each loaded day state, as the engine first made it."""
    rep = ex.config.replay
    for st in states:
        inst = st.inst
        sch = ex.schedules[inst.mk]
        bar, _base = ex._day_bar(inst, st.trade_day)
        path = None
        if rep is not None:
            path = rep.path(inst.code, st.trade_day, sch.continuous[0], sch.step_seconds,
                            st.steps, bar.open)
        model = getattr(inst, "model_path", None)  # an ELW (see Exchange._new_state)
        if path is None and model is not None:
            path = model(ex, st.trade_day, st.steps)
        if path is None:
            path = intraday_path(ex.seed, inst, st.trade_day, bar.open, bar.close, st.steps,
                                 st.lower, st.upper, bar.volume)
        st.path, st.vols = path


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("hantoo.sim.") or module in _SAFE_MODULES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a simulator snapshot")


def _reduce_deque(d: deque[Any]) -> tuple[Any, tuple[list[Any]]]:
    # deque's own reduce looks up slot names in Python for every deque (they cannot be cached
    # on a built-in type): a fifth of a snapshot's time with thousands of book levels
    return deque, (list(d),)


def _dump(ex: JournaledExchange) -> bytes:
    state = {k: v for k, v in vars(ex).items()
             if k not in _NOT_SNAPSHOTTED and not k.startswith("_j_")}
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    # instruments come from the universe the configuration loads: stored by code only
    pickler.dispatch_table = {**copyreg.dispatch_table, Instrument: _reduce_instrument,
                              SymbolState: _reduce_state, deque: _reduce_deque}
    pickler.dump(state)
    return buf.getvalue()


class StateStore:
    """The SQLite side of the state: meta and snapshots (the journal is beside it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        _check_dir(path)
        _create_private(path)
        try:
            self.db = _connect(path)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(_SCHEMA)
            self.meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise _refuse(path, f"not a readable hantoo simulator state file ({exc})") from None
        self.journal: CommandJournal | None = None
        self.prev_path = prev_journal_path(path)
        self._child = 0  # pid of the background snapshot writer, if one runs
        self._child_since = 0.0
        self._pending: tuple[dict[int, Order], list[Fill], dict[str, str]] | None = None
        """Orders and fills a running background snapshot archives (answered from here)."""
        self.deriv = deriv_archive.DerivArchive(self.db)
        """The futures/options archive (its ``pending`` as ``_pending`` above)."""

    def latest(self) -> tuple[int, bytes] | None:
        row = self.db.execute(
            "SELECT seq, data FROM snapshots ORDER BY seq DESC LIMIT 1").fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    def checkpoint(self, ex: JournaledExchange, *, background: bool = False) -> bool:
        """Snapshot ``ex``, then drop the journal records it covers; ``False``: not now.

        ``background=True`` (the periodic snapshots) keeps the caller's pause short: finished
        orders leave the hot state here, the journal moves aside (:meth:`CommandJournal.rotate`)
        and a forked child, which sees the engine as of this instant through copy-on-write
        memory, pickles it and commits the snapshot while the engine goes on. Until the child
        has committed, the orders it archives are answered from memory. ``False`` while an
        earlier child still runs (the caller retries later). Without ``os.fork`` (Windows) or
        with ``background=False`` the snapshot is written before returning.
        """
        if self._child and not self._reap(block=not background):
            return False
        if not background or not _CAN_FORK or self._pending is not None:
            self._checkpoint_now(ex)
            return True
        j = ex.journal
        assert j is not None
        j.flush()
        seq = j.appended
        _archive_futures(self.db, ex)  # issue 15: finished futures orders leave memory too
        orders, fills = _prune(ex)
        dpruned = deriv_archive.prune(ex)
        meta = self._meta_of(ex)
        # built before the fork: afterwards every order touched (a reference count written)
        # would copy its memory page, thousands of page faults on the caller's time
        pending = ({o.odno: o for o in orders}, fills, meta)
        j.rotate(self.prev_path)
        pid = _fork()
        if pid == 0:  # the child: write the snapshot and leave without running any cleanup
            code = 1
            try:
                _child_setup()
                if _child_hook is not None:
                    _child_hook()
                db = _connect(self.path)
                _write_snapshot(db, seq, ex._now, _dump(ex), orders, fills, meta, dpruned)
                db.close()
                code = 0
            finally:
                os._exit(code)
        self._child, self._child_since = pid, time.monotonic()
        _gc_hold(pid)
        self._pending = pending
        self.deriv.pending = dpruned
        return True

    def _meta_of(self, ex: JournaledExchange) -> dict[str, str]:
        return {
            "schema": SCHEMA_VERSION, "seed": str(ex.seed), "anchor": ex.anchor.isoformat(),
            "clock_mode": ex.clock.mode.value, "clock_speed": str(ex.clock.speed),
        }

    def _checkpoint_now(self, ex: JournaledExchange) -> None:
        """The blocking snapshot: also covers what a failed background child left."""
        j = ex.journal
        assert j is not None
        j.flush()
        seq = j.appended
        _archive_futures(self.db, ex)  # issue 15: finished futures orders leave memory too
        orders, fills = _prune(ex)
        if self._pending is not None:
            orders = list(self._pending[0].values()) + orders
            fills = self._pending[1] + fills
        dpruned = self.deriv.merge_pending(deriv_archive.prune(ex))
        meta = self._meta_of(ex)
        _write_snapshot(self.db, seq, ex._now, _dump(ex), orders, fills, meta, dpruned)
        self._pending = None
        self.meta.update(meta)
        if self.prev_path.exists():
            self.prev_path.unlink()
        j.truncate()
        del orders, fills
        _give_back_memory()

    def _reap(self, *, block: bool) -> bool:
        """Collect a finished background child; ``True`` when none is running any more."""
        pid = self._child
        done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
        if done == 0:
            if time.monotonic() - self._child_since < CHILD_TIMEOUT_S:
                return False
            os.kill(pid, signal.SIGKILL)  # stuck: give up on it; the next snapshot blocks
            os.waitpid(pid, 0)
            status = -1
        self._child = 0
        _gc_release(pid)
        if status == 0 and self._pending is not None:
            self.meta.update(self._pending[2])
            self._pending = None
            self.deriv.pending = None
            if self.prev_path.exists():
                self.prev_path.unlink()
        else:
            _log.warning("background snapshot failed (status %s); the next one blocks", status)
        return True

    def wait(self) -> None:
        """Wait for a background snapshot to be committed (or to fail)."""
        if self._child:
            self._reap(block=True)

    def poll(self) -> None:
        """Collect a background snapshot child that has finished (without waiting): its
        archived orders are then read from the file and the parent's GC unfrozen."""
        if self._child:
            self._reap(block=False)

    # -- the archive: finished orders and their fills, out of the hot state ------------------
    def archived_order(self, ex: Exchange, key: tuple[str, str], odno: int) -> Order | None:
        if self._pending is not None:
            o = self._pending[0].get(odno)
            if o is not None:
                return o if o.acct.key == key else None
        row = self.db.execute("SELECT data FROM archived_orders WHERE odno = ? AND cano = ? "
                              "AND prdt = ?", (odno, *key)).fetchone()
        return None if row is None else order_from(ex, row[0])

    def archived_orders(
        self, ex: Exchange, key: tuple[str, str], start: date, end: date
    ) -> list[Order]:
        rows = self.db.execute(
            "SELECT data FROM archived_orders WHERE cano = ? AND prdt = ? AND day BETWEEN ? AND ? "
            "ORDER BY odno", (*key, start.isoformat(), end.isoformat()))
        out = [order_from(ex, d) for (d,) in rows]
        if self._pending is not None:
            pend = self._pending[0]
            out = [o for o in out if o.odno not in pend]
            out += [o for o in pend.values() if o.acct.key == key and start <= o.day <= end]
            out.sort(key=lambda o: o.odno)
        return out

    def archived_fills(
        self, ex: Exchange, key: tuple[str, str], start: date, end: date
    ) -> list[Fill]:
        rows = self.db.execute(
            "SELECT odno, f.data, o.data FROM archived_fills f JOIN archived_orders o USING (odno) "
            "WHERE f.cano = ? AND f.prdt = ? AND f.day BETWEEN ? AND ? ORDER BY f.fill_id",
            (*key, start.isoformat(), end.isoformat()))
        orders: dict[int, Order] = {}
        out = []
        for odno, fd, od in rows:
            o = orders.get(odno)
            if o is None:
                o = orders[odno] = order_from(ex, od)
            out.append(fill_from(fd, o))
        if self._pending is not None:
            pend = self._pending[1]
            ids = {f.fill_id for f in pend}
            out = [f for f in out if f.fill_id not in ids]
            out += [f for f in pend
                    if f.order.acct.key == key and start <= f.day <= end]
            out.sort(key=lambda f: f.fill_id)
        return out

    def close(self) -> None:
        self.wait()
        if self.journal is not None:
            self.journal.close()
        self.db.close()


def _give_back_memory() -> None:
    """Return the snapshot's transient buffers to the OS (glibc keeps freed heap otherwise)."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None


def _archive_futures(db: sqlite3.Connection, ex: JournaledExchange) -> None:
    """Which finished futures orders leave memory depends on the session day of the clock
    (the engine's own instant may lag it); reads merge the archive, so answers never do."""
    from .futures_archive import archive_futures

    archive_futures(db, ex, ex.clock.now())


def _prune(ex: JournaledExchange) -> tuple[list[Order], list[Fill]]:
    """Take finished orders and their fills out of the hot state (they go to the archive).

    Kept hot: working orders, orders a reservation counts, and records whose original order
    still works (the modify bookkeeping refers to them).
    """
    orders = ex.orders
    done = [
        o for o in orders.values()
        if not o.remaining and not o.rsv_seq
        and not (o.orig_odno and (orig := orders.get(o.orig_odno)) is not None and orig.remaining)
    ]
    if not done:
        return [], []
    # The orders themselves (hashed by identity), not their numbers: one attribute load less
    # per order and fill of the logs scanned below, on the engine's time at every snapshot.
    gone = set(done)
    for o in done:
        del orders[o.odno]
    states = ex._states
    for code in {o.inst.code for o in done}:  # cancelled orders wait in their levels, lazily
        st = states.get(code)
        if st is not None:
            for book in (st.book, st.fixed, st.after, st.close_book, st.nxt):
                book.compact()
    fills = [f for f in ex.fills if f.order in gone]
    ex.fills[:] = [f for f in ex.fills if f.order not in gone]
    for a in {o.acct for o in done}:
        a.order_log[:] = [o for o in a.order_log if o not in gone]
        a.fill_log[:] = [f for f in a.fill_log if f.order not in gone]
    return done, fills


# ---- opening --------------------------------------------------------------------------------


def open_exchange(
    path: str | Path, config: ExchangeConfig | None = None, *,
    snapshot_every: int = SNAPSHOT_EVERY, background_snapshots: bool = True,
) -> JournaledExchange:
    """An exchange whose state lives at ``path``: restored if present, else new.

    ``config`` gives the universe, clock and options; a restored state keeps its own seed and
    anchor date. Every later command is journaled (see the module docstring). Periodic
    snapshots are written in a forked process unless ``background_snapshots`` is false.
    """
    p = Path(path).expanduser()
    store = StateStore(p)
    cfg = config or ExchangeConfig()
    meta = store.meta
    jpath = journal_path(p)
    real_clock = cfg.clock
    if not meta:
        if real_clock is None:
            real_clock = SessionClock()
            cfg = replace(cfg, clock=real_clock)
        ex = JournaledExchange(cfg)
        _attach(ex, store, jpath, 0, snapshot_every)
        ex._j_background = background_snapshots
        ex.checkpoint()  # the file now belongs to this seed and anchor
        return ex
    if meta.get("schema") == "1":
        ex = _migrate_v1(store, cfg, jpath, snapshot_every)
        ex._j_background = background_snapshots
        return ex
    if meta.get("schema") != SCHEMA_VERSION:
        raise _refuse(p, f"state schema {meta.get('schema')!r} is not one this hantoo reads")
    snap = store.latest()
    if snap is None:
        raise _refuse(p, "the state file has no snapshot")
    snap_seq, blob = snap
    mode = ClockMode(meta["clock_mode"]) if real_clock is None else real_clock.mode
    us_mode = cfg.us_mode or ("new_york" if mode is ClockMode.WALL else "mirror")
    # First the configuration's engine (universe, schedules), standing at the snapshot's time.
    rclock = ReplayClock("stepped")
    base = replace(cfg, seed=int(meta["seed"]), anchor_date=date.fromisoformat(meta["anchor"]),
                   clock=rclock, us_mode=us_mode)
    ex = JournaledExchange(base)
    token = _LOADING.set(ex.universe)
    pathless: list[SymbolState] = []
    token2 = _PATHLESS.set(pathless)
    try:
        state = _Unpickler(blob).load()
    except Exception as exc:
        raise _refuse(p, f"its snapshot cannot be read ({type(exc).__name__}: {exc})") from None
    finally:
        _LOADING.reset(token)
        _PATHLESS.reset(token2)
    vars(ex).update(state)
    _restore_paths(ex, pathless)
    rclock._anchor_sim = ex._now
    prev = prev_journal_path(p)
    try:  # records moved aside for a background snapshot that may not have committed
        older = read_journal(prev)
    except JournalCorrupt as exc:
        raise _refuse(prev, str(exc).split(": ", 1)[-1]) from None
    try:
        # Numbering goes on after the moved-aside records too: when the journal is empty (the
        # snapshot was taken at the last command), restarting it at the snapshot's number would
        # number new commands as old ones, and the pending snapshot, once committed, would skip
        # them on the next restart (issues 11/14: a day-2 trade lost).
        journal = CommandJournal(jpath, last_seq=max(snap_seq, older[-1][0] if older else 0),
                                 autosync=True)
    except JournalCorrupt as exc:
        raise _refuse(jpath, str(exc).split(": ", 1)[-1]) from None
    tail = [r for r in older + journal.records_on_open if r[0] > snap_seq]
    journal.records_on_open = []
    if tail and tail[0][0] != snap_seq + 1:
        raise _refuse(jpath, f"journal starts at record {tail[0][0]}, the snapshot ends at "
                             f"{snap_seq}: records are missing")
    ex._j_replaying = True
    try:
        for rec in tail:
            try:
                apply_record(ex, rclock, rec)
            except EngineReject as rej:  # should not happen: the engine is deterministic
                _log.warning("journal record %s no longer applies: %s", rec[0], rej)
    finally:
        ex._j_replaying = False
    last_us = max(ex._now, int(tail[-1][1]) if tail else 0)
    if real_clock is None:
        real_clock = SessionClock.from_state({
            "mode": meta["clock_mode"], "speed": meta["clock_speed"], "now_us": str(last_us)})
    elif real_clock.mode is not ClockMode.WALL:
        real_clock.advance_to(from_us(last_us))
    ex.clock = real_clock
    ex.config = replace(base, clock=real_clock)
    store.journal = journal
    ex.attach_journal(journal, store, snapshot_every, background=background_snapshots)
    ex.attach_archive(store)
    ex._j_since = len(tail)
    if len(tail) >= 1_000 or prev.exists():
        ex.checkpoint()
    ex.sync()
    return ex


def _attach(
    ex: JournaledExchange, store: StateStore, jpath: Path, last_seq: int, every: int
) -> None:
    journal = CommandJournal(jpath, last_seq=last_seq, autosync=True)
    journal.records_on_open = []
    store.journal = journal
    ex.attach_journal(journal, store, every)
    ex.attach_archive(store)


def _migrate_v1(
    store: StateStore, cfg: ExchangeConfig, jpath: Path, every: int
) -> JournaledExchange:
    """Open a schema-1 state (one JSON row per entity) and snapshot it in schema 2."""
    from .store_v1 import restore_v1

    meta = store.meta
    clock = cfg.clock
    saved = json.loads(meta["clock"])
    if clock is None:
        clock = SessionClock.from_state(saved)
    elif clock.mode is not ClockMode.WALL:
        clock.advance_to(from_us(int(saved["now_us"])))
    cfg = replace(cfg, seed=int(meta["seed"]), anchor_date=date.fromisoformat(meta["anchor"]),
                  clock=clock)
    ex = JournaledExchange(cfg)
    restore_v1(ex, store.db)
    _attach(ex, store, jpath, 0, every)
    ex.checkpoint()
    ex.sync()
    return ex
