"""ELWs on the stock engine: listed on demand, priced by the option model, quoted by the LP.

On KRX an ELW is ordered like a share — the domestic stock order APIs with the ELW's 6-digit
code — so here it *is* an instrument of the stock engine (:class:`ElwInstrument`, kind ``ELW``):
the same matching, accounts, balance, orderable amounts, order/fill queries, H0STCNI0 notices
and command journal as for stocks. Only its prices come from elsewhere:

* **Listing on demand.** ELWs are not in the universe file; the engine's universe asks
  :func:`lister` (named in :data:`~hantoo.sim.engine.universe.ON_DEMAND`) for a code it
  does not know, which answers with the ELW listed on the current trading day
  (:func:`listed_elws`). The first terms seen for a code are kept by the universe, so strikes
  and expiries never change under a position; a snapshot stores an ELW instrument with its terms
  (:meth:`ElwInstrument.__reduce__`), so a restart restores the same issue.
* **Prices.** The engine's synthetic path of an ELW (:meth:`ElwInstrument.model_path`) is the
  model value of the warrant (:func:`.elw.elw_value`) at the underlying's own synthetic path,
  point by point, with the time left at that point, on the 5-won grid; its daily bars
  (:meth:`ElwInstrument.model_bar`) are the model at the underlying's daily bars. The house
  quotes ten levels each side around that value, one tick apart — the issuer's liquidity
  provider (KRX: ELWs have an LP obliged to quote both sides). The KOSPI200 path is the index
  method of :mod:`hantoo.sim.marketdata.indices` applied to the constituents' paths.
* **Trading rules** (KRX 매매제도 for ELWs): the tick is a flat 5 won (the engine's fund grid),
  the trading unit is 10 warrants, there is no daily price limit (KRX exempts ELWs from it:
  any price from one tick up is accepted), limit orders only and no credit (refused by
  :func:`refuse_unorderable`).

Everything here is a pure function of the seed, the date and the listing, so replaying the
journal after a restart rebuilds the same prices. An expired ELW is refused for new orders
(:func:`refuse_unorderable`); its positions are exercised and paid on the payment date by
:mod:`.elw_expiry`.
"""

from __future__ import annotations

import itertools
import math
import weakref
from array import array
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ..engine.clock import KST
from ..engine.synthetic import Bar, intraday_path, rng_for
from ..engine.types import InstrumentKind, Market
from ..engine.universe import Instrument
from ..marketdata.indices import INDICES, constituents
from .elw import TICK, Elw, elw_listing, elw_value, grid
from .instruments import PRODUCTS

__all__ = ["ElwInstrument", "close_at", "hist_vol", "is_elw", "listed_elws", "lister",
           "refuse_unorderable",
           "session_close", "spot_at", "under_path", "years_at"]

EXPIRY_CLOSE = time(15, 20)
LOT = 10
"""KRX's ELW trading unit (매매수량단위 10증권)."""
UNBOUNDED = 10**12
"""The upper "limit" of an ELW: KRX applies no daily price limit to ELWs."""
LP_VOLUME = 1_000_000
"""The instrument's nominal daily volume: the engine sizes book levels from it (lvl_base)."""
LISTED_UNITS = 10_000_000
_YEAR_S = 365.0 * 86400.0
_BARS: weakref.WeakKeyDictionary[
    Any, dict[tuple[str, date], tuple[float, float, float, float, float]]] = (
    weakref.WeakKeyDictionary())
_LISTINGS: weakref.WeakKeyDictionary[Any, tuple[date, dict[str, Elw]]] = (
    weakref.WeakKeyDictionary())
_PATHS: weakref.WeakKeyDictionary[Any, dict[tuple[str, date, int], list[float]]] = (
    weakref.WeakKeyDictionary())


def _years(e: Elw, at: datetime) -> float:
    end = datetime.combine(e.expiry, EXPIRY_CLOSE, tzinfo=KST)
    return max((end - at).total_seconds(), 0.0) / _YEAR_S


def _at(d: date, second: int) -> datetime:
    return datetime.combine(d, time(), tzinfo=KST) + timedelta(seconds=second)


