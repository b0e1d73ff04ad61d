"""One exchange rate per instant on every API that shows one, moving within and across days.

Real SDK against the in-process simulator, stepped clock: the rate chart (``X``/``FX@KRW``),
the present balance's rates, the buying power's rate, the margin per currency and the futures
deposit in won all carry the same won-per-dollar figure; a day later it has moved, everywhere,
and the won value of the same holding moved with it.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hantoo.errors import ApiError
from hantoo.sim.engine.clock import KST
from hantoo.sim.engine.fx import rates_of

sys.path.insert(0, str(Path(__file__).parent))
from simkit import private_sim

#: Tuesday 2026-11-24 10:00 KST: the US (mirror hours) trades.
START = dt.datetime(2026, 11, 24, 10, 0, tzinfo=KST)


def _rates(c: Any) -> dict[str, Decimal]:
    """The won-per-dollar rate as each API shows it."""
    out: dict[str, Decimal] = {}
    chart = c.call("overseas_stock/inquire_daily_chartprice", {
        "FID_COND_MRKT_DIV_CODE": "X", "FID_INPUT_ISCD": "FX@KRW",
        "FID_INPUT_DATE_1": "20261101", "FID_INPUT_DATE_2": "20261231",
        "FID_PERIOD_DIV_CODE": "D"})
    (head,) = chart.rows("output1")
    out["chart now"] = Decimal(str(head.get("ovrs_nmix_prpr")))
    out["chart bar"] = Decimal(str(chart.rows("output2")[0].get("ovrs_nmix_prpr")))
    pb = c.call("overseas_stock/inquire_present_balance", {
        "WCRC_FRCR_DVSN_CD": "02", "NATN_CD": "000", "TR_MKET_CD": "00", "INQR_DVSN_CD": "00"})
    (usd_row,) = [r for r in pb.rows("output2") if r.get("crcy_cd") == "USD"]
    out["present balance"] = Decimal(str(usd_row.get("frst_bltn_exrt")))
    for pos in pb.rows("output1"):
        out["holding"] = Decimal(str(pos.get("bass_exrt")))
    ps = c.call("overseas_stock/inquire_psamount", {
        "OVRS_EXCG_CD": "NASD", "OVRS_ORD_UNPR": "100", "ITEM_CD": "AAPL"})
    out["buying power"] = Decimal(str(ps.rows("output")[0].get("exrt")))
    fm = c.call("overseas_stock/foreign_margin", {})
    (us,) = [r for r in fm.rows("output") if r.get("natn_name") == "미국"]
    out["margin"] = Decimal(str(us.get("bass_exrt")))
    (itg,) = c.call("domestic_stock/intgr_margin", {
        "CMA_EVLU_AMT_ICLD_YN": "N", "WCRC_FRCR_DVSN_CD": "01",
        "FWEX_CTRT_FRCR_DVSN_CD": "01"}).rows("output")
    out["integrated margin"] = Decimal(str(itg.get("usd_frst_bltn_exrt")))
    # its integrated dollars: the dollars free plus the won free at that rate
    free = Decimal(str(itg.get("usd_ord_psbl_amt")))
    won = Decimal(str(itg.get("stck_cash_ord_psbl_amt")))
    others = sum(Decimal(str(itg.get(f"{k}_ord_psbl_amt"))) * Decimal(str(itg.get(
        f"{k}_frst_bltn_exrt"))) for k in ("hkd", "jpy", "cny"))
    expected = free + (won + others) / out["integrated margin"]
    assert abs(Decimal(str(itg.get("usd_itgr_ord_psbl_amt"))) - expected) <= Decimal("0.02")
    usd_dep = c.call("overseas_futureoption/inquire_deposit", {"CRCY_CD": "USD",
                                                               "INQR_DT": "20261124"})
    won_dep = c.call("overseas_futureoption/inquire_deposit", {"CRCY_CD": "TKR",
                                                               "INQR_DT": "20261124"})
    dollars = Decimal(str(usd_dep.rows("output")[0].get("fm_dnca_rmnd")))
    won = Decimal(str(won_dep.rows("output")[0].get("fm_dnca_rmnd")))
    out["futures deposit"] = (won / dollars).quantize(Decimal("0.0001"))
    return out


def test_every_api_shows_the_same_rate_and_it_moves() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=50_000)
        ask = c.order_book("NASD:AAPL").best_ask
        assert ask is not None
        c.place_order("NASD:AAPL", "buy", 10, ask.price)  # a US holding valued in won
        first = _rates(c)
        assert len(set(first.values())) == 1, first
        won_value = Decimal(str(c.call("overseas_stock/inquire_present_balance", {
            "WCRC_FRCR_DVSN_CD": "01", "NATN_CD": "840", "TR_MKET_CD": "00",
            "INQR_DVSN_CD": "00"}).rows("output1")[0].get("frcr_evlu_amt2")))
        sim.advance(6 * 3600)  # 16:00: the Seoul FX market has closed; the rate moved today
        closed = _rates(c)
        assert len(set(closed.values())) == 1, closed
        assert closed["margin"] != first["margin"]  # it moves within the day
        sim.advance(18 * 3600)  # Wednesday 10:00: a new fixing, and a morning's moves
        second = _rates(c)
        assert len(set(second.values())) == 1, second
        before, after = closed["margin"], second["margin"]
        assert after != before  # the rate moves from day to day
        # the chart's previous close is yesterday's close
        chart = c.call("overseas_stock/inquire_daily_chartprice", {
            "FID_COND_MRKT_DIV_CODE": "X", "FID_INPUT_ISCD": "FX@KRW",
            "FID_INPUT_DATE_1": "20261101", "FID_INPUT_DATE_2": "20261231",
            "FID_PERIOD_DIV_CODE": "D"})
        assert Decimal(str(chart.rows("output1")[0].get("ovrs_nmix_prdy_clpr"))) == before
        bars = chart.rows("output2")
        assert Decimal(str(bars[0].get("ovrs_nmix_oprc"))) == before
        for b in bars:
            assert b.get("ovrs_nmix_lwpr") <= min(b.get("ovrs_nmix_oprc"), b.get("ovrs_nmix_prpr"))
            assert b.get("ovrs_nmix_hgpr") >= max(b.get("ovrs_nmix_oprc"), b.get("ovrs_nmix_prpr"))
        # the same dollars are worth more or fewer won as the rate moved
        dollars = Decimal(str(c.call("overseas_stock/inquire_present_balance", {
            "WCRC_FRCR_DVSN_CD": "02", "NATN_CD": "840", "TR_MKET_CD": "00",
            "INQR_DVSN_CD": "00"}).rows("output1")[0].get("frcr_evlu_amt2")))
        won_now = Decimal(str(c.call("overseas_stock/inquire_present_balance", {
            "WCRC_FRCR_DVSN_CD": "01", "NATN_CD": "840", "TR_MKET_CD": "00",
            "INQR_DVSN_CD": "00"}).rows("output1")[0].get("frcr_evlu_amt2")))
        assert won_now == (dollars * after).quantize(Decimal(1), rounding="ROUND_HALF_UP")
        assert won_value != won_now


def test_rate_moves_within_the_day_from_the_clock_and_the_seed_alone() -> None:
    """Before the Seoul FX market opens the rate is the morning's fixing; during the session
    it walks minute by minute; the same seed at the same instant gives the same rate."""
    early = dt.datetime(2026, 11, 24, 8, 30, tzinfo=KST)
    seen: list[list[Decimal]] = []
    for _run in range(2):
        with private_sim(clock_start=early) as sim, sim.client() as c:
            sim.fund(usd=10_000)
            fixing = rates_of(sim.state.exchange).rate("USD", dt.date(2026, 11, 24))
            path = []
            for step in (0, 40, 1, 1, 77, 200):  # 08:30, 09:10, 09:11, 09:12, 10:29, 13:49
                sim.advance(step * 60)
                now = _rates(c)
                assert len(set(now.values())) == 1, now  # one rate at one instant
                path.append(now["margin"])
            assert path[0] == fixing  # before the open: the fixing
            assert len(set(path)) >= 4  # it moved during the session
            seen.append(path)
    assert seen[0] == seen[1]  # the seed and the clock decide it, nothing else


def test_integrated_margin_in_foreign_or_won_basis() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=12_345, krw=1_000_000)

        def margin(basis: str) -> Any:
            (row,) = c.call("domestic_stock/intgr_margin", {
                "CMA_EVLU_AMT_ICLD_YN": "N", "WCRC_FRCR_DVSN_CD": basis,
                "FWEX_CTRT_FRCR_DVSN_CD": "01"}).rows("output")
            return row

        foreign, won = margin("01"), margin("02")
        rate = Decimal(str(foreign.get("usd_frst_bltn_exrt")))
        assert Decimal(str(won.get("usd_frst_bltn_exrt"))) == rate
        for col in ("usd_objt_amt", "usd_ord_psbl_amt"):  # whole cents: exact in won
            dollars = Decimal(str(foreign.get(col)))
            assert Decimal(str(won.get(col))) == (dollars * rate).quantize(
                Decimal(1), rounding="ROUND_HALF_UP"), col
        # the integrated amount is converted before its cents are rounded: within a cent
        itgr = Decimal(str(foreign.get("usd_itgr_ord_psbl_amt")))
        assert abs(Decimal(str(won.get("usd_itgr_ord_psbl_amt"))) - itgr * rate) <= rate / 100
        assert Decimal(str(foreign.get("usd_objt_amt"))) >= 12_345
        with pytest.raises(ApiError, match="WCRC_FRCR_DVSN_CD"):
            margin("03")
