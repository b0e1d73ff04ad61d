"""More corporate information from :mod:`hantoo.sim.marketdata.corporate` and
:mod:`hantoo.sim.marketdata.corporate_events`: growth, profitability, stability and other
ratios of the same periods as the statements; analyst opinions against the price history; the
depository's dividend and event calendars.

The ratios use the very figures the statements answer (``finance_income_statement``,
``finance_balance_sheet``: current assets two fifths of the assets, current liabilities half the
liabilities, gross profit 30 % of revenue), so a client recomputing one from the other agrees.
Request values are already validated (:mod:`hantoo.sim.validation`).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from ..marketdata.corporate import Period, fundamentals, periods
from ..marketdata.corporate_events import (
    BROKERS,
    OPINION_NAMES,
    Opinion,
    annual_meeting,
    dividend_dates,
    dividend_per_share,
    opinions,
)
from . import BusinessError, Call, Reply, fill_rows, ok, register
from ._common import dec, domestic_symbol, exchange, krw, parse_date, rate, ymd

ROWS = 5
KSD_ROWS = 100


def _periods(call: Call) -> tuple[list[Period], Any]:
    code = domestic_symbol(call, "FID_INPUT_ISCD")
    inst = exchange(call).universe[code]
    quarterly = call.param("FID_DIV_CLS_CODE") == "1"
    return periods(inst, call.now().date(), quarterly=quarterly, count=ROWS + 1), inst


def _growth(now: Decimal, before: Decimal) -> str:
    return rate(now - before, before) if before else "0.00"


@register("domestic_stock/finance_growth_ratio")
def finance_growth_ratio(call: Call) -> Reply:
    """성장성비율 (FHKST66430800): revenue, operating profit, equity and assets against the
    period before (the statements' figures)."""
    ps, _ = _periods(call)
    rows = [{"stac_yymm": p.yymm, "grs": _growth(p.revenue, b.revenue),
             "bsop_prfi_inrt": _growth(p.operating_profit, b.operating_profit),
             "equt_inrt": _growth(p.equity, b.equity),
             "totl_aset_inrt": _growth(p.assets, b.assets)} for p, b in pairwise(ps)]
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_stock/finance_profit_ratio")
def finance_profit_ratio(call: Call) -> Reply:
    """수익성비율 (FHKST66430400): net income over assets and over equity (ROE, the same as
    ``finance_financial_ratio``'s), net and gross margins."""
    ps, _ = _periods(call)
    rows = [{"stac_yymm": p.yymm, "cptl_ntin_rate": rate(p.net_income, p.assets),
             "self_cptl_ntin_inrt": rate(p.net_income, p.equity),
             "sale_ntin_rate": rate(p.net_income, p.revenue),
             "sale_totl_rate": rate(p.revenue * 3 / 10, p.revenue)} for p in ps[:ROWS]]
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_stock/finance_stability_ratio")
def finance_stability_ratio(call: Call) -> Reply:
    """안정성비율 (FHKST66430600): liabilities over equity, borrowings (the non-current
    liabilities) over assets, current and quick ratios (inventories a third of current
    assets)."""
    ps, _ = _periods(call)
    rows = []
    for p in ps[:ROWS]:
        current_assets = p.assets * 2 / 5
        current_liabilities = p.liabilities / 2
        rows.append({"stac_yymm": p.yymm, "lblt_rate": rate(p.liabilities, p.equity),
                     "bram_depn": rate(p.liabilities - current_liabilities, p.assets),
                     "crnt_rate": rate(current_assets, current_liabilities),
                     "quck_rate": rate(current_assets * 2 / 3, current_liabilities)})
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_stock/finance_other_major_ratios")
def finance_other_major_ratios(call: Call) -> Reply:
    """기타주요비율 (FHKST66430500): payout (the dividend per share over the latest EPS), EBITDA
    (operating profit plus a fifth for depreciation, 억원), EV/EBITDA with *today's* market
    capitalisation plus the liabilities, and EVA (operating profit after 22 % tax less an 8 %
    charge on equity, 억원)."""
    ps, inst = _periods(call)
    q = exchange(call).quote(domestic_symbol(call, "FID_INPUT_ISCD"))
    f = fundamentals(inst)
    cap = Decimal(q.price) * Decimal(q.shares_outstanding)
    payout = rate(f.dividend_per_share, f.eps)  # the seeded payout (dividends follow EPS)
    rows = []
    for p in ps[:ROWS]:
        ebitda = p.operating_profit * 6 / 5
        eva = p.operating_profit * Decimal("0.78") - p.equity * Decimal("0.08")
        rows.append({"stac_yymm": p.yymm,
                     "payout_rate": payout,
                     "eva": p.eok(eva), "ebitda": p.eok(ebitda),
                     "ev_ebitda": dec((cap + p.liabilities) / ebitda) if ebitda else "0.00"})
    return ok(output=fill_rows(call, "output", rows))


def _date(call: Call, wire: str, default: date) -> date:
    """``YYYYMMDD``, or KIS's ``00YYYYMMDD`` (the opinion APIs document that form)."""
    return parse_date(call, wire, default, century_prefix=True)


def _range(call: Call, first: str, last: str, back: int = 365) -> tuple[date, date]:
    """``first``..``last`` (blank: the last ``back`` days); start after end refused."""
    end = _date(call, last, call.now().date())
    start = _date(call, first, end - timedelta(days=back))
    if start > end:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_{first} "
                            "(the start date is after the end date)", rt_cd="2")
    return start, end


