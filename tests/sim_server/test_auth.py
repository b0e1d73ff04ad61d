"""Token, approval-key and hashkey rules of the simulator, on the wire."""

from __future__ import annotations

from datetime import timedelta

import httpx
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

from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import SimApp
from hantoo.sim.auth import key_id

TOKEN_BODY = {"grant_type": "client_credentials", "appkey": SIM_APP_KEY,
              "appsecret": SIM_APP_SECRET}


async def _price(c: httpx.AsyncClient, token: str) -> httpx.Response:
    return await c.get(PRICE_PATH, params=PRICE_PARAMS, headers=price_headers(token))


async def test_token_shape_and_expiry_stamp(client: httpx.AsyncClient) -> None:
    r = await client.post("/oauth2/tokenP", json=TOKEN_BODY)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "access_token_token_expired"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400
    # stepped clock starts 2026-11-23 10:00 KST; a day later
    assert body["access_token_token_expired"] == "2026-11-24 10:00:00"


async def test_second_request_within_a_minute_is_egw00133(app: SimApp) -> None:
    async with client_for(app) as c:
        await get_token(c)
        r = await c.post("/oauth2/tokenP", json=TOKEN_BODY)
        assert r.status_code == 403
        assert r.json() == {
            "error_description": "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)",
            "error_code": "EGW00133",
        }
        assert app.sim.auth.issuances(SIM_APP_KEY) == 1


async def test_same_token_within_six_hours_is_not_an_issuance(app: SimApp) -> None:
    async with client_for(app) as c:
        first = await get_token(c)
        app.sim.clock.advance(timedelta(seconds=61))
        again = await c.post("/oauth2/tokenP", json=TOKEN_BODY)
        assert again.json()["access_token"] == first
        assert again.json()["expires_in"] == 86400 - 61
        assert app.sim.auth.issuances(SIM_APP_KEY) == 1
        stats = (await c.get("/_sim/stats")).json()
        assert stats["token_issuances"] == {key_id(SIM_APP_KEY): 1}
        app.sim.clock.advance(timedelta(hours=6))
        third = await get_token(c)
        assert third != first
        assert app.sim.auth.issuances(SIM_APP_KEY) == 2
        # the older token stays valid until its own expiry
        assert (await _price(c, first)).status_code == 200


async def test_token_expires_after_a_day_on_the_sim_clock(app: SimApp) -> None:
    async with client_for(app) as c:
        tok = await get_token(c)
        assert (await _price(c, tok)).status_code == 200
        app.sim.clock.advance(timedelta(days=1))
        r = await _price(c, tok)
        assert r.status_code == 500
        assert r.json() == {"rt_cd": "1", "msg_cd": "EGW00123",
                            "msg1": "기간이 만료된 token 입니다."}
        fresh = await get_token(c)
        assert fresh != tok
        assert (await _price(c, fresh)).status_code == 200


async def test_token_problems_on_api_calls(client: httpx.AsyncClient, token: str) -> None:
    missing = await client.get(PRICE_PATH, params=PRICE_PARAMS,
                               headers=kis_headers("", "FHKST01010100"))
    assert missing.status_code == 500 and missing.json()["msg_cd"] == "EGW00122"
    bogus = await _price(client, token[:-4] + "AAAA")
    assert bogus.status_code == 500 and bogus.json()["msg_cd"] == "EGW00121"
    no_bearer_prefix = await client.get(
        PRICE_PATH, params=PRICE_PARAMS,
        headers={**price_headers(token), "authorization": token},
    )
    assert no_bearer_prefix.status_code == 200


async def test_bad_app_key_and_secret(client: httpx.AsyncClient, token: str) -> None:
    r = await client.post("/oauth2/tokenP", json={**TOKEN_BODY, "appkey": "short"})
    assert r.status_code == 403 and r.json()["error_code"] == "EGW00103"
    r = await client.post("/oauth2/tokenP", json={**TOKEN_BODY, "appsecret": "x" * 180})
    assert r.status_code == 403 and r.json()["error_code"] == "EGW00105"
    r = await client.get(PRICE_PATH, params=PRICE_PARAMS,
                         headers=kis_headers(token, "FHKST01010100", secret="wrong"))
    assert r.status_code == 500
    assert r.json() == {"rt_cd": "1", "msg_cd": "EGW00105",
                        "msg1": "유효하지 않은 AppSecret입니다."}


async def test_unknown_keys_of_real_lengths_are_registered() -> None:
    key, secret = "K" * 36, "S" * 180
    app = make_app()
    async with client_for(app) as c:
        tok = await get_token(c, key, secret)
        r = await c.get(PRICE_PATH, params=PRICE_PARAMS,
                        headers=kis_headers(tok, "FHKST01010100", key, secret))
        assert r.status_code == 200 and r.json()["rt_cd"] == "0"
    assert app.sim.auth.keys[key].auto
    assert app.sim.auth.issuances(key) == 1
    closed = make_app(auto_register=False)
    async with client_for(closed) as c:
        r = await c.post("/oauth2/tokenP", json={**TOKEN_BODY, "appkey": key, "appsecret": secret})
        assert r.status_code == 403 and r.json()["error_code"] == "EGW00103"


