"""Overseas market data from the engine: daily/weekly/monthly and minute candles, price detail,
time and sales, product info, market holidays.

Why here and not the catalogue filler: candles must be the engine's own bars, so that the
latest daily bar *is* the quote (open, high, low, last, volume) and every bar is an OHLC with
high ≥ max(open, close) ≥ min(open, close) ≥ low, over any date range. Past days come from the
seeded daily history (:mod:`hantoo.sim.engine.synthetic`), today from the live session.
Minute bars exist for the current trading day (the engine keeps no intraday history); the
``KEYB`` cursor pages back through them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..engine.clock import KST
from ..engine.overseas_markets import (
    AMOUNT_PLACES,
    EXCD_OF,
    PRICE_PLACES,
    QUOTE_EXCD,
    SPECS,
    local_time,
)
from ..engine.types import Market
from ..engine.universe import Instrument
from ..engine.views import Candle, Quote, TradeInfo
from . import BusinessError, Call, Reply, ok, register
from ._common import (
    block_rows,
    engine_errors,
    exchange,
    fields_of,
    hms,
    parse_date,
    parse_int,
    row,
    usd,
    ymd,
)
from .overseas import PRDT_TYPE, _overseas_inst

_DAILY1 = ("rsym", "zdiv", "nrec")
_DAILY2 = ("xymd", "clos", "sign", "diff", "rate", "open", "high", "low", "tvol", "tamt",
           "pbid", "vbid", "pask", "vask")
_MIN1 = ("rsym", "zdiv", "stim", "etim", "sktm", "ektm", "next", "more", "nrec")
_MIN2 = ("tymd", "xymd", "xhms", "kymd", "khms", "open", "high", "low", "last", "evol", "eamt")
#: Calendar days to look back for 100 bars of each period (a margin for holidays).
_SPAN = {"D": 160, "W": 740, "M": 3_100}
_GUBN = {"0": "D", "1": "W", "2": "M"}


def _market(call: Call) -> Market:
    code = call.param("EXCD").upper()
    market = QUOTE_EXCD.get(code)
    if market is None:
        raise BusinessError("APBK0506", f"거래소코드 오류 (EXCD={code[:6]!r}); 가능: "
                            f"{', '.join(sorted(EXCD_OF.values()))}")
    return market


def _sign(diff: int) -> str:
    return "2" if diff > 0 else "5" if diff < 0 else "3"


@register("overseas_stock/dailyprice")
def dailyprice(call: Call) -> Reply:
    """해외주식 기간별시세 (HHDFS76240000): up to 100 bars ending at ``BYMD`` (blank: today),
    newest first; ``GUBN`` 0 day, 1 week, 2 month."""
    market = _market(call)
    inst = _overseas_inst(call, "SYMB", market)
    gubn = call.param("GUBN") or "0"
    period = _GUBN.get(gubn)
    if period is None:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_GUBN ({gubn[:4]!r}; "
                            "0 일, 1 주, 2 월)", rt_cd="2")
    ex = exchange(call)
    with engine_errors():
        today = ex.trading_day(market.value)
    end = min(parse_date(call, "BYMD", today), today)
    with engine_errors():
        bars: list[Candle] = ex.daily_candles(inst.code, end - timedelta(days=_SPAN[period]),
                                              end, period)
    bars = bars[-101:]
    cur = inst.currency
    px = PRICE_PLACES[cur]
    amt = AMOUNT_PLACES[cur]
    out = []
    for prev, bar in zip([None, *bars[:-1]], bars, strict=True):
        if prev is None and len(bars) > 100:
            continue
        base = prev.close if prev is not None else bar.open
        diff = bar.close - base
        out.append({
            "xymd": ymd(bar.start), "clos": usd(bar.close, px), "sign": _sign(int(diff * 10**px)),
            "diff": usd(abs(diff), px), "rate": usd(diff * 100 / base if base else 0, 2),
            "open": usd(bar.open, px), "high": usd(bar.high, px), "low": usd(bar.low, px),
            "tvol": str(bar.volume), "tamt": usd(bar.value, amt),
            "pbid": usd(0, px), "vbid": "0", "pask": usd(0, px), "vask": "0",
        })
    out.reverse()
    head = {"rsym": f"D{EXCD_OF[market]}{inst.code}", "zdiv": str(px), "nrec": str(len(out))}
    return ok(output1=row(call, _DAILY1, head), output2=block_rows(call, _DAILY2, out),
              tr_cont="D")


def _local(market: Market, t: datetime) -> datetime:
    return local_time(market, t)


@register("overseas_stock/inquire_time_itemchartprice")
def inquire_time_itemchartprice(call: Call) -> Reply:
    """해외주식분봉조회 (HHDFS76950200): ``NMIN``-minute bars of the trading day, newest first,
    ``NREC`` (≤ 120) a page; ``NEXT`` 1 with ``KEYB`` (local ``YYYYMMDDHHMMSS``) continues below
    that time."""
    market = _market(call)
    inst = _overseas_inst(call, "SYMB", market)
    nmin = parse_int(call, "NMIN", 1)
    nrec = parse_int(call, "NREC", 120)
    if not 1 <= nmin <= 120:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_NMIN ({nmin}: 1~120)",
                            rt_cd="2")
    if not 1 <= nrec <= 120:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_NREC ({nrec}: 1~120)",
                            rt_cd="2")
    keyb = call.param("KEYB") if call.param("NEXT") == "1" else ""
    if keyb and (len(keyb) != 14 or not keyb.isdigit()):
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_KEYB ({keyb[:16]!r}: "
                            "YYYYMMDDHHMMSS)", rt_cd="2")
    ex = exchange(call)
    with engine_errors():
        bars: list[Candle] = ex.minute_candles(inst.code, nmin)
    cur = inst.currency
    px = PRICE_PLACES[cur]
    rows = []
    for bar in reversed(bars):
        assert isinstance(bar.start, datetime)
        loc = _local(market, bar.start)
        if keyb and loc.strftime("%Y%m%d%H%M%S") > keyb:
            continue
        kst = bar.start.astimezone(KST)
        rows.append({
            "tymd": ymd(loc), "xymd": ymd(loc), "xhms": hms(loc), "kymd": ymd(kst),
            "khms": hms(kst), "open": usd(bar.open, px), "high": usd(bar.high, px),
            "low": usd(bar.low, px), "last": usd(bar.close, px), "evol": str(bar.volume),
            "eamt": usd(bar.value, AMOUNT_PLACES[cur]),
        })
    page = rows[:nrec]
    more = len(rows) > nrec
    head = {"rsym": f"D{EXCD_OF[market]}{inst.code}", "zdiv": str(px), "stim": "", "etim": "",
            "sktm": "", "ektm": "", "next": "1" if more else "0", "more": "1" if more else "0",
            "nrec": str(len(page))}
    return ok(output1=row(call, _MIN1, head), output2=block_rows(call, _MIN2, page),
              tr_cont="M" if more else "D")


@register("overseas_stock/price_detail")
def price_detail(call: Call) -> Reply:
    """해외주식 현재가상세 (HHDFS76200200): the quote with limits, 52-week range, lot, tick."""
    market = _market(call)
    inst = _overseas_inst(call, "SYMB", market)
    with engine_errors():
        q: Quote = exchange(call).quote(inst.code)
    cur = q.currency
    px = PRICE_PLACES[cur]
    shares = inst.shares
    mcap = q.price * shares
    out = {
        "rsym": f"D{EXCD_OF[market]}{inst.code}", "pvol": "0", "open": usd(q.open, px),
        "high": usd(q.high, px), "low": usd(q.low, px), "last": usd(q.price, px),
        "base": usd(q.prev_close, px), "tomv": usd(mcap, 0), "pamt": "0",
        "uplp": usd(q.upper_limit or 0, px), "dnlp": usd(q.lower_limit or 0, px),
        "h52p": usd(q.high_52w, px), "h52d": ymd(q.high_52w_date), "l52p": usd(q.low_52w, px),
        "l52d": ymd(q.low_52w_date), "shar": str(shares), "mcap": usd(mcap, 0), "curr": cur,
        "zdiv": str(px), "vnit": str(inst.lot), "e_ordyn": "매매 가능",
        "e_hogau": usd(q.tick_size, px), "e_icod": "", "e_parp": "0", "tvol": str(q.volume),
        "tamt": usd(q.trade_value, AMOUNT_PLACES[cur]), "etyp_nm": "",
    }
    return ok(output=row(call, fields_of(call, "output"), out), tr_cont="D")


@register("overseas_stock/quot_inquire_ccnl")
def quot_inquire_ccnl(call: Call) -> Reply:
    """해외주식 체결추이 (HHDFS76200300): the day's prints, newest first (time and sales)."""
    market = _market(call)
    inst = _overseas_inst(call, "SYMB", market)
    ex = exchange(call)
    with engine_errors():
        ticks: list[TradeInfo] = ex.trades(inst.code, 120)
        q: Quote = ex.quote(inst.code)
    cur = inst.currency
    px = PRICE_PLACES[cur]
    rows = []
    for t in ticks:
        diff = t.price - q.prev_close
        rows.append({
            "vpow": "0", "evol": str(t.qty), "khms": hms(t.time.astimezone(KST)),
            "tvol": str(t.cum_volume), "last": usd(t.price, px), "mtyp": "0",
            "sign": _sign(int(diff * 10**px)), "pbid": usd(q.best_bid or 0, px),
            "diff": usd(abs(diff), px), "pask": usd(q.best_ask or 0, px),
            "rate": usd(diff * 100 / q.prev_close if q.prev_close else 0, 2),
        })
    return ok(output1=block_rows(call, fields_of(call, "output1"), rows), tr_cont="D")


