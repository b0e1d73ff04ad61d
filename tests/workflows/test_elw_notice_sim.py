"""An ELW fill produces the same H0STCNI0 notice as a share's, over a real socket.

ELWs are ordered through the domestic stock order API, so their fills come back on the stock
fill notice (encrypted, to the account's HTS ID) and must agree with the daily fills query.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import hantoo
from hantoo._generated.streams import RECORDS
from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET, SIM_HTS_ID
from hantoo.realtime import Credentials, RealtimeStream, Subscribed
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.server import running_server

START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=KST)
ELW = "531701"  # a Samsung Electronics call, listed on the pinned clock


async def test_elw_fill_notice_matches_the_daily_fills() -> None:
    app = create_app(SimConfig(limits="off", clock_mode="stepped", clock_start=START,
                               activity=0, seed=7))
    app.sim.exchange.deposit(tuple(hantoo.config.SIM_ACCOUNT.split("-")), 10_000_000)
    with running_server(app=app) as (base_url, ws_url):
        async with RealtimeStream(
            Credentials(SIM_APP_KEY, SIM_APP_SECRET), ws_url=ws_url, base_url=base_url,
            environment="sim",
        ) as stream, hantoo.AsyncClient("sim", base_url=base_url, rate_limit=False) as client:
            await stream.subscribe_fills(SIM_HTS_ID)
            deadline = time.monotonic() + 30
            while not any(isinstance(e, Subscribed) for e in await stream.next_batch(100, 0.5)):
                assert time.monotonic() < deadline
            ask = (await client.domestic_stock.inquire_elw_price(
                fid_cond_mrkt_div_code="W", fid_input_iscd=ELW)).output[0].askp
            placed = await client.domestic_stock.order_cash(  # ELWs: limit orders only
                ord_dv="buy", pdno=ELW, ord_dvsn="00", ord_qty=30, ord_unpr=ask,
                excg_id_dvsn_cd="KRX",
            )
            odno = placed.output[0].odno
            fills = []
            while sum(int(f.values[f.COLUMNS.index("CNTG_QTY")]) for f in fills) < 30:
                assert time.monotonic() < deadline, "no fill notice arrived"
                for ev in await stream.next_batch(100, 0.5):
                    if (isinstance(ev, RECORDS["H0STCNI0"])
                            and ev.values[ev.COLUMNS.index("CNTG_YN")] == "2"):
                        fills.append(ev)
                await asyncio.sleep(0)
            day = START.date()
            rows = [
                r async for page in client.paginate("domestic_stock/inquire_daily_ccld", {
                    "pd_dv": "inner", "inqr_strt_dt": day, "inqr_end_dt": day,
                    "sll_buy_dvsn_cd": "02", "ccld_dvsn": "01", "inqr_dvsn": "00",
                    "inqr_dvsn_3": "00",
                }) for r in page.response.rows("output1")
            ]
            price = (await client.domestic_stock.inquire_elw_price(
                fid_cond_mrkt_div_code="W", fid_input_iscd=ELW)).output[0]
    (order,) = [r for r in rows if r.get("odno") == odno]
    notices = [f.to_dict() for f in fills]
    assert {n["oder_no"] for n in notices} == {odno}
    assert {n["stck_shrn_iscd"] for n in notices} == {ELW}
    assert sum(n["cntg_qty"] for n in notices) == order.get("tot_ccld_qty") == 30
    amount = sum(n["cntg_qty"] * n["cntg_unpr"] for n in notices)
    assert amount == order.get("tot_ccld_amt")
    assert all(n["cntg_unpr"] % 5 == 0 for n in notices)  # the ELW grid
    assert price.acml_vol is not None and price.acml_vol >= 30
