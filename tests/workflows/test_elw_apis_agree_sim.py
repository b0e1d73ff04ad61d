"""The ELW rankings, search and trends agree with ``inquire_elw_price`` at the same instant,
and the async helpers (AsyncWarrants, AsyncFuturesOptions) answer what the sync ones do.

The clock is stepped, so nothing moves between two requests: every API must show the engine's
ELW price, volume and the same model numbers.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from hantoo.futures_options import (
    AsyncFuturesOptions,
    AsyncWarrants,
    FuturesOptions,
    Warrants,
)

sys.path.insert(0, str(Path(__file__).parent))
from simkit import START, private_sim

RANK = dict(fid_cond_mrkt_div_code="W", fid_unas_input_iscd="005930", fid_input_iscd="00000",
            fid_div_cls_code="1", fid_input_price_1="", fid_input_price_2="",
            fid_input_vol_1="", fid_input_vol_2="", fid_blng_cls_code="0")


def _price(c: Any, code: str) -> Any:
    return c.domestic_stock.inquire_elw_price(fid_cond_mrkt_div_code="W",
                                              fid_input_iscd=code).output[0]


def test_rankings_search_and_trends_agree_with_the_price_api() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=50_000_000)
        w = Warrants(c)
        code = w.search("005930", "call")[0].code
        ask = c.order_book(code).best_ask
        assert ask is not None
        c.place_order(code, "buy", 500, ask.price)  # a user print on top of the LP flow
        sim.advance(600)
        p = _price(c, code)
        e = c.elw
        vol = {r.elw_shrn_iscd: r for r in e.volume_rank(
            fid_cond_scr_div_code="20278", fid_input_rmnn_dynu_1="0", fid_rank_sort_cls_code="0",
            fid_input_date_1=f"{START:%Y%m%d}", fid_input_iscd_2="00000",
            fid_input_date_2=f"{START:%Y%m%d}", **RANK).output}
        ranked = [r.acml_vol for r in vol.values()]
        assert ranked == sorted(ranked, reverse=True)
        up = {r.elw_shrn_iscd: r for r in e.updown_rate(
            fid_cond_scr_div_code="20277", fid_input_rmnn_dynu_1="0", fid_rank_sort_cls_code="0",
            fid_input_date_1=f"{START:%Y%m%d}", fid_input_date_2=f"{START:%Y%m%d}", **RANK).output}
        ind = {r.elw_shrn_iscd: r for r in e.indicator(
            fid_cond_scr_div_code="20279", fid_rank_sort_cls_code="0", **RANK).output}
        found = e.cond_search(
            fid_cond_mrkt_div_code="W", fid_cond_scr_div_code="11510",
            fid_rank_sort_cls_code="4", fid_input_cnt_1="1", fid_input_iscd="00000",
            fid_unas_input_iscd="005930", fid_mrkt_cls_code="C").output
        srch = {r.bond_shrn_iscd: r for r in found}
        assert [r.acml_vol for r in found] == sorted((r.acml_vol for r in found), reverse=True)
        assert code in vol and code in up and code in ind and code in srch
        assert p.acml_vol >= 500
        for row in (vol[code], up[code], ind[code], srch[code]):
            assert row.elw_prpr == p.elw_prpr and row.acml_vol == p.acml_vol
        assert vol[code].hts_ints_vltl == srch[code].hts_ints_vltl == p.hts_ints_vltl
        assert up[code].stck_hgpr == p.elw_hgpr and up[code].stck_lwpr == p.elw_lwpr
        assert ind[code].acpr == p.acpr

        one = dict(fid_cond_mrkt_div_code="W", fid_input_iscd=code)
        tick = e.volatility_trend_tick(**one).output[0]
        ccnl = e.volatility_trend_ccnl(**one).output[0]
        daily = e.volatility_trend_daily(**one).output[0]
        sens_d = e.sensitivity_trend_daily(**one).output[0]
        sens_c = e.sensitivity_trend_ccnl(**one).output[0]
        ind_d = e.indicator_trend_daily(**one).output[0]
        assert tick.elw_prpr == ccnl.elw_prpr == daily.elw_prpr == p.elw_prpr
        assert tick.hts_ints_vltl == ccnl.hts_ints_vltl == daily.hts_ints_vltl \
            == p.hts_ints_vltl
        assert (ccnl.bidp, ccnl.askp, ccnl.acml_vol) == (p.bidp, p.askp, p.acml_vol)
        assert daily.acml_vol == p.acml_vol and daily.elw_oprc == p.elw_oprc
        assert sens_d.hts_thpr == sens_c.hts_thpr == p.hts_thpr
        assert ind_d.elw_hgpr == p.elw_hgpr and ind_d.elw_lwpr == p.elw_lwpr
        lp = e.lp_trade_trend(**one)
        assert lp.output1[0].elw_prpr == p.elw_prpr
        today = lp.output2[0]
        assert today.prsn_deal_qty == p.acml_vol
        # history: one row per business day since listing, newest first, on the 5-won grid
        days = [r.stck_bsop_date for r in e.volatility_trend_daily(**one).output]
        assert days == sorted(days, reverse=True) and days[0] == START.date()
        assert all(r.elw_prpr % 5 == 0 for r in e.indicator_trend_daily(**one).output)
        # the call's delta is the sensitivity screen's and within (0, 1)
        assert 0 < sens_d.delta_val < 1


async def test_async_helpers_answer_what_the_sync_helpers_do() -> None:
    with private_sim() as sim:
        sim.fund(krw=200_000_000)
        with sim.client() as c:
            w, fo = Warrants(c), FuturesOptions(c)
            under = w.underlyings()
            calls = w.search("2001", "call")
            q = w.quote(calls[0].code)
            fut = fo.quote("A01612")
            months = fo.expiries()
            chain = fo.option_chain(months[0])
            book = fo.order_book("A01612")
        async with sim.async_client() as ac:
            aw, afo = AsyncWarrants(ac), AsyncFuturesOptions(ac)
            assert await aw.underlyings() == under
            assert await aw.search("2001", "call") == calls
            assert await aw.quote(calls[0].code) == q
            assert await afo.quote("A01612") == fut
            assert await afo.expiries() == months
            assert await afo.option_chain(months[0]) == chain
            assert await afo.order_book("A01612") == book
            # an order through the async helper shows in the sync helper's positions
            bids, asks = book
            ack = await afo.place_order("A01612", "buy", 1, asks[0][0])
            assert ack.odno
            positions = await afo.positions()
            margin = await afo.margin()
            can_open, can_close = await afo.orderable("A01612", "buy", asks[0][0])
            assert bids and can_open > 0 and can_close >= 0
        with sim.client() as c:
            fo = FuturesOptions(c)
            assert fo.positions() == positions
            assert [(p.code, p.quantity) for p in positions] == [("A01612", 1)]
            assert fo.margin() == margin and margin.initial_margin > 0
            assert isinstance(margin.cash, Decimal) and isinstance(q.price, Decimal)
            assert q.price % 5 == 0 and q.bid <= q.price <= q.ask
