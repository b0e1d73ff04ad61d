"""Issue 15: overseas futures realtime records (``HDFFF020`` trades, ``HDFFF010`` book) over a real
socket agree with the REST quote and book of the same instant, and a fill sends the encrypted
notice (``HDFFF2C0``) the order list agrees with.

The simulator clock is stepped and moved only by the test: 00:30 KST on Tuesday 2026-11-24 is
09:30 on Monday in Chicago, inside CME's regular session.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import tempfile
from decimal import Decimal
from typing import Any

import httpx
import pytest
import websockets

import hantoo
from hantoo._generated.streams import RECORDS
from hantoo.config import SIM_ACCOUNT, SIM_APP_KEY, SIM_APP_SECRET, SIM_HTS_ID
from hantoo.realtime import Credentials, RealtimeStream, Subscribed
from hantoo.realtime.frames import subscribe_message
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.engine.futures_book import book_of
from hantoo.sim.engine.futures_quotes import CHICAGO
from hantoo.sim.engine.overseas_futures import SPECS
from hantoo.sim.server import running_server
from hantoo.sim.ws import hub_for

START = dt.datetime(2026, 11, 24, 0, 30, tzinfo=KST)
SERIES = "ESZ26"
TRADE, BOOK, NOTICE = "HDFFF020", "HDFFF010", "HDFFF2C0"
COLS = {tr: [c.lower() for c in RECORDS[tr].COLUMNS] for tr in (TRADE, BOOK)}
ENCS = {tr: dict(zip(COLS[tr], RECORDS[tr].ENCODINGS, strict=True)) for tr in (TRADE, BOOK)}


def _records(msg: str) -> tuple[str, list[dict[str, str]]]:
    _flag, tr_id, count, payload = msg.split("|", 3)
    cols = COLS[tr_id]
    values = payload.split("^")
    assert len(values) == int(count) * len(cols)
    return tr_id, [dict(zip(cols, values[i * len(cols):(i + 1) * len(cols)], strict=True))
                   for i in range(int(count))]


async def _collect(ws: Any, seen: dict[str, list[dict[str, str]]], *, until_trades: int,
                   seconds: float) -> None:
    """Read frames into ``seen`` until ``until_trades`` trade records (or the deadline)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if until_trades and len(seen[TRADE]) >= until_trades:
            return
        try:
            msg = await asyncio.wait_for(ws.recv(), max(0.05, deadline - loop.time()))
        except TimeoutError:
            return
        if isinstance(msg, str) and msg[:1] == "0":
            tr_id, recs = _records(msg)
            seen[tr_id].extend(recs)


def _on_tick(value: str) -> bool:
    return Decimal(value) > 0 and Decimal(value) % SPECS["ES"].tick == 0


async def test_futures_trade_and_book_records_agree_with_the_rest_quote() -> None:
    app = create_app(SimConfig(clock_mode="stepped", clock_start=START, limits="off", seed=7,
                               activity=0))
    seen: dict[str, list[dict[str, str]]] = {TRADE: [], BOOK: []}
    with running_server(app=app) as (base, ws_url), \
            tempfile.TemporaryDirectory(prefix="hantoo-rt-") as cache, \
            hantoo.Client("sim", base_url=base, cache_dir=cache, rate_limit=False) as c:
        approval = httpx.post(f"{base}/oauth2/Approval", json={
            "grant_type": "client_credentials", "appkey": SIM_APP_KEY,
            "secretkey": SIM_APP_SECRET}).json()["approval_key"]
        async with websockets.connect(ws_url + "/tryitout") as ws:
            for tr in (TRADE, BOOK):
                await ws.send(subscribe_message(approval, tr, SERIES))
                ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
                assert ack["body"]["msg1"] == "SUBSCRIBE SUCCESS", ack
            # The clock stands still: no trade happens, so KIS sends no trade record.
            await _collect(ws, seen, until_trades=0, seconds=0.8)
            assert seen[TRADE] == []
            assert len(seen[BOOK]) == 1  # the book as it stands, once (it does not change)
            checks: list[tuple[dict[str, str], dict[str, str], Any, list[Any], dt.datetime]] = []
            for step in (60, 1, 600):
                app.sim.clock.advance(dt.timedelta(seconds=step))
                want = len(seen[TRADE]) + 1
                await _collect(ws, seen, until_trades=want, seconds=10)
                assert len(seen[TRADE]) == want, f"no trade record after {step} s"
                await _collect(ws, seen, until_trades=0, seconds=0.6)  # the book, if it moved
                assert len(seen[TRADE]) == want, "one record per move of the clock"
                (q,) = c.call("overseas_futureoption/inquire_price",
                              {"SRS_CD": SERIES}).rows("output1")
                rest_book = c.call("overseas_futureoption/inquire_asking_price",
                                   {"SRS_CD": SERIES}).rows("output2")
                checks.append((seen[TRADE][-1], seen[BOOK][-1], q, list(rest_book),
                               app.sim.clock.now()))
    prev_vol = None
    for trade, book, q, levels, now in checks:
        # the trade record is the REST quote at the same instant
        assert trade["series_cd"] == SERIES
        for field in ("last_price", "open_price", "high_price", "low_price", "prev_price",
                      "vol"):
            assert Decimal(trade[field]) == Decimal(str(q.get(field))), field
        assert Decimal(trade["prev_diff_price"]) == Decimal(str(q.get("prev_diff_price")))
        assert trade["prev_sign"] == str(q.get("prev_diff_flag"))
        assert Decimal(trade["psttl_price"]) == Decimal(str(q.get("sttl_price")))
        for col in ("last_price", "open_price", "high_price", "low_price", "prev_price"):
            assert _on_tick(trade[col]), (col, trade[col])
        assert Decimal(trade["low_price"]) <= Decimal(trade["last_price"]) \
            <= Decimal(trade["high_price"])
        for col, enc in ENCS[TRADE].items():
            if enc in ("qty", "count"):
                assert trade[col].isdigit(), (col, trade[col])
        vol, qty = int(trade["vol"]), int(trade["last_qntt"])
        assert qty > 0
        if prev_vol is not None:
            assert vol == prev_vol + qty  # the contracts traded since the previous record
        prev_vol = vol
        # times: KST receipt on the simulator clock; the exchange's own day and time in Chicago
        local = now.astimezone(CHICAGO)
        assert (trade["recv_date"], trade["recv_time"]) == (now.strftime("%Y%m%d"),
                                                            now.strftime("%H%M%S"))
        assert trade["recv_time2"] == local.strftime("%H%M%S")
        assert trade["bsns_date"] == local.strftime("%Y%m%d") == "20261123"
        # the book record is inquire_asking_price's five levels at the same instant
        assert len(levels) == 5
        for i, level in enumerate(levels, start=1):
            for side in ("bid", "ask"):
                assert Decimal(book[f"{side}_price_{i}"]) == Decimal(
                    str(level.get(f"{side}_price")))
                assert int(book[f"{side}_qntt_{i}"]) == int(level.get(f"{side}_qntt"))
                assert _on_tick(book[f"{side}_price_{i}"])
        assert Decimal(book["bid_price_1"]) < Decimal(trade["last_price"]) \
            < Decimal(book["ask_price_1"])


