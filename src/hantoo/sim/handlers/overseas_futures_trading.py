"""Overseas futures orders and accounts from the futures book (:mod:`..engine.futures_book`).

Answered here: 주문 (``order``), 정정/취소 (``order_rvsecncl``), 당일주문내역 (``inquire_ccld``),
미결제내역 (``inquire_unpd``), 예수금현황 (``inquire_deposit``), 증거금상세 (``margin_detail``),
주문가능조회 (``inquire_psamount``), 일별체결내역 (``inquire_daily_ccld``), 일별주문내역
(``inquire_daily_order``), 기간계좌손익 (``inquire_period_ccld``) and 기간계좌거래내역
(``inquire_period_trans``). Every figure comes from one book and the seeded price model at the
call's instant, so an order's fill, the position, its P&L, the margin and the orderable amount
agree across the APIs (and with the quote and book APIs of :mod:`.overseas_futures`).

Amounts are in the contract's currency (all listed products settle in dollars); ``CRCY_CD``
``TKR`` (total in won) converts them at the day's rate of :mod:`..engine.fx`, the same rate
every other API shows. Options on the futures (``ESZ26 C6000``) trade through the same APIs at
the premiums of :mod:`..engine.options_quotes`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from ..engine.futures_book import (
    BUY,
    LIMIT,
    MAINTENANCE_RATIO,
    MARKET,
    SELL,
    STOP,
    STOP_LIMIT,
    AccountView,
    FFill,
    FOrder,
    FuturesBook,
    book_of,
)
from ..engine.futures_quotes import CHICAGO
from ..engine.fx import rates_of
from ..engine.overseas_futures import FuturesSpec, parse_series
from . import BusinessError, Call, Reply, ok, register
from ._common import engine_errors, exchange, fields_of, parse_date, usd, ymd

_ZERO = Decimal(0)
_STATUS = {"open": "02", "filled": "03", "cancelled": "04", "expired": "04", "modified": "05"}


def _acct(call: Call) -> tuple[str, str]:
    if call.account is None:
        raise BusinessError("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
    return call.account


def _book(call: Call) -> FuturesBook:
    return book_of(exchange(call))


def _only(fields: tuple[str, ...], values: dict[str, str]) -> dict[str, str]:
    """Every catalogue field (its own spelling), from ``values`` by lower-case name; blank when
    the simulator has nothing to say (never invented)."""
    return {f: values.get(f.lower(), "") for f in fields}


def _price(spec: FuturesSpec, ticks: Decimal | int) -> str:
    digits = max(0, -int(spec.tick.as_tuple().exponent))
    return usd(spec.tick * ticks, digits)


def _avg_price(spec: FuturesSpec, ticks: Decimal) -> str:
    digits = max(0, -int(spec.tick.as_tuple().exponent)) + 2
    return usd(spec.tick * ticks, digits)


def _money(v: Decimal) -> str:
    return usd(v, 2)


def _decimal(call: Call, wire: str) -> Decimal | None:
    raw = call.param(wire).strip()
    if not raw:
        return None
    return Decimal(raw)  # the validator has checked the shape


def _input_error(wire: str, problem: str) -> BusinessError:
    return BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_{wire} ({problem})", rt_cd="2")


def _futures_code(call: Call, wire: str) -> str:
    return call.param(wire).strip().upper()


def _fuop(code: str) -> str:
    """``01`` futures, ``02`` options (KIS ``FUOP_DVSN``)."""
    parsed = parse_series(code)
    return "02" if parsed is not None and parsed[3] else "01"


# ------------------------------------------------------------------------------ orders


@register("overseas_futureoption/order")
def order(call: Call) -> Reply:
    """해외선물옵션 주문 (OTFM3001U): limit (``1``), market (``2``), stop (``3``) and stop-limit
    (``4``) orders, for the day (``CCLD_CNDT_CD`` 6) or good till date (5)."""
    code = _futures_code(call, "OVRS_FUTR_FX_PDNO")
    kind = call.param("PRIC_DVSN_CD")
    cndt = call.param("CCLD_CNDT_CD")
    if (kind == MARKET) != (cndt == "2"):
        raise _input_error("CCLD_CNDT_CD", f"{cndt}: 2 with a market order (PRIC_DVSN_CD 2) only, "
                                           "6 (day) or 5 (GTD) with a limit or stop order")
    limit = _decimal(call, "FM_LIMIT_ORD_PRIC") if kind in (LIMIT, STOP_LIMIT) else None
    stop = _decimal(call, "FM_STOP_ORD_PRIC") if kind in (STOP, STOP_LIMIT) else None
    qty = int(call.param("FM_ORD_QTY") or "0")
    with engine_errors():
        o = _book(call).place(_acct(call), code, call.param("SLL_BUY_DVSN_CD"), qty, kind, limit,
                              cndt, call.now(), stop)
    return ok(output=_only(fields_of(call, "output"), {"ord_dt": ymd(o.session_day),
                                                       "odno": o.odno}))


@register("overseas_futureoption/order_rvsecncl")
def order_rvsecncl(call: Call) -> Reply:
    """정정 (OTFM3002U: a new limit price for what is left) or 취소 (OTFM3003U)."""
    book = _book(call)
    odno = call.param("ORGN_ODNO").strip()
    cancel = call.tr_id.upper().startswith("OTFM3003")
    with engine_errors():
        original = book.find(odno)
        if original is not None and ymd(original.session_day) != call.param("ORGN_ORD_DT"):
            raise _input_error("ORGN_ORD_DT", f"{call.param('ORGN_ORD_DT')[:8]}: order {odno} "
                               f"is of {ymd(original.session_day)} (the local trading day)")
        if cancel:
            o = book.cancel(_acct(call), odno, call.now())
        else:
            limit = _decimal(call, "FM_LIMIT_ORD_PRIC")
            stop = _decimal(call, "FM_STOP_ORD_PRIC")
            if limit is None and stop is None:
                raise _input_error("FM_LIMIT_ORD_PRIC", "a modification needs the new price "
                                   "(FM_LIMIT_ORD_PRIC, or FM_STOP_ORD_PRIC for a stop order)")
            o = book.modify(_acct(call), odno, limit, call.now(), stop)
    return ok(output=_only(fields_of(call, "output"), {"ord_dt": ymd(o.session_day),
                                                       "odno": o.odno}))


# ------------------------------------------------------------------------------ order lists


def _order_row(book: FuturesBook, o: FOrder) -> dict[str, str]:
    spec, _exp = book.spec(o.code)
    fill_px = _price(spec, o.fill_ticks) if o.filled else "0"
    return {
        "cano": o.account[0], "acnt_prdt_cd": o.account[1], "dt": ymd(o.session_day),
        "ord_dt": ymd(o.session_day), "odno": o.odno,
        "orgn_ord_dt": ymd(o.session_day) if o.orgn_odno else "", "orgn_odno": o.orgn_odno,
        "ovrs_futr_fx_pdno": o.code, "rcit_dvsn_cd": "01", "sll_buy_dvsn_cd": o.side,
        "rvse_cncl_dvsn_cd": "01" if o.orgn_odno else "00", "cplx_ord_dvsn_cd": "0",
        "pric_dvsn_cd": o.kind, "trad_stgy_dvsn_cd": "", "bass_pric_type_cd": o.kind,
        "ord_stat_cd": _STATUS[o.status], "fm_ord_qty": str(o.qty),
        "fm_ord_pric": _price(spec, o.limit) if o.limit is not None else "0",
        "fm_stop_ord_pric": _price(spec, o.stop) if o.stop is not None else "0",
        "rsvn_dvsn": "", "ecis_rsvn_ord_yn": "N",
        "fm_ccld_qty": str(o.filled), "fm_ccld_pric": fill_px, "fm_ord_rmn_qty": str(o.remaining),
        "ord_grp_name": "", "erlm_dtl_dtime": o.placed.strftime("%Y%m%d%H%M%S"),
        "rcit_dtl_dtime": o.placed.strftime("%Y%m%d%H%M%S"),
        "ccld_dtl_dtime": o.fill_time.strftime("%Y%m%d%H%M%S") if o.fill_time else "",
        "ord_stfno": "", "ordr_emp_no": "", "rmks1": "", "rjct_rson_name": "",
        "new_lqd_dvsn_cd": "", "fm_lqd_lmt_ord_pric": "0", "fm_lqd_stop_pric": "0",
        "ccld_cndt_cd": o.cndt, "noti_vald_dt": ymd(o.good_till or o.session_day),
        "acnt_type_cd": "", "fuop_dvsn": _fuop(o.code),
        "trad_end_dt": ymd(o.good_till or o.session_day),
    }


def _wanted(o: FOrder, call: Call, state_wire: str) -> bool:
    state = call.param(state_wire) or "01"
    side = call.param("SLL_BUY_DVSN_CD")
    if state == "02" and not o.filled:
        return False
    if state == "03" and not o.remaining:
        return False
    if side in (BUY, SELL) and o.side != side:
        return False
    return (call.param("FUOP_DVSN") or call.param("FUOP_DVSN_CD") or "00") in ("00",
                                                                            _fuop(o.code))


@register("overseas_futureoption/inquire_ccld")
def inquire_ccld(call: Call) -> Reply:
    """당일주문내역 (OTFM3116R): today's orders, newest first."""
    book = _book(call)
    orders = book.today_orders(_acct(call), call.now())
    rows = [_only(fields_of(call, "output"), _order_row(book, o))
            for o in sorted(orders, key=lambda o: o.odno, reverse=True)
            if _wanted(o, call, "CCLD_NCCS_DVSN")]
    return ok(output=rows, tr_cont="D")


