"""Faults in-process, rate limits, paging and the generic responder."""

from __future__ import annotations

from decimal import Decimal

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

from hantoo._core.encoding import DECODERS
from hantoo.catalog import catalog, field_table
from hantoo.sim.app import SimApp
from hantoo.sim.faults import ConnectionReset, FaultConfig, ResponseDropped
from hantoo.sim.handlers import Call, Reply, handler_for, ok
from hantoo.sim.limits import Limiter, LimitProfile, Window, parse_profile
from hantoo.sim.validation import example_params


def counting_handler(app: SimApp, key: str) -> list[Call]:
    seen: list[Call] = []

    def handler(call: Call) -> Reply:
        seen.append(call)
        return ok(output={"n": str(len(seen))})

    app.sim.handlers[key] = handler
    return seen


# --------------------------------------------------------------------------- faults


async def test_drop_runs_the_handler_then_drops(app: SimApp, client: httpx.AsyncClient,
                                                token: str) -> None:
    seen = counting_handler(app, "domestic_stock/inquire_price")
    app.sim.faults.update(next_drop=1)
    with pytest.raises(ResponseDropped):
        await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=price_headers(token))
    assert len(seen) == 1  # executed
    r = await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=price_headers(token))
    assert r.json()["output"] == {"n": "2"}
    assert app.sim.faults.counters["drop"] == 1


async def test_reset_happens_before_execution(app: SimApp, client: httpx.AsyncClient,
                                              token: str) -> None:
    seen = counting_handler(app, "domestic_stock/inquire_price")
    r = await client.post("/_sim/faults", json={"next_reset": 1})
    assert r.json()["config"]["next_reset"] == 1
    with pytest.raises(ConnectionError):
        await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=price_headers(token))
    assert seen == []
    assert issubclass(ConnectionReset, ConnectionError)


async def test_error_maintenance_latency_and_scope(app: SimApp, client: httpx.AsyncClient,
                                                   token: str) -> None:
    h = price_headers(token)
    app.sim.faults.update(next_error=1)
    r = await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)
    assert r.status_code == 500 and r.json()["msg_cd"] == "EGW00301"
    app.sim.faults.update(maintenance=True)
    r = await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)
    assert r.status_code == 503 and r.json()["msg_cd"] == "SIM00503"
    # the token endpoint and control endpoints stay usable during maintenance
    assert (await client.get("/_sim/stats")).status_code == 200
    app.sim.faults.update(maintenance=False, maintenance_window=("09:30", "10:30"))
    assert (await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)).status_code == 503
    app.sim.clock.advance(3600)
    assert (await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)).status_code == 200
    app.sim.faults.update(maintenance_window=None, error_rate=1.0, apis=("kind:order",))
    assert (await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)).status_code == 200
    app.sim.faults.update(error_rate=0.0, apis=(), latency_ms=30)
    import time

    t0 = time.perf_counter()
    await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)
    assert time.perf_counter() - t0 >= 0.03
    assert app.sim.faults.counters["latency"] == 1


def test_fault_draws_are_deterministic_under_a_seed() -> None:
    from hantoo.sim.faults import Faults

    def run(seed: int) -> list[str | None]:
        f = Faults(FaultConfig(error_rate=0.3, reset_rate=0.2), seed=seed)
        return [f.before(600) for _ in range(200)]

    assert run(1) == run(1)
    assert run(1) != run(2)
    outcomes = run(1)
    assert 20 < outcomes.count("error") < 90 and 20 < outcomes.count("reset") < 70


async def test_revoke_tokens_fault(app: SimApp, client: httpx.AsyncClient, token: str) -> None:
    r = await client.post("/_sim/faults", json={"revoke_tokens": "*"})
    assert r.json()["counters"]["revoked_tokens"] == 1
    r = await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=price_headers(token))
    assert r.json()["msg_cd"] == "EGW00121"


# --------------------------------------------------------------------------- limits


def test_sliding_window_limiter() -> None:
    now = [0.0]
    lim = Limiter(clock=lambda: now[0], tolerance_s=0.0)
    prof = LimitProfile("t", (Window(3, 1.0),))
    assert [lim.check("k", prof).allowed for _ in range(4)] == [True, True, True, False]
    v = lim.check("other", prof)
    assert v.allowed and v.remaining == 2  # per key
    now[0] = 0.999
    assert not lim.check("k", prof).allowed
    now[0] = 1.0  # the three calls at t=0 are exactly one period old: out of the window
    v = lim.check("k", prof)
    assert v.allowed and v.remaining == 2
    assert lim.refused == 2
    assert parse_profile("30/s+2000/min").windows == (Window(30, 1.0), Window(2000, 60.0))
    assert parse_profile("real").windows[0] == Window(18, 1.0)
    with pytest.raises(ValueError):
        parse_profile("fast")


async def test_egw00201_and_ratelimit_headers() -> None:
    app = make_app(persona="paper", limits="auto")  # paper: 1 call per second
    async with client_for(app) as c:
        tok = await get_token(c)
        h = kis_headers(tok, "FHKST01010100")
        first = await c.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)
        assert first.status_code == 200
        assert first.headers["x-ratelimit-limit"] == "1"
        assert first.headers["x-ratelimit-remaining"] == "0"
        second = await c.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)
        assert second.status_code == 500
        assert second.json() == {"rt_cd": "1", "msg_cd": "EGW00201",
                                 "msg1": "초당 거래건수를 초과하였습니다."}
        assert 0 < float(second.headers["x-ratelimit-reset"]) <= 1.0
        await c.post("/_sim/limits", json={"limits": "off"})
        third = await c.get(PRICE_PATH, params=PRICE_PARAMS, headers=h)
        assert third.status_code == 200 and "x-ratelimit-limit" not in third.headers
    assert app.sim.stats()["rate_limited"] == 1


