"""Futures and options against the simulator through the SDK: a futures lifecycle whose numbers
agree across the order, fill, balance, margin, orderable-quantity and deposit APIs; an option
chain that respects no-arbitrage and put–call parity; modify and cancel of a working order."""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

import pytest

from hantoo.errors import HantooError
from hantoo.futures_options import FuturesOptions, OptionQuote

sys.path.insert(0, str(Path(__file__).parent))
from simkit import START, private_sim

FRONT = "A01612"  # KOSPI200 futures, December 2026 (front quarter on the pinned clock)
MULT = 250_000


def _fee(notional: Decimal) -> Decimal:
    return (notional * Decimal(3) / Decimal(100_000)).to_integral_value(ROUND_CEILING)


def test_futures_lifecycle_agrees_everywhere() -> None:
    with private_sim() as sim, sim.client() as c:
        fo = FuturesOptions(c)
        start_cash = fo.margin().cash
        q = fo.quote(FRONT)
        assert q.name == "코스피200 F 202612" and q.last_trading_day is not None
        assert q.lower_limit < q.price < q.upper_limit
        assert abs(q.price - q.theoretical) <= Decimal("0.05")
        bids, asks = fo.order_book(FRONT)
        best_ask, ask_qty = asks[0]
        assert ask_qty >= 2  # the best level holds the whole order
        assert bids[0][0] < best_ask

        # buy at the best ask: fills against the house quote at that price
        ack = fo.place_order(FRONT, "buy", 2, best_ask)
        assert ack.odno.isdigit()
        [row] = [r for r in fo.orders(START.date()) if r.odno == ack.odno]
        assert (row.tot_ccld_qty, row.avg_idx) == (2, best_ask)
        notional = best_ask * 2 * MULT
        [pos] = fo.positions()
        assert (pos.code, pos.quantity, pos.average_price) == (FRONT, 2, best_ask)
        assert pos.purchase_amount == notional
        m = fo.margin()
        assert m.cash == start_cash - _fee(notional)
        # scanning margin of a futures-only position: the loss at −8 % of the index
        assert Decimal("0.075") * notional < m.initial_margin < Decimal("0.085") * notional
        assert m.maintenance_margin == int(m.initial_margin * 2 / 3)
        assert m.orderable == m.cash - m.initial_margin

        # orderable quantity agrees with the order check: n contracts pass, n + 1 do not
        far = (bids[0][0] - 20).quantize(Decimal("0.05"))
        new, closable = fo.orderable(FRONT, "buy", far)
        assert closable == 0 and new > 0
        with pytest.raises(HantooError) as exc:
            fo.place_order(FRONT, "buy", new + 1, far)
        assert "증거금" in str(exc.value)
        rest = fo.place_order(FRONT, "buy", new, far)
        assert fo.orderable(FRONT, "buy", far)[0] == 0
        fo.cancel_order(rest.odno)
        assert fo.orderable(FRONT, "buy", far)[0] == new

        # the market moves with the index; close at the best bid: realised P&L to cash
        sim.advance(3600)
        bids, _ = fo.order_book(FRONT)
        bid = bids[0][0]
        close = fo.place_order(FRONT, "sell", 2, bid)
        [row] = [r for r in fo.orders(START.date()) if r.odno == close.odno]
        assert row.tot_ccld_qty == 2
        assert fo.positions() == []
        m2 = fo.margin()
        realized = (bid - best_ask) * 2 * MULT
        fees = _fee(notional) + _fee(bid * 2 * MULT)
        assert m2.futures_realized == realized
        assert m2.initial_margin == 0 and m2.fees == fees
        # KRX pays futures P&L at the daily settlement: cash now, equity and orderable include it
        assert m2.cash == start_cash - fees
        assert m2.equity == m2.orderable == start_cash - fees + realized
        sim.advance(24 * 3600)  # the next trading day's first command settles
        assert fo.margin().cash == start_cash - fees + realized


def test_resting_order_modify_and_cancel() -> None:
    with private_sim() as sim, sim.client() as c:
        fo = FuturesOptions(c)
        bids, _ = fo.order_book(FRONT)
        low = bids[0][0] - Decimal("1.00")
        ack = fo.place_order(FRONT, "buy", 3, low)
        rows = {r.odno: r for r in fo.orders(START.date())}
        assert (rows[ack.odno].qty, rows[ack.odno].tot_ccld_qty) == (3, 0)  # working
        moved = fo.modify_order(ack.odno, low - Decimal("0.50"))
        assert moved.odno != ack.odno
        rows = {r.odno: r for r in fo.orders(START.date())}
        assert rows[ack.odno].qty == 0 and rows[moved.odno].qty == 3
        assert rows[moved.odno].ord_idx == low - Decimal("0.50")
        fo.cancel_order(moved.odno, 1)
        rows = {r.odno: r for r in fo.orders(START.date())}
        assert rows[moved.odno].qty == 2
        fo.cancel_order(moved.odno)
        rows = {r.odno: r for r in fo.orders(START.date())}
        assert rows[moved.odno].qty == 0
        with pytest.raises(HantooError) as exc:
            fo.cancel_order(moved.odno)
        assert "정정/취소" in str(exc.value)
        assert sim.wire.orders()  # every request above really went out


