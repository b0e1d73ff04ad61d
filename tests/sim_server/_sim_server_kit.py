"""Helpers for the simulator HTTP-server tests: an in-process app and the KIS wire headers.

Everything here speaks the raw KIS wire protocol with plain httpx (no hantoo SDK), so the tests
pin what any KIS client sees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import SimApp, create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.state import SimConfig

#: A KRX business day (Monday), 10:00 KST: the stepped clock never moves unless told to.
START = datetime(2026, 11, 23, 10, 0, tzinfo=KST)
CANO, PRDT = "50000000", "01"
PRICE_PATH = "/uapi/domestic-stock/v1/quotations/inquire-price"
PRICE_PARAMS = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}


def make_app(**overrides: Any) -> SimApp:
    cfg: dict[str, Any] = {"clock_mode": "stepped", "clock_start": START, "seed": 7,
                           "limits": "off", "activity": 0}
    cfg.update(overrides)
    return create_app(SimConfig(**cfg))


def client_for(app: SimApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim")


async def get_token(
    c: httpx.AsyncClient, key: str = SIM_APP_KEY, secret: str = SIM_APP_SECRET
) -> str:
    r = await c.post("/oauth2/tokenP", json={"grant_type": "client_credentials",
                                              "appkey": key, "appsecret": secret})
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


def kis_headers(
    token: str, tr_id: str, key: str = SIM_APP_KEY, secret: str = SIM_APP_SECRET, **extra: str
) -> dict[str, str]:
    h = {"content-type": "application/json; charset=utf-8", "authorization": f"Bearer {token}",
         "appkey": key, "appsecret": secret, "tr_id": tr_id, "custtype": "P"}
    h.update(extra)
    return h




def price_headers(token: str) -> dict[str, str]:
    """Headers of a current-price call (TR FHKST01010100) with the demo key."""
    return kis_headers(token, "FHKST01010100")
