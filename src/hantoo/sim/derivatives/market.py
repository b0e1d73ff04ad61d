"""The futures/options market: books, synthetic liquidity, matching, positions and cash.

One market per exchange (:func:`market_for`). What it reuses from the stock engine, so there is
one set of rules: the price-time :class:`~hantoo.sim.engine.book.OrderBook`, the engine's
:class:`~hantoo.sim.engine.orders.Order` record (quantity identity ``qty = filled + remaining +
cancelled + replaced``), its accounts (cash is the account's KRW cash, persisted with the
engine's journal) and its rejection reasons. What is specific here:

* **Instruments** are the day's :class:`~.instruments.Listing`; prices are ``int`` units
  (0.01 point, or won for stock futures).
* **Synthetic liquidity**: the house (the engine's house account, acting as market maker)
  quotes five levels each side one tick apart around the model value (:mod:`.pricing`).
  Whenever the model moves, the quotes are replaced; a new quote that crosses a resting user
  order trades with it at the user's price (price-time priority, as in the stock engine).
* **Sessions**: the day session 08:45–15:45 KST (expiring series stop at 15:20 on their last
  trading day) and the night session 18:00–06:00 (one trading day, two calendar dates: its
  trading day is the next business day). Continuous matching only — no opening/closing call
  auctions are simulated. Working orders expire when the trading day rolls.
* **Positions** are net per account and series (+ long / − short) with a signed cost basis.
  Futures: the realised P&L of a closing fill is *pending* until the daily settlement pays it
  (it counts towards the orderable amount at once). Options: the premium moves between buyer
  and seller at the fill. Fees (futures 0.003 % of the notional, options 0.15 % of the
  premium) go to the house. So the sum of all accounts' cash (the house's included) changes
  only by deposits, which the stock engine's conservation invariant checks.
* **Margin** (:mod:`.margin`) is checked before an order is accepted.
* **Daily settlement** at the first command of a new trading day (:meth:`DerivMarket._settle`):
  futures are marked to the settlement price in cash; expired series are cash-settled.

**Durability** (:mod:`.journaled`): the market lives on the exchange (``ex._deriv``), so the
engine's snapshot holds it, and it journals through the engine's command journal: each
accepted order, cancel and modify (``dord``/``dcxl``/``dmod``), and each change a *read*
makes — a daily settlement or expiry (``dsync``), a series' house quotes replaced, where a
crossing user order may trade (``dref``). The market computes at the engine's instant
(``ex._now``), so replaying those records at their instants rebuilds positions, orders,
pending P&L and settlements exactly.

Realtime trade and book records come from here (:mod:`hantoo.sim.deriv_feed`), fill notices
from :func:`on_fill`, order notices (accepted, modified, cancelled, IOC/FOK remainder killed,
refused) from :func:`on_order` (both sent by :mod:`hantoo.sim.deriv_notices`). Not simulated
(yet): call auctions, spreads.
"""

from __future__ import annotations

import functools
import hashlib
import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from ..engine.accounts import Account
from ..engine.book import OrderBook
from ..engine.clock import ClockMode, SessionClock, from_us
from ..engine.orders import BUY, SELL, Order
from ..engine.types import (
    EngineReject,
    InstrumentKind,
    Market,
    OrderAction,
    OrderStatus,
    OrderType,
    RejectReason,
)
from ..engine.universe import Instrument
from ..marketdata.indices import index_level
from . import limits, pricing
from .elw import Elw, ElwQuote, elw_at, elw_quote
from .elw_trading import listed_elws
from .instruments import DerivInstrument, Listing, list_series
from .margin import MAINTENANCE, scan_margin
from .tape import PrintTape

__all__ = ["DFill", "DOrderEvent", "DerivMarket", "Position", "Print", "Snapshot", "market_for",
           "on_fill", "on_order"]

DAY_OPEN, DAY_CLOSE, EXPIRY_CLOSE = time(8, 45), time(15, 45), time(15, 20)
NIGHT_OPEN, NIGHT_CLOSE = time(18, 0), time(6, 0)
FUT_FEE = (3, 100_000)  # 0.003 %
OPT_FEE = (15, 10_000)  # 0.15 %
LEVELS = 5
STOCK_FUTURES = 5

#: KIS ``ORD_DVSN_CD`` → (order type, execution: "" rest / "ioc" / "fok").
ORDER_CODES: dict[str, tuple[OrderType, str]] = {
    "01": (OrderType.LIMIT, ""),
    "02": (OrderType.MARKET, ""),
    "03": (OrderType.CONDITIONAL_LIMIT, ""),
    "04": (OrderType.BEST_LIMIT, ""),
    "10": (OrderType.LIMIT, "ioc"),
    "11": (OrderType.LIMIT, "fok"),
    "12": (OrderType.MARKET, "ioc"),
    "13": (OrderType.MARKET, "fok"),
    "14": (OrderType.BEST_LIMIT, "ioc"),
    "15": (OrderType.BEST_LIMIT, "fok"),
}


@dataclass
class Position:
    """Net position of one account in one series.

    ``cost`` is the signed won basis P&L is measured from (qty × price × multiplier): the trade
    prices, and for futures the last daily settlement price once a day has been settled.
    ``trade_cost`` keeps the trade-price basis (체결평균단가) for display."""

    qty: int = 0
    cost: int = 0
    realized: int = 0
    trade_cost: int = 0
    pending: int = 0
    """Futures P&L realised since the last daily settlement, paid in cash at the next one."""

    def avg_units(self, inst: DerivInstrument) -> Decimal:
        """Settlement basis per contract in price units (정산단가)."""
        if not self.qty:
            return Decimal(0)
        return Decimal(self.cost) * inst.scale / (Decimal(self.qty) * inst.multiplier)

    def trade_avg_units(self, inst: DerivInstrument) -> Decimal:
        """Average trade price in price units (체결평균단가)."""
        if not self.qty:
            return Decimal(0)
        return Decimal(self.trade_cost) * inst.scale / (Decimal(self.qty) * inst.multiplier)


@dataclass(frozen=True, slots=True)
class DFill:
    odno: int
    account: tuple[str, str]
    code: str
    side: int
    qty: int
    units: int
    time: datetime
    day: date


