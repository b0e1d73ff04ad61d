"""Intraday flows: the per-minute flow tape adds up to the day totals the daily APIs report.

A stepped session with participants trading (activity 1) over a few minutes. The intraday
program-trading APIs (per issue, per market, by investor) and the market's investor flows so far
must equal, at the same instant, the engine's day totals by investor type and the daily APIs'
today rows; the per-minute buckets balance (every share bought by one type is sold by another);
``NX`` answers Nextrade's trades and ``UN`` both venues'.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from market_kit import START, Wire

from hantoo.sim.engine.flow_tape import rows as tape_rows
from hantoo.sim.engine.orders import VENUE_MAIN, VENUE_NXT
from hantoo.sim.engine.types import Investor
from hantoo.sim.marketdata.indices import INDICES, constituents

CODE = "005930"
SECTOR = "0013"  # 전기전자: six members, CODE among them
P = Investor.PROGRAM
TYPES = ("prsn", "frgn", "orgn", "etc")
KIS = {"prsn": (Investor.INDIVIDUAL,), "frgn": (Investor.FOREIGN,),
       "orgn": (Investor.INSTITUTION, Investor.PROGRAM), "etc": (Investor.OTHER,)}


def _rows(body: dict[str, Any], block: str = "output") -> list[dict[str, str]]:
    """A block as rows, newest first, whichever shape (object or list) is recorded for it."""
    v = body[block]
    return v if isinstance(v, list) else [v]


def _trade(kis: Wire, seconds: int, codes: tuple[str, ...] = (CODE,)) -> None:
    """Participants trade ``seconds`` of simulated time, every tick simulated."""
    for _ in range(seconds // 5):
        kis.app.sim.clock.advance(5)
        for code in codes:
            kis.app.sim.exchange.quote(code)


def _program(kis: Wire, venue: int = VENUE_MAIN) -> tuple[int, int, int, int]:
    day, by_type = kis.app.sim.exchange.investor_trades(CODE, venue)
    assert day == START.date()
    return by_type[P]


async def _by_stock(kis: Wire, market: str) -> list[dict[str, str]]:
    r = await kis.get("domestic_stock/program_trade_by_stock", FID_COND_MRKT_DIV_CODE=market,
                      FID_INPUT_ISCD=CODE)
    assert r.ok, r.body
    return _rows(r.body)


def _whole(row: dict[str, str]) -> tuple[int, int, int, int]:
    return (int(row["whol_smtn_shnu_vol"]), int(row["whol_smtn_seln_vol"]),
            int(row["whol_smtn_shnu_tr_pbmn"]), int(row["whol_smtn_seln_tr_pbmn"]))


async def test_program_by_time_ends_at_the_days_program_on_each_venue(kis: Wire) -> None:
    kis.app.sim.exchange.quote(CODE)
    _trade(kis, 150)
    krx, nxt = _program(kis), _program(kis, VENUE_NXT)
    assert krx[0] + krx[1] > 0 and nxt[0] + nxt[1] > 0  # both venues had program trading
    for market, want in (("J", krx), ("NX", nxt),
                         ("UN", tuple(a + b for a, b in zip(krx, nxt, strict=True)))):
        rows = await _by_stock(kis, market)
        assert _whole(rows[0]) == want, market
        r = await kis.get("domestic_stock/inquire_price", FID_COND_MRKT_DIV_CODE=market,
                          FID_INPUT_ISCD=CODE)
        assert r.ok, r.body
        assert rows[0]["stck_prpr"] == r.body["output"]["stck_prpr"], market
        assert rows[0]["acml_vol"] == r.body["output"]["acml_vol"], market
        # the net's change from the minute before: the rows' changes chain
        for newer, older in pairwise(rows):
            assert (int(newer["whol_smtn_ntby_qty"]) - int(older["whol_smtn_ntby_qty"])
                    == int(newer["whol_ntby_vol_icdc"]))
    # the daily API's today row is the same KRX program trading
    r = await kis.get("domestic_stock/program_trade_by_stock_daily", FID_COND_MRKT_DIV_CODE="J",
                      FID_INPUT_ISCD=CODE, FID_INPUT_DATE_1="20261123")
    assert r.ok, r.body
    today = _rows(r.body)[0]
    assert today["stck_bsop_date"] == "20261123"
    assert _whole(today) == krx


async def test_minute_buckets_balance_and_sum_to_the_day(kis: Wire) -> None:
    ex = kis.app.sim.exchange
    ex.quote(CODE)
    _trade(kis, 130)
    st = ex._states[CODE]
    for venue, nxt in ((VENUE_MAIN, False), (VENUE_NXT, True)):
        buckets = tape_rows(st, nxt)
        assert len(buckets) >= 2
        for _, row in buckets:
            assert sum(row[0:5]) == sum(row[5:10]) > 0  # what one type buys another sells
            assert sum(row[10:15]) == sum(row[15:20])
            assert 0 <= row[20] <= row[P] and 0 <= row[21] <= row[5 + P]  # arbitrage ⊆ program
        _, day = ex.investor_trades(CODE, venue)
        for inv in Investor:
            i = int(inv)
            assert tuple(sum(r[k + i] for _, r in buckets) for k in (0, 5, 10, 15)) == day[inv]


async def test_market_program_by_investor_and_by_time_agree(kis: Wire) -> None:
    ex = kis.app.sim.exchange
    members = [i.code for i in constituents(ex.universe, INDICES["0001"])]
    traded = (CODE, "000660")
    for code in traded:
        ex.quote(code)
    _trade(kis, 90, traded)
    # the market's program trading: the KRX program of every issue that traded today
    want = [0, 0, 0, 0]
    for code in members:
        st = ex._states.get(code)
        if st is not None and st.trade_day == START.date():
            _, by_type = ex.investor_trades(code)
            want = [a + b for a, b in zip(want, by_type[P], strict=True)]
    assert want[0] > 0
    r = await kis.get("domestic_stock/investor_program_trade_today", MRKT_DIV_CLS_CODE="1")
    assert r.ok, r.body
    by_class = {row["invr_cls_code"]: row for row in _rows(r.body, "output1")}
    if "9999" in by_class:  # the whole list (a single object is its first class)
        total = by_class["9999"]
        got = (int(total["all_shnu_qty"]), int(total["all_seln_qty"]),
               int(total["all_shnu_amt"]), int(total["all_seln_amt"]))
        assert list(got) == want
        assert by_class["7050"]["all_shnu_qty"] == total["all_shnu_qty"]  # institutions
        subs = ("1000", "2000", "3000", "3100", "4000", "5000", "6000")
        assert sum(int(by_class[c]["all_ntby_amt"]) for c in subs) == int(total["all_ntby_amt"])
        assert by_class["8000"]["all_shnu_qty"] == "0"  # individuals run no programs
    for row in by_class.values():
        for side in ("shnu_qty", "seln_qty", "shnu_amt", "seln_amt"):
            assert int(row[f"arbt_{side}"]) + int(row[f"nabt_{side}"]) == int(row[f"all_{side}"])
    r = await kis.get("domestic_stock/comp_program_trade_today", FID_COND_MRKT_DIV_CODE="J",
                      FID_MRKT_CLS_CODE="K", FID_SCTN_CLS_CODE="", FID_INPUT_ISCD="",
                      FID_COND_MRKT_DIV_CODE1="", FID_INPUT_HOUR_1="")
    assert r.ok, r.body
    newest = _rows(r.body)[0]
    assert list(_whole(newest)) == want
    idx = await kis.get("domestic_stock/inquire_index_price", FID_COND_MRKT_DIV_CODE="U",
                        FID_INPUT_ISCD="0001")
    assert idx.ok, idx.body
    assert newest["stck_clpr"] == idx.body["output"]["bstp_nmix_prpr"]
    r = await kis.get("domestic_stock/comp_program_trade_daily", FID_COND_MRKT_DIV_CODE="J",
                      FID_MRKT_CLS_CODE="K", FID_INPUT_DATE_1="20261116",
                      FID_INPUT_DATE_2="20261123")
    assert r.ok, r.body
    days = _rows(r.body)
    assert days[0]["stck_bsop_date"] == "20261123"
    newest_day = days[0]  # this block spells a few names differently (entm = all of it)
    assert [int(newest_day[f]) for f in ("whol_smtn_shnu_vol", "whol_smtn_seln_vol",
                                         "whol_smtn_shnu_tr_pbmn", "whol_entm_seln_tr_pbmn")
            ] == want
    for d in days:
        assert (int(d["arbt_smtn_shnu_vol"]) + int(d["nabt_smtn_shnu_vol"])
                == int(d["whol_smtn_shnu_vol"]))
        assert (int(d["arbt_smtn_seln_vol"]) + int(d["nabt_smtm_seln_vol"])
                == int(d["whol_smtn_seln_vol"]))


async def test_market_investor_flows_so_far_sum_the_issues_today(kis: Wire) -> None:
    kis.app.sim.exchange.quote(CODE)
    _trade(kis, 60)
    r = await kis.get("domestic_stock/inquire_investor_time_by_market", FID_INPUT_ISCD="0001",
                      FID_INPUT_ISCD_2=SECTOR)
    assert r.ok, r.body
    got = _rows(r.body)[0]
    want = dict.fromkeys(TYPES, 0)
    for code in INDICES[SECTOR].members:
        d = await kis.get("domestic_stock/investor_trade_by_stock_daily",
                          FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=code,
                          FID_INPUT_DATE_1="20261123", FID_ORG_ADJ_PRC="", FID_ETC_CLS_CODE="")
        assert d.ok, d.body
        today = _rows(d.body, "output2")[0]
        assert today["stck_bsop_date"] == "20261123"
        for t in TYPES:
            want[t] += int(today[f"{t}_ntby_tr_pbmn"])
    assert int(got["prsn_ntby_tr_pbmn"]) == want["prsn"]
    assert int(got["frgn_ntby_tr_pbmn"]) == want["frgn"]
    assert int(got["orgn_ntby_tr_pbmn"]) == want["orgn"]
    assert int(got["etc_corp_ntby_tr_pbmn"]) == want["etc"]
    assert sum(want.values()) == 0  # balanced
    subs = ("scrt", "ivtr", "pe_fund", "bank", "insu", "mrbn", "fund")
    assert sum(int(got[f"{s}_shnu_vol"]) for s in subs) == int(got["orgn_shnu_vol"])


async def test_intraday_flow_apis_refuse_bad_market_codes(kis: Wire) -> None:
    bad = [
        ("program_trade_by_stock", {"FID_COND_MRKT_DIV_CODE": "Q", "FID_INPUT_ISCD": CODE}),
        ("program_trade_by_stock", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "999999"}),
        ("investor_program_trade_today", {"MRKT_DIV_CLS_CODE": "7"}),
        ("comp_program_trade_today", {"FID_COND_MRKT_DIV_CODE": "J", "FID_MRKT_CLS_CODE": "Z",
                                      "FID_SCTN_CLS_CODE": "", "FID_INPUT_ISCD": "",
                                      "FID_COND_MRKT_DIV_CODE1": "", "FID_INPUT_HOUR_1": ""}),
        ("comp_program_trade_daily", {"FID_COND_MRKT_DIV_CODE": "J", "FID_MRKT_CLS_CODE": "K",
                                      "FID_INPUT_DATE_1": "20261130",
                                      "FID_INPUT_DATE_2": "20261101"}),
        ("inquire_investor_time_by_market", {"FID_INPUT_ISCD": "9999",
                                             "FID_INPUT_ISCD_2": "9998"}),
    ]
    for key, params in bad:
        r = await kis.get(f"domestic_stock/{key}", **params)
        assert not r.ok and r.body["rt_cd"] in ("1", "2"), (key, params, r.body)
        assert r.body["msg_cd"] in ("OPSQ2001", "MCA05918"), (key, r.body)


async def _daily_today(kis: Wire, key: str, market: str, block: str) -> dict[str, str]:
    extra = ({"FID_ORG_ADJ_PRC": "", "FID_ETC_CLS_CODE": ""}
             if key == "investor_trade_by_stock_daily" else {})
    r = await kis.get(f"domestic_stock/{key}", FID_COND_MRKT_DIV_CODE=market,
                      FID_INPUT_ISCD=CODE, FID_INPUT_DATE_1="20261123", **extra)
    assert r.ok, (key, market, r.body)
    row = _rows(r.body, block)[0]
    assert row["stck_bsop_date"] == "20261123"
    return row


def _sides(row: dict[str, str], t: str) -> tuple[int, int, int, int]:
    return (int(row[f"{t}_shnu_vol"]), int(row[f"{t}_seln_vol"]),
            int(row[f"{t}_shnu_tr_pbmn"]), int(row[f"{t}_seln_tr_pbmn"]))


async def test_daily_flow_apis_answer_nextrade_and_combined_today(kis: Wire) -> None:
    ex = kis.app.sim.exchange
    ex.quote(CODE)
    _trade(kis, 60)
    _, nxt = ex.investor_trades(CODE, VENUE_NXT)
    rows = {m: await _daily_today(kis, "investor_trade_by_stock_daily", m, "output2")
            for m in ("J", "NX", "UN")}
    nx_quote = ex.quote(CODE, "NX")
    assert rows["NX"]["acml_vol"] == str(nx_quote.volume)
    assert rows["UN"]["acml_vol"] == str(ex.quote(CODE, "UN").volume)
    for t in TYPES:
        want = tuple(sum(nxt[i][k] for i in KIS[t]) for k in range(4))
        assert _sides(rows["NX"], t) == want, t  # Nextrade's trades, nobody else's
        both = tuple(a + b for a, b in zip(_sides(rows["J"], t), want, strict=True))
        assert _sides(rows["UN"], t) == both, t  # KRX's (path part included) plus Nextrade's
    assert sum(int(rows["NX"][f"{t}_ntby_qty"]) for t in TYPES) == 0
    program = await _daily_today(kis, "program_trade_by_stock_daily", "NX", "output")
    assert _whole(program) == nxt[P]
    r = await kis.get("domestic_stock/inquire_investor", FID_COND_MRKT_DIV_CODE="NX",
                      FID_INPUT_ISCD=CODE)
    assert r.ok, r.body
    today = _rows(r.body)[0]
    assert today["stck_bsop_date"] == "20261123"
    assert int(today["frgn_shnu_vol"]) == nxt[Investor.FOREIGN][0]
    assert int(today["prsn_seln_tr_pbmn"]) == nxt[Investor.INDIVIDUAL][3]
    r = await kis.get("domestic_stock/investor_trade_by_stock_daily", FID_COND_MRKT_DIV_CODE="Q",
                      FID_INPUT_ISCD=CODE, FID_INPUT_DATE_1="20261123", FID_ORG_ADJ_PRC="",
                      FID_ETC_CLS_CODE="")
    assert not r.ok and r.body["msg_cd"] == "OPSQ2001", r.body


async def test_provisional_counts_are_the_trades_before_each_checkpoint() -> None:
    from datetime import datetime, timedelta

    from market_kit import wire

    from hantoo.sim.engine.clock import KST

    async with wire(clock_start=datetime(2026, 11, 23, 9, 55, tzinfo=KST)) as kis:
        ex = kis.app.sim.exchange
        ex.quote(CODE)
        _trade(kis, 295)
        kis.app.sim.clock.advance(timedelta(seconds=4.9))  # 09:59:59.9: the last tick before 10:00
        ex.quote(CODE)
        _, at_ten = ex.investor_trades(CODE)
        _trade(kis, 120)  # on to 10:02, trading
        r = await kis.get("domestic_stock/investor_trend_estimate", MKSC_SHRN_ISCD=CODE)
        assert r.ok, r.body
        rows = _rows(r.body, "output2")
        newest = rows[0]
        assert newest["bsop_hour_gb"] == "2"  # 10:00 is the last checkpoint passed
        frgn = at_ten[Investor.FOREIGN][0] - at_ten[Investor.FOREIGN][1]
        orgn = sum(at_ten[i][0] - at_ten[i][1] for i in KIS["orgn"])
        assert (frgn, orgn) != (0, 0)
        assert int(newest["frgn_fake_ntby_qty"]) == frgn
        assert int(newest["orgn_fake_ntby_qty"]) == orgn
        assert int(newest["sum_fake_ntby_qty"]) == frgn + orgn
        if len(rows) > 1:  # 09:30: before the issue went live, nobody's trades yet
            assert rows[1]["bsop_hour_gb"] == "1" and rows[1]["sum_fake_ntby_qty"] == "0"
