"""ELW trends (volatility, sensitivity, indicators, LP trading) from the ELW's traded history.

An ELW trades on the stock engine (:mod:`hantoo.sim.derivatives.elw_trading`), so its prints,
minute bars and daily bars are the engine's. Each row values the model at that point: the
underlying at the print's instant (its synthetic path point) or at the day's close, the time
left to expiry then, and the ELW's traded price — implied volatility is the one of that price,
greeks and the theoretical value the model's. The newest row is the current instant and agrees
with ``inquire_elw_price`` (same engine price and underlying). The liquidity provider is the
counterparty of every print: it sells what buyers lift and buys what sellers hit.

Validation: ``FID_COND_MRKT_DIV_CODE`` must be ``W``; unknown ELW codes are ``MCA05918`` naming
the code; the minute interval and the past-data flag must be one of their documented values.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..derivatives.elw import TICK, ElwQuote, elw_at
from ..derivatives.elw_trading import (
    LISTED_UNITS,
    close_at,
    hist_vol,
    session_close,
    spot_at,
    years_at,
)
from ..engine.clock import KST
from ..engine.types import Side
from . import Call, Reply, ok, register
from ._common import engine_errors, exchange
from ._futureoption import change_fields, choice, num, pts
from .elw_quotes import elw_code

ROWS = 30
"""Rows per answer (KIS answers one page of recent points; no continuation)."""
INTERVALS = ("30", "60", "180", "300", "600", "1800", "3600")


def _head(call: Call) -> ElwQuote:
    choice(call, "FID_COND_MRKT_DIV_CODE", ("W",))
    return elw_code(call)


def _iv(q: ElwQuote) -> str:
    return num(q.iv * 100 if q.iv is not None else None, 2)


def _chg(price: int, base: int) -> tuple[str, str, str]:
    vrss, sign, rate = change_fields(Decimal(price), Decimal(base), at_upper=False,
                                     at_lower=False)
    return vrss.split(".")[0], sign, rate


def _prints(call: Call, now: ElwQuote) -> Iterator[tuple[datetime, int, int, int, Side | None,
                                                         ElwQuote]]:
    """(time, price, qty, cumulative volume, aggressor, model at that point), newest first;
    the newest is valued as ``now`` (the current quote)."""
    ex = exchange(call)
    e = now.elw
    with engine_errors():
        trades = [t for t in ex.trades(e.code, limit=10_000) if t.qty > 0]
    for n, t in enumerate(trades[:ROWS]):
        price = int(t.price)
        if n == 0 and price == now.price:
            q = now
        else:
            q = elw_at(e, spot_at(ex, e, t.time), years_at(e, t.time), price, now.prev)
        yield t.time, price, t.qty, t.cum_volume, t.side, q


def _days(call: Call, now: ElwQuote) -> list[tuple[date, int, int, int, int, int, ElwQuote]]:
    """(day, open, high, low, close, volume, model at the close) since listing, newest first;
    today's row is the current quote."""
    ex = exchange(call)
    e = now.elw
    today = call.now().date()
    start = max(e.listed, today - timedelta(days=ROWS * 2))
    with engine_errors():
        bars = ex.daily_candles(e.code, start, today, "D")
    out = []
    for b in reversed(bars[-ROWS:]):
        d = b.start if isinstance(b.start, date) else b.start.date()
        if d == today:
            q = now
        else:
            at = session_close(ex, d)
            q = elw_at(e, close_at(ex, e, d), years_at(e, at), int(b.close))
        out.append((d, int(b.open), int(b.high), int(b.low), int(b.close), b.volume, q))
    return out


def _daily_change(rows: list[Any], i: int, prev_today: int) -> tuple[str, str, str]:
    close = rows[i][4]
    base = rows[i + 1][4] if i + 1 < len(rows) else (prev_today if i == 0 else close)
    return _chg(close, base)


def _indicators(q: ElwQuote) -> dict[str, str]:
    return {"lvrg_val": str(q.leverage), "gear": str(q.gearing), "invl_val": pts(q.intrinsic),
            "tmvl_val": pts(Decimal(q.price) - q.intrinsic), "prit": str(q.parity),
            "apprch_rate": "0"}


