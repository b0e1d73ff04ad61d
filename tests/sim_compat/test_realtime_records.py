"""Issue 13 part 5 (and the record-fidelity part of issue 11): H0STCNT0 records as KIS sends them.

Raw WebSocket over a real socket; the market clock is stepped by the test (``/_sim/clock``) so
every print is the test's doing or the engine's deterministic background, never wall-clock luck.
"""

from __future__ import annotations

import asyncio
import json
import time
from decimal import ROUND_HALF_UP, Decimal

import httpx
import websockets
from compat_wire import Q, T, Wire, cash_order, make_config, parse_frame, subscribe

from hantoo._generated.streams import RECORDS
from hantoo.sim.app import create_app
from hantoo.sim.server import running_server

COLS = RECORDS["H0STCNT0"].COLUMNS
ENCS = dict(zip(COLS, RECORDS["H0STCNT0"].ENCODINGS, strict=True))
TIME_FIELDS = ("STCK_CNTG_HOUR", "OPRC_HOUR", "HGPR_HOUR", "LWPR_HOUR")


def _pct(num: int, den: int) -> Decimal:
    return (Decimal(100 * num) / den).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _tick(price: int) -> int:
    for bound, tick in ((2_000, 1), (5_000, 5), (20_000, 10), (50_000, 50), (200_000, 100),
                        (500_000, 500)):
        if price < bound:
            return tick
    return 1_000


async def _records(ws: websockets.ClientConnection, want: int, seconds: float
                   ) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    deadline = time.monotonic() + seconds
    while len(out) < want and time.monotonic() < deadline:
        try:
            msg = await asyncio.wait_for(ws.recv(), max(0.05, deadline - time.monotonic()))
        except TimeoutError:
            break
        if not isinstance(msg, str) or msg.startswith("{"):
            continue
        flag, tr_id, count, payload = parse_frame(msg)
        assert flag == "0" and tr_id == "H0STCNT0"
        values = payload.split("^")
        assert len(values) == count * len(COLS)  # several records back to back
        for i in range(count):
            out.append(dict(zip(COLS, values[i * len(COLS):(i + 1) * len(COLS)], strict=True)))
    return out


