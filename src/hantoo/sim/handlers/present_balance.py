"""해외주식 체결기준현재잔고 (CTRP6504R / paper VTRP6504R) from the engine's US account.

Why a handler and not the catalogue filler: clients read this TR as three blocks of fixed
shape — ``output1`` one row per holding, ``output2`` one row per foreign currency (its
``crcy_cd`` naming the currency every amount of the row is in), ``output3`` one summary object
in won — and a filler answer (an object for ``output1``, ten USD rows, invented names) broke
them. The catalogue lists the fields of all three blocks as one run, in KIS's documented order;
the block boundaries below are KIS's.

``WCRC_FRCR_DVSN_CD`` ``01`` (won) converts the foreign amounts of ``output1``/``output2`` at
the base rate; ``02`` answers them in the currency itself. ``NATN_CD`` ``000`` (all) or ``840``
(US) lists the US holdings; any other country has none in the simulator.
"""

from __future__ import annotations

from decimal import Decimal

from ..engine.types import Side
from ..engine.views import Balance, OrderInfo, PositionInfo
from . import BusinessError, Call, Reply, ok, register
from ._common import engine_errors, exchange, krw, rate, usd
from .overseas import USD_KRW

#: The first field of ``output2`` and of ``output3`` in the catalogue's run of fields.
_OUTPUT2_FIRST = "crcy_cd"
_OUTPUT3_FIRST = "pchs_amt_smtl"
_MARKET_NAME = {"NASD": "나스닥", "NYSE": "뉴욕", "AMEX": "아멕스"}
_PRDT_TYPE = {"NASD": "512", "NYSE": "513", "AMEX": "529"}


def _split(call: Call) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    fields = [f for f in call.api.response.all_fields() if not f.startswith("output")]
    i2 = fields.index(_OUTPUT2_FIRST)
    i3 = fields.index(_OUTPUT3_FIRST)
    return tuple(fields[:i2]), tuple(fields[i2:i3]), tuple(fields[i3:])


def _only(fields: tuple[str, ...], values: dict[str, str]) -> dict[str, str]:
    """Every documented field of a block, in order; one the simulator does not track is "0"
    for amounts and blank otherwise (never invented)."""
    return {f: values.get(f, "") for f in fields}


Flows = dict[tuple[str, Side], tuple[int, Decimal]]


def _today_flows(call: Call, account: tuple[str, str]) -> Flows:
    """Today's filled quantity and amount per (symbol, side) of the US orders."""
    today = call.now().date()
    with engine_errors():
        orders: list[OrderInfo] = exchange(call).order_history(account, today, today)
    out: Flows = {}
    for o in orders:
        if not o.market.is_us or not o.filled_qty:
            continue
        qty, amt = out.get((o.symbol, o.side), (0, Decimal(0)))
        out[(o.symbol, o.side)] = (qty + o.filled_qty, amt + o.fill_amount)
    return out


