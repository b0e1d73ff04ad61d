"""Overseas futures orders behind the ordinary :class:`~hantoo.workflows.order.Order` handle.

Why here and not in :mod:`.futures`: ``client.place_order("CME:ESZ26", ...)`` returns the same
handle a stock order does, so ``order.modify``, ``order.cancel``, ``order.refresh`` and
``client.reconcile(error)`` work the same for a futures series. The futures APIs differ from
the stock ones in every field (``overseas_futureoption/order``, ``order_rvsecncl`` with the
*local* trading day as ``ORGN_ORD_DT``, ``inquire_daily_order`` for the order list), so these
flows translate; :mod:`.trading` hands a futures :class:`OrderRef` to them.

Order types: limit and market day orders (KIS ``PRIC_DVSN_CD`` 1/2, ``CCLD_CNDT_CD`` 6/2), a
limit good till date (``tif="gtd"``: ``CCLD_CNDT_CD`` 5, good until the series' last trading
day: the API takes no date), and stop / stop-limit orders (``order_type="stop"`` with
``stop_price=``; 3/4). Prices are checked on the contract's tick before anything is sent; an
order is sent once and never again (a lost answer is an
:class:`~hantoo.errors.OrderStateUnknownError` for ``client.reconcile``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._core.wire import ApiResponse, Row
from ..domain.coerce import text
from ..domain.errors import UnsupportedOrderError
from ..domain.kst import KST
from ..domain.objects import OrderSnapshot, OrderStatus
from ..domain.ordertypes import Side
from ..domain.symbols import Symbol
from .driver import Context
from .futures import check_futures_order
from .steps import Call, Workflow, collect_rows

if TYPE_CHECKING:
    from .trading import OrderRef

__all__ = ["FUTURES_ORDER_TYPES", "as_stock_notice", "futures_cancel_ref_flow",
           "futures_modify_ref_flow", "futures_place_ref_flow", "futures_rows_flow",
           "futures_snapshot_from", "futures_status_flow"]

#: The order types a futures order takes (``order_type=``) → KIS ``PRIC_DVSN_CD``.
FUTURES_ORDER_TYPES = {"limit": "1", "market": "2", "stop": "3", "stop_limit": "4"}
_LOOKBACK = dt.timedelta(days=7)


def _dec(v: Any) -> Decimal | None:
    if v is None or v == "":
        return None
    try:
        d = Decimal(str(v))
    except ArithmeticError:
        return None
    return d


def _int(v: Any) -> int:
    d = _dec(v)
    return int(d) if d is not None else 0


def _when(v: Any) -> dt.datetime | None:
    if isinstance(v, dt.datetime):
        return v if v.tzinfo else v.replace(tzinfo=KST)
    s = str(v or "").strip()
    if len(s) >= 14 and s[:14].isdigit():
        return dt.datetime.strptime(s[:14], "%Y%m%d%H%M%S").replace(tzinfo=KST)
    return None


def _day(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = str(v or "").strip()
    return dt.datetime.strptime(s[:8], "%Y%m%d").date() if len(s) >= 8 and s[:8].isdigit() \
        else None


def futures_snapshot_from(row: Row | Any, symbol: Symbol) -> OrderSnapshot:
    """An ``inquire_daily_order`` (or ``inquire_ccld``) row → :class:`OrderSnapshot`. What is
    neither filled nor left was cancelled (or expired: KIS lists both the same way)."""
    qty = _int(row.get("fm_ord_qty"))
    filled = _int(row.get("fm_ccld_qty"))
    remaining = _int(row.get("fm_ord_rmn_qty"))
    rejected = bool(text(row, "rjct_rson_name"))
    cancelled = max(qty - filled - remaining, 0) if not rejected else 0
    if rejected and not filled:
        status = OrderStatus.REJECTED
    elif qty and filled >= qty:
        status = OrderStatus.FILLED
    elif cancelled and not remaining:
        status = OrderStatus.CANCELLED
    elif filled:
        status = OrderStatus.PARTIALLY_FILLED
    else:
        status = OrderStatus.ACCEPTED
    price = _dec(row.get("fm_ord_pric"))
    return OrderSnapshot(
        order_no=text(row, "odno") or "",
        symbol=text(row, "ovrs_futr_fx_pdno") or "",
        side=Side.from_code(text(row, "sll_buy_dvsn_cd")) or Side.BUY,
        quantity=qty, price=price or None, currency=symbol.currency, status=status,
        filled_quantity=filled,
        average_fill_price=_dec(row.get("fm_ccld_pric")) if filled else None,
        remaining_quantity=remaining, cancelled_quantity=cancelled,
        rejected_quantity=qty if rejected and not filled else 0,
        order_type_code=text(row, "pric_dvsn_cd") or text(row, "bass_pric_type_cd") or "",
        original_order_no=text(row, "orgn_odno") or "", exchange=symbol.exchange,
        placed_at=_when(row.get("rcit_dtl_dtime") or row.get("erlm_dtl_dtime")), raw=row)


def futures_rows_flow(start: dt.date, end: dt.date) -> Workflow[list[Row]]:
    """Every futures/options order of the local trading days ``start``..``end``."""
    rows, _extra, _last = yield from collect_rows("overseas_futureoption/inquire_daily_order", {
        "strt_dt": start, "end_dt": end, "fm_pdgr_cd": "", "ccld_nccs_dvsn": "01",
        "sll_buy_dvsn_cd": "", "fuop_dvsn": "00", "ctx_area_fk200": "",
        "ctx_area_nk200": ""}, block="output")
    return rows


def prepare_futures_order(symbol: Symbol, side: Side | str, quantity: int,
                          price: Decimal | int | str | None, order_type: Any, tif: Any,
                          stop_price: Decimal | int | str | None,
                          ) -> tuple[Side, str, str, Decimal | None, Decimal | None]:
    """(side, PRIC_DVSN_CD, CCLD_CNDT_CD, limit, stop) after every local check."""
    s = Side.parse(side)
    if isinstance(price, float) or isinstance(stop_price, float):
        raise TypeError("prices must be Decimal, int or str, never float")
    kind_name = str(getattr(order_type, "value", order_type) or "").lower() or (
        "stop" if stop_price is not None and price is None
        else "stop_limit" if stop_price is not None
        else "limit" if price is not None else "market")
    kind = FUTURES_ORDER_TYPES.get(kind_name.replace("-", "_"))
    if kind is None:
        raise UnsupportedOrderError(
            f"an overseas futures order is limit, market, stop or stop_limit, not {kind_name!r}",
            suggestion="order_type='limit' with a price, or 'stop' with stop_price=")
    tif_name = str(getattr(tif, "value", tif) or "day").lower()
    if tif_name not in ("day", "gtd"):
        raise UnsupportedOrderError(
            f"overseas futures orders are day or gtd orders, not {tif_name!r}",
            suggestion="tif='day' (the default) or tif='gtd' (until the series' last day)")
    if kind == "2" and tif_name == "gtd":
        raise UnsupportedOrderError("a market order is a day order", suggestion="tif='day'")
    _code, limit = check_futures_order(symbol, s.value, quantity,
                                       price if kind in ("1", "4") else None)
    if kind in ("1", "4") and limit is None:
        raise UnsupportedOrderError(f"a {kind_name} order needs a price", suggestion="price=...")
    if kind in ("2", "3") and price is not None:
        raise UnsupportedOrderError(
            f"a {kind_name} order takes no limit price; {price} would be ignored",
            suggestion="price=None, or order_type='stop_limit'")
    stop: Decimal | None = None
    if kind in ("3", "4"):
        if stop_price is None:
            raise UnsupportedOrderError(f"a {kind_name} order needs stop_price=",
                                        suggestion="stop_price=... on the contract's tick")
        _c, stop = check_futures_order(symbol, s.value, quantity, stop_price)
    elif stop_price is not None:
        raise UnsupportedOrderError("stop_price= applies to stop and stop_limit orders only",
                                    suggestion="order_type='stop' or 'stop_limit'")
    cndt = "2" if kind == "2" else "5" if tif_name == "gtd" else "6"
    return s, kind, cndt, limit, stop


def futures_place_ref_flow(ctx: Context, symbol: Symbol, side: Side, quantity: int, kind: str,
                           cndt: str, limit: Decimal | None,
                           stop: Decimal | None) -> Workflow[tuple[OrderRef, OrderSnapshot]]:
    """Send the order once: (the :class:`~.trading.OrderRef`, its first snapshot)."""
    from .trading import OrderRef  # at run time here: trading imports this module

    r: ApiResponse = yield Call("overseas_futureoption/order", {
        "ovrs_futr_fx_pdno": symbol.code, "sll_buy_dvsn_cd": side.code,
        "fm_lqd_ustl_ccld_dt": "", "fm_lqd_ustl_ccno": "", "pric_dvsn_cd": kind,
        "fm_limit_ord_pric": "" if limit is None else str(limit),
        "fm_stop_ord_pric": "" if stop is None else str(stop), "fm_ord_qty": quantity,
        "fm_lqd_lmt_ord_pric": "", "fm_lqd_stop_ord_pric": "", "ccld_cndt_cd": cndt,
        "cplx_ord_dvsn_cd": "0", "ecis_rsvn_ord_yn": "N", "fm_hdge_ord_scrn_yn": "N"})
    rows = r.rows("output")
    out: Any = rows[0] if rows else {}
    odno = str(out.get("ODNO") or out.get("odno") or "")
    if not odno:
        raise UnsupportedOrderError(f"the server accepted the order but sent no order number "
                                    f"({r.msg_cd} {r.msg1})")
    day = _day(out.get("ORD_DT") or out.get("ord_dt")) or ctx.today()
    ref = OrderRef(symbol, side, (odno,), "", quantity, limit, kind, order_day=day)
    snap = OrderSnapshot(order_no=odno, symbol=symbol.code, side=side, quantity=quantity,
                         price=limit, currency=symbol.currency, status=OrderStatus.ACCEPTED,
                         remaining_quantity=quantity, order_type_code=kind,
                         exchange=symbol.exchange)
    return ref, snap


def _window(ctx: Context, ref: OrderRef) -> tuple[dt.date, dt.date]:
    today = ctx.today()
    if ref.order_day is None:
        return today - _LOOKBACK, today
    return min(ref.order_day, today) - dt.timedelta(days=1), max(ref.order_day, today)


def futures_status_flow(ctx: Context, ref: OrderRef) -> Workflow[OrderSnapshot]:
    """The chain's state from the daily order list (a GTD order may span several days)."""
    from .trading import aggregate

    start, end = _window(ctx, ref)
    rows = yield from futures_rows_flow(start, end)
    snaps = [futures_snapshot_from(r, ref.symbol) for r in rows
             if text(r, "ovrs_futr_fx_pdno") == ref.symbol.code]
    snap = aggregate(ref, snaps)
    if snap is None:
        return OrderSnapshot(
            order_no=ref.order_no, symbol=ref.symbol.code, side=ref.side, quantity=ref.quantity,
            price=ref.price, currency=ref.symbol.currency, status=OrderStatus.UNKNOWN,
            remaining_quantity=ref.quantity, order_type_code=ref.order_type_code,
            exchange=ref.symbol.exchange)
    return snap


