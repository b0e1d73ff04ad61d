"""Listed futures and options series as data, derived from the simulator clock's date.

Products (KRX 파생상품 시장 상품명세, reduced to what the simulator trades):

==================  =======  =============  ===========================  =====================
product             code     multiplier     tick                         listed series
==================  =======  =============  ===========================  =====================
KOSPI200 futures    ``01``   250,000 KRW/pt 0.05 pt                      next 4 quarterly
                                                                         (Mar/Jun/Sep/Dec)
mini KOSPI200 fut.  ``05``   50,000 KRW/pt  0.02 pt                      next 6 monthly
KOSDAQ150 futures   ``06``   10,000 KRW/pt  0.10 pt                      next 4 quarterly
KOSPI200 options    ``01``   250,000 KRW/pt 0.01 pt below 10 pts,        next 3 monthly,
                                            0.05 pt at/above 10          ATM ± 12 strikes
KOSPI200 weeklies   ``09``   250,000 KRW/pt as monthly options           next 2 Thursdays,
                                                                         ATM ± 8 strikes
mini KOSPI200 opt.  ``05``   50,000 KRW/pt  0.01 below 3 pts, 0.02       next 2 monthly,
                                            below 10, 0.05 at/above 10   ATM ± 8 strikes
stock futures       ``11``+  10 shares      the underlying's KRX stock   next 2 quarterly
                                            tick table (approximation)
==================  =======  =============  ===========================  =====================

Expiry (최종거래일): the second Thursday of the expiry month, or the business day before it
when that Thursday is a holiday; weekly options expire on every other Thursday of the month
(same holiday rule). Strikes: 2.5-point spacing centred on the at-the-money strike of the
underlying's previous close, so the ladder is stable through a trading day.

Daily price limits are KRX's staged limits (:mod:`.limits`): index futures ±8 % of the base
price, opening to ±15 % and ±20 % when a limit is reached and held; stock futures 10/20/30 %;
options at their model value with the underlying moved by the stage. Stock-futures codes
``11``… are assigned by the simulator in order of capitalisation (KRX's per-issue product
table is not part of the KIS catalogue).
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from ..engine.ticks import krx_stock_tick
from .codes import futures_code, option_code, weekly_code

__all__ = [
    "PRODUCTS",
    "DerivInstrument",
    "Listing",
    "Product",
    "list_series",
    "monthly_expiry",
    "weekly_expiries",
]

Kind = Literal["future", "call", "put"]

KOSPI200 = "2001"
KOSDAQ150 = "3003"
STRIKE_STEP = Decimal("2.5")


@dataclass(frozen=True, slots=True)
class Product:
    """One product family (the terms every series of it shares)."""

    code: str
    name: str
    underlying: str
    """Index code (``2001``/``3003``) or a stock's 6-digit code."""
    multiplier: int
    """KRW per point (index products) or shares per contract (stock futures)."""
    scale: int
    """Price units per point: 100 (0.01-point units) for index products, 1 (won) for stocks."""
    q: float
    """Dividend yield of the underlying (futures fair value and option model)."""
    atm_vol: float
    scan_pct: int
    """Scanning range of the margin model, percent of the underlying (see :mod:`.margin`)."""
    on_stock: bool = False


PRODUCTS: dict[str, Product] = {
    p.code: p
    for p in (
        Product("01", "코스피200", KOSPI200, 250_000, 100, 0.015, 0.18, 8),
        Product("05", "미니코스피200", KOSPI200, 50_000, 100, 0.015, 0.18, 8),
        Product("06", "코스닥150", KOSDAQ150, 10_000, 100, 0.005, 0.25, 12),
        Product("09", "코스피200위클리", KOSPI200, 250_000, 100, 0.015, 0.18, 8),
    )
}


@dataclass(frozen=True, slots=True)
class FixedTick:
    """A constant tick (a class, not a closure, so a snapshot can pickle the series)."""

    units: int

    def __call__(self, _units: int) -> int:
        return self.units


def _future_tick(product: str) -> Callable[[int], int]:
    return FixedTick({"01": 5, "05": 2, "06": 10}[product])


