"""Bond holdings survive a restart of a simulator on a state file (in-process).

The bond desk's commands go to the engine's command journal and its orders and lots into the
engine's snapshots, so a restart shows the bond held with the cash it cost — not the cash gone
with no bond — and the open orders keep working.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from hantoo.sim.journal import read_journal
from hantoo.sim.store import journal_path

sys.path.insert(0, str(Path(__file__).parent))
from simkit import ACCOUNT, private_sim

ISIN = "KR2033022D33"
FACE_QTY = 1_000_000


def _view(sim: Any, c: Any) -> tuple[Any, ...]:
    bond = c.domestic_bond
    lots = bond.inquire_balance(inqr_cndt="00", pdno="", buy_dt="").output
    hist = bond.inquire_daily_ccld(inqr_strt_dt="20261123", inqr_end_dt="20261130",
                                   sll_buy_dvsn_cd="%", sort_sqn_dvsn="01", pdno=ISIN,
                                   nccs_yn="N")
    krw = next(s for s in sim.state.exchange.balance(ACCOUNT).summary if s.currency == "KRW")
    return (
        [(x.pdno, x.buy_dt, x.buy_sqno, x.cblc_qty, x.buy_unpr, x.buy_amt, x.buy_erng_rt,
          x.ord_psbl_qty) for x in lots],
        [(r.odno, r.orgn_odno, r.sll_buy_dvsn_cd, r.ord_qty, r.bond_ord_unpr, r.tot_ccld_qty,
          r.tot_ccld_amt, r.nccs_qty) for r in hist.output2],
        krw.cash_d2, krw.orderable,
    )


def _sell(c: Any, qty: int, price: Decimal | int) -> Any:
    return c.domestic_bond.sell(ord_dvsn="00", pdno=ISIN, ord_qty2=qty, bond_ord_unpr=price,
                                sprx_yn="N", samt_mket_ptci_yn="N", sll_agco_opps_sll_yn="N",
                                bond_rtl_mket_yn="N").output[0]


def test_bonds_orders_and_cash_survive_a_restart(tmp_path: Path) -> None:
    state = str(tmp_path / "sim.sqlite3")
    with private_sim(state_path=state) as sim, sim.client() as c:
        sim.fund(krw=50_000_000)
        bond = c.domestic_bond
        price = bond.inquire_price(fid_cond_mrkt_div_code="B",
                                   fid_input_iscd=ISIN).output[0].bond_prpr
        assert price is not None
        bought = bond.buy(pdno=ISIN, ord_qty2=FACE_QTY, bond_ord_unpr=price,
                          samt_mket_ptci_yn="N", bond_rtl_mket_yn="N").output[0]
        sim.state.exchange.checkpoint()  # the lot in the snapshot, what follows in the journal
        rest = _sell(c, 400_000, price + 300)  # above the quote: rests
        sim.advance(600)
        cut = bond.order_rvsecncl(pdno=ISIN, orgn_odno=rest.odno, ord_qty2=100_000,
                                  bond_ord_unpr=price + 300, qty_all_ord_yn="N",
                                  rvse_cncl_dvsn_cd="02").output[0]
        assert cut.odno == rest.odno
        before = _view(sim, c)
    assert before[0] and before[0][0][3] == FACE_QTY  # the lot is held
    ops = [r[2] for r in read_journal(journal_path(Path(state)))]
    assert ops.count("bond") == 2 and "dep" not in ops  # fills' cash is in the bond records

    with private_sim(state_path=state) as sim2, sim2.client() as c2:
        assert sim2.state.clock.now() == sim.state.clock.now()  # the last command's instant
        assert _view(sim2, c2) == before
        # the resting sell is still open and still works: re-priced at the quote it fills
        q = c2.domestic_bond.inquire_price(fid_cond_mrkt_div_code="B",
                                           fid_input_iscd=ISIN).output[0].bond_prpr
        assert q is not None
        moved = c2.domestic_bond.order_rvsecncl(
            pdno=ISIN, orgn_odno=rest.odno, ord_qty2=0, bond_ord_unpr=q - 50,
            qty_all_ord_yn="Y", rvse_cncl_dvsn_cd="01").output[0]
        assert int(str(moved.odno)) > int(str(rest.odno)) > int(str(bought.odno))
        lots = c2.domestic_bond.inquire_balance(inqr_cndt="00", pdno="", buy_dt="").output
        assert [x.cblc_qty for x in lots] == [FACE_QTY - 300_000]
        after_sale = _view(sim2, c2)

    # and once more, from a snapshot taken by the restarted simulator plus nothing after it
    with private_sim(state_path=state) as sim3, sim3.client() as c3:
        sim3.state.exchange.checkpoint()
        assert _view(sim3, c3) == after_sale
    with private_sim(state_path=state) as sim4, sim4.client() as c4:
        assert _view(sim4, c4) == after_sale
