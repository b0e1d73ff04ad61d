"""Overseas stocks on every exchange of the API: quotes, orders, balance, fills, open orders,
buying power.

Exchanges are data (:mod:`hantoo.sim.engine.overseas_markets`): the US (NASD/NYSE/AMEX) and
Hong Kong (SEHK), Tokyo (TKSE), Shanghai/Shenzhen (SHAA/SZAA), Hanoi/Ho Chi Minh (HASE/VNSE).
Quote APIs name exchanges by ``EXCD`` (NAS, HKS, TSE, SHS, SZS, HNX, HSX...), order and account
APIs by ``OVRS_EXCG_CD``; both are accepted where KIS accepts them. Prices go on the wire with
the market's decimals (USD four, HKD three, CNY two, JPY and VND none), amounts with the
currency's (USD/HKD/CNY cents, JPY/VND whole). Each market trades in its own currency: an order
needs cash in it (see :mod:`hantoo.sim.engine.fx` for the rule). The won figures use the day's
seeded rate, the same one every API shows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..engine.fx import rates_of
from ..engine.overseas_markets import AMOUNT_PLACES, EXCD_OF, PRICE_PLACES, QUOTE_EXCD, SPECS
from ..engine.types import EngineReject, Market, OrderAction, OrderType, RejectReason, Side
from ..engine.universe import Instrument
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

US_EXCG = ("NASD", "NYSE", "AMEX")
#: Every order/account exchange code of the API.
ALL_EXCG = (*US_EXCG, "SEHK", "SHAA", "SZAA", "TKSE", "HASE", "VNSE")
#: Order types KIS allows per side for US stocks (buy: limit, LOO, LOC; sell: also MOO, MOC).
BUY_TYPES = ("00", "32", "34")
SELL_TYPES = ("00", "31", "32", "33", "34")
#: KIS product type codes (PRDT_TYPE_CD) per exchange.
PRDT_TYPE = {"NASD": "512", "NYSE": "513", "AMEX": "529", "SEHK": "501", "SHAA": "551",
             "SZAA": "552", "TKSE": "515", "HASE": "507", "VNSE": "508"}


def _account(call: Call) -> tuple[str, str]:
    if call.account is None:
        raise BusinessError("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
    return call.account


def _normal(code: str, market: Market | None) -> str:
    """The universe's form of a code: Hong Kong codes are five digits (``700`` → ``00700``)."""
    code = code.strip().upper()
    if market is Market.SEHK and code.isdigit():
        return code.zfill(5)
    return code


def _overseas_inst(call: Call, wire: str, market: Market | None) -> Instrument:
    """The instrument of ``wire``: an overseas issue of ``market`` (any US one for a US code)."""
    raw = call.param(wire)
    if not raw:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_{wire} (종목코드 누락)",
                            rt_cd="2")
    code = _normal(raw, market)
    inst: Instrument | None = exchange(call).universe.get(code)
    if inst is None or not inst.market.is_overseas:
        raise BusinessError("MCA05918", f"종목코드 오류입니다 ({code[:12]}: 없는 해외종목)")
    if market is not None and inst.market is not market and not (
        market.is_us and inst.market.is_us
    ):
        raise BusinessError(
            "MCA05918",
            f"종목코드 오류입니다 ({code[:12]}은 {inst.market.value} 종목, 요청 거래소 "
            f"{market.value})")
    return inst


def _excg_market(call: Call, wire: str = "OVRS_EXCG_CD") -> Market:
    """The exchange of an order-side request (``NASD``... or the quote naming ``NAS``...)."""
    code = call.param(wire).upper()
    if code in ALL_EXCG:
        return Market(code)
    if code in QUOTE_EXCD:
        return QUOTE_EXCD[code]
    raise BusinessError(
        "APBK0506",
        f"해외거래소코드 오류 ({wire}={code[:6]!r}); 가능: {', '.join(ALL_EXCG)}")


def _quote_market(call: Call) -> Market | None:
    return QUOTE_EXCD.get(call.param("EXCD").upper())


def _px(v: Decimal | None, currency: str = "USD") -> str:
    return usd(v if v is not None else 0, PRICE_PLACES.get(currency, 4))


def _amt(v: Decimal | None, currency: str = "USD") -> str:
    return usd(v if v is not None else 0, AMOUNT_PLACES.get(currency, 2))


def _rsym(market: Market, code: str) -> str:
    return f"D{EXCD_OF[market]}{code}"


