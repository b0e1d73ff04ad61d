"""`kill -9` of a served simulator keeps futures/options: positions, working orders and the cash
their premiums and fees moved all come back after a restart on the same state file.

Before the derivatives market journaled through the engine, a restart showed the option premium
paid with no option held."""

from __future__ import annotations

import datetime as dt
import os
import signal
from decimal import Decimal
from pathlib import Path
from typing import Any

from test_sim_serve import server_process

import hantoo
from hantoo.futures_options import FuturesOptions


def client(url: str, cache: Path) -> hantoo.Client:
    """The SDK with its rate limiter on: the served simulator enforces KIS's limits."""
    return hantoo.Client("sim", base_url=url, cache_dir=str(cache))


def _front_future(c: hantoo.Client) -> str:
    r = c.call("domestic_futureoption/display_board_futures", {
        "fid_cond_mrkt_div_code": "F", "fid_cond_scr_div_code": "20503",
        "fid_cond_mrkt_cls_code": "MKI"})
    return str(r.rows("output")[0].get("futs_shrn_iscd"))


def _account(c: hantoo.Client) -> dict[str, Any]:
    """What the account shows: positions, orders of the days around now, cash."""
    fo = FuturesOptions(c)
    today = dt.date.today()
    orders = sorted(
        (str(o.odno), str(o.tot_ccld_qty), str(o.qty))
        for d in range(-4, 5) for o in fo.orders(today + dt.timedelta(days=d)))
    positions = sorted((p.code, p.quantity, p.average_price, p.purchase_amount)
                       for p in fo.positions())
    balance = c.call("domestic_stock/inquire_balance", {
        "afhr_flpr_yn": "N", "inqr_dvsn": "02", "unpr_dvsn": "01", "fund_sttl_icld_yn": "N",
        "fncg_amt_auto_rdpt_yn": "N", "prcs_dvsn": "00",
    })
    return {"orders": orders, "positions": positions, "fo_cash": fo.margin().cash,
            "stock_cash": str(balance.rows("output2")[0].get("dnca_tot_amt"))}


def test_kill_dash_nine_keeps_futures_and_options(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite3"
    with server_process(state) as (proc, url), client(url, tmp_path / "c1") as c:
        fo = FuturesOptions(c)
        start = _account(c)
        fut = _front_future(c)
        bids, asks = fo.order_book(fut)
        # marketable limits (the clock runs: the book may move between reading and ordering);
        # they fill at the resting asks
        fo.place_order(fut, "buy", 2, asks[0][0] + Decimal(1))
        chain = fo.option_chain(fo.expiries()[0])
        call, _put = chain.atm()
        fo.place_order(call.code, "buy", 5, fo.order_book(call.code)[1][0][0] + Decimal("0.5"))
        resting = fo.place_order(fut, "buy", 1, bids[-1][0] - Decimal(2))
        before = _account(c)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    # there is something to lose: two series held, three orders, cash moved by the premium
    assert {p[0] for p in before["positions"]} == {fut, call.code}
    assert resting.odno in {o[0] for o in before["orders"]} and len(before["orders"]) == 3
    assert before["fo_cash"] < start["fo_cash"]

    with server_process(state) as (_proc, url), client(url, tmp_path / "c2") as c:
        after = _account(c)
        assert after == before
        # the working order is still working: it can be cancelled after the restart
        FuturesOptions(c).cancel_order(resting.odno)
        assert _account(c)["positions"] == before["positions"]
