"""Orders that track themselves: the handle ``place_order`` returns.

An :class:`Order` holds its client and an :class:`~hantoo.workflows.trading.OrderRef` (the chain
of KIS order numbers). Its state comes from two sources:

* realtime notices (H0STCNI0 / H0GSCNI0) when a stream feeds the client
  (``client.track_notices(stream)`` or ``client.apply_notice(record)``): fills, modify/cancel
  confirmations and rejections update the handle as they arrive;
* polling the daily order-execution query (``refresh()``; ``wait_filled()`` polls by itself
  when no stream is attached, and every few seconds as a safety net when one is).

KIS notices carry no sequence numbers, so a REST answer replaces the notice-built state (the
broker's record is authoritative) and later notices add to it. :class:`Order` (sync) and
:class:`AsyncOrder` share every rule; their methods are one-line drivers of the same flows.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from .._core.flow import Sleep
from ..domain.kst import now_kst
from ..domain.objects import OrderSnapshot, OrderStatus
from ..domain.ordertypes import OrderType
from ..domain.ticks import PriceRounding
from .driver import Context
from .reconcile import Outcome, ReconcileFindings, SentOrder
from .steps import Workflow
from .trading import OrderRef, cancel_flow, modify_flow, status_flow

if TYPE_CHECKING:
    from .mixins import AsyncWorkflows, Workflows

__all__ = ["AsyncOrder", "Order", "OrderRegistry", "ReconcileGroup", "ReconcileReport",
           "ReconcileResult", "wait_flow"]


def _raw(record: Any, name: str) -> str:
    """A notice field exactly as sent (notices use codes such as ``CNTG_YN`` = ``"2"`` that a
    generic flag decoder would misread)."""
    columns = getattr(record, "COLUMNS", None)
    values = getattr(record, "values", None)
    if columns is not None and values is not None and name in columns:
        i = columns.index(name)
        return str(values[i]).strip() if i < len(values) else ""
    if isinstance(record, dict):
        return str(record.get(name, record.get(name.lower(), "")) or "").strip()
    value = getattr(record, name.lower(), None)
    return "" if value is None else str(value).strip()


class _OrderBase:
    """State and notice handling shared by :class:`Order` and :class:`AsyncOrder`."""

    def __init__(self, client: Any, ref: OrderRef, snapshot: OrderSnapshot) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._ref = ref
        self._snapshot = snapshot
        self._changed = threading.Event()
        self.notices = 0  # how many notices updated this handle

    # -- state ---------------------------------------------------------------------------

    @property
    def ref(self) -> OrderRef:
        return self._ref

    @property
    def snapshot(self) -> OrderSnapshot:
        return self._snapshot

    @property
    def order_no(self) -> str:
        """The current KIS order number (a modify moves the order to a new number)."""
        return self._ref.order_no

    @property
    def order_nos(self) -> tuple[str, ...]:
        return self._ref.chain

    @property
    def symbol(self) -> str:
        return self._ref.symbol.code

    @property
    def status(self) -> OrderStatus:
        return self._snapshot.status

    @property
    def quantity(self) -> int:
        return self._snapshot.quantity

    @property
    def price(self) -> Decimal | None:
        return self._snapshot.price

    @property
    def filled_quantity(self) -> int:
        return self._snapshot.filled_quantity

    @property
    def remaining_quantity(self) -> int:
        return self._snapshot.remaining_quantity

    @property
    def average_fill_price(self) -> Decimal | None:
        return self._snapshot.average_fill_price

    @property
    def is_final(self) -> bool:
        return self._snapshot.status.is_final

    @property
    def is_reservation(self) -> bool:
        return self._ref.reservation

    def _ctx(self) -> Context:
        return Context.of(self._client.settings, self._client.server_clock)

    def _set_ref(self, ref: OrderRef) -> None:
        with self._lock:
            self._ref = ref
        registry_of(self._client).track(self)

    def _set_snapshot(self, snapshot: OrderSnapshot) -> None:
        with self._lock:
            if snapshot.status is not OrderStatus.UNKNOWN or self._snapshot.status in (
                OrderStatus.UNKNOWN,
            ):
                self._snapshot = snapshot
                if snapshot.placed_at and self._ref.order_day is None:
                    self._ref = replace(self._ref, order_day=snapshot.placed_at.date())
        self._changed.set()

    def apply_notice(self, record: Any) -> bool:
        """Update from one realtime order/fill notice; ``False`` if it is not this order's."""
        odno, oodno = _raw(record, "ODER_NO"), _raw(record, "OODER_NO")
        ref = self._ref
        mine = ref.owns(odno)
        linked = bool(oodno) and ref.owns(oodno)
        if not mine and not linked:
            return False
        s = self._snapshot
        kind = _raw(record, "RCTF_CLS")  # 0 new, 1 modify, 2 cancel
        if _raw(record, "RFUS_YN") in ("1", "Y"):
            if mine and kind in ("", "0") and not s.filled_quantity:
                s = replace(s, status=OrderStatus.REJECTED, remaining_quantity=0,
                            rejected_quantity=s.quantity)
        elif _raw(record, "CNTG_YN") == "2":
            qty = int(_raw(record, "CNTG_QTY") or 0)
            price = Decimal(_raw(record, "CNTG_UNPR") or "0")
            filled = min(s.filled_quantity + qty, s.quantity or s.filled_quantity + qty)
            paid = (s.average_fill_price or Decimal(0)) * s.filled_quantity + price * qty
            s = replace(s, filled_quantity=filled, average_fill_price=paid / filled if filled
                        else None, remaining_quantity=max(s.quantity - filled, 0),
                        status=OrderStatus.FILLED if filled >= s.quantity
                        else OrderStatus.PARTIALLY_FILLED)
        elif kind == "1" and linked and not mine:
            self._ref = replace(ref, chain=(*ref.chain, odno))
            new_price = _raw(record, "ODER_PRC")
            if new_price:
                s = replace(s, price=Decimal(new_price))
        elif (kind == "2" and linked) or _raw(record, "ACPT_YN") == "3":
            s = replace(s, status=OrderStatus.CANCELLED if s.filled_quantity < s.quantity
                        else s.status, cancelled_quantity=s.remaining_quantity,
                        remaining_quantity=0)
        with self._lock:
            self._snapshot = s
            self.notices += 1
        registry_of(self._client).track(self)
        self._changed.set()
        return True

    def __repr__(self) -> str:
        s = self._snapshot
        kind = "Reservation" if self._ref.reservation else type(self).__name__
        price = f" @ {s.price}" if s.price is not None else ""
        return (f"{kind}(#{self.order_no} {s.side} {self._ref.symbol} {s.filled_quantity}/"
                f"{s.quantity}{price} {s.currency} {s.status})")