class ElwInstrument(Instrument):
    """An ELW as the stock engine trades it (see the module docstring)."""

    __slots__ = ("_bars", "elw")
    elw: Elw

    def __init__(self, e: Elw, ref_price: int) -> None:
        super().__init__(e.code, e.name, Market.KOSPI, max(ref_price, TICK),
                         kind=InstrumentKind.ELW, volume=LP_VOLUME, shares=LISTED_UNITS,
                         lot=LOT)
        self.elw = e
        self.limits_of = self._elw_limits
        self._bars: dict[date, tuple[Bar, int]] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        return _restored, (self.elw, self.ref_price)

    def _elw_limits(self, base: int) -> tuple[int, int]:
        return TICK, UNBOUNDED

    def value_at(self, spot: float, at: datetime) -> int:
        """The model value on the grid with the underlying at ``spot`` at instant ``at``."""
        return grid(elw_value(self.elw, spot, _years(self.elw, at)))

    def model_path(self, ex: Any, day: date, steps: int) -> tuple[array[int], array[int]]:
        """(prices, volumes) of the day's ``steps + 1`` path points (engine hook)."""
        sch = ex.schedules[self.mk]
        spots = under_path(ex, self.elw.underlying, day, steps)
        e = self.elw
        first, last = sch.step_second(0), sch.step_second(steps)
        t0 = _years(e, _at(day, first))
        t1 = _years(e, _at(day, last))
        # Time value decays by well under a tick within a session: the value at each point is
        # interpolated in time between the open's and the close's, per distinct spot (the
        # model runs once per spot level, not once per point).
        ends: dict[float, tuple[float, float]] = {}
        out = []
        for x, w in zip(spots, _weights(sch, steps), strict=True):
            v = ends.get(x)
            if v is None:
                v = ends[x] = (elw_value(e, x, t0), elw_value(e, x, t1))
            won = v[0] + (v[1] - v[0]) * w
            out.append(max(TICK, round(won / TICK) * TICK))
        prices = array("q", out)
        return prices, _volumes(ex.seed, self.code, day, steps,
                                _day_volume(ex.seed, self.code, day))

    def model_bar(self, ex: Any, d: date) -> tuple[Bar, int]:
        """(bar, base) of trading day ``d`` from the underlying's bars (engine hook)."""
        hit = self._bars.get(d)
        if hit is not None:
            return hit
        if d < self.elw.listed:  # not yet listed: the listing day's bar stands for it
            first = self.model_bar(ex, ex.schedules[self.mk].calendar.next_business_day(
                self.elw.listed - timedelta(days=1)))
            px = first[0].open
            return Bar(d, px, px, px, px, 0), px
        sch = ex.schedules[self.mk]
        o, h, lo, c, prev_close = _under_bar(ex, self.elw.underlying, d)
        start, end = sch.continuous
        t_open, t_close = _at(d, start), _at(d, end)
        prev_day = sch.calendar.previous_business_day(d)
        base = self.value_at(prev_close, _at(prev_day, end))
        vo, vc = self.value_at(o, t_open), self.value_at(c, t_close)
        a, b = self.value_at(h, t_close), self.value_at(lo, t_close)
        hi, low = max(a, b, vo, vc), min(a, b, vo, vc)
        vol = _day_volume(ex.seed, self.code, d) + 10 * (sch.steps_per_day + 1)
        out = Bar(d, vo, hi, low, vc, vol), base
        if len(self._bars) > 400:
            self._bars.clear()
        self._bars[d] = out
        return out


def _restored(e: Elw, ref_price: int) -> ElwInstrument:
    """A snapshot's ELW: the one of the universe being loaded (one object per code)."""
    inst = ElwInstrument(e, ref_price)
    from ..store import _LOADING  # the store loads snapshots; imported late (it imports us)

    universe = _LOADING.get(None)
    if universe is None:
        return inst
    got = universe.adopt(inst)
    return got if isinstance(got, ElwInstrument) else inst


_WEIGHTS: dict[tuple[int, int], list[float]] = {}


def _weights(sch: Any, steps: int) -> list[float]:
    """Each path point's share of the session's time (0 at the open, 1 at the last point)."""
    key = (id(sch), steps)
    hit = _WEIGHTS.get(key)
    if hit is None or len(hit) != steps + 1:
        first, last = sch.step_second(0), sch.step_second(steps)
        span = float(max(last - first, 1))
        hit = _WEIGHTS[key] = [(sch.step_second(k) - first) / span for k in range(steps + 1)]
    return hit


def _day_volume(seed: int, code: str, day: date) -> int:
    """Units traded on ``day`` by the retail flow against the LP (a multiple of 10)."""
    return 10 * rng_for(seed, code, day.toordinal(), "elw-day").randint(5_000, 15_000)


