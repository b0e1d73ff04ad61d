"""Bases of the generated endpoint classes.

A generated method does one thing: hand the frozen endpoint spec (looked up in the catalogue by
key) and its keyword arguments to the client's core. Everything else — encoding, TR ID choice,
headers, tokens, limits, retries, decoding — happens once, in the core.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from ..catalog import Api, catalog
from .wire import ApiResponse

A = TypeVar("A", bound=ApiResponse)


def endpoint(key: str) -> Api:
    """The frozen spec of an API (cached catalogue lookup)."""
    return catalog().get(key)


class SyncCaller(Protocol):
    def _request(
        self, api: Api, args: dict[str, Any], model: type[A], *, tr_cont: str = ""
    ) -> A: ...


class AsyncCaller(Protocol):
    async def _request(
        self, api: Api, args: dict[str, Any], model: type[A], *, tr_cont: str = ""
    ) -> A: ...


class SyncResource:
    """A category of APIs on a sync client (``client.domestic_stock``)."""

    __slots__ = ("_client",)

    def __init__(self, client: SyncCaller) -> None:
        self._client = client

    def _call(self, key: str, args: dict[str, Any], model: type[A], tr_cont: str = "") -> A:
        return self._client._request(endpoint(key), args, model, tr_cont=tr_cont)


class AsyncResource:
    """A category of APIs on an async client (``await client.domestic_stock...``)."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncCaller) -> None:
        self._client = client

    async def _call(
        self, key: str, args: dict[str, Any], model: type[A], tr_cont: str = ""
    ) -> A:
        return await self._client._request(endpoint(key), args, model, tr_cont=tr_cont)