Until = Literal["filled", "final"]


def wait_flow(
    ctx: Context,
    handle: _OrderBase,
    *,
    timeout: float,
    until: Until = "filled",
    poll: float = 0.5,
    streaming: Callable[[], bool] = lambda: False,
    rest_every: float = 3.0,
) -> Workflow[OrderSnapshot]:
    """Wait for the order to fill (or reach any final state): from notices when a stream feeds
    the client, else (and every ``rest_every`` seconds anyway) by polling the REST query."""
    deadline = time.monotonic() + timeout
    last_rest = float("-inf")
    while True:
        now = time.monotonic()
        if not streaming() or now - last_rest >= rest_every:
            snap = yield from status_flow(ctx, handle.ref)
            handle._set_snapshot(snap)
            last_rest = now
        snap = handle.snapshot
        if snap.status is OrderStatus.FILLED or (until == "final" and snap.status.is_final):
            return snap
        if snap.status.is_final:
            return snap  # cancelled or rejected: it will never fill
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"order #{handle.order_no} is still {snap.status.value} "
                f"({snap.filled_quantity}/{snap.quantity} filled) after {timeout}s")
        yield Sleep(min(poll, max(deadline - time.monotonic(), 0.0)))


def refresh_flow(handle: _OrderBase) -> Workflow[OrderSnapshot]:
    snap = yield from status_flow(handle._ctx(), handle.ref)
    handle._set_snapshot(snap)
    return handle.snapshot


def modify_handle_flow(handle: _OrderBase, price: Any, quantity: int | None,
                       order_type: Any, rounding: Any) -> Workflow[OrderSnapshot]:
    ref = yield from modify_flow(handle._ctx(), handle.ref, price=price, quantity=quantity,
                                 order_type=order_type, rounding=rounding)
    handle._set_ref(ref)
    handle._set_snapshot(replace(handle.snapshot, price=ref.price, quantity=ref.quantity,
                                 order_no=ref.order_no))
    snap = yield from status_flow(handle._ctx(), handle.ref)  # the broker's view after it
    handle._set_snapshot(snap)
    return handle.snapshot


