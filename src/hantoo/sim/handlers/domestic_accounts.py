"""Domestic account queries: balance, daily orders/fills, buying power, sellable, open orders,
and the pension (퇴직연금 29 / 개인연금 22) variants — all read from the engine's accounts.

Why keyset cursors (``_common.keyset_page``): order lists grow while a client pages through
them; the cursor names the last row sent, so a page boundary can neither repeat nor skip a row
whatever arrived meanwhile. Rows are ordered by (trade date, order number), which is total.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from ..engine.types import OrderAction, OrderType, Side
from ..engine.views import (
    Balance,
    BalanceSummary,
    BuyingPower,
    FillInfo,
    OrderInfo,
    PositionInfo,
)
from . import BusinessError, Call, Reply, ok, register
from ._common import (
    block_rows,
    dec,
    domestic_symbol,
    engine_errors,
    exchange,
    fields_of,
    hms,
    keyset_page,
    krw,
    parse_date,
    parse_price,
    rate,
    row,
    ymd,
)
from .domestic_orders import ORDER_ORGNO, ORDER_TYPE_NAMES

_CONDITIONS = {"11": "IOC", "12": "FOK", "13": "IOC", "14": "FOK", "15": "IOC", "16": "FOK"}


def _account(call: Call) -> tuple[str, str]:
    if call.account is None:
        raise BusinessError("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
    return call.account


def _balance(call: Call) -> Balance:
    with engine_errors():
        b: Balance = exchange(call).balance(_account(call))
    return b


def _krw_summary(b: Balance) -> BalanceSummary:
    return next(s for s in b.summary if s.currency == "KRW")


def _today(call: Call) -> date:
    with engine_errors():
        d: date = exchange(call).trading_day("KRX")
    return d


def _prev_day(call: Call, d: date) -> date:
    prev: date = exchange(call).calendar.previous_business_day(d)
    return prev


class _DayFlows:
    """Per-symbol buy/sell quantities and amounts of today and the previous business day."""

    def __init__(self, call: Call) -> None:
        today = _today(call)
        prev = _prev_day(call, today)
        with engine_errors():
            fills: list[FillInfo] = exchange(call).fill_history(_account(call), prev, today)
        self.today = today
        self.qty: dict[tuple[str, date, Side], int] = {}
        self.amount: dict[tuple[date, Side], Decimal] = {}
        self.costs: dict[date, Decimal] = {}
        for f in fills:
            if f.currency != "KRW":
                continue
            k = (f.symbol, f.trade_date, f.side)
            self.qty[k] = self.qty.get(k, 0) + f.qty
            a = (f.trade_date, f.side)
            self.amount[a] = self.amount.get(a, Decimal(0)) + f.amount
            self.costs[f.trade_date] = self.costs.get(f.trade_date, Decimal(0)) + f.fee + f.tax
        self.prev = prev

    def q(self, symbol: str, day: date, side: Side) -> str:
        return str(self.qty.get((symbol, day, side), 0))

    def amt(self, day: date, side: Side) -> str:
        return krw(self.amount.get((day, side), Decimal(0)))

    def cost(self, day: date) -> str:
        return krw(self.costs.get(day, Decimal(0)))


def _domestic(positions: Iterable[PositionInfo]) -> list[PositionInfo]:
    rows = [p for p in positions if p.currency == "KRW"]
    rows.sort(key=lambda p: (p.symbol, ymd(p.loan_date)))
    return rows


def _position_key(p: PositionInfo) -> str:
    return f"{p.symbol}{ymd(p.loan_date) or '00000000'}"


def _trade_kind(p: PositionInfo) -> str:
    return "현금" if p.credit_type is None else "자기융자" if p.credit_type.value in (
        "21", "25") else "유통융자"


# --------------------------------------------------------------------------- balance

_BAL1 = (
    "pdno", "prdt_name", "trad_dvsn_name", "bfdy_buy_qty", "bfdy_sll_qty", "thdt_buyqty",
    "thdt_sll_qty", "hldg_qty", "ord_psbl_qty", "pchs_avg_pric", "pchs_amt", "prpr", "evlu_amt",
    "evlu_pfls_amt", "evlu_pfls_rt", "evlu_erng_rt", "loan_dt", "loan_amt", "stln_slng_chgs",
    "expd_dt", "fltt_rt", "bfdy_cprs_icdc", "item_mgna_rt_name", "grta_rt_name", "sbst_pric",
    "stck_loan_unpr",
)
_BAL2 = (
    "dnca_tot_amt", "nxdy_excc_amt", "prvs_rcdl_excc_amt", "cma_evlu_amt", "bfdy_buy_amt",
    "thdt_buy_amt", "nxdy_auto_rdpt_amt", "bfdy_sll_amt", "thdt_sll_amt", "d2_auto_rdpt_amt",
    "bfdy_tlex_amt", "thdt_tlex_amt", "tot_loan_amt", "scts_evlu_amt", "tot_evlu_amt",
    "nass_amt", "fncg_gld_auto_rdpt_yn", "pchs_amt_smtl_amt", "evlu_amt_smtl_amt",
    "evlu_pfls_smtl_amt", "tot_stln_slng_chgs", "bfdy_tot_asst_evlu_amt", "asst_icdc_amt",
    "asst_icdc_erng_rt",
)


def _position_row(p: PositionInfo, flows: _DayFlows) -> dict[str, str]:
    return {
        "pdno": p.symbol,
        "prdt_name": p.name,
        "trad_dvsn_name": _trade_kind(p),
        "bfdy_buy_qty": flows.q(p.symbol, flows.prev, Side.BUY),
        "bfdy_sll_qty": flows.q(p.symbol, flows.prev, Side.SELL),
        "thdt_buyqty": flows.q(p.symbol, flows.today, Side.BUY),
        "thdt_sll_qty": flows.q(p.symbol, flows.today, Side.SELL),
        "hldg_qty": str(p.qty),
        "ord_psbl_qty": str(p.sellable_qty),
        "pchs_avg_pric": dec(p.avg_price, 4),
        "pchs_amt": krw(p.purchase_amount),
        "prpr": krw(p.price),
        "evlu_amt": krw(p.eval_amount),
        "evlu_pfls_amt": krw(p.eval_pnl),
        "evlu_pfls_rt": str(p.eval_pnl_rate),
        "evlu_erng_rt": str(p.eval_pnl_rate),
        "loan_dt": ymd(p.loan_date),
        "loan_amt": krw(p.loan_amount),
        "stln_slng_chgs": "0",
        "expd_dt": ymd(p.loan_date + timedelta(days=150)) if p.loan_date else "",
        "fltt_rt": "0.00",
        "bfdy_cprs_icdc": "0",
        "item_mgna_rt_name": "20%",
        "grta_rt_name": "",
        "sbst_pric": krw((p.price * 7 / 10).quantize(Decimal(1))),
        "stck_loan_unpr": "0",
    }


def _summary_row(s: BalanceSummary, flows: _DayFlows) -> dict[str, str]:
    total = s.cash_d2 + s.eval_amount
    return {
        "dnca_tot_amt": krw(s.cash),
        "nxdy_excc_amt": krw(s.cash_d1),
        "prvs_rcdl_excc_amt": krw(s.cash_d2),
        "cma_evlu_amt": "0",
        "bfdy_buy_amt": flows.amt(flows.prev, Side.BUY),
        "thdt_buy_amt": flows.amt(flows.today, Side.BUY),
        "nxdy_auto_rdpt_amt": "0",
        "bfdy_sll_amt": flows.amt(flows.prev, Side.SELL),
        "thdt_sll_amt": flows.amt(flows.today, Side.SELL),
        "d2_auto_rdpt_amt": "0",
        "bfdy_tlex_amt": flows.cost(flows.prev),
        "thdt_tlex_amt": flows.cost(flows.today),
        "tot_loan_amt": krw(s.loan_amount),
        "scts_evlu_amt": krw(s.eval_amount),
        "tot_evlu_amt": krw(total),
        "nass_amt": krw(total - s.loan_amount),
        "fncg_gld_auto_rdpt_yn": "N",
        "pchs_amt_smtl_amt": krw(s.purchase_amount),
        "evlu_amt_smtl_amt": krw(s.eval_amount),
        "evlu_pfls_smtl_amt": krw(s.eval_pnl),
        "tot_stln_slng_chgs": "0",
        # The engine keeps no end-of-day snapshots: yesterday's total is shown as today's.
        "bfdy_tot_asst_evlu_amt": krw(total),
        "asst_icdc_amt": "0",
        "asst_icdc_erng_rt": "0.00",
    }


@register("domestic_stock/inquire_balance")
def inquire_balance(call: Call) -> Reply:
    """주식잔고조회 (TTTC8434R): positions at market (``output1``, paged by symbol: 50 real /
    20 paper) and one account summary row (``output2``, a one-element list as KIS sends)."""
    b = _balance(call)
    flows = _DayFlows(call)
    positions = _domestic(b.positions)
    page = keyset_page(call, positions, _position_key, descending=False, default_size=50)
    rows = block_rows(call, _BAL1, [_position_row(p, flows) for p in page.rows])
    summary = row(call, _BAL2, _summary_row(_krw_summary(b), flows))
    return ok(output1=rows, output2=[summary], tr_cont=page.tr_cont, extra=page.cursors)


# --------------------------------------------------------------------------- daily orders

_CCLD1 = (
    "ord_dt", "ord_gno_brno", "odno", "orgn_odno", "ord_dvsn_name", "sll_buy_dvsn_cd",
    "sll_buy_dvsn_cd_name", "pdno", "prdt_name", "ord_qty", "ord_unpr", "ord_tmd",
    "tot_ccld_qty", "avg_prvs", "cncl_yn", "tot_ccld_amt", "loan_dt", "ordr_empno",
    "ord_dvsn_cd", "cnc_cfrm_qty", "rmn_qty", "rjct_qty", "ccld_cndt_name", "inqr_ip_addr",
    "cpbc_ordp_ord_rcit_dvsn_cd", "cpbc_ordp_infm_mthd_dvsn_cd", "infm_tmd", "ctac_tlno",
    "prdt_type_cd", "excg_dvsn_cd", "cpbc_ordp_mtrl_dvsn_cd", "ord_orgno", "rsvn_ord_end_dt",
    "excg_id_dvsn_Cd", "stpm_cndt_pric", "stpm_efct_occr_dtmd",
)
_CCLD2 = ("tot_ord_qty", "tot_ccld_qty", "tot_ccld_amt", "prsm_tlex_smtl", "pchs_avg_pric")


def _side_filter(code: str) -> Side | None:
    return Side.SELL if code == "01" else Side.BUY if code == "02" else None


def _order_key(o: OrderInfo) -> str:
    return f"{ymd(o.trade_date)}{o.odno}"


def _side_name(o: OrderInfo) -> str:
    base = "매도" if o.side is Side.SELL else "매수"
    if o.action is OrderAction.CANCEL:
        return f"{base}취소"
    if o.action is OrderAction.MODIFY:
        return f"{base}정정"
    return f"현금{base}" if o.credit_type is None else f"신용{base}"


def _order_row(o: OrderInfo) -> dict[str, str]:
    cancel = o.action is OrderAction.CANCEL
    return {
        "ord_dt": ymd(o.trade_date),
        "ord_gno_brno": ORDER_ORGNO,
        "odno": o.odno,
        "orgn_odno": o.orig_odno or "",
        "ord_dvsn_name": ORDER_TYPE_NAMES.get(o.order_type.value, ""),
        "sll_buy_dvsn_cd": o.side.code,
        "sll_buy_dvsn_cd_name": _side_name(o),
        "pdno": o.symbol,
        "prdt_name": o.name,
        "ord_qty": str(o.qty),
        "ord_unpr": krw(o.price),
        "ord_tmd": hms(o.time),
        "tot_ccld_qty": str(o.filled_qty),
        "avg_prvs": krw(o.avg_fill_price),
        "cncl_yn": "Y" if cancel else "N",
        "tot_ccld_amt": krw(o.fill_amount),
        "loan_dt": ymd(o.loan_date),
        "ordr_empno": "",
        "ord_dvsn_cd": o.order_type.value,
        "cnc_cfrm_qty": str(o.cancelled_qty) if cancel else "0",
        "rmn_qty": str(o.remaining_qty),
        "rjct_qty": "0",
        "ccld_cndt_name": _CONDITIONS.get(o.order_type.value, "없음"),
        "inqr_ip_addr": "",
        "cpbc_ordp_ord_rcit_dvsn_cd": "",
        "cpbc_ordp_infm_mthd_dvsn_cd": "",
        "infm_tmd": "",
        "ctac_tlno": "",
        "prdt_type_cd": "300",
        "excg_dvsn_cd": "02" if o.market.value == "KOSPI" else "03",
        "cpbc_ordp_mtrl_dvsn_cd": "",
        "ord_orgno": ORDER_ORGNO,
        "rsvn_ord_end_dt": "",
        "excg_id_dvsn_Cd": "KRX",
        "stpm_cndt_pric": "0",
        "stpm_efct_occr_dtmd": "",
    }


def _history(
    call: Call, start: date, end: date, *, side: Side | None, symbol: str | None, status: str
) -> list[OrderInfo]:
    with engine_errors():
        orders: list[OrderInfo] = exchange(call).order_history(
            _account(call), start, end, symbol=symbol, side=side, status=status
        )
    return [o for o in orders if not o.market.is_overseas]


@register("domestic_stock/inquire_daily_ccld")
def inquire_daily_ccld(call: Call) -> Reply:
    """주식일별주문체결조회 (TTTC0081R within 3 months / CTSC9215R before): one row per order
    record (new, modify, cancel) with its fills so far; ``output2`` totals the whole query.

    Filters: ``SLL_BUY_DVSN_CD`` 00/01/02, ``PDNO``, ``CCLD_DVSN`` 00 all / 01 filled / 02
    unfilled, ``ODNO``. ``INQR_DVSN`` 00 newest first, 01 oldest first. Paged 100 (real) / 15
    (paper) per answer with ``CTX_AREA_FK100``/``NK100``. Both TR IDs serve any date range."""
    today = call.now().date()
    start = parse_date(call, "INQR_STRT_DT", today)
    end = parse_date(call, "INQR_END_DT", today)
    status = {"01": "filled", "02": "unfilled"}.get(call.param("CCLD_DVSN"), "all")
    symbol = call.param("PDNO") or None
    if symbol is not None:
        symbol = domestic_symbol(call, "PDNO")
    orders = _history(call, start, end, side=_side_filter(call.param("SLL_BUY_DVSN_CD")),
                      symbol=symbol, status=status)
    odno = call.param("ODNO").lstrip("0")
    if odno:
        orders = [o for o in orders if o.odno.lstrip("0") == odno]
    newest_first = call.param("INQR_DVSN") != "01"
    orders.sort(key=_order_key, reverse=newest_first)
    page = keyset_page(call, orders, _order_key, descending=newest_first, default_size=100)
    rows = block_rows(call, _CCLD1, [_order_row(o) for o in page.rows])
    new_orders = [o for o in orders if o.action is not OrderAction.CANCEL]
    filled_qty = sum(o.filled_qty for o in new_orders)
    filled_amt = sum((o.fill_amount for o in new_orders), Decimal(0))
    costs = sum((o.fees + o.taxes for o in new_orders), Decimal(0))
    totals = {
        "tot_ord_qty": str(sum(o.qty for o in new_orders)),
        "tot_ccld_qty": str(filled_qty),
        "tot_ccld_amt": krw(filled_amt),
        "prsm_tlex_smtl": krw(costs),
        "pchs_avg_pric": dec(filled_amt / filled_qty if filled_qty else 0, 4),
    }
    return ok(output1=rows, output2=row(call, _CCLD2, totals), tr_cont=page.tr_cont,
              extra=page.cursors)


# --------------------------------------------------------------------------- open orders


@register("domestic_stock/inquire_psbl_rvsecncl")
def inquire_psbl_rvsecncl(call: Call) -> Reply:
    """주식정정취소가능주문조회 (TTTC0084R): orders with open quantity. ``INQR_DVSN_1`` 0 by
    order number, 1 by symbol; ``INQR_DVSN_2`` 0 all / 1 sell / 2 buy. 50 per page."""
    side = {"1": Side.SELL, "2": Side.BUY}.get(call.param("INQR_DVSN_2"))
    with engine_errors():
        orders: list[OrderInfo] = exchange(call).open_orders(_account(call), side=side)
    orders = [o for o in orders if not o.market.is_overseas]
    by_symbol = call.param("INQR_DVSN_1") == "1"

    def key(o: OrderInfo) -> str:
        return f"{o.symbol:<12}{o.odno}" if by_symbol else o.odno

    orders.sort(key=key)
    page = keyset_page(call, orders, key, descending=False, default_size=50)
    partials = []
    for o in page.rows:
        partials.append({
            "ord_gno_brno": ORDER_ORGNO,
            "odno": o.odno,
            "orgn_odno": o.orig_odno or "",
            "ord_dvsn_name": ORDER_TYPE_NAMES.get(o.order_type.value, ""),
            "pdno": o.symbol,
            "prdt_name": o.name,
            "rvse_cncl_dvsn_name": "정정" if o.action is OrderAction.MODIFY else "",
            "ord_qty": str(o.qty),
            "ord_unpr": krw(o.price),
            "ord_tmd": hms(o.time),
            "tot_ccld_qty": str(o.filled_qty),
            "tot_ccld_amt": krw(o.fill_amount),
            "psbl_qty": str(o.remaining_qty),
            "sll_buy_dvsn_cd": o.side.code,
            "ord_dvsn_cd": o.order_type.value,
            "mgco_aptm_odno": "",
            "excg_dvsn_cd": "02" if o.market.value == "KOSPI" else "03",
            "excg_id_dvsn_cd": o.exchange,
            "excg_id_dvsn_name": "넥스트레이드" if o.exchange == "NXT" else "한국거래소",
            "stpm_cndt_pric": "0",
            "stpm_efct_occr_yn": "N",
        })
    return ok(output=block_rows(call, fields_of(call, "output"), partials),
              tr_cont=page.tr_cont, extra=page.cursors)


# --------------------------------------------------------------------------- buying power


def _power(call: Call, symbol: str) -> BuyingPower:
    raw_type = call.param("ORD_DVSN") or "00"
    try:
        otype = OrderType(raw_type)
    except ValueError:
        raise BusinessError("APBK0506", "주문구분이 올바르지 않습니다") from None
    price = parse_price(call, "ORD_UNPR")
    with engine_errors():
        bp: BuyingPower = exchange(call).buying_power(
            _account(call), symbol, price if price else None, otype
        )
    return bp


def _cost(qty: int, price: Decimal, call: Call) -> Decimal:
    """What ``qty`` shares at ``price`` cost with the commission (as the engine reserves)."""
    ratio: tuple[int, int] = exchange(call).fee_schedule.commission_ratio(False)
    num, den = ratio
    notional = int(price * qty)  # won: whole numbers
    return Decimal(notional + -(-notional * num // den))


def _power_fields(call: Call, bp: BuyingPower, qty: int) -> dict[str, str]:
    return {
        "ord_psbl_cash": krw(bp.orderable_cash),
        "ord_psbl_sbst": "0",
        "ruse_psbl_amt": "0",
        "fund_rpch_chgs": "0",
        "psbl_qty_calc_unpr": krw(bp.price),
        "nrcvb_buy_amt": krw(_cost(bp.max_qty, bp.price, call)),
        "nrcvb_buy_qty": str(bp.max_qty),
        "max_buy_amt": krw(_cost(qty, bp.price, call)),
        "max_buy_qty": str(qty),
        "cma_evlu_amt": "0",
        "ovrs_re_use_amt_wcrc": "0",
        "ord_psbl_frcr_amt_wcrc": "0",
    }


@register("domestic_stock/inquire_psbl_order")
def inquire_psbl_order(call: Call) -> Reply:
    """매수가능조회 (TTTC8908R): cash not held by open buys, and what it buys at ``ORD_UNPR``
    (market orders: at the upper limit, as the engine reserves). No receivables are lent, so
    ``max_*`` equals ``nrcvb_*``."""
    bp = _power(call, domestic_symbol(call, "PDNO"))
    return ok(output=row(call, fields_of(call, "output"), _power_fields(call, bp, bp.max_qty)))


@register("domestic_stock/inquire_credit_psamount")
def inquire_credit_psamount(call: Call) -> Reply:
    """신용매수가능조회 (TTTC8909R): the margin buy at the engine's margin ratio."""
    bp = _power(call, domestic_symbol(call, "PDNO"))
    return ok(output=row(call, fields_of(call, "output"),
                         _power_fields(call, bp, bp.max_qty_credit)))