def _tick(price: Decimal) -> Decimal:
    return Decimal("0.01") if price < 10 else Decimal("0.05")


def test_option_chain_respects_no_arbitrage_and_parity() -> None:
    with private_sim() as sim, sim.client() as c:
        fo = FuturesOptions(c)
        month = fo.expiries()[0]
        chain = fo.option_chain(month)
        spot = fo.quote(FRONT).underlying
        assert len(chain.calls) == len(chain.puts) >= 20
        calls, puts = chain.calls, chain.puts
        for opt in calls + puts:
            assert opt.bid < opt.price < opt.ask or opt.bid == 0
            assert Decimal(0) < opt.price <= (spot if opt.kind == "call" else opt.strike)
            assert opt.theoretical == opt.price  # no trades yet: the house mid is the model
            assert Decimal(5) < opt.implied_vol < Decimal(60)
            assert (0 < opt.delta < 1) if opt.kind == "call" else (-1 < opt.delta < 0)
            assert opt.gamma > 0 and opt.vega > 0
            if abs(opt.strike - spot) < spot / 20:  # deep ITM European puts may gain with time
                assert opt.theta < 0
        # calls fall and puts rise with the strike; both are convex (butterflies ≥ 0)
        for seq, sign in ((calls, -1), (puts, 1)):
            prices = [o.price for o in seq]
            assert all(sign * (b - a) >= 0 for a, b in itertools.pairwise(prices))
            for a, b, d in zip(seq, seq[1:], seq[2:], strict=False):
                assert a.price + d.price - 2 * b.price >= -(_tick(a.price) + _tick(b.price))
        # put–call parity: C − P = S·e^{−qT} − K·e^{−rT} is linear in K with slope −e^{−rT};
        # fit it and every strike must sit on the line within the legs' rounding
        ks = [c.strike for c in calls]
        ys = [c.price - p.price for c, p in zip(calls, puts, strict=True)]
        n = len(ks)
        mk, my = sum(ks) / n, sum(ys) / n
        slope = sum((k - mk) * (y - my) for k, y in zip(ks, ys, strict=True)) / sum(
            (k - mk) ** 2 for k in ks)
        level = my - slope * mk
        assert Decimal("-1") < slope < Decimal("-0.99")  # discount factor of under a year
        assert spot * Decimal("0.99") < level < spot * Decimal("1.001")
        for cq, pq, y in zip(calls, puts, ys, strict=True):
            assert abs(y - (level + slope * cq.strike)) <= (_tick(cq.price) + _tick(pq.price))
        atm_call, atm_put = chain.atm()
        assert isinstance(atm_call, OptionQuote) and atm_call.strike == atm_put.strike
        assert abs(atm_call.strike - spot) <= Decimal("1.25")


def test_option_buy_pays_the_premium_and_a_short_option_needs_margin() -> None:
    with private_sim() as sim, sim.client() as c:
        fo = FuturesOptions(c)
        chain = fo.option_chain(fo.expiries()[0])
        call, put = chain.atm()
        cash0 = fo.margin().cash
        fo.place_order(call.code, "buy", 1, call.ask)
        premium = call.ask * MULT
        fee = (premium * Decimal(15) / Decimal(10_000)).to_integral_value(ROUND_CEILING)
        m = fo.margin()
        assert m.cash == cash0 - premium - fee
        assert m.initial_margin == 0  # a long option risks only its premium
        fo.place_order(put.code, "sell", 1, put.bid)
        m2 = fo.margin()
        received = put.bid * MULT
        fee2 = (received * Decimal(15) / Decimal(10_000)).to_integral_value(ROUND_CEILING)
        assert m2.cash == m.cash + received - fee2
        assert m2.initial_margin > 0
        positions = {p.code: p for p in fo.positions()}
        assert positions[call.code].quantity == 1 and positions[call.code].side.value == "buy"
        assert positions[put.code].quantity == 1 and positions[put.code].side.value == "sell"