def cancel_handle_flow(handle: _OrderBase, quantity: int | None) -> Workflow[OrderSnapshot]:
    ref = yield from cancel_flow(handle._ctx(), handle.ref, quantity)
    handle._set_ref(ref)
    if ref.reservation:
        handle._set_snapshot(replace(handle.snapshot, status=OrderStatus.CANCELLED,
                                     cancelled_quantity=handle.snapshot.remaining_quantity,
                                     remaining_quantity=0))
    else:
        snap = yield from status_flow(handle._ctx(), handle.ref)  # the broker's view after it
        handle._set_snapshot(snap)
    return handle.snapshot


class Order(_OrderBase):
    """A placed order on a sync :class:`hantoo.Client`, tracking itself."""

    _client: Workflows

    def refresh(self) -> OrderSnapshot:
        """Ask the broker now (daily order-execution query)."""
        return self._client._drive(refresh_flow(self))

    def wait_filled(self, timeout: float = 30.0, *, poll: float = 0.5) -> OrderSnapshot:
        """Block until filled (or cancelled/rejected); ``TimeoutError`` after ``timeout``."""
        return self._client._drive(wait_flow(self._ctx(), self, timeout=timeout, poll=poll,
                                             streaming=registry_of(self._client).is_streaming))

    def wait(self, timeout: float = 30.0, *, poll: float = 0.5) -> OrderSnapshot:
        """Block until any final state (filled, cancelled, rejected)."""
        return self._client._drive(wait_flow(self._ctx(), self, timeout=timeout, poll=poll,
                                             until="final",
                                             streaming=registry_of(self._client).is_streaming))

    def modify(self, price: Decimal | int | str | None = None, *, quantity: int | None = None,
               order_type: OrderType | str | None = None,
               rounding: PriceRounding | str = PriceRounding.REFUSE) -> OrderSnapshot:
        """Change the price (and/or reduce the quantity) of what is still working."""
        return self._client._drive(modify_handle_flow(self, price, quantity, order_type,
                                                      rounding))

    def cancel(self, quantity: int | None = None) -> OrderSnapshot:
        """Cancel what is still working (or ``quantity`` of it)."""
        return self._client._drive(cancel_handle_flow(self, quantity))


class AsyncOrder(_OrderBase):
    """A placed order on an :class:`hantoo.AsyncClient`; the async twin of :class:`Order`."""

    _client: AsyncWorkflows

    async def refresh(self) -> OrderSnapshot:
        return await self._client._drive(refresh_flow(self))

    async def wait_filled(self, timeout: float = 30.0, *, poll: float = 0.5) -> OrderSnapshot:
        return await self._client._drive(wait_flow(
            self._ctx(), self, timeout=timeout, poll=poll,
            streaming=registry_of(self._client).is_streaming))

    async def wait(self, timeout: float = 30.0, *, poll: float = 0.5) -> OrderSnapshot:
        return await self._client._drive(wait_flow(
            self._ctx(), self, timeout=timeout, poll=poll, until="final",
            streaming=registry_of(self._client).is_streaming))

    async def modify(self, price: Decimal | int | str | None = None, *,
                     quantity: int | None = None, order_type: OrderType | str | None = None,
                     rounding: PriceRounding | str = PriceRounding.REFUSE) -> OrderSnapshot:
        return await self._client._drive(modify_handle_flow(self, price, quantity, order_type,
                                                            rounding))

    async def cancel(self, quantity: int | None = None) -> OrderSnapshot:
        return await self._client._drive(cancel_handle_flow(self, quantity))


class OrderRegistry:
    """The live handles of one client, by order number, for routing notices (weakly held)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_no: weakref.WeakValueDictionary[str, _OrderBase] = (
            weakref.WeakValueDictionary())
        self._known: set[str] = set()
        self.streams = 0
        self.clock_offset_s: float | None = None

    def track(self, handle: _OrderBase) -> None:
        with self._lock:
            for no in (*handle.ref.chain, *handle.ref.cancel_nos):
                key = no.lstrip("0")
                self._by_no[key] = handle
                self._known.add(key)

    def known_order_nos(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._known)

    def is_streaming(self) -> bool:
        return self.streams > 0

    def route(self, record: Any) -> bool:
        """Give a notice to the handle it concerns; ``False`` when no handle wants it."""
        from .futures_orders import as_stock_notice  # overseas futures notices (issue 15)

        record = as_stock_notice(record) or record
        keys = [_raw(record, "ODER_NO").lstrip("0"), _raw(record, "OODER_NO").lstrip("0")]
        with self._lock:
            handle = next((self._by_no[k] for k in keys if k and k in self._by_no), None)
        return handle.apply_notice(record) if handle is not None else False

    def learn_clock(self, ref: OrderRef, sent_at: float) -> None:
        """Server time minus local time, from an order's ``ORD_TMD`` (used by reconcile)."""
        if ref.placed_at is None:
            return
        local = now_kst().replace(microsecond=0)
        server = ref.placed_at
        diff = ((server.hour * 3600 + server.minute * 60 + server.second)
                - (local.hour * 3600 + local.minute * 60 + local.second)) - (time.time() - sent_at)
        # time of day only: bring into (-12 h, +12 h]
        diff = (diff + 43_200) % 86_400 - 43_200
        self.clock_offset_s = diff


