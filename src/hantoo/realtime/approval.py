"""Approval keys: what a WebSocket session presents in every subscribe message.

``POST /oauth2/Approval {grant_type, appkey, secretkey}`` → ``approval_key``. The key is
cached (in memory here; on disk through :class:`TokenManagerApprovalKeys`), so reconnects do
not ask for a new one, and dropped only when the server refuses it.

The provider is an interface (:class:`ApprovalKeyProvider`) so the stream does not care where
the key comes from: tests and the simulator use :class:`HttpApprovalKeys`, production can use
the shared token manager (single flight across threads and processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from .._core.flow import HttpRequest, HttpResponse, Sleep
from .._core.redact import Secret, register_secret
from ..errors import AuthenticationError, StreamError

__all__ = [
    "ApprovalKeyProvider",
    "Credentials",
    "HttpApprovalKeys",
    "TokenManagerApprovalKeys",
]


@dataclass(frozen=True)
class Credentials:
    """One app key and its secret; ``repr`` shows neither."""

    app_key: str = field(repr=False)
    app_secret: str = field(repr=False)

    def __post_init__(self) -> None:
        register_secret(self.app_secret)  # masked in every log line from now on

    def __repr__(self) -> str:
        return f"Credentials(app_key='{self.app_key[:4]}***', app_secret='***')"


class ApprovalKeyProvider(Protocol):
    """Where a session gets its approval key."""

    async def get(self) -> str: ...

    def invalidate(self, key: str) -> None: ...


class HttpApprovalKeys:
    """A plain ``POST /oauth2/Approval``, cached in memory for ``ttl`` seconds."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        ttl: float = 20 * 3600.0,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._creds = credentials
        self._ttl = ttl
        self._timeout = timeout
        self._transport = transport
        self._key: Secret | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"HttpApprovalKeys(base_url={self._base_url!r}, credentials={self._creds!r})"

    async def get(self) -> str:
        async with self._lock:
            if self._key is not None and time.time() < self._expires:
                return self._key.get_secret_value()
            body = {
                "grant_type": "client_credentials",
                "appkey": self._creds.app_key,
                "secretkey": self._creds.app_secret,
            }
            try:
                async with httpx.AsyncClient(
                    base_url=self._base_url, timeout=self._timeout, transport=self._transport
                ) as client:
                    resp = await client.post("/oauth2/Approval", json=body)
            except httpx.HTTPError as exc:
                raise StreamError(
                    f"approval key request failed: {type(exc).__name__}",
                    hint="check the REST base URL; the stream retries with backoff",
                ) from None
            data: Any = None
            with contextlib.suppress(ValueError):
                data = resp.json()
            key = data.get("approval_key") if isinstance(data, dict) else None
            if resp.status_code >= 400 or not isinstance(key, str) or not key:
                code = str(data.get("error_code", "")) if isinstance(data, dict) else ""
                desc = str(data.get("error_description", "")) if isinstance(data, dict) else ""
                raise AuthenticationError(
                    code or "APPROVAL", desc or f"approval key refused (HTTP {resp.status_code})"
                )
            self._key = Secret(key)
            self._expires = time.time() + self._ttl
            return key

    def invalidate(self, key: str) -> None:
        if self._key is not None and self._key.get_secret_value() == key:
            self._key = None


class TokenManagerApprovalKeys:
    """Drives :meth:`hantoo._core.token_manager.TokenManager.approval_key_flow` over httpx.

    The token manager owns the rules (disk cache, single flight); this only performs its I/O.
    """

    def __init__(self, manager: Any, base_url: str, *, timeout: float = 10.0) -> None:
        self._manager = manager
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout

    async def get(self) -> str:
        flow = self._manager.approval_key_flow()
        async with httpx.AsyncClient(base_url=self._base_url, timeout=self._timeout) as client:
            reply: HttpResponse | None = None
            while True:
                try:
                    action = flow.send(reply)
                except StopIteration as stop:
                    return str(stop.value)
                if isinstance(action, Sleep):
                    await asyncio.sleep(action.seconds)
                    reply = None
                elif isinstance(action, HttpRequest):
                    r = await client.request(
                        action.method,
                        action.url,
                        headers=dict(action.headers),
                        params=action.params,
                        json=action.json,
                    )
                    reply = HttpResponse(
                        r.status_code,
                        {k.lower(): v for k, v in r.headers.items()},
                        r.content,
                    )

    def invalidate(self, key: str) -> None:
        self._manager.invalidate_approval_key(key)
