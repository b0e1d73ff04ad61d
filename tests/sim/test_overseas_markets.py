"""The Asian exchanges as data: ticks, limits, lots, lunch breaks, holidays, user files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from hantoo.sim.engine import KST, EngineReject, Exchange, ExchangeConfig, SessionClock, Universe
from hantoo.sim.engine.overseas_markets import (
    HK_SLOT,
    JP_SLOT,
    calendar_for,
    hk_tick,
    hose_tick,
    limits_for,
    tse_limits,
    tse_tick,
)
from hantoo.sim.engine.types import Market, OrderType, Phase, RejectReason, Side


def make(start: dt.datetime) -> Exchange:
    clock = SessionClock(mode="stepped", start=start)
    ex = Exchange(ExchangeConfig(clock=clock, seed=7))
    ex.open_account("12345678", "01")
    return ex


def test_tick_tables_follow_the_exchanges() -> None:
    # HKEX in thousandths of a dollar: 0.001 below 0.25, 0.2 from 200 to 500, 5 from 5,000
    assert (hk_tick(100), hk_tick(480_000), hk_tick(6_000_000)) == (1, 200, 5_000)
    assert (tse_tick(3_000), tse_tick(3_001), tse_tick(30_000), tse_tick(30_001)) == (1, 5, 10, 50)
    assert (hose_tick(9_990), hose_tick(45_000), hose_tick(62_000)) == (10, 50, 100)


def test_daily_limits_per_market() -> None:
    assert limits_for(Market.SHAA, "600519")(150_000) == (135_000, 165_000)  # ±10 %
    assert limits_for(Market.SZAA, "300750")(25_000) == (20_000, 30_000)  # ChiNext ±20 %
    assert limits_for(Market.VNSE, "VNM")(62_000) == (57_700, 66_300)  # HOSE ±7 %, on the grid
    assert tse_limits(2_800) == (2_300, 3_300)  # ¥500 band under ¥3,000
    lo, hi = limits_for(Market.SEHK, "00700")(480_000)
    assert lo == 1 and hi > 10**9  # Hong Kong has no daily limit


def test_lunch_break_pauses_trading_and_the_afternoon_resumes() -> None:
    # 12:30 HKT = 13:30 KST on a Tuesday: Hong Kong is at lunch
    ex = make(dt.datetime(2026, 11, 24, 13, 30, tzinfo=KST))
    assert ex.phase("SEHK") is Phase.BREAK
    ex.deposit(("12345678", "01"), Decimal(1_000_000), "HKD")
    q = ex.quote("00700")
    low = q.price - 2
    o = ex.place_order(("12345678", "01"), "00700", Side.BUY, OrderType.LIMIT, 100, low)
    assert o.filled_qty == 0  # waits in the book over lunch
    ex.advance(dt.timedelta(minutes=35))  # 13:05 HKT
    assert ex.phase("SEHK") is Phase.CONTINUOUS
    prints = [t.time.astimezone(dt.timezone(dt.timedelta(hours=8))) for t in ex.trades("00700")]
    assert not [t for t in prints if dt.time(12, 0) < t.time() < dt.time(13, 0)]


def test_lots_are_enforced_by_the_engine() -> None:
    ex = make(dt.datetime(2026, 11, 24, 11, 0, tzinfo=KST))
    ex.deposit(("12345678", "01"), Decimal(100_000_000), "JPY")
    with pytest.raises(EngineReject) as err:
        ex.place_order(("12345678", "01"), "7203", Side.BUY, OrderType.LIMIT, 150, 2800)
    assert err.value.reason is RejectReason.BAD_QUANTITY and "100-share lot" in str(err.value)
    with pytest.raises(EngineReject) as err2:
        ex.place_order(("12345678", "01"), "7203", Side.BUY, OrderType.MOO, 100)
    assert err2.value.reason is RejectReason.UNSUPPORTED_ORDER_TYPE  # Asia: limit only


def test_fixed_holidays_close_their_market_only() -> None:
    hk, jp = calendar_for(HK_SLOT), calendar_for(JP_SLOT)
    assert not hk.is_business_day(dt.date(2026, 7, 1)) and jp.is_business_day(dt.date(2026, 7, 1))
    assert not jp.is_business_day(dt.date(2026, 11, 23)) and hk.is_business_day(
        dt.date(2026, 11, 23))
    ex = make(dt.datetime(2026, 11, 23, 10, 0, tzinfo=KST))  # Labour Thanksgiving in Japan
    assert ex.phase("TKSE") is Phase.CLOSED and ex.phase("KRX") is Phase.CONTINUOUS


def test_a_user_file_lists_asian_issues_with_their_lots(tmp_path: Path) -> None:
    f = tmp_path / "mine.csv"
    f.write_text("code,name,market,last_price,volume,par_value,shares_outstanding,kind,lot\n"
                 "700,Tencent,SEHK,480.2,1000000,0,1,STOCK,100\n"
                 "5,HSBC,SEHK,95.05,1000000,0,1,STOCK,400\n"
                 "6758,Sony,TKSE,3502,1000000,0,1,STOCK,\n", encoding="utf-8")
    u = Universe.from_csv(f)
    assert u["00700"].currency == "HKD" and u["00700"].ref_price == 480_200
    assert u["00005"].lot == 400 and u["6758"].lot == 100  # blank: the exchange's unit
    assert u["6758"].ref_price == 3_500  # snapped to the TSE grid (¥5 above ¥3,000)
