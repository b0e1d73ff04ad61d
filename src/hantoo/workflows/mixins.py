"""The workflow methods of :class:`hantoo.Client` and :class:`hantoo.AsyncClient`.

Each method is one line: build the workflow (:mod:`hantoo.workflows.api`), drive it with the
client's own driver, and — for orders — wrap the result in a self-tracking handle. The sync and
async mixins are therefore the same list of one-liners; every rule lives in the flows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from ..domain.objects import (
    Balance,
    BuyingPower,
    Candles,
    Fills,
    OrderBook,
    OrderSnapshot,
    Positions,
    Quote,
    Reservation,
)
from ..domain.ordertypes import OrderType, Side, TimeInForce
from ..domain.symbols import Symbol, to_symbol
from ..domain.ticks import PriceRounding
from ..errors import OrderStateUnknownError
from . import api, futures
from .api import Market
from .driver import lower
from .futures import FuturesOrder
from .futures_account import FuturesBalance
from .market import Interval
from .order import AsyncOrder, Order, ReconcileReport, ReconcileResult, registry_of
from .steps import Workflow

if TYPE_CHECKING:
    from .._core.call import CallResult
    from .._core.flow import Flow
    from .._core.server_clock import ServerClock
    from ..catalog import Api
from ..config import Settings

__all__ = ["AsyncWorkflows", "Workflows"]

T = TypeVar("T")
SymbolLike = Symbol | str | int
PriceLike = Decimal | int | str


def _futures(symbol: SymbolLike) -> Symbol:
    sym = to_symbol(symbol) if not isinstance(symbol, Symbol) else symbol
    if not sym.is_futures:
        raise ValueError(f"{sym} is not a futures symbol: name the exchange and the series, "
                         "e.g. 'CME:ESZ26'")
    return sym


class _Common:
    """Notice routing, shared by both clients (no I/O)."""

    if TYPE_CHECKING:
        settings: Settings
        server_clock: ServerClock

        def _flow(self, api: Api, args: Mapping[str, Any], *, tr_cont: str = "",
                  strict: bool = True) -> Flow[CallResult]: ...

    def apply_notice(self, record: Any) -> bool:
        """Feed one realtime order/fill notice (H0STCNI0/H0GSCNI0 record) to the order handle
        it concerns; returns whether a handle took it."""
        return registry_of(self).route(record)

    def track_notices(self, stream: Any) -> None:
        """Route a realtime stream's notices to this client's order handles (``stream`` is a
        :class:`hantoo.realtime` stream subscribed to notices, or anything with ``on_fill``)."""
        api.attach_stream(registry_of(self), stream, self.apply_notice)


class Workflows(_Common):
    """Trading workflows on the sync client (see :mod:`hantoo.workflows`)."""

    if TYPE_CHECKING:
        def _run(self, flow: Flow[T]) -> T: ...

    def _drive(self, workflow: Workflow[T]) -> T:
        return self._run(lower(workflow, self))

    def quote(self, symbol: SymbolLike, *, exchange: str | None = None) -> Quote:
        """Current price (``inquire_price``; overseas ``price``)."""
        return self._drive(api.quote(symbol, exchange))

    def place_futures_order(self, symbol: SymbolLike, side: str, quantity: int,
                            price: PriceLike | None = None, *,
                            order_type: str | None = None, tif: str | None = None,
                            stop_price: PriceLike | None = None) -> Order:
        """An overseas futures order (``"CME:ESZ26"``), as :meth:`place_order` sends it, plus
        stop prices: a limit at ``price`` on the contract's tick, a market order
        (``price=None``), ``order_type="stop"``/``"stop_limit"`` with ``stop_price=``;
        ``tif="gtd"`` keeps it past the day. Checked before it is sent; the same handle."""
        _futures(symbol)
        return api.adopt(self, self._drive(api.place_futures(
            self, symbol, side, quantity, price, order_type, tif, stop_price)), Order)

    def futures_balance(self) -> FuturesBalance:
        """Overseas futures positions, margin and P&L in the contract currency and in won."""
        return self._drive(api.futures_balance(self))

    def cancel_futures_order(self, order: Order | FuturesOrder) -> Order | FuturesOrder:
        """Cancel what is left of a futures order (a handle: the same as ``order.cancel()``)."""
        if isinstance(order, Order):
            order.cancel()
            return order
        return self._drive(futures.futures_cancel_flow(order))

    def order_book(self, symbol: SymbolLike, *, exchange: str | None = None) -> OrderBook:
        """Ten levels a side (``inquire_asking_price_exp_ccn``; US ``inquire_asking_price``)."""
        return self._drive(api.order_book(symbol, exchange))

    def candles(self, symbol: SymbolLike, start: dt.date | dt.datetime | str,
                end: dt.date | dt.datetime | str, interval: Interval = "day", *,
                exchange: str | None = None, adjusted: bool = True) -> Candles:
        """Bars over any range, paging transparently; oldest first."""
        return self._drive(api.candles(self, symbol, start, end, interval, exchange, adjusted))

    def place_order(self, symbol: SymbolLike, side: Side | str, quantity: int,
                    price: PriceLike | None = None, order_type: OrderType | str | None = None,
                    tif: TimeInForce | str | None = None, *, exchange: str | None = None,
                    expire: dt.date | None = None,
                    rounding: PriceRounding | str = PriceRounding.REFUSE) -> Order:
        """Send one order (``order-cash``; US ``order``; GTD → period reservation) and return a
        handle that tracks it. Refused combinations and off-tick prices never leave."""
        return api.adopt(self, self._drive(api.place_order(
            self, symbol, side, quantity, price, order_type, tif, exchange, expire, rounding,
            None)), Order)

    def place_credit_order(self, symbol: SymbolLike, side: Side | str, quantity: int,
                           price: PriceLike | None = None,
                           order_type: OrderType | str | None = None,
                           tif: TimeInForce | str | None = None, *, credit_type: str | None = None,
                           loan_date: dt.date | None = None,
                           rounding: PriceRounding | str = PriceRounding.REFUSE) -> Order:
        """A credit (신용) order (``order-credit``; real only): new loans default to 21
        (자기융자신규, today) for buys; sells need the loan's ``credit_type`` and ``loan_date``."""
        return api.adopt(self, self._drive(api.place_order(
            self, symbol, side, quantity, price, order_type, tif, None, None, rounding,
            api.credit_spec(self, side, credit_type, loan_date))), Order)

    def modify_order(self, order: Order | OrderSnapshot, price: PriceLike | None = None, *,
                     quantity: int | None = None, order_type: OrderType | str | None = None,
                     rounding: PriceRounding | str = PriceRounding.REFUSE) -> OrderSnapshot:
        """Change a working order's price/quantity (``order-rvsecncl``)."""
        return api.as_handle(self, order, Order).modify(
            price, quantity=quantity, order_type=order_type, rounding=rounding)

    def cancel_order(self, order: Order | OrderSnapshot, quantity: int | None = None) -> (
        OrderSnapshot
    ):
        """Cancel what is still working (``order-rvsecncl``)."""
        return api.as_handle(self, order, Order).cancel(quantity)

    def cancel_all(self, symbol: SymbolLike | None = None, *, market: Market = "domestic") -> (
        list[str]
    ):
        """Cancel every working order (of ``symbol``); returns the order numbers."""
        return self._drive(api.cancel_all(self, symbol, market))

    def open_orders(self, symbol: SymbolLike | None = None, *, market: Market = "domestic") -> (
        list[OrderSnapshot]
    ):
        """Orders with quantity still working."""
        return self._drive(api.open_orders(self, symbol, market))

    def server_today(self) -> dt.date:
        """Today as the server sees it (KST): the simulator's trading day, or KIS's date."""
        return self._drive(api.server_today(self))

    def fills(self, start: dt.date | str, end: dt.date | str | None = None, *,
              symbol: SymbolLike | None = None, market: Market = "domestic") -> Fills:
        """Executions per order between two dates (``inquire-daily-ccld``; US ``inquire_ccnl``)."""
        return self._drive(api.fills(self, start, end, symbol, market))

    def positions(self, *, market: Market = "domestic") -> Positions:
        """Holdings (``inquire-balance``)."""
        return self._drive(api.balance(self, market)).positions

    def balance(self, *, market: Market = "domestic") -> Balance:
        """Cash, totals and holdings (``inquire-balance``)."""
        return self._drive(api.balance(self, market))

    def buying_power(self, symbol: SymbolLike, price: PriceLike | None = None,
                     order_type: OrderType | str | None = None, *, credit: bool = False,
                     exchange: str | None = None) -> BuyingPower:
        """What can be bought (``inquire-psbl-order``; credit: ``inquire-credit-psamount``)."""
        return self._drive(api.buying_power(self, symbol, price, order_type, credit, exchange))

    def pension_balance(self) -> Balance:
        """Retirement-pension holdings (``pension/inquire-balance``; real only)."""
        return self._drive(api.pension_balance(self))

    def place_reservation(self, symbol: SymbolLike, side: Side | str, quantity: int,
                          price: PriceLike | None = None,
                          order_type: OrderType | str | None = None, *,
                          end_date: dt.date | None = None,
                          exchange: str | None = None) -> Reservation:
        """A reservation order for the next session (``order-resv``); ``end_date`` makes it a
        period reservation (≤ 30 days)."""
        return self._drive(api.place_reservation(self, symbol, side, quantity, price, order_type,
                                                 end_date, exchange))

    def reservations(self, start: dt.date | None = None, end: dt.date | None = None, *,
                     market: Market = "domestic") -> list[Reservation]:
        """Reservation orders between two dates (``order-resv-ccnl``)."""
        return self._drive(api.reservations(self, start, end, market))

    def cancel_reservation(self, reservation: Reservation) -> bool:
        """Cancel a reservation (``order-resv-rvsecncl``)."""
        return self._drive(api.cancel_reservation(reservation))

    def reconcile(self, error: OrderStateUnknownError, *,
                  before: dt.timedelta = dt.timedelta(seconds=5),
                  after: dt.timedelta = dt.timedelta(minutes=2)) -> ReconcileResult:
        """Resolve an unknown order outcome from the day's orders and the open orders; never
        re-sends anything."""
        return api.reconciled(self, self._drive(api.reconcile(self, error, before, after)), Order)

    def reconcile_all(self, errors: Iterable[OrderStateUnknownError], *,
                      before: dt.timedelta = dt.timedelta(seconds=5),
                      after: dt.timedelta = dt.timedelta(minutes=2)) -> ReconcileReport:
        """Resolve many unknown outcomes at once; identical orders (same symbol, side,
        quantity, price, type) are resolved by count, since KIS cannot tell them apart."""
        return api.reconciled_all(
            self, self._drive(api.reconcile_all(self, errors, before, after)), Order)