# --------------------------------------------------------------------------- quotations


@register("overseas_stock/price")
def price(call: Call) -> Reply:
    """해외주식 현재체결가 (HHDFS00000300). An unknown symbol or a symbol of another exchange
    answers ``rt_cd`` 0 with blank fields, as the real server does."""
    fields = fields_of(call, "output")
    market = _quote_market(call)
    code = _normal(call.param("SYMB"), market)
    inst = exchange(call).universe.get(code)
    if market is None or inst is None or inst.market is not market:
        return ok(output={f: "" for f in fields}, tr_cont="D")
    with engine_errors():
        q: Quote = exchange(call).quote(code)
    cur = q.currency
    yday_vol = _prev_volume(call, q)
    out = {
        "rsym": _rsym(market, code),
        "zdiv": str(PRICE_PLACES[cur]),
        "base": _px(q.prev_close, cur),
        "pvol": str(yday_vol),
        "last": _px(q.price, cur),
        "sign": q.change_sign,
        "diff": _px(abs(q.change), cur),
        "rate": str(q.change_rate),
        "tvol": str(q.volume),
        "tamt": _amt(q.trade_value, cur),
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
    market = _quote_market(call)
    if market is None:
        raise BusinessError("APBK0506", f"거래소코드 오류 (EXCD={call.param('EXCD')[:6]!r}); "
                            f"가능: {', '.join(sorted(EXCD_OF.values()))}")
    inst = _overseas_inst(call, "SYMB", market)
    code = inst.code
    ex = exchange(call)
    with engine_errors():
        q: Quote = ex.quote(code)
        book: BookSnapshot = ex.order_book(code, 10)
    cur = q.currency
    head = {
        "rsym": _rsym(market, code), "zdiv": str(PRICE_PLACES[cur]), "curr": cur,
        "base": _px(q.prev_close, cur), "open": _px(q.open, cur), "high": _px(q.high, cur),
        "low": _px(q.low, cur), "last": _px(q.price, cur), "dymd": ymd(q.time),
        "dhms": hms(q.time), "bvol": str(sum(lv.qty for lv in book.bids)),
        "avol": str(sum(lv.qty for lv in book.asks)), "bdvl": "0", "advl": "0", "code": code,
        "ropen": _px(q.open, cur), "rhigh": _px(q.high, cur), "rlow": _px(q.low, cur),
        "rclose": _px(q.price, cur),
    }
    levels: dict[str, str] = {}
    for i in range(10):
        bid = book.bids[i] if i < len(book.bids) else None
        ask = book.asks[i] if i < len(book.asks) else None
        n = i + 1
        levels[f"pbid{n}"] = _px(bid.price if bid else None, cur)
        levels[f"pask{n}"] = _px(ask.price if ask else None, cur)
        levels[f"vbid{n}"] = str(bid.qty) if bid else "0"
        levels[f"vask{n}"] = str(ask.qty) if ask else "0"
        levels[f"dbid{n}"] = "0"
        levels[f"dask{n}"] = "0"
    level_fields = [f"{k}{n}" for n in range(1, 11)
                    for k in ("pbid", "pask", "vbid", "vask", "dbid", "dask")]
    tail = {
        "vstm": "0", "vetm": "0", "csbp": _px(q.expected_price, cur),
        "cshi": "0", "cslo": "0", "iep": _px(q.expected_price, cur),
        "iev": str(q.expected_qty or 0),
    }
    return ok(output1=row(call, _ASK1, head), output2=row(call, level_fields, levels),
              output3=row(call, _ASK3, tail), tr_cont="D")


# --------------------------------------------------------------------------- orders


def _ack(o: OrderInfo) -> dict[str, str]:
    return {"KRX_FWDG_ORD_ORGNO": ORDER_ORGNO, "ODNO": o.odno, "ORD_TMD": hms(o.time)}


def _check_tr_exchange(call: Call, market: Market) -> None:
    """The TR ID names the exchange family (TTTS1002U is Hong Kong...): they must agree."""
    for v in call.api.variants:
        if call.tr_id in (v.real, v.paper):
            allowed = v.when.get("ovrs_excg_cd")
            if allowed and market.value not in allowed:
                raise BusinessError(
                    "APBK0506",
                    f"TR ID {call.tr_id}는 {'/'.join(map(str, allowed))} 주문용입니다 "
                    f"(OVRS_EXCG_CD={market.value})")
            return


def _order_qty(call: Call, inst: Instrument) -> int:
    qty = parse_int(call, "ORD_QTY")
    if qty <= 0:
        raise BusinessError("APBK0400", f"주문수량을 확인하세요 (ORD_QTY={qty}: 1 이상)")
    if qty % inst.lot:
        raise BusinessError(
            "APBK0400",
            f"주문수량이 매매단위({inst.lot}주)의 배수가 아닙니다 (ORD_QTY={qty}, {inst.code})")
    return qty


@register("overseas_stock/order")
def order(call: Call) -> Reply:
    """해외주식 주문 (US TTTT1002U buy / TTTT1006U sell; Asia TTTS...; paper VTT...).
    US ``ORD_DVSN`` 00 limit, 31 MOO (sell), 32 LOO, 33 MOC (sell), 34 LOC; Asia 00 only;
    paper accepts only 00, as KIS paper does. The quantity must be a multiple of the lot."""
    account = _account(call)
    market = _excg_market(call)
    _check_tr_exchange(call, market)
    inst = _overseas_inst(call, "PDNO", market)
    side = Side.BUY if selector(call, "ord_dv") == "buy" else Side.SELL
    dvsn = call.param("ORD_DVSN") or "00"
    us_types = BUY_TYPES if side is Side.BUY else SELL_TYPES
    allowed = ("00",) if call.paper or not market.is_us else us_types
    if dvsn not in allowed:
        raise BusinessError("APBK0506", f"주문구분이 올바르지 않습니다 (ORD_DVSN={dvsn[:4]}; "
                            f"가능: {', '.join(allowed)})")
    qty = _order_qty(call, inst)
    px = parse_price(call, "OVRS_ORD_UNPR")
    if dvsn in ("00", "32", "34") and not px:
        raise BusinessError("APBK0506", "주문단가를 확인하세요 (OVRS_ORD_UNPR: 지정가 필요)")
    with engine_errors():
        o: OrderInfo = exchange(call).place_order(
            account, inst.code, side, OrderType(dvsn), qty, px if px else None
        )
    return ok(output=row(call, fields_of(call, "output"), _ack(o)), msg1=ORDER_SENT)


@register("overseas_stock/order_rvsecncl")
def order_rvsecncl(call: Call) -> Reply:
    """해외주식 정정취소주문 (TTTT1004U): 01 modify the price of the whole open quantity,
    02 cancel it (``OVRS_ORD_UNPR`` "0")."""
    account = _account(call)
    market = _excg_market(call)
    orig = call.param("ORGN_ODNO")
    if not orig.isdigit():
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_ORGN_ODNO ({orig[:12]!r})",
                            rt_cd="2")
    ex = exchange(call)
    with engine_errors():
        original: OrderInfo = ex.order(account, orig)
        if not original.market.is_overseas or (
            original.market is not market and not (market.is_us and original.market.is_us)
        ):
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
_PRDT_TYPE = PRDT_TYPE