@register("domestic_stock/inquire_psbl_sell")
def inquire_psbl_sell(call: Call) -> Reply:
    """매도가능수량조회 (TTTC8408R): the holding, what open sells hold back, today's flows."""
    code = domestic_symbol(call, "PDNO")
    b = _balance(call)
    flows = _DayFlows(call)
    held = [p for p in b.positions if p.symbol == code and p.credit_type is None]
    p = held[0] if held else None
    out = {
        "pdno": code,
        "buy_qty": flows.q(code, flows.today, Side.BUY),
        "sll_qty": flows.q(code, flows.today, Side.SELL),
        "cblc_qty": str(p.qty) if p else "0",
        "nsvg_qty": "0",
        "ord_psbl_qty": str(p.sellable_qty) if p else "0",
        "pchs_avg_pric": dec(p.avg_price, 4) if p else "0.0000",
        "pchs_amt": krw(p.purchase_amount) if p else "0",
        "now_pric": krw(p.price) if p else "0",
        "evlu_amt": krw(p.eval_amount) if p else "0",
        "evlu_pfls_amt": krw(p.eval_pnl) if p else "0",
        "evlu_pfls_rt": str(p.eval_pnl_rate) if p else "0.00",
    }
    return ok(output=row(call, fields_of(call, "output"), out), tr_cont="D")


