"""SQLite persistence for the simulator engine: nothing acknowledged is ever lost.

Why it is shaped like this: the engine is an in-memory state machine; durability only needs the
*changes* of each command. :class:`~hantoo.sim.engine.exchange.Exchange` collects them in a
journal (touched accounts with their positions, touched orders, new fills, reservations) and,
before a command returns, hands it to :meth:`SqliteStore.write`, which writes it in **one
transaction** on a WAL database with ``synchronous=FULL``. A ``kill -9`` therefore loses at
most the command in flight, which was never acknowledged.

On start, :func:`open_exchange` rebuilds the exchange: accounts (incl. the house and lender
accounts that close the books), orders — resting ones go back into their books in their original
priority order — fills, reservations, counters and the clock/trading day. The synthetic market is
a pure function of the seed and the time, so it is recomputed, not stored; today's statistics are
rebuilt from the path plus the user fills.

Rows hold a JSON document per entity (plus the key columns): the schema stays small and the
engine's slotted objects map to it one-to-one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from .engine.accounts import Account, CreditLot, Position
from .engine.clock import ClockMode, SessionClock, from_us
from .engine.config import ExchangeConfig
from .engine.exchange import HOUSE_KEY, LENDER_KEY, Exchange
from .engine.matching import Fill, Journal
from .engine.orders import VENUE_AFTER, VENUE_CLOSE, VENUE_FIXED, Order
from .engine.reservations import Reservation
from .engine.types import CreditType, OrderAction, OrderStatus, OrderType, Phase

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    cano TEXT NOT NULL, prdt TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (cano, prdt));
CREATE TABLE IF NOT EXISTS orders (odno INTEGER PRIMARY KEY, day TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fills (
    fill_id INTEGER PRIMARY KEY, odno INTEGER NOT NULL, day TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reservations (seq INTEGER PRIMARY KEY, data TEXT NOT NULL);
"""


