"""Workflow builders behind the client methods: argument normalisation + the flows.

Kept apart from the mixins so the sync and async methods stay one-liners over the same code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeVar

from .._core.server_clock import ServerClock
from ..config import Settings
from ..domain.objects import (
    Balance,
    BuyingPower,
    Candles,
    Fills,
    OrderBook,
    OrderSnapshot,
    OrderStatus,
    Quote,
    Reservation,
)
from ..domain.ordertypes import OrderType, Side, TimeInForce
from ..domain.symbols import Symbol, to_symbol
from ..domain.ticks import PriceRounding
from ..errors import HantooError, OrderStateUnknownError
from . import account, market, trading
from . import reservations as _reservations
from .driver import Context
from .futures_account import FuturesBalance, futures_balance_flow
from .order import (
    AsyncOrder,
    Order,
    OrderRegistry,
    ReconcileGroup,
    ReconcileReport,
    ReconcileResult,
    _OrderBase,
    registry_of,
)
from .reconcile import ReconcileFindings, reconcile_all_flow
from .steps import Call, Workflow
from .trading import CreditSpec, OrderRef

__all__ = ["Market", "Placed"]

#: ``"domestic"``, ``"us"``, or an overseas exchange code (``"SEHK"``, ``"TKSE"``, ``"SHAA"``,
#: ``"SZAA"``, ``"HASE"``, ``"VNSE"``; the quote naming ``"HKS"``, ``"TSE"``... works too).
Market = Literal["domestic", "us"] | str
H = TypeVar("H", bound=_OrderBase)
T = TypeVar("T")


class _Host(Protocol):
    settings: Settings
    server_clock: ServerClock


def _ctx(host: _Host) -> Context:
    return Context.of(host.settings, host.server_clock)


def _on_server_date(host: _Host, build: Callable[[Context], Workflow[T]]) -> Workflow[T]:
    """``build(ctx)`` once the server's date is known.

    A workflow that decides on "today" before its first call (a GTD order's window, default
    date ranges) must use the server's day. Against KIS that is this machine's KST date; the
    simulator's day may be any date, so with the simulator and no answer seen yet, one cheap
    query (the holiday calendar) is made first: every answer, even a refusal, carries ``Date``.
    """
    if host.settings.environment == "sim" and not host.server_clock.known:
        with contextlib.suppress(HantooError):
            yield Call("domestic_stock/chk_holiday", {
                "bass_dt": host.server_clock.today(), "ctx_area_nk": "", "ctx_area_fk": ""})
    return (yield from build(_ctx(host)))


def server_today(host: _Host) -> Workflow[dt.date]:
    """The server's current KST date (one cheap query first with an unacquainted simulator)."""
    def build(ctx: Context) -> Workflow[dt.date]:
        return ctx.today()
        yield  # a generator: the date is read once the server's clock is known

    return _on_server_date(host, build)


def _sym(symbol: Symbol | str | int, exchange: str | None = None) -> Symbol:
    return to_symbol(symbol, exchange=exchange)


def _date(value: dt.date | str | None, default: dt.date) -> dt.date:
    if value is None:
        return default
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value) if "-" in value else dt.datetime.strptime(
        value, "%Y%m%d").date()


def quote(symbol: Symbol | str | int, exchange: str | None) -> Workflow[Quote]:
    return market.quote_flow(_sym(symbol, exchange))


def order_book(symbol: Symbol | str | int, exchange: str | None) -> Workflow[OrderBook]:
    return market.order_book_flow(_sym(symbol, exchange))


def candles(host: _Host, symbol: Symbol | str | int, start: Any, end: Any,
            interval: market.Interval, exchange: str | None, adjusted: bool) -> Workflow[Candles]:
    return market.candles_flow(_ctx(host), _sym(symbol, exchange), start, end, interval,
                               adjusted=adjusted)


@dataclass(frozen=True, slots=True)
class Placed:
    ref: OrderRef
    snapshot: OrderSnapshot
    sent_at: float


