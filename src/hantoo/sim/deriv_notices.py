"""Futures/options order notices: the derivatives market's order events → encrypted notice TRs.

As stock notices (:mod:`hantoo.sim.notices`) do, every event of a user order goes to the HTS ID
of every app key bound to the order's account, AES-encrypted with the subscription's key, so
the stream tells what the REST order and fill queries (``inquire-ccnl``) later show: order
number, original order number, series, side, quantity, price (points, two decimals) and time on
the simulator's clock.

Events and how the columns tell them apart (KIS's notice layout):

==============  ========  ========  ========  ========  ===========================================
event           RCTF_CLS  CNTG_YN   ACPT_YN   RFUS_YN   quantity / price
==============  ========  ========  ========  ========  ===========================================
accepted        0         1         1         0         order quantity / order price
modified        1         1         2         0         the new record's quantity / price
cancelled       2         1         2         0         the cancelled quantity
killed          0         1         3         0         the IOC/FOK (or market) remainder cancelled
refused         0/1/2     1         1/2       1         the request's quantity; no order number
fill            0         2         2         0         the fill's quantity / price
==============  ========  ========  ========  ========  ===========================================

Which TR: the day session's orders on ``H0IFCNI0``; night-session (KRX 야간) orders on the
catalogue's night notice TRs, ``H0MFCNI0`` for futures and ``H0EUCNI0`` for options. Each row
is laid out by its TR's catalogue columns (the night TRs have three columns fewer).

Only the real TRs are sent: no paper twins are in the catalogue this project builds its tables
from, so a paper-persona key gets no futures/options notices.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from .._generated.streams import RECORDS
from .derivatives.instruments import DerivInstrument
from .derivatives.market import DFill, DOrderEvent, market_for, on_fill, on_order
from .engine.orders import BUY, Order
from .engine_feed import _num

__all__ = ["notice_tr", "watch_fills", "watch_orders"]

_log = logging.getLogger("hantoo.sim.deriv_notices")
TR = "H0IFCNI0"
NIGHT_FUTURES_TR = "H0MFCNI0"
NIGHT_OPTIONS_TR = "H0EUCNI0"
ORDER_ORGNO = "06010"  # BRNC_NO: the branch the futures/options order answer names


def notice_tr(inst: DerivInstrument, night: bool) -> str:
    """The notice TR an order's events go to (night session: by futures or options)."""
    if not night:
        return TR
    return NIGHT_OPTIONS_TR if inst.is_option else NIGHT_FUTURES_TR


def _row(tr: str, values: dict[str, str]) -> list[str]:
    return [values.get(c.lower(), "") for c in RECORDS[tr].COLUMNS]


def _common(inst: DerivInstrument, hts_id: str, account: tuple[str, str], odno: int,
            orig: int, side: int, when: datetime) -> dict[str, str]:
    return {
        "cust_id": hts_id,
        "acnt_no": account[0] + account[1],
        "oder_no": f"{odno:010d}" if odno else "",
        "ooder_no": f"{orig:010d}" if orig else "",
        "seln_byov_cls": "02" if side == BUY else "01",
        "oder_kind2": "0",
        "stck_shrn_iscd": inst.code,
        "stck_cntg_hour": when.strftime("%H%M%S"),
        "brnc_no": ORDER_ORGNO,
        "acnt_name": "",
        "cntg_isnm": inst.name,
        "oder_cond": "0",
        "ord_grp": "",
        "ord_grpseq": "",
    }


def notice_row(fill: DFill, order: Order, hts_id: str, tr: str = TR) -> list[str]:
    """One fill as the notice TR's columns (wire order)."""
    inst = order.inst.deriv  # type: ignore[attr-defined]  # a DerivShim
    values = _common(inst, hts_id, fill.account, order.odno, order.orig_odno, fill.side,
                     fill.time)
    values.update({
        "rctf_cls": "0",
        "cntg_qty": str(fill.qty),
        "cntg_unpr": _num(inst.points(fill.units), 2),
        "rfus_yn": "0",
        "cntg_yn": "2",  # an execution
        "acpt_yn": "2",
        "oder_qty": str(order.qty),
        "order_prc": _num(inst.points(order.price), 2),
    })
    return _row(tr, values)


_ACPT = {"accepted": "1", "modified": "2", "cancelled": "2", "killed": "3"}


def event_row(ev: DOrderEvent, inst: DerivInstrument, hts_id: str, tr: str = TR) -> list[str]:
    """One order event (not a fill) as the notice TR's columns (wire order)."""
    values = _common(inst, hts_id, ev.account, ev.odno, ev.orig_odno, ev.side, ev.time)
    price = _num(inst.points(ev.units), 2) if ev.units else "0"
    refused = ev.kind == "refused"
    values.update({
        "rctf_cls": ev.correction,
        "cntg_qty": str(ev.qty),
        "cntg_unpr": price,
        "rfus_yn": "1" if refused else "0",
        "cntg_yn": "1",  # an order, modify, cancel or refusal: no execution
        "acpt_yn": ("1" if ev.correction == "0" else "2") if refused else _ACPT[ev.kind],
        "oder_qty": str(ev.order_qty),
        "order_prc": price,
    })
    return _row(tr, values)


def _recipients(state: Any, account: tuple[str, str]) -> list[str]:
    out: list[str] = []
    for rec in state.auth.keys.values():
        if (rec.account == tuple(account) and rec.hts_id and rec.persona != "paper"
                and rec.hts_id not in out):
            out.append(rec.hts_id)
    return out


def watch_fills(state: Any, exchange: Any) -> None:
    """Publish every user order event of ``exchange``'s derivatives market (fills and the
    rest, see :func:`watch_orders`) through the state's hub."""

    def on_event(fill: DFill, order: Order) -> None:
        hub = getattr(state, "realtime_hub", None)
        if hub is None:
            return
        try:
            inst = order.inst.deriv  # type: ignore[attr-defined]
            tr = notice_tr(inst, order.venue == 1)
            for hts_id in _recipients(state, fill.account):
                hub.publish(tr, hts_id, [notice_row(fill, order, hts_id, tr)])
        except Exception:  # a notice must never break the market's command
            _log.exception("could not publish a futures/options fill notice")

    on_fill(exchange, on_event)
    watch_orders(state, exchange)


def watch_orders(state: Any, exchange: Any) -> None:
    """Publish each accepted, modified, cancelled, killed or refused user order."""

    def on_event(ev: DOrderEvent) -> None:
        hub = getattr(state, "realtime_hub", None)
        if hub is None:
            return
        try:
            inst = market_for(exchange).listing().get(ev.code)
            if inst is None:
                return
            tr = notice_tr(inst, ev.night)
            for hts_id in _recipients(state, ev.account):
                hub.publish(tr, hts_id, [event_row(ev, inst, hts_id, tr)])
        except Exception:  # a notice must never break the market's command
            _log.exception("could not publish a futures/options order notice")

    on_order(exchange, on_event)
