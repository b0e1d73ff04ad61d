"""Bad input gets a KIS-style error body naming the problem — never a traceback, never damage."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from _sim_server_kit import (
    CANO,
    PRDT,
    PRICE_PARAMS,
    PRICE_PATH,
    client_for,
    kis_headers,
    make_app,
    price_headers,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hantoo.catalog import catalog
from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import SimApp

ORDER_PATH = "/uapi/domestic-stock/v1/trading/order-cash"
ORDER = {"CANO": CANO, "ACNT_PRDT_CD": PRDT, "PDNO": "005930", "ORD_DVSN": "00",
         "ORD_QTY": "1", "ORD_UNPR": "70000", "EXCG_ID_DVSN_CD": "KRX"}


def assert_kis_error(r: httpx.Response, *, names: str = "") -> dict[str, Any]:
    assert r.status_code in (403, 404, 405, 500, 503), r.status_code
    assert r.headers["content-type"] == "application/json; charset=UTF-8"
    body = r.json()
    assert "Traceback" not in r.text
    if "error_code" in body:
        assert set(body) == {"error_code", "error_description"}
        return body
    assert set(body) == {"rt_cd", "msg_cd", "msg1"}, body
    assert body["rt_cd"] in ("1", "2")
    assert body["msg_cd"] != "SIM00500", body
    if names:
        assert names in body["msg1"], body
    return body


async def post_raw(c: httpx.AsyncClient, token: str, content: bytes, **h: str) -> httpx.Response:
    headers = {**kis_headers(token, "TTTC0012U"), **h}
    return await c.post(ORDER_PATH, content=content, headers=headers)


async def test_malformed_json(client: httpx.AsyncClient, token: str) -> None:
    body = assert_kis_error(await post_raw(client, token, b'{"CANO": "5000'))
    assert body["msg_cd"] == "OPSQ2001" and "malformed JSON" in body["msg1"]


async def test_not_utf8_and_empty(client: httpx.AsyncClient, token: str) -> None:
    assert_kis_error(await post_raw(client, token, b"\xff\xfe{}"), names="UTF-8")
    assert_kis_error(await post_raw(client, token, b""), names="empty")


@pytest.mark.parametrize("doc", ["[]", "3", '"x"', "null"])
async def test_body_must_be_an_object(client: httpx.AsyncClient, token: str, doc: str) -> None:
    assert_kis_error(await post_raw(client, token, doc.encode()), names="object")


async def test_values_must_be_strings(client: httpx.AsyncClient, token: str) -> None:
    r = await client.post(ORDER_PATH, json={**ORDER, "ORD_QTY": 1},
                          headers=kis_headers(token, "TTTC0012U"))
    body = assert_kis_error(r, names="ORD_QTY")
    assert "string" in body["msg1"]


async def test_missing_required_and_lowercase_keys(client: httpx.AsyncClient, token: str) -> None:
    partial = {k: v for k, v in ORDER.items() if k != "PDNO"}
    r = await client.post(ORDER_PATH, json=partial, headers=kis_headers(token, "TTTC0012U"))
    assert assert_kis_error(r, names="PDNO")["rt_cd"] == "2"
    lower = {k.lower(): v for k, v in ORDER.items()}
    r = await client.post(ORDER_PATH, json=lower, headers=kis_headers(token, "TTTC0012U"))
    assert "UPPERCASE" in assert_kis_error(r)["msg1"]
    r = await client.get(PRICE_PATH, params={"FID_COND_MRKT_DIV_CODE": "J"},
                         headers=price_headers(token))
    assert_kis_error(r, names="FID_INPUT_ISCD")


async def test_oversized_bodies(client: httpx.AsyncClient, token: str) -> None:
    big = json.dumps({**ORDER, "PAD": "x" * 70_000}).encode()
    assert assert_kis_error(await post_raw(client, token, big))["msg_cd"] == "SIM00413"

    async def chunks() -> Any:  # no content-length: streamed, cut off while reading
        for _ in range(20):
            yield b" " * 8192

    r = await client.post(ORDER_PATH, content=chunks(), headers=kis_headers(token, "TTTC0012U"))
    assert assert_kis_error(r)["msg_cd"] == "SIM00413"


async def test_bad_account_shape(client: httpx.AsyncClient, token: str) -> None:
    r = await client.post(ORDER_PATH, json={**ORDER, "CANO": "12"},
                          headers=kis_headers(token, "TTTC0012U"))
    assert_kis_error(r, names="CANO")


async def test_bad_symbol_on_the_reference_quote(client: httpx.AsyncClient, token: str) -> None:
    r = await client.get(PRICE_PATH, params={**PRICE_PARAMS, "FID_INPUT_ISCD": "!!"},
                         headers=price_headers(token))
    assert assert_kis_error(r)["msg_cd"] == "MCA05918"


async def test_token_endpoint_bad_input(client: httpx.AsyncClient) -> None:
    for content in (b"nope", b"[1]", json.dumps({"grant_type": "password"}).encode(),
                    json.dumps({"grant_type": "client_credentials", "appkey": 5}).encode()):
        r = await client.post("/oauth2/tokenP", content=content)
        assert_kis_error(r)


async def test_control_endpoints_reject_bad_input(client: httpx.AsyncClient) -> None:
    assert (await client.post("/_sim/faults", json={"error_rate": 3})).status_code == 400
    assert (await client.post("/_sim/faults", json={"nonsense": 1})).status_code == 400
    assert (await client.post("/_sim/faults", content=b"[")).status_code == 400
    assert (await client.post("/_sim/clock", json={"advance_s": -1})).status_code == 400
    assert (await client.post("/_sim/keys", json={"appkey": "k"})).status_code == 400
    assert (await client.post("/_sim/limits", json={"limits": "fast"})).status_code == 400
    assert (await client.get("/_sim/faults")).json()["counters"]["error"] == 0


# --------------------------------------------------------------------------- fuzz

REST_PATHS = sorted({a.path for a in catalog() if a.method is not None})
TRS = [*sorted({tr for a in catalog() for tr in a.tr_ids("real")})[:200], "", "X" * 30]
text = st.text(max_size=30)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def bad_requests(draw: st.DrawFn) -> dict[str, Any]:
    path = draw(st.sampled_from(REST_PATHS))
    path = draw(st.sampled_from([path, "/" + path, path + "/", path.upper(), path + "x"]))
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]))
    headers = {
        "tr_id": draw(st.sampled_from(TRS)),
        "appkey": draw(st.sampled_from([SIM_APP_KEY, "", "k" * 36])),
        "appsecret": draw(st.sampled_from([SIM_APP_SECRET, "", "s" * 180])),
        "authorization": draw(st.sampled_from(["", "Bearer", "Bearer junk", "TOKEN"])),
        "tr_cont": draw(st.sampled_from(["", "N", "M", "ZZ"])),
    }
    body: bytes = draw(st.one_of(
        st.binary(max_size=40),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.dictionaries(st.sampled_from(["CANO", "PDNO", "ORD_QTY", "x", ""]), json_values,
                        max_size=4).map(lambda v: json.dumps(v).encode()),
    ))
    query = draw(st.dictionaries(text, text, max_size=3))
    return {"method": method, "path": path, "headers": headers, "body": body, "query": query}


@pytest.fixture(scope="module")
def fuzz_app() -> SimApp:
    return make_app(limits="real")


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(req=bad_requests())
async def test_fuzz_every_endpoint_with_bad_input(fuzz_app: SimApp, req: dict[str, Any]) -> None:
    token = next(iter(fuzz_app.sim.auth.tokens), "")
    headers = dict(req["headers"])
    if headers["authorization"] == "TOKEN":
        headers["authorization"] = f"Bearer {token}"
    async with client_for(fuzz_app) as c:
        r = await c.request(req["method"], "http://sim" + req["path"], headers=headers,
                            params=req["query"], content=req["body"])
    if r.status_code == 200:
        body = r.json()
        assert body.get("rt_cd") == "0" or "access_token" in body or "HASH" in body \
            or "approval_key" in body or body.get("code") == 200
    else:
        assert_kis_error(r)


async def test_state_intact_after_fuzzing(fuzz_app: SimApp) -> None:
    """Runs after the fuzz test (same module app): the server still serves correct answers."""
    stats = fuzz_app.sim.stats()
    assert stats["requests"] >= 300
    assert stats["internal_errors"] == 0
    async with client_for(fuzz_app) as c:
        fuzz_app.sim.clock.advance(120)
        r = await c.post("/oauth2/tokenP", json={"grant_type": "client_credentials",
                                                  "appkey": SIM_APP_KEY,
                                                  "appsecret": SIM_APP_SECRET})
        assert r.status_code == 200
        tok = r.json()["access_token"]
        fuzz_app.sim.limiter.reset()
        q = await c.get(PRICE_PATH, params=PRICE_PARAMS, headers=kis_headers(tok, "FHKST01010100"))
        assert q.status_code == 200 and q.json()["rt_cd"] == "0"
    assert fuzz_app.sim.auth.keys[SIM_APP_KEY].account == (CANO, PRDT)
