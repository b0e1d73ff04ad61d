"""Reservation orders (예약주문): sent by KIS at the next session's open, not at a time of day.

Domestic reservations are accepted 15:40–07:30 (except 23:40–00:10) and take only limit,
market, conditional and pre-market orders; with an end date (at most 30 days out) they become
*period* reservations, re-sent each business day for the unfilled quantity — which is what
``tif="gtd"`` maps to. US reservations exist too (buy/sell TR IDs), without an end date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .._core.wire import ApiResponse
from ..domain.coerce import date_of, text
from ..domain.convert import reservation_from, us_reservation_from
from ..domain.kst import today_kst
from ..domain.objects import Reservation
from ..domain.ordertypes import OrderType, Side, resolve_order, resolve_reservation
from ..domain.symbols import Symbol
from .steps import Call, Workflow, collect_rows

__all__ = ["cancel_reservation_flow", "list_reservations_flow", "place_reservation_flow"]


def place_reservation_flow(
    symbol: Symbol,
    side: Side,
    quantity: int,
    price: Decimal | None,
    order_type: OrderType,
    *,
    end_date: dt.date | None = None,
    today: dt.date | None = None,
) -> Workflow[Reservation]:
    """Place a reservation; ``today`` is the server's date (the reservation's receipt day)."""
    if symbol.is_overseas:
        code = resolve_order("us_stock", order_type, side=side).code
        r: ApiResponse = yield Call("overseas_stock/order_resv", {
            "ord_dv": "usBuy" if side is Side.BUY else "usSell", "pdno": symbol.order_code,
            "ovrs_excg_cd": symbol.exchange, "ft_ord_qty": quantity,
            "ft_ord_unpr3": price if price is not None else Decimal(0),
            "ord_svr_dvsn_cd": "0", "ord_dvsn": code})
        row = r.rows("output")[0] if r.rows("output") else None
        return Reservation(
            reservation_no=(text(row, "ovrs_rsvn_odno", "odno") if row else None) or "",
            symbol=symbol.code, side=side, quantity=quantity, price=price,
            currency=symbol.currency, ordered_on=date_of(row, "rsvn_ord_rcit_dt") if row else None,
            order_type_code=code, exchange=symbol.exchange, raw=r)
    code = resolve_reservation(order_type).value
    r = yield Call("domestic_stock/order_resv", {
        "pdno": symbol.order_code, "ord_qty": quantity,
        "ord_unpr": price if price is not None else Decimal(0), "sll_buy_dvsn_cd": side.code,
        "ord_dvsn_cd": code, "ord_objt_cblc_dvsn_cd": "10", "rsvn_ord_end_dt": end_date})
    row = r.rows("output")[0] if r.rows("output") else None
    return Reservation(
        reservation_no=(text(row, "rsvn_ord_seq") if row else None) or "",
        symbol=symbol.code, side=side, quantity=quantity, price=price, currency=symbol.currency,
        ordered_on=today or today_kst(), end_date=end_date, order_type_code=code, raw=r)


def list_reservations_flow(
    start: dt.date, end: dt.date, *, us: bool = False, include_cancelled: bool = True,
    exchange: str = "NASD",
) -> Workflow[list[Reservation]]:
    if us:
        rows, _e, _l = yield from collect_rows("overseas_stock/order_resv_list", {
            "nat_dv": "us", "inqr_strt_dt": start, "inqr_end_dt": end, "inqr_dvsn_cd": "00",
            "ovrs_excg_cd": exchange}, block="output")
        found = [us_reservation_from(r) for r in rows]
    else:
        rows, _e, _l = yield from collect_rows("domestic_stock/order_resv_ccnl", {
            "rsvn_ord_ord_dt": start, "rsvn_ord_end_dt": end, "tmnl_mdia_kind_cd": "00",
            "prcs_dvsn_cd": "0", "cncl_yn": "Y" if include_cancelled else "N"}, block="output")
        found = [reservation_from(r) for r in rows]
    return [r for r in found if include_cancelled or not r.cancelled]


def cancel_reservation_flow(
    symbol: Symbol, reservation_no: str, ordered_on: dt.date | None = None
) -> Workflow[bool]:
    day = ordered_on or today_kst()
    if symbol.is_overseas:
        yield Call("overseas_stock/order_resv_ccnl", {
            "nat_dv": "us", "rsvn_ord_rcit_dt": day, "ovrs_rsvn_odno": reservation_no})
        return True
    r: ApiResponse = yield Call("domestic_stock/order_resv_rvsecncl", {
        "ord_type": "cancel", "rsvn_ord_seq": reservation_no, "rsvn_ord_orgno": "",
        "rsvn_ord_ord_dt": day, "pdno": symbol.order_code})
    row = r.rows("output")[0] if r.rows("output") else None
    flag = row.get("nrml_prcs_yn") if row is not None else None
    return flag is None or flag is True or str(flag).upper() == "Y"
