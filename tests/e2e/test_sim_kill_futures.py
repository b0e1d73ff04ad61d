"""`kill -9` of a served simulator keeps its overseas futures: positions, open orders and cash.

A real ``hantoo sim serve`` on a state file; its clock is moved into CME's regular session, a
market order fills and a far limit order rests; the server is killed with SIGKILL and restarted
on the same file: the futures positions, the order list and the futures cash must be what they
were (the unrealized P&L moves with the clock, so it is left out of the comparison).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

from test_sim_serve import client, server_process

import hantoo
from hantoo.sim.engine.exchange import US
from hantoo.sim.engine.futures_quotes import CHICAGO
from hantoo.sim.engine.overseas_futures import SPECS
from hantoo.sim.engine.overseas_markets import calendar_for

TICK = SPECS["ES"].tick


def _clock(url: str, advance_s: int | None = None) -> dt.datetime:
    """The served simulator's now (after moving it forward ``advance_s`` seconds)."""
    body = None if advance_s is None else json.dumps({"advance_s": advance_s}).encode()
    req = urllib.request.Request(url + "/_sim/clock", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return dt.datetime.fromisoformat(json.loads(r.read())["now"])


def _series(d: dt.date) -> str:
    """An E-mini S&P series trading on ``d`` whatever day the served clock starts on: the
    first quarterly contract expiring after next month (the server's day follows today's)."""
    month, year = d.month + 1, d.year
    while month % 3:
        month += 1
    if month > 12:
        month, year = month - 12, year + 1
    return f"ES{'HMUZ'[month // 3 - 1]}{year % 100:02d}"


def _into_the_session(url: str) -> str:
    """Move the clock to 09:30 Chicago of the next US business day's regular session; the
    series to trade there."""
    now = _clock(url)
    cal = calendar_for(US)
    d = now.astimezone(CHICAGO).date()
    while True:
        target = dt.datetime.combine(d, dt.time(9, 30), CHICAGO)
        if cal.is_business_day(d) and target > now:
            break
        d += dt.timedelta(days=1)
    _clock(url, int((target - now).total_seconds()))
    return _series(d)


def _call(c: hantoo.Client, key: str, params: dict[str, str]) -> Any:
    return c.call(f"overseas_futureoption/{key}", params)


def _order(c: hantoo.Client, code: str, side: str, qty: int,
           price: Decimal | None = None) -> str:
    market = price is None
    r = c.overseas_futureoption.order(
        ovrs_futr_fx_pdno=code, sll_buy_dvsn_cd=side, fm_lqd_ustl_ccld_dt="",
        fm_lqd_ustl_ccno="", pric_dvsn_cd="2" if market else "1",
        fm_limit_ord_pric="" if market else str(price), fm_stop_ord_pric="", fm_ord_qty=qty,
        fm_lqd_lmt_ord_pric="", fm_lqd_stop_ord_pric="", ccld_cndt_cd="2" if market else "6",
        cplx_ord_dvsn_cd="0", ecis_rsvn_ord_yn="N", fm_hdge_ord_scrn_yn="N")
    out = r.raw["output"]
    return str(out.get("odno") or out["ODNO"])


def _futures(c: hantoo.Client) -> tuple[list[Any], list[Any], dict[str, str]]:
    """(positions without their valuation, every order row, the cash side of the deposit)."""
    positions = [{k: v for k, v in p.items() if k not in ("fm_now_pric", "fm_evlu_pfls_amt")}
                 for p in _call(c, "inquire_unpd", {"FUOP_DVSN": "00", "CTX_AREA_FK100": "",
                                                    "CTX_AREA_NK100": ""}).raw["output"]]
    orders = list(_call(c, "inquire_ccld", {
        "CCLD_NCCS_DVSN": "01", "SLL_BUY_DVSN_CD": "%%", "FUOP_DVSN": "00",
        "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""}).raw["output"])
    dep = _call(c, "inquire_deposit", {"CRCY_CD": "USD", "INQR_DT": "20261123"}).raw["output"]
    dep = dep[0] if isinstance(dep, list) else dep
    cash = {k: str(dep.get(k)) for k in ("fm_dnca_rmnd", "fm_lqd_pfls_amt", "fm_fee",
                                         "fm_brkg_mgn_amt")}
    return positions, orders, cash


def test_kill_9_keeps_futures_positions_orders_and_cash(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite3"
    with server_process(state) as (proc, url), client(url, tmp_path / "c0") as c:
        code = _into_the_session(url)
        _order(c, code, "02", 2)  # market buy: fills at once
        (q,) = _call(c, "inquire_price", {"SRS_CD": code}).rows("output1")
        far = Decimal(str(q.get("last_price"))) - 400 * TICK
        resting = _order(c, code, "02", 1, far)  # far below the book: rests
        before = _futures(c)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    positions, orders, cash = before
    assert [(p["ovrs_futr_fx_pdno"], p["fm_ustl_qty"]) for p in positions] == [(code, "2")]
    assert [o["fm_ord_rmn_qty"] for o in orders if o["odno"] == resting] == ["1"]
    assert Decimal(cash["fm_fee"]) > 0
    with server_process(state) as (_proc, url), client(url, tmp_path / "c1") as c:
        assert _futures(c) == before
