"""Over real sockets: a client that knows only the KIS wire protocol (plain httpx, no SDK),
header bytes on the wire, dropped and reset connections."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from _sim_server_kit import CANO, PRDT, PRICE_PARAMS, PRICE_PATH, START

from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import SimApp, create_app
from hantoo.sim.handlers import Call, Reply, handler_for, ok
from hantoo.sim.server import running_server
from hantoo.sim.state import SimConfig

KEY, SECRET = "W" * 36, "X" * 180  # an unknown key of the real lengths: registered on first use


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, SimApp]]:
    app = create_app(SimConfig(clock_mode="stepped", activity=0, clock_start=START, seed=3,
                               limits="auto"))
    with running_server(app=app) as (base_url, ws_url):
        assert ws_url.startswith("ws://127.0.0.1:")
        yield base_url, app


def kis(token: str, tr_id: str, **extra: str) -> dict[str, str]:
    return {"content-type": "application/json; charset=utf-8", "authorization": f"Bearer {token}",
            "appkey": KEY, "appsecret": SECRET, "tr_id": tr_id, "custtype": "P", "tr_cont": "",
            **extra}


@pytest.fixture(scope="module")
def token(server: tuple[str, SimApp]) -> str:
    base, _ = server
    r = httpx.post(f"{base}/oauth2/tokenP", json={"grant_type": "client_credentials",
                                                   "appkey": KEY, "appsecret": SECRET})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def raw_exchange(base: str, request: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes, read until the server closes or a full response arrives."""
    u = urlsplit(base)
    with socket.create_connection((u.hostname, u.port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return data
            if not chunk:
                return data
            data += chunk
            head, sep, rest = data.partition(b"\r\n\r\n")
            if sep:
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), None)
                if length is not None and len(rest) >= length:
                    return data


def raw_get(base: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {urlsplit(base).netloc}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return raw_exchange(base, ("\r\n".join(lines) + "\r\n\r\n").encode())


QUERY = "?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930"


def test_raw_kis_client_reads_a_quote(server: tuple[str, SimApp], token: str) -> None:
    base, _ = server
    with httpx.Client(base_url=base) as c:
        r = c.get(PRICE_PATH, params=PRICE_PARAMS, headers=kis(token, "FHKST01010100"))
        assert r.status_code == 200
        body = r.json()
        assert body["rt_cd"] == "0" and body["msg_cd"] == "MCA00000"
        assert int(body["output"]["stck_prpr"]) > 0
        assert r.headers["tr_id"] == "FHKST01010100"


def test_header_bytes_on_the_wire(server: tuple[str, SimApp], token: str) -> None:
    base, _ = server
    data = raw_get(base, "//uapi/domestic-stock/v1/quotations/inquire-price" + QUERY,
                   kis(token, "FHKST01010100"))
    head = data.split(b"\r\n\r\n", 1)[0]
    assert head.startswith(b"HTTP/1.1 200 ")
    lines = head.split(b"\r\n")
    assert b"Content-Type: application/json; charset=UTF-8" in lines
    assert b"tr_id: FHKST01010100" in lines
    assert b"tr_cont: " in lines or b"tr_cont:" in lines
    assert any(line.startswith(b"gt_uid: ") for line in lines)


def test_calling_too_fast_gets_egw00201(server: tuple[str, SimApp], token: str) -> None:
    base, app = server
    app.sim.limiter.reset()
    codes: list[str] = []
    with httpx.Client(base_url=base) as c:
        for _ in range(30):
            r = c.get(PRICE_PATH, params=PRICE_PARAMS, headers=kis(token, "FHKST01010100"))
            codes.append(r.json()["msg_cd"])
            if r.status_code == 500:
                assert r.json() == {"rt_cd": "1", "msg_cd": "EGW00201",
                                    "msg1": "초당 거래건수를 초과하였습니다."}
                assert r.headers["x-ratelimit-remaining"] == "0"
    assert codes[:18] == ["MCA00000"] * 18  # 18 per second are fine ...
    assert "EGW00201" in codes  # ... more are not
    app.sim.limiter.reset()


def test_drop_after_execution_closes_the_socket(server: tuple[str, SimApp], token: str) -> None:
    base, app = server
    seen: list[Call] = []

    def handler(call: Call) -> Reply:
        seen.append(call)
        return ok(output={"n": str(len(seen))})

    app.sim.handlers["domestic_stock/inquire_price"] = handler
    try:
        app.sim.limiter.reset()
        httpx.post(f"{base}/_sim/faults", json={"next_drop": 1}).raise_for_status()
        data = raw_get(base, PRICE_PATH + QUERY, kis(token, "FHKST01010100"))
        assert data == b""  # closed without a single byte of response
        assert len(seen) == 1  # but the request was executed
        httpx.post(f"{base}/_sim/faults", json={"next_drop": 1}).raise_for_status()
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{base}{PRICE_PATH}", params=PRICE_PARAMS,
                      headers=kis(token, "FHKST01010100"))
        assert len(seen) == 2
        httpx.post(f"{base}/_sim/faults", json={"next_reset": 1}).raise_for_status()
        data = raw_get(base, PRICE_PATH + QUERY, kis(token, "FHKST01010100"))
        assert data == b""
        assert len(seen) == 2  # a reset comes before execution
        # and the server still answers normally afterwards
        r = httpx.get(f"{base}{PRICE_PATH}", params=PRICE_PARAMS,
                      headers=kis(token, "FHKST01010100"))
        assert r.json()["output"] == {"n": "3"}
        counters = httpx.get(f"{base}/_sim/faults").json()["counters"]
        assert counters["drop"] == 2 and counters["reset"] == 1
    finally:
        app.sim.handlers.clear()


