"""Domestic quotations with engine semantics: price, book, candles, time and sales, holidays.

Why these answers come from the engine and not the generic filler: a client that places an
order at the quoted price, or pages candles over a year, must see numbers that agree with each
other and with its fills — the same last price in the quote, the book and the fills; candles that
join page to page with no gap and no repeat.

Paging as KIS does it for these TRs: the chart APIs have no cursors.
``inquire_daily_itemchartprice`` answers the newest 100 bars of
``[FID_INPUT_DATE_1, FID_INPUT_DATE_2]`` and the caller moves the end date before the oldest
bar it got; ``inquire_time_itemchartprice`` answers 30 minute bars at or before
``FID_INPUT_HOUR_1`` and the caller moves the hour back. Bars are dated by their first business
day (week/month/year) or their first minute, so "one day/second before the oldest" never cuts a
bar in two.
"""

from __future__ import annotations

import dataclasses
import operator
import weakref
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..engine.views import Candle, Quote
from ..marketdata.corporate import fundamentals
from . import BusinessError, Call, Reply, ok, register
from ._common import (
    dec,
    domestic_symbol,
    engine_errors,
    exchange,
    fields_of,
    hms,
    keyset_page,
    krw,
    parse_date,
    rate,
    row,
    sign,
    ymd,
)

