"""Overseas futures notices: a futures book fill → an encrypted ``HDFFF2C0`` frame, an order
event (accepted, modified, cancelled, refused, a stop triggered) → ``HDFFF1C0`` (issue 15).

As KIS does for stocks (:mod:`.notices`), the simulator sends 해외선물옵션 실시간체결내역통보 to the
HTS ID of every app key bound to the account whose order filled, encrypted with that session's
key. The values are the ones the REST order and fill lists (``inquire_ccld``,
``inquire_daily_ccld`` of :mod:`.handlers.overseas_futures_trading`) show for the same order and
fill, formatted by the same helpers, so a client sees on the stream what those lists show later.

``HDFFF1C0`` (해외선물옵션 실시간주문내역통보) carries the order as the order list shows it after
the event: ``RVSE_CNCL_DVSN_CD`` ``00`` new, ``01`` modification (the new order, with the
original's number), ``02`` cancellation; ``FM_EXCG_RCIT_DVSN_CD`` ``02`` (응답: the exchange
answered) or ``03`` (거부: refused; the order number is blank, as nothing was booked, and the
REST answer names the reason); ``PRCE_TP`` the order type (1 limit, 2 market, 3 stop,
4 stop-limit). A stop's trigger is sent as the order again (``TRD_COND`` ``T``), so a client
following the stream knows the stop is now working.

A resting limit order fills at the first minute of the session whose price reaches it, with
the clock alone: while a session subscribes the notice TR, the realtime feed brings the futures
book up to the clock at every tick (:meth:`.futures_feed.FuturesFeed.catch_up`, the same sync a
REST read does), so the notice goes out then, carrying the fill's own time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._generated.streams import RECORDS
from .engine.futures_book import (
    FFill,
    FOrder,
    FuturesBook,
    add_fill_listener,
    add_order_listener,
    book_of,
)
from .engine.futures_quotes import CHICAGO
from .handlers._common import ymd
from .handlers.overseas_futures_trading import _fuop, _money, _price

if TYPE_CHECKING:
    from .state import SimState

__all__ = ["NOTICE_TR", "ORDER_TR", "attach_futures_notices", "notice_row", "order_row"]

NOTICE_TR = "HDFFF2C0"
ORDER_TR = "HDFFF1C0"
_STAMP = "%Y%m%d%H%M%S"


def order_row(book: FuturesBook, event: str, order: FOrder, now: str) -> list[str]:
    """The ``HDFFF1C0`` record of one order event, in the catalogue's column order."""
    spec, _exp = book.spec(order.code)
    values = {
        "acct_no": order.account[0] + order.account[1],
        "ord_dt": ymd(order.session_day), "odno": order.odno,
        "orgn_ord_dt": ymd(order.session_day) if order.orgn_odno else "",
        "orgn_odno": order.orgn_odno if event != "cancelled" else order.odno,
        "series": order.code,
        "rvse_cncl_dvsn_cd": "02" if event == "cancelled" else "01" if order.orgn_odno else "00",
        "sll_buy_dvsn_cd": order.side, "cplx_ord_dvsn_cd": "0", "prce_tp": order.kind,
        "fm_excg_rcit_dvsn_cd": "03" if event == "refused" else "02",
        "ord_qty": str(order.qty),
        "fm_lmt_pric": _price(spec, order.limit) if order.limit is not None else "0",
        "fm_stop_ord_pric": _price(spec, order.stop) if order.stop is not None else "0",
        "tot_ccld_qty": str(order.filled),
        "tot_ccld_uv": _price(spec, order.fill_ticks) if order.filled else "0",
        "ord_remq": str(order.remaining), "fm_ord_grp_dt": ymd(order.session_day),
        "ord_grp_stno": "", "ord_dtl_dtime": order.placed.strftime(_STAMP),
        "oprt_dtl_dtime": now, "work_empl": "", "crcy_cd": spec.currency, "lqd_yn": "N",
        "lqd_lmt_pric": "0", "lqd_stop_pric": "0",
        "trd_cond": "T" if event == "triggered" else "",
        "term_ord_vald_dtime": ymd(order.good_till or order.session_day),
        "spec_tp": "", "ecis_rsvn_ord_yn": "N", "fuop_item_dvsn_cd": _fuop(order.code),
        "auto_ord_dvsn_cd": "",
    }
    return [values.get(c.lower(), "") for c in RECORDS[ORDER_TR].COLUMNS]