async def test_trade_records_carry_what_kis_carries() -> None:
    app = create_app(make_config())
    with running_server(app=app) as (base, ws_url):
        async with httpx.AsyncClient(base_url=base) as http:
            w = Wire(http)
            await w.login()
            approval = await w.approval_key()
            async with websockets.connect(ws_url + "/tryitout") as ws:
                await ws.send(subscribe(approval, "H0STCNT0", "005930"))
                ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
                assert ack["body"]["msg1"] == "SUBSCRIBE SUCCESS"
                # As KIS answers it: a key/iv in every subscription answer, though the TR is
                # not encrypted (its frames below are flag 0, plain text).
                assert ack["header"] == {"tr_id": "H0STCNT0", "tr_key": "005930",
                                         "encrypt": "N"}
                out = ack["body"]["output"]
                assert len(out["key"]) == 32 and len(out["iv"]) == 16
                # Nothing traded yet: KIS sends nothing (no snapshot, no zero-volume record).
                assert await _records(ws, 1, 0.6) == []
                r = await w.post(T + "order-cash", "TTTC0012U", cash_order("005930", 7))
                assert r.ok, r.body
                mine = await _records(ws, 1, 5)
                assert await _records(ws, 1, 0.6) == [], "no record follows a trade by itself"
                clock = await http.post("/_sim/clock", json={"advance_s": 60})
                assert clock.status_code == 200
                background = await _records(ws, 6, 5)
                quote = await w.get(Q + "inquire-price", "FHKST01010100",
                                    {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"})
                book = await w.get(Q + "inquire-asking-price-exp-ccn", "FHKST01010200",
                                   {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"})
                now = app.sim.clock.now()
    (own,) = mine
    assert own["CNTG_VOL"] == "7" and own["CCLD_DVSN"] == "1"
    records = mine + background
    assert len(background) == 6  # one per background print of the minute (10 s steps)
    prev_acml = int(own["ACML_VOL"]) - 7
    prev_buy = int(own["SHNU_CNTG_SMTN"]) - 7
    assert prev_buy >= 0
    for rec in records:
        for col, enc in ENCS.items():
            if enc in ("qty", "count"):
                assert rec[col].lstrip("-").isdigit(), (col, rec[col])  # integers, never 0.00
        assert rec["SELN_CNTG_SMTN"].isdigit() and rec["SHNU_CNTG_SMTN"].isdigit()
        buy, sell = int(rec["SHNU_CNTG_SMTN"]), int(rec["SELN_CNTG_SMTN"])
        # 매수비율 and 체결강도 describe one buy/sell split.
        assert Decimal(rec["SHNU_RATE"]) == _pct(buy, buy + sell), (rec["SHNU_RATE"], buy, sell)
        if sell:
            assert Decimal(rec["CTTR"]) == _pct(buy, sell)
        vol, acml = int(rec["CNTG_VOL"]), int(rec["ACML_VOL"])
        assert vol > 0 and acml == prev_acml + vol  # cumulative volume rises print by print
        prev_acml = acml
        for col in ("STCK_PRPR", "ASKP1", "BIDP1", "STCK_OPRC", "STCK_HGPR", "STCK_LWPR"):
            px = int(rec[col])
            assert px > 0 and px % _tick(px) == 0, (col, px)  # on the tick grid
        change = int(rec["PRDY_VRSS"])
        assert rec["PRDY_VRSS_SIGN"] == ("2" if change > 0 else "5" if change < 0 else "3")
        for col, sign_col in (("OPRC_VRSS_PRPR", "OPRC_VRSS_PRPR_SIGN"),
                              ("HGPR_VRSS_PRPR", "HGPR_VRSS_PRPR_SIGN"),
                              ("LWPR_VRSS_PRPR", "LWPR_VRSS_PRPR_SIGN")):
            d = int(rec[col])
            assert rec[sign_col] == ("2" if d > 0 else "5" if d < 0 else "3")
        assert int(rec["STCK_LWPR"]) <= int(rec["STCK_PRPR"]) <= int(rec["STCK_HGPR"])
        # Every time and date from the simulator's clock (2026-11-23), never the machine's.
        assert rec["BSOP_DATE"] == now.strftime("%Y%m%d")
        for col in TIME_FIELDS:
            assert "090000" <= rec[col] <= now.strftime("%H%M%S"), (col, rec[col])
        vwap = Decimal(rec["WGHN_AVRG_STCK_PRC"])
        assert vwap == (Decimal(rec["ACML_TR_PBMN"]) / acml).quantize(Decimal("0.01"))
    times = [r["STCK_CNTG_HOUR"] for r in records]
    assert times == sorted(times) and len(set(times[1:])) == 6
    assert int(own["SHNU_CNTG_CSNU"]) >= 1
    # The stream and REST tell one story at the end.
    last = records[-1]
    out = quote.body["output"]
    assert last["ACML_VOL"] == out["acml_vol"] and last["STCK_PRPR"] == out["stck_prpr"]
    assert last["ACML_TR_PBMN"] == out["acml_tr_pbmn"]
    assert last["STCK_HGPR"] == out["stck_hgpr"] and last["STCK_LWPR"] == out["stck_lwpr"]
    assert last["ASKP1"] == book.body["output1"]["askp1"]
    assert last["BIDP1"] == book.body["output1"]["bidp1"]
    assert last["TOTAL_ASKP_RSQN"] == book.body["output1"]["total_askp_rsqn"]


async def test_two_sessions_each_get_every_print() -> None:
    from compat_wire import APP_SECRET

    app = create_app(make_config())
    other_key = "PS" + "z" * 34
    with running_server(app=app) as (base, ws_url):
        async with httpx.AsyncClient(base_url=base) as http:
            a, b = Wire(http), Wire(http, app_key=other_key, app_secret=APP_SECRET)
            await a.login()
            await b.login()
            async with websockets.connect(ws_url + "/tryitout") as wa, \
                    websockets.connect(ws_url + "/") as wb:
                for w, ws in ((a, wa), (b, wb)):
                    await ws.send(subscribe(await w.approval_key(), "H0STCNT0", "005930"))
                    json.loads(await asyncio.wait_for(ws.recv(), 5))
                await asyncio.sleep(0.3)
                r = await a.post(T + "order-cash", "TTTC0012U", cash_order("005930", 3))
                assert r.ok, r.body
                got_a = await _records(wa, 1, 5)
                got_b = await _records(wb, 1, 5)
    assert [x["CNTG_VOL"] for x in got_a] == [x["CNTG_VOL"] for x in got_b] == ["3"]
    assert got_a == got_b


def test_a_new_trading_day_starts_the_tape_over() -> None:
    """The feed's per-subscriber cursor is per day: the next day's first print is sent even
    though that day's cumulative volume is still below yesterday's."""
    from hantoo.sim.engine.types import OrderType, Side
    from hantoo.sim.engine_feed import EngineFeed

    app = create_app(make_config())
    ex = app.sim.exchange
    ex.open_account("73319902", "01", krw=10**9, usd=0)
    feed = EngineFeed(ex)
    feed.subscribed("H0STCNT0", "005930", "s1")
    ex.place_order(("73319902", "01"), "005930", Side.BUY, OrderType("01"), 4, None)
    (today,) = feed.rows("H0STCNT0", "005930", sub="s1")
    assert dict(zip(COLS, today, strict=True))["CNTG_VOL"] == "4"
    app.sim.clock.advance(24 * 3600 - 50 * 60)  # Tuesday 09:10
    rows = feed.rows("H0STCNT0", "005930", sub="s1")
    recs = [dict(zip(COLS, r, strict=True)) for r in rows]
    assert recs, "the new day's prints reach the old subscriber"
    assert {r["BSOP_DATE"] for r in recs} == {"20261124"}
    assert int(recs[0]["ACML_VOL"]) == int(recs[0]["CNTG_VOL"])  # the day's first print
    acml = [int(r["ACML_VOL"]) for r in recs]
    assert acml == sorted(acml) and acml[-1] < int(dict(zip(COLS, today, strict=True))["ACML_VOL"])