_MIDNIGHT = datetime.min.time()
DAILY_CHART_ROWS = 100
MINUTE_CHART_ROWS = 30
# 주식일별분봉조회 answers up to 120 bars a call (the broker's documentation; the catalogue's
# ``page_size_per_docstring``), four times the same-day API: bulk minute history costs a quarter
# of the calls against real KIS, and so must against the simulator.
DAILY_MINUTE_CHART_ROWS = 120
CCNL_ROWS = 30
DAILY_PRICE_ROWS = 30
#: Where the simulator's daily history begins: an earlier start (``00000101``, which clients
#: send to mean "from the beginning") is read as this.
HISTORY_START = date(1990, 1, 1)
#: Calendar days that surely hold more than ``DAILY_CHART_ROWS`` bars of each period: only the
#: newest 100 are answered, so older days need not be computed at all.
_CHART_SPAN_DAYS = {"D": 100 * 7 // 5 + 40, "W": 101 * 7, "M": 101 * 31, "Y": 101 * 366}

_MARKET_NAME = {"KOSPI": "KOSPI", "KOSDAQ": "KOSDAQ", "KONEX": "KONEX"}


def _market(call: Call) -> str:
    """``FID_COND_MRKT_DIV_CODE``: ``NX`` (NXT) and ``UN`` (KRX + NXT) choose the venue view;
    ``J`` and anything else (ETF/ELW codes the engine treats alike) are KRX."""
    code = call.param("FID_COND_MRKT_DIV_CODE").upper()
    return code if code in ("NX", "UN") else "J"


def _quote(call: Call, code: str) -> Quote:
    with engine_errors():
        q: Quote = exchange(call).quote(code, _market(call))
    return q


def _h(code: str, salt: str) -> int:
    """A stable small hash for plausible per-issue constants (PER, foreign ownership...)."""
    import zlib

    return zlib.crc32(f"{code}|{salt}".encode())


def _pct(num: Decimal, den: Decimal) -> str:
    return rate(num, den) if den else "0.00"


def _quote_fields(call: Call, q: Quote) -> dict[str, str]:
    """The ``inquire_price`` output fields the engine knows, in KIS units."""
    ex = exchange(call)
    inst = ex.universe.get(q.symbol)
    shares = q.shares_outstanding or 0
    par = Decimal(getattr(inst, "par_value", 0) or 0)
    base = q.prev_close
    # per-share fundamentals from the one place the financial-statement APIs also read (issue 16)
    eps, bps = (fundamentals(inst).eps, fundamentals(inst).bps) if inst is not None else (
        (base / Decimal(6 + _h(q.symbol, "per") % 24)).quantize(Decimal(1)),
        (base / (Decimal(5 + _h(q.symbol, "pbr") % 25) / 10)).quantize(Decimal(1)))
    vwap = (q.trade_value / q.volume).quantize(Decimal("0.01")) if q.volume else q.price
    hi_year, hi_year_d, lo_year, lo_year_d = _year_range(call, q)
    yday = _prev_bar(call, q)
    return _pivots(yday) | {
        "prdy_vrss_vol_rate": rate(q.volume, yday.volume) if yday else "0.00",
        "hts_frgn_ehrt": f"{_h(q.symbol, 'frgn') % 50}.{_h(q.symbol, 'frgn') % 97:02d}",
        "stac_month": "12",
        "iscd_stat_cls_code": "55",
        "marg_rate": "20.00",
        "rprs_mrkt_kor_name": _MARKET_NAME.get(q.market.value, q.market.value),
        "bstp_kor_isnm": _MARKET_NAME.get(q.market.value, q.market.value),
        "temp_stop_yn": "N",
        "crdt_able_yn": "Y",
        "elw_pblc_yn": "N",
        "stck_prpr": krw(q.price),
        "prdy_vrss": krw(q.change),
        "prdy_vrss_sign": q.change_sign,
        "prdy_ctrt": str(q.change_rate),
        "acml_tr_pbmn": krw(q.trade_value),
        "acml_vol": str(q.volume),
        "stck_oprc": krw(q.open),
        "stck_hgpr": krw(q.high),
        "stck_lwpr": krw(q.low),
        "stck_mxpr": krw(q.upper_limit),
        "stck_llam": krw(q.lower_limit),
        "stck_sdpr": krw(base),
        "wghn_avrg_stck_prc": dec(vwap),
        "aspr_unit": krw(q.tick_size),
        "hts_deal_qty_unit_val": "1",
        "lstn_stcn": str(shares),
        # 시가총액 and 자본금 are in 억원 (hundred millions of won) in KIS answers.
        "hts_avls": krw(q.market_cap / 100_000_000),
        "cpfn": krw(par * shares / 100_000_000),
        "stck_fcam": krw(par),
        "stck_sspr": krw((base * 7 / 10).quantize(Decimal(1))),
        "per": rate(q.price, eps * 100) if eps else "0.00",
        "pbr": rate(q.price, bps * 100) if bps else "0.00",
        "eps": dec(eps),
        "bps": dec(bps),
        "vol_tnrt": _pct(Decimal(q.volume), Decimal(shares)),
        "w52_hgpr": krw(q.high_52w),
        "w52_hgpr_date": ymd(q.high_52w_date),
        "w52_hgpr_vrss_prpr_ctrt": _pct(q.price - q.high_52w, q.high_52w),
        "w52_lwpr": krw(q.low_52w),
        "w52_lwpr_date": ymd(q.low_52w_date),
        "w52_lwpr_vrss_prpr_ctrt": _pct(q.price - q.low_52w, q.low_52w),
        "d250_hgpr": krw(q.high_52w),
        "d250_hgpr_date": ymd(q.high_52w_date),
        "d250_hgpr_vrss_prpr_rate": _pct(q.price - q.high_52w, q.high_52w),
        "d250_lwpr": krw(q.low_52w),
        "d250_lwpr_date": ymd(q.low_52w_date),
        "d250_lwpr_vrss_prpr_rate": _pct(q.price - q.low_52w, q.low_52w),
        "stck_dryy_hgpr": krw(hi_year),
        "dryy_hgpr_date": ymd(hi_year_d),
        "dryy_hgpr_vrss_prpr_rate": _pct(q.price - hi_year, hi_year),
        "stck_dryy_lwpr": krw(lo_year),
        "dryy_lwpr_date": ymd(lo_year_d),
        "dryy_lwpr_vrss_prpr_rate": _pct(q.price - lo_year, lo_year),
        "stck_shrn_iscd": q.symbol,
        "ssts_yn": "Y",
        "short_over_yn": "N",
        "sltr_yn": "N",
        "invt_caful_yn": "N",
        "mrkt_warn_cls_code": "00",
        "mang_issu_cls_code": "N",
        "vi_cls_code": "N",
        "ovtm_vi_cls_code": "N",
    }


def _pivots(yday: Candle | None) -> dict[str, str]:
    """Pivot points of the previous day (피봇/디마크), as HTS computes them."""
    if yday is None:
        return {}
    h, lo, c, o = yday.high, yday.low, yday.close, yday.open
    p = (h + lo + c) / 3
    x = (h + 2 * lo + c) if c < o else (2 * h + lo + c) if c > o else (h + lo + 2 * c)
    return {
        "pvt_pont_val": krw(p),
        "pvt_frst_dmrs_prc": krw(2 * p - lo),
        "pvt_scnd_dmrs_prc": krw(p + h - lo),
        "pvt_frst_dmsp_prc": krw(2 * p - h),
        "pvt_scnd_dmsp_prc": krw(p - h + lo),
        "dmrs_val": krw(x / 2 - lo),
        "dmsp_val": krw(x / 2 - h),
    }


# Past daily bars never change once their day is over, but rebuilding a year of them costs
# ~10 ms: the year-to-date extremes before today and yesterday's bar are computed once per
# (exchange, symbol, trading day) and combined with today's live bar on every call.
# Keyed by the exchange object itself (weakly), not its ``id()``: an id is reused once an
# exchange is gone, and another simulator in the same process would read this one's history.
_Past = tuple[tuple[Decimal, date, Decimal, date] | None, Candle | None]
_PAST: weakref.WeakKeyDictionary[Any, dict[tuple[str, date], _Past]] = (
    weakref.WeakKeyDictionary())
_PAST_LIMIT = 4096


def _past(call: Call, q: Quote) -> tuple[tuple[Decimal, date, Decimal, date] | None,
                                         Candle | None]:
    ex = exchange(call)
    known = _PAST.setdefault(ex, {})
    key = (q.symbol, q.trade_date)
    hit = known.get(key)
    if hit is None:
        first = date(q.trade_date.year, 1, 1)
        with engine_errors():
            bars: list[Candle] = ex.daily_candles(q.symbol, first, q.trade_date, "D")
            recent: list[Candle] = ex.daily_candles(
                q.symbol, q.trade_date - timedelta(days=20), q.trade_date - timedelta(days=1),
                "D",
            )
        past = [b for b in bars if _d(b.start) < q.trade_date]
        extremes = None
        if past:
            hi = max(past, key=lambda b: (b.high, _d(b.start)))
            lo = min(past, key=lambda b: (b.low, _d(b.start)))
            extremes = (hi.high, _d(hi.start), lo.low, _d(lo.start))
        hit = (extremes, recent[-1] if recent else None)
        if len(known) >= _PAST_LIMIT:
            known.clear()
        known[key] = hit
    return hit


def _year_range(call: Call, q: Quote) -> tuple[Decimal, date, Decimal, date]:
    """Highest and lowest price since 1 January (연중 최고/최저), today included."""
    extremes, _yday = _past(call, q)
    today_hi, today_lo = q.high or q.price, q.low or q.price
    if extremes is None:
        return today_hi, q.trade_date, today_lo, q.trade_date
    hi, hi_d, lo, lo_d = extremes
    if today_hi > hi:
        hi, hi_d = today_hi, q.trade_date
    if today_lo < lo:
        lo, lo_d = today_lo, q.trade_date
    return hi, hi_d, lo, lo_d


def _d(v: date | datetime) -> date:
    return v.date() if isinstance(v, datetime) else v


# --------------------------------------------------------------------------- current price


# A current-price answer is a function of the engine's quote (its time stamp aside, which the
# answer does not carry), the request's parameters (the filler's seed) and the simulator's date.
# Formatting one costs about 0.2 ms — as much as the rest of the request — and clients poll the
# same symbols many times between two trades, so the latest answer of each (symbol, request) is
# kept per exchange and answered again while the quote is unchanged.
_QUOTE_STATE = operator.attrgetter(
    *(f.name for f in dataclasses.fields(Quote) if f.name != "time")
)
_PRICE_ANSWERS: weakref.WeakKeyDictionary[
    Any, dict[tuple[str, int, tuple[tuple[str, str], ...]],
              tuple[tuple[Any, ...], date, dict[str, str]]]
] = weakref.WeakKeyDictionary()
_PRICE_ANSWERS_LIMIT = 1024  # per exchange; ~8 KB each


@register("domestic_stock/inquire_price")
def inquire_price(call: Call) -> Reply:
    """주식현재가 시세 (FHKST01010100): the engine's live quote."""
    code = domestic_symbol(call)
    q = _quote(call, code)
    ex = exchange(call)
    answers = _PRICE_ANSWERS.get(ex)
    if answers is None:
        answers = _PRICE_ANSWERS[ex] = {}
    # what the filler's seed is made of (simulator seed, parameters), only not hashed together
    key = (code, call.state.config.seed, tuple(call.params.items()))
    now = _QUOTE_STATE(q)
    today = call.state.clock.now().date()
    hit = answers.get(key)
    if hit is not None and hit[1] == today and hit[0] == now:
        return ok(output=dict(hit[2]))
    output = row(call, fields_of(call, "output"), _quote_fields(call, q))
    if len(answers) >= _PRICE_ANSWERS_LIMIT:
        answers.clear()
    answers[key] = (now, today, dict(output))
    return ok(output=output)


# --------------------------------------------------------------------------- order book

_BOOK1 = (
    ["aspr_acpt_hour"]
    + [f"askp{i}" for i in range(1, 11)]
    + [f"bidp{i}" for i in range(1, 11)]
    + [f"askp_rsqn{i}" for i in range(1, 11)]
    + [f"bidp_rsqn{i}" for i in range(1, 11)]
    + [f"askp_rsqn_icdc{i}" for i in range(1, 11)]
    + [f"bidp_rsqn_icdc{i}" for i in range(1, 11)]
    + [
        "total_askp_rsqn", "total_bidp_rsqn", "total_askp_rsqn_icdc", "total_bidp_rsqn_icdc",
        "ovtm_total_askp_icdc", "ovtm_total_bidp_icdc", "ovtm_total_askp_rsqn",
        "ovtm_total_bidp_rsqn", "ntby_aspr_rsqn", "new_mkop_cls_code",
    ]
)
_BOOK2 = (
    "antc_mkop_cls_code", "stck_prpr", "stck_oprc", "stck_hgpr", "stck_lwpr", "stck_sdpr",
    "antc_cnpr", "antc_cntg_vrss_sign", "antc_cntg_vrss", "antc_cntg_prdy_ctrt", "antc_vol",
    "stck_shrn_iscd", "vi_cls_code",
)
# 신장운영구분코드 / 예상장운영구분코드 by session phase (first digit: 1 pre-open, 2 regular,
# 3 closing auction, 4 after-hours; the simulator's reading of the codes KIS sends).
_MKOP = {
    "opening_auction": "11", "continuous": "20", "closing_auction": "31", "break": "32",
    "post_market": "41", "after_hours": "42", "closed": "00",
}


@register("domestic_stock/inquire_asking_price_exp_ccn")
def inquire_asking_price_exp_ccn(call: Call) -> Reply:
    """주식현재가 호가/예상체결 (FHKST01010200): ten levels a side and the expected execution
    of a call auction (zero outside auctions, as KIS shows)."""
    code = domestic_symbol(call)
    ex = exchange(call)
    market = _market(call)
    with engine_errors():
        book = ex.order_book(code, 10, market)
        q: Quote = ex.quote(code, market)
    b1: dict[str, str] = {"aspr_acpt_hour": hms(book.time)}
    for i in range(10):
        ask = book.asks[i] if i < len(book.asks) else None
        bid = book.bids[i] if i < len(book.bids) else None
        b1[f"askp{i + 1}"] = krw(ask.price) if ask else "0"
        b1[f"bidp{i + 1}"] = krw(bid.price) if bid else "0"
        b1[f"askp_rsqn{i + 1}"] = str(ask.qty) if ask else "0"
        b1[f"bidp_rsqn{i + 1}"] = str(bid.qty) if bid else "0"
        b1[f"askp_rsqn_icdc{i + 1}"] = "0"
        b1[f"bidp_rsqn_icdc{i + 1}"] = "0"
    total_ask = sum(lv.qty for lv in book.asks)
    total_bid = sum(lv.qty for lv in book.bids)
    phase = book.phase.value
    b1.update(
        total_askp_rsqn=str(total_ask),
        total_bidp_rsqn=str(total_bid),
        total_askp_rsqn_icdc="0",
        total_bidp_rsqn_icdc="0",
        ovtm_total_askp_icdc="0",
        ovtm_total_bidp_icdc="0",
        ovtm_total_askp_rsqn=str(total_ask) if phase in ("post_market", "after_hours") else "0",
        ovtm_total_bidp_rsqn=str(total_bid) if phase in ("post_market", "after_hours") else "0",
        ntby_aspr_rsqn=str(total_bid - total_ask),
        new_mkop_cls_code=_MKOP.get(phase, "00"),
    )
    exp = book.expected_price
    exp_change = (exp - q.prev_close) if exp is not None else Decimal(0)
    b2 = {
        "antc_mkop_cls_code": _MKOP.get(phase, "00") if exp is not None else "00",
        "stck_prpr": krw(q.price),
        "stck_oprc": krw(q.open),
        "stck_hgpr": krw(q.high),
        "stck_lwpr": krw(q.low),
        "stck_sdpr": krw(q.prev_close),
        "antc_cnpr": krw(exp) if exp is not None else "0",
        "antc_cntg_vrss_sign": sign(exp_change) if exp is not None else "3",
        "antc_cntg_vrss": krw(exp_change),
        "antc_cntg_prdy_ctrt": rate(exp_change, q.prev_close) if exp is not None else "0.00",
        "antc_vol": str(book.expected_qty or 0),
        "stck_shrn_iscd": code,
        "vi_cls_code": "N",
    }
    return ok(output1=row(call, _BOOK1, b1), output2=row(call, _BOOK2, b2))


# --------------------------------------------------------------------------- daily candles

_PERIODS = ("D", "W", "M", "Y")
_CHART1 = (
    "prdy_vrss", "prdy_vrss_sign", "prdy_ctrt", "stck_prdy_clpr", "acml_vol", "acml_tr_pbmn",
    "hts_kor_isnm", "stck_prpr", "stck_shrn_iscd", "prdy_vol", "stck_mxpr", "stck_llam",
    "stck_oprc", "stck_hgpr", "stck_lwpr", "stck_prdy_oprc", "stck_prdy_hgpr", "stck_prdy_lwpr",
    "askp", "bidp", "prdy_vrss_vol", "vol_tnrt", "stck_fcam", "lstn_stcn", "cpfn", "hts_avls",
    "per", "eps", "pbr", "itewhol_loan_rmnd_ratem",
)
_CHART2 = (
    "stck_bsop_date", "stck_clpr", "stck_oprc", "stck_hgpr", "stck_lwpr", "acml_vol",
    "acml_tr_pbmn", "flng_cls_code", "prtt_rate", "mod_yn", "prdy_vrss_sign", "prdy_vrss",
    "revl_issu_reas",
)


def _period(call: Call) -> str:
    p = call.param("FID_PERIOD_DIV_CODE").upper() or "D"
    if p not in _PERIODS:
        raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_FID_PERIOD_DIV_CODE",
                            rt_cd="2")
    return p


