"""Account workflows: fills, positions, balance, buying power (cash and credit), pensions."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from .._core.wire import ApiResponse, Row
from ..domain.coerce import dec
from ..domain.convert import (
    balance_from,
    buying_power_from,
    fill_from,
    us_balance_from,
    us_buying_power_from,
    us_fill_from,
)
from ..domain.objects import Balance, BuyingPower, Fills
from ..domain.ordertypes import OrderType, ProductFamily, resolve_order
from ..domain.symbols import Currency, Symbol
from ..domain.ticks import align_price
from .driver import Context
from .steps import Call, Workflow, collect_rows
from .trading import order_rows_flow

__all__ = ["balance_flow", "buying_power_flow", "fills_flow", "pension_balance_flow"]


def _first(rows: list[Row] | None) -> Row | None:
    return rows[0] if rows else None


def fills_flow(ctx: Context, start: dt.date, end: dt.date, *, us: bool = False,
               symbol: Symbol | None = None) -> Workflow[Fills]:
    """Executions between two dates (per order: quantity and average price), oldest first."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    rows = yield from order_rows_flow(ctx, us=us, start=start, end=end, symbol=symbol,
                                      filled_only=True)
    convert = us_fill_from if us else fill_from
    fills = [f for f in map(convert, rows) if f is not None]
    fills.sort(key=lambda f: (f.time is None, f.time, f.order_no))
    return Fills(fills)


def balance_flow(ctx: Context, *, us: bool = False, exchange: str = "NASD",
                 currency: Currency = Currency.USD) -> Workflow[Balance]:
    """Cash, totals and positions (all pages)."""
    if us:
        rows, extra, last = yield from collect_rows("overseas_stock/inquire_balance", {
            "ovrs_excg_cd": exchange, "tr_crcy_cd": currency.value}, block="output1",
            extra_blocks=("output2",))
        # KIS reports dollar cash only in the present-balance query (외화예수금), not in the
        # balance totals; one more read, so `cash` is the account's, not "-".
        present: ApiResponse = yield Call("overseas_stock/inquire_present_balance", {
            "wcrc_frcr_dvsn_cd": "02", "natn_cd": "000", "tr_mket_cd": "00",
            "inqr_dvsn_cd": "00"})
        cash_row = next((r for r in present.rows("output2")
                         if str(r.get("crcy_cd", "")).upper() == currency.value), None)
        bal = us_balance_from(rows, _first(extra.get("output2")), currency, raw=last,
                              cash_row=cash_row)
        # no row: the account never held the currency; the total counts cash as domestic does
        cash = bal.cash if cash_row is not None else Decimal(0)
        return replace(bal, cash=cash, total_value=(
            (bal.market_value or Decimal(0)) + cash if cash is not None else None),
            settlement_cash=dec(cash_row, "frcr_drwg_psbl_amt_1") if cash_row else None)
    rows, extra, last = yield from collect_rows("domestic_stock/inquire_balance", {
        "afhr_flpr_yn": "N", "ofl_yn": "", "inqr_dvsn": "02", "unpr_dvsn": "01",
        "fund_sttl_icld_yn": "N", "fncg_amt_auto_rdpt_yn": "N", "prcs_dvsn": "00"},
        block="output1", extra_blocks=("output2",))
    return balance_from(rows, _first(extra.get("output2")), raw=last)


def pension_balance_flow(ctx: Context) -> Workflow[Balance]:
    """Retirement-pension holdings (퇴직연금, account product code 29); real only at KIS."""
    rows, extra, last = yield from collect_rows("domestic_stock/pension_inquire_balance", {
        "acca_dvsn_cd": "00", "inqr_dvsn": "00"}, block="output1", extra_blocks=("output2",))
    return balance_from(rows, _first(extra.get("output2")), raw=last)


def buying_power_flow(
    ctx: Context,
    symbol: Symbol,
    price: Decimal | int | str | None = None,
    order_type: OrderType | str | None = None,
    *,
    credit: bool = False,
    credit_type: str = "21",
) -> Workflow[BuyingPower]:
    """How much of ``symbol`` can be bought at ``price`` (cash, or with ``credit=True`` the
    credit-order limit: ``inquire_credit_psamount``)."""
    if symbol.is_overseas:
        if price is None:
            raise ValueError("a US buying-power query needs a price")
        p = align_price(price, symbol.tick_rule, "nearest")
        r: ApiResponse = yield Call("overseas_stock/inquire_psamount", {
            "ovrs_excg_cd": symbol.exchange, "ovrs_ord_unpr": p, "item_cd": symbol.order_code})
        return us_buying_power_from(r, symbol, p)
    ot = order_type if order_type is not None else (
        OrderType.LIMIT if price is not None else OrderType.MARKET)
    code = resolve_order(ProductFamily.DOMESTIC_STOCK, ot).code
    dp = Decimal(str(price)) if price is not None else None
    if credit:
        r = yield Call("domestic_stock/inquire_credit_psamount", {
            "pdno": symbol.order_code, "ord_dvsn": code, "crdt_type": credit_type,
            "cma_evlu_amt_icld_yn": "N", "ovrs_icld_yn": "N", "ord_unpr": dp or Decimal(0)})
    else:
        r = yield Call("domestic_stock/inquire_psbl_order", {
            "pdno": symbol.order_code, "ord_unpr": dp or Decimal(0), "ord_dvsn": code,
            "cma_evlu_amt_icld_yn": "N", "ovrs_icld_yn": "N"})
    return buying_power_from(r, symbol.code, dp, code, credit=credit)
