"""A client written only from KIS's public documents gets through a whole day (issue 13, "done").

Nothing here knows it talks to a simulator: the server is ``hantoo sim serve`` as a user starts
it (a subprocess on real sockets), the key is one it has never seen (36/180 characters), and
every call is a documented KIS call — token, quote, order book, daily candles from the
beginning of history, a buy without ``EXCG_ID_DVSN_CD``, a sell under the older TR ID
``TTTC0801U``, balance, the ``H0STCNT0`` trade feed and the ``H0STCNI0`` fill notice decrypted
with the key/iv of its subscription answer (AES-256-CBC). Realtime records are read with KIS's
column lists written out in ``compat_wire`` (nothing of hantoo). No ``/_sim`` endpoint is
called.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import websockets
from compat_wire import (
    HTS_ID,
    KIS_NOTICE_COLUMNS,
    KIS_TRADE_COLUMNS,
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

NOTICE_COLS = KIS_NOTICE_COLUMNS
TRADE_COLS = KIS_TRADE_COLUMNS
SYMBOL = "005930"
QTY_FIELDS = ("CNTG_VOL", "ACML_VOL", "ACML_TR_PBMN", "SELN_CNTG_CSNU", "SHNU_CNTG_CSNU",
              "SELN_CNTG_SMTN", "SHNU_CNTG_SMTN", "ASKP_RSQN1", "BIDP_RSQN1", "TOTAL_ASKP_RSQN",
              "TOTAL_BIDP_RSQN")
PRICE_FIELDS = ("STCK_PRPR", "STCK_OPRC", "STCK_HGPR", "STCK_LWPR", "ASKP1", "BIDP1")


def _tick(price: int) -> int:
    """KRX's stock tick size (2023 table) at ``price``."""
    for bound, tick in ((2_000, 1), (5_000, 5), (20_000, 10), (50_000, 50), (200_000, 100),
                        (500_000, 500)):
        if price < bound:
            return tick
    return 1_000


async def _read(ws: websockets.ClientConnection, ciphers: dict[str, tuple[str, str]],
                trades: list[dict[str, str]], fills: list[dict[str, str]], side: str,
                qty: int, deadline: float) -> None:
    """Frames until fills of ``qty`` shares on ``side`` arrived, and the prints of every fill
    on the tape (a print and its notice go out separately: either may come first)."""
    def done() -> bool:
        got = sum(int(f["CNTG_QTY"]) for f in fills if f["SELN_BYOV_CLS"] == side)
        printed = {t["STCK_CNTG_HOUR"] for t in trades}
        return got >= qty and {f["STCK_CNTG_HOUR"] for f in fills} <= printed

    while not done():
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
        assert len(values) == count * len(cols), (tr_id, count, len(values))
        for i in range(count):
            rec = dict(zip(cols, values[i * len(cols):(i + 1) * len(cols)], strict=True))
            if tr_id == "H0STCNT0":
                trades.append(rec)
            elif rec["CNTG_YN"] == "2":
                fills.append(rec)


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
            await _read(ws, ciphers, trades, fills, "02", 5, deadline)
            # A sell under the older TR ID, as older clients still send it.
            sell = await kis.post(T + "order-cash", "TTTC0801U", acct(
                PDNO=SYMBOL, ORD_DVSN="01", ORD_QTY="2", ORD_UNPR="0"))
            assert sell.ok, sell.body
            seen["sell_odno"] = sell.body["output"]["ODNO"]
            await _read(ws, ciphers, trades, fills, "01", 2, deadline)
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
    buys = [f for f in fills if f["SELN_BYOV_CLS"] == "02"]
    sells = [f for f in fills if f["SELN_BYOV_CLS"] == "01"]
    assert {f["ODER_NO"] for f in buys} == {seen["odno"]}
    assert {f["ODER_NO"] for f in sells} == {seen["sell_odno"]}
    assert {f["CUST_ID"] for f in fills} == {HTS_ID}
    assert sum(int(f["CNTG_QTY"]) for f in buys) == 5
    assert sum(int(f["CNTG_QTY"]) for f in sells) == 2
    trades = seen["trades"]
    assert isinstance(trades, list) and trades
    for t in trades:
        assert t["MKSC_SHRN_ISCD"] == SYMBOL
        for col in QTY_FIELDS:
            assert t[col].isdigit(), (col, t[col])  # integers, never "0.00"
        assert int(t["CNTG_VOL"]) > 0  # no zero-volume record
        for col in PRICE_FIELDS:
            px = int(t[col])
            assert px > 0 and px % _tick(px) == 0, (col, px)
        change = int(t["PRDY_VRSS"])
        assert t["PRDY_VRSS_SIGN"] in (("1", "2") if change > 0 else ("4", "5") if change < 0
                                       else ("3",)), (change, t["PRDY_VRSS_SIGN"])
        assert len(t["STCK_CNTG_HOUR"]) == 6 and t["STCK_CNTG_HOUR"].isdigit()
    # One clock for the tape and the notices: every fill's time is a print's time, one day.
    assert len({t["BSOP_DATE"] for t in trades}) == 1
    times = [t["STCK_CNTG_HOUR"] for t in trades]
    assert times == sorted(times)
    assert {f["STCK_CNTG_HOUR"] for f in fills} <= set(times)
    assert seen["holding"] == 3
    sent = seen["sent"]
    assert isinstance(sent, list) and not any("/_sim" in p for p in sent)
