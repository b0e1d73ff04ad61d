"""The rest of the domestic futures/options APIs: boards, daily candles, fees, fills by time,
settlement P&L and the margin breakdown — all from the derivatives market and the index module.

* Daily candles (``inquire_daily_fuopchartprice``) are the model applied to the underlying
  index's daily levels (:func:`hantoo.sim.marketdata.indices.daily_levels`): each day's open,
  high, low and close of the series is its fair value (futures) or Black–Scholes value (options)
  at the index's level and the time left on that day; today's close is the live price.
* ``exp_price_trend``: the simulator runs no call auctions for derivatives, so there is no
  expected price; the API answers the base price and an empty trend.
* Intraday candles (``inquire_time_fuopchartprice``) are the series' trades of the trading day
  (its packed tape, :mod:`hantoo.sim.derivatives.tape`) in buckets of ``FID_HOUR_CLS_CODE``
  seconds: the last bar closes at the live price, the bars' volumes and values add up to the
  day's, and today's daily candle has the same open, high and low once the series has traded.
  Only the current trading day's tape is kept: an earlier date answers no bars.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from ..derivatives.instruments import DerivInstrument
from ..derivatives.market import EXPIRY_CLOSE, Snapshot
from ..engine.clock import from_us, to_us
from ..engine.orders import BUY
from ..marketdata.indices import daily_levels, index_level
from . import BusinessError, Call, Reply, ok, register
from ._common import engine_errors, keyset_page, parse_date
from ._futureoption import (
    change_fields,
    choice,
    instrument,
    invalid,
    market,
    market_code,
    pts,
    won,
)
from .futureoption_trading import _account


def _chart_head(inst: DerivInstrument, s: Snapshot) -> dict[str, str]:
    """``output1`` of the daily and intraday futures/options charts: the series' quote now
    (both chart APIs answer the same head, so it is written once)."""
    vrss, sign, rate = change_fields(s.price, s.base, at_upper=s.price >= s.upper,
                                     at_lower=s.price <= s.lower)
    return {"hts_kor_isnm": inst.name, "futs_prpr": pts(s.price), "futs_shrn_iscd": inst.code,
            "futs_prdy_vrss": vrss, "prdy_vrss_sign": sign, "futs_prdy_ctrt": rate,
            "futs_prdy_clpr": pts(s.base), "acml_vol": str(s.volume),
            "acml_tr_pbmn": won(s.value), "futs_mxpr": pts(s.upper), "futs_llam": pts(s.lower),
            "futs_oprc": pts(s.open), "futs_hgpr": pts(s.high), "futs_lwpr": pts(s.low),
            "futs_askp": pts(s.asks[0][0] if s.asks else 0),
            "futs_bidp": pts(s.bids[0][0] if s.bids else 0),
            "basis": pts(s.price - s.spot if not inst.is_option else 0),
            "kospi200_nmix": pts(s.spot), "hts_thpr": pts(s.theo),
            "hts_otst_stpl_qty": str(s.open_interest)}


def _hhmmss(call: Call, wire: str) -> time:
    raw = call.param(wire).strip()
    try:
        if len(raw) != 6 or not raw.isdigit():
            raise ValueError(raw)
        return time(int(raw[:2]), int(raw[2:4]), int(raw[4:]))
    except ValueError:
        raise invalid(wire, f"{raw[:8]!r}: HHMMSS") from None


@register("domestic_futureoption/display_board_top")
def display_board_top(call: Call) -> Reply:
    """국내선물 기초자산 시세 (FHPIF05030000): the underlying and the series."""
    mkt = market_code(call)
    inst = instrument(call, "FID_INPUT_ISCD", market_code=mkt)
    m = market(call)
    with engine_errors():
        s = m.snapshot(inst.code)
        spot, prev = m.spot(inst.group)
    uv, us, ur = change_fields(Decimal(repr(spot)), Decimal(repr(prev)), at_upper=False,
                               at_lower=False)
    lv = index_level(m.ex, inst.group) if len(inst.group) == 4 else None
    vrss, sign, rate = change_fields(s.price, s.base, at_upper=False, at_lower=False)
    return ok(
        output1={"unas_prpr": pts(s.spot), "unas_prdy_vrss": uv, "unas_prdy_vrss_sign": us,
                 "unas_prdy_ctrt": ur, "unas_acml_vol": str(lv.volume if lv else 0)},
        output2=[{"hts_kor_isnm": inst.name, "futs_prpr": pts(s.price), "futs_prdy_vrss": vrss,
                  "prdy_vrss_sign": sign, "futs_prdy_ctrt": rate,
                  "hts_rmnn_dynu": str(max(0, (inst.expiry - call.now().date()).days))}],
    )


@register("domestic_futureoption/exp_price_trend")
def exp_price_trend(call: Call) -> Reply:
    """선물옵션 일중예상체결추이 (FHPIF05110100): no derivatives call auctions are simulated."""
    mkt = market_code(call)
    inst = instrument(call, "FID_INPUT_ISCD", market_code=mkt)
    with engine_errors():
        s = market(call).snapshot(inst.code)
    return ok(output1={"hts_kor_isnm": inst.name, "futs_antc_cnpr": "0",
                       "antc_cntg_vrss_sign": "3", "futs_antc_cntg_vrss": "0",
                       "antc_cntg_prdy_ctrt": "0", "futs_sdpr": pts(s.base)}, output2=[])


@register("domestic_futureoption/inquire_daily_fuopchartprice")
def inquire_daily_fuopchartprice(call: Call) -> Reply:
    """선물옵션기간별시세 (FHKIF03020100): daily (``D``) or weekly (``W``) candles."""
    mkt = market_code(call)
    inst = instrument(call, "FID_INPUT_ISCD", market_code=mkt)
    start = parse_date(call, "FID_INPUT_DATE_1")
    end = parse_date(call, "FID_INPUT_DATE_2")
    if end < start:
        raise invalid("FID_INPUT_DATE_2", f"{end:%Y%m%d} is before FID_INPUT_DATE_1")
    period = choice(call, "FID_PERIOD_DIV_CODE", ("D", "W"))
    if len(inst.group) != 4:
        raise BusinessError("MCA05918", f"종목코드 오류입니다. (FID_INPUT_ISCD={inst.code}: "
                                        "candles are simulated for index products)")
    m = market(call)
    today = call.now().date()
    with engine_errors():
        s = m.snapshot(inst.code)
        levels = daily_levels(m.ex, inst.group, max(start, today - timedelta(days=400)),
                              min(end, today))
    rows: list[dict[str, str]] = []
    for day, o, h, lo, c, _vol in levels:
        t = m.years(inst, datetime.combine(day, EXPIRY_CLOSE, tzinfo=call.now().tzinfo))
        vals = [inst.points(m.model_units(inst, float(x), t)) for x in (o, h, lo, c)]
        if inst.kind == "put":  # a put is highest where the index is lowest
            vals[1], vals[2] = vals[2], vals[1]
        if day == today:
            vals[3] = s.price
            if s.volume:  # traded today: the daily candle is the tape's (as the minute bars)
                vals = [s.open, s.high, s.low, s.price]
        rows.append({"stck_bsop_date": f"{day:%Y%m%d}", "futs_prpr": pts(vals[3]),
                     "futs_oprc": pts(vals[0]), "futs_hgpr": pts(max(vals)),
                     "futs_lwpr": pts(min(vals)),
                     "acml_vol": str(s.volume if day == today else 0),
                     "acml_tr_pbmn": won(s.value if day == today else 0), "mod_yn": "N"})
    rows.reverse()  # newest first, as KIS sends candles
    if period == "W":
        weeks: dict[date, dict[str, str]] = {}
        for r in reversed(rows):
            d = date(int(r["stck_bsop_date"][:4]), int(r["stck_bsop_date"][4:6]),
                     int(r["stck_bsop_date"][6:]))
            wk = d - timedelta(days=d.weekday())
            w = weeks.get(wk)
            if w is None:
                weeks[wk] = dict(r)
            else:
                w["futs_prpr"] = r["futs_prpr"]
                w["futs_hgpr"] = max(w["futs_hgpr"], r["futs_hgpr"], key=Decimal)
                w["futs_lwpr"] = min(w["futs_lwpr"], r["futs_lwpr"], key=Decimal)
                w["stck_bsop_date"] = r["stck_bsop_date"]
        rows = list(reversed(weeks.values()))
    return ok(output1=_chart_head(inst, s), output2=rows)


# --------------------------------------------------------------------------- account detail


@register("domestic_futureoption/inquire_ccnl_bstime")
def inquire_ccnl_bstime(call: Call) -> Reply:
    """선물옵션 기준일체결내역 (CTFO5139R): the fills of a day between two times."""
    account = _account(call)
    day = parse_date(call, "ORD_DT")
    t0, t1 = _hhmmss(call, "FUOP_TR_STRT_TMD"), _hhmmss(call, "FUOP_TR_END_TMD")
    if t1 < t0:
        raise invalid("FUOP_TR_END_TMD", "is before FUOP_TR_STRT_TMD")
    m = market(call)
    listing = m.listing()
    rows = []
    total_qty = total_amt = 0
    for f in m.all_fills(account, day, day):
        if not t0 <= f.time.time() <= t1:
            continue
        inst = listing.get(f.code)
        if inst is None:
            continue
        amt = inst.notional(f.units, f.qty)
        o = m.find_order(f.odno)
        fee = o.fees * f.qty // o.filled if o is not None and o.filled else 0
        total_qty += f.qty
        total_amt += amt
        rows.append({"pdno": f.code, "prdt_name": inst.name, "odno": f"{f.odno:010d}",
                     "tr_type_name": "매수" if f.side == BUY else "매도",
                     "last_sttldt": f"{inst.expiry:%Y%m%d}", "ccld_idx": pts(inst.points(f.units)),
                     "ccld_qty": str(f.qty), "trad_amt": won(amt), "fee": won(fee),
                     "ccld_btwn": f.time.strftime("%H%M%S")})
    page = keyset_page(call, rows, lambda r: r["ccld_btwn"] + r["odno"], descending=False,
                       default_size=100)
    fees = sum(int(r["fee"]) for r in rows)
    return ok(output1=page.rows, output2={"tot_ccld_qty_smtl": str(total_qty),
                                          "tot_ccld_amt_smtl": won(total_amt),
                                          "fee_adjt": "0", "fee_smtl": won(fees)},
              tr_cont=page.tr_cont, extra=page.cursors)


@register("domestic_futureoption/inquire_daily_amount_fee")
def inquire_daily_amount_fee(call: Call) -> Reply:
    """선물옵션기간약정수수료일별 (CTFO6119R): traded amounts and fees per day and series."""
    account = _account(call)
    start = parse_date(call, "INQR_STRT_DAY")
    end = parse_date(call, "INQR_END_DAY")
    if end < start:
        raise invalid("INQR_END_DAY", f"{end:%Y%m%d} is before INQR_STRT_DAY")
    m = market(call)
    listing = m.listing()
    agg: dict[tuple[date, str], list[int]] = {}
    for f in m.all_fills(account, start, end):
        inst = listing.get(f.code)
        if inst is None:
            continue
        o = m.find_order(f.odno)
        fee = o.fees * f.qty // o.filled if o is not None and o.filled else 0
        a = agg.setdefault((f.day, f.code), [0, 0, 0, 0])
        i = 2 if f.side == BUY else 0
        a[i] += inst.notional(f.units, f.qty)
        a[i + 1] += fee
    rows = []
    fut = [0, 0, 0]
    opt = [0, 0, 0]
    for (day, code), (sell_amt, sell_fee, buy_amt, buy_fee) in sorted(agg.items()):
        inst = listing.get(code)
        assert inst is not None
        rows.append({"ord_dt": f"{day:%Y%m%d}", "pdno": code, "item_name": inst.name,
                     "sll_agrm_amt": won(sell_amt), "sll_fee": won(sell_fee),
                     "buy_agrm_amt": won(buy_amt), "buy_fee": won(buy_fee),
                     "tot_fee_smtl": won(sell_fee + buy_fee), "trad_pfls": "0"})
        t = opt if inst.is_option else fut
        t[0] += sell_amt + buy_amt
        t[1] += sell_fee
        t[2] += buy_fee
    page = keyset_page(call, rows, lambda r: r["ord_dt"] + r["pdno"], descending=False,
                       default_size=100)
    out2 = {"futr_agrm_amt_smtl": won(fut[0]), "futr_sll_fee_smtl": won(fut[1]),
            "futr_buy_fee_smtl": won(fut[2]), "futr_fee_smtl": won(fut[1] + fut[2]),
            "opt_agrm_amt_smtl": won(opt[0]), "opt_sll_fee_smtl": won(opt[1]),
            "opt_buy_fee_smtl": won(opt[2]), "opt_fee_smtl": won(opt[1] + opt[2]),
            "agrm_amt_smtl": won(fut[0] + opt[0]),
            "fee_smtl": won(fut[1] + fut[2] + opt[1] + opt[2])}
    return ok(output1=page.rows, output2=out2, tr_cont=page.tr_cont, extra=page.cursors)


@register("domestic_futureoption/inquire_balance_settlement_pl")
def inquire_balance_settlement_pl(call: Call) -> Reply:
    """선물옵션 잔고정산손익내역 (CTFO6117R): positions with today's traded quantities and P&L."""
    account = _account(call)
    day = parse_date(call, "INQR_DT")
    m = market(call)
    with engine_errors():
        held = m.holdings(account)
        cash = int(m.ex._account(account).cash[0])
        margin = m.position_margin(account)
        rows = []
        for inst, pos in held:
            bought = sum(f.qty for f in m.all_fills(account, day, day) if f.code == inst.code)
            s = m.snapshot(inst.code)
            units = inst.units(s.price) or 0
            value = units * pos.qty * inst.multiplier // inst.scale
            rows.append({"pdno": inst.code, "prdt_name": inst.name,
                         "trad_dvsn_name": "매수" if pos.qty >= 0 else "매도",
                         "bfdy_cblc_qty": "0", "new_qty": str(bought), "mnpl_rpch_qty": "0",
                         "cblc_qty": str(abs(pos.qty)), "cblc_amt": won(abs(pos.cost)),
                         "trad_pfls_amt": won(pos.realized), "evlu_amt": won(abs(value)),
                         "evlu_pfls_amt": won(value - pos.cost)})
    fees = m.fees_paid(account, day)
    return ok(output1=rows, output2={
        "nxdy_dnca": won(cash), "mmga_cash": won(m.maintenance_margin(account)),
        "brkg_mgna_cash": won(margin), "opt_buy_chgs": "0", "opt_lqd_evlu_amt": "0",
        "dnca_sbst": "0", "mmga_tota": won(m.maintenance_margin(account)),
        "brkg_mgna_tota": won(margin), "opt_sll_chgs": "0", "fee": won(fees),
        "thdt_dfpa": "0", "rnwl_dfpa": "0", "dnca_cash": won(cash)})