# --------------------------------------------------------------------------- pension


def _pension_account(call: Call) -> tuple[str, str]:
    account = _account(call)
    if account[1] not in ("22", "29"):
        raise BusinessError("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO (연금계좌가 아닙니다)")
    return account


_PEN_BAL1 = (
    "cblc_dvsn_name", "prdt_name", "pdno", "item_dvsn_name", "thdt_buyqty", "thdt_sll_qty",
    "hldg_qty", "ord_psbl_qty", "pchs_avg_pric", "pchs_amt", "prpr", "evlu_amt",
    "evlu_pfls_amt", "evlu_erng_rt",
)
_PEN_BAL2 = (
    "dnca_tot_amt", "nxdy_excc_amt", "prvs_rcdl_excc_amt", "thdt_buy_amt", "thdt_sll_amt",
    "thdt_tlex_amt", "scts_evlu_amt", "tot_evlu_amt",
)


@register("domestic_stock/pension_inquire_balance")
def pension_inquire_balance(call: Call) -> Reply:
    """퇴직연금 잔고조회 (TTTC2208R): positions and the cash summary of a pension account."""
    _pension_account(call)
    b = _balance(call)
    flows = _DayFlows(call)
    page = keyset_page(call, _domestic(b.positions), _position_key, descending=False,
                       default_size=50)
    partials = []
    for p in page.rows:
        partials.append({
            "cblc_dvsn_name": "현금",
            "prdt_name": p.name,
            "pdno": p.symbol,
            "item_dvsn_name": "주식" if p.market.value in ("KOSPI", "KOSDAQ") else "기타",
            "thdt_buyqty": flows.q(p.symbol, flows.today, Side.BUY),
            "thdt_sll_qty": flows.q(p.symbol, flows.today, Side.SELL),
            "hldg_qty": str(p.qty),
            "ord_psbl_qty": str(p.sellable_qty),
            "pchs_avg_pric": dec(p.avg_price, 4),
            "pchs_amt": krw(p.purchase_amount),
            "prpr": krw(p.price),
            "evlu_amt": krw(p.eval_amount),
            "evlu_pfls_amt": krw(p.eval_pnl),
            "evlu_erng_rt": str(p.eval_pnl_rate),
        })
    s = _krw_summary(b)
    summary = {
        "dnca_tot_amt": krw(s.cash),
        "nxdy_excc_amt": krw(s.cash_d1),
        "prvs_rcdl_excc_amt": krw(s.cash_d2),
        "thdt_buy_amt": flows.amt(flows.today, Side.BUY),
        "thdt_sll_amt": flows.amt(flows.today, Side.SELL),
        "thdt_tlex_amt": flows.cost(flows.today),
        "scts_evlu_amt": krw(s.eval_amount),
        "tot_evlu_amt": krw(s.cash_d2 + s.eval_amount),
    }
    return ok(output1=block_rows(call, _PEN_BAL1, partials),
              output2=row(call, _PEN_BAL2, summary), tr_cont=page.tr_cont, extra=page.cursors)


