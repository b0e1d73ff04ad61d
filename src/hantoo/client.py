"""``Client`` and ``AsyncClient``: every KIS REST API, typed, over one protocol core.

Both clients are thin drivers over the same sans-I/O flows (:mod:`hantoo._core.call`), so a rule
(tokens, limits, retries, order safety) exists once. Each exposes the APIs by category::

    with hantoo.Client() as client:                      # environment "sim": no credentials
        r = client.domestic_stock.inquire_price(fid_cond_mrkt_div_code="J", fid_input_iscd="005930")
        print(r.output[0].stck_prpr)                      # Decimal

and any API by key with :meth:`Client.call` (what ``hantoo api call`` uses).
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import httpx

from . import config as _config
from ._core.backoff import RetryPolicy
from ._core.call import CallResult, Policies, call_flow
from ._core.circuit import CircuitBreaker, CircuitConfig
from ._core.coordinator import get_coordinator
from ._core.drivers import run_async, run_sync, send_async, send_sync
from ._core.flow import Flow, HttpRequest, HttpResponse
from ._core.limiter import LimitProfile, get_limiter
from ._core.paging import Page, Pager
from ._core.redact import install_library_redaction, register_account
from ._core.server_clock import ServerClock
from ._core.token_manager import TokenManager
from ._core.wire import ApiResponse, decode_response
from .catalog import Api, catalog
from .config import Settings
from .errors import DataChangedError

if TYPE_CHECKING:
    from ._generated.resources.auth import AsyncAuth, Auth
    from ._generated.resources.domestic_bond import AsyncDomesticBond, DomesticBond
    from ._generated.resources.domestic_futureoption import (
        AsyncDomesticFutureOption,
        DomesticFutureOption,
    )
    from ._generated.resources.domestic_stock import AsyncDomesticStock, DomesticStock
    from ._generated.resources.elw import AsyncElw, Elw
    from ._generated.resources.etfetn import AsyncEtfEtn, EtfEtn
    from ._generated.resources.overseas_futureoption import (
        AsyncOverseasFutureOption,
        OverseasFutureOption,
    )
    from ._generated.resources.overseas_stock import AsyncOverseasStock, OverseasStock
    from .realtime import RealtimeStream, Stream
from .bulk.methods import AsyncBulk, Bulk
from .workflows.mixins import AsyncWorkflows, Workflows

__all__ = ["AsyncClient", "Client", "Pages"]

A = TypeVar("A", bound=ApiResponse)
T = TypeVar("T")

_DEFAULT_TIMEOUT = 10.0


class _Base:
    """Settings, policies and transport choice shared by both clients."""

    settings: Settings
    _policies: Policies
    server_clock: ServerClock

    def _setup(
        self,
        *,
        environment: str | None,
        app_key: str | None,
        app_secret: str | None,
        account: str | None,
        hts_id: str | None,
        base_url: str | None,
        profile: str | None,
        timeout: float,
        retry: RetryPolicy | None,
        rate_limit: LimitProfile | str | bool | None,
        shared_rate_limit: bool | None,
        circuit: CircuitConfig | bool | None,
        hashkey: bool,
        cache_dir: str | None,
        seed: int | None,
        coordinator: str | None = None,
    ) -> bool:
        """Resolve everything; returns whether to use the embedded simulator."""
        self.settings = _config.resolve(
            environment=environment,
            app_key=app_key,
            app_secret=app_secret,
            account=account,
            hts_id=hts_id,
            base_url=base_url,
            profile=profile,
        )
        s = self.settings
        self.server_clock = ServerClock()
        install_library_redaction()
        if s.account:
            register_account(f"{s.account[0]}-{s.account[1]}")
        embedded = s.environment == "sim" and s.base_url == _config.REST_URLS["sim"]
        if embedded:
            from ._core.embedded import embedded_sim

            cache_dir = cache_dir or embedded_sim().cache_dir
        # Where the processes sharing the key meet (issue 17): files here, or Redis. The
        # embedded simulator is private to this process, so only an explicit one applies.
        coord = (get_coordinator(coordinator, cache_dir)
                 if coordinator is not None or not embedded else None)
        breaker = None
        if circuit is not False:
            host = urlsplit(s.base_url).netloc or s.base_url
            breaker = CircuitBreaker(host, circuit if isinstance(circuit, CircuitConfig) else None)
        retry_policy = retry or RetryPolicy()
        rng = random.Random(seed)
        # Token issuance goes through the same retry/backoff and breaker as every call.
        tokens = TokenManager(_cache_namespace(s), s.app_key, s.app_secret, cache_dir=cache_dir,
                              retry=retry_policy, circuit=breaker, rng=rng,
                              coordinator=coord)
        limiter = None
        if rate_limit is not False:
            profile_arg = None if rate_limit is True else rate_limit
            limiter = get_limiter(
                s.environment, s.app_key, profile=profile_arg,
                shared=_shared_by_default(s.environment, shared_rate_limit)
                or (shared_rate_limit is None and coord is not None and coord.remote),
                cache_dir=cache_dir, coordinator=coord,
            )
        self._policies = Policies(
            tokens=tokens,
            limiter=limiter,
            circuit=breaker,
            retry=retry_policy,
            hashkey=hashkey,
            timeout=timeout,
            rng=rng,
        )
        return embedded

    @property
    def environment(self) -> str:
        return self.settings.environment

    @property
    def tokens(self) -> TokenManager:
        assert self._policies.tokens is not None
        return self._policies.tokens

    def _stream_args(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Arguments for a realtime stream using this client's key, settings and token cache."""
        from .realtime.approval import Credentials, TokenManagerApprovalKeys

        s = self.settings
        base_url, ws_url = s.base_url, s.ws_url
        # Through `hantoo gateway` the records come from Redis: the embedded simulator then
        # needs no socket server of its own.
        through_gateway = bool(kwargs.get("gateway") or os.environ.get("HANTOO_REALTIME_GATEWAY"))
        if s.environment == "sim" and base_url == _config.REST_URLS["sim"] and not through_gateway:
            from ._core.embedded import embedded_sim

            base_url, ws_url = embedded_sim().socket_urls()
        elif s.environment == "sim" and ws_url == _config.WS_URLS["sim"]:
            # `hantoo sim serve` answers WebSocket on the same port as REST.
            ws_url = "ws" + base_url[len("http"):]
        kwargs.setdefault("approval", [TokenManagerApprovalKeys(self.tokens, base_url)])
        return {
            "credentials": Credentials(s.app_key, s.app_secret.get_secret_value()),
            "environment": s.environment,
            "ws_url": ws_url,
            "base_url": base_url,
            "hts_id": s.hts_id,
            **kwargs,
        }

    def _flow(
        self, api: Api, args: Mapping[str, Any], *, tr_cont: str = "", strict: bool = True
    ) -> Flow[CallResult]:
        return call_flow(api, args, self.settings, self._policies, tr_cont=tr_cont, strict=strict)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(environment={self.settings.environment!r})"


