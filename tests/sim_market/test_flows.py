"""Flows APIs answer the synthetic participants' actual trades, balanced across investor types.

A stepped simulated session with participants trading (activity 1): the per-issue investor,
program and short-sale APIs, the foreign/institution ranking and ``inquire_investor`` agree with
each other, with the quote's volume and with the engine's own trade totals by investor type.
"""

from __future__ import annotations

from decimal import Decimal

from market_kit import START, Wire

from hantoo.sim.engine.types import Investor

D = Decimal
CODE = "005930"
TYPES = ("prsn", "frgn", "orgn", "etc")
#: The engine's investor types behind each KIS category (program traders are institutions).
KIS = {"prsn": (Investor.INDIVIDUAL,), "frgn": (Investor.FOREIGN,),
       "orgn": (Investor.INSTITUTION, Investor.PROGRAM), "etc": (Investor.OTHER,)}


async def _daily(kis: Wire) -> dict[str, str]:
    r = await kis.get("domestic_stock/investor_trade_by_stock_daily", FID_COND_MRKT_DIV_CODE="J",
                      FID_INPUT_ISCD=CODE, FID_INPUT_DATE_1="20261123", FID_ORG_ADJ_PRC="",
                      FID_ETC_CLS_CODE="")
    assert r.ok, r.body
    assert r.body["output1"]["stck_prpr"]
    row: dict[str, str] = r.body["output2"][0]
    assert row["stck_bsop_date"] == "20261123"
    return row


def _engine(kis: Wire) -> dict[str, tuple[int, int, int, int]]:
    day, by_type = kis.app.sim.exchange.investor_trades(CODE)
    assert day == START.date()
    return {t: tuple(sum(by_type[i][k] for i in KIS[t]) for k in range(4))  # type: ignore[misc]
            for t in TYPES}


def _api(row: dict[str, str]) -> dict[str, tuple[int, int, int, int]]:
    return {t: (int(row[f"{t}_shnu_vol"]), int(row[f"{t}_seln_vol"]),
                int(row[f"{t}_shnu_tr_pbmn"]), int(row[f"{t}_seln_tr_pbmn"])) for t in TYPES}


async def _quote(kis: Wire) -> dict[str, str]:
    r = await kis.get("domestic_stock/inquire_price", FID_COND_MRKT_DIV_CODE="J",
                      FID_INPUT_ISCD=CODE)
    assert r.ok, r.body
    out: dict[str, str] = r.body["output"]
    return out


