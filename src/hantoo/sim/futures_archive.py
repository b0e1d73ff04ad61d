"""Finished overseas futures orders and their fills, out of memory (issue 15).

Why: like stock orders (:mod:`.store`), the futures book would otherwise keep every order and
fill it ever had in the hot state, pickled into every snapshot. At each snapshot of a
journaled exchange, :func:`archive_futures` moves the orders that are finished (filled,
cancelled, expired, modified) and whose last activity was before the current session day,
with their fills, into the ``archived_ofut`` table of the state file; the book's order and
fill queries read them back (:meth:`.engine.futures_book.FuturesBook.find` and the
``*_between`` lists), so answers do not change.

Crash safety without touching the snapshot transaction: the rows are written (``INSERT OR
REPLACE``, idempotent) and committed *before* the snapshot that no longer holds them. A crash
in between leaves them both in the archive and in the previous snapshot (or its replay), and
every read prefers the in-memory copy of a number it sees twice, so nothing is lost or shown
twice. The day in-memory views (today's realized P&L and fees) never need the archive: only
activity before the current session day leaves memory.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .engine.futures_book import FFill, FOrder, FuturesBook
from .engine.futures_quotes import CHICAGO

__all__ = ["archive_futures", "archived_fills", "archived_order", "archived_orders"]

_TABLE = """
CREATE TABLE IF NOT EXISTS archived_ofut (
    kind TEXT NOT NULL, id TEXT NOT NULL, cano TEXT NOT NULL, prdt TEXT NOT NULL,
    day TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS archived_ofut_by_account ON archived_ofut (kind, cano, prdt, day);
"""


def _ensure(db: sqlite3.Connection) -> None:
    db.executescript(_TABLE)  # cheap, and safe on a file written before the table existed


def _dt(v: datetime | None) -> str | None:
    return None if v is None else v.isoformat()


def _order_doc(o: FOrder) -> dict[str, Any]:
    return {
        "odno": o.odno, "account": list(o.account), "code": o.code, "side": o.side,
        "qty": o.qty, "kind": o.kind, "limit": o.limit, "cndt": o.cndt,
        "placed": _dt(o.placed), "session_day": o.session_day.isoformat(),
        "orgn_odno": o.orgn_odno, "filled": o.filled, "fill_ticks": o.fill_ticks,
        "fill_time": _dt(o.fill_time), "status": o.status, "stop": o.stop,
        "triggered": _dt(o.triggered),
        "good_till": o.good_till.isoformat() if o.good_till else None,
    }


def _order_of(d: dict[str, Any]) -> FOrder:
    def when(v: str | None) -> datetime | None:
        return None if v is None else datetime.fromisoformat(v)

    placed = when(d["placed"])
    assert placed is not None
    return FOrder(
        d["odno"], (d["account"][0], d["account"][1]), d["code"], d["side"], int(d["qty"]),
        d["kind"], d["limit"], d["cndt"], placed, date.fromisoformat(d["session_day"]),
        orgn_odno=d["orgn_odno"], filled=int(d["filled"]), fill_ticks=int(d["fill_ticks"]),
        fill_time=when(d["fill_time"]), status=d["status"], stop=d["stop"],
        triggered=when(d["triggered"]),
        good_till=date.fromisoformat(d["good_till"]) if d["good_till"] else None)


def _fill_doc(f: FFill) -> dict[str, Any]:
    return {"ccno": f.ccno, "odno": f.odno, "account": list(f.account), "code": f.code,
            "side": f.side, "qty": f.qty, "ticks": f.ticks, "time": f.time.isoformat(),
            "fee": str(f.fee), "realized": str(f.realized)}


def _fill_of(d: dict[str, Any]) -> FFill:
    return FFill(d["ccno"], d["odno"], (d["account"][0], d["account"][1]), d["code"], d["side"],
                 int(d["qty"]), int(d["ticks"]), datetime.fromisoformat(d["time"]),
                 Decimal(d["fee"]), Decimal(d["realized"]))


def _last_day(o: FOrder) -> date:
    """The local (Chicago) day of the order's last activity."""
    days = [o.session_day]
    if o.fill_time is not None:
        days.append(o.fill_time.astimezone(CHICAGO).date())
    return max(days)


def archive_futures(db: sqlite3.Connection, ex: Any, now: datetime) -> int:
    """Move the finished orders (and their fills) of ``ex``'s futures book into the archive;
    returns how many orders left memory. Nothing to do when futures never traded."""
    book = ex.__dict__.get("_futures_book")
    if not isinstance(book, FuturesBook):
        return 0
    today = book.session_day(now)
    done = [o for o in book.orders.values() if o.status != "open" and _last_day(o) < today]
    if not done:
        return 0
    gone = {o.odno for o in done}
    fills = [f for f in book.fills if f.odno in gone]
    _ensure(db)
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany(
            "INSERT OR REPLACE INTO archived_ofut (kind, id, cano, prdt, day, data) "
            "VALUES ('order', ?, ?, ?, ?, ?)",
            [(o.odno, o.account[0], o.account[1], o.session_day.isoformat(),
              json.dumps(_order_doc(o))) for o in done])
        db.executemany(
            "INSERT OR REPLACE INTO archived_ofut (kind, id, cano, prdt, day, data) "
            "VALUES ('fill', ?, ?, ?, ?, ?)",
            [(f.ccno, f.account[0], f.account[1],
              f.time.astimezone(CHICAGO).date().isoformat(), json.dumps(_fill_doc(f)))
             for f in fills])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    book.fills_made = max(book.fills_made, len(book.fills))  # numbering goes on past them
    for odno in gone:
        del book.orders[odno]
    book.fills[:] = [f for f in book.fills if f.odno not in gone]
    return len(done)


def archived_order(db: sqlite3.Connection, odno: str) -> FOrder | None:
    _ensure(db)
    row = db.execute("SELECT data FROM archived_ofut WHERE kind = 'order' AND id = ?",
                     (odno,)).fetchone()
    return None if row is None else _order_of(json.loads(row[0]))


def archived_orders(db: sqlite3.Connection, account: tuple[str, str], start: date,
                    end: date) -> list[FOrder]:
    """Archived orders of ``account`` whose local trading day is in ``start``..``end``."""
    _ensure(db)
    rows = db.execute(
        "SELECT data FROM archived_ofut WHERE kind = 'order' AND cano = ? AND prdt = ? "
        "AND day BETWEEN ? AND ? ORDER BY id",
        (account[0], account[1], start.isoformat(), end.isoformat())).fetchall()
    return [_order_of(json.loads(r[0])) for r in rows]


def archived_fills(db: sqlite3.Connection, account: tuple[str, str], start: date,
                   end: date) -> list[FFill]:
    """Archived fills of ``account`` made on the local days ``start``..``end``."""
    _ensure(db)
    rows = db.execute(
        "SELECT data FROM archived_ofut WHERE kind = 'fill' AND cano = ? AND prdt = ? "
        "AND day BETWEEN ? AND ? ORDER BY id",
        (account[0], account[1], start.isoformat(), end.isoformat())).fetchall()
    return [_fill_of(json.loads(r[0])) for r in rows]
