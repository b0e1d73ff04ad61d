"""Intraday program-trading and investor-flow APIs, from the engine's per-minute flow tape.

Every figure is a sum of :mod:`hantoo.sim.marketdata.intraday_flows` minutes, so the newest
cumulative row equals what the daily APIs (``program_trade_by_stock_daily``,
``investor_trade_by_stock_daily``) report for today, at the same instant. ``J`` answers KRX's
trades, ``NX`` Nextrade's and ``UN`` both. Request values are already validated
(:mod:`hantoo.sim.validation`); an unknown market code is refused here.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ..generic import block_fields
from ..marketdata.flows import INVESTOR_TYPES, Flow, day_detail, institution_flow_split
from ..marketdata.indices import INDICES, constituents, daily_levels, index_level
from ..marketdata.intraday_flows import (
    VENUES,
    Minute,
    issue_minutes,
    market_minutes,
    program_total,
    venue_prints,
)
from . import BusinessError, Call, Reply, ok, register, shaped
from ._common import domestic_symbol, exchange, hms, krw, parse_date, rate, ymd

ROWS = 30
_BAD_INPUT = "OPSQ2001"
_ZERO = Decimal(0)
_NONE = Flow(0, 0, _ZERO, _ZERO)

#: ``FID_MRKT_CLS_CODE`` (K/Q) and ``MRKT_DIV_CLS_CODE`` (1/4) → the market's index.
_MARKET_INDEX = {"K": "0001", "Q": "1001", "1": "0001", "4": "1001"}


def _refuse(wire: str, why: str) -> BusinessError:
    return BusinessError(_BAD_INPUT, f"ERROR : INPUT INVALID_CHECK_{wire} ({why})", rt_cd="2")


def _venue(call: Call, wire: str = "FID_COND_MRKT_DIV_CODE") -> str:
    market = call.param(wire).upper() or "J"
    if market not in VENUES:
        raise _refuse(wire, "J (KRX), NX (NXT) or UN (combined)")
    return market


def _market_index(call: Call, wire: str) -> str:
    code = _MARKET_INDEX.get(call.param(wire).upper())
    if code is None:
        raise _refuse(wire, "K/1 (KOSPI) or Q/4 (KOSDAQ)")
    return code


def _sign(change: Decimal | int) -> str:
    return "2" if change > 0 else "5" if change < 0 else "3"


def _pct(num: Decimal | int, den: Decimal | int) -> str:
    return rate(num, den) if den else "0.00"


def _program_fields(p: Flow) -> dict[str, str]:
    return {"whol_smtn_seln_vol": str(p.sell_qty), "whol_smtn_shnu_vol": str(p.buy_qty),
            "whol_smtn_ntby_qty": str(p.net_qty), "whol_smtn_seln_tr_pbmn": krw(p.sell_value),
            "whol_smtn_shnu_tr_pbmn": krw(p.buy_value),
            "whol_smtn_ntby_tr_pbmn": krw(p.net_value)}


@register("domestic_stock/program_trade_by_stock")
def program_trade_by_stock(call: Call) -> Reply:
    """종목별 프로그램매매추이(체결) (FHPPG04650101): minute by minute, newest first, the price
    at the minute's last trade, the cumulative volume and the cumulative program trading (the
    ``PROGRAM`` participants' buys and sells), with the net's change from the minute before."""
    code = domestic_symbol(call)
    market = _venue(call)
    ex = exchange(call)
    q = ex.quote(code, market)
    base = Decimal(q.price) - Decimal(q.change)
    _, minutes = issue_minutes(ex, code, market)
    by_start = {m.start: m for m in minutes}
    rows: list[dict[str, str]] = []
    cum = _NONE
    vol = 0
    for start, price, qty, _value in venue_prints(ex, code, market):
        vol += qty
        m = by_start.get(start)
        before = cum
        if m is not None:
            cum = cum + m.program
        change = price - base
        rows.append({"bsop_hour": hms(start), "stck_prpr": krw(price), "prdy_vrss": krw(change),
                     "prdy_vrss_sign": _sign(change), "prdy_ctrt": _pct(change, base),
                     "acml_vol": str(vol), **_program_fields(cum),
                     "whol_ntby_vol_icdc": str(cum.net_qty - before.net_qty),
                     "whol_ntby_tr_pbmn_icdc": krw(cum.net_value - before.net_value)})
    return ok(output=shaped(call, "output", list(reversed(rows))[:ROWS]))


def _index_rows(call: Call, idx_code: str, minutes: list[Minute]) -> list[dict[str, str]]:
    """Market program trading, cumulative per minute, newest first, with the index now."""
    ex = exchange(call)
    idx = index_level(ex, idx_code)
    assert idx is not None  # a code of _MARKET_INDEX
    today = call.now().date()
    head = {"stck_bsop_date": ymd(today), "stck_clpr": str(idx.level),
            "prdy_vrss": str(idx.change), "prdy_vrss_sign": idx.change_sign,
            "prdy_ctrt": str(idx.change_rate), "acml_vol": str(idx.volume),
            "acml_tr_pbmn": krw(idx.trade_value)}
    rows = []
    cum = _NONE
    until = call.param("FID_INPUT_HOUR_1")
    for m in minutes:
        before = cum
        cum = cum + m.program
        hour = hms(m.start)
        if until and hour > until:
            break
        rows.append({**head, "bsop_hour": hour, **_program_fields(cum),
                     "whol_ntby_vol_icdc": str(cum.net_qty - before.net_qty),
                     "whol_ntby_tr_pbmn_icdc2": krw(cum.net_value - before.net_value)})
    return list(reversed(rows))[:ROWS]


@register("domestic_stock/comp_program_trade_today")
def comp_program_trade_today(call: Call) -> Reply:
    """프로그램매매 종합현황(시간) (FHPPG04600101): the market's program trading (KOSPI ``K`` or
    KOSDAQ ``Q`` common stocks) minute by minute up to ``FID_INPUT_HOUR_1``, cumulative, newest
    first; each row carries the market index now (the same as ``inquire_index_price``)."""
    market = _venue(call)
    idx_code = _market_index(call, "FID_MRKT_CLS_CODE")
    ex = exchange(call)
    codes = [i.code for i in constituents(ex.universe, INDICES[idx_code])]
    minutes = market_minutes(ex, codes, market)
    return ok(output=shaped(call, "output", _index_rows(call, idx_code, minutes)))


#: KRX investor classes as ``investor_program_trade_today`` lists them (code, name, source):
#: an institution sub-type, a KIS category, or a total.
_CLASSES = (
    ("1000", "금융투자", "scrt"), ("2000", "보험", "insu"), ("3000", "투신", "ivtr"),
    ("3100", "사모", "pe_fund"), ("4000", "은행", "bank"), ("5000", "기타금융", "mrbn"),
    ("6000", "연기금등", "fund"), ("7050", "기관계", "orgn"), ("7100", "기타법인", "etc"),
    ("8000", "개인", "prsn"), ("9000", "외국인", "frgn"), ("9999", "전체", "all"),
)


def _trade_fields(prefix: str, f: Flow) -> dict[str, str]:
    return {f"{prefix}_seln_qty": str(f.sell_qty), f"{prefix}_shnu_qty": str(f.buy_qty),
            f"{prefix}_ntby_qty": str(f.net_qty), f"{prefix}_seln_amt": krw(f.sell_value),
            f"{prefix}_shnu_amt": krw(f.buy_value), f"{prefix}_ntby_amt": krw(f.net_value)}


@register("domestic_stock/investor_program_trade_today")
def investor_program_trade_today(call: Call) -> Reply:
    """프로그램매매 투자자매매동향(당일) (HHPPG046600C1): today's program trading of the market
    (``1`` KOSPI, ``4`` KOSDAQ) by investor class, arbitrage and not. The program traders are
    institutions (``flows`` maps them to 기관계), split among the institution sub-types with
    the same seeded weights as the other flow APIs; the other classes traded no program."""
    idx_code = _market_index(call, "MRKT_DIV_CLS_CODE")
    ex = exchange(call)
    codes = [i.code for i in constituents(ex.universe, INDICES[idx_code])]
    program, arb = program_total(market_minutes(ex, codes, "J"))
    nabt = Flow(program.buy_qty - arb.buy_qty, program.sell_qty - arb.sell_qty,
                program.buy_value - arb.buy_value, program.sell_value - arb.sell_value)
    seed = f"{call.state.config.seed}|{idx_code}|{call.now().date()}|program"
    arb_subs = institution_flow_split(arb, seed + "|arbt")
    nabt_subs = institution_flow_split(nabt, seed + "|nabt")
    rows = []
    for code, name, src in _CLASSES:
        if src in arb_subs:
            a, n = arb_subs[src], nabt_subs[src]
        elif src in ("orgn", "all"):
            a, n = arb, nabt
        else:
            a = n = _NONE
        rows.append({"invr_cls_code": code, "invr_cls_name": name,
                     **_trade_fields("all", a + n), **_trade_fields("arbt", a),
                     **_trade_fields("nabt", n)})
    return ok(output1=shaped(call, "output1", rows))


def _flow6(prefix: str, f: Flow, qty: str = "qty") -> dict[str, str]:
    return {f"{prefix}_seln_vol": str(f.sell_qty), f"{prefix}_shnu_vol": str(f.buy_qty),
            f"{prefix}_ntby_{qty}": str(f.net_qty), f"{prefix}_seln_tr_pbmn": krw(f.sell_value),
            f"{prefix}_shnu_tr_pbmn": krw(f.buy_value),
            f"{prefix}_ntby_tr_pbmn": krw(f.net_value)}


def market_today(call: Call, idx_code: str) -> dict[str, Flow]:
    """Today's flows of an index's constituents by KIS type (each issue's
    :func:`~hantoo.sim.marketdata.flows.day_detail`, so the same as the per-issue APIs)."""
    ex = exchange(call)
    today = ex.trading_day()
    seed = call.state.config.seed
    totals = dict.fromkeys(INVESTOR_TYPES, _NONE)
    for inst in constituents(ex.universe, INDICES[idx_code]):
        q = ex.quote(inst.code)
        if q.trade_date != today:
            continue
        f = day_detail(ex, seed, inst.code, today, q.volume, Decimal(q.trade_value))
        for t in INVESTOR_TYPES:
            totals[t] = totals[t] + f.types[t]
    return totals


@register("domestic_stock/inquire_investor_time_by_market")
def inquire_investor_time_by_market(call: Call) -> Reply:
    """시장별 투자자매매동향(시세) (FHPTJ04030000): today so far, the constituents of the index
    ``FID_INPUT_ISCD_2`` (or of the market ``FID_INPUT_ISCD``) by investor type — the same
    per-issue split as ``investor_trade_by_stock_daily``'s today, summed; institutions split
    exactly into their sub-types."""
    code = call.param("FID_INPUT_ISCD_2").upper()
    if code not in INDICES:
        code = call.param("FID_INPUT_ISCD").upper()
    if code not in INDICES:
        raise BusinessError("MCA05918", "종목코드 오류입니다.")
    totals = market_today(call, code)
    row: dict[str, str] = {}
    for t in ("frgn", "prsn", "orgn"):
        row.update(_flow6(t, totals[t]))
    subs = institution_flow_split(totals["orgn"],
                                  f"{call.state.config.seed}|{code}|{call.now().date()}")
    for sub, f in subs.items():
        row.update(_flow6(sub, f, "vol" if sub == "pe_fund" else "qty"))
    row.update(_flow6("etc_orgt", _NONE, "vol"))
    row.update(_flow6("etc_corp", totals["etc"], "vol"))
    return ok(output=shaped(call, "output", [row]))


def _daily_program(call: Call, idx_code: str, first: date, last: date
                   ) -> list[tuple[date, Flow, Flow]]:
    """(day, program, arbitrage) of the market per trading day: today's from the flow tape,
    earlier days' from each constituent's seeded daily split (arbitrage a seeded third)."""
    ex = exchange(call)
    seed = call.state.config.seed
    today = ex.trading_day()
    days: dict[date, Flow] = {}
    members = constituents(ex.universe, INDICES[idx_code])
    levels = {d[0] for d in daily_levels(ex, idx_code, first, min(last, today))}
    for inst in members:
        for c in ex.daily_candles(inst.code, first, min(last, today - timedelta(days=1)), "D"):
            if c.start in levels:
                f = day_detail(ex, seed, inst.code, c.start, c.volume, Decimal(c.value))
                days[c.start] = days.get(c.start, _NONE) + f.program
    out = []
    for d in sorted(days):
        p = days[d]
        arb = Flow(p.buy_qty // 3, p.sell_qty // 3, (p.buy_value / 3).quantize(Decimal(1)),
                   (p.sell_value / 3).quantize(Decimal(1)))
        out.append((d, p, arb))
    if first <= today <= last:
        program, arb = program_total(market_minutes(ex, [i.code for i in members], "J"))
        out.append((today, program, arb))
    return out


_METRICS = {"seln_vol": "sell_qty", "shnu_vol": "buy_qty", "shun_vol": "buy_qty",
            "ntby_qty": "net_qty", "seln_tr_pbmn": "sell_value", "shnu_tr_pbmn": "buy_value",
            "shun_tr_pbmn": "buy_value", "ntby_tr_pbmn": "net_value"}
"""Field stems of the program-trading summary → :class:`Flow` attribute (KIS spells 매수 both
``shnu`` and ``shun`` in this block)."""


def _program_field(name: str, kinds: dict[str, Flow], whole: Flow) -> str | None:
    """One ``{arbt|nabt|whol}[_{entm|onsl|smtn}]_{metric}[_rate]`` field, or ``None``.

    All program trading is 위탁 (``entm``, brokered): the participants trade through the house
    as customers, none as a member firm's own account (자기, ``onsl`` zero); ``smtn`` (KIS also
    spells it ``smtm``) is the sum. A ``_rate`` is the part's share of the whole program's
    same figure, in percent."""
    is_rate = name.endswith("_rate")
    stem = name[:-5] if is_rate else name
    kind, _, rest = stem.partition("_")
    part = "smtn"
    for p in ("entm", "onsl", "smtn", "smtm"):
        if rest.startswith(p + "_"):
            part, rest = p, rest[len(p) + 1:]
            break
    metric = _METRICS.get(rest)
    if metric is None or kind not in kinds:
        return None
    f = _NONE if part == "onsl" else kinds[kind]
    value = getattr(f, metric)
    if is_rate:
        den = getattr(whole, metric)
        return _pct(value, den) if den else "0.00"
    return str(value) if isinstance(value, int) else krw(value)


@register("domestic_stock/comp_program_trade_daily")
def comp_program_trade_daily(call: Call) -> Reply:
    """프로그램매매 종합현황(일별) (FHPPG04600001): the market's program trading per day between
    ``FID_INPUT_DATE_1`` and ``FID_INPUT_DATE_2`` (default: the last month), newest first,
    arbitrage (차익) and not (비차익); today's row is the sum of the flow tape's minutes (so
    the same as ``comp_program_trade_today``'s newest row and ``investor_program_trade_today``'s
    total)."""
    _venue(call)
    idx_code = _market_index(call, "FID_MRKT_CLS_CODE")
    today = call.now().date()
    last = parse_date(call, "FID_INPUT_DATE_2", today)
    first = parse_date(call, "FID_INPUT_DATE_1", last - timedelta(days=30))
    if first > last:
        raise _refuse("FID_INPUT_DATE_1", "the start date is after the end date")
    fields = block_fields(call.api, "output")
    rows = []
    for d, p, a in _daily_program(call, idx_code, first, last):
        n = Flow(p.buy_qty - a.buy_qty, p.sell_qty - a.sell_qty, p.buy_value - a.buy_value,
                 p.sell_value - a.sell_value)
        kinds = {"arbt": a, "nabt": n, "whol": p}
        row = {"stck_bsop_date": ymd(d)}
        for name in fields:
            value = _program_field(name, kinds, p)
            if value is not None:
                row[name] = value
        rows.append(row)
    return ok(output=shaped(call, "output", list(reversed(rows))[:ROWS]))


#: KIS's provisional-count checkpoints (``bsop_hour_gb``): 09:30, 10:00, 11:20, 13:20, 14:30.
_CHECKPOINTS = (("1", "093000"), ("2", "100000"), ("3", "112000"), ("4", "132000"),
                ("5", "143000"))


@register("domestic_stock/investor_trend_estimate")
def investor_trend_estimate(call: Call) -> Reply:
    """종목별 외인기관 추정가집계 (HHPTJ04160200): foreigners' and institutions' net buying of
    the issue on KRX up to each checkpoint the clock has passed, newest first — the engine's
    trades by investor type in the minutes before the checkpoint (the flow tape). A provisional
    count: the volume the seeded path printed before the issue went live is nobody's trade and
    is not estimated (the daily APIs attribute it)."""
    code = domestic_symbol(call, "MKSC_SHRN_ISCD")
    ex = exchange(call)
    _, minutes = issue_minutes(ex, code, "J")
    now = hms(call.now())
    rows = []
    for gb, at in _CHECKPOINTS:
        if now < at:
            break
        frgn = orgn = 0
        for m in minutes:
            if hms(m.start) < at:
                frgn += m.types["frgn"].net_qty
                orgn += m.types["orgn"].net_qty
        rows.append({"bsop_hour_gb": gb, "frgn_fake_ntby_qty": str(frgn),
                     "orgn_fake_ntby_qty": str(orgn), "sum_fake_ntby_qty": str(frgn + orgn)})
    return ok(output2=shaped(call, "output2", list(reversed(rows))))
