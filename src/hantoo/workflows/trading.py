"""Order workflows: place, modify, cancel, look up, list open orders, cancel all.

Everything that can be checked locally is checked before the first call, so a refused order
never reaches the server: the order type and time in force resolve to a code for the product
family (:func:`hantoo.domain.resolve_order`), the price is on the tick grid (or rounded, if the
caller asked), and the quantity is a positive whole number. An order is sent exactly once; a
lost answer surfaces as :class:`hantoo.errors.OrderStateUnknownError` from the core, for
:func:`hantoo.workflows.reconcile` to resolve — never a second send.

KIS gives a modify its own order number (the remaining quantity moves to it) and a cancel one
too, so an order's identity is a *chain* of order numbers; :class:`OrderRef` carries it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from .._core.wire import ApiResponse, Row
from ..domain.coerce import text, time_of
from ..domain.convert import order_snapshot_from, us_order_snapshot_from
from ..domain.errors import UnsupportedOrderError
from ..domain.kst import at_kst
from ..domain.objects import OrderSnapshot, OrderStatus
from ..domain.ordertypes import (
    OrderType,
    ProductFamily,
    ResolvedOrder,
    Side,
    TimeInForce,
    resolve_order,
)
from ..domain.symbols import Symbol
from ..domain.ticks import PriceRounding, align_price
from .driver import Context
from .steps import Call, Workflow, collect_rows

__all__ = [
    "CreditSpec",
    "OrderRef",
    "cancel_all_flow",
    "cancel_flow",
    "modify_flow",
    "open_orders_flow",
    "order_rows_flow",
    "place_flow",
    "prepare_order",
    "same_order_no",
    "status_flow",
]

LOOKBACK_DAYS = 7  # the server's trading day may differ from the wall clock (simulator, nights)


def same_order_no(a: str | None, b: str | None) -> bool:
    """Order numbers arrive zero-padded to different widths by different APIs."""
    return bool(a and b) and (a or "").strip().lstrip("0") == (b or "").strip().lstrip("0")


@dataclass(frozen=True, slots=True)
class CreditSpec:
    """A credit (신용) order: ``CRDT_TYPE`` and the loan date (today for new loans)."""

    credit_type: str
    loan_date: dt.date


@dataclass(frozen=True, slots=True)
class PreparedOrder:
    """A validated order, ready to send."""

    symbol: Symbol
    side: Side
    quantity: int
    price: Decimal | None
    resolved: ResolvedOrder
    order_type: OrderType
    end_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class OrderRef:
    """What identifies an order at KIS: its chain of order numbers and where it came from."""

    symbol: Symbol
    side: Side
    chain: tuple[str, ...]
    branch: str
    quantity: int
    price: Decimal | None
    order_type_code: str
    placed_at: dt.datetime | None = None
    reservation: bool = False
    cancel_nos: tuple[str, ...] = field(default=())
    order_day: dt.date | None = None

    @property
    def order_no(self) -> str:
        return self.chain[-1]

    def owns(self, order_no: str | None) -> bool:
        return any(same_order_no(order_no, n) for n in (*self.chain, *self.cancel_nos))


def _family(symbol: Symbol) -> ProductFamily:
    if symbol.is_overseas:
        return ProductFamily.US_STOCK  # the overseas order API (Asian exchanges: limit only)
    return ProductFamily.DOMESTIC_STOCK


def prepare_order(
    ctx: Context,
    symbol: Symbol,
    side: Side | str,
    quantity: int,
    price: Decimal | int | str | None,
    order_type: OrderType | str | None,
    tif: TimeInForce | str | None,
    *,
    expire: dt.date | None = None,
    rounding: PriceRounding | str = PriceRounding.REFUSE,
    today: dt.date | None = None,
) -> PreparedOrder:
    """Validate everything locally; raise before sending anything."""
    s = Side.parse(side)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValueError(f"quantity must be a positive whole number of shares, got {quantity!r}")
    if isinstance(price, float):
        raise TypeError("price must be a Decimal, int or str, never float (binary floats cannot "
                        "hold prices exactly)")
    ot = OrderType.parse(order_type) if order_type is not None else (
        OrderType.LIMIT if price is not None else OrderType.MARKET)
    lot = symbol.lot_size
    if lot and quantity % lot:
        raise ValueError(f"{symbol} trades in lots of {lot} shares: {quantity} is not a multiple "
                         f"(try {quantity - quantity % lot or lot})")
    if symbol.is_overseas and not symbol.is_us and (
        ot is not OrderType.LIMIT or tif not in (None, "day", TimeInForce.DAY)
    ):
        raise UnsupportedOrderError(
            f"{symbol.exchange} takes day limit orders only through the KIS API, not {ot.value}",
            suggestion="order_type='limit' with a price")
    resolved = resolve_order(_family(symbol), ot, tif, side=s, paper=ctx.paper)
    if resolved.takes_price:
        if price is None:
            raise UnsupportedOrderError(
                f"a {ot.value} order needs a price", suggestion="price=... or OrderType.MARKET")
        checked: Decimal | None = align_price(price, symbol.tick_rule, PriceRounding(rounding))
    else:
        if price is not None and Decimal(str(price)) != 0:
            raise UnsupportedOrderError(
                f"a {ot.value} order takes no price (the market sets it); {price} would be "
                "ignored by the exchange", suggestion="price=None, or OrderType.LIMIT")
        checked = None
    end_date = None
    if resolved.route == "reservation":
        day = today or ctx.today()
        if expire is None:
            raise UnsupportedOrderError(
                "GTD needs an end date (expire=...), at most 30 days out",
                suggestion=f"expire={day + dt.timedelta(days=30)}")
        if not day < expire <= day + dt.timedelta(days=30):
            raise UnsupportedOrderError(
                f"a period reservation ends after today and at most 30 days out "
                f"({day + dt.timedelta(days=1)} … {day + dt.timedelta(days=30)}), not {expire}",
                suggestion=f"expire={day + dt.timedelta(days=30)}")
        end_date = expire
    elif expire is not None:
        raise UnsupportedOrderError(
            "expire= applies only to tif='gtd' (a period reservation)", suggestion="tif='gtd'")
    return PreparedOrder(symbol, s, quantity, checked, resolved, ot, end_date)


def _wire_price(price: Decimal | None) -> Decimal:
    return price if price is not None else Decimal(0)


def place_flow(ctx: Context, order: PreparedOrder,
               credit: CreditSpec | None = None) -> Workflow[OrderRef]:
    """Send a prepared order once; the answer's order number starts the chain."""
    sym, code = order.symbol, order.resolved.code
    if order.resolved.route == "reservation":
        from .reservations import place_reservation_flow
        res = yield from place_reservation_flow(
            sym, order.side, order.quantity, order.price, order.order_type,
            end_date=order.end_date, today=ctx.today())
        return OrderRef(sym, order.side, (res.reservation_no,), "", order.quantity, order.price,
                        code, reservation=True, order_day=res.ordered_on)
    if sym.is_overseas:
        r: ApiResponse = yield Call("overseas_stock/order", {
            "ord_dv": order.side.value, "ovrs_excg_cd": sym.exchange, "pdno": sym.order_code,
            "ord_qty": order.quantity, "ovrs_ord_unpr": _wire_price(order.price),
            "ctac_tlno": "", "mgco_aptm_odno": "", "ord_svr_dvsn_cd": "0", "ord_dvsn": code})
    elif credit is not None:
        r = yield Call("domestic_stock/order_credit", {
            "ord_dv": order.side.value, "pdno": sym.order_code, "crdt_type": credit.credit_type,
            "loan_dt": credit.loan_date, "ord_dvsn": code, "ord_qty": order.quantity,
            "ord_unpr": _wire_price(order.price), "excg_id_dvsn_cd": "KRX"})
    else:
        r = yield Call("domestic_stock/order_cash", {
            "ord_dv": order.side.value, "pdno": sym.order_code, "ord_dvsn": code,
            "ord_qty": order.quantity, "ord_unpr": _wire_price(order.price),
            "excg_id_dvsn_cd": "KRX", "sll_type": "01" if order.side is Side.SELL else None})
    row = r.rows("output")[0] if r.rows("output") else None
    odno = text(row, "odno") if row is not None else None
    if not odno:
        raise UnsupportedOrderError(f"the server accepted the order but sent no order number "
                                    f"({r.msg_cd} {r.msg1})")
    t = time_of(row, "ord_tmd") if row is not None else None
    return OrderRef(
        symbol=sym, side=order.side, chain=(odno,),
        branch=text(row, "krx_fwdg_ord_orgno") or "" if row is not None else "",
        quantity=order.quantity, price=order.price, order_type_code=code,
        placed_at=at_kst(ctx.today(), t) if t else None, order_day=ctx.today())