def test_night_session_is_one_trading_day_over_two_dates() -> None:
    night = START.replace(hour=19)  # Monday 19:00: the night session of Tuesday's trading day
    with private_sim(clock_start=night) as sim, sim.client() as c:
        fo = FuturesOptions(c)
        bids, asks = fo.order_book(FRONT)
        assert bids and asks  # the house quotes at night too
        with pytest.raises(HantooError) as exc:
            fo.place_order(FRONT, "buy", 1, bids[0][0], session="day")
        assert "day session is closed" in str(exc.value)
        low = bids[0][0] - Decimal("2.00")
        rest = fo.place_order(FRONT, "buy", 1, low, session="night")
        filled = fo.place_order(FRONT, "buy", 1, asks[0][0], session="night")
        tuesday = START.date() + dt.timedelta(days=1)
        rows = {r.odno: r for r in fo.orders(tuesday)}
        assert rows[filled.odno].tot_ccld_qty == 1 and rows[filled.odno].ord_dt == tuesday
        assert fo.orders(START.date()) == []  # booked on the trading day, not the calendar day
        sim.advance(6 * 3600)  # 01:00 Tuesday: still the same session and trading day
        assert {r.odno: r for r in fo.orders(tuesday)}[rest.odno].qty == 1
        sim.advance(8 * 3600)  # 09:00 Tuesday: the night order expired at 06:00
        assert {r.odno: r for r in fo.orders(tuesday)}[rest.odno].qty == 0
        [pos] = fo.positions()
        assert pos.quantity == 1  # the position carries into the day session


def test_fees_fills_by_time_and_candles_agree_with_the_market() -> None:
    with private_sim() as sim, sim.client() as c:
        fo = FuturesOptions(c)
        api = c.domestic_futureoption
        _, asks = fo.order_book(FRONT)
        fo.place_order(FRONT, "buy", 2, asks[0][0])
        day = f"{START:%Y%m%d}"
        fees = api.inquire_daily_amount_fee(inqr_strt_day=day, inqr_end_day=day)
        [row] = fees.output1
        assert (row.pdno, row.buy_agrm_amt) == (FRONT, asks[0][0] * 2 * MULT)
        assert row.buy_fee == fo.margin().fees
        fills = api.inquire_ccnl_bstime(ord_dt=day, fuop_tr_strt_tmd="084500",
                                        fuop_tr_end_tmd="154500")
        assert [(f.pdno, f.ccld_qty, f.ccld_idx) for f in fills.output1] == [
            (FRONT, 2, asks[0][0])]
        before = api.inquire_ccnl_bstime(ord_dt=day, fuop_tr_strt_tmd="084500",
                                         fuop_tr_end_tmd="095959")
        assert before.output1 == ()  # the fill was at 10:00
        chart = api.inquire_daily_fuopchartprice(
            fid_cond_mrkt_div_code="F", fid_input_iscd=FRONT, fid_input_date_1="20261001",
            fid_input_date_2=day, fid_period_div_code="D")
        candles = chart.output2
        assert len(candles) > 20 and candles[0].stck_bsop_date == START.date()
        assert candles[0].futs_prpr == fo.quote(FRONT).price
        for k in candles:
            assert k.futs_lwpr <= min(k.futs_oprc, k.futs_prpr) <= max(k.futs_oprc, k.futs_prpr) \
                <= k.futs_hgpr


def test_daily_settlement_and_expiry_settle_in_cash() -> None:
    expiry_day = START.replace(month=12, day=10)  # Thursday: the December series expire
    with private_sim(clock_start=expiry_day) as sim, sim.client() as c:
        fo = FuturesOptions(c)
        chain = fo.option_chain("202612")
        call, put = chain.atm()
        _, asks = fo.order_book(FRONT)
        entry = asks[0][0]
        fo.place_order(FRONT, "buy", 1, entry)
        fo.place_order(call.code, "buy", 2, call.ask)
        fo.place_order(put.code, "sell", 1, put.bid)
        cash_before = fo.margin().cash
        sim.advance(int(5.75 * 3600))  # 15:45: trading over, the index has its close
        close = fo.quote(FRONT).underlying
        sim.advance(int(18.25 * 3600))  # Friday 10:00: the first command settles Thursday
        m = fo.margin()
        assert fo.positions() == []  # every December series expired and was settled
        fut_final = close.quantize(Decimal("0.05"))  # the final price is the index close
        call_pay = max(Decimal(0), close - call.strike) * 2 * MULT
        put_pay = max(Decimal(0), put.strike - close) * MULT
        expected = cash_before + (fut_final - entry) * MULT + call_pay - put_pay
        assert abs(m.cash - expected) <= Decimal("0.05") * MULT / 2  # rounding to the tick
        assert m.initial_margin == 0


def test_futures_are_marked_to_the_settlement_price_each_day() -> None:
    with private_sim() as sim, sim.client() as c:
        fo = FuturesOptions(c)
        _, asks = fo.order_book(FRONT)
        entry = asks[0][0]
        fo.place_order(FRONT, "buy", 2, entry)
        cash0 = fo.margin().cash
        sim.advance(24 * 3600)  # Tuesday 10:00
        [pos] = fo.positions()
        assert pos.average_price == entry  # trade price kept for display
        bal = c.domestic_futureoption.inquire_balance(mgna_dvsn="01", excc_stat_cd="1")
        settle = bal.output1[0].excc_unpr
        assert settle != entry or fo.margin().cash == cash0
        assert fo.margin().cash == cash0 + (settle - entry) * 2 * MULT
        assert fo.margin().futures_realized == (settle - entry) * 2 * MULT
