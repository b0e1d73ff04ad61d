"""US stocks (NASDAQ/NYSE/AMEX): quotes, orders, balance, fills, open orders, buying power.

Why only the US: the engine simulates KRX and the three US exchanges. Orders for Hong Kong,
China, Japan or Vietnam answer ``APBK0506`` with an explanation instead of pretending.
Prices are dollars with four decimals on the wire (KIS overseas format), amounts with cents.
The US session is laid on the simulated day as the engine's schedule says (mirror mode:
09:30 New York = 09:00 KST), so US orders fill at the same simulated hours as domestic ones.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..engine.types import EngineReject, OrderAction, OrderType, RejectReason, Side
from ..engine.views import Balance, BookSnapshot, BuyingPower, OrderInfo, PositionInfo, Quote
from . import BusinessError, Call, Reply, ok, register
from ._common import (
    block_rows,
    engine_errors,
    exchange,
    fields_of,
    hms,
    keyset_page,
    parse_date,
    parse_int,
    parse_price,
    rate,
    row,
    selector,
    usd,
    ymd,
)
from .domestic_orders import ORDER_ORGNO, ORDER_SENT

#: Quote exchange codes (EXCD) and order exchange codes (OVRS_EXCG_CD) → engine market.
QUOTE_EXCD = {"NAS": "NASD", "NYS": "NYSE", "AMS": "AMEX", "BAQ": "NASD", "BAY": "NYSE",
              "BAA": "AMEX"}
US_EXCG = ("NASD", "NYSE", "AMEX")
#: 한국 원화 환산에 쓰는 고정 환율 (the engine has no FX; a fixed rate for the KRW figures).
USD_KRW = Decimal("1400.00")
#: Order types KIS allows per side for US stocks (buy: limit, LOO, LOC; sell: also MOO, MOC).
BUY_TYPES = ("00", "32", "34")
SELL_TYPES = ("00", "31", "32", "33", "34")


def _account(call: Call) -> tuple[str, str]:
    if call.account is None:
        raise BusinessError("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
    return call.account


def _us_symbol(call: Call, wire: str) -> str:
    code = call.param(wire).upper()
    inst = exchange(call).universe.get(code)
    if inst is None or not inst.is_us:
        raise BusinessError("MCA05918", "종목코드 오류입니다.")
    return code


def _excg(call: Call) -> str:
    code = call.param("OVRS_EXCG_CD").upper()
    if code in US_EXCG:
        return code
    if code in ("NAS", "NYS", "AMS"):
        return QUOTE_EXCD[code]
    raise BusinessError(
        "APBK0506", f"시뮬레이터는 미국 거래소(NASD/NYSE/AMEX)만 지원합니다 ({code[:6]})"
    )


def _px(v: Decimal | None) -> str:
    return usd(v if v is not None else 0, 4)


def _amt(v: Decimal | None) -> str:
    return usd(v if v is not None else 0, 2)


# --------------------------------------------------------------------------- quotations


@register("overseas_stock/price")
def price(call: Call) -> Reply:
    """해외주식 현재체결가 (HHDFS00000300). An unknown symbol or a symbol of another exchange
    answers ``rt_cd`` 0 with blank fields, as the real server does."""
    fields = fields_of(call, "output")
    market = QUOTE_EXCD.get(call.param("EXCD").upper())
    code = call.param("SYMB").upper()
    inst = exchange(call).universe.get(code)
    if market is None or inst is None or not inst.is_us or inst.market.value != market:
        return ok(output={f: "" for f in fields}, tr_cont="D")
    with engine_errors():
        q: Quote = exchange(call).quote(code)
    yday_vol = _prev_volume(call, q)
    out = {
        "rsym": f"D{call.param('EXCD').upper()}{code}",
        "zdiv": "4",
        "base": _px(q.prev_close),
        "pvol": str(yday_vol),
        "last": _px(q.price),
        "sign": q.change_sign,
        "diff": _px(abs(q.change)),
        "rate": str(q.change_rate),
        "tvol": str(q.volume),
        "tamt": _amt(q.trade_value),
        "ordy": "매수가능",
    }
    return ok(output=row(call, fields, out), tr_cont="D")


def _prev_volume(call: Call, q: Quote) -> int:
    from datetime import timedelta

    with engine_errors():
        bars = exchange(call).daily_candles(
            q.symbol, q.trade_date - timedelta(days=10), q.trade_date - timedelta(days=1), "D"
        )
    return int(bars[-1].volume) if bars else 0


_ASK1 = (
    "rsym", "zdiv", "curr", "base", "open", "high", "low", "last", "dymd", "dhms", "bvol",
    "avol", "bdvl", "advl", "code", "ropen", "rhigh", "rlow", "rclose",
)
_ASK3 = ("vstm", "vetm", "csbp", "cshi", "cslo", "iep", "iev")


@register("overseas_stock/inquire_asking_price")
def inquire_asking_price(call: Call) -> Reply:
    """해외주식 현재가 호가 (HHDFS76200100): ten levels a side (``pbid1..10``, ``pask1..10``,
    ``vbid*``/``vask*`` sizes, ``dbid*``/``dask*`` changes — zero: no previous snapshot)."""
    market = QUOTE_EXCD.get(call.param("EXCD").upper())
    code = _us_symbol(call, "SYMB")
    ex = exchange(call)
    with engine_errors():
        q: Quote = ex.quote(code)
        book: BookSnapshot = ex.order_book(code, 10)
    if market is not None and q.market.value != market:
        raise BusinessError("MCA05918", "종목코드 오류입니다.")
    head = {
        "rsym": f"D{call.param('EXCD').upper()}{code}", "zdiv": "4", "curr": "USD",
        "base": _px(q.prev_close), "open": _px(q.open), "high": _px(q.high), "low": _px(q.low),
        "last": _px(q.price), "dymd": ymd(q.time), "dhms": hms(q.time),
        "bvol": str(sum(lv.qty for lv in book.bids)), "avol": str(sum(lv.qty for lv in book.asks)),
        "bdvl": "0", "advl": "0", "code": code, "ropen": _px(q.open), "rhigh": _px(q.high),
        "rlow": _px(q.low), "rclose": _px(q.price),
    }
    levels: dict[str, str] = {}
    for i in range(10):
        bid = book.bids[i] if i < len(book.bids) else None
        ask = book.asks[i] if i < len(book.asks) else None
        n = i + 1
        levels[f"pbid{n}"] = _px(bid.price if bid else None)
        levels[f"pask{n}"] = _px(ask.price if ask else None)
        levels[f"vbid{n}"] = str(bid.qty) if bid else "0"
        levels[f"vask{n}"] = str(ask.qty) if ask else "0"
        levels[f"dbid{n}"] = "0"
        levels[f"dask{n}"] = "0"
    level_fields = [f"{k}{n}" for n in range(1, 11)
                    for k in ("pbid", "pask", "vbid", "vask", "dbid", "dask")]
    tail = {
        "vstm": "0", "vetm": "0", "csbp": _px(q.expected_price),
        "cshi": "0", "cslo": "0", "iep": _px(q.expected_price), "iev": str(q.expected_qty or 0),
    }
    return ok(output1=row(call, _ASK1, head), output2=row(call, level_fields, levels),
              output3=row(call, _ASK3, tail), tr_cont="D")


# --------------------------------------------------------------------------- orders


def _ack(o: OrderInfo) -> dict[str, str]:
    return {"KRX_FWDG_ORD_ORGNO": ORDER_ORGNO, "ODNO": o.odno, "ORD_TMD": hms(o.time)}


@register("overseas_stock/order")
def order(call: Call) -> Reply:
    """해외주식 주문 (TTTT1002U buy / TTTT1006U sell; paper VTTT...). ``ORD_DVSN`` 00 limit,
    31 MOO (sell), 32 LOO, 33 MOC (sell), 34 LOC; paper accepts only 00, as KIS paper does."""
    account = _account(call)
    _excg(call)
    code = _us_symbol(call, "PDNO")
    side = Side.BUY if selector(call, "ord_dv") == "buy" else Side.SELL
    dvsn = call.param("ORD_DVSN") or "00"
    allowed = ("00",) if call.paper else (BUY_TYPES if side is Side.BUY else SELL_TYPES)
    if dvsn not in allowed:
        raise BusinessError("APBK0506", f"주문구분이 올바르지 않습니다 (ORD_DVSN={dvsn[:4]})")
    qty = parse_int(call, "ORD_QTY")
    px = parse_price(call, "OVRS_ORD_UNPR")
    with engine_errors():
        o: OrderInfo = exchange(call).place_order(
            account, code, side, OrderType(dvsn), qty, px if px else None
        )
    return ok(output=row(call, fields_of(call, "output"), _ack(o)), msg1=ORDER_SENT)


@register("overseas_stock/order_rvsecncl")
def order_rvsecncl(call: Call) -> Reply:
    """해외주식 정정취소주문 (TTTT1004U): 01 modify the price of the whole open quantity,
    02 cancel it (``OVRS_ORD_UNPR`` "0")."""
    account = _account(call)
    _excg(call)
    orig = call.param("ORGN_ODNO")
    ex = exchange(call)
    with engine_errors():
        original: OrderInfo = ex.order(account, orig)
        if not original.market.is_us:
            raise EngineReject(RejectReason.UNKNOWN_ORDER, orig)
        kind = call.param("RVSE_CNCL_DVSN_CD")
        if kind == "02":
            rec: OrderInfo = ex.cancel_order(account, orig)
        elif kind == "01":
            rec = ex.modify_order(account, orig, price=parse_price(call, "OVRS_ORD_UNPR"),
                                  all_qty=True)
        else:
            raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_RVSE_CNCL_DVSN_CD",
                                rt_cd="2")
    return ok(output=row(call, fields_of(call, "output"), _ack(rec)), msg1=ORDER_SENT)


# --------------------------------------------------------------------------- account

_BAL1 = (
    "cano", "acnt_prdt_cd", "prdt_type_cd", "ovrs_pdno", "ovrs_item_name", "frcr_evlu_pfls_amt",
    "evlu_pfls_rt", "pchs_avg_pric", "ovrs_cblc_qty", "ord_psbl_qty", "frcr_pchs_amt1",
    "ovrs_stck_evlu_amt", "now_pric2", "tr_crcy_cd", "ovrs_excg_cd", "loan_type_cd", "loan_dt",
    "expd_dt",
)
_BAL2 = (
    "frcr_pchs_amt1", "ovrs_rlzt_pfls_amt", "ovrs_tot_pfls", "rlzt_erng_rt",
    "tot_evlu_pfls_amt", "tot_pftrt", "frcr_buy_amt_smtl1", "ovrs_rlzt_pfls_amt2",
    "frcr_buy_amt_smtl2",
)
_PRDT_TYPE = {"NASD": "512", "NYSE": "513", "AMEX": "529"}


def _markets(call: Call) -> tuple[str, ...]:
    """``OVRS_EXCG_CD`` of a query: NASD means all of the US (as on the real server)."""
    code = call.param("OVRS_EXCG_CD").upper()
    if code in ("", "%", "NASD", "NAS"):
        return US_EXCG
    if code in ("NYSE", "NYS"):
        return ("NYSE",)
    if code in ("AMEX", "AMS"):
        return ("AMEX",)
    return ()


@register("overseas_stock/inquire_balance")
def inquire_balance(call: Call) -> Reply:
    """해외주식 잔고 (TTTS3012R): US positions in dollars, paged by symbol."""
    cano, prdt = _account(call)
    with engine_errors():
        b: Balance = exchange(call).balance((cano, prdt))
    markets = _markets(call)
    positions = sorted((p for p in b.positions if p.market.value in markets),
                       key=lambda p: p.symbol)
    page = keyset_page(call, positions, lambda p: p.symbol, descending=False, default_size=20)

    def one(p: PositionInfo) -> dict[str, str]:
        return {
            "cano": cano, "acnt_prdt_cd": prdt, "prdt_type_cd": _PRDT_TYPE[p.market.value],
            "ovrs_pdno": p.symbol, "ovrs_item_name": p.name,
            "frcr_evlu_pfls_amt": _amt(p.eval_pnl), "evlu_pfls_rt": str(p.eval_pnl_rate),
            "pchs_avg_pric": _px(p.avg_price), "ovrs_cblc_qty": str(p.qty),
            "ord_psbl_qty": str(p.sellable_qty), "frcr_pchs_amt1": _amt(p.purchase_amount),
            "ovrs_stck_evlu_amt": _amt(p.eval_amount), "now_pric2": _px(p.price),
            "tr_crcy_cd": "USD", "ovrs_excg_cd": p.market.value, "loan_type_cd": "00",
            "loan_dt": "", "expd_dt": "",
        }

    s = next(x for x in b.summary if x.currency == "USD")
    us = [p for p in b.positions if p.currency == "USD"]
    purchase = sum((p.purchase_amount for p in us), Decimal(0))
    pnl = sum((p.eval_pnl for p in us), Decimal(0))
    summary = {
        "frcr_pchs_amt1": _amt(purchase),
        "ovrs_rlzt_pfls_amt": _amt(s.realized_pnl),
        "ovrs_tot_pfls": _amt(pnl + s.realized_pnl),
        "rlzt_erng_rt": rate(s.realized_pnl, purchase) if purchase else "0.00",
        "tot_evlu_pfls_amt": _amt(pnl),
        "tot_pftrt": rate(pnl, purchase) if purchase else "0.00",
        "frcr_buy_amt_smtl1": _amt(purchase),
        "ovrs_rlzt_pfls_amt2": _amt(s.realized_pnl),
        "frcr_buy_amt_smtl2": _amt(purchase),
    }
    return ok(output1=block_rows(call, _BAL1, [one(p) for p in page.rows]),
              output2=row(call, _BAL2, summary), tr_cont=page.tr_cont, extra=page.cursors)


_STATUS = {"filled": "완료", "open": "접수", "partial": "접수", "cancelled": "취소",
           "expired": "거부", "replaced": "정정"}


def _order_fields(o: OrderInfo) -> dict[str, str]:
    return {
        "ord_dt": ymd(o.trade_date), "ord_gno_brno": ORDER_ORGNO, "odno": o.odno,
        "orgn_odno": o.orig_odno or "", "sll_buy_dvsn_cd": o.side.code,
        "sll_buy_dvsn_cd_name": "매도" if o.side is Side.SELL else "매수",
        "rvse_cncl_dvsn": "00" if o.action is OrderAction.NEW else o.action.value,
        "rvse_cncl_dvsn_cd": "00" if o.action is OrderAction.NEW else o.action.value,
        "rvse_cncl_dvsn_name": {"00": "", "01": "정정", "02": "취소"}[o.action.value],
        "pdno": o.symbol, "prdt_name": o.name, "ft_ord_qty": str(o.qty),
        "ft_ord_unpr3": _px(o.price), "ft_ccld_qty": str(o.filled_qty),
        "ft_ccld_unpr3": _px(o.avg_fill_price), "ft_ccld_amt3": _amt(o.fill_amount),
        "nccs_qty": str(o.remaining_qty), "prcs_stat_name": _STATUS.get(o.status.value, ""),
        "rjct_rson": "", "rjct_rson_name": "", "ord_tmd": hms(o.time),
        "tr_mket_name": {"NASD": "나스닥", "NYSE": "뉴욕", "AMEX": "아멕스"}[o.market.value],
        "tr_crcy_cd": "USD", "tr_natn": "840", "natn_cd": "840",
        "ovrs_excg_cd": o.market.value, "tr_natn_name": "미국", "dmst_ord_dt": ymd(o.trade_date),
        "thco_ord_tmd": hms(o.time), "loan_type_cd": "00", "loan_dt": "",
        "mdia_dvsn_name": "OpenAPI", "usa_amk_exts_rqst_yn": "N", "splt_buy_attr_name": "",
    }


def _us_orders(call: Call, start: date, end: date, status: str) -> list[OrderInfo]:
    side = {"01": Side.SELL, "02": Side.BUY}.get(call.param("SLL_BUY_DVSN"))
    symbol = call.param("PDNO").upper()
    with engine_errors():
        orders: list[OrderInfo] = exchange(call).order_history(
            _account(call), start, end, side=side,
            symbol=None if symbol in ("", "%") else symbol, status=status,
        )
    markets = _markets(call)
    return [o for o in orders if o.market.is_us and o.market.value in markets]


@register("overseas_stock/inquire_ccnl")
def inquire_ccnl(call: Call) -> Reply:
    """해외주식 주문체결내역 (TTTS3035R): orders of the date range with their fills.
    ``CCLD_NCCS_DVSN`` 00/01 filled/02 unfilled; ``SORT_SQN`` DS (the default) newest first,
    AS oldest first. Paged with ``CTX_AREA_FK200``/``NK200``."""
    today = call.now().date()
    start = parse_date(call, "ORD_STRT_DT", today)
    end = parse_date(call, "ORD_END_DT", today)
    status = {"01": "filled", "02": "unfilled"}.get(call.param("CCLD_NCCS_DVSN"), "all")
    orders = _us_orders(call, start, end, status)
    newest_first = call.param("SORT_SQN").upper() != "AS"

    def key(o: OrderInfo) -> str:
        return f"{ymd(o.trade_date)}{o.odno}"

    orders.sort(key=key, reverse=newest_first)
    page = keyset_page(call, orders, key, descending=newest_first, default_size=20)
    rows = block_rows(call, fields_of(call, "output"), [_order_fields(o) for o in page.rows])
    return ok(output=rows, tr_cont=page.tr_cont, extra=page.cursors)


@register("overseas_stock/inquire_nccs")
def inquire_nccs(call: Call) -> Reply:
    """해외주식 미체결내역 (TTTS3018R): US orders with open quantity, oldest first."""
    with engine_errors():
        orders: list[OrderInfo] = exchange(call).open_orders(_account(call))
    markets = _markets(call)
    orders = sorted((o for o in orders if o.market.is_us and o.market.value in markets),
                    key=lambda o: o.odno)
    page = keyset_page(call, orders, lambda o: o.odno, descending=False, default_size=20)
    rows = block_rows(call, fields_of(call, "output"), [_order_fields(o) for o in page.rows])
    return ok(output=rows, tr_cont=page.tr_cont, extra=page.cursors)


@register("overseas_stock/inquire_psamount")
def inquire_psamount(call: Call) -> Reply:
    """해외주식 매수가능금액조회 (TTTS3007R): dollars not held by open buys and what they buy at
    ``OVRS_ORD_UNPR`` (commission included). The KRW-converted figures use a fixed rate."""
    _excg(call)
    code = _us_symbol(call, "ITEM_CD")
    px = parse_price(call, "OVRS_ORD_UNPR")
    with engine_errors():
        bp: BuyingPower = exchange(call).buying_power(
            _account(call), code, px if px else None, OrderType.LIMIT
        )
    out = {
        "tr_crcy_cd": "USD",
        "ord_psbl_frcr_amt": _amt(bp.orderable_cash),
        "sll_ruse_psbl_amt": "0.00",
        "ovrs_ord_psbl_amt": _amt(bp.orderable_cash),
        "max_ord_psbl_qty": str(bp.max_qty),
        "echm_af_ord_psbl_amt": _amt(bp.orderable_cash),
        "echm_af_ord_psbl_qty": str(bp.max_qty),
        "ord_psbl_qty": str(bp.max_qty),
        "exrt": usd(USD_KRW, 2),
        "frcr_ord_psbl_amt1": _amt(bp.orderable_cash),
        "ovrs_max_ord_psbl_qty": str(bp.max_qty),
    }
    return ok(output=row(call, fields_of(call, "output"), out), tr_cont="D")
