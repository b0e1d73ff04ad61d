"""`kill -9` of a served simulator keeps the bonds it acknowledged: holdings, orders and cash.

Before the bond desk was journaled, a restart showed the cash of a bond purchase gone with no
bond held. Here a real ``hantoo sim serve`` process on a state file buys a bond, leaves a sell
resting, is killed with SIGKILL and restarted on the same file: the bond balance, the bond
orders and the cash agree with what was answered before, and the resting order still works.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
from decimal import Decimal
from pathlib import Path
from typing import Any

from test_sim_serve import balance_snapshot, client, server_process

ISIN = "KR2033022D33"  # 국고채 3.25 % 2028-09-10
FACE_QTY = 2_000_000


def _bonds(c: Any) -> tuple[Any, ...]:
    bond = c.domestic_bond
    today = dt.date.today()
    lots = bond.inquire_balance(inqr_cndt="00", pdno="", buy_dt="").output
    hist = bond.inquire_daily_ccld(
        inqr_strt_dt=(today - dt.timedelta(days=30)).strftime("%Y%m%d"),
        inqr_end_dt=(today + dt.timedelta(days=30)).strftime("%Y%m%d"),
        sll_buy_dvsn_cd="%", sort_sqn_dvsn="01", pdno=ISIN, nccs_yn="N")
    return (
        [(x.pdno, x.buy_dt, x.buy_sqno, x.cblc_qty, x.buy_unpr, x.buy_amt, x.buy_erng_rt,
          x.ord_psbl_qty) for x in lots],
        [(r.odno, r.sll_buy_dvsn_cd, r.ord_qty, r.bond_ord_unpr, r.tot_ccld_qty,
          r.tot_ccld_amt, r.nccs_qty) for r in hist.output2],
    )


def test_kill_dash_nine_keeps_acknowledged_bonds(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite3"
    with server_process(state) as (proc, url):
        with client(url, tmp_path / "c1") as c:
            bond = c.domestic_bond
            cash0 = balance_snapshot(c)[1]
            price = bond.inquire_price(fid_cond_mrkt_div_code="B",
                                       fid_input_iscd=ISIN).output[0].bond_prpr
            assert isinstance(price, Decimal)
            # a limit above the quote fills at the quote of the moment
            bought = bond.buy(pdno=ISIN, ord_qty2=FACE_QTY, bond_ord_unpr=price + 100,
                              samt_mket_ptci_yn="N", bond_rtl_mket_yn="N").output[0]
            rest = bond.sell(ord_dvsn="00", pdno=ISIN, ord_qty2=500_000,
                             bond_ord_unpr=price + 800, sprx_yn="N", samt_mket_ptci_yn="N",
                             sll_agco_opps_sll_yn="N", bond_rtl_mket_yn="N").output[0]
            before = (_bonds(c), balance_snapshot(c))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    lots, orders = before[0]
    assert [(x[0], x[3]) for x in lots] == [(ISIN, FACE_QTY)]
    assert [(o[0], o[4], o[6]) for o in orders] == [(bought.odno, FACE_QTY, 0),
                                                    (rest.odno, 0, 500_000)]
    assert before[1][1] != cash0  # the purchase moved cash

    with server_process(state) as (_proc, url), client(url, tmp_path / "c2") as c:
        assert (_bonds(c), balance_snapshot(c)) == before
        # the resting sell is still open: cancelling it is accepted and frees the lot
        c.domestic_bond.order_rvsecncl(pdno=ISIN, orgn_odno=str(rest.odno), ord_qty2=0,
                                       bond_ord_unpr=price + 800, qty_all_ord_yn="Y",
                                       rvse_cncl_dvsn_cd="02")
        lots = c.domestic_bond.inquire_balance(inqr_cndt="00", pdno="", buy_dt="").output
        assert [x.ord_psbl_qty for x in lots] == [FACE_QTY]
