"""Overseas futures through the real SDK against the in-process simulator: order → fill →
position → P&L → cash, and every account API agreeing with the quote APIs at the same instant.

The simulator clock is stepped and pinned: 00:30 KST on Tuesday 2026-11-24 is 09:30 on Monday
in Chicago, inside CME's regular session.
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
from hantoo.sim.engine.overseas_futures import SPECS

sys.path.insert(0, str(Path(__file__).parent))
from simkit import private_sim

START = dt.datetime(2026, 11, 24, 0, 30, tzinfo=KST)
ES = SPECS["ES"]
VALUE = ES.multiplier  # dollars a point: 50


def _order(c: Any, side: str, qty: int, *, price: Decimal | None = None) -> Any:
    market = price is None
    r = c.overseas_futureoption.order(
        ovrs_futr_fx_pdno="ESZ26", sll_buy_dvsn_cd=side, fm_lqd_ustl_ccld_dt="",
        fm_lqd_ustl_ccno="", pric_dvsn_cd="2" if market else "1",
        fm_limit_ord_pric="" if market else str(price), fm_stop_ord_pric="", fm_ord_qty=qty,
        fm_lqd_lmt_ord_pric="", fm_lqd_stop_ord_pric="", ccld_cndt_cd="2" if market else "6",
        cplx_ord_dvsn_cd="0", ecis_rsvn_ord_yn="N", fm_hdge_ord_scrn_yn="N")
    return r.raw["output"] if hasattr(r, "raw") else r


def _call(c: Any, key: str, params: dict[str, str]) -> Any:
    return c.call(f"overseas_futureoption/{key}", params)


def _book(c: Any) -> tuple[Decimal, Decimal, Decimal]:
    (q,) = _call(c, "inquire_price", {"SRS_CD": "ESZ26"}).rows("output1")
    r = _call(c, "inquire_asking_price", {"SRS_CD": "ESZ26"})
    level = r.rows("output2")[0]
    return Decimal(str(q.get("last_price"))), Decimal(str(level.get("bid_price"))), \
        Decimal(str(level.get("ask_price")))


def _deposit(c: Any, currency: str = "USD") -> dict[str, Decimal]:
    r = _call(c, "inquire_deposit", {"CRCY_CD": currency, "INQR_DT": "20261123"})
    (row,) = r.rows("output")
    return {k: Decimal(str(row.get(k))) for k in (
        "fm_dnca_rmnd", "fm_lqd_pfls_amt", "fm_fee", "fm_fuop_evlu_pfls_amt",
        "fm_brkg_mgn_amt", "fm_ord_psbl_amt", "fm_tot_asst_evlu_amt")}


def _positions(c: Any) -> list[Any]:
    return list(_call(c, "inquire_unpd", {"FUOP_DVSN": "00", "CTX_AREA_FK100": "",
                                          "CTX_AREA_NK100": ""}).rows("output"))


def _orders(c: Any) -> list[Any]:
    return list(_call(c, "inquire_ccld", {"CCLD_NCCS_DVSN": "01", "SLL_BUY_DVSN_CD": "%%",
                                          "FUOP_DVSN": "00", "CTX_AREA_FK200": "",
                                          "CTX_AREA_NK200": ""}).rows("output"))


def test_futures_lifecycle_order_fill_position_pnl_cash() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        last, _bid, ask = _book(c)
        assert ask == last + ES.tick
        before = _deposit(c)
        # buying power: what the margin allows, before anything is held
        (ps,) = _call(c, "inquire_psamount", {"OVRS_FUTR_FX_PDNO": "ESZ26",
                                               "SLL_BUY_DVSN_CD": "02", "FM_ORD_PRIC": "0",
                                               "ECIS_RSVN_ORD_YN": "N"}).rows("output")
        assert int(str(ps.get("fm_new_ord_psbl_qty"))) == int(before["fm_ord_psbl_amt"]
                                                              // ES.margin)
        _order(c, "02", 2)  # market buy: fills at the ask
        (o,) = _orders(c)
        assert (o.get("fm_ccld_qty"), Decimal(str(o.get("fm_ccld_pric")))) == (2, ask)
        (p,) = _positions(c)
        assert p.get("sll_buy_dvsn_cd") == "02" and int(str(p.get("fm_ustl_qty"))) == 2
        assert Decimal(str(p.get("fm_ccld_avg_pric"))) == ask
        now_px = Decimal(str(p.get("fm_now_pric")))
        assert now_px == last  # the position is valued at the quote
        unreal = Decimal(str(p.get("fm_evlu_pfls_amt")))
        assert unreal == (now_px - ask) * 2 * VALUE
        held = _deposit(c)
        fee = held["fm_fee"]
        assert fee > 0 and held["fm_dnca_rmnd"] == before["fm_dnca_rmnd"] - fee
        assert held["fm_brkg_mgn_amt"] == ES.margin * 2
        assert held["fm_fuop_evlu_pfls_amt"] == unreal
        assert held["fm_ord_psbl_amt"] == held["fm_dnca_rmnd"] + unreal - ES.margin * 2
        # two hours later the position is worth what the quote says; sell it at the bid
        sim.advance(2 * 3600)
        last2, bid2, _ask2 = _book(c)
        (p2,) = _positions(c)
        assert Decimal(str(p2.get("fm_evlu_pfls_amt"))) == (last2 - ask) * 2 * VALUE
        _order(c, "01", 2)
        assert _positions(c) == []
        realized = (bid2 - ask) * 2 * VALUE
        after = _deposit(c)
        assert after["fm_lqd_pfls_amt"] == realized
        assert after["fm_fee"] == 2 * fee
        assert after["fm_dnca_rmnd"] == before["fm_dnca_rmnd"] + realized - 2 * fee
        assert after["fm_brkg_mgn_amt"] == 0 and after["fm_fuop_evlu_pfls_amt"] == 0
        # the same cash in the stock account's view of dollars (one ledger)
        bal = c.balance(market="NASD")
        assert bal.cash == after["fm_dnca_rmnd"]
        # P&L over the period, per series and in total
        r = _call(c, "inquire_period_ccld", {
            "INQR_TERM_FROM_DT": "20261123", "INQR_TERM_TO_DT": "20261123", "CRCY_CD": "%%%",
            "WHOL_TRSL_YN": "N", "FUOP_DVSN": "00", "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""})
        (total,) = r.rows("output1")
        assert Decimal(str(total.get("fm_lqd_pfls_amt"))) == realized
        assert Decimal(str(total.get("fm_net_pfls_amt"))) == realized - 2 * fee
        fills = _call(c, "inquire_daily_ccld", {
            "STRT_DT": "20261123", "END_DT": "20261123", "FUOP_DVSN_CD": "00", "FM_PDGR_CD": "",
            "CRCY_CD": "%%%", "FM_ITEM_FTNG_YN": "N", "SLL_BUY_DVSN_CD": "%%",
            "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""})
        assert [f.get("sll_buy_dvsn_cd") for f in fills.rows("output1")] == ["01", "02"]
        assert [Decimal(str(f.get("fm_ccld_amt"))) for f in fills.rows("output1")] == [
            bid2 * 2 * VALUE, ask * 2 * VALUE]  # 약정금액: price x contracts x multiplier
        # in won: the rate now, the same the FX model gives every other API at this instant
        won = _deposit(c, "TKR")
        ex = sim.state.exchange
        rate = rates_of(ex).rate("USD", ex.trading_day("KRX"), sim.state.clock.now())
        assert won["fm_dnca_rmnd"] == (after["fm_dnca_rmnd"] * rate).quantize(Decimal("0.01"))


def test_resting_limit_order_modify_cancel_and_fill_at_its_price() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        last, _bid, _ask = _book(c)
        far = last - 400 * ES.tick  # 100 points under: rests
        out = _order(c, "02", 1, price=far)
        odno = str(out.get("ODNO") if hasattr(out, "get") else out["ODNO"])
        (o,) = _orders(c)
        assert o.get("fm_ord_rmn_qty") == 1 and o.get("fm_ccld_qty") == 0
        assert _deposit(c)["fm_brkg_mgn_amt"] == ES.margin  # an open order holds margin
        with pytest.raises(ApiError, match="ORGN_ORD_DT"):  # the order's local day, not ours
            c.overseas_futureoption.order_rvsecncl(
                ord_dv="1", orgn_ord_dt="20261124", orgn_odno=odno, fm_limit_ord_pric="",
                fm_stop_ord_pric="", fm_lqd_lmt_ord_pric="", fm_lqd_stop_ord_pric="",
                fm_hdge_ord_scrn_yn="N", fm_mkpr_cvsn_yn="N")
        near = last - 2 * ES.tick
        c.overseas_futureoption.order_rvsecncl(
            ord_dv="0", orgn_ord_dt="20261123", orgn_odno=odno, fm_limit_ord_pric=str(near),
            fm_stop_ord_pric="", fm_lqd_lmt_ord_pric="", fm_lqd_stop_ord_pric="",
            fm_hdge_ord_scrn_yn="N", fm_mkpr_cvsn_yn="N")
        sim.advance(5 * 3600)  # to the session's last hour
        orders = {str(o.get("odno")): o for o in _orders(c)}
        assert orders[odno].get("ord_stat_cd") == "05"  # modified
        (new,) = [o for o in orders.values() if str(o.get("orgn_odno")) == odno]
        (q,) = _call(c, "inquire_price", {"SRS_CD": "ESZ26"}).rows("output1")
        low = Decimal(str(q.get("low_price")))
        if new.get("fm_ccld_qty") == 1:  # filled at its own price, once the book reached it
            assert Decimal(str(new.get("fm_ccld_pric"))) == near
            assert low + ES.tick <= near
            (p,) = _positions(c)
            assert Decimal(str(p.get("fm_ccld_avg_pric"))) == near
        else:  # never reached: cancel what rests
            c.overseas_futureoption.order_rvsecncl(
                ord_dv="1", orgn_ord_dt="20261123", orgn_odno=str(new.get("odno")),
                fm_limit_ord_pric="", fm_stop_ord_pric="", fm_lqd_lmt_ord_pric="",
                fm_lqd_stop_ord_pric="", fm_hdge_ord_scrn_yn="N", fm_mkpr_cvsn_yn="N")
            assert _deposit(c)["fm_brkg_mgn_amt"] == 0


def test_futures_orders_refused_with_the_reason() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        (ps,) = _call(c, "inquire_psamount", {"OVRS_FUTR_FX_PDNO": "ESZ26",
                                               "SLL_BUY_DVSN_CD": "02", "FM_ORD_PRIC": "0",
                                               "ECIS_RSVN_ORD_YN": "N"}).rows("output")
        most = int(str(ps.get("fm_new_ord_psbl_qty")))
        last, _bid, _ask = _book(c)
        with pytest.raises(ApiError, match="margin"):  # one contract more than it allows
            _order(c, "02", most + 1, price=last - 100 * ES.tick)
        with pytest.raises(ApiError, match="tick"):
            _order(c, "02", 1, price=last + ES.tick / 2)
        with pytest.raises(ApiError, match="CCLD_CNDT_CD"):
            c.call("overseas_futureoption/order", {
                "OVRS_FUTR_FX_PDNO": "ESZ26", "SLL_BUY_DVSN_CD": "02", "PRIC_DVSN_CD": "2",
                "FM_LIMIT_ORD_PRIC": "", "FM_STOP_ORD_PRIC": "", "FM_ORD_QTY": "1",
                "FM_LQD_USTL_CCLD_DT": "", "FM_LQD_USTL_CCNO": "", "FM_LQD_LMT_ORD_PRIC": "",
                "FM_LQD_STOP_ORD_PRIC": "", "CCLD_CNDT_CD": "6", "CPLX_ORD_DVSN_CD": "0",
                "ECIS_RSVN_ORD_YN": "N", "FM_HDGE_ORD_SCRN_YN": "N"})
        sim.advance(8 * 3600)  # 17:30 in Chicago: the regular session is over
        with pytest.raises(ApiError, match="session"):
            _order(c, "02", 1)
        assert _orders(c) == []  # nothing refused was kept


def test_minute_bars_end_at_the_quote_and_stay_inside_the_day() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.advance(3 * 3600 + 17 * 60)  # 12:47 in Chicago
        (q,) = _call(c, "inquire_price", {"SRS_CD": "ESZ26"}).rows("output1")
        r = _call(c, "inquire_time_futurechartprice", {
            "SRS_CD": "ESZ26", "EXCH_CD": "CME", "START_DATE_TIME": "",
            "CLOSE_DATE_TIME": "", "QRY_TP": "Q", "QRY_CNT": "500", "QRY_GAP": "5",
            "INDEX_KEY": ""})
        bars = r.rows("output1")  # the futures minute chart answers its bars in output1
        # 08:30 to 12:47 in five-minute bars, the last one still open
        assert len(bars) == (4 * 60 + 17 + 4) // 5
        assert bars[0].get("last_price") == q.get("last_price")
        assert bars[-1].get("open_price") == q.get("open_price")
        for b in bars:
            assert q.get("low_price") <= b.get("low_price") <= b.get("high_price") \
                <= q.get("high_price")
            assert b.get("low_price") <= min(b.get("open_price"), b.get("last_price"))
        ticks = _call(c, "tick_ccnl", {
            "SRS_CD": "ESZ26", "EXCH_CD": "CME", "START_DATE_TIME": "", "CLOSE_DATE_TIME": "",
            "QRY_TP": "Q", "QRY_CNT": "40", "QRY_GAP": "", "INDEX_KEY": ""}).rows("output2")
        assert len(ticks) == 40 and ticks[0].get("last_price") == q.get("last_price")


def test_sdk_workflows_take_a_futures_symbol() -> None:
    from hantoo.domain.errors import TickSizeError

    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        sim.advance(3600)
        q = c.quote("CME:ESZ26")
        last, bid, ask = _book(c)
        assert (q.price, q.currency, q.exchange) == (last, "USD", "CME")
        assert q.low is not None and q.high is not None and q.low <= q.price <= q.high
        book = c.order_book("CME:ESZ26")
        assert book.best_ask is not None and book.best_bid is not None
        assert (book.best_ask.price, book.best_bid.price) == (ask, bid)
        days = c.candles("CME:ESZ26", "2026-10-01", "2026-11-23", "day")
        assert days[-1].close == q.price and days[-1].date == dt.date(2026, 11, 23)
        assert all(b.low <= min(b.open, b.close) and b.high >= max(b.open, b.close) for b in days)
        assert len({b.date for b in days}) == len(days) > 30
        minutes = c.candles("CME:ESZ26", "2026-11-23", "2026-11-23", "minute")
        assert minutes[-1].close == q.price and len(minutes) == 120  # 08:30-10:30 Chicago
        assert minutes[0].time == dt.datetime(2026, 11, 23, 23, 30, tzinfo=KST)  # 08:30 CST
        # checked before sending: off the tick, not whole contracts, not a side
        sent = len(sim.wire.orders())
        with pytest.raises(TickSizeError, match=r"tick of 0\.25"):
            c.place_futures_order("CME:ESZ26", "buy", 1, q.price + ES.tick / 5)
        with pytest.raises(ValueError, match="contracts"):
            c.place_futures_order("CME:ESZ26", "buy", 0, q.price)
        with pytest.raises(ValueError, match="futures symbol"):
            c.place_futures_order("NASD:AAPL", "buy", 1, 100)
        assert len(sim.wire.orders()) == sent  # nothing left the client
        resting = c.place_futures_order("CME:ESZ26", "buy", 1, q.price - 200 * ES.tick)
        assert resting.ref.order_day == dt.date(2026, 11, 23) and resting.order_no
        c.cancel_futures_order(resting)
        assert {str(o.get("ord_stat_cd")) for o in _orders(c)} == {"04"}
        c.place_futures_order("CME:ESZ26", "sell", 3)  # market: short three at the bid
        (p,) = _positions(c)
        assert (p.get("sll_buy_dvsn_cd"), int(str(p.get("fm_ustl_qty")))) == ("01", 3)
        assert Decimal(str(p.get("fm_ccld_avg_pric"))) == bid
        assert len(sim.wire.orders()) == sent + 3  # one order each, never resent


@pytest.mark.parametrize("strike", ["5800", "6000", "6200"])
def test_option_premiums_follow_the_future_with_put_call_parity(strike: str) -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.advance(2 * 3600)
        (f,) = _call(c, "inquire_price", {"SRS_CD": "ESZ26"}).rows("output1")
        call = _call(c, "opt_price", {"SRS_CD": f"ESZ26 C{strike}"}).rows("output1")[0]
        put = _call(c, "opt_price", {"SRS_CD": f"ESZ26 P{strike}"}).rows("output1")[0]
        forward = f.get("last_price") - Decimal(strike)
        # C - P = F - K, to the tick each premium is rounded to
        assert abs(call.get("last_price") - put.get("last_price") - forward) <= ES.tick
        assert call.get("last_price") >= max(forward, 0) and put.get("last_price") >= max(
            -forward, 0)
        for q in (call, put):
            assert q.get("low_price") <= min(q.get("open_price"), q.get("last_price"))
            assert q.get("high_price") >= max(q.get("open_price"), q.get("last_price"))
        bars = _call(c, "opt_daily_ccnl", {
            "SRS_CD": f"ESZ26 C{strike}", "EXCH_CD": "CME", "QRY_CNT": "20",
            "START_DATE_TIME": "", "CLOSE_DATE_TIME": "", "QRY_GAP": "", "QRY_TP": "Q",
            "INDEX_KEY": ""}).rows("output2")
        assert bars[0].get("last_price") == call.get("last_price")
        assert all(b.get("low_price") <= min(b.get("open_price"), b.get("last_price"))
                   for b in bars)
        with pytest.raises(ApiError, match="SRS_CD"):  # a future is not an option
            _call(c, "opt_price", {"SRS_CD": "ESZ26"})
        with pytest.raises(ApiError, match="SRS_CD"):  # and the other way round
            _call(c, "inquire_price", {"SRS_CD": f"ESZ26 C{strike}"})


def test_open_interest_report_adds_up_every_week() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        del sim
        r = _call(c, "investor_unpd_trend", {"PROD_ISCD": "ES", "BSOP_DATE": "20261120",
                                              "UPMU_GUBUN": "0", "CTS_KEY": ""})
        weeks = r.rows("output2")
        assert len(weeks) == 20 and str(weeks[0].get("bsop_date")) == "2026-11-17"  # a Tuesday
        for w in weeks:
            oi = int(str(w.get("hts_otst_smtn")))
            longs = sum(int(str(w.get(k))) for k in ("bidp_spec", "bidp_hedge", "bidp_missing",
                                                     "spread_spec"))
            shorts = sum(int(str(w.get(k))) for k in ("askp_spec", "askp_hedge", "askp_missing",
                                                      "spread_spec"))
            assert longs == shorts == oi > 0
        changes = _call(c, "investor_unpd_trend", {"PROD_ISCD": "ES", "BSOP_DATE": "20261120",
                                                    "UPMU_GUBUN": "1", "CTS_KEY": ""})
        delta = int(str(changes.rows("output2")[0].get("hts_otst_smtn")))
        assert delta == int(str(weeks[0].get("hts_otst_smtn"))) - int(
            str(weeks[1].get("hts_otst_smtn")))


def test_option_lifecycle_premium_margin_and_pnl() -> None:
    code = "ESZ26 C6000"
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(usd=100_000)
        level = _call(c, "opt_asking_price", {"SRS_CD": code}).rows("output2")[0]
        ask = Decimal(str(level.get("ask_price")))
        cash0 = _deposit(c)["fm_dnca_rmnd"]
        (ps,) = _call(c, "inquire_psamount", {"OVRS_FUTR_FX_PDNO": code, "SLL_BUY_DVSN_CD": "02",
                                               "FM_ORD_PRIC": "0",
                                               "ECIS_RSVN_ORD_YN": "N"}).rows("output")
        (q0,) = _call(c, "opt_price", {"SRS_CD": code}).rows("output1")
        # a bought option needs its premium, not a futures margin
        assert int(str(ps.get("fm_new_ord_psbl_qty"))) == int(
            _deposit(c)["fm_ord_psbl_amt"] // (Decimal(str(q0.get("last_price"))) * VALUE))
        c.call("overseas_futureoption/order", {
            "OVRS_FUTR_FX_PDNO": code, "SLL_BUY_DVSN_CD": "02", "PRIC_DVSN_CD": "2",
            "FM_LIMIT_ORD_PRIC": "", "FM_STOP_ORD_PRIC": "", "FM_ORD_QTY": "2",
            "FM_LQD_USTL_CCLD_DT": "", "FM_LQD_USTL_CCNO": "", "FM_LQD_LMT_ORD_PRIC": "",
            "FM_LQD_STOP_ORD_PRIC": "", "CCLD_CNDT_CD": "2", "CPLX_ORD_DVSN_CD": "0",
            "ECIS_RSVN_ORD_YN": "N", "FM_HDGE_ORD_SCRN_YN": "N"})
        (p,) = _positions(c)
        assert (p.get("fuop_dvsn"), Decimal(str(p.get("fm_ccld_avg_pric")))) == ("02", ask)
        (q,) = _call(c, "opt_price", {"SRS_CD": code}).rows("output1")
        value = q.get("last_price") * 2 * VALUE
        assert Decimal(str(p.get("fm_opt_evlu_amt"))) == value
        dep = _deposit(c)
        paid = ask * 2 * VALUE
        # premium-settled: the premium left the cash at the fill; a bought option holds no
        # margin, and the account is worth its cash plus the option at today's premium
        assert dep["fm_brkg_mgn_amt"] == 0
        assert dep["fm_dnca_rmnd"] == cash0 - paid - dep["fm_fee"]
        assert dep["fm_fuop_evlu_pfls_amt"] == (q.get("last_price") - ask) * 2 * VALUE
        assert dep["fm_tot_asst_evlu_amt"] == dep["fm_dnca_rmnd"] + value
        assert dep["fm_ord_psbl_amt"] == dep["fm_dnca_rmnd"]  # the option's gain is not cash
        (fill,) = _call(c, "inquire_daily_ccld", {
            "STRT_DT": "20261123", "END_DT": "20261123", "FUOP_DVSN_CD": "02",
            "FM_PDGR_CD": "", "CRCY_CD": "%%%", "FM_ITEM_FTNG_YN": "N",
            "SLL_BUY_DVSN_CD": "%%", "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""}).rows("output1")
        assert Decimal(str(fill.get("fm_opt_ccld_amt"))) == paid
        assert Decimal(str(fill.get("fm_futr_ccld_amt"))) == 0
        sim.advance(3 * 3600)
        bid = Decimal(str(_call(c, "opt_asking_price", {"SRS_CD": code}).rows("output2")[0]
                          .get("bid_price")))
        c.call("overseas_futureoption/order", {
            "OVRS_FUTR_FX_PDNO": code, "SLL_BUY_DVSN_CD": "01", "PRIC_DVSN_CD": "2",
            "FM_LIMIT_ORD_PRIC": "", "FM_STOP_ORD_PRIC": "", "FM_ORD_QTY": "2",
            "FM_LQD_USTL_CCLD_DT": "", "FM_LQD_USTL_CCNO": "", "FM_LQD_LMT_ORD_PRIC": "",
            "FM_LQD_STOP_ORD_PRIC": "", "CCLD_CNDT_CD": "2", "CPLX_ORD_DVSN_CD": "0",
            "ECIS_RSVN_ORD_YN": "N", "FM_HDGE_ORD_SCRN_YN": "N"})
        assert _positions(c) == []
        after = _deposit(c)
        assert after["fm_lqd_pfls_amt"] == (bid - ask) * 2 * VALUE
        assert after["fm_brkg_mgn_amt"] == 0
        # the sale's premium came in; over the round trip the cash moved by the P&L and fees
        assert after["fm_dnca_rmnd"] == dep["fm_dnca_rmnd"] + bid * 2 * VALUE - dep["fm_fee"]
        assert after["fm_dnca_rmnd"] == cash0 + (bid - ask) * 2 * VALUE - after["fm_fee"]
