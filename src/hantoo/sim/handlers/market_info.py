"""Market-wide information APIs answered from the simulator's own market (issue 16).

Indices (``inquire_index_price``, ``inquire_daily_indexchartprice``) come from
:mod:`hantoo.sim.marketdata.indices`; rankings (``volume_rank``, ``fluctuation``,
``market_cap``) from :mod:`hantoo.sim.marketdata.rankings`; the ETF price API from
:mod:`hantoo.sim.marketdata.etf`. Every number is derived from the engine's live quotes, so an
index agrees with its constituents, a ranked price with the issue's quote, and an ETF's price with
the stock price API; investor flows (``inquire_investor``) from
:mod:`hantoo.sim.marketdata.flows`, balanced. Request values are already validated
(:mod:`hantoo.sim.validation`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..marketdata.etf import etf_nav, nav_fields
from ..marketdata.flows import day_flows
from ..marketdata.indices import INDICES, IndexLevel, daily_levels, index_level
from ..marketdata.rankings import Screen, ranked, screen
from . import BusinessError, Call, Reply, fill, fill_rows, ok, register
from ._common import (
    BAD_SYMBOL,
    date_range,
    dec,
    domestic_symbol,
    exchange,
    krw,
    parse_date,
    rate,
    ymd,
)

RANK_ROWS = 30
INDEX_CHART_ROWS = 100


def _index(call: Call) -> IndexLevel:
    code = call.param("FID_INPUT_ISCD")
    idx = index_level(exchange(call), code)
    if idx is None:
        raise BusinessError(*BAD_SYMBOL)
    return idx


def _pct(num: Decimal, den: Decimal) -> str:
    return rate(num, den) if den else "0.00"


def _sign(change: Decimal) -> str:
    return "2" if change > 0 else "5" if change < 0 else "3"


def _index_fields(idx: IndexLevel) -> dict[str, str]:
    prev = idx.prev_close
    return {
        "bstp_nmix_prpr": dec(idx.level),
        "bstp_nmix_prdy_vrss": dec(idx.change),
        "prdy_vrss_sign": idx.change_sign,
        "bstp_nmix_prdy_ctrt": str(idx.change_rate),
        "prdy_nmix": dec(prev),
        "acml_vol": str(idx.volume),
        "acml_tr_pbmn": krw(idx.trade_value),
        "bstp_nmix_oprc": dec(idx.open),
        "prdy_nmix_vrss_nmix_oprc": dec(idx.open - prev),
        "oprc_vrss_prpr_sign": _sign(idx.open - prev),
        "bstp_nmix_oprc_prdy_ctrt": _pct(idx.open - prev, prev),
        "bstp_nmix_hgpr": dec(idx.high),
        "prdy_nmix_vrss_nmix_hgpr": dec(idx.high - prev),
        "hgpr_vrss_prpr_sign": _sign(idx.high - prev),
        "bstp_nmix_hgpr_prdy_ctrt": _pct(idx.high - prev, prev),
        "bstp_nmix_lwpr": dec(idx.low),
        "prdy_clpr_vrss_lwpr": dec(idx.low - prev),
        "lwpr_vrss_prpr_sign": _sign(idx.low - prev),
        "prdy_clpr_vrss_lwpr_rate": _pct(idx.low - prev, prev),
        "ascn_issu_cnt": str(idx.advancers),
        "uplm_issu_cnt": str(idx.upper_limit),
        "stnr_issu_cnt": str(idx.unchanged),
        "down_issu_cnt": str(idx.decliners),
        "lslm_issu_cnt": str(idx.lower_limit),
        "hts_kor_isnm": idx.name,
        "bstp_cls_code": idx.code,
    }


@register("domestic_stock/inquire_index_price")
def inquire_index_price(call: Call) -> Reply:
    """Index current level (FHPUP02100000), computed from the constituents' live quotes."""
    return ok(output=fill(call, "output", _index_fields(_index(call))))


