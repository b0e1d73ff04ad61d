"""Schema 1 of the simulator's state file (before the command journal): read to migrate.

Schema 1 stored one JSON document per account, order, fill and reservation, rewritten by every
command. :func:`restore_v1` rebuilds an exchange from such a file so an existing state keeps
working; :mod:`hantoo.sim.store` then takes a snapshot in the current format. The document
functions also describe finished orders and fills in the archive tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date
from typing import Any

from .engine.accounts import Account, CreditLot, Position
from .engine.exchange import HOUSE_KEY, LENDER_KEY, Exchange
from .engine.matching import Fill
from .engine.orders import VENUE_AFTER, VENUE_CLOSE, VENUE_FIXED, Order
from .engine.reservations import Reservation
from .engine.types import CreditType, OrderAction, OrderStatus, OrderType, Phase


def restore_v1(ex: Exchange, db: sqlite3.Connection) -> None:
    """Load a schema-1 state database into the fresh exchange ``ex``."""
    store = SqliteStore(db)
    _restore(ex, store, store.meta())


class SqliteStore:
    """A schema-1 state database, read once to migrate it."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    # ---- reading --------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def rows(self, table: str) -> Iterable[dict[str, Any]]:
        order = {"orders": "odno", "fills": "fill_id", "reservations": "seq",
                 "accounts": "cano, prdt"}[table]
        for (data,) in self.db.execute(f"SELECT data FROM {table} ORDER BY {order}"):
            yield json.loads(data)


# ---- documents ----------------------------------------------------------------------------


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
