"""The exchange: commands (place, modify, cancel), the session timetable, accounts.

Every public command runs the same frame: bring the market up to the clock's *now* (auctions,
synthetic steps, expiries — see :mod:`.sessions`), validate, mutate, then hand the journal of
changes to the store in one transaction and only then return the acknowledgement and notify
listeners. A command that raises :class:`~.types.EngineReject` changed nothing of its own.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from .accounts import Account, CreditLot, Position
from .baskets import Basket, basket_path
from .calendar import TradingCalendar
from .clock import SessionClock, from_us
from .config import ExchangeConfig
from .fees import FeeSchedule
from .market import SymbolState
from .matching import Journal, MatchingCore, order_info
from .nxt import ROUTES, NxtMixin
from .orders import (
    BUY,
    MARKET_BUY_PX,
    MARKET_SELL_PX,
    SELL,
    VENUE_AFTER,
    VENUE_CLOSE,
    VENUE_FIXED,
    VENUE_MAIN,
    VENUE_NXT,
    Order,
)
from .overseas_markets import (
    CN_SLOT,
    HK_SLOT,
    JP_SLOT,
    N_SLOTS,
    SLOT_CURRENCY,
    VN_SLOT,
    asia_schedule,
    calendar_for,
)
from .participants import CATCH_UP_US, ParticipantsMixin
from .queries import QueryMixin
from .reservations import ReservationMixin
from .sessions import Ev, MarketSchedule, krx_schedule, us_schedule
from .synthetic import Bar, DailyHistory, intraday_path, level_quantities
from .ticks import CURRENCY_SCALE, from_units, tick_down, tick_up, to_units
from .types import (
    DOMESTIC_ORDER_TYPES,
    PRICELESS_TYPES,
    US_ORDER_TYPES,
    AccountKind,
    CreditType,
    EngineReject,
    Investor,
    OrderAction,
    OrderType,
    Phase,
    RejectReason,
    Side,
)
from .universe import Instrument, Universe
from .views import (
    AccountKey,
    BookChanged,
    Event,
    OrderAccepted,
    OrderInfo,
    OrderModified,
    OrderRejected,
    akey,
)

KRX = 0
US = 1

# Execution modes decided by routing.
_CONT, _IOC, _FOK, _AUCTION, _FIXED = range(5)
_CONTINUOUS = Phase.CONTINUOUS
_CASH = AccountKind.CASH
_LIMIT = OrderType.LIMIT
# Enum members the command path compares with, as module constants: on Python 3.11 the enum
# metaclass's ``__getattr__`` makes each ``OrderType.MARKET`` read in a function cost ~0.5 µs.
_MARKET = OrderType.MARKET
_CANCEL = OrderAction.CANCEL

_IOC_TYPES = frozenset({OrderType.IOC_LIMIT, OrderType.IOC_MARKET, OrderType.IOC_BEST})
_FOK_TYPES = frozenset({OrderType.FOK_LIMIT, OrderType.FOK_MARKET, OrderType.FOK_BEST})
_MARKET_TYPES = frozenset(
    {OrderType.MARKET, OrderType.IOC_MARKET, OrderType.FOK_MARKET, OrderType.MOO, OrderType.MOC}
)
_BEST_TYPES = frozenset({OrderType.BEST_LIMIT, OrderType.IOC_BEST, OrderType.FOK_BEST})
_PRICED_TYPES = frozenset(
    {OrderType.LIMIT, OrderType.CONDITIONAL_LIMIT, OrderType.IOC_LIMIT, OrderType.FOK_LIMIT}
)
_CONTINUOUS_ONLY = frozenset(
    {OrderType.BEST_LIMIT, OrderType.PRIORITY_LIMIT} | _IOC_TYPES | _FOK_TYPES
)

HOUSE_KEY = ("99999999", "01")
LENDER_KEY = ("99999998", "01")


class JournalSink(Protocol):
    """What the exchange needs from a store: write one command's changes atomically."""

    def write(self, exchange: Exchange, journal: Journal) -> None: ...


