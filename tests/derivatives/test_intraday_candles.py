"""Issue 14: futures/options intraday candles (``inquire_time_fuopchartprice``) come from the
series' tape of trades: bars add up to the day's volume and value, the last bar closes at the
live price, today's daily candle has the same open/high/low, the cut-off hour and the empty
bars (허봉) behave as asked, the night session's bars span two calendar dates, and malformed
input is refused naming the field."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from hantoo.errors import HantooError
from hantoo.futures_options import FuturesOptions

sys.path.insert(0, str(Path(__file__).parents[1] / "workflows"))
from simkit import START, private_sim

FRONT = "A01612"
MULT = 250_000


def _bars(api: Any, day: date, hour: str, *, seconds: str = "60", fake: str = "N") -> Any:
    return api.inquire_time_fuopchartprice(
        fid_cond_mrkt_div_code="F", fid_input_iscd=FRONT, fid_hour_cls_code=seconds,
        fid_pw_data_incu_yn="N", fid_fake_tick_incu_yn=fake, fid_input_date_1=day,
        fid_input_hour_1=hour)


def _trade(fo: FuturesOptions, side: str, qty: int) -> None:
    bids, asks = fo.order_book(FRONT)
    fo.place_order(FRONT, side, qty, asks[0][0] if side == "buy" else bids[0][0])


def test_bars_agree_with_the_quote_and_the_daily_candle() -> None:
    assert START.hour == 10 and START.minute == 0
    with private_sim() as sim, sim.client() as c:
        fo = FuturesOptions(c)
        api = c.domestic_futureoption
        _trade(fo, "buy", 2)  # 10:00:00
        sim.advance(90)
        _trade(fo, "buy", 1)  # 10:01:30
        _trade(fo, "sell", 1)
        sim.advance(200)
        _trade(fo, "buy", 3)  # 10:04:50
        day = START.date()
        chart = _bars(api, day, "235959")
        fills = [r for r in fo.orders(day) if r.tot_ccld_qty]
        q = fo.quote(FRONT)
        daily = api.inquire_daily_fuopchartprice(
            fid_cond_mrkt_div_code="F", fid_input_iscd=FRONT, fid_input_date_1=day,
            fid_input_date_2=day, fid_period_div_code="D").output2[0]
        cut = _bars(api, day, "100100")
        flat = _bars(api, day, "100600", fake="Y")  # 10:06 is still ahead of the clock
        sim.advance(100)  # 10:06:30
        flat_later = _bars(api, day, "100600", fake="Y")
        wide = _bars(api, day, "235959", seconds="300")
    bars = chart.output2
    assert [b.stck_cntg_hour.strftime("%H%M%S") for b in bars] == ["100400", "100100", "100000"]
    assert [b.cntg_vol for b in bars] == [3, 2, 2]  # newest first
    assert {b.stck_bsop_date for b in bars} == {day}
    head = chart.output1[0]
    assert sum(b.cntg_vol for b in bars) == head.acml_vol == q.volume == 7
    assert bars[0].futs_prpr == head.futs_prpr == q.price  # the last bar closes at the price
    value = sum(r.tot_ccld_qty * r.avg_idx * MULT for r in fills)
    assert bars[0].acml_tr_pbmn == head.acml_tr_pbmn == value.to_integral_value()
    # today's daily candle is the tape's
    assert daily.futs_oprc == bars[-1].futs_oprc
    assert daily.futs_hgpr == max(b.futs_hgpr for b in bars)
    assert daily.futs_lwpr == min(b.futs_lwpr for b in bars)
    assert daily.futs_prpr == q.price
    for b in bars:
        assert b.futs_lwpr <= min(b.futs_oprc, b.futs_prpr) <= max(b.futs_oprc, b.futs_prpr) \
            <= b.futs_hgpr
    # bars that start after the asked hour are left out
    assert [b.stck_cntg_hour.strftime("%H%M") for b in cut.output2] == ["1001", "1000"]
    # 허봉: one bar a minute up to the asked time (never past the clock), empty ones flat at
    # the previous close
    assert flat.output2[0].stck_cntg_hour.strftime("%H%M") == "1004"
    fb = list(reversed(flat_later.output2))
    assert [b.stck_cntg_hour.strftime("%H%M") for b in fb] == [
        "1000", "1001", "1002", "1003", "1004", "1005", "1006"]
    assert [b.cntg_vol for b in fb] == [2, 2, 0, 0, 3, 0, 0]
    assert fb[2].futs_oprc == fb[2].futs_hgpr == fb[2].futs_lwpr == fb[1].futs_prpr
    assert fb[-1].futs_prpr == q.price and fb[-1].acml_tr_pbmn == bars[0].acml_tr_pbmn
    # five-minute bars: the same trades in one bucket
    assert [(b.stck_cntg_hour.strftime("%H%M"), b.cntg_vol) for b in wide.output2] == [
        ("1000", 7)]


def test_night_bars_span_two_calendar_dates() -> None:
    with private_sim(clock_start=START.replace(hour=23, minute=59)) as sim, sim.client() as c:
        fo = FuturesOptions(c)
        api = c.domestic_futureoption
        _, asks = fo.order_book(FRONT)
        fo.place_order(FRONT, "buy", 1, asks[0][0], session="night")  # Monday 23:59
        sim.advance(120)
        _, asks = fo.order_book(FRONT)
        fo.place_order(FRONT, "buy", 2, asks[0][0], session="night")  # Tuesday 00:01
        tuesday = START.date() + timedelta(days=1)
        bars = _bars(api, tuesday, "010000").output2
        monday = _bars(api, START.date(), "235959").output2
    assert [(b.stck_bsop_date, b.stck_cntg_hour.strftime("%H%M"), b.cntg_vol) for b in bars] == [
        (tuesday, "0001", 2), (START.date(), "2359", 1)]
    assert [b.cntg_vol for b in monday] == [1]  # asked up to Monday 23:59:59


@pytest.mark.parametrize(("field", "value", "named"), [
    ("seconds", "7", "FID_HOUR_CLS_CODE"),
    ("seconds", "abc", "FID_HOUR_CLS_CODE"),
    ("hour", "25xx00", "FID_INPUT_HOUR_1"),
    ("day", "2026-13-01", "FID_INPUT_DATE_1"),
    ("fake", "Q", "FID_FAKE_TICK_INCU_YN"),
])
def test_malformed_input_is_refused_naming_the_field(field: str, value: str, named: str) -> None:
    args: dict[str, Any] = {"seconds": "60", "hour": "100000", "day": "20261123", "fake": "N"}
    args[field] = value
    # (a malformed date or hour the SDK already refuses before sending; the rest the simulator)
    with private_sim() as sim, sim.client() as c, \
            pytest.raises((HantooError, ValueError)) as exc:
        c.domestic_futureoption.inquire_time_fuopchartprice(
            fid_cond_mrkt_div_code="F", fid_input_iscd=FRONT,
            fid_hour_cls_code=args["seconds"], fid_pw_data_incu_yn="N",
            fid_fake_tick_incu_yn=args["fake"], fid_input_date_1=args["day"],
            fid_input_hour_1=args["hour"])
    assert named.lower() in str(exc.value).lower()


def test_an_unknown_series_is_refused() -> None:
    with private_sim() as sim, sim.client() as c, pytest.raises(HantooError) as exc:
        c.domestic_futureoption.inquire_time_fuopchartprice(
            fid_cond_mrkt_div_code="F", fid_input_iscd="ZZZZZZ", fid_hour_cls_code="60",
            fid_pw_data_incu_yn="N", fid_fake_tick_incu_yn="N", fid_input_date_1="20261123",
            fid_input_hour_1="100000")
    assert "MCA05918" in str(exc.value)
