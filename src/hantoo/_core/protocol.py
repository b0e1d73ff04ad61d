"""The KIS REST protocol, without I/O: build a request, read a response.

Everything here is a plain function of its inputs, so each rule has exactly one copy that the
sync client, the async client, the CLI and the tests share:

* :func:`select_tr_id` — which TR ID an API sends in an environment, given its selectors
  (buy/sell, exchange, day/night ...); paper calls to APIs paper does not offer fail here,
  before anything is sent;
* :func:`encode_params` — keyword arguments → UPPERCASE wire keys with string values, checking
  names, types and required parameters and naming the culprit in any error;
* :func:`build_request` — headers (``authorization``, ``appkey``, ``appsecret``, ``tr_id``,
  ``tr_cont``, ``custtype``) + query or JSON body;
* :func:`interpret` — HTTP status + body → the decoded body, or the right
  :class:`hantoo.errors.ApiError` subclass (by ``msg_cd`` through the error table, then by the
  message text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from .. import errors
from ..catalog import Api, error_codes
from .encoding import encode
from .flow import HttpRequest, HttpResponse

__all__ = [
    "CallContext",
    "api_error",
    "build_request",
    "encode_params",
    "interpret",
    "select_tr_id",
    "tr_environment",
]

_ACCOUNT_WIRE = {"CANO": 0, "ACNT_PRDT_CD": 1}


class CallContext:
    """What a request needs besides its arguments. Secrets are masked in ``repr``."""

    __slots__ = ("account", "app_key", "app_secret", "custtype", "environment", "token")

    def __init__(
        self,
        *,
        environment: str,
        app_key: str,
        app_secret: str,
        token: str = "",
        account: tuple[str, str] | None = None,
        custtype: str = "P",
    ) -> None:
        self.environment = environment
        self.app_key = app_key
        self.app_secret = app_secret
        self.token = token
        self.account = account
        self.custtype = custtype

    def __repr__(self) -> str:
        return f"CallContext(environment={self.environment!r}, app_key='***', token='***')"


def tr_environment(environment: str) -> str:
    """The TR ID family an environment uses: the simulator speaks the real server's TR IDs."""
    return "paper" if environment == "paper" else "real"


def select_tr_id(api: Api, environment: str, args: Mapping[str, Any]) -> str:
    """The TR ID to send. Raises before sending when paper lacks it or a selector is missing."""
    family = tr_environment(environment)
    if family == "paper" and not api.paper:
        raise errors.UnsupportedInPaperError(
            f"{api.key} ({api.title_ko}) is not offered by KIS paper trading; nothing was sent"
        )
    if not api.variants:
        tr = api.tr_paper if family == "paper" else api.tr_real
        return tr or ""
    for sel in api.selectors:
        if args.get(sel.name) in (None, ""):
            raise TypeError(
                f"{api.key}: missing selector {sel.name!r}; choose one of "
                f"{', '.join(repr(c) for c in sel.choices)}"
            )
    for variant in api.variants:
        if all(str(args.get(name)) in values for name, values in variant.when.items()):
            tr = variant.paper if family == "paper" else variant.real
            if not tr:
                raise errors.UnsupportedInPaperError(
                    f"{api.key} with {variant.when} is not offered by KIS paper trading; "
                    "nothing was sent"
                )
            return tr
    given = {s.name: args.get(s.name) for s in api.selectors}
    choices = "; ".join(f"{s.name}: {', '.join(s.choices)}" for s in api.selectors)
    raise ValueError(f"{api.key}: no TR ID for {given}; valid choices are {choices}")


def encode_params(
    api: Api,
    args: Mapping[str, Any],
    *,
    account: tuple[str, str] | None = None,
    credentials: Mapping[str, str] | None = None,
    strict: bool = True,
) -> dict[str, Any]:
    """Python keyword arguments → wire parameters (UPPERCASE keys, string values).

    ``strict`` rejects unknown names (the generated methods cannot pass any; the CLI can).
    Account parameters left as ``None`` are filled from the configured account, and credential
    parameters of the auth APIs from ``credentials`` (``app_key``/``app_secret``).
    """
    selectors = {s.name for s in api.selectors}
    known = {p.name for p in api.params} | selectors
    if strict:
        unknown = [k for k in args if k not in known]
        if unknown:
            valid = ", ".join(sorted(known)) or "(none)"
            raise TypeError(
                f"{api.key}: unknown parameter(s) {', '.join(map(repr, unknown))}; "
                f"valid: {valid}"
            )
    out: dict[str, Any] = {}
    for p in api.params:
        if p.wire == "*":  # hashkey: any JSON body
            body = args.get(p.name)
            if not isinstance(body, Mapping):
                raise TypeError(f"{api.key}: {p.name} must be a mapping (the order body)")
            out.update(body)
            continue
        value = args.get(p.name)
        if value is None and p.credential and credentials:
            value = credentials.get(p.credential)
        if value is None and p.account:
            if account is None:
                raise errors.ConfigurationError(
                    f"{api.key}: {p.name} not given and no account is configured",
                    hint="pass account='12345678-01' to the client or set HANTOO_ACCOUNT",
                )
            value = account[_ACCOUNT_WIRE[p.wire]]
        if value is None:
            if p.fixed is not None:
                value = p.fixed
            elif p.required and not p.cursor:
                raise TypeError(f"{api.key}: missing required parameter {p.name!r}")
            else:
                value = ""
        text = encode(p.enc, value, name=p.name) if p.enc != "json" else value
        if text == "" and p.omit_empty:
            continue
        out[p.wire] = text
    for sel in api.selectors:
        if sel.wire and sel.wire not in out and args.get(sel.name) is not None:
            out[sel.wire] = str(args[sel.name])
    return out


