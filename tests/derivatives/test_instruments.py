"""The listing as KRX lists it: codes, expiry calendar, strike ladders, multipliers, ticks."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from hantoo.sim.derivatives.codes import futures_code, option_code, year_code
from hantoo.sim.derivatives.instruments import (
    list_series,
    monthly_expiry,
    option_tick,
    weekly_expiries,
)
from hantoo.sim.engine.calendar import TradingCalendar

CAL = TradingCalendar()


def test_codes_follow_the_documented_format() -> None:
    # KIS's order API documents A01603 (KOSPI200 futures Mar 2026) and B01603955
    assert futures_code("01", date(2026, 3, 12)) == "A01603"
    assert option_code("01", "call", date(2026, 3, 12), Decimal("955")) == "B01603955"
    assert option_code("01", "put", date(2026, 3, 12), Decimal("357.5")) == "C01603357"
    # the earlier layout (digits 1/2/3, year letters): 101W09 = Sep 2025, 201T10340 = Oct 2023
    assert futures_code("01", date(2025, 9, 11)) == "101W09"
    assert option_code("01", "call", date(2023, 10, 12), Decimal("340")) == "201T10340"
    assert year_code(1996) == year_code(2026) == "6"


@pytest.mark.parametrize("year", [2026, 2027])
def test_monthly_expiry_is_the_second_thursday_or_the_business_day_before(year: int) -> None:
    for month in range(1, 13):
        e = monthly_expiry(year, month, CAL.is_business_day)
        first = date(year, month, 1)
        second_thu = first + timedelta(days=(3 - first.weekday()) % 7 + 7)
        assert e <= second_thu and CAL.is_business_day(e)
        assert all(not CAL.is_business_day(d) for d in
                   (e + timedelta(days=i) for i in range(1, (second_thu - e).days + 1)))


def test_weeklies_skip_the_monthly_expiry() -> None:
    weeks = weekly_expiries(2026, 12, CAL.is_business_day)
    monthly = monthly_expiry(2026, 12, CAL.is_business_day)
    assert monthly not in [d for _, d in weeks]
    assert [n for n, _ in weeks] == [1, 3, 4, 5]


def test_listing_products_ladders_and_terms() -> None:
    day = date(2026, 11, 23)
    listing = list_series(day, CAL.is_business_day, {"2001": Decimal("331.20")},
                          [("005930", "삼성전자", 70_000)])
    k200 = [f for f in listing.futures() if f.product.code == "01"]
    assert [f.expiry.month for f in k200] == [12, 3, 6, 9]  # quarterly
    assert all(f.multiplier == 250_000 and f.tick_of(33_000) == 5 for f in k200)
    mini = [f for f in listing.futures() if f.product.code == "05"]
    assert len(mini) == 6 and mini[0].multiplier == 50_000
    k150 = [f for f in listing.futures() if f.product.code == "06"]
    assert k150 and k150[0].multiplier == 10_000
    stock = [f for f in listing.futures() if f.product.on_stock]
    assert stock and stock[0].product.underlying == "005930" and stock[0].multiplier == 10
    calls = [o for o in listing.options("202612", weekly=False, product="01")
             if o.kind == "call"]
    strikes = sorted(o.strike for o in calls if o.strike is not None)
    assert all(b - a == Decimal("2.5") for a, b in itertools.pairwise(strikes))
    assert Decimal("330.0") in strikes and len(strikes) == 25
    assert listing.options(weekly=True)
    minis = listing.options("202612", product="05")
    assert minis and all(o.multiplier == 50_000 and o.code.startswith(("B05", "C05"))
                         for o in minis)
    assert [minis[0].tick_of(u) for u in (299, 300, 999, 1000)] == [1, 2, 2, 5]
    assert option_tick(999) == 1 and option_tick(1000) == 5  # 0.01 below 10 pts, 0.05 above
    for s in listing.series.values():
        assert listing.get(s.code) is s and s.expiry >= day