def modify_flow(
    ctx: Context,
    ref: OrderRef,
    *,
    price: Decimal | int | str | None = None,
    quantity: int | None = None,
    order_type: OrderType | str | None = None,
    rounding: PriceRounding | str = PriceRounding.REFUSE,
) -> Workflow[OrderRef]:
    """Change price (and/or reduce quantity) of the working order; returns the new chain."""
    if ref.symbol.is_futures:  # issue 15: the futures APIs (:mod:`.futures_orders`)
        if quantity is not None or order_type is not None:
            raise UnsupportedOrderError("a futures modify changes the price only",
                                        suggestion="order.modify(new_price)")
        from .futures_orders import futures_modify_ref_flow
        return (yield from futures_modify_ref_flow(ctx, ref, price))
    if ref.reservation:
        raise UnsupportedOrderError("modify a reservation by cancelling and placing it again",
                                    suggestion="order.cancel() then client.place_order(...)")
    current = yield from status_flow(ctx, ref)
    if current.status.is_final:
        raise UnsupportedOrderError(f"order #{ref.order_no} is {current.status}; nothing to modify")
    remaining = current.remaining_quantity
    if quantity is not None and not 0 < quantity <= remaining:
        raise ValueError(f"quantity must be between 1 and the remaining {remaining}")
    if price is None and order_type is None:
        # Sent without a price the modify would go out as a market order and trade at any
        # price; KIS itself refuses a partial modify that keeps the price. A cut is a cancel.
        cut = f"order.cancel({remaining - quantity})" if quantity else "order.cancel(n)"
        raise UnsupportedOrderError(
            f"a modify needs the new price (or order_type); order #{ref.order_no} would "
            "otherwise become a market order",
            suggestion=f"order.modify(new_price), or to reduce the quantity {cut}")
    ot: OrderType | str = order_type or (OrderType.LIMIT if price is not None else OrderType.MARKET)
    prepared = prepare_order(ctx, ref.symbol, ref.side, quantity or remaining, price, ot, None,
                             rounding=rounding)
    all_qty = quantity is None or quantity == remaining
    sym = ref.symbol
    if sym.is_overseas:
        r: ApiResponse = yield Call("overseas_stock/order_rvsecncl", {
            "ovrs_excg_cd": sym.exchange, "pdno": sym.order_code, "orgn_odno": ref.order_no,
            "rvse_cncl_dvsn_cd": "01", "ord_qty": quantity or remaining,
            "ovrs_ord_unpr": _wire_price(prepared.price), "mgco_aptm_odno": "",
            "ord_svr_dvsn_cd": "0"})
    else:
        r = yield Call("domestic_stock/order_rvsecncl", {
            "krx_fwdg_ord_orgno": ref.branch or current.branch, "orgn_odno": ref.order_no,
            "ord_dvsn": prepared.resolved.code, "rvse_cncl_dvsn_cd": "01",
            "ord_qty": 0 if all_qty else quantity, "ord_unpr": _wire_price(prepared.price),
            "qty_all_ord_yn": "Y" if all_qty else "N", "excg_id_dvsn_cd": "KRX"})
    row = r.rows("output")[0] if r.rows("output") else None
    new_no = text(row, "odno") if row is not None else None
    chain = (*ref.chain, new_no) if new_no and not ref.owns(new_no) else ref.chain
    return replace(ref, chain=chain, price=prepared.price,
                   order_type_code=prepared.resolved.code,
                   quantity=current.filled_quantity + (quantity or remaining))