_PRDT_OF = {v: k for k, v in PRDT_TYPE.items()}


@register("overseas_stock/search_info")
def search_info(call: Call) -> Reply:
    """해외주식 상품기본정보 (CTPF1702R): exchange, currency, lot of an issue; ``PRDT_TYPE_CD``
    (512 NASDAQ, 501 Hong Kong, 515 Japan, ...) names the exchange."""
    prdt = call.param("PRDT_TYPE_CD")
    excg = _PRDT_OF.get(prdt)
    if excg is None:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_PRDT_TYPE_CD ({prdt[:4]!r};"
                            f" 가능: {', '.join(sorted(_PRDT_OF))})", rt_cd="2")
    market = Market(excg)
    inst: Instrument = _overseas_inst(call, "PDNO", market)
    spec = SPECS[inst.market]
    out = {
        "std_pdno": inst.code, "prdt_eng_name": inst.name, "natn_cd": spec.nation_code,
        "natn_name": spec.country_ko, "tr_mket_cd": "", "tr_mket_name": spec.name_ko,
        "ovrs_excg_cd": inst.market.value, "ovrs_excg_name": spec.name_ko,
        "tr_crcy_cd": inst.currency, "ovrs_papr": "0", "crcy_name": inst.currency,
        "sll_unit_qty": str(inst.lot), "buy_unit_qty": str(inst.lot), "tr_unit_amt": "0",
        "lstg_stck_num": str(inst.shares), "ovrs_stck_tr_stop_dvsn_cd": "01",
        "lstg_abol_item_yn": "N", "lstg_yn": "Y", "prdt_type_cd_2": prdt,
        "ovrs_item_name": inst.name, "prdt_name": inst.name, "ptp_item_yn": "N",
        "dtm_tr_psbl_yn": "Y" if inst.market.is_us else "N",
    }
    return ok(output=row(call, fields_of(call, "output"), out), tr_cont="D")


@register("overseas_stock/countries_holiday")
def countries_holiday(call: Call) -> Reply:
    """해외결제일자조회 (CTOS5011R): for ``TRAD_DT``, each market's settlement dates (T+2 US
    and Hong Kong since their own rules, T+2 elsewhere here) — a market closed that day lists
    nothing for it."""
    ex = exchange(call)
    with engine_errors():
        today = ex.trading_day("KRX")
    day: date = parse_date(call, "TRAD_DT", today)
    rows = []
    for market, spec in SPECS.items():
        cal = ex.schedules[spec.slot].calendar
        if not cal.is_business_day(day):
            continue
        settle = cal.next_business_day(cal.next_business_day(day))
        rows.append({
            "prdt_type_cd": PRDT_TYPE[market.value], "tr_natn_cd": spec.nation_code,
            "natn_eng_abrv_cd": market.value[:2], "tr_mket_cd": EXCD_OF[market],
            "tr_mket_name": spec.name_ko, "acpl_sttl_dt": ymd(settle),
            "dmst_sttl_dt": ymd(ex.calendar.on_or_before(settle)),
        })
    return ok(output=block_rows(call, fields_of(call, "output"), rows), tr_cont="D")
