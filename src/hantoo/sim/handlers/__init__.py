"""The handler interface: how API semantics plug into the simulator's HTTP server.

The server (``hantoo.sim.app``) does everything that is the same for every API — routing, auth,
rate limits, TR-ID and persona checks, parameter parsing and validation against the catalogue,
hashkey verification, faults — and then hands a validated :class:`Call` to the handler
registered for the API's catalogue key. The handler returns a :class:`Reply` (or raises
:class:`BusinessError`). APIs without a handler get a catalogue-shaped generic answer
(``hantoo.sim.generic``).

Writing a handler::

    from hantoo.sim.handlers import BusinessError, Call, Reply, fill, ok, register

    @register("domestic_stock/inquire_price")
    def inquire_price(call: Call) -> Reply:
        symbol = call.params["FID_INPUT_ISCD"]
        quote = call.state.exchange.quote(symbol)          # whatever the engine offers
        if quote is None:
            raise BusinessError("MCA05918", "종목코드 오류입니다.")
        return ok(output=fill(call, "output", {"stck_prpr": str(quote.last)}))

Rules for handlers:

* **Synchronous and quick** (they run on the server's event loop, so one handler never
  interleaves with another — state changes need no locks). ``async def`` handlers are accepted
  too, for the rare one that must wait.
* ``call.params`` holds UPPERCASE wire keys → ``str`` values, already checked against the
  catalogue (required parameters present, values strings). Unknown extra keys are kept.
* Raise :class:`BusinessError` for a business rejection: the client gets HTTP 500 with
  ``rt_cd`` ``"1"`` and your ``msg_cd``/``msg1``, as KIS does. Any other exception becomes a
  ``SIM00500`` error body (never a traceback) and is logged.
* Fill response blocks with :func:`fill` / :func:`fill_rows`, so every documented field is
  present even when the handler knows only some of them.
* Page lists with :func:`paginate`: it reads the request cursors and ``tr_cont``, and gives the
  slice, the ``tr_cont`` response header and the cursor fields to echo.

Registration: modules in this package call :func:`register` at import; the server imports every
module of the package once, on the first :func:`handler_for` / :func:`load_handlers` call (never
at import time of this module). A registration with ``fallback=True`` (the reference handlers
below) yields to any ordinary registration for the same key, whatever the import order. Per-app
overrides (tests) go in ``SimState.handlers``.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from ..replies import SUCCESS_MSG1, SUCCESS_MSG_CD, KisError, ok_body

if TYPE_CHECKING:
    from hantoo.catalog import Api

    from ..auth import AppKey
    from ..state import SimState

__all__ = [
    "BusinessError",
    "Call",
    "Handler",
    "Page",
    "Reply",
    "fill",
    "fill_rows",
    "handler_for",
    "load_handlers",
    "ok",
    "paginate",
    "register",
    "registry",
]

_log = logging.getLogger("hantoo.sim.handlers")


@dataclass(frozen=True, slots=True)
class Call:
    """One validated API request, as a handler sees it."""

    api: Api
    """The catalogue entry (path, TR IDs, params, response blocks, paging)."""
    tr_id: str
    """The TR ID the client sent (already checked: it belongs to ``api`` and to the persona)."""
    params: Mapping[str, str]
    """UPPERCASE wire key → string value (GET query or POST JSON body)."""
    key: AppKey
    """The calling app key's record (persona, bound account, HTS ID); never log ``key.secret``."""
    account: tuple[str, str] | None
    """``(CANO, ACNT_PRDT_CD)`` when the API takes an account (already checked against the key)."""
    state: SimState
    """The simulator: ``state.exchange``, ``state.clock``, ``state.config``, ..."""
    tr_cont: str = ""
    """The request's ``tr_cont`` header: ``""`` for a first page, ``"N"`` for a follow-up."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """All request headers, lower-case names."""

    @property
    def persona(self) -> str:
        """``"real"`` or ``"paper"``: which server the caller believes it talks to."""
        return self.key.persona

    @property
    def paper(self) -> bool:
        return self.key.persona == "paper"

    @property
    def continued(self) -> bool:
        """True for a follow-up page request (``tr_cont: N``)."""
        return self.tr_cont.strip().upper() in ("N", "F", "M")

    def now(self) -> datetime:
        """The simulator clock, KST."""
        return self.state.clock.now()

    def param(self, wire: str, default: str = "") -> str:
        """A parameter by wire name, stripped (KIS pads some values with spaces)."""
        return self.params.get(wire, default).strip()


@dataclass(slots=True)
class Reply:
    """A handler's answer: the JSON body, the ``tr_cont`` response header, the HTTP status."""

    body: dict[str, Any]
    tr_cont: str = ""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra response headers (names sent as given)."""


class BusinessError(KisError):
    """A business rejection: HTTP 500, ``rt_cd`` ``"1"``, ``msg_cd``/``msg1`` as given.

    ``BusinessError("APBK0013", "주문가능금액을 초과 했습니다")``. Pass ``rt_cd="2"`` for input
    validation failures (``OPSQ2001``-style), as the real gateway does.
    """

    def __init__(self, msg_cd: str, msg1: str, *, status: int = 500, rt_cd: str = "1") -> None:
        super().__init__(msg_cd, msg1, status=status, rt_cd=rt_cd)


Handler: TypeAlias = Callable[[Call], "Reply | Awaitable[Reply]"]

# Module-level registry of handler *functions* (code, not state): two apps in one process share
# the same functions but never any data. Per-app overrides live in SimState.handlers.
registry: dict[str, Handler] = {}
_fallbacks: dict[str, Handler] = {}
_loaded = False
load_errors: dict[str, str] = {}


def register(api_key: str, *, fallback: bool = False) -> Callable[[Handler], Handler]:
    """Decorator: make ``fn`` the handler of the catalogue API ``api_key``.

    Raises ``KeyError`` for a key the catalogue does not know (catches typos at import) and
    ``ValueError`` when two ordinary handlers claim the same key.
    """

    def deco(fn: Handler) -> Handler:
        from hantoo.catalog import catalog

        api = catalog().get(api_key)
        if api.stream is not None:
            raise ValueError(f"{api_key} is a WebSocket API; REST handlers cannot serve it")
        if fallback:
            _fallbacks[api_key] = fn
        else:
            existing = registry.get(api_key)
            if existing is not None and existing is not fn:
                name = getattr(existing, "__qualname__", repr(existing))
                raise ValueError(f"{api_key} already has a handler ({name})")
            registry[api_key] = fn
        return fn

    return deco


def load_handlers() -> dict[str, Handler]:
    """Import every handler module of this package (once) and return the merged registry.

    A module that fails to import is logged and listed in :data:`load_errors`; the others still
    load, so one broken module does not take the whole simulator down.
    """
    global _loaded
    if not _loaded:
        _loaded = True
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_"):
                continue
            name = f"{__name__}.{info.name}"
            try:
                importlib.import_module(name)
            except Exception as exc:  # a broken handler module must not stop the server
                load_errors[name] = f"{type(exc).__name__}: {exc}"
                _log.exception("cannot import simulator handler module %s", name)
        _register_reference_handlers()
    merged = dict(_fallbacks)
    merged.update(registry)
    return merged


def handler_for(api_key: str) -> Handler | None:
    """The handler registered for ``api_key`` (ordinary first, then fallback), if any.

    Looked up in the two registries rather than in :func:`load_handlers`'s merged copy: this
    runs on every request, and the copy costs more than the rest of a quote's dispatch."""
    if not _loaded:
        load_handlers()
    found = registry.get(api_key)
    return found if found is not None else _fallbacks.get(api_key)