def _close_before(call: Call, code: str, day: date) -> Decimal | None:
    """Close of the last business day before ``day`` (the previous-period close of a bar)."""
    with engine_errors():
        bars: list[Candle] = exchange(call).daily_candles(
            code, day - timedelta(days=20), day - timedelta(days=1), "D"
        )
    return bars[-1].close if bars else None


def _summary(call: Call, q: Quote) -> dict[str, str]:
    """The ``output1`` of the chart APIs: the current quote in their field names."""
    f = _quote_fields(call, q)
    yday = _prev_bar(call, q)
    out = {k: f[k] for k in (
        "prdy_vrss", "prdy_vrss_sign", "prdy_ctrt", "acml_vol", "acml_tr_pbmn", "stck_prpr",
        "stck_shrn_iscd", "stck_mxpr", "stck_llam", "stck_oprc", "stck_hgpr", "stck_lwpr",
        "vol_tnrt", "stck_fcam", "lstn_stcn", "cpfn", "hts_avls", "per", "eps", "pbr",
    )}
    out.update(
        hts_kor_isnm=q.name,
        stck_prdy_clpr=krw(q.prev_close),
        prdy_vol=str(yday.volume) if yday else "0",
        stck_prdy_oprc=krw(yday.open) if yday else "0",
        stck_prdy_hgpr=krw(yday.high) if yday else "0",
        stck_prdy_lwpr=krw(yday.low) if yday else "0",
        askp=krw(q.best_ask) if q.best_ask is not None else "0",
        bidp=krw(q.best_bid) if q.best_bid is not None else "0",
        prdy_vrss_vol=str(q.volume - yday.volume) if yday else "0",
        itewhol_loan_rmnd_ratem="0.00",
    )
    return out