@dataclass(frozen=True, slots=True)
class DOrderEvent:
    """An order event other than a fill, as the order notices report it.

    ``kind``: ``accepted`` (a new order taken), ``modified`` (the new record of a modify),
    ``cancelled`` (the cancel record), ``killed`` (the IOC/FOK or market-order remainder the
    exchange cancelled at once) or ``refused`` (a request the market refused: no order number;
    ``orig_odno`` names the order a refused modify/cancel was for). ``qty`` is the event's
    quantity, ``units`` the order's price (0: a market order)."""

    kind: str
    account: tuple[str, str]
    code: str
    side: int
    qty: int
    units: int
    odno: int
    orig_odno: int
    order_qty: int
    night: bool
    time: datetime
    correction: str = "0"
    """RCTF_CLS of the request: 0 new, 1 modify, 2 cancel."""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Print:
    """One trade of a series, as the tape shows it: ``cum`` is the day's volume including it,
    ``side`` the aggressor's (``BUY``/``SELL``)."""

    cum: int
    units: int
    qty: int
    time: datetime
    side: int


@dataclass
class SeriesState:
    inst: DerivInstrument
    shim: Instrument
    day: date
    base: int
    lower: int
    upper: int
    book: OrderBook = field(default_factory=OrderBook)
    synth: list[Order] = field(default_factory=list)
    mid: int = 0
    last: int = 0
    open: int = 0
    high: int = 0
    low: int = 0
    volume: int = 0
    value: int = 0
    stamp: int = -1
    """Engine instant of the last quote refresh (a second one at that instant does nothing)."""
    prints: PrintTape = field(default_factory=PrintTape)
    """The day's trades in order, packed, for the realtime trade records
    (:mod:`hantoo.sim.deriv_feed`) and the intraday candles; rebuilt by replay like everything
    else here."""
    # staged price limits (see .limits): the stage open on each side (0 = the first), since
    # when (engine µs, -1: not) each limit has been reached, and what options' limits are
    # computed from (the underlying's base and the years to expiry at the day's start)
    stage_up: int = 0
    stage_dn: int = 0
    reached_up: int = -1
    reached_dn: int = -1
    spot_base: float = 0.0
    years0: float = 0.0


class DerivShim(Instrument):
    """The engine-side stand-in of a series (its orders' ``inst``); pickled by series, not by
    universe code, since a series is not in the stock universe."""

    __slots__ = ("deriv",)
    deriv: DerivInstrument

    def __reduce__(self) -> tuple[Any, ...]:
        return _shim, (self.deriv, self.ref_price)


def _shim(inst: DerivInstrument, units: int) -> DerivShim:
    shim = DerivShim(inst.code, inst.name, Market.KOSPI, max(units, 1),
                     kind=InstrumentKind.ELW)
    shim.tick_of = inst.tick_of
    shim.scale = inst.scale
    shim.deriv = inst
    return shim


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A series now: prices (``Decimal`` on the grid), model values and the book."""

    inst: DerivInstrument
    price: Decimal
    base: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    upper: Decimal
    lower: Decimal
    volume: int
    value: int
    theo: Decimal
    spot: Decimal
    spot_prev: Decimal
    years: float
    sigma: float | None
    iv: float | None
    greeks: pricing.Greeks | None
    asks: list[tuple[Decimal, int]]
    bids: list[tuple[Decimal, int]]
    open_interest: int


_markets: weakref.WeakKeyDictionary[Any, DerivMarket] = weakref.WeakKeyDictionary()
#: Per exchange, who hears of each user fill (the realtime notices); kept off the market so a
#: snapshot never pickles a callback.
_fill_listeners: weakref.WeakKeyDictionary[Any, list[Callable[[DFill, Order], None]]] = (
    weakref.WeakKeyDictionary())
_order_listeners: weakref.WeakKeyDictionary[Any, list[Callable[[DOrderEvent], None]]] = (
    weakref.WeakKeyDictionary())


def on_fill(exchange: Any, callback: Callable[[DFill, Order], None]) -> None:
    """Call ``callback(fill, order)`` for each fill of a user order on ``exchange``'s market."""
    _fill_listeners.setdefault(exchange, []).append(callback)


def on_order(exchange: Any, callback: Callable[[DOrderEvent], None]) -> None:
    """Call ``callback(event)`` for each order event of a user on ``exchange``'s market."""
    _order_listeners.setdefault(exchange, []).append(callback)


def market_for(exchange: Any) -> DerivMarket:
    """The futures/options market of ``exchange`` (created on first use).

    It is kept as the exchange's ``_deriv`` attribute, so the engine's snapshot carries it; a
    market restored from a snapshot is re-attached to its exchange here."""
    m: DerivMarket | None
    try:
        m = vars(exchange).get("_deriv")
    except TypeError:  # an exchange without instance attributes
        m = _markets.get(exchange)
    if m is None:
        m = DerivMarket(exchange)
        try:
            exchange._deriv = m
        except AttributeError:
            _markets[exchange] = m
    elif m.ex is None:
        m.ex = exchange
    return m


_F = TypeVar("_F", bound=Callable[..., Any])


def _one_instant(fn: _F) -> _F:
    """Run a market operation at one engine instant, as its replay will.

    With a running clock (real-time, accelerated, wall) the engine's instant would move while
    the operation reads the underlying's quotes; the journal records one instant per record,
    so the operation sees the clock held there (the outermost operation holds it)."""

    @functools.wraps(fn)
    def run(self: DerivMarket, *args: Any, **kwargs: Any) -> Any:
        if self._holding:
            return fn(self, *args, **kwargs)
        ex = self.ex
        real = ex.clock
        held = real.mode is not ClockMode.STEPPED
        self._holding = True
        if held:
            ex.clock = SessionClock(ClockMode.STEPPED, start=from_us(real.now_us()),
                                    speed=real.speed)
        try:
            return fn(self, *args, **kwargs)
        finally:
            try:
                self._update_margin_held()
            finally:
                if held:
                    ex.clock = real
                self._holding = False

    return run  # type: ignore[return-value]