def _markets(call: Call) -> tuple[str, ...]:
    """``OVRS_EXCG_CD`` of a query: NASD means all of the US (as on the real server), blank or
    ``%`` every exchange; an unknown code is refused naming the known ones."""
    code = call.param("OVRS_EXCG_CD").upper()
    if code in ("", "%"):
        return ALL_EXCG
    if code in ("NASD", "NAS"):
        return US_EXCG
    return (_excg_market(call).value,)


def _currency_of(markets: tuple[str, ...]) -> str:
    return SPECS[Market(markets[0])].currency


@register("overseas_stock/inquire_balance")
def inquire_balance(call: Call) -> Reply:
    """해외주식 잔고 (TTTS3012R): positions of the exchange(s) in their currency, paged by
    symbol; ``output2`` sums the currency of the first exchange asked (USD for NASD)."""
    cano, prdt = _account(call)
    with engine_errors():
        b: Balance = exchange(call).balance((cano, prdt))
    markets = _markets(call)
    cur = call.param("TR_CRCY_CD").upper() or _currency_of(markets)
    if cur not in PRICE_PLACES:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_TR_CRCY_CD ({cur[:4]!r})",
                            rt_cd="2")
    positions = sorted((p for p in b.positions if p.market.value in markets),
                       key=lambda p: p.symbol)
    page = keyset_page(call, positions, lambda p: p.symbol, descending=False, default_size=20)

    def one(p: PositionInfo) -> dict[str, str]:
        c = p.currency
        return {
            "cano": cano, "acnt_prdt_cd": prdt, "prdt_type_cd": PRDT_TYPE[p.market.value],
            "ovrs_pdno": p.symbol, "ovrs_item_name": p.name,
            "frcr_evlu_pfls_amt": _amt(p.eval_pnl, c), "evlu_pfls_rt": str(p.eval_pnl_rate),
            "pchs_avg_pric": _px(p.avg_price, c), "ovrs_cblc_qty": str(p.qty),
            "ord_psbl_qty": str(p.sellable_qty), "frcr_pchs_amt1": _amt(p.purchase_amount, c),
            "ovrs_stck_evlu_amt": _amt(p.eval_amount, c), "now_pric2": _px(p.price, c),
            "tr_crcy_cd": c, "ovrs_excg_cd": p.market.value, "loan_type_cd": "00",
            "loan_dt": "", "expd_dt": "",
        }

    s = next(x for x in b.summary if x.currency == cur)
    mine = [p for p in b.positions if p.currency == cur and p.market.value in markets]
    purchase = sum((p.purchase_amount for p in mine), Decimal(0))
    pnl = sum((p.eval_pnl for p in mine), Decimal(0))
    summary = {
        "frcr_pchs_amt1": _amt(purchase, cur),
        "ovrs_rlzt_pfls_amt": _amt(s.realized_pnl, cur),
        "ovrs_tot_pfls": _amt(pnl + s.realized_pnl, cur),
        "rlzt_erng_rt": rate(s.realized_pnl, purchase) if purchase else "0.00",
        "tot_evlu_pfls_amt": _amt(pnl, cur),
        "tot_pftrt": rate(pnl, purchase) if purchase else "0.00",
        "frcr_buy_amt_smtl1": _amt(purchase, cur),
        "ovrs_rlzt_pfls_amt2": _amt(s.realized_pnl, cur),
        "frcr_buy_amt_smtl2": _amt(purchase, cur),
    }
    return ok(output1=block_rows(call, _BAL1, [one(p) for p in page.rows]),
              output2=row(call, _BAL2, summary), tr_cont=page.tr_cont, extra=page.cursors)


