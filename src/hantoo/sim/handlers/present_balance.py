"""해외주식 체결기준현재잔고 (CTRP6504R / paper VTRP6504R) from the engine's overseas holdings.

Why a handler and not the catalogue filler: clients read this TR as three blocks of fixed
shape — ``output1`` one row per holding, ``output2`` one row per foreign currency (its
``crcy_cd`` naming the currency every amount of the row is in), ``output3`` one summary object
in won — and a filler answer (an object for ``output1``, ten USD rows, invented names) broke
them. The catalogue lists the fields of all three blocks as one run, in KIS's documented order;
the block boundaries below are KIS's.

``WCRC_FRCR_DVSN_CD`` ``01`` (won) converts the foreign amounts of ``output1``/``output2`` at
the day's base rate (:mod:`hantoo.sim.engine.fx`); ``02`` answers them in the currency itself.
``NATN_CD`` ``000`` lists every country; ``840`` US, ``344`` Hong Kong, ``392`` Japan, ``156``
China, ``704`` Vietnam one country. ``output2`` has one row per foreign currency held.
"""

from __future__ import annotations

from decimal import Decimal

from ..engine.fx import rates_of
from ..engine.overseas_markets import AMOUNT_PLACES, PRICE_PLACES, SLOT_CURRENCY, SPECS
from ..engine.types import Side
from ..engine.views import Balance, OrderInfo, PositionInfo
from . import BusinessError, Call, Reply, ok, register
from ._common import engine_errors, exchange, krw, rate, usd
from .overseas import PRDT_TYPE