async def test_first_account_used_becomes_the_keys_account() -> None:
    key, secret = "A" * 36, "B" * 180
    app = make_app()
    params = {"CANO": "12345678", "ACNT_PRDT_CD": "01", "AFHR_FLPR_YN": "N", "OFL_YN": "",
              "INQR_DVSN": "02", "UNPR_DVSN": "01", "FUND_STTL_ICLD_YN": "N",
              "FNCG_AMT_AUTO_RDPT_YN": "N", "PRCS_DVSN": "00", "CTX_AREA_FK100": "",
              "CTX_AREA_NK100": ""}
    path = "/uapi/domestic-stock/v1/trading/inquire-balance"
    async with client_for(app) as c:
        tok = await get_token(c, key, secret)
        h = kis_headers(tok, "TTTC8434R", key, secret)
        assert (await c.get(path, params=params, headers=h)).status_code == 200
        assert app.sim.auth.keys[key].account == ("12345678", "01")
        other = await c.get(path, params={**params, "CANO": "87654321"}, headers=h)
        assert other.status_code == 500
        assert other.json()["msg_cd"] == "OPSQ2000"
        # the demo key is bound to the demo account from the start
        demo = await get_token(c)
        r = await c.get(path, params={**params, "CANO": "12345678"},
                        headers=kis_headers(demo, "TTTC8434R"))
        assert r.json()["msg_cd"] == "OPSQ2000"
        r = await c.get(path, params={**params, "CANO": CANO, "ACNT_PRDT_CD": PRDT},
                        headers=kis_headers(demo, "TTTC8434R"))
        assert r.status_code == 200
    strict = make_app(auto_accounts=False)
    async with client_for(strict) as c:
        tok = await get_token(c, key, secret)
        r = await c.get(path, params=params, headers=kis_headers(tok, "TTTC8434R", key, secret))
        assert r.json()["msg_cd"] == "OPSQ2000"


async def test_revoke_invalidates_at_once(app: SimApp) -> None:
    async with client_for(app) as c:
        tok = await get_token(c)
        r = await c.post("/oauth2/revokeP",
                         json={"appkey": SIM_APP_KEY, "appsecret": SIM_APP_SECRET, "token": tok})
        assert r.status_code == 200 and r.json()["code"] == 200
        assert (await _price(c, tok)).json()["msg_cd"] == "EGW00121"
        app.sim.clock.advance(timedelta(seconds=60))
        new = await get_token(c)
        assert new != tok
        assert app.sim.auth.issuances(SIM_APP_KEY) == 2


async def test_approval_key_identifies_the_app_key(app: SimApp) -> None:
    async with client_for(app) as c:
        r = await c.post("/oauth2/Approval", json={"grant_type": "client_credentials",
                                                    "appkey": SIM_APP_KEY,
                                                    "secretkey": SIM_APP_SECRET})
        assert r.status_code == 200
        approval = r.json()["approval_key"]
        assert len(approval) == 36
        ident = app.sim.ws_identity(approval)
        assert ident is not None and ident.app_key == SIM_APP_KEY
        assert app.sim.ws_identity("nope") is None
        bad = await c.post("/oauth2/Approval", json={"grant_type": "client_credentials",
                                                      "appkey": SIM_APP_KEY, "secretkey": "x"})
        assert bad.status_code == 403 and bad.json()["error_code"] == "EGW00105"


async def test_hashkey_round_trip_and_mismatch(app: SimApp) -> None:
    order = {"CANO": CANO, "ACNT_PRDT_CD": PRDT, "PDNO": "005930", "ORD_DVSN": "00",
             "ORD_QTY": "1", "ORD_UNPR": "70000", "EXCG_ID_DVSN_CD": "KRX"}
    path = "/uapi/domestic-stock/v1/trading/order-cash"
    async with client_for(app) as c:
        tok = await get_token(c)
        r = await c.post("/uapi/hashkey", json=order,
                         headers={"appkey": SIM_APP_KEY, "appsecret": SIM_APP_SECRET})
        assert r.status_code == 200
        assert r.json()["BODY"] == order
        good = r.json()["HASH"]
        assert len(good) == 64 and int(good, 16) >= 0
        ok = await c.post(path, json=order, headers=kis_headers(tok, "TTTC0012U", hashkey=good))
        assert ok.json()["msg_cd"] != "EGW00131"
        bad = await c.post(path, json={**order, "ORD_QTY": "100"},
                           headers=kis_headers(tok, "TTTC0012U", hashkey=good))
        assert bad.status_code == 500
        assert bad.json()["msg_cd"] == "EGW00131"
