"""Every error hantoo raises, in one tree.

Catch :class:`HantooError` to catch everything; catch a leaf to handle one case. Each class
says *why* it exists and what the caller should do about it, so an error message can always end
with a hint.

::

    HantooError
    ├── ConfigurationError            bad or missing settings (app key, account, environment)
    ├── UnsupportedInPaperError       the API has no paper-trading TR ID; nothing was sent
    ├── TransportError                the request did not get a complete HTTP answer
    │   ├── ConnectError              refused before anything was sent: safe to resend
    │   ├── RequestTimeoutError       no answer in time: the server may have acted
    │   └── ConnectionLostError       the connection broke after sending
    ├── CircuitOpenError              too many failures to a host: failing fast for a cool-down
    ├── HttpStatusError               an HTTP error status with a body that is not a KIS error
    ├── ApiError                      the server answered ``rt_cd != "0"`` (or a token error body)
    │   ├── InvalidRequestError       a parameter is wrong                 (OPSQ0001)
    │   │   └── InvalidSymbolError    the symbol does not exist             (MCA05918, OPSQ1003)
    │   ├── AuthenticationError       app key / secret / token rejected     (EGW00103, OPSQ0002)
    │   │   ├── TokenExpiredError     the access token is no longer valid   (EGW00123, EGW00121)
    │   │   └── TokenIssuanceRateError a token was issued less than a minute ago (EGW00133)
    │   ├── PermissionDeniedError     the key may not call this API         (EGW00206, OPSQ0003)
    │   ├── RateLimitError            too many calls per second             (EGW00201, OPSQ0004)
    │   ├── ServiceUnavailableError   gateway or maintenance trouble        (OPSQ0005)
    │   ├── InsufficientBalanceError  not enough cash or shares             (OPSQ1001)
    │   ├── QuantityLimitError        the order quantity is over a limit    (OPSQ1002)
    │   ├── MarketClosedError         the market session does not take it   (OPSQ1004)
    │   ├── TradingSuspendedError     the issue is suspended                (OPSQ1005)
    │   └── DataChangedError          paging cursor stale; restart the query (SYDB0050)
    ├── OrderStateUnknownError        an order may or may not have executed: reconcile it
    ├── PaginationError               paging went wrong (a repeated cursor, too many restarts)
    ├── StreamError                   realtime (WebSocket) failures
    │   └── SubscriptionLimitError    over the registration or session cap (OPSP0008, OPSP8996)
    └── DecodeError                   a response could not be read as the catalogue says

The ``OPSQ*`` codes come from the original design document; they do not exist in the real API but
are recognised as aliases so code written against that document keeps working.

No error ever carries a secret: messages are built from TR IDs, message codes and the server's
message text only. ``ApiError`` keeps the raw body for diagnosis, and that body never contains
credentials (KIS does not echo them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "ApiError",
    "AuthenticationError",
    "CircuitOpenError",
    "ConfigurationError",
    "ConnectError",
    "ConnectionLostError",
    "DataChangedError",
    "DecodeError",
    "HantooError",
    "HttpStatusError",
    "InsufficientBalanceError",
    "InvalidRequestError",
    "InvalidSymbolError",
    "MarketClosedError",
    "OrderStateUnknownError",
    "PaginationError",
    "PermissionDeniedError",
    "QuantityLimitError",
    "RateLimitError",
    "RequestTimeoutError",
    "SentBody",
    "ServiceUnavailableError",
    "StreamError",
    "SubscriptionLimitError",
    "TokenExpiredError",
    "TokenIssuanceRateError",
    "TradingSuspendedError",
    "TransportError",
    "UnsupportedInPaperError",
]


class HantooError(Exception):
    """Base of every hantoo error. ``hint`` says what to do next, when there is something to do."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        if hint is not None:
            self.hint = hint
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} (hint: {self.hint})"
        return self.message


class ConfigurationError(HantooError):
    """Settings are missing or malformed; raised before anything is sent."""

    hint = "run `hantoo config init`, or set HANTOO_APP_KEY / HANTOO_APP_SECRET / HANTOO_ACCOUNT"


class UnsupportedInPaperError(HantooError):
    """The API has no paper-trading TR ID, so the paper server would reject it. Nothing was sent."""

    hint = "use environment='real' for this API, or environment='sim' to try it locally"


class TransportError(HantooError):
    """No complete HTTP answer was received."""

    # What was retried, and how often, is said by the instance's hint where it is raised.
    hint = "check the network and that the server is running"


class ConnectError(TransportError):
    """The connection failed before the request was sent: the server saw nothing."""


class RequestTimeoutError(TransportError):
    """No answer in time. For an order this means the outcome is unknown."""


class ConnectionLostError(TransportError):
    """The connection broke after the request was (possibly) sent."""


class CircuitOpenError(HantooError):
    """Calls to a host failed repeatedly; hantoo fails fast until the cool-down ends."""

    def __init__(self, host: str, retry_after: float) -> None:
        self.host = host
        self.retry_after = retry_after
        super().__init__(
            f"circuit open for {host}: too many consecutive failures; "
            f"calls fail fast for another {retry_after:.1f}s",
            hint="wait for the cool-down, or check the server's health",
        )


class HttpStatusError(HantooError):
    """The server answered with an HTTP error status and a body that is not a KIS error."""

    def __init__(self, status: int, message: str, *, tr_id: str | None = None) -> None:
        self.status = status
        self.tr_id = tr_id
        super().__init__(f"HTTP {status}: {message}" + (f" [{tr_id}]" if tr_id else ""))


