"""Wire models → domain objects: one explicit function per shape.

Every function takes what the generated layer returns (a typed response or one of its rows),
reads fields by their KIS names through :mod:`hantoo.domain.coerce`, and keeps the source in
``raw``. Domestic and overseas responses have different field names (``stck_prpr`` vs ``last``)
but produce the same domain types, with the currency filled in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from .coerce import RowLike, date_of, dec, int_of, text, time_of
from .errors import InvalidSymbolFormatError
from .kst import KST, at_kst
from .objects import (
    Balance,
    BookLevel,
    BuyingPower,
    Candle,
    Fill,
    OrderBook,
    OrderSnapshot,
    OrderStatus,
    Position,
    Positions,
    Quote,
    Reservation,
    Tick,
)
from .ordertypes import Side
from .symbols import Currency, Symbol, exchange_from_quote_code

__all__ = [
    "balance_from",
    "buying_power_from",
    "candle_from",
    "fill_from",
    "order_book_from",
    "order_snapshot_from",
    "position_from",
    "quote_from",
    "reservation_from",
    "tick_from",
    "us_balance_from",
    "us_buying_power_from",
    "us_candle_from",
    "us_fill_from",
    "us_order_book_from",
    "us_order_snapshot_from",
    "us_position_from",
    "us_quote_from",
    "us_reservation_from",
]

_ZERO = Decimal(0)


def _rows(wire: Any, block: str) -> tuple[Any, ...]:
    rows = getattr(wire, block, None)
    if rows is None and hasattr(wire, "rows"):
        rows = wire.rows(block)
    return tuple(rows or ())


def _one(wire: Any, block: str = "output") -> Any:
    rows = _rows(wire, block)
    if not rows:
        raise ValueError(f"the response has no {block!r} row (msg: {getattr(wire, 'msg1', '')})")
    return rows[0]


def _signed(value: Decimal | None, sign: str | None) -> Decimal | None:
    """KIS sends a separate sign code (4 하한, 5 하락): apply it when the number is unsigned."""
    if value is not None and value > 0 and (sign or "").strip() in ("4", "5"):
        return -value
    return value


def _currency(code: str | None, default: Currency) -> Currency:
    try:
        return Currency((code or "").strip().upper())
    except ValueError:
        return default


# -- quotes --------------------------------------------------------------------------------


def quote_from(wire: Any, symbol: Symbol | str | None = None) -> Quote:
    """``domestic_stock/inquire_price`` → :class:`Quote` (KRW)."""
    row = _one(wire)
    sign = text(row, "prdy_vrss_sign")
    code = str(symbol) if symbol is not None else (text(row, "stck_shrn_iscd") or "")
    return Quote(
        symbol=code,
        currency=Currency.KRW,
        price=dec(row, "stck_prpr") or _ZERO,
        change=_signed(dec(row, "prdy_vrss"), sign),
        change_rate=_signed(dec(row, "prdy_ctrt"), sign),
        open=dec(row, "stck_oprc"),
        high=dec(row, "stck_hgpr"),
        low=dec(row, "stck_lwpr"),
        prev_close=dec(row, "stck_sdpr", "stck_prdy_clpr"),
        upper_limit=dec(row, "stck_mxpr"),
        lower_limit=dec(row, "stck_llam"),
        volume=int_of(row, "acml_vol"),
        turnover=dec(row, "acml_tr_pbmn"),
        name=text(row, "hts_kor_isnm", "prdt_name"),
        raw=wire,
    )


def us_quote_from(wire: Any, symbol: Symbol | str | None = None) -> Quote:
    """``overseas_stock/price`` → :class:`Quote` (USD for US exchanges)."""
    row = _one(wire)
    sym = symbol if isinstance(symbol, Symbol) else None
    if dec(row, "last") is None:
        raise InvalidSymbolFormatError(
            f"no price for {symbol or text(row, 'rsym')}: unknown ticker, or wrong exchange")
    sign = text(row, "sign")
    return Quote(
        symbol=sym.code if sym else str(symbol or text(row, "rsym") or ""),
        currency=sym.currency if sym else Currency.USD,
        price=dec(row, "last") or _ZERO,
        change=_signed(dec(row, "diff"), sign),
        change_rate=_signed(dec(row, "rate"), sign),
        open=dec(row, "open"),
        high=dec(row, "high"),
        low=dec(row, "low"),
        prev_close=dec(row, "base"),
        volume=int_of(row, "tvol"),
        turnover=dec(row, "tamt"),
        exchange=sym.exchange if sym else "",
        raw=wire,
    )


def order_book_from(wire: Any, symbol: Symbol | str | None = None) -> OrderBook:
    """``domestic_stock/inquire_asking_price_exp_ccn`` → :class:`OrderBook` (10 levels)."""
    book = _one(wire, "output1")
    expected = _rows(wire, "output2")
    exp = expected[0] if expected else None
    asks, bids = [], []
    for i in range(1, 11):
        ap, aq = dec(book, f"askp{i}"), int_of(book, f"askp_rsqn{i}")
        bp, bq = dec(book, f"bidp{i}"), int_of(book, f"bidp_rsqn{i}")
        if ap:
            asks.append(BookLevel(ap, aq or 0))
        if bp:
            bids.append(BookLevel(bp, bq or 0))
    t = time_of(book, "aspr_acpt_hour")
    code = str(symbol) if symbol is not None else (text(exp, "stck_shrn_iscd") if exp else "") or ""
    return OrderBook(
        symbol=code,
        currency=Currency.KRW,
        asks=tuple(asks),
        bids=tuple(bids),
        total_ask_quantity=int_of(book, "total_askp_rsqn"),
        total_bid_quantity=int_of(book, "total_bidp_rsqn"),
        expected_price=dec(exp, "antc_cnpr") if exp is not None else None,
        expected_quantity=int_of(exp, "antc_cnqn", "antc_vol") if exp is not None else None,
        time=at_kst(dt.datetime.now(KST).date(), t) if t else None,
        raw=wire,
    )


def us_order_book_from(wire: Any, symbol: Symbol | str | None = None) -> OrderBook:
    """``overseas_stock/inquire_asking_price`` → :class:`OrderBook`."""
    rows = _rows(wire, "output2") or _rows(wire, "output1")
    book = rows[0] if rows else _one(wire, "output1")
    asks, bids = [], []
    for i in range(1, 11):
        ap, aq = dec(book, f"pask{i}"), int_of(book, f"vask{i}")
        bp, bq = dec(book, f"pbid{i}"), int_of(book, f"vbid{i}")
        if ap:
            asks.append(BookLevel(ap, aq or 0))
        if bp:
            bids.append(BookLevel(bp, bq or 0))
    sym = symbol if isinstance(symbol, Symbol) else None
    return OrderBook(
        symbol=sym.code if sym else str(symbol or ""),
        currency=sym.currency if sym else Currency.USD,
        asks=tuple(asks),
        bids=tuple(bids),
        exchange=sym.exchange if sym else "",
        raw=wire,
    )


# -- bars and ticks ------------------------------------------------------------------------


def candle_from(row: RowLike, symbol: str, interval: str) -> Candle | None:
    """A domestic daily/weekly/monthly (``inquire_daily_itemchartprice``) or minute
    (``inquire_time_*chartprice``) row → :class:`Candle`; ``None`` for an empty row."""
    day = date_of(row, "stck_bsop_date")
    if day is None:
        return None
    minute = interval == "minute"
    close = dec(row, "stck_clpr") if not minute else dec(row, "stck_prpr")
    if close is None:
        close = dec(row, "stck_prpr", "stck_clpr")
    if close is None:
        return None
    t = time_of(row, "stck_cntg_hour") if minute else None
    when = at_kst(day, t)
    assert when is not None
    return Candle(
        symbol=symbol,
        interval=interval,
        time=when,
        open=dec(row, "stck_oprc") or close,
        high=dec(row, "stck_hgpr") or close,
        low=dec(row, "stck_lwpr") or close,
        close=close,
        volume=int_of(row, "cntg_vol" if minute else "acml_vol") or 0,
        currency=Currency.KRW,
        turnover=dec(row, "acml_tr_pbmn") if not minute else None,
        raw=row,
    )


def us_candle_from(row: RowLike, symbol: Symbol, interval: str) -> Candle | None:
    """An overseas ``dailyprice`` row (``xymd``) or minute row (``kymd``/``khms``, KST)."""
    minute = interval == "minute"
    day = date_of(row, "kymd" if minute else "xymd")
    close = dec(row, "last" if minute else "clos")
    if day is None or close is None:
        return None
    when = at_kst(day, time_of(row, "khms") if minute else None)
    assert when is not None
    return Candle(
        symbol=symbol.code,
        interval=interval,
        time=when,
        open=dec(row, "open") or close,
        high=dec(row, "high") or close,
        low=dec(row, "low") or close,
        close=close,
        volume=int_of(row, "evol" if minute else "tvol") or 0,
        currency=symbol.currency,
        turnover=dec(row, "eamt" if minute else "tamt"),
        raw=row,
    )


def tick_from(row: Any, symbol: str | None = None, day: dt.date | None = None) -> Tick:
    """A domestic trade print: an ``inquire_ccnl`` row or a realtime ``H0STCNT0`` record."""
    def get(name: str) -> Any:
        getter = getattr(row, "get", None)
        return getter(name) if getter is not None else getattr(row, name, None)

    class _View:
        def get(self, name: str, default: Any = None) -> Any:
            value = get(name)
            return default if value is None else value

    view = _View()
    t = time_of(view, "stck_cntg_hour")
    return Tick(
        symbol=symbol or text(view, "mksc_shrn_iscd") or "",
        time=at_kst(day or dt.datetime.now(KST).date(), t) if t else None,
        price=dec(view, "stck_prpr") or _ZERO,
        quantity=int_of(view, "cntg_vol") or 0,
        currency=Currency.KRW,
        change=_signed(dec(view, "prdy_vrss"), text(view, "prdy_vrss_sign")),
        volume=int_of(view, "acml_vol"),
        raw=row,
    )


# -- orders and fills ----------------------------------------------------------------------


def _status(order_qty: int, filled: int, remaining: int | None, cancelled: int, rejected: int,
            cancel_flag: bool) -> OrderStatus:
    if rejected and not filled:
        return OrderStatus.REJECTED
    if order_qty and filled >= order_qty:
        return OrderStatus.FILLED
    if cancelled or cancel_flag or (remaining == 0 and filled < order_qty):
        return OrderStatus.CANCELLED
    if filled:
        return OrderStatus.PARTIALLY_FILLED
    return OrderStatus.ACCEPTED


def order_snapshot_from(row: RowLike) -> OrderSnapshot:
    """A ``domestic_stock/inquire_daily_ccld`` ``output1`` row → :class:`OrderSnapshot`."""
    qty = int_of(row, "ord_qty") or 0
    filled = int_of(row, "tot_ccld_qty") or 0
    cancelled = int_of(row, "cnc_cfrm_qty") or 0
    rejected = int_of(row, "rjct_qty") or 0
    remaining = int_of(row, "rmn_qty")
    flag = row.get("cncl_yn")
    cancel_flag = flag is True or str(flag).strip().upper() == "Y"
    side = Side.from_code(text(row, "sll_buy_dvsn_cd")) or Side.BUY
    return OrderSnapshot(
        order_no=text(row, "odno") or "",
        symbol=text(row, "pdno") or "",
        side=side,
        quantity=qty,
        price=dec(row, "ord_unpr"),
        currency=Currency.KRW,
        status=_status(qty, filled, remaining, cancelled, rejected, cancel_flag),
        filled_quantity=filled,
        average_fill_price=dec(row, "avg_prvs") if filled else None,
        remaining_quantity=remaining if remaining is not None else max(qty - filled - cancelled, 0),
        cancelled_quantity=cancelled,
        rejected_quantity=rejected,
        order_type_code=text(row, "ord_dvsn_cd") or "",
        branch=text(row, "ord_gno_brno") or "",
        original_order_no=text(row, "orgn_odno") or "",
        placed_at=at_kst(date_of(row, "ord_dt"), time_of(row, "ord_tmd")),
        raw=row,
    )


def fill_from(row: RowLike) -> Fill | None:
    """A ``domestic_stock/inquire_daily_ccld`` row → :class:`Fill`; ``None`` if nothing filled."""
    filled = int_of(row, "tot_ccld_qty") or 0
    if filled <= 0:
        return None
    amount = dec(row, "tot_ccld_amt")
    avg = dec(row, "avg_prvs")
    if avg is None and amount is not None:
        avg = amount / filled
    return Fill(
        order_no=text(row, "odno") or "",
        symbol=text(row, "pdno") or "",
        side=Side.from_code(text(row, "sll_buy_dvsn_cd")) or Side.BUY,
        quantity=filled,
        price=avg or _ZERO,
        amount=amount if amount is not None else (avg or _ZERO) * filled,
        currency=Currency.KRW,
        order_quantity=int_of(row, "ord_qty"),
        order_price=dec(row, "ord_unpr"),
        name=text(row, "prdt_name"),
        original_order_no=text(row, "orgn_odno") or "",
        time=at_kst(date_of(row, "ord_dt"), time_of(row, "infm_tmd", "ord_tmd")),
        raw=row,
    )


def us_order_snapshot_from(row: RowLike) -> OrderSnapshot:
    """An ``overseas_stock/inquire_ccnl`` or ``inquire_nccs`` row → :class:`OrderSnapshot`."""
    qty = int_of(row, "ft_ord_qty") or 0
    filled = int_of(row, "ft_ccld_qty") or 0
    remaining = int_of(row, "nccs_qty")
    state = text(row, "prcs_stat_name") or ""
    rejected = bool(text(row, "rjct_rson")) or "거부" in state
    cancelled = qty - filled - (remaining or 0) if remaining is not None else 0
    exchange = exchange_from_quote_code(text(row, "ovrs_excg_cd") or "")
    return OrderSnapshot(
        order_no=text(row, "odno") or "",
        symbol=text(row, "pdno") or "",
        side=Side.from_code(text(row, "sll_buy_dvsn_cd")) or Side.BUY,
        quantity=qty,
        price=dec(row, "ft_ord_unpr3"),
        currency=_currency(text(row, "tr_crcy_cd"), Currency.USD),
        status=_status(qty, filled, remaining, max(cancelled, 0), qty if rejected else 0, False),
        filled_quantity=filled,
        average_fill_price=dec(row, "ft_ccld_unpr3") if filled else None,
        remaining_quantity=remaining if remaining is not None else max(qty - filled, 0),
        cancelled_quantity=max(cancelled, 0),
        rejected_quantity=qty if rejected else 0,
        branch=text(row, "ord_gno_brno") or "",
        original_order_no=text(row, "orgn_odno") or "",
        exchange=exchange,
        placed_at=at_kst(date_of(row, "dmst_ord_dt", "ord_dt"), time_of(row, "thco_ord_tmd",
                                                                        "ord_tmd")),
        raw=row,
    )


def us_fill_from(row: RowLike) -> Fill | None:
    """An ``overseas_stock/inquire_ccnl`` row → :class:`Fill`; ``None`` if nothing filled."""
    filled = int_of(row, "ft_ccld_qty") or 0
    if filled <= 0:
        return None
    price = dec(row, "ft_ccld_unpr3") or _ZERO
    return Fill(
        order_no=text(row, "odno") or "",
        symbol=text(row, "pdno") or "",
        side=Side.from_code(text(row, "sll_buy_dvsn_cd")) or Side.BUY,
        quantity=filled,
        price=price,
        amount=dec(row, "ft_ccld_amt3") or price * filled,
        currency=_currency(text(row, "tr_crcy_cd"), Currency.USD),
        order_quantity=int_of(row, "ft_ord_qty"),
        order_price=dec(row, "ft_ord_unpr3"),
        name=text(row, "prdt_name"),
        original_order_no=text(row, "orgn_odno") or "",
        exchange=exchange_from_quote_code(text(row, "ovrs_excg_cd") or ""),
        time=at_kst(date_of(row, "dmst_ord_dt", "ord_dt"), time_of(row, "thco_ord_tmd",
                                                                   "ord_tmd")),
        raw=row,
    )


# -- holdings and money --------------------------------------------------------------------


def position_from(row: RowLike) -> Position | None:
    """A domestic balance ``output1`` row (also pension balances) → :class:`Position`."""
    qty = int_of(row, "hldg_qty")
    symbol = text(row, "pdno")
    if not symbol or qty is None:
        return None
    return Position(
        symbol=symbol,
        quantity=qty,
        currency=Currency.KRW,
        average_price=dec(row, "pchs_avg_pric"),
        purchase_amount=dec(row, "pchs_amt"),
        price=dec(row, "prpr"),
        market_value=dec(row, "evlu_amt"),
        pnl=dec(row, "evlu_pfls_amt"),
        pnl_rate=dec(row, "evlu_pfls_rt", "evlu_erng_rt"),
        orderable_quantity=int_of(row, "ord_psbl_qty"),
        name=text(row, "prdt_name"),
        raw=row,
    )


def us_position_from(row: RowLike) -> Position | None:
    """An ``overseas_stock/inquire_balance`` ``output1`` row → :class:`Position`."""
    symbol = text(row, "ovrs_pdno", "pdno")
    qty = int_of(row, "ovrs_cblc_qty", "cblc_qty13")
    if not symbol or qty is None:
        return None
    return Position(
        symbol=symbol,
        quantity=qty,
        currency=_currency(text(row, "tr_crcy_cd", "buy_crcy_cd"), Currency.USD),
        average_price=dec(row, "pchs_avg_pric", "avg_unpr3"),
        purchase_amount=dec(row, "frcr_pchs_amt1", "frcr_pchs_amt"),
        price=dec(row, "now_pric2", "ovrs_now_pric1"),
        market_value=dec(row, "ovrs_stck_evlu_amt", "frcr_evlu_amt2"),
        pnl=dec(row, "frcr_evlu_pfls_amt", "evlu_pfls_amt2"),
        pnl_rate=dec(row, "evlu_pfls_rt", "evlu_pfls_rt1"),
        orderable_quantity=int_of(row, "ord_psbl_qty", "ord_psbl_qty1"),
        name=text(row, "ovrs_item_name", "prdt_name"),
        exchange=exchange_from_quote_code(text(row, "ovrs_excg_cd") or ""),
        raw=row,
    )


def balance_from(position_rows: Iterable[RowLike], totals: RowLike | None,
                 raw: Any = None) -> Balance:
    """Domestic ``inquire_balance`` (or pension) ``output1`` rows + ``output2`` totals."""
    positions = Positions(p for p in map(position_from, position_rows) if p and p.quantity)
    t: Any = totals if totals is not None else {}
    return Balance(
        currency=Currency.KRW,
        positions=positions,
        cash=dec(t, "dnca_tot_amt"),
        settlement_cash=dec(t, "prvs_rcdl_excc_amt"),
        purchase_amount=dec(t, "pchs_amt_smtl_amt", "pchs_amt_smtl"),
        market_value=dec(t, "evlu_amt_smtl_amt", "scts_evlu_amt", "evlu_amt_smtl"),
        pnl=dec(t, "evlu_pfls_smtl_amt", "evlu_pfls_amt_smtl"),
        total_value=dec(t, "tot_evlu_amt"),
        net_assets=dec(t, "nass_amt"),
        raw=raw,
    )


def us_balance_from(position_rows: Iterable[RowLike], totals: RowLike | None,
                    currency: Currency = Currency.USD, raw: Any = None,
                    cash_row: RowLike | None = None) -> Balance:
    """``overseas_stock/inquire_balance`` ``output1`` rows + ``output2`` totals; the cash from
    ``inquire_present_balance``'s ``output2`` row of the currency (``frcr_dncl_amt_2``)."""
    positions = Positions(p for p in map(us_position_from, position_rows) if p and p.quantity)
    t: Any = totals if totals is not None else {}
    purchase = dec(t, "frcr_pchs_amt1")
    pnl = dec(t, "tot_evlu_pfls_amt", "ovrs_tot_pfls")
    value = None
    if positions and all(p.market_value is not None for p in positions):
        value = sum((p.market_value for p in positions if p.market_value is not None), _ZERO)
    c: Any = cash_row if cash_row is not None else {}
    cash = dec(c, "frcr_dncl_amt_2")
    return Balance(
        currency=currency,
        positions=positions,
        cash=cash,
        purchase_amount=purchase,
        market_value=value,
        pnl=pnl,
        total_value=value,
        raw=raw,
    )


