"""Synthetic market participants: the crowd that makes the simulated market trade by itself.

Without them the simulator's market only moves along the seeded intraday path (one phantom print
every step) and trades only when users trade. With ``ExchangeConfig.activity > 0`` three kinds of
participant trade through the *same* matching engine as users, in the continuous session of
every symbol someone trades, watches or quotes:

* **market makers** (institutions) keep the ten-level book each side: after a tick in which a
  level was taken out they re-quote around the last price, drawn one tick a time towards the
  seeded path, so the day still ends near the history's close;
* **noise traders** (mostly individuals, some foreign and institutional) send small marketable
  orders of either side at the best opposite price, sometimes one tick through;
* **momentum traders** (program and foreign) buy after a rise and sell after a fall, larger, up to
  two ticks through the book, so prices trend and revert.

Whatever they trade is a real trade: it moves the last price, the day's statistics, the tape,
minute candles, the realtime feed and the REST quotes, and it fills users' resting orders exactly
as another user's order would. Participants act only through the house account (like the
existing synthetic liquidity), never through users' accounts, so cash and shares stay conserved.

Determinism: participants act on a fixed grid of simulated time (:data:`TICK_US`), drawing from
one ``random.Random`` per symbol and trading day seeded from the exchange seed, so the same seed
and the same clock steps give the same trades. After a long jump of the clock only the last
:data:`CATCH_UP_US` are simulated (the earlier part of the gap keeps the seeded path's prints),
which keeps a clock jump cheap.

Cost: one draw per symbol per tick when nothing happens; a trade and a re-quote (twenty orders)
when something does. Participants run when the clock advances, never inside a user's command
beyond bringing the market up to *now*.
"""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING

from .nxt import nxt_session
from .orders import BUY, SELL, VENUE_FIXED, VENUE_MAIN, VENUE_NXT, Order
from .synthetic import hash64
from .ticks import tick_down, tick_up
from .types import InstrumentKind, Investor, OrderType, Phase

if TYPE_CHECKING:
    from .accounts import Account
    from .baskets import Basket
    from .book import OrderBook
    from .config import ExchangeConfig
    from .market import SymbolState

#: Participants act every 200 ms of simulated time.
TICK_US = 200_000
#: At most this much simulated time of participant activity is replayed after a clock jump.
CATCH_UP_US = 20_000_000
#: Momentum traders compare the last price with the price this many ticks ago (5 s).
_MOMENTUM_TICKS = 25
#: Expected arrivals per tick of a liquid symbol at activity 1, in thousandths (4 a second).
_ARRIVALS_MILLI = 800

_LEVELS = 10
_LIMIT = OrderType.LIMIT
_CONTINUOUS = Phase.CONTINUOUS
_NOISE_INVESTORS = (
    Investor.INDIVIDUAL, Investor.INDIVIDUAL, Investor.INDIVIDUAL, Investor.INDIVIDUAL,
    Investor.INDIVIDUAL, Investor.FOREIGN, Investor.INSTITUTION, Investor.OTHER,
)
_MOMENTUM_INVESTORS = (Investor.PROGRAM, Investor.FOREIGN)


class ParticipantRng(random.Random):
    """The participants' random stream of one symbol and day (an engine class, so a state
    snapshot may pickle it; ``hantoo.sim.store`` unpickles only the simulator's own classes)."""


def arrivals_milli(activity: float) -> int:
    """Expected participant arrivals per tick for a liquid symbol, in thousandths."""
    if isinstance(activity, bool) or not isinstance(activity, int | float):
        raise ValueError(f"activity must be a number from 0 to 100, not {activity!r}")
    if not 0 <= activity <= 100:
        raise ValueError(f"activity must be from 0 (quiet) to 100, not {activity}")
    return round(activity * _ARRIVALS_MILLI)


def _liquidity_share(volume: int, price: int) -> int:
    """Share (thousandths) of the liquid arrival rate a symbol gets, by its daily turnover."""
    turnover = volume * price
    if turnover >= 20_000_000_000:  # ≥ 20 bn won a day: a liquid issue
        return 1_000
    if turnover >= 2_000_000_000:
        return 500
    return 200