def _order_day(snap: OrderSnapshot, ref: OrderRef) -> dt.date | None:
    raw = snap.raw
    day = _day(raw.get("ord_dt")) if raw is not None and hasattr(raw, "get") else None
    return day or ref.order_day


def futures_modify_ref_flow(ctx: Context, ref: OrderRef, price: Decimal | int | str | None,
                            stop_price: Decimal | int | str | None = None) -> Workflow[OrderRef]:
    """A new limit (and/or stop) price for what is left; KIS moves it to a new order number."""
    current = yield from futures_status_flow(ctx, ref)
    if current.status.is_final:
        raise UnsupportedOrderError(f"order #{ref.order_no} is {current.status}; nothing to modify")
    if price is None and stop_price is None:
        raise UnsupportedOrderError("a futures modify needs the new price (or stop_price=)",
                                    suggestion="order.modify(new_price)")
    _s, limit = check_futures_order(ref.symbol, ref.side.value, 1, price) if price is not None \
        else ("", None)
    _s, stop = check_futures_order(ref.symbol, ref.side.value, 1, stop_price) \
        if stop_price is not None else ("", None)
    r: ApiResponse = yield Call("overseas_futureoption/order_rvsecncl", {
        "ord_dv": "0", "orgn_ord_dt": _order_day(current, ref), "orgn_odno": ref.order_no,
        "fm_limit_ord_pric": "" if limit is None else str(limit),
        "fm_stop_ord_pric": "" if stop is None else str(stop), "fm_lqd_lmt_ord_pric": "",
        "fm_lqd_stop_ord_pric": "", "fm_hdge_ord_scrn_yn": "N", "fm_mkpr_cvsn_yn": "N"})
    rows = r.rows("output")
    out: Any = rows[0] if rows else {}
    new_no = str(out.get("ODNO") or out.get("odno") or "")
    chain = (*ref.chain, new_no) if new_no and not ref.owns(new_no) else ref.chain
    return replace(ref, chain=chain, price=limit if limit is not None else ref.price)


