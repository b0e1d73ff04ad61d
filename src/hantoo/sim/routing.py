"""From a raw HTTP request to a validated API call: paths, headers, TR IDs, parameters.

Everything here is computed once per process from the catalogue (:func:`routes`) and then only
looked up, so the per-request cost is a few dictionary hits. Every function either returns a
value or raises :class:`hantoo.sim.replies.KisError` whose ``msg1`` names the problem — the
server turns that into a KIS-style body; nothing here can leak a traceback.

Tolerances, as the real gateway's (and what existing clients rely on): duplicate and trailing
slashes in paths (``//uapi/...``), any header-name casing, TR IDs in any case with surrounding
blanks, GET parameter names in any case. POST bodies must use UPPERCASE keys and string values,
as KIS documents ("BODY값의 key값들을 대문자로"); a lower-case key counts as missing.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from hantoo.catalog import Api, catalog

from .replies import BAD_TR_ID, NOT_PAPER_TR, NOT_REAL_TR, KisError, api_error, input_error
from .wire_compat import enforced_required, legacy_successor, note_legacy

__all__ = ["Route", "check_tr_id", "normalize_path", "parse_params", "route_for", "routes"]

_SLASHES = re.compile(r"/{2,}")


@dataclass(frozen=True, slots=True)
class Route:
    """One catalogue REST API as the server sees it."""

    api: Api
    method: str
    real_trs: frozenset[str]
    paper_trs: frozenset[str]
    required: tuple[str, ...]
    """Wire names that must be present (not cursors; values may be empty): for orders, only
    what KIS refuses (:func:`hantoo.sim.wire_compat.enforced_required`)."""
    takes_account: bool
    any_body: bool
    """The body is arbitrary JSON (``/uapi/hashkey``), not wire parameters."""
    is_auth: bool

    def tr_kinds(self) -> str:
        return ", ".join(sorted(self.real_trs | self.paper_trs)) or "(none)"


def _route(api: Api) -> Route:
    assert api.method is not None
    params = api.params
    wires = {p.wire for p in params}
    return Route(
        api=api,
        method=api.method,
        real_trs=frozenset(api.tr_ids("real")),
        paper_trs=frozenset(api.tr_ids("paper")) if api.paper else frozenset(),
        required=tuple(p.wire for p in params if enforced_required(api, p)),
        takes_account={"CANO", "ACNT_PRDT_CD"} <= wires,
        any_body=any(p.wire == "*" for p in params),
        is_auth=api.category == "auth",
    )


@functools.cache
def routes() -> dict[str, Route]:
    """Normalised path → route, for every REST API of the catalogue."""
    return {normalize_path(a.path): _route(a) for a in catalog() if a.method is not None}


def normalize_path(path: str) -> str:
    """``//uapi//x/`` → ``/uapi/x``: duplicate and trailing slashes do not matter."""
    if "//" in path:
        path = _SLASHES.sub("/", path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


def route_for(path: str) -> Route | None:
    table = routes()
    r = table.get(path)
    if r is None:
        r = table.get(normalize_path(path))
    return r


def check_tr_id(
    route: Route,
    raw: str,
    persona: str,
    *,
    strict: bool = False,
    seen_legacy: set[str] | None = None,
) -> str:
    """The TR ID of a call, checked against the API and the caller's persona.

    An older TR ID of this API (``TTTC0802U`` ...) stands for its successor, which is what is
    returned, unless ``strict``; ``seen_legacy`` remembers which were logged already.
    """
    tr = raw.strip().upper()
    if not tr:
        raise KisError(BAD_TR_ID, "tr_id 헤더가 없습니다. (missing tr_id header)")
    successor = None if strict else legacy_successor(tr)
    if successor is not None and successor in route.real_trs | route.paper_trs:
        checked = check_tr_id(route, successor, persona, strict=True)
        note_legacy(seen_legacy if seen_legacy is not None else set(), tr, successor)
        return checked
    if persona == "paper":
        if tr in route.paper_trs:
            return tr
        if tr in route.real_trs or not route.api.paper:
            raise api_error(
                NOT_PAPER_TR, detail=f"{tr}: 모의투자 TR이 아니거나 모의투자에서 제공하지 않는 API"
            )
    else:
        if tr in route.real_trs:
            return tr
        if tr in route.paper_trs:
            raise api_error(NOT_REAL_TR, detail=tr)
    owners = catalog().by_tr_id.get(tr)
    if owners:
        paths = ", ".join(sorted({a.path for a in owners if a.method}))
        raise KisError(
            BAD_TR_ID,
            f"TR ID {tr}는 이 경로에서 사용할 수 없습니다 (it belongs to {paths}; "
            f"this path takes {route.tr_kinds()})",
        )
    raise KisError(
        BAD_TR_ID, f"알 수 없는 TR ID 입니다: {tr[:20]} (this path takes {route.tr_kinds()})"
    )


def _query_params(query: bytes) -> dict[str, str]:
    return dict(_parsed_query(query))


@functools.lru_cache(maxsize=1024)
def _parsed_query(query: bytes) -> tuple[tuple[str, str], ...]:
    """Remembered: clients poll the same query strings (a refusal is raised, not remembered)."""
    try:
        text = query.decode("utf-8")
    except UnicodeDecodeError:
        raise input_error("QUERY", "query string is not UTF-8") from None
    return tuple({k.upper(): v for k, v in parse_qsl(text, keep_blank_values=True)}.items())


def parse_body(route: Route, body: bytes) -> Any:
    """The decoded JSON body of a POST (an object), or an input error naming the problem."""
    if not body.strip():
        raise input_error("BODY", "empty request body; send a JSON object")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise input_error("BODY", "request body is not UTF-8") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise input_error("BODY", f"malformed JSON: {str(exc)[:80]}") from None
    if not isinstance(data, dict):
        raise input_error("BODY", f"JSON body must be an object, not {type(data).__name__}")
    return data


def parse_params(route: Route, query: bytes, body: bytes) -> tuple[dict[str, str], Any]:
    """(wire params, raw JSON body or ``None``) of a call, validated against the catalogue."""
    if route.method == "GET":
        params = _query_params(query) if query else {}
        raw: Any = None
    else:
        raw = parse_body(route, body)
        if route.any_body:
            return {}, raw
        params = {}
        for k, v in raw.items():
            if not isinstance(v, str):
                raise input_error(
                    str(k)[:40], f"every value must be a string, got {type(v).__name__}"
                )
            params[k] = v
    missing = [w for w in route.required if w not in params]
    if missing:
        raise input_error(
            missing[0],
            f"required parameter missing: {', '.join(missing[:5])}"
            + (" (POST body keys must be UPPERCASE)" if route.method == "POST" else ""),
        )
    return params, raw


def account_of(params: Mapping[str, str]) -> tuple[str, str]:
    """``(CANO, ACNT_PRDT_CD)``, checked for shape (8 and 2 digits)."""
    cano = params.get("CANO", "").strip()
    prdt = params.get("ACNT_PRDT_CD", "").strip()
    if len(cano) != 8 or not cano.isdigit():
        raise input_error("CANO", "account number must be 8 digits")
    if len(prdt) != 2 or not prdt.isdigit():
        raise input_error("ACNT_PRDT_CD", "account product code must be 2 digits")
    return cano, prdt
