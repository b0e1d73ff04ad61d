"""Overseas futures orders, fills, positions and margin, priced by the seeded model.

Why a book beside the matching engine and not inside it: overseas futures prices come from
:class:`.futures_quotes.FuturesQuotes` (one function of seed, series and time), not from the
engine's order books, so an order here trades against that price. Everything the account sees
comes from this book and the model at one instant, so the order, fill, position, P&L, margin and
buying-power answers agree with one another and with the quote and book APIs:

* **Fills.** A market order fills at once at the model's book (buy at the ask, last + 1 tick;
  sell at the bid, last - 1 tick), only during the regular session (08:30–15:15 Chicago). A
  limit order at or through that book fills at once at the book price; otherwise it rests and
  fills at its own price at the first minute of the session whose book reaches it. Resting
  orders are checked minute by minute from the simulator clock, so the answer never depends on
  when (or how often) anyone asked. Day orders (``CCLD_CNDT_CD`` 6) expire at the session's
  end; GTD orders (5; the request carries no date) stay good, session after session, until
  they fill, are cancelled or the series' last trading day ends.
* **Stop** (``PRIC_DVSN_CD`` 3) and **stop-limit** (4) orders wait, untriggered, until the
  last trade price reaches the stop (a buy at or above it, a sell at or below it), checked at
  the same minutes; then a stop fills at once at the book like a market order, a stop-limit
  becomes a limit order at its limit price. A stop already reached when the order arrives is
  refused (it would trigger at once: a market or limit order says that). An untriggered stop
  can have its stop price (and a stop-limit its limit) modified, or be cancelled.
* **Positions** are net per series (long or short) with an average price; a fill against a
  position closes it first (realized P&L), the rest opens the other way.
* **Options** on the futures trade the same way at the premiums of :mod:`.options_quotes`, but
  settle by premium, as exchange-traded options on futures do: the premium is paid (bought) or
  received (sold) in cash at the fill, with no daily variation margin; an open option is
  valued at the premium now. One bought holds no margin (its premium is paid; an open buy
  order holds the premium it will pay), one sold the future's margin.
* **Money** is the account's cash in the contract's currency in the engine: realized P&L and the
  commission (:data:`FEE_PER_CONTRACT` a contract a side) are booked into it as they happen, so
  stock balance APIs show the same cash. Margin (the product's initial margin a contract) is
  held against that cash for open positions and for open orders that would open contracts;
  orderable = cash + unrealized P&L - margin held. Maintenance margin is
  :data:`MAINTENANCE_RATIO` of the initial one.

**Durability** (:mod:`hantoo.sim.durable`): on a journaled exchange every accepted order,
modification and cancellation is journaled (``ofut_ord``, ``ofut_mod``, ``ofut_cxl``) with the
instant it ran at, and a sync that filled resting orders outside a command (a read) is journaled
too (``ofut_sync``), so its cash lands at the same point among the stock commands on replay.
Fills are a function of seed and time, so replaying those records rebuilds the same orders,
fills, positions and cash. The P&L and fees are therefore booked into the cash *unjournaled*
(the futures records replay them; a journaled deposit would count them twice). Snapshots carry
the book's orders, fills and positions; the exchange and the price model are re-attached on load.
Finished orders of past session days leave memory at each snapshot
(:mod:`hantoo.sim.futures_archive`); :meth:`FuturesBook.find` and the ``*_between`` lists read
them back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from .clock import KST, to_us
from .exchange import Exchange
from .futures_quotes import CHICAGO, SESSION, FuturesQuotes
from .options_quotes import OptionQuotes
from .overseas_futures import FuturesSpec, parse_series
from .types import EngineReject, RejectReason

_T = TypeVar("_T")

#: Commission a contract a side, in the contract's currency (the simulator's schedule).
FEE_PER_CONTRACT = Decimal("2.50")
#: Maintenance margin as a share of the initial margin.
MAINTENANCE_RATIO = Decimal("0.9")
_CENT = Decimal("0.01")
BUY, SELL = "02", "01"
LIMIT, MARKET, STOP, STOP_LIMIT = "1", "2", "3", "4"
#: CCLD_CNDT_CD: 6 a day order, 5 good till date (the series' last trading day), 2 market.
GTD = "5"

Account = tuple[str, str]
_log = logging.getLogger("hantoo.sim.futures")


@dataclass
class FOrder:
    """One order (a modification makes a new order; the old one ends ``"modified"``)."""

    odno: str
    account: Account
    code: str
    side: str  # "01" sell, "02" buy (KIS SLL_BUY_DVSN_CD)
    qty: int
    kind: str  # "1" limit, "2" market, "3" stop, "4" stop-limit (KIS PRIC_DVSN_CD)
    limit: int | None  # ticks
    cndt: str  # CCLD_CNDT_CD as sent
    placed: datetime
    session_day: date  # the local (Chicago) trading day the order is for
    orgn_odno: str = ""
    filled: int = 0
    fill_ticks: int = 0
    fill_time: datetime | None = None
    status: str = "open"  # open, filled, cancelled, expired, modified
    checked: int = -1  # minutes after the session open already checked for a fill
    stop: int | None = None  # the stop price (ticks) of a stop or stop-limit order
    triggered: datetime | None = None  # when the last price reached the stop
    good_till: date | None = None  # the last session day it lives (None: ``session_day``)
    day: date | None = None  # the session day checked now (None: ``session_day``)
    reason: str = ""  # why it was refused (a refusal notice's order only)

    @property
    def remaining(self) -> int:
        return self.qty - self.filled if self.status == "open" else 0

    @property
    def waiting(self) -> bool:
        """A stop order whose stop the price has not reached yet: it cannot fill."""
        return self.stop is not None and self.triggered is None

    @property
    def marketable(self) -> bool:
        """Fills at the book, not at a limit: a market order, or a triggered stop."""
        return self.kind in (MARKET, STOP)


@dataclass
class FFill:
    ccno: str
    odno: str
    account: Account
    code: str
    side: str
    qty: int
    ticks: int
    time: datetime
    fee: Decimal
    realized: Decimal


@dataclass
class FPosition:
    qty: int = 0  # + long, - short
    cost_ticks: Decimal = Decimal(0)  # entry ticks x contracts of the open quantity

    def avg_ticks(self) -> Decimal:
        return self.cost_ticks / abs(self.qty) if self.qty else Decimal(0)


@dataclass
class AccountView:
    """The futures figures of one account in one currency at one instant."""

    currency: str
    cash: Decimal
    realized_today: Decimal
    fees_today: Decimal
    unrealized: Decimal
    margin_positions: Decimal
    margin_orders: Decimal
    options_value: Decimal = Decimal(0)  # open option positions at today's premium (signed)
    held_by_stock_orders: Decimal = Decimal(0)  # the same cash held by open stock buy orders
    #: What the open option positions cost (signed: + paid for longs, - received for shorts);
    #: premium-settled, so the cash already moved by it.
    options_cost: Decimal = Decimal(0)
    options_unrealized: Decimal = Decimal(0)  # the options' share of ``unrealized``

    @property
    def margin(self) -> Decimal:
        return self.margin_positions + self.margin_orders

    @property
    def orderable(self) -> Decimal:
        return max(Decimal(0), self.cash + self.unrealized - self.options_unrealized
                   - self.margin - self.held_by_stock_orders)

    @property
    def total(self) -> Decimal:
        """Cash plus the futures' P&L plus the options at today's premium."""
        return self.cash + self.unrealized + self.options_cost


@dataclass
class FuturesBook:
    """Every account's overseas futures orders, fills and positions on one exchange."""

    exchange: Any
    model: FuturesQuotes
    orders: dict[str, FOrder] = field(default_factory=dict)
    fills: list[FFill] = field(default_factory=list)
    positions: dict[tuple[Account, str], FPosition] = field(default_factory=dict)
    _next: int = 1
    _options: OptionQuotes | None = None
    #: Losses the account's cash could not pay at the fill (미수금), per (account, currency).
    owed: dict[tuple[Account, str], Decimal] = field(default_factory=dict)
    #: Fills numbered so far (the archive takes old ones out of ``fills``; numbers go on).
    fills_made: int = 0

    # -- time -------------------------------------------------------------------------------
    def _session(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, time(0), CHICAGO) + timedelta(seconds=SESSION[0])
        end = datetime.combine(day, time(0), CHICAGO) + timedelta(seconds=SESSION[1])
        return start, end

    def session_day(self, now: datetime) -> date:
        """The Chicago trading day an order placed at ``now`` is for."""
        cal = self.model.calendar
        d = now.astimezone(CHICAGO).date()
        if cal.is_business_day(d) and now < self._session(d)[1]:
            return d
        return cal.next_business_day(d)

    def in_session(self, now: datetime) -> bool:
        d = now.astimezone(CHICAGO).date()
        if not self.model.calendar.is_business_day(d):
            return False
        start, end = self._session(d)
        return start <= now < end

    # -- prices -----------------------------------------------------------------------------
    def pricer(self, code: str) -> FuturesQuotes | OptionQuotes:
        """The model that prices ``code``: the futures model, or the options model over it."""
        parsed = parse_series(code)
        if parsed is not None and parsed[3]:
            if self._options is None or self._options.futures is not self.model:
                self._options = OptionQuotes(self.model)
            return self._options
        return self.model

    @staticmethod
    def is_option(code: str) -> bool:
        parsed = parse_series(code)
        return parsed is not None and bool(parsed[3])

    def last_ticks(self, code: str, now: datetime) -> int:
        """The live price (ticks), or the last close outside the session."""
        model = self.pricer(code)
        live = model.live(code, now)
        if live is not None:
            return live.close
        d = self.model.calendar.on_or_before(now.astimezone(CHICAGO).date())
        return model.bar(code, d).close

    def spec(self, code: str) -> tuple[FuturesSpec, date]:
        try:
            return self.pricer(code).series(code)
        except ValueError:
            raise EngineReject(RejectReason.UNKNOWN_SYMBOL, code[:16]) from None

    def money(self, spec: FuturesSpec, ticks: Decimal | int, qty: int) -> Decimal:
        """``ticks`` x ``qty`` contracts in the contract's currency."""
        return (spec.tick * spec.multiplier * ticks * qty).quantize(_CENT, ROUND_HALF_UP)

    # -- orders -----------------------------------------------------------------------------
    def place(self, account: Account, code: str, side: str, qty: int, kind: str,
              limit: Decimal | None, cndt: str, now: datetime,
              stop: Decimal | None = None) -> FOrder:
        """Accept (and perhaps fill) an order; :class:`EngineReject` names what is wrong (and
        the order's owners hear of the refusal, as of the acceptance, on the notice stream)."""
        self._sync(now)
        try:
            return self._place(account, code, side, qty, kind, limit, cndt, now, stop)
        except EngineReject as e:
            parsed = parse_series(code)
            if parsed is not None:
                refused = FOrder("", account, code.upper(), side, qty, kind, None, cndt, now,
                                 self.session_day(now), status="refused", reason=str(e))
                self._tell("refused", refused)
            raise

    def _place(self, account: Account, code: str, side: str, qty: int, kind: str,
               limit: Decimal | None, cndt: str, now: datetime,
               stop: Decimal | None) -> FOrder:
        spec, expiry = self.spec(code)
        if kind not in (LIMIT, MARKET, STOP, STOP_LIMIT):
            raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE,
                               f"PRIC_DVSN_CD {kind}: 1 limit, 2 market, 3 stop or 4 stop-limit")
        if side not in (BUY, SELL):
            raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE, f"SLL_BUY_DVSN_CD {side}")
        if qty <= 0:
            raise EngineReject(RejectReason.BAD_QUANTITY, f"{qty} contracts")
        day = self.session_day(now)
        if day > expiry:
            raise EngineReject(RejectReason.SESSION_CLOSED, f"{code} expired {expiry:%Y-%m-%d}")
        ticks: int | None = None
        if kind in (LIMIT, STOP_LIMIT):
            if limit is None or limit <= 0:
                raise EngineReject(RejectReason.BAD_PRICE, "a limit order needs a price "
                                   "(FM_LIMIT_ORD_PRIC)")
            ticks = self._ticks(spec, limit)
        elif kind == MARKET and not self.in_session(now):
            raise EngineReject(RejectReason.SESSION_CLOSED,
                               "market orders only in the regular session, 08:30-15:15 Chicago")
        stop_ticks: int | None = None
        if kind in (STOP, STOP_LIMIT):
            if stop is None or stop <= 0:
                raise EngineReject(RejectReason.BAD_PRICE, "a stop order needs a stop price "
                                   "(FM_STOP_ORD_PRIC)")
            stop_ticks = self._ticks(spec, stop)
            self._check_stop(code.upper(), side, stop_ticks, now)
        code = code.upper()
        need = (self._margin_of(account, code, now, (side, qty))
                - self._margin_of(account, code, now))
        if need > 0:
            view = self.view(account, spec.currency, now)
            if need > view.orderable:
                raise EngineReject(RejectReason.INSUFFICIENT_CASH,
                                   f"{spec.currency} margin {need} for {qty} contracts, "
                                   f"orderable {view.orderable}")
        odno = f"{self._next:08d}"
        self._next += 1
        o = FOrder(odno, account, code, side, qty, kind, ticks, cndt, now, day, stop=stop_ticks,
                   good_till=expiry if cndt == GTD else day)
        self.orders[odno] = o
        self._tell("accepted", o)
        self._take_book(o, now)
        self._journal("ofut_ord", [account[0], account[1], code, side, qty, kind,
                                   None if limit is None else str(limit), cndt, to_us(now),
                                   None if stop is None else str(stop)])
        return o

    @staticmethod
    def _ticks(spec: FuturesSpec, price: Decimal) -> int:
        q = price / spec.tick
        if price <= 0 or q != q.to_integral_value():
            raise EngineReject(RejectReason.BAD_TICK,
                               f"{price} is not a positive multiple of the tick {spec.tick}")
        return int(q)

    def _check_stop(self, code: str, side: str, stop: int, now: datetime) -> None:
        """A stop the last price has already reached would trigger at once: refused."""
        last = self.last_ticks(code, now)
        spec, _exp = self.spec(code)
        if (side == BUY and last >= stop) or (side == SELL and last <= stop):
            where = "at or below" if side == BUY else "at or above"
            raise EngineReject(RejectReason.BAD_PRICE,
                               f"the {'buy' if side == BUY else 'sell'} stop "
                               f"{spec.tick * stop} is {where} the last price "
                               f"{spec.tick * last}: it would trigger at once (send a market "
                               "or limit order)")

    def _take_book(self, o: FOrder, now: datetime) -> None:
        """Fill ``o`` at once when it reaches the model's book (market orders always do)."""
        if not self.in_session(now) or o.waiting:
            return
        last = self.last_ticks(o.code, now)
        book = last + 1 if o.side == BUY else last - 1
        if o.marketable or (o.side == BUY and o.limit is not None and book <= o.limit) or (
                o.side == SELL and o.limit is not None and book >= o.limit):
            self._fill(o, book, now)

    def _margin_of(self, account: Account, code: str, now: datetime,
                   extra: tuple[str, int] | None = None) -> Decimal:
        """Initial margin held for one series: the position plus the open orders that would add
        to it (the larger side's; orders that would close the position hold none). An option
        bought holds its premium's value (what it can lose), one sold the future's margin."""
        spec, _exp = self.spec(code)
        pos = self.positions.get((account, code), FPosition()).qty
        buys = sells = 0
        for o in self.orders.values():
            if o.account == account and o.code == code and o.status == "open":
                buys += o.remaining if o.side == BUY else 0
                sells += o.remaining if o.side == SELL else 0
        if extra is not None:
            buys += extra[1] if extra[0] == BUY else 0
            sells += extra[1] if extra[0] == SELL else 0
        open_buys = max(buys - max(0, -pos), 0)
        open_sells = max(sells - max(0, pos), 0)
        if self.is_option(code):  # premium-settled: a held long needs nothing more
            value = self.money(spec, self.last_ticks(code, now), 1)
            return value * open_buys + spec.margin * (max(-pos, 0) + open_sells)
        return spec.margin * (abs(pos) + max(open_buys, open_sells))

    def cancel(self, account: Account, odno: str, now: datetime) -> FOrder:
        self._sync(now)
        o = self._open(account, odno)
        o.status = "cancelled"
        self._tell("cancelled", o)
        self._journal("ofut_cxl", [account[0], account[1], odno, to_us(now)])
        return o

    def modify(self, account: Account, odno: str, limit: Decimal | None, now: datetime,
               stop: Decimal | None = None) -> FOrder:
        """A new order for the remaining quantity at the new ``limit`` (a limit or stop-limit
        order) and/or the new ``stop`` (an untriggered stop or stop-limit order); the old one
        ends modified."""
        self._sync(now)
        o = self._open(account, odno)
        spec, _exp = self.spec(o.code)
        if o.marketable and not o.waiting:
            raise EngineReject(RejectReason.NOTHING_TO_MODIFY, "a market order has no price")
        if limit is None and stop is None:
            raise EngineReject(RejectReason.NOTHING_TO_MODIFY,
                               "a modification needs a new limit or stop price")
        ticks = o.limit
        if limit is not None:
            if o.kind not in (LIMIT, STOP_LIMIT):
                raise EngineReject(RejectReason.NOTHING_TO_MODIFY,
                                   "a stop order has no limit price (modify FM_STOP_ORD_PRIC)")
            ticks = self._ticks(spec, limit)
        stop_ticks = o.stop
        if stop is not None:
            if not o.waiting:
                raise EngineReject(RejectReason.NOTHING_TO_MODIFY,
                                   "no stop to modify: not a stop order, or already triggered")
            stop_ticks = self._ticks(spec, stop)
            self._check_stop(o.code, o.side, stop_ticks, now)
        if ticks == o.limit and stop_ticks == o.stop:
            raise EngineReject(RejectReason.NOTHING_TO_MODIFY, "the prices are already those")
        rest = o.remaining
        o.status = "modified"
        odno2 = f"{self._next:08d}"
        self._next += 1
        new = FOrder(odno2, account, o.code, o.side, rest, o.kind, ticks, o.cndt, now,
                     o.session_day, orgn_odno=o.odno, stop=stop_ticks, triggered=o.triggered,
                     good_till=o.good_till, day=o.day)
        self.orders[odno2] = new
        self._tell("modified", new)
        self._take_book(new, now)
        self._journal("ofut_mod", [account[0], account[1], odno,
                                   None if limit is None else str(limit), to_us(now),
                                   None if stop is None else str(stop)])
        return new

    def _open(self, account: Account, odno: str) -> FOrder:
        o = self.orders.get(odno.zfill(8)) or self.find(odno)
        if o is None or o.account != account:
            raise EngineReject(RejectReason.UNKNOWN_ORDER, odno[:10])
        if o.status != "open":
            raise EngineReject(RejectReason.ORDER_NOT_OPEN, f"{o.odno} is {o.status}")
        return o

    def _position_margin(self, spec: FuturesSpec, code: str, pos: int, now: datetime) -> Decimal:
        if self.is_option(code) and pos > 0:
            return Decimal(0)  # premium-settled: a bought option's premium is paid
        return spec.margin * abs(pos)

    # -- fills ------------------------------------------------------------------------------
    def sync(self, now: datetime) -> None:
        """Fill or expire resting orders up to ``now``, minute by minute of the session.

        Fills made here (by a read, outside any command) are journaled as ``ofut_sync``: their
        cash must land at the same point among the other commands when the journal replays."""
        if self._sync(now):
            self._journal("ofut_sync", [to_us(now)])

    def _sync(self, now: datetime) -> bool:
        """:meth:`sync` without the journal; True when something filled."""
        before = len(self.fills)
        for o in list(self.orders.values()):
            while o.status == "open":
                day = o.day or o.session_day
                start, end = self._session(day)
                if now < start:
                    break
                self._scan(o, start, end, now)
                if o.status != "open" or now < end:
                    break
                if day >= (o.good_till or o.session_day):  # its last session is over
                    o.status = "expired"
                    break
                o.day, o.checked = self.model.calendar.next_business_day(day), -1  # GTD
        return len(self.fills) != before

    def _scan(self, o: FOrder, start: datetime, end: datetime, now: datetime) -> None:
        """Check ``o`` minute by minute of one session up to ``now``: trigger a stop, fill."""
        first = max(o.checked + 1, 0)
        if o.placed > start:  # checked at placement; the next full minute onwards
            first = max(first, int((o.placed - start).total_seconds() // 60) + 1)
        last_min = int((min(now, end) - start).total_seconds() // 60)
        for m in range(first, last_min + 1):
            t = start + timedelta(minutes=m)
            if t >= end:
                break
            px = self.last_ticks(o.code, t)
            if o.waiting:
                assert o.stop is not None
                if (o.side == BUY and px < o.stop) or (o.side == SELL and px > o.stop):
                    continue
                o.triggered = t.astimezone(KST)
                self._tell("triggered", o)
            if o.marketable:
                self._fill(o, px + 1 if o.side == BUY else px - 1, t)
                break
            assert o.limit is not None
            if (o.side == BUY and px + 1 <= o.limit) or (o.side == SELL and px - 1 >= o.limit):
                self._fill(o, o.limit, t)
                break
        o.checked = max(o.checked, last_min)

    def _fill(self, o: FOrder, ticks: int, when: datetime) -> None:
        when = when.astimezone(KST)  # times in Korean time, as KIS writes them (and immediate
        spec, _exp = self.spec(o.code)  # fills at the clock's instant already were)
        qty = o.remaining
        key = (o.account, o.code)
        pos = self.positions.setdefault(key, FPosition())
        sign = 1 if o.side == BUY else -1
        realized = Decimal(0)
        closing = min(qty, abs(pos.qty)) if pos.qty * sign < 0 else 0
        if closing:
            avg = pos.avg_ticks()
            direction = 1 if pos.qty > 0 else -1
            realized = self.money(spec, (Decimal(ticks) - avg) * direction, closing)
            pos.cost_ticks -= avg * closing
            pos.qty += sign * closing
        opening = qty - closing
        if opening:
            pos.qty += sign * opening
            pos.cost_ticks += Decimal(ticks) * opening
        if pos.qty == 0:
            pos.cost_ticks = Decimal(0)
        fee = (FEE_PER_CONTRACT * qty).quantize(_CENT)
        o.filled += qty
        o.fill_ticks = ticks
        o.fill_time = when
        o.status = "filled"
        self.fills_made = max(self.fills_made, len(self.fills)) + 1
        fill = FFill(f"{self.fills_made:08d}", o.odno, o.account, o.code, o.side, qty, ticks,
                     when, fee, realized)
        self.fills.append(fill)
        for listener in list(_FILL_LISTENERS.get(self.exchange, ())):
            try:
                listener(o, fill)
            except Exception:  # a notice must never break a fill
                _log.exception("a futures fill listener failed")
        net = realized - fee
        if self.is_option(o.code):  # premium-settled: the premium itself moves the cash
            net = -sign * self.money(spec, ticks, qty) - fee
        if net:
            try:  # unjournaled: the futures records replay it (see the module docstring)
                Exchange.deposit(self.exchange, o.account, net, spec.currency)
            except EngineReject:  # a loss beyond what the cash can give now: owed (미수)
                self.owed[(o.account, spec.currency)] = (
                    self.owed.get((o.account, spec.currency), Decimal(0)) - net)

    def _tell(self, event: str, o: FOrder) -> None:
        """``accepted``, ``modified``, ``cancelled``, ``refused`` or ``triggered``: to the
        order listeners (the ``HDFFF1C0`` notices); a listener never breaks the order."""
        for listener in list(_ORDER_LISTENERS.get(self.exchange, ())):
            try:
                listener(event, o)
            except Exception:
                _log.exception("a futures order listener failed")

    # -- durability -------------------------------------------------------------------------
    def _journal(self, op: str, args: list[Any]) -> None:
        note = getattr(self.exchange, "note_ofut", None)
        if note is not None:
            note(op, args)

    def __getstate__(self) -> dict[str, Any]:
        """Orders, fills and positions only: the exchange and the model come back on load."""
        state = dict(self.__dict__)
        state.update(exchange=None, model=None, _options=None)
        return state

    # -- views ------------------------------------------------------------------------------
    def open_positions(self, account: Account) -> list[tuple[str, FPosition]]:
        return sorted(((code, p) for (acc, code), p in self.positions.items()
                       if acc == account and p.qty), key=lambda cp: cp[0])

    def unrealized(self, account: Account, code: str, now: datetime) -> Decimal:
        pos = self.positions.get((account, code))
        if pos is None or not pos.qty:
            return Decimal(0)
        spec, _exp = self.spec(code)
        last = self.last_ticks(code, now)
        direction = 1 if pos.qty > 0 else -1
        return self.money(spec, (Decimal(last) - pos.avg_ticks()) * direction, abs(pos.qty))

    def view(self, account: Account, currency: str, now: datetime) -> AccountView:
        """Cash, P&L and margin of ``account`` in ``currency`` at ``now``."""
        self.sync(now)
        cash = held = Decimal(0)
        for s in self.exchange.balance(account).summary:
            if s.currency == currency:
                cash = s.cash_d2 - self.owed.get((account, currency), Decimal(0))
                held = s.reserved
        today = now.astimezone(CHICAGO).date()
        realized = fees = unreal = m_pos = margin = opts = cost = opt_unreal = Decimal(0)
        for f in self.fills:
            if f.account == account and f.time.astimezone(CHICAGO).date() == today \
                    and self.spec(f.code)[0].currency == currency:
                realized += f.realized
                fees += f.fee
        codes = {c for (acc, c), p in self.positions.items() if acc == account and p.qty}
        codes |= {o.code for o in self.orders.values()
                  if o.account == account and o.status == "open"}
        for code in sorted(codes):
            spec, _exp = self.spec(code)
            if spec.currency != currency:
                continue
            u = self.unrealized(account, code, now)
            unreal += u
            position = self.positions.get((account, code), FPosition())
            pos = position.qty
            m_pos += self._position_margin(spec, code, pos, now)
            if self.is_option(code) and pos:
                opts += self.money(spec, self.last_ticks(code, now), pos)
                cost += self.money(spec, position.cost_ticks, 1 if pos > 0 else -1)
                opt_unreal += u
            margin += self._margin_of(account, code, now)
        return AccountView(currency, cash, realized, fees, unreal, m_pos, margin - m_pos, opts,
                           held, cost, opt_unreal)

    def today_orders(self, account: Account, now: datetime) -> list[FOrder]:
        self.sync(now)
        day = self.session_day(now)
        recent = self._with_archived(
            [o for o in self.orders.values() if o.account == account],
            account, day - timedelta(days=4), day)
        return [o for o in recent if o.session_day == day or o.status == "open"
                or o.placed.date() == now.date()]

    def orders_between(self, account: Account, start: date, end: date,
                       now: datetime) -> list[FOrder]:
        self.sync(now)
        return [o for o in self._with_archived(
            [o for o in self.orders.values() if o.account == account], account, start, end)
            if start <= o.session_day <= end]

    def fills_between(self, account: Account, start: date, end: date,
                      now: datetime) -> list[FFill]:
        self.sync(now)
        mine = [f for f in self.fills if f.account == account
                and start <= f.time.astimezone(CHICAGO).date() <= end]
        db = self._archive_db()
        if db is None:
            return mine
        from ..futures_archive import archived_fills

        return _merged(mine, archived_fills(db, account, start, end), lambda f: f.ccno)

    def find(self, odno: str) -> FOrder | None:
        """An order by number, in memory or in the archive (finished, older orders)."""
        key = odno.strip().zfill(8)
        o = self.orders.get(key)
        db = self._archive_db() if o is None else None
        if db is not None:
            from ..futures_archive import archived_order

            o = archived_order(db, key)
        return o

    # -- the archive (``hantoo.sim.futures_archive``) -----------------------------------------
    def _archive_db(self) -> Any:
        """The state file's database when the exchange is journaled with an archive."""
        store = getattr(self.exchange, "_j_archive", None)
        return getattr(store, "db", None)

    def _with_archived(self, orders: list[FOrder], account: Account, start: date,
                       end: date) -> list[FOrder]:
        db = self._archive_db()
        if db is None:
            return orders
        from ..futures_archive import archived_orders

        return _merged(orders, archived_orders(db, account, start, end), lambda o: o.odno)


def _merged(hot: list[_T], archived: Iterable[_T], number: Callable[[_T], str]) -> list[_T]:
    """In-memory records with the archive's, sorted by number; a record in both is taken from
    memory."""
    seen = {number(x) for x in hot}
    return sorted([x for x in archived if number(x) not in seen] + hot, key=number)


#: Who hears of each futures fill, per exchange: kept off the exchange (and the book) so a
#: snapshot never carries them; ``hantoo.sim.futures_notices`` sends the fill notice from here.
_FILL_LISTENERS: WeakKeyDictionary[Any, list[Callable[[FOrder, FFill], None]]] = (
    WeakKeyDictionary())


def add_fill_listener(exchange: Any, listener: Callable[[FOrder, FFill], None]) -> None:
    """Call ``listener(order, fill)`` after every fill of ``exchange``'s futures book."""
    _FILL_LISTENERS.setdefault(exchange, []).append(listener)


#: Who hears of each order event (acceptance, modification, cancellation, refusal, a stop's
#: trigger), per exchange, kept off the book for the same reason as the fill listeners.
_ORDER_LISTENERS: WeakKeyDictionary[Any, list[Callable[[str, FOrder], None]]] = (
    WeakKeyDictionary())


def add_order_listener(exchange: Any, listener: Callable[[str, FOrder], None]) -> None:
    """Call ``listener(event, order)`` at every order event of ``exchange``'s futures book."""
    _ORDER_LISTENERS.setdefault(exchange, []).append(listener)


def book_of(exchange: Any) -> FuturesBook:
    """The futures book of one exchange (made on first use, with the exchange's seed)."""
    book = exchange.__dict__.get("_futures_book")
    if not isinstance(book, FuturesBook) or book.exchange is not exchange:
        model = exchange.__dict__.get("_futures_quotes")
        if not isinstance(model, FuturesQuotes):
            model = FuturesQuotes(exchange.seed, exchange.schedules[1].calendar)
            exchange.__dict__["_futures_quotes"] = model
        if isinstance(book, FuturesBook):  # loaded from a snapshot: re-attach
            book.exchange, book.model = exchange, model
        else:
            book = FuturesBook(exchange, model)
            exchange.__dict__["_futures_book"] = book
    return book