@register("domestic_stock/inquire_daily_indexchartprice")
def inquire_daily_indexchartprice(call: Call) -> Reply:
    """Index candles (FHKUP03500100): daily levels from the constituents' daily candles, grouped
    by week/month/year; newest first, at most 100; the last ends at the current level."""
    idx = _index(call)
    today = call.now().date()
    start, end = date_range(call, 150, today)
    period = call.param("FID_PERIOD_DIV_CODE", "D").upper() or "D"
    days = daily_levels(exchange(call), idx.code, start, end)
    groups: list[list[tuple[date, Decimal, Decimal, Decimal, Decimal, int]]] = []
    last_key: object = None
    for row in days:
        d = row[0]
        key: object = {"D": d, "W": d.isocalendar()[:2], "M": (d.year, d.month)}.get(period, d.year)
        if key != last_key:
            groups.append([])
            last_key = key
        groups[-1].append(row)
    rows = []
    for g in reversed(groups[-INDEX_CHART_ROWS:]):
        rows.append({
            "stck_bsop_date": ymd(g[-1][0]),
            "bstp_nmix_prpr": dec(g[-1][4]),
            "bstp_nmix_oprc": dec(g[0][1]),
            "bstp_nmix_hgpr": dec(max(r[2] for r in g)),
            "bstp_nmix_lwpr": dec(min(r[3] for r in g)),
            "acml_vol": str(sum(r[5] for r in g)),
            "mod_yn": "N",
        })
    fields1 = [f for f in (call.api.response.fields or []) if f not in rows[0]] if rows else []
    summary = {k: v for k, v in _index_fields(idx).items() if k in fields1 or not fields1}
    return ok(output1=summary, output2=rows)


# --------------------------------------------------------------------------- rankings


def _dec_or_none(call: Call, wire: str) -> Decimal | None:
    v = call.param(wire)
    return Decimal(v) if v else None


def _screen(call: Call) -> Screen:
    vol = call.param("FID_VOL_CNT")
    return Screen(
        market=call.param("FID_INPUT_ISCD") or "0000",
        div=call.param("FID_DIV_CLS_CODE") or "0",
        price_min=_dec_or_none(call, "FID_INPUT_PRICE_1"),
        price_max=_dec_or_none(call, "FID_INPUT_PRICE_2"),
        volume_min=int(vol) if vol else None,
        exclude=call.param("FID_TRGT_EXLS_CLS_CODE"),
    )


def _base_row(q: Any, n: int, code_field: str) -> dict[str, str]:
    return {
        code_field: q.symbol,
        "data_rank": str(n),
        "hts_kor_isnm": q.name,
        "stck_prpr": krw(q.price),
        "prdy_vrss": krw(q.change),
        "prdy_vrss_sign": q.change_sign,
        "prdy_ctrt": str(q.change_rate),
        "acml_vol": str(q.volume),
        "acml_tr_pbmn": krw(q.trade_value),
        "lstn_stcn": str(q.shares_outstanding or 0),
    }


