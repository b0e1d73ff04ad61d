"""Corporate ratios, analyst opinions and KSD calendars agree with the statements and the market.

Growth, profitability and stability ratios are recomputed from ``finance_income_statement`` and
``finance_balance_sheet``; ROE and debt ratio equal ``finance_financial_ratio``'s; the payout is
the dividend per share (``dividend_rate``) over ``inquire_price``'s EPS; EV/EBITDA uses today's
price. Opinions' previous closes are the daily chart's; their disparities follow from the target
and today's price. The KSD dividend is ``dividend_rate``'s dividend on the same record date.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from market_kit import Wire

D = Decimal
CODE = "005930"
STOCKS = ("005930", "000660", "035420")


async def _get(kis: Wire, key: str, block: str = "output", **params: str) -> list[dict[str, Any]]:
    r = await kis.get(f"domestic_stock/{key}", **params)
    assert r.ok, (key, r.body)
    v = r.body[block]
    return v if isinstance(v, list) else [v]


def _fin(code: str, div: str = "0") -> dict[str, str]:
    return {"FID_INPUT_ISCD": code, "FID_DIV_CLS_CODE": div, "FID_COND_MRKT_DIV_CODE": "J"}


def _pct(num: Decimal, den: Decimal) -> Decimal:
    return num * 100 / den


async def test_ratios_follow_the_statements(kis: Wire) -> None:
    for code in STOCKS:
        for div in ("0", "1"):
            inc = await _get(kis, "finance_income_statement", **_fin(code, div))
            bal = await _get(kis, "finance_balance_sheet", **_fin(code, div))
            fin = await _get(kis, "finance_financial_ratio", **_fin(code, div))
            growth = await _get(kis, "finance_growth_ratio", **_fin(code, div))
            profit = await _get(kis, "finance_profit_ratio", **_fin(code, div))
            stab = await _get(kis, "finance_stability_ratio", **_fin(code, div))
            n = len(growth)
            assert n == len(profit) == len(stab) == len(fin) >= 4
            for k in range(n):
                i, b, f = inc[k], bal[k], fin[k]
                assert (growth[k]["stac_yymm"] == profit[k]["stac_yymm"] == stab[k]["stac_yymm"]
                        == i["stac_yymm"] == b["stac_yymm"])
                tol = D("0.05")  # statements are in 억원 to two decimals
                if k + 1 < len(inc):
                    before_i, before_b = inc[k + 1], bal[k + 1]
                    assert abs(D(growth[k]["grs"]) - _pct(
                        D(i["sale_account"]) - D(before_i["sale_account"]),
                        D(before_i["sale_account"]))) <= tol
                    assert abs(D(growth[k]["equt_inrt"]) - _pct(
                        D(b["total_cptl"]) - D(before_b["total_cptl"]),
                        D(before_b["total_cptl"]))) <= tol
                assert growth[k]["grs"] == f["grs"]
                assert profit[k]["self_cptl_ntin_inrt"] == f["roe_val"]
                assert abs(D(profit[k]["sale_ntin_rate"])
                           - _pct(D(i["thtr_ntin"]), D(i["sale_account"]))) <= tol
                assert abs(D(profit[k]["cptl_ntin_rate"])
                           - _pct(D(i["thtr_ntin"]), D(b["total_aset"]))) <= tol
                assert stab[k]["lblt_rate"] == f["lblt_rate"]
                assert abs(D(stab[k]["crnt_rate"]) - _pct(D(b["cras"]), D(b["flow_lblt"]))) <= tol
                assert abs(D(stab[k]["bram_depn"])
                           - _pct(D(b["fix_lblt"]), D(b["total_aset"]))) <= tol


async def test_other_ratios_use_todays_price_and_the_dividend(kis: Wire) -> None:
    kis.app.sim.clock.advance(900)
    divs = {r["sht_cd"]: r for r in await _get(kis, "dividend_rate", CTS_AREA="", GB1="0",
                                               UPJONG="0001", GB2="0", GB3="2",
                                               F_DT="20250101", T_DT="20261123", GB4="0")}
    checked = 0
    for code in STOCKS:
        q = (await _get(kis, "inquire_price", FID_COND_MRKT_DIV_CODE="J",
                        FID_INPUT_ISCD=code))[0]
        bal = await _get(kis, "finance_balance_sheet", **_fin(code))
        other = await _get(kis, "finance_other_major_ratios", **_fin(code))
        newest = other[0]
        price, eps = D(q["stck_prpr"]), D(q["eps"])
        cap_eok = price * D(q["lstn_stcn"]) / 100_000_000
        ev = cap_eok + D(bal[0]["total_lblt"])
        assert abs(D(newest["ev_ebitda"]) - ev / D(newest["ebitda"])) <= D("0.01")
        checked += code in divs
        if code in divs:
            dps = D(divs[code]["per_sto_divi_amt"])
            assert abs(D(newest["payout_rate"]) - _pct(dps, eps)) <= D("0.01")
        assert D(q["per"]) == (price / eps).quantize(D("0.01"))
    assert checked  # the ranking (top 30 by yield) lists at least one of them


async def test_opinions_agree_with_the_price_history(kis: Wire) -> None:
    opinions = await _get(kis, "invest_opinion", FID_COND_MRKT_DIV_CODE="J",
                          FID_COND_SCR_DIV_CODE="16633", FID_INPUT_ISCD=CODE,
                          FID_INPUT_DATE_1="0020260101", FID_INPUT_DATE_2="0020261123")
    assert len(opinions) >= 5
    chart = await _get(kis, "inquire_daily_itemchartprice", "output2",
                       FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=CODE,
                       FID_INPUT_DATE_1="20251201", FID_INPUT_DATE_2="20261123",
                       FID_PERIOD_DIV_CODE="D", FID_ORG_ADJ_PRC="0")
    closes = {r["stck_bsop_date"]: D(r["stck_clpr"]) for r in chart}
    q = (await _get(kis, "inquire_price", FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=CODE))[0]
    price = D(q["stck_prpr"])
    dates = [o["stck_bsop_date"] for o in opinions]
    assert dates == sorted(dates, reverse=True)
    for o in opinions:
        day = o["stck_bsop_date"]
        before = [d for d in closes if d < day]
        if before:
            assert D(o["stck_prdy_clpr"]) == closes[max(before)], day
        target = D(o["hts_goal_prc"])
        prev = D(o["stck_prdy_clpr"])
        assert D(o["dprt"]) == ((prev - target) * 100 / target).quantize(D("0.01"))
        assert D(o["stck_nday_esdg"]) == price - target
        upside = (target - prev) * 100 / prev
        want = "1" if upside >= D("14.9") else "3" if upside < D("0.1") else "2"
        if not (D("14.9") <= upside < D("15.1") or D("-0.1") < upside < D("0.1")):
            assert o["invt_opnn_cls_code"] == want, (day, upside)
    # the broker's own list carries the same opinion
    newest = opinions[0]
    brokers = {"한국투자증권": "00003", "미래에셋증권": "00005", "NH투자증권": "00008",
               "삼성증권": "00010", "KB증권": "00012"}
    member = brokers[newest["mbcr_name"]]
    by_broker = await _get(kis, "invest_opbysec", FID_COND_MRKT_DIV_CODE="J",
                           FID_COND_SCR_DIV_CODE="16634", FID_INPUT_ISCD=member,
                           FID_DIV_CLS_CODE="0", FID_INPUT_DATE_1=newest["stck_bsop_date"],
                           FID_INPUT_DATE_2=newest["stck_bsop_date"])
    mine = [r for r in by_broker if r["stck_shrn_iscd"] == CODE]
    assert mine and mine[0]["hts_goal_prc"] == newest["hts_goal_prc"]
    assert mine[0]["stck_prpr"] == q["stck_prpr"]
    nobody = await _get(kis, "invest_opbysec", FID_COND_MRKT_DIV_CODE="J",
                        FID_COND_SCR_DIV_CODE="16634", FID_INPUT_ISCD="99999",
                        FID_DIV_CLS_CODE="0", FID_INPUT_DATE_1="20260101",
                        FID_INPUT_DATE_2="20261123")
    assert nobody == []  # a member firm whose analysts cover no simulated issue


async def test_ksd_dividend_is_the_ranked_dividend(kis: Wire) -> None:
    ranked = {r["sht_cd"]: r for r in await _get(kis, "dividend_rate", CTS_AREA="", GB1="0",
                                                 UPJONG="0001", GB2="0", GB3="2",
                                                 F_DT="20250101", T_DT="20261123", GB4="0")}
    assert ranked
    code, top = next(iter(ranked.items()))
    rows = await _get(kis, "ksdinfo_dividend", "output1", CTS="", GB1="0", F_DT="20251201",
                      T_DT="20260131", SHT_CD=code, HIGH_GB="")
    assert len(rows) == 1
    row = rows[0]
    assert row["record_date"] == top["record_date"]
    assert row["per_sto_divi_amt"] == top["per_sto_divi_amt"]
    assert D(row["divi_rate"]) == (D(row["per_sto_divi_amt"]) * 100
                                  / D(row["face_val"])).quantize(D("0.01"))
    assert row["high_divi_gb"] == ("Y" if D(top["divi_rate"]) >= 5 else "N")
    assert await _get(kis, "ksdinfo_dividend", "output1", CTS="", GB1="0", F_DT="20260201",
                      T_DT="20260331", SHT_CD=code, HIGH_GB="") == []
    meet = await _get(kis, "ksdinfo_sharehld_meet", "output1", CTS="", F_DT="20260101",
                      T_DT="20260430", SHT_CD=code)
    assert meet[0]["record_date"] == row["record_date"] and meet[0]["gen_meet_dt"] == "20260320"
    # no splits: the share count and par value never change, so the split calendar is empty
    assert await _get(kis, "ksdinfo_rev_split", "output1", SHT_CD=code, CTS="",
                      F_DT="20200101", T_DT="20261123", MARKET_GB="0") == []


async def test_corporate_apis_refuse_bad_input(kis: Wire) -> None:
    for key, params in (
        ("invest_opinion", {"FID_COND_MRKT_DIV_CODE": "J", "FID_COND_SCR_DIV_CODE": "16633",
                            "FID_INPUT_ISCD": CODE, "FID_INPUT_DATE_1": "0020261123",
                            "FID_INPUT_DATE_2": "0020260101"}),
        ("invest_opbysec", {"FID_COND_MRKT_DIV_CODE": "J", "FID_COND_SCR_DIV_CODE": "16634",
                            "FID_INPUT_ISCD": "00003", "FID_DIV_CLS_CODE": "0",
                            "FID_INPUT_DATE_1": "2026100", "FID_INPUT_DATE_2": "20261123"}),
        ("ksdinfo_dividend", {"CTS": "", "GB1": "0", "F_DT": "20261301", "T_DT": "20260131",
                              "SHT_CD": CODE, "HIGH_GB": ""}),
        ("ksdinfo_merger_split", {"CTS": "", "F_DT": "20260101", "T_DT": "20260131",
                                  "SHT_CD": "999999"}),
        ("finance_growth_ratio", _fin("999999")),
    ):
        r = await kis.get(f"domestic_stock/{key}", **params)
        assert not r.ok, (key, r.body)
        assert r.body["msg_cd"] in ("OPSQ2001", "MCA05918"), (key, r.body)
