"""Finished futures/options orders leave memory at each snapshot, as stock orders do, and stay
queryable (issue 14): the SDK's order, fill, fee and balance answers are the same before and
after, across a background snapshot still being written, and after a restart; a long-lived
market holds only what still works."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from hantoo.futures_options import FuturesOptions
from hantoo.sim.derivatives.market import market_for
from hantoo.sim.store import open_exchange

sys.path.insert(0, str(Path(__file__).parents[1] / "workflows"))
from simkit import ACCOUNT, START, private_sim

FRONT = "A01612"


def _answers(c: Any, fo: FuturesOptions) -> dict[str, Any]:
    """What the SDK sees of the account's futures/options history."""
    api = c.domestic_futureoption
    day = f"{START:%Y%m%d}"
    return {
        "orders": [(r.odno, r.orgn_odno, r.ord_qty, r.tot_ccld_qty, r.qty, r.avg_idx,
                    r.trad_dvsn_name) for r in fo.orders(START.date())],
        "fills": [(r.odno, r.ccld_qty, r.ccld_idx, r.fee) for r in api.inquire_ccnl_bstime(
            ord_dt=day, fuop_tr_strt_tmd="000000", fuop_tr_end_tmd="235959").output1],
        "fees": [(r.pdno, r.buy_fee, r.sll_fee) for r in api.inquire_daily_amount_fee(
            inqr_strt_day=day, inqr_end_day=day).output1],
        "positions": [(p.code, p.quantity, p.average_price) for p in fo.positions()],
        "cash": fo.margin().cash,
    }


def test_finished_orders_are_archived_and_still_answered(tmp_path: Path) -> None:
    with private_sim(state_path=str(tmp_path / "sim.db")) as sim, sim.client() as c:
        fo = FuturesOptions(c)
        ex = sim.state.exchange
        m = market_for(ex)
        bids, asks = fo.order_book(FRONT)
        for _ in range(3):
            fo.place_order(FRONT, "buy", 1, asks[0][0])
        fo.place_order(FRONT, "sell", 2, bids[0][0])
        low = bids[0][0] - Decimal("2.00")
        working = fo.place_order(FRONT, "buy", 3, low)
        gone = fo.place_order(FRONT, "buy", 2, low)
        fo.cancel_order(gone.odno)
        moved = fo.modify_order(working.odno, low - Decimal("0.50"), 1)  # 2 stay working
        before = _answers(c, fo)
        assert len(before["orders"]) == 8 and len(before["fills"]) == 4
        assert len(m.orders) == 8

        ex.checkpoint()  # blocking: finished orders and their fills go to the archive
        # kept hot: the working original (2 left) and its modify record (1 working)
        assert sorted(f"{o:010d}" for o in m.orders) == sorted([working.odno, moved.odno])
        assert m.fills == []
        assert _answers(c, fo) == before

        # a background snapshot: answered from memory until its child commits, then from disk
        fo.cancel_order(moved.odno)
        after_cancel = _answers(c, fo)
        store = ex._j_checkpointer
        assert store.checkpoint(ex, background=True)
        assert _answers(c, fo) == after_cancel
        ex.wait_snapshot()
        assert _answers(c, fo) == after_cancel
        # the cancelled modify record stays hot while its original still works
        assert sorted(f"{o:010d}" for o in m.orders) == sorted([working.odno, moved.odno])

    # a restart answers the same from the archive
    with private_sim(state_path=str(tmp_path / "sim.db")) as sim, sim.client() as c:
        fo = FuturesOptions(c)
        assert _answers(c, fo) == after_cancel
        assert sorted(f"{o:010d}" for o in market_for(sim.state.exchange).orders) == sorted(
            [working.odno, moved.odno])


def test_a_long_lived_market_holds_only_what_works(tmp_path: Path) -> None:
    """Many round trips with periodic snapshots: the hot orders stay bounded."""
    cfg_path = tmp_path / "sim.db"
    with private_sim(state_path=str(cfg_path)) as sim:
        ex = sim.state.exchange
        ex.deposit(ACCOUNT, Decimal(10_000_000_000))
        ex._j_every = 25  # a snapshot every 25 journal records
        ex._j_background = False
        m = market_for(ex)
        from hantoo.sim.engine.orders import BUY, SELL

        for i in range(60):
            snap = m.snapshot(FRONT)
            if i % 2 == 0:
                m.place(ACCOUNT, FRONT, BUY, "01", 1, snap.asks[0][0])
            else:
                m.place(ACCOUNT, FRONT, SELL, "01", 1, snap.bids[0][0])
        assert len(m.orders) < 25 and len(m.fills) < 25
        total = m.all_orders(ACCOUNT, START.date(), START.date())
        assert len(total) == 60 and all(o.filled == 1 for o in total)
        assert len(m.all_fills(ACCOUNT, START.date(), START.date())) == 60
        assert m.fees_paid(ACCOUNT) == sum(o.fees for o in total) > 0
        ex.flush()  # direct market calls: the server's per-request group commit is not there
    reopened = open_exchange(cfg_path)
    m2 = market_for(reopened)
    assert len(m2.all_orders(ACCOUNT, START.date(), START.date())) == 60
    assert len(m2.orders) < 25
