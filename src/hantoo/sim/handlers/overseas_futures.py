"""Overseas futures quotes and candles from the seeded model (:mod:`..engine.futures_quotes`).

Answered here: 해외선물 현재가 (``inquire_price``), 상품기본정보 (``stock_detail``), 호가
(``inquire_asking_price``), 일/주/월간 체결 (``daily_ccnl``, ``weekly_ccnl``, ``monthly_ccnl``) and
계약상세 (``search_contract_detail``), and the same for options on them (``opt_price``,
``opt_detail``, ``opt_asking_price``, ``opt_*_ccnl``, ``inquire_time_optchartprice``,
``search_opt_detail``; premiums from :mod:`..engine.options_quotes`). The price, the book and the
bars of one series come from one function, so they agree, and every bar keeps high ≥ open,
close ≥ low. Orders, fills, positions and margin are answered by
:mod:`.overseas_futures_trading` against the same prices; input is validated before either
(:mod:`hantoo.sim.validation_overseas`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from ..engine.futures_quotes import CHICAGO, SESSION, FBar, FuturesQuotes
from ..engine.options_quotes import OptionQuotes
from ..engine.overseas_futures import FuturesSpec
from . import BusinessError, Call, Reply, ok, register
from ._common import block_rows, exchange, fields_of, row, usd, ymd


def _options(call: Call) -> bool:
    """Whether the call is one of the option APIs (``opt_price``, ``opt_daily_ccnl``...)."""
    return "opt" in call.api.key.split("/", 1)[1]


def _model(call: Call) -> FuturesQuotes | OptionQuotes:
    """The futures model, or the options model over it for the option APIs."""
    ex = exchange(call)
    model = ex.__dict__.get("_futures_quotes")
    if not isinstance(model, FuturesQuotes):
        model = FuturesQuotes(ex.seed, ex.schedules[1].calendar)
        ex.__dict__["_futures_quotes"] = model
    if not _options(call):
        return model
    opts = ex.__dict__.get("_option_quotes")
    if not isinstance(opts, OptionQuotes) or opts.futures is not model:
        opts = ex.__dict__["_option_quotes"] = OptionQuotes(model)
    return opts


def _series(call: Call, wire: str = "SRS_CD") -> tuple[str, FuturesSpec, date]:
    code = call.param(wire).upper()
    try:
        spec, exp = _model(call).series(code)
    except ValueError:
        what = "옵션종목 (e.g. ESZ26 C6000)" if _options(call) else "선물종목 (e.g. ESZ26)"
        raise BusinessError("MCA05918", f"종목코드 오류입니다 ({wire}={code[:16]}: 없는 {what})")\
            from None
    return code, spec, exp


def _px(spec: FuturesSpec, ticks: int) -> str:
    return str((spec.tick * ticks).quantize(spec.tick))


def _digits(spec: FuturesSpec) -> int:
    return max(0, -spec.tick.as_tuple().exponent)  # type: ignore[operator]


def _today(call: Call) -> tuple[FBar | None, FBar]:
    """(today's live bar or None, the previous day's bar) of the call's series."""
    code = call.param("SRS_CD").upper()
    model = _model(call)
    now = call.now()
    live = model.live(code, now)
    day = live.day if live is not None else model.calendar.on_or_before(now.date())
    prev_day = model.calendar.previous_business_day(day) if live is not None else day
    return live, model.bar(code, prev_day)


@register("overseas_futureoption/inquire_price")
@register("overseas_futureoption/opt_price")
def inquire_price(call: Call) -> Reply:
    """해외선물종목현재가 (HHDFC55010000)."""
    code, spec, exp = _series(call)
    live, prev = _today(call)
    bar = live or prev
    last = bar.close
    base = prev.close if live is not None else _model(call).bar(
        code, _model(call).calendar.previous_business_day(prev.day)).close
    diff = last - base
    now = call.now()
    out = {
        "proc_date": ymd(now), "proc_time": now.strftime("%H%M%S"),
        "open_price": _px(spec, bar.open), "high_price": _px(spec, bar.high),
        "low_price": _px(spec, bar.low), "last_price": _px(spec, last),
        "trst_mgn": str(spec.margin), "vol": str(bar.volume),
        "prev_diff_flag": "2" if diff > 0 else "5" if diff < 0 else "3",
        "prev_diff_price": _px(spec, abs(diff)),
        "prev_diff_rate": usd(Decimal(diff * 100) / base if base else 0, 2),
        "bid_qntt": "12", "bid_price": _px(spec, last - 1), "ask_qntt": "9",
        "ask_price": _px(spec, last + 1), "prev_price": _px(spec, base), "exch_cd": spec.exchange,
        "crc_cd": spec.currency, "trd_fr_date": "", "expr_date": ymd(exp),
        "trd_to_date": ymd(exp), "remn_cnt": str(max(0, (exp - now.date()).days)),
        "last_qntt": "1", "tot_ask_qntt": "90", "tot_bid_qntt": "120",
        "tick_size": str(spec.tick), "open_date": ymd(bar.day), "open_time": "083000",
        "close_date": ymd(bar.day), "close_time": "151500", "sbsnsdate": ymd(bar.day),
        "sttl_price": _px(spec, prev.close),
    }
    return ok(output1=row(call, fields_of(call, "output1"), out), tr_cont="D")