class SqliteStore:
    """A SQLite database at ``path`` (or ``":memory:"``) holding one exchange's state."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        self._last_meta: dict[str, str] = {}

    def close(self) -> None:
        self.db.close()

    # ---- writing --------------------------------------------------------------------------
    def write(self, ex: Exchange, journal: Journal) -> None:
        """Write one command's changes atomically (called by the exchange before it acks)."""
        meta = _meta(ex)
        changed_meta = {k: v for k, v in meta.items() if self._last_meta.get(k) != v}
        if not journal and not changed_meta:
            return
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            if journal.accounts:
                db.executemany(
                    "INSERT OR REPLACE INTO accounts (cano, prdt, data) VALUES (?, ?, ?)",
                    [(a.cano, a.prdt, json.dumps(_account_doc(a))) for a in
                     journal.accounts.values()],
                )
            if journal.orders:
                db.executemany(
                    "INSERT OR REPLACE INTO orders (odno, day, data) VALUES (?, ?, ?)",
                    [(o.odno, o.day.isoformat(), json.dumps(_order_doc(o)))
                     for o in journal.orders.values()],
                )
            if journal.fills:
                db.executemany(
                    "INSERT OR REPLACE INTO fills (fill_id, odno, day, data) VALUES (?, ?, ?, ?)",
                    [(f.fill_id, f.order.odno, f.day.isoformat(), json.dumps(_fill_doc(f)))
                     for f in journal.fills],
                )
            if journal.reservations:
                db.executemany(
                    "INSERT OR REPLACE INTO reservations (seq, data) VALUES (?, ?)",
                    [(seq, json.dumps(_rsv_doc(ex.reservations[seq])))
                     for seq in journal.reservations],
                )
            if changed_meta:
                db.executemany(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    list(changed_meta.items()),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._last_meta = meta

    # ---- reading --------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def rows(self, table: str) -> Iterable[dict[str, Any]]:
        order = {"orders": "odno", "fills": "fill_id", "reservations": "seq",
                 "accounts": "cano, prdt"}[table]
        for (data,) in self.db.execute(f"SELECT data FROM {table} ORDER BY {order}"):
            yield json.loads(data)


def open_exchange(path: str | Path, config: ExchangeConfig | None = None) -> Exchange:
    """An exchange whose state lives in SQLite at ``path``: restored if present, else new."""
    store = SqliteStore(path)
    meta = store.meta()
    cfg = config or ExchangeConfig()
    if not meta:
        ex = Exchange(cfg)
        ex.attach_store(store)
        assert ex._tx is not None
        ex._tx.accounts[ex.house.key] = ex.house
        ex._tx.accounts[ex.lender.key] = ex.lender
        ex.sync()  # writes the meta row: this database now belongs to this configuration
        return ex
    clock = cfg.clock
    saved = json.loads(meta["clock"])
    if clock is None:
        clock = SessionClock.from_state(saved)
    elif clock.mode is not ClockMode.WALL:
        clock.advance_to(from_us(int(saved["now_us"])))
    cfg = replace(cfg, seed=int(meta["seed"]), anchor_date=date.fromisoformat(meta["anchor"]),
                  clock=clock)
    ex = Exchange(cfg)
    _restore(ex, store, meta)
    ex.attach_store(store)
    ex.sync()
    return ex


# ---- documents ----------------------------------------------------------------------------


def _meta(ex: Exchange) -> dict[str, str]:
    return {
        "schema": SCHEMA_VERSION,
        "seed": str(ex.seed),
        "anchor": ex.anchor.isoformat(),
        "clock": json.dumps(ex.clock.state()),
        "processed_us": str(ex._processed_us),
        "now_us": str(ex._now),
        "market": json.dumps({
            "mday": [d.isoformat() for d in ex._mday],
            "phase": [p.value for p in ex._phase],
            "cur_step": ex._cur_step,
            "premarket": ex._premarket,
        }),
        "counters": json.dumps({
            "odno": ex._next_odno, "fill": ex._next_fill, "trade": ex._next_trade,
            "seq": ex._seq, "rsv": ex._next_rsv,
        }),
        "ledgers": json.dumps({
            "fees": ex.fee_ledger, "taxes": ex.tax_ledger, "deposits": ex.deposits,
        }),
    }


def _account_doc(a: Account) -> dict[str, Any]:
    return {
        "cano": a.cano, "prdt": a.prdt, "cash": a.cash, "reserved": a.reserved,
        "realized": a.realized, "fees": a.fees, "taxes": a.taxes,
        "contributed": a.contributed,
        "flows": {d.isoformat(): f for d, f in a.flows.items()},
        "positions": [[p.code, p.qty, p.cost, p.reserved, p.realized]
                      for p in a.positions.values()],
        "lots": [[lt.code, lt.loan_date.isoformat(), lt.credit.value, lt.qty, lt.cost, lt.loan,
                  lt.reserved] for lt in a.lots.values()],
    }


def _order_doc(o: Order) -> dict[str, Any]:
    return {
        "odno": o.odno, "acct": list(o.acct.key), "code": o.inst.code, "side": o.side,
        "otype": o.otype.value, "price": o.price, "qty": o.qty, "remaining": o.remaining,
        "filled": o.filled, "cancelled": o.cancelled, "replaced": o.replaced,
        "fill_value": o.fill_value, "prio": o.prio, "time_us": o.time_us,
        "day": o.day.isoformat(), "status": o.status.value, "orig": o.orig_odno,
        "action": o.action.value, "reserve_px": o.reserve_px, "reserved": o.reserved,
        "credit": o.credit.value if o.credit else None,
        "loan_date": o.loan_date.isoformat() if o.loan_date else None,
        "rsv_seq": o.rsv_seq, "venue": o.venue, "fees": o.fees, "taxes": o.taxes,
    }


def _fill_doc(f: Fill) -> dict[str, Any]:
    return {
        "fill_id": f.fill_id, "odno": f.order.odno, "qty": f.qty, "price": f.price,
        "time_us": f.time_us, "day": f.day.isoformat(), "fee": f.fee, "tax": f.tax,
        "trade_id": f.trade_id,
    }


def _rsv_doc(r: Reservation) -> dict[str, Any]:
    return {
        "seq": r.seq, "acct": list(r.acct.key), "code": r.inst.code, "side": r.side,
        "otype": r.otype.value, "qty": r.qty, "price": r.price,
        "created": r.created.isoformat(), "start": r.start.isoformat(),
        "end": r.end.isoformat(), "cancelled": r.cancelled, "odnos": r.odnos,
        "last_error": r.last_error, "credit": r.credit.value if r.credit else None,
    }


# ---- restore ------------------------------------------------------------------------------


def _restore(ex: Exchange, store: SqliteStore, meta: dict[str, str]) -> None:
    for doc in store.rows("accounts"):
        key = (doc["cano"], doc["prdt"])
        if key == HOUSE_KEY:
            a = ex.house
        elif key == LENDER_KEY:
            a = ex.lender
        else:
            a = Account(*key)
            ex.accounts[key] = a
        a.cash, a.reserved, a.realized = doc["cash"], doc["reserved"], doc["realized"]
        a.fees, a.taxes = doc["fees"], doc["taxes"]
        a.contributed = doc["contributed"]
        a.flows = {date.fromisoformat(d): f for d, f in doc["flows"].items()}
        for code, qty, cost, reserved, realized in doc["positions"]:
            p = a.positions[code] = Position(code, qty, cost)
            p.reserved, p.realized = reserved, realized
        for code, ld, credit, qty, cost, loan, reserved in doc["lots"]:
            lot = CreditLot(code, date.fromisoformat(ld), CreditType(credit))
            lot.qty, lot.cost, lot.loan, lot.reserved = qty, cost, loan, reserved
            a.lots[(code, lot.loan_date)] = lot
    for doc in store.rows("orders"):
        o = _order_from(ex, doc)
        ex.orders[o.odno] = o
        o.acct.order_log.append(o)
    fills: list[Fill] = []
    for doc in store.rows("fills"):
        o = ex.orders[doc["odno"]]
        f = Fill(doc["fill_id"], o, doc["qty"], doc["price"], doc["time_us"],
                 date.fromisoformat(doc["day"]), doc["fee"], doc["tax"], doc["trade_id"])
        fills.append(f)
        ex.fills.append(f)
        o.acct.fill_log.append(f)
    for doc in store.rows("reservations"):
        a = ex.accounts[(doc["acct"][0], doc["acct"][1])]
        r = Reservation(doc["seq"], a, ex.universe[doc["code"]], doc["side"],
                        OrderType(doc["otype"]), doc["qty"], doc["price"],
                        date.fromisoformat(doc["created"]), date.fromisoformat(doc["start"]),
                        date.fromisoformat(doc["end"]))
        r.cancelled, r.odnos, r.last_error = doc["cancelled"], doc["odnos"], doc["last_error"]
        r.credit = CreditType(doc["credit"]) if doc["credit"] else None
        ex.reservations[r.seq] = r
    counters = json.loads(meta["counters"])
    ex._next_odno, ex._next_fill = counters["odno"], counters["fill"]
    ex._next_trade, ex._seq, ex._next_rsv = counters["trade"], counters["seq"], counters["rsv"]
    ledgers = json.loads(meta["ledgers"])
    ex.fee_ledger, ex.tax_ledger, ex.deposits = ledgers["fees"], ledgers["taxes"], \
        ledgers["deposits"]
    market = json.loads(meta["market"])
    ex._mday = [date.fromisoformat(d) for d in market["mday"]]
    ex._phase = [Phase(p) for p in market["phase"]]
    ex._cur_step = market["cur_step"]
    ex._premarket = market["premarket"]
    processed = int(meta["processed_us"])
    ex._processed_us = processed
    ex._now = max(int(meta["now_us"]), processed)
    ex._next = [sch.next_event(processed) for sch in ex.schedules]
    ex._next_us = min(n[0] for n in ex._next)
    _rebuild_books(ex, fills)


def _order_from(ex: Exchange, d: dict[str, Any]) -> Order:
    inst = ex.universe[d["code"]]
    a = ex.accounts[(d["acct"][0], d["acct"][1])]
    o = Order(d["odno"], a, inst, d["side"], OrderType(d["otype"]), d["price"], d["qty"],
              d["time_us"], date.fromisoformat(d["day"]), venue=d["venue"])
    o.remaining, o.filled, o.cancelled = d["remaining"], d["filled"], d["cancelled"]
    o.replaced, o.fill_value, o.prio = d["replaced"], d["fill_value"], d["prio"]
    o.status, o.orig_odno = OrderStatus(d["status"]), d["orig"]
    o.action, o.reserve_px, o.reserved = OrderAction(d["action"]), d["reserve_px"], d["reserved"]
    o.credit = CreditType(d["credit"]) if d["credit"] else None
    o.loan_date = date.fromisoformat(d["loan_date"]) if d["loan_date"] else None
    o.rsv_seq, o.fees, o.taxes = d["rsv_seq"], d["fees"], d["taxes"]
    return o


def _rebuild_books(ex: Exchange, fills: list[Fill]) -> None:
    """Today's symbol states: path up to each user trade, the trades, resting orders."""
    by_trade: dict[int, Fill] = {}
    for f in fills:
        if f.day == ex._mday[1 if f.order.inst.is_us else 0]:
            by_trade.setdefault(f.trade_id or -f.fill_id, f)
    for f in sorted(by_trade.values(), key=lambda f: (f.time_us, f.fill_id)):
        inst = f.order.inst
        mk = 1 if inst.is_us else 0
        st = ex._states.get(inst.code) or ex._new_state(inst, mk)
        st.apply_path(min(ex.schedules[mk].step_index(f.time_us), ex._cur_step[mk]))
        st.record(f.price, f.qty)
        st.extra.append((f.time_us, f.price, f.qty, 0))
        st.active = True
        ex._active[mk].add(inst.code)
    working = sorted((o for o in ex.orders.values() if o.remaining), key=lambda o: o.prio)
    for o in working:
        inst = o.inst
        mk = 1 if inst.is_us else 0
        st = ex._states.get(inst.code) or ex._new_state(inst, mk)
        book = (st.book, st.fixed, st.after, st.close_book)[
            {VENUE_FIXED: 1, VENUE_AFTER: 2, VENUE_CLOSE: 3}.get(o.venue, 0)
        ]
        book.add(o)
        st.active = True
        ex._active[mk].add(inst.code)