def _ratio(value: int, r: tuple[int, int]) -> int:
    return -(-value * r[0] // r[1])


class DerivMarket:
    """Futures and options on top of one stock :class:`~hantoo.sim.engine.exchange.Exchange`."""

    def __init__(self, exchange: Any) -> None:
        self.ex = exchange
        self._listing: Listing | None = None
        self._states: dict[str, SeriesState] = {}
        self.orders: dict[int, Order] = {}
        self.fills: list[DFill] = []
        self.positions: dict[tuple[tuple[str, str], str], Position] = {}
        self._next_odno = 0
        self._seq = 0
        self._spot_cache: tuple[int, dict[str, tuple[float, float]]] = (-1, {})
        self._elws: tuple[date, dict[str, Elw]] | None = None
        self._settled: date | None = None
        self._known: dict[str, DerivInstrument] = {}
        self._holding = False
        self._margin_held: dict[tuple[str, str], int] = {}
        """Scanning margin of each account's positions at its last change (see cash_held)."""
        self._touched: set[tuple[str, str]] = set()

    def __getstate__(self) -> dict[str, Any]:
        """What a snapshot keeps: everything but the exchange and the caches."""
        state = dict(vars(self))
        state["ex"] = None
        state["_spot_cache"] = (-1, {})
        state["_elws"] = None
        state["_holding"] = False
        return state

    # ---- journal (see .journaled) -----------------------------------------------------------
    def _note(self, op: str, args: list[Any]) -> None:
        """Journal a change (a no-op without a journal, and while replaying)."""
        log = getattr(self.ex, "_log", None)
        if log is not None:
            log(op, args)

    # ---- time ---------------------------------------------------------------------------
    def now(self) -> datetime:
        """The engine's instant (what the journal records; replay runs there)."""
        return from_us(self.ex._now)

    def session(self, now: datetime | None = None) -> str:
        """``"day"``, ``"night"`` or ``""`` (closed) at ``now``."""
        now = now or self.now()
        t = now.time()
        cal = self.ex.calendar
        if DAY_OPEN <= t < DAY_CLOSE and cal.is_business_day(now.date()):
            return "day"
        if t >= NIGHT_OPEN and cal.is_business_day(now.date()):
            return "night"
        if t < NIGHT_CLOSE and cal.is_business_day(now.date() - timedelta(days=1)):
            return "night"
        return ""

    def trade_day(self, now: datetime | None = None) -> date:
        """The trading day at ``now``: the night session belongs to the next business day."""
        now = now or self.now()
        cal = self.ex.calendar
        d = now.date()
        if now.time() >= NIGHT_OPEN:
            return cal.next_business_day(d)  # type: ignore[no-any-return]
        if now.time() < NIGHT_CLOSE:
            return cal.next_business_day(d - timedelta(days=1))  # type: ignore[no-any-return]
        if cal.is_business_day(d):
            return d
        return cal.next_business_day(d)  # type: ignore[no-any-return]

    # ---- underlying and listing ---------------------------------------------------------
    def spot(self, underlying: str) -> tuple[float, float]:
        """(level now, previous close) of an index or stock, from the stock engine."""
        now_us = self.ex._now
        stamp, cache = self._spot_cache
        if stamp != now_us:
            cache = {}
            self._spot_cache = (now_us, cache)
        hit = cache.get(underlying)
        if hit is None:
            if len(underlying) == 4:
                lv = index_level(self.ex, underlying)
                if lv is None:
                    raise EngineReject(RejectReason.UNKNOWN_SYMBOL, underlying)
                hit = (float(lv.level), float(lv.prev_close))
            else:
                q = self.ex.quote(underlying)
                hit = (float(q.price), float(q.prev_close))
            cache[underlying] = hit
        return hit

    def listing(self) -> Listing:
        day = self.trade_day()
        if self._listing is None or self._listing.day != day:
            ex = self.ex
            stocks = self._stock_underlyings()
            prev = Decimal(repr(self.spot("2001")[1])).quantize(Decimal("0.01"))
            self._listing = list_series(day, ex.calendar.is_business_day, {"2001": prev},
                                        [(i.code, i.name, i.ref_price) for i in stocks])
            self._known.update(self._listing.series)
        return self._listing

    def _stock_underlyings(self) -> list[Any]:
        ex = self.ex
        return sorted(
            (i for i in ex.universe
             if not i.is_us and i.kind is InstrumentKind.STOCK and i.shares > 0
             and i.market is Market.KOSPI),
            key=lambda i: (-(i.ref_price * i.shares), i.code),
        )[:STOCK_FUTURES]

    def elws(self) -> dict[str, Elw]:
        """The ELWs listed on the current trading day (see :mod:`.elw`, :mod:`.elw_trading`)."""
        day = self.trade_day()
        if self._elws is None or self._elws[0] != day:
            self._elws = (day, listed_elws(self.ex, day))
        return self._elws[1]

    def elw_quote(self, code: str) -> ElwQuote:
        """The model numbers of an ELW with its price, book top and day statistics from the
        stock engine, where the ELW trades (:mod:`.elw_trading`): every ELW API reads this."""
        e = self.elws().get(code.strip().upper())
        if e is None:
            raise EngineReject(RejectReason.UNKNOWN_SYMBOL, code)
        spot, prev = self.spot(e.underlying)
        now = self.now()
        end = datetime.combine(e.expiry, EXPIRY_CLOSE, tzinfo=now.tzinfo)
        t = max((end - now).total_seconds(), 0.0) / (365.0 * 86400.0)
        q = elw_quote(e, spot, prev, t, t + 1.0 / 365.0)
        eq = self.ex.quote(e.code)
        price = int(eq.price)
        at = elw_at(e, spot, t, price)
        return replace(q, price=price, prev=int(eq.prev_close), iv=at.iv,
                       bid=int(eq.best_bid) if eq.best_bid is not None else 0,
                       ask=int(eq.best_ask) if eq.best_ask is not None else 0,
                       open=int(eq.open or price), high=int(eq.high or price),
                       low=int(eq.low or price), volume=eq.volume,
                       turnover=int(eq.trade_value))

    def instrument(self, code: str) -> DerivInstrument:
        inst = self.listing().get(code)
        if inst is None:
            raise EngineReject(RejectReason.UNKNOWN_SYMBOL, code)
        return inst

    # ---- model ----------------------------------------------------------------------------
    def years(self, inst: DerivInstrument, now: datetime | None = None) -> float:
        now = now or self.now()
        end = datetime.combine(inst.expiry, EXPIRY_CLOSE, tzinfo=now.tzinfo)
        return max((end - now).total_seconds(), 0.0) / (365.0 * 86400.0)

    def sigma(self, inst: DerivInstrument, spot: float, t: float) -> float:
        fwd = pricing.forward(spot, t, inst.product.q)
        assert inst.strike is not None
        return pricing.vol_surface(inst.product.atm_vol, float(inst.strike), fwd)

    def value(self, inst: DerivInstrument, spot: float, t: float | None = None) -> float:
        """Model value (points, or won for stock futures) at underlying level ``spot``."""
        t = self.years(inst) if t is None else t
        q = inst.product.q
        if not inst.is_option:
            basis = pricing.basis_noise(self.ex.seed, inst.code, f"{self.trade_day()}", spot)
            return pricing.forward(spot, t, q) + basis * min(1.0, t * 365.0 / 30.0)
        assert inst.strike is not None
        return pricing.bs_price(inst.kind == "call", spot, float(inst.strike), t,
                                self.sigma(inst, spot, t), q)

    def model_units(self, inst: DerivInstrument, spot: float, t: float | None = None) -> int:
        v = self.value(inst, spot, t)
        units = max(1, round(v * inst.scale))
        tick = inst.tick_of(units)
        units = max(tick, (units + tick // 2) // tick * tick)
        return units

    # ---- per-series state ---------------------------------------------------------------
    @_one_instant
    def sync(self) -> None:
        """Bring the stock engine and every series to now: working orders of a past trading
        day expire, night-session orders expire when the night session ends."""
        self.ex.sync()
        day = self.trade_day()
        changed = False
        if self._settled is None:
            self._settled = day
            changed = True
        elif day > self._settled:
            self._settle(self._settled)
            self._settled = day
            changed = True
        night = self.session() == "night"
        for st in self._states.values():
            if st.day != day:
                changed = self._expire(st) or changed
            elif not night:
                changed = self._expire_night(st) or changed
        if changed:
            self._note("dsync", [])

    def _close_of(self, underlying: str, day: date) -> float:
        """The underlying's close of trading day ``day`` (its level now when the stock market
        still shows that day, else its previous close)."""
        probe = underlying
        if len(underlying) == 4:
            lv = index_level(self.ex, underlying)
            if lv is None or not lv.members:
                raise EngineReject(RejectReason.UNKNOWN_SYMBOL, underlying)
            probe = lv.members[0]
        level, prev = self.spot(underlying)
        return level if self.ex.quote(probe).trade_date == day else prev

    def _settle(self, day: date) -> None:
        """Daily settlement of trading day ``day`` (KRX 일일정산), then expiry settlement.

        Futures are marked to the settlement price — the model value at the underlying's close
        of ``day`` — and the difference to their basis goes to cash; their basis becomes that
        price. Series that expired on or before ``day`` are settled in cash and closed: futures
        at the final price (the underlying's close: the basis vanishes at expiry), options at
        their intrinsic value (a long receives it, a short pays it; out of the money: nothing).
        """
        holders = {a.key: a for a in (self.ex.house, *self.ex.accounts.values())}
        self._touched.update(acct for acct, _c in self.positions)
        for (acct, code), pos in list(self.positions.items()):
            inst = self._known.get(code)
            a = holders.get(acct)
            if inst is None or a is None:
                continue
            if not pos.qty:
                if pos.pending:
                    self._cash(a, pos.pending)
                    pos.pending = 0
                continue
            close = self._close_of(inst.group, day)
            end = datetime.combine(day, DAY_CLOSE, tzinfo=self.now().tzinfo)
            t = self.years(inst, end)
            expired = inst.expiry <= day
            if inst.is_option and not expired:
                continue
            if inst.is_option:
                units = max(0, round(self.value(inst, close, 0.0) * inst.scale))
            else:
                units = self.model_units(inst, close, 0.0 if expired else t)
            value = units * pos.qty * inst.multiplier // inst.scale
            if inst.is_option:
                self._cash(a, value)
                pos.realized += value - pos.cost
                pos.qty = pos.cost = pos.trade_cost = 0
                continue
            self._cash(a, value - pos.cost + pos.pending)
            pos.realized += value - pos.cost
            pos.pending = 0
            pos.cost = value
            if expired:
                pos.qty = pos.cost = pos.trade_cost = 0

    def _shim(self, inst: DerivInstrument, units: int) -> Instrument:
        return _shim(inst, units)

    def state(self, inst: DerivInstrument) -> SeriesState:
        """The series' state for the current trading day, quotes refreshed to the model."""
        day = self.trade_day()
        st = self._states.get(inst.code)
        changed = st is None or st.day != day
        if st is None or st.day != day:
            if st is not None:
                self._expire(st)
            _spot, prev = self.spot(inst.group)
            t0 = self.years(inst) + 1.0 / 365.0
            base = self.model_units(inst, prev, t0)
            if st is not None and st.last:
                base = st.last
            lower, upper = limits.band(inst, 0, base, prev,
                                       lambda s: self.model_units(inst, s, t0))
            st = SeriesState(inst, self._shim(inst, base), day, base, lower, upper,
                             spot_base=prev, years0=t0)
            self._states[inst.code] = st
        if self._refresh(st) or changed:
            self._note("dref", [inst.code])
        return st

    @_one_instant
    def refresh(self, code: str) -> None:
        """Bring one series to now, as a read does (replay of ``dref``)."""
        self.state(self.instrument(code))

    def _expire(self, st: SeriesState) -> bool:
        changed = bool(st.synth)
        for o in [o for o in st.book.orders() if not o.synthetic]:
            rem = o.remaining
            st.book.reduce(o, rem)
            o.cancelled += rem
            o.status = OrderStatus.EXPIRED
            changed = True
        for o in st.synth:
            if o.remaining:
                st.book.reduce(o, o.remaining)
        st.synth.clear()
        return changed

    def _synth_qty(self, code: str, level: int, mid: int) -> int:
        h = hashlib.blake2b(f"{self.ex.seed}|{code}|{level}|{mid}".encode(),
                            digest_size=4).digest()
        return 5 + int.from_bytes(h, "big") % 46

    def _expire_night(self, st: SeriesState) -> bool:
        """Night-session orders end with the night session (06:00), not with the trading day."""
        changed = False
        for o in [o for o in st.book.orders() if not o.synthetic and o.venue == 1]:
            rem = o.remaining
            st.book.reduce(o, rem)
            o.cancelled += rem
            o.status = OrderStatus.EXPIRED
            changed = True
        return changed

    def _refresh(self, st: SeriesState) -> bool:
        """Replace the house quotes when the model value moved (crossing user orders trade).

        Returns whether anything changed (the caller journals it). At most once per instant, so
        replaying a command at its instant does not refresh twice."""
        now_us = self.ex._now
        if st.stamp == now_us:
            return False
        st.stamp = now_us
        session = self.session()
        changed = False
        if session != "night":
            changed = self._expire_night(st)
        if not session:
            if st.synth:
                for o in st.synth:
                    if o.remaining:
                        st.book.reduce(o, o.remaining)
                st.synth.clear()
                st.mid = 0
                return True
            return changed
        spot, _ = self.spot(st.inst.group)
        model = self.model_units(st.inst, spot)
        changed = self._stage(st, model, session) or changed
        mid = min(max(model, st.lower), st.upper)
        if mid == st.mid and st.synth:
            return changed
        for o in st.synth:
            if o.remaining:
                st.book.reduce(o, o.remaining)
        st.synth.clear()
        st.mid = mid
        house = self.ex.house
        tick = st.inst.tick_of
        ask = bid = mid
        for level in range(1, LEVELS + 1):
            ask = ask + tick(ask)
            below = bid - 1
            bid = below - below % tick(below) if below > 0 else 0
            for side, px in ((SELL, ask), (BUY, bid)):
                if not st.lower <= px <= st.upper:
                    continue
                o = Order(0, house, st.shim, side, OrderType.LIMIT, px,
                          self._synth_qty(st.inst.code, level * side, mid), now_us, st.day,
                          synthetic=True)
                self._match(st, o, px)
                if o.remaining:
                    self._rest(st, o)
                    st.synth.append(o)
        return True

    def _stage(self, st: SeriesState, model: int, session: str) -> bool:
        """Open the next price-limit stage on a side whose limit has been reached and held
        (see :mod:`.limits`); returns whether anything changed."""
        now_us = self.ex._now
        changed = False
        up = model >= st.upper or (st.last and st.last >= st.upper)
        dn = model <= st.lower or (st.last and st.last <= st.lower)
        for side, reached in (("up", up), ("dn", dn)):
            attr = f"reached_{side}"
            since = getattr(st, attr)
            if not reached:
                if since >= 0:
                    setattr(st, attr, -1)
                    changed = True
                continue
            if since < 0:
                setattr(st, attr, now_us)
                changed = True
                continue
            stage = getattr(st, f"stage_{side}")
            if (now_us - since < limits.HOLD_US or stage + 1 >= len(limits.stages(st.inst))
                    or session != "day" or self.now().time() < limits.REGULAR_FROM
                    or not st.spot_base):
                continue
            stage += 1
            setattr(st, f"stage_{side}", stage)
            setattr(st, attr, -1)
            lo, hi = limits.band(st.inst, stage, st.base, st.spot_base,
                                 functools.partial(self._model_at_start, st))
            if side == "up":
                st.upper = max(hi, st.upper)
            else:
                st.lower = min(lo, st.lower)
            changed = True
        return changed

    def _model_at_start(self, st: SeriesState, spot: float) -> int:
        return self.model_units(st.inst, spot, st.years0)

    def price_stage(self, code: str) -> tuple[int, int]:
        """The price-limit stage (1-based) open now on the (lower, upper) side of a series."""
        st = self.state(self.instrument(code))
        return st.stage_dn + 1, st.stage_up + 1

    # ---- matching -------------------------------------------------------------------------
    def _rest(self, st: SeriesState, o: Order) -> None:
        self._seq += 1
        o.prio = self._seq
        st.book.add(o)

    def _available(self, st: SeriesState, side: int, limit: int) -> int:
        opp = st.book.asks if side == BUY else st.book.bids
        total = 0
        for lvl in opp.iter_levels():
            if (lvl.price > limit) if side == BUY else (lvl.price < limit):
                break
            total += lvl.total
        return total

    def _match(self, st: SeriesState, o: Order, limit: int) -> None:
        buy = o.side == BUY
        side = st.book.asks if buy else st.book.bids
        while o.remaining and side.keys:
            key = side.keys[-1]
            px = -key if buy else key
            if (px > limit) if buy else (px < limit):
                break
            lvl = side.levels[key]
            while lvl.orders and o.remaining:
                r = lvl.orders[0]
                if not r.remaining:
                    lvl.orders.popleft()
                    lvl.dead -= 1
                    continue
                if r.synthetic and o.synthetic:
                    break
                f = min(o.remaining, r.remaining)
                lvl.total -= f
                self._trade(st, o, r, f, px)
                if not r.remaining:
                    lvl.orders.popleft()
            if not lvl.total:
                side.keys.pop()
                del side.levels[key]
            elif o.synthetic:
                break  # only house quotes left at this level

    def _trade(self, st: SeriesState, aggr: Order, rest: Order, qty: int, px: int) -> None:
        now = self.now()
        for o in (aggr, rest):
            o.remaining -= qty
            o.filled += qty
            o.fill_value += px * qty
            o.settle_status()
            self._apply(o, st.inst, qty, px)
            if not o.synthetic:
                fill = DFill(o.odno, o.acct.key, st.inst.code, o.side, qty, px, now, st.day)
                self.fills.append(fill)
                for cb in _fill_listeners.get(self.ex, ()):
                    cb(fill, o)
        if px >= st.upper and st.reached_up < 0:  # a trade at a limit: it is reached
            st.reached_up = self.ex._now
        if px <= st.lower and st.reached_dn < 0:
            st.reached_dn = self.ex._now
        st.last = px
        st.open = st.open or px
        st.high = max(st.high, px)
        st.low = min(st.low, px) if st.low else px
        st.volume += qty
        st.value += st.inst.notional(px, qty)
        # a state restored from a snapshot taken before prints were kept (or kept as a list)
        tape = vars(st).get("prints")
        if not isinstance(tape, PrintTape):
            tape = st.prints = PrintTape(tape or ())
        tape.append(Print(st.volume, px, qty, now, aggr.side))

    def _apply(self, o: Order, inst: DerivInstrument, qty: int, px: int) -> None:
        """Position, realised P&L, premium and fees of one side of a fill."""
        a: Account = o.acct
        if not o.synthetic:
            self._touched.add(a.key)
        key = (a.key, inst.code)
        pos = self.positions.get(key)
        if pos is None:
            pos = self.positions[key] = Position()
        dq = qty if o.side == BUY else -qty
        unit_value = px * inst.multiplier  # won per contract × scale
        closing = 0
        if pos.qty and (pos.qty > 0) != (dq > 0):
            closing = min(abs(dq), abs(pos.qty))
        realized = 0
        if closing:
            c_signed = closing if pos.qty > 0 else -closing
            closing_cost = pos.cost * closing // abs(pos.qty) if pos.qty > 0 else \
                -((-pos.cost) * closing // abs(pos.qty))
            realized = unit_value * c_signed // inst.scale - closing_cost
            pos.trade_cost -= pos.trade_cost * closing // abs(pos.qty) if pos.qty > 0 else \
                -((-pos.trade_cost) * closing // abs(pos.qty))
            pos.qty -= c_signed
            pos.cost -= closing_cost
            pos.realized += realized
        opening = abs(dq) - closing
        if opening:
            signed = opening if dq > 0 else -opening
            pos.qty += signed
            pos.cost += unit_value * signed // inst.scale
            pos.trade_cost += unit_value * signed // inst.scale
        cash = 0
        notional = inst.notional(px, qty)
        if inst.is_option:
            cash = -notional if o.side == BUY else notional
            fee = _ratio(notional, OPT_FEE)
        else:
            pos.pending += realized  # paid at the daily settlement, as KRX pays it
            fee = _ratio(notional, FUT_FEE)
        if o.synthetic:
            fee = 0
        self._cash(a, cash - fee)
        if fee:
            self._cash(self.ex.house, fee)
        o.fees += fee

    def _cash(self, a: Account, delta: int) -> None:
        if not delta:
            return
        a.cash[0] += delta
        tx = getattr(self.ex, "_tx", None)
        if tx is not None:
            tx.accounts[a.key] = a

    # ---- margin ---------------------------------------------------------------------------
    def _valuer(self) -> Any:
        cache: dict[tuple[str, float], float] = {}

        def value(inst: DerivInstrument, spot: float) -> float:
            k = (inst.code, spot)
            v = cache.get(k)
            if v is None:
                v = cache[k] = self.value(inst, spot)
            return v

        return value

    def holdings(self, account: tuple[str, str]) -> list[tuple[DerivInstrument, Position]]:
        self.listing()
        out = []
        for (acct, code), pos in sorted(self.positions.items(), key=lambda kv: kv[0][1]):
            if acct == account and (pos.qty or pos.realized):
                inst = self._known.get(code)
                if inst is not None:
                    out.append((inst, pos))
        return out

    def _spots(self, insts: list[DerivInstrument]) -> dict[str, float]:
        return {i.group: self.spot(i.group)[0] for i in insts}

    def position_margin(self, account: tuple[str, str]) -> int:
        held = [(i, p.qty) for i, p in self.holdings(account) if p.qty]
        if not held:
            return 0
        return scan_margin(held, self._spots([i for i, _ in held]), self._valuer())

    def maintenance_margin(self, account: tuple[str, str]) -> int:
        return int(self.position_margin(account) * MAINTENANCE)

    def order_margin(self, account: tuple[str, str], inst: DerivInstrument, side: int,
                     qty: int, units: int, *, closable: int | None = None) -> int:
        """Cash an order needs: 0 for the part that closes a position, the premium (and fee)
        of an option buy, the standalone scanning margin otherwise."""
        if closable is None:
            pos = self.positions.get((account, inst.code))
            held = pos.qty if pos else 0
            closable = max(0, -held) if side == BUY else max(0, held)
            closable -= sum(o.remaining for o in self.working(account)
                            if o.inst.code == inst.code and o.side == side)
            closable = max(0, closable)
        opening = max(0, qty - closable)
        if not opening:
            return 0
        if inst.is_option and side == BUY:
            n = inst.notional(units, opening)
            return n + _ratio(n, OPT_FEE)
        signed = opening if side == BUY else -opening
        m = scan_margin([(inst, signed)], self._spots([inst]), self._valuer())
        return m + _ratio(inst.notional(units, opening), FUT_FEE if not inst.is_option
                          else OPT_FEE)

    def working(self, account: tuple[str, str]) -> list[Order]:
        return [o for o in self.orders.values()
                if o.acct.key == account and o.remaining and o.status in
                (OrderStatus.OPEN, OrderStatus.PARTIAL)]

    def orderable_cash(self, account: tuple[str, str]) -> int:
        """Cash minus the margin of positions and of working orders, and minus what the
        account's open stock buys hold (one account, one cash: can be negative)."""
        a = self.ex._account(account)
        held = sum(self._held(o) for o in self.working(account))
        return (int(a.cash[0]) - int(a.reserved[0]) + self.pending(account)
                - self.position_margin(account) - held)

    def cash_held(self, account: tuple[str, str]) -> int:
        """KRW the account's futures/options hold, which stock buys cannot spend: the margin
        of its positions and working orders, and a futures loss not yet settled (a gain is
        not cash until the daily settlement pays it).

        The positions' margin is the one priced when they last changed (an order, fill,
        cancel or settlement of the account), not re-priced at every index tick: the stock
        engine asks this inside its commands and inside its own event processing (reservations
        sent at the open), where reading quotes would re-enter it; stored numbers only, so a
        replay gets the same answer."""
        working = sum(o.reserved * o.remaining // o.qty for o in self.working(account) if o.qty)
        return max(0, self._margin_held.get(account, 0) + working
                   - min(0, self.pending(account)))

    def _update_margin_held(self) -> None:
        """Re-price the margin of the accounts whose positions an operation changed."""
        while self._touched:
            acct = self._touched.pop()
            if acct in self.ex.accounts:
                self._margin_held[acct] = self.position_margin(acct)

    def pending(self, account: tuple[str, str]) -> int:
        """Futures P&L realised today, to be paid at the next daily settlement."""
        return sum(p.pending for (acct, _c), p in self.positions.items() if acct == account)

    def _held(self, o: Order) -> int:
        inst = self.listing().get(o.inst.code)
        if inst is None:
            return 0
        return o.reserved * o.remaining // o.qty if o.qty else 0

    # ---- history: hot records plus the archive (see .archive) ------------------------------
    def _archive(self) -> Any:
        return getattr(getattr(self.ex, "_j_archive", None), "deriv", None)

    def all_orders(self, account: tuple[str, str], start: date, end: date) -> list[Order]:
        """The account's orders of trading days ``start``..``end``, archived ones included,
        by order number."""
        out = [o for o in self.orders.values()
               if o.acct.key == tuple(account) and start <= o.day <= end]
        arch = self._archive()
        if arch is not None:
            hot = {o.odno for o in out}
            out += [o for o in arch.orders(self, tuple(account), start, end)
                    if o.odno not in hot]
            out.sort(key=lambda o: o.odno)
        return out

    def find_order(self, odno: int) -> Order | None:
        """An order by number, hot or archived."""
        o = self.orders.get(odno)
        if o is None and (arch := self._archive()) is not None:
            o = arch.order(self, odno)
        return o

    def all_fills(self, account: tuple[str, str], start: date, end: date) -> list[DFill]:
        """The account's fills of trading days ``start``..``end``, archived ones included,
        in time order."""
        key = tuple(account)
        out = [f for f in self.fills if f.account == key and start <= f.day <= end]
        arch = self._archive()
        if arch is not None:
            out = arch.fills(key, start, end) + out
            out.sort(key=lambda f: f.time)  # stable: same-instant fills keep their order
        return out

    def fees_paid(self, account: tuple[str, str], day: date | None = None) -> int:
        """Fees the account's orders paid (of one trading day, or all), archived included."""
        key = tuple(account)
        total = sum(o.fees for o in self.orders.values()
                    if o.acct.key == key and (day is None or o.day == day))
        arch = self._archive()
        if arch is not None:
            total += arch.fees(key, day)
        return int(total)

    # ---- order events (the notices) -------------------------------------------------------
    def _emit(self, kind: str, o: Order, qty: int, correction: str = "0") -> None:
        listeners = _order_listeners.get(self.ex)
        if not listeners or o.synthetic:
            return
        ev = DOrderEvent(kind, o.acct.key, o.inst.code, o.side, qty, o.price, o.odno,
                         o.orig_odno, o.qty, o.venue == 1, self.now(), correction)
        for cb in listeners:
            cb(ev)

    def _emit_refusal(self, account: tuple[str, str], code: str, side: int, qty: int,
                      units: int, orig: int, night: bool, correction: str,
                      rej: EngineReject) -> None:
        listeners = _order_listeners.get(self.ex)
        if not listeners:
            return
        ev = DOrderEvent("refused", tuple(account), code, side, qty, units, 0,  # type: ignore[arg-type]
                         orig, qty, night, self.now(), correction, str(rej))
        for cb in listeners:
            cb(ev)

    def _refused_request(self, account: tuple[str, str], odno: str, qty: int,
                         correction: str, rej: EngineReject) -> None:
        """A refused modify/cancel of one of the account's orders (unknown ones: no notice)."""
        o = self.orders.get(int(odno)) if odno.isdigit() else None
        if o is not None and o.acct.key == tuple(account):
            self._emit_refusal(account, o.inst.code, o.side, qty or o.remaining, o.price,
                               o.odno, o.venue == 1, correction, rej)

    # ---- commands -------------------------------------------------------------------------
    def place(self, account: tuple[str, str], code: str, side: int, ord_code: str, qty: int,
              price: Decimal, *, night: bool = False, action: OrderAction = OrderAction.NEW,
              orig: int = 0) -> Order:
        """Validate and accept an order, match it, return the order record (a refused new
        order is also reported to the order notices)."""
        try:
            return self._place(account, code, side, ord_code, qty, price, night=night,
                               action=action, orig=orig)
        except EngineReject as rej:
            if action is OrderAction.NEW and code in self.listing().series \
                    and qty.__class__ is int and qty > 0:
                inst = self.listing().series[code]
                self._emit_refusal(account, code, side, qty, inst.units(price) or 0, 0, night,
                                   "0", rej)
            raise

    @_one_instant
    def _place(self, account: tuple[str, str], code: str, side: int, ord_code: str, qty: int,
               price: Decimal, *, night: bool = False, action: OrderAction = OrderAction.NEW,
               orig: int = 0) -> Order:
        ex = self.ex
        self.sync()
        a = ex._account(account)
        inst = self.instrument(code)
        if ord_code not in ORDER_CODES:
            raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE, f"ORD_DVSN_CD={ord_code}")
        otype, execution = ORDER_CODES[ord_code]
        if qty.__class__ is not int or qty <= 0:
            raise EngineReject(RejectReason.BAD_QUANTITY, str(qty))
        if qty > 1000:
            raise EngineReject(RejectReason.QUANTITY_OVER_MAX, f"{qty} > 1000 contracts")
        session = self.session()
        if not session or (session == "night") != night:
            raise EngineReject(RejectReason.SESSION_CLOSED,
                               f"{'night' if night else 'day'} session is closed now")
        if session == "day" and inst.expiry == self.now().date() and \
                self.now().time() >= EXPIRY_CLOSE:
            raise EngineReject(RejectReason.SESSION_CLOSED, "expiring series stopped at 15:20")
        st = self.state(inst)
        buy = side == BUY
        if otype in (OrderType.LIMIT, OrderType.CONDITIONAL_LIMIT):
            units = inst.units(price)
            if units is None or units <= 0:
                raise EngineReject(RejectReason.BAD_PRICE, f"price {price}")
            if units % inst.tick_of(units):
                raise EngineReject(RejectReason.BAD_TICK,
                                   f"{price} (tick {inst.tick(units)})")
            if not st.lower <= units <= st.upper:
                raise EngineReject(RejectReason.OUTSIDE_PRICE_LIMIT,
                                   f"{price} not in [{inst.points(st.lower)}, "
                                   f"{inst.points(st.upper)}] (price-limit stage "
                                   f"{st.stage_dn + 1}/{st.stage_up + 1})")
            limit = units
        elif otype is OrderType.MARKET:
            units = 0
            limit = st.upper if buy else st.lower
        else:  # best limit: the best opposite price
            best = (st.book.asks if buy else st.book.bids).best_price()
            if best is None:
                raise EngineReject(RejectReason.NO_LIQUIDITY)
            units = limit = best
        rpx = limit if units == 0 else units
        need = self.order_margin(account, inst, side, qty, rpx)
        avail = self.orderable_cash(account)
        if need > avail:
            raise EngineReject(RejectReason.INSUFFICIENT_CASH,
                               f"증거금 {need:,}원 필요, 주문가능 {max(avail, 0):,}원")
        self._next_odno += 1
        o = Order(self._next_odno, a, st.shim, side, otype, units, qty, ex._now,
                  st.day)
        o.reserved = need
        o.action = action
        o.orig_odno = orig
        o.venue = 1 if night else 0
        self.orders[o.odno] = o
        if action is OrderAction.NEW:
            self._emit("accepted", o, qty)
        else:
            self._emit("modified", o, qty, "1")
        if execution == "fok" and self._available(st, side, limit) < qty:
            o.remaining, o.cancelled = 0, qty
            o.settle_status()
            self._emit("killed", o, qty)
            return o
        self._match(st, o, limit)
        if o.remaining:
            if execution or otype is OrderType.MARKET:
                killed = o.remaining
                o.cancelled += o.remaining
                o.remaining = 0
                o.settle_status()
                self._emit("killed", o, killed)
            else:
                self._rest(st, o)
        ex.sync()
        if action is OrderAction.NEW:
            self._note("dord", [account[0], account[1], inst.code, side, ord_code, qty,
                                str(price), night])
        return o

    def _own(self, account: tuple[str, str], odno: str) -> Order:
        self.ex._account(account)
        o = self.orders.get(int(odno)) if odno.isdigit() else None
        if o is None or o.acct.key != account:
            raise EngineReject(RejectReason.UNKNOWN_ORDER, odno)
        if not o.remaining:
            raise EngineReject(RejectReason.ORDER_NOT_OPEN, f"{o.odno:010d} is {o.status.value}")
        return o

    def _take(self, o: Order, qty: int, *, replaced: bool = False) -> None:
        st = self._states.get(o.inst.code)
        if st is not None and st.day == o.day:
            st.book.reduce(o, qty)
        else:
            o.remaining -= qty
        if replaced:
            o.replaced += qty
        else:
            o.cancelled += qty
        o.settle_status()

    def cancel(self, account: tuple[str, str], odno: str, qty: int = 0) -> Order:
        """Cancel ``qty`` (0 = all) of a working order; returns the cancel record."""
        try:
            return self._cancel(account, odno, qty)
        except EngineReject as rej:
            self._refused_request(account, odno, qty, "2", rej)
            raise

    @_one_instant
    def _cancel(self, account: tuple[str, str], odno: str, qty: int = 0) -> Order:
        self.sync()
        o = self._own(account, odno)
        part = qty or o.remaining
        if part < 0:
            raise EngineReject(RejectReason.BAD_QUANTITY, str(qty))
        if part > o.remaining:
            raise EngineReject(RejectReason.CANCEL_QTY_EXCEEDS, f"{part} > {o.remaining}")
        self._take(o, part)
        self._next_odno += 1
        rec = Order(self._next_odno, o.acct, o.inst, o.side, o.otype, o.price, part,
                    self.ex._now, o.day)
        rec.action, rec.orig_odno = OrderAction.CANCEL, o.odno
        rec.venue = o.venue  # a night order's cancel is a night-session record too
        rec.remaining, rec.cancelled = 0, part
        rec.settle_status()
        self.orders[rec.odno] = rec
        self._emit("cancelled", rec, part, "2")
        self._note("dcxl", [account[0], account[1], odno, qty])
        return rec

    def modify(self, account: tuple[str, str], odno: str, ord_code: str, price: Decimal,
               qty: int = 0) -> Order:
        """Modify (정정): the new price and quantity go to a new order number; the original's
        moved quantity is marked replaced. Refused atomically (the original keeps working)."""
        try:
            return self._modify(account, odno, ord_code, price, qty)
        except EngineReject as rej:
            self._refused_request(account, odno, qty, "1", rej)
            raise

    @_one_instant
    def _modify(self, account: tuple[str, str], odno: str, ord_code: str, price: Decimal,
                qty: int = 0) -> Order:
        self.sync()
        o = self._own(account, odno)
        part = qty or o.remaining
        if part <= 0 or part > o.remaining:
            raise EngineReject(RejectReason.CANCEL_QTY_EXCEEDS, f"{part} > {o.remaining}")
        inst = self.instrument(o.inst.code)
        units = inst.units(price) if price else o.price
        if units == o.price and ORDER_CODES.get(ord_code, (None,))[0] is o.otype:
            raise EngineReject(RejectReason.NOTHING_TO_MODIFY)
        self.state(inst)  # the book is brought to now before the original moves
        reserved = o.reserved
        self._take(o, part, replaced=True)
        o.reserved = reserved * o.remaining // o.qty if o.qty else 0
        args = [account[0], account[1], odno, ord_code, str(price), qty]
        try:
            new = self.place(account, inst.code, o.side, ord_code, part, price,
                             night=o.venue == 1, action=OrderAction.MODIFY, orig=o.odno)
        except EngineReject:
            self._note("dmod", [*args, True])  # refused, but the original went to the back
            # put the quantity back where it was (same price, back of the queue)
            o.replaced -= part
            o.remaining += part
            o.reserved = reserved
            o.settle_status()
            st = self._states.get(o.inst.code)
            if st is not None and o.remaining == part:
                self._rest(st, o)
            raise
        self._note("dmod", [*args, False])
        return new

    # ---- reads ----------------------------------------------------------------------------
    @_one_instant
    def snapshot(self, code: str) -> Snapshot:
        self.sync()
        inst = self.instrument(code)
        st = self.state(inst)
        spot, prev = self.spot(inst.group)
        t = self.years(inst)
        theo_units = self.model_units(inst, spot, t)
        price = st.last or st.mid or theo_units
        sigma = iv = None
        g = None
        if inst.is_option:
            assert inst.strike is not None
            sigma = self.sigma(inst, spot, t)
            call = inst.kind == "call"
            iv = pricing.implied_vol(call, float(inst.points(price)), spot, float(inst.strike),
                                     max(t, 1e-6), inst.product.q)
            g = pricing.greeks(call, spot, float(inst.strike), t, sigma, inst.product.q)
        oi = sum(p.qty for (acct, c), p in self.positions.items() if c == code and p.qty > 0)
        pts = inst.points
        return Snapshot(
            inst=inst, price=pts(price), base=pts(st.base), open=pts(st.open or price),
            high=pts(max(st.high, price)), low=pts(min(st.low, price) if st.low else price),
            upper=pts(st.upper), lower=pts(st.lower), volume=st.volume, value=st.value,
            theo=pts(theo_units), spot=_dec(spot), spot_prev=_dec(prev), years=t,
            sigma=sigma, iv=iv, greeks=g,
            asks=[(pts(p), q) for p, q in st.book.asks.depth(LEVELS)],
            bids=[(pts(p), q) for p, q in st.book.bids.depth(LEVELS)],
            open_interest=oi,
        )


def _dec(x: float) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal("0.01")) if math.isfinite(x) else Decimal(0)
