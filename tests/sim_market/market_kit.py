"""A raw KIS wire client on an in-process simulator, for the market-information tests.

Why raw requests: these tests pin what any KIS client sees on the wire (string numbers, codes,
refusals), independent of the SDK's decoding. The clock is stepped and pinned, so nothing depends
on today's date.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from hantoo.catalog import Api
from hantoo.config import SIM_ACCOUNT, SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import SimApp, create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.state import SimConfig

CANO, PRDT = SIM_ACCOUNT.split("-")
#: A Monday that is a KRX business day, in the continuous session.
START = datetime(2026, 11, 23, 10, 0, tzinfo=KST)


@dataclass
class Resp:
    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body.get("rt_cd") == "0"


@dataclass
class Wire:
    http: httpx.AsyncClient
    app: SimApp
    token: str = ""

    async def login(self) -> None:
        r = await self.http.post("/oauth2/tokenP", json={
            "grant_type": "client_credentials", "appkey": SIM_APP_KEY,
            "appsecret": SIM_APP_SECRET})
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]

    def headers(self, tr_id: str) -> dict[str, str]:
        return {"content-type": "application/json; charset=utf-8",
                "authorization": f"Bearer {self.token}", "appkey": SIM_APP_KEY,
                "appsecret": SIM_APP_SECRET, "tr_id": tr_id, "custtype": "P"}

    async def call(self, api: Api, params: dict[str, str], tr_id: str | None = None) -> Resp:
        tr = tr_id or (api.tr_ids("real") or [""])[0]
        if api.method == "GET":
            r = await self.http.get(api.path, params=params, headers=self.headers(tr))
        else:
            r = await self.http.post(api.path, json=params, headers=self.headers(tr))
        return Resp(r.status_code, r.json())

    async def get(self, key: str, **params: str) -> Resp:
        from hantoo.catalog import catalog

        return await self.call(catalog().get(key), dict(params))


def config(**overrides: Any) -> SimConfig:
    opts: dict[str, Any] = {"clock_mode": "stepped", "clock_start": START, "limits": "off",
                            "seed": 7}
    opts.update(overrides)
    return SimConfig(**opts)


@asynccontextmanager
async def wire(**overrides: Any) -> AsyncIterator[Wire]:
    app = create_app(config(**overrides))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sim") as http:
        w = Wire(http, app)
        await w.login()
        yield w