def buying_power_from(wire: Any, symbol: str, price: Decimal | None, order_type_code: str,
                      *, credit: bool = False) -> BuyingPower:
    """``inquire_psbl_order`` (cash) or ``inquire_credit_psamount`` (credit) → BuyingPower."""
    row = _one(wire)
    return BuyingPower(
        symbol=symbol,
        currency=Currency.KRW,
        price=price if price is not None else dec(row, "psbl_qty_calc_unpr"),
        cash=dec(row, "ord_psbl_cash"),
        max_amount=dec(row, "max_buy_amt"),
        max_quantity=int_of(row, "max_buy_qty"),
        cash_amount=dec(row, "nrcvb_buy_amt"),
        cash_quantity=int_of(row, "nrcvb_buy_qty"),
        credit=credit,
        order_type_code=order_type_code,
        raw=wire,
    )


def us_buying_power_from(wire: Any, symbol: Symbol, price: Decimal) -> BuyingPower:
    """``overseas_stock/inquire_psamount`` → :class:`BuyingPower` (in the trading currency)."""
    row = _one(wire)
    return BuyingPower(
        symbol=symbol.code,
        currency=_currency(text(row, "tr_crcy_cd"), symbol.currency),
        price=price,
        cash=dec(row, "ord_psbl_frcr_amt"),
        max_amount=dec(row, "ovrs_ord_psbl_amt", "ord_psbl_frcr_amt"),
        max_quantity=int_of(row, "max_ord_psbl_qty", "ovrs_max_ord_psbl_qty"),
        cash_amount=dec(row, "ord_psbl_frcr_amt"),
        cash_quantity=int_of(row, "ord_psbl_qty"),
        exchange_rate=dec(row, "exrt"),
        order_type_code="00",
        raw=wire,
    )