class Exchange(QueryMixin, ReservationMixin, ParticipantsMixin, NxtMixin, MatchingCore):
    """A simulated exchange with accounts; see the package docstring for the API overview."""

    def __init__(self, config: ExchangeConfig | None = None) -> None:
        cfg = self.config = config or ExchangeConfig()
        if cfg.universe is not None:
            self.universe = cfg.universe
        elif cfg.universe_path is not None:
            self.universe = Universe.from_csv(cfg.universe_path)
        else:
            self.universe = Universe.default()
        self.clock = cfg.clock or SessionClock()
        self.calendar = TradingCalendar(extra_holidays=cfg.extra_holidays)
        us_mode = cfg.us_mode or ("new_york" if self.clock.mode.value == "wall" else "mirror")
        # One timetable per engine slot (KRX, US, then Asia: see .overseas_markets).
        us_sch = us_schedule(us_mode, cfg.step_seconds)
        us_sch.calendar = calendar_for(US)  # weekends and the fixed-date US holidays
        self.schedules: tuple[MarketSchedule, ...] = (
            krx_schedule(self.calendar, cfg.step_seconds),
            us_sch,
            *(asia_schedule(s, cfg.step_seconds) for s in (HK_SLOT, JP_SLOT, CN_SLOT, VN_SLOT)),
        )
        self.fee_schedule = FeeSchedule(cfg.fees)
        self._comm = (self.fee_schedule.commission_ratio(False),
                      *(self.fee_schedule.commission_ratio(True),) * (N_SLOTS - 1))
        self._margin = cfg.margin_ratio.as_integer_ratio()
        self.seed = cfg.seed
        self._max_qty = cfg.max_order_qty
        self.house = Account(*HOUSE_KEY, house=True)
        self.lender = Account(*LENDER_KEY, house=True)
        self.accounts = {}
        self.orders = {}
        self.fills = []
        self.fee_ledger = [0] * N_SLOTS
        self.tax_ledger = [0] * N_SLOTS
        self.deposits = [0] * N_SLOTS
        self._states = {}
        self._baskets: dict[str, Basket] = dict(cfg.baskets(self.universe)) if cfg.baskets else {}
        self._histories: dict[str, DailyHistory] = {}
        self._w52: dict[tuple[str, date], tuple[int, date, int, date]] = {}
        self._quote_memo = {}  # the last quote fields per symbol (queries.quote)
        self._seq = 0
        self._next_odno = 0
        self._next_fill = 0
        self._next_trade = 0
        self._tx = None
        self._ev = None
        self._listeners = []
        self._store: JournalSink | None = None
        self._book_dirty: set[str] = set()
        self._active: tuple[set[str], ...] = tuple(set() for _ in range(N_SLOTS))
        now = self.clock.now_us()
        self._now = now
        start_day = self.clock.now().date()
        self.anchor = cfg.anchor_date or self.calendar.previous_business_day(
            self.calendar.on_or_before(start_day) + timedelta(days=1)
        )
        self._init_market_time(now)
        self._rsv_init()
        self._pt_setup(now)
        self.universe.attach(self)  # issues listed on demand (ELWs), see universe.ON_DEMAND

    # ---- setup ----------------------------------------------------------------------------
    def _init_market_time(self, now: int) -> None:
        """Phase, trading day and path position of each market at ``now`` (no events run)."""
        n = len(self.schedules)
        self._phase = [Phase.CLOSED] * n
        self._mday = [date.min] * n
        self._cur_step = [-1] * n
        self._epoch = [0] * n
        self._premarket = False
        self._next: list[tuple[int, Ev, int, date]] = []
        for mk, sch in enumerate(self.schedules):
            d, sec = sch.local(now)
            if sch.calendar.is_business_day(d):
                self._mday[mk] = d
                start, end = sch.continuous
                close_sec = end + (600 if mk == KRX else 0)
                if sec < start:
                    self._cur_step[mk] = -1
                elif sec < end:
                    self._cur_step[mk] = sch.step_index(now)
                elif sec < close_sec:
                    self._cur_step[mk] = sch.steps_per_day - 1
                else:
                    self._cur_step[mk] = sch.steps_per_day
                self._phase[mk] = sch.phase_at(now)
                if mk == KRX:
                    self._premarket = 8 * 3600 + 30 * 60 <= sec < 8 * 3600 + 40 * 60
            else:
                self._mday[mk] = sch.calendar.on_or_before(d)
                self._cur_step[mk] = sch.steps_per_day
            self._next.append(sch.next_event(now))
        self._next_us = min(n[0] for n in self._next)
        self._processed_us = now

    def attach_store(self, store: JournalSink) -> None:
        """Make every later command durable through ``store`` before it is acknowledged."""
        self._store = store
        self._tx = Journal()

    def add_listener(self, callback: Callable[[Event], None]) -> None:
        """Call ``callback(event)`` after each command for every event it produced."""
        self._listeners.append(callback)
        self._ev = []

    def remove_listener(self, callback: Callable[[Event], None]) -> None:
        self._listeners.remove(callback)
        if not self._listeners:
            self._ev = None

    # ---- command frame --------------------------------------------------------------------
    def _sync(self) -> None:
        now = self.clock.now_us()
        pt = self._pt_on and now >= self._pt_next
        if pt:
            self._pt_floor = 0 if self._pt_following() else now - CATCH_UP_US
        if now >= self._next_us:
            self._run_until(now)
        if pt:
            self._participate(now)
        if now > self._now:
            self._now = now

    def _commit(self) -> None:
        """Persist the journal, then deliver events (acknowledge only what is durable)."""
        tx = self._tx
        if tx is not None and self._store is not None:
            self._store.write(self, tx)
            tx.clear()
        ev = self._ev
        if ev is not None:
            if self._book_dirty:
                ev.extend(BookChanged(c) for c in sorted(self._book_dirty))
                self._book_dirty.clear()
            if ev:
                batch = list(ev)
                ev.clear()
                for e in batch:
                    for cb in list(self._listeners):
                        cb(e)

    def sync(self) -> datetime:
        """Run everything due up to the clock's now (call periodically in real-time modes)."""
        try:
            self._sync()
        finally:
            self._commit()
        return from_us(self._now)

    def advance(self, delta: timedelta | int) -> datetime:
        """Move the clock forward (seconds or a timedelta) and run what falls due."""
        self.clock.advance(delta)
        return self.sync()

    def advance_to(self, when: datetime) -> datetime:
        """Move the clock forward to ``when`` and run what falls due."""
        self.clock.advance_to(when)
        return self.sync()

    def now(self) -> datetime:
        return from_us(self._now)

    # ---- accounts -------------------------------------------------------------------------
    def open_account(
        self, cano: str, prdt: str = "01", *, krw: Decimal | int = 0, usd: Decimal | int = 0
    ) -> AccountKey:
        """Create an account (idempotent) and deposit initial cash."""
        key = (cano, prdt)
        try:
            self._sync()
            if key not in self.accounts:
                a = Account(cano, prdt)
                self.accounts[key] = a
                if self._tx is not None:
                    self._tx.accounts[key] = a
            if krw:
                self._deposit(key, Decimal(krw), "KRW")
            if usd:
                self._deposit(key, Decimal(usd), "USD")
        finally:
            self._commit()
        return key

    def deposit(self, account: AccountKey, amount: Decimal | int, currency: str = "KRW") -> None:
        """Add cash (negative to withdraw, never below what open orders hold)."""
        try:
            self._sync()
            self._deposit(account, Decimal(amount), currency)
        finally:
            self._commit()

    def _held_elsewhere(self, a: Account) -> int:
        """KRW of ``a`` that futures/options margin holds (:mod:`hantoo.sim.derivatives`, same
        account and cash): stock buys and withdrawals cannot spend it."""
        m = self.__dict__.get("_deriv")
        return int(m.cash_held(a.key)) if m is not None else 0

    def _deposit(self, key: AccountKey, amount: Decimal, currency: str) -> None:
        a = self._account(key)
        if currency not in SLOT_CURRENCY:
            raise EngineReject(RejectReason.BAD_PRICE, f"unknown currency {currency[:8]!r}")
        u = SLOT_CURRENCY.index(currency)
        units = to_units(amount, CURRENCY_SCALE[currency])
        if units is None:
            raise EngineReject(RejectReason.BAD_PRICE, f"amount {amount} has too many decimals")
        if units < 0 and a.buying_power(u) - (0 if u else self._held_elsewhere(a)) < -units:
            raise EngineReject(RejectReason.INSUFFICIENT_CASH, "withdrawal above buying power")
        a.cash[u] += units
        self.deposits[u] += units
        if a.kind is not AccountKind.CASH and units > 0 and u == 0:
            a.contributed += units
        if self._tx is not None:
            self._tx.accounts[key] = a

    def grant_shares(self, account: AccountKey, symbol: str, qty: int, avg_price: Decimal) -> None:
        """Put shares in an account (a transfer-in, for scenarios and benchmarks).

        The house account gives them up, so share and cash conservation still hold.
        """
        try:
            self._sync()
            a = self._account(account)
            inst = self._inst(symbol)
            cost = to_units(avg_price * qty, inst.scale)
            if cost is None or qty <= 0:
                raise EngineReject(RejectReason.BAD_QUANTITY)
            a.position(symbol).qty += qty
            a.positions[symbol].cost += cost
            self.house.position(symbol).qty -= qty
            if self._tx is not None:
                self._tx.accounts[account] = a
                self._tx.accounts[self.house.key] = self.house
        finally:
            self._commit()

    def _account(self, key: AccountKey) -> Account:
        # a tuple key is looked up as given first (the common case: no normalising copy)
        a = self.accounts.get(key) if key.__class__ is tuple else None
        if a is None:
            a = self.accounts.get(akey(key))
        if a is None:
            raise EngineReject(RejectReason.UNKNOWN_ACCOUNT)
        return a

    def _inst(self, symbol: str) -> Instrument:
        inst = self.universe.get(symbol)
        if inst is None:
            raise EngineReject(RejectReason.UNKNOWN_SYMBOL, symbol)
        return inst

    # ---- symbol state ---------------------------------------------------------------------
    def history(self, inst: Instrument) -> DailyHistory:
        h = self._histories.get(inst.code)
        if h is None:
            h = self._histories[inst.code] = DailyHistory(
                self.seed, inst, self.anchor,
                self.schedules[inst.mk].calendar,
            )
        return h

    def _day_bar(self, inst: Instrument, d: date) -> tuple[Bar, int]:
        """(bar, base price) of trading day ``d``: replayed when available, else synthetic."""
        model = getattr(inst, "model_bar", None)  # priced from a model (ELWs): no random walk
        if model is not None:
            return model(self, d)  # type: ignore[no-any-return]
        rep = self.config.replay
        if rep is not None and inst.code in rep.daily:
            days = rep.daily[inst.code]
            if d in days:
                prev = [x for x in days if x < d]
                base = days[max(prev)].close if prev else days[d].open
                return days[d], base
        h = self.history(inst)
        return h.bar(d), h.base_price(d)

    def _state(self, inst: Instrument) -> SymbolState:
        st = self._states.get(inst.code)
        mk = inst.mk
        if st is None:
            st = self._new_state(inst, mk)
        if st.epoch != self._epoch[mk]:
            self._catch_up(st, mk)
        return st

    def _new_state(self, inst: Instrument, mk: int) -> SymbolState:
        day = self._mday[mk]
        sch = self.schedules[mk]
        bar, base = self._day_bar(inst, day)
        st = SymbolState(
            inst, day, base, _EMPTY_PATH, _EMPTY_PATH,
            self._comm[mk], self.fee_schedule.tax_ratio(inst.market, inst.kind),
        )
        steps = sch.steps_per_day
        rep = self.config.replay
        path = None
        if rep is not None:
            path = rep.path(inst.code, day, sch.continuous[0], sch.step_seconds, steps, bar.open)
        model = getattr(inst, "model_path", None)  # an ELW follows its underlying's path
        if path is None and model is not None:
            path = model(self, day, steps)
        if path is None:
            path = intraday_path(
                self.seed, inst, day, bar.open, bar.close, steps, st.lower, st.upper, bar.volume
            )
        st.path, st.vols = path
        st.steps = steps
        basket = self._baskets.get(inst.code)
        if basket is not None and (rep is None or inst.code not in rep.daily):
            st.path = self._basket_path(st, basket, mk)
        self._states[inst.code] = st
        return st

    def _basket_path(self, st: SymbolState, basket: Basket, mk: int) -> array[int]:
        """A fund's path from its members' paths today (:mod:`.baskets`)."""
        members = []
        for code in basket.members:
            m = self._states.get(code)
            if m is None:
                inst = self.universe.get(code)
                if inst is None or code in self._baskets:
                    return st.path
                m = self._new_state(inst, mk)
            elif m.trade_day != st.trade_day:
                return st.path
            members.append(m)
        return basket_path(st, basket, members)

    def _catch_up(self, st: SymbolState, mk: int) -> None:
        cur = self._cur_step[mk]
        if cur > st.step:
            st.apply_path(cur)
        self._refresh_synth(st, mk)
        st.epoch = self._epoch[mk]

    # ---- synthetic liquidity --------------------------------------------------------------
    def _cancel_synth(self, book_orders: list[Order], st: SymbolState) -> None:
        for o in book_orders:
            if o.remaining:
                self._book_of(o).reduce(o, o.remaining)
        book_orders.clear()

    def _synth(
        self, st: SymbolState, venue: int, side: int, price: int, qty: int, match: bool,
        into: list[Order],
    ) -> None:
        if not self.config.synthetic_liquidity:
            return
        o = Order(0, self.house, st.inst, side, OrderType.LIMIT, price, qty, self._now,
                  st.trade_day, synthetic=True, venue=venue)
        o.investor = Investor.INSTITUTION  # the house quotes as a liquidity provider
        book = self._book_of(o)
        if match:
            self._match(st, book, o, price)
        if o.remaining:
            self._rest(book, o)
            into.append(o)

    def _refresh_synth(self, st: SymbolState, mk: int) -> None:
        """Replace the synthetic liquidity of ``st`` with what the current phase shows."""
        self._cancel_synth(st.synth, st)
        self._cancel_synth(st.synth_aux, st)
        phase = self._phase[mk]
        if phase is Phase.CONTINUOUS:
            ref = st.path[max(st.step, 0)] if st.pt_rng is None else self._mm_ref(st)
            self._synth_levels(st, ref, match=True)
        elif phase is Phase.OPENING_AUCTION:
            self._synth_auction(st, VENUE_MAIN, st.path[0], st.synth, cross=True)
        elif phase is Phase.CLOSING_AUCTION:
            self._synth_auction(st, VENUE_MAIN, st.path[st.steps], st.synth, cross=True)
        elif phase is Phase.AFTER_HOURS:
            self._synth_auction(st, VENUE_AFTER, st.close_px, st.synth_aux, cross=False)
        if mk == KRX:
            self._synth_nxt(st)
        if self._ev is not None:
            self._book_dirty.add(st.inst.code)

    def _synth_levels(self, st: SymbolState, ref: int, *, match: bool) -> None:
        q = level_quantities(self.seed, st.inst.code, st.trade_day, st.step, st.lvl_base)
        tick_of = st.inst.tick_of
        if q[20]:
            ask, bid = ref, tick_down(ref, tick_of)
        else:
            ask, bid = tick_up(ref, tick_of), ref
        for i in range(10):
            if ask > st.upper:
                break
            self._synth(st, VENUE_MAIN, SELL, ask, q[10 + i], match, st.synth)
            ask = tick_up(ask, tick_of)
        for i in range(10):
            if bid < st.lower or bid <= 0:
                break
            self._synth(st, VENUE_MAIN, BUY, bid, q[i], match, st.synth)
            bid = tick_down(bid, tick_of)

    def _synth_auction(
        self, st: SymbolState, venue: int, target: int, into: list[Order], *, cross: bool
    ) -> None:
        """Call-auction liquidity around ``target``; ``cross`` adds both sides at the target."""
        q = level_quantities(self.seed, st.inst.code, st.trade_day, 10_000 + venue, st.lvl_base)
        tick_of = st.inst.tick_of
        lo, hi = (st.lower, st.upper) if venue != VENUE_AFTER else st.after_band()
        ask = target
        bid = target if cross else tick_down(target, tick_of)
        for i in range(10):
            if ask > hi:
                break
            self._synth(st, venue, SELL, ask, q[10 + i], False, into)
            ask = tick_up(ask, tick_of)
        for i in range(10):
            if bid < lo or bid <= 0:
                break
            self._synth(st, venue, BUY, bid, q[i], False, into)
            bid = tick_down(bid, tick_of)

    def _synth_fixed(self, st: SymbolState) -> None:
        """Off-hours at a fixed price: the house takes up to one level's size per minute."""
        if not self.config.synthetic_liquidity:
            return
        book = st.fixed
        price = st.base if self._premarket else st.close_px
        qty = st.lvl_base * 4
        for side, resting in ((SELL, book.bids), (BUY, book.asks)):
            if resting.keys:
                o = Order(0, self.house, st.inst, side, OrderType.LIMIT, price, qty, self._now,
                          st.trade_day, synthetic=True, venue=VENUE_FIXED)
                self._match(st, book, o, price)
        if self._ev is not None:
            self._book_dirty.add(st.inst.code)

    # ---- the timetable --------------------------------------------------------------------
    def _run_until(self, now: int) -> None:
        nxt = self._next
        while True:
            mk = 0
            for i in range(1, len(nxt)):
                if nxt[i][0] < nxt[mk][0]:
                    mk = i
            t, kind, arg, d = nxt[mk]
            if t > now:
                break
            if self._pt_on and t > self._pt_next:
                self._participate(t - 1)
            self._now = t
            if d != self._mday[mk]:
                self._roll(mk, d)
            self._handle(mk, kind, arg)
            nxt[mk] = self.schedules[mk].next_event(t)
            self._processed_us = t
        self._next_us = min(n[0] for n in nxt)

    def _active_states(self, mk: int) -> list[SymbolState]:
        states = self._states
        return [states[c] for c in sorted(self._active[mk]) if c in states]

    def _handle(self, mk: int, kind: Ev, arg: int) -> None:
        self._epoch[mk] += 1
        if kind is Ev.STEP:
            self._cur_step[mk] = arg
            if self._phase[mk] is Phase.BREAK and mk != KRX:
                self._phase[mk] = Phase.CONTINUOUS  # the afternoon session after lunch
            for st in self._active_states(mk):
                self._catch_up(st, mk)
            return
        if kind is Ev.FIXED_STEP:
            for st in self._active_states(mk):
                self._synth_fixed(st)
                if self._pt_on:
                    self._pt_offhours(st, VENUE_FIXED)
            return
        if kind is Ev.OPEN_AUCTION_START:
            self._phase[mk] = Phase.OPENING_AUCTION
            if mk == KRX:
                self._premarket = True
            self._refresh_active(mk)
            if mk == KRX:
                self._submit_reservations()
        elif kind is Ev.PREMARKET_END:
            self._premarket = False
            self._expire_venue(mk, VENUE_FIXED)
        elif kind is Ev.OPEN:
            self._open_auction(mk)
        elif kind is Ev.CLOSE_AUCTION_START:
            self._phase[mk] = Phase.CLOSING_AUCTION
            for st in self._active_states(mk):
                self._convert_conditional(st)
            self._refresh_active(mk)
        elif kind is Ev.CLOSE:
            self._close_auction(mk)
        elif kind is Ev.BREAK_START:
            self._phase[mk] = Phase.BREAK
            self._refresh_active(mk)
        elif kind is Ev.POST_START:
            self._phase[mk] = Phase.POST_MARKET
            self._refresh_active(mk)
        elif kind is Ev.AFTER_START:
            self._expire_venue(mk, VENUE_FIXED)
            self._phase[mk] = Phase.AFTER_HOURS
            self._refresh_active(mk)
        elif kind is Ev.NXT_OPEN:
            self._refresh_active(mk)
        elif kind is Ev.NXT_CLOSE:
            self._nxt_close()
        elif kind is Ev.AFTER_AUCTION:
            for st in self._active_states(mk):
                if self._pt_on:
                    self._pt_offhours(st, VENUE_AFTER)
                self._auction(st, st.after, st.close_px)
                self._book_dirty.add(st.inst.code)
            if arg == 12:
                self._expire_venue(mk, VENUE_AFTER)
                self._phase[mk] = Phase.CLOSED
            self._refresh_active(mk)

    def _refresh_active(self, mk: int) -> None:
        for st in self._active_states(mk):
            self._catch_up(st, mk)

    def _open_auction(self, mk: int) -> None:
        """Opening uncross of active symbols, then the continuous session starts."""
        self._cur_step[mk] = 0
        for st in self._active_states(mk):
            st.path_skip.add(0)
            price = self._auction(st, st.book, st.path[0])
            st.step = 0
            self._cancel_synth(st.synth, st)
            after = price or st.path[0]
            for o in [o for o in st.book.orders() if not o.synthetic]:
                if o.otype in (OrderType.MOO, OrderType.LOO):
                    self._reduce(o, o.remaining, how="auction")
                elif o.price in (MARKET_BUY_PX, MARKET_SELL_PX):
                    self._move(o, after)
        self._phase[mk] = Phase.CONTINUOUS
        self._epoch[mk] += 1
        self._refresh_active(mk)

    def _close_auction(self, mk: int) -> None:
        """Closing uncross; regular-session orders expire afterwards."""
        sch = self.schedules[mk]
        self._cur_step[mk] = sch.steps_per_day
        for st in self._active_states(mk):
            st.path_skip.add(st.steps)
            st.apply_path(st.steps - 1)
            if mk != KRX:
                self._cancel_synth(st.synth, st)
                self._synth_auction(st, VENUE_CLOSE, st.path[st.steps], st.synth_aux, cross=True)
                self._auction(st, st.close_book, st.path[st.steps])
            else:
                self._auction(st, st.book, st.path[st.steps])
            st.step = st.steps
            st.close_px = st.last
        self._phase[mk] = Phase.CLOSED if mk != KRX else Phase.BREAK
        self._expire_venue(mk, VENUE_MAIN)
        if mk != KRX:
            self._expire_venue(mk, VENUE_CLOSE)
        self._epoch[mk] += 1
        self._refresh_active(mk)

    def _convert_conditional(self, st: SymbolState) -> None:
        """KRX: conditional-limit (02) orders become market orders for the closing auction."""
        for o in [o for o in st.book.orders() if o.otype is OrderType.CONDITIONAL_LIMIT]:
            self._move(o, MARKET_BUY_PX if o.side == BUY else MARKET_SELL_PX)
            if o.side == BUY:
                # a market buy holds cash at the upper limit, when the account has it
                a, old, old_px = o.acct, o.reserved, o.reserve_px
                o.reserve_px = st.upper
                new = self._reserve_for(o, o.remaining)
                if a.cash[0] - a.reserved[0] + old >= new:
                    a.reserved[0] += new - old
                    o.reserved = new
                    if self._tx is not None:
                        self._tx.orders[o.odno] = o
                        self._tx.accounts[a.key] = a
                else:
                    o.reserve_px = old_px

    def _move(self, o: Order, price: int) -> None:
        """Re-price a resting order (auction conversions); it goes to the back of the level."""
        book = self._book_of(o)
        book.side_of(o).remove(o)
        o.price = price
        self._rest(book, o)

    def _expire_venue(self, mk: int, venue: int) -> None:
        for st in self._active_states(mk):
            book = (st.book, st.fixed, st.after, st.close_book, st.nxt)[venue]
            for o in [o for o in book.orders() if not o.synthetic]:
                self._reduce(o, o.remaining, how="expired")
            if venue == VENUE_MAIN:
                self._cancel_synth(st.synth, st)
            else:
                self._cancel_synth(st.synth_aux, st)

    def _roll(self, mk: int, d: date) -> None:
        """A new trading day: whatever still works expires and the day's state restarts."""
        for o in self.working_orders(mk):
            self._reduce(o, o.remaining, how="expired")
        for code in [c for c, st in self._states.items() if st.inst.mk == mk]:
            del self._states[code]
        self._active[mk].clear()
        self._mday[mk] = d
        self._cur_step[mk] = -1
        self._phase[mk] = Phase.CLOSED
        if mk == KRX:
            self.universe.roll(d)  # on-demand issues' own events (ELW expiry payments)

    def working_orders(self, mk: int | None = None) -> list[Order]:
        """Every user order with open quantity (optionally of one market)."""
        out: list[Order] = []
        for st in self._states.values():
            if mk is not None and st.inst.mk != mk:
                continue
            for book in (st.book, st.fixed, st.after, st.close_book, st.nxt):
                out.extend(o for o in book.orders() if not o.synthetic)
        return out

    def watch(self, symbol: str) -> None:
        """Step ``symbol`` eagerly (trade ticks and book events for a realtime feed)."""
        inst = self._inst(symbol)
        try:
            self._sync()
            st = self._state(inst)
            st.active = True
            self._active[inst.mk].add(st.inst.code)
        finally:
            self._commit()

    # ---- orders ---------------------------------------------------------------------------
    def place_order(
        self,
        account: AccountKey,
        symbol: str,
        side: Side,
        order_type: OrderType | str,
        qty: int,
        price: Decimal | int | str | None = None,
        *,
        credit: CreditType | None = None,
        loan_date: date | None = None,
        exchange: str = "KRX",
    ) -> OrderInfo:
        """Place an order; returns the accepted order (fills done by then are included).

        ``exchange``: KIS's ``EXCG_ID_DVSN_CD`` for domestic orders — ``KRX``, ``NXT`` or
        ``SOR`` (the venue with the better price; see :mod:`.nxt`).
        """
        try:
            self._sync()
            # the common case inline (a tuple key as given, a listed symbol): two frames fewer;
            # the helpers normalise the key or raise the precise rejection
            a = self.accounts.get(account) if account.__class__ is tuple else None
            if a is None:
                a = self._account(account)
            inst = self.universe.get(symbol)
            if inst is None:
                inst = self._inst(symbol)
            otype = order_type if isinstance(order_type, OrderType) else _order_type(order_type)
            units = 0
            if price is not None and otype not in PRICELESS_TYPES:
                # an int price in won is already in minor units (no Decimal round trip)
                u = int(price) if price.__class__ is int and inst.scale == 1 else \
                    to_units(Decimal(price), inst.scale)
                if u is None:
                    raise EngineReject(RejectReason.BAD_TICK, f"price {price}")
                units = u
            route = 0 if exchange == "KRX" else ROUTES.get(exchange.upper(), -1)
            if route < 0 or (route and inst.market.is_overseas):
                raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE,
                                   f"exchange {exchange!r} (KRX, NXT or SOR for domestic orders)")
            o = self.submit(a, inst, int(side), otype, qty, units, credit=credit,
                            loan_date=loan_date, route=route)
            return order_info(o)
        except EngineReject as rej:
            if self._ev is not None:
                self._ev.append(OrderRejected(akey(account), symbol, rej.reason, str(rej)))
            raise
        finally:
            self._commit()

    def submit(
        self,
        a: Account,
        inst: Instrument,
        side: int,
        otype: OrderType,
        qty: int,
        price: int,
        *,
        credit: CreditType | None = None,
        loan_date: date | None = None,
        rsv_seq: int = 0,
        action: OrderAction = OrderAction.NEW,
        orig: int = 0,
        route: int = 0,
    ) -> Order:
        """Hot-path entry: integer price in minor units, no ``Decimal`` (benchmarks, server).

        The caller must have called :meth:`sync` recently; validation is complete.
        """
        if qty <= 0 or qty.__class__ is not int:
            raise EngineReject(RejectReason.BAD_QUANTITY, str(qty))
        if qty > self._max_qty:
            raise EngineReject(RejectReason.QUANTITY_OVER_MAX, str(qty))
        st = self._states.get(inst.code)
        mk = inst.mk
        is_us = mk != KRX  # overseas: US and Asia share the overseas rules below
        if qty % inst.lot:
            raise EngineReject(RejectReason.BAD_QUANTITY,
                               f"{qty} is not a multiple of the {inst.lot}-share lot")
        if st is None or st.epoch != self._epoch[mk]:
            st = self._state(inst)
        alt = self._route_alt(st, route, side, otype, price) if route else None
        if alt is not None:  # NXT, or SOR choosing NXT
            mode, venue, price, limit = alt
        elif mk == 0 and self._phase[0] is _CONTINUOUS and otype is _LIMIT:
            # the common case, inline: a KRX limit order in the continuous session
            if price <= 0 or price % inst.tick_of(price) or not st.lower <= price <= st.upper:
                self._check_price(st, price)  # raises with the precise reason
            mode, venue, limit = _CONT, VENUE_MAIN, price
        elif mk == 0 and otype is _MARKET and self._phase[0] is _CONTINUOUS:
            # a KRX market order in the continuous session: what _route answers, inline
            mode, venue, price, limit = _CONT, VENUE_MAIN, 0, st.upper if side == BUY else st.lower
        else:
            mode, venue, price, limit = self._route(st, mk, side, otype, price)
        # -- account checks and reservation
        if a.kind is not _CASH and (credit is not None or is_us):
            raise EngineReject(RejectReason.NOT_ALLOWED_FOR_ACCOUNT)
        holding: Position | CreditLot | None = None
        if credit is not None:
            if is_us or inst.kind.value != "STOCK":
                raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE, "credit: KRX stocks only")
            if credit.is_new_loan != (side == BUY):
                raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE, "credit type vs side")
        if side == BUY:
            rpx = price
            if otype in _MARKET_TYPES or price in (MARKET_BUY_PX, 0):
                rpx = (-(-st.last * self.config.us_market_reserve_pct // 100)
                       if is_us else st.upper)
            need = qty * rpx
            fn, fd = self._comm[mk]
            fee = -(-need * fn // fd)
            if credit is not None:
                mn, md = self._margin
                need = -(-need * mn // md)
            need += fee
            free = a.cash[mk] - a.reserved[mk] - (0 if mk else self._held_elsewhere(a))
            if free < need:
                raise EngineReject(
                    RejectReason.INSUFFICIENT_CASH,
                    f"needs {from_units(need, inst.scale)} {inst.currency}, has "
                    f"{from_units(free, inst.scale)}")
        else:
            rpx = 0
            need = 0
            if credit is not None:
                holding = self._pick_lot(a, inst.code, loan_date, qty)
                loan_date = holding.loan_date
            else:
                holding = a.positions.get(inst.code)
            if holding is None or holding.qty - holding.reserved < qty:
                raise EngineReject(RejectReason.INSUFFICIENT_SHARES,
                                   f"sellable {0 if holding is None else holding.sellable}")
        # -- accept
        self._next_odno += 1
        o = Order(self._next_odno, a, inst, side, otype, price, qty, self._now, st.trade_day,
                  venue)
        if orig:
            o.action = action
            o.orig_odno = orig
        if rsv_seq:
            o.rsv_seq = rsv_seq
        if credit is not None:
            o.credit = credit
            o.loan_date = loan_date if side == SELL else (loan_date or st.trade_day)
        if side == BUY:
            o.reserve_px = rpx
            o.reserved = need
            a.reserved[mk] += need
        else:
            assert holding is not None
            holding.reserved += qty
        self.orders[o.odno] = o
        a.order_log.append(o)
        if not st.active:
            st.active = True
            self._active[mk].add(inst.code)
        tx = self._tx
        if tx is not None:
            tx.orders[o.odno] = o
            tx.accounts[a.key] = a
        if self._ev is not None:
            self._ev.append(OrderAccepted(order_info(o)))
            self._book_dirty.add(inst.code)
        if mode == _CONT and venue == VENUE_MAIN:
            book = st.book
            self._match(st, book, o, limit)
            if o.remaining:
                if otype in _MARKET_TYPES:
                    self._reprice(o, st.last)
                self._seq += 1  # self._rest, inline: a third of all commands rest here
                o.prio = self._seq
                (book.bids if side == BUY else book.asks).add(o)
        else:
            self._execute(st, o, mode, limit)
        return o

    def _execute(self, st: SymbolState, o: Order, mode: int, limit: int) -> None:
        book = (st.book, st.fixed, st.after, st.close_book, st.nxt)[o.venue]
        if mode == _CONT:
            self._match(st, book, o, limit)
            if o.remaining:
                if o.otype in _MARKET_TYPES:
                    # KRX: the unfilled rest of a market order waits as a limit at the last price.
                    self._reprice(o, st.last)
                self._rest(book, o)
        elif mode == _IOC:
            self._match(st, book, o, limit)
            if o.remaining:
                self._reduce(o, o.remaining, resting=False, how="ioc")
        elif mode == _FOK:
            if self._available(book, o.side, limit, o.qty) >= o.qty:
                self._match(st, book, o, limit)
            else:
                self._reduce(o, o.remaining, resting=False, how="fok")
        elif mode == _FIXED:
            self._match(st, book, o, limit)
            if o.remaining:
                self._rest(book, o)
        else:
            self._rest(book, o)

    def _reprice(self, o: Order, price: int) -> None:
        o.price = price
        if o.side == BUY and o.reserved:
            o.reserve_px = price
            new_res = self._reserve_for(o, o.remaining)
            o.acct.reserved[o.inst.mk] -= o.reserved - new_res
            o.reserved = new_res

    def _pick_lot(self, a: Account, code: str, loan_date: date | None, qty: int) -> CreditLot:
        if loan_date is not None:
            lot = a.lots.get((code, loan_date))
        else:
            lots = sorted((k[1], lt) for k, lt in a.lots.items() if k[0] == code and lt.sellable)
            lot = lots[0][1] if lots else None
        if lot is None:
            raise EngineReject(RejectReason.NO_LOAN, code)
        return lot

    def _route(
        self, st: SymbolState, mk: int, side: int, otype: OrderType, price: int
    ) -> tuple[int, int, int, int]:
        """(mode, venue, book price, match limit) for an order in the current phase."""
        phase = self._phase[mk]
        buy = side == BUY
        if mk != KRX:
            if otype not in US_ORDER_TYPES or (mk != US and otype is not OrderType.LIMIT):
                raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE, otype.value)
            if otype is OrderType.LIMIT and phase is Phase.BREAK:
                # a lunch break: the order waits in the book for the afternoon session
                return _AUCTION, VENUE_MAIN, self._check_price(st, price), price
            if otype is OrderType.LIMIT:
                if phase is Phase.CONTINUOUS:
                    return _CONT, VENUE_MAIN, self._check_price(st, price), price
                if phase is Phase.OPENING_AUCTION:
                    return _AUCTION, VENUE_MAIN, self._check_price(st, price), price
            elif otype in (OrderType.MOO, OrderType.LOO):
                if phase is Phase.OPENING_AUCTION:
                    p = (MARKET_BUY_PX if buy else MARKET_SELL_PX) if otype is OrderType.MOO \
                        else self._check_price(st, price)
                    return _AUCTION, VENUE_MAIN, p, p
            elif phase in (Phase.OPENING_AUCTION, Phase.CONTINUOUS):  # MOC / LOC
                p = (MARKET_BUY_PX if buy else MARKET_SELL_PX) if otype is OrderType.MOC \
                    else self._check_price(st, price)
                return _AUCTION, VENUE_CLOSE, p, p
            raise EngineReject(RejectReason.SESSION_CLOSED, f"{otype.value} in {phase.value}")
        if otype not in DOMESTIC_ORDER_TYPES:
            raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE, otype.value)
        mkt_px = MARKET_BUY_PX if buy else MARKET_SELL_PX
        if phase is Phase.CONTINUOUS:
            if otype in _PRICED_TYPES:
                p = self._check_price(st, price)
                return _mode_of(otype), VENUE_MAIN, p, p
            if otype in _MARKET_TYPES:
                return _mode_of(otype), VENUE_MAIN, 0, st.upper if buy else st.lower
            if otype in _BEST_TYPES:
                best = (st.book.asks if buy else st.book.bids).best_price()
                if best is None:
                    raise EngineReject(RejectReason.NO_LIQUIDITY)
                return _mode_of(otype), VENUE_MAIN, best, best
            if otype is OrderType.PRIORITY_LIMIT:
                best = (st.book.bids if buy else st.book.asks).best_price()
                if best is None:
                    raise EngineReject(RejectReason.NO_LIQUIDITY)
                return _CONT, VENUE_MAIN, best, best
        elif phase in (Phase.OPENING_AUCTION, Phase.CLOSING_AUCTION):
            if otype is OrderType.LIMIT or (
                otype is OrderType.CONDITIONAL_LIMIT and phase is Phase.OPENING_AUCTION
            ):
                p = self._check_price(st, price)
                return _AUCTION, VENUE_MAIN, p, p
            if otype in (OrderType.MARKET, OrderType.CONDITIONAL_LIMIT):
                return _AUCTION, VENUE_MAIN, mkt_px, mkt_px
            if otype is OrderType.PRE_MARKET and self._premarket:
                return _FIXED, VENUE_FIXED, st.base, st.base
        elif phase is Phase.POST_MARKET and otype is OrderType.POST_MARKET:
            return _FIXED, VENUE_FIXED, st.close_px, st.close_px
        elif phase is Phase.AFTER_HOURS and otype is OrderType.AFTER_HOURS_SINGLE:
            p = self._check_price(st, price)
            lo, hi = st.after_band()
            if not lo <= p <= hi:
                raise EngineReject(RejectReason.OUTSIDE_PRICE_LIMIT, f"{p} not in [{lo}, {hi}]")
            return _AUCTION, VENUE_AFTER, p, p
        raise EngineReject(RejectReason.SESSION_CLOSED, f"{otype.value} in {phase.value}")

    def _check_price(self, st: SymbolState, price: int) -> int:
        if price <= 0:
            raise EngineReject(RejectReason.BAD_PRICE, "a limit price is required")
        if price % st.inst.tick_of(price):
            raise EngineReject(RejectReason.BAD_TICK, f"{price} (tick {st.inst.tick_of(price)})")
        if price < st.lower or price > st.upper:
            raise EngineReject(
                RejectReason.OUTSIDE_PRICE_LIMIT, f"{price} not in [{st.lower}, {st.upper}]"
            )
        return price

    # ---- modify / cancel ------------------------------------------------------------------
    def _working(self, account: AccountKey, odno: str | int) -> Order:
        self._account(account)
        try:
            o = self.orders.get(int(odno))
        except ValueError:
            o = None
        if o is None or (o.acct.key != account and o.acct.key != akey(account)):
            raise EngineReject(RejectReason.UNKNOWN_ORDER, str(odno))
        if not o.remaining:
            raise EngineReject(RejectReason.ORDER_NOT_OPEN, f"{o.odno:010d} is {o.status.value}")
        return o

    def cancel_order(
        self, account: AccountKey, odno: str | int, *, qty: int | None = None
    ) -> OrderInfo:
        """Cancel ``qty`` of the open quantity (all when ``None``); returns the cancel record."""
        try:
            self._sync()
            o = self._working(account, odno)
            return order_info(self.cancel(o, qty))
        finally:
            self._commit()

    def cancel(self, o: Order, qty: int | None = None) -> Order:
        """Hot-path cancel of a working order object; returns the cancel record."""
        part = o.remaining if qty is None else qty
        if part <= 0:
            raise EngineReject(RejectReason.BAD_QUANTITY, str(qty))
        if part > o.remaining:
            raise EngineReject(RejectReason.CANCEL_QTY_EXCEEDS, f"{part} > {o.remaining}")
        self._reduce(o, part)
        rec = self._record(o, _CANCEL, part)
        if self._ev is not None:
            self._book_dirty.add(o.inst.code)
        return rec

    def _record(self, o: Order, action: OrderAction, qty: int) -> Order:
        """A journal-only record (cancel) that refers to ``o``."""
        self._next_odno += 1
        rec = Order(self._next_odno, o.acct, o.inst, o.side, o.otype, o.price, qty, self._now,
                    o.day, venue=o.venue)
        rec.action = action
        rec.orig_odno = o.odno
        rec.remaining = 0
        rec.cancelled = qty
        rec.settle_status()
        self.orders[rec.odno] = rec
        o.acct.order_log.append(rec)
        if self._tx is not None:
            self._tx.orders[rec.odno] = rec
        return rec

    def modify_order(
        self,
        account: AccountKey,
        odno: str | int,
        *,
        price: Decimal | int | str | None = None,
        qty: int | None = None,
        all_qty: bool = True,
        order_type: OrderType | str | None = None,
    ) -> OrderInfo:
        """Modify an order (KIS 정정): a new order number takes over the modified quantity.

        ``all_qty=True``: the whole open quantity is modified and ``qty`` (default: the open
        quantity) is the new order's size — larger means an increase. ``all_qty=False``: ``qty``
        of the open quantity moves to the new price; the rest stays. Time priority is kept only
        when the price and type are unchanged and the quantity does not grow.
        """
        try:
            self._sync()
            o = self._working(account, odno)
            inst = o.inst
            otype = _order_type(order_type) if order_type is not None else o.otype
            new_px = o.price
            if price is not None and otype not in PRICELESS_TYPES:
                u = to_units(Decimal(price), inst.scale)
                if u is None:
                    raise EngineReject(RejectReason.BAD_TICK, f"price {price}")
                new_px = u
            part = o.remaining if all_qty else (qty or 0)
            if part <= 0:
                raise EngineReject(RejectReason.BAD_QUANTITY, str(qty))
            if part > o.remaining:
                raise EngineReject(RejectReason.CANCEL_QTY_EXCEEDS, f"{part} > {o.remaining}")
            new_qty = qty if (all_qty and qty) else part
            same = new_px == o.price and otype is o.otype
            if same and all_qty and new_qty == o.remaining:
                raise EngineReject(RejectReason.NOTHING_TO_MODIFY)
            if same and not all_qty:
                raise EngineReject(RejectReason.NOTHING_TO_MODIFY, "partial modify needs a price")
            if same and new_qty < o.remaining and o.venue == VENUE_MAIN:
                new = self._modify_in_place(o, new_qty)
            else:
                new = self._modify_requeue(o, otype, new_px, part, new_qty)
            if self._ev is not None:
                self._ev.append(OrderModified(order_info(new), order_info(o)))
                self._book_dirty.add(inst.code)
            return order_info(new)
        finally:
            self._commit()

    def _modify_in_place(self, o: Order, new_qty: int) -> Order:
        """Quantity down, same price: the new order takes the old one's queue position."""
        st = self._states[o.inst.code]
        side = st.book.side_of(o)
        self._next_odno += 1
        new = Order(self._next_odno, o.acct, o.inst, o.side, o.otype, o.price, new_qty,
                    self._now, o.day, venue=o.venue)
        new.action = OrderAction.MODIFY
        new.orig_odno = o.odno
        new.prio = o.prio
        new.credit, new.loan_date, new.reserve_px = o.credit, o.loan_date, o.reserve_px
        lvl = side.levels[o.price if side.is_bid else -o.price]
        idx = lvl.orders.index(o)
        lvl.orders[idx] = new
        # The old record gives up everything; the new one holds new_qty.
        diff = o.remaining - new_qty
        lvl.total -= diff
        a = o.acct
        o.replaced += new_qty
        o.cancelled += diff
        o.remaining = 0
        if o.side == BUY:
            u = o.inst.mk
            new.reserved = self._reserve_for(new, new_qty)
            a.reserved[u] -= o.reserved - new.reserved
            o.reserved = 0
        else:
            h = self._holding(o)
            if h is not None:
                h.reserved -= diff
        o.settle_status()
        self._register(new)
        return new

    def _modify_requeue(
        self, o: Order, otype: OrderType, price: int, part: int, new_qty: int
    ) -> Order:
        """Price/type change or quantity up: validate the new order, then move ``part`` to it."""
        a = o.acct
        inst = o.inst
        mk = inst.mk
        st = self._state(inst)
        # Validate against the state as if ``part`` were already released.
        route = 1 if o.venue == VENUE_NXT else 0  # a modify stays on its venue
        alt = self._route_alt(st, route, o.side, otype, price) if route else None
        bprice = (alt or self._route(st, mk, o.side, otype, price))[2]
        if o.side == BUY:
            probe = Order(0, a, inst, BUY, otype, bprice, new_qty, self._now, o.day)
            probe.credit = o.credit
            rpx = bprice
            if otype in _MARKET_TYPES or bprice in (MARKET_BUY_PX, 0):
                rpx = st.upper if mk == KRX else st.last * self.config.us_market_reserve_pct // 100
            probe.reserve_px = rpx
            need = self._reserve_for(probe, new_qty)
            freed = o.reserved - (self._reserve_for(o, o.remaining - part) if o.remaining - part
                                  else 0)
            if a.cash[mk] - a.reserved[mk] - (0 if mk else self._held_elsewhere(a)) + freed \
                    < need:
                raise EngineReject(RejectReason.INSUFFICIENT_CASH)
        else:
            h = self._holding(o)
            if h is None or h.qty - h.reserved + part < new_qty:
                raise EngineReject(RejectReason.INSUFFICIENT_SHARES)
        # _reduce releases ``part`` (cash or shares); submit() reserves for the new order.
        moved = min(part, new_qty)
        self._reduce(o, moved, replaced=True)
        if part > moved:
            self._reduce(o, part - moved, how="modify")
        new = self.submit(a, inst, o.side, otype, new_qty, price, credit=o.credit,
                          loan_date=o.loan_date, action=OrderAction.MODIFY, orig=o.odno,
                          route=route)
        return new

    def _register(self, o: Order) -> None:
        self.orders[o.odno] = o
        o.acct.order_log.append(o)
        if self._tx is not None:
            self._tx.orders[o.odno] = o
            self._tx.accounts[o.acct.key] = o.acct
        if self._ev is not None:
            self._ev.append(OrderAccepted(order_info(o)))


def _order_type(value: OrderType | str) -> OrderType:
    try:
        return OrderType(value)
    except ValueError:
        raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE, str(value)) from None


def _mode_of(otype: OrderType) -> int:
    if otype in _IOC_TYPES:
        return _IOC
    if otype in _FOK_TYPES:
        return _FOK
    return _CONT


_EMPTY_PATH: array[int] = array("i")
