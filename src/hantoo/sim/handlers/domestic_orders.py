"""Domestic orders: cash, credit, modify/cancel and reservation orders, into the engine.

Why the checks here are few: the engine validates everything about the order itself (tick,
limits, session, cash, shares) and refuses atomically; this module only reads the wire (side
from the TR ID as KIS does, codes to enums) and turns refusals into KIS message codes. An order
the engine refuses leaves no trace — no order number is consumed, no cash is held.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..engine.types import CreditType, OrderType, Side
from ..engine.views import OrderInfo, ReservationInfo
from . import BusinessError, Call, Reply, ok, register
from ._common import (
    block_rows,
    domestic_symbol,
    engine_errors,
    exchange,
    fields_of,
    hms,
    keyset_page,
    krw,
    parse_date,
    parse_int,
    parse_price,
    row,
    selector,
    ymd,
)
from .elw_orders import refuse_unorderable_elw

#: 한국거래소전송주문조직번호: the branch the simulator's orders are booked at.
ORDER_ORGNO = "06010"
EXCHANGES = ("KRX", "NXT", "SOR", "")
#: The success text of order TRs. (The real server sends it with msg_cd ``APBK0013``, which
#: hantoo's error table uses for insufficient cash; the simulator keeps ``MCA00000`` so no
#: client ever confuses an accepted order with a refusal.)
ORDER_SENT = "주문 전송 완료 되었습니다."

ORDER_TYPE_NAMES: dict[str, str] = {
    "00": "지정가", "01": "시장가", "02": "조건부지정가", "03": "최유리지정가",
    "04": "최우선지정가", "05": "장전 시간외", "06": "장후 시간외", "07": "시간외 단일가",
    "11": "IOC지정가", "12": "FOK지정가", "13": "IOC시장가", "14": "FOK시장가",
    "15": "IOC최유리", "16": "FOK최유리",
    "31": "MOO", "32": "LOO", "33": "MOC", "34": "LOC",
}


def _account(call: Call) -> tuple[str, str]:
    if call.account is None:  # the server checks accounts before handlers run
        raise BusinessError("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
    return call.account


def _side_of(call: Call) -> Side:
    return Side.BUY if selector(call, "ord_dv") == "buy" else Side.SELL


def _exchange_code(call: Call) -> str:
    """``EXCG_ID_DVSN_CD``: KRX (default when empty), NXT or SOR — the engine keeps an NXT book
    with its own hours and routes SOR to the better venue (``hantoo.sim.engine.nxt``)."""
    code = call.param("EXCG_ID_DVSN_CD").upper()
    if code not in EXCHANGES:
        raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_EXCG_ID_DVSN_CD", rt_cd="2")
    return code or "KRX"


def _order_type(call: Call, wire: str = "ORD_DVSN") -> OrderType:
    code = call.param(wire)
    try:
        return OrderType(code)
    except ValueError:
        msg = f"주문구분이 올바르지 않습니다 ({wire}={code[:4]})"
        raise BusinessError("APBK0506", msg) from None


def _ack(o: OrderInfo, *, upper: bool) -> dict[str, str]:
    values = {"krx_fwdg_ord_orgno": ORDER_ORGNO, "odno": o.odno, "ord_tmd": hms(o.time)}
    return {k.upper(): v for k, v in values.items()} if upper else values


def _upper_block(call: Call) -> bool:
    return any(f.isupper() for f in fields_of(call, "output"))


def _place(call: Call, credit: CreditType | None = None, loan_date: date | None = None) -> Reply:
    venue = _exchange_code(call)
    account = _account(call)
    code = domestic_symbol(call, "PDNO")
    refuse_unorderable_elw(call, code, credit=credit is not None)
    otype = _order_type(call)
    qty = parse_int(call, "ORD_QTY")
    price = parse_price(call, "ORD_UNPR")
    with engine_errors():
        o: OrderInfo = exchange(call).place_order(
            account, code, _side_of(call), otype, qty, price if price else None,
            credit=credit, loan_date=loan_date, exchange=venue,
        )
    out = _ack(o, upper=_upper_block(call))
    return ok(output=row(call, fields_of(call, "output"), out), msg1=ORDER_SENT)


@register("domestic_stock/order_cash")
def order_cash(call: Call) -> Reply:
    """주식주문(현금) (TTTC0012U buy / TTTC0011U sell; paper VTTC...)."""
    return _place(call)


_CREDIT_TYPES = {c.value: c for c in CreditType}


@register("domestic_stock/order_credit")
def order_credit(call: Call) -> Reply:
    """주식주문(신용) (TTTC0052U buy / TTTC0051U sell): margin loans (21/23 new, 25/27 repay).

    Stock loans (대주, 22/24/26/28) are not simulated and answer ``APBK0506``. ``LOAN_DT`` of a
    repayment picks the loan lot; of a new loan it must be today (KIS asks for today's date)."""
    raw = call.param("CRDT_TYPE")
    credit = _CREDIT_TYPES.get(raw)
    if credit is None:
        raise BusinessError("APBK0506", f"지원하지 않는 신용유형입니다 (CRDT_TYPE={raw[:4]})")
    loan_date = parse_date(call, "LOAN_DT", call.now().date())
    return _place(call, credit, None if credit.is_new_loan else loan_date)


@register("domestic_stock/order_rvsecncl")
def order_rvsecncl(call: Call) -> Reply:
    """주식주문(정정취소) (TTTC0013U): ``RVSE_CNCL_DVSN_CD`` 01 modify / 02 cancel;
    ``QTY_ALL_ORD_YN`` Y = the whole open quantity (``ORD_QTY`` ignored), N = ``ORD_QTY`` of it.
    A modify gets a new order number and may change the price and the order type."""
    _exchange_code(call)
    account = _account(call)
    orig = call.param("ORGN_ODNO").strip()
    if not orig.isdigit():
        raise BusinessError("APBK0656", f"정정/취소할 주문이 없습니다 (ORGN_ODNO={orig[:12]!r})")
    kind = call.param("RVSE_CNCL_DVSN_CD")
    all_qty = call.param("QTY_ALL_ORD_YN").upper() != "N"
    qty = None if all_qty else parse_int(call, "ORD_QTY")
    ex = exchange(call)
    with engine_errors():
        original: OrderInfo = ex.order(account, orig)
    if original.market.is_overseas:
        raise BusinessError("APBK0656", "정정/취소할 주문이 없습니다 (해외주식 주문번호)")
    with engine_errors():
        if kind == "02":
            rec: OrderInfo = ex.cancel_order(account, orig, qty=qty)
        elif kind == "01":
            otype = _order_type(call) if call.param("ORD_DVSN") else original.order_type
            price = parse_price(call, "ORD_UNPR")
            rec = ex.modify_order(
                account, orig, price=price if price else None, qty=qty, all_qty=all_qty,
                order_type=otype,
            )
        else:
            raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_RVSE_CNCL_DVSN_CD",
                                rt_cd="2")
    out = _ack(rec, upper=_upper_block(call))
    return ok(output=row(call, fields_of(call, "output"), out), msg1=ORDER_SENT)