@register("overseas_futureoption/inquire_daily_order")
def inquire_daily_order(call: Call) -> Reply:
    """일별주문내역 (OTFM3120R): orders of the local trading days ``STRT_DT``..``END_DT``."""
    book = _book(call)
    start, end = _range(call, "STRT_DT", "END_DT")
    orders = book.orders_between(_acct(call), start, end, call.now())
    rows = [_only(fields_of(call, "output"), _order_row(book, o))
            for o in sorted(orders, key=lambda o: o.odno, reverse=True)
            if _wanted(o, call, "CCLD_NCCS_DVSN")]
    return ok(output=rows, tr_cont="D")


def _range(call: Call, first: str, last: str) -> tuple[date, date]:
    today = call.now().astimezone(CHICAGO).date()
    start = parse_date(call, first, today)
    end = parse_date(call, last, today)
    if start > end:
        raise _input_error(first, f"{ymd(start)} is after {last} {ymd(end)}")
    return start, end


# ------------------------------------------------------------------------------ fills


def _fill_row(book: FuturesBook, f: FFill) -> dict[str, str]:
    spec, _exp = book.spec(f.code)
    amount = book.money(spec, f.ticks, f.qty)
    option = _fuop(f.code) == "02"
    futr, opt = (_ZERO, amount) if option else (amount, _ZERO)
    return {
        "dt": ymd(f.time.astimezone(CHICAGO)), "ccno": f.ccno, "ovrs_futr_fx_pdno": f.code,
        "sll_buy_dvsn_cd": f.side, "fm_ccld_qty": str(f.qty), "fm_ccld_pric": _price(spec, f.ticks),
        "fm_ccld_amt": _money(amount), "fm_futr_ccld_amt": _money(futr),
        "fm_opt_ccld_amt": _money(opt),
        "crcy_cd": spec.currency, "fm_fee": _money(f.fee),
        "fm_futr_pure_agrm_amt": _money(futr), "fm_opt_pure_agrm_amt": _money(opt),
        "ccld_dtl_dtime": f.time.strftime("%Y%m%d%H%M%S"),
        "ord_dt": _order_day(book, f), "odno": f.odno,
        "ord_mdia_dvsn_name": "OpenAPI",
    }


