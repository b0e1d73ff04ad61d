"""The fill notice as it crosses the wire, byte for byte as KIS's documents describe it (issue 13).

Why a test of its own: community clients decode ``H0STCNI0`` by position and by count. python-kis
2.1.6 keys the notice cipher by TR ID alone (the ack's ``header.tr_id``), splits the decrypted
record on ``^`` and demands a multiple of its column count. KIS has sent 26 columns since March
2025 (``ORD_COND_PRC``, ``ORD_EXG_GB``, ``POPUP_YN``, ``FILLER`` came in after ``ACNT_NAME``, the
old ``CNTG_ISNM`` went); clients written for the old 23 refuse it — against KIS and against the
simulator alike. The column list (``compat_wire.KIS_NOTICE_COLUMNS``) is written out from KIS's
page, not read from the project's generated tables, so a change to those tables cannot
silently change the wire.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import httpx
import websockets
from compat_wire import (
    CANO,
    HTS_ID,
    KIS_NOTICE_COLUMNS,
    PRDT,
    START,
    T,
    Wire,
    cash_order,
    decrypt,
    make_config,
    subscribe,
)

from hantoo.sim.app import create_app
from hantoo.sim.server import running_server

FRAME = re.compile(r"^1\|(H0STCNI[09])\|(\d{3})\|([A-Za-z0-9+/=]+)$")


async def _frames(ws: websockets.ClientConnection, key: str, iv: str, want_fill_qty: int,
                  deadline: float) -> list[str]:
    """Raw notice frames until fills of ``want_fill_qty`` shares were seen."""
    notices: list[str] = []
    filled = 0
    while filled < want_fill_qty:
        assert time.monotonic() < deadline, notices
        msg = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
        assert isinstance(msg, str)
        if msg.startswith("{") or "|H0STCNI" not in msg[:10]:
            continue
        notices.append(msg)
        fields = decrypt(msg.split("|", 3)[3], key, iv).split("^")
        if len(fields) == len(KIS_NOTICE_COLUMNS) and fields[13] == "2":
            filled += int(fields[9])
    return notices


async def test_notice_record_is_kis_26_column_layout_keyed_by_tr_id() -> None:
    app = create_app(make_config())
    with running_server(app=app) as (base, ws_url):
        async with httpx.AsyncClient(base_url=base) as http:
            w = Wire(http)
            await w.login()
            approval = await w.approval_key()
            async with websockets.connect(ws_url + "/tryitout") as ws:
                await ws.send(subscribe(approval, "H0STCNI0", HTS_ID))
                # The ack comes first; the order goes out once it is in.
                ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
                out = ack["body"]["output"]
                r = await w.post(T + "order-cash", "TTTC0012U", cash_order("005930", 3))
                assert r.ok, r.body
                odno = r.body["output"]["ODNO"]
                orgno = r.body["output"]["KRX_FWDG_ORD_ORGNO"]
                frames = await _frames(ws, out["key"], out["iv"], 3, time.monotonic() + 10)
    # The ack: the notice TR and the HTS ID echoed, the AES-256 key (32) and iv (16) in output.
    assert ack["header"] == {"tr_id": "H0STCNI0", "tr_key": HTS_ID, "encrypt": "Y"}
    body = ack["body"]
    assert isinstance(body, dict)
    assert (body["rt_cd"], body["msg_cd"], body["msg1"]) == ("0", "OPSP0000",
                                                              "SUBSCRIBE SUCCESS")
    key, iv = body["output"]["key"], body["output"]["iv"]
    assert len(key) == 32 and len(iv) == 16
    # Each notice: flag 1 (encrypted), the TR subscribed, one record, base64 of AES-CBC.
    records = []
    for frame in frames:
        m = FRAME.match(frame)
        assert m and m.group(1) == "H0STCNI0" and m.group(2) == "001", frame
        fields = decrypt(m.group(3), key, iv).split("^")
        assert len(fields) == 26, fields  # KIS's layout since 2025-03; not the old 23
        records.append(dict(zip(KIS_NOTICE_COLUMNS, fields, strict=True)))
    accepted = [n for n in records if n["CNTG_YN"] == "1"]
    fills = [n for n in records if n["CNTG_YN"] == "2"]
    assert len(accepted) == 1 and records[0] is accepted[0]  # accepted, then executed
    assert accepted[0]["ACPT_YN"] == "1" and {n["ACPT_YN"] for n in fills} == {"2"}
    for n in records:
        assert n["CUST_ID"] == HTS_ID and n["ACNT_NO"] == CANO + PRDT
        assert n["ODER_NO"] == odno and n["OODER_NO"] == ""
        assert n["BRNC_NO"] == orgno  # what a modify/cancel names as KRX_FWDG_ORD_ORGNO
        assert (n["SELN_BYOV_CLS"], n["RCTF_CLS"], n["RFUS_YN"]) == ("02", "0", "0")
        assert n["ODER_KIND"] == "01"  # market
        assert n["STCK_SHRN_ISCD"] == "005930" and n["CNTG_ISNM40"] == "삼성전자"
        assert n["ODER_QTY"] == "3" and n["ODER_PRC"] == "0"
        assert n["ORD_EXG_GB"] == "1"  # KRX: the order named no exchange
        # Times from the simulator's clock (stepped, standing at 10:00:00 KST).
        assert n["STCK_CNTG_HOUR"] == START.strftime("%H%M%S")
    assert sum(int(n["CNTG_QTY"]) for n in fills) == 3
    for n in fills:
        price = int(n["CNTG_UNPR"])  # a plain integer of won, on the 100-won grid at 70,000
        assert n["CNTG_UNPR"] == str(price) and price % 100 == 0 and price > 0
