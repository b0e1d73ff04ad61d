"""Exchange rates and foreign-currency margin from the one FX model (:mod:`..engine.fx`).

Why: every API that shows a rate must show the same one at the same instant — the present
balance's 기준환율, the buying power's 환율, the margin per currency and the rate chart itself —
and balances in won must move when the rate does. Answered here:

* 해외주식 종목/지수/환율기간별시세 (``inquire_daily_chartprice``) for ``FID_COND_MRKT_DIV_CODE``
  ``X`` (환율): daily/weekly/monthly/yearly bars of the rate, one fixing a KRX business day
  (KIS's 매매기준율), each bar opening at the previous fixing. ``FX@KRW`` is won per dollar;
  ``FX@HKD``, ``FX@JPY``, ``FX@CNY``, ``FX@VND`` are units of the currency per dollar (the cross
  of the same won rates). Indices and the other divisions keep the catalogue's answer.
* 해외증거금 통화별조회 (``foreign_margin``): one row per foreign currency, from the engine's cash
  and what open orders hold, with the day's rate.
* 통합증거금 조회 (``domestic_stock/intgr_margin``): won and the foreign currencies side by side,
  with the integrated orderable amounts at the same rates.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .. import generic
from ..engine.fx import rates_of
from ..engine.overseas_markets import SLOT_CURRENCY
from . import BusinessError, Call, Reply, ok, register
from ._common import engine_errors, exchange, fields_of, parse_date, usd, ymd

_Q = Decimal("0.0001")
#: Rate codes: (the currency priced, the currency it is priced in).
PAIRS: dict[str, tuple[str, str]] = {
    "FX@KRW": ("USD", "KRW"), "FX@HKD": ("USD", "HKD"), "FX@JPY": ("USD", "JPY"),
    "FX@CNY": ("USD", "CNY"), "FX@VND": ("USD", "VND"),
}
_NAMES = {"FX@KRW": "원/달러", "FX@HKD": "홍콩달러/달러", "FX@JPY": "엔/달러",
          "FX@CNY": "위안/달러", "FX@VND": "동/달러"}
_COUNTRY = {"USD": "미국", "HKD": "홍콩", "JPY": "일본", "CNY": "중국", "VND": "베트남"}


def pair_rate(call: Call, code: str, day: date) -> Decimal:
    """The rate ``code`` stands for on ``day`` (4 decimals)."""
    base, quote = PAIRS[code]
    fx = rates_of(exchange(call))
    now = call.now()  # today's rate moves within the day; a past day's is its close
    return (fx.rate(base, day, now) / fx.rate(quote, day, now)).quantize(_Q, ROUND_HALF_UP)


@register("overseas_stock/inquire_daily_chartprice")
def inquire_daily_chartprice(call: Call) -> Reply:
    """Rate bars for ``X``; the catalogue's answer for indices, bonds and gold."""
    if call.param("FID_COND_MRKT_DIV_CODE").upper() != "X":
        return generic.respond(call)
    code = call.param("FID_INPUT_ISCD").strip().upper()
    if code not in PAIRS:
        raise BusinessError("MCA05918", f"종목코드 오류입니다 (FID_INPUT_ISCD={code[:16]}: "
                            f"환율 코드는 {', '.join(PAIRS)})")
    ex = exchange(call)
    cal = ex.schedules[0].calendar
    today = ex.trading_day("KRX")
    start = parse_date(call, "FID_INPUT_DATE_1", today - timedelta(days=140))
    end = min(parse_date(call, "FID_INPUT_DATE_2", today), today)
    period = (call.param("FID_PERIOD_DIV_CODE") or "D").upper()
    days = cal.business_days(start, end) if start <= end else []
    groups: list[list[date]] = []
    last_key: object = None
    for d in days:
        key: object = (d if period == "D" else d.isocalendar()[:2] if period == "W"
                       else (d.year, d.month) if period == "M" else d.year)
        if key != last_key:
            groups.append([])
            last_key = key
        groups[-1].append(d)
    rows = []
    for g in reversed(groups):
        closes = [pair_rate(call, code, d) for d in g]
        first_open = pair_rate(call, code, cal.previous_business_day(g[0]))
        rows.append({
            "stck_bsop_date": ymd(g[-1]), "ovrs_nmix_prpr": usd(closes[-1], 4),
            "ovrs_nmix_oprc": usd(first_open, 4),
            "ovrs_nmix_hgpr": usd(max([first_open, *closes]), 4),
            "ovrs_nmix_lwpr": usd(min([first_open, *closes]), 4), "acml_vol": "0",
            "mod_yn": "N"})
    now_rate = pair_rate(call, code, today)
    prev = pair_rate(call, code, cal.previous_business_day(today))
    diff = now_rate - prev
    head = {
        "ovrs_nmix_prdy_vrss": usd(abs(diff), 4),
        "prdy_vrss_sign": "2" if diff > 0 else "5" if diff < 0 else "3",
        "prdy_ctrt": usd(diff * 100 / prev, 2), "ovrs_nmix_prdy_clpr": usd(prev, 4),
        "acml_vol": "0", "hts_kor_isnm": _NAMES[code], "ovrs_nmix_prpr": usd(now_rate, 4),
        "stck_shrn_iscd": code, "prdy_vol": "0", "ovrs_prod_oprc": usd(prev, 4),
        "ovrs_prod_hgpr": usd(max(prev, now_rate), 4),
        "ovrs_prod_lwpr": usd(min(prev, now_rate), 4),
    }
    out2 = ("stck_bsop_date", "ovrs_nmix_prpr", "ovrs_nmix_oprc", "ovrs_nmix_hgpr",
            "ovrs_nmix_lwpr", "acml_vol", "mod_yn")
    return ok(output1=head, output2=[{f: r[f] for f in out2} for r in rows])


