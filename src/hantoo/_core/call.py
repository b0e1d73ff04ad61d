"""One REST call as a sans-I/O flow: token, limit, send, interpret, retry — and order safety.

The rules, in the order they apply:

1. Everything that can be checked locally is checked before any I/O: the TR ID for the
   environment (paper support, selectors) and every parameter (names, types, required).
2. A token comes from the token manager (memory → disk cache → one single-flight issuance).
3. The rate limiter reserves a slot (``Sleep`` if the caller must wait); the circuit breaker may
   fail fast.
4. The response is interpreted (:func:`hantoo._core.protocol.interpret`).

Then, by what went wrong:

================================  ==============================  ===========================
failure                           reads (query/account/auth)      orders (never sent twice)
================================  ==============================  ===========================
connect failed (nothing sent)     retry with backoff              retry with backoff
timeout / reset / lost after send retry with backoff              ``OrderStateUnknownError``
HTTP 5xx without a KIS body       retry with backoff              ``OrderStateUnknownError``
``EGW00301``/``EGW00302``         retry with backoff              ``OrderStateUnknownError``
``EGW00201`` (rate limit)         retry with backoff              ``RateLimitError`` ("not
                                                                  processed, safe to resend")
``EGW00123``/``EGW00121`` token   refresh once, repeat once       refresh once, repeat once
other API errors                  raised                          raised
================================  ==============================  ===========================

A token error means the gateway rejected the call unprocessed, so repeating it once is safe even
for an order; an order is otherwise never repeated by the SDK.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .. import errors
from ..catalog import Api
from ..config import Settings
from .backoff import RetryPolicy, gave_up_hint
from .circuit import CircuitBreaker
from .flow import Flow, HttpRequest, HttpResponse, Sleep
from .limiter import RateLimiter, SendTicket
from .protocol import (
    CallContext,
    build_request,
    encode_params,
    interpret,
    order_outcome_unknown,
    select_tr_id,
)
from .redact import get_logger
from .token_manager import TokenManager

__all__ = ["CallResult", "Policies", "call_flow"]

_log = get_logger("call")


@dataclass
class Policies:
    """The shared machinery one client applies to every call."""

    tokens: TokenManager | None = None
    limiter: RateLimiter | None = None
    circuit: CircuitBreaker | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    hashkey: bool = False
    timeout: float = 10.0
    rng: random.Random = field(default_factory=random.Random)


@dataclass(frozen=True)
class CallResult:
    """A successful call: the decoded body and what the server said around it."""

    body: dict[str, Any]
    response: HttpResponse
    tr_id: str

    @property
    def tr_cont(self) -> str:
        return self.response.header("tr_cont")


def _unknown(api: Api, tr_id: str, params: Mapping[str, Any], sent_at: float, cause: str) -> (
    errors.OrderStateUnknownError
):
    return errors.OrderStateUnknownError(
        f"{api.key}: the order may or may not have executed",
        tr_id=tr_id,
        sent=params,
        sent_at=sent_at,
        cause=cause,
        endpoint_key=api.key,
    )


def _on_wire(request: HttpRequest, ticket: SendTicket | None) -> Flow[HttpResponse | None]:
    """Send ``request``; its limiter ticket is marked sent when the answer (or an error) is
    back, if the driver did not mark it as the request went out (a transport without httpcore's
    trace events, e.g. the in-process ones): a late stamp is a cautious one."""
    try:
        response = yield request
        return response
    finally:
        if ticket is not None:
            ticket.sent()


def call_flow(
    api: Api,
    args: Mapping[str, Any],
    settings: Settings,
    policies: Policies,
    *,
    tr_cont: str = "",
    strict: bool = True,
) -> Flow[CallResult]:
    """Perform one REST call (see the module docstring for every rule)."""
    tr_id = select_tr_id(api, settings.environment, args)
    params = encode_params(
        api,
        args,
        account=settings.account,
        credentials={"app_key": settings.app_key,
                     "app_secret": settings.app_secret.get_secret_value()},
        strict=strict,
    )
    is_order = api.kind == "order"
    needs_token = api.kind != "auth"
    attempt = 0
    refreshed = False
    while True:
        attempt += 1
        token = ""
        if needs_token and policies.tokens is not None:
            token = yield from policies.tokens.token_flow()
        hashkey: str | None = None
        if is_order and policies.hashkey and policies.tokens is not None:
            hashkey = yield from policies.tokens.hashkey_flow(params)
        ticket = None
        if policies.limiter is not None:
            ticket = yield from policies.limiter.ticket_flow()
        try:
            if policies.circuit is not None:
                policies.circuit.before_call()
        except BaseException:
            if ticket is not None:
                ticket.sent()  # nothing goes out: the send must not hold the window
            raise
        ctx = CallContext(
            environment=settings.environment,
            app_key=settings.app_key,
            app_secret=settings.app_secret.get_secret_value(),
            token=token,
            account=settings.account,
            custtype=settings.custtype,
        )
        request = build_request(
            api, tr_id, params, ctx, tr_cont=tr_cont, hashkey=hashkey, timeout=policies.timeout
        )
        if ticket is not None:
            request = replace(request, on_wire=ticket.sent)
        sent_at = time.time()
        try:
            response = yield from _on_wire(request, ticket)
        except errors.ConnectError as exc:
            # Nothing reached the server: safe to try again, orders included.
            _record_failure(policies)
            delay = _retry_delay(policies, attempt)
            if delay is None:
                exc.hint = gave_up_hint(attempt)
                raise
            _log.info("%s: connect failed (%s); retry %d in %.2fs", tr_id, exc, attempt, delay)
            yield Sleep(delay)
            continue
        except errors.TransportError as exc:
            _record_failure(policies)
            if is_order:
                raise _unknown(api, tr_id, params, sent_at,
                               f"{type(exc).__name__}: {exc.message}") from exc
            delay = _retry_delay(policies, attempt)
            if delay is None:
                exc.hint = gave_up_hint(attempt)
                raise
            _log.info("%s: %s; retry %d in %.2fs", tr_id, type(exc).__name__, attempt, delay)
            yield Sleep(delay)
            continue
        assert response is not None
        if policies.limiter is not None:
            policies.limiter.observe_headers(response.headers)
        try:
            body = interpret(response, tr_id=tr_id)
        except errors.TokenExpiredError:
            if refreshed or policies.tokens is None or not needs_token:
                raise
            refreshed = True
            policies.tokens.invalidate(token)
            _log.info("%s: token rejected by the server; refreshing once and repeating", tr_id)
            continue
        except errors.RateLimitError as exc:
            if is_order:
                raise
            delay = _retry_delay(policies, attempt, floor=1.0)
            if delay is None:
                raise
            _log.info("%s: %s; retry %d in %.2fs", tr_id, exc.msg_cd, attempt, delay)
            yield Sleep(delay)
            continue
        except errors.ApiError as exc:
            if order_outcome_unknown(exc.msg_cd):
                _record_failure(policies)
                if is_order:
                    raise _unknown(api, tr_id, params, sent_at, f"{exc.msg_cd}: {exc.msg1}") from (
                        exc
                    )
                delay = _retry_delay(policies, attempt)
                if delay is None:
                    raise
                yield Sleep(delay)
                continue
            if isinstance(exc, errors.ServiceUnavailableError) and not is_order:
                delay = _retry_delay(policies, attempt)
                if delay is not None:
                    yield Sleep(delay)
                    continue
            raise
        except errors.HttpStatusError as exc:
            if exc.status < 500:
                raise
            _record_failure(policies)
            if is_order:
                raise _unknown(api, tr_id, params, sent_at, f"HTTP {exc.status}") from exc
            delay = _retry_delay(policies, attempt)
            if delay is None:
                raise
            _log.info("%s: HTTP %d; retry %d in %.2fs", tr_id, exc.status, attempt, delay)
            yield Sleep(delay)
            continue
        if policies.circuit is not None:
            policies.circuit.record_success()
        return CallResult(body=body, response=response, tr_id=tr_id)


def _record_failure(policies: Policies) -> None:
    if policies.circuit is not None:
        policies.circuit.record_failure()


def _retry_delay(policies: Policies, attempt: int, *, floor: float = 0.0) -> float | None:
    if not policies.retry.should_retry(attempt):
        return None
    return max(floor, policies.retry.delay(attempt, rng=policies.rng))