_PEN_PRS1 = (
    "cblc_dvsn", "cblc_dvsn_name", "pdno", "prdt_name", "hldg_qty", "slpsb_qty",
    "pchs_avg_pric", "evlu_pfls_amt", "evlu_pfls_rt", "prpr", "evlu_amt", "pchs_amt",
    "cblc_weit",
)
_PEN_PRS2 = (
    "pchs_amt_smtl_amt", "evlu_amt_smtl_amt", "evlu_pfls_smtl_amt", "trad_pfls_smtl",
    "thdt_tot_pfls_amt", "pftrt",
)


@register("domestic_stock/pension_inquire_present_balance")
def pension_inquire_present_balance(call: Call) -> Reply:
    """퇴직연금 체결기준잔고 (TTTC2202R): positions with their weight in the portfolio."""
    _pension_account(call)
    b = _balance(call)
    s = _krw_summary(b)
    positions = _domestic(b.positions)
    partials = [
        {
            "cblc_dvsn": "00",
            "cblc_dvsn_name": "현금",
            "pdno": p.symbol,
            "prdt_name": p.name,
            "hldg_qty": str(p.qty),
            "slpsb_qty": str(p.sellable_qty),
            "pchs_avg_pric": dec(p.avg_price, 4),
            "evlu_pfls_amt": krw(p.eval_pnl),
            "evlu_pfls_rt": str(p.eval_pnl_rate),
            "prpr": krw(p.price),
            "evlu_amt": krw(p.eval_amount),
            "pchs_amt": krw(p.purchase_amount),
            "cblc_weit": rate(p.eval_amount, s.eval_amount),
        }
        for p in positions
    ]
    summary = {
        "pchs_amt_smtl_amt": krw(s.purchase_amount),
        "evlu_amt_smtl_amt": krw(s.eval_amount),
        "evlu_pfls_smtl_amt": krw(s.eval_pnl),
        "trad_pfls_smtl": krw(s.realized_pnl),
        "thdt_tot_pfls_amt": krw(s.eval_pnl + s.realized_pnl),
        "pftrt": rate(s.eval_pnl, s.purchase_amount),
    }
    # output2 is a list of one summary row (recorded block shape: the sample reads its rows)
    return ok(output1=block_rows(call, _PEN_PRS1, partials),
              output2=[row(call, _PEN_PRS2, summary)])


