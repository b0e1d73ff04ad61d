"""Every API of the catalogue, through its generated method, builds the right request.

For each of the 276 REST APIs: method, path, TR ID (real and paper), headers, and parameter
casing (UPPERCASE keys, string values) — checked on the request that reaches the transport.
Paper calls to APIs that paper does not offer must fail before anything is sent. For each of
the 60 WebSocket APIs: the generated record type has the catalogue's columns, in order.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

import hantoo
from hantoo._generated.streams import RECORDS
from hantoo.catalog import Api, catalog

APP_KEY = "PS" + "A" * 34
APP_SECRET = "S" * 180
ACCOUNT = "12345678-01"

SAMPLES: dict[str, Any] = {
    "price": Decimal("71000"),
    "amount": 1000000,
    "rate": Decimal("1.5"),
    "number": "1",
    "qty": 10,
    "count": 3,
    "yyyymmdd": dt.date(2026, 11, 20),
    "hhmmss": dt.time(9, 30, 0),
    "datetime": "20261120093000",
    "flag": "N",
    "code": "005930",
    "text": "x",
    "json": {"CANO": "12345678", "PDNO": "005930"},
}
WIRE_SAMPLES = {
    "price": "71000", "amount": "1000000", "rate": "1.5", "number": "1", "qty": "10",
    "count": "3", "yyyymmdd": "20261120", "hhmmss": "093000", "datetime": "20261120093000",
    "flag": "N", "code": "005930", "text": "x",
}

REST = [a for a in catalog() if a.is_rest]
STREAMS = [a for a in catalog() if not a.is_rest]


class Recorder:
    """A transport that records requests and answers like KIS would on success."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/tokenP" and "authorization" not in request.headers:
            return httpx.Response(200, json={
                "access_token": "T" * 40, "token_type": "Bearer", "expires_in": 86400,
                "access_token_token_expired": "2099-12-31 23:59:59",
            })
        self.requests.append(request)
        return httpx.Response(
            200,
            headers={"tr_id": request.headers.get("tr_id", ""), "tr_cont": "D"},
            json={"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "정상처리 되었습니다."},
        )


def make_client(environment: str, recorder: Recorder) -> hantoo.Client:
    return hantoo.Client(
        environment, app_key=APP_KEY, app_secret=APP_SECRET, account=ACCOUNT,
        transport=httpx.MockTransport(recorder), rate_limit=False,
    )


def arguments(api: Api, variant: int = 0) -> dict[str, Any]:
    """Sample keyword arguments for every required parameter, and the chosen TR variant."""
    args: dict[str, Any] = {}
    for p in api.params:
        if p.required and not p.cursor and not p.account and not p.credential and p.fixed is None:
            args[p.name] = SAMPLES[p.enc]
    if api.variants:
        for name, values in api.variants[variant].when.items():
            args[name] = values[0]
    return args


def expected_tr(api: Api, environment: str, variant: int = 0) -> str | None:
    if api.variants:
        v = api.variants[variant]
        return v.paper if environment == "paper" else v.real
    return api.tr_paper if environment == "paper" else api.tr_real


def call(client: hantoo.Client, api: Api, args: dict[str, Any]) -> Any:
    resource = getattr(client, api.category)
    return getattr(resource, api.name)(**args)


def test_catalogue_counts() -> None:
    assert len(catalog()) == 336
    assert len(REST) == 276
    assert len(STREAMS) == 60
    assert len({a.key for a in catalog()}) == 336


@pytest.mark.parametrize("api", REST, ids=[a.key for a in REST])
@pytest.mark.parametrize("environment", ["real", "paper"])
def test_rest_request_shape(api: Api, environment: str) -> None:
    recorder = Recorder()
    client = make_client(environment, recorder)
    for variant in range(max(1, len(api.variants))):
        args = arguments(api, variant)
        tr = expected_tr(api, environment, variant)
        sent_before = len(recorder.requests)
        if environment == "paper" and (not api.paper or (api.variants and not tr)):
            with pytest.raises(hantoo.errors.UnsupportedInPaperError, match="paper"):
                call(client, api, args)
            assert len(recorder.requests) == sent_before, "nothing may be sent"
            continue
        response = call(client, api, args)
        assert response.rt_cd == "0"
        request = recorder.requests[-1]
        assert request.method == api.method
        assert request.url.path == api.path
        assert request.headers["tr_id"] == (tr or "")
        assert request.headers["custtype"] == "P"
        assert request.headers["appkey"] == APP_KEY
        assert request.headers["appsecret"] == APP_SECRET
        assert request.headers["content-type"].startswith("application/json")
        if api.kind != "auth":
            assert request.headers["authorization"] == "Bearer " + "T" * 40
        assert "tr_cont" in request.headers
        sent = dict(request.url.params) if api.method == "GET" else json.loads(request.content)
        assert all(isinstance(v, str) for v in sent.values()), sent
        for p in api.params:
            if p.wire == "*":
                continue
            if p.omit_empty and p.wire not in sent:
                continue
            assert p.wire in sent, f"{p.wire} missing from the request"
            selector = any(sel.name == p.name for sel in api.selectors)
            if p.name in args and p.enc in WIRE_SAMPLES and not p.account and not selector:
                assert sent[p.wire] == WIRE_SAMPLES[p.enc], p.wire
        if any(p.account for p in api.params):
            assert sent.get("CANO") == "12345678"
            assert sent.get("ACNT_PRDT_CD") == "01"
        wire_keys = [k for k in sent if api.category != "auth"]
        assert all(k == k.upper() for k in wire_keys), wire_keys


@pytest.mark.parametrize("api", STREAMS, ids=[a.key for a in STREAMS])
def test_stream_record_types(api: Api) -> None:
    assert api.stream is not None
    record_type = RECORDS[api.stream.tr_id]
    assert tuple(api.stream.columns) == record_type.COLUMNS
    assert len(record_type.ENCODINGS) == len(record_type.COLUMNS)
    if api.stream.tr_paper:
        assert RECORDS[api.stream.tr_paper] is record_type
    values = [str(i) for i in range(len(record_type.COLUMNS))] + ["extra-column"]
    record = record_type(values)
    assert record.extra == ("extra-column",)
    assert set(record.to_dict()) == {c.lower() for c in api.stream.columns}


def test_missing_required_parameter_is_named() -> None:
    client = make_client("real", Recorder())
    with pytest.raises(TypeError, match="fid_input_iscd"):
        client.domestic_stock.inquire_price(fid_cond_mrkt_div_code="J")  # type: ignore[call-arg]


def test_unknown_keyword_is_named() -> None:
    client = make_client("real", Recorder())
    with pytest.raises(TypeError, match="symbol"):
        client.domestic_stock.inquire_price(  # type: ignore[call-arg]
            fid_cond_mrkt_div_code="J", fid_input_iscd="005930", symbol="005930"
        )


def test_wrong_type_is_named_and_nothing_sent() -> None:
    recorder = Recorder()
    client = make_client("real", recorder)
    with pytest.raises(TypeError, match=r"ord_qty.*float"):
        client.domestic_stock.order_cash(
            ord_dv="buy", pdno="005930", ord_dvsn="00", ord_qty=1.5,  # type: ignore[arg-type]
            ord_unpr="71000", excg_id_dvsn_cd="KRX",
        )
    with pytest.raises(ValueError, match=r"ord_unpr.*not a number"):
        client.domestic_stock.order_cash(
            ord_dv="buy", pdno="005930", ord_dvsn="00", ord_qty=1, ord_unpr="7만원",
            excg_id_dvsn_cd="KRX",
        )
    with pytest.raises(TypeError, match="selector 'ord_dv'"):
        client.call("domestic_stock/order_cash", {"pdno": "005930", "ord_dvsn": "00",
                                                  "ord_qty": 1, "ord_unpr": 1,
                                                  "excg_id_dvsn_cd": "KRX"})
    assert recorder.requests == []


def test_call_by_key_accepts_wire_names() -> None:
    recorder = Recorder()
    client = make_client("real", recorder)
    client.call("domestic_stock/inquire_price",
                {"FID_COND_MRKT_DIV_CODE": "J", "fid_input_iscd": "005930"})
    assert dict(recorder.requests[-1].url.params) == {
        "FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930",
    }


def test_missing_account_is_a_configuration_error() -> None:
    recorder = Recorder()
    client = hantoo.Client("real", app_key=APP_KEY, app_secret=APP_SECRET,
                           transport=httpx.MockTransport(recorder), rate_limit=False)
    with pytest.raises(hantoo.errors.ConfigurationError, match="account"):
        client.domestic_stock.inquire_psbl_order(
            pdno="005930", ord_unpr="71000", ord_dvsn="00", cma_evlu_amt_icld_yn="N",
            ovrs_icld_yn="N",
        )