# -- reservations --------------------------------------------------------------------------


def reservation_from(row: RowLike) -> Reservation:
    """A ``domestic_stock/order_resv_ccnl`` row → :class:`Reservation`."""
    flag = str(row.get("cncl_yn") or "").strip().upper()
    return Reservation(
        reservation_no=text(row, "rsvn_ord_seq") or "",
        symbol=text(row, "pdno") or "",
        side=Side.from_code(text(row, "sll_buy_dvsn_cd")),
        quantity=int_of(row, "ord_rsvn_qty") or 0,
        price=dec(row, "ord_rsvn_unpr"),
        currency=Currency.KRW,
        ordered_on=date_of(row, "rsvn_ord_ord_dt"),
        end_date=date_of(row, "rsvn_end_dt", "rsvn_ord_end_dt"),
        filled_quantity=int_of(row, "tot_ccld_qty") or 0,
        cancelled=flag in ("Y", "TRUE") or date_of(row, "cncl_ord_dt") is not None,
        order_no=text(row, "odno") or "",
        order_type_code=text(row, "ord_dvsn_cd") or "",
        status_text=text(row, "prcs_rslt") or "",
        raw=row,
    )


def us_reservation_from(row: RowLike) -> Reservation:
    """An ``overseas_stock/order_resv_list`` row → :class:`Reservation`."""
    flag = str(row.get("cncl_yn") or "").strip().upper()
    return Reservation(
        reservation_no=text(row, "ovrs_rsvn_odno") or "",
        symbol=text(row, "pdno") or "",
        side=Side.from_code(text(row, "sll_buy_dvsn_cd")),
        quantity=int_of(row, "ft_ord_qty") or 0,
        price=dec(row, "ft_ord_unpr3"),
        currency=Currency.USD,
        ordered_on=date_of(row, "rsvn_ord_rcit_dt"),
        filled_quantity=int_of(row, "ft_ccld_qty") or 0,
        cancelled=flag in ("Y", "TRUE"),
        order_no=text(row, "odno") or "",
        status_text=text(row, "ovrs_rsvn_ord_stat_cd_name") or "",
        exchange=exchange_from_quote_code(text(row, "ovrs_excg_cd") or ""),
        raw=row,
    )


def first_row(rows: Sequence[Any]) -> Any:
    return rows[0] if rows else None