@register("domestic_stock/pension_inquire_daily_ccld")
def pension_inquire_daily_ccld(call: Call) -> Reply:
    """퇴직연금 미체결내역 (TTTC2201R): today's orders; ``CCLD_NCCS_DVSN`` %% all, 01 filled,
    02 unfilled; ``SLL_BUY_DVSN_CD`` 00/01/02. Oldest first, paged."""
    _pension_account(call)
    today = _today(call)
    status = {"01": "filled", "02": "unfilled"}.get(call.param("CCLD_NCCS_DVSN"), "all")
    orders = _history(call, today, today, side=_side_filter(call.param("SLL_BUY_DVSN_CD")),
                      symbol=None, status=status)
    orders.sort(key=_order_key)
    page = keyset_page(call, orders, _order_key, descending=False, default_size=100)
    partials = [
        {
            "ord_gno_brno": ORDER_ORGNO,
            "sll_buy_dvsn_cd": o.side.code,
            "trad_dvsn_name": _side_name(o),
            "odno": o.odno,
            "pdno": o.symbol,
            "prdt_name": o.name,
            "ord_unpr": krw(o.price),
            "ord_qty": str(o.qty),
            "tot_ccld_qty": str(o.filled_qty),
            "nccs_qty": str(o.remaining_qty),
            "ord_dvsn_cd": o.order_type.value,
            "ord_dvsn_name": ORDER_TYPE_NAMES.get(o.order_type.value, ""),
            "orgn_odno": o.orig_odno or "",
            "ord_tmd": hms(o.time),
            "objt_cust_dvsn_name": "현금",
            "pchs_avg_pric": dec(o.avg_fill_price, 4),
        }
        for o in page.rows
    ]
    return ok(output=block_rows(call, fields_of(call, "output"), partials),
              tr_cont=page.tr_cont, extra=page.cursors)