@register("domestic_stock/volume_rank")
def volume_rank(call: Call) -> Reply:
    """Volume ranking (FHPST01710000): ``FID_BLNG_CLS_CODE`` 0 volume, 1 volume against the
    average, 2 turnover, 3 trade value, 4 value turnover."""
    quotes = screen(exchange(call), _screen(call))
    how = call.param("FID_BLNG_CLS_CODE") or "0"

    def turnover(q: Any) -> Decimal:
        return Decimal(q.volume) / q.shares_outstanding if q.shares_outstanding else Decimal(0)

    keys = {"0": lambda q: q.volume, "1": lambda q: q.volume, "2": turnover,
            "3": lambda q: q.trade_value, "4": turnover}
    top = ranked(quotes, keys.get(how, keys["0"]), limit=RANK_ROWS)
    rows = []
    for n, q in enumerate(top, 1):
        r = _base_row(q, n, "mksc_shrn_iscd")
        r["vol_tnrt"] = _pct(Decimal(q.volume) * 100, Decimal(q.shares_outstanding or 0) * 100)
        rows.append(r)
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_stock/fluctuation")
def fluctuation(call: Call) -> Reply:
    """Change ranking (FHPST01700000): ``FID_RANK_SORT_CLS_CODE`` 0000/0 rise, 1 fall, 2 rise
    from the open, 3 fall from the open, 4 largest move either way; ``FID_RSFL_RATE1``/``2``
    bound the change rate; ``FID_INPUT_CNT_1`` limits the rows."""
    quotes = screen(exchange(call), _screen(call))
    lo, hi = _dec_or_none(call, "FID_RSFL_RATE1"), _dec_or_none(call, "FID_RSFL_RATE2")
    if lo or hi:  # both blank or both zero: no bound
        quotes = [q for q in quotes if (lo is None or q.change_rate >= lo)
                  and (hi is None or hi == 0 or q.change_rate <= hi)]
    how = (call.param("FID_RANK_SORT_CLS_CODE") or "0").lstrip("0") or "0"

    def from_open(q: Any) -> Decimal:
        return (q.price - q.open) / q.open if q.open else Decimal(0)

    if how == "1":
        top = ranked(quotes, lambda q: q.change_rate, descending=False, limit=RANK_ROWS)
    elif how == "2":
        top = ranked(quotes, from_open, limit=RANK_ROWS)
    elif how == "3":
        top = ranked(quotes, from_open, descending=False, limit=RANK_ROWS)
    elif how == "4":
        top = ranked(quotes, lambda q: abs(q.change_rate), limit=RANK_ROWS)
    else:
        top = ranked(quotes, lambda q: q.change_rate, limit=RANK_ROWS)
    cnt = call.param("FID_INPUT_CNT_1")
    if cnt and int(cnt) > 0:
        top = top[: int(cnt)]
    rows = []
    for n, q in enumerate(top, 1):
        r = _base_row(q, n, "stck_shrn_iscd")
        r.update({
            "stck_hgpr": krw(q.high), "stck_lwpr": krw(q.low),
            "oprc_vrss_prpr": krw(q.price - q.open),
            "oprc_vrss_prpr_sign": _sign(q.price - q.open),
            "oprc_vrss_prpr_rate": _pct(q.price - q.open, q.open),
            "hgpr_vrss_prpr_rate": _pct(q.price - q.high, q.high),
            "lwpr_vrss_prpr_rate": _pct(q.price - q.low, q.low),
        })
        rows.append(r)
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_stock/market_cap")
def market_cap(call: Call) -> Reply:
    """Market-cap ranking (FHPST01740000); ``stck_avls`` in 억원 as KIS sends it, with each
    issue's share of the ranked market's total."""
    quotes = screen(exchange(call), _screen(call))
    total = sum((q.market_cap for q in quotes), Decimal(0))
    top = ranked(quotes, lambda q: q.market_cap, limit=RANK_ROWS)
    rows = []
    for n, q in enumerate(top, 1):
        r = _base_row(q, n, "mksc_shrn_iscd")
        r["stck_avls"] = krw(q.market_cap / 100_000_000)
        r["mrkt_whol_avls_rlim"] = _pct(q.market_cap, total)
        rows.append(r)
    return ok(output=fill_rows(call, "output", rows))


# --------------------------------------------------------------------------- ETF


@register("etfetn/inquire_price")
def etf_inquire_price(call: Call) -> Reply:
    """ETF/ETN current price (FHPST02400000): the engine's quote (the same price as the stock
    price API) and the NAV from the tracked index."""
    code = domestic_symbol(call)
    ex = exchange(call)
    q = ex.quote(code)
    nav = etf_nav(ex, code)
    out = {
        "stck_prpr": krw(q.price), "prdy_vrss": krw(q.change), "prdy_vrss_sign": q.change_sign,
        "prdy_ctrt": str(q.change_rate), "acml_vol": str(q.volume),
        "stck_mxpr": krw(q.upper_limit), "stck_llam": krw(q.lower_limit),
        "stck_prdy_clpr": krw(q.prev_close), "stck_sdpr": krw(q.prev_close),
        "stck_oprc": krw(q.open), "stck_hgpr": krw(q.high), "stck_lwpr": krw(q.low),
        "prdy_clpr_vrss_oprc_rate": _pct(q.open - q.prev_close, q.prev_close),
        "prdy_clpr_vrss_hgpr_rate": _pct(q.high - q.prev_close, q.prev_close),
        "prdy_clpr_vrss_lwpr_rate": _pct(q.low - q.prev_close, q.prev_close),
        "lstn_stcn": str(q.shares_outstanding or 0),
        "etf_crcl_stcn": str(q.shares_outstanding or 0),
    }
    if nav is not None:
        change = nav.nav - nav.prev_nav
        out.update({
            "prdy_last_nav": dec(nav.prev_nav), "nav": dec(nav.nav),
            "nav_prdy_vrss": dec(change), "nav_prdy_vrss_sign": _sign(change),
            "nav_prdy_ctrt": _pct(change, nav.prev_nav),
            "nmix_ctrt": str(nav.index.change_rate), "dprt": dec(nav.disparity),
            "trc_errt": dec(abs(nav.disparity)),
            "etf_trgt_nmix_bstp_code": nav.index.code,
            "etf_rprs_bstp_kor_isnm": nav.index.name,
            "etf_trc_ert_mltp": str(nav.multiple),
            "etf_ntas_ttam": krw(nav.nav * (q.shares_outstanding or 0) / 100_000_000),
        })
    return ok(output=fill(call, "output", out))