def _order_day(book: FuturesBook, f: FFill) -> str:
    o = book.find(f.odno)
    return ymd(o.session_day) if o is not None else ""


_DAILY_TOTALS = ("fm_tot_ccld_qty", "fm_tot_futr_agrm_amt", "fm_tot_opt_agrm_amt", "fm_fee_smtl")


@register("overseas_futureoption/inquire_daily_ccld")
def inquire_daily_ccld(call: Call) -> Reply:
    """일별체결내역 (OTFM3122R): ``output1`` the fills, ``output2`` their totals."""
    book = _book(call)
    start, end = _range(call, "STRT_DT", "END_DT")
    side = call.param("SLL_BUY_DVSN_CD")
    fills = [f for f in book.fills_between(_acct(call), start, end, call.now())
             if side not in (BUY, SELL) or f.side == side]
    fields = tuple(f for f in call.api.response.all_fields() if f not in _DAILY_TOTALS)
    rows = [_only(fields, _fill_row(book, f)) for f in reversed(fills)]
    amount = sum((book.money(book.spec(f.code)[0], f.ticks, f.qty) for f in fills), _ZERO)
    totals = {"fm_tot_ccld_qty": str(sum(f.qty for f in fills)),
              "fm_tot_futr_agrm_amt": _money(amount), "fm_tot_opt_agrm_amt": "0",
              "fm_fee_smtl": _money(sum((f.fee for f in fills), _ZERO))}
    return ok(output1=rows, output2=totals, tr_cont="D")