def option_tick(units: int) -> int:
    """KOSPI200 option tick in 0.01-point units: 0.01 below 10 points, 0.05 at/above."""
    return 1 if units < 1000 else 5


def mini_option_tick(units: int) -> int:
    """Mini KOSPI200 option tick: 0.01 below 3 points, 0.02 below 10, 0.05 at/above 10."""
    return 1 if units < 300 else 2 if units < 1000 else 5


@dataclass(frozen=True, slots=True)
class DerivInstrument:
    """One listed series. Prices inside the simulator are ``int`` units (``product.scale`` per
    point); :meth:`points` and :meth:`units` convert at the boundary."""

    code: str
    name: str
    kind: Kind
    product: Product
    expiry: date
    strike: Decimal | None = None
    weekly: bool = False
    tick_of: Callable[[int], int] = field(default=option_tick, compare=False, repr=False)

    @property
    def is_option(self) -> bool:
        return self.kind != "future"

    @property
    def multiplier(self) -> int:
        return self.product.multiplier

    @property
    def scale(self) -> int:
        return self.product.scale

    def points(self, units: int) -> Decimal:
        """Units → the price as KIS shows it (points with two decimals, or won)."""
        if self.scale == 1:
            return Decimal(units)
        return (Decimal(units) / self.scale).quantize(Decimal("0.01"))

    def units(self, price: Decimal) -> int | None:
        """A price → units; ``None`` when it is finer than the unit."""
        u = price * self.scale
        if u != u.to_integral_value():
            return None
        return int(u)

    def tick(self, units: int) -> Decimal:
        return self.points(self.tick_of(units)) if self.scale != 1 else Decimal(self.tick_of(
            units))

    def notional(self, units: int, qty: int) -> int:
        """Contract value in won of ``qty`` contracts at ``units`` (exact integer)."""
        return units * qty * self.multiplier // self.scale

    @property
    def group(self) -> str:
        """The margin group: the underlying every series of it moves with."""
        return self.product.underlying

    @property
    def product_type_code(self) -> str:
        """KIS ``FUOP_ITEM_DVSN_CD``-style kind: 01 futures, 02 call, 03 put."""
        return {"future": "01", "call": "02", "put": "03"}[self.kind]


def monthly_expiry(year: int, month: int, is_business_day: Callable[[date], bool]) -> date:
    """Second Thursday of the month, moved back to a business day when it is a holiday."""
    first = date(year, month, 1)
    offset = (3 - first.weekday()) % 7  # Thursday = 3
    d = first + timedelta(days=offset + 7)
    while not is_business_day(d):
        d -= timedelta(days=1)
    return d


def weekly_expiries(year: int, month: int, is_business_day: Callable[[date], bool]
                    ) -> list[tuple[int, date]]:
    """(week number, expiry) of the weekly options of a month: every Thursday but the second."""
    out: list[tuple[int, date]] = []
    weeks = _cal.monthcalendar(year, month)
    n = 0
    for w in weeks:
        thu = w[3]
        if not thu:
            continue
        n += 1
        if n == 2:
            continue
        d = date(year, month, thu)
        while not is_business_day(d):
            d -= timedelta(days=1)
        out.append((n, d))
    return out


def _months_from(today: date, count: int, quarterly: bool,
                 is_business_day: Callable[[date], bool]) -> list[date]:
    out: list[date] = []
    y, m = today.year, today.month
    while len(out) < count:
        if not quarterly or m % 3 == 0:
            e = monthly_expiry(y, m, is_business_day)
            if e >= today:
                out.append(e)
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def _ladder(center: Decimal, n: int) -> list[Decimal]:
    atm = (center / STRIKE_STEP).quantize(Decimal(1)) * STRIKE_STEP
    return [atm + STRIKE_STEP * i for i in range(-n, n + 1) if atm + STRIKE_STEP * i > 0]


def _strike_text(k: Decimal) -> str:
    return f"{k:.1f}"