_ = INDICES  # re-exported for tests that list the computed indices


# --------------------------------------------------------------------------- investor flows

INVESTOR_DAYS = 30


@register("domestic_stock/inquire_investor")
def inquire_investor(call: Call) -> Reply:
    """Investors by issue (FHKST01010900): the last 30 trading days, newest first; each day's
    volume and value (the engine's candles, today's live) split among individuals, foreigners and
    institutions by :mod:`hantoo.sim.marketdata.flows` (today: the participants' trades). The
    fourth category, other corporations (기타법인), is not in this API's fields (it is in
    ``investor_trade_by_stock_daily``): the four together balance."""
    code = domestic_symbol(call)
    ex = exchange(call)
    today = call.now().date()
    candles = ex.daily_candles(code, today - timedelta(days=INVESTOR_DAYS * 2), today, "D")
    market = call.param("FID_COND_MRKT_DIV_CODE").upper()
    market = market if market in ("NX", "UN") else "J"  # NX: today's row is Nextrade's trades
    if market != "J" and candles:
        q = ex.quote(code, market)
        if candles[-1].start == q.trade_date:
            candles[-1] = replace(candles[-1], close=q.price, volume=q.volume,
                                  value=q.trade_value)
    seed = call.state.config.seed
    rows = []
    prev_close: Decimal | None = None
    for c in candles:
        flows = day_flows(ex, seed, code, c.start, c.volume, Decimal(c.value), market)
        change = c.close - prev_close if prev_close is not None else Decimal(0)
        prev_close = c.close
        r = {"stck_bsop_date": ymd(c.start), "stck_clpr": krw(c.close),
             "prdy_vrss": krw(change), "prdy_vrss_sign": _sign(change)}
        for t, f in flows.items():
            if t == "etc":
                continue  # 기타법인: not a field of this API
            r.update({
                f"{t}_ntby_qty": str(f.net_qty), f"{t}_ntby_tr_pbmn": krw(f.net_value),
                f"{t}_shnu_vol": str(f.buy_qty), f"{t}_shnu_tr_pbmn": krw(f.buy_value),
                f"{t}_seln_vol": str(f.sell_qty), f"{t}_seln_tr_pbmn": krw(f.sell_value),
            })
        rows.append(r)
    return ok(output=fill_rows(call, "output", list(reversed(rows[-INVESTOR_DAYS:]))))


# --------------------------------------------------------------------------- screening


@register("domestic_stock/near_new_highlow")
def near_new_highlow(call: Call) -> Reply:
    """Near a 52-week high or low (FHPST01870000): ``FID_PRC_CLS_CODE`` 0 near the high, 1 near
    the low, nearest first; ``FID_INPUT_CNT_1``/``2`` bound the gap (percent); the 52-week range
    is the engine's (the same ``w52_hgpr``/``w52_lwpr`` as ``inquire_price``)."""
    vol = call.param("FID_APLY_RANG_VOL")
    quotes = screen(exchange(call), Screen(
        market=call.param("FID_INPUT_ISCD") or "0000",
        price_min=_dec_or_none(call, "FID_APLY_RANG_PRC_1"),
        price_max=_dec_or_none(call, "FID_APLY_RANG_PRC_2"),
        volume_min=int(vol) if vol else None,
        exclude=call.param("FID_TRGT_EXLS_CLS_CODE"),
    ))
    low = call.param("FID_PRC_CLS_CODE") == "1"

    def gap(q: Any) -> Decimal:
        if low:
            return (q.price - q.low_52w) * 100 / q.low_52w if q.low_52w else Decimal(0)
        return (q.high_52w - q.price) * 100 / q.high_52w if q.high_52w else Decimal(0)

    g_min, g_max = _dec_or_none(call, "FID_INPUT_CNT_1"), _dec_or_none(call, "FID_INPUT_CNT_2")
    if g_max:
        quotes = [q for q in quotes if (g_min or 0) <= gap(q) <= g_max]
    rows = []
    for q in ranked(quotes, gap, descending=False, limit=RANK_ROWS):
        rows.append({
            "hts_kor_isnm": q.name, "mksc_shrn_iscd": q.symbol, "stck_prpr": krw(q.price),
            "prdy_vrss_sign": q.change_sign, "prdy_vrss": krw(q.change),
            "prdy_ctrt": str(q.change_rate), "askp": krw(q.best_ask), "bidp": krw(q.best_bid),
            "acml_vol": str(q.volume), "new_hgpr": krw(q.high_52w),
            "hprc_near_rate": _pct(q.high_52w - q.price, q.high_52w),
            "new_lwpr": krw(q.low_52w), "lwpr_near_rate": _pct(q.price - q.low_52w, q.low_52w),
            "stck_sdpr": krw(q.prev_close),
        })
    return ok(output=fill_rows(call, "output", rows))


