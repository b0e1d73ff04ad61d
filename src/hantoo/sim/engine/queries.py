"""Read-only queries the KIS APIs need: quotes, book, candles, ticks, orders, fills, balances.

Queries never change trading state, but they do bring the market up to the clock first (so a
quote at 15:31 shows the close) and they may create a symbol's lazy day state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from .accounts import Account, max_buy_qty
from .book import BookSide, OrderBook, uncross
from .candles import CandleSeries, group_key, merge, to_candle
from .clock import from_us
from .market import SymbolState
from .matching import MatchingCore, fill_info, order_info
from .orders import MARKET_BUY_PX, MARKET_SELL_PX, Order
from .overseas_markets import N_SLOTS, SLOT_CURRENCY, no_limits
from .sessions import MarketSchedule
from .synthetic import Bar, DailyHistory
from .ticks import CURRENCY_SCALE, from_units, to_units
from .types import (
    PRICELESS_TYPES,
    EngineReject,
    OrderType,
    Phase,
    RejectReason,
    Side,
)
from .universe import Instrument, Universe

if TYPE_CHECKING:
    from .config import ExchangeConfig
from .views import (
    AccountKey,
    Balance,
    BalanceSummary,
    BookLevel,
    BookSnapshot,
    BuyingPower,
    Candle,
    FillInfo,
    OrderInfo,
    PositionInfo,
    Quote,
    TradeInfo,
    akey,
)

_CENT = Decimal("0.01")
_SERIES_LIMIT = 4096
"""Symbols whose past candles are cached at once (a full KRX universe fits)."""
_AUCTION_PHASES = (Phase.OPENING_AUCTION, Phase.CLOSING_AUCTION, Phase.AFTER_HOURS)


def _best_shown(side: BookSide) -> int | None:
    """The best displayable price of a book side (``depth(1)`` without building a list)."""
    best = side.best_price()
    if best is None or (best != MARKET_BUY_PX and best != MARKET_SELL_PX):
        return best
    for lvl in side.iter_levels():
        if lvl.price not in (MARKET_BUY_PX, MARKET_SELL_PX):
            return lvl.price
    return None


def _rate(num: int, den: int) -> Decimal:
    if not den:
        return Decimal(0)
    return (Decimal(num) * 100 / den).quantize(_CENT, rounding=ROUND_HALF_UP)


class QueryMixin(MatchingCore):
    """Queries, mixed into :class:`~.exchange.Exchange`."""

    if TYPE_CHECKING:
        config: ExchangeConfig
        universe: Universe
        schedules: tuple[MarketSchedule, ...]
        _phase: list[Phase]
        _mday: list[date]
        _premarket: bool
        _w52: dict[tuple[str, date], tuple[int, date, int, date]]
        _pt_on: bool
        _quote_memo: dict[str, tuple[tuple[Any, ...], tuple[Any, ...], int, Quote]]

        def _venue_quote(self, st: SymbolState, q: Quote, market: str) -> Quote: ...
        def _venue_book(self, st: SymbolState, snap: BookSnapshot, market: str,
                        depth: int) -> BookSnapshot: ...
        def _pt_watch(self, st: SymbolState) -> None: ...
        def _sync(self) -> None: ...
        def _commit(self) -> None: ...
        def _state(self, inst: Instrument) -> SymbolState: ...
        def _inst(self, symbol: str) -> Instrument: ...
        def _account(self, key: AccountKey) -> Account: ...
        def _held_elsewhere(self, a: Account) -> int: ...
        def history(self, inst: Instrument) -> DailyHistory: ...
        def _day_bar(self, inst: Instrument, d: date) -> tuple[Bar, int]: ...

    def _live(self, symbol: str) -> SymbolState:
        inst = self._inst(symbol)
        try:
            self._sync()
            st = self._state(inst)
            if self._pt_on:
                self._pt_watch(st)  # a symbol someone looks at trades live from now
            return st
        finally:
            self._commit()

    # ---- market data ----------------------------------------------------------------------
    def phase(self, market: str = "KRX") -> Phase:
        """Current session phase of ``"KRX"`` or ``"US"``."""
        self.sync_quietly()
        return self._phase[_slot_of(market)]

    def trading_day(self, market: str = "KRX") -> date:
        """The market's current (or last) trading date."""
        self.sync_quietly()
        return self._mday[_slot_of(market)]

    def sync_quietly(self) -> None:
        try:
            self._sync()
        finally:
            self._commit()

    def instrument(self, symbol: str) -> Instrument:
        """The instrument for a code, or :class:`EngineReject` ``UNKNOWN_SYMBOL``."""
        return self._inst(symbol)

    def _auction_book(self, st: SymbolState) -> OrderBook | None:
        ph = self._phase[st.inst.mk]
        if ph is Phase.AFTER_HOURS:
            return st.after
        if ph in _AUCTION_PHASES:
            return st.book
        return None

    def _expected(self, st: SymbolState) -> tuple[int, int] | None:
        book = self._auction_book(st)
        if book is None:
            return None
        ref = st.close_px if book is st.after else st.path[0] if st.step < 0 else st.last
        return uncross(book, ref)

    def _w52_range(self, st: SymbolState) -> tuple[int, date, int, date]:
        key = (st.inst.code, st.trade_day)
        cached = self._w52.get(key)
        if cached is None:
            hi, hi_d, lo, lo_d = 0, st.trade_day, 1 << 62, st.trade_day
            for b in self._bars(st.inst, _year_before(st.trade_day), st.trade_day, live=False):
                if b.high > hi:
                    hi, hi_d = b.high, b.day
                if b.low < lo:
                    lo, lo_d = b.low, b.day
            cached = self._w52[key] = (hi, hi_d, lo, lo_d)
        hi, hi_d, lo, lo_d = cached
        if st.high > hi:
            hi, hi_d = st.high, st.trade_day
        if st.open and st.low < lo:
            lo, lo_d = st.low, st.trade_day
        return hi, hi_d, lo, lo_d

    def quote(self, symbol: str, market: str = "J") -> Quote:
        """Current price snapshot; ``market`` is KIS's ``FID_COND_MRKT_DIV_CODE``: ``J`` (KRX),
        ``NX`` (NXT) or ``UN`` (both venues, see :mod:`.nxt`)."""
        st = self._live(symbol)
        inst = st.inst
        mk = inst.mk
        price = st.last
        exp = self._expected(st)
        w52 = self._w52_range(st)
        ask = _best_shown(st.book.asks)
        bid = _best_shown(st.book.bids)
        # Everything the quote is made of but the clock: clients poll the same symbols many
        # times between two trades, and turning these integers into Decimals is most of a
        # read's engine time, so the last quote's fields of each symbol are kept and reused
        # while this key is unchanged (a trade, a book change or a new phase changes it).
        key = (inst, self._phase[mk], st.trade_day, price, st.base, st.open, st.high, st.low,
               st.volume, st.value, st.upper, st.lower, ask, bid, exp, w52)
        now = self._now
        memo = self._quote_memo.get(inst.code)
        if memo is not None and memo[0] == key:
            if memo[2] == now:
                q = memo[3]  # same instant, same market: the very same (immutable) quote
            else:
                f = memo[1]
                q = Quote(f[0], f[1], f[2], f[3], from_us(now), *f[4:])
                self._quote_memo[inst.code] = (key, f, now, q)
        else:
            f = self._quote_fields(st, key)
            q = Quote(f[0], f[1], f[2], f[3], from_us(now), *f[4:])
            self._quote_memo[inst.code] = (key, f, now, q)
        if market != "J" and not inst.market.is_overseas:
            return self._venue_quote(st, q, market)
        return q

    def _quote_fields(self, st: SymbolState, key: tuple[Any, ...]) -> tuple[Any, ...]:
        """The :class:`Quote` fields, in order, without ``time``, from :meth:`quote`'s key."""
        (_, phase, trade_day, price, base, open_, high, low, volume, value, upper, lower,
         ask, bid, exp, (hi, hi_d, lo, lo_d)) = key
        inst = st.inst
        s = inst.scale
        change = price - base
        limited = inst.limits_of is not no_limits
        if limited and price >= upper:
            sign = "1"
        elif limited and price <= lower:
            sign = "4"
        else:
            sign = "2" if change > 0 else "5" if change < 0 else "3"
        return (
            inst.code, inst.name, inst.market, inst.currency,
            trade_day, phase,
            from_units(price, s), from_units(open_, s), from_units(high, s), from_units(low, s),
            from_units(base, s), from_units(change, s), _rate(change, base), sign,
            volume, from_units(value, s),
            from_units(upper, s) if limited else None,
            from_units(lower, s) if limited else None,
            from_units(inst.tick_of(price), s),
            from_units(ask, s) if ask is not None else None,
            from_units(bid, s) if bid is not None else None,
            from_units(hi, s), hi_d, from_units(lo, s), lo_d,
            inst.shares, from_units(price * inst.shares, s),
            from_units(exp[0], s) if exp else None,
            exp[1] if exp else None,
        )

    def order_book(
        self, symbol: str, depth: int | None = None, market: str = "J"
    ) -> BookSnapshot:
        """Up to ``depth`` (default: the configured 10) levels a side of the live book;
        ``market`` as for :meth:`quote`."""
        st = self._live(symbol)
        depth = depth or self.config.book_depth
        s = st.inst.scale
        mk = st.inst.mk
        ph = self._phase[mk]
        if ph is Phase.AFTER_HOURS:
            book = st.after
        elif ph is Phase.POST_MARKET:
            book = st.fixed
        else:
            book = st.book
        exp = self._expected(st)
        snap = BookSnapshot(
            symbol=st.inst.code,
            time=from_us(self._now),
            phase=ph,
            asks=tuple(BookLevel(from_units(p, s), q) for p, q in book.asks.depth(depth)),
            bids=tuple(BookLevel(from_units(p, s), q) for p, q in book.bids.depth(depth)),
            total_ask_qty=book.asks.total_qty(),
            total_bid_qty=book.bids.total_qty(),
            expected_price=from_units(exp[0], s) if exp else None,
            expected_qty=exp[1] if exp else None,
        )
        if market != "J" and not st.inst.market.is_overseas:
            return self._venue_book(st, snap, market, depth)
        return snap

    def _bars(self, inst: Instrument, start: date, end: date, *, live: bool = True) -> list[Bar]:
        mk = inst.mk
        cal = self.schedules[mk].calendar
        today = self._mday[mk]
        out: list[Bar] = []
        for d in cal.business_days(start, min(end, today)):
            if d == today:
                if not live:
                    continue
                st = self._state(inst)
                if st.open:
                    out.append(Bar(d, st.open, st.high, st.low, st.last, st.volume, st.value))
            else:
                out.append(self._day_bar(inst, d)[0])
        return out

    def daily_candles(
        self, symbol: str, start: date, end: date, period: str = "D"
    ) -> list[Candle]:
        """Bars between ``start`` and ``end`` (oldest first); ``period`` D, W, M or Y.

        Past days come from the symbol's cached :class:`~.candles.CandleSeries` (computed once
        per trading day, deterministic under the seed); today's bar is the live one.
        """
        inst = self._inst(symbol)
        period = period.upper()
        if period not in ("D", "W", "M", "Y"):
            raise EngineReject(RejectReason.BAD_PRICE, f"period {period!r}")
        try:
            self._sync()
            mk = inst.mk
            today = self._mday[mk]
            out: list[Candle] = []
            if start < today:
                series = self._candle_series(inst, today, start)
                out = series.select(start, end, period)
            if start <= today <= end:
                st = self._state(inst)
                if st.open:
                    live = to_candle(
                        Bar(today, st.open, st.high, st.low, st.last, st.volume, st.value),
                        inst.scale,
                    )
                    key = group_key(period)
                    if period != "D" and out and key(out[-1].start) == key(today):
                        out[-1] = merge([out[-1], live])
                    else:
                        out.append(live)
        finally:
            self._commit()
        return out

    def _candle_series(self, inst: Instrument, today: date, start: date) -> CandleSeries:
        """The symbol's past daily candles before ``today``, reaching back to ``start``."""
        cache: dict[str, CandleSeries] = self.__dict__.setdefault("_candles", {})
        series = cache.get(inst.code)
        if series is None or series.until != today:
            if len(cache) >= _SERIES_LIMIT:
                cache.clear()
            series = cache[inst.code] = CandleSeries(today)
        first = series.days[0] if series.days else today
        if start < first:
            cal = self.schedules[inst.mk].calendar
            days = [d for d in cal.business_days(start, first - timedelta(days=1))
                    if d < first]
            series.extend_back(days, lambda d: self._day_bar(inst, d)[0], inst.scale)
        return series

    def _prints(self, st: SymbolState) -> list[tuple[int, int, int, int]]:
        """All of today's prints (time_us, price, qty, aggressor), oldest first."""
        mk = st.inst.mk
        sch = self.schedules[mk]
        start, _ = sch.continuous
        t0 = sch.at(st.trade_day, start)
        step_us = sch.step_seconds * 1_000_000
        close_sec = sch.step_second(st.steps) + (600 if mk == 0 else 0)
        close_us = sch.at(st.trade_day, close_sec)
        # after a lunch break, point k is stamped with its afternoon time
        stamp = ((lambda k: t0 + k * step_us) if not sch.breaks
                 else (lambda k: sch.at(st.trade_day, sch.step_second(k))))
        pts = [
            (stamp(k) if k < st.steps else close_us, st.path[k], st.vols[k], 0)
            for k in range(0, min(st.step, st.steps, st.live_from) + 1)
            if k not in st.path_skip
        ]
        pts.extend(st.extra)
        pts.sort(key=lambda p: p[0])
        return pts

    def trades(self, symbol: str, limit: int = 100) -> list[TradeInfo]:
        """Time and sales, newest first (at most ``limit``)."""
        st = self._live(symbol)
        s = st.inst.scale
        out: list[TradeInfo] = []
        cum = 0
        for t, p, q, aggr in self._prints(st):
            cum += q
            out.append(TradeInfo(from_us(t), from_units(p, s), q,
                                 Side(aggr) if aggr else None, cum))
        out.reverse()
        return out[:limit]

    def trades_since(self, symbol: str, cum_volume: int) -> list[TradeInfo]:
        """Today's prints after the first ``cum_volume`` shares traded, oldest first.

        For the realtime feed, which polls often: only the new prints become ``TradeInfo``
        (building one for every print of the day is what makes :meth:`trades` slow).
        """
        st = self._live(symbol)
        s = st.inst.scale
        out: list[TradeInfo] = []
        cum = 0
        for t, p, q, aggr in self._prints(st):
            cum += q
            if cum > cum_volume:
                out.append(TradeInfo(from_us(t), from_units(p, s), q,
                                     Side(aggr) if aggr else None, cum))
        return out

    def minute_candles(self, symbol: str, interval: int = 1) -> list[Candle]:
        """Today's ``interval``-minute bars so far, oldest first."""
        st = self._live(symbol)
        s = st.inst.scale
        bucket_us = 60_000_000 * max(1, interval)
        bars: list[list[int]] = []  # [start, o, h, l, c, v, value]
        for t, p, q, _ in self._prints(st):
            b0 = t - t % bucket_us
            if bars and bars[-1][0] == b0:
                bar = bars[-1]
                bar[2] = max(bar[2], p)
                bar[3] = min(bar[3], p)
                bar[4] = p
                bar[5] += q
                bar[6] += p * q
            else:
                bars.append([b0, p, p, p, p, q, p * q])
        return [
            Candle(from_us(b[0]), from_units(b[1], s), from_units(b[2], s), from_units(b[3], s),
                   from_units(b[4], s), b[5], from_units(b[6], s))
            for b in bars
        ]

    # ---- orders and fills -----------------------------------------------------------------
    def order(self, account: AccountKey, odno: str | int) -> OrderInfo:
        """One order of the account by number."""
        self._account(account)
        o = self.orders.get(int(odno))
        if o is None or o.acct.key != akey(account):
            raise EngineReject(RejectReason.UNKNOWN_ORDER, str(odno))
        return order_info(o)

    def open_orders(
        self, account: AccountKey, *, symbol: str | None = None, side: Side | None = None
    ) -> list[OrderInfo]:
        """Orders with open quantity (KIS 정정취소가능주문조회), oldest first."""
        self.sync_quietly()
        self._account(account)
        return [
            order_info(o) for o in self._account(account).order_log
            if o.remaining and _match_filters(o, symbol, side)
        ]

    def order_history(
        self,
        account: AccountKey,
        start: date,
        end: date,
        *,
        symbol: str | None = None,
        side: Side | None = None,
        status: str = "all",
    ) -> list[OrderInfo]:
        """Daily orders (KIS 주식일별주문체결조회): ``status`` "all", "filled" or "unfilled"."""
        self.sync_quietly()
        self._account(account)
        out = []
        for o in self._account(account).order_log:
            if not start <= o.day <= end or not _match_filters(o, symbol, side):
                continue
            if status == "filled" and not o.filled:
                continue
            if status == "unfilled" and not o.remaining:
                continue
            out.append(order_info(o))
        return out

    def fill_history(
        self,
        account: AccountKey,
        start: date,
        end: date,
        *,
        symbol: str | None = None,
        side: Side | None = None,
    ) -> list[FillInfo]:
        """Executions between two trade dates, oldest first."""
        self.sync_quietly()
        self._account(account)
        return [
            fill_info(f)
            for f in self._account(account).fill_log
            if start <= f.day <= end and _match_filters(f.order, symbol, side)
        ]

    # ---- balances -------------------------------------------------------------------------
    def _price_of(self, code: str) -> tuple[Instrument, int]:
        inst = self._inst(code)
        return inst, self._state(inst).last

    def balance(self, account: AccountKey) -> Balance:
        """Positions at market and the per-currency summary (KIS 주식잔고조회)."""
        try:
            self._sync()
            a = self._account(account)
            return self._balance(a)
        finally:
            self._commit()

    def _balance(self, a: Account) -> Balance:
        rows: list[PositionInfo] = []
        purchase = [0] * N_SLOTS
        evals = [0] * N_SLOTS
        loans = [0] * N_SLOTS
        holdings: list[tuple[str, int, int, int, object, date | None, int, int]] = []
        for p in a.positions.values():
            if p.qty:
                holdings.append((p.code, p.qty, p.sellable, p.cost, None, None, 0, p.realized))
        for lot in a.lots.values():
            holdings.append((lot.code, lot.qty, lot.sellable, lot.cost, lot.credit,
                             lot.loan_date, lot.loan, 0))
        for code, qty, sellable, cost, credit, loan_date, loan, realized in holdings:
            inst, px = self._price_of(code)
            s = inst.scale
            u = inst.mk
            ev = px * qty
            purchase[u] += cost
            evals[u] += ev
            loans[u] += loan
            avg = (from_units(cost, s) / qty).quantize(Decimal(1) / (s * 100)) if qty else 0
            rows.append(PositionInfo(
                symbol=code, name=inst.name, market=inst.market, currency=inst.currency,
                qty=qty, sellable_qty=sellable, avg_price=Decimal(avg),
                purchase_amount=from_units(cost, s), price=from_units(px, s),
                eval_amount=from_units(ev, s), eval_pnl=from_units(ev - cost, s),
                eval_pnl_rate=_rate(ev - cost, cost), realized_pnl=from_units(realized, s),
                credit_type=credit,  # type: ignore[arg-type]
                loan_date=loan_date, loan_amount=from_units(loan, s),
            ))
        summaries = []
        none = [0] * N_SLOTS
        for u, cur in enumerate(SLOT_CURRENCY):
            s = CURRENCY_SCALE[cur]
            today = self._mday[u]
            prev = self.schedules[u].calendar.previous_business_day(today)
            f_today = (a.flows.get(today, none) + none)[u]
            f_prev = (a.flows.get(prev, none) + none)[u]
            cash = a.cash[u]
            summaries.append(BalanceSummary(
                currency=cur,
                cash=from_units(cash - f_today - f_prev, s),
                cash_d1=from_units(cash - f_today, s),
                cash_d2=from_units(cash, s),
                reserved=from_units(a.reserved[u], s),
                orderable=from_units(cash - a.reserved[u], s),
                purchase_amount=from_units(purchase[u], s),
                eval_amount=from_units(evals[u], s),
                eval_pnl=from_units(evals[u] - purchase[u], s),
                total_eval=from_units(cash + evals[u] - loans[u], s),
                realized_pnl=from_units(a.realized[u], s),
                fees_paid=from_units(a.fees[u], s),
                taxes_paid=from_units(a.taxes[u], s),
                loan_amount=from_units(loans[u], s),
            ))
        return Balance(
            account=a.key,
            account_kind=a.kind.value,
            positions=tuple(rows),
            summary=tuple(summaries),
            pension_contributed=Decimal(a.contributed),
        )

    def buying_power(
        self,
        account: AccountKey,
        symbol: str,
        price: Decimal | int | str | None = None,
        order_type: OrderType | str = OrderType.LIMIT,
    ) -> BuyingPower:
        """How much an order at ``price`` could buy (KIS 매수가능조회)."""
        try:
            self._sync()
            a = self._account(account)
            inst = self._inst(symbol)
            st = self._state(inst)
            otype = OrderType(order_type)
            s = inst.scale
            if otype in PRICELESS_TYPES or price in (None, 0, "0", ""):
                px = st.upper if inst.mk == 0 and otype in PRICELESS_TYPES else st.last
            else:
                units = to_units(Decimal(str(price)), s)
                if units is None or units <= 0:
                    raise EngineReject(RejectReason.BAD_PRICE, str(price))
                px = units
            u = inst.mk
            fn, fd = self._comm[u]
            avail = a.cash[u] - a.reserved[u] - (0 if u else self._held_elsewhere(a))
            credit_qty = 0
            if a.kind.value == "cash" and inst.mk == 0 and inst.kind.value == "STOCK":
                mn, md = self._margin
                credit_qty = _max_qty(
                    avail, lambda q: -(-q * px * mn // md) + -(-q * px * fn // fd)
                )
            return BuyingPower(
                symbol=inst.code,
                price=from_units(px, s),
                currency=inst.currency,
                cash=from_units(a.cash[u], s),
                orderable_cash=from_units(avail, s),
                max_qty=max_buy_qty(avail, px, fn, fd),
                max_qty_credit=credit_qty,
            )
        finally:
            self._commit()

    def sellable_qty(self, account: AccountKey, symbol: str) -> int:
        """Shares of ``symbol`` not held by open sell orders (cash positions)."""
        self.sync_quietly()
        a = self._account(account)
        p = a.positions.get(symbol)
        return p.sellable if p else 0


def _match_filters(o: Order, symbol: str | None, side: Side | None) -> bool:
    return (symbol is None or o.inst.code == symbol) and (side is None or o.side == side)


def _max_qty(avail: int, cost: Callable[[int], int]) -> int:
    if avail <= 0 or cost(1) > avail:
        return 0
    lo, hi = 1, 2
    while cost(hi) <= avail:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if cost(mid) <= avail:
            lo = mid
        else:
            hi = mid
    return lo


def _year_before(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _slot_of(market: str) -> int:
    """Engine slot of ``"KRX"``, ``"US"`` or an overseas exchange code (``"SEHK"``, ...)."""
    from .overseas_markets import MARKET_SLOT
    from .types import Market

    m = market.upper()
    if m in ("KRX", ""):
        return 0
    if m == "US":
        return 1
    try:
        return MARKET_SLOT[Market(m)]
    except ValueError:
        raise EngineReject(RejectReason.UNKNOWN_SYMBOL, f"market {market[:8]!r}") from None
