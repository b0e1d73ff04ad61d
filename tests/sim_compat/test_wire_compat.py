"""Issue 13: what existing KIS clients send, answered as KIS answers it — over the raw wire.

Each test speaks plain HTTP (httpx, in-process ASGI) or plain WebSocket (``websockets`` over a
real socket) with an app key the simulator has never seen, and no simulator-only endpoint.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time

import httpx
import pytest
import websockets
from compat_wire import (
    APP_KEY,
    HTS_ID,
    Q,
    T,
    Wire,
    acct,
    balance_params,
    cash_order,
    decrypt,
    in_process,
    make_config,
    parse_frame,
    subscribe,
)

from hantoo._generated.streams import RECORDS
from hantoo.catalog import catalog
from hantoo.sim.app import create_app
from hantoo.sim.routing import routes
from hantoo.sim.server import running_server
from hantoo.sim.wire_compat import LEGACY_TR_IDS, ORDER_PARAM_DEFAULTS

BALANCE = T + "inquire-balance"


async def _holding(w: Wire, symbol: str, tr_id: str = "TTTC8434R") -> int:
    r = await w.get(BALANCE, tr_id, balance_params())
    assert r.ok, r.body
    return sum(int(x["hldg_qty"]) for x in r.body["output1"] if x["pdno"] == symbol)


# --------------------------------------------------------------------- 1. fill notices


async def _control(ws: websockets.ClientConnection) -> dict[str, object]:
    while True:
        msg = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(msg, str)
        if msg.startswith("{"):
            data = json.loads(msg)
            if data["header"]["tr_id"] != "PINGPONG":
                return data  # type: ignore[no-any-return]


async def _notices(ws: websockets.ClientConnection, key: str, iv: str, want_qty: int,
                   deadline: float) -> list[dict[str, str]]:
    """Decrypted notice records until fills of ``want_qty`` shares arrived."""
    cols = RECORDS["H0STCNI0"].COLUMNS
    got: list[dict[str, str]] = []
    while sum(int(n["CNTG_QTY"] or 0) for n in got if n["CNTG_YN"] == "2") < want_qty:
        assert time.monotonic() < deadline, f"notices so far: {got}"
        msg = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
        if not isinstance(msg, str) or msg.startswith("{"):
            continue
        flag, tr_id, count, payload = parse_frame(msg)
        if not tr_id.startswith("H0STCNI"):
            continue
        assert flag == "1", "notices are encrypted"
        values = decrypt(payload, key, iv).split("^")
        assert count == 1 and len(values) >= len(cols)
        got.append(dict(zip(cols, values, strict=False)))
    return got


@pytest.mark.parametrize(("persona", "buy_tr", "notice_tr"),
                         [("real", "TTTC0012U", "H0STCNI0"), ("paper", "VTTC0012U", "H0STCNI9")])
async def test_fill_notice_reaches_the_hts_id_the_client_subscribed_with(
    persona: str, buy_tr: str, notice_tr: str
) -> None:
    app = create_app(make_config(persona=persona))
    with running_server(app=app) as (base, ws_url):
        async with httpx.AsyncClient(base_url=base) as http:
            w = Wire(http)
            await w.login()
            approval = await w.approval_key()
            async with websockets.connect(ws_url + "/tryitout") as ws:
                await ws.send(subscribe(approval, notice_tr, HTS_ID))
                ack = await _control(ws)
                body = ack["body"]
                assert isinstance(body, dict) and body["msg1"] == "SUBSCRIBE SUCCESS"
                key, iv = body["output"]["key"], body["output"]["iv"]
                r = await w.post(T + "order-cash", buy_tr, cash_order("005930", 3))
                assert r.ok, r.body
                odno = r.body["output"]["ODNO"]
                notices = await _notices(ws, key, iv, 3, time.monotonic() + 10)
    fills = [n for n in notices if n["CNTG_YN"] == "2"]
    assert {n["CUST_ID"] for n in notices} == {HTS_ID}
    assert {n["ODER_NO"] for n in fills} == {odno}
    assert {n["STCK_SHRN_ISCD"] for n in fills} == {"005930"}
    assert {n["SELN_BYOV_CLS"] for n in fills} == {"02"}
    assert sum(int(n["CNTG_QTY"]) for n in fills) == 3
    # The key took the first HTS ID it named, as it took the first account it used.
    rec = app.sim.auth.keys[APP_KEY]
    assert rec.hts_id == HTS_ID and rec.account == ("73319902", "01")


def test_a_bound_hts_id_is_not_taken_over_by_another() -> None:
    from hantoo.sim.notices import hts_binder

    app = create_app(make_config())
    rec = app.sim.register_key(APP_KEY, "s" * 180)
    bind = hts_binder(app.sim)
    bind(APP_KEY, HTS_ID)
    bind(APP_KEY, "someone-else")
    assert rec.hts_id == HTS_ID


# --------------------------------------------------------------------- 2. required parameters


async def test_cash_order_without_exchange_code_trades_on_krx() -> None:
    async with in_process() as (w, _):
        r = await w.post(T + "order-cash", "TTTC0012U", cash_order("005930", 2))
        assert r.ok, r.body
        assert await _holding(w, "005930") == 2
        # A resting limit order, then its cancel — neither names the exchange.
        book = await w.get(Q + "inquire-asking-price-exp-ccn", "FHKST01010200",
                           {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"})
        low = int(book.body["output1"]["bidp10"])
        r = await w.post(T + "order-cash", "TTTC0012U", cash_order("005930", 1, low, "00"))
        assert r.ok, r.body
        cancel = acct(KRX_FWDG_ORD_ORGNO=r.body["output"]["KRX_FWDG_ORD_ORGNO"],
                      ORGN_ODNO=r.body["output"]["ODNO"], ORD_DVSN="00",
                      RVSE_CNCL_DVSN_CD="02", ORD_QTY="0", ORD_UNPR="0", QTY_ALL_ORD_YN="Y")
        r = await w.post(T + "order-rvsecncl", "TTTC0013U", cancel)
        assert r.ok, r.body


async def test_what_kis_requires_is_still_refused() -> None:
    async with in_process() as (w, _):
        body = cash_order("005930", 1)
        del body["ORD_QTY"]
        r = await w.post(T + "order-cash", "TTTC0012U", body)
        assert r.status == 500 and r.body["rt_cd"] != "0"
        assert r.body["msg_cd"] == "OPSQ2001" and "ORD_QTY" in r.body["msg1"]
        r = await w.post(T + "order-cash", "TTTC0012U",
                         cash_order("005930", 1) | {"EXCG_ID_DVSN_CD": "XYZ"})
        assert r.status == 500 and "EXCG_ID_DVSN_CD" in r.body["msg1"]


def test_order_apis_require_only_what_kis_documents_and_does_not_default() -> None:
    checked = 0
    table = routes()
    for route in table.values():
        api = route.api
        if api.kind != "order":
            continue
        checked += 1
        params = {p.wire: p for p in api.params}
        for wire in route.required:
            p = params[wire]
            assert p.basis in ("doc", "raises"), (api.key, wire, p.basis)
            assert wire not in ORDER_PARAM_DEFAULTS, (api.key, wire)
        for p in api.params:
            if p.required and p.basis in ("doc", "raises") and not p.cursor:
                assert p.wire in route.required or p.wire in ORDER_PARAM_DEFAULTS



async def test_overseas_order_without_defaulted_fields_is_not_refused_for_them() -> None:
    async with in_process() as (w, _):
        r = await w.post("/uapi/overseas-stock/v1/trading/order", "TTTT1002U",
                         acct(OVRS_EXCG_CD="NASD", PDNO="AAPL", ORD_QTY="1",
                              OVRS_ORD_UNPR="100.00", ORD_DVSN="00"))
        assert r.ok, r.body


# --------------------------------------------------------------------- 3. older TR IDs


async def test_older_order_tr_ids_are_aliases_of_their_successors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with in_process() as (w, _):
        with caplog.at_level(logging.INFO, logger="hantoo.sim.compat"):
            for _ in range(2):
                r = await w.post(T + "order-cash", "TTTC0802U", cash_order("005930", 2))
                assert r.ok, r.body
                assert r.headers["tr_id"] == "TTTC0802U"  # echoed as sent
            r = await w.post(T + "order-cash", "TTTC0801U", cash_order("005930", 1))
            assert r.ok, r.body
        assert await _holding(w, "005930") == 3  # 0802 bought, 0801 sold
        old = [rec for rec in caplog.records if "TTTC0802U" in rec.getMessage()]
        assert len(old) == 1, "logged once"


async def test_older_paper_tr_ids() -> None:
    async with in_process(make_config(persona="paper")) as (w, _):
        r = await w.post(T + "order-cash", "VTTC0802U", cash_order("005930", 4))
        assert r.ok, r.body
        r = await w.post(T + "order-cash", "VTTC0801U", cash_order("005930", 1))
        assert r.ok, r.body
        assert await _holding(w, "005930", "VTTC8434R") == 3
        # An older real TR ID is still a real TR ID: the paper server refuses it.
        r = await w.post(T + "order-cash", "TTTC0802U", cash_order("005930", 1))
        assert not r.ok


async def test_strict_mode_refuses_older_tr_ids() -> None:
    async with in_process(make_config(strict_tr_ids=True)) as (w, _):
        r = await w.post(T + "order-cash", "TTTC0802U", cash_order("005930", 1))
        assert r.status == 500 and r.body["msg_cd"] == "SIM00410", r.body
        assert await _holding(w, "005930") == 0
        r = await w.post(T + "order-cash", "TTTC0012U", cash_order("005930", 1))
        assert r.ok


@pytest.mark.parametrize(("persona", "buy", "sell", "balance"),
                         [("real", "TTTC0802U", "TTTC0801U", "TTTC8434R"),
                          ("paper", "VTTC0802U", "VTTC0801U", "VTTC8434R")])
async def test_each_older_tr_id_is_logged_once_per_server(
    caplog: pytest.LogCaptureFixture, persona: str, buy: str, sell: str, balance: str,
) -> None:
    async with in_process(make_config(persona=persona)) as (w, _):
        with caplog.at_level(logging.INFO, logger="hantoo.sim.compat"):
            for tr_id, qty in ((buy, 3), (buy, 2), (sell, 1), (sell, 1)):
                r = await w.post(T + "order-cash", tr_id, cash_order("005930", qty))
                assert r.ok, (tr_id, r.body)
        assert await _holding(w, "005930", balance) == 3
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "hantoo.sim.compat"]
    assert [ln.split()[2] for ln in lines] == [buy, sell], lines  # one line each, in order
    assert all("--strict-tr-ids" in ln for ln in lines)


@pytest.mark.parametrize(("persona", "old", "new"),
                         [("real", "TTTC0801U", "TTTC0011U"),
                          ("paper", "VTTC0802U", "VTTC0012U"),
                          ("paper", "VTTC0801U", "VTTC0011U")])
async def test_strict_mode_refuses_every_older_order_tr_id(persona: str, old: str,
                                                           new: str) -> None:
    async with in_process(make_config(persona=persona, strict_tr_ids=True)) as (w, _):
        r = await w.post(T + "order-cash", old, cash_order("005930", 1))
        assert r.status == 500 and r.body["msg_cd"] == "SIM00410", r.body
        assert new in r.body["msg1"]  # names the TR IDs the path takes


def test_every_alias_names_a_current_tr_id_of_one_api() -> None:
    for old, new in LEGACY_TR_IDS.items():
        owners = {a.key for a in catalog().by_tr_id.get(new, [])}
        assert len(owners) == 1, (old, new, owners)
        assert not catalog().by_tr_id.get(old), old
        assert old[0] == new[0]  # paper stays paper, real stays real


# --------------------------------------------------------------------- 6. open-ended history


def _daily(start: str, period: str = "D") -> dict[str, str]:
    return {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930",
            "FID_INPUT_DATE_1": start, "FID_INPUT_DATE_2": "20261123",
            "FID_PERIOD_DIV_CODE": period, "FID_ORG_ADJ_PRC": "0"}


@pytest.mark.parametrize("period", ["D", "W", "M"])
async def test_daily_candles_from_the_beginning_of_history(period: str) -> None:
    async with in_process() as (w, _):
        path, tr = Q + "inquire-daily-itemchartprice", "FHKST03010100"
        r = await w.get(path, tr, _daily("00000101", period))
        assert r.ok, r.body
        rows = r.body["output2"]
        assert len(rows) == 100  # the latest page, as KIS answers it
        dates = [x["stck_bsop_date"] for x in rows]
        assert dates == sorted(dates, reverse=True) and dates[0] <= "20261123"
        explicit = await w.get(path, tr, _daily("19900101", period))
        assert explicit.body["output2"] == rows
        # Paging on from the oldest row continues the history without a gap.
        before = (dt.datetime.strptime(dates[-1], "%Y%m%d") - dt.timedelta(days=1))
        older = await w.get(path, tr, _daily("00000101", period)
                            | {"FID_INPUT_DATE_2": before.strftime("%Y%m%d")})
        assert older.ok and older.body["output2"][0]["stck_bsop_date"] < dates[-1]


@pytest.mark.parametrize("cursor", ["", "000000"])
async def test_minute_bars_from_the_session_end(cursor: str) -> None:
    async with in_process() as (w, app):
        app.sim.clock.advance(3600)  # 11:00: an hour of bars
        path, tr = Q + "inquire-time-itemchartprice", "FHKST03010200"
        params = {"FID_ETC_CLS_CODE": "", "FID_COND_MRKT_DIV_CODE": "J",
                  "FID_INPUT_ISCD": "005930", "FID_PW_DATA_INCU_YN": "Y"}
        r = await w.get(path, tr, params | {"FID_INPUT_HOUR_1": cursor})
        assert r.ok, r.body
        latest = await w.get(path, tr, params | {"FID_INPUT_HOUR_1": "110000"})
        assert len(r.body["output2"]) == 30
        assert r.body["output2"] == latest.body["output2"]