def _greeks(q: ElwQuote) -> dict[str, str]:
    g = q.greeks
    return {"hts_thpr": pts(q.theo), "delta_val": num(g.delta), "gama": num(g.gamma, 6),
            "theta": num(g.theta), "vega": num(g.vega), "rho": num(g.rho)}


def _minutes(call: Call, now: ElwQuote) -> list[dict[str, Any]]:
    """Today's bars of ``FID_HOUR_CLS_CODE`` seconds, newest first, each valued at its end."""
    secs = int(choice(call, "FID_HOUR_CLS_CODE", INTERVALS))
    choice(call, "FID_PW_DATA_INCU_YN", ("Y", "N"), default="N")
    ex = exchange(call)
    e = now.elw
    with engine_errors():
        bars = ex.minute_candles(e.code, max(1, secs // 60))
    bars = [b for b in bars if b.volume > 0 or b is bars[-1]] if bars else []
    out = []
    cum = 0
    rows = []
    for b in bars:
        cum += b.volume
        rows.append((b, cum))
    for n, (b, acml) in enumerate(reversed(rows[-ROWS:])):
        start = (b.start if isinstance(b.start, datetime)
                 else datetime.combine(b.start, datetime.min.time(), KST))
        end = start + timedelta(seconds=secs)
        close = int(b.close)
        q = now if n == 0 and close == now.price else elw_at(
            e, spot_at(ex, e, min(end, call.now())), years_at(e, end), close, now.prev)
        out.append({"bar": b, "start": start, "close": close, "q": q, "acml": acml})
    return out


@register("elw/volatility_trend_ccnl")
def volatility_trend_ccnl(call: Call) -> Reply:
    """ELW 변동성추이(체결) (FHPEW02840100): implied volatility of each print."""
    now = _head(call)
    rows = []
    for n, (t, price, _qty, cum, side, q) in enumerate(_prints(call, now)):
        vrss, sign, rate = _chg(price, now.prev)
        bid, ask = ((now.bid, now.ask) if n == 0 and price == now.price else
                    (price, price + TICK) if side is Side.SELL else (price - TICK, price))
        rows.append({"stck_cntg_hour": f"{t:%H%M%S}", "elw_prpr": str(price), "prdy_vrss": vrss,
                     "prdy_vrss_sign": sign, "prdy_ctrt": rate, "bidp": str(bid),
                     "askp": str(ask), "acml_vol": str(cum), "hts_ints_vltl": _iv(q)})
    return ok(output=rows)


@register("elw/volatility_trend_tick")
def volatility_trend_tick(call: Call) -> Reply:
    """ELW 변동성 추이(틱) (FHPEW02840400)."""
    now = _head(call)
    return ok(output=[{"bsop_date": f"{t:%Y%m%d}", "stck_cntg_hour": f"{t:%H%M%S}",
                       "elw_prpr": str(price), "hts_ints_vltl": _iv(q)}
                      for t, price, _qty, _cum, _side, q in _prints(call, now)])


@register("elw/volatility_trend_minute")
def volatility_trend_minute(call: Call) -> Reply:
    """ELW 변동성 추이(분별) (FHPEW02840300): minute bars with the implied volatility at each
    bar's close and the underlying's 20-day historical volatility."""
    now = _head(call)
    hv = num(hist_vol(exchange(call), now.elw.underlying, call.now().date(), 20), 2)
    return ok(output=[{
        "stck_bsop_date": f"{r['start']:%Y%m%d}", "stck_cntg_hour": f"{r['start']:%H%M%S}",
        "stck_prpr": str(r["close"]), "elw_oprc": str(int(r["bar"].open)),
        "elw_hgpr": str(int(r["bar"].high)), "elw_lwpr": str(int(r["bar"].low)),
        "hts_ints_vltl": _iv(r["q"]), "hist_vltl": hv} for r in _minutes(call, now)])


@register("elw/volatility_trend_daily")
def volatility_trend_daily(call: Call) -> Reply:
    """ELW 변동성 추이(일별) (FHPEW02840200): daily bars, the underlying's historical
    volatilities over 10–90 days and the implied volatility at each close."""
    now = _head(call)
    ex = exchange(call)
    rows = _days(call, now)
    out = []
    for i, (d, o, h, lo, c, vol, q) in enumerate(rows):
        vrss, sign, rate = _daily_change(rows, i, now.prev)
        r = {"stck_bsop_date": f"{d:%Y%m%d}", "elw_prpr": str(c), "prdy_vrss": vrss,
             "prdy_vrss_sign": sign, "prdy_ctrt": rate, "elw_oprc": str(o), "elw_hgpr": str(h),
             "elw_lwpr": str(lo), "acml_vol": str(vol), "hts_ints_vltl": _iv(q)}
        for n in (10, 20, 30, 60, 90):
            r[f"d{n}_hist_vltl"] = num(hist_vol(ex, now.elw.underlying, d, n), 2)
        out.append(r)
    return ok(output=out)


@register("elw/sensitivity_trend_ccnl")
def sensitivity_trend_ccnl(call: Call) -> Reply:
    """ELW 민감도 추이(체결) (FHPEW02830100): theoretical value and greeks at each print."""
    now = _head(call)
    rows = []
    for t, price, _qty, _cum, _side, q in _prints(call, now):
        vrss, sign, rate = _chg(price, now.prev)
        rows.append({"stck_cntg_hour": f"{t:%H%M%S}", "elw_prpr": str(price), "prdy_vrss": vrss,
                     "prdy_vrss_sign": sign, "prdy_ctrt": rate, **_greeks(q)})
    return ok(output=rows)


@register("elw/sensitivity_trend_daily")
def sensitivity_trend_daily(call: Call) -> Reply:
    """ELW 민감도 추이(일별) (FHPEW02830200): theoretical value and greeks at each close."""
    now = _head(call)
    rows = _days(call, now)
    out = []
    for i, (d, _o, _h, _lo, c, _vol, q) in enumerate(rows):
        vrss, sign, rate = _daily_change(rows, i, now.prev)
        out.append({"stck_bsop_date": f"{d:%Y%m%d}", "elw_prpr": str(c), "prdy_vrss": vrss,
                    "prdy_vrss_sign": sign, "prdy_ctrt": rate, **_greeks(q)})
    return ok(output=out)


@register("elw/indicator_trend_ccnl")
def indicator_trend_ccnl(call: Call) -> Reply:
    """ELW 투자지표추이(체결) (FHPEW02740100): leverage, gearing, values and parity per print."""
    now = _head(call)
    rows = []
    for t, price, _qty, cum, _side, q in _prints(call, now):
        vrss, sign, rate = _chg(price, now.prev)
        rows.append({"stck_cntg_hour": f"{t:%H%M%S}", "elw_prpr": str(price),
                     "prdy_vrss_sign": sign, "prdy_vrss": vrss, "prdy_ctrt": rate,
                     "acml_vol": str(cum), **_indicators(q)})
    return ok(output=rows)


@register("elw/indicator_trend_daily")
def indicator_trend_daily(call: Call) -> Reply:
    """ELW 투자지표추이(일별) (FHPEW02740200)."""
    now = _head(call)
    rows = _days(call, now)
    out = []
    for i, (d, o, h, lo, c, vol, q) in enumerate(rows):
        vrss, sign, rate = _daily_change(rows, i, now.prev)
        out.append({"stck_bsop_date": f"{d:%Y%m%d}", "elw_prpr": str(c), "prdy_vrss_sign": sign,
                    "prdy_vrss": vrss, "prdy_ctrt": rate, "acml_vol": str(vol),
                    "elw_oprc": str(o), "elw_hgpr": str(h), "elw_lwpr": str(lo),
                    **_indicators(q)})
    return ok(output=out)


def _premium(q: ElwQuote) -> Decimal:
    """Premium (프리미엄, percent): how far the underlying must move for the warrant's price
    to equal its intrinsic value — price per underlying unit over the spot, plus moneyness."""
    per_unit = Decimal(q.price) / (q.elw.ratio * (100 if q.elw.on_index else 1))
    k, s = q.elw.strike, q.spot
    gap = (k - s) if q.elw.kind == "call" else (s - k)
    return ((per_unit + gap) * 100 / s).quantize(Decimal("0.01")) if s else Decimal(0)


@register("elw/indicator_trend_minute")
def indicator_trend_minute(call: Call) -> Reply:
    """ELW 투자지표추이(분별) (FHPEW02740300)."""
    now = _head(call)
    out = []
    for r in _minutes(call, now):
        q = r["q"]
        ind = _indicators(q)
        out.append({"stck_bsop_date": f"{r['start']:%Y%m%d}",
                    "stck_cntg_hour": f"{r['start']:%H%M%S}", "elw_prpr": str(r["close"]),
                    "elw_oprc": str(int(r["bar"].open)), "elw_hgpr": str(int(r["bar"].high)),
                    "elw_lwpr": str(int(r["bar"].low)), "lvrg_val": ind["lvrg_val"],
                    "gear": ind["gear"], "prmm_val": str(_premium(q)),
                    "invl_val": ind["invl_val"], "prit": ind["prit"],
                    "acml_vol": str(r["acml"]), "cntg_vol": str(r["bar"].volume)})
    return ok(output=out)


def _lp_day(call: Call, code: str) -> tuple[int, int, int, int]:
    """(LP sold, LP sold value, LP bought, LP bought value) today: the LP takes the other side
    of every print (an uptick or a buyer's print is the LP selling)."""
    ex = exchange(call)
    with engine_errors():
        trades = ex.trades(code, limit=100_000)
    sold = sold_v = bought = bought_v = 0
    last = 0
    for t in reversed(trades):
        price = int(t.price)
        buyer = t.side is Side.BUY if t.side is not None else price >= last
        last = price
        if buyer:
            sold += t.qty
            sold_v += t.qty * price
        else:
            bought += t.qty
            bought_v += t.qty * price
    return sold, sold_v, bought, bought_v


def _held_by_users(call: Call, code: str) -> int:
    ex = exchange(call)
    return sum(p.qty for a in ex.accounts.values() for c, p in a.positions.items() if c == code)


@register("elw/lp_trade_trend")
def lp_trade_trend(call: Call) -> Reply:
    """ELW LP매매추이 (FHPEW03760000): the ELW now (output1) and the LP's trading by day
    (output2; today from the prints, earlier days split by the day's price move)."""
    now = _head(call)
    e = now.elw
    vrss, sign, rate = _chg(now.price, now.prev)
    rows = _days(call, now)
    head = {"elw_prpr": str(now.price), "prdy_vrss_sign": sign, "prdy_vrss": vrss,
            "prdy_ctrt": rate, "acml_vol": str(now.volume),
            "prdy_vol": str(rows[1][5]) if len(rows) > 1 else "0",
            "stck_cnvr_rate": pts(e.ratio, 4), "prit": str(now.parity),
            "lvrg_val": str(now.leverage), "gear": str(now.gearing),
            "prls_qryr_rate": str(now.breakeven_rate), "cfp": "0",
            "invl_val": pts(now.intrinsic), "tmvl_val": pts(Decimal(now.price) - now.intrinsic),
            "acpr": pts(e.strike), "elw_ko_barrier": "0"}
    held = LISTED_UNITS - _held_by_users(call, e.code)
    out = []
    for i, (d, o, _h, _lo, c, vol, _q) in enumerate(rows):
        dv, ds, dr = _daily_change(rows, i, now.prev)
        if i == 0:
            sold, sold_v, bought, bought_v = _lp_day(call, e.code)
        else:  # a day gone: buyers' share follows the day's move from the open
            share = Decimal(60 if c > o else 40 if c < o else 50) / 100
            sold = int(vol * share) // 10 * 10
            bought = vol - sold
            sold_v, bought_v = sold * c, bought * c
        out.append({"stck_bsop_date": f"{d:%Y%m%d}", "elw_prpr": str(c), "prdy_vrss_sign": ds,
                    "prdy_vrss": dv, "prdy_ctrt": dr, "lp_seln_qty": str(sold),
                    "lp_seln_avrg_unpr": str(sold_v // sold if sold else 0),
                    "lp_shnu_qty": str(bought),
                    "lp_shnu_avrg_unpr": str(bought_v // bought if bought else 0),
                    "lp_hvol": str(held),
                    "lp_hldn_rate": str((Decimal(held) * 100 / LISTED_UNITS)
                                        .quantize(Decimal("0.01"))),
                    "prsn_deal_qty": str(vol), "apprch_rate": "0"})
        held += sold - bought  # walking back: before today's sales the LP held more
    return ok(output1=head, output2=out)