# --------------------------------------------------------------------------- reservations

#: ORD_OBJT_CBLC_DVSN_CD → credit type (10 = cash; the margin-loan codes the engine supports).
_RSV_BALANCE = {"10": None, "21": CreditType.SELF_LOAN_NEW, "23": CreditType.STREET_LOAN_NEW,
                "25": CreditType.SELF_LOAN_REPAY, "27": CreditType.STREET_LOAN_REPAY}


def _rsv_side(call: Call) -> Side:
    code = call.param("SLL_BUY_DVSN_CD")
    if code == "01":
        return Side.SELL
    if code == "02":
        return Side.BUY
    raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_SLL_BUY_DVSN_CD", rt_cd="2")


def _reserve(call: Call) -> ReservationInfo:
    account = _account(call)
    code = domestic_symbol(call, "PDNO")
    side = _rsv_side(call)
    otype = _order_type(call, "ORD_DVSN_CD")
    qty = parse_int(call, "ORD_QTY")
    price = parse_price(call, "ORD_UNPR")
    balance = call.param("ORD_OBJT_CBLC_DVSN_CD") or "10"
    if balance not in _RSV_BALANCE:
        raise BusinessError("APBK0506", f"지원하지 않는 주문대상잔고구분입니다 ({balance[:4]})")
    end = parse_date(call, "RSVN_ORD_END_DT") if call.param("RSVN_ORD_END_DT") else None
    with engine_errors():
        info: ReservationInfo = exchange(call).reserve_order(
            account, code, side, otype, qty, price if price else None, end_date=end,
            credit=_RSV_BALANCE[balance],
        )
    return info


@register("domestic_stock/order_resv")
def order_resv(call: Call) -> Reply:
    """주식예약주문 (CTSC0008U): queued for the next opening (or every day up to
    ``RSVN_ORD_END_DT``, at most 30 days: a period reservation). Types 00/01/02/05 only."""
    info = _reserve(call)
    return ok(output=row(call, fields_of(call, "output"), {"RSVN_ORD_SEQ": str(info.seq)}))