# ------------------------------------------------------------------------------ positions


@register("overseas_futureoption/inquire_unpd")
def inquire_unpd(call: Call) -> Reply:
    """미결제내역 (OTFM1412R): one row per open position, valued at the live price."""
    book = _book(call)
    now = call.now()
    book.sync(now)
    rows = []
    kind = call.param("FUOP_DVSN") or "00"
    for code, pos in book.open_positions(_acct(call)):
        if kind in ("00", _fuop(code)):
            spec, _exp = book.spec(code)
            option = _fuop(code) == "02"
            now_ticks = book.last_ticks(code, now)
            unreal = book.unrealized(_acct(call), code, now)
            closing = SELL if pos.qty > 0 else BUY
            pending = sum(o.remaining for o in book.orders.values()
                          if o.account == _acct(call) and o.code == code
                          and o.status == "open" and o.side == closing)
            rows.append(_only(fields_of(call, "output"), {
                "cano": _acct(call)[0], "acnt_prdt_cd": _acct(call)[1],
                "ovrs_futr_fx_pdno": code, "prdt_type_cd": "", "crcy_cd": spec.currency,
                "sll_buy_dvsn_cd": BUY if pos.qty > 0 else SELL,
                "fm_ustl_qty": str(abs(pos.qty)),
                "fm_ccld_avg_pric": _avg_price(spec, pos.avg_ticks()),
                "fm_now_pric": _price(spec, now_ticks),
                "fm_evlu_pfls_amt": _money(unreal),
                "fm_opt_evlu_amt": _money(book.money(spec, now_ticks, abs(pos.qty)))
                if option else "0",
                "fm_otp_evlu_pfls_amt": _money(unreal) if option else "0",
                "fuop_dvsn": _fuop(code),
                "ecis_rsvn_ord_yn": "N", "fm_lqd_psbl_qty": str(max(0, abs(pos.qty) - pending)),
            }))
    return ok(output=rows, tr_cont="D")


# ------------------------------------------------------------------------------ money


def _view(call: Call) -> tuple[AccountView, Decimal, str]:
    """(the dollar view, the factor to show it in the asked currency, that currency)."""
    cur = (call.param("CRCY_CD") or "USD").upper()
    book = _book(call)
    now = call.now()
    view = book.view(_acct(call), "USD", now)
    if cur == "TKR":
        day = exchange(call).trading_day("KRX")
        return view, rates_of(exchange(call)).rate("USD", day, now), "KRW"
    if cur in ("USD", "TUS", "%%%", "%", "%%"):
        return view, Decimal(1), "USD"
    # a currency no listed product settles in: nothing held in it
    return AccountView(cur, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO), Decimal(1), cur