@register("overseas_stock/foreign_margin")
def foreign_margin(call: Call) -> Reply:
    """해외증거금 통화별조회 (TTTC2101R): cash, held and orderable per foreign currency; the
    integrated orderable amount adds the account's won at the day's rate."""
    if call.account is None:
        raise BusinessError("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
    ex = exchange(call)
    with engine_errors():
        b = ex.balance(call.account)
        day = ex.trading_day("KRX")
    sums = {s.currency: s for s in b.summary}
    won = sums["KRW"].orderable if "KRW" in sums else Decimal(0)
    fx = rates_of(ex)
    rows = []
    for cur in SLOT_CURRENCY[1:]:
        cs = sums.get(cur)
        r = fx.rate(cur, day, call.now())
        cash = cs.cash_d2 if cs else Decimal(0)
        orderable = cs.orderable if cs else Decimal(0)
        places = 0 if cur in ("JPY", "VND") else 2
        rows.append({f: "" for f in fields_of(call, "output")} | {
            "natn_name": _COUNTRY[cur], "frcr_dncl_amt1": usd(cash, places),
            "ustl_buy_amt": usd(0, places), "ustl_sll_amt": usd(0, places),
            "frcr_rcvb_amt": usd(0, places),
            "frcr_mgn_amt": usd(cs.reserved if cs else 0, places),
            "frcr_gnrl_ord_psbl_amt": usd(orderable, places),
            "frcr_ord_psbl_amt1": usd(orderable, places),
            "itgr_ord_psbl_amt": usd(orderable + won / r, places), "bass_exrt": usd(r, 4)})
    return ok(output=rows)


@register("domestic_stock/intgr_margin")
def intgr_margin(call: Call) -> Reply:
    """통합증거금 조회 (TTTC0869R): won and each foreign currency's cash, what open orders hold
    and what is orderable; the integrated (통합) orderable amounts add the other currencies at
    the day's rates, and the four ``*_frst_bltn_exrt`` are those rates.

    Cash-account figures only: the substitute/re-use/credit columns are zero (the simulator has
    no collateral valuation). ``WCRC_FRCR_DVSN_CD`` ``01`` (외화기준) shows each foreign
    currency's amounts in that currency, ``02`` (원화기준) in won at the same rates; the rates
    themselves are the same either way."""
    if call.account is None:
        raise BusinessError("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
    basis = call.param("WCRC_FRCR_DVSN_CD").strip() or "01"
    if basis not in ("01", "02"):
        raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_WCRC_FRCR_DVSN_CD "
                            f"({basis[:4]!r}: 01 외화기준, 02 원화기준)", rt_cd="2")
    ex = exchange(call)
    with engine_errors():
        b = ex.balance(call.account)
        day = ex.trading_day("KRX")
    fx = rates_of(ex)
    sums = {s.currency: s for s in b.summary}
    zero = Decimal(0)

    def figures(cur: str) -> tuple[Decimal, Decimal, Decimal]:
        cs = sums.get(cur)
        return (cs.cash_d2, cs.reserved, cs.orderable) if cs else (zero, zero, zero)

    won_cash, won_held, won_free = figures("KRW")
    now = call.now()
    foreign_won = sum((figures(c)[2] * fx.rate(c, day, now) for c in SLOT_CURRENCY[1:]), zero)
    values: dict[str, str] = {f: "0" for f in fields_of(call, "output")}
    whole = Decimal(1)
    values |= {
        "acmga_rt": "0", "acmga_pct100_aptm_rson": "",
        "stck_cash_objt_amt": str(won_cash.quantize(whole)),
        "stck_cash_use_amt": str(won_held.quantize(whole)),
        "stck_cash_ord_psbl_amt": str(won_free.quantize(whole)),
        "stck_cash100_max_ord_psbl_amt": str(won_free.quantize(whole)),
        "stck_itgr_cash100_ord_psbl_amt": str((won_free + foreign_won).quantize(whole)),
        "ovrs_stck_itgr_mgna_dvsn_name": "통합",
    }
    for cur in ("USD", "HKD", "JPY", "CNY"):
        cash, held, free = figures(cur)
        r = fx.rate(cur, day, now)
        others = won_free / r + sum((figures(c)[2] * fx.rate(c, day, now) / r
                                     for c in SLOT_CURRENCY[1:] if c != cur), zero)
        k = cur.lower()

        def amt(v: Decimal, rate: Decimal = r) -> str:
            return str((v * rate).quantize(whole, ROUND_HALF_UP)) if basis == "02" else usd(v, 2)

        values |= {
            f"{k}_objt_amt": amt(cash), f"{k}_use_amt": amt(held),
            f"{k}_ord_psbl_amt": amt(free), f"{k}_gnrl_ord_psbl_amt": amt(free),
            f"{k}_itgr_ord_psbl_amt": amt(free + others), f"{k}_frst_bltn_exrt": usd(r, 4),
        }
    return ok(output={f: values.get(f, "0") for f in fields_of(call, "output")})
