"""Every catalogue REST path answers; methods, TR IDs, personas, header casing, slashes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from _sim_server_kit import (
    CANO,
    PRDT,
    PRICE_PARAMS,
    PRICE_PATH,
    client_for,
    get_token,
    kis_headers,
    make_app,
    price_headers,
)

from hantoo.catalog import Api, catalog
from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import SimApp
from hantoo.sim.handlers import handler_for
from hantoo.sim.state import KeySpec
from hantoo.sim.validation import example_params

REST = [a for a in catalog() if a.method is not None]
PAPER_KEY, PAPER_SECRET = "P" * 36, "Q" * 180


def request_for(api: Api) -> dict[str, Any]:
    params = example_params(api, (CANO, PRDT))  # well-formed: the validator refuses garbage
    if api.method == "GET":
        return {"params": params}
    return {"json": params}


@pytest.fixture(scope="module")
def shared_app() -> SimApp:
    return make_app()


def test_catalogue_has_276_rest_apis() -> None:
    assert len(REST) == 276


@pytest.mark.parametrize("api", REST, ids=[a.key for a in REST])
async def test_every_rest_path_answers(shared_app: SimApp, api: Api) -> None:
    async with client_for(shared_app) as c:
        if api.category == "auth":
            r = await c.post(api.path, json={})
            assert r.status_code in (200, 403, 500), r.text
            body = r.json()
            assert "error_code" in body or "rt_cd" in body or "HASH" in body
            return
        token = shared_app.sim.auth.tokens and next(iter(shared_app.sim.auth.tokens))
        if not token:
            token = await get_token(c)
        tr = api.tr_ids("real")[0]
        r = await c.request(api.method or "GET", api.path, headers=kis_headers(token, tr),
                            **request_for(api))
    assert r.status_code != 404
    body = r.json()
    assert set(body) >= {"rt_cd", "msg_cd", "msg1"}, body
    assert r.headers["tr_id"] == tr
    assert "gt_uid" in r.headers
    if handler_for(api.key) is None:  # the generic responder: every block, every field
        assert r.status_code == 200 and body["rt_cd"] == "0", body
        for block, fields in api.response.blocks.items():
            assert block in body
            value = body[block]
            rows = value if isinstance(value, list) else [value]
            assert rows or api.paging is not None
            for row in rows:
                assert all(isinstance(v, str) for v in row.values())
                assert set(row) >= set(fields or api.response.fields or [])
    else:
        assert body["msg_cd"] != "SIM00500", f"handler for {api.key} crashed: {body}"


async def test_wrong_method_is_405_with_kis_body(client: httpx.AsyncClient, token: str) -> None:
    r = await client.post(PRICE_PATH, json=PRICE_PARAMS, headers=price_headers(token))
    assert r.status_code == 405
    assert r.headers["allow"] == "GET"
    body = r.json()
    assert body["rt_cd"] == "1" and "GET" in body["msg1"]


async def test_unknown_path_is_404_with_kis_body(client: httpx.AsyncClient) -> None:
    r = await client.get("/uapi/domestic-stock/v1/quotations/no-such-thing")
    assert r.status_code == 404
    assert r.json()["msg_cd"] == "SIM00404"


async def test_duplicate_and_trailing_slashes(client: httpx.AsyncClient, token: str) -> None:
    for path in ("//uapi/domestic-stock/v1/quotations/inquire-price",
                 "/uapi//domestic-stock/v1/quotations/inquire-price/"):
        r = await client.get(f"http://sim{path}", params=PRICE_PARAMS,
                             headers=price_headers(token))
        assert r.status_code == 200, path
        assert r.json()["output"]["stck_shrn_iscd"] == "005930"


async def test_header_names_any_case(client: httpx.AsyncClient, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}", "AppKey": SIM_APP_KEY,
               "APPSECRET": SIM_APP_SECRET, "TR_ID": "fhkst01010100 "}
    r = await client.get(PRICE_PATH, params={k.lower(): v for k, v in PRICE_PARAMS.items()},
                         headers=headers)
    assert r.status_code == 200, r.text


async def test_tr_id_errors_name_the_problem(client: httpx.AsyncClient, token: str) -> None:
    missing = await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=kis_headers(token, ""))
    assert missing.status_code == 500 and "tr_id" in missing.json()["msg1"]
    unknown = await client.get(PRICE_PATH, params=PRICE_PARAMS,
                               headers=kis_headers(token, "ZZZZ9999R"))
    assert unknown.json()["msg_cd"] == "SIM00410"
    assert "FHKST01010100" in unknown.json()["msg1"]
    elsewhere = await client.get(PRICE_PATH, params=PRICE_PARAMS,
                                 headers=kis_headers(token, "TTTC8434R"))
    assert "/uapi/domestic-stock/v1/trading/inquire-balance" in elsewhere.json()["msg1"]


async def test_real_persona_refuses_paper_tr(client: httpx.AsyncClient, token: str) -> None:
    r = await client.get("/uapi/domestic-stock/v1/trading/inquire-balance",
                         params={"CANO": CANO}, headers=kis_headers(token, "VTTC8434R"))
    assert r.status_code == 500
    assert r.json()["msg_cd"] == "EGW00213" and "실전투자" in r.json()["msg1"]


async def test_paper_key_on_a_real_server() -> None:
    app = make_app(keys=(KeySpec(PAPER_KEY, PAPER_SECRET, persona="paper"),))
    async with client_for(app) as c:
        tok = await get_token(c, PAPER_KEY, PAPER_SECRET)
        h = kis_headers(tok, "TTTC8434R", PAPER_KEY, PAPER_SECRET)
        r = await c.get("/uapi/domestic-stock/v1/trading/inquire-balance", params={}, headers=h)
        assert r.status_code == 500
        assert r.json()["msg_cd"] == "EGW00213"
        assert r.json()["msg1"].startswith("모의투자 TR 이 아닙니다.")
        # an API KIS paper does not offer: refused even with its only TR ID
        h["tr_id"] = "CTCA0903R"
        r = await c.get("/uapi/domestic-stock/v1/quotations/chk-holiday",
                        params={"BASS_DT": "20261120"}, headers=h)
        assert r.json()["msg_cd"] == "EGW00213"
        # shared TR IDs (quotes) work for paper; paper TR IDs of paper APIs too
        h["tr_id"] = "FHKST01010100"
        assert (await c.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)).status_code == 200


async def test_paper_server_and_runtime_key_registration() -> None:
    app = make_app(persona="paper")
    async with client_for(app) as c:
        tok = await get_token(c)  # the demo key takes the server's persona
        r = await c.get(PRICE_PATH, params=PRICE_PARAMS, headers=kis_headers(tok, "FHKST01010100"))
        assert r.status_code == 200
        r = await c.get("/uapi/domestic-stock/v1/quotations/chk-holiday",
                        params={"BASS_DT": "20261120"}, headers=kis_headers(tok, "CTCA0903R"))
        assert r.json()["msg_cd"] == "EGW00213"
        reg = await c.post("/_sim/keys", json={"appkey": "R" * 36, "appsecret": "S" * 180,
                                               "persona": "real"})
        assert reg.status_code == 200 and reg.json()["persona"] == "real"
        real_tok = await get_token(c, "R" * 36, "S" * 180)
        r = await c.get("/uapi/domestic-stock/v1/quotations/chk-holiday",
                        params={"BASS_DT": "20261120"},
                        headers=kis_headers(real_tok, "CTCA0903R", "R" * 36, "S" * 180))
        assert r.status_code == 200 and r.json()["rt_cd"] == "0"


async def test_two_apps_share_nothing() -> None:
    a, b = make_app(), make_app()
    async with client_for(a) as ca, client_for(b) as cb:
        ta = await get_token(ca)
        r = await cb.get(PRICE_PATH, params=PRICE_PARAMS, headers=kis_headers(ta, "FHKST01010100"))
        assert r.json()["msg_cd"] == "EGW00121"
        await get_token(cb)  # no EGW00133: the other app's issuance does not count here
    assert a.sim.auth.issuances(SIM_APP_KEY) == 1 == b.sim.auth.issuances(SIM_APP_KEY)