def place_order(
    host: _Host, symbol: Symbol | str | int, side: Side | str, quantity: int,
    price: Decimal | int | str | None, order_type: OrderType | str | None,
    tif: TimeInForce | str | None, exchange: str | None, expire: dt.date | None,
    rounding: PriceRounding | str, credit: CreditSpec | None,
) -> Workflow[Placed]:
    sym = _sym(symbol, exchange)
    if sym.is_futures:  # issue 15: an overseas futures series, through the futures APIs
        if credit is not None or expire is not None:
            raise ValueError("futures orders take no credit or expire= (tif='gtd' lasts to "
                             "the series' last trading day)")
        return _place_futures(_ctx(host), sym, side, quantity, price, order_type, tif, None)

    def build(ctx: Context) -> Workflow[Placed]:
        prepared = trading.prepare_order(ctx, sym, side, quantity, price, order_type, tif,
                                         expire=expire, rounding=rounding)
        if credit is not None and (sym.is_overseas or prepared.resolved.route != "order"):
            raise ValueError("credit orders are domestic day orders")
        return _place(ctx, prepared, credit)

    if expire is not None:  # a period reservation: its window is counted from the server's day
        return _on_server_date(host, build)
    return build(_ctx(host))


def _place(ctx: Context, prepared: trading.PreparedOrder,
           credit: CreditSpec | None) -> Workflow[Placed]:
    sent_at = time.time()
    ref = yield from trading.place_flow(ctx, prepared, credit)
    snap = OrderSnapshot(
        order_no=ref.order_no, symbol=ref.symbol.code, side=ref.side, quantity=ref.quantity,
        price=ref.price, currency=ref.symbol.currency, status=OrderStatus.ACCEPTED,
        remaining_quantity=ref.quantity, order_type_code=ref.order_type_code, branch=ref.branch,
        exchange=ref.symbol.exchange, placed_at=ref.placed_at)
    return Placed(ref, snap, sent_at)


def _place_futures(ctx: Context, sym: Symbol, side: Side | str, quantity: int,
                   price: Decimal | int | str | None, order_type: OrderType | str | None,
                   tif: TimeInForce | str | None,
                   stop_price: Decimal | int | str | None) -> Workflow[Placed]:
    """Check, then send once (:mod:`.futures_orders`)."""
    from .futures_orders import futures_place_ref_flow, prepare_futures_order

    s, kind, cndt, limit, stop = prepare_futures_order(sym, side, quantity, price, order_type,
                                                       tif, stop_price)
    sent_at = time.time()
    ref, snap = yield from futures_place_ref_flow(ctx, sym, s, quantity, kind, cndt, limit, stop)
    return Placed(ref, snap, sent_at)


def place_futures(host: _Host, symbol: Symbol | str | int, side: Side | str, quantity: int,
                  price: Decimal | int | str | None, order_type: OrderType | str | None,
                  tif: TimeInForce | str | None,
                  stop_price: Decimal | int | str | None) -> Workflow[Placed]:
    """A futures order with every option (stop prices too); ``symbol`` must be a series."""
    sym = _sym(symbol)
    if not sym.is_futures:
        raise ValueError(f"{sym} is not a futures symbol (e.g. 'CME:ESZ26')")
    return _place_futures(_ctx(host), sym, side, quantity, price, order_type, tif, stop_price)


def futures_balance(host: _Host) -> Workflow[FuturesBalance]:
    """The overseas futures account (:mod:`.futures_account`), as of the server's day."""
    return _on_server_date(host, lambda ctx: futures_balance_flow(ctx.today()))


def adopt(host: Any, placed: Placed, cls: type[H]) -> H:
    """Wrap a placed order in a live handle and register it for notices."""
    handle = cls(host, placed.ref, placed.snapshot)
    registry = registry_of(host)
    registry.track(handle)
    if not placed.ref.reservation:
        registry.learn_clock(placed.ref, placed.sent_at)
    return handle


def credit_spec(host: _Host, side: Side | str, credit_type: str | None,
                loan_date: dt.date | None) -> CreditSpec:
    s = Side.parse(side)
    if s is Side.SELL and (credit_type is None or loan_date is None):
        raise ValueError("a credit sell needs the loan's credit_type (e.g. '25' 자기융자상환) "
                         "and loan_date")
    return CreditSpec(credit_type or "21", loan_date or host.server_clock.today())


