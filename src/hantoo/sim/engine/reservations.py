"""Reservation orders (KIS 예약주문): queued now, sent to the market at the next open.

A reservation is sent at the start of the opening call auction (08:30) of each business day from
its start date to its end date, for the quantity not yet filled by earlier sends; a single-day
reservation has start = end. Rules kept from KIS: domestic stocks only, order types 00/01/02/05,
the end date at most 30 calendar days away, at most 1,000 active reservations per account. A
send that the exchange rejects (cash, limits…) is recorded on the reservation and retried the
next business day while the period lasts.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from .accounts import Account
from .matching import MatchingCore
from .orders import Order
from .sessions import MarketSchedule
from .ticks import from_units, to_units
from .types import (
    RESERVATION_TYPES,
    CreditType,
    EngineReject,
    OrderAction,
    OrderType,
    Phase,
    RejectReason,
    Side,
)
from .universe import Instrument
from .views import AccountKey, ReservationInfo

if TYPE_CHECKING:
    from .config import ExchangeConfig


class Reservation:
    """One reservation order."""

    __slots__ = (
        "acct", "cancelled", "created", "credit", "end", "inst", "last_error", "odnos",
        "otype", "price", "qty", "seq", "side", "start",
    )

    def __init__(
        self, seq: int, acct: Account, inst: Instrument, side: int, otype: OrderType, qty: int,
        price: int, created: date, start: date, end: date,
    ) -> None:
        self.seq = seq
        self.acct = acct
        self.inst = inst
        self.side = side
        self.otype = otype
        self.qty = qty
        self.price = price
        self.created = created
        self.start = start
        self.end = end
        self.cancelled = False
        self.odnos: list[int] = []
        self.last_error: str | None = None
        self.credit: CreditType | None = None


class ReservationMixin(MatchingCore):
    """Reservation commands, mixed into :class:`~.exchange.Exchange`."""

    reservations: dict[int, Reservation]
    _next_rsv: int

    if TYPE_CHECKING:
        config: ExchangeConfig
        schedules: tuple[MarketSchedule, ...]
        _phase: list[Phase]
        _mday: list[date]
        _cur_step: list[int]

        def _sync(self) -> None: ...
        def _commit(self) -> None: ...
        def _inst(self, symbol: str) -> Instrument: ...
        def _account(self, key: AccountKey) -> Account: ...
        def submit(
            self, a: Account, inst: Instrument, side: int, otype: OrderType, qty: int,
            price: int, *, credit: CreditType | None = None, loan_date: date | None = None,
            rsv_seq: int = 0, action: OrderAction = OrderAction.NEW, orig: int = 0,
        ) -> Order: ...

    def _rsv_init(self) -> None:
        self.reservations = {}
        self._next_rsv = 0

    def _rsv_filled(self, r: Reservation) -> int:
        return sum(self.orders[od].filled for od in r.odnos if od in self.orders)

    def _rsv_active(self, r: Reservation, today: date) -> bool:
        return not r.cancelled and today <= r.end and self._rsv_filled(r) < r.qty

    def _rsv_info(self, r: Reservation) -> ReservationInfo:
        return ReservationInfo(
            seq=r.seq,
            account=r.acct.key,
            symbol=r.inst.code,
            side=Side(r.side),
            order_type=r.otype,
            qty=r.qty,
            price=from_units(r.price, r.inst.scale),
            created=r.created,
            start_date=r.start,
            end_date=r.end,
            filled_qty=self._rsv_filled(r),
            active=self._rsv_active(r, self._mday[0]),
            cancelled=r.cancelled,
            odnos=tuple(f"{od:010d}" for od in r.odnos),
            last_error=r.last_error,
        )

    def _next_session_day(self) -> date:
        """The first trading day whose opening has not happened yet."""
        cal = self.schedules[0].calendar
        today = self._mday[0]
        if self._cur_step[0] < 0 and self._phase[0] is Phase.CLOSED:
            d, _ = self.schedules[0].local(self._now)
            if d == today and cal.is_business_day(d):
                return today
        return cal.next_business_day(max(today, self.schedules[0].local(self._now)[0]))

    def reserve_order(
        self,
        account: AccountKey,
        symbol: str,
        side: Side,
        order_type: OrderType | str,
        qty: int,
        price: Decimal | int | str | None = None,
        *,
        end_date: date | None = None,
        credit: CreditType | None = None,
    ) -> ReservationInfo:
        """Queue a reservation; ``end_date`` makes it a period reservation (≤ 30 days)."""
        try:
            self._sync()
            a = self._account(account)
            inst = self._inst(symbol)
            if inst.market.is_overseas:
                raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE, "domestic only")
            try:
                otype = OrderType(order_type)
            except ValueError:
                raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE, str(order_type)) from None
            if otype not in RESERVATION_TYPES:
                raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE, otype.value)
            if qty <= 0:
                raise EngineReject(RejectReason.BAD_QUANTITY, str(qty))
            units = 0
            if otype in (OrderType.LIMIT, OrderType.CONDITIONAL_LIMIT):
                u = to_units(Decimal(str(price or 0)), inst.scale)
                if u is None or u <= 0:
                    raise EngineReject(RejectReason.BAD_PRICE, str(price))
                if u % inst.tick_of(u):
                    raise EngineReject(RejectReason.BAD_TICK, str(price))
                units = u
            start = self._next_session_day()
            today = self.schedules[0].local(self._now)[0]
            end = end_date or start
            if end < start or end > today + timedelta(days=self.config.reservation_max_days):
                raise EngineReject(RejectReason.RESERVATION_PERIOD, str(end))
            active = sum(
                1 for r in self.reservations.values()
                if r.acct is a and self._rsv_active(r, self._mday[0])
            )
            if active >= self.config.max_reservations:
                raise EngineReject(RejectReason.RESERVATION_LIMIT, str(active))
            self._next_rsv += 1
            r = Reservation(self._next_rsv, a, inst, int(side), otype, qty, units, today,
                            start, end)
            r.credit = credit
            self.reservations[r.seq] = r
            if self._tx is not None:
                self._tx.reservations.add(r.seq)
            return self._rsv_info(r)
        finally:
            self._commit()

    def cancel_reservation(self, account: AccountKey, seq: int) -> ReservationInfo:
        """Cancel a reservation (orders already sent stay; cancel them separately)."""
        try:
            self._sync()
            a = self._account(account)
            r = self.reservations.get(int(seq))
            if r is None or r.acct is not a:
                raise EngineReject(RejectReason.UNKNOWN_ORDER, f"reservation {seq}")
            if r.cancelled:
                raise EngineReject(RejectReason.ORDER_NOT_OPEN, f"reservation {seq}")
            r.cancelled = True
            if self._tx is not None:
                self._tx.reservations.add(r.seq)
            return self._rsv_info(r)
        finally:
            self._commit()

    def reservation_list(
        self, account: AccountKey, *, start: date | None = None, end: date | None = None,
        symbol: str | None = None,
    ) -> list[ReservationInfo]:
        """Reservations of an account created in ``[start, end]`` (all when omitted)."""
        self._sync()
        self._commit()
        a = self._account(account)
        return [
            self._rsv_info(r) for r in self.reservations.values()
            if r.acct is a
            and (start is None or r.created >= start)
            and (end is None or r.created <= end)
            and (symbol is None or r.inst.code == symbol)
        ]

    def _submit_reservations(self) -> None:
        """At the opening auction start: send every reservation due today."""
        today = self._mday[0]
        for r in list(self.reservations.values()):
            if not (r.start <= today and self._rsv_active(r, today)):
                continue
            left = r.qty - self._rsv_filled(r)
            try:
                o = self.submit(r.acct, r.inst, r.side, r.otype, left, r.price,
                                credit=r.credit, rsv_seq=r.seq)
            except EngineReject as rej:
                r.last_error = f"{rej.reason.value}: {rej.detail}"
            else:
                r.odnos.append(o.odno)
                r.last_error = None
            if self._tx is not None:
                self._tx.reservations.add(r.seq)
