"""Bond lifecycle through the SDK against the simulator: quote → buy → balance → resting sell →
re-price → fill → history; the cash moved is principal plus accrued interest, the lot's yield is
the yield at its price, and the 12-character ISIN is accepted everywhere."""

from __future__ import annotations

import sys
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

from hantoo.domain import to_symbol
from hantoo.errors import ApiError

sys.path.insert(0, str(Path(__file__).parent))
from simkit import ACCOUNT, private_sim

D = Decimal
ISIN = "KR2033022D33"  # 국고채 3.25 % 2028-09-10, semi-annual coupons on the 10th
FACE_QTY = 1_000_000  # face value bought, won


def _cash(sim) -> Decimal:  # type: ignore[no-untyped-def]
    krw = next(s for s in sim.state.exchange.balance(ACCOUNT).summary if s.currency == "KRW")
    return Decimal(krw.cash_d2)


def _accrued_per_10k(settle: date) -> Decimal:
    """3.25 % a year, half a coupon per period from 2026-09-10 to 2027-03-10 (simple days)."""
    prev, nxt = date(2026, 9, 10), date(2027, 3, 10)
    return (D(10_000) * D("3.25") / 200 * (settle - prev).days / (nxt - prev).days).quantize(
        D("0.01"), ROUND_HALF_UP)


def test_bond_order_fill_balance_and_history_through_the_sdk() -> None:
    assert to_symbol(ISIN).kind == "bond"
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=50_000_000)
        bond = c.domestic_bond
        q = bond.inquire_price(fid_cond_mrkt_div_code="B", fid_input_iscd=ISIN).output[0]
        price = q.bond_prpr
        assert price is not None and isinstance(price, Decimal)
        cash0 = _cash(sim)
        psbl = bond.inquire_psbl_order(pdno=ISIN, bond_ord_unpr=price).output[0]
        assert psbl.buy_psbl_qty is not None and psbl.buy_psbl_qty > FACE_QTY

        # a buy at the quote fills at once: principal + accrued interest leave the account
        ack = bond.buy(pdno=ISIN, ord_qty2=FACE_QTY, bond_ord_unpr=price,
                       samt_mket_ptci_yn="N", bond_rtl_mket_yn="N").output[0]
        assert ack.odno
        principal = (D(FACE_QTY) * price / 10_000).quantize(D(1), ROUND_DOWN)
        interest = (D(FACE_QTY) * _accrued_per_10k(date(2026, 11, 23)) / 10_000).quantize(
            D(1), ROUND_DOWN)
        assert interest > 0
        assert _cash(sim) == cash0 - principal - interest

        lots = bond.inquire_balance(inqr_cndt="00", pdno="", buy_dt="").output
        assert len(lots) == 1
        lot = lots[0]
        assert (lot.pdno, lot.cblc_qty, lot.buy_unpr, lot.buy_amt, lot.ord_psbl_qty) == (
            ISIN, FACE_QTY, price, principal, FACE_QTY)
        # the lot's yield is the quote's yield (the price is that yield's present value)
        assert abs(lot.buy_erng_rt - q.ernn_rate) <= D("0.002")  # type: ignore[operator]

        # a sell above the quote rests; selling more than held is refused
        high = price + 50
        rest = bond.sell(ord_dvsn="00", pdno=ISIN, ord_qty2=FACE_QTY, bond_ord_unpr=high,
                         sprx_yn="N", samt_mket_ptci_yn="N", sll_agco_opps_sll_yn="N",
                         bond_rtl_mket_yn="N").output[0]
        try:
            bond.sell(ord_dvsn="00", pdno=ISIN, ord_qty2=1_000, bond_ord_unpr=high, sprx_yn="N",
                      samt_mket_ptci_yn="N", sll_agco_opps_sll_yn="N", bond_rtl_mket_yn="N")
            raise AssertionError("a sell beyond the sellable quantity was accepted")
        except ApiError as e:
            assert "매도가능수량" in str(e)
        open_rows = bond.inquire_psbl_rvsecncl(ord_dt="20261123", odno=rest.odno).output
        assert [(r.odno, r.ord_psbl_qty) for r in open_rows] == [(rest.odno, FACE_QTY)]

        try:  # a partial cancel of nothing is refused, not acknowledged
            bond.order_rvsecncl(pdno=ISIN, orgn_odno=rest.odno, ord_qty2=0, bond_ord_unpr=high,
                                qty_all_ord_yn="N", rvse_cncl_dvsn_cd="02")
            raise AssertionError("a cancel of zero was accepted")
        except ApiError as e:
            assert "1,000원 단위" in str(e)

        # re-priced below the (later) quote it fills: the account gets principal + accrued back
        sim.advance(3600)
        q2 = bond.inquire_price(fid_cond_mrkt_div_code="B", fid_input_iscd=ISIN).output[0]
        cash1 = _cash(sim)
        low = q2.bond_prpr - 50  # type: ignore[operator]
        moved = bond.order_rvsecncl(pdno=ISIN, orgn_odno=rest.odno, ord_qty2=0,
                                    bond_ord_unpr=low, qty_all_ord_yn="Y",
                                    rvse_cncl_dvsn_cd="01").output[0]
        back = (D(FACE_QTY) * q2.bond_prpr / 10_000).quantize(D(1), ROUND_DOWN)  # type: ignore
        assert _cash(sim) == cash1 + back + interest  # same day: the same accrued interest
        assert bond.inquire_balance(inqr_cndt="00", pdno="", buy_dt="").output == ()

        hist = bond.inquire_daily_ccld(inqr_strt_dt="20261123", inqr_end_dt="20261123",
                                       sll_buy_dvsn_cd="%", sort_sqn_dvsn="01", pdno=ISIN,
                                       nccs_yn="N")
        rows = [(r.odno, r.sll_buy_dvsn_cd, r.tot_ccld_qty, r.nccs_qty) for r in hist.output2]
        assert rows == [(ack.odno, "02", FACE_QTY, 0), (rest.odno, "01", 0, 0),
                        (moved.odno, "01", FACE_QTY, 0)]
        assert hist.output2[2].orgn_odno == rest.odno
        assert hist.output1[0].tot_ccld_amt_smtl == principal + back
        sent = [(s.tr_id, s.body.get("RVSE_CNCL_DVSN_CD")) for s in sim.wire.sent
                if s.method == "POST" and "domestic-bond" in s.path]
        assert sent == [("TTTC0952U", None), ("TTTC0958U", None), ("TTTC0958U", None),
                        ("TTTC0953U", "02"), ("TTTC0953U", "01")]  # each order sent once
