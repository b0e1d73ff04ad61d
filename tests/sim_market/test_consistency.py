"""One market, many APIs: the numbers the simulator answers agree with each other.

On a live simulated market (stepped clock, moved on between checks so prices change): rankings
list real issues whose prices are their quotes; an index's level and change follow from its
constituents' quotes; an ETF has one price on every API and its NAV follows its index; daily
candles end at the current price; PER is price over EPS.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from market_kit import Wire

from hantoo.sim.marketdata.indices import INDICES, constituents

D = Decimal
CENT = D("0.01")


async def _price(kis: Wire, code: str) -> dict[str, str]:
    r = await kis.get("domestic_stock/inquire_price", FID_COND_MRKT_DIV_CODE="J",
                      FID_INPUT_ISCD=code)
    assert r.ok, r.body
    out: dict[str, str] = r.body["output"]
    return out


RANK = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "0000", "FID_DIV_CLS_CODE": "0",
        "FID_TRGT_CLS_CODE": "0", "FID_TRGT_EXLS_CLS_CODE": "0", "FID_INPUT_PRICE_1": "",
        "FID_INPUT_PRICE_2": "", "FID_VOL_CNT": ""}


async def test_rankings_list_real_issues_at_their_quotes(kis: Wire) -> None:
    kis.app.sim.clock.advance(600)
    universe = kis.app.sim.exchange.universe
    vol = await kis.get("domestic_stock/volume_rank", **RANK, FID_COND_SCR_DIV_CODE="20171",
                        FID_BLNG_CLS_CODE="0", FID_INPUT_DATE_1="")
    cap = await kis.get("domestic_stock/market_cap", **RANK, FID_COND_SCR_DIV_CODE="20174")
    flu = await kis.get("domestic_stock/fluctuation", **RANK, FID_COND_SCR_DIV_CODE="20170",
                        FID_RANK_SORT_CLS_CODE="0000", FID_INPUT_CNT_1="0",
                        FID_PRC_CLS_CODE="0", FID_RSFL_RATE1="", FID_RSFL_RATE2="")
    for r in (vol, cap, flu):
        assert r.ok, r.body
        assert len(r.body["output"]) == 30
    vols = [int(row["acml_vol"]) for row in vol.body["output"]]
    assert vols == sorted(vols, reverse=True) and vols[0] > 0
    caps = [int(row["stck_avls"]) for row in cap.body["output"]]
    assert caps == sorted(caps, reverse=True)
    rates = [D(row["prdy_ctrt"]) for row in flu.body["output"]]
    assert rates == sorted(rates, reverse=True)
    rows = vol.body["output"][:5] + cap.body["output"][:5] + flu.body["output"][:5]
    for row in rows:
        code = row.get("mksc_shrn_iscd") or row["stck_shrn_iscd"]
        assert code in universe and universe[code].name == row["hts_kor_isnm"]
        quote = await _price(kis, code)
        assert (row["stck_prpr"], row["acml_vol"], row["prdy_ctrt"]) == (
            quote["stck_prpr"], quote["acml_vol"], quote["prdy_ctrt"]), code


async def test_ranking_filters_are_honoured(kis: Wire) -> None:
    r = await kis.get("domestic_stock/volume_rank", **{
        **RANK, "FID_INPUT_ISCD": "1001", "FID_INPUT_PRICE_1": "50000",
        "FID_INPUT_PRICE_2": "200000"}, FID_COND_SCR_DIV_CODE="20171", FID_BLNG_CLS_CODE="3",
        FID_INPUT_DATE_1="")
    assert r.ok, r.body
    rows = r.body["output"]
    universe = kis.app.sim.exchange.universe
    assert rows, "some KOSDAQ issues trade between 50,000 and 200,000"
    for row in rows:
        assert universe[row["mksc_shrn_iscd"]].market.value == "KOSDAQ"
        assert 50_000 <= int(row["stck_prpr"]) <= 200_000
    values = [int(row["acml_tr_pbmn"]) for row in rows]
    assert values == sorted(values, reverse=True)  # 3: ranked by trade value
    no_etf = await kis.get("domestic_stock/market_cap", **{
        **RANK, "FID_TRGT_EXLS_CLS_CODE": "0000001100"}, FID_COND_SCR_DIV_CODE="20174")
    kinds = {universe[row["mksc_shrn_iscd"]].kind.value for row in no_etf.body["output"]}
    assert kinds == {"STOCK"}


async def _index(kis: Wire, code: str) -> dict[str, str]:
    r = await kis.get("domestic_stock/inquire_index_price", FID_COND_MRKT_DIV_CODE="U",
                      FID_INPUT_ISCD=code)
    assert r.ok, r.body
    out: dict[str, str] = r.body["output"]
    return out


async def test_index_level_and_change_follow_the_constituents(kis: Wire) -> None:
    kis.app.sim.clock.advance(900)
    universe = kis.app.sim.exchange.universe
    for code in ("0001", "1001", "2001", "0021"):
        d = INDICES[code]
        members = constituents(universe, d)
        assert members
        now = prev = base = D(0)
        up = down = 0
        for inst in members:
            q = await _price(kis, inst.code)
            shares = int(q["lstn_stcn"])
            now += D(q["stck_prpr"]) * shares
            prev += D(q["stck_sdpr"]) * shares
            base += D(inst.ref_price) * shares
            up += int(q["prdy_vrss"]) > 0
            down += int(q["prdy_vrss"]) < 0
        level = (d.base_level * now / base).quantize(CENT, ROUND_HALF_UP)
        prev_level = (d.base_level * prev / base).quantize(CENT, ROUND_HALF_UP)
        idx = await _index(kis, code)
        assert D(idx["bstp_nmix_prpr"]) == level, code
        assert D(idx["bstp_nmix_prdy_vrss"]) == level - prev_level, code
        assert D(idx["bstp_nmix_prdy_ctrt"]) == ((level - prev_level) * 100 / prev_level
                                                ).quantize(CENT, ROUND_HALF_UP)
        assert (int(idx["ascn_issu_cnt"]), int(idx["down_issu_cnt"])) == (up, down)
    bad = await kis.get("domestic_stock/inquire_index_price", FID_COND_MRKT_DIV_CODE="U",
                        FID_INPUT_ISCD="9999")
    assert bad.status == 500 and bad.body["msg_cd"] == "MCA05918"


async def test_candles_end_at_the_current_price_and_level(kis: Wire) -> None:
    kis.app.sim.clock.advance(1200)
    quote = await _price(kis, "005930")
    r = await kis.get("domestic_stock/inquire_daily_itemchartprice", FID_COND_MRKT_DIV_CODE="J",
                      FID_INPUT_ISCD="005930", FID_INPUT_DATE_1="20261101",
                      FID_INPUT_DATE_2="20261123", FID_PERIOD_DIV_CODE="D", FID_ORG_ADJ_PRC="0")
    assert r.ok, r.body
    assert r.body["output2"][0]["stck_bsop_date"] == "20261123"
    assert r.body["output2"][0]["stck_clpr"] == quote["stck_prpr"]
    idx = await _index(kis, "0001")
    chart = await kis.get("domestic_stock/inquire_daily_indexchartprice",
                          FID_COND_MRKT_DIV_CODE="U", FID_INPUT_ISCD="0001",
                          FID_INPUT_DATE_1="20261101", FID_INPUT_DATE_2="20261123",
                          FID_PERIOD_DIV_CODE="D")
    assert chart.ok, chart.body
    rows = chart.body["output2"]
    assert rows[0]["stck_bsop_date"] == "20261123"
    assert rows[0]["bstp_nmix_prpr"] == idx["bstp_nmix_prpr"]
    prev_level = D(idx["bstp_nmix_prpr"]) - D(idx["bstp_nmix_prdy_vrss"])
    assert D(rows[1]["bstp_nmix_prpr"]) == prev_level  # yesterday's close is today's base
    dates = [row["stck_bsop_date"] for row in rows]
    assert dates == sorted(dates, reverse=True) and len(dates) == len(set(dates))


async def test_etf_has_one_price_and_its_nav_follows_the_index(kis: Wire) -> None:
    kis.app.sim.clock.advance(300)
    for code, multiple in (("069500", 1), ("114800", -1)):
        stock = await _price(kis, code)
        r = await kis.get("etfetn/inquire_price", FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=code)
        assert r.ok, r.body
        etf = r.body["output"]
        assert etf["stck_prpr"] == stock["stck_prpr"]
        assert etf["stck_prdy_clpr"] == stock["stck_sdpr"]
        idx = await _index(kis, etf["etf_trgt_nmix_bstp_code"])
        prev_level = D(idx["bstp_nmix_prpr"]) - D(idx["bstp_nmix_prdy_vrss"])
        nav = D(etf["prdy_last_nav"]) * (1 + multiple * D(idx["bstp_nmix_prdy_vrss"])
                                         / prev_level)
        assert D(etf["nav"]) == nav.quantize(CENT, ROUND_HALF_UP)
        assert D(etf["prdy_last_nav"]) == D(stock["stck_sdpr"])


async def test_per_is_price_over_eps(kis: Wire) -> None:
    kis.app.sim.clock.advance(300)
    for code in ("005930", "000660", "035720"):
        q = await _price(kis, code)
        eps, price = D(q["eps"]), D(q["stck_prpr"])
        assert eps > 0
        assert D(q["per"]) == (price / eps).quantize(CENT, ROUND_HALF_UP)


async def test_investor_buys_equal_sells_every_day(kis: Wire) -> None:
    kis.app.sim.clock.advance(600)
    quote = await _price(kis, "000660")
    r = await kis.get("domestic_stock/inquire_investor", FID_COND_MRKT_DIV_CODE="J",
                      FID_INPUT_ISCD="000660")
    assert r.ok, r.body
    rows = r.body["output"]
    assert len(rows) == 30 and rows[0]["stck_bsop_date"] == "20261123"
    assert rows[0]["stck_clpr"] == quote["stck_prpr"]
    # 기타법인 (other corporations) is only in the daily API; with it the four types balance
    daily = await kis.get("domestic_stock/investor_trade_by_stock_daily",
                          FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="000660",
                          FID_INPUT_DATE_1="20261123", FID_ORG_ADJ_PRC="", FID_ETC_CLS_CODE="")
    assert daily.ok, daily.body
    etc = {row["stck_bsop_date"]: row for row in daily.body["output2"]}
    assert sum(int(rows[0][f"{t}_shnu_vol"]) for t in ("prsn", "frgn", "orgn")) + int(
        etc["20261123"]["etc_shnu_vol"]) == int(quote["acml_vol"])
    for row in rows:
        e = etc[row["stck_bsop_date"]]
        three = ("prsn", "frgn", "orgn")
        buys = sum(int(row[f"{t}_shnu_vol"]) for t in three) + int(e["etc_shnu_vol"])
        sells = sum(int(row[f"{t}_seln_vol"]) for t in three) + int(e["etc_seln_vol"])
        nets = sum(int(row[f"{t}_ntby_qty"]) for t in three) + int(e["etc_ntby_qty"])
        buy_value = sum(int(row[f"{t}_shnu_tr_pbmn"]) for t in three) + int(
            e["etc_shnu_tr_pbmn"])
        sell_value = sum(int(row[f"{t}_seln_tr_pbmn"]) for t in three) + int(
            e["etc_seln_tr_pbmn"])
        assert buys == sells > 0 and nets == 0 and buy_value == sell_value, row
        for t in three:
            assert int(row[f"{t}_ntby_qty"]) == int(row[f"{t}_shnu_vol"]) - int(
                row[f"{t}_seln_vol"])
    again = await kis.get("domestic_stock/inquire_investor", FID_COND_MRKT_DIV_CODE="J",
                          FID_INPUT_ISCD="000660")
    assert again.body["output"][1:] == rows[1:]  # past days never change


async def test_realtime_index_record_is_the_rest_level(kis: Wire) -> None:
    from hantoo._generated.streams import RECORDS
    from hantoo.sim.engine_feed import EngineFeed

    feed = EngineFeed(kis.app.sim.exchange, seed=7)
    cols = [c.lower() for c in RECORDS["H0UPCNT0"].COLUMNS]
    for step in range(3):
        kis.app.sim.clock.advance(120 * (step + 1))
        (row,) = feed.rows("H0UPCNT0", "2001")
        rec = dict(zip(cols, row, strict=True))
        idx = await _index(kis, "2001")
        assert (rec["prpr_nmix"], rec["bstp_nmix_prdy_vrss"], rec["prdy_ctrt"]) == (
            idx["bstp_nmix_prpr"], idx["bstp_nmix_prdy_vrss"], idx["bstp_nmix_prdy_ctrt"])
        assert rec["acml_vol"] == idx["acml_vol"] and rec["bsop_hour"] == kis.app.sim.clock.now(
        ).strftime("%H%M%S")
    feed.rows("H0UPCNT0", "2001")  # the volume-since-last record goes back to zero
    assert feed.rows("H0UPCNT0", "2001") == []  # nothing moved: no record, as KIS


async def test_financial_statements_agree_with_the_market(kis: Wire) -> None:
    kis.app.sim.clock.advance(300)
    for code in ("005930", "035420"):
        q = await _price(kis, code)
        args = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": code, "FID_DIV_CLS_CODE": "0"}
        ratio = await kis.get("domestic_stock/finance_financial_ratio", **args)
        income = await kis.get("domestic_stock/finance_income_statement", **args)
        sheet = await kis.get("domestic_stock/finance_balance_sheet", **args)
        for r in (ratio, income, sheet):
            assert r.ok and len(r.body["output"]) == 5, r.body
        latest, stmt, bal = ratio.body["output"][0], income.body["output"][0], sheet.body[
            "output"][0]
        assert latest["stac_yymm"] == stmt["stac_yymm"] == bal["stac_yymm"] == "202512"
        eps, shares = D(latest["eps"]), int(q["lstn_stcn"])
        assert eps == D(q["eps"])  # the price API's EPS is the latest year's
        assert D(q["per"]) == (D(q["stck_prpr"]) / eps).quantize(CENT, ROUND_HALF_UP)
        net_income = D(stmt["thtr_ntin"]) * 100_000_000  # 억원
        assert abs(net_income - eps * shares) <= 1_000_000  # EPS × shares ≈ net income
        assert D(bal["total_aset"]) == D(bal["total_lblt"]) + D(bal["total_cptl"])
        roe = (D(stmt["thtr_ntin"]) * 100 / D(bal["total_cptl"])).quantize(CENT, ROUND_HALF_UP)
        assert abs(D(latest["roe_val"]) - roe) <= D("0.01")
        years = [row["stac_yymm"] for row in ratio.body["output"]]
        assert years == ["202512", "202412", "202312", "202212", "202112"]


async def test_screens_agree_with_the_price_api(kis: Wire) -> None:
    kis.app.sim.clock.advance(300)
    near = await kis.get("domestic_stock/near_new_highlow", FID_APLY_RANG_VOL="0",
                         FID_COND_MRKT_DIV_CODE="J", FID_COND_SCR_DIV_CODE="20187",
                         FID_DIV_CLS_CODE="0", FID_INPUT_CNT_1="", FID_INPUT_CNT_2="",
                         FID_PRC_CLS_CODE="0", FID_INPUT_ISCD="0000", FID_TRGT_CLS_CODE="0",
                         FID_TRGT_EXLS_CLS_CODE="0", FID_APLY_RANG_PRC_1="",
                         FID_APLY_RANG_PRC_2="")
    assert near.ok, near.body
    gaps = [D(row["hprc_near_rate"]) for row in near.body["output"]]
    assert gaps == sorted(gaps) and all(g >= 0 for g in gaps)
    value = await kis.get("domestic_stock/market_value", **RANK, FID_COND_SCR_DIV_CODE="20179",
                          FID_INPUT_OPTION_1="2025", FID_INPUT_OPTION_2="3",
                          FID_RANK_SORT_CLS_CODE="23", FID_BLNG_CLS_CODE="0")
    assert value.ok, value.body
    pers = [D(row["per"]) for row in value.body["output"]]
    assert pers == sorted(pers)
    for row in near.body["output"][:3] + value.body["output"][:3]:
        q = await _price(kis, row["mksc_shrn_iscd"])
        assert row["stck_prpr"] == q["stck_prpr"]
        if "new_hgpr" in row and row.get("hprc_near_rate"):
            assert row["new_hgpr"] == q["w52_hgpr"]
    for row in value.body["output"][:3]:
        q = await _price(kis, row["mksc_shrn_iscd"])
        assert (row["per"], row["eps"]) == (q["per"], q["eps"])


async def test_etf_price_nav_and_components_agree_on_every_api(kis: Wire) -> None:
    kis.app.sim.clock.advance(900)
    code = "069500"
    stock = await _price(kis, code)
    etf = (await kis.get("etfetn/inquire_price", FID_COND_MRKT_DIV_CODE="J",
                         FID_INPUT_ISCD=code)).body["output"]
    trend = await kis.get("etfetn/nav_comparison_trend", FID_COND_MRKT_DIV_CODE="J",
                          FID_INPUT_ISCD=code)
    parts = await kis.get("etfetn/inquire_component_stock_price", FID_COND_MRKT_DIV_CODE="J",
                          FID_INPUT_ISCD=code, FID_COND_SCR_DIV_CODE="11216")
    assert trend.ok and parts.ok, (trend.body, parts.body)
    prices = {stock["stck_prpr"], etf["stck_prpr"], trend.body["output1"]["stck_prpr"],
              parts.body["output1"]["stck_prpr"]}
    assert len(prices) == 1
    assert etf["nav"] == trend.body["output2"]["nav"] == parts.body["output1"]["nav"]
    rows = parts.body["output2"]
    weights = sum(D(r["etf_cnfg_issu_rlim"]) for r in rows)
    assert abs(weights - 100) <= D("0.01") * len(rows)
    for r in rows[:4]:
        q = await _price(kis, r["stck_shrn_iscd"])
        assert r["stck_prpr"] == q["stck_prpr"]
    stock_only = await kis.get("etfetn/nav_comparison_trend", FID_COND_MRKT_DIV_CODE="J",
                               FID_INPUT_ISCD="005930")
    assert stock_only.status == 500 and stock_only.body["msg_cd"] == "MCA05918"


def _pv(coupon: D, prev: str, coupons: list[str], settle: str, y: D) -> D:
    """Independent restatement of the Korean bond price at yield ``y`` (per 10,000 face)."""
    from datetime import date

    def day(s: str) -> date:
        return date(int(s[:4]), int(s[4:6]), int(s[6:]))

    half, cpn = y / 200, D(10_000) * coupon / 200
    d = D((day(coupons[0]) - day(settle)).days)
    b = D((day(coupons[0]) - day(prev)).days)
    pv = sum((cpn + (10_000 if k == len(coupons) - 1 else 0)) / (1 + half) ** k
             for k in range(len(coupons)))
    accrued = (cpn * (b - d) / b).quantize(CENT, ROUND_HALF_UP)
    return (D(pv) / (1 + half * d / b) - accrued).quantize(CENT, ROUND_HALF_UP)


async def test_bond_price_is_the_present_value_at_its_yield(kis: Wire) -> None:
    kis.app.sim.clock.advance(3600)
    code = "KR2033022D33"
    q = await kis.get("domestic_bond/inquire_price", FID_COND_MRKT_DIV_CODE="B",
                      FID_INPUT_ISCD=code)
    info = await kis.get("domestic_bond/issue_info", PDNO=code, PRDT_TYPE_CD="302")
    assert q.ok and info.ok, (q.body, info.body)
    out, inf = q.body["output"], info.body["output"]
    assert inf["pdno"] == out["stnd_iscd"] == code
    # remaining coupons: every 6 months back from maturity, after the next one
    nxt, maturity = inf["nxtm_int_dfrm_dt"], inf["expd_dt"]
    coupons = [nxt]
    y, m = int(nxt[:4]), int(nxt[4:6])
    while coupons[-1] < maturity:
        y, m = (y, m + 6) if m <= 6 else (y + 1, m - 6)
        coupons.append(f"{y}{m:02d}{nxt[6:]}")
    assert coupons[-1] == maturity
    price = _pv(D(inf["srfc_inrt"]), inf["rgbf_int_dfrm_dt"], coupons, "20261123",
                D(out["ernn_rate"]))
    assert D(out["bond_prpr"]) == price
    unknown = await kis.get("domestic_bond/inquire_price", FID_COND_MRKT_DIV_CODE="B",
                            FID_INPUT_ISCD="KR0000000000")
    assert unknown.status == 500 and unknown.body["msg_cd"] == "MCA05918"


async def test_dividend_yield_is_from_todays_price(kis: Wire) -> None:
    kis.app.sim.clock.advance(600)
    r = await kis.get("domestic_stock/dividend_rate", CTS_AREA="", GB1="1", UPJONG="0001",
                      GB2="0", GB3="2", F_DT="20250101", T_DT="20261123", GB4="0")
    assert r.ok, r.body
    rows = r.body["output"]
    universe = kis.app.sim.exchange.universe
    assert rows and all(universe[row["sht_cd"]].market.value == "KOSPI" for row in rows)
    rates = [D(row["divi_rate"]) for row in rows]
    assert rates == sorted(rates, reverse=True)
    for row in rows[:4]:
        q = await _price(kis, row["sht_cd"])
        dps = D(row["per_sto_divi_amt"])
        assert D(row["divi_rate"]) == (dps * 100 / D(q["stck_prpr"])).quantize(
            CENT, ROUND_HALF_UP)
        assert 0 < dps < D(q["eps"])  # paid out of earnings
    none = await kis.get("domestic_stock/dividend_rate", CTS_AREA="", GB1="0", UPJONG="0001",
                         GB2="0", GB3="2", F_DT="20260101", T_DT="20261123", GB4="0")
    assert none.ok and none.body["output"] == []  # no record date in that window


async def test_market_investor_flows_balance_and_institutions_add_up(kis: Wire) -> None:
    kis.app.sim.clock.advance(600)
    r = await kis.get("domestic_stock/inquire_investor_daily_by_market",
                      FID_COND_MRKT_DIV_CODE="U", FID_INPUT_ISCD="0001",
                      FID_INPUT_DATE_1="20261123", FID_INPUT_ISCD_1="KSP",
                      FID_INPUT_DATE_2="20261123", FID_INPUT_ISCD_2="0001")
    assert r.ok, r.body
    rows = r.body["output"]
    idx = await _index(kis, "0001")
    assert rows[0]["stck_bsop_date"] == "20261123"
    assert rows[0]["bstp_nmix_prpr"] == idx["bstp_nmix_prpr"]
    subs = ("scrt_ntby_qty", "ivtr_ntby_qty", "pe_fund_ntby_vol", "bank_ntby_qty",
            "insu_ntby_qty", "mrbn_ntby_qty", "fund_ntby_qty")
    for row in rows:
        nets = [int(row[f"{t}_ntby_qty"]) for t in ("prsn", "frgn", "orgn", "etc")]
        assert sum(nets) == 0, row
        assert sum(int(row[s]) for s in subs) == nets[2]
        assert row["etc_corp_ntby_vol"] == row["etc_ntby_qty"]
        values = [int(row[f"{t}_ntby_tr_pbmn"]) for t in ("prsn", "frgn", "orgn", "etc")]
        assert sum(values) == 0


async def test_volume_power_is_the_tape_strength(kis: Wire) -> None:
    kis.app.sim.clock.advance(900)
    r = await kis.get("domestic_stock/volume_power", **RANK, FID_COND_SCR_DIV_CODE="20168")
    assert r.ok, r.body
    rows = r.body["output"]
    strengths = [D(row["tday_rltv"]) for row in rows]
    assert strengths == sorted(strengths, reverse=True)
    for row in rows[:3]:
        buy, sell = int(row["shnu_cnqn_smtn"]), int(row["seln_cnqn_smtn"])
        if sell:
            assert D(row["tday_rltv"]) == (D(buy) * 100 / sell).quantize(CENT, ROUND_HALF_UP)
        ccnl = await kis.get("domestic_stock/inquire_ccnl", FID_COND_MRKT_DIV_CODE="J",
                             FID_INPUT_ISCD=row["stck_shrn_iscd"])
        assert ccnl.ok, ccnl.body
        assert ccnl.body["output"][0]["tday_rltv"] == row["tday_rltv"]
        assert ccnl.body["output"][0]["stck_prpr"] == row["stck_prpr"]