ORDER_KEYS = ("domestic_stock/order_cash", "domestic_stock/inquire_daily_ccld",
              "domestic_stock/inquire_balance")


@pytest.mark.skipif(
    any(handler_for(k) is None for k in ORDER_KEYS),
    reason="order/fill/balance handlers are not registered yet (hantoo.sim.handlers.*)",
)
def test_raw_kis_client_buys_and_sees_fill_and_balance(server: tuple[str, SimApp],
                                                       token: str) -> None:
    base, app = server
    app.sim.limiter.reset()
    with httpx.Client(base_url=base) as c:
        order = {"CANO": CANO, "ACNT_PRDT_CD": PRDT, "PDNO": "005930", "ORD_DVSN": "01",
                 "ORD_QTY": "1", "ORD_UNPR": "0", "EXCG_ID_DVSN_CD": "KRX"}
        # the demo account belongs to the demo key; this key binds its own first account
        order["CANO"] = "51234567"
        r = c.post("/uapi/domestic-stock/v1/trading/order-cash", json=order,
                   headers=kis(token, "TTTC0012U"))
        body: dict[str, Any] = r.json()
        assert r.status_code == 200 and body["rt_cd"] == "0", body
        odno = body["output"]["ODNO"]
        app.sim.clock.advance(30)
        if app.sim.exchange is not None:
            app.sim.exchange.sync()
        day = START.strftime("%Y%m%d")
        q = {"CANO": "51234567", "ACNT_PRDT_CD": PRDT, "INQR_STRT_DT": day, "INQR_END_DT": day,
             "SLL_BUY_DVSN_CD": "00", "PDNO": "", "CCLD_DVSN": "00", "INQR_DVSN": "00",
             "INQR_DVSN_1": "", "INQR_DVSN_3": "00", "ORD_GNO_BRNO": "", "ODNO": "",
             "EXCG_ID_DVSN_CD": "KRX", "CTX_AREA_FK100": "", "CTX_AREA_NK100": ""}
        import time

        time.sleep(1.1)  # stay under 18/s comfortably
        fills = c.get("/uapi/domestic-stock/v1/trading/inquire-daily-ccld", params=q,
                      headers=kis(token, "TTTC0081R"))
        assert fills.json()["rt_cd"] == "0", fills.text
        assert any(row.get("odno") == odno for row in fills.json()["output1"])
        bal = dict.fromkeys(("AFHR_FLPR_YN", "OFL_YN", "INQR_DVSN", "UNPR_DVSN",
                             "FUND_STTL_ICLD_YN", "FNCG_AMT_AUTO_RDPT_YN", "PRCS_DVSN",
                             "CTX_AREA_FK100", "CTX_AREA_NK100"), "")
        bal.update({"CANO": "51234567", "ACNT_PRDT_CD": PRDT, "AFHR_FLPR_YN": "N",
                    "INQR_DVSN": "02", "UNPR_DVSN": "01", "FUND_STTL_ICLD_YN": "N",
                    "FNCG_AMT_AUTO_RDPT_YN": "N", "PRCS_DVSN": "00"})
        b = c.get("/uapi/domestic-stock/v1/trading/inquire-balance", params=bal,
                  headers=kis(token, "TTTC8434R"))
        assert b.json()["rt_cd"] == "0", b.text
        assert any(row.get("pdno") == "005930" for row in b.json()["output1"])
        assert b.headers["tr_cont"] in ("D", "E", "M", "F")


def test_stats_count_one_issuance(server: tuple[str, SimApp], token: str) -> None:
    base, _ = server
    from hantoo.sim.auth import key_id

    stats = httpx.get(f"{base}/_sim/stats").json()
    assert stats["token_issuances"][key_id(KEY)] == 1
    assert json.dumps(stats).find(SECRET) == -1 and json.dumps(stats).find(KEY) == -1
    assert SIM_APP_KEY not in json.dumps(stats) and SIM_APP_SECRET not in json.dumps(stats)
