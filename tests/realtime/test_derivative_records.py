"""Issue 14: futures/options realtime records come from the derivatives market, over a real socket.

A KOSPI200 futures contract and an option are bought through the SDK against the served
simulator (stepped clock, no background activity): the trade record (``H0IFCNT0`` /
``H0IOCNT0``) carries the REST fill's price and quantity, the day's volume the REST quote shows
and the simulator's time; the book record (``H0IFASP0``) is the REST order book; the fill
notice (``H0IFCNI0``) reaches the HTS ID encrypted, after the order's acceptance notice, and
agrees with the REST fill.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal

import httpx
from websockets.sync.client import ClientConnection, connect

import hantoo
from hantoo._generated.streams import RECORDS
from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET, SIM_HTS_ID
from hantoo.futures_options import FuturesOptions
from hantoo.realtime.crypto import decrypt
from hantoo.realtime.frames import subscribe_message
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.derivatives.market import market_for
from hantoo.sim.engine.clock import KST
from hantoo.sim.server import running_server

START = datetime(2026, 11, 23, 10, 0, tzinfo=KST)
FRONT = "A01612"  # KOSPI200 futures, December 2026 (front quarter on the pinned clock)


def _records(ws: ClientConnection, tr_id: str, want: int, seconds: float
             ) -> list[dict[str, str]]:
    cols = [c.upper() for c in RECORDS[tr_id].COLUMNS]
    out: list[dict[str, str]] = []
    deadline = time.monotonic() + seconds
    while len(out) < want:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            msg = ws.recv(timeout=left)
        except TimeoutError:
            break
        if not isinstance(msg, str) or not msg.startswith(f"0|{tr_id}|"):
            continue
        _flag, _tr, count, payload = msg.split("|", 3)
        values = payload.split("^")
        assert len(values) == int(count) * len(cols)
        for i in range(int(count)):
            out.append(dict(zip(cols, values[i * len(cols):(i + 1) * len(cols)], strict=True)))
    return out


@contextmanager
def _served() -> Iterator[tuple[object, hantoo.Client, ClientConnection, str]]:
    app = create_app(SimConfig(clock_mode="stepped", clock_start=START, limits="off", seed=7,
                               activity=0))
    with running_server(app=app) as (base, ws_url), \
            hantoo.Client("sim", base_url=base, rate_limit=False) as client, \
            connect(ws_url + "/tryitout") as ws:
        approval = httpx.post(f"{base}/oauth2/Approval", json={
            "grant_type": "client_credentials", "appkey": SIM_APP_KEY,
            "secretkey": SIM_APP_SECRET}).json()["approval_key"]
        yield app, client, ws, approval


def _subscribe(ws: ClientConnection, approval: str, tr_id: str, key: str) -> None:
    ws.send(subscribe_message(approval, tr_id, key))
    deadline = time.monotonic() + 5
    while True:
        msg = ws.recv(timeout=max(deadline - time.monotonic(), 0.01))
        if isinstance(msg, str) and msg.startswith("{"):
            ack = json.loads(msg)
            if ack["header"].get("tr_id") == tr_id:
                assert ack["body"]["msg1"] == "SUBSCRIBE SUCCESS", ack
                return


def test_futures_trade_and_book_records_agree_with_rest() -> None:
    with _served() as (app, client, ws, approval):
        fo = FuturesOptions(client)
        _subscribe(ws, approval, "H0IFASP0", FRONT)
        (book,) = _records(ws, "H0IFASP0", 1, 5)
        bids, asks = fo.order_book(FRONT)
        assert book["FUTS_SHRN_ISCD"] == FRONT
        for k in range(5):
            assert (Decimal(book[f"FUTS_ASKP{k + 1}"]), int(book[f"ASKP_RSQN{k + 1}"])) == asks[k]
            assert (Decimal(book[f"FUTS_BIDP{k + 1}"]), int(book[f"BIDP_RSQN{k + 1}"])) == bids[k]
        assert book["TOTAL_ASKP_RSQN"] == str(sum(q for _, q in asks))

        _subscribe(ws, approval, "H0IFCNT0", FRONT)
        # nothing traded yet: no snapshot, no zero-volume record
        assert _records(ws, "H0IFCNT0", 1, 0.6) == []
        best_ask, _ = asks[0]
        ack = fo.place_order(FRONT, "buy", 2, best_ask)
        now = app.sim.clock.now()  # type: ignore[attr-defined]
        (row,) = [r for r in fo.orders(now.date()) if r.odno == ack.odno]
        assert row.tot_ccld_qty == 2
        (rec,) = _records(ws, "H0IFCNT0", 1, 5)
        assert _records(ws, "H0IFCNT0", 1, 0.6) == [], "one record per trade"
        quote = fo.quote(FRONT)
        assert Decimal(rec["FUTS_PRPR"]) == row.avg_idx == quote.price
        assert rec["LAST_CNQN"] == "2" and int(rec["ACML_VOL"]) == quote.volume == 2
        assert rec["BSOP_HOUR"] == now.strftime("%H%M%S")
        assert rec["SHNU_CNTG_SMTN"] == "2" and rec["SELN_CNTG_SMTN"] == "0"
        assert Decimal(rec["FUTS_OPRC"]) == Decimal(rec["FUTS_HGPR"]) == Decimal(
            rec["FUTS_LWPR"]) == quote.price
        assert Decimal(rec["FUTS_PRPR"]) % Decimal("0.05") == 0  # the KOSPI200 futures tick
        # the sell side: a second record, cumulative volume rising
        bids, _ = fo.order_book(FRONT)
        sell = fo.place_order(FRONT, "sell", 3, bids[0][0])
        (row2,) = [r for r in fo.orders(now.date()) if r.odno == sell.odno]
        recs = _records(ws, "H0IFCNT0", 3, 3)
        assert sum(int(r["LAST_CNQN"]) for r in recs) == row2.tot_ccld_qty == 3
        assert [int(r["ACML_VOL"]) for r in recs][-1] == 5
        assert all(int(r["LAST_CNQN"]) > 0 for r in recs)
        assert {Decimal(r["FUTS_PRPR"]) for r in recs} == {row2.avg_idx}
        assert recs[-1]["SELN_CNTG_SMTN"] == "3"


def test_option_trade_record_agrees_with_rest() -> None:
    with _served() as (app, client, ws, approval):
        fo = FuturesOptions(client)
        m = market_for(app.sim.exchange)  # type: ignore[attr-defined]
        opt = next(i for i in m.listing().options()
                   if i.kind == "call" and not i.product.on_stock
                   and m.snapshot(i.code).asks and m.snapshot(i.code).price > 1)
        _subscribe(ws, approval, "H0IOCNT0", opt.code)
        assert _records(ws, "H0IOCNT0", 1, 0.6) == []
        _, asks = fo.order_book(opt.code)
        ack = fo.place_order(opt.code, "buy", 1, asks[0][0])
        now = app.sim.clock.now()  # type: ignore[attr-defined]
        (row,) = [r for r in fo.orders(now.date()) if r.odno == ack.odno]
        (rec,) = _records(ws, "H0IOCNT0", 1, 5)
        assert rec["OPTN_SHRN_ISCD"] == opt.code
        assert (Decimal(rec["OPTN_PRPR"]), int(rec["LAST_CNQN"])) == (row.avg_idx, 1)
        assert rec["ACML_VOL"] == "1" and rec["BSOP_HOUR"] == now.strftime("%H%M%S")
        units = int(Decimal(rec["OPTN_PRPR"]) * opt.scale)
        assert units % opt.tick_of(units) == 0  # on the option's tick grid


def test_futures_fill_notice_is_encrypted_to_the_hts_id() -> None:
    with _served() as (app, client, ws, approval):
        fo = FuturesOptions(client)
        ws.send(subscribe_message(approval, "H0IFCNI0", SIM_HTS_ID))
        deadline = time.monotonic() + 5
        while True:
            ack = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
            if ack["header"].get("tr_id") == "H0IFCNI0":
                break
        assert ack["body"]["msg1"] == "SUBSCRIBE SUCCESS"
        key, iv = ack["body"]["output"]["key"], ack["body"]["output"]["iv"]
        _, asks = fo.order_book(FRONT)
        placed = fo.place_order(FRONT, "buy", 3, asks[0][0])
        now = app.sim.clock.now()  # type: ignore[attr-defined]
        (row,) = [r for r in fo.orders(now.date()) if r.odno == placed.odno]
        cols = [c.upper() for c in RECORDS["H0IFCNI0"].COLUMNS]
        notices = []
        for _ in range(2):  # the acceptance (접수), then the fill
            msg = ws.recv(timeout=5)
            assert isinstance(msg, str)
            flag, tr_id, count, payload = msg.split("|", 3)
            assert (flag, tr_id, int(count)) == ("1", "H0IFCNI0", 1)  # encrypted, one record
            assert SIM_HTS_ID not in payload and FRONT not in payload
            notices.append(dict(zip(cols, decrypt(payload, key, iv).split("^"), strict=True)))
        accepted, notice = notices
    assert (accepted["CNTG_YN"], accepted["ACPT_YN"], accepted["ODER_NO"]) == (
        "1", "1", placed.odno)
    assert notice["CUST_ID"] == SIM_HTS_ID and notice["ODER_NO"] == placed.odno
    assert notice["STCK_SHRN_ISCD"] == FRONT and notice["SELN_BYOV_CLS"] == "02"
    assert notice["CNTG_YN"] == "2" and notice["CNTG_QTY"] == "3" == str(row.tot_ccld_qty)
    assert Decimal(notice["CNTG_UNPR"]) == row.avg_idx == asks[0][0]
    assert notice["STCK_CNTG_HOUR"] == now.strftime("%H%M%S")


def test_stock_futures_book_record_is_the_rest_book() -> None:
    """``H0ZFASP0`` names its levels ``ASKP1``..``ASKP10`` (the market quotes five)."""
    with _served() as (app, client, ws, approval):
        fo = FuturesOptions(client)
        m = market_for(app.sim.exchange)  # type: ignore[attr-defined]
        code = next(i.code for i in m.listing().futures() if i.product.on_stock)
        _subscribe(ws, approval, "H0ZFASP0", code)
        (book,) = _records(ws, "H0ZFASP0", 1, 5)
        bids, asks = fo.order_book(code)
    assert book["FUTS_SHRN_ISCD"] == code and len(asks) == len(bids) == 5
    for k in range(5):
        assert (Decimal(book[f"ASKP{k + 1}"]), int(book[f"ASKP_RSQN{k + 1}"])) == asks[k]
        assert (Decimal(book[f"BIDP{k + 1}"]), int(book[f"BIDP_RSQN{k + 1}"])) == bids[k]
    assert all(book[f"ASKP_RSQN{k}"] == "0" for k in range(6, 11))
