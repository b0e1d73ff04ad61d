"""Domestic futures/options orders and account queries, into the derivatives market.

Why the checks here are these: the wire fields are read strictly (side ``01``/``02``, order
division from KIS's futures code set ``01``–``04``/``10``–``15``, a whole positive quantity, a
decimal price, ``NMPR_TYPE_CD``/``KRX_NMPR_CNDT_CD`` agreeing with ``ORD_DVSN_CD`` when sent);
the market then validates the order itself (listed series, session, tick, price limits, margin)
and refuses atomically — a refused order consumes no order number and holds no cash. Day TR IDs
trade in the day session, night TR IDs (``STTN1101U``/``TTTN1103U``) in the night session.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from ..derivatives.instruments import DerivInstrument
from ..derivatives.market import ORDER_CODES, DerivMarket, Position
from ..engine.clock import from_us
from ..engine.orders import BUY, SELL, Order
from ..engine.types import OrderAction
from . import BusinessError, Call, Reply, ok, register
from ._common import engine_errors, keyset_page, parse_date, selector
from ._futureoption import choice, instrument, invalid, market, pts, won

ORDER_ORGNO = "06010"
ORDER_SENT = "주문전송이 정상적으로 처리되었습니다."
_NMPR = {"01": ("01", "0"), "02": ("02", "0"), "03": ("03", "0"), "04": ("04", "0"),
         "10": ("01", "3"), "11": ("01", "4"), "12": ("02", "3"), "13": ("02", "4"),
         "14": ("04", "3"), "15": ("04", "4")}
_NMPR_NAMES = {"01": "지정가", "02": "시장가", "03": "조건부지정가", "04": "최유리지정가"}


def _account(call: Call) -> tuple[str, str]:
    if call.account is None:
        raise BusinessError("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
    return call.account


def _qty(call: Call, wire: str, *, allow_zero: bool = False) -> int:
    raw = call.param(wire).strip()
    if not raw.isdigit() or (int(raw) == 0 and not allow_zero):
        raise invalid(wire, f"{raw[:10]!r}: a whole number of contracts"
                            f"{', 0 for all' if allow_zero else ' above 0'}")
    return int(raw)


def _price(call: Call, wire: str = "UNIT_PRICE") -> Decimal:
    raw = call.param(wire).strip() or "0"
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise invalid(wire, f"{raw[:12]!r} is not a price") from None
    if not value.is_finite() or value < 0:
        raise invalid(wire, f"{raw[:12]!r}: a price ≥ 0 (0 for market/best orders)")
    return value


def _ord_code(call: Call) -> str:
    code = choice(call, "ORD_DVSN_CD", tuple(ORDER_CODES))
    nmpr, cond = _NMPR[code]
    sent_nmpr = call.param("NMPR_TYPE_CD").strip()
    sent_cond = call.param("KRX_NMPR_CNDT_CD").strip()
    if sent_nmpr and sent_nmpr != nmpr:
        raise invalid("NMPR_TYPE_CD", f"{sent_nmpr[:4]!r} contradicts ORD_DVSN_CD={code} "
                                      f"(expects {nmpr} or blank)")
    if sent_cond and sent_cond != cond:
        raise invalid("KRX_NMPR_CNDT_CD", f"{sent_cond[:4]!r} contradicts ORD_DVSN_CD={code} "
                                          f"(expects {cond} or blank)")
    return code


def _night(call: Call, name: str) -> bool:
    return selector(call, name) == "night"


def _ack(m: DerivMarket, o: Order, call: Call) -> dict[str, str]:
    inst = m.listing().get(o.inst.code)
    return {
        "KRX_FWDG_ORD_ORGNO": ORDER_ORGNO,
        "ODNO": f"{o.odno:010d}",
        "ORD_TMD": from_us(o.time_us).strftime("%H%M%S"),
        "ACNT_NAME": "모의투자",
        "TRAD_DVSN_NAME": "매수" if o.side == BUY else "매도",
        "ITEM_NAME": inst.name if inst else o.inst.name,
        "ORD_GNO_BRNO": ORDER_ORGNO,
    }


@register("domestic_futureoption/order")
def order(call: Call) -> Reply:
    """선물옵션 주문 (TTTO1101U day / STTN1101U night; paper VTTO1101U)."""
    account = _account(call)
    choice(call, "ORD_PRCS_DVSN_CD", ("02",))
    side = choice(call, "SLL_BUY_DVSN_CD", ("01", "02"))
    inst = instrument(call, "SHTN_PDNO")
    qty = _qty(call, "ORD_QTY")
    price = _price(call)
    code = _ord_code(call)
    if code in ("01", "03", "10", "11") and price == 0:
        raise invalid("UNIT_PRICE", "a limit order needs a price above 0")
    m = market(call)
    with engine_errors():
        o = m.place(account, inst.code, BUY if side == "02" else SELL, code, qty, price,
                    night=_night(call, "ord_dv"))
    return ok(output=_ack(m, o, call), msg_cd="APBK0029", msg1=ORDER_SENT)


@register("domestic_futureoption/order_rvsecncl")
def order_rvsecncl(call: Call) -> Reply:
    """선물옵션 정정취소주문 (TTTO1103U day / TTTN1103U night): ``RVSE_CNCL_DVSN_CD`` 01 modify,
    02 cancel; ``RMN_QTY_YN`` Y = the whole open quantity, N = ``ORD_QTY`` of it."""
    account = _account(call)
    choice(call, "ORD_PRCS_DVSN_CD", ("02",))
    kind = choice(call, "RVSE_CNCL_DVSN_CD", ("01", "02"))
    orig = call.param("ORGN_ODNO").strip()
    if not orig.isdigit():
        raise BusinessError("APBK0656", f"정정/취소할 주문이 없습니다 (ORGN_ODNO={orig[:12]!r})")
    all_qty = choice(call, "RMN_QTY_YN", ("Y", "N")) == "Y"
    qty = 0 if all_qty else _qty(call, "ORD_QTY")
    m = market(call)
    with engine_errors():
        if kind == "02":
            rec = m.cancel(account, orig, qty)
        else:
            code = _ord_code(call)
            price = _price(call)
            if code in ("01", "03", "10", "11") and price == 0:
                raise invalid("UNIT_PRICE", "a limit modify needs a price above 0")
            rec = m.modify(account, orig, code, price, qty)
    out = _ack(m, rec, call)
    out["ORGN_ODNO"] = f"{rec.orig_odno:010d}"
    return ok(output=out, msg_cd="APBK0029", msg1=ORDER_SENT)


# --------------------------------------------------------------------------- order history


def _order_rows(m: DerivMarket, account: tuple[str, str], start: date, end: date,
                side: str, ccld: str, pdno: str) -> list[Order]:
    rows = m.all_orders(account, start, end)
    if side in ("01", "02"):
        rows = [o for o in rows if o.side == int(side)]
    if ccld == "01":
        rows = [o for o in rows if o.filled]
    elif ccld == "02":
        rows = [o for o in rows if o.remaining]
    if pdno:
        rows = [o for o in rows if o.inst.code == pdno]
    return rows


def _ccnl_row(m: DerivMarket, o: Order, account: tuple[str, str]) -> dict[str, str]:
    inst = m.listing().get(o.inst.code)
    scale = inst.scale if inst else 100
    mult = inst.multiplier if inst else 1
    avg = Decimal(o.fill_value) / o.filled / scale if o.filled else Decimal(0)
    nmpr = {"LIMIT": "01", "MARKET": "02", "CONDITIONAL_LIMIT": "03", "BEST_LIMIT": "04"}.get(
        o.otype.name, "01")
    return {
        "ord_gno_brno": ORDER_ORGNO, "cano": account[0], "csac_name": "모의투자",
        "acnt_prdt_cd": account[1], "ord_dt": f"{o.day:%Y%m%d}", "odno": f"{o.odno:010d}",
        "orgn_odno": f"{o.orig_odno:010d}" if o.orig_odno else "",
        "sll_buy_dvsn_cd": f"{o.side:02d}",
        "trad_dvsn_name": ("매수" if o.side == BUY else "매도") + (
            "정정" if o.action is OrderAction.MODIFY else "취소"
            if o.action is OrderAction.CANCEL else ""),
        "nmpr_type_cd": nmpr, "nmpr_type_name": _NMPR_NAMES[nmpr], "pdno": o.inst.code,
        "prdt_name": inst.name if inst else o.inst.name, "prdt_type_cd": "301",
        "ord_qty": str(o.qty), "ord_idx": pts(Decimal(o.price) / scale if o.price else 0),
        "qty": str(o.remaining), "ord_tmd": from_us(o.time_us).strftime("%H%M%S"),
        "tot_ccld_qty": str(o.filled), "avg_idx": pts(avg, 4),
        "tot_ccld_amt": won(o.fill_value * mult // scale),
        "rjct_qty": "0", "ingr_trad_rjct_rson_cd": "", "ingr_trad_rjct_rson_name": "",
        "ord_stfno": "", "sprd_item_yn": "N", "ord_ip_addr": "", "ctac_tlno": "",
    }


def _ccnl(call: Call) -> Reply:
    account = _account(call)
    today = call.now().date()
    start = parse_date(call, "STRT_ORD_DT")
    end = parse_date(call, "END_ORD_DT")
    if end < start:
        raise invalid("END_ORD_DT", f"{end:%Y%m%d} is before STRT_ORD_DT {start:%Y%m%d}")
    side = choice(call, "SLL_BUY_DVSN_CD", ("00", "01", "02"), default="00")
    ccld = choice(call, "CCLD_NCCS_DVSN", ("00", "01", "02"), default="00")
    order_desc = choice(call, "SORT_SQN", ("AS", "DS"), default="DS") == "DS"
    pdno = call.param("PDNO").strip().upper()
    m = market(call)
    if pdno:
        instrument(call, "PDNO")
    with engine_errors():
        rows = _order_rows(m, account, start, max(end, today) if end >= today else end, side,
                           ccld, pdno)
    rows.sort(key=lambda o: o.odno, reverse=order_desc)
    page = keyset_page(call, rows, lambda o: f"{o.odno:010d}", descending=order_desc,
                       default_size=100)
    out1 = [_ccnl_row(m, o, account) for o in page.rows]
    fees = sum(o.fees for o in rows)
    out2 = {"tot_ord_qty": str(sum(o.qty for o in rows)),
            "tot_ccld_amt_smtl": str(sum(int(r["tot_ccld_amt"]) for r in
                                         (_ccnl_row(m, o, account) for o in rows))),
            "tot_ccld_qty_smtl": str(sum(o.filled for o in rows)), "fee_smtl": str(fees),
            "ctac_tlno": ""}
    return ok(output1=out1, output2=out2, tr_cont=page.tr_cont, extra=page.cursors)


@register("domestic_futureoption/inquire_ccnl")
def inquire_ccnl(call: Call) -> Reply:
    """선물옵션 주문체결내역조회 (TTTO5201R): orders of the period with their fills."""
    return _ccnl(call)


@register("domestic_futureoption/inquire_ngt_ccnl")
def inquire_ngt_ccnl(call: Call) -> Reply:
    """(야간)선물옵션 주문체결 내역조회 (STTN5201R): the same records (one book per series;
    night orders are those placed with the night TR IDs)."""
    return _ccnl(call)


# --------------------------------------------------------------------------- balance


def _valuation(m: DerivMarket, inst: DerivInstrument, pos: Position) -> tuple[Decimal, int, int]:
    """(price now, market value, valuation P&L) of a position in won."""
    s = m.snapshot(inst.code)
    units = inst.units(s.price) or 0
    value = units * pos.qty * inst.multiplier // inst.scale
    return s.price, abs(value), value - pos.cost


def _balance(call: Call) -> Reply:
    account = _account(call)
    mgna = choice(call, "MGNA_DVSN", ("01", "02"))
    choice(call, "EXCC_STAT_CD", ("1", "2"))
    m = market(call)
    with engine_errors():
        held = m.holdings(account)
        a = m.ex._account(account)
        rows = []
        futr_eval = opt_eval = futr_trad = opt_trad = 0
        pchs_sum = eval_sum = 0
        for inst, pos in held:
            if inst.is_option:
                opt_trad += pos.realized
            else:
                futr_trad += pos.realized
            if not pos.qty:
                continue
            price, value, pnl = _valuation(m, inst, pos)
            if inst.is_option:
                opt_eval += pnl
            else:
                futr_eval += pnl
            pchs_sum += abs(pos.trade_cost)
            eval_sum += value
            rows.append({
                "cano": account[0], "acnt_prdt_cd": account[1], "pdno": inst.code,
                "prdt_type_cd": "301", "shtn_pdno": inst.code, "prdt_name": inst.name,
                "sll_buy_dvsn_name": "매수" if pos.qty > 0 else "매도",
                "sll_buy_dvsn_cd": "02" if pos.qty > 0 else "01",
                "cblc_qty": str(abs(pos.qty)), "cblc_qty1": str(abs(pos.qty)),
                "excc_unpr": pts(pos.avg_units(inst) / inst.scale, 8),
                "ccld_avg_unpr1": pts(pos.trade_avg_units(inst) / inst.scale, 8),
                "idx_clpr": pts(price, 8), "pchs_amt": won(abs(pos.trade_cost)),
                "evlu_amt": won(value), "evlu_pfls_amt": won(pnl),
                "trad_pfls_amt": won(pos.realized), "lqd_psbl_qty": str(abs(pos.qty)),
            })
        initial = m.position_margin(account)
        margin = initial if mgna == "01" else m.maintenance_margin(account)
        cash = int(a.cash[0])
        pending = m.pending(account)
        orderable = m.orderable_cash(account)
        fees = m.fees_paid(account)
    out2 = {
        "dnca_cash": won(cash), "frcr_dncl_amt": "0", "dnca_sbst": "0",
        "tot_dncl_amt": won(cash), "tot_ccld_amt": "0", "cash_mgna": won(margin),
        "sbst_mgna": "0", "mgna_tota": won(margin), "opt_dfpa": "0", "thdt_dfpa": "0",
        "rnwl_dfpa": "0", "fee": won(fees), "nxdy_dnca": won(cash + pending),
        "nxdy_dncl_amt": won(cash + pending),
        "prsm_dpast": won(cash + pending + futr_eval + _option_value(m, held)),
        "prsm_dpast_amt": won(cash + pending + futr_eval + _option_value(m, held)),
        "pprt_ord_psbl_cash": won(max(orderable, 0)),
        "add_mgna_cash": won(max(0, m.maintenance_margin(account) - cash - futr_eval)),
        "add_mgna_tota": won(max(0, m.maintenance_margin(account) - cash - futr_eval)),
        "futr_trad_pfls_amt": won(futr_trad), "opt_trad_pfls_amt": won(opt_trad),
        "futr_evlu_pfls_amt": won(futr_eval), "opt_evlu_pfls_amt": won(opt_eval),
        "trad_pfls_amt_smtl": won(futr_trad + opt_trad),
        "evlu_pfls_amt_smtl": won(futr_eval + opt_eval),
        "wdrw_psbl_tot_amt": won(max(orderable, 0)), "ord_psbl_cash": won(max(orderable, 0)),
        "ord_psbl_sbst": "0", "ord_psbl_tota": won(max(orderable, 0)),
        "pchs_amt_smtl": won(pchs_sum), "evlu_amt_smtl": won(eval_sum),
    }
    page = keyset_page(call, rows, lambda r: r["pdno"], descending=False, default_size=20)
    return ok(output1=page.rows, output2=out2, tr_cont=page.tr_cont, extra=page.cursors)


def _option_value(m: DerivMarket, held: list[tuple[DerivInstrument, Position]]) -> int:
    """Market value of option positions (long positive, short negative), in won."""
    total = 0
    for inst, pos in held:
        if inst.is_option and pos.qty:
            units = inst.units(m.snapshot(inst.code).price) or 0
            total += units * pos.qty * inst.multiplier // inst.scale
    return total


@register("domestic_futureoption/inquire_balance")
def inquire_balance(call: Call) -> Reply:
    """선물옵션 잔고현황 (CTFO6118R): net positions valued at the market, margin and cash."""
    return _balance(call)


@register("domestic_futureoption/inquire_balance_valuation_pl")
def inquire_balance_valuation_pl(call: Call) -> Reply:
    """선물옵션 잔고평가손익내역 (CTFO6159R): the same positions and totals."""
    return _balance(call)


@register("domestic_futureoption/inquire_ngt_balance")
def inquire_ngt_balance(call: Call) -> Reply:
    """(야간)선물옵션 잔고현황 (CTFN6118R): one position book for both sessions."""
    return _balance(call)


# --------------------------------------------------------------------------- orderable, deposit


def _psbl(call: Call) -> dict[str, str]:
    account = _account(call)
    inst = instrument(call, "PDNO")
    side = choice(call, "SLL_BUY_DVSN_CD", ("01", "02"))
    code = choice(call, "ORD_DVSN_CD", tuple(ORDER_CODES))
    price = _price(call)
    m = market(call)
    with engine_errors():
        s = m.snapshot(inst.code)
        units = inst.units(price) if price else None
        if not units or code not in ("01", "03", "10", "11"):
            units = inst.units(s.upper if side == "02" else s.price) or 1
        pos = m.positions.get((account, inst.code))
        held = pos.qty if pos else 0
        sd = BUY if side == "02" else SELL
        closable = max(0, -held) if sd == BUY else max(0, held)
        working = sum(o.remaining for o in m.working(account)
                      if o.inst.code == inst.code and o.side == sd)
        closable = max(0, closable - working)
        per = m.order_margin(account, inst, sd, 1, units, closable=0)
        avail = m.orderable_cash(account)
    new = max(0, avail // per) if per > 0 else 0
    return {"tot_psbl_qty": str(new + closable), "max_ord_psbl_qty": str(new + closable),
            "lqd_psbl_qty": str(closable), "lqd_psbl_qty1": str(closable),
            "lqd_psbl_qty_1": str(closable), "ord_psbl_qty": str(new),
            "bass_idx": pts(s.spot)}


@register("domestic_futureoption/inquire_psbl_order")
def inquire_psbl_order(call: Call) -> Reply:
    """선물옵션 주문가능 (TTTO5105R): contracts the margin allows (new) and closable ones."""
    return ok(output=_psbl(call))


@register("domestic_futureoption/inquire_psbl_ngt_order")
def inquire_psbl_ngt_order(call: Call) -> Reply:
    """(야간)선물옵션 주문가능 조회 (STTN5105R)."""
    return ok(output=_psbl(call))


@register("domestic_futureoption/inquire_deposit")
def inquire_deposit(call: Call) -> Reply:
    """선물옵션 총자산현황 (CTRP6550R): cash, margin, orderable and P&L from the market."""
    account = _account(call)
    m = market(call)
    with engine_errors():
        a = m.ex._account(account)
        cash = int(a.cash[0])
        held = m.holdings(account)
        initial = m.position_margin(account)
        maint = m.maintenance_margin(account)
        orderable = m.orderable_cash(account)
        futr_trad = sum(p.realized for i, p in held if not i.is_option)
        opt_trad = sum(p.realized for i, p in held if i.is_option)
        futr_eval = opt_eval = 0
        for inst, pos in held:
            if pos.qty:
                pnl = _valuation(m, inst, pos)[2]
                if inst.is_option:
                    opt_eval += pnl
                else:
                    futr_eval += pnl
        opt_value = _option_value(m, held)
        fees = m.fees_paid(account)
        pending = m.pending(account)
    equity = cash + pending + futr_eval + opt_value
    return ok(output={
        "dnca_tota": won(cash), "bfdy_chck_amt": "0", "thdt_chck_amt": "0",
        "rlth_uwdl_dpos_amt": "0", "brkg_mgna_cash": won(initial),
        "wdrw_psbl_tot_amt": won(max(orderable, 0)), "ord_psbl_cash": won(max(orderable, 0)),
        "ord_psbl_tota": won(max(orderable, 0)), "dnca_sbst": "0", "scts_sbst_amt": "0",
        "frcr_evlu_amt": "0", "brkg_mgna_sbst": "0", "sbst_rlse_psbl_amt": "0",
        "mtnc_rt": pts(Decimal(equity) * 100 / maint if maint else Decimal(0)),
        "add_mgna_tota": won(max(0, maint - equity)), "add_mgna_cash": won(max(0, maint - equity)),
        "rcva": "0", "futr_trad_pfls": won(futr_trad), "opt_trad_pfls_amt": won(opt_trad),
        "trad_pfls_smtl": won(futr_trad + opt_trad), "futr_evlu_pfls_amt": won(futr_eval),
        "opt_evlu_pfls_amt": won(opt_eval), "evlu_pfls_smtl": won(futr_eval + opt_eval),
        "excc_dfpa": won(pending), "opt_dfpa": "0", "brkg_fee": won(fees),
        "nxdy_dnca": won(cash + pending),
        "prsm_dpast_amt": won(equity), "cash_mntn_amt": won(maint),
        "hack_acdt_acnt_move_amt": "0",
    })


