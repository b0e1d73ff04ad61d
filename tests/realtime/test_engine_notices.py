"""A buy filled by the matching engine produces a decrypted notice matching the daily fills."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import hantoo
from hantoo._generated.streams import RECORDS
from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET, SIM_HTS_ID
from hantoo.realtime import Credentials, RealtimeStream, Subscribed
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.server import running_server


async def test_engine_fill_notice_matches_daily_fills() -> None:
    app = create_app(SimConfig(limits="off", clock_mode="stepped", activity=0))
    with running_server(app=app) as (base_url, ws_url):
        async with RealtimeStream(
            Credentials(SIM_APP_KEY, SIM_APP_SECRET), ws_url=ws_url, base_url=base_url,
            environment="sim",
        ) as stream, hantoo.AsyncClient("sim", base_url=base_url, rate_limit=False) as client:
            await stream.subscribe_fills(SIM_HTS_ID)
            deadline = time.monotonic() + 10
            while not any(isinstance(e, Subscribed) for e in await stream.next_batch(100, 0.5)):
                assert time.monotonic() < deadline
            placed = await client.domestic_stock.order_cash(
                ord_dv="buy", pdno="005930", ord_dvsn="01", ord_qty=3, ord_unpr=0,
                excg_id_dvsn_cd="KRX",
            )
            odno = placed.output[0].odno
            fills = []
            while sum(int(f.values[f.COLUMNS.index("CNTG_QTY")]) for f in fills) < 3:
                assert time.monotonic() < deadline, "no fill notice arrived"
                for ev in await stream.next_batch(100, 0.5):
                    if (isinstance(ev, RECORDS["H0STCNI0"])
                            and ev.values[ev.COLUMNS.index("CNTG_YN")] == "2"):
                        fills.append(ev)
                await asyncio.sleep(0)
            today = dt.date.today()
            rows = [
                r async for page in client.paginate("domestic_stock/inquire_daily_ccld", {
                    "pd_dv": "inner", "inqr_strt_dt": today - dt.timedelta(days=10),
                    "inqr_end_dt": today + dt.timedelta(days=10), "sll_buy_dvsn_cd": "02",
                    "ccld_dvsn": "01", "inqr_dvsn": "00", "inqr_dvsn_3": "00",
                }) for r in page.response.rows("output1")
            ]
    (order,) = [r for r in rows if r.get("odno") == odno]
    notices = [f.to_dict() for f in fills]
    assert {n["oder_no"] for n in notices} == {odno}
    assert {n["stck_shrn_iscd"] for n in notices} == {"005930"}
    assert {n["seln_byov_cls"] for n in notices} == {"02"}
    assert sum(n["cntg_qty"] for n in notices) == order.get("tot_ccld_qty") == 3
    amount = sum(n["cntg_qty"] * n["cntg_unpr"] for n in notices)
    assert amount == order.get("tot_ccld_amt")


async def test_stream_prices_are_the_engine_prices_rest_shows() -> None:
    """H0STCNT0/H0STASP0 come from the same engine as inquire_price / the order book."""
    app = create_app(SimConfig(limits="off", clock_mode="stepped", activity=0))
    with running_server(app=app) as (base_url, ws_url):
        async with RealtimeStream(
            Credentials(SIM_APP_KEY, SIM_APP_SECRET), ws_url=ws_url, base_url=base_url,
            environment="sim",
        ) as stream, hantoo.AsyncClient("sim", base_url=base_url, rate_limit=False) as client:
            await stream.subscribe_trades("005930")
            await stream.subscribe_book("005930")
            deadline = time.monotonic() + 10
            subscribed = 0
            while subscribed < 2:
                assert time.monotonic() < deadline
                batch = await stream.next_batch(100, 0.5)
                subscribed += sum(isinstance(e, Subscribed) for e in batch)
            # Like KIS, a trade record follows a print (the stepped market is still): make one.
            await client.domestic_stock.order_cash(
                ord_dv="buy", pdno="005930", ord_dvsn="01", ord_qty=2, ord_unpr=0,
                excg_id_dvsn_cd="KRX",
            )
            got: dict[str, object] = {}
            while len(got) < 2:
                assert time.monotonic() < deadline, f"only got {sorted(got)}"
                for ev in await stream.next_batch(100, 0.5):
                    tr = getattr(ev, "TR_ID", "")
                    if tr in ("H0STCNT0", "H0STASP0"):
                        got[tr] = ev
            quote = await client.quote("005930")
            book = await client.order_book("005930")
    trade, asks = got["H0STCNT0"], got["H0STASP0"]
    assert trade.stck_prpr == quote.price  # type: ignore[attr-defined]
    assert trade.acml_vol == quote.volume  # type: ignore[attr-defined]
    assert book.best_ask is not None and book.best_bid is not None
    assert asks.askp1 == book.best_ask.price  # type: ignore[attr-defined]
    assert asks.bidp1 == book.best_bid.price  # type: ignore[attr-defined]