@register("domestic_stock/order_resv_rvsecncl")
def order_resv_rvsecncl(call: Call) -> Reply:
    """주식예약주문정정취소 (CTSC0009U cancel / CTSC0013U modify).

    The engine has no reservation modify: a modify places the new reservation first (so a
    refused modify changes nothing) and then cancels the old one; the answer's ``nrml_prcs_yn``
    is ``Y``. The new reservation has its own sequence number (listed by ``order_resv_ccnl``).
    """
    account = _account(call)
    seq = parse_int(call, "RSVN_ORD_SEQ")
    ex = exchange(call)
    if selector(call, "ord_type") == "modify":
        with engine_errors():
            old = next(
                (r for r in ex.reservation_list(account) if r.seq == seq and not r.cancelled),
                None,
            )
        if old is None:
            raise BusinessError("APBK0656", "정정/취소할 예약주문이 없습니다")
        _reserve(call)
    with engine_errors():
        ex.cancel_reservation(account, seq)
    return ok(output=row(call, fields_of(call, "output"), {"nrml_prcs_yn": "Y"}))


@register("domestic_stock/order_resv_ccnl")
def order_resv_ccnl(call: Call) -> Reply:
    """주식예약주문조회 (CTSC0004R): reservations created in the date range, oldest first,
    20 per page. ``CNCL_YN`` N hides cancelled ones; ``PRCS_DVSN_CD`` 1 = sent, 2 = not yet."""
    account = _account(call)
    today = call.now().date()
    start = parse_date(call, "RSVN_ORD_ORD_DT", date(1990, 1, 1))
    end = parse_date(call, "RSVN_ORD_END_DT", today)
    seq = call.param("RSVN_ORD_SEQ")
    symbol = call.param("PDNO")
    side = call.param("SLL_BUY_DVSN_CD")
    hide_cancelled = call.param("CNCL_YN").upper() == "N"
    processed = call.param("PRCS_DVSN_CD")
    ex = exchange(call)
    with engine_errors():
        items: list[ReservationInfo] = ex.reservation_list(account, start=start, end=end)
    rows = [
        r for r in items
        if (not seq or str(r.seq) == seq.lstrip("0"))
        and (not symbol or r.symbol == symbol)
        and (side not in ("01", "02") or r.side.code == side)
        and not (hide_cancelled and r.cancelled)
        and not (processed == "1" and not r.odnos)
        and not (processed == "2" and r.odnos)
    ]
    rows.sort(key=lambda r: r.seq)
    page = keyset_page(call, rows, lambda r: f"{r.seq:010d}", descending=False,
                       default_size=20)
    partials = []
    for r in page.rows:
        amount = Decimal(0)
        last_odno = ""
        last_time = ""
        for od in r.odnos:
            with engine_errors():
                o: OrderInfo = ex.order(account, od)
            amount += o.fill_amount
            last_odno, last_time = o.odno, hms(o.time)
        if r.cancelled:
            result = "취소"
        elif r.filled_qty >= r.qty:
            result = "체결"
        elif r.odnos:
            result = "주문전송"
        else:
            result = "미처리"
        partials.append({
            "rsvn_ord_seq": str(r.seq),
            "rsvn_ord_ord_dt": ymd(r.created),
            "rsvn_ord_rcit_dt": ymd(r.created),
            "pdno": r.symbol,
            "ord_dvsn_cd": r.order_type.value,
            "ord_rsvn_qty": str(r.qty),
            "tot_ccld_qty": str(r.filled_qty),
            "cncl_ord_dt": ymd(today) if r.cancelled else "",
            "ord_tmd": last_time,
            "ctac_tlno": "",
            "rjct_rson2": r.last_error or "",
            "odno": last_odno,
            "rsvn_ord_rcit_tmd": "",
            "kor_item_shtn_name": _name(call, r.symbol),
            "sll_buy_dvsn_cd": r.side.code,
            "ord_rsvn_unpr": krw(r.price),
            "tot_ccld_amt": krw(amount),
            "loan_dt": "",
            "cncl_rcit_tmd": "",
            "prcs_rslt": result,
            "ord_dvsn_name": ORDER_TYPE_NAMES.get(r.order_type.value, ""),
            "tmnl_mdia_kind_cd": "00",
            "rsvn_end_dt": ymd(r.end_date),
        })
    return ok(
        output=block_rows(call, fields_of(call, "output"), partials),
        tr_cont=page.tr_cont,
        extra=page.cursors,
    )


def _name(call: Call, code: str) -> str:
    inst = exchange(call).universe.get(code)
    return str(inst.name) if inst is not None else ""


__all__ = ["ORDER_ORGNO", "ORDER_SENT", "ORDER_TYPE_NAMES"]