_VALUE_SORTS = {"23": ("per", False), "24": ("pbr", False), "27": ("eps", True)}


@register("domestic_stock/market_value")
def market_value(call: Call) -> Reply:
    """Value ranking (FHPST01790000): PER (23) and PBR (24) lowest first, EPS (27) highest
    first; the ratios are today's price over the fundamentals ``inquire_price`` also uses."""
    from ..marketdata.corporate import fundamentals

    ex = exchange(call)
    quotes = [q for q in screen(ex, _screen(call))
              if ex.universe[q.symbol].kind.value == "STOCK"]
    field, desc = _VALUE_SORTS.get(call.param("FID_RANK_SORT_CLS_CODE"), ("per", False))

    def ratios(q: Any) -> dict[str, Decimal]:
        f = fundamentals(ex.universe[q.symbol])
        return {"per": q.price / f.eps, "pbr": q.price / f.bps, "eps": f.eps, "bps": f.bps}

    top = ranked(quotes, lambda q: ratios(q)[field], descending=desc, limit=RANK_ROWS)
    rows = []
    for n, q in enumerate(top, 1):
        r = ratios(q)
        rows.append({
            "data_rank": str(n), "hts_kor_isnm": q.name, "mksc_shrn_iscd": q.symbol,
            "stck_prpr": krw(q.price), "prdy_vrss": krw(q.change), "prdy_vrss_sign": q.change_sign,
            "prdy_ctrt": str(q.change_rate), "acml_vol": str(q.volume),
            "per": rate(q.price, r["eps"] * 100), "pbr": rate(q.price, r["bps"] * 100),
            "eps": dec(r["eps"]), "stac_month": "12",
        })
    return ok(output=fill_rows(call, "output", rows))


def _etf_price_fields(q: Any) -> dict[str, str]:
    return {
        "stck_prpr": krw(q.price), "prdy_vrss": krw(q.change), "prdy_vrss_sign": q.change_sign,
        "prdy_ctrt": str(q.change_rate), "acml_vol": str(q.volume),
        "acml_tr_pbmn": krw(q.trade_value), "stck_prdy_clpr": krw(q.prev_close),
        "stck_oprc": krw(q.open), "stck_hgpr": krw(q.high), "stck_lwpr": krw(q.low),
        "stck_mxpr": krw(q.upper_limit), "stck_llam": krw(q.lower_limit),
    }


def _nav_fields(nav: Any) -> dict[str, str]:
    """NAV now and at the index's open/high/low (the same fields the realtime ``H0STNAV0``
    record sends: :func:`hantoo.sim.marketdata.etf.nav_fields`)."""
    return nav_fields(nav)


def _etf(call: Call) -> tuple[Any, Any]:
    code = domestic_symbol(call)
    ex = exchange(call)
    nav = etf_nav(ex, code)
    if nav is None or ex.universe[code].kind.value != "ETF":
        raise BusinessError(*BAD_SYMBOL)
    return ex.quote(code), nav