_REGISTRY_ATTR = "_hantoo_order_registry"
_registry_lock = threading.Lock()


def registry_of(client: Any) -> OrderRegistry:
    reg = getattr(client, _REGISTRY_ATTR, None)
    if reg is None:
        with _registry_lock:
            reg = getattr(client, _REGISTRY_ATTR, None)
            if reg is None:
                reg = OrderRegistry()
                setattr(client, _REGISTRY_ATTR, reg)
    assert isinstance(reg, OrderRegistry)
    return reg


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """The answer of ``client.reconcile(error)``.

    ``outcome``: ``"present"`` (``order`` is a live handle to it), ``"absent"`` (no order of the
    day matches: it was not executed, and nothing was re-sent), ``"ambiguous"`` (several
    match; see ``candidates``) or — only from ``reconcile_all`` — ``"counted"`` (some of several
    identical orders executed; the group in ``client.reconcile_all``'s report says how many and
    holds their handles). ``findings`` holds the evidence: what was sent, the time window, the
    queries made and every order examined.
    """

    outcome: Outcome
    order: Order | AsyncOrder | None
    findings: ReconcileFindings

    @property
    def present(self) -> bool:
        return self.outcome == "present"

    @property
    def absent(self) -> bool:
        return self.outcome == "absent"

    @property
    def candidates(self) -> tuple[OrderSnapshot, ...]:
        return self.findings.candidates

    def __repr__(self) -> str:
        f = self.findings
        lo, hi = (t.strftime("%H:%M:%S") for t in f.window)
        what = f"{f.sent.action} {f.sent.side} {f.sent.symbol} {f.sent.quantity}@{f.sent.price}"
        return (f"ReconcileResult({self.outcome}: {what}; window {lo}–{hi} server time; "
                f"{len(f.examined)} orders examined, {len(f.candidates)} matched"
                + (f"; order #{self.order.order_no}" if self.order is not None else "") + ")")


@dataclass(frozen=True, slots=True)
class ReconcileGroup:
    """Identical unknown orders resolved together by count (see :mod:`..reconcile`).

    ``intents`` were sent with an unknown outcome, ``executed`` orders of that signature were
    found that no handle owned; ``orders`` are handles to those adopted (all of them when
    ``outcome`` is ``present`` or ``counted``, none when ``absent`` or ``ambiguous``).
    """

    outcome: Outcome
    sent: SentOrder
    intents: int
    executed: int
    orders: tuple[Order | AsyncOrder, ...]
    candidates: tuple[OrderSnapshot, ...]

    @property
    def not_executed(self) -> int:
        """How many of the intents did not reach the exchange (known only when resolved)."""
        return self.intents - self.executed if self.outcome != "ambiguous" else 0

    def __repr__(self) -> str:
        s = self.sent
        what = f"{s.action} {s.side} {s.symbol} {s.quantity}@{s.price}"
        return (f"ReconcileGroup({self.outcome}: {what}; {self.intents} unknown, "
                f"{self.executed} executed, {len(self.orders)} adopted)")


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """The answer of ``client.reconcile_all(errors)``: one result per error (same order) and
    one group per order signature."""

    results: tuple[ReconcileResult, ...]
    groups: tuple[ReconcileGroup, ...]

    @property
    def orders(self) -> tuple[Order | AsyncOrder, ...]:
        """Every order found executed, as handles."""
        return tuple(o for g in self.groups for o in g.orders)

    @property
    def executed(self) -> int:
        return sum(g.executed for g in self.groups if g.outcome != "ambiguous")

    @property
    def unresolved(self) -> tuple[ReconcileGroup, ...]:
        """Groups whose count could not be explained (more orders found than sent)."""
        return tuple(g for g in self.groups if g.outcome == "ambiguous")

    def __repr__(self) -> str:
        return (f"ReconcileReport({len(self.results)} unknown orders in {len(self.groups)} "
                f"groups; {self.executed} executed, {len(self.unresolved)} groups unresolved)")