def as_handle(host: Any, order: Any, cls: type[H]) -> H:
    """A handle for an order given as a handle or as a snapshot (e.g. from ``open_orders``)."""
    if isinstance(order, _OrderBase):
        if not isinstance(order, cls):
            raise TypeError(f"this client takes {cls.__name__} handles")
        return order
    if not isinstance(order, OrderSnapshot):
        raise TypeError("pass an order handle or an OrderSnapshot")
    sym = (Symbol.overseas(order.symbol, order.exchange) if order.exchange not in ("", "KRX")
           else Symbol.domestic(order.symbol))
    ref = OrderRef(sym, order.side, (order.order_no,), order.branch, order.quantity, order.price,
                   order.order_type_code or "00", placed_at=order.placed_at,
                   order_day=order.placed_at.date() if order.placed_at else None)
    handle = cls(host, ref, order)
    registry_of(host).track(handle)
    return handle


def cancel_all(host: _Host, symbol: Symbol | str | int | None, mkt: Market) -> Workflow[list[str]]:
    sym = _sym(symbol) if symbol is not None else None
    us = mkt != "domestic" or bool(sym and sym.is_overseas)
    return trading.cancel_all_flow(_ctx(host), us=us, symbol=sym, exchange=_excg(mkt))


def open_orders(host: _Host, symbol: Symbol | str | int | None,
                mkt: Market) -> Workflow[list[OrderSnapshot]]:
    sym = _sym(symbol) if symbol is not None else None
    us = mkt != "domestic" or bool(sym and sym.is_overseas)
    return trading.open_orders_flow(_ctx(host), us=us, symbol=sym, exchange=_excg(mkt))


def fills(host: _Host, start: dt.date | str, end: dt.date | str | None,
          symbol: Symbol | str | int | None, mkt: Market) -> Workflow[Fills]:
    sym = _sym(symbol) if symbol is not None else None

    def build(ctx: Context) -> Workflow[Fills]:
        return account.fills_flow(ctx, _date(start, ctx.today()), _date(end, ctx.today()),
                                  us=mkt != "domestic" or bool(sym and sym.is_overseas), symbol=sym)

    return _on_server_date(host, build) if end is None else build(_ctx(host))


def _excg(mkt: Market) -> str:
    """The order-side exchange code of a ``market=`` argument (``"us"``: NASD, all of the US)."""
    return "NASD" if mkt in ("domestic", "us") else Symbol.overseas("X", mkt).exchange


def balance(host: _Host, mkt: Market) -> Workflow[Balance]:
    if mkt in ("domestic", "us"):
        return account.balance_flow(_ctx(host), us=mkt == "us")
    where = Symbol.overseas("X", mkt)  # validates the exchange code, names the known ones
    return account.balance_flow(_ctx(host), us=True, exchange=where.exchange,
                                currency=where.currency)


def pension_balance(host: _Host) -> Workflow[Balance]:
    return account.pension_balance_flow(_ctx(host))


def buying_power(host: _Host, symbol: Symbol | str | int, price: Decimal | int | str | None,
                 order_type: OrderType | str | None, credit: bool,
                 exchange: str | None) -> Workflow[BuyingPower]:
    return account.buying_power_flow(_ctx(host), _sym(symbol, exchange), price, order_type,
                                     credit=credit)


def place_reservation(host: _Host, symbol: Symbol | str | int, side: Side | str, quantity: int,
                      price: Decimal | int | str | None, order_type: OrderType | str | None,
                      end_date: dt.date | None,
                      exchange: str | None) -> Workflow[Reservation]:
    sym = _sym(symbol, exchange)
    ot = OrderType.parse(order_type) if order_type is not None else (
        OrderType.LIMIT if price is not None else OrderType.MARKET)
    tif = TimeInForce.GTD if end_date is not None else TimeInForce.DAY

    def build(ctx: Context) -> Workflow[Reservation]:
        prepared = trading.prepare_order(ctx, sym, side, quantity, price, ot,
                                         tif if not sym.is_overseas else None, expire=end_date)
        if not sym.is_overseas:
            from ..domain.ordertypes import resolve_reservation
            resolve_reservation(ot)  # refuse best/priority/... before sending
        return _reservations.place_reservation_flow(
            sym, prepared.side, quantity, prepared.price, ot, end_date=end_date,
            today=ctx.today())

    return _on_server_date(host, build)


