"""Finished futures/options orders and their fills, out of memory: the derivatives archive.

Why: the market kept every order and fill since the server started, so a long-lived simulator
grew with its derivatives history (and every snapshot pickled all of it). Like the stock orders
(:mod:`hantoo.sim.store`), each snapshot now moves the *finished* orders — nothing left to
trade, no modify still pointing at a working original — and their fills into two SQLite tables
of the state file, in the snapshot's own transaction; the order, fill, fee and balance queries
read them back through the market (:meth:`DerivMarket.all_orders` and friends), so answers do
not change. A background snapshot's orders are answered from memory until its child commits.

The tables are separate from the stock archive: derivatives order numbers are their own
sequence. Rows are JSON documents (never pickles: a state file is data, not code).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import TYPE_CHECKING, Any

from ..engine.clock import to_us
from ..engine.orders import Order
from ..engine.types import OrderAction, OrderStatus, OrderType
from ..store_v1 import _order_doc
from .market import DFill, _shim

if TYPE_CHECKING:
    from .market import DerivMarket

__all__ = ["SCHEMA", "DerivArchive", "prune"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS archived_deriv_orders (
    odno INTEGER PRIMARY KEY, cano TEXT NOT NULL, prdt TEXT NOT NULL, day TEXT NOT NULL,
    fees INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS archived_deriv_orders_by_account
    ON archived_deriv_orders (cano, prdt, day);
CREATE TABLE IF NOT EXISTS archived_deriv_fills (
    odno INTEGER NOT NULL, k INTEGER NOT NULL, cano TEXT NOT NULL, prdt TEXT NOT NULL,
    day TEXT NOT NULL, time_us INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (odno, k));
CREATE INDEX IF NOT EXISTS archived_deriv_fills_by_account
    ON archived_deriv_fills (cano, prdt, day);
"""

Pruned = tuple[list[Order], list[DFill]]


def prune(ex: Any) -> Pruned:
    """Take the finished orders and their fills out of ``ex``'s derivatives market (if any)."""
    m: DerivMarket | None = vars(ex).get("_deriv")
    if m is None:
        return [], []
    orders = m.orders
    done = [
        o for o in orders.values()
        if not o.remaining
        and not (o.orig_odno and (orig := orders.get(o.orig_odno)) is not None and orig.remaining)
    ]
    if not done:
        return [], []
    gone = {o.odno for o in done}
    for odno in gone:
        del orders[odno]
    for code in {o.inst.code for o in done}:  # finished orders may wait in levels, lazily
        st = m._states.get(code)
        if st is not None:
            st.book.compact()
    fills = [f for f in m.fills if f.odno in gone]
    m.fills[:] = [f for f in m.fills if f.odno not in gone]
    return done, fills


def _fill_doc(f: DFill) -> str:
    return json.dumps([f.odno, f.code, f.side, f.qty, f.units, f.time.isoformat(),
                       f.day.isoformat()])