def _amounts(view: AccountView, factor: Decimal) -> dict[str, str]:
    def m(v: Decimal) -> str:
        return _money(v * factor)

    maintenance = view.margin_positions * MAINTENANCE_RATIO
    short = max(_ZERO, maintenance - view.total) if view.margin_positions else _ZERO
    risk = (view.margin * 100 / view.total) if view.total > 0 and view.margin else _ZERO
    drawable = max(_ZERO, min(view.cash, view.total) - view.margin)
    return {
        "fm_nxdy_dncl_amt": m(view.cash), "fm_tot_asst_evlu_amt": m(view.total),
        "fm_dnca_rmnd": m(view.cash), "fm_lqd_pfls_amt": m(view.realized_today),
        "fm_fee": m(view.fees_today), "fm_fuop_evlu_pfls_amt": m(view.unrealized),
        "fm_rcvb_amt": "0.00", "fm_brkg_mgn_amt": m(view.margin),
        "fm_mntn_mgn_amt": m(maintenance), "fm_add_mgn_amt": m(short),
        "fm_risk_rt": usd(risk, 2), "fm_ord_psbl_amt": m(view.orderable),
        "fm_drwg_psbl_amt": m(drawable), "fm_echm_rqrm_amt": "0.00", "fm_drwg_prar_amt": "0.00",
        "fm_opt_tr_chgs": "0.00", "fm_opt_icld_asst_evlu_amt": m(view.total),
        "fm_opt_evlu_amt": m(view.options_value), "fm_crcy_sbst_amt": "0.00",
        "fm_crcy_sbst_use_amt": "0.00", "fm_crcy_sbst_stup_amt": "0.00",
        # margin detail
        "fm_excc_brkg_mgn_amt": "0.00", "fm_ustl_mgn_amt": m(view.margin_positions),
        "fm_ord_mgn_amt": m(view.margin_orders), "fm_futr_ord_mgn_amt": m(view.margin_orders),
        "fm_gnrl_brkg_mgn_amt": m(view.margin), "fm_futr_ustl_mgn_amt": m(view.margin_positions),
        "fm_gnrl_mntn_mgn_amt": m(maintenance), "fm_futr_mntn_mgn_amt": m(maintenance),
        "fm_span_brkg_mgn_amt": m(view.margin), "fm_span_mntn_mgn_amt": m(maintenance),
        "acnt_net_risk_mgna_aply_yn": "N",
    }


@register("overseas_futureoption/inquire_deposit")
def inquire_deposit(call: Call) -> Reply:
    """예수금현황 (OTFM1411R): cash, P&L, margin and orderable amount at this instant."""
    view, factor, cur = _view(call)
    values = _amounts(view, factor) | {
        "cano": _acct(call)[0], "acnt_prdt_cd": _acct(call)[1], "crcy_cd": cur,
        "resp_dt": ymd(call.now())}
    return ok(output=_only(fields_of(call, "output"), values))


@register("overseas_futureoption/margin_detail")
def margin_detail(call: Call) -> Reply:
    """증거금상세 (OTFM3115R): initial (held for positions and orders) and maintenance margin.

    Margins are the products' flat initial margins (no SPAN offsets): SPAN/EUREX fields not
    listed in :func:`_amounts` are zero."""
    view, factor, cur = _view(call)
    values = _amounts(view, factor) | {
        "cano": _acct(call)[0], "acnt_prdt_cd": _acct(call)[1], "crcy_cd": cur,
        "resp_dt": ymd(call.now())}
    fields = fields_of(call, "output")
    return ok(output={f: values.get(f.lower(), "0.00") for f in fields})