def _trade_for(kis: Wire, seconds: int) -> None:
    """Let the participants trade ``seconds`` of simulated time, in steps shorter than the
    engine's catch-up window so every tick is simulated (no path prints after ``START``)."""
    for _ in range(seconds // 5):
        kis.app.sim.clock.advance(5)
        kis.app.sim.exchange.quote(CODE)


def _path_volume(kis: Wire) -> int:
    """Volume the seeded path printed before the issue went live at ``START`` (nobody's)."""
    return sum(t.qty for t in kis.app.sim.exchange.trades(CODE, 1_000_000)
               if t.time <= START)


async def test_flows_balance_and_are_the_participants_trades(kis: Wire) -> None:
    await _quote(kis)  # the issue goes live: participants trade it from now
    _trade_for(kis, 60)
    row, engine, quote = await _daily(kis), _engine(kis), await _quote(kis)
    api = _api(row)
    volume = int(quote["acml_vol"])
    # balanced: every share bought by one type was sold by another
    assert sum(a[0] for a in api.values()) == sum(a[1] for a in api.values()) == volume
    assert sum(int(row[f"{t}_ntby_qty"]) for t in TYPES) == 0
    assert sum(int(row[f"{t}_ntby_tr_pbmn"]) for t in TYPES) == 0
    assert sum(a[2] for a in api.values()) == int(quote["acml_tr_pbmn"])
    # the engine's trades are in, type by type; the rest is the path's prints before START
    traded = sum(e[0] for e in engine.values())
    assert traded > 0 and engine["orgn"][0] > 0 and engine["prsn"][0] > 0
    path = _path_volume(kis)
    assert traded + path == volume
    for t in TYPES:
        assert all(0 <= api[t][k] - engine[t][k] <= path for k in (0, 1)), t
    # later: what the participants traded meanwhile is exactly what the flows grew by
    kis.app.sim.clock.advance(90)  # a jump: the part before the catch-up window is path
    row2, engine2 = await _daily(kis), _engine(kis)
    api2 = _api(row2)
    for t in TYPES:
        assert [api2[t][k] - api[t][k] for k in range(4)] == [
            engine2[t][k] - engine[t][k] for k in range(4)], t
    assert sum(engine2[t][0] - engine[t][0] for t in TYPES) > 0
    subs = ("scrt", "ivtr", "pe_fund", "bank", "insu", "mrbn", "fund")
    assert sum(int(row2[f"{s}_shnu_vol"]) for s in subs) == api2["orgn"][0]
    assert int(row2["etc_corp_ntby_vol"]) == int(row2["etc_ntby_qty"])


async def test_program_and_short_sales_are_the_program_participants(kis: Wire) -> None:
    await _quote(kis)
    _trade_for(kis, 150)
    _, by_type = kis.app.sim.exchange.investor_trades(CODE)
    bought, sold, bought_value, sold_value = by_type[Investor.PROGRAM]
    assert bought + sold > 0, "momentum (program) traders traded in 150 seconds"
    prog = await kis.get("domestic_stock/program_trade_by_stock_daily",
                         FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=CODE,
                         FID_INPUT_DATE_1="20261123")
    assert prog.ok, prog.body
    today = prog.body["output"][0]
    assert today["stck_bsop_date"] == "20261123"
    assert (int(today["whol_smtn_shnu_vol"]), int(today["whol_smtn_seln_vol"]),
            int(today["whol_smtn_shnu_tr_pbmn"]), int(today["whol_smtn_seln_tr_pbmn"])) == (
        bought, sold, bought_value, sold_value)
    assert int(today["whol_smtn_ntby_qty"]) == bought - sold
    short = await kis.get("domestic_stock/daily_short_sale", FID_COND_MRKT_DIV_CODE="J",
                          FID_INPUT_ISCD=CODE, FID_INPUT_DATE_1="20261101",
                          FID_INPUT_DATE_2="20261123")
    assert short.ok, short.body
    days = short.body["output2"]
    assert days[0]["stck_bsop_date"] == "20261123"
    assert (int(days[0]["ssts_cntg_qty"]), int(days[0]["ssts_tr_pbmn"])) == (sold, sold_value)
    assert int(days[0]["acml_ssts_cntg_qty"]) == sum(int(d["ssts_cntg_qty"]) for d in days)
    assert days[-1]["stck_bsop_date"] >= "20261101"
    # past days: the program is part of the institutions' trades, short sales of its sells
    daily = await kis.get("domestic_stock/investor_trade_by_stock_daily",
                          FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=CODE,
                          FID_INPUT_DATE_1="20261123", FID_ORG_ADJ_PRC="", FID_ETC_CLS_CODE="")
    orgn = {r["stck_bsop_date"]: int(r["orgn_shnu_vol"]) for r in daily.body["output2"]}
    progs = {r["stck_bsop_date"]: r for r in prog.body["output"]}
    for d in days[1:]:
        p = progs[d["stck_bsop_date"]]
        assert 0 < int(p["whol_smtn_shnu_vol"]) <= orgn[d["stck_bsop_date"]]
        assert 0 <= int(d["ssts_cntg_qty"]) <= int(p["whol_smtn_seln_vol"])


async def test_every_flows_api_tells_the_same_day(kis: Wire) -> None:
    await _quote(kis)
    kis.app.sim.clock.advance(120)
    row = await _daily(kis)
    inv = await kis.get("domestic_stock/inquire_investor", FID_COND_MRKT_DIV_CODE="J",
                        FID_INPUT_ISCD=CODE)
    assert inv.ok, inv.body
    today = inv.body["output"][0]
    for t in ("prsn", "frgn", "orgn"):
        for f in ("shnu_vol", "seln_vol", "ntby_qty", "shnu_tr_pbmn", "ntby_tr_pbmn"):
            assert today[f"{t}_{f}"] == row[f"{t}_{f}"], (t, f)
    # with 기타법인 (only in the daily API) the four categories balance
    assert sum(int(today[f"{t}_ntby_qty"]) for t in ("prsn", "frgn", "orgn")) + int(
        row["etc_ntby_qty"]) == 0
    for etc, sort in (("1", "0"), ("2", "1")):
        r = await kis.get("domestic_stock/foreign_institution_total", FID_COND_MRKT_DIV_CODE="V",
                          FID_COND_SCR_DIV_CODE="16449", FID_INPUT_ISCD="0000",
                          FID_DIV_CLS_CODE="0", FID_RANK_SORT_CLS_CODE=sort,
                          FID_ETC_CLS_CODE=etc)
        assert r.ok, r.body
        rows = r.body["output"]
        key = "frgn_ntby_qty" if etc == "1" else "orgn_ntby_qty"
        nets = [int(x[key]) for x in rows]
        assert nets == sorted(nets, reverse=sort == "0") and nets
        ranked = {x["mksc_shrn_iscd"]: x for x in rows}
        if CODE in ranked:
            assert ranked[CODE][key] == row[key]
        for x in rows[:3]:
            assert int(x["ntby_qty"]) == int(x[key])