class ApiError(HantooError):
    """The server answered with a KIS error (``rt_cd != "0"`` or a token error body).

    ``tr_id``, ``msg_cd`` and ``msg1`` are as the server sent them; ``retryable`` tells whether
    sending the same request again can succeed (for orders: that the request was *not*
    processed, so a resend cannot duplicate it).
    """

    retryable: bool = False

    def __init__(
        self,
        msg_cd: str,
        msg1: str,
        *,
        tr_id: str | None = None,
        status: int | None = None,
        rt_cd: str | None = None,
        body: Mapping[str, Any] | None = None,
        hint: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        self.msg_cd = msg_cd
        self.msg1 = msg1
        self.tr_id = tr_id
        self.status = status
        self.rt_cd = rt_cd
        self.body: Mapping[str, Any] = body or {}
        if retryable is not None:
            self.retryable = retryable
        where = f" [{tr_id}]" if tr_id else ""
        super().__init__(f"{msg_cd}: {msg1.strip()}{where}", hint=hint)


class InvalidRequestError(ApiError):
    """A parameter was rejected by the server."""

    hint = "check the parameters against the API's documentation (`hantoo api list`)"


class InvalidSymbolError(InvalidRequestError):
    """The symbol code does not exist for this market."""

    hint = "stocks use 6-digit codes (ETN 7 or Q-prefixed for quotes), overseas use tickers"


class AuthenticationError(ApiError):
    """The app key, secret or token was rejected."""

    hint = "check HANTOO_APP_KEY / HANTOO_APP_SECRET and that the key matches the environment"


class TokenExpiredError(AuthenticationError):
    """The access token is expired or invalid; hantoo refreshes it once and repeats the call."""

    retryable = True
    hint = "the token is refreshed automatically; if this persists, run `hantoo auth revoke`"


class TokenIssuanceRateError(AuthenticationError):
    """KIS issues at most one token per minute per app key (EGW00133)."""

    retryable = True
    hint = "wait a minute; hantoo caches tokens so this should be rare — share the token cache"


class PermissionDeniedError(ApiError):
    """This app key may not call this API (service not subscribed, or wrong account type)."""

    hint = "enable the service for this app key on the KIS Developers portal"


class RateLimitError(ApiError):
    """Too many calls per second (EGW00201). The request was not processed: safe to resend."""

    retryable = True
    hint = "the request was NOT processed and is safe to resend; lower the call rate"


class ServiceUnavailableError(ApiError):
    """Gateway or maintenance trouble on the server side."""

    retryable = True
    hint = "try again later"


class InsufficientBalanceError(ApiError):
    """Not enough cash or holdings for the order."""

    hint = "check buying power (`hantoo balance`) or lower the quantity"


class QuantityLimitError(ApiError):
    """The order quantity exceeds a limit."""

    hint = "lower the order quantity"


class MarketClosedError(ApiError):
    """The current market session does not accept this order."""

    hint = "check the session hours, or use an off-hours order type"


class TradingSuspendedError(ApiError):
    """Trading in the issue is suspended."""

    hint = "the issue cannot be traded now"


class DataChangedError(ApiError):
    """The data changed while paging (SYDB0050); the query must restart from the first page."""

    retryable = True


#: Body fields that identify the account: masked in the ``repr`` of what an order sent.
_ACCOUNT_FIELDS = frozenset({"CANO", "ACNT_PRDT_CD"})


class SentBody(dict[str, Any]):
    """The wire body of an order, as a plain ``dict`` whose ``repr``/``str`` mask the account.

    Why a dict: reconciliation (and any caller) reads the real values by key; only the printed
    forms — a traceback's locals, a log line with ``%r``, ``print(error.sent)`` — hide the
    account number (``CANO``) and its product code.
    """

    def __repr__(self) -> str:
        shown = {k: ("***" if str(k).upper() in _ACCOUNT_FIELDS else v) for k, v in self.items()}
        return f"SentBody({shown!r})"

    __str__ = __repr__


class OrderStateUnknownError(HantooError):
    """An order may or may not have reached the exchange.

    KIS has no idempotency key, so hantoo never resends an order. ``sent`` is what was sent
    (TR ID and body, without credentials; its ``repr`` masks the account number, its keys hold
    the real values); pass this error to ``client.reconcile(...)`` to find
    out from the daily-fills and open-orders queries whether the order exists.
    """

    hint = "do NOT resend blindly: call client.reconcile(error) to find out whether it executed"

    def __init__(
        self,
        message: str,
        *,
        tr_id: str,
        sent: Mapping[str, Any],
        sent_at: float,
        cause: str,
        endpoint_key: str = "",
    ) -> None:
        self.tr_id = tr_id
        self.sent = SentBody(sent)
        self.sent_at = sent_at
        self.cause = cause
        self.endpoint_key = endpoint_key
        super().__init__(f"{message} [{tr_id}]: {cause}")


class PaginationError(HantooError):
    """Paging could not complete: the server repeated a cursor or kept restarting the query."""


class StreamError(HantooError):
    """A realtime (WebSocket) failure."""


class SubscriptionLimitError(StreamError):
    """Over the realtime registration cap (41 per app key) or the session cap (1 per app key)."""

    hint = "unsubscribe something, or pass more app keys (a credentials pool) to spread the load"


class DecodeError(HantooError):
    """A response did not match what the catalogue says about it."""