#: The first field of ``output2`` and of ``output3`` in the catalogue's run of fields.
_OUTPUT2_FIRST = "crcy_cd"
_OUTPUT3_FIRST = "pchs_amt_smtl"
_FOREIGN = SLOT_CURRENCY[1:]


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
    """Today's filled quantity and amount per (symbol, side) of the overseas orders."""
    today = call.now().date()
    with engine_errors():
        orders: list[OrderInfo] = exchange(call).order_history(account, today, today)
    out: Flows = {}
    for o in orders:
        if not o.market.is_overseas or not o.filled_qty:
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
    nations = {spec.nation_code for spec in SPECS.values()}
    if nation != "000" and nation not in nations:
        raise BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_NATN_CD ({nation[:4]!r}; "
                            f"000 전체, {', '.join(sorted(nations))})", rt_cd="2")
    f1, f2, f3 = _split(call)
    ex = exchange(call)
    with engine_errors():
        b: Balance = ex.balance(call.account)
        today = ex.trading_day("KRX")
    flows = _today_flows(call, call.account)
    fx = rates_of(ex)
    now = call.now()  # one instant for every rate of the answer

    def rate_of(cur: str) -> Decimal:
        return fx.rate(cur, today, now)

    def money(v: Decimal, cur: str) -> str:
        return krw(v * rate_of(cur)) if won else usd(v, AMOUNT_PLACES[cur])

    def wanted(p: PositionInfo) -> bool:
        return p.market.is_overseas and nation in ("000", SPECS[p.market].nation_code)

    held: list[PositionInfo] = sorted((p for p in b.positions if wanted(p)),
                                      key=lambda p: (p.market.value, p.symbol))
    rows = []
    for p in held:
        bq, ba = flows.get((p.symbol, Side.BUY), (0, Decimal(0)))
        sq, sa = flows.get((p.symbol, Side.SELL), (0, Decimal(0)))
        mk = p.market.value
        spec = SPECS[p.market]
        c = p.currency
        places = PRICE_PLACES[c]
        rows.append(_only(f1, {
            "cblc_qty13": str(p.qty), "thdt_buy_ccld_qty1": str(bq),
            "thdt_sll_ccld_qty1": str(sq), "ccld_qty_smtl1": str(p.qty),
            "ord_psbl_qty1": str(p.sellable_qty), "frcr_pchs_amt": money(p.purchase_amount, c),
            "frcr_evlu_amt2": money(p.eval_amount, c), "evlu_pfls_amt2": money(p.eval_pnl, c),
            "evlu_pfls_rt1": rate(p.eval_pnl, p.purchase_amount), "pdno": p.symbol,
            "bass_exrt": usd(rate_of(c), 4), "buy_crcy_cd": c,
            "ovrs_now_pric1": usd(p.price, places), "avg_unpr3": usd(p.avg_price, places),
            "tr_mket_name": spec.name_ko, "natn_kor_name": spec.country_ko,
            "pchs_rmnd_wcrc_amt": krw(p.purchase_amount * rate_of(c)),
            "thdt_buy_ccld_frcr_amt": money(ba, c), "thdt_sll_ccld_frcr_amt": money(sa, c),
            "unit_amt": "0", "std_pdno": "", "prdt_type_cd": PRDT_TYPE.get(mk, ""),
            "loan_rmnd": "0", "loan_dt": "", "loan_expd_dt": "", "ovrs_excg_cd": mk,
            "item_lnkg_excg_cd": mk,
        }))
    sums = {s.currency: s for s in b.summary}
    krw_sum = sums.get("KRW")
    currencies = []
    purchase = evalu = foreign_cash = reserved = buys_w = sells_w = Decimal(0)
    shown = _FOREIGN if nation == "000" else tuple(
        {spec.currency for spec in SPECS.values() if spec.nation_code == nation})
    for cur in shown:
        cs = sums.get(cur)
        mine = [p for p in held if p.currency == cur]
        if cs is None:
            continue
        r = rate_of(cur)
        purchase += sum((p.purchase_amount for p in mine), Decimal(0)) * r
        evalu += sum((p.eval_amount for p in mine), Decimal(0)) * r
        symbols = {p.symbol for p in b.positions if p.currency == cur}
        buys = sum((a for (sym, side), (_, a) in flows.items()
                    if side is Side.BUY and sym in symbols), Decimal(0))
        sells = sum((a for (sym, side), (_, a) in flows.items()
                     if side is Side.SELL and sym in symbols), Decimal(0))
        buys_w += buys * r
        sells_w += sells * r
        foreign_cash += cs.cash_d2 * r
        reserved += cs.reserved * r
        if not (cs.cash_d2 or cs.reserved or mine or buys or sells):
            continue  # a currency the account never used
        currencies.append(_only(f2, {
            "crcy_cd": cur, "frcr_buy_amt_smtl": money(buys, cur),
            "frcr_sll_amt_smtl": money(sells, cur), "frcr_dncl_amt_2": money(cs.cash_d2, cur),
            "frst_bltn_exrt": usd(r, 4), "frcr_buy_mgn_amt": money(cs.reserved, cur),
            "frcr_etc_mgna": money(Decimal(0), cur),
            "frcr_drwg_psbl_amt_1": money(cs.orderable, cur), "acpl_cstd_crcy_yn": "N",
            "nxdy_frcr_drwg_psbl_amt": money(cs.cash_d1, cur),
        }))
    pnl = evalu - purchase
    krw_cash = krw_sum.cash_d2 if krw_sum else Decimal(0)
    usd_sum = sums.get("USD")
    summary = _only(f3, {
        "pchs_amt_smtl": krw(purchase), "evlu_amt_smtl": krw(evalu),
        "evlu_pfls_amt_smtl": krw(pnl), "dncl_amt": krw(krw_cash), "cma_evlu_amt": "0",
        "tot_dncl_amt": krw(krw_cash + foreign_cash), "etc_mgna": "0",
        "wdrw_psbl_tot_amt": krw(krw_sum.orderable if krw_sum else 0),
        "frcr_evlu_tota": krw(foreign_cash + evalu), "evlu_erng_rt1": rate(pnl, purchase),
        "pchs_amt_smtl_amt": krw(purchase), "evlu_amt_smtl_amt": krw(evalu),
        "tot_evlu_pfls_amt": krw(pnl), "tot_asst_amt": krw(krw_cash + foreign_cash + evalu),
        "buy_mgn_amt": krw(reserved), "mgna_tota": krw(reserved),
        "frcr_use_psbl_amt": usd(usd_sum.orderable if usd_sum else 0, 2),
        "ustl_sll_amt_smtl": krw(sells_w), "ustl_buy_amt_smtl": krw(buys_w),
        "tot_frcr_cblc_smtl": usd((usd_sum.cash_d2 if usd_sum else 0), 2), "tot_loan_amt": "0",
    })
    return ok(output1=rows, output2=currencies, output3=summary, tr_cont="D")