@register("domestic_stock/pension_inquire_deposit")
def pension_inquire_deposit(call: Call) -> Reply:
    """퇴직연금 예수금조회 (TTTC0506R): deposit today, D+1 and D+2."""
    _pension_account(call)
    s = _krw_summary(_balance(call))
    out = {
        "dnca_tota": krw(s.cash),
        "nxdy_excc_amt": krw(s.cash_d1),
        "nxdy_sttl_amt": krw(s.cash_d1 - s.cash),
        "nx2_day_sttl_amt": krw(s.cash_d2 - s.cash_d1),
    }
    return ok(output=row(call, fields_of(call, "output"), out))


@register("domestic_stock/pension_inquire_psbl_order")
def pension_inquire_psbl_order(call: Call) -> Reply:
    """퇴직연금 매수가능조회 (TTTC0503R)."""
    _pension_account(call)
    bp = _power(call, domestic_symbol(call, "PDNO"))
    out = {
        "ord_psbl_cash": krw(bp.orderable_cash),
        "ruse_psbl_amt": "0",
        "psbl_qty_calc_unpr": krw(bp.price),
        "max_buy_amt": krw(_cost(bp.max_qty, bp.price, call)),
        "max_buy_qty": str(bp.max_qty),
    }
    return ok(output=row(call, fields_of(call, "output"), out))