@register("overseas_futureoption/inquire_psamount")
def inquire_psamount(call: Call) -> Reply:
    """주문가능조회 (OTFM3304R): new contracts the orderable amount covers, plus what closes."""
    code = _futures_code(call, "OVRS_FUTR_FX_PDNO")
    side = call.param("SLL_BUY_DVSN_CD")
    book = _book(call)
    now = call.now()
    with engine_errors():
        spec, _exp = book.spec(code)
        view = book.view(_acct(call), spec.currency, now)
    pos = book.positions.get((_acct(call), code))
    held = pos.qty if pos is not None else 0
    closable = (max(0, held) if side == SELL else max(0, -held))
    pending = sum(o.remaining for o in book.orders.values()
                  if o.account == _acct(call) and o.code == code and o.status == "open"
                  and o.side == side)
    closable = max(0, closable - pending)
    unit = spec.margin
    if side == BUY and _fuop(code) == "02":  # premium-settled: a bought option costs its premium
        unit = book.money(spec, book.last_ticks(code, now), 1)
    new = int((view.orderable / unit).to_integral_value(ROUND_FLOOR)) if unit > 0 else 0
    return ok(output=_only(fields_of(call, "output"), {
        "cano": _acct(call)[0], "acnt_prdt_cd": _acct(call)[1], "ovrs_futr_fx_pdno": code,
        "crcy_cd": spec.currency, "sll_buy_dvsn_cd": side, "fm_ustl_qty": str(abs(held)),
        "fm_lqd_psbl_qty": str(closable), "fm_new_ord_psbl_qty": str(new),
        "fm_tot_ord_psbl_qty": str(new + closable),
        "fm_mkpr_tot_ord_psbl_qty": str(new + closable)}))


_PERIOD_TOTALS = ("cano", "acnt_prdt_cd", "crcy_cd", "fm_buy_qty", "fm_sll_qty",
                  "fm_lqd_pfls_amt", "fm_fee", "fm_net_pfls_amt", "fm_ustl_buy_qty",
                  "fm_ustl_sll_qty", "fm_ustl_evlu_pfls_amt", "fm_ustl_evlu_pfls_amt2",
                  "fm_ustl_evlu_pfls_icdc_amt", "fm_ustl_agrm_amt", "fm_opt_lqd_amt")
_PERIOD_ROWS = ("ovrs_futr_fx_pdno", "crcy_cd", "fm_buy_qty", "fm_sll_qty", "fm_lqd_pfls_amt",
                "fm_fee", "fm_net_pfls_amt", "fm_ustl_buy_qty", "fm_ustl_sll_qty",
                "fm_ustl_evlu_pfls_amt", "fm_ccld_avg_pric")


