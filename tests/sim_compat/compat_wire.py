"""A third-party KIS client's view of the simulator: plain httpx and websockets, no hantoo SDK.

Why its own kit: the tests here stand in for clients written from KIS's public documents (and
community clients). They use app keys of the real lengths that the simulator has never seen —
registered on first use, bound to the first account and HTS ID they name — and no
simulator-only endpoint, so they pin what such a client meets.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from hantoo.sim.app import SimApp, create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.state import SimConfig

#: A Monday that is a KRX business day, 10:00 KST; the stepped clock moves only when told.
START = datetime(2026, 11, 23, 10, 0, tzinfo=KST)
APP_KEY = "PS" + "k" * 34  # 36 characters, as KIS issues them
APP_SECRET = "s" * 180
CANO, PRDT = "73319902", "01"
HTS_ID = "thirdparty1"
T = "/uapi/domestic-stock/v1/trading/"
Q = "/uapi/domestic-stock/v1/quotations/"

#: The realtime column lists as KIS's pages give them, written out here (not read from the
#: project's generated tables) so that these tests pin the wire and nothing of hantoo.
#: 국내주식 실시간체결가 (KRX) ``H0STCNT0``: 46 columns.
KIS_TRADE_COLUMNS = (
    "MKSC_SHRN_ISCD", "STCK_CNTG_HOUR", "STCK_PRPR", "PRDY_VRSS_SIGN", "PRDY_VRSS", "PRDY_CTRT",
    "WGHN_AVRG_STCK_PRC", "STCK_OPRC", "STCK_HGPR", "STCK_LWPR", "ASKP1", "BIDP1", "CNTG_VOL",
    "ACML_VOL", "ACML_TR_PBMN", "SELN_CNTG_CSNU", "SHNU_CNTG_CSNU", "NTBY_CNTG_CSNU", "CTTR",
    "SELN_CNTG_SMTN", "SHNU_CNTG_SMTN", "CCLD_DVSN", "SHNU_RATE", "PRDY_VOL_VRSS_ACML_VOL_RATE",
    "OPRC_HOUR", "OPRC_VRSS_PRPR_SIGN", "OPRC_VRSS_PRPR", "HGPR_HOUR", "HGPR_VRSS_PRPR_SIGN",
    "HGPR_VRSS_PRPR", "LWPR_HOUR", "LWPR_VRSS_PRPR_SIGN", "LWPR_VRSS_PRPR", "BSOP_DATE",
    "NEW_MKOP_CLS_CODE", "TRHT_YN", "ASKP_RSQN1", "BIDP_RSQN1", "TOTAL_ASKP_RSQN",
    "TOTAL_BIDP_RSQN", "VOL_TNRT", "PRDY_SMNS_HOUR_ACML_VOL", "PRDY_SMNS_HOUR_ACML_VOL_RATE",
    "HOUR_CLS_CODE", "MRKT_TRTM_CLS_CODE", "VI_STND_PRC",
)
#: 국내주식 실시간체결통보 ``H0STCNI0``/``H0STCNI9``: 26 columns since March 2025.
KIS_NOTICE_COLUMNS = (
    "CUST_ID", "ACNT_NO", "ODER_NO", "OODER_NO", "SELN_BYOV_CLS", "RCTF_CLS", "ODER_KIND",
    "ODER_COND", "STCK_SHRN_ISCD", "CNTG_QTY", "CNTG_UNPR", "STCK_CNTG_HOUR", "RFUS_YN",
    "CNTG_YN", "ACPT_YN", "BRNC_NO", "ODER_QTY", "ACNT_NAME", "ORD_COND_PRC", "ORD_EXG_GB",
    "POPUP_YN", "FILLER", "CRDT_CLS", "CRDT_LOAN_DATE", "CNTG_ISNM40", "ODER_PRC",
)


def make_config(**overrides: Any) -> SimConfig:
    opts: dict[str, Any] = {"clock_mode": "stepped", "clock_start": START, "limits": "off",
                            "seed": 11, "demo_key": False, "activity": 0}  # exact: quiet
    opts.update(overrides)
    return SimConfig(**opts)


@dataclass
class Resp:
    status: int
    body: dict[str, Any]
    headers: httpx.Headers

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body.get("rt_cd") == "0"


@dataclass
class Wire:
    """KIS REST as its documents describe it."""

    http: httpx.AsyncClient
    app_key: str = APP_KEY
    app_secret: str = APP_SECRET
    token: str = ""
    sent: list[str] = field(default_factory=list)

    async def login(self) -> None:
        r = await self.http.post("/oauth2/tokenP", json={
            "grant_type": "client_credentials", "appkey": self.app_key,
            "appsecret": self.app_secret})
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]

    def headers(self, tr_id: str) -> dict[str, str]:
        return {"content-type": "application/json; charset=utf-8",
                "authorization": f"Bearer {self.token}", "appkey": self.app_key,
                "appsecret": self.app_secret, "tr_id": tr_id, "custtype": "P"}

    async def get(self, path: str, tr_id: str, params: dict[str, str]) -> Resp:
        self.sent.append(path)
        r = await self.http.get(path, params=params, headers=self.headers(tr_id))
        return Resp(r.status_code, r.json(), r.headers)

    async def post(self, path: str, tr_id: str, body: dict[str, str]) -> Resp:
        self.sent.append(path)
        r = await self.http.post(path, json=body, headers=self.headers(tr_id))
        return Resp(r.status_code, r.json(), r.headers)

    async def approval_key(self) -> str:
        r = await self.http.post("/oauth2/Approval", json={
            "grant_type": "client_credentials", "appkey": self.app_key,
            "secretkey": self.app_secret})
        assert r.status_code == 200, r.text
        key: str = r.json()["approval_key"]
        return key


@asynccontextmanager
async def in_process(config: SimConfig | None = None) -> AsyncIterator[tuple[Wire, SimApp]]:
    """A logged-in :class:`Wire` on a fresh in-process simulator (ASGI, no sockets)."""
    app = create_app(config or make_config())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sim") as http:
        wire = Wire(http)
        await wire.login()
        yield wire, app


def acct(**params: str) -> dict[str, str]:
    return {"CANO": CANO, "ACNT_PRDT_CD": PRDT} | params


def cash_order(symbol: str, qty: int, price: int = 0, dvsn: str = "01") -> dict[str, str]:
    """A cash order body without ``EXCG_ID_DVSN_CD``, as older clients send it."""
    return acct(PDNO=symbol, ORD_DVSN=dvsn, ORD_QTY=str(qty), ORD_UNPR=str(price))


def balance_params() -> dict[str, str]:
    return acct(AFHR_FLPR_YN="N", OFL_YN="", INQR_DVSN="02", UNPR_DVSN="01",
                FUND_STTL_ICLD_YN="N", FNCG_AMT_AUTO_RDPT_YN="N", PRCS_DVSN="00",
                CTX_AREA_FK100="", CTX_AREA_NK100="")


def subscribe(approval: str, tr_id: str, tr_key: str, tr_type: str = "1") -> str:
    return json.dumps({"header": {"approval_key": approval, "custtype": "P",
                                  "tr_type": tr_type, "content-type": "utf-8"},
                       "body": {"input": {"tr_id": tr_id, "tr_key": tr_key}}})


def decrypt(text: str, key: str, iv: str) -> str:
    """AES-256-CBC + PKCS7 over base64, key/iv from the subscription answer (KIS's recipe)."""
    dec = Cipher(algorithms.AES(key.encode()), modes.CBC(iv.encode())).decryptor()
    padded = dec.update(base64.b64decode(text)) + dec.finalize()
    unpad = padding.PKCS7(128).unpadder()
    return (unpad.update(padded) + unpad.finalize()).decode("utf-8")


def parse_frame(text: str) -> tuple[str, str, int, str]:
    """``flag|TR_ID|NNN|payload`` → its four parts."""
    flag, tr_id, count, payload = text.split("|", 3)
    return flag, tr_id, int(count), payload


@contextmanager
def sim_serve(*extra: str, timeout: float = 30.0) -> Iterator[tuple[str, str]]:
    """``hantoo sim serve`` in a subprocess on 127.0.0.1 (a free port, in-memory state), as a
    user starts it; yields ``(rest_url, ws_url)`` and stops the process it started."""
    cmd = [sys.executable, "-m", "hantoo.cli", "sim", "serve", "--port", "0",
           "--state", ":memory:", "--limits", "off", *extra]
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        rest = None
        while rest is None:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("hantoo sim serve did not start:\n" + "".join(seen))
            line = proc.stdout.readline()
            seen.append(line)
            m = re.search(r"REST\s+(http://127\.0\.0\.1:\d+)", line)
            if m:
                rest = m.group(1)
        yield rest, "ws" + rest[4:]
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