def cancel_flow(ctx: Context, ref: OrderRef, quantity: int | None = None) -> Workflow[OrderRef]:
    """Cancel the remaining quantity (or part of it)."""
    if ref.symbol.is_futures:  # issue 15: the whole remainder, through the futures API
        if quantity is not None:
            raise UnsupportedOrderError("a futures order is cancelled whole (what is left)",
                                        suggestion="order.cancel()")
        from .futures_orders import futures_cancel_ref_flow
        return (yield from futures_cancel_ref_flow(ctx, ref))
    if ref.reservation:
        from .reservations import cancel_reservation_flow
        yield from cancel_reservation_flow(ref.symbol, ref.order_no, ref.order_day)
        return ref
    sym = ref.symbol
    all_qty = quantity is None
    if sym.is_overseas:
        if quantity is None:
            current = yield from status_flow(ctx, ref)
            quantity = current.remaining_quantity
        r: ApiResponse = yield Call("overseas_stock/order_rvsecncl", {
            "ovrs_excg_cd": sym.exchange, "pdno": sym.order_code, "orgn_odno": ref.order_no,
            "rvse_cncl_dvsn_cd": "02", "ord_qty": quantity, "ovrs_ord_unpr": 0,
            "mgco_aptm_odno": "", "ord_svr_dvsn_cd": "0"})
    else:
        branch = ref.branch
        if not branch:
            current = yield from status_flow(ctx, ref)
            branch = current.branch
        r = yield Call("domestic_stock/order_rvsecncl", {
            "krx_fwdg_ord_orgno": branch, "orgn_odno": ref.order_no,
            "ord_dvsn": ref.order_type_code or "00", "rvse_cncl_dvsn_cd": "02",
            "ord_qty": 0 if all_qty else quantity, "ord_unpr": 0,
            "qty_all_ord_yn": "Y" if all_qty else "N", "excg_id_dvsn_cd": "KRX"})
    row = r.rows("output")[0] if r.rows("output") else None
    cancel_no = text(row, "odno") if row is not None else None
    return replace(ref, cancel_nos=(*ref.cancel_nos, cancel_no) if cancel_no else ref.cancel_nos)