def build_request(
    api: Api,
    tr_id: str,
    params: Mapping[str, Any],
    ctx: CallContext,
    *,
    tr_cont: str = "",
    hashkey: str | None = None,
    timeout: float | None = None,
) -> HttpRequest:
    """The HTTP request for one call; header names as KIS documents them."""
    if api.method is None:
        raise TypeError(f"{api.key} is a realtime (WebSocket) API; subscribe to it instead")
    headers = {
        "content-type": "application/json; charset=utf-8",
        "authorization": f"Bearer {ctx.token}",
        "appkey": ctx.app_key,
        "appsecret": ctx.app_secret,
        "tr_id": tr_id,
        "tr_cont": tr_cont,
        "custtype": ctx.custtype,
    }
    if hashkey:
        headers["hashkey"] = hashkey
    if api.method == "GET":
        return HttpRequest(
            "GET", api.path, headers, params={k: str(v) for k, v in params.items()},
            timeout=timeout,
        )
    return HttpRequest(
        "POST", api.path, headers, json=dict(params), timeout=timeout,
        unsafe=api.kind == "order",
    )


def _decode_json(response: HttpResponse) -> Any:
    if not response.content:
        return {}
    try:
        return msgspec.json.decode(response.content)
    except (msgspec.DecodeError, UnicodeDecodeError, ValueError):
        return None


def interpret(response: HttpResponse, *, tr_id: str = "") -> dict[str, Any]:
    """The decoded body of a successful response, or the matching error raised."""
    body = _decode_json(response)
    if isinstance(body, dict):
        if "error_code" in body and "rt_cd" not in body:
            raise api_error(
                str(body.get("error_code", "")),
                str(body.get("error_description", "")),
                tr_id=tr_id,
                status=response.status,
                body=body,
            )
        rt_cd = str(body.get("rt_cd", "0" if response.status < 400 else ""))
        if rt_cd != "0" and (rt_cd or "msg_cd" in body):
            raise api_error(
                str(body.get("msg_cd", "")),
                str(body.get("msg1", "")),
                tr_id=tr_id,
                status=response.status,
                rt_cd=rt_cd,
                body=body,
            )
        if response.status < 400:
            return body
    if response.status >= 400 or body is None:
        snippet = response.content[:200].decode("utf-8", "replace").strip()
        raise errors.HttpStatusError(
            response.status,
            snippet or "empty body" if response.status >= 400 else f"not JSON: {snippet!r}",
            tr_id=tr_id or None,
        )
    raise errors.DecodeError(f"unexpected response body (not a JSON object) [{tr_id}]")


# Message-text fallbacks for codes the error table does not know (the server has many).
_TEXT_RULES: tuple[tuple[tuple[str, ...], type[errors.ApiError]], ...] = (
    (("초당 거래건수", "초당거래건수"), errors.RateLimitError),
    (("기간이 만료된 token", "유효하지 않은 token"), errors.TokenExpiredError),
    (("종목코드",), errors.InvalidSymbolError),
    (("주문가능금액", "잔고", "부족", "증거금"), errors.InsufficientBalanceError),
    (("수량",), errors.QuantityLimitError),
    (("장운영", "장종료", "장시작", "장마감", "시간이 아닙니다"), errors.MarketClosedError),
    (("거래정지",), errors.TradingSuspendedError),
    (("권한",), errors.PermissionDeniedError),
)


def api_error(
    msg_cd: str,
    msg1: str,
    *,
    tr_id: str = "",
    status: int | None = None,
    rt_cd: str | None = None,
    body: Mapping[str, Any] | None = None,
) -> errors.ApiError:
    """The exception for a KIS error: by code through the error table, else by message text."""
    info = error_codes().get(msg_cd)
    cls: type[errors.ApiError] = errors.ApiError
    retryable: bool | None = None
    if info is not None:
        found = getattr(errors, info.class_, None)
        if isinstance(found, type) and issubclass(found, errors.ApiError):
            cls = found
        retryable = info.retry
    else:
        for needles, rule_cls in _TEXT_RULES:
            if any(n in msg1 for n in needles):
                cls = rule_cls
                break
    return cls(
        msg_cd, msg1, tr_id=tr_id or None, status=status, rt_cd=rt_cd, body=body,
        retryable=retryable,
    )


def order_outcome_unknown(msg_cd: str) -> bool:
    """Whether an error code after an order means the order may have executed (EGW00301/2)."""
    info = error_codes().get(msg_cd)
    return bool(info and info.unknown)