def futures_cancel_ref_flow(ctx: Context, ref: OrderRef) -> Workflow[OrderRef]:
    """Cancel what is left (KIS cancels the whole remainder of a futures order)."""
    current = yield from futures_status_flow(ctx, ref)
    yield Call("overseas_futureoption/order_rvsecncl", {
        "ord_dv": "1", "orgn_ord_dt": _order_day(current, ref), "orgn_odno": ref.order_no,
        "fm_limit_ord_pric": "", "fm_stop_ord_pric": "", "fm_lqd_lmt_ord_pric": "",
        "fm_lqd_stop_ord_pric": "", "fm_hdge_ord_scrn_yn": "N", "fm_mkpr_cvsn_yn": "N"})
    return ref


def _field(record: Any, name: str) -> str:
    columns = getattr(record, "COLUMNS", None)
    values = getattr(record, "values", None)
    if columns is not None and values is not None:
        cols = [c.lower() for c in columns]
        if name in cols:
            i = cols.index(name)
            return str(values[i]).strip() if i < len(values) else ""
        return ""
    if isinstance(record, dict):
        return str(record.get(name, record.get(name.upper(), "")) or "").strip()
    return ""


def as_stock_notice(record: Any) -> dict[str, str] | None:
    """An overseas futures notice (``HDFFF1C0`` order, ``HDFFF2C0`` fill) in the fields the
    order handles read from a stock notice (``ODER_NO``, ``CNTG_YN``...), so a futures
    :class:`~hantoo.workflows.order.Order` follows its notices the same way; ``None`` for any
    other record."""
    if not _field(record, "series") or not _field(record, "fm_excg_rcit_dvsn_cd"):
        return None
    kind = {"00": "0", "01": "1", "02": "2"}.get(_field(record, "rvse_cncl_dvsn_cd"), "0")
    out = {"ODER_NO": _field(record, "odno"), "OODER_NO": _field(record, "orgn_odno"),
           "RCTF_CLS": kind, "RFUS_YN": "1" if _field(record, "fm_excg_rcit_dvsn_cd") == "03"
           else "0", "CNTG_YN": "1", "ODER_PRC": _field(record, "fm_lmt_pric")}
    if _field(record, "ccno"):  # a fill (HDFFF2C0)
        out |= {"CNTG_YN": "2", "CNTG_QTY": _field(record, "ccld_qty"),
                "CNTG_UNPR": _field(record, "fm_ccld_pric")}
    if not _dec(out["ODER_PRC"]):  # a market or stop order: no limit price
        out["ODER_PRC"] = ""
    return out