# --------------------------------------------------------------------------- realised P&L

_RLZ2 = (*_BAL2, "rlzt_pfls", "rlzt_erng_rt", "real_evlu_pfls", "real_evlu_pfls_erng_rt")


@register("domestic_stock/inquire_balance_rlz_pl")
def inquire_balance_rlz_pl(call: Call) -> Reply:
    """주식잔고조회_실현손익 (TTTC8494R): the balance plus the account's realised P&L (sell
    amount minus average purchase cost, before fees and taxes, as the engine books it)."""
    b = _balance(call)
    flows = _DayFlows(call)
    positions = _domestic(b.positions)
    page = keyset_page(call, positions, _position_key, descending=False, default_size=50)
    rows = block_rows(call, _BAL1, [_position_row(p, flows) for p in page.rows])
    s = _krw_summary(b)
    summary = _summary_row(s, flows)
    summary.update(
        rlzt_pfls=krw(s.realized_pnl),
        rlzt_erng_rt=rate(s.realized_pnl, s.purchase_amount) if s.purchase_amount else "0.00",
        real_evlu_pfls=krw(s.eval_pnl),
        real_evlu_pfls_erng_rt=rate(s.eval_pnl, s.purchase_amount),
    )
    return ok(output1=rows, output2=[row(call, _RLZ2, summary)], tr_cont=page.tr_cont,
              extra=page.cursors)
