"""Futures/options fill notices: a fill in the derivatives market → an encrypted ``H0IFCNI0``.

As stock notices (:mod:`hantoo.sim.notices`) do, a fill of a user order goes to the HTS ID of
every app key bound to the order's account, AES-encrypted with the subscription's key, so the
stream tells what the REST fills (``inquire-ccnl``) later show: order number, series, side,
quantity, price (points, two decimals) and time on the simulator's clock.

Only the real TR is sent: the paper twin (``H0IFCNI9``) is not in the catalogue this project
builds its tables from, so a paper-persona key gets no futures/options notices yet.
"""

from __future__ import annotations

import logging
from typing import Any

from .._generated.streams import RECORDS
from .derivatives.market import DFill, on_fill
from .engine.orders import BUY, Order
from .engine_feed import _num

__all__ = ["watch_fills"]

_log = logging.getLogger("hantoo.sim.deriv_notices")
TR = "H0IFCNI0"
ORDER_ORGNO = "06010"  # BRNC_NO: the branch the futures/options order answer names


def notice_row(fill: DFill, order: Order, hts_id: str) -> list[str]:
    """One fill as the ``H0IFCNI0`` columns (wire order)."""
    inst = order.inst.deriv  # type: ignore[attr-defined]  # a DerivShim
    values = {
        "cust_id": hts_id,
        "acnt_no": fill.account[0] + fill.account[1],
        "oder_no": f"{order.odno:010d}",
        "ooder_no": f"{order.orig_odno:010d}" if order.orig_odno else "",
        "seln_byov_cls": "02" if fill.side == BUY else "01",
        "rctf_cls": "0",
        "oder_kind2": "0",
        "stck_shrn_iscd": fill.code,
        "cntg_qty": str(fill.qty),
        "cntg_unpr": _num(inst.points(fill.units), 2),
        "stck_cntg_hour": fill.time.strftime("%H%M%S"),
        "rfus_yn": "0",
        "cntg_yn": "2",  # an execution
        "acpt_yn": "2",
        "brnc_no": ORDER_ORGNO,
        "oder_qty": str(order.qty),
        "acnt_name": "",
        "cntg_isnm": inst.name,
        "oder_cond": "0",
        "ord_grp": "",
        "ord_grpseq": "",
        "order_prc": _num(inst.points(order.price), 2),
    }
    return [values.get(c.lower(), "") for c in RECORDS[TR].COLUMNS]


def watch_fills(state: Any, exchange: Any) -> None:
    """Publish each user fill of ``exchange``'s derivatives market through the state's hub."""

    def on_event(fill: DFill, order: Order) -> None:
        hub = getattr(state, "realtime_hub", None)
        if hub is None:
            return
        try:
            sent: set[str] = set()
            for rec in state.auth.keys.values():
                if (rec.account == tuple(fill.account) and rec.hts_id
                        and rec.persona != "paper" and rec.hts_id not in sent):
                    sent.add(rec.hts_id)
                    hub.publish(TR, rec.hts_id, [notice_row(fill, order, rec.hts_id)])
        except Exception:  # a notice must never break the market's command
            _log.exception("could not publish a futures/options fill notice")

    on_fill(exchange, on_event)