class ParticipantsMixin:
    """Participant ticks for :class:`~.exchange.Exchange` (see the module docstring)."""

    if TYPE_CHECKING:
        config: ExchangeConfig
        house: Account
        seed: int
        _now: int
        _phase: list[Phase]
        _active: tuple[set[str], ...]
        _epoch: list[int]
        _book_dirty: set[str]
        _premarket: bool
        _baskets: dict[str, Basket]

        def _active_states(self, mk: int) -> list[SymbolState]: ...
        def _catch_up(self, st: SymbolState, mk: int) -> None: ...
        def _cancel_synth(self, book_orders: list[Order], st: SymbolState) -> None: ...
        def _synth_levels(self, st: SymbolState, ref: int, *, match: bool) -> None: ...
        def _match(self, st: SymbolState, book: OrderBook, o: Order, limit: int) -> None: ...
        def _live(self, symbol: str) -> SymbolState: ...
        def _rest(self, book: OrderBook, o: Order) -> None: ...
        def nxt_session_at(self, us: int) -> str | None: ...
        def _synth_nxt(self, st: SymbolState) -> None: ...

    def _pt_setup(self, now: int) -> None:
        """Read the activity option; the first tick is the first grid point after ``now``."""
        cfg = self.config
        self._pt_milli = arrivals_milli(cfg.activity)
        self._pt_on = self._pt_milli > 0 and cfg.synthetic_liquidity
        self._pt_next = (now // TICK_US + 1) * TICK_US
        self._pt_floor = 0

    def _pt_following(self) -> bool:
        """True while a journal is replayed: gaps are skipped only where the journal says so."""
        return False

    def _pt_note(self, op: str, args: list[int | str]) -> None:
        """A market event caused by a *read* (a symbol going live, a skipped gap): the journaled
        exchange (``hantoo.sim.durable``) records it so that replay rebuilds the same tape."""

    def _pt_watch(self, st: SymbolState) -> None:
        """Someone looks at a KRX symbol: it becomes live (participants trade it from now)."""
        if not st.active and st.inst.mk == 0:
            st.active = True
            self._active[0].add(st.inst.code)
            self._pt_note("watch", [st.inst.code])

    def _participate(self, until: int) -> None:
        """Run every participant tick at or before ``until`` (epoch microseconds)."""
        t = self._pt_next
        if t > until:
            return
        floor = self._pt_floor
        if t < floor:
            skip_to = -(-floor // TICK_US) * TICK_US
            self._pt_note("ptskip", [t, skip_to])
            t = skip_to
        krx = self._phase[0] is _CONTINUOUS
        if not self._active[0] or not (krx or self.nxt_session_at(t) or self.nxt_session_at(until)):
            self._pt_next = (until // TICK_US + 1) * TICK_US
            return
        states = self._active_states(0)
        tick = self._pt_tick
        while t <= until:
            self._now = t
            momentum = t % (TICK_US * _MOMENTUM_TICKS) == 0
            nxt = nxt_session(t) is not None  # a business day: KRX's phase or the check above
            for st in states:
                tick(st, momentum, krx, nxt)
            t += TICK_US
        self._pt_next = t

    def _pt_start(self, st: SymbolState) -> ParticipantRng:
        """First tick of a symbol on its trading day: its random stream and arrival rate."""
        if st.epoch != self._epoch[0]:
            self._catch_up(st, 0)
        rng = ParticipantRng(
            hash64(self.seed, st.inst.code, st.trade_day.toordinal(), "participants"))
        st.pt_rng = rng
        st.pt_lam = self._pt_milli * _liquidity_share(st.inst.volume, st.inst.ref_price) // 1_000
        # Path points up to here stay the story of the day before anyone watched; from now on
        # the participants' trades are the prints.
        st.live_from = max(st.step, 0)
        st.mom_ref = st.last
        return rng

    def _pt_tick(self, st: SymbolState, momentum: bool, krx: bool, nxt: bool) -> None:
        """One tick of one symbol: draw the arrivals, let them trade, re-quote if they did.

        ``krx``/``nxt``: which venues trade continuously now. NXT gets a quarter of the
        arrivals while KRX trades too, all of them when it trades alone.
        """
        rng = st.pt_rng or self._pt_start(st)
        lam = st.pt_lam
        if krx:
            n = lam // 1_000
            if rng.getrandbits(10) * 1_000 < (lam % 1_000) * 1_024:
                n += 1
            if n:
                volume = st.volume
                book = st.book
                for _ in range(n):
                    self._pt_arrival(st, book, rng.getrandbits(20), VENUE_MAIN)
                # Market makers re-quote once a level was taken out (partial fills leave the
                # quotes alone: a re-quote is the costliest thing participants do).
                if st.volume != volume and (len(book.asks.keys) < _LEVELS
                                            or len(book.bids.keys) < _LEVELS):
                    self._mm_requote(st)
        if nxt:
            lam_n = lam // 4 if krx else lam
            n = lam_n // 1_000
            if rng.getrandbits(10) * 1_000 < (lam_n % 1_000) * 1_024:
                n += 1
            if n:
                nx = st.nx
                volume = nx.volume
                book = st.nxt
                for _ in range(n):
                    self._pt_arrival(st, book, rng.getrandbits(20), VENUE_NXT)
                if nx.volume != volume and (len(book.asks.keys) < _LEVELS
                                            or len(book.bids.keys) < _LEVELS):
                    self._synth_nxt(st)
        if momentum:
            st.mom_ref = st.last

    def _pt_arrival(self, st: SymbolState, book: OrderBook, r: int, venue: int) -> None:
        """One participant order from 20 random bits: kind, side, size, investor, aggression."""
        tick_of = st.inst.tick_of
        if r & 15 < 12:  # noise trader
            side = BUY if r >> 4 & 1 else SELL
            qty = max(1, st.lvl_base * (1 + (r >> 5 & 7)) // 4)
            investor = _NOISE_INVESTORS[r >> 8 & 7]
            through = 1 if r >> 11 & 3 == 0 else 0
        else:  # momentum trader
            ref, last = st.mom_ref, st.last
            if last == ref:
                return
            side = BUY if last > ref else SELL
            qty = st.lvl_base * (2 + (r >> 5 & 7))
            investor = _MOMENTUM_INVESTORS[r >> 8 & 1]
            through = 2
        opp = book.asks if side == BUY else book.bids
        best = opp.best_price()
        if best is None:
            return
        limit = best
        for _ in range(through):
            limit = tick_up(limit, tick_of) if side == BUY else tick_down(limit, tick_of)
        limit = min(max(limit, st.lower), st.upper)
        o = Order(0, self.house, st.inst, side, _LIMIT, limit, qty, self._now, st.trade_day,
                  venue=venue, synthetic=True)
        o.investor = investor
        self._match(st, book, o, limit)  # what is left of a participant's order is dropped

    def _pt_offhours(self, st: SymbolState, venue: int) -> None:
        """KRX's off-hours sessions: participants cross at the session's single price.

        ``VENUE_FIXED`` (pre-market at the previous close, post-market at the close; called
        each minute) trades at once; ``VENUE_AFTER`` (after-hours single price; called just
        before each 10-minute auction) adds buy/sell pairs within ±2 ticks of the close that
        the auction uncrosses. What a user's better order does not take is withdrawn at the
        next refresh of the house's liquidity.
        """
        rng = st.pt_rng or self._pt_start(st)
        r = rng.getrandbits(20)
        pairs = (st.pt_lam * 2 + (r & 1_023)) // 1_024
        if venue == VENUE_FIXED:
            book = st.fixed
            price = st.base if self._premarket else st.close_px
        else:
            book = st.after
            lo, hi = st.after_band()
            price = st.close_px or st.last
            tick_of = st.inst.tick_of
            for _ in range(r >> 10 & 1):
                price = tick_up(price, tick_of) if r >> 11 & 1 else tick_down(price, tick_of)
            price = min(max(price, lo), hi)
        if price <= 0:
            return
        for i in range(pairs):
            qty = max(1, st.lvl_base * (1 + (r >> (12 + 2 * i) & 3)) // 2)
            investor = _NOISE_INVESTORS[r >> (16 + i) & 7]
            for side in (SELL, BUY):
                o = Order(0, self.house, st.inst, side, _LIMIT, price, qty, self._now,
                          st.trade_day, venue=venue, synthetic=True)
                o.investor = investor
                if venue == VENUE_FIXED and side == BUY:
                    self._match(st, book, o, price)
                if o.remaining:
                    self._rest(book, o)
                    st.synth_aux.append(o)
        self._book_dirty.add(st.inst.code)

    def _mm_ref(self, st: SymbolState) -> int:
        """Where market makers centre their quotes: the last price, one tick towards the path."""
        target = st.path[max(st.step, 0)]
        if st.inst.code in self._baskets:  # a fund: arbitrage quotes it at its basket's NAV
            return min(max(target, st.lower), st.upper)
        if st.inst.kind is InstrumentKind.ELW:  # the issuer's LP quotes the model value
            return min(max(target, st.lower), st.upper)
        ref = st.last
        if ref < target:
            ref = tick_up(ref, st.inst.tick_of)
        elif ref > target:
            ref = tick_down(ref, st.inst.tick_of)
        return min(max(ref, st.lower), st.upper)

    def _mm_requote(self, st: SymbolState) -> None:
        """Market makers replace their ten levels a side after the book traded."""
        self._cancel_synth(st.synth, st)
        self._synth_levels(st, self._mm_ref(st), match=True)
        self._book_dirty.add(st.inst.code)  # only read when a listener wants events

    def investor_flows(self, symbol: str) -> dict[Investor, tuple[int, int]]:
        """Today's traded quantity of ``symbol`` by investor type: ``{type: (bought, sold)}``."""
        st = self._live(symbol)
        flows = st.flows
        return {inv: (flows[inv] + flows[20 + inv], flows[5 + inv] + flows[25 + inv])
                for inv in Investor}

    def investor_trades(self, symbol: str, venue: int = VENUE_MAIN
                        ) -> tuple[date, dict[Investor, tuple[int, int, int, int]]]:
        """(trading day, ``{type: (bought qty, sold qty, bought value, sold value)}``) of the
        trades of ``symbol`` on one venue (``VENUE_MAIN`` KRX, ``VENUE_NXT``) that day: what the
        market-data flows (``hantoo.sim.marketdata.flows``) attribute by investor."""
        st = self._live(symbol)
        f = st.flows
        o = 20 if venue == VENUE_NXT else 0
        return st.trade_day, {inv: (f[o + inv], f[o + 5 + inv], f[o + 10 + inv], f[o + 15 + inv])
                              for inv in Investor}