def _detail(spec: FuturesSpec, exp: date) -> dict[str, str]:
    return {
        "exch_cd": spec.exchange, "tick_sz": str(spec.tick), "disp_digit": str(_digits(spec)),
        "trst_mgn": str(spec.margin), "crc_cd": spec.currency, "clas_cd": spec.kind,
        "tick_val": str((spec.tick * spec.multiplier).normalize()),
        "ctrt_size": str(spec.multiplier), "expr_date": ymd(exp), "trd_to_date": ymd(exp),
        "sttl_date": ymd(exp), "mrkt_open_time": "083000", "mrkt_close_time": "151500",
        "stat_tp": "1", "stl_tp": "1", "sub_exch_nm": spec.exchange,
    }


@register("overseas_futureoption/stock_detail")
@register("overseas_futureoption/opt_detail")
def stock_detail(call: Call) -> Reply:
    """해외선물 상품기본정보 (HHDFC55010100): tick, tick value, contract size, margin, expiry."""
    _code, spec, exp = _series(call)
    _live, prev = _today(call)
    out = _detail(spec, exp) | {"prev_price": _px(spec, prev.close)}
    return ok(output1=row(call, fields_of(call, "output1"), out), tr_cont="D")


@register("overseas_futureoption/search_contract_detail")
@register("overseas_futureoption/search_opt_detail")
def search_contract_detail(call: Call) -> Reply:
    """해외선물 계약상세 (HHDFC55200000): one row per ``SRS_CD_nn`` given."""
    rows = []
    for i in range(1, 33):
        wire = f"SRS_CD_{i:02d}"
        if call.param(wire):
            _code, spec, exp = _series(call, wire)
            rows.append(_detail(spec, exp))
    return ok(output2=block_rows(call, fields_of(call, "output2"), rows), tr_cont="D")


@register("overseas_futureoption/inquire_asking_price")
@register("overseas_futureoption/opt_asking_price")
def inquire_asking_price(call: Call) -> Reply:
    """해외선물 호가 (HHDFC86000000): five levels a side around the live price, one tick apart."""
    _code, spec, _exp = _series(call)
    live, prev = _today(call)
    bar = live or prev
    head = {"open_price": _px(spec, bar.open), "high_price": _px(spec, bar.high),
            "lowp_rice": _px(spec, bar.low), "last_price": _px(spec, bar.close),
            "prev_price": _px(spec, prev.close), "vol": str(bar.volume),
            "prev_diff_price": _px(spec, abs(bar.close - prev.close)),
            "prev_diff_rate": usd(Decimal((bar.close - prev.close) * 100) / prev.close, 2),
            "quot_date": ymd(call.now()), "quot_time": call.now().strftime("%H%M%S")}
    levels = [{"bid_qntt": str(10 + 3 * i), "bid_num": str(2 + i),
               "bid_price": _px(spec, bar.close - 1 - i), "ask_qntt": str(8 + 4 * i),
               "ask_num": str(2 + i), "ask_price": _px(spec, bar.close + 1 + i)}
              for i in range(5)]
    fields = ("bid_qntt", "bid_num", "bid_price", "ask_qntt", "ask_num", "ask_price")
    return ok(output1=row(call, tuple(head), head), output2=block_rows(call, fields, levels),
              tr_cont="D")


