"""Investor, program-trading and short-sale APIs answered from the participants' trades.

Every figure comes from :mod:`hantoo.sim.marketdata.flows` (today: the engine's trades by
investor type; past days: a seeded, balanced split of the day's candle), so the per-issue daily
APIs, the market rankings and ``inquire_investor`` agree with each other and with the quote's
volume. Request values are already validated (:mod:`hantoo.sim.validation`).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..engine.views import Candle
from ..marketdata.flows import (
    INVESTOR_TYPES,
    MARKET_VENUES,
    DayFlows,
    Flow,
    day_detail,
    institution_flow_split,
)
from ..marketdata.rankings import Screen, ranked, screen
from . import BusinessError, Call, Reply, fill, fill_rows, ok, register
from ._common import domestic_symbol, exchange, krw, parse_date, rate, ymd

DAYS = 30
RANK_ROWS = 30


def _pct(num: Decimal | int, den: Decimal | int) -> str:
    return rate(num, den) if den else "0.00"


def _sign(change: Decimal | int) -> str:
    return "2" if change > 0 else "5" if change < 0 else "3"


def _market(call: Call) -> str:
    """``FID_COND_MRKT_DIV_CODE``: ``J`` KRX, ``NX`` Nextrade, ``UN`` both (blank: ``J``)."""
    market = call.param("FID_COND_MRKT_DIV_CODE").upper() or "J"
    if market not in MARKET_VENUES:
        raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_FID_COND_MRKT_DIV_CODE "
                            "(J (KRX), NX (NXT) or UN (combined))", rt_cd="2")
    return market


def _days(call: Call, code: str, until: date, start: date | None = None, market: str = "J"
          ) -> list[tuple[Any, Decimal, DayFlows]]:
    """(candle, previous close, flows) per trading day up to ``until``, oldest first. With
    ``NX``/``UN`` today's candle is that venue view's (the quote's); past days are KRX's (the
    engine keeps no per-venue history)."""
    ex = exchange(call)
    first = start or until - timedelta(days=DAYS * 2)
    candles = ex.daily_candles(code, first - timedelta(days=10), until, "D")
    if market != "J" and candles:
        q = ex.quote(code, market)
        if candles[-1].start == q.trade_date:
            candles[-1] = Candle(q.trade_date, Decimal(q.open or q.price),
                                 Decimal(q.high or q.price), Decimal(q.low or q.price),
                                 Decimal(q.price), q.volume, Decimal(q.trade_value))
    seed = call.state.config.seed
    out = []
    prev: Decimal | None = None
    for c in candles:
        if c.start >= first:
            flows = day_detail(ex, seed, code, c.start, c.volume, Decimal(c.value), market)
            out.append((c, prev if prev is not None else Decimal(c.open), flows))
        prev = Decimal(c.close)
    return out


def _flow_fields(prefix: str, f: Flow, qty_name: str = "qty") -> dict[str, str]:
    return {
        f"{prefix}_ntby_{qty_name}": str(f.net_qty), f"{prefix}_ntby_tr_pbmn": krw(f.net_value),
        f"{prefix}_shnu_vol": str(f.buy_qty), f"{prefix}_shnu_tr_pbmn": krw(f.buy_value),
        f"{prefix}_seln_vol": str(f.sell_qty), f"{prefix}_seln_tr_pbmn": krw(f.sell_value),
    }


def _summary(call: Call, code: str, market: str = "J") -> dict[str, str]:
    """The issue's quote now, with the previous trading day's volume from its candles."""
    ex = exchange(call)
    q = ex.quote(code, market)
    before = [c for c in ex.daily_candles(code, q.trade_date - timedelta(days=10), q.trade_date,
                                          "D") if c.start < q.trade_date]
    return {"stck_prpr": krw(q.price), "prdy_vrss": krw(q.change),
            "prdy_vrss_sign": q.change_sign, "prdy_ctrt": str(q.change_rate),
            "acml_vol": str(q.volume), "prdy_vol": str(before[-1].volume if before else 0),
            "rprs_mrkt_kor_name": str(q.market.value)}


def _day_base(c: Any, prev: Decimal) -> dict[str, str]:
    change = Decimal(c.close) - prev
    return {"stck_bsop_date": ymd(c.start), "stck_clpr": krw(c.close),
            "prdy_vrss": krw(change), "prdy_vrss_sign": _sign(change),
            "prdy_ctrt": _pct(change, prev), "acml_vol": str(c.volume),
            "acml_tr_pbmn": krw(c.value)}


@register("domestic_stock/investor_trade_by_stock_daily")
def investor_trade_by_stock_daily(call: Call) -> Reply:
    """종목별 투자자매매동향(일별) (FHPTJ04160001): per day up to ``FID_INPUT_DATE_1``, newest
    first, each type's buys and sells; institutions are the exact sum of their sub-types and
    ``etc`` is 기타법인 (``etc_corp``), so the four types' nets sum to zero."""
    code = domestic_symbol(call)
    market = _market(call)
    until = parse_date(call, "FID_INPUT_DATE_1", call.now().date())
    seed = call.state.config.seed
    rows = []
    for c, prev, f in _days(call, code, until, market=market):
        r = {**_day_base(c, prev), "stck_oprc": krw(c.open), "stck_hgpr": krw(c.high),
             "stck_lwpr": krw(c.low), "bold_yn": "N"}
        for t in ("prsn", "frgn", "orgn"):
            r.update(_flow_fields(t, f.types[t]))
        etc = f.types["etc"]
        r.update(_flow_fields("etc", etc))
        r.update(_flow_fields("etc_corp", etc, "vol"))
        r.update(_flow_fields("etc_orgt", Flow(0, 0, Decimal(0), Decimal(0)), "vol"))
        frgn = f.types["frgn"]
        r.update({"frgn_reg_ntby_qty": str(frgn.net_qty), "frgn_nreg_ntby_qty": "0",
                  "frgn_reg_ntby_pbmn": krw(frgn.net_value), "frgn_nreg_ntby_pbmn": "0",
                  "frgn_reg_askp_qty": str(frgn.sell_qty), "frgn_reg_bidp_qty": str(frgn.buy_qty),
                  "frgn_reg_askp_pbmn": krw(frgn.sell_value),
                  "frgn_reg_bidp_pbmn": krw(frgn.buy_value), "frgn_nreg_askp_qty": "0",
                  "frgn_nreg_bidp_qty": "0", "frgn_nreg_askp_pbmn": "0",
                  "frgn_nreg_bidp_pbmn": "0"})
        subs = institution_flow_split(f.types["orgn"], f"{seed}|{code}|{c.start}")
        for sub, sf in subs.items():
            r.update(_flow_fields(sub, sf, "vol" if sub == "pe_fund" else "qty"))
        rows.append(r)
    return ok(output1=fill(call, "output1", _summary(call, code, market)),
              output2=fill_rows(call, "output2", list(reversed(rows[-DAYS:]))))


@register("domestic_stock/program_trade_by_stock_daily")
def program_trade_by_stock_daily(call: Call) -> Reply:
    """종목별 프로그램매매추이(일별) (FHPPG04650201): the ``PROGRAM`` participants' buys and
    sells per day (today's from the engine's trades), newest first, with the change in the net
    from the day before."""
    code = domestic_symbol(call)
    market = _market(call)
    until = parse_date(call, "FID_INPUT_DATE_1", call.now().date())
    rows = []
    prev_net: tuple[int, Decimal] | None = None
    for c, prev, f in _days(call, code, until, market=market):
        p = f.program
        r = {**_day_base(c, prev),
             "whol_smtn_seln_vol": str(p.sell_qty), "whol_smtn_shnu_vol": str(p.buy_qty),
             "whol_smtn_ntby_qty": str(p.net_qty), "whol_smtn_seln_tr_pbmn": krw(p.sell_value),
             "whol_smtn_shnu_tr_pbmn": krw(p.buy_value),
             "whol_smtn_ntby_tr_pbmn": krw(p.net_value)}
        if prev_net is not None:
            r["whol_ntby_vol_icdc"] = str(p.net_qty - prev_net[0])
            r["whol_ntby_tr_pbmn_icdc2"] = krw(p.net_value - prev_net[1])
        else:
            r["whol_ntby_vol_icdc"] = r["whol_ntby_tr_pbmn_icdc2"] = "0"
        prev_net = (p.net_qty, p.net_value)
        rows.append(r)
    return ok(output=fill_rows(call, "output", list(reversed(rows[-DAYS:]))))


def _short_fields(c: Any, f: DayFlows) -> dict[str, str]:
    avg = Decimal(c.value) / c.volume if c.volume else Decimal(0)
    return {"ssts_cntg_qty": str(f.short_qty), "ssts_vol_rlim": _pct(f.short_qty, c.volume),
            "ssts_tr_pbmn": krw(f.short_value),
            "ssts_tr_pbmn_rlim": _pct(f.short_value, Decimal(c.value)),
            "stnd_vol_smtn": str(c.volume), "stnd_tr_pbmn_smtn": krw(c.value),
            "avrg_prc": krw(avg)}


@register("domestic_stock/daily_short_sale")
def daily_short_sale(call: Call) -> Reply:
    """공매도 일별추이 (FHPST04830000): the program participants' sells (their short sales) per
    day between ``FID_INPUT_DATE_1`` and ``FID_INPUT_DATE_2``, newest first, with running totals
    from the first day of the window."""
    code = domestic_symbol(call)
    today = call.now().date()
    until = parse_date(call, "FID_INPUT_DATE_2", today)
    start = parse_date(call, "FID_INPUT_DATE_1", until - timedelta(days=DAYS * 2))
    rows = []
    acc_q, acc_v = 0, Decimal(0)
    for c, prev, f in _days(call, code, until, start):
        acc_q += f.short_qty
        acc_v += f.short_value
        r = {**_day_base(c, prev), "stck_oprc": krw(c.open), "stck_hgpr": krw(c.high),
             "stck_lwpr": krw(c.low), **_short_fields(c, f),
             "acml_ssts_cntg_qty": str(acc_q), "acml_ssts_tr_pbmn": krw(acc_v)}
        r["acml_ssts_cntg_qty_rlim"] = r["ssts_vol_rlim"]
        r["acml_ssts_tr_pbmn_rlim"] = r["ssts_tr_pbmn_rlim"]
        rows.append(r)
    return ok(output1=fill(call, "output1", _summary(call, code)),
              output2=fill_rows(call, "output2", list(reversed(rows[-DAYS:]))))


def _today(call: Call, q: Any) -> DayFlows:
    ex = exchange(call)
    return day_detail(ex, call.state.config.seed, q.symbol, call.now().date(), q.volume,
                      Decimal(q.trade_value))


def _dec(call: Call, wire: str) -> Decimal | None:
    v = call.param(wire)
    return Decimal(v) if v else None


@register("domestic_stock/short_sale")
def short_sale(call: Call) -> Reply:
    """공매도 상위종목 (FHPST04820000): today's short sales (the program participants' sells)
    ranked by quantity over the screened issues."""
    vol = call.param("FID_APLY_RANG_VOL")
    quotes = screen(exchange(call), Screen(
        market=call.param("FID_INPUT_ISCD") or "0000",
        price_min=_dec(call, "FID_APLY_RANG_PRC_1"), price_max=_dec(call, "FID_APLY_RANG_PRC_2"),
        volume_min=int(vol) if vol else None, exclude=call.param("FID_TRGT_EXLS_CLS_CODE")))
    flows = {q.symbol: _today(call, q) for q in quotes}
    top = ranked(quotes, lambda q: flows[q.symbol].short_qty, limit=RANK_ROWS)
    day = ymd(call.now().date())
    rows = []
    for q in top:
        f = flows[q.symbol]
        rows.append({
            "mksc_shrn_iscd": q.symbol, "hts_kor_isnm": q.name, "stck_prpr": krw(q.price),
            "prdy_vrss": krw(q.change), "prdy_vrss_sign": q.change_sign,
            "prdy_ctrt": str(q.change_rate), "acml_vol": str(q.volume),
            "acml_tr_pbmn": krw(q.trade_value), "ssts_cntg_qty": str(f.short_qty),
            "ssts_vol_rlim": _pct(f.short_qty, q.volume), "ssts_tr_pbmn": krw(f.short_value),
            "ssts_tr_pbmn_rlim": _pct(f.short_value, Decimal(q.trade_value)),
            "stnd_date1": day, "stnd_date2": day,
            "avrg_prc": krw(Decimal(q.trade_value) / q.volume if q.volume else 0)})
    return ok(output=fill_rows(call, "output", rows))


@register("domestic_stock/foreign_institution_total")
def foreign_institution_total(call: Call) -> Reply:
    """국내기관_외국인 매매종목가집계 (FHPTJ04400000): today's net buys of foreigners (1),
    institutions (2), other corporations (3) or foreigners and institutions together (0),
    net buyers first (``FID_RANK_SORT_CLS_CODE`` 0) or net sellers (1), by quantity (0) or
    value (1)."""
    quotes = screen(exchange(call), Screen(market=call.param("FID_INPUT_ISCD") or "0000"))
    kinds = {"1": ("frgn",), "2": ("orgn",), "3": ("etc",)}.get(
        call.param("FID_ETC_CLS_CODE"), ("frgn", "orgn"))
    by_value = call.param("FID_DIV_CLS_CODE") == "1"
    sellers = call.param("FID_RANK_SORT_CLS_CODE") == "1"
    flows = {q.symbol: _today(call, q) for q in quotes}

    def net(q: Any) -> Decimal:
        types = flows[q.symbol].types
        return sum((types[k].net_value if by_value else Decimal(types[k].net_qty)
                    for k in kinds), Decimal(0))

    top = ranked(quotes, net, descending=not sellers, limit=RANK_ROWS)
    seed = call.state.config.seed
    day = call.now().date()
    rows = []
    for q in top:
        types = flows[q.symbol].types
        r = {"hts_kor_isnm": q.name, "mksc_shrn_iscd": q.symbol,
             "ntby_qty": str(sum(types[k].net_qty for k in kinds)),
             "stck_prpr": krw(q.price), "prdy_vrss_sign": q.change_sign,
             "prdy_vrss": krw(q.change), "prdy_ctrt": str(q.change_rate),
             "acml_vol": str(q.volume),
             "frgn_ntby_qty": str(types["frgn"].net_qty),
             "frgn_ntby_tr_pbmn": krw(types["frgn"].net_value),
             "orgn_ntby_qty": str(types["orgn"].net_qty),
             "orgn_ntby_tr_pbmn": krw(types["orgn"].net_value),
             "etc_corp_ntby_vol": str(types["etc"].net_qty),
             "etc_corp_ntby_tr_pbmn": krw(types["etc"].net_value),
             "etc_orgt_ntby_vol": "0", "etc_orgt_ntby_tr_pbmn": "0"}
        for sub, sf in institution_flow_split(types["orgn"], f"{seed}|{q.symbol}|{day}").items():
            if sub in ("scrt", "pe_fund"):
                continue  # not in this API's rows
            r[f"{sub}_ntby_qty"] = str(sf.net_qty)
            r[f"{sub}_ntby_tr_pbmn"] = krw(sf.net_value)
        rows.append(r)
    return ok(output=fill_rows(call, "output", rows))


_ = INVESTOR_TYPES  # the four categories every API here reports