@register("overseas_futureoption/inquire_period_ccld")
def inquire_period_ccld(call: Call) -> Reply:
    """기간계좌손익 (OTFM3118R): realized P&L and fees of the period per series (``output2``)
    and in total per currency (``output1``), with the open positions valued now."""
    book = _book(call)
    now = call.now()
    start, end = _range(call, "INQR_TERM_FROM_DT", "INQR_TERM_TO_DT")
    fills = book.fills_between(_acct(call), start, end, now)
    codes = sorted({f.code for f in fills} | {c for c, _p in book.open_positions(_acct(call))})
    rows = []
    tot: dict[str, Decimal] = {k: _ZERO for k in ("buy", "sell", "pnl", "fee", "ub", "us", "ue",
                                                     "ua")}
    for code in codes:
        spec, _exp = book.spec(code)
        mine = [f for f in fills if f.code == code]
        buy = sum(f.qty for f in mine if f.side == BUY)
        sell = sum(f.qty for f in mine if f.side == SELL)
        pnl = sum((f.realized for f in mine), _ZERO)
        fee = sum((f.fee for f in mine), _ZERO)
        pos = book.positions.get((_acct(call), code))
        held = pos.qty if pos is not None else 0
        unreal = book.unrealized(_acct(call), code, now)
        rows.append({
            "ovrs_futr_fx_pdno": code, "crcy_cd": spec.currency, "fm_buy_qty": str(buy),
            "fm_sll_qty": str(sell), "fm_lqd_pfls_amt": _money(pnl), "fm_fee": _money(fee),
            "fm_net_pfls_amt": _money(pnl - fee), "fm_ustl_buy_qty": str(max(0, held)),
            "fm_ustl_sll_qty": str(max(0, -held)), "fm_ustl_evlu_pfls_amt": _money(unreal),
            "fm_ccld_avg_pric": _avg_price(spec, pos.avg_ticks()) if held and pos else "0",
        })
        for k, v in (("buy", buy), ("sell", sell), ("pnl", pnl), ("fee", fee),
                     ("ub", max(0, held)), ("us", max(0, -held)), ("ue", unreal)):
            tot[k] += v
        if held and pos is not None:
            tot["ua"] += book.money(spec, pos.avg_ticks(), abs(held))
    summary = {
        "cano": _acct(call)[0], "acnt_prdt_cd": _acct(call)[1], "crcy_cd": "USD",
        "fm_buy_qty": str(tot["buy"]), "fm_sll_qty": str(tot["sell"]),
        "fm_lqd_pfls_amt": _money(tot["pnl"]), "fm_fee": _money(tot["fee"]),
        "fm_net_pfls_amt": _money(tot["pnl"] - tot["fee"]), "fm_ustl_buy_qty": str(tot["ub"]),
        "fm_ustl_sll_qty": str(tot["us"]), "fm_ustl_evlu_pfls_amt": _money(tot["ue"]),
        "fm_ustl_evlu_pfls_amt2": _money(tot["ue"]), "fm_ustl_evlu_pfls_icdc_amt": "0.00",
        "fm_ustl_agrm_amt": _money(tot["ua"]), "fm_opt_lqd_amt": "0.00",
    }
    # output1 is a list, one total per currency (the broker's spec: object array); the
    # simulator's futures account settles in dollars only, so it holds one row
    return ok(output1=[_only(_PERIOD_TOTALS, summary)],
              output2=[_only(_PERIOD_ROWS, r) for r in rows], tr_cont="D")


@register("overseas_futureoption/inquire_period_trans")
def inquire_period_trans(call: Call) -> Reply:
    """기간계좌거래내역 (OTFM3114R): the settlements (realized P&L less fees) of the period, one
    row per fill that moved cash, with the cash before and after."""
    book = _book(call)
    now = call.now()
    start, end = _range(call, "INQR_TERM_FROM_DT", "INQR_TERM_TO_DT")
    kind = call.param("ACNT_TR_TYPE_CD") or "1"
    fills = [] if kind == "2" else book.fills_between(_acct(call), start, end, now)
    view = book.view(_acct(call), "USD", now)
    rows = []
    # walk back from the cash now: each settlement's "before" is its "after" less its amount
    later = book.fills_between(_acct(call), end + timedelta(days=1),
                               max(end, now.astimezone(CHICAGO).date()) + timedelta(days=1), now)
    running = view.cash - sum((f.realized - f.fee for f in later), _ZERO)
    for seq, f in enumerate(reversed(fills), 1):
        net = f.realized - f.fee
        rows.append(_only(fields_of(call, "output"), {
            "bass_dt": ymd(f.time.astimezone(CHICAGO)), "cano": _acct(call)[0],
            "acnt_prdt_cd": _acct(call)[1], "fm_ldgr_inog_seq": str(seq),
            "crcy_cd": book.spec(f.code)[0].currency, "fm_iofw_amt": "0.00",
            "fm_fee": _money(f.fee), "fm_tax_amt": "0.00", "fm_sttl_amt": _money(f.realized),
            "fm_bf_dncl_amt": _money(running - net), "fm_dncl_amt": _money(running),
            "fm_rcvb_occr_amt": "0.00", "fm_rcvb_pybk_amt": "0.00", "ovdu_int_pybk_amt": "0.00",
            "rmks_text": f"{f.code} {'매수' if f.side == BUY else '매도'} {f.qty}",
        }))
        running -= net
    return ok(output=rows, tr_cont="D")