@register("etfetn/nav_comparison_trend")
def nav_comparison_trend(call: Call) -> Reply:
    """NAV against the market price (FHPST02440000): ``output1`` the ETF's quote (the same as
    every other price API), ``output2`` its NAV from the tracked index."""
    q, nav = _etf(call)
    return ok(output1=_etf_price_fields(q), output2=_nav_fields(nav))


@register("etfetn/inquire_component_stock_price")
def inquire_component_stock_price(call: Call) -> Reply:
    """ETF constituents (FHKST121600C0): the tracked index's members at their live quotes, each
    with its capitalisation weight (``etf_cnfg_issu_rlim``, percent; the weights sum to 100)."""
    from ..marketdata.indices import INDICES, constituents

    q, nav = _etf(call)
    ex = exchange(call)
    members = constituents(ex.universe, INDICES[nav.index.code])
    quotes = [ex.quote(i.code) for i in members]
    total = sum((m.price * m.shares_outstanding for m in quotes), Decimal(0))
    rows = []
    for m in quotes:
        cap = m.price * m.shares_outstanding
        rows.append({
            "stck_shrn_iscd": m.symbol, "hts_kor_isnm": m.name, "stck_prpr": krw(m.price),
            "prdy_vrss": krw(m.change), "prdy_vrss_sign": m.change_sign,
            "prdy_ctrt": str(m.change_rate), "acml_vol": str(m.volume),
            "acml_tr_pbmn": krw(m.trade_value), "hts_avls": krw(cap / 100_000_000),
            "etf_cnfg_issu_rlim": _pct(cap, total),
        })
    summary = {**_etf_price_fields(q), **_nav_fields(nav),
               "etf_cnfg_issu_cnt": str(len(rows)), "etf_cu_unit_scrt_cnt": str(len(rows))}
    return ok(output1=summary, output2=rows)


@register("domestic_stock/inquire_investor_daily_by_market")
def inquire_investor_daily_by_market(call: Call) -> Reply:
    """Investors by market, daily (FHPTJ04040000): the index's level and its constituents'
    flows summed per day (each issue's split from :mod:`hantoo.sim.marketdata.flows`), so the
    types' nets sum to zero and institutions are the sum of their sub-types. Newest first, up
    to ``FID_INPUT_DATE_1``."""
    from ..marketdata.flows import INVESTOR_TYPES, institution_split
    from ..marketdata.indices import constituents

    idx = _index(call)
    ex = exchange(call)
    until = parse_date(call, "FID_INPUT_DATE_1", call.now().date())
    start = until - timedelta(days=INVESTOR_DAYS * 2)
    levels = {d[0]: d for d in daily_levels(ex, idx.code, start, until)}
    seed = call.state.config.seed
    totals: dict[date, dict[str, list[Decimal]]] = {}
    for inst in constituents(ex.universe, INDICES[idx.code]):
        for c in ex.daily_candles(inst.code, start, until, "D"):
            day = totals.setdefault(c.start, {t: [Decimal(0)] * 2 for t in INVESTOR_TYPES})
            for t, f in day_flows(ex, seed, inst.code, c.start, c.volume,
                                  Decimal(c.value)).items():
                day[t][0] += f.net_qty
                day[t][1] += f.net_value
    days = sorted(d for d in totals if d in levels)
    rows = []
    for n, d in enumerate(days):
        _, o, h, lo, close, _vol = levels[d]
        prev = levels[days[n - 1]][4] if n else close
        tot = totals[d]
        row = {
            "stck_bsop_date": ymd(d), "bstp_nmix_prpr": dec(close),
            "bstp_nmix_prdy_vrss": dec(close - prev), "prdy_vrss_sign": _sign(close - prev),
            "bstp_nmix_prdy_ctrt": _pct(close - prev, prev), "bstp_nmix_oprc": dec(o),
            "bstp_nmix_hgpr": dec(h), "bstp_nmix_lwpr": dec(lo), "stck_prdy_clpr": dec(prev),
        }
        for typ in INVESTOR_TYPES:
            row[f"{typ}_ntby_qty"] = str(int(tot[typ][0]))
            row[f"{typ}_ntby_tr_pbmn"] = krw(tot[typ][1])
        row.update({"frgn_reg_ntby_qty": row["frgn_ntby_qty"], "frgn_nreg_ntby_qty": "0",
                    "frgn_reg_ntby_pbmn": row["frgn_ntby_tr_pbmn"], "frgn_nreg_ntby_pbmn": "0",
                    "etc_orgt_ntby_vol": "0", "etc_corp_ntby_vol": row["etc_ntby_qty"],
                    "etc_orgt_ntby_tr_pbmn": "0",
                    "etc_corp_ntby_tr_pbmn": row["etc_ntby_tr_pbmn"]})
        for sub, (qty, value) in institution_split(int(tot["orgn"][0]), tot["orgn"][1],
                                                   f"{seed}|{idx.code}|{d}").items():
            qty_field = "pe_fund_ntby_vol" if sub == "pe_fund" else f"{sub}_ntby_qty"
            row[qty_field] = str(qty)
            row[f"{sub}_ntby_tr_pbmn"] = krw(value)
        rows.append(row)
    return ok(output=fill_rows(call, "output", list(reversed(rows[-INVESTOR_DAYS:]))))