# --------------------------------------------------------------------------- reply helpers


def ok(
    *,
    msg_cd: str = SUCCESS_MSG_CD,
    msg1: str = SUCCESS_MSG1,
    tr_cont: str = "",
    extra: Mapping[str, Any] | None = None,
    **blocks: Any,
) -> Reply:
    """A success :class:`Reply`: ``ok(output={...})``, ``ok(output1=[...], output2={...})``."""
    body = ok_body(blocks, msg_cd=msg_cd, msg1=msg1)
    if extra:
        body.update(extra)
    return Reply(body, tr_cont=tr_cont)


def fill(
    call: Call, block: str, partial: Mapping[str, str] | None = None, *, row: int = 0
) -> dict[str, str]:
    """Every documented field of ``block`` for this API: ``partial``'s values, plausible
    deterministic values (by the field's encoding, seeded by the request) for the rest.

    Field order is the catalogue's; keys of ``partial`` the catalogue does not list are kept
    (appended). Values must already be wire strings.
    """
    from ..generic import block_fields, fill_fields, request_seed

    return fill_fields(
        block_fields(call.api, block),
        partial or {},
        seed=request_seed(call),
        row=row,
        ctx=call,
    )


def fill_rows(
    call: Call,
    block: str,
    partials: Iterable[Mapping[str, str]],
    *,
    start: int = 0,
) -> list[dict[str, str]]:
    """:func:`fill` for a list block; row ``i`` is seeded with ``start + i``."""
    return [fill(call, block, p, row=start + i) for i, p in enumerate(partials)]