def _candles(call: Call, period: str) -> Reply:
    code, spec, _exp = _series(call)
    model = _model(call)
    now = call.now()
    raw_end = call.param("CLOSE_DATE_TIME")
    end = now.date()
    if len(raw_end) >= 8 and raw_end[:8].isdigit():
        end = min(end, date(int(raw_end[:4]), int(raw_end[4:6]), int(raw_end[6:8])))
    count = int(call.param("QRY_CNT") or "30")
    if not 1 <= count <= 500:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_QRY_CNT ({count}: 1~500)",
                            rt_cd="2")
    span = {"D": 2, "W": 8, "M": 32}[period] * count + 10
    bars = model.bars(code, end - timedelta(days=span), end, now)
    groups: list[list[FBar]] = []
    last_key: object = None
    for b in bars:
        key: object = (b.day if period == "D" else b.day.isocalendar()[:2] if period == "W"
                       else (b.day.year, b.day.month))
        if key != last_key:
            groups.append([])
            last_key = key
        groups[-1].append(b)
    merged = [FBar(g[0].day, g[0].open, max(b.high for b in g), min(b.low for b in g),
                   g[-1].close, sum(b.volume for b in g)) for g in groups][-count - 1:]
    rows = []
    for prev, bar in zip([None, *merged[:-1]], merged, strict=True):
        if prev is None and len(merged) > count:
            continue
        base = prev.close if prev is not None else bar.open
        diff = bar.close - base
        rows.append({
            "data_date": ymd(bar.day), "data_time": "151500", "open_price": _px(spec, bar.open),
            "high_price": _px(spec, bar.high), "low_price": _px(spec, bar.low),
            "last_price": _px(spec, bar.close), "last_qntt": "1", "vol": str(bar.volume),
            "prev_diff_flag": "2" if diff > 0 else "5" if diff < 0 else "3",
            "prev_diff_price": _px(spec, abs(diff)),
            "prev_diff_rate": usd(Decimal(diff * 100) / base if base else 0, 2),
        })
    rows.reverse()
    return _bars_reply(call, rows)


_BAR_FIELDS = ("data_date", "data_time", "open_price", "high_price", "low_price", "last_price",
               "last_qntt", "vol", "prev_diff_flag", "prev_diff_price", "prev_diff_rate")
_BAR_HEAD = ("tret_cnt", "ret_cnt", "last_n_cnt", "index_key")


def _bars_reply(call: Call, rows: list[dict[str, str]], *, bars_first: bool = False) -> Reply:
    """The candle answers' shape: counts in ``output1``, newest bar first in ``output2``, and
    no next page. ``bars_first`` swaps the two blocks, as the futures minute chart answers
    (the broker's documented example and its samples read the bars from ``output1`` and
    ``index_key`` from ``output2``)."""
    n = str(len(rows))
    head = {"tret_cnt": n, "ret_cnt": n, "last_n_cnt": n, "index_key": ""}
    head_fields = tuple(f for f in _BAR_HEAD if f in call.api.response.all_fields())
    head_row = row(call, head_fields, head)
    bar_rows = block_rows(call, _BAR_FIELDS, rows)
    if bars_first:
        return ok(output1=bar_rows, output2=head_row, tr_cont="D")
    return ok(output1=head_row, output2=bar_rows, tr_cont="D")


@register("overseas_futureoption/daily_ccnl")
@register("overseas_futureoption/opt_daily_ccnl")
def daily_ccnl(call: Call) -> Reply:
    """해외선물 체결추이(일간) (HHDFC55020100): ``QRY_CNT`` bars up to ``CLOSE_DATE_TIME``."""
    return _candles(call, "D")


@register("overseas_futureoption/weekly_ccnl")
@register("overseas_futureoption/opt_weekly_ccnl")
def weekly_ccnl(call: Call) -> Reply:
    """해외선물 체결추이(주간) (HHDFC55020000)."""
    return _candles(call, "W")


@register("overseas_futureoption/monthly_ccnl")
@register("overseas_futureoption/opt_monthly_ccnl")
def monthly_ccnl(call: Call) -> Reply:
    """해외선물 체결추이(월간) (HHDFC55020300)."""
    return _candles(call, "M")