def _strength(ex: Any, code: str) -> tuple[int, int, str]:
    """(buy-initiated volume, sell-initiated volume, 체결강도) of today's tape — the same rule as
    ``inquire_ccnl``'s ``tday_rltv``: buy over sell in percent (100 with no trades, 500 with
    buys only)."""
    buy = sell = 0
    for t in ex.trades(code, limit=1_000_000):
        if t.side is not None and t.side.value == 2:
            buy += t.qty
        elif t.side is not None:
            sell += t.qty
    strength = rate(buy, sell) if sell else ("100.00" if not buy else "500.00")
    return buy, sell, strength


@register("domestic_stock/volume_power")
def volume_power(call: Call) -> Reply:
    """체결강도 상위 (FHPST01680000): strongest buying first, from the engine's trade tape."""
    ex = exchange(call)
    quotes = screen(ex, _screen(call))
    power = {q.symbol: _strength(ex, q.symbol) for q in quotes}
    top = ranked(quotes, lambda q: Decimal(power[q.symbol][2]), limit=RANK_ROWS)
    rows = []
    for n, q in enumerate(top, 1):
        buy, sell, strength = power[q.symbol]
        r = _base_row(q, n, "stck_shrn_iscd")
        r.update({"tday_rltv": strength, "shnu_cnqn_smtn": str(buy),
                  "seln_cnqn_smtn": str(sell)})
        rows.append(r)
    return ok(output=fill_rows(call, "output", rows))


# --------------------------------------------------------------------------- condition search


@register("domestic_stock/psearch_title")
def psearch_title(call: Call) -> Reply:
    """종목조건검색 목록 (HHKST03900300): ``USER_ID``'s saved conditions
    (:mod:`hantoo.sim.marketdata.conditions`)."""
    from ..marketdata.conditions import conditions_of

    user = call.param("USER_ID")
    rows = [{"user_id": user, "seq": c.seq, "grp_nm": c.group, "condition_nm": c.name}
            for c in conditions_of(call.state, user)]
    return ok(output2=fill_rows(call, "output2", rows))


@register("domestic_stock/psearch_result")
def psearch_result(call: Call) -> Reply:
    """종목조건검색 조회 (HHKST03900400): the issues meeting condition ``SEQ`` now, highest
    volume first, at the engine's quotes; an unknown ``SEQ`` is refused."""
    from ..marketdata.conditions import conditions_of, run

    seq = call.param("SEQ").strip()
    cond = next((c for c in conditions_of(call.state, call.param("USER_ID")) if c.seq == seq),
                None)
    if cond is None:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_SEQ (no saved condition "
                            f"{seq!r}: list them with psearch_title)", rt_cd="2")
    rows = []
    for q in run(exchange(call), cond):
        rows.append({
            "code": q.symbol, "name": q.name, "daebi": q.change_sign, "price": dec(q.price),
            "chgrate": dec(q.change_rate), "acml_vol": str(q.volume),
            "trade_amt": str(q.trade_value), "change": dec(q.change),
            "open": dec(q.open), "high": dec(q.high), "low": dec(q.low),
            "high52": dec(q.high_52w), "low52": dec(q.low_52w),
            "recprice": dec(q.prev_close), "uplmtprice": dec(q.upper_limit),
            "dnlmtprice": dec(q.lower_limit), "stotprice": dec(q.market_cap / 100_000_000),
        })
    return ok(output2=fill_rows(call, "output2", rows))