def order_rows_flow(
    ctx: Context,
    *,
    us: bool,
    start: dt.date,
    end: dt.date,
    symbol: Symbol | None = None,
    filled_only: bool = False,
    open_only: bool = False,
    side: Side | None = None,
) -> Workflow[list[Row]]:
    """Order rows (with their execution totals) from the daily order-execution queries."""
    if us:
        paper = ctx.paper
        rows, _extra, _last = yield from collect_rows("overseas_stock/inquire_ccnl", {
            "pdno": "" if paper or symbol is None else symbol.order_code,
            "ord_strt_dt": start, "ord_end_dt": end,
            "sll_buy_dvsn": "00" if paper or side is None else side.code,
            "ccld_nccs_dvsn": "00" if paper else "01" if filled_only else "02" if open_only
            else "00",
            "ovrs_excg_cd": "" if paper else "%", "sort_sqn": "DS", "ord_dt": "",
            "ord_gno_brno": "", "odno": ""}, block="output")
        return rows
    rows, _extra, _last = yield from collect_rows("domestic_stock/inquire_daily_ccld", {
        "pd_dv": "inner" if (ctx.today() - start).days <= 90 else "before",
        "inqr_strt_dt": start, "inqr_end_dt": end,
        "sll_buy_dvsn_cd": "00" if side is None else side.code,
        "pdno": symbol.order_code if symbol is not None else "",
        "ccld_dvsn": "01" if filled_only else "02" if open_only else "00",
        "inqr_dvsn": "00", "inqr_dvsn_3": "00", "excg_id_dvsn_cd": "KRX"}, block="output1")
    return rows


def _window(ctx: Context, ref: OrderRef) -> tuple[dt.date, dt.date]:
    today = ctx.today()
    if ref.order_day is not None:
        return ref.order_day, max(ref.order_day, today)
    return today - dt.timedelta(days=LOOKBACK_DAYS), today


