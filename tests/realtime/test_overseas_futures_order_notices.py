"""Issue 15: overseas futures order notices (``HDFFF1C0``) over a real socket, encrypted to the
account's HTS ID and decrypted by the SDK stream: acceptance, modification, cancellation and
refusal, a stop's trigger, each agreeing with the REST order list; and a futures TR subscribed
with a key that names no series gets nothing, never synthetic records.

The simulator clock is stepped and moved only by the test: 00:30 KST on Tuesday 2026-11-24 is
09:30 on Monday in Chicago, inside CME's regular session.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import hantoo
from hantoo._generated.streams import RECORDS
from hantoo.config import SIM_ACCOUNT, SIM_APP_KEY, SIM_APP_SECRET, SIM_HTS_ID
from hantoo.domain import OrderStatus
from hantoo.errors import ApiError
from hantoo.realtime import Credentials, RealtimeStream, Subscribed
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.engine.futures_book import book_of
from hantoo.sim.engine.overseas_futures import SPECS
from hantoo.sim.server import running_server
from hantoo.sim.ws import hub_for

START = dt.datetime(2026, 11, 24, 0, 30, tzinfo=KST)
SERIES = "ESZ26"
ORDER, FILL = "HDFFF1C0", "HDFFF2C0"
ES = SPECS["ES"]


def _body(side: str, qty: int, kind: str, *, limit: Decimal | None = None,
          stop: Decimal | None = None) -> dict[str, Any]:
    return dict(ovrs_futr_fx_pdno=SERIES, sll_buy_dvsn_cd=side, fm_lqd_ustl_ccld_dt="",
                fm_lqd_ustl_ccno="", pric_dvsn_cd=kind,
                fm_limit_ord_pric="" if limit is None else str(limit),
                fm_stop_ord_pric="" if stop is None else str(stop), fm_ord_qty=qty,
                fm_lqd_lmt_ord_pric="", fm_lqd_stop_ord_pric="",
                ccld_cndt_cd="2" if kind == "2" else "6", cplx_ord_dvsn_cd="0",
                ecis_rsvn_ord_yn="N", fm_hdge_ord_scrn_yn="N")


def _odno(r: Any) -> str:
    out = r.raw["output"] if hasattr(r, "raw") else r
    return str(out.get("ODNO") if hasattr(out, "get") else out["ODNO"])


async def _notices(stream: RealtimeStream, tr: str, want: int,
                   seconds: float = 10) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    got: list[dict[str, Any]] = []
    while len(got) < want and loop.time() < deadline:
        got += [e.to_dict() for e in await stream.next_batch(100, 0.3)
                if isinstance(e, RECORDS[tr])]
    return got


async def _both(stream: RealtimeStream, seconds: float = 10) -> dict[str, list[dict[str, Any]]]:
    """One order notice and one fill notice, however the stream batches them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    got: dict[str, list[dict[str, Any]]] = {ORDER: [], FILL: []}
    while (not got[ORDER] or not got[FILL]) and loop.time() < deadline:
        for e in await stream.next_batch(100, 0.3):
            for tr in (ORDER, FILL):
                if isinstance(e, RECORDS[tr]):
                    got[tr].append(e.to_dict())
    await asyncio.sleep(0.3)  # and nothing more after them
    for e in await stream.next_batch(100, 0.3):
        for tr in (ORDER, FILL):
            if isinstance(e, RECORDS[tr]):
                got[tr].append(e.to_dict())
    return got


