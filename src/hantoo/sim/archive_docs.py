"""Finished stock orders and fills as archive documents: positional JSON arrays.

Why positional: every background snapshot archives each order and fill finished since the last
one (about 18,000 orders and 9,000 fills per 20,000 commands of a busy stream), and it does so
in the snapshot child, whose CPU is taken from the engine on a two-core machine. A JSON array of
the values, encoded by msgspec straight from the engine's objects (it writes dates as ISO text
and enums as their values), costs a fraction of a keyed document built as a dict, with its
``isoformat`` and ``.value`` calls. The array's element order is :data:`ORDER_KEYS` /
:data:`FILL_KEYS`; new elements may only be appended.

Documents written before (JSON objects keyed by name, :mod:`hantoo.sim.store_v1`) are read as
they are, so an existing state file keeps answering its archived history.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import msgspec

from .engine.exchange import Exchange
from .engine.matching import Fill
from .engine.orders import Order
from .store_v1 import _order_from

__all__ = ["FILL_KEYS", "ORDER_KEYS", "fill_data", "fill_from", "order_data", "order_from"]

ORDER_KEYS = (
    "odno", "cano", "prdt", "code", "side", "otype", "price", "qty", "remaining", "filled",
    "cancelled", "replaced", "fill_value", "prio", "time_us", "day", "status", "orig", "action",
    "reserve_px", "reserved", "credit", "loan_date", "rsv_seq", "venue", "fees", "taxes",
)
FILL_KEYS = ("fill_id", "odno", "qty", "price", "time_us", "day", "fee", "tax", "trade_id")

_encode = msgspec.json.Encoder().encode


def order_data(o: Order) -> bytes:
    """The archive document of order ``o`` (elements in :data:`ORDER_KEYS` order)."""
    a = o.acct
    return _encode([
        o.odno, a.cano, a.prdt, o.inst.code, o.side, o.otype, o.price, o.qty, o.remaining,
        o.filled, o.cancelled, o.replaced, o.fill_value, o.prio, o.time_us, o.day, o.status,
        o.orig_odno, o.action, o.reserve_px, o.reserved, o.credit, o.loan_date, o.rsv_seq,
        o.venue, o.fees, o.taxes,
    ])


def fill_data(f: Fill) -> bytes:
    """The archive document of fill ``f`` (elements in :data:`FILL_KEYS` order)."""
    return _encode([f.fill_id, f.order.odno, f.qty, f.price, f.time_us, f.day, f.fee, f.tax,
                    f.trade_id])


def _keyed(data: str | bytes, keys: tuple[str, ...]) -> dict[str, Any]:
    doc = json.loads(data)
    if isinstance(doc, list):  # positional (this module); else keyed (store_v1)
        doc = dict(zip(keys, doc, strict=False))
        if keys is ORDER_KEYS:
            doc["acct"] = [doc["cano"], doc["prdt"]]
    if not isinstance(doc, dict):
        raise ValueError(f"not an archive document: {data[:40]!r}")
    return doc


def order_from(ex: Exchange, data: str | bytes) -> Order:
    """The order an archive document describes (either form)."""
    return _order_from(ex, _keyed(data, ORDER_KEYS))


def fill_from(data: str | bytes, order: Order) -> Fill:
    """The fill an archive document describes (either form), of ``order``."""
    d = _keyed(data, FILL_KEYS)
    return Fill(d["fill_id"], order, d["qty"], d["price"], d["time_us"],
                date.fromisoformat(d["day"]), d["fee"], d["tax"], d["trade_id"])

