"""ETF NAV trends: per day and per interval, ending at the NAV and price every ETF API answers.

The daily trend's past NAVs follow the NAV rule from the index's daily levels (checked against
``inquire_daily_indexchartprice`` and the fund's own daily prices); the newest day and the newest
interval are the live NAV of ``etfetn/inquire_price`` at the same instant. On a quiet market the
fund trades at its NAV, so every interval's price is within a tick of that interval's NAV.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from market_kit import Wire, wire

D = Decimal
FUNDS = {"069500": 1, "114800": -1}  # KODEX 200, KODEX 인버스 (multiples)


def _rows(body: dict[str, Any]) -> list[dict[str, str]]:
    v = body["output"]
    return v if isinstance(v, list) else [v]


async def _etf_now(kis: Wire, code: str) -> dict[str, str]:
    r = await kis.get("etfetn/inquire_price", FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=code)
    assert r.ok, r.body
    out: dict[str, str] = r.body["output"]
    return out


async def _daily(kis: Wire, code: str, start: str, end: str) -> list[dict[str, str]]:
    r = await kis.get("etfetn/nav_comparison_daily_trend", FID_COND_MRKT_DIV_CODE="J",
                      FID_INPUT_ISCD=code, FID_INPUT_DATE_1=start, FID_INPUT_DATE_2=end)
    assert r.ok, r.body
    return _rows(r.body)


async def _minutes(kis: Wire, code: str, seconds: str = "60") -> list[dict[str, str]]:
    r = await kis.get("etfetn/nav_comparison_time_trend", FID_COND_MRKT_DIV_CODE="J",
                      FID_INPUT_ISCD=code, FID_HOUR_CLS_CODE=seconds)
    assert r.ok, r.body
    return _rows(r.body)


async def _check_newest_is_live(kis: Wire, code: str) -> None:
    now = await _etf_now(kis, code)
    day = (await _daily(kis, code, "20261101", "20261123"))[0]
    minute = (await _minutes(kis, code))[0]
    assert day["stck_bsop_date"] == "20261123"
    for row in (day, minute):
        assert row["nav"] == now["nav"]
        assert row["dprt"] == now["dprt"]
        assert row["nav_prdy_vrss"] == now["nav_prdy_vrss"]
    assert day["stck_clpr"] == minute["stck_prpr"] == now["stck_prpr"]
    assert day["acml_vol"] == minute["acml_vol"] == now["acml_vol"]


async def test_newest_nav_is_the_live_nav_on_a_live_market(kis: Wire) -> None:
    for code in FUNDS:
        await _check_newest_is_live(kis, code)
    for _ in range(3):
        kis.app.sim.clock.advance(100)
        for code in FUNDS:
            await _check_newest_is_live(kis, code)


async def test_daily_navs_follow_the_index_and_the_previous_close(kis: Wire) -> None:
    r = await kis.get("domestic_stock/inquire_daily_indexchartprice", FID_COND_MRKT_DIV_CODE="U",
                      FID_INPUT_ISCD="2001", FID_INPUT_DATE_1="20261001",
                      FID_INPUT_DATE_2="20261123", FID_PERIOD_DIV_CODE="D")
    assert r.ok, r.body
    levels = {row["stck_bsop_date"]: D(row["bstp_nmix_prpr"]) for row in r.body["output2"]}
    days = sorted(d for d in levels if "20261102" <= d <= "20261120")
    assert len(days) >= 10
    for code, multiple in FUNDS.items():
        rows = await _daily(kis, code, days[0], days[-1])
        dates = [row["stck_bsop_date"] for row in rows]
        assert dates == sorted(dates, reverse=True) and dates[0] == days[-1]
        if len(rows) == 1:  # the block is one object (the newest day): ask day by day
            rows = [(await _daily(kis, code, d, d))[0] for d in days]
            assert [row["stck_bsop_date"] for row in rows] == days
        for row in rows:
            price, nav = D(row["stck_clpr"]), D(row["nav"])
            prev_close = price - D(row["prdy_vrss"])
            prev_nav = nav - D(row["nav_prdy_vrss"])
            assert prev_nav == prev_close  # the previous NAV is the previous close
            day = row["stck_bsop_date"]
            before = max(d for d in levels if d < day)
            move = (levels[day] - levels[before]) / levels[before]
            want = (prev_close * (1 + multiple * move)).quantize(D("0.01"), ROUND_HALF_UP)
            assert abs(nav - want) <= D("0.02"), (code, day, nav, want)  # levels are rounded
            assert D(row["dprt"]) == ((price - nav) * 100 / nav).quantize(D("0.01"),
                                                                          ROUND_HALF_UP)


async def test_quiet_market_intervals_trade_at_their_nav() -> None:
    async with wire(activity=0) as kis:
        kis.app.sim.clock.advance(3600)
        for code in FUNDS:
            rows = await _minutes(kis, code, "600")
            assert rows, code
            hours = [row["bsop_hour"] for row in rows]
            assert hours == sorted(hours, reverse=True)
            for row in rows:
                assert abs(D(row["stck_prpr"]) - D(row["nav"])) <= 2 * 5, (code, row)
            if 1 < len(rows) < 100:  # the whole day: the intervals add up to the day
                assert int(rows[0]["acml_vol"]) == sum(int(row["cntg_vol"]) for row in rows)
            await _check_newest_is_live(kis, code)


async def test_nav_trends_refuse_bad_requests(kis: Wire) -> None:
    for key, params in (
        ("etfetn/nav_comparison_time_trend", {"FID_COND_MRKT_DIV_CODE": "J",
                                              "FID_INPUT_ISCD": "069500",
                                              "FID_HOUR_CLS_CODE": "61"}),
        ("etfetn/nav_comparison_time_trend", {"FID_COND_MRKT_DIV_CODE": "J",
                                              "FID_INPUT_ISCD": "005930",
                                              "FID_HOUR_CLS_CODE": "60"}),
        ("etfetn/nav_comparison_daily_trend", {"FID_COND_MRKT_DIV_CODE": "J",
                                               "FID_INPUT_ISCD": "069500",
                                               "FID_INPUT_DATE_1": "20261120",
                                               "FID_INPUT_DATE_2": "20261101"}),
        ("etfetn/nav_comparison_daily_trend", {"FID_COND_MRKT_DIV_CODE": "J",
                                               "FID_INPUT_ISCD": "069500",
                                               "FID_INPUT_DATE_1": "20261340",
                                               "FID_INPUT_DATE_2": "20261101"}),
    ):
        r = await kis.get(key, **params)
        assert not r.ok, (key, params, r.body)
        assert r.body["msg_cd"] in ("OPSQ2001", "MCA05918"), r.body


async def test_index_by_interval_ends_at_the_live_index(kis: Wire) -> None:
    for step in range(2):
        kis.app.sim.clock.advance(400 * (step + 1))
        for code in ("0001", "2001", "0013"):
            now = await kis.get("domestic_stock/inquire_index_price", FID_COND_MRKT_DIV_CODE="U",
                                FID_INPUT_ISCD=code)
            assert now.ok, now.body
            r = await kis.get("domestic_stock/inquire_index_timeprice", FID_INPUT_HOUR_1="300",
                              FID_INPUT_ISCD=code, FID_COND_MRKT_DIV_CODE="U")
            assert r.ok, r.body
            rows = _rows(r.body)
            live = now.body["output"]
            assert rows[0]["bstp_nmix_prpr"] == live["bstp_nmix_prpr"]
            assert rows[0]["bstp_nmix_prdy_vrss"] == live["bstp_nmix_prdy_vrss"]
            assert rows[0]["acml_vol"] == live["acml_vol"]
            hours = [row["bsop_hour"] for row in rows]
            assert hours == sorted(hours, reverse=True)
            if len(rows) > 1:
                assert int(rows[0]["acml_vol"]) - int(rows[1]["acml_vol"]) == int(
                    rows[0]["cntg_vol"])
    r = await kis.get("domestic_stock/inquire_index_timeprice", FID_INPUT_HOUR_1="45",
                      FID_INPUT_ISCD="0001", FID_COND_MRKT_DIV_CODE="U")
    assert not r.ok and r.body["msg_cd"] == "OPSQ2001", r.body