# --------------------------------------------------------------------------- paging, generic


async def test_generic_paging_walks_every_page(client: httpx.AsyncClient, token: str) -> None:
    # a cursor-paged account API the generic responder serves (no handler registered for it)
    api = next(a for a in catalog() if a.method == "GET" and a.paging is not None
               and "ctx_area_nk100" in a.paging.response and "ctx_area_fk100" in a.paging.response
               and a.response.blocks_known and handler_for(a.key) is None)
    params = example_params(api, (CANO, PRDT))
    h = kis_headers(token, api.tr_ids("real")[0])
    first_block = next(iter(api.response.blocks))
    pages, rows, sizes = [], 0, []
    for _ in range(10):
        r = await client.get(api.path, params=params, headers=h)
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append(r.headers["tr_cont"])
        rows += len(body[first_block])
        sizes.append(len(body[first_block]))
        assert set(body) >= {"ctx_area_fk100", "ctx_area_nk100"}
        if r.headers["tr_cont"] == "D":
            assert body["ctx_area_nk100"] == ""
            break
        params["CTX_AREA_FK100"] = body["ctx_area_fk100"]
        params["CTX_AREA_NK100"] = body["ctx_area_nk100"]
        h = {**h, "tr_cont": "N"}
    assert pages == ["M", "M", "D"], api.key
    size = sizes[0]
    assert sizes == [size, size, max(size // 2, 1)]  # 2.5 pages of the catalogue page size
    assert rows == 2 * size + max(size // 2, 1)


async def test_generic_answers_are_deterministic_and_decodable(client: httpx.AsyncClient,
                                                               token: str) -> None:
    # a quote API the generic responder serves (no handler registered for it)
    api = next(a for a in catalog() if a.method == "GET" and a.category == "domestic_stock"
               and a.kind == "query" and handler_for(a.key) is None
               and any(p.wire == "FID_INPUT_ISCD" and "123456" in p.doc for p in a.params)
               and a.response.blocks_known)  # FID_INPUT_ISCD an issue code, not a sector
    path = api.path
    params = example_params(api)
    params.update({"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "000660"})
    h = kis_headers(token, api.tr_ids("real")[0])
    a = await client.get(path, params=params, headers=h)
    b = await client.get(path, params=params, headers=h)
    assert a.json() == b.json()
    c = await client.get(path, params={**params, "FID_INPUT_ISCD": "005380"}, headers=h)
    assert c.json() != a.json()
    table = field_table()
    body = a.json()
    for block in api.response.blocks:
        value = body[block]
        for row in value if isinstance(value, list) else [value]:
            for name, raw in row.items():
                f = table.get(name.lower())
                if f is None or raw == "":
                    continue
                decoded = DECODERS.get(f.enc, lambda s: s)(raw)
                assert decoded is not None, (name, f.enc, raw)
                if f.enc == "price" and "vrss" not in name:
                    assert isinstance(decoded, Decimal) and decoded > 0


async def test_non_paged_api_has_blank_tr_cont(client: httpx.AsyncClient, token: str) -> None:
    r = await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=price_headers(token))
    assert r.headers["tr_cont"] == ""
    out = r.json()["output"]
    assert int(out["prdy_vrss"]) == int(out["stck_prpr"]) - int(out["stck_sdpr"])


async def test_business_error_and_bad_handler(app: SimApp, client: httpx.AsyncClient,
                                              token: str) -> None:
    from hantoo.sim.handlers import BusinessError

    def reject(call: Call) -> Reply:
        raise BusinessError("APBK0013", "주문가능금액을 초과 했습니다")

    def broken(call: Call) -> Reply:
        return {"rt_cd": "0"}  # type: ignore[return-value]

    app.sim.handlers["domestic_stock/inquire_price"] = reject
    r = await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=price_headers(token))
    assert r.status_code == 500
    assert r.json() == {"rt_cd": "1", "msg_cd": "APBK0013", "msg1": "주문가능금액을 초과 했습니다"}
    app.sim.handlers["domestic_stock/inquire_price"] = broken
    r = await client.get(PRICE_PATH, params=PRICE_PARAMS, headers=price_headers(token))
    assert r.status_code == 500 and r.json()["msg_cd"] == "SIM00500"
    assert "Traceback" not in r.text
    assert app.sim.internal_errors == 1


def test_register_rejects_unknown_keys_and_streams() -> None:
    from hantoo.sim.handlers import register

    with pytest.raises(KeyError):
        register("domestic_stock/no_such_api")(lambda call: ok())
    stream = next(a for a in catalog() if a.stream is not None)
    with pytest.raises(ValueError):
        register(stream.key)(lambda call: ok())


async def test_openapi_document(client: httpx.AsyncClient) -> None:
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    ops = [(m, p) for p, item in doc["paths"].items() for m in item]
    assert len(ops) == 276
    op = doc["paths"][PRICE_PATH]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"tr_id", "appkey", "FID_INPUT_ISCD"} <= names
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert "stck_prpr" in schema["properties"]["output"]["properties"]
    order = doc["paths"]["/uapi/domestic-stock/v1/trading/order-cash"]["post"]
    body = order["requestBody"]["content"]["application/json"]["schema"]
    assert "PDNO" in body["required"]