_STATUS = {"filled": "완료", "open": "접수", "partial": "접수", "cancelled": "취소",
           "expired": "거부", "replaced": "정정"}


def _order_fields(o: OrderInfo) -> dict[str, str]:
    spec = SPECS[o.market]
    c = spec.currency
    return {
        "ord_dt": ymd(o.trade_date), "ord_gno_brno": ORDER_ORGNO, "odno": o.odno,
        "orgn_odno": o.orig_odno or "", "sll_buy_dvsn_cd": o.side.code,
        "sll_buy_dvsn_cd_name": "매도" if o.side is Side.SELL else "매수",
        "rvse_cncl_dvsn": "00" if o.action is OrderAction.NEW else o.action.value,
        "rvse_cncl_dvsn_cd": "00" if o.action is OrderAction.NEW else o.action.value,
        "rvse_cncl_dvsn_name": {"00": "", "01": "정정", "02": "취소"}[o.action.value],
        "pdno": o.symbol, "prdt_name": o.name, "ft_ord_qty": str(o.qty),
        "ft_ord_unpr3": _px(o.price, c), "ft_ccld_qty": str(o.filled_qty),
        "ft_ccld_unpr3": _px(o.avg_fill_price, c), "ft_ccld_amt3": _amt(o.fill_amount, c),
        "nccs_qty": str(o.remaining_qty), "prcs_stat_name": _STATUS.get(o.status.value, ""),
        "rjct_rson": "", "rjct_rson_name": "", "ord_tmd": hms(o.time),
        "tr_mket_name": spec.name_ko, "tr_crcy_cd": c, "tr_natn": spec.nation_code,
        "natn_cd": spec.nation_code, "ovrs_excg_cd": o.market.value,
        "tr_natn_name": spec.country_ko, "dmst_ord_dt": ymd(o.trade_date),
        "thco_ord_tmd": hms(o.time), "loan_type_cd": "00", "loan_dt": "",
        "mdia_dvsn_name": "OpenAPI", "usa_amk_exts_rqst_yn": "N", "splt_buy_attr_name": "",
    }


def _overseas_orders(call: Call, start: date, end: date, status: str) -> list[OrderInfo]:
    side = {"01": Side.SELL, "02": Side.BUY}.get(call.param("SLL_BUY_DVSN"))
    symbol = call.param("PDNO").upper()
    with engine_errors():
        orders: list[OrderInfo] = exchange(call).order_history(
            _account(call), start, end, side=side,
            symbol=None if symbol in ("", "%") else symbol, status=status,
        )
    markets = _markets(call)
    return [o for o in orders if o.market.is_overseas and o.market.value in markets]