def aggregate(ref: OrderRef, snapshots: Sequence[OrderSnapshot]) -> OrderSnapshot | None:
    """One snapshot for the whole chain: fills summed across modifications, state of the
    latest link, cancellation from the latest link or a cancel record pointing at it."""
    links = [s for s in snapshots if any(same_order_no(s.order_no, n) for n in ref.chain)]
    if not links:
        return None
    latest_no = ref.chain[-1]
    latest = next((s for s in links if same_order_no(s.order_no, latest_no)), None)
    if latest is None:  # the newest link is not visible yet: report the one before it
        latest = max(links, key=lambda s: ref.chain.index(
            next(n for n in ref.chain if same_order_no(n, s.order_no))))
    filled = sum(s.filled_quantity for s in links)
    amount = sum(((s.average_fill_price or Decimal(0)) * s.filled_quantity for s in links),
                 Decimal(0))
    earlier_filled = filled - latest.filled_quantity
    quantity = earlier_filled + latest.quantity
    cancels = [s for s in snapshots if not any(same_order_no(s.order_no, n) for n in ref.chain)
               and (same_order_no(s.original_order_no, latest.order_no)
                    or any(same_order_no(s.order_no, n) for n in ref.cancel_nos))]
    # A partial cancel leaves the order working with less: its record says how much went.
    cancelled = latest.cancelled_quantity or sum(c.cancelled_quantity for c in cancels)
    if not cancelled and cancels and latest.remaining_quantity == 0 and filled < quantity:
        cancelled = quantity - filled
    remaining = 0 if latest.status.is_final else max(quantity - filled - cancelled, 0)
    if latest.status is OrderStatus.REJECTED and not filled:
        status = OrderStatus.REJECTED
    elif filled >= quantity > 0:
        status = OrderStatus.FILLED
    elif latest.status is OrderStatus.CANCELLED or (cancelled and not remaining):
        status = OrderStatus.CANCELLED
        remaining = 0
    elif filled:
        status = OrderStatus.PARTIALLY_FILLED
    else:
        status = OrderStatus.ACCEPTED
    first = next((s for s in links if same_order_no(s.order_no, ref.chain[0])), latest)
    return replace(
        latest,
        quantity=quantity,
        filled_quantity=filled,
        average_fill_price=(amount / filled) if filled else None,
        remaining_quantity=remaining,
        cancelled_quantity=cancelled,
        status=status,
        placed_at=first.placed_at or latest.placed_at,
    )


def status_flow(ctx: Context, ref: OrderRef) -> Workflow[OrderSnapshot]:
    """The order's current state from the daily order-execution query (reservations: from
    the reservation list)."""
    if ref.symbol.is_futures:  # issue 15: the futures daily order list
        from .futures_orders import futures_status_flow
        return (yield from futures_status_flow(ctx, ref))
    if ref.reservation:
        reserved = yield from _reservation_status(ctx, ref)
        return reserved
    start, end = _window(ctx, ref)
    rows = yield from order_rows_flow(ctx, us=ref.symbol.is_overseas, start=start, end=end,
                                      symbol=ref.symbol)
    convert = us_order_snapshot_from if ref.symbol.is_overseas else order_snapshot_from
    snap = aggregate(ref, [convert(r) for r in rows])
    if snap is None:
        return OrderSnapshot(
            order_no=ref.order_no, symbol=ref.symbol.code, side=ref.side, quantity=ref.quantity,
            price=ref.price, currency=ref.symbol.currency, status=OrderStatus.UNKNOWN,
            remaining_quantity=ref.quantity, order_type_code=ref.order_type_code,
            branch=ref.branch, exchange=ref.symbol.exchange, placed_at=ref.placed_at)
    return snap


