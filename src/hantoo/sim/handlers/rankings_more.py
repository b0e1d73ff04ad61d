"""More rankings over the live market (순위분석), with the ranking machinery of
:mod:`hantoo.sim.marketdata.rankings`: book imbalance, disparity from moving averages, and
financial ratios and results ranked across issues.

Each row's price is the engine's quote and each figure the same one the per-issue API answers
at that instant: a book total is ``inquire_asking_price_exp_ccn``'s (the ten shown levels), a
disparity uses the closes ``inquire_daily_itemchartprice`` answers, a ratio or result is
``finance_*``'s for the same period. Request values are already validated
(:mod:`hantoo.sim.validation`).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from ..marketdata.corporate import Period, periods
from ..marketdata.rankings import Screen, ranked, screen
from . import BusinessError, Call, Reply, fill_rows, ok, register
from ._common import exchange, krw, rate

RANK_ROWS = 30
_CENT = Decimal("0.01")


def _dec_or_none(call: Call, wire: str) -> Decimal | None:
    v = call.param(wire)
    return Decimal(v) if v else None


def _screen(call: Call) -> Screen:
    vol = call.param("FID_VOL_CNT")
    return Screen(market=call.param("FID_INPUT_ISCD") or "0000",
                  price_min=_dec_or_none(call, "FID_INPUT_PRICE_1")
                  or _dec_or_none(call, "FID_APLY_RANG_PRC_1"),
                  price_max=_dec_or_none(call, "FID_INPUT_PRICE_2"),
                  volume_min=int(vol) if vol else None,
                  exclude=call.param("FID_TRGT_EXLS_CLS_CODE"))


def _quotes(call: Call, stocks_only: bool = False) -> list[Any]:
    """The screened quotes; a listed issue code as ``FID_INPUT_ISCD`` ranks that issue alone."""
    ex = exchange(call)
    code = call.param("FID_INPUT_ISCD")
    inst = ex.universe.get(code) if len(code) == 6 else None
    quotes = [ex.quote(code)] if inst is not None else screen(ex, _screen(call))
    if stocks_only:
        quotes = [q for q in quotes if ex.universe[q.symbol].kind.value == "STOCK"]
    return quotes


def _row(q: Any, n: int) -> dict[str, str]:
    return {"mksc_shrn_iscd": q.symbol, "data_rank": str(n), "hts_kor_isnm": q.name,
            "stck_prpr": krw(q.price), "prdy_vrss": krw(q.change),
            "prdy_vrss_sign": q.change_sign, "prdy_ctrt": str(q.change_rate),
            "acml_vol": str(q.volume)}


def _refuse(wire: str, why: str) -> BusinessError:
    return BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_{wire} ({why})", rt_cd="2")


@register("domestic_stock/quote_balance")
def quote_balance(call: Call) -> Reply:
    """호가잔량 순위 (FHPST01720000): the ten shown levels a side of each issue's live book —
    ``0`` net bid size, ``1`` net ask size, ``2`` bid share, ``3`` ask share, largest first."""
    ex = exchange(call)
    sort = call.param("FID_RANK_SORT_CLS_CODE") or "0"
    if sort not in ("0", "1", "2", "3"):
        raise _refuse("FID_RANK_SORT_CLS_CODE", "0, 1, 2 or 3")
    quotes = _quotes(call)
    sizes = {}
    for q in quotes:
        book = ex.order_book(q.symbol, 10)
        sizes[q.symbol] = (sum(lv.qty for lv in book.asks), sum(lv.qty for lv in book.bids))

    def key(q: Any) -> Decimal:
        a, b = sizes[q.symbol]
        total = a + b or 1
        return Decimal({"0": b - a, "1": a - b, "2": Decimal(b) / total,
                        "3": Decimal(a) / total}[sort])

    top = ranked(quotes, key, limit=RANK_ROWS)
    rows = []
    for n, q in enumerate(top, 1):
        a, b = sizes[q.symbol]
        rows.append({**_row(q, n), "total_askp_rsqn": str(a), "total_bidp_rsqn": str(b),
                     "total_ntsl_bidp_rsqn": str(b - a), "shnu_rsqn_rate": rate(b, a + b),
                     "seln_rsqn_rate": rate(a, a + b)})
    return ok(output=fill_rows(call, "output", rows))


_SPANS = (5, 10, 20, 60, 120)


@register("domestic_stock/disparity")
def disparity(call: Call) -> Reply:
    """이격도 순위 (FHPST01780000): today's price over the average of the last N closes (today's
    price the newest), percent, for N in 5/10/20/60/120; ranked on ``FID_HOUR_CLS_CODE``'s N,
    highest (``0``) or lowest (``1``) first."""
    ex = exchange(call)
    span = call.param("FID_HOUR_CLS_CODE") or "20"
    if span not in {str(n) for n in _SPANS}:
        raise _refuse("FID_HOUR_CLS_CODE", "5, 10, 20, 60 or 120")
    low_first = call.param("FID_RANK_SORT_CLS_CODE") == "1"
    today = call.now().date()
    values: dict[str, dict[int, Decimal]] = {}
    quotes = _quotes(call)
    for q in quotes:
        candles = ex.daily_candles(q.symbol, today - timedelta(days=200), today, "D")
        closes = [Decimal(c.close) for c in candles]
        if not candles or candles[-1].start != q.trade_date:  # no trade yet today
            closes.append(Decimal(q.price))
        values[q.symbol] = {
            n: (Decimal(q.price) * 100 * len(closes[-n:]) / sum(closes[-n:], Decimal(0)))
            .quantize(_CENT, ROUND_HALF_UP) for n in _SPANS}
    n_rank = int(span)
    top = ranked(quotes, lambda q: values[q.symbol][n_rank], descending=not low_first,
                 limit=RANK_ROWS)
    rows = [{**_row(q, n), **{f"d{k}_dsrt": str(values[q.symbol][k]) for k in _SPANS}}
            for n, q in enumerate(top, 1)]
    return ok(output=fill_rows(call, "output", rows))


def _period(call: Call, inst: Any) -> Period | None:
    """The period ``FID_INPUT_OPTION_1`` (fiscal year; blank or ``0`` the latest) and
    ``FID_INPUT_OPTION_2`` (``0`` Q1, ``1`` half, ``2`` Q3, ``3`` the year) ask for."""
    today = call.now().date()
    year_raw = call.param("FID_INPUT_OPTION_1")
    part = call.param("FID_INPUT_OPTION_2") or "3"
    if part not in ("0", "1", "2", "3"):
        raise _refuse("FID_INPUT_OPTION_2", "0 Q1, 1 half, 2 Q3, 3 the fiscal year")
    quarterly = part != "3"
    ps = periods(inst, today, quarterly=quarterly, count=24 if quarterly else 10)
    if not year_raw or year_raw == "0":
        return ps[0] if ps else None
    want = f"{year_raw}{(int(part) + 1) * 3:02d}" if quarterly else f"{year_raw}12"
    return next((p for p in ps if p.yymm == want), None)


def _with_periods(call: Call) -> list[tuple[Any, Period, Period | None]]:
    ex = exchange(call)
    out = []
    for q in _quotes(call, stocks_only=True):
        inst = ex.universe[q.symbol]
        p = _period(call, inst)
        if p is None:
            continue
        quarterly = (call.param("FID_INPUT_OPTION_2") or "3") != "3"
        ps = periods(inst, call.now().date(), quarterly=quarterly, count=25 if quarterly else 11)
        before = next((b for a, b in pairwise(ps) if a.yymm == p.yymm), None)
        out.append((q, p, before))
    return out


def _growth(now: Decimal, before: Decimal | None) -> str:
    return rate(now - before, before) if before else "0.00"


_RATIO_SORTS = {"7": "cptl_ntin_rate", "11": "bis", "15": "grs", "20": "cptl_tnrt"}


@register("domestic_stock/finance_ratio")
def finance_ratio(call: Call) -> Reply:
    """재무비율 순위 (FHPST01750000): each stock's ratios for the period asked (the same as
    ``finance_profit_ratio``/``finance_stability_ratio``/``finance_growth_ratio`` give for it),
    ranked by ``7`` profitability (return on assets), ``11`` stability (equity ratio), ``15``
    growth (revenue growth) or ``20`` activity (asset turnover), highest first."""
    sort = call.param("FID_RANK_SORT_CLS_CODE") or "7"
    if sort not in _RATIO_SORTS:
        raise _refuse("FID_RANK_SORT_CLS_CODE", "7, 11, 15 or 20")
    rows_by: dict[str, dict[str, str]] = {}
    entries = _with_periods(call)
    for q, p, b in entries:
        current_l = p.liabilities / 2
        rows_by[q.symbol] = {
            "cptl_op_prfi": rate(p.net_income * 5 / 4, p.assets),
            "cptl_ntin_rate": rate(p.net_income, p.assets),
            "sale_totl_rate": rate(p.revenue * 3 / 10, p.revenue),
            "sale_ntin_rate": rate(p.net_income, p.revenue),
            "bis": rate(p.equity, p.assets), "lblt_rate": rate(p.liabilities, p.equity),
            "bram_depn": rate(p.liabilities - current_l, p.assets),
            "rsrv_rate": rate(p.equity - p.capital, p.capital) if p.capital else "0.00",
            "grs": _growth(p.revenue, b.revenue if b else None),
            "op_prfi_inrt": _growth(p.net_income * 5 / 4, b.net_income * 5 / 4 if b else None),
            "bsop_prfi_inrt": _growth(p.operating_profit, b.operating_profit if b else None),
            "ntin_inrt": _growth(p.net_income, b.net_income if b else None),
            "equt_inrt": _growth(p.equity, b.equity if b else None),
            "cptl_tnrt": (p.revenue / p.assets).quantize(_CENT, ROUND_HALF_UP).to_eng_string(),
            "sale_bond_tnrt": (p.revenue * 6 / p.assets).quantize(_CENT, ROUND_HALF_UP)
            .to_eng_string(),
            "totl_aset_inrt": _growth(p.assets, b.assets if b else None),
            "stac_month": p.yymm[4:], "stac_month_cls_code": "0",
        }
    field = _RATIO_SORTS[sort]
    top = ranked([e[0] for e in entries], lambda q: Decimal(rows_by[q.symbol][field]),
                 limit=RANK_ROWS)
    rows = [{**_row(q, n), **rows_by[q.symbol], "iqry_csnu": str(len(top))}
            for n, q in enumerate(top, 1)]
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_stock/profit_asset_index")
def profit_asset_index(call: Call) -> Reply:
    """수익자산지표 순위 (FHPST01730000): each stock's results for the period asked (억원, the
    same as ``finance_income_statement``/``finance_balance_sheet``), largest net income first
    (``FID_RANK_SORT_CLS_CODE`` ``1``: largest total assets first)."""
    by_assets = call.param("FID_RANK_SORT_CLS_CODE") == "1"
    entries = {q.symbol: (q, p) for q, p, _ in _with_periods(call)}
    top = ranked([e[0] for e in entries.values()],
                 lambda q: entries[q.symbol][1].assets if by_assets
                 else entries[q.symbol][1].net_income, limit=RANK_ROWS)
    rows = []
    for n, q in enumerate(top, 1):
        p = entries[q.symbol][1]
        rows.append({**_row(q, n), "sale_totl_prfi": p.eok(p.revenue * 3 / 10),
                     "bsop_prti": p.eok(p.operating_profit), "op_prfi": p.eok(p.net_income * 5 / 4),
                     "thtr_ntin": p.eok(p.net_income), "total_aset": p.eok(p.assets),
                     "total_lblt": p.eok(p.liabilities), "total_cptl": p.eok(p.equity),
                     "stac_month": p.yymm[4:], "stac_month_cls_code": "0",
                     "iqry_csnu": str(len(top))})
    return ok(output=fill_rows(call, "output", rows))


_PRE_MARKET = ("083000", "084000")
_POST_MARKET = ("154000", "160000")


def _off_hours_volumes(ex: Any, code: str) -> tuple[int, int]:
    """(pre-market, post-market) closing-price volume today: the tape's trades in 08:30–08:40
    and 15:40–16:00 (the fixed-price sessions)."""
    pre = post = 0
    for t in ex.trades(code, limit=1_000_000):
        hhmmss = t.time.strftime("%H%M%S")
        if _PRE_MARKET[0] <= hhmmss < _PRE_MARKET[1]:
            pre += t.qty
        elif _POST_MARKET[0] <= hhmmss <= _POST_MARKET[1]:
            post += t.qty
    return pre, post


@register("domestic_stock/after_hour_balance")
def after_hour_balance(call: Call) -> Reply:
    """시간외잔량 순위 (FHPST01760000): each issue's off-hours book (the ten shown levels a side
    while the post-market or after-hours session runs — ``inquire_asking_price_exp_ccn``'s
    ``ovtm_total_*`` — zero otherwise) and its pre-/post-market closing-price volume from the
    tape; ranked by ``1`` pre-market volume, ``2`` post-market volume, ``3`` ask size, ``4`` bid
    size, largest first."""
    sort = call.param("FID_RANK_SORT_CLS_CODE") or "1"
    if sort not in ("1", "2", "3", "4"):
        raise _refuse("FID_RANK_SORT_CLS_CODE", "1, 2, 3 or 4")
    ex = exchange(call)
    quotes = _quotes(call)
    figures: dict[str, tuple[int, int, int, int]] = {}
    for q in quotes:
        book = ex.order_book(q.symbol, 10)
        off = book.phase.value in ("post_market", "after_hours")
        ask = sum(lv.qty for lv in book.asks) if off else 0
        bid = sum(lv.qty for lv in book.bids) if off else 0
        pre, post = _off_hours_volumes(ex, q.symbol)
        figures[q.symbol] = (pre, post, ask, bid)
    top = ranked(quotes, lambda q: figures[q.symbol][int(sort) - 1], limit=RANK_ROWS)
    rows = []
    for n, q in enumerate(top, 1):
        pre, post, ask, bid = figures[q.symbol]
        row = _row(q, n)
        row["stck_shrn_iscd"] = row.pop("mksc_shrn_iscd")
        rows.append({**row, "ovtm_total_askp_rsqn": str(ask), "ovtm_total_bidp_rsqn": str(bid),
                     "mkob_otcp_vol": str(pre), "mkfa_otcp_vol": str(post)})
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_stock/prefer_disparate_ratio")
def prefer_disparate_ratio(call: Call) -> Reply:
    """우선주/괴리율 상위 (FHPST01770000): each common stock with a listed preferred share (the
    preferred's code is the common's with a last digit of 5, 7 or 9, or a ``K``), the gap of the
    two live prices over the common's, largest first. A universe without preferred shares (the
    default one) has no rows."""
    from ..marketdata.rankings import _preferred

    ex = exchange(call)
    commons = {q.symbol: q for q in _quotes(call, stocks_only=True)}
    pairs = []
    for inst in ex.universe:
        if inst.market.is_overseas or not _preferred(inst):
            continue
        common = commons.get(inst.code[:5] + "0")
        if common is not None and common.symbol != inst.code:
            pairs.append((common, ex.quote(inst.code)))
    gap = {c.symbol: (Decimal(c.price) - Decimal(p.price)) * 100 / Decimal(c.price)
           for c, p in pairs if c.price}
    pref = {c.symbol: p for c, p in pairs}
    top = ranked([c for c, _ in pairs if c.symbol in gap], lambda q: gap[q.symbol],
                 limit=RANK_ROWS)
    rows = []
    for n, c in enumerate(top, 1):
        p = pref[c.symbol]
        rows.append({**_row(c, n), "prst_iscd": p.symbol, "prst_kor_isnm": p.name,
                     "prst_prpr": krw(p.price), "prst_prdy_vrss": krw(p.change),
                     "prst_prdy_vrss_sign": p.change_sign, "prst_acml_vol": str(p.volume),
                     "prst_prdy_ctrt": str(p.change_rate),
                     "diff_prpr": krw(Decimal(c.price) - Decimal(p.price)),
                     "dprt": str(gap[c.symbol].quantize(_CENT, ROUND_HALF_UP))})
    return ok(output=fill_rows(call, "output", rows))


_AUCTION = {"0": "opening_auction", "1": "closing_auction"}


@register("domestic_stock/exp_trans_updown")
def exp_trans_updown(call: Call) -> Reply:
    """예상체결 상승/하락상위 (FHPST01820000): during a call auction (``FID_MKOP_CLS_CODE`` ``0``
    the opening, ``1`` the closing one), each issue's expected execution — the price and
    quantity the auction would uncross at now, ``inquire_asking_price_exp_ccn``'s — against the
    previous close, ranked: ``0`` rise rate, ``1`` rise, ``2`` unchanged, ``3`` fall rate, ``4``
    fall, ``5`` expected volume, ``6`` expected value. Outside that auction there is no
    expected execution, so no rows."""
    sort = call.param("FID_RANK_SORT_CLS_CODE") or "0"
    if sort not in ("0", "1", "2", "3", "4", "5", "6"):
        raise _refuse("FID_RANK_SORT_CLS_CODE", "0 to 6")
    phase = _AUCTION.get(call.param("FID_MKOP_CLS_CODE") or "0")
    if phase is None:
        raise _refuse("FID_MKOP_CLS_CODE", "0 (opening) or 1 (closing)")
    ex = exchange(call)
    value_min = _dec_or_none(call, "FID_PBMN")
    found = []
    for q in _quotes(call):
        book = ex.order_book(q.symbol, 10)
        if book.phase.value != phase or book.expected_price is None:
            continue
        exp, qty = Decimal(book.expected_price), book.expected_qty or 0
        if value_min is not None and exp * qty < value_min * 1_000:  # 천원 units
            continue
        found.append((q, book, exp, qty))
    info = {q.symbol: (book, exp, qty) for q, book, exp, qty in found}

    def change(q: Any) -> Decimal:
        return info[q.symbol][1] - Decimal(q.prev_close)

    def change_rate(q: Any) -> Decimal:
        return change(q) / Decimal(q.prev_close) if q.prev_close else Decimal(0)

    quotes = [f[0] for f in found]
    if sort == "2":
        quotes = [q for q in quotes if change(q) == 0]
    keys = {"0": change_rate, "1": change, "2": lambda q: Decimal(info[q.symbol][2]),
            "3": change_rate, "4": change, "5": lambda q: Decimal(info[q.symbol][2]),
            "6": lambda q: info[q.symbol][1] * info[q.symbol][2]}
    top = ranked(quotes, keys[sort], descending=sort not in ("3", "4"), limit=RANK_ROWS)
    rows = []
    for q in top:
        book, exp, qty = info[q.symbol]
        diff = change(q)
        ask = book.asks[0] if book.asks else None
        bid = book.bids[0] if book.bids else None
        rows.append({
            "stck_shrn_iscd": q.symbol, "hts_kor_isnm": q.name, "stck_prpr": krw(exp),
            "prdy_vrss": krw(diff), "prdy_vrss_sign": "2" if diff > 0 else "5" if diff < 0
            else "3", "prdy_ctrt": rate(diff, q.prev_close), "stck_sdpr": krw(q.prev_close),
            "askp": krw(ask.price) if ask else "0", "seln_rsqn": str(ask.qty) if ask else "0",
            "bidp": krw(bid.price) if bid else "0", "shnu_rsqn": str(bid.qty) if bid else "0",
            "cntg_vol": str(qty), "antc_tr_pbmn": krw(exp * qty),
            "total_askp_rsqn": str(sum(lv.qty for lv in book.asks)),
            "total_bidp_rsqn": str(sum(lv.qty for lv in book.bids))})
    return ok(output=fill_rows(call, "output", rows))