def notice_row(book: FuturesBook, order: FOrder, fill: FFill) -> list[str]:
    """The ``HDFFF2C0`` record of one fill, in the catalogue's column order."""
    spec, _exp = book.spec(order.code)
    stamp = _STAMP
    values = {
        "acct_no": order.account[0] + order.account[1],
        "ord_dt": ymd(order.session_day), "odno": order.odno,
        "orgn_ord_dt": ymd(order.session_day) if order.orgn_odno else "",
        "orgn_odno": order.orgn_odno, "series": order.code,
        "rvse_cncl_dvsn_cd": "01" if order.orgn_odno else "00",
        "sll_buy_dvsn_cd": order.side, "cplx_ord_dvsn_cd": "0", "prce_tp": order.kind,
        "fm_excg_rcit_dvsn_cd": "01", "ord_qty": str(order.qty),
        "fm_lmt_pric": _price(spec, order.limit) if order.limit is not None else "0",
        "fm_stop_ord_pric": "0", "tot_ccld_qty": str(order.filled),
        "tot_ccld_uv": _price(spec, order.fill_ticks),
        "ord_remq": str(order.remaining), "fm_ord_grp_dt": ymd(order.session_day),
        "ord_grp_stno": "", "ord_dtl_dtime": order.placed.strftime(stamp),
        "oprt_dtl_dtime": fill.time.strftime(stamp), "work_empl": "",
        "ccld_dt": ymd(fill.time.astimezone(CHICAGO)), "ccno": fill.ccno, "api_ccno": fill.ccno,
        "ccld_qty": str(fill.qty), "fm_ccld_pric": _price(spec, fill.ticks),
        "crcy_cd": spec.currency, "trst_fee": _money(fill.fee), "ord_mdia_online_yn": "Y",
        "fm_ccld_amt": _money(book.money(spec, fill.ticks, fill.qty)),
        "fuop_item_dvsn_cd": _fuop(order.code),
    }
    return [values.get(c.lower(), "") for c in RECORDS[NOTICE_TR].COLUMNS]


def attach_futures_notices(state: SimState) -> None:
    """Publish every futures fill and order event of ``state``'s exchange to the owners'
    notice streams."""
    exchange = state.exchange

    def owners(order: FOrder) -> list[str]:
        if state.realtime_hub is None:
            return []
        hts_ids: list[str] = []
        for rec in state.auth.keys.values():
            if rec.account == tuple(order.account) and rec.hts_id and rec.hts_id not in hts_ids:
                hts_ids.append(rec.hts_id)
        return hts_ids

    def on_fill(order: FOrder, fill: FFill) -> None:
        hts_ids = owners(order)
        if not hts_ids:
            return
        row = notice_row(book_of(exchange), order, fill)
        for hts_id in hts_ids:
            state.realtime_hub.publish(NOTICE_TR, hts_id, [row])

    def on_order(event: str, order: FOrder) -> None:
        hts_ids = owners(order)
        if not hts_ids:
            return
        when = order.triggered if event == "triggered" and order.triggered else \
            exchange.clock.now()
        row = order_row(book_of(exchange), event, order, when.strftime(_STAMP))
        for hts_id in hts_ids:
            state.realtime_hub.publish(ORDER_TR, hts_id, [row])

    add_fill_listener(exchange, on_fill)
    add_order_listener(exchange, on_order)
