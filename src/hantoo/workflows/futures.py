"""Overseas futures workflows: quote, book, candles and orders for a series (``CME:ESZ26``).

Why separate flows: futures have their own APIs (``overseas_futureoption/*``), prices on the
contract's tick (0.25 for the E-mini S&P 500), whole contracts, and day/market order codes of
their own. The checks an exchange would refuse with — a price off the contract's tick, a
quantity that is not a whole positive number of contracts, an order type futures do not take —
run here, before anything is sent, so a refused order never leaves; an order is sent once and
never retried (its API is an order API).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from .._core.wire import ApiResponse
from ..domain.errors import TickSizeError
from ..domain.kst import KST
from ..domain.objects import BookLevel, Candle, Candles, OrderBook, Quote
from ..domain.symbols import Symbol
from .steps import Call, Workflow

__all__ = ["FuturesOrder", "futures_candles_flow", "futures_order_book_flow",
           "futures_order_flow", "futures_quote_flow"]

#: The CME group's time zone (the futures APIs stamp bars in the exchange's time).
_CHICAGO = ZoneInfo("America/Chicago")
_PERIOD_API = {"day": "daily_ccnl", "week": "weekly_ccnl", "month": "monthly_ccnl"}
_BUY = {"buy": "02", "sell": "01"}


def _dec(v: Any) -> Decimal | None:
    if v is None or v == "":
        return None
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def futures_quote_flow(symbol: Symbol) -> Workflow[Quote]:
    r: ApiResponse = yield Call("overseas_futureoption/inquire_price", {"srs_cd": symbol.code})
    rows = r.rows("output1")
    q: Any = rows[0] if rows else {}
    price = _dec(q.get("last_price")) or Decimal(0)
    diff = _dec(q.get("prev_diff_price"))
    sign = str(q.get("prev_diff_flag") or "3")
    change = None if diff is None else (-diff if sign in ("4", "5") else diff)
    rate = _dec(q.get("prev_diff_rate"))
    if rate is not None and change is not None and change < 0 < rate:
        rate = -rate
    vol = q.get("vol")
    return Quote(symbol=str(symbol), currency=symbol.currency, price=price, change=change,
                 change_rate=rate, open=_dec(q.get("open_price")), high=_dec(q.get("high_price")),
                 low=_dec(q.get("low_price")), prev_close=_dec(q.get("prev_price")),
                 volume=int(vol) if vol not in (None, "") else None,
                 name=symbol.contract.name, exchange=symbol.exchange, raw=r)


def futures_order_book_flow(symbol: Symbol) -> Workflow[OrderBook]:
    r: ApiResponse = yield Call("overseas_futureoption/inquire_asking_price",
                                {"srs_cd": symbol.code})
    asks: list[BookLevel] = []
    bids: list[BookLevel] = []
    for lv in r.rows("output2"):
        a, b = _dec(lv.get("ask_price")), _dec(lv.get("bid_price"))
        if a:
            asks.append(BookLevel(a, int(lv.get("ask_qntt") or 0)))
        if b:
            bids.append(BookLevel(b, int(lv.get("bid_qntt") or 0)))
    return OrderBook(symbol=str(symbol), currency=symbol.currency, asks=tuple(asks),
                     bids=tuple(bids), total_ask_quantity=sum(x.quantity for x in asks),
                     total_bid_quantity=sum(x.quantity for x in bids),
                     exchange=symbol.exchange, raw=r)


def futures_candles_flow(symbol: Symbol, start: dt.date, end: dt.date,
                         interval: str) -> Workflow[Candles]:
    """Bars of ``[start, end]``, oldest first: day/week/month bars back from ``end`` (one call
    of up to 500 bars), or the one-minute bars of each session day in the range."""
    if interval == "minute":
        out: list[Candle] = []
        day = end
        while day >= start:
            if day.weekday() < 5:
                r: ApiResponse = yield Call("overseas_futureoption/inquire_time_futurechartprice", {
                    "srs_cd": symbol.code, "exch_cd": symbol.exchange, "start_date_time": "",
                    "close_date_time": day.strftime("%Y%m%d"), "qry_tp": "Q", "qry_cnt": "500",
                    "qry_gap": "1", "index_key": ""})
                out.extend(c for d, c in _bars(symbol, r, "minute", "output1") if d == day)
            day -= dt.timedelta(days=1)
        return Candles(sorted({c.time: c for c in out}.values(), key=lambda c: c.time))
    api = _PERIOD_API.get(interval)
    if api is None:
        raise ValueError(f"interval must be day, week, month or minute, not {interval!r}")
    r = yield Call(f"overseas_futureoption/{api}", {
        "srs_cd": symbol.code, "exch_cd": symbol.exchange, "start_date_time": "",
        "close_date_time": end.strftime("%Y%m%d"), "qry_tp": "Q", "qry_cnt": "500",
        "qry_gap": "", "index_key": ""})
    bars = [c for d, c in _bars(symbol, r, interval, "output2") if start <= d <= end]
    return Candles(sorted(bars, key=lambda c: c.time))


def _bars(symbol: Symbol, r: ApiResponse, interval: str,
          block: str) -> list[tuple[dt.date, Candle]]:
    """(the exchange's trading day, the bar) per row. Day bars start at midnight KST of their
    trading day, as every daily bar does; minute bars at their real instant (the API stamps
    a minute bar with its end, in the exchange's time), shown in KST."""
    out = []
    for b in r.rows(block):  # the minute chart answers its bars in output1, the others in output2
        day = b.get("data_date")
        if not isinstance(day, dt.date):
            continue
        t = b.get("data_time")
        if interval == "minute" and isinstance(t, dt.time):
            ends = dt.datetime.combine(day, t, _CHICAGO)
            when = (ends - dt.timedelta(minutes=1)).astimezone(KST)
        else:
            when = dt.datetime.combine(day, dt.time(), KST)
        o, h, lo, c = (_dec(b.get(k)) for k in ("open_price", "high_price", "low_price",
                                                 "last_price"))
        if o is None or h is None or lo is None or c is None:
            continue
        out.append((day, Candle(symbol=str(symbol), interval=interval, time=when, open=o,
                                high=h, low=lo, close=c, volume=int(b.get("vol") or 0),
                                currency=symbol.currency, raw=b)))
    return out


@dataclass(frozen=True, slots=True)
class FuturesOrder:
    """An accepted futures order: what to quote when modifying or cancelling it."""

    symbol: str
    side: str
    quantity: int
    price: Decimal | None  # None: a market order
    order_no: str
    order_date: dt.date  # the exchange's local trading day (KIS ``ORD_DT``)
    raw: Any = field(default=None, repr=False, compare=False)


def check_futures_order(symbol: Symbol, side: str, quantity: int,
                        price: Decimal | int | str | None) -> tuple[str, Decimal | None]:
    """(KIS side code, price) after the checks the exchange would refuse with."""
    code = _BUY.get(str(side).lower())
    if code is None:
        raise ValueError(f"side must be 'buy' or 'sell', not {side!r}")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValueError(f"quantity must be a whole positive number of contracts, not "
                         f"{quantity!r}")
    if price is None:
        return code, None
    px = Decimal(str(price))
    tick = symbol.contract.tick
    if px <= 0 or (px / tick) != (px / tick).to_integral_value():
        below = (px / tick).to_integral_value(rounding="ROUND_FLOOR") * tick
        raise TickSizeError(
            f"{px} is not on {symbol.code}'s tick of {tick} ({symbol.contract.name})",
            price=px, lower=below, upper=below + tick)
    return code, px


def futures_order_flow(symbol: Symbol, side: str, quantity: int,
                       price: Decimal | int | str | None) -> Workflow[FuturesOrder]:
    """A day limit order at ``price``, or a market order (``price=None``)."""
    code, px = check_futures_order(symbol, side, quantity, price)
    r: ApiResponse = yield Call("overseas_futureoption/order", {
        "ovrs_futr_fx_pdno": symbol.code, "sll_buy_dvsn_cd": code, "fm_lqd_ustl_ccld_dt": "",
        "fm_lqd_ustl_ccno": "", "pric_dvsn_cd": "2" if px is None else "1",
        "fm_limit_ord_pric": "" if px is None else str(px), "fm_stop_ord_pric": "",
        "fm_ord_qty": quantity, "fm_lqd_lmt_ord_pric": "", "fm_lqd_stop_ord_pric": "",
        "ccld_cndt_cd": "2" if px is None else "6", "cplx_ord_dvsn_cd": "0",
        "ecis_rsvn_ord_yn": "N", "fm_hdge_ord_scrn_yn": "N"})
    rows = r.rows("output")
    out: Any = rows[0] if rows else {}
    day = out.get("ORD_DT") or out.get("ord_dt")
    if not isinstance(day, dt.date):
        day = dt.datetime.strptime(str(day), "%Y%m%d").date()
    return FuturesOrder(symbol=str(symbol), side=str(side).lower(), quantity=quantity, price=px,
                        order_no=str(out.get("ODNO") or out.get("odno") or ""), order_date=day,
                        raw=r)


def futures_cancel_flow(order: FuturesOrder) -> Workflow[FuturesOrder]:
    """Cancel what is left of a futures order (``order_rvsecncl``, 취소)."""
    yield Call("overseas_futureoption/order_rvsecncl", {
        "ord_dv": "1", "orgn_ord_dt": order.order_date, "orgn_odno": order.order_no,
        "fm_limit_ord_pric": "", "fm_stop_ord_pric": "", "fm_lqd_lmt_ord_pric": "",
        "fm_lqd_stop_ord_pric": "", "fm_hdge_ord_scrn_yn": "N", "fm_mkpr_cvsn_yn": "N"})
    return order