@register("overseas_stock/inquire_ccnl")
def inquire_ccnl(call: Call) -> Reply:
    """해외주식 주문체결내역 (TTTS3035R): orders of the date range with their fills.
    ``CCLD_NCCS_DVSN`` 00/01 filled/02 unfilled; ``SORT_SQN`` DS (the default) newest first,
    AS oldest first. Paged with ``CTX_AREA_FK200``/``NK200``."""
    today = call.now().date()
    start = parse_date(call, "ORD_STRT_DT", today)
    end = parse_date(call, "ORD_END_DT", today)
    status = {"01": "filled", "02": "unfilled"}.get(call.param("CCLD_NCCS_DVSN"), "all")
    orders = _overseas_orders(call, start, end, status)
    newest_first = call.param("SORT_SQN").upper() != "AS"

    def key(o: OrderInfo) -> str:
        return f"{ymd(o.trade_date)}{o.odno}"

    orders.sort(key=key, reverse=newest_first)
    page = keyset_page(call, orders, key, descending=newest_first, default_size=20)
    rows = block_rows(call, fields_of(call, "output"), [_order_fields(o) for o in page.rows])
    return ok(output=rows, tr_cont=page.tr_cont, extra=page.cursors)


@register("overseas_stock/inquire_nccs")
def inquire_nccs(call: Call) -> Reply:
    """해외주식 미체결내역 (TTTS3018R): overseas orders with open quantity, oldest first."""
    with engine_errors():
        orders: list[OrderInfo] = exchange(call).open_orders(_account(call))
    markets = _markets(call)
    orders = sorted((o for o in orders if o.market.is_overseas and o.market.value in markets),
                    key=lambda o: o.odno)
    page = keyset_page(call, orders, lambda o: o.odno, descending=False, default_size=20)
    rows = block_rows(call, fields_of(call, "output"), [_order_fields(o) for o in page.rows])
    return ok(output=rows, tr_cont=page.tr_cont, extra=page.cursors)


@register("overseas_stock/inquire_psamount")
def inquire_psamount(call: Call) -> Reply:
    """해외주식 매수가능금액조회 (TTTS3007R): the market's currency not held by open buys and
    what it buys at ``OVRS_ORD_UNPR`` (commission included, whole lots). The "after exchange"
    (환전후) figures add the account's won at the day's rate, as KIS shows them; the simulator
    does not convert by itself (see :mod:`hantoo.sim.engine.fx`)."""
    market = _excg_market(call)
    inst = _overseas_inst(call, "ITEM_CD", market)
    px = parse_price(call, "OVRS_ORD_UNPR")
    ex = exchange(call)
    account = _account(call)
    with engine_errors():
        bp: BuyingPower = ex.buying_power(account, inst.code, px if px else None,
                                          OrderType.LIMIT)
        b: Balance = ex.balance(account)
    cur = inst.currency
    fx = rates_of(ex).rate(cur, ex.trading_day("KRX"), call.now())  # the rate now
    won = next(s for s in b.summary if s.currency == "KRW").orderable
    lot = inst.lot
    max_qty = bp.max_qty - bp.max_qty % lot
    after = bp.orderable_cash + (won / fx).quantize(Decimal("0.01"))
    price_used = px if px else None
    after_qty = max_qty
    if price_used:
        after_qty = int(after / (price_used * Decimal("1.0025")))
        after_qty -= after_qty % lot
    out = {
        "tr_crcy_cd": cur,
        "ord_psbl_frcr_amt": _amt(bp.orderable_cash, cur),
        "sll_ruse_psbl_amt": _amt(Decimal(0), cur),
        "ovrs_ord_psbl_amt": _amt(bp.orderable_cash, cur),
        "max_ord_psbl_qty": str(max_qty),
        "echm_af_ord_psbl_amt": _amt(after, cur),
        "echm_af_ord_psbl_qty": str(max(after_qty, max_qty)),
        "ord_psbl_qty": str(max_qty),
        "exrt": usd(fx, 4),
        "frcr_ord_psbl_amt1": _amt(bp.orderable_cash, cur),
        "ovrs_max_ord_psbl_qty": str(max_qty),
    }
    return ok(output=row(call, fields_of(call, "output"), out), tr_cont="D")