async def test_futures_fill_sends_the_encrypted_notice_the_order_list_agrees_with() -> None:
    """A market buy of 2 ESZ26 fills at once: one HDFFF2C0 notice to the account's HTS ID,
    decrypted by the SDK stream, with the order number, price and quantity ``inquire_ccld``
    shows."""
    app = create_app(SimConfig(clock_mode="stepped", clock_start=START, limits="off", seed=7,
                               activity=0))
    app.sim.exchange.deposit(tuple(SIM_ACCOUNT.split("-")), Decimal(100_000), "USD")
    with running_server(app=app) as (base, ws_url):
        async with RealtimeStream(
            Credentials(SIM_APP_KEY, SIM_APP_SECRET), ws_url=ws_url, base_url=base,
            environment="sim",
        ) as stream, hantoo.AsyncClient("sim", base_url=base, rate_limit=False) as client:
            await stream.subscribe(NOTICE, SIM_HTS_ID)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            while not any(isinstance(e, Subscribed) for e in await stream.next_batch(100, 0.5)):
                assert loop.time() < deadline
            await client.overseas_futureoption.order(
                ovrs_futr_fx_pdno=SERIES, sll_buy_dvsn_cd="02", fm_lqd_ustl_ccld_dt="",
                fm_lqd_ustl_ccno="", pric_dvsn_cd="2", fm_limit_ord_pric="",
                fm_stop_ord_pric="", fm_ord_qty=2, fm_lqd_lmt_ord_pric="",
                fm_lqd_stop_ord_pric="", ccld_cndt_cd="2", cplx_ord_dvsn_cd="0",
                ecis_rsvn_ord_yn="N", fm_hdge_ord_scrn_yn="N")
            notices: list[Any] = []
            while not notices:
                assert loop.time() < deadline, "no fill notice arrived"
                notices += [e for e in await stream.next_batch(100, 0.5)
                            if isinstance(e, RECORDS[NOTICE])]
            r = await client.call("overseas_futureoption/inquire_ccld", {
                "CCLD_NCCS_DVSN": "01", "SLL_BUY_DVSN_CD": "%%", "FUOP_DVSN": "00",
                "CTX_AREA_FK200": "", "CTX_AREA_NK200": ""})
            (order,) = r.rows("output")
    (n,) = [e.to_dict() for e in notices]
    assert n["acct_no"] == SIM_ACCOUNT.replace("-", "")
    assert n["odno"] == order.get("odno") and n["series"] == SERIES
    assert n["sll_buy_dvsn_cd"] == "02"
    assert n["ccld_qty"] == n["tot_ccld_qty"] == order.get("fm_ccld_qty") == 2
    assert n["ord_remq"] == 0
    assert n["fm_ccld_pric"] == Decimal(str(order.get("fm_ccld_pric")))
    assert _on_tick(str(n["fm_ccld_pric"]))
    assert n["fm_ccld_amt"] == n["fm_ccld_pric"] * 2 * SPECS["ES"].multiplier
    assert n["crcy_cd"] == "USD"