def _prev_bar(call: Call, q: Quote) -> Candle | None:
    return _past(call, q)[1]


def _candle_rows(
    call: Call, code: str, bars: list[Candle], prev_close: Decimal | None
) -> list[dict[str, str]]:
    """Wire rows, newest first, ``prdy_vrss`` against the bar before (oldest: ``prev_close``)."""
    rows: list[dict[str, str]] = []
    before = prev_close
    for b in bars:  # oldest first
        change = b.close - before if before is not None else Decimal(0)
        rows.append({
            "stck_bsop_date": ymd(b.start),
            "stck_clpr": krw(b.close),
            "stck_oprc": krw(b.open),
            "stck_hgpr": krw(b.high),
            "stck_lwpr": krw(b.low),
            "acml_vol": str(b.volume),
            "acml_tr_pbmn": krw(b.value),
            "flng_cls_code": "00",
            "prtt_rate": "0.00",
            "mod_yn": "N",
            "prdy_vrss_sign": sign(change),
            "prdy_vrss": krw(change),
            "revl_issu_reas": "",
        })
        before = b.close
    rows.reverse()
    return rows


@register("domestic_stock/inquire_daily_itemchartprice")
def inquire_daily_itemchartprice(call: Call) -> Reply:
    """국내주식기간별시세 (FHKST03010100): D/W/M/Y bars of ``[DATE_1, DATE_2]``, newest first,
    at most 100 per answer (the newest 100; page by moving ``FID_INPUT_DATE_2`` back)."""
    code = domestic_symbol(call)
    period = _period(call)
    q = _quote(call, code)
    today = q.trade_date
    start = _history_start(call, "FID_INPUT_DATE_1")
    end = parse_date(call, "FID_INPUT_DATE_2", today)
    start = max(start, HISTORY_START, min(end, today) - timedelta(days=_CHART_SPAN_DAYS[period]))
    bars: list[Candle] = []
    if start <= end:
        with engine_errors():
            bars = exchange(call).daily_candles(code, start, end, period)
    bars = bars[-DAILY_CHART_ROWS:]
    prev = _close_before(call, code, _d(bars[0].start)) if bars else None
    rows = _candle_rows(call, code, bars, prev)
    return ok(
        output1=row(call, _CHART1, _summary(call, q)),
        output2=[row(call, _CHART2, r, index=i) for i, r in enumerate(rows)],
    )