def _opinion_row(o: Opinion, q: Any) -> dict[str, str]:
    price = Decimal(q.price)
    return {
        "stck_bsop_date": ymd(o.day), "invt_opnn": OPINION_NAMES[o.opinion],
        "invt_opnn_cls_code": o.opinion,
        "rgbf_invt_opnn": OPINION_NAMES.get(o.previous, ""), "rgbf_invt_opnn_cls_code": o.previous,
        "mbcr_name": o.broker[1], "hts_goal_prc": krw(o.target),
        "stck_prdy_clpr": krw(o.prev_close), "stck_nday_esdg": krw(price - o.target),
        "nday_dprt": rate(price - o.target, o.target), "stft_esdg": "0",
        "dprt": rate(o.prev_close - o.target, o.target),
    }


@register("domestic_stock/invest_opinion")
def invest_opinion(call: Call) -> Reply:
    """종목투자의견 (FHKST663300C0): the issue's opinions between the dates, newest first; the
    target against the previous close (``dprt``) and against today's price (``nday_dprt``)."""
    code = domestic_symbol(call)
    start, end = _range(call, "FID_INPUT_DATE_1", "FID_INPUT_DATE_2")
    ex = exchange(call)
    q = ex.quote(code)
    rows = [_opinion_row(o, q) for o in opinions(ex, code, start, end)]
    return ok(output=fill_rows(call, "output", rows))


#: The issues the brokers cover in ``invest_opbysec`` (the largest of the default universe).
_COVERED = 40


@register("domestic_stock/invest_opbysec")
def invest_opbysec(call: Call) -> Reply:
    """증권사별 투자의견 (FHKST663400C0): one broker's opinions (``FID_INPUT_ISCD``, a member
    code of :data:`~hantoo.sim.marketdata.corporate_events.BROKERS`) on the largest issues
    between the dates, newest first, filtered by opinion (``FID_DIV_CLS_CODE`` 0 all, 1 매수,
    2 중립, 3 매도): the same opinions ``invest_opinion`` lists per issue."""
    member = call.param("FID_INPUT_ISCD")  # a firm covering nothing simulated: no rows
    wanted = call.param("FID_DIV_CLS_CODE") or "0"
    start, end = _range(call, "FID_INPUT_DATE_1", "FID_INPUT_DATE_2", back=90)
    ex = exchange(call)
    covering = member in {b[0] for b in BROKERS}
    stocks = sorted((i for i in ex.universe if i.kind.value == "STOCK" and not
                     i.market.is_overseas), key=lambda i: -(i.ref_price * i.shares))[:_COVERED]
    if not covering:
        stocks = []
    rows = []
    for inst in stocks:
        ops = [o for o in opinions(ex, inst.code, start, end) if o.broker[0] == member
               and wanted in ("0", o.opinion)]
        if ops:
            q = ex.quote(inst.code)
            for o in ops:
                rows.append({**_opinion_row(o, q), "stck_shrn_iscd": inst.code,
                             "hts_kor_isnm": inst.name, "stck_prpr": krw(q.price),
                             "prdy_vrss": krw(q.change), "prdy_vrss_sign": q.change_sign,
                             "prdy_ctrt": str(q.change_rate)})
    rows.sort(key=lambda r: (r["stck_bsop_date"], r["stck_shrn_iscd"]), reverse=True)
    return ok(output=fill_rows(call, "output", rows[:KSD_ROWS]))