@pytest.mark.parametrize("series", ["ESZ26 C6000", "6EZ26"])
def test_option_and_fx_series_records_are_the_rest_quote(series: str) -> None:
    """The hub's feed (in process) for an option on a future and an FX future: each record's
    last price is what ``opt_price``/``inquire_price`` answer at that instant."""
    app = create_app(SimConfig(clock_mode="stepped", clock_start=START, limits="off", seed=7,
                               activity=0))
    feed = hub_for(app.sim).feed
    api = "opt_price" if " " in series else "inquire_price"
    cols = COLS[TRADE]
    sub = object()
    with running_server(app=app) as (base, _ws), \
            tempfile.TemporaryDirectory(prefix="hantoo-rt-") as cache, \
            hantoo.Client("sim", base_url=base, cache_dir=cache, rate_limit=False) as c:
        feed.subscribed(TRADE, series, sub)
        assert feed.rows(TRADE, series, 1, sub) == []  # the clock has not moved
        for _ in range(3):
            app.sim.clock.advance(dt.timedelta(seconds=45))
            (row,) = feed.rows(TRADE, series, 1, sub)
            assert feed.rows(TRADE, series, 1, sub) == []  # once per trade
            rec = dict(zip(cols, row, strict=True))
            (q,) = c.call(f"overseas_futureoption/{api}", {"SRS_CD": series}).rows("output1")
            assert rec["series_cd"] == series
            assert Decimal(rec["last_price"]) == Decimal(str(q.get("last_price")))
            assert Decimal(rec["prev_price"]) == Decimal(str(q.get("prev_price")))
            assert int(rec["vol"]) == int(str(q.get("vol")))
            tick = Decimal(str(q.get("tick_size")))
            assert Decimal(rec["last_price"]) % tick == 0


async def test_resting_futures_order_notice_arrives_with_the_clock_alone() -> None:
    """A buy limit below the market rests; moving the clock past the first minute whose price
    reaches it (found from the model, as the book's own rule) sends the notice, with no REST
    call in between, at the limit price and that minute's time."""
    app = create_app(SimConfig(clock_mode="stepped", clock_start=START, limits="off", seed=7,
                               activity=0))
    ex = app.sim.exchange
    ex.deposit(tuple(SIM_ACCOUNT.split("-")), Decimal(100_000), "USD")
    book = book_of(ex)
    spec = SPECS["ES"]
    start = app.sim.clock.now()
    later = [(m, book.last_ticks(SERIES, start + dt.timedelta(minutes=m))) for m in range(1, 61)]
    low = min(px for _m, px in later)
    assert book.last_ticks(SERIES, start) > low + 1, "the limit must rest at placement"
    limit = low + 1  # a buy fills at the first minute whose price + 1 tick reaches it
    fill_minute = next(m for m, px in later if px + 1 <= limit)
    with running_server(app=app) as (base, ws_url):
        async with RealtimeStream(
            Credentials(SIM_APP_KEY, SIM_APP_SECRET), ws_url=ws_url, base_url=base,
            environment="sim",
        ) as stream, hantoo.AsyncClient("sim", base_url=base, rate_limit=False) as client:
            await stream.subscribe(NOTICE, SIM_HTS_ID)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            while not any(isinstance(e, Subscribed) for e in await stream.next_batch(100, 0.5)):
                assert loop.time() < deadline
            await client.overseas_futureoption.order(
                ovrs_futr_fx_pdno=SERIES, sll_buy_dvsn_cd="02", fm_lqd_ustl_ccld_dt="",
                fm_lqd_ustl_ccno="", pric_dvsn_cd="1",
                fm_limit_ord_pric=str(spec.tick * limit), fm_stop_ord_pric="", fm_ord_qty=1,
                fm_lqd_lmt_ord_pric="", fm_lqd_stop_ord_pric="", ccld_cndt_cd="6",
                cplx_ord_dvsn_cd="0", ecis_rsvn_ord_yn="N", fm_hdge_ord_scrn_yn="N")
            assert [e for e in await stream.next_batch(100, 0.6)
                    if isinstance(e, RECORDS[NOTICE])] == []  # resting: no fill yet
            app.sim.clock.advance(dt.timedelta(minutes=61))
            notices: list[Any] = []
            while not notices:
                assert loop.time() < deadline, "no notice for the resting order"
                notices += [e for e in await stream.next_batch(100, 0.5)
                            if isinstance(e, RECORDS[NOTICE])]
    (n,) = [e.to_dict() for e in notices]
    assert n["fm_ccld_pric"] == spec.tick * limit == n["fm_lmt_pric"]
    assert n["ccld_qty"] == 1 and n["ord_remq"] == 0
    # the fill's own minute in Korean time, as an immediate fill's (and the REST lists) are
    when = (start + dt.timedelta(minutes=fill_minute)).astimezone(KST)
    assert n["oprt_dtl_dtime"].replace(tzinfo=None) == when.replace(tzinfo=None, second=0,
                                                                       microsecond=0)
