"""A raw KIS wire client against the in-process simulator app.

Why raw requests and not the SDK: these tests pin the *wire* semantics of the handlers (field
names, string numbers, ``tr_cont`` headers, cursors) exactly as any KIS client sees them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest

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
        return self.headers.get("tr_cont", "")

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

    @property
    def state(self) -> Any:
        return self.app.sim

    async def login(self) -> None:
        r = await self.http.post(
            "/oauth2/tokenP",
            json={"grant_type": "client_credentials", "appkey": SIM_APP_KEY,
                  "appsecret": SIM_APP_SECRET},
        )
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]

    def _headers(self, tr_id: str, tr_cont: str) -> dict[str, str]:
        return {
            "content-type": "application/json; charset=utf-8",
            "authorization": f"Bearer {self.token}",
            "appkey": SIM_APP_KEY,
            "appsecret": SIM_APP_SECRET,
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


@pytest.fixture
async def kis() -> AsyncIterator[Kis]:
    app = make_app(make_config())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        client = Kis(http, app)
        await client.login()
        yield client