def reservations(host: _Host, start: dt.date | None, end: dt.date | None,
                 mkt: Market) -> Workflow[list[Reservation]]:
    def build(ctx: Context) -> Workflow[list[Reservation]]:
        today = ctx.today()
        return _reservations.list_reservations_flow(
            start or today - dt.timedelta(days=30), end or today + dt.timedelta(days=31),
            us=mkt == "us")

    return _on_server_date(host, build) if start is None or end is None else build(_ctx(host))


def cancel_reservation(reservation: Reservation) -> Workflow[bool]:
    sym = (Symbol.overseas(reservation.symbol, reservation.exchange)
           if reservation.exchange not in ("", "KRX") else Symbol.domestic(reservation.symbol))
    return _reservations.cancel_reservation_flow(sym, reservation.reservation_no,
                                                reservation.ordered_on)


def _reconcile_setup(host: Any) -> tuple[OrderRegistry, dt.timedelta | None]:
    registry = registry_of(host)
    offset: dt.timedelta | None = dt.timedelta(seconds=registry.clock_offset_s or 0.0)
    sim = getattr(host, "environment", "") == "sim"
    if registry.clock_offset_s is None and sim:
        # KIS runs on KST wall time, so an unknown offset is ~0 there; a simulator's clock may
        # be anywhere (a simulated day), so without an earlier order to learn it from, search
        # the whole day rather than a window that could miss the order.
        offset = None
    return registry, offset


def reconcile_all(host: Any, errors: Iterable[OrderStateUnknownError], before: dt.timedelta,
                  after: dt.timedelta) -> Workflow[list[ReconcileFindings]]:
    registry, offset = _reconcile_setup(host)
    errs = list(errors)

    def build(ctx: Context) -> Workflow[list[ReconcileFindings]]:
        # The server's day (a simulator's may be any date), so its orders are searched by date.
        return reconcile_all_flow(
            ctx, errs, known_order_nos=registry.known_order_nos(), clock_offset=offset,
            before=before, after=after)

    return (yield from _on_server_date(host, build))


def reconcile(host: Any, error: OrderStateUnknownError, before: dt.timedelta,
              after: dt.timedelta) -> Workflow[ReconcileFindings]:
    found = yield from reconcile_all(host, [error], before, after)
    return found[0]


def reconciled(host: Any, findings: ReconcileFindings,
               cls: type[Order] | type[AsyncOrder]) -> ReconcileResult:
    order = None
    if findings.outcome == "present" and findings.ref is not None and findings.match is not None:
        order = cls(host, findings.ref, findings.match)
        registry_of(host).track(order)
    return ReconcileResult(findings.outcome, order, findings)


def reconciled_all(host: Any, findings: list[ReconcileFindings],
                   cls: type[Order] | type[AsyncOrder]) -> ReconcileReport:
    """Handles for every adopted order: one per present error, and the counted ones of each
    group whose count fell short (no error owns those)."""
    results = [reconciled(host, f, cls) for f in findings]
    groups: list[ReconcileGroup] = []
    done: set[int] = set()
    for f, r in zip(findings, results, strict=True):
        g = f.group
        if g is None:
            groups.append(ReconcileGroup(r.outcome, f.sent, 1, len(f.candidates) if
                                         r.outcome != "absent" else 0,
                                         (r.order,) if r.order is not None else (),
                                         f.candidates))
            continue
        if id(g) in done:
            continue
        done.add(id(g))
        members = [x for x, y in zip(results, findings, strict=True) if y.group is g]
        if g.outcome == "present":
            orders = tuple(x.order for x in members if x.order is not None)
        elif g.outcome == "counted":
            adopted: list[Order | AsyncOrder] = []
            for ref, snap in g.matches:
                order = cls(host, ref, snap)
                registry_of(host).track(order)
                adopted.append(order)
            orders = tuple(adopted)
        else:
            orders = ()
        groups.append(ReconcileGroup(g.outcome, g.sent, g.intents, g.executed, orders,
                                     g.candidates))
    return ReconcileReport(tuple(results), tuple(groups))


def attach_stream(registry: OrderRegistry, stream: Any,
                  callback: Callable[[Any], bool]) -> None:
    """Route a realtime stream's notices to ``callback`` and mark the client as streaming."""
    hook = getattr(stream, "on_fill", None)
    if hook is None:
        raise TypeError("the stream has no on_fill(...) hook; feed notices with "
                        "client.apply_notice(record) instead")
    hook(callback)
    registry.streams += 1