def _ksd_issues(call: Call) -> list[Any]:
    """The common stocks a KSD calendar covers: ``SHT_CD`` or (blank) all, by code."""
    ex = exchange(call)
    code = call.param("SHT_CD")
    if code:
        return [ex.universe[domestic_symbol(call, "SHT_CD")]]
    return sorted((i for i in ex.universe if i.kind.value == "STOCK"
                   and not i.market.is_overseas), key=lambda i: i.code)[:KSD_ROWS]


def _fiscal_years(start: date, end: date) -> range:
    return range(start.year - 1, end.year + 1)


@register("domestic_stock/ksdinfo_dividend")
def ksdinfo_dividend(call: Call) -> Reply:
    """배당일정 (HHKDB669102C0): each stock's annual cash dividend (``corporate``'s dividend per
    share) whose record date is between ``F_DT`` and ``T_DT``; 현금배당률 is over the par value
    (KSD's convention; the yield on today's price is ``dividend_rate``'s). Year-end (결산)
    dividends only: ``GB1`` ``2`` (interim) lists none. ``HIGH_GB`` marks a yield of 5 % or
    more at today's price."""
    start, end = _range(call, "F_DT", "T_DT")
    if call.param("GB1") == "2":
        return ok(output1=[])
    ex = exchange(call)
    rows = []
    for fy in _fiscal_years(start, end):
        record, pay = dividend_dates(call.state.calendar, fy)
        if not start <= record <= end:
            continue
        for inst in _ksd_issues(call):
            dps = dividend_per_share(inst)
            par = Decimal(inst.par_value or 0)
            high = dps * 20 >= Decimal(ex.quote(inst.code).price)  # a 5 % yield or more
            rows.append({
                "record_date": ymd(record), "sht_cd": inst.code, "divi_kind": "결산",
                "face_val": krw(par), "per_sto_divi_amt": krw(dps),
                "divi_rate": rate(dps, par) if par else "0.00", "stk_divi_rate": "0.00",
                "divi_pay_dt": ymd(pay), "stk_div_pay_dt": "", "odd_pay_dt": "",
                "stk_kind": "보통", "high_divi_gb": "Y" if high else "N"})
    return ok(output1=fill_rows(call, "output1", rows[:KSD_ROWS]))


@register("domestic_stock/ksdinfo_sharehld_meet")
def ksdinfo_sharehld_meet(call: Call) -> Reply:
    """주주총회일정 (HHKDB669111C0): each stock's annual meeting (third Friday of March) whose
    date is between ``F_DT`` and ``T_DT``, for the December record date; voting shares are the
    shares outstanding."""
    start, end = _range(call, "F_DT", "T_DT")
    rows = []
    for fy in _fiscal_years(start, end):
        meet = annual_meeting(fy)
        if not start <= meet <= end:
            continue
        record, _ = dividend_dates(call.state.calendar, fy)
        for inst in _ksd_issues(call):
            rows.append({"record_date": ymd(record), "sht_cd": inst.code,
                         "gen_meet_dt": ymd(meet), "gen_meet_type": "정기주총",
                         "agenda": "재무제표 승인, 이사 선임", "vote_tot_qty": str(inst.shares)})
    return ok(output1=fill_rows(call, "output1", rows[:KSD_ROWS]))


def _no_events(call: Call) -> Reply:
    """A calendar of events the simulated issues never have (module docstring): validated,
    and empty."""
    _range(call, "F_DT", "T_DT")
    _ksd_issues(call)  # an unknown SHT_CD is refused
    return ok(output1=[])


for _key in ("ksdinfo_bonus_issue", "ksdinfo_cap_dcrs", "ksdinfo_forfeit", "ksdinfo_list_info",
             "ksdinfo_mand_deposit", "ksdinfo_merger_split", "ksdinfo_paidin_capin",
             "ksdinfo_pub_offer", "ksdinfo_purreq", "ksdinfo_rev_split"):
    register(f"domestic_stock/{_key}")(_no_events)
