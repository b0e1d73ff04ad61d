"""Financial statements and ratios from :mod:`hantoo.sim.marketdata.corporate` (issue 16).

``finance_income_statement``, ``finance_balance_sheet`` and ``finance_financial_ratio`` answer
the same per-issue periods, so the statements agree with each other and with ``inquire_price``
(its EPS is the latest year's; PER there is today's price over it). ``FID_DIV_CLS_CODE`` ``0``
asks for years, ``1`` for quarters; rows newest first.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Any

from ..marketdata.corporate import Period, periods
from . import Call, Reply, fill_rows, ok, register
from ._common import dec, domestic_symbol, exchange, rate

ROWS = 5


def _periods(call: Call) -> list[Period]:
    code = domestic_symbol(call)
    inst = exchange(call).universe[code]
    quarterly = call.param("FID_DIV_CLS_CODE") == "1"
    return periods(inst, call.now().date(), quarterly=quarterly, count=ROWS + 1)


def _growth(now: Decimal, before: Decimal) -> str:
    return rate(now - before, before) if before else "0.00"


@register("domestic_stock/finance_income_statement")
def income_statement(call: Call) -> Reply:
    """손익계산서 (FHKST66430200), 억원."""
    rows = []
    for p in _periods(call)[:ROWS]:
        gross = p.revenue * 3 / 10
        rows.append({
            "stac_yymm": p.yymm, "sale_account": p.eok(p.revenue),
            "sale_cost": p.eok(p.revenue - gross), "sale_totl_prfi": p.eok(gross),
            "sell_mang": p.eok(gross - p.operating_profit), "bsop_prti": p.eok(p.operating_profit),
            "op_prfi": p.eok(p.net_income * 5 / 4), "thtr_ntin": p.eok(p.net_income),
        })
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_stock/finance_balance_sheet")
def balance_sheet(call: Call) -> Reply:
    """대차대조표 (FHKST66430100), 억원: assets = liabilities + equity."""
    rows = []
    for p in _periods(call)[:ROWS]:
        current = p.assets * 2 / 5
        rows.append({
            "stac_yymm": p.yymm, "cras": p.eok(current), "fxas": p.eok(p.assets - current),
            "total_aset": p.eok(p.assets), "flow_lblt": p.eok(p.liabilities / 2),
            "fix_lblt": p.eok(p.liabilities - p.liabilities / 2),
            "total_lblt": p.eok(p.liabilities), "cpfn": p.eok(p.capital),
            "cfp_surp": "0.00", "prfi_surp": p.eok(p.equity - p.capital),
            "total_cptl": p.eok(p.equity),
        })
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_stock/finance_financial_ratio")
def financial_ratio(call: Call) -> Reply:
    """재무비율 (FHKST66430300): growth against the previous period, ROE, per-share figures."""
    ps = _periods(call)
    inst = exchange(call).universe[domestic_symbol(call)]
    shares = Decimal(inst.shares or 1)
    rows = []
    for p, before in pairwise(ps):  # ROWS + 1 periods: growth for each of ROWS
        rows.append({
            "stac_yymm": p.yymm,
            "grs": _growth(p.revenue, before.revenue),
            "bsop_prfi_inrt": _growth(p.operating_profit, before.operating_profit),
            "ntin_inrt": _growth(p.net_income, before.net_income),
            "roe_val": rate(p.net_income, p.equity),
            "eps": dec(p.eps), "sps": dec((p.revenue / shares).quantize(Decimal(1))),
            "bps": dec((p.equity / shares).quantize(Decimal(1))),
            "rsrv_rate": rate(p.equity - p.capital, p.capital) if p.capital else "0.00",
            "lblt_rate": rate(p.liabilities, p.equity),
        })
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_stock/dividend_rate")
def dividend_rate(call: Call) -> Reply:
    """배당률 상위 (HHKDB13470100): cash dividends per share (payout × the latest year's EPS)
    over *today's* price, highest first; ``GB1`` 0 all, 1 KOSPI, 2 KOSPI200, 3 KOSDAQ; only
    record dates (the last business day of the fiscal year) between ``F_DT`` and ``T_DT``."""
    from ..marketdata.corporate import fundamentals
    from ..marketdata.rankings import Screen, ranked, screen
    from ._common import krw, parse_date

    ex = exchange(call)
    today = call.now().date()
    record = call.state.calendar.on_or_before(today.replace(year=today.year - 1, month=12,
                                                            day=31))
    first = parse_date(call, "F_DT", record)
    last = parse_date(call, "T_DT", today)
    market = {"1": "0001", "2": "2001", "3": "1001"}.get(call.param("GB1"), "0000")
    stock_dividend = call.param("GB3") == "1"  # the simulator's issues pay cash only
    quotes = [] if stock_dividend or not first <= record <= last else [
        q for q in screen(ex, Screen(market=market)) if ex.universe[q.symbol].kind.value == "STOCK"]

    def dps(q: Any) -> Decimal:
        return fundamentals(ex.universe[q.symbol]).dividend_per_share

    top = ranked(quotes, lambda q: dps(q) / q.price, limit=30)
    rows = [{
        "rank": str(n), "sht_cd": q.symbol, "record_date": record.strftime("%Y%m%d"),
        "per_sto_divi_amt": krw(dps(q)), "divi_rate": rate(dps(q), q.price), "divi_kind": "현금",
    } for n, q in enumerate(top, 1)]
    return ok(output=fill_rows(call, "output", rows))