def _shared_by_default(environment: str, shared: bool | None) -> bool:
    """Host-wide limits unless told otherwise for the real servers, which count per app key
    across every process; the simulator keeps per-process limits (tests run many in parallel
    with their own servers, and it is no one's quota)."""
    return shared if shared is not None else environment in ("real", "paper")


def _cache_namespace(settings: Settings) -> str:
    """Token-cache namespace: the environment, plus the server when it is not the default one.

    Two simulators (or a simulator restarted elsewhere) issue different tokens for the same
    demo key; keeping their caches apart avoids presenting one server's token to another.
    """
    if settings.base_url == _config.REST_URLS[settings.environment]:
        return settings.environment
    digest = hashlib.sha256(settings.base_url.encode()).hexdigest()[:10]
    return f"{settings.environment}_{digest}"


def _generic_model(api: Api) -> type[ApiResponse]:
    """The generated response model of an API, found by naming convention."""
    import importlib

    module = importlib.import_module(f"hantoo._generated.models.{api.category}")
    name = "".join(p[:1].upper() + p[1:] for p in api.name.split("_") if p) + "Response"
    model = getattr(module, name, ApiResponse)
    assert isinstance(model, type) and issubclass(model, ApiResponse)
    return model


class Client(Workflows, Bulk, _Base):
    """The synchronous client. Thread-safe; use one per app key and share it.

    Args:
        environment: ``"sim"`` (default; the embedded simulator), ``"paper"`` or ``"real"``.
        app_key, app_secret, account, hts_id: credentials; see :mod:`hantoo.config` for the
            environment variables and profile file they otherwise come from.
        base_url: another server, e.g. ``hantoo sim serve``'s URL.
        transport: any httpx transport (tests, proxies).
        timeout: seconds for every HTTP call (connect, read, write, pool).
        retry: how reads are retried (orders are never repeated).
        rate_limit: ``None`` for the environment's profile, a profile or spec such as
            ``"18/s,1000/min"``, or ``False`` to turn the limiter off.
        shared_rate_limit: share the limiter with other processes of this host (through a
            file in the token cache directory). Default: on for ``real`` and ``paper`` — KIS
            counts calls per app key, not per process — and off for ``sim``.
        circuit: a :class:`CircuitConfig`, or ``False`` to turn the breaker off.
        hashkey: send a ``hashkey`` header with orders (optional at KIS; off by default).
        cache_dir: token cache directory (default: the user cache dir, see ``token_cache``).
        coordinator: where the processes (and hosts) sharing this app key share its token and
            rate limit: ``"redis://host:6379/0"``, or by default ``$HANTOO_COORDINATOR``, else
            the cache directory. With Redis the limiter is shared unless
            ``shared_rate_limit=False``; see :mod:`hantoo._core.coordinator`.
    """

    def __init__(
        self,
        environment: str | None = None,
        *,
        app_key: str | None = None,
        app_secret: str | None = None,
        account: str | None = None,
        hts_id: str | None = None,
        base_url: str | None = None,
        profile: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = _DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limit: LimitProfile | str | bool | None = None,
        shared_rate_limit: bool | None = None,
        circuit: CircuitConfig | bool | None = None,
        hashkey: bool = False,
        cache_dir: str | None = None,
        seed: int | None = None,
        coordinator: str | None = None,
    ) -> None:
        embedded = self._setup(
            environment=environment, app_key=app_key, app_secret=app_secret, account=account,
            hts_id=hts_id, base_url=base_url, profile=profile, timeout=timeout, retry=retry,
            rate_limit=rate_limit, shared_rate_limit=shared_rate_limit, circuit=circuit,
            hashkey=hashkey, cache_dir=cache_dir, seed=seed, coordinator=coordinator,
        )
        if transport is None and embedded:
            from ._core.embedded import embedded_sim
            from ._core.inprocess import SyncASGITransport

            sim = embedded_sim()
            transport = SyncASGITransport(sim.app, sim.loop)
        self._http = httpx.Client(
            base_url=self.settings.base_url, transport=transport, timeout=timeout,
            limits=httpx.Limits(max_keepalive_connections=20, max_connections=50),
        )

    # -- API categories: imported on first use (the generated layer is large) ----------

    @functools.cached_property
    def auth(self) -> Auth:
        """The auth APIs (generated: one method per API)."""
        from ._generated.resources.auth import Auth

        return Auth(self)

    @functools.cached_property
    def domestic_stock(self) -> DomesticStock:
        """The domestic_stock APIs (generated: one method per API)."""
        from ._generated.resources.domestic_stock import DomesticStock

        return DomesticStock(self)

    @functools.cached_property
    def domestic_bond(self) -> DomesticBond:
        """The domestic_bond APIs (generated: one method per API)."""
        from ._generated.resources.domestic_bond import DomesticBond

        return DomesticBond(self)

    @functools.cached_property
    def domestic_futureoption(self) -> DomesticFutureOption:
        """The domestic_futureoption APIs (generated: one method per API)."""
        from ._generated.resources.domestic_futureoption import DomesticFutureOption

        return DomesticFutureOption(self)

    @functools.cached_property
    def elw(self) -> Elw:
        """The elw APIs (generated: one method per API)."""
        from ._generated.resources.elw import Elw

        return Elw(self)

    @functools.cached_property
    def etfetn(self) -> EtfEtn:
        """The etfetn APIs (generated: one method per API)."""
        from ._generated.resources.etfetn import EtfEtn

        return EtfEtn(self)

    @functools.cached_property
    def overseas_stock(self) -> OverseasStock:
        """The overseas_stock APIs (generated: one method per API)."""
        from ._generated.resources.overseas_stock import OverseasStock

        return OverseasStock(self)

    @functools.cached_property
    def overseas_futureoption(self) -> OverseasFutureOption:
        """The overseas_futureoption APIs (generated: one method per API)."""
        from ._generated.resources.overseas_futureoption import OverseasFutureOption

        return OverseasFutureOption(self)

    # -- plumbing ---------------------------------------------------------------------------

    def _run(self, flow: Flow[T]) -> T:
        return run_sync(flow, self._send)

    def _send(self, request: HttpRequest) -> HttpResponse:
        response = send_sync(self._http, request)
        self.server_clock.observe(response.headers)
        return response

    def _request(
        self, api: Api, args: dict[str, Any], model: type[A], *, tr_cont: str = ""
    ) -> A:
        result = self._run(self._flow(api, args, tr_cont=tr_cont))
        return decode_response(model, result.body, tr_id=result.tr_id, tr_cont=result.tr_cont)

    # -- public -----------------------------------------------------------------------------

    def call(
        self, key: str, params: Mapping[str, Any] | None = None, *, tr_cont: str = ""
    ) -> ApiResponse:
        """Call any REST API by catalogue key; ``params`` by Python or wire name."""
        api = catalog().get(key)
        args = _normalise_args(api, params or {})
        result = self._run(self._flow(api, args, tr_cont=tr_cont))
        return decode_response(
            _generic_model(api), result.body, tr_id=result.tr_id, tr_cont=result.tr_cont
        )

    def paginate(
        self,
        key: str,
        params: Mapping[str, Any] | None = None,
        *,
        max_pages: int | None = None,
        max_restarts: int = 3,
    ) -> Pages:
        """Iterate the pages of a paginated API (``tr_cont`` + ``CTX_AREA_*`` cursors).

        The returned :class:`Pages` is an iterator of :class:`Page`; after it is exhausted,
        ``pages.complete`` tells whether the server had no more pages (``False`` when
        ``max_pages`` cut it short). ``SYDB0050`` restarts from the first page (pages after a
        restart carry ``restart > 0``); a repeated cursor raises ``PaginationError``.
        """
        api = catalog().get(key)
        pager = Pager(api, _normalise_args(api, params or {}), max_pages=max_pages,
                      max_restarts=max_restarts)
        return Pages(self, api, pager)

    def rows(
        self,
        key: str,
        params: Mapping[str, Any] | None = None,
        *,
        block: str | None = None,
        max_pages: int | None = None,
    ) -> list[Any]:
        """Every row of ``block`` across all pages; restarts discard what came before."""
        collected: list[Any] = []
        for page in self.paginate(key, params, max_pages=max_pages):
            if page.restart and page.number == 1:
                collected.clear()
            collected.extend(page.response.rows(block))
        return collected

    def stream(self, **kwargs: Any) -> Stream:
        """A realtime stream (sync facade) on this client's app key, environment and caches.

        Keyword arguments go to :class:`hantoo.realtime.RealtimeStream` (limits, queue size,
        backpressure, reconnect policy, more credentials ...). With the embedded simulator a
        loopback WebSocket server is started for it on first use.
        """
        from .realtime import Stream

        return Stream(**self._stream_args(kwargs))

    def token(self) -> str:
        """A valid access token (cached; issued only when needed)."""
        return self._run(self.tokens.token_flow())

    def approval_key(self) -> str:
        """A WebSocket approval key (cached)."""
        return self._run(self.tokens.approval_key_flow())

    def revoke(self) -> bool:
        """Revoke the current access token at the server and forget it locally."""
        return self._run(self.tokens.revoke_flow())

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(AsyncWorkflows, AsyncBulk, _Base):
    """The asyncio client; same arguments as :class:`Client`."""

    def __init__(
        self,
        environment: str | None = None,
        *,
        app_key: str | None = None,
        app_secret: str | None = None,
        account: str | None = None,
        hts_id: str | None = None,
        base_url: str | None = None,
        profile: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = _DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limit: LimitProfile | str | bool | None = None,
        shared_rate_limit: bool | None = None,
        circuit: CircuitConfig | bool | None = None,
        hashkey: bool = False,
        cache_dir: str | None = None,
        seed: int | None = None,
        coordinator: str | None = None,
    ) -> None:
        embedded = self._setup(
            environment=environment, app_key=app_key, app_secret=app_secret, account=account,
            hts_id=hts_id, base_url=base_url, profile=profile, timeout=timeout, retry=retry,
            rate_limit=rate_limit, shared_rate_limit=shared_rate_limit, circuit=circuit,
            hashkey=hashkey, cache_dir=cache_dir, seed=seed, coordinator=coordinator,
        )
        if transport is None and embedded:
            from ._core.embedded import embedded_sim
            from ._core.inprocess import AsyncASGITransport

            sim = embedded_sim()
            transport = AsyncASGITransport(sim.app, sim.loop)
        self._http = httpx.AsyncClient(
            base_url=self.settings.base_url, transport=transport, timeout=timeout,
            limits=httpx.Limits(max_keepalive_connections=20, max_connections=50),
        )

    # -- API categories: imported on first use (the generated layer is large) ----------

    @functools.cached_property
    def auth(self) -> AsyncAuth:
        """The auth APIs (generated: one method per API)."""
        from ._generated.resources.auth import AsyncAuth

        return AsyncAuth(self)

    @functools.cached_property
    def domestic_stock(self) -> AsyncDomesticStock:
        """The domestic_stock APIs (generated: one method per API)."""
        from ._generated.resources.domestic_stock import AsyncDomesticStock

        return AsyncDomesticStock(self)

    @functools.cached_property
    def domestic_bond(self) -> AsyncDomesticBond:
        """The domestic_bond APIs (generated: one method per API)."""
        from ._generated.resources.domestic_bond import AsyncDomesticBond

        return AsyncDomesticBond(self)

    @functools.cached_property
    def domestic_futureoption(self) -> AsyncDomesticFutureOption:
        """The domestic_futureoption APIs (generated: one method per API)."""
        from ._generated.resources.domestic_futureoption import AsyncDomesticFutureOption

        return AsyncDomesticFutureOption(self)

    @functools.cached_property
    def elw(self) -> AsyncElw:
        """The elw APIs (generated: one method per API)."""
        from ._generated.resources.elw import AsyncElw

        return AsyncElw(self)

    @functools.cached_property
    def etfetn(self) -> AsyncEtfEtn:
        """The etfetn APIs (generated: one method per API)."""
        from ._generated.resources.etfetn import AsyncEtfEtn

        return AsyncEtfEtn(self)

    @functools.cached_property
    def overseas_stock(self) -> AsyncOverseasStock:
        """The overseas_stock APIs (generated: one method per API)."""
        from ._generated.resources.overseas_stock import AsyncOverseasStock

        return AsyncOverseasStock(self)

    @functools.cached_property
    def overseas_futureoption(self) -> AsyncOverseasFutureOption:
        """The overseas_futureoption APIs (generated: one method per API)."""
        from ._generated.resources.overseas_futureoption import AsyncOverseasFutureOption

        return AsyncOverseasFutureOption(self)

    async def _run(self, flow: Flow[T]) -> T:
        return await run_async(flow, self._send)

    async def _send(self, request: HttpRequest) -> HttpResponse:
        response = await send_async(self._http, request)
        self.server_clock.observe(response.headers)
        return response

    async def _request(
        self, api: Api, args: dict[str, Any], model: type[A], *, tr_cont: str = ""
    ) -> A:
        result = await self._run(self._flow(api, args, tr_cont=tr_cont))
        return decode_response(model, result.body, tr_id=result.tr_id, tr_cont=result.tr_cont)

    async def call(
        self, key: str, params: Mapping[str, Any] | None = None, *, tr_cont: str = ""
    ) -> ApiResponse:
        """Call any REST API by catalogue key; ``params`` by Python or wire name."""
        api = catalog().get(key)
        args = _normalise_args(api, params or {})
        result = await self._run(self._flow(api, args, tr_cont=tr_cont))
        return decode_response(
            _generic_model(api), result.body, tr_id=result.tr_id, tr_cont=result.tr_cont
        )

    async def paginate(
        self,
        key: str,
        params: Mapping[str, Any] | None = None,
        *,
        max_pages: int | None = None,
        max_restarts: int = 3,
    ) -> AsyncIterator[Page[ApiResponse]]:
        """Async twin of :meth:`Client.paginate` (an async iterator of pages)."""
        api = catalog().get(key)
        pager = Pager(api, _normalise_args(api, params or {}), max_pages=max_pages,
                      max_restarts=max_restarts)
        model = _generic_model(api)
        while (step := pager.next_request()) is not None:
            args, tr_cont = step
            try:
                result = await self._run(self._flow(api, args, tr_cont=tr_cont))
            except DataChangedError as exc:
                pager.restart(exc)
                continue
            more = pager.accept(result.body, result.tr_cont)
            yield Page(
                decode_response(model, result.body, tr_id=result.tr_id, tr_cont=result.tr_cont),
                number=pager.pages, restart=pager.restarts, more=more,
            )

    def stream(self, **kwargs: Any) -> RealtimeStream:
        """A realtime stream (asyncio) on this client's key and caches; see
        :meth:`Client.stream`."""
        from .realtime import RealtimeStream

        return RealtimeStream(**self._stream_args(kwargs))

    async def token(self) -> str:
        return await self._run(self.tokens.token_flow())

    async def approval_key(self) -> str:
        return await self._run(self.tokens.approval_key_flow())

    async def revoke(self) -> bool:
        return await self._run(self.tokens.revoke_flow())

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class Pages(Iterator[Page[ApiResponse]]):
    """Pages of a paginated query, fetched lazily (see :meth:`Client.paginate`)."""

    def __init__(self, client: Client, api: Api, pager: Pager) -> None:
        self._client = client
        self._api = api
        self._pager = pager
        self._model = _generic_model(api)

    @property
    def complete(self) -> bool:
        """``True`` once the server said there are no more pages."""
        return self._pager.complete

    @property
    def truncated(self) -> bool:
        """``True`` when ``max_pages`` stopped paging while more pages existed."""
        return self._pager.truncated

    @property
    def restarts(self) -> int:
        return self._pager.restarts

    def __iter__(self) -> Pages:
        return self

    def __next__(self) -> Page[ApiResponse]:
        pager = self._pager
        while (step := pager.next_request()) is not None:
            args, tr_cont = step
            try:
                result = self._client._run(self._client._flow(self._api, args, tr_cont=tr_cont))
            except DataChangedError as exc:
                pager.restart(exc)
                continue
            more = pager.accept(result.body, result.tr_cont)
            response = decode_response(
                self._model, result.body, tr_id=result.tr_id, tr_cont=result.tr_cont
            )
            return Page(response, number=pager.pages, restart=pager.restarts, more=more)
        raise StopIteration


def _normalise_args(api: Api, params: Mapping[str, Any]) -> dict[str, Any]:
    """Accept wire names (``FID_INPUT_ISCD``) as well as Python names; reject unknown ones."""
    by_wire = {p.wire.lower(): p.name for p in api.params}
    names = {p.name for p in api.params} | {s.name for s in api.selectors}
    out: dict[str, Any] = {}
    for key, value in params.items():
        name = key if key in names else by_wire.get(key.lower(), key)
        out[name] = value
    return out
