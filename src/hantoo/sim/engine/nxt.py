"""NXT (Nextrade), the second venue: its own book and hours, SOR routing, J/NX/UN views.

Since March 2025 a KRX-listed stock can also trade on Nextrade, an alternative trading system
with longer hours, all continuous trading (no call auctions):

* pre-market 08:00–08:50, main market 09:00:30–15:20, after-market 15:30–20:00 (KST); NXT pauses
  while KRX runs its opening and closing call auctions;
* price limits and tick sizes are KRX's (the same base price); NXT orders stay valid until the
  after-market ends at 20:00, then expire;
* KIS routes a domestic cash order by ``EXCG_ID_DVSN_CD``: ``KRX``, ``NXT``, or ``SOR`` — smart
  order routing to the venue with the better price (when both trade continuously), else to the
  venue that is trading;
* quote APIs take ``FID_COND_MRKT_DIV_CODE`` ``J`` (KRX), ``NX`` (NXT) or ``UN`` (unified: both
  venues' volume, the latest trade of either, the better quote of either).

Each symbol keeps an NXT book (``SymbolState.nxt``, venue :data:`~.orders.VENUE_NXT`) and NXT
day statistics (:class:`NxtStats`). The house quotes ten levels a side on NXT around the KRX
price while NXT is open, and the synthetic participants (:mod:`.participants`) trade there too —
at a quarter of their KRX rate while both venues trade, at the full rate when only NXT does.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from .orders import BUY, MARKET_BUY_PX, MARKET_SELL_PX, SELL, VENUE_NXT, Order
from .synthetic import level_quantities
from .tape import Tape
from .ticks import from_units, tick_down, tick_up
from .types import EngineReject, OrderType, Phase, RejectReason
from .views import BookLevel, BookSnapshot, Quote

if TYPE_CHECKING:
    from .config import ExchangeConfig
    from .market import SymbolState
    from .matching import Journal
    from .sessions import MarketSchedule

#: NXT sessions in KST seconds of the day: (start, end, name).
NXT_SESSIONS = (
    (8 * 3600, 8 * 3600 + 50 * 60, "pre"),
    (9 * 3600 + 30, 15 * 3600 + 20 * 60, "main"),
    (15 * 3600 + 30 * 60, 20 * 3600, "after"),
)
_KST_US = 9 * 3600 * 1_000_000
_DAY_S = 86_400

#: ``EXCG_ID_DVSN_CD`` → the engine's routing code.
ROUTES = {"KRX": 0, "NXT": 1, "SOR": 2}
#: ``FID_COND_MRKT_DIV_CODE`` values the quote views understand.
MARKET_CODES = ("J", "NX", "UN")

_LIMITS = frozenset({OrderType.LIMIT, OrderType.IOC_LIMIT, OrderType.FOK_LIMIT})
_MAIN_ONLY = frozenset({
    OrderType.MARKET, OrderType.IOC_MARKET, OrderType.FOK_MARKET, OrderType.BEST_LIMIT,
    OrderType.IOC_BEST, OrderType.FOK_BEST, OrderType.PRIORITY_LIMIT,
})
_MARKETS = frozenset({OrderType.MARKET, OrderType.IOC_MARKET, OrderType.FOK_MARKET})
_BEST = frozenset({OrderType.BEST_LIMIT, OrderType.IOC_BEST, OrderType.FOK_BEST})
_IOC = frozenset({OrderType.IOC_LIMIT, OrderType.IOC_MARKET, OrderType.IOC_BEST})
_FOK = frozenset({OrderType.FOK_LIMIT, OrderType.FOK_MARKET, OrderType.FOK_BEST})
# execution modes, as in .exchange
_CONT, _IOC_MODE, _FOK_MODE = 0, 1, 2


def nxt_session(us: int) -> str | None:
    """The NXT session (``pre``/``main``/``after``) in force at an instant, by time of day.

    Business days are checked by the caller (NXT trades on KRX business days only).
    """
    sec = (us + _KST_US) // 1_000_000 % _DAY_S
    for start, end, name in NXT_SESSIONS:
        if start <= sec < end:
            return name
    return None


class NxtStats:
    """NXT day statistics of one symbol (its own open/high/low/last, volume and tape)."""

    __slots__ = ("extra", "high", "last", "low", "open", "value", "volume")

    def __init__(self, base: int) -> None:
        self.open = self.high = self.low = 0
        self.last = base
        self.volume = 0
        self.value = 0
        self.extra = Tape()

    def record(self, t: int, px: int, qty: int, aggr: int) -> None:
        if not self.open:
            self.open = self.high = self.low = px
        elif px > self.high:
            self.high = px
        elif px < self.low:
            self.low = px
        self.last = px
        self.volume += qty
        self.value += px * qty
        self.extra.append((t, px, qty, aggr))


class NxtMixin:
    """NXT routing, liquidity and views for :class:`~.exchange.Exchange`."""

    if TYPE_CHECKING:
        config: ExchangeConfig
        schedules: tuple[MarketSchedule, ...]
        seed: int
        _now: int
        _phase: list[Phase]
        _tx: Journal | None
        _book_dirty: set[str]

        def _check_price(self, st: SymbolState, price: int) -> int: ...
        def _synth(self, st: SymbolState, venue: int, side: int, price: int, qty: int,
                   match: bool, into: list[Order]) -> None: ...
        def _cancel_synth(self, book_orders: list[Order], st: SymbolState) -> None: ...
        def _active_states(self, mk: int) -> list[SymbolState]: ...
        def _reduce(self, o: Order, qty: int, *, resting: bool = True, how: str = "user",
                    replaced: bool = False) -> None: ...

    # ---- hours ----------------------------------------------------------------------------
    def nxt_session_at(self, us: int) -> str | None:
        """The NXT session at ``us``, ``None`` when NXT is closed (nights, holidays, pauses)."""
        name = nxt_session(us)
        if name is None:
            return None
        sch = self.schedules[0]
        return name if sch.calendar.is_business_day(sch.local(us)[0]) else None

    # ---- routing --------------------------------------------------------------------------
    def _route_alt(
        self, st: SymbolState, route: int, side: int, otype: OrderType, price: int
    ) -> tuple[int, int, int, int] | None:
        """(mode, venue, book price, limit) for an NXT order, or ``None`` when SOR picks KRX."""
        session = self.nxt_session_at(self._now)
        if route == 2 and not self._sor_picks_nxt(st, side, session):  # SOR chose KRX
            return None
        if session is None:
            raise EngineReject(RejectReason.SESSION_CLOSED, "NXT is closed")
        if otype not in _LIMITS and not (otype in _MAIN_ONLY and session == "main"):
            raise EngineReject(RejectReason.UNSUPPORTED_ORDER_TYPE,
                               f"{otype.value} on NXT in its {session} session")
        mode = _IOC_MODE if otype in _IOC else _FOK_MODE if otype in _FOK else _CONT
        buy = side == BUY
        if otype in _MARKETS:
            return mode, VENUE_NXT, 0, st.upper if buy else st.lower
        if otype in _BEST or otype is OrderType.PRIORITY_LIMIT:
            same = otype is OrderType.PRIORITY_LIMIT
            book_side = (st.nxt.bids if buy else st.nxt.asks) if same else (
                st.nxt.asks if buy else st.nxt.bids)
            best = book_side.best_price()
            if best is None:
                raise EngineReject(RejectReason.NO_LIQUIDITY, "NXT book side is empty")
            return mode, VENUE_NXT, best, best
        p = self._check_price(st, price)
        return mode, VENUE_NXT, p, p

    def _sor_picks_nxt(self, st: SymbolState, side: int, session: str | None) -> bool:
        """SOR: the better price when both venues trade continuously, else whichever trades."""
        krx = self._phase[0] is Phase.CONTINUOUS
        if session is None:
            return False
        if not krx:
            return True
        if side == BUY:
            k, n = st.book.asks.best_price(), st.nxt.asks.best_price()
            return n is not None and (k is None or n < k)
        k, n = st.book.bids.best_price(), st.nxt.bids.best_price()
        return n is not None and (k is None or n > k)

    # ---- house liquidity and expiry -------------------------------------------------------
    def _nxt_ref(self, st: SymbolState) -> int:
        """Where NXT is quoted: the KRX price while KRX trades, else NXT's own last."""
        if self._phase[0] is Phase.CONTINUOUS or not st.nx.open:
            return st.last
        return st.nx.last

    def _synth_nxt(self, st: SymbolState) -> None:
        """Replace the house's NXT quotes (ten levels a side) while NXT is open."""
        if st.synth_nxt:
            self._cancel_synth(st.synth_nxt, st)
        if not self.config.synthetic_liquidity or self.nxt_session_at(self._now) is None:
            return
        ref = self._nxt_ref(st)
        q = level_quantities(self.seed, st.inst.code, st.trade_day, 20_000 + st.step,
                             max(1, st.lvl_base // 2))
        tick_of = st.inst.tick_of
        ask, bid = tick_up(ref, tick_of), ref
        for i in range(10):
            if ask > st.upper:
                break
            self._synth(st, VENUE_NXT, SELL, ask, q[10 + i], True, st.synth_nxt)
            ask = tick_up(ask, tick_of)
        for i in range(10):
            if bid < st.lower or bid <= 0:
                break
            self._synth(st, VENUE_NXT, BUY, bid, q[i], True, st.synth_nxt)
            bid = tick_down(bid, tick_of)
        self._book_dirty.add(st.inst.code)

    def _nxt_close(self) -> None:
        """20:00: the after-market ends; every NXT order still working expires."""
        for st in self._active_states(0):
            for o in [o for o in st.nxt.orders() if not o.synthetic]:
                self._reduce(o, o.remaining, how="expired")
            self._cancel_synth(st.synth_nxt, st)

    # ---- views ----------------------------------------------------------------------------
    def _venue_quote(self, st: SymbolState, q: Quote, market: str) -> Quote:
        """The KRX quote ``q`` seen from NXT (``NX``) or from both venues (``UN``)."""
        nx = st.nx
        s = st.inst.scale
        if market == "NX":
            last, opn, hi, lo = nx.last, nx.open, nx.high, nx.low
            volume, value = nx.volume, nx.value
            ask, bid = st.nxt.asks.best_price(), st.nxt.bids.best_price()
        else:
            k_t = st.extra[-1][0] if st.extra else -1
            n_t = nx.extra[-1][0] if nx.extra else -1
            last = nx.last if n_t > k_t else st.last
            opens = [(t, p) for t, p in ((st.extra[0][0] if st.extra else 1 << 62, st.open),
                                         (nx.extra[0][0] if nx.extra else 1 << 62, nx.open)) if p]
            opn = min(opens)[1] if opens else 0
            hi = max(st.high, nx.high)
            lo = min(x for x in (st.low, nx.low) if x) if (st.low or nx.low) else 0
            volume, value = st.volume + nx.volume, st.value + nx.value
            asks = [p for p in (st.book.asks.best_price(), st.nxt.asks.best_price()) if p]
            bids = [p for p in (st.book.bids.best_price(), st.nxt.bids.best_price()) if p]
            ask, bid = (min(asks) if asks else None), (max(bids) if bids else None)
        change = last - st.base
        sign = "1" if last >= st.upper else "4" if last <= st.lower else (
            "2" if change > 0 else "5" if change < 0 else "3")
        return replace(
            q, price=from_units(last, s), open=from_units(opn, s), high=from_units(hi, s),
            low=from_units(lo, s), change=from_units(change, s),
            change_rate=(Decimal(change) * 100 / st.base).quantize(Decimal("0.01")),
            change_sign=sign, volume=volume, trade_value=from_units(value, s),
            best_ask=from_units(ask, s) if ask else None,
            best_bid=from_units(bid, s) if bid else None,
            market_cap=from_units(last * st.inst.shares, s),
        )

    def _venue_book(self, st: SymbolState, snap: BookSnapshot, market: str,
                    depth: int) -> BookSnapshot:
        """The NXT book (``NX``), or both books merged level by level (``UN``)."""
        s = st.inst.scale
        if market == "NX":
            asks, bids = st.nxt.asks.depth(depth), st.nxt.bids.depth(depth)
            ta, tb = st.nxt.asks.total_qty(), st.nxt.bids.total_qty()
        else:
            asks = _merge(st.book.asks.depth(depth), st.nxt.asks.depth(depth), depth, False)
            bids = _merge(st.book.bids.depth(depth), st.nxt.bids.depth(depth), depth, True)
            ta = st.book.asks.total_qty() + st.nxt.asks.total_qty()
            tb = st.book.bids.total_qty() + st.nxt.bids.total_qty()
        return replace(
            snap,
            asks=tuple(BookLevel(from_units(p, s), q) for p, q in asks),
            bids=tuple(BookLevel(from_units(p, s), q) for p, q in bids),
            total_ask_qty=ta, total_bid_qty=tb,
            expected_price=None if market == "NX" else snap.expected_price,
            expected_qty=None if market == "NX" else snap.expected_qty,
        )


def _merge(a: list[tuple[int, int]], b: list[tuple[int, int]], depth: int,
           bids: bool) -> list[tuple[int, int]]:
    total: dict[int, int] = {}
    for p, q in (*a, *b):
        if p not in (MARKET_BUY_PX, MARKET_SELL_PX):
            total[p] = total.get(p, 0) + q
    return sorted(total.items(), reverse=bids)[:depth]


def route_code(text: str) -> int:
    """``EXCG_ID_DVSN_CD`` text → routing code (0 KRX, 1 NXT, 2 SOR); unknown → ValueError."""
    try:
        return ROUTES[text.upper()]
    except KeyError:
        raise ValueError(f"exchange must be KRX, NXT or SOR, not {text!r}") from None
