"""Overseas futures stop and stop-limit orders, and GTD orders, through the real SDK against the
in-process simulator (issue 15).

A stop waits until the last trade price reaches it (checked minute by minute on the simulator
clock), then a stop fills at the book like a market order and a stop-limit works as a limit
order. The expected trigger minute and fill price come from the price model the quote APIs
answer from (``inquire_price`` at that instant), never from a hard-coded figure.

The clock is stepped and pinned: 00:30 KST on Tuesday 2026-11-24 is 09:30 on Monday in Chicago.
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
from hantoo.sim.engine.futures_book import book_of
from hantoo.sim.engine.overseas_futures import SPECS

sys.path.insert(0, str(Path(__file__).parent))
from simkit import private_sim

START = dt.datetime(2026, 11, 24, 0, 30, tzinfo=KST)
ES = SPECS["ES"]
CODE = "ESZ26"


def _order(c: Any, side: str, qty: int, kind: str, *, limit: Decimal | None = None,
           stop: Decimal | None = None, cndt: str = "6") -> str:
    r = c.overseas_futureoption.order(
        ovrs_futr_fx_pdno=CODE, sll_buy_dvsn_cd=side, fm_lqd_ustl_ccld_dt="",
        fm_lqd_ustl_ccno="", pric_dvsn_cd=kind,
        fm_limit_ord_pric="" if limit is None else str(limit),
        fm_stop_ord_pric="" if stop is None else str(stop), fm_ord_qty=qty,
        fm_lqd_lmt_ord_pric="", fm_lqd_stop_ord_pric="", ccld_cndt_cd=cndt,
        cplx_ord_dvsn_cd="0", ecis_rsvn_ord_yn="N", fm_hdge_ord_scrn_yn="N")
    out = r.raw["output"] if hasattr(r, "raw") else r
    return str(out.get("ODNO") if hasattr(out, "get") else out["ODNO"])


def _modify(c: Any, odno: str, *, limit: Decimal | None = None,
            stop: Decimal | None = None) -> None:
    c.overseas_futureoption.order_rvsecncl(
        ord_dv="0", orgn_ord_dt="20261123", orgn_odno=odno,
        fm_limit_ord_pric="" if limit is None else str(limit),
        fm_stop_ord_pric="" if stop is None else str(stop), fm_lqd_lmt_ord_pric="",
        fm_lqd_stop_ord_pric="", fm_hdge_ord_scrn_yn="N", fm_mkpr_cvsn_yn="N")


def _cancel(c: Any, odno: str, day: str = "20261123") -> None:
    c.overseas_futureoption.order_rvsecncl(
        ord_dv="1", orgn_ord_dt=day, orgn_odno=odno, fm_limit_ord_pric="",
        fm_stop_ord_pric="", fm_lqd_lmt_ord_pric="", fm_lqd_stop_ord_pric="",
        fm_hdge_ord_scrn_yn="N", fm_mkpr_cvsn_yn="N")


def _orders(c: Any) -> dict[str, Any]:
    rows = c.call("overseas_futureoption/inquire_ccld", {
        "CCLD_NCCS_DVSN": "01", "SLL_BUY_DVSN_CD": "%%", "FUOP_DVSN": "00",
        "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""}).rows("output")
    return {str(o.get("odno")): o for o in rows}


def _last(c: Any) -> Decimal:
    (q,) = c.call("overseas_futureoption/inquire_price", {"SRS_CD": CODE}).rows("output1")
    return Decimal(str(q.get("last_price")))


def _path(sim: Any, minutes: int) -> list[tuple[int, int]]:
    """(minute, last price in ticks) of the coming minutes, from the model the quotes use."""
    book = book_of(sim.state.exchange)
    now = sim.state.clock.now()
    return [(m, book.last_ticks(CODE, now + dt.timedelta(minutes=m)))
            for m in range(1, minutes + 1)]


def test_buy_stop_triggers_when_the_last_price_reaches_it_and_fills_at_the_book() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        last_ticks = int(_last(c) / ES.tick)
        path = _path(sim, 300)
        high = max(px for _m, px in path)
        assert high > last_ticks + 1, "the test needs the price to rise"
        stop = last_ticks + 1 + (high - last_ticks - 1) // 2  # above the market, reached later
        minute = next(m for m, px in path if px >= stop)
        odno = _order(c, "02", 1, "3", stop=stop * ES.tick)
        o = _orders(c)[odno]
        assert (o.get("bass_pric_type_cd"), o.get("fm_ccld_qty"), o.get("fm_ord_rmn_qty")) == \
            ("3", 0, 1)
        assert Decimal(str(o.get("fm_stop_ord_pric"))) == stop * ES.tick
        sim.advance((minute - 1) * 60)  # the minute before: still waiting
        assert _orders(c)[odno].get("fm_ccld_qty") == 0
        sim.advance(60)
        filled = _orders(c)[odno]
        assert filled.get("fm_ccld_qty") == 1 and filled.get("ord_stat_cd") == "03"
        # a stop becomes a market order: it buys at the ask of that minute (last + 1 tick)
        assert Decimal(str(filled.get("fm_ccld_pric"))) == _last(c) + ES.tick
        assert filled.get("ccld_dtl_dtime") == sim.state.clock.now()  # Korean time


def test_sell_stop_limit_becomes_a_limit_order_and_a_stop_can_be_moved() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        last_ticks = int(_last(c) / ES.tick)
        path = _path(sim, 360)
        low = min(px for _m, px in path)
        assert low < last_ticks - 2, "the test needs the price to fall"
        far = low - 50  # never reached: waits
        odno = _order(c, "01", 1, "4", stop=far * ES.tick, limit=(far - 4) * ES.tick)
        o = _orders(c)[odno]
        assert o.get("bass_pric_type_cd") == "4"
        assert Decimal(str(o.get("fm_ord_pric"))) == (far - 4) * ES.tick
        # move the stop up to under the price's low before its half-way point to the day's
        # low: the price reaches it later, not at once
        bottom = next(m for m, px in path if px == low)
        stop = min([last_ticks] + [px for m, px in path if m <= bottom // 2]) - 1
        assert low <= stop < last_ticks - 1, "the test needs the price to fall further later"
        _modify(c, odno, stop=stop * ES.tick, limit=(stop - 2) * ES.tick)
        orders = _orders(c)
        assert orders[odno].get("ord_stat_cd") == "05"
        (new,) = [v for v in orders.values() if str(v.get("orgn_odno")) == odno]
        assert Decimal(str(new.get("fm_stop_ord_pric"))) == stop * ES.tick
        trigger = next(m for m, px in path if px <= stop)
        # once triggered, a sell limit at stop - 2 fills at its own price at the first minute
        # (from the trigger on) whose bid (last - 1 tick) reaches it
        fill = next(m for m, px in path if m >= trigger and px - 1 >= stop - 2)
        assert trigger > 1
        sim.advance((trigger - 1) * 60)
        assert _orders(c)[str(new.get("odno"))].get("fm_ccld_qty") == 0  # not triggered yet
        sim.advance((360 - trigger + 1) * 60)
        done = _orders(c)[str(new.get("odno"))]
        assert done.get("fm_ccld_qty") == 1
        assert Decimal(str(done.get("fm_ccld_pric"))) == (stop - 2) * ES.tick  # its limit
        assert done.get("ccld_dtl_dtime") == START + dt.timedelta(minutes=fill)


def test_stops_refused_or_modified_with_the_reason() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        last = _last(c)
        with pytest.raises(ApiError, match="trigger at once"):  # a buy stop under the market
            _order(c, "02", 1, "3", stop=last - 4 * ES.tick)
        with pytest.raises(ApiError, match="FM_STOP_ORD_PRIC"):
            _order(c, "02", 1, "3")
        with pytest.raises(ApiError, match="tick"):
            _order(c, "02", 1, "3", stop=last + 100 * ES.tick + ES.tick / 2)
        odno = _order(c, "02", 1, "3", stop=last + 400 * ES.tick)
        with pytest.raises(ApiError, match="no limit price"):  # a stop has only its stop
            _modify(c, odno, limit=last + 401 * ES.tick)
        _cancel(c, odno)
        assert _orders(c)[odno].get("ord_stat_cd") == "04"


def test_gtd_order_lives_past_the_session_a_day_order_does_not() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        far = _last(c) - 800 * ES.tick  # 200 points under: rests all day
        day = _order(c, "02", 1, "1", limit=far, cndt="6")
        gtd = _order(c, "02", 1, "1", limit=far, cndt="5")
        orders = _orders(c)
        expiry = book_of(sim.state.exchange).spec(CODE)[1]  # the series' last trading day
        assert orders[gtd].get("noti_vald_dt") == expiry
        assert orders[day].get("noti_vald_dt") == dt.date(2026, 11, 23)
        sim.advance(24 * 3600)  # the next session (Tuesday in Chicago)
        orders = _orders(c)
        assert orders[gtd].get("ord_stat_cd") == "02" and orders[gtd].get("fm_ord_rmn_qty") == 1
        assert day not in orders or orders[day].get("ord_stat_cd") == "04"
        (dep,) = c.call("overseas_futureoption/inquire_deposit", {
            "CRCY_CD": "USD", "INQR_DT": "20261124"}).rows("output")
        assert Decimal(str(dep.get("fm_brkg_mgn_amt"))) == ES.margin  # the GTD order's margin
        _cancel(c, gtd)  # by its own (Monday's) order date
        daily = c.call("overseas_futureoption/inquire_daily_order", {
            "STRT_DT": "20261123", "END_DT": "20261124", "FM_PDGR_CD": "",
            "CCLD_NCCS_DVSN": "01", "SLL_BUY_DVSN_CD": "", "FUOP_DVSN": "00",
            "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""}).rows("output")
        rest = {str(o.get("odno")): (o.get("fm_ccld_qty"), o.get("fm_ord_rmn_qty"))
                for o in daily}
        assert rest == {gtd: (0, 0), day: (0, 0)}  # cancelled; the day order expired
        (dep,) = c.call("overseas_futureoption/inquire_deposit", {
            "CRCY_CD": "USD", "INQR_DT": "20261124"}).rows("output")
        assert Decimal(str(dep.get("fm_brkg_mgn_amt"))) == 0


def test_archived_futures_orders_still_answer_the_order_apis(tmp_path: Path) -> None:
    """With a state file, yesterday's finished orders leave memory at a snapshot; the daily
    order and fill lists (with each fill's order date) answer exactly as before it."""
    with private_sim(clock_start=START, state_path=str(tmp_path / "s.db")) as sim, \
            sim.client() as c:
        sim.fund(usd=100_000)
        _order(c, "02", 2, "2", cndt="2")  # a market buy: filled
        far = _last(c) - 800 * ES.tick
        gone = _order(c, "02", 1, "1", limit=far)
        _cancel(c, gone)
        _order(c, "01", 1, "1", limit=far + 1600 * ES.tick)  # a day order: expires tonight
        sim.advance(24 * 3600)  # Tuesday's session

        def lists() -> tuple[list[Any], list[Any]]:
            orders = c.call("overseas_futureoption/inquire_daily_order", {
                "STRT_DT": "20261123", "END_DT": "20261124", "FM_PDGR_CD": "",
                "CCLD_NCCS_DVSN": "01", "SLL_BUY_DVSN_CD": "", "FUOP_DVSN": "00",
                "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""}).rows("output")
            fills = c.call("overseas_futureoption/inquire_daily_ccld", {
                "STRT_DT": "20261123", "END_DT": "20261124", "FUOP_DVSN_CD": "00",
                "FM_PDGR_CD": "", "CRCY_CD": "%%%", "FM_ITEM_FTNG_YN": "N",
                "SLL_BUY_DVSN_CD": "%%", "CTX_AREA_FK200": "",
                "CTX_AREA_NK200": ""}).rows("output1")
            return ([o.to_dict() for o in orders], [f.to_dict() for f in fills])

        before = lists()
        assert len(before[0]) == 3 and len(before[1]) == 1
        book = book_of(sim.state.exchange)
        sim.state.exchange.checkpoint()
        assert book.orders == {} and book.fills == []  # all of Monday's left memory
        assert lists() == before
        assert before[1][0]["ord_dt"] == dt.date(2026, 11, 23)
