"""Rankings honour their filters (change-rate bounds, minimum volume, market and index), and
condition search runs users' saved conditions.

Each filtered answer is checked against the same engine quotes the price API answers, and the
condition search against a brute-force screen of the whole universe done here from those quotes.
"""

from __future__ import annotations

from decimal import Decimal

from market_kit import Wire
from test_consistency import RANK

from hantoo.config import SIM_HTS_ID
from hantoo.sim.marketdata.conditions import DEFAULT_CONDITIONS, Condition, save_conditions
from hantoo.sim.marketdata.indices import INDICES, constituents

D = Decimal
FLU = {**RANK, "FID_COND_SCR_DIV_CODE": "20170", "FID_RANK_SORT_CLS_CODE": "0000",
       "FID_INPUT_CNT_1": "0", "FID_PRC_CLS_CODE": "0", "FID_RSFL_RATE1": "",
       "FID_RSFL_RATE2": ""}


async def test_fluctuation_honours_rate_volume_and_market_filters(kis: Wire) -> None:
    kis.app.sim.clock.advance(900)
    universe = kis.app.sim.exchange.universe
    everything = await kis.get("domestic_stock/fluctuation", **FLU)
    bounded = await kis.get("domestic_stock/fluctuation", **{
        **FLU, "FID_RSFL_RATE1": "-0.5", "FID_RSFL_RATE2": "0.5"})
    busy = await kis.get("domestic_stock/fluctuation", **{**FLU, "FID_VOL_CNT": "1000000"})
    kosdaq = await kis.get("domestic_stock/fluctuation", **{**FLU, "FID_INPUT_ISCD": "1001"})
    k200 = await kis.get("domestic_stock/fluctuation", **{**FLU, "FID_INPUT_ISCD": "2001"})
    for r in (everything, bounded, busy, kosdaq, k200):
        assert r.ok, r.body
    top = [D(x["prdy_ctrt"]) for x in everything.body["output"]]
    assert max(top) > D("0.5")  # the bound below removes something
    rates = [D(x["prdy_ctrt"]) for x in bounded.body["output"]]
    assert rates and all(D("-0.5") <= x <= D("0.5") for x in rates)
    assert rates == sorted(rates, reverse=True)
    vols = [int(x["acml_vol"]) for x in busy.body["output"]]
    assert vols and min(vols) >= 1_000_000
    assert any(int(x["acml_vol"]) < 1_000_000 for x in everything.body["output"])
    markets = {universe[x["stck_shrn_iscd"]].market.value for x in kosdaq.body["output"]}
    assert markets == {"KOSDAQ"}
    members = {i.code for i in constituents(universe, INDICES["2001"])}
    assert {x["stck_shrn_iscd"] for x in k200.body["output"]} <= members


async def test_condition_search_lists_and_runs_saved_conditions(kis: Wire) -> None:
    kis.app.sim.clock.advance(600)
    titles = await kis.get("domestic_stock/psearch_title", USER_ID=SIM_HTS_ID)
    assert titles.ok, titles.body
    assert [(t["seq"], t["condition_nm"]) for t in titles.body["output2"]] == [
        (c.seq, c.name) for c in DEFAULT_CONDITIONS]
    mine = Condition("7", "코스피 5만~20만원 20만주", market="0001", price_min=D(50_000),
                     price_max=D(200_000), volume_min=200_000)
    save_conditions(kis.app.sim, SIM_HTS_ID, [mine])
    titles = await kis.get("domestic_stock/psearch_title", USER_ID=SIM_HTS_ID)
    assert [t["seq"] for t in titles.body["output2"]] == ["7"]
    r = await kis.get("domestic_stock/psearch_result", USER_ID=SIM_HTS_ID, SEQ="7")
    assert r.ok, r.body
    got = [row["code"] for row in r.body["output2"]]
    # brute force over the universe from the engine's quotes
    ex = kis.app.sim.exchange
    expected = []
    for inst in ex.universe:
        if inst.is_us or inst.market.value != "KOSPI" or inst.kind.value != "STOCK":
            continue
        q = ex.quote(inst.code)
        if 50_000 <= q.price <= 200_000 and q.volume >= 200_000:
            expected.append((-q.volume, inst.code))
    assert got == [code for _, code in sorted(expected)][:100] and got
    for row in r.body["output2"][:3]:
        p = await kis.get("domestic_stock/inquire_price", FID_COND_MRKT_DIV_CODE="J",
                          FID_INPUT_ISCD=row["code"])
        assert D(row["price"]) == D(p.body["output"]["stck_prpr"])
        assert row["acml_vol"] == p.body["output"]["acml_vol"]
    unknown = await kis.get("domestic_stock/psearch_result", USER_ID=SIM_HTS_ID, SEQ="0")
    assert unknown.status == 500 and "psearch_title" in unknown.body["msg1"]
