"""Accounts: fees and taxes, buying power, sellable quantity, margin, pension, balances."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hantoo.sim.engine import (
    CreditType,
    EngineReject,
    Exchange,
    FeeConfig,
    OrderStatus,
    OrderType,
    RejectReason,
    Side,
)
from hantoo.sim.engine.accounts import max_buy_qty

from ._util import ACCT, DAY, assert_ok, make_exchange

SYM = "005930"
ETF = "069500"


def test_fees_and_sell_tax_are_charged_in_integer_won() -> None:
    ex = make_exchange(fees=FeeConfig(krw_commission=Decimal("0.00015")))
    cash0 = ex.balance(ACCT).summary[0].cash_d2
    buy = ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 37)
    fee_b = (buy.fill_amount * Decimal("0.00015")).to_integral_value(rounding="ROUND_FLOOR")
    assert buy.fees == fee_b
    sell = ex.place_order(ACCT, SYM, Side.SELL, OrderType.MARKET, 37)
    fee_s = (sell.fill_amount * Decimal("0.00015")).to_integral_value(rounding="ROUND_FLOOR")
    tax = (sell.fill_amount * Decimal("0.0020")).to_integral_value(rounding="ROUND_FLOOR")
    assert (sell.fees, sell.taxes) == (fee_s, tax)
    bal = ex.balance(ACCT).summary[0]
    assert bal.cash_d2 == cash0 - buy.fill_amount - fee_b + sell.fill_amount - fee_s - tax
    assert bal.fees_paid == fee_b + fee_s and bal.taxes_paid == tax
    assert bal.realized_pnl == sell.fill_amount - buy.fill_amount
    assert not ex.balance(ACCT).positions
    assert_ok(ex)


def test_etfs_pay_no_sell_tax(ex: Exchange) -> None:
    ex.place_order(ACCT, ETF, Side.BUY, OrderType.MARKET, 10)
    sell = ex.place_order(ACCT, ETF, Side.SELL, OrderType.MARKET, 10)
    assert sell.taxes == 0 and sell.fees > 0


def test_buying_power_reservation_and_release() -> None:
    ex = make_exchange(funded=False)
    acct = ex.open_account("20000000", krw=Decimal(10_000_000))
    bp = ex.buying_power(acct, SYM, Decimal(70_000))
    assert bp.max_qty == max_buy_qty(10_000_000, 70_000, 3, 20_000) == 142
    low = ex.order_book(SYM).bids[-1].price
    o = ex.place_order(acct, SYM, Side.BUY, OrderType.LIMIT, 100, low)
    held = 100 * low + (100 * low * Decimal("0.00015")).to_integral_value(rounding="ROUND_CEILING")
    s = ex.balance(acct).summary[0]
    assert s.reserved == held and s.orderable == 10_000_000 - held
    with pytest.raises(EngineReject) as e:
        ex.place_order(acct, SYM, Side.BUY, OrderType.LIMIT, 100, low)
    assert e.value.reason is RejectReason.INSUFFICIENT_CASH
    ex.cancel_order(acct, o.odno, qty=60)
    assert ex.balance(acct).summary[0].reserved == 40 * low + (
        40 * low * Decimal("0.00015")).to_integral_value(rounding="ROUND_CEILING")
    ex.cancel_order(acct, o.odno)
    assert ex.balance(acct).summary[0].reserved == 0
    mkt = ex.buying_power(acct, SYM, order_type=OrderType.MARKET)
    assert mkt.price == ex.quote(SYM).upper_limit
    assert_ok(ex)


def test_sellable_quantity_excludes_open_sells(ex: Exchange) -> None:
    ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 50)
    high = ex.order_book(SYM).asks[-1].price
    ex.place_order(ACCT, SYM, Side.SELL, OrderType.LIMIT, 30, high)
    assert ex.sellable_qty(ACCT, SYM) == 20
    with pytest.raises(EngineReject) as e:
        ex.place_order(ACCT, SYM, Side.SELL, OrderType.MARKET, 21)
    assert e.value.reason is RejectReason.INSUFFICIENT_SHARES
    pos = ex.balance(ACCT).positions[0]
    assert (pos.qty, pos.sellable_qty) == (50, 20)


def test_margin_buy_and_repay() -> None:
    ex = make_exchange(margin_ratio=Decimal("0.40"))
    cash0 = ex.balance(ACCT).summary[0].cash_d2
    buy = ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 100,
                         credit=CreditType.SELF_LOAN_NEW)
    assert buy.credit_type is CreditType.SELF_LOAN_NEW and buy.loan_date == DAY.date()
    margin = (buy.fill_amount * Decimal("0.40")).to_integral_value(rounding="ROUND_CEILING")
    bal = ex.balance(ACCT)
    lot = bal.positions[0]
    assert lot.credit_type is CreditType.SELF_LOAN_NEW and lot.loan_date == DAY.date()
    assert lot.loan_amount == buy.fill_amount - margin
    assert bal.summary[0].cash_d2 == cash0 - margin - buy.fees
    assert bal.summary[0].loan_amount == lot.loan_amount
    assert ex.sellable_qty(ACCT, SYM) == 0  # the cash position is empty
    with pytest.raises(EngineReject):
        ex.place_order(ACCT, SYM, Side.SELL, OrderType.MARKET, 10)
    sell = ex.place_order(ACCT, SYM, Side.SELL, OrderType.MARKET, 100,
                          credit=CreditType.SELF_LOAN_REPAY)
    assert sell.status is OrderStatus.FILLED
    after = ex.balance(ACCT)
    assert not after.positions and after.summary[0].loan_amount == 0
    assert after.summary[0].cash_d2 == (cash0 - margin - buy.fees - lot.loan_amount
                                        + sell.fill_amount - sell.fees - sell.taxes)
    with pytest.raises(EngineReject) as e:
        ex.place_order(ACCT, SYM, Side.SELL, OrderType.MARKET, 1,
                       credit=CreditType.SELF_LOAN_REPAY)
    assert e.value.reason is RejectReason.NO_LOAN
    with pytest.raises(EngineReject):  # a repay type on a buy
        ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 1,
                       credit=CreditType.SELF_LOAN_REPAY)
    assert_ok(ex)


def test_pension_accounts_trade_cash_only() -> None:
    ex = make_exchange()
    irp = ex.open_account("30000000", "29", krw=Decimal(5_000_000))
    pen = ex.open_account("30000001", "22", krw=Decimal(3_000_000))
    o = ex.place_order(irp, ETF, Side.BUY, OrderType.MARKET, 10)
    assert o.status is OrderStatus.FILLED
    with pytest.raises(EngineReject) as e:
        ex.place_order(irp, SYM, Side.BUY, OrderType.MARKET, 1, credit=CreditType.SELF_LOAN_NEW)
    assert e.value.reason is RejectReason.NOT_ALLOWED_FOR_ACCOUNT
    with pytest.raises(EngineReject) as e:
        ex.place_order(pen, "AAPL", Side.BUY, OrderType.LIMIT, 1, Decimal("100"))
    assert e.value.reason is RejectReason.NOT_ALLOWED_FOR_ACCOUNT
    b = ex.balance(irp)
    assert b.account_kind == "retirement" and b.pension_contributed == 5_000_000
    assert ex.balance(pen).account_kind == "pension"
    assert ex.buying_power(irp, SYM, Decimal(70_000)).max_qty_credit == 0


def test_settlement_view_shows_d2(ex: Exchange) -> None:
    buy = ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 10)
    s = ex.balance(ACCT).summary[0]
    cost = buy.fill_amount + buy.fees
    assert s.cash_d2 == s.cash - cost and s.cash_d1 == s.cash  # a buy settles at T+2
    ex.advance_to(DAY.replace(day=11, hour=9, minute=1))
    s = ex.balance(ACCT).summary[0]
    assert s.cash_d1 == s.cash_d2 and s.cash == s.cash_d2 + cost
    ex.advance_to(DAY.replace(day=12, hour=9, minute=1))
    s = ex.balance(ACCT).summary[0]
    assert s.cash == s.cash_d1 == s.cash_d2


def test_accounts_validate_their_numbers() -> None:
    ex = make_exchange(funded=False)
    with pytest.raises(ValueError):
        ex.open_account("1234", "01")
    with pytest.raises(ValueError):
        ex.open_account("12345678", "1")
    key = ex.open_account("12345678", "01", krw=100)
    assert ex.open_account("12345678", "01") == key
    with pytest.raises(EngineReject):
        ex.deposit(key, -101)
    ex.deposit(key, -100)
    assert ex.balance(key).summary[0].cash_d2 == 0