def write(db: sqlite3.Connection, pruned: Pruned) -> None:
    """Insert the pruned records (inside the caller's snapshot transaction)."""
    orders, fills = pruned
    db.executemany(
        "INSERT OR REPLACE INTO archived_deriv_orders (odno, cano, prdt, day, fees, data) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(o.odno, o.acct.cano, o.acct.prdt, o.day.isoformat(), o.fees,
          json.dumps(_order_doc(o))) for o in orders])
    # an order's fills all leave together (it is finished), so (order, its k-th fill) is a
    # stable key: a snapshot written twice (a stale child, then a blocking one) stays exact
    rows = []
    k: dict[int, int] = {}
    for f in fills:
        n = k[f.odno] = k.get(f.odno, -1) + 1
        rows.append((f.odno, n, f.account[0], f.account[1], f.day.isoformat(), to_us(f.time),
                     _fill_doc(f)))
    db.executemany(
        "INSERT OR REPLACE INTO archived_deriv_fills (odno, k, cano, prdt, day, time_us, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


class DerivArchive:
    """Reads of the archive (and of a running background snapshot's records, ``pending``)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(SCHEMA)
        self.pending: Pruned | None = None

    def merge_pending(self, pruned: Pruned) -> Pruned:
        """``pruned`` plus what a failed background snapshot left (a blocking one covers it)."""
        if self.pending is None:
            return pruned
        out = (self.pending[0] + pruned[0], self.pending[1] + pruned[1])
        self.pending = None
        return out

    def _order(self, m: DerivMarket, doc: dict[str, Any]) -> Order | None:
        inst = m._known.get(doc["code"]) or m.listing().get(doc["code"])
        if inst is None:
            return None
        o = Order(doc["odno"], m.ex._account(tuple(doc["acct"])), _shim(inst, doc["price"]),
                  doc["side"], OrderType(doc["otype"]), doc["price"], doc["qty"],
                  doc["time_us"], date.fromisoformat(doc["day"]), doc["venue"])
        o.remaining, o.filled, o.cancelled = doc["remaining"], doc["filled"], doc["cancelled"]
        o.replaced, o.fill_value, o.prio = doc["replaced"], doc["fill_value"], doc["prio"]
        o.status, o.orig_odno = OrderStatus(doc["status"]), doc["orig"]
        o.action, o.reserved, o.fees = OrderAction(doc["action"]), doc["reserved"], doc["fees"]
        return o

    def orders(self, m: DerivMarket, key: tuple[str, str], start: date, end: date
               ) -> list[Order]:
        rows = self.db.execute(
            "SELECT data FROM archived_deriv_orders WHERE cano = ? AND prdt = ? "
            "AND day BETWEEN ? AND ? ORDER BY odno", (*key, start.isoformat(), end.isoformat()))
        out = [o for (d,) in rows if (o := self._order(m, json.loads(d))) is not None]
        if self.pending is not None:
            ids = {o.odno for o in self.pending[0]}
            out = [o for o in out if o.odno not in ids] + [
                o for o in self.pending[0] if o.acct.key == key and start <= o.day <= end]
        return out

    def order(self, m: DerivMarket, odno: int) -> Order | None:
        if self.pending is not None:
            for o in self.pending[0]:
                if o.odno == odno:
                    return o
        row = self.db.execute("SELECT data FROM archived_deriv_orders WHERE odno = ?",
                              (odno,)).fetchone()
        return None if row is None else self._order(m, json.loads(row[0]))

    def fills(self, key: tuple[str, str], start: date, end: date) -> list[DFill]:
        from datetime import datetime

        rows = self.db.execute(
            "SELECT data FROM archived_deriv_fills WHERE cano = ? AND prdt = ? "
            "AND day BETWEEN ? AND ? ORDER BY time_us, odno, k",
            (*key, start.isoformat(), end.isoformat()))
        out = []
        for (d,) in rows:
            odno, code, side, qty, units, at, day = json.loads(d)
            out.append(DFill(odno, key, code, side, qty, units, datetime.fromisoformat(at),
                             date.fromisoformat(day)))
        if self.pending is not None:
            ids = self._archived_ids({f.odno for f in self.pending[1]})
            out += [f for f in self.pending[1] if f.account == key and start <= f.day <= end
                    and f.odno not in ids]
        return out

    def fees(self, key: tuple[str, str], day: date | None = None) -> int:
        sql = "SELECT COALESCE(SUM(fees), 0) FROM archived_deriv_orders WHERE cano = ? AND prdt = ?"
        args: list[Any] = [*key]
        if day is not None:
            sql += " AND day = ?"
            args.append(day.isoformat())
        total = int(self.db.execute(sql, args).fetchone()[0])
        if self.pending is not None:
            ids = self._archived_ids({o.odno for o in self.pending[0]})
            total += sum(o.fees for o in self.pending[0] if o.acct.key == key
                         and (day is None or o.day == day) and o.odno not in ids)
        return total

    def _archived_ids(self, odnos: set[int]) -> set[int]:
        if not odnos:
            return set()
        marks = ",".join("?" * len(odnos))
        return {r[0] for r in self.db.execute(
            f"SELECT odno FROM archived_deriv_orders WHERE odno IN ({marks})",
            list(odnos))}