async def test_order_notices_accept_modify_cancel_refuse_and_trigger() -> None:
    app = create_app(SimConfig(clock_mode="stepped", clock_start=START, limits="off", seed=7,
                               activity=0))
    ex = app.sim.exchange
    ex.deposit(tuple(SIM_ACCOUNT.split("-")), Decimal(100_000), "USD")
    book = book_of(ex)
    now = app.sim.clock.now()
    last = book.last_ticks(SERIES, now)
    ahead = [(m, book.last_ticks(SERIES, now + dt.timedelta(minutes=m))) for m in range(1, 121)]
    high = max(px for _m, px in ahead)
    assert high > last + 1, "the test needs the price to rise"
    stop = high  # a buy stop the price reaches at the minute of its high
    trigger = next(m for m, px in ahead if px >= stop)
    acct = SIM_ACCOUNT.replace("-", "")
    with running_server(app=app) as (base, ws_url):
        async with RealtimeStream(
            Credentials(SIM_APP_KEY, SIM_APP_SECRET), ws_url=ws_url, base_url=base,
            environment="sim",
        ) as stream, hantoo.AsyncClient("sim", base_url=base, rate_limit=False) as client:
            await stream.subscribe(ORDER, SIM_HTS_ID)
            await stream.subscribe(FILL, SIM_HTS_ID)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            acks = 0
            while acks < 2:
                assert loop.time() < deadline
                acks += sum(isinstance(e, Subscribed) for e in await stream.next_batch(100, 0.3))
            fut = client.overseas_futureoption
            # accepted: a resting buy limit far under the market
            far = (last - 400) * ES.tick
            odno = _odno(await fut.order(**_body("02", 2, "1", limit=far)))
            (acc,) = await _notices(stream, ORDER, 1)
            assert (acc["acct_no"], acc["odno"], acc["series"]) == (acct, odno, SERIES)
            assert (acc["rvse_cncl_dvsn_cd"], acc["fm_excg_rcit_dvsn_cd"], acc["prce_tp"]) == \
                ("00", "02", "1")
            assert (acc["ord_qty"], acc["ord_remq"], acc["tot_ccld_qty"]) == (2, 2, 0)
            assert acc["fm_lmt_pric"] == far and acc["crcy_cd"] == "USD"
            # modified: the new order, naming the original
            await fut.order_rvsecncl(
                ord_dv="0", orgn_ord_dt="20261123", orgn_odno=odno,
                fm_limit_ord_pric=str(far + ES.tick), fm_stop_ord_pric="",
                fm_lqd_lmt_ord_pric="", fm_lqd_stop_ord_pric="", fm_hdge_ord_scrn_yn="N",
                fm_mkpr_cvsn_yn="N")
            (mod,) = await _notices(stream, ORDER, 1)
            assert (mod["rvse_cncl_dvsn_cd"], mod["orgn_odno"]) == ("01", odno)
            assert mod["odno"] != odno and mod["fm_lmt_pric"] == far + ES.tick
            # cancelled: nothing left
            await fut.order_rvsecncl(
                ord_dv="1", orgn_ord_dt="20261123", orgn_odno=mod["odno"],
                fm_limit_ord_pric="", fm_stop_ord_pric="", fm_lqd_lmt_ord_pric="",
                fm_lqd_stop_ord_pric="", fm_hdge_ord_scrn_yn="N", fm_mkpr_cvsn_yn="N")
            (cxl,) = await _notices(stream, ORDER, 1)
            assert (cxl["rvse_cncl_dvsn_cd"], cxl["odno"], cxl["ord_remq"]) == \
                ("02", mod["odno"], 0)
            # refused: more contracts than the margin allows; the REST answer names the reason
            with pytest.raises(ApiError, match="margin"):
                await fut.order(**_body("02", 50, "1", limit=far))
            (ref,) = await _notices(stream, ORDER, 1)
            assert (ref["fm_excg_rcit_dvsn_cd"], ref["odno"], ref["ord_qty"]) == ("03", None, 50)
            # a buy stop: accepted with its stop, then triggered and filled by the clock alone
            sodno = _odno(await fut.order(**_body("02", 1, "3", stop=stop * ES.tick)))
            (sacc,) = await _notices(stream, ORDER, 1)
            assert (sacc["odno"], sacc["prce_tp"], sacc["fm_stop_ord_pric"]) == \
                (sodno, "3", stop * ES.tick)
            assert await _notices(stream, FILL, 1, seconds=0.6) == []  # waiting
            app.sim.clock.advance(dt.timedelta(minutes=trigger))
            got = await _both(stream)  # the trigger and the fill may share a frame batch
            (trig,), (fill,) = got[ORDER], got[FILL]
            rows = (await client.call("overseas_futureoption/inquire_ccld", {
                "CCLD_NCCS_DVSN": "01", "SLL_BUY_DVSN_CD": "%%", "FUOP_DVSN": "00",
                "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""})).rows("output")
    assert trig["odno"] == sodno and trig["trd_cond"] == "T"
    at = START + dt.timedelta(minutes=trigger)
    assert trig["oprt_dtl_dtime"] == at  # the trigger minute, Korean time
    assert fill["odno"] == sodno and fill["ccld_qty"] == 1
    assert fill["fm_ccld_pric"] == (book.last_ticks(SERIES, at) + 1) * ES.tick  # at the ask
    listed = {str(o.get("odno")): o for o in rows}
    assert set(listed) == {odno, mod["odno"], sodno}  # the refused order was never booked
    assert Decimal(str(listed[sodno].get("fm_ccld_pric"))) == fill["fm_ccld_pric"]


def test_a_futures_key_naming_no_series_gets_no_records() -> None:
    """Before, an unknown key fell through to the synthetic feed and got invented prices."""
    app = create_app(SimConfig(clock_mode="stepped", clock_start=START, limits="off", seed=7,
                               activity=0))
    feed = hub_for(app.sim).feed
    sub = object()
    for tr in ("HDFFF020", "HDFFF010"):
        for key in ("ZZZZ99", "ESQ9X"):
            feed.subscribed(tr, key, sub)
            for _ in range(3):
                app.sim.clock.advance(dt.timedelta(seconds=30))
                assert feed.rows(tr, key, 1, sub) == [], (tr, key)
        # a listed series still gets its records
        feed.subscribed(tr, SERIES, sub)
        app.sim.clock.advance(dt.timedelta(seconds=30))
        assert feed.rows(tr, SERIES, 1, sub) != []



async def test_a_futures_order_handle_follows_its_notices() -> None:
    """The SDK's own handle for a resting futures order learns of its fill from the decrypted
    ``HDFFF2C0`` record (``client.apply_notice``) with no REST call, and the order list agrees
    afterwards."""
    app = create_app(SimConfig(clock_mode="stepped", clock_start=START, limits="off", seed=7,
                               activity=0))
    ex = app.sim.exchange
    ex.deposit(tuple(SIM_ACCOUNT.split("-")), Decimal(100_000), "USD")
    book = book_of(ex)
    now = app.sim.clock.now()
    ahead = [book.last_ticks(SERIES, now + dt.timedelta(minutes=m)) for m in range(1, 61)]
    low = min(ahead)
    assert book.last_ticks(SERIES, now) > low + 1, "the limit must rest at placement"
    limit = (low + 1) * ES.tick
    with running_server(app=app) as (base, ws_url):
        async with RealtimeStream(
            Credentials(SIM_APP_KEY, SIM_APP_SECRET), ws_url=ws_url, base_url=base,
            environment="sim",
        ) as stream, hantoo.AsyncClient("sim", base_url=base, rate_limit=False) as client:
            await stream.subscribe(ORDER, SIM_HTS_ID)
            await stream.subscribe(FILL, SIM_HTS_ID)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            acks = 0
            while acks < 2:
                assert loop.time() < deadline
                acks += sum(isinstance(e, Subscribed) for e in await stream.next_batch(100, 0.3))
            order = await client.place_order("CME:ESZ26", "buy", 1, limit)
            assert order.status is OrderStatus.ACCEPTED
            app.sim.clock.advance(dt.timedelta(minutes=61))
            fills: list[Any] = []
            while not fills:
                assert loop.time() < deadline, "no fill notice"
                for e in await stream.next_batch(100, 0.3):
                    if isinstance(e, (RECORDS[ORDER], RECORDS[FILL])):
                        assert client.apply_notice(e)  # the handle owns both notices
                        if isinstance(e, RECORDS[FILL]):
                            fills.append(e)
            # the handle knows from the stream alone
            known = order.snapshot
            assert known.status is OrderStatus.FILLED and known.filled_quantity == 1
            assert order.average_fill_price == limit and order.notices >= 1
            assert (await order.refresh()).status is OrderStatus.FILLED  # REST agrees