@register("domestic_futureoption/ngt_margin_detail")
def ngt_margin_detail(call: Call) -> Reply:
    """(야간)선물옵션 증거금 상세 (CTFN7107R): the margin of positions and working orders."""
    account = _account(call)
    kind = choice(call, "MGNA_DVSN_CD", ("01", "02"))
    m = market(call)
    with engine_errors():
        cash = int(m.ex._account(account).cash[0])
        initial = m.position_margin(account)
        maint = m.maintenance_margin(account)
        working = m.working(account)
        listing = m.listing()
        fut_new = opt_sell_new = opt_buy_new = 0
        for o in working:
            inst = listing.get(o.inst.code)
            held = o.reserved * o.remaining // o.qty if o.qty else 0
            if inst is None or not inst.is_option:
                fut_new += held
            elif o.side == BUY:
                opt_buy_new += held
            else:
                opt_sell_new += held
        orderable = m.orderable_cash(account)
    margin = initial if kind == "01" else maint
    new = fut_new + opt_sell_new + opt_buy_new
    # output1 and output2 are lists of one row each, output3 one object (recorded block shapes)
    return ok(
        output1=[{"futr_new_mgn_amt": won(fut_new), "futr_sprd_ord_mgna": "0",
                 "opt_sll_new_mgn_amt": won(opt_sell_new), "opt_buy_new_mgn_amt": won(opt_buy_new),
                 "new_mgn_amt": won(new), "opt_pric_mgna": "0", "fuop_pric_altr_mgna": "0",
                 "futr_sprd_mgna": "0", "uwdl_mgna": won(margin + new), "ctrt_per_min_mgna": "0",
                 "tot_risk_mgna": won(margin), "netrisk_brkg_mgna": won(margin),
                 "opt_sll_chgs": "0", "opt_buy_chgs": "0", "futr_loss_amt": "0",
                 "futr_prft_amt": "0", "thdt_ccld_net_loss_amt": "0", "brkg_mgna": won(margin)}],
        output2=[{"dnca_cash": won(cash), "dnca_sbst": "0", "dnca_tota": won(cash),
                 "wdrw_psbl_cash_amt": won(max(orderable, 0)), "wdrw_psbl_sbsa": "0",
                 "wdrw_psbl_tot_amt": won(max(orderable, 0)),
                 "ord_psbl_cash_amt": won(max(orderable, 0)), "ord_psbl_sbsa": "0",
                 "ord_psbl_tot_amt": won(max(orderable, 0)), "brkg_mgna_cash_amt": won(initial),
                 "brkg_mgna_sbst": "0", "brkg_mgna_tot_amt": won(initial),
                 "add_mgna_cash_amt": won(max(0, maint - cash)), "add_mgna_sbsa": "0",
                 "add_mgna_tot_amt": won(max(0, maint - cash)), "fee_amt": "0",
                 "nxdy_dncl_amt": won(cash), "prsm_dpast_amt": won(cash)}],
        output3={"opt_buy_exus_acnt_yn": "N", "base_dpsa_gdat_grad_cd": "",
                 "opt_base_dpsa_gdat_grad_cd": ""},
    )