def _history_start(call: Call, wire: str) -> date:
    """A start date where ``00000101`` (any all-digit date in year 0) means "from the beginning
    of history", as clients send it for an open-ended request."""
    raw = call.param(wire)
    if len(raw) == 8 and raw.isdigit() and raw[:4] == "0000":
        return HISTORY_START
    return parse_date(call, wire, HISTORY_START)


@register("domestic_stock/inquire_daily_price")
def inquire_daily_price(call: Call) -> Reply:
    """주식현재가 일자별 (FHKST01010400): the latest 30 days, weeks or months, newest first."""
    code = domestic_symbol(call)
    period = _period(call)
    if period == "Y":
        raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_FID_PERIOD_DIV_CODE",
                            rt_cd="2")
    q = _quote(call, code)
    today = q.trade_date
    span = {"D": 31 * 7 // 5 + 14, "W": 31 * 7 + 7, "M": 31 * 31 + 31}[period]
    with engine_errors():
        bars: list[Candle] = exchange(call).daily_candles(
            code, today - timedelta(days=span), today, period
        )
    bars = bars[-(DAILY_PRICE_ROWS + 1):]
    prev_vol: int | None = None
    prev_close: Decimal | None = None
    rows: list[dict[str, str]] = []
    seed = _h(code, "frgn")
    for b in bars:
        change = b.close - prev_close if prev_close is not None else Decimal(0)
        rows.append({
            "stck_bsop_date": ymd(b.start),
            "stck_oprc": krw(b.open),
            "stck_hgpr": krw(b.high),
            "stck_lwpr": krw(b.low),
            "stck_clpr": krw(b.close),
            "acml_vol": str(b.volume),
            "prdy_vrss_vol_rate": rate(b.volume - prev_vol, prev_vol) if prev_vol else "0.00",
            "prdy_vrss": krw(change),
            "prdy_vrss_sign": sign(change),
            "prdy_ctrt": rate(change, prev_close) if prev_close else "0.00",
            "hts_frgn_ehrt": f"{seed % 50}.{seed % 97:02d}",
            "frgn_ntby_qty": "0",
            "flng_cls_code": "00",
            "acml_prtt_rate": "0.00",
        })
        prev_vol, prev_close = b.volume, b.close
    rows = rows[-DAILY_PRICE_ROWS:]
    rows.reverse()
    fields = fields_of(call, "output")
    return ok(output=[row(call, fields, r, index=i) for i, r in enumerate(rows)])


# --------------------------------------------------------------------------- intraday

_MIN1 = (
    "prdy_vrss", "prdy_vrss_sign", "prdy_ctrt", "stck_prdy_clpr", "acml_vol", "acml_tr_pbmn",
    "hts_kor_isnm", "stck_prpr",
)
_MIN2 = (
    "stck_bsop_date", "stck_cntg_hour", "stck_prpr", "stck_oprc", "stck_hgpr", "stck_lwpr",
    "cntg_vol", "acml_tr_pbmn",
)


def _hour(call: Call, wire: str = "FID_INPUT_HOUR_1") -> str:
    """A time cursor; blank or ``000000`` means "from the session end" (everything so far)."""
    raw = call.param(wire)
    if not raw or raw == "000000":
        return "999999"
    if len(raw) != 6 or not raw.isdigit():
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_{wire}", rt_cd="2")
    return raw


@register("domestic_stock/inquire_time_itemchartprice")
def inquire_time_itemchartprice(call: Call) -> Reply:
    """주식당일분봉조회 (FHKST03010200): today's one-minute bars that start at or before
    ``FID_INPUT_HOUR_1``, newest first, 30 per answer (page by moving the hour back)."""
    return _minute_reply(call, None, MINUTE_CHART_ROWS)


@register("domestic_stock/inquire_time_dailychartprice")
def inquire_time_dailychartprice(call: Call) -> Reply:
    """주식일별분봉조회 (FHKST03010230): the one-minute bars of ``FID_INPUT_DATE_1`` at or before
    ``FID_INPUT_HOUR_1``, newest first, 120 per answer. The simulator keeps the minute history
    of the current trading day only; an earlier date answers no bars (callers move on)."""
    return _minute_reply(call, parse_date(call, "FID_INPUT_DATE_1", call.now().date()),
                         DAILY_MINUTE_CHART_ROWS)


def _minute_reply(call: Call, day: date | None, per_page: int) -> Reply:
    code = domestic_symbol(call)
    until = _hour(call)
    q = _quote(call, code)
    bars: list[Candle] = []
    if day is None or day == q.trade_date:
        with engine_errors():
            bars = exchange(call).minute_candles(code, 1)
    rows: list[dict[str, str]] = []
    cum = Decimal(0)
    for b in bars:
        cum += b.value
        start = b.start if isinstance(b.start, datetime) else datetime.combine(b.start, _MIDNIGHT)
        if hms(start) > until:
            break
        rows.append({
            "stck_bsop_date": ymd(start),
            "stck_cntg_hour": hms(start),
            "stck_prpr": krw(b.close),
            "stck_oprc": krw(b.open),
            "stck_hgpr": krw(b.high),
            "stck_lwpr": krw(b.low),
            "cntg_vol": str(b.volume),
            "acml_tr_pbmn": krw(cum),
        })
    rows = rows[-per_page:]
    rows.reverse()
    f = _summary(call, q)
    head = {k: f[k] for k in _MIN1 if k in f}
    return ok(
        output1=row(call, _MIN1, head),
        output2=[row(call, _MIN2, r, index=i) for i, r in enumerate(rows)],
    )


def _tape(call: Call, code: str, until: str) -> list[dict[str, Any]]:
    """Today's prints at or before ``until`` (HHMMSS), newest first, with 체결강도 so far."""
    with engine_errors():
        prints = list(reversed(exchange(call).trades(code, limit=1_000_000)))  # oldest first
    out: list[dict[str, Any]] = []
    buy = sell = 0
    for t in prints:
        if t.side is not None and t.side.value == 2:
            buy += t.qty
        elif t.side is not None:
            sell += t.qty
        if hms(t.time) > until:
            break
        strength = rate(buy, sell) if sell else ("100.00" if not buy else "500.00")
        out.append({"t": t, "strength": strength})
    out.reverse()
    return out


@register("domestic_stock/inquire_ccnl")
def inquire_ccnl(call: Call) -> Reply:
    """주식현재가 체결 (FHKST01010300): the latest 30 prints, newest first."""
    code = domestic_symbol(call)
    q = _quote(call, code)
    rows = []
    for item in _tape(call, code, "999999")[:CCNL_ROWS]:
        t = item["t"]
        change = t.price - q.prev_close
        rows.append({
            "stck_cntg_hour": hms(t.time),
            "stck_prpr": krw(t.price),
            "prdy_vrss": krw(change),
            "prdy_vrss_sign": sign(change),
            "cntg_vol": str(t.qty),
            "tday_rltv": item["strength"],
            "prdy_ctrt": rate(change, q.prev_close),
        })
    fields = fields_of(call, "output")
    return ok(output=[row(call, fields, r, index=i) for i, r in enumerate(rows)])


_CONC1 = (
    "stck_prpr", "prdy_vrss", "prdy_vrss_sign", "prdy_ctrt", "acml_vol", "prdy_vol",
    "rprs_mrkt_kor_name",
)
_CONC2 = (
    "stck_cntg_hour", "stck_pbpr", "prdy_vrss", "prdy_vrss_sign", "prdy_ctrt", "askp", "bidp",
    "tday_rltv", "acml_vol", "cnqn",
)


@register("domestic_stock/inquire_time_itemconclusion")
def inquire_time_itemconclusion(call: Call) -> Reply:
    """주식현재가 당일시간대별체결 (FHPST01060000): prints at or before ``FID_INPUT_HOUR_1``,
    newest first, 30 per answer. Best bid/ask at each print are not kept by the engine: the
    current ones are shown."""
    code = domestic_symbol(call)
    until = _hour(call)
    q = _quote(call, code)
    yday = _prev_bar(call, q)
    rows = []
    for item in _tape(call, code, until)[:CCNL_ROWS]:
        t = item["t"]
        change = t.price - q.prev_close
        rows.append({
            "stck_cntg_hour": hms(t.time),
            "stck_pbpr": krw(t.price),
            "prdy_vrss": krw(change),
            "prdy_vrss_sign": sign(change),
            "prdy_ctrt": rate(change, q.prev_close),
            "askp": krw(q.best_ask) if q.best_ask is not None else "0",
            "bidp": krw(q.best_bid) if q.best_bid is not None else "0",
            "tday_rltv": item["strength"],
            "acml_vol": str(t.cum_volume),
            "cnqn": str(t.qty),
        })
    head = {
        "stck_prpr": krw(q.price),
        "prdy_vrss": krw(q.change),
        "prdy_vrss_sign": q.change_sign,
        "prdy_ctrt": str(q.change_rate),
        "acml_vol": str(q.volume),
        "prdy_vol": str(yday.volume) if yday else "0",
        "rprs_mrkt_kor_name": _MARKET_NAME.get(q.market.value, q.market.value),
    }
    return ok(
        output1=row(call, _CONC1, head),
        output2=[row(call, _CONC2, r, index=i) for i, r in enumerate(rows)],
    )


# --------------------------------------------------------------------------- holidays

HOLIDAY_WINDOW_DAYS = 60


@register("domestic_stock/chk_holiday")
def chk_holiday(call: Call) -> Reply:
    """국내휴장일조회 (CTCA0903R): one row per calendar day from ``BASS_DT`` (60 days), paged
    with cursors. ``opnd_yn`` (market open) follows the KRX calendar; ``bzdy_yn`` (bank business
    day) is a weekday that is no public holiday — KRX's year-end closing day is a bank day."""
    first = parse_date(call, "BASS_DT")
    cal = exchange(call).calendar
    days = [first + timedelta(days=i) for i in range(HOLIDAY_WINDOW_DAYS)]
    page = keyset_page(call, days, ymd, descending=False, default_size=20)
    rows = []
    for d in page.rows:
        market_open = cal.is_business_day(d)
        year_end = d.month == 12 and d.day == 31 and d.weekday() < 5
        bank_day = market_open or year_end
        rows.append({
            "bass_dt": ymd(d),
            "wday_dvsn_cd": f"{(d.isoweekday() % 7) + 1:02d}",  # 01 Sunday ... 07 Saturday
            "bzdy_yn": "Y" if bank_day else "N",
            "tr_day_yn": "Y" if bank_day else "N",
            "opnd_yn": "Y" if market_open else "N",
            "sttl_day_yn": "Y" if market_open else "N",
        })
    fields = fields_of(call, "output")
    return ok(
        output=[row(call, fields, r, index=i) for i, r in enumerate(rows)],
        tr_cont=page.tr_cont,
        extra=page.cursors,
    )