def _intraday(call: Call, default_gap: int, *, bars_first: bool = False) -> Reply:
    """Bars of ``QRY_GAP`` minutes (1 for ticks) of one Chicago session day, newest first.

    Each bar runs from the model's price at its first minute to its price at the bar's end (or
    now, for the bar in progress), so the newest bar closes at the quote's last price and the
    bars of a day stay inside the day's high and low."""
    code, spec, _exp = _series(call)
    model = _model(call)
    now = call.now()
    raw_end = call.param("CLOSE_DATE_TIME")
    day = now.astimezone(CHICAGO).date()
    if len(raw_end) >= 8 and raw_end[:8].isdigit():
        day = min(day, date(int(raw_end[:4]), int(raw_end[4:6]), int(raw_end[6:8])))
    day = model.calendar.on_or_before(day)
    gap_raw = call.param("QRY_GAP").strip()
    gap = int(gap_raw) if gap_raw.isdigit() and int(gap_raw) > 0 else default_gap
    count = int(call.param("QRY_CNT") or "30")
    if not 1 <= count <= 500:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_QRY_CNT ({count}: 1~500)",
                            rt_cd="2")
    start = datetime.combine(day, time(0), CHICAGO) + timedelta(seconds=SESSION[0])
    end = datetime.combine(day, time(0), CHICAGO) + timedelta(seconds=SESSION[1])
    last_t = min(now, end)
    prev = model.bar(code, model.calendar.previous_business_day(day)).close
    rows = []
    t = start
    while t < last_t:
        t2 = min(t + timedelta(minutes=gap), last_t)
        pts = [model.live(code, t + timedelta(minutes=m)) for m in range(
            int((t2 - t).total_seconds() // 60))] + [model.live(code, t2)]
        bars = [p for p in pts if p is not None]
        if bars:
            o, c = bars[0].close, bars[-1].close
            diff = c - prev
            rows.append({
                "data_date": ymd(t2), "data_time": t2.strftime("%H%M%S"),
                "open_price": _px(spec, o), "high_price": _px(spec, max(b.close for b in bars)),
                "low_price": _px(spec, min(b.close for b in bars)), "last_price": _px(spec, c),
                "last_qntt": "1", "vol": str(max(0, bars[-1].volume - bars[0].volume)),
                "prev_diff_flag": "2" if diff > 0 else "5" if diff < 0 else "3",
                "prev_diff_price": _px(spec, abs(diff)),
                "prev_diff_rate": usd(Decimal(diff * 100) / prev if prev else 0, 2),
            })
        t = t2
    return _bars_reply(call, rows[::-1][:count], bars_first=bars_first)


@register("overseas_futureoption/inquire_time_futurechartprice")
def inquire_time_futurechartprice(call: Call) -> Reply:
    """해외선물 분봉조회 (HHDFC55020400): ``QRY_GAP``-minute bars (times in Chicago), the bars in
    ``output1`` and the counts and next key in ``output2`` (unlike the option minute chart)."""
    return _intraday(call, 1, bars_first=True)


@register("overseas_futureoption/inquire_time_optchartprice")
def inquire_time_optchartprice(call: Call) -> Reply:
    """해외옵션 분봉조회 (HHDFO55020100): counts in ``output1``, bars in ``output2``."""
    return _intraday(call, 1)


@register("overseas_futureoption/tick_ccnl")
@register("overseas_futureoption/opt_tick_ccnl")
def tick_ccnl(call: Call) -> Reply:
    """해외선물 체결추이(틱) (HHDFC55020200): the model prints once a minute, so a tick is a
    one-minute step of its price."""
    return _intraday(call, 1)


#: Regular sessions per product class (Chicago time; KIS lists the day session's hours).
_CLASS_NAME = {"equity_index": "지수", "rates": "금리", "fx": "통화", "energy": "에너지",
               "metal": "금속", "agriculture": "농산물"}


@register("overseas_futureoption/market_time")
def market_time(call: Call) -> Reply:
    """해외선물옵션 장운영시간 (OTFM2229R): one row per product, the regular session."""
    from ..engine.overseas_futures import SPECS

    want_pd = call.param("FM_PDGR_CD").strip().upper()
    want_ex = call.param("FM_EXCG_CD").strip().upper()
    rows = []
    for spec in SPECS.values() if call.param("OPT_YN").upper() != "Y" else ():  # no options
        if (want_pd and want_pd != spec.root) or (want_ex and want_ex != spec.exchange):
            continue
        rows.append({f: "" for f in fields_of(call, "output")} | {
            "fm_pdgr_cd": spec.root, "fm_pdgr_name": spec.name, "fm_excg_cd": spec.exchange,
            "fm_excg_name": spec.exchange, "fuop_dvsn_name": "선물", "fm_clas_cd": spec.kind,
            "fm_clas_name": _CLASS_NAME.get(spec.kind, spec.kind),
            "am_mkmn_strt_tmd": "083000", "am_mkmn_end_tmd": "151500",
            "pm_mkmn_strt_tmd": "", "pm_mkmn_end_tmd": "", "mkmn_nxdy_strt_tmd": "",
            "mkmn_nxdy_end_tmd": "", "base_mket_strt_tmd": "083000",
            "base_mket_end_tmd": "151500"})
    return ok(output=rows, tr_cont="D")