# --------------------------------------------------------------------------- intraday candles

TIME_CHART_ROWS = 102
"""Bars per answer (KIS's futures/options minute chart answers up to 102; page by moving
``FID_INPUT_HOUR_1`` back)."""


def _interval(call: Call) -> int:
    raw = call.param("FID_HOUR_CLS_CODE").strip()
    if not raw.isdigit() or not 0 < int(raw) <= 3600 or 3600 % int(raw):
        raise invalid("FID_HOUR_CLS_CODE", f"{raw[:8]!r}: seconds per bar dividing an hour, "
                                           "e.g. 30, 60 (1 minute), 300, 3600")
    return int(raw)


@register("domestic_futureoption/inquire_time_fuopchartprice")
def inquire_time_fuopchartprice(call: Call) -> Reply:
    """선물옵션 분봉조회 (FHKIF03020200): bars of the series' trades that start at or before
    ``FID_INPUT_DATE_1`` ``FID_INPUT_HOUR_1``, newest first; ``FID_FAKE_TICK_INCU_YN=Y`` adds the
    empty bars (허봉) between trades at the previous close."""
    mkt = market_code(call)
    inst = instrument(call, "FID_INPUT_ISCD", market_code=mkt)
    seconds = _interval(call)
    choice(call, "FID_PW_DATA_INCU_YN", ("Y", "N"))
    fake = choice(call, "FID_FAKE_TICK_INCU_YN", ("Y", "N"), default="N") == "Y"
    now = call.now()
    day = parse_date(call, "FID_INPUT_DATE_1", now.date())
    until = datetime.combine(day, _hhmmss(call, "FID_INPUT_HOUR_1"), tzinfo=now.tzinfo)
    m = market(call)
    with engine_errors():
        s = m.snapshot(inst.code)
        st = m.state(inst)
    step = seconds * 1_000_000
    cut = to_us(min(until, now))
    bars: list[list[int]] = []  # [start_us, open, high, low, close, volume, cumulative value]
    value = 0
    times, units, qtys = st.prints.columns()
    for t, px, q in zip(times, units, qtys, strict=True):
        start = t - t % step
        if start > cut:
            break
        value += inst.notional(px, q)
        if fake and bars and start > bars[-1][0] + step:
            close = bars[-1][4]
            for gap in range(bars[-1][0] + step, start, step):
                bars.append([gap, close, close, close, close, 0, bars[-1][6]])
        if bars and bars[-1][0] == start:
            b = bars[-1]
            b[2], b[3], b[4], b[5], b[6] = max(b[2], px), min(b[3], px), px, b[5] + q, value
        else:
            bars.append([start, px, px, px, px, q, value])
    if fake and bars:  # flat bars up to the asked time
        last = cut - cut % step
        close = bars[-1][4]
        for gap in range(bars[-1][0] + step, last + 1, step):
            bars.append([gap, close, close, close, close, 0, bars[-1][6]])
    pt = inst.points
    rows = []
    for b in reversed(bars[-TIME_CHART_ROWS:]):
        at = from_us(b[0])
        rows.append({"stck_bsop_date": f"{at:%Y%m%d}", "stck_cntg_hour": f"{at:%H%M%S}",
                     "futs_prpr": pts(pt(b[4])), "futs_oprc": pts(pt(b[1])),
                     "futs_hgpr": pts(pt(b[2])), "futs_lwpr": pts(pt(b[3])),
                     "cntg_vol": str(b[5]), "acml_tr_pbmn": won(b[6])})
    return ok(output1=_chart_head(inst, s), output2=rows)