class AsyncWorkflows(_Common):
    """The async twins of :class:`Workflows` (same flows, awaited)."""

    if TYPE_CHECKING:
        async def _run(self, flow: Flow[T]) -> T: ...

    async def _drive(self, workflow: Workflow[T]) -> T:
        return await self._run(lower(workflow, self))

    async def quote(self, symbol: SymbolLike, *, exchange: str | None = None) -> Quote:
        return await self._drive(api.quote(symbol, exchange))

    async def order_book(self, symbol: SymbolLike, *, exchange: str | None = None) -> OrderBook:
        return await self._drive(api.order_book(symbol, exchange))

    async def place_futures_order(self, symbol: SymbolLike, side: str, quantity: int,
                                  price: PriceLike | None = None, *,
                                  order_type: str | None = None, tif: str | None = None,
                                  stop_price: PriceLike | None = None) -> AsyncOrder:
        _futures(symbol)
        return api.adopt(self, await self._drive(api.place_futures(
            self, symbol, side, quantity, price, order_type, tif, stop_price)), AsyncOrder)

    async def futures_balance(self) -> FuturesBalance:
        return await self._drive(api.futures_balance(self))

    async def cancel_futures_order(self, order: AsyncOrder | FuturesOrder) -> (
        AsyncOrder | FuturesOrder
    ):
        if isinstance(order, AsyncOrder):
            await order.cancel()
            return order
        return await self._drive(futures.futures_cancel_flow(order))

    async def candles(self, symbol: SymbolLike, start: dt.date | dt.datetime | str,
                      end: dt.date | dt.datetime | str, interval: Interval = "day", *,
                      exchange: str | None = None, adjusted: bool = True) -> Candles:
        return await self._drive(api.candles(self, symbol, start, end, interval, exchange,
                                             adjusted))

    async def place_order(self, symbol: SymbolLike, side: Side | str, quantity: int,
                          price: PriceLike | None = None,
                          order_type: OrderType | str | None = None,
                          tif: TimeInForce | str | None = None, *, exchange: str | None = None,
                          expire: dt.date | None = None,
                          rounding: PriceRounding | str = PriceRounding.REFUSE) -> AsyncOrder:
        return api.adopt(self, await self._drive(api.place_order(
            self, symbol, side, quantity, price, order_type, tif, exchange, expire, rounding,
            None)), AsyncOrder)

    async def place_credit_order(self, symbol: SymbolLike, side: Side | str, quantity: int,
                                 price: PriceLike | None = None,
                                 order_type: OrderType | str | None = None,
                                 tif: TimeInForce | str | None = None, *,
                                 credit_type: str | None = None, loan_date: dt.date | None = None,
                                 rounding: PriceRounding | str = PriceRounding.REFUSE) -> (
        AsyncOrder
    ):
        return api.adopt(self, await self._drive(api.place_order(
            self, symbol, side, quantity, price, order_type, tif, None, None, rounding,
            api.credit_spec(self, side, credit_type, loan_date))), AsyncOrder)

    async def modify_order(self, order: AsyncOrder | OrderSnapshot,
                           price: PriceLike | None = None, *, quantity: int | None = None,
                           order_type: OrderType | str | None = None,
                           rounding: PriceRounding | str = PriceRounding.REFUSE) -> (
        OrderSnapshot
    ):
        return await api.as_handle(self, order, AsyncOrder).modify(
            price, quantity=quantity, order_type=order_type, rounding=rounding)

    async def cancel_order(self, order: AsyncOrder | OrderSnapshot,
                           quantity: int | None = None) -> OrderSnapshot:
        return await api.as_handle(self, order, AsyncOrder).cancel(quantity)

    async def cancel_all(self, symbol: SymbolLike | None = None, *,
                         market: Market = "domestic") -> list[str]:
        return await self._drive(api.cancel_all(self, symbol, market))

    async def open_orders(self, symbol: SymbolLike | None = None, *,
                          market: Market = "domestic") -> list[OrderSnapshot]:
        return await self._drive(api.open_orders(self, symbol, market))

    async def server_today(self) -> dt.date:
        """Today as the server sees it (KST): the simulator's trading day, or KIS's date."""
        return await self._drive(api.server_today(self))

    async def fills(self, start: dt.date | str, end: dt.date | str | None = None, *,
                    symbol: SymbolLike | None = None, market: Market = "domestic") -> Fills:
        return await self._drive(api.fills(self, start, end, symbol, market))

    async def positions(self, *, market: Market = "domestic") -> Positions:
        return (await self._drive(api.balance(self, market))).positions

    async def balance(self, *, market: Market = "domestic") -> Balance:
        return await self._drive(api.balance(self, market))

    async def buying_power(self, symbol: SymbolLike, price: PriceLike | None = None,
                           order_type: OrderType | str | None = None, *, credit: bool = False,
                           exchange: str | None = None) -> BuyingPower:
        return await self._drive(api.buying_power(self, symbol, price, order_type, credit,
                                                  exchange))

    async def pension_balance(self) -> Balance:
        return await self._drive(api.pension_balance(self))

    async def place_reservation(self, symbol: SymbolLike, side: Side | str, quantity: int,
                                price: PriceLike | None = None,
                                order_type: OrderType | str | None = None, *,
                                end_date: dt.date | None = None,
                                exchange: str | None = None) -> Reservation:
        return await self._drive(api.place_reservation(self, symbol, side, quantity, price,
                                                       order_type, end_date, exchange))

    async def reservations(self, start: dt.date | None = None, end: dt.date | None = None, *,
                           market: Market = "domestic") -> list[Reservation]:
        return await self._drive(api.reservations(self, start, end, market))

    async def cancel_reservation(self, reservation: Reservation) -> bool:
        return await self._drive(api.cancel_reservation(reservation))

    async def reconcile(self, error: OrderStateUnknownError, *,
                        before: dt.timedelta = dt.timedelta(seconds=5),
                        after: dt.timedelta = dt.timedelta(minutes=2)) -> ReconcileResult:
        return api.reconciled(self, await self._drive(api.reconcile(self, error, before, after)),
                              AsyncOrder)

    async def reconcile_all(self, errors: Iterable[OrderStateUnknownError], *,
                            before: dt.timedelta = dt.timedelta(seconds=5),
                            after: dt.timedelta = dt.timedelta(minutes=2)) -> ReconcileReport:
        return api.reconciled_all(
            self, await self._drive(api.reconcile_all(self, errors, before, after)), AsyncOrder)
