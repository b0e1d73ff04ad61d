"""A client written only from KIS's public documents gets through a whole day (issue 13, "done").

Nothing here knows it talks to a simulator: the server is ``hantoo sim serve`` as a user starts
it (a subprocess on real sockets), the key is one it has never seen (36/180 characters), and
every call is a documented KIS call — token, quote, order book, daily candles from the
beginning of history, a buy without ``EXCG_ID_DVSN_CD``, balance, the ``H0STCNT0`` trade feed
and the ``H0STCNI0`` fill notice decrypted with the key/iv of its subscription answer (AES-256-
CBC). No ``/_sim`` endpoint is called.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import websockets
from compat_wire import (
    HTS_ID,
    Q,
    T,
    Wire,
    acct,
    balance_params,
    decrypt,
    parse_frame,
    sim_serve,
    subscribe,
)

from hantoo._generated.streams import RECORDS

NOTICE_COLS = RECORDS["H0STCNI0"].COLUMNS
TRADE_COLS = RECORDS["H0STCNT0"].COLUMNS
SYMBOL = "005930"


async def _day(rest: str, ws_url: str) -> dict[str, object]:
    seen: dict[str, object] = {}
    async with httpx.AsyncClient(base_url=rest, timeout=10) as http:
        kis = Wire(http)
        await kis.login()
        quote = await kis.get(Q + "inquire-price", "FHKST01010100",
                              {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": SYMBOL})
        assert quote.ok, quote.body
        seen["price"] = int(quote.body["output"]["stck_prpr"])
        book = await kis.get(Q + "inquire-asking-price-exp-ccn", "FHKST01010200",
                             {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": SYMBOL})
        assert book.ok, book.body
        seen["ask"] = int(book.body["output1"]["askp1"])
        candles = await kis.get(Q + "inquire-daily-itemchartprice", "FHKST03010100", {
            "FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": SYMBOL,
            "FID_INPUT_DATE_1": "00000101", "FID_INPUT_DATE_2": "99991231",
            "FID_PERIOD_DIV_CODE": "D", "FID_ORG_ADJ_PRC": "0"})
        assert candles.ok, candles.body
        seen["candles"] = candles.body["output2"]
        approval = await kis.approval_key()
        async with websockets.connect(ws_url + "/tryitout") as ws:
            ciphers: dict[str, tuple[str, str]] = {}
            for tr_id, key in (("H0STCNT0", SYMBOL), ("H0STCNI0", HTS_ID)):
                await ws.send(subscribe(approval, tr_id, key))
            while len(ciphers) < 2:
                ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if ack["header"]["tr_id"] == "PINGPONG":
                    await ws.send(json.dumps(ack))
                    continue
                assert ack["body"]["msg1"] == "SUBSCRIBE SUCCESS", ack
                out = ack["body"].get("output") or {}
                ciphers[ack["header"]["tr_id"]] = (out.get("key", ""), out.get("iv", ""))
            order = await kis.post(T + "order-cash", "TTTC0012U", acct(
                PDNO=SYMBOL, ORD_DVSN="01", ORD_QTY="5", ORD_UNPR="0"))
            assert order.ok, order.body
            seen["odno"] = order.body["output"]["ODNO"]
            trades: list[dict[str, str]] = []
            fills: list[dict[str, str]] = []
            deadline = time.monotonic() + 20
            while sum(int(f["CNTG_QTY"]) for f in fills) < 5 or not trades:
                assert time.monotonic() < deadline, (trades[-2:], fills)
                msg = await asyncio.wait_for(ws.recv(), deadline - time.monotonic())
                assert isinstance(msg, str)
                if msg.startswith("{"):
                    data = json.loads(msg)
                    if data["header"]["tr_id"] == "PINGPONG":
                        await ws.send(msg)  # echo, as the documents say
                    continue
                flag, tr_id, count, payload = parse_frame(msg)
                if flag == "1":
                    key, iv = ciphers[tr_id]
                    payload = decrypt(payload, key, iv)
                values = payload.split("^")
                cols = NOTICE_COLS if tr_id == "H0STCNI0" else TRADE_COLS
                for i in range(count):
                    rec = dict(zip(cols, values[i * len(cols):(i + 1) * len(cols)], strict=True))
                    if tr_id == "H0STCNT0":
                        trades.append(rec)
                    elif rec["CNTG_YN"] == "2":
                        fills.append(rec)
            seen["trades"], seen["fills"] = trades, fills
        balance = await kis.get(T + "inquire-balance", "TTTC8434R", balance_params())
        assert balance.ok, balance.body
        seen["holding"] = sum(int(r["hldg_qty"]) for r in balance.body["output1"]
                              if r["pdno"] == SYMBOL)
        seen["sent"] = list(kis.sent)
    return seen


async def test_a_documents_only_client_gets_through_the_day() -> None:
    with sim_serve() as (rest, ws_url):
        seen = await asyncio.wait_for(_day(rest, ws_url), 45)
    assert seen["price"] > 0 and seen["ask"] >= seen["price"]  # type: ignore[operator]
    candles = seen["candles"]
    assert isinstance(candles, list) and len(candles) == 100
    fills = seen["fills"]
    assert isinstance(fills, list)
    assert {f["ODER_NO"] for f in fills} == {seen["odno"]}
    assert {f["CUST_ID"] for f in fills} == {HTS_ID}
    assert sum(int(f["CNTG_QTY"]) for f in fills) == 5
    trades = seen["trades"]
    assert isinstance(trades, list) and all(int(t["CNTG_VOL"]) > 0 for t in trades)
    assert seen["holding"] == 5
    sent = seen["sent"]
    assert isinstance(sent, list) and not any("/_sim" in p for p in sent)