@dataclass(frozen=True, slots=True)
class Listing:
    """Every series listed on one trading day, by code."""

    day: date
    series: dict[str, DerivInstrument]

    def get(self, code: str) -> DerivInstrument | None:
        return self.series.get(code.strip().upper())

    def futures(self) -> list[DerivInstrument]:
        return [s for s in self.series.values() if s.kind == "future"]

    def options(self, expiry_month: str | None = None, *, weekly: bool | None = None,
                product: str | None = None) -> list[DerivInstrument]:
        """Options, optionally of one ``YYYYMM`` expiry month / only weeklies or monthlies /
        one product (``01`` KOSPI200, ``05`` mini)."""
        out = [s for s in self.series.values() if s.is_option]
        if product is not None:
            out = [s for s in out if s.product.code == product]
        if expiry_month:
            out = [s for s in out if f"{s.expiry:%Y%m}" == expiry_month]
        if weekly is not None:
            out = [s for s in out if s.weekly == weekly]
        return out

    def expiry_months(self) -> list[str]:
        return sorted({f"{s.expiry:%Y%m}" for s in self.series.values()
                       if s.is_option and s.product.code == "01"})


def list_series(today: date, is_business_day: Callable[[date], bool],
                prev_levels: dict[str, Decimal],
                stocks: Iterable[tuple[str, str, int]] = ()) -> Listing:
    """The listing of trading day ``today``.

    ``prev_levels``: previous closes of the underlying indices (centre the strike ladders);
    ``stocks``: (code, name, previous close) of the stock-futures underlyings, largest first.
    """
    series: dict[str, DerivInstrument] = {}

    def add(s: DerivInstrument) -> None:
        series[s.code] = s

    for pcode, count, quarterly in (("01", 4, True), ("05", 6, False), ("06", 4, True)):
        p = PRODUCTS[pcode]
        for e in _months_from(today, count, quarterly, is_business_day):
            add(DerivInstrument(futures_code(pcode, e), f"{p.name} F {e:%Y%m}", "future", p, e,
                                tick_of=_future_tick(pcode)))
    k200 = prev_levels.get(KOSPI200)
    if k200 is not None:
        p = PRODUCTS["01"]
        for e in _months_from(today, 3, False, is_business_day):
            for k in _ladder(k200, 12):
                for kind, letter in (("call", "C"), ("put", "P")):
                    add(DerivInstrument(option_code("01", kind, e, k),
                                        f"{p.name} {letter} {e:%Y%m} {_strike_text(k)}",
                                        kind, p, e, k))  # type: ignore[arg-type]
        mini = PRODUCTS["05"]
        for e in _months_from(today, 2, False, is_business_day):
            for k in _ladder(k200, 8):
                for kind, letter in (("call", "C"), ("put", "P")):
                    add(DerivInstrument(option_code("05", kind, e, k),
                                        f"{mini.name} {letter} {e:%Y%m} {_strike_text(k)}",
                                        kind, mini, e, k,  # type: ignore[arg-type]
                                        tick_of=mini_option_tick))
        w = PRODUCTS["09"]
        weeklies: list[tuple[int, date]] = []
        y, m = today.year, today.month
        while len(weeklies) < 2:
            weeklies += [(n, d) for n, d in weekly_expiries(y, m, is_business_day) if d >= today]
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        for n, e in weeklies[:2]:
            for k in _ladder(k200, 8):
                for kind, letter in (("call", "C"), ("put", "P")):
                    add(DerivInstrument(weekly_code(kind, e, n, k),
                                        f"{w.name} {letter} {e:%Y%m}W{n} {_strike_text(k)}",
                                        kind, w, e, k, weekly=True))  # type: ignore[arg-type]
    for rank, (code, name, _px) in enumerate(stocks):
        p = Product(f"{11 + rank}", name, code, 10, 1, 0.02, 0.30, 15, on_stock=True)
        for e in _months_from(today, 2, True, is_business_day):
            add(DerivInstrument(futures_code(p.code, e), f"{name} F {e:%Y%m}", "future", p, e,
                                tick_of=krx_stock_tick))
    return Listing(today, series)
