"""``GET /openapi.json``: an OpenAPI 3.1 document of the simulator, generated from the catalogue.

Why generate it: tools (Swagger UI, schemathesis, code generators for other languages) can then
use the simulator without anyone keeping a second description in sync. One operation per REST
API: its Korean title and TR IDs, the KIS request headers, the parameters (query for GET, a JSON
object of string properties for POST) and a response schema whose blocks list every documented
field as a string. Built once per process and cached as bytes.
"""

from __future__ import annotations

import functools
from typing import Any

from hantoo.catalog import Api, catalog, field_table

from .generic import layout
from .replies import encode_body

__all__ = ["openapi_bytes", "openapi_document"]

_STR = {"type": "string"}
_ERROR = {
    "type": "object",
    "properties": {"rt_cd": _STR, "msg_cd": _STR, "msg1": _STR},
    "required": ["rt_cd", "msg_cd", "msg1"],
}
_TOKEN_ERROR = {
    "type": "object",
    "properties": {"error_code": _STR, "error_description": _STR},
    "required": ["error_code", "error_description"],
}


def _header(name: str, required: bool, doc: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": required, "schema": _STR,
            "description": doc}


def _field_schema(name: str) -> dict[str, Any]:
    f = field_table().get(name.lower())
    schema: dict[str, Any] = {"type": "string"}
    if f is not None:
        schema["description"] = f"{f.ko} [{f.enc}]" if f.ko else f"[{f.enc}]"
    return schema


def _response_schema(api: Api) -> dict[str, Any]:
    props: dict[str, Any] = {"rt_cd": _STR, "msg_cd": _STR, "msg1": _STR}
    for block in layout(api):
        obj = {
            "type": "object",
            "properties": {f: _field_schema(f) for f in block.fields},
        }
        props[block.name] = {"type": "array", "items": obj} if block.is_list else obj
    if api.paging:
        for k in api.paging.response:
            props[k] = _STR
    return {"type": "object", "properties": props, "required": ["rt_cd", "msg_cd", "msg1"]}


def _operation(api: Api) -> dict[str, Any]:
    trs = sorted(set(api.tr_ids("real")) | set(api.tr_ids("paper") if api.paper else ()))
    op: dict[str, Any] = {
        "operationId": api.key.replace("/", "__"),
        "summary": f"{api.title_ko} ({', '.join(trs) or api.key})",
        "tags": [api.category],
        "x-kis-tr-ids": {"real": api.tr_ids("real"),
                         "paper": api.tr_ids("paper") if api.paper else []},
        "x-kis-kind": api.kind,
    }
    params: list[dict[str, Any]] = []
    if api.category != "auth":
        params += [
            _header("authorization", True, "Bearer <access_token>"),
            _header("appkey", True, "app key (36 characters)"),
            _header("appsecret", True, "app secret (180 characters)"),
            _header("tr_id", True, " | ".join(trs)),
            _header("tr_cont", False, "blank for the first page, N for the next"),
            _header("custtype", False, "P (individual/corporate) or B (partner)"),
        ]
    elif api.key == "auth/hashkey":
        params += [_header("appkey", True, "app key"), _header("appsecret", True, "app secret")]
    if api.method == "GET":
        params += [
            {"name": p.wire, "in": "query", "required": p.required and not p.cursor,
             "schema": _STR, "description": p.doc}
            for p in api.params
        ]
    else:
        if api.key == "auth/hashkey":
            body_schema: dict[str, Any] = {"type": "object"}
        else:
            body_schema = {
                "type": "object",
                "properties": {p.wire: {"type": "string", "description": p.doc}
                               for p in api.params},
                "required": [p.wire for p in api.params if p.required and not p.cursor],
            }
        op["requestBody"] = {
            "required": True, "content": {"application/json": {"schema": body_schema}}
        }
    op["parameters"] = params
    ok_schema = (
        {"type": "object"} if api.category == "auth" and api.key != "auth/hashkey"
        else _response_schema(api)
    )
    responses: dict[str, Any] = {
        "200": {"description": "success", "content": {"application/json": {"schema": ok_schema}}},
        "500": {"description": "KIS error (rt_cd != 0)",
                "content": {"application/json": {"schema": _ERROR}}},
    }
    if api.category == "auth":
        responses["403"] = {"description": "token endpoint error",
                            "content": {"application/json": {"schema": _TOKEN_ERROR}}}
    op["responses"] = responses
    return op


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document as a dict."""
    paths: dict[str, Any] = {}
    for api in catalog():
        if api.method is None:
            continue
        paths.setdefault(api.path, {})[api.method.lower()] = _operation(api)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hantoo KIS simulator",
            "version": "1",
            "description": "The KIS Open API REST surface as served by hantoo's simulator.",
        },
        "paths": paths,
    }


@functools.cache
def openapi_bytes() -> bytes:
    return encode_body(openapi_document())
