"""More rankings: each ranked figure is the per-issue API's at the same instant.

Book-imbalance totals are ``inquire_asking_price_exp_ccn``'s, disparities follow from the daily
chart's closes, ranked financial ratios and results are the ``finance_*`` APIs' for the period.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from market_kit import Wire

D = Decimal
COMMON = {"FID_COND_MRKT_DIV_CODE": "J", "FID_DIV_CLS_CODE": "0", "FID_TRGT_CLS_CODE": "0",
          "FID_TRGT_EXLS_CLS_CODE": "0", "FID_INPUT_PRICE_1": "", "FID_INPUT_PRICE_2": "",
          "FID_VOL_CNT": ""}


async def _rows(kis: Wire, key: str, block: str = "output", **params: str) -> list[Any]:
    r = await kis.get(f"domestic_stock/{key}", **params)
    assert r.ok, (key, r.body)
    v = r.body[block]
    return v if isinstance(v, list) else [v]


async def test_quote_balance_is_the_books_imbalance(kis: Wire) -> None:
    kis.app.sim.clock.advance(600)
    rows = await _rows(kis, "quote_balance", **COMMON, FID_COND_SCR_DIV_CODE="20172",
                       FID_INPUT_ISCD="0001", FID_RANK_SORT_CLS_CODE="0")
    assert len(rows) >= 5
    nets = [int(r["total_ntsl_bidp_rsqn"]) for r in rows]
    assert nets == sorted(nets, reverse=True)
    for r in rows[:5]:
        book = await _rows(kis, "inquire_asking_price_exp_ccn", "output1",
                           FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=r["mksc_shrn_iscd"])
        assert r["total_askp_rsqn"] == book[0]["total_askp_rsqn"]
        assert r["total_bidp_rsqn"] == book[0]["total_bidp_rsqn"]
        assert r["total_ntsl_bidp_rsqn"] == book[0]["ntby_aspr_rsqn"]
        q = await _rows(kis, "inquire_price", FID_COND_MRKT_DIV_CODE="J",
                        FID_INPUT_ISCD=r["mksc_shrn_iscd"])
        assert r["stck_prpr"] == q[0]["stck_prpr"]


async def test_disparity_follows_the_daily_closes(kis: Wire) -> None:
    kis.app.sim.clock.advance(600)
    rows = await _rows(kis, "disparity", **COMMON, FID_COND_SCR_DIV_CODE="20178",
                       FID_INPUT_ISCD="0001", FID_RANK_SORT_CLS_CODE="1", FID_HOUR_CLS_CODE="20")
    assert len(rows) >= 5
    d20 = [D(r["d20_dsrt"]) for r in rows]
    assert d20 == sorted(d20)  # lowest first
    for r in rows[:3]:
        chart = await _rows(kis, "inquire_daily_itemchartprice", "output2",
                            FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=r["mksc_shrn_iscd"],
                            FID_INPUT_DATE_1="20260601", FID_INPUT_DATE_2="20261123",
                            FID_PERIOD_DIV_CODE="D", FID_ORG_ADJ_PRC="0")
        closes = [D(c["stck_clpr"]) for c in chart]  # newest first, today's the price
        assert chart[0]["stck_bsop_date"] == "20261123"
        price = D(r["stck_prpr"])
        assert closes[0] == price
        for n in (5, 20, 60):
            avg = sum(closes[:n], D(0)) / n
            want = (price * 100 / avg).quantize(D("0.01"), ROUND_HALF_UP)
            assert D(r[f"d{n}_dsrt"]) == want, (r["mksc_shrn_iscd"], n)


async def test_ranked_ratios_are_the_issues_ratios(kis: Wire) -> None:
    rows = await _rows(kis, "finance_ratio", **COMMON, FID_COND_SCR_DIV_CODE="20175",
                       FID_INPUT_ISCD="0001", FID_INPUT_OPTION_1="2025", FID_INPUT_OPTION_2="3",
                       FID_RANK_SORT_CLS_CODE="15", FID_BLNG_CLS_CODE="0")
    assert len(rows) >= 5
    grs = [D(r["grs"]) for r in rows]
    assert grs == sorted(grs, reverse=True)
    for r in rows[:3]:
        fin = {"FID_INPUT_ISCD": r["mksc_shrn_iscd"], "FID_DIV_CLS_CODE": "0",
               "FID_COND_MRKT_DIV_CODE": "J"}
        profit = (await _rows(kis, "finance_profit_ratio", **fin))[0]
        stab = (await _rows(kis, "finance_stability_ratio", **fin))[0]
        growth = (await _rows(kis, "finance_growth_ratio", **fin))[0]
        assert profit["stac_yymm"] == "202512"
        assert r["cptl_ntin_rate"] == profit["cptl_ntin_rate"]
        assert r["sale_ntin_rate"] == profit["sale_ntin_rate"]
        assert r["lblt_rate"] == stab["lblt_rate"] and r["bram_depn"] == stab["bram_depn"]
        assert r["grs"] == growth["grs"] and r["equt_inrt"] == growth["equt_inrt"]
    results = await _rows(kis, "profit_asset_index", **COMMON, FID_COND_SCR_DIV_CODE="20173",
                          FID_INPUT_ISCD="005930", FID_INPUT_OPTION_1="2024",
                          FID_INPUT_OPTION_2="3", FID_RANK_SORT_CLS_CODE="0",
                          FID_BLNG_CLS_CODE="0")
    income = await _rows(kis, "finance_income_statement", FID_INPUT_ISCD="005930",
                         FID_DIV_CLS_CODE="0", FID_COND_MRKT_DIV_CODE="J")
    balance = await _rows(kis, "finance_balance_sheet", FID_INPUT_ISCD="005930",
                          FID_DIV_CLS_CODE="0", FID_COND_MRKT_DIV_CODE="J")
    year = next(i for i, row in enumerate(income) if row["stac_yymm"] == "202412")
    assert results[0]["thtr_ntin"] == income[year]["thtr_ntin"]
    assert results[0]["total_aset"] == balance[year]["total_aset"]


async def test_more_rankings_refuse_bad_codes(kis: Wire) -> None:
    for key, extra in (
        ("disparity", {"FID_COND_SCR_DIV_CODE": "20178", "FID_INPUT_ISCD": "0001",
                       "FID_RANK_SORT_CLS_CODE": "0", "FID_HOUR_CLS_CODE": "7"}),
        ("finance_ratio", {"FID_COND_SCR_DIV_CODE": "20175", "FID_INPUT_ISCD": "0001",
                           "FID_INPUT_OPTION_1": "2025", "FID_INPUT_OPTION_2": "3",
                           "FID_RANK_SORT_CLS_CODE": "9", "FID_BLNG_CLS_CODE": "0"}),
        ("quote_balance", {"FID_COND_SCR_DIV_CODE": "20172", "FID_INPUT_ISCD": "0001",
                           "FID_RANK_SORT_CLS_CODE": "8"}),
    ):
        r = await kis.get(f"domestic_stock/{key}", **COMMON, **extra)
        assert not r.ok and r.body["msg_cd"] == "OPSQ2001", (key, r.body)


async def test_after_hours_balance_is_the_off_hours_book_and_tape() -> None:
    from datetime import datetime

    from market_kit import wire

    from hantoo.sim.engine.clock import KST

    async with wire(clock_start=datetime(2026, 11, 23, 15, 35, tzinfo=KST)) as kis:
        ex = kis.app.sim.exchange
        for code in ("005930", "000660"):
            ex.quote(code)  # they trade live (participants cross in the off-hours sessions)
        for _ in range(12):
            kis.app.sim.clock.advance(60)
            ex.quote("005930")
            ex.quote("000660")
        rows = await _rows(kis, "after_hour_balance", **COMMON, FID_COND_SCR_DIV_CODE="20176",
                           FID_INPUT_ISCD="0001", FID_RANK_SORT_CLS_CODE="2")
        post = [int(r["mkfa_otcp_vol"]) for r in rows]
        assert post == sorted(post, reverse=True) and post[0] > 0
        for r in rows[:2]:
            code = r["stck_shrn_iscd"]
            book = (await _rows(kis, "inquire_asking_price_exp_ccn", "output1",
                                FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=code))[0]
            assert r["ovtm_total_askp_rsqn"] == book["ovtm_total_askp_rsqn"]
            assert r["ovtm_total_bidp_rsqn"] == book["ovtm_total_bidp_rsqn"]
            want = sum(t.qty for t in ex.trades(code, 1_000_000)
                       if t.time >= datetime(2026, 11, 23, 15, 40, tzinfo=KST))
            assert int(r["mkfa_otcp_vol"]) == want
            assert r["mkob_otcp_vol"] == "0"  # the clock started after the pre-market session


async def test_preferred_gap_ranks_listed_pairs(tmp_path: Any) -> None:
    from importlib import resources

    from market_kit import wire

    base = resources.files("hantoo.sim").joinpath("data/universe.csv").read_text("utf-8")
    path = tmp_path / "universe.csv"
    path.write_text(base.rstrip("\n") + "\n005935,삼성전자우,KOSPI,58000,2000000,100,"
                    "815974664,STOCK\n", "utf-8")
    async with wire(universe_path=str(path)) as kis:
        rows = await _rows(kis, "prefer_disparate_ratio", **COMMON,
                           FID_COND_SCR_DIV_CODE="20177", FID_INPUT_ISCD="0000")
        assert [r["mksc_shrn_iscd"] for r in rows] == ["005930"]
        row = rows[0]
        common = (await _rows(kis, "inquire_price", FID_COND_MRKT_DIV_CODE="J",
                              FID_INPUT_ISCD="005930"))[0]
        pref = (await _rows(kis, "inquire_price", FID_COND_MRKT_DIV_CODE="J",
                            FID_INPUT_ISCD="005935"))[0]
        assert row["stck_prpr"] == common["stck_prpr"] and row["prst_prpr"] == pref["stck_prpr"]
        c, p = D(common["stck_prpr"]), D(pref["stck_prpr"])
        assert D(row["diff_prpr"]) == c - p
        assert D(row["dprt"]) == ((c - p) * 100 / c).quantize(D("0.01"), ROUND_HALF_UP)
    async with wire() as kis:  # the default universe lists no preferred shares
        assert await _rows(kis, "prefer_disparate_ratio", **COMMON,
                           FID_COND_SCR_DIV_CODE="20177", FID_INPUT_ISCD="0000") == []


def _exp_params(sort: str, mkop: str) -> dict[str, str]:
    return {"FID_RANK_SORT_CLS_CODE": sort, "FID_COND_MRKT_DIV_CODE": "J",
            "FID_COND_SCR_DIV_CODE": "20182", "FID_INPUT_ISCD": "0000", "FID_DIV_CLS_CODE": "0",
            "FID_APLY_RANG_PRC_1": "", "FID_VOL_CNT": "", "FID_PBMN": "",
            "FID_BLNG_CLS_CODE": "0", "FID_MKOP_CLS_CODE": mkop}


async def test_expected_execution_ranking_is_the_auctions_expectation() -> None:
    from datetime import datetime

    from market_kit import wire

    from hantoo.sim.engine.clock import KST

    async with wire(clock_start=datetime(2026, 11, 23, 8, 45, tzinfo=KST)) as kis:
        rows = await _rows(kis, "exp_trans_updown", **_exp_params("0", "0"))
        assert len(rows) >= 5
        rates = [D(r["prdy_ctrt"]) for r in rows]
        assert rates == sorted(rates, reverse=True)
        for r in rows[:4]:
            book = await kis.get("domestic_stock/inquire_asking_price_exp_ccn",
                                 FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=r["stck_shrn_iscd"])
            assert book.ok, book.body
            exp = book.body["output2"]
            assert r["stck_prpr"] == exp["antc_cnpr"] and r["cntg_vol"] == exp["antc_vol"]
            assert r["prdy_vrss"] == exp["antc_cntg_vrss"] and r["stck_sdpr"] == exp["stck_sdpr"]
            assert r["total_askp_rsqn"] == book.body["output1"]["total_askp_rsqn"]
        falling = await _rows(kis, "exp_trans_updown", **_exp_params("4", "0"))
        changes = [D(r["prdy_vrss"]) for r in falling]
        assert changes == sorted(changes)
        # the closing auction's expectation does not exist before the open
        assert await _rows(kis, "exp_trans_updown", **_exp_params("0", "1")) == []
        kis.app.sim.clock.advance(3600)  # 09:45: continuous trading, no auction
        assert await _rows(kis, "exp_trans_updown", **_exp_params("0", "0")) == []
