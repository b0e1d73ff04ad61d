"""Domestic quotations over the KIS wire: quote, book, candles paged over years, holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from handlers_wire import Kis

Q = "/uapi/domestic-stock/v1/quotations/"


async def test_quote_is_consistent_with_the_book(kis: Kis) -> None:
    r = await kis.get(Q + "inquire-price", "FHKST01010100",
                      {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"})
    assert r.ok, r.body
    out = r.body["output"]
    assert all(isinstance(v, str) for v in out.values())
    price, base = int(out["stck_prpr"]), int(out["stck_sdpr"])
    assert int(out["prdy_vrss"]) == price - base
    assert int(out["stck_llam"]) <= int(out["stck_lwpr"]) <= price <= int(out["stck_hgpr"])
    assert int(out["stck_hgpr"]) <= int(out["stck_mxpr"])
    # ±30 % of the base, on the tick grid (≥ 50,000 won: 100-won ticks)
    assert int(out["stck_mxpr"]) <= base * 13 // 10 and int(out["stck_llam"]) >= base * 7 // 10
    book = await kis.get(Q + "inquire-asking-price-exp-ccn", "FHKST01010200",
                         {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"})
    assert book.ok, book.body
    b1 = book.body["output1"]
    asks = [int(b1[f"askp{i}"]) for i in range(1, 11)]
    bids = [int(b1[f"bidp{i}"]) for i in range(1, 11)]
    assert asks == sorted(asks) and bids == sorted(bids, reverse=True)
    assert bids[0] <= price <= asks[0] and bids[0] < asks[0]
    assert int(b1["total_askp_rsqn"]) == sum(int(b1[f"askp_rsqn{i}"]) for i in range(1, 11))
    assert int(b1["total_bidp_rsqn"]) == sum(int(b1[f"bidp_rsqn{i}"]) for i in range(1, 11))
    b2 = book.body["output2"]
    assert b2["stck_prpr"] == out["stck_prpr"] and b2["antc_cnpr"] == "0"  # continuous session


async def test_unknown_symbol_is_mca05918(kis: Kis) -> None:
    for tr, path in (("FHKST01010100", "inquire-price"),
                     ("FHKST01010200", "inquire-asking-price-exp-ccn")):
        r = await kis.get(Q + path, tr, {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "999999"})
        assert r.status == 500
        assert (r.body["rt_cd"], r.body["msg_cd"], r.body["msg1"]) == (
            "1", "MCA05918", "종목코드 오류입니다.")


async def test_daily_candles_page_by_end_date_without_gap_or_repeat(kis: Kis) -> None:
    start, end = date(2024, 1, 2), date(2026, 11, 23)
    seen: list[str] = []
    d2 = end
    pages = 0
    while d2 >= start:
        r = await kis.get(Q + "inquire-daily-itemchartprice", "FHKST03010100", {
            "FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930",
            "FID_INPUT_DATE_1": start.strftime("%Y%m%d"), "FID_INPUT_DATE_2": d2.strftime("%Y%m%d"),
            "FID_PERIOD_DIV_CODE": "D", "FID_ORG_ADJ_PRC": "0",
        })
        assert r.ok, r.body
        rows = r.body["output2"]
        assert len(rows) <= 100
        if not rows:
            break
        pages += 1
        dates = [x["stck_bsop_date"] for x in rows]
        assert dates == sorted(dates, reverse=True)  # newest first
        seen.extend(dates)
        oldest = datetime.strptime(dates[-1], "%Y%m%d").date()
        d2 = oldest - timedelta(days=1)
        for x in rows:
            assert int(x["stck_lwpr"]) <= int(x["stck_clpr"]) <= int(x["stck_hgpr"])
    expected = [d.strftime("%Y%m%d") for d in kis.state.calendar.business_days(start, end)]
    assert pages >= 7
    assert len(seen) == len(set(seen))
    assert sorted(seen) == expected  # every business day exactly once


async def test_weekly_candles_join_with_daily_closes(kis: Kis) -> None:
    params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "000660",
              "FID_INPUT_DATE_1": "20260901", "FID_INPUT_DATE_2": "20261120",
              "FID_ORG_ADJ_PRC": "0"}
    weekly = await kis.get(Q + "inquire-daily-itemchartprice", "FHKST03010100",
                           params | {"FID_PERIOD_DIV_CODE": "W"})
    daily = await kis.get(Q + "inquire-daily-itemchartprice", "FHKST03010100",
                          params | {"FID_PERIOD_DIV_CODE": "D"})
    assert weekly.ok and daily.ok
    closes = {x["stck_bsop_date"]: x for x in daily.body["output2"]}
    # the newest week (16–20 Nov) closes at Friday's close and spans its days' range
    week = weekly.body["output2"][0]
    assert week["stck_bsop_date"] == "20261116"
    days = [closes[d] for d in ("20261116", "20261117", "20261118", "20261119", "20261120")]
    assert week["stck_clpr"] == days[-1]["stck_clpr"]
    assert week["stck_oprc"] == days[0]["stck_oprc"]
    assert int(week["stck_hgpr"]) == max(int(x["stck_hgpr"]) for x in days)
    assert int(week["acml_vol"]) == sum(int(x["acml_vol"]) for x in days)


async def test_minute_candles_page_back_by_hour(kis: Kis) -> None:
    seen: list[str] = []
    hour = "100000"
    while True:
        r = await kis.get(Q + "inquire-time-itemchartprice", "FHKST03010200", {
            "FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930", "FID_INPUT_HOUR_1": hour,
            "FID_PW_DATA_INCU_YN": "N", "FID_ETC_CLS_CODE": "",
        })
        assert r.ok, r.body
        rows = r.body["output2"]
        if not rows:
            break
        assert len(rows) <= 30
        times = [x["stck_cntg_hour"] for x in rows]
        seen.extend(times)
        t = datetime.strptime(times[-1], "%H%M%S") - timedelta(seconds=1)
        hour = t.strftime("%H%M%S")
    assert len(seen) == len(set(seen)) == 61  # 09:00 … 10:00
    assert seen[0] == "100000" and seen[-1] == "090000"


async def test_time_and_sales_newest_first(kis: Kis) -> None:
    r = await kis.get(Q + "inquire-ccnl", "FHKST01010300",
                      {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"})
    assert r.ok
    rows = r.body["output"]
    assert len(rows) == 30
    times = [x["stck_cntg_hour"] for x in rows]
    assert times == sorted(times, reverse=True)
    price = await kis.get(Q + "inquire-price", "FHKST01010100",
                          {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"})
    assert rows[0]["stck_prpr"] == price.body["output"]["stck_prpr"]


async def test_holidays_are_paged_with_cursors(kis: Kis) -> None:
    days: list[dict[str, str]] = []
    params = {"BASS_DT": "20261220", "CTX_AREA_FK": "", "CTX_AREA_NK": ""}
    tr_cont = ""
    for _ in range(10):
        r = await kis.get(Q + "chk-holiday", "CTCA0903R", params, tr_cont=tr_cont)
        assert r.ok
        days.extend(r.body["output"])
        if r.tr_cont != "M":
            assert r.tr_cont == "D"
            break
        params |= {"CTX_AREA_FK": r.body["ctx_area_fk"], "CTX_AREA_NK": r.body["ctx_area_nk"]}
        tr_cont = "N"
    dates = [d["bass_dt"] for d in days]
    assert len(dates) == len(set(dates)) == 60
    by = {d["bass_dt"]: d for d in days}
    assert by["20261225"]["opnd_yn"] == "N"  # Christmas
    assert by["20261231"]["opnd_yn"] == "N" and by["20261231"]["bzdy_yn"] == "Y"  # year end
    assert by["20261228"]["opnd_yn"] == "Y"
    assert by["20261220"]["wday_dvsn_cd"] == "01"  # Sunday


def test_minute_bars_of_the_trading_day_by_date() -> None:
    """``inquire_time_dailychartprice`` (what the SDK's minute candles use): the trading day's
    one-minute bars, up to 120 an answer as KIS documents (the same-day API answers 30),
    consistent OHLC; an earlier date has none in the simulator."""
    import hantoo
    from hantoo._core.inprocess import LoopThread, SyncASGITransport
    from hantoo.sim.app import SimConfig, create_app

    app = create_app(SimConfig(limits="off", clock_mode="stepped", activity=0))
    loop = LoopThread("minute-bars")
    try:
        with hantoo.Client("sim", transport=SyncASGITransport(app, loop),
                           base_url="http://minute.invalid", rate_limit=False) as c:
            app.sim.clock.advance(150 * 60)
            trade_date = app.sim.exchange.trading_day("KRX")
            params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930",
                      "FID_INPUT_HOUR_1": "235959", "FID_PW_DATA_INCU_YN": "N",
                      "FID_FAKE_TICK_INCU_YN": ""}
            today = c.call("domestic_stock/inquire_time_dailychartprice",
                           {**params, "FID_INPUT_DATE_1": trade_date})
            rows = today.rows("output2")
            assert len(rows) == 120
            same_day = c.call("domestic_stock/inquire_time_itemchartprice",
                              {k: v for k, v in params.items() if k != "FID_FAKE_TICK_INCU_YN"}
                              | {"FID_ETC_CLS_CODE": ""})
            assert len(same_day.rows("output2")) == 30
            newest = same_day.rows("output2")[0]
            assert (newest.get("stck_cntg_hour"), newest.get("stck_prpr")) == (
                rows[0].get("stck_cntg_hour"), rows[0].get("stck_prpr"))
            times = [r.get("stck_cntg_hour") for r in rows]
            assert times == sorted(times, reverse=True)
            for r in rows:
                assert r.get("stck_lwpr") <= r.get("stck_oprc") <= r.get("stck_hgpr")
                assert r.get("stck_lwpr") <= r.get("stck_prpr") <= r.get("stck_hgpr")
            before = c.call("domestic_stock/inquire_time_dailychartprice",
                            {**params, "FID_INPUT_DATE_1": "20200102"})
            assert before.rows("output2") == ()
    finally:
        loop.stop()
