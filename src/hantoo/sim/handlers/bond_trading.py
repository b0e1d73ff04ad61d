"""Bond orders, fills and balances from :mod:`hantoo.sim.marketdata.bond_desk` (issue 16).

Orders fill at the bond's quote (the same clean price ``domestic_bond/inquire_price`` answers)
when their limit reaches it, settle principal plus accrued interest through the account's cash,
and become lots the balance API lists with their yield at the fill price. Request values are
already validated (:mod:`hantoo.sim.validation`).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ..marketdata.bond_desk import BUY, SELL, BondDesk, BondOrder, DeskError, desk_of
from ..marketdata.bonds import BONDS
from . import BusinessError, Call, Reply, fill, fill_rows, ok, register
from ._common import dec, exchange, hms, krw, parse_date, ymd

_SIDE_NAME = {BUY: "매수", SELL: "매도"}


def _account(call: Call) -> tuple[str, str]:
    if call.account is None:  # the server checks accounts before handlers run
        raise BusinessError("OPSQ0002", "없는 서비스 코드 입니다")
    return call.account


def _desk(call: Call) -> BondDesk:
    """The simulator's desk, with the account's open orders retried at the quote of now."""
    desk = desk_of(call.state)
    now = call.now()
    desk.sync(exchange(call), _account(call), now, _prev_day(call))
    return desk


def _prev_day(call: Call) -> date:
    prev: date = call.state.calendar.previous_business_day(call.now().date())
    return prev


def _qty(call: Call) -> int:
    v = call.param("ORD_QTY2") or "0"
    return int(v)


def _price(call: Call) -> Decimal:
    return Decimal(call.param("BOND_ORD_UNPR") or "0")


def _ack(call: Call, o: BondOrder) -> Reply:
    return ok(output=fill(call, "output", {
        "KRX_FWDG_ORD_ORGNO": "00950", "ODNO": o.odno, "ORD_TMD": hms(o.time)}),
        msg_cd="APBK0013", msg1="주문 전송 완료 되었습니다.")


def _place(call: Call, side: str) -> Reply:
    desk = _desk(call)
    try:
        o = desk.place(exchange(call), _account(call), call.param("PDNO"), side, _qty(call),
                       _price(call), call.now(), _prev_day(call))
    except DeskError as e:
        raise BusinessError(e.code, e.message) from None
    return _ack(call, o)


@register("domestic_bond/buy")
def buy(call: Call) -> Reply:
    """장내채권 매수 (TTTC0952U): fills at the quote when the limit is at or above it."""
    return _place(call, BUY)


@register("domestic_bond/sell")
def sell(call: Call) -> Reply:
    """장내채권 매도 (TTTC0958U): fills at the quote when the limit is at or below it."""
    return _place(call, SELL)


@register("domestic_bond/order_rvsecncl")
def order_rvsecncl(call: Call) -> Reply:
    """장내채권 정정취소 (TTTC0953U): ``RVSE_CNCL_DVSN_CD`` 01 re-prices, 02 cancels, the whole
    open quantity when ``QTY_ALL_ORD_YN`` is Y, else ``ORD_QTY2``."""
    desk = _desk(call)
    account = _account(call)
    qty = None if call.param("QTY_ALL_ORD_YN").upper() == "Y" else _qty(call)
    try:
        if call.param("RVSE_CNCL_DVSN_CD") == "01":
            o = desk.modify(exchange(call), account, call.param("ORGN_ODNO"), qty, _price(call),
                            call.now(), _prev_day(call))
        else:
            o = desk.cancel(exchange(call), account, call.param("ORGN_ODNO"), qty, call.now(),
                            _prev_day(call))
    except DeskError as e:
        raise BusinessError(e.code, e.message) from None
    return _ack(call, o)


@register("domestic_bond/inquire_balance")
def inquire_balance(call: Call) -> Reply:
    """장내채권 잔고 (CTSC8407R): one row per lot (buy day and sequence), its face quantity,
    price, principal and yield at the fill; ``INQR_CNDT`` 01 keeps one bond."""
    desk = _desk(call)
    account = _account(call)
    code = call.param("PDNO").upper() if call.param("INQR_CNDT") == "01" else ""
    rows = []
    for lot in desk.lots(account):
        if code and lot.code != code:
            continue
        sellable = desk.sellable(account, lot.code)
        rows.append({
            "pdno": lot.code, "buy_dt": ymd(lot.buy_day), "buy_sqno": str(lot.seq),
            "cblc_qty": str(lot.qty), "agrx_qty": str(lot.qty), "sprx_qty": "0",
            "exdt": ymd(BONDS[lot.code].maturity), "buy_erng_rt": str(lot.yield_pct),
            "buy_unpr": dec(lot.price), "buy_amt": krw(lot.amount),
            "ord_psbl_qty": str(min(lot.qty, sellable)),
        })
    return ok(output=fill_rows(call, "output", rows),
              extra={"ctx_area_fk200": "", "ctx_area_nk200": ""})


@register("domestic_bond/inquire_daily_ccld")
def inquire_daily_ccld(call: Call) -> Reply:
    """장내채권 주문체결내역 (CTSC8013R): the account's bond orders between the dates, with
    their fills; ``output1`` the totals, ``output2`` one row per order."""
    desk = _desk(call)
    today = call.now().date()
    end = parse_date(call, "INQR_END_DT", today)
    start = parse_date(call, "INQR_STRT_DT", end - timedelta(days=7))
    side = call.param("SLL_BUY_DVSN_CD")
    code = call.param("PDNO").upper()
    nccs = call.param("NCCS_YN").upper()
    orders = [o for o in desk.orders(_account(call)) if start <= o.day <= end
              and side in ("", "%", o.side) and (not code or o.code == code)
              and not (nccs == "C" and not o.filled) and not (nccs == "Y" and o.open_qty <= 0)]
    if call.param("SORT_SQN_DVSN") == "02":
        orders.reverse()
    rows = []
    for o in orders:
        avg = o.fill_price if o.filled else Decimal(0)
        rows.append({
            "ord_dt": ymd(o.day), "odno": o.odno, "orgn_odno": o.orgn_odno,
            "ord_dvsn_name": "지정가", "sll_buy_dvsn_cd": o.side,
            "sll_buy_dvsn_cd_name": _SIDE_NAME[o.side], "shtn_pdno": o.code,
            "prdt_abrv_name": BONDS[o.code].name, "ord_qty": str(o.qty),
            "bond_ord_unpr": dec(o.limit), "ord_tmd": hms(o.time),
            "tot_ccld_qty": str(o.filled), "bond_avg_unpr": dec(avg),
            "tot_ccld_amt": krw(o.fill_amount), "nccs_qty": str(max(o.open_qty, 0)),
            "loan_dt": "", "buy_dt": ymd(o.day) if o.side == BUY and o.filled else "",
        })
    filled = sum(o.filled for o in orders)
    amount = sum(o.fill_amount for o in orders)
    totals = {"tot_ord_qty": str(sum(o.qty for o in orders)), "tot_ccld_qty_smtl": str(filled),
              "tot_bond_ccld_avg_unpr": dec(Decimal(amount) * 10_000 / filled if filled else 0),
              "tot_ccld_amt_smtl": krw(amount)}
    return ok(output1=fill(call, "output1", totals), output2=fill_rows(call, "output2", rows),
              extra={"ctx_area_fk200": "", "ctx_area_nk200": ""})


@register("domestic_bond/inquire_psbl_order")
def inquire_psbl_order(call: Call) -> Reply:
    """장내채권 매수가능 (TTTC8910R): the account's orderable cash and the face quantity it buys
    at ``BOND_ORD_UNPR`` with the accrued interest a buyer pays on top."""
    from ..marketdata.bond_desk import UNIT, settlement
    from ..marketdata.bonds import FACE, accrued

    desk = _desk(call)
    bond = BONDS.get(call.param("PDNO").upper())
    if bond is None:
        raise BusinessError("MCA05918", "종목코드 오류입니다.")
    cash = desk.cash(exchange(call), _account(call))
    price = _price(call)
    today = call.now().date()
    per_face = (price + accrued(bond, today)) / FACE  # won per won of face
    qty = int(Decimal(cash) / per_face) // UNIT * UNIT if per_face > 0 else 0
    while qty and sum(settlement(bond, qty, price, today)) > cash:
        qty -= UNIT
    return ok(output=fill(call, "output", {
        "ord_psbl_cash": krw(cash), "ord_psbl_sbst": "0", "ruse_psbl_amt": "0",
        "bond_ord_unpr2": dec(price), "buy_psbl_amt": krw(sum(settlement(bond, qty, price, today))),
        "buy_psbl_qty": str(qty),
        "cma_evlu_amt": "0"}))


@register("domestic_bond/inquire_psbl_rvsecncl")
def inquire_psbl_rvsecncl(call: Call) -> Reply:
    """장내채권 정정취소가능 (CTSC8035R): the account's open bond orders of ``ORD_DT``."""
    desk = _desk(call)
    day = parse_date(call, "ORD_DT", call.now().date())
    odno = call.param("ODNO").lstrip("0")
    rows = []
    for o in desk.orders(_account(call)):
        if o.day != day or o.open_qty <= 0 or (odno and o.odno.lstrip("0") != odno):
            continue
        rows.append({
            "odno": o.odno, "pdno": o.code, "rvse_cncl_dvsn_name": "", "ord_qty": str(o.qty),
            "bond_ord_unpr": dec(o.limit), "ord_tmd": hms(o.time),
            "tot_ccld_qty": str(o.filled), "tot_ccld_amt": krw(o.fill_amount),
            "ord_psbl_qty": str(o.open_qty), "orgn_odno": o.orgn_odno,
            "sll_buy_dvsn_cd": o.side, "ord_dvsn_cd": "00", "mgco_aptm_odno": "",
            "samt_mket_ptci_yn": "N"})
    return ok(output=fill_rows(call, "output", rows),
              extra={"ctx_area_fk200": "", "ctx_area_nk200": ""})
