"""Matching and settlement primitives: the engine's hot path.

:class:`MatchingCore` owns the mutable state (accounts, orders, per-symbol books) and the few
operations everything else is built from:

* :meth:`~MatchingCore._match` — continuous matching of one incoming order against the opposite
  side, best price first, FIFO within a level, at the *resting* order's price;
* :meth:`~MatchingCore._auction` — single-price uncrossing of a call-auction book;
* :meth:`~MatchingCore._trade` — one execution: both orders, both accounts, fees and taxes,
  statistics, the fill journal and events;
* :meth:`~MatchingCore._reduce` — take quantity off a working order (cancel, expiry, modify),
  releasing exactly what it reserved.

These methods trust their callers (validation happens in :mod:`.exchange`), use only ``int``
arithmetic and touch the journal/event buffers only when a store or a listener is attached.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from .accounts import Account, CreditLot, Position
from .book import OrderBook, uncross
from .clock import from_us
from .flow_tape import PROGRAM, book_program, close_minute
from .market import SymbolState
from .orders import (
    BUY,
    VENUE_AFTER,
    VENUE_CLOSE,
    VENUE_FIXED,
    VENUE_MAIN,
    VENUE_NXT,
    Order,
)
from .overseas_markets import N_SLOTS
from .ticks import from_units
from .types import OrderStatus, Side
from .views import (
    Event,
    FillInfo,
    OrderCancelled,
    OrderFilled,
    OrderInfo,
    TradeTick,
    make_order_info,
)

PARTIAL = OrderStatus.PARTIAL
_CENT = Decimal("0.01")
_ZERO = Decimal(0)
FILLED = OrderStatus.FILLED
EXPIRED = OrderStatus.EXPIRED  # module constants: an enum member read is slow on 3.11


class Fill:
    """One execution of one user order."""

    __slots__ = ("day", "fee", "fill_id", "order", "price", "qty", "tax", "time_us", "trade_id")

    def __init__(
        self, fill_id: int, order: Order, qty: int, price: int, time_us: int, day: date,
        fee: int, tax: int, trade_id: int = 0,
    ) -> None:
        self.trade_id = trade_id  # both sides of one user-vs-user trade share it
        self.fill_id = fill_id
        self.order = order
        self.qty = qty
        self.price = price
        self.time_us = time_us
        self.day = day
        self.fee = fee
        self.tax = tax


class Journal:
    """What changed during one command; the store writes it in one transaction."""

    __slots__ = ("accounts", "fills", "orders", "reservations")

    def __init__(self) -> None:
        self.orders: dict[int, Order] = {}
        self.fills: list[Fill] = []
        self.accounts: dict[tuple[str, str], Account] = {}
        self.reservations: set[int] = set()

    def clear(self) -> None:
        self.orders.clear()
        self.fills.clear()
        self.accounts.clear()
        self.reservations.clear()

    def __bool__(self) -> bool:
        return bool(self.orders or self.fills or self.accounts or self.reservations)


_SIDES = (None, Side.SELL, Side.BUY)

# Won prices as Decimals, built once (``Decimal(int)`` costs ~10x a dict hit; a book's prices
# are a few ticks apart, so a few hundred entries serve a day). Decimals are immutable, so
# answers may share them. Bounded: emptied when full, then refilled by what is in use.
_PRICE_DEC: dict[int, Decimal] = {0: _ZERO}
_AVG_DEC: dict[int, Decimal] = {}  # whole-won average prices, to the cent (``71000.00``)
_DEC_MAX = 1 << 14


def _price_dec(price: int) -> Decimal:
    if len(_PRICE_DEC) >= _DEC_MAX:
        _PRICE_DEC.clear()
        _PRICE_DEC[0] = _ZERO
    d = _PRICE_DEC[price] = Decimal(price)
    return d


def _avg_dec(price: int) -> Decimal:
    if len(_AVG_DEC) >= _DEC_MAX:
        _AVG_DEC.clear()
    d = _AVG_DEC[price] = Decimal(price).quantize(_CENT)
    return d


def order_info(o: Order) -> OrderInfo:
    """Public snapshot of an order (built on every order command: kept lean)."""
    inst = o.inst
    scale = inst.scale
    filled = o.filled
    if scale == 1:
        # zero amounts (every order not yet filled) share one constant: no Decimal built
        dec = Decimal
        if filled:
            value = o.fill_value
            fill_amount = dec(value)
            if value % filled:
                avg = (fill_amount / filled).quantize(_CENT)
            else:  # filled at one price (or an exact average): the same Decimal, cached
                q = value // filled
                cached = _AVG_DEC.get(q)
                avg = cached if cached is not None else _avg_dec(q)
        else:
            fill_amount = avg = _ZERO
        cached = _PRICE_DEC.get(o.price)
        price = cached if cached is not None else _price_dec(o.price)
        fees = dec(o.fees) if o.fees else _ZERO
        taxes = dec(o.taxes) if o.taxes else _ZERO
    else:
        fill_amount = from_units(o.fill_value, scale)
        avg = (fill_amount / filled).quantize(from_units(1, scale * 100)) if filled \
            else from_units(0, scale)
        price = from_units(o.price, scale)
        fees, taxes = from_units(o.fees, scale), from_units(o.taxes, scale)
    orig = o.orig_odno
    return make_order_info(
        # str().zfill(): the ``:010d`` format spec costs 4x as much to parse and apply
        str(o.odno).zfill(10), str(orig).zfill(10) if orig else None, o.acct.key, inst.code,
        inst.name, inst.market, inst.currency, _SIDES[o.side], o.otype, o.action, price, o.qty,
        filled, o.remaining, o.cancelled, o.replaced, avg, fill_amount, fees, taxes, o.status,
        from_us(o.time_us), o.day, o.credit, o.loan_date, o.rsv_seq or None,
        "NXT" if o.venue == VENUE_NXT else "KRX",
    )


def fill_info(f: Fill) -> FillInfo:
    """Public snapshot of a fill."""
    o = f.order
    scale = o.inst.scale
    return FillInfo(
        fill_id=f"{f.fill_id:010d}",
        odno=f"{o.odno:010d}",
        account=o.acct.key,
        symbol=o.inst.code,
        side=Side(o.side),
        qty=f.qty,
        price=from_units(f.price, scale),
        amount=from_units(f.qty * f.price, scale),
        fee=from_units(f.fee, scale),
        tax=from_units(f.tax, scale),
        time=from_us(f.time_us),
        trade_date=f.day,
        currency=o.inst.currency,
        credit_type=o.credit,
    )


class MatchingCore:
    """State and primitives; :class:`~.exchange.Exchange` adds commands and queries."""

    # Set by Exchange.__init__; declared here for the type checker.
    house: Account
    lender: Account
    accounts: dict[tuple[str, str], Account]
    orders: dict[int, Order]
    fills: list[Fill]
    fee_ledger: list[int]
    tax_ledger: list[int]
    deposits: list[int]
    _states: dict[str, SymbolState]
    _now: int
    _seq: int
    _next_fill: int
    _next_trade: int
    _tx: Journal | None
    _ev: list[Event] | None
    _listeners: list[Callable[[Event], None]]
    _margin: tuple[int, int]
    _comm: tuple[tuple[int, int], ...]

    # ---- reservations ---------------------------------------------------------------------
    def _reserve_for(self, o: Order, rem: int) -> int:
        """Cash a buy order holds for ``rem`` shares: notional (margin part) + fee, rounded up."""
        n = rem * o.reserve_px
        fn, fd = self._comm[o.inst.mk]
        fee = -(-n * fn // fd)
        if o.credit is not None:
            mn, md = self._margin
            n = -(-n * mn // md)
        return n + fee

    def _holding(self, o: Order) -> Position | CreditLot | None:
        a = o.acct
        if o.credit is not None and o.loan_date is not None:
            return a.lots.get((o.inst.code, o.loan_date))
        return a.positions.get(o.inst.code)

    # ---- one execution --------------------------------------------------------------------
    def _trade(
        self, st: SymbolState, taker: Order, maker: Order, qty: int, px: int, aggr: int
    ) -> None:
        if taker.side == BUY:
            b, s = taker, maker
        else:
            b, s = maker, taker
        self._next_trade += 1
        tid = self._next_trade
        b.remaining -= qty
        s.remaining -= qty
        b.filled += qty
        s.filled += qty
        notional = qty * px
        b.fill_value += notional
        s.fill_value += notional
        inst = st.inst
        u = inst.mk
        code = inst.code
        now = self._now
        day = st.trade_day
        tx = self._tx
        ev = self._ev
        # -- buyer
        if b.synthetic:  # the house: cash and shares only (its position exists but once)
            a = b.acct
            a.cash[u] -= notional
            pos = a.positions.get(code)
            if pos is None:
                pos = a.position(code)
            pos.qty += qty
        else:
            a = b.acct
            fn, fd = st.commission
            fee = notional * fn // fd
            if b.credit is None:
                out = notional + fee
                pos = a.positions.get(code)
                if pos is None:
                    pos = a.positions[code] = Position(code)
                pos.qty += qty
                pos.cost += notional
            else:
                mn, md = self._margin
                margin = -(-notional * mn // md)
                loan = notional - margin
                out = margin + fee
                self.lender.cash[u] -= loan
                lot_key = (code, b.loan_date or day)
                lot = a.lots.get(lot_key)
                if lot is None:
                    lot = a.lots[lot_key] = CreditLot(code, lot_key[1], b.credit)
                lot.qty += qty
                lot.cost += notional
                lot.loan += loan
                if tx is not None:
                    tx.accounts[self.lender.key] = self.lender
            a.cash[u] -= out
            a.fees[u] += fee
            self.fee_ledger[u] += fee
            b.fees += fee
            rem = b.remaining
            if not rem:
                new_res = 0
            elif b.credit is None:
                n = rem * b.reserve_px
                new_res = n - (-n * fn // fd)
            else:
                new_res = self._reserve_for(b, rem)
            a.reserved[u] -= b.reserved - new_res
            b.reserved = new_res
            flow = a.flows.get(day)
            if flow is None:
                flow = a.flows[day] = [0] * N_SLOTS
            flow[u] -= out
            self._next_fill += 1
            f = Fill(self._next_fill, b, qty, px, now, day, fee, 0, tid)
            self.fills.append(f)
            a.fill_log.append(f)
            if rem:
                b.status = PARTIAL
            elif b.filled == b.qty:
                b.status = FILLED
            else:
                b.settle_status()
            if tx is not None:
                tx.fills.append(f)
                tx.orders[b.odno] = b
                tx.accounts[a.key] = a
            if ev is not None:
                ev.append(OrderFilled(fill_info(f), order_info(b)))
        # -- seller
        if s.synthetic:
            a = s.acct
            a.cash[u] += notional
            pos = a.positions.get(code)
            if pos is None:
                pos = a.position(code)
            pos.qty -= qty
        else:
            a = s.acct
            fn, fd = st.commission
            tn, td = st.tax
            fee = notional * fn // fd
            tax = notional * tn // td
            proceeds = notional - fee - tax
            if s.credit is None:
                pos = a.positions[code]
                before = pos.qty
                cost_out = pos.cost * qty // before
                pos.cost -= cost_out
                pos.qty -= qty
                pos.reserved -= qty
                pnl = notional - cost_out
                pos.realized += pnl
                if pos.qty == 0 and pos.reserved == 0:
                    del a.positions[code]
            else:
                lot_key = (code, s.loan_date or day)
                lot = a.lots[lot_key]
                before = lot.qty
                repay = lot.loan * qty // before
                cost_out = lot.cost * qty // before
                lot.loan -= repay
                lot.cost -= cost_out
                lot.qty -= qty
                lot.reserved -= qty
                proceeds -= repay
                self.lender.cash[u] += repay
                pnl = notional - cost_out
                if lot.qty == 0 and lot.reserved == 0:
                    del a.lots[lot_key]
                if tx is not None:
                    tx.accounts[self.lender.key] = self.lender
            a.realized[u] += pnl
            a.cash[u] += proceeds
            a.fees[u] += fee
            a.taxes[u] += tax
            self.fee_ledger[u] += fee
            self.tax_ledger[u] += tax
            s.fees += fee
            s.taxes += tax
            flow = a.flows.get(day)
            if flow is None:
                flow = a.flows[day] = [0] * N_SLOTS
            flow[u] += proceeds
            self._next_fill += 1
            f = Fill(self._next_fill, s, qty, px, now, day, fee, tax, tid)
            self.fills.append(f)
            a.fill_log.append(f)
            if s.remaining:
                s.status = PARTIAL
            elif s.filled == s.qty:
                s.status = FILLED
            else:
                s.settle_status()
            if tx is not None:
                tx.fills.append(f)
                tx.orders[s.odno] = s
                tx.accounts[a.key] = a
            if ev is not None:
                ev.append(OrderFilled(fill_info(f), order_info(s)))
        if tx is not None and (b.synthetic or s.synthetic):
            tx.accounts[self.house.key] = self.house
        if now // 60_000_000 != st.fmin:  # the per-minute flow tape (.flow_tape)
            close_minute(st, now // 60_000_000)
        flows = st.flows  # see SymbolState.flows: [venue offset + kind offset + investor]
        fo = 20 if b.venue == VENUE_NXT else 0
        flows[fo + b.investor] += qty
        flows[fo + 5 + s.investor] += qty
        flows[fo + 10 + b.investor] += notional
        flows[fo + 15 + s.investor] += notional
        if b.investor == PROGRAM or s.investor == PROGRAM:
            book_program(st, fo == 20, b, s, qty, notional)
        if b.venue == VENUE_NXT:  # NXT keeps its own day statistics and tape
            st.nx.record(now, px, qty, aggr)
            return
        if not st.open:
            st.open = st.high = st.low = px
        elif px > st.high:
            st.high = px
        elif px < st.low:
            st.low = px
        st.last = px
        st.volume += qty
        st.value += notional
        st.extra.add(now, px, qty, aggr)
        if ev is not None:
            ev.append(self._tick_event(st, px, qty, aggr))

    def _tick_event(self, st: SymbolState, px: int, qty: int, aggr: int) -> TradeTick:
        scale = st.inst.scale
        return TradeTick(
            symbol=st.inst.code,
            time=from_us(self._now),
            price=from_units(px, scale),
            qty=qty,
            side=Side(aggr) if aggr else None,
            cum_volume=st.volume,
            cum_value=from_units(st.value, scale),
            open=from_units(st.open, scale),
            high=from_units(st.high, scale),
            low=from_units(st.low, scale),
            prev_close=from_units(st.base, scale),
        )

    # ---- continuous matching --------------------------------------------------------------
    def _match(self, st: SymbolState, book: OrderBook, o: Order, limit: int) -> None:
        """Match ``o`` against the opposite side while prices are acceptable to ``limit``."""
        buy = o.side == BUY
        side = book.asks if buy else book.bids
        keys = side.keys
        levels = side.levels
        trade = self._trade
        aggr = o.side
        while o.remaining and keys:
            key = keys[-1]
            if buy:
                px = -key
                if px > limit:
                    break
            else:
                px = key
                if px < limit:
                    break
            lvl = levels[key]
            q = lvl.orders
            while True:
                r = q[0]
                rr = r.remaining
                if not rr:
                    q.popleft()
                    lvl.dead -= 1
                    continue
                rem = o.remaining
                f = rem if rem < rr else rr
                lvl.total -= f
                trade(st, o, r, f, px, aggr)
                if not r.remaining:
                    q.popleft()
                if not lvl.total or not o.remaining:
                    break
            if not lvl.total:
                keys.pop()
                del levels[key]

    def _available(self, book: OrderBook, side: int, limit: int, want: int) -> int:
        """Opposite quantity an order of ``side`` could take at prices within ``limit``."""
        buy = side == BUY
        opp = book.asks if buy else book.bids
        total = 0
        for lvl in opp.iter_levels():
            if (lvl.price > limit) if buy else (lvl.price < limit):
                break
            total += lvl.total
            if total >= want:
                break
        return total

    def _rest(self, book: OrderBook, o: Order) -> None:
        """Put a working order at the back of its level (new time priority)."""
        self._seq += 1
        o.prio = self._seq
        book.add(o)

    # ---- auctions -------------------------------------------------------------------------
    def _auction(self, st: SymbolState, book: OrderBook, reference: int) -> int | None:
        """Uncross ``book`` at one price; returns the price, or ``None`` when nothing crossed."""
        res = uncross(book, reference)
        if res is None:
            return None
        px, vol = res
        bids, asks = book.bids, book.asks
        trade = self._trade
        while vol > 0:
            bkey = bids.keys[-1]
            blvl = bids.levels[bkey]
            akey = asks.keys[-1]
            alvl = asks.levels[akey]
            bq, aq = blvl.orders, alvl.orders
            while not bq[0].remaining:
                bq.popleft()
                blvl.dead -= 1
            while not aq[0].remaining:
                aq.popleft()
                alvl.dead -= 1
            b, a = bq[0], aq[0]
            f = min(b.remaining, a.remaining, vol)
            blvl.total -= f
            alvl.total -= f
            trade(st, b, a, f, px, 0)
            vol -= f
            if not b.remaining:
                bq.popleft()
            if not a.remaining:
                aq.popleft()
            if not blvl.total:
                bids.keys.pop()
                del bids.levels[bkey]
            if not alvl.total:
                asks.keys.pop()
                del asks.levels[akey]
        return px

    # ---- taking quantity off working orders ------------------------------------------------
    def _book_of(self, o: Order) -> OrderBook:
        st = self._states[o.inst.code]
        v = o.venue
        if v == VENUE_FIXED:
            return st.fixed
        if v == VENUE_AFTER:
            return st.after
        if v == VENUE_CLOSE:
            return st.close_book
        if v == VENUE_NXT:
            return st.nxt
        return st.book

    def _reduce(
        self, o: Order, qty: int, *, resting: bool = True, how: str = "user",
        replaced: bool = False,
    ) -> None:
        """Remove ``qty`` of ``o``'s working quantity and release what it held."""
        if resting:
            if o.venue == VENUE_MAIN:  # the book side directly (OrderBook.reduce, inline)
                book = self._states[o.inst.code].book
                (book.bids if o.side == BUY else book.asks).reduce(o, qty)
            else:
                self._book_of(o).reduce(o, qty)
        else:
            o.remaining -= qty
        if replaced:
            o.replaced += qty
        else:
            o.cancelled += qty
        if o.synthetic:
            return
        a = o.acct
        if o.side == BUY:
            u = o.inst.mk
            new_res = self._reserve_for(o, o.remaining) if o.remaining else 0
            a.reserved[u] -= o.reserved - new_res
            o.reserved = new_res
        else:
            # a cash sell holds its position's shares (_holding, inline for the common case)
            h = a.positions.get(o.inst.code) if o.credit is None else self._holding(o)
            if h is not None:
                h.reserved -= qty
                if isinstance(h, Position) and h.qty == 0 and h.reserved == 0:
                    del a.positions[h.code]
        if how == "expired" and not o.remaining:
            o.status = EXPIRED
        o.settle_status()
        if self._tx is not None:
            self._tx.orders[o.odno] = o
            self._tx.accounts[a.key] = a
        if self._ev is not None and not replaced:
            self._ev.append(OrderCancelled(order_info(o), qty, how))