def _volumes(seed: int, code: str, day: date, steps: int, total: int) -> array[int]:
    """The day's volume spread over the path points: every point is a print of at least ten
    units (so the price the engine shows is always a traded one), a quarter of them larger."""
    rng = rng_for(seed, code, day.toordinal(), "elw-vol")
    weights = [(rng.getrandbits(8) + 1 if rng.getrandbits(2) == 0 else 0)
               for _ in range(steps + 1)]
    weights[0] = 0
    total_w = sum(weights) or 1
    out = array("q", (10 + total * w // total_w // 10 * 10 for w in weights))
    out[0] = 10
    return out


# ---- the underlying ---------------------------------------------------------------------
def _members(ex: Any, code: str) -> list[Instrument]:
    d = INDICES[code]
    return constituents(ex.universe, d)


def _index_fn(ex: Any, code: str) -> Callable[[list[float]], float]:
    d = INDICES[code]
    members = _members(ex, code)
    shares = [m.shares for m in members]
    den = sum(m.ref_price * m.shares for m in members)
    base = float(d.base_level)

    def level(prices: list[float]) -> float:
        num = sum(p * s for p, s in zip(prices, shares, strict=True))
        return base * num / den if den else base

    return level


def _stock_path(ex: Any, inst: Instrument, day: date, steps: int) -> array[int]:
    bar, base = ex._day_bar(inst, day)
    lower, upper = inst.limits_of(base)
    path, _vols = intraday_path(ex.seed, inst, day, bar.open, bar.close, steps, lower, upper,
                                bar.volume)
    return path


def under_path(ex: Any, code: str, day: date, steps: int) -> list[float]:
    """The underlying's synthetic path of ``day`` (index points or won), cached per exchange."""
    memo = _PATHS.setdefault(ex, {})
    key = (code, day, steps)
    hit = memo.get(key)
    if hit is not None:
        return hit
    if code in INDICES:
        paths = [_stock_path(ex, m, day, steps) for m in _members(ex, code)]
        level = _index_fn(ex, code)
        out = [round(level([float(x) for x in point]), 2) for point in zip(*paths, strict=True)]
    else:
        out = [float(x) for x in _stock_path(ex, ex.universe[code], day, steps)]
    if len(memo) > 64:
        memo.clear()
    memo[key] = out
    return out


def _under_bar(ex: Any, code: str, d: date) -> tuple[float, float, float, float, float]:
    """(open, high, low, close, previous close) of the underlying on ``d``."""
    memo = _BARS.setdefault(ex, {})
    hit = memo.get((code, d))
    if hit is None:
        if len(memo) > 4096:
            memo.clear()
        hit = memo[(code, d)] = _under_bar_of(ex, code, d)
    return hit


def _under_bar_of(ex: Any, code: str, d: date) -> tuple[float, float, float, float, float]:
    if code in INDICES:
        bars = [ex._day_bar(m, d) for m in _members(ex, code)]
        level = _index_fn(ex, code)

        def lv(pick: Callable[[tuple[Bar, int]], int]) -> float:
            return level([float(pick(b)) for b in bars])

        return (lv(lambda b: b[0].open), lv(lambda b: b[0].high), lv(lambda b: b[0].low),
                lv(lambda b: b[0].close), lv(lambda b: b[1]))
    bar, base = ex._day_bar(ex.universe[code], d)
    return float(bar.open), float(bar.high), float(bar.low), float(bar.close), float(base)


# ---- the listing ------------------------------------------------------------------------
def listed_elws(ex: Any, day: date) -> dict[str, Elw]:
    """The ELWs live on ``day``; an ELW the engine already trades keeps its first terms.

    Why a pure function of the date: it runs inside engine commands (the universe lists on
    demand), where reading live quotes would re-enter the engine."""
    from .market import market_for

    memo = _LISTINGS.get(ex)
    if memo is not None and memo[0] == day:
        live = dict(memo[1])
    else:
        live = _listing(ex, day, market_for(ex)._stock_underlyings())
        _LISTINGS[ex] = (day, live)
        live = dict(live)
    for code in live:
        inst = ex.universe.extra(code)
        if isinstance(inst, ElwInstrument):
            live[code] = inst.elw
    return live


def _listing(ex: Any, day: date, stocks: list[Any]) -> dict[str, Elw]:
    k200 = PRODUCTS["01"]
    cal = ex.schedules[0].calendar

    def ref_on(code: str, listed: date) -> Decimal | None:
        if code not in INDICES:
            return None  # a stock: its reference price
        close = _under_bar(ex, code, cal.on_or_before(listed))[3]
        return Decimal(repr(close)).quantize(Decimal("0.01"))

    prev = Decimal(repr(_under_bar(ex, "2001", day)[4])).quantize(Decimal("0.01"))
    unders = [("2001", "코스피200", prev, k200.q, k200.atm_vol)] + [
        (i.code, i.name, Decimal(i.ref_price), 0.02, 0.30) for i in stocks]
    return elw_listing(day, ex.calendar.is_business_day, unders, ref_on)


def lister(ex: Any) -> Callable[[str], Instrument | None]:
    """The on-demand lister of ``ex``'s universe (:data:`~hantoo.sim.engine.universe.ON_DEMAND`)."""
    ref = weakref.ref(ex)

    def lister(code: str) -> Instrument | None:
        if len(code) != 6 or code[0] != "5" or not code.isdigit():
            return None
        exchange = ref()
        if exchange is None:
            return None
        from .market import market_for

        day = market_for(exchange).trade_day()
        e = listed_elws(exchange, day).get(code)
        if e is None:
            return None
        inst = ElwInstrument(e, TICK)
        _bar, base = inst.model_bar(exchange, day)
        inst.ref_price = max(base, TICK)
        # The engine's snapshot keeps every ELW it listed (an instrument pickles with its
        # terms): an ELW held past its last trading day is no longer listed, and without this
        # a restart would lose the issue its position and payment need.
        exchange.__dict__.setdefault("_elw_listed", {})[code] = inst
        return inst

    return lister


def is_elw(ex: Any, code: str) -> bool:
    return isinstance(ex.universe.get(code), ElwInstrument)


def refuse_unorderable(ex: Any, code: str, *, limit: bool = True, credit: bool = False
                       ) -> tuple[str, str] | None:
    """``(msg_cd, why)`` when an order for ELW ``code`` cannot be accepted (``None``: it can,
    or ``code`` is not an ELW). KRX trades ELWs by limit order only and not on credit; an ELW
    past its last trading day is delisted (it stays in the universe for its positions)."""
    inst = ex.universe.get(code)
    if not isinstance(inst, ElwInstrument):
        return None
    from .market import market_for

    day = market_for(ex).trade_day()
    if inst.elw.expiry < day:
        return ("APBK1681", f"거래정지 종목입니다. (PDNO={code}: an ELW past its last trading "
                            f"day, {inst.elw.expiry:%Y-%m-%d}; see elw/expiration_stocks)")
    if not limit:
        return ("APBK0506", f"주문구분이 올바르지 않습니다. (PDNO={code}: ELWs trade by limit "
                            "order only, ORD_DVSN=00)")
    if credit:
        return ("APBK0506", f"신용거래 불가 종목입니다. (PDNO={code}: ELWs cannot be bought on "
                            "credit; use order-cash)")
    return None


# ---- history: the underlying at past instants (the ELW trend APIs) -----------------------
def spot_at(ex: Any, e: Elw, at: datetime) -> float:
    """The underlying's level at instant ``at`` of its trading day: its synthetic path point
    (what the ELW's own path was priced from)."""
    sch = ex.schedules[0]
    steps = sch.steps_per_day
    sec = at.hour * 3600 + at.minute * 60 + at.second
    k = min(max((sec - sch.continuous[0]) // sch.step_seconds, 0), steps)
    return float(under_path(ex, e.underlying, at.date(), steps)[k])


def close_at(ex: Any, e: Elw, d: date) -> float:
    """The underlying's close on business day ``d``."""
    return _under_bar(ex, e.underlying, d)[3]


def years_at(e: Elw, at: datetime) -> float:
    """Years from ``at`` to the ELW's expiry (its last trading day's 15:20)."""
    return _years(e, at)


def session_close(ex: Any, d: date) -> datetime:
    """The end of the continuous session of ``d`` (the instant a daily row is valued at)."""
    return _at(d, ex.schedules[0].continuous[1])


def hist_vol(ex: Any, underlying: str, d: date, days: int) -> float:
    """Annualised historical volatility (percent) of the underlying over the ``days`` business
    days ending on ``d`` (close to close log returns, 252 days a year)."""
    cal = ex.schedules[0].calendar
    closes = [_under_bar(ex, underlying, d)[3]]
    day = d
    for _ in range(days):
        day = cal.previous_business_day(day)
        closes.append(_under_bar(ex, underlying, day)[3])
    rets = [math.log(a / b) for a, b in itertools.pairwise(closes) if a > 0 and b > 0]
    if len(rets) < 2:
        return 0.0
    mean = sum(rets) / len(rets)
    var = sum((r - mean) ** 2 for r in rets) / (len(rets) - 1)
    return math.sqrt(var * 252.0) * 100.0
