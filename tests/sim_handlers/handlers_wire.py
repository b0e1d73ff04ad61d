"""A raw KIS wire client against the in-process simulator app (helpers for the tests here).

Why raw requests and not the SDK: these tests pin the *wire* semantics of the handlers (field
names, string numbers, ``tr_cont`` headers, cursors) exactly as any KIS client sees them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from hantoo.config import SIM_ACCOUNT, SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import SimApp, create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.state import SimConfig, SimState

CANO, PRDT = SIM_ACCOUNT.split("-")
#: A Monday that is a KRX business day; the stepped clock starts in the continuous session.
START = datetime(2026, 11, 23, 10, 0, tzinfo=KST)


@dataclass
class Resp:
    status: int
    body: dict[str, Any]
    headers: httpx.Headers

    @property
    def tr_cont(self) -> str:
        return str(self.headers.get("tr_cont", ""))

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body.get("rt_cd") == "0"


@dataclass
class Kis:
    """Speaks the KIS wire protocol to one simulator app."""

    http: httpx.AsyncClient
    app: Any
    token: str = ""
    calls: list[str] = field(default_factory=list)
    app_key: str = SIM_APP_KEY
    app_secret: str = SIM_APP_SECRET

    @property
    def state(self) -> Any:
        return self.app.sim

    async def login(self) -> None:
        r = await self.http.post(
            "/oauth2/tokenP",
            json={"grant_type": "client_credentials", "appkey": self.app_key,
                  "appsecret": self.app_secret},
        )
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]

    def _headers(self, tr_id: str, tr_cont: str) -> dict[str, str]:
        return {
            "content-type": "application/json; charset=utf-8",
            "authorization": f"Bearer {self.token}",
            "appkey": self.app_key,
            "appsecret": self.app_secret,
            "tr_id": tr_id,
            "custtype": "P",
            "tr_cont": tr_cont,
        }

    async def get(self, path: str, tr_id: str, params: dict[str, str], tr_cont: str = "") -> Resp:
        self.calls.append(tr_id)
        r = await self.http.get(path, params=params, headers=self._headers(tr_id, tr_cont))
        return Resp(r.status_code, r.json(), r.headers)

    async def post(self, path: str, tr_id: str, body: dict[str, str]) -> Resp:
        self.calls.append(tr_id)
        r = await self.http.post(path, json=body, headers=self._headers(tr_id, ""))
        return Resp(r.status_code, r.json(), r.headers)

    def advance(self, seconds: int) -> None:
        self.state.clock.advance(seconds)


def make_config(**overrides: Any) -> SimConfig:
    opts: dict[str, Any] = {
        "clock_mode": "stepped",
        "clock_start": START,
        "limits": "off",
        "seed": 7,
        "activity": 0,
    }
    opts.update(overrides)
    return SimConfig(**opts)


def make_app(config: SimConfig) -> SimApp:
    """``create_app``; without the WebSocket routes when those cannot mount (they are not what
    these tests exercise, and the HTTP pipeline is the same either way)."""
    try:
        return create_app(config)
    except TypeError:
        return SimApp(SimState(config), [])


@asynccontextmanager
async def session(config: SimConfig, app_key: str = SIM_APP_KEY,
                  app_secret: str = SIM_APP_SECRET) -> AsyncIterator[Kis]:
    """A logged-in wire client on a fresh simulator built from ``config``."""
    app = make_app(config)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        client = Kis(http, app, app_key=app_key, app_secret=app_secret)
        await client.login()
        yield client


T = "/uapi/domestic-stock/v1/trading/"
Q = "/uapi/domestic-stock/v1/quotations/"


def acct(**params: str) -> dict[str, str]:
    """Request parameters with the demo account."""
    return {"CANO": CANO, "ACNT_PRDT_CD": PRDT} | params


def order_body(symbol: str, qty: int, price: int | str = 0, dvsn: str = "00") -> dict[str, str]:
    return acct(PDNO=symbol, ORD_DVSN=dvsn, ORD_QTY=str(qty), ORD_UNPR=str(price),
                EXCG_ID_DVSN_CD="KRX")


def balance_params(**extra: str) -> dict[str, str]:
    return acct(AFHR_FLPR_YN="N", OFL_YN="", INQR_DVSN="02", UNPR_DVSN="01",
                FUND_STTL_ICLD_YN="N", FNCG_AMT_AUTO_RDPT_YN="N", PRCS_DVSN="00",
                CTX_AREA_FK100="", CTX_AREA_NK100="") | extra


def ccld_params(start: str, end: str, **extra: str) -> dict[str, str]:
    return acct(INQR_STRT_DT=start, INQR_END_DT=end, SLL_BUY_DVSN_CD="00", PDNO="",
                CCLD_DVSN="00", INQR_DVSN="00", INQR_DVSN_3="00", ORD_GNO_BRNO="", ODNO="",
                INQR_DVSN_1="", CTX_AREA_FK100="", CTX_AREA_NK100="") | extra


async def all_pages(kis: Kis, path: str, tr_id: str, params: dict[str, str], block: str,
                    fk: str = "CTX_AREA_FK100", nk: str = "CTX_AREA_NK100",
                    between: Any = None) -> tuple[list[dict[str, str]], int]:
    """Every row of a cursor-paged query (and the number of pages), as KIS clients page."""
    rows: list[dict[str, str]] = []
    tr_cont = ""
    pages = 0
    while True:
        r = await kis.get(path, tr_id, params, tr_cont=tr_cont)
        assert r.ok, r.body
        pages += 1
        rows.extend(r.body[block])
        if r.tr_cont in ("D", "E", ""):
            return rows, pages
        assert r.tr_cont == "M"
        params = params | {fk: r.body[fk.lower()], nk: r.body[nk.lower()]}
        tr_cont = "N"
        if between is not None:
            await between()
        assert pages < 100