@register("overseas_stock/inquire_present_balance")
def inquire_present_balance(call: Call) -> Reply:
    """해외주식 체결기준현재잔고: holdings, currencies, won summary."""
    if call.account is None:
        raise BusinessError("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
    won = call.param("WCRC_FRCR_DVSN_CD") == "01"
    nation = call.param("NATN_CD") or "000"
    f1, f2, f3 = _split(call)
    with engine_errors():
        b: Balance = exchange(call).balance(call.account)
    flows = _today_flows(call, call.account)
    fx = USD_KRW

    def money(v: Decimal) -> str:
        return krw(v * fx) if won else usd(v, 2)

    us: list[PositionInfo] = (
        sorted((p for p in b.positions if p.currency == "USD"), key=lambda p: p.symbol)
        if nation in ("000", "840") else []
    )
    rows = []
    for p in us:
        bq, ba = flows.get((p.symbol, Side.BUY), (0, Decimal(0)))
        sq, sa = flows.get((p.symbol, Side.SELL), (0, Decimal(0)))
        mk = p.market.value
        rows.append(_only(f1, {
            "cblc_qty13": str(p.qty), "thdt_buy_ccld_qty1": str(bq),
            "thdt_sll_ccld_qty1": str(sq), "ccld_qty_smtl1": str(p.qty),
            "ord_psbl_qty1": str(p.sellable_qty), "frcr_pchs_amt": money(p.purchase_amount),
            "frcr_evlu_amt2": money(p.eval_amount), "evlu_pfls_amt2": money(p.eval_pnl),
            "evlu_pfls_rt1": rate(p.eval_pnl, p.purchase_amount), "pdno": p.symbol,
            "bass_exrt": usd(fx, 4), "buy_crcy_cd": "USD", "ovrs_now_pric1": usd(p.price, 4),
            "avg_unpr3": usd(p.avg_price, 4), "tr_mket_name": _MARKET_NAME.get(mk, mk),
            "natn_kor_name": "미국", "pchs_rmnd_wcrc_amt": krw(p.purchase_amount * fx),
            "thdt_buy_ccld_frcr_amt": money(ba), "thdt_sll_ccld_frcr_amt": money(sa),
            "unit_amt": "0", "std_pdno": "", "prdt_type_cd": _PRDT_TYPE.get(mk, ""),
            "loan_rmnd": "0", "loan_dt": "", "loan_expd_dt": "", "ovrs_excg_cd": mk,
            "item_lnkg_excg_cd": mk,
        }))
    usd_sum = next((s for s in b.summary if s.currency == "USD"), None)
    krw_sum = next((s for s in b.summary if s.currency == "KRW"), None)
    currencies = []
    buys = sum((a for (_, side), (_, a) in flows.items() if side is Side.BUY), Decimal(0))
    sells = sum((a for (_, side), (_, a) in flows.items() if side is Side.SELL), Decimal(0))
    if usd_sum is not None and nation in ("000", "840"):
        currencies.append(_only(f2, {
            "crcy_cd": "USD", "frcr_buy_amt_smtl": money(buys),
            "frcr_sll_amt_smtl": money(sells), "frcr_dncl_amt_2": money(usd_sum.cash),
            "frst_bltn_exrt": usd(fx, 4), "frcr_buy_mgn_amt": money(usd_sum.reserved),
            "frcr_etc_mgna": money(Decimal(0)),
            "frcr_drwg_psbl_amt_1": money(usd_sum.orderable), "acpl_cstd_crcy_yn": "N",
            "nxdy_frcr_drwg_psbl_amt": money(usd_sum.cash_d1),
        }))
    purchase = sum((p.purchase_amount for p in us), Decimal(0)) * fx
    evalu = sum((p.eval_amount for p in us), Decimal(0)) * fx
    pnl = evalu - purchase
    usd_cash = (usd_sum.cash_d2 if usd_sum else Decimal(0)) * fx
    krw_cash = krw_sum.cash_d2 if krw_sum else Decimal(0)
    reserved = (usd_sum.reserved if usd_sum else Decimal(0)) * fx
    summary = _only(f3, {
        "pchs_amt_smtl": krw(purchase), "evlu_amt_smtl": krw(evalu),
        "evlu_pfls_amt_smtl": krw(pnl), "dncl_amt": krw(krw_cash), "cma_evlu_amt": "0",
        "tot_dncl_amt": krw(krw_cash + usd_cash), "etc_mgna": "0",
        "wdrw_psbl_tot_amt": krw(krw_sum.orderable if krw_sum else 0),
        "frcr_evlu_tota": krw(usd_cash + evalu), "evlu_erng_rt1": rate(pnl, purchase),
        "pchs_amt_smtl_amt": krw(purchase), "evlu_amt_smtl_amt": krw(evalu),
        "tot_evlu_pfls_amt": krw(pnl), "tot_asst_amt": krw(krw_cash + usd_cash + evalu),
        "buy_mgn_amt": krw(reserved), "mgna_tota": krw(reserved),
        "frcr_use_psbl_amt": usd(usd_sum.orderable if usd_sum else 0, 2),
        "ustl_sll_amt_smtl": krw(sells * fx), "ustl_buy_amt_smtl": krw(buys * fx),
        "tot_frcr_cblc_smtl": usd((usd_sum.cash_d2 if usd_sum else 0), 2), "tot_loan_amt": "0",
    })
    return ok(output1=rows, output2=currencies, output3=summary, tr_cont="D")
