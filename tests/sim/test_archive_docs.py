"""Archived orders and fills: positional documents now, keyed ones from older state files."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from hantoo.sim.archive_docs import FILL_KEYS, ORDER_KEYS
from hantoo.sim.engine import Exchange, ExchangeConfig, OrderType, SessionClock, Side
from hantoo.sim.engine.views import FillInfo, OrderInfo
from hantoo.sim.store import StateStore, open_exchange
from hantoo.sim.store_v1 import _fill_doc, _order_doc

from ._util import ACCT, DAY

SYM = "005930"


def _history(ex: Exchange) -> tuple[list[OrderInfo], list[FillInfo]]:
    d = DAY.date()
    return (ex.order_history(ACCT, d, d), ex.fill_history(ACCT, d, d))


def test_archive_rows_are_positional_and_keyed_rows_still_answer(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    ex = open_exchange(path, ExchangeConfig(seed=5, clock=SessionClock(start=DAY)))
    ex.open_account(*ACCT, krw=Decimal(10**10))
    placed = [ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 3 + i) for i in range(4)]
    resting = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 2,
                             ex.order_book(SYM).bids[-1].price)
    cancelled = ex.cancel_order(ACCT, resting.odno)
    before = _history(ex)
    orders, fills = before
    assert len(orders) == 6 and len(fills) >= 4
    ex.checkpoint()  # blocking: every finished order goes to the archive now
    assert not ex.orders
    assert _history(ex) == before
    assert ex.order(ACCT, placed[0].odno) == orders[0]
    assert ex.order(ACCT, cancelled.odno).status == cancelled.status

    store = ex._j_checkpointer
    assert isinstance(store, StateStore)
    rows = store.db.execute("SELECT data FROM archived_orders ORDER BY odno").fetchall()
    docs = [json.loads(d) for (d,) in rows]
    assert all(isinstance(d, list) and len(d) == len(ORDER_KEYS) for d in docs)
    first = dict(zip(ORDER_KEYS, docs[0], strict=True))
    assert (first["cano"], first["prdt"], first["code"]) == (*ACCT, SYM)
    assert first["day"] == DAY.date().isoformat() and first["otype"] == OrderType.MARKET.value
    frows = store.db.execute("SELECT data FROM archived_fills").fetchall()
    assert all(len(json.loads(d)) == len(FILL_KEYS) for (d,) in frows)

    # a state file written before: the same records as keyed documents (store_v1's form)
    for odno in [int(o.odno) for o in orders]:
        o = store.archived_order(ex, ACCT, odno)
        assert o is not None
        store.db.execute("UPDATE archived_orders SET data = ? WHERE odno = ?",
                         (json.dumps(_order_doc(o)), odno))
    for f in store.archived_fills(ex, ACCT, DAY.date(), DAY.date()):
        store.db.execute("UPDATE archived_fills SET data = ? WHERE fill_id = ?",
                         (json.dumps(_fill_doc(f)), f.fill_id))
    assert isinstance(json.loads(store.db.execute(
        "SELECT data FROM archived_orders").fetchone()[0]), dict)
    assert _history(ex) == before
    store.close()  # as the server does at exit
    reopened = open_exchange(path)
    assert _history(reopened) == before