def shaped(call: Call, block: str, rows: Sequence[Mapping[str, str]]) -> Any:
    """``rows`` (newest first) in the block's recorded shape (``hantoo/catalog/block_shapes.json``
    through ``hantoo.sim.generic.layout``): the filled list, or its newest row when KIS answers
    the block as one object. Why: a handler that computes a series answers whichever shape the
    catalogue records, so a verified correction there needs no handler change."""
    from ..generic import layout

    filled = fill_rows(call, block, rows)
    if next(b for b in layout(call.api) if b.name == block).is_list:
        return filled
    return filled[0] if filled else fill(call, block, {})


# --------------------------------------------------------------------------- paging


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paginated answer."""

    start: int
    """Index of the first row of this page in the full result."""
    stop: int
    """One past the last row of this page."""
    tr_cont: str
    """Response header: ``"M"`` when more pages follow, ``"D"`` on the last one."""
    cursors: dict[str, str]
    """Cursor fields for the body (lower-case keys, as the catalogue's ``paging.response``)."""

    @property
    def more(self) -> bool:
        return self.tr_cont == "M"

    def slice(self, rows: list[Any]) -> list[Any]:
        return rows[self.start : self.stop]


def _cursor_keys(api: Api) -> tuple[str | None, str | None, list[str]]:
    """(offset key, condition key, all response keys) for an API's cursors."""
    keys = list(api.paging.response) if api.paging else []
    offset_key = next((k for k in keys if "nk" in k or k == "keyb"), None)
    cond_key = next((k for k in keys if "fk" in k), None)
    if offset_key is None and cond_key is not None:  # only an FK cursor: it carries the offset
        offset_key, cond_key = cond_key, None
    return offset_key, cond_key, keys


def _fingerprint(call: Call) -> str:
    import zlib

    cursor_wires = {p.wire for p in call.api.params if p.cursor}
    text = "&".join(
        f"{k}={v.strip()}" for k, v in sorted(call.params.items()) if k not in cursor_wires
    )
    return f"{zlib.crc32(text.encode('utf-8')):08X}"


def _offset_from(call: Call, offset_key: str | None) -> int:
    if not call.continued or offset_key is None:
        return 0
    raw = call.params.get(offset_key.upper(), call.params.get(offset_key, "")).strip()
    if raw.startswith("HNT") and raw[3:].isdigit():
        return int(raw[3:])
    return 0


def paginate(call: Call, total: int, page_size: int) -> Page:
    """The page of a ``total``-row result this request asks for.

    A first request (``tr_cont`` blank) gets rows ``[0, page_size)``; a follow-up (``tr_cont: N``)
    continues from the offset in its cursor. Cursor formats are the simulator's own (opaque to
    clients, as KIS's are): the NK-type cursor holds the offset (``HNT<n>``), the FK-type cursor a
    fingerprint of the query conditions. An unreadable cursor restarts from the first page. APIs
    whose catalogue entry lists no response cursors can only answer one page (``tr_cont: D``).
    """
    if page_size <= 0:
        raise ValueError("page_size must be positive")
    offset_key, cond_key, keys = _cursor_keys(call.api)
    if offset_key is None:
        return Page(0, total, "D", {})
    start = min(_offset_from(call, offset_key), total)
    stop = min(start + page_size, total)
    more = stop < total
    cursors = {k: "" for k in keys}
    cursors[offset_key] = f"HNT{stop:06d}" if more else ""
    if cond_key is not None:
        cursors[cond_key] = _fingerprint(call)
    return Page(start, stop, "M" if more else "D", cursors)


def page_size_for(call: Call, default: int = 20) -> int:
    """The catalogue's page size for this API and persona, else ``default``."""
    paging = call.api.paging
    sizes = paging.page_size if paging else None
    if not sizes:
        return default
    size = sizes.get(call.persona) or sizes.get("any") or sizes.get("real")
    return size or default


# --------------------------------------------------------------------------- reference handlers


def _register_reference_handlers() -> None:
    """Handlers that prove the interface; registered as fallbacks (a real one replaces them)."""
    register("domestic_stock/inquire_price", fallback=True)(_inquire_price)
    register("domestic_stock/chk_holiday", fallback=True)(_chk_holiday)


def _valid_domestic_symbol(symbol: str) -> bool:
    s = symbol[1:] if symbol[:1] in ("Q", "J") else symbol
    return len(s) == 6 and s.isalnum()


def _inquire_price(call: Call) -> Reply:
    """Current price (FHKST01010100): the engine's last price when it has the symbol, else a
    deterministic synthetic quote; a malformed symbol is ``MCA05918`` as on the real server."""
    symbol = call.param("FID_INPUT_ISCD")
    if not _valid_domestic_symbol(symbol):
        raise BusinessError("MCA05918", "종목코드 오류입니다.")
    partial: dict[str, str] = {"stck_shrn_iscd": symbol.lstrip("QJ")}
    snapshot = call.state.quote_snapshot(symbol.lstrip("QJ"))
    if snapshot is not None:
        partial.update(snapshot)
        return ok(output=fill(call, "output", partial))
    out = fill(call, "output", partial)
    # make the synthetic quote self-consistent: change, sign and rate from price and base
    price, base = int(out["stck_prpr"]), int(out["stck_sdpr"])
    change = price - base
    out["prdy_vrss"] = str(change)
    out["prdy_vrss_sign"] = "2" if change > 0 else "5" if change < 0 else "3"
    bp = abs(change) * 10_000 // base if base else 0
    out["prdy_ctrt"] = f"{'-' if change < 0 else ''}{bp // 100}.{bp % 100:02d}"
    return ok(output=out)


def _chk_holiday(call: Call) -> Reply:
    """Holiday check (CTCA0903R): business-day flags for the days from ``BASS_DT`` on, paged."""
    from datetime import date, timedelta

    raw = call.param("BASS_DT")
    try:
        first = date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise BusinessError("OPSQ2001", "ERROR : INPUT INVALID_CHECK_BASS_DT", rt_cd="2") from None
    calendar = call.state.calendar
    total = 60
    page = paginate(call, total, 20)
    rows = []
    for i in range(page.start, page.stop):
        d = first + timedelta(days=i)
        open_ = calendar.is_business_day(d)
        rows.append(
            {
                "bass_dt": d.strftime("%Y%m%d"),
                "wday_dvsn_cd": f"{(d.isoweekday() % 7) + 1:02d}",  # 01 = Sunday ... 07 = Saturday
                "bzdy_yn": "Y" if d.weekday() < 5 else "N",
                "tr_day_yn": "Y" if open_ else "N",
                "opnd_yn": "Y" if open_ else "N",
                "sttl_day_yn": "Y" if open_ else "N",
            }
        )
    return ok(output=rows, tr_cont=page.tr_cont, extra=page.cursors)