def open_orders_flow(ctx: Context, *, us: bool = False, symbol: Symbol | None = None,
                     exchange: str = "NASD") -> Workflow[list[OrderSnapshot]]:
    """Working orders (some quantity neither filled nor cancelled).

    Domestic: ``inquire_psbl_rvsecncl`` (the orders that can still be modified or cancelled) in
    the real environment and the simulator; paper lacks it, so there the daily query with
    "unfilled only" answers. US: ``inquire_nccs`` (real) or ``inquire_ccnl`` (paper).
    """
    if us:
        if ctx.paper:
            today = ctx.today()
            rows = yield from order_rows_flow(ctx, us=True, start=today - dt.timedelta(days=1),
                                              end=today, symbol=symbol)
            snaps = [us_order_snapshot_from(r) for r in rows]
        else:
            rows2, _e, _l = yield from collect_rows("overseas_stock/inquire_nccs", {
                "ovrs_excg_cd": symbol.exchange if symbol else exchange, "sort_sqn": "DS"},
                block="output")
            snaps = [us_order_snapshot_from(r) for r in rows2]
    elif ctx.paper:
        today = ctx.today()
        rows = yield from order_rows_flow(ctx, us=False, start=today, end=today, symbol=symbol,
                                          open_only=True)
        snaps = [order_snapshot_from(r) for r in rows]
    else:
        rows3, _e, _l = yield from collect_rows("domestic_stock/inquire_psbl_rvsecncl", {
            "inqr_dvsn_1": "0", "inqr_dvsn_2": "0"}, block="output")
        snaps = [_psbl_snapshot(r) for r in rows3]
    out = [s for s in snaps if s.remaining_quantity > 0 and not s.status.is_final
           and (symbol is None or s.symbol == symbol.order_code)]
    return out


def _psbl_snapshot(row: Row) -> OrderSnapshot:
    """``inquire_psbl_rvsecncl`` rows: ``psbl_qty`` is what is still working."""
    snap = order_snapshot_from(row)
    working: Any = row.get("psbl_qty")
    remaining = int(working) if working not in (None, "") else snap.remaining_quantity
    status = OrderStatus.PARTIALLY_FILLED if snap.filled_quantity else OrderStatus.ACCEPTED
    return replace(snap, remaining_quantity=remaining, status=status,
                   order_type_code=text(row, "ord_dvsn_cd") or snap.order_type_code)


def cancel_all_flow(ctx: Context, *, us: bool = False, symbol: Symbol | None = None,
                    exchange: str = "NASD") -> Workflow[list[str]]:
    """Cancel every working order (optionally of one symbol); returns the cancelled numbers."""
    working = yield from open_orders_flow(ctx, us=us, symbol=symbol, exchange=exchange)
    done: list[str] = []
    for snap in working:
        sym = symbol if symbol is not None and symbol.code == snap.symbol else (
            Symbol.overseas(snap.symbol, snap.exchange or "NASD") if us
            else Symbol.domestic(snap.symbol))
        ref = OrderRef(sym, snap.side, (snap.order_no,), snap.branch, snap.quantity, snap.price,
                       snap.order_type_code or "00")
        if us:
            yield from cancel_flow(ctx, ref, snap.remaining_quantity)
        else:
            yield from cancel_flow(ctx, ref)
        done.append(snap.order_no)
    return done


def _reservation_status(ctx: Context, ref: OrderRef) -> Workflow[OrderSnapshot]:
    from .reservations import list_reservations_flow
    day = ref.order_day or ctx.today()
    found = yield from list_reservations_flow(day - dt.timedelta(days=1),
                                              day + dt.timedelta(days=31),
                                              us=ref.symbol.is_overseas)
    mine = next((r for r in found if same_order_no(r.reservation_no, ref.order_no)), None)
    status = OrderStatus.UNKNOWN
    filled = 0
    if mine is not None:
        filled = mine.filled_quantity
        status = (OrderStatus.CANCELLED if mine.cancelled else OrderStatus.FILLED
                  if filled >= ref.quantity else OrderStatus.PARTIALLY_FILLED if filled
                  else OrderStatus.ACCEPTED)
    return OrderSnapshot(
        order_no=ref.order_no, symbol=ref.symbol.code, side=ref.side, quantity=ref.quantity,
        price=ref.price, currency=ref.symbol.currency, status=status, filled_quantity=filled,
        remaining_quantity=0 if status.is_final else ref.quantity - filled,
        order_type_code=ref.order_type_code, exchange=ref.symbol.exchange,
        raw=mine.raw if mine is not None else None)
