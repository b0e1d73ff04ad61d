"""From a name to a code: ``삼성전자`` → ``005930`` wherever the command line takes a symbol.

Why: people know issues by name, and KIS has no API that searches names (its own clients
download master files). The names come from the simulator the command talks to — its universe,
in-process or ``GET /_sim/universe`` of a server, so a ``--universe`` file's names work too — and
for ``paper``/``real`` from the list of real KRX and US issues bundled with hantoo (about sixty
well-known ones; any other issue is given by its code).

Rules: anything that already reads as a symbol (``005930``, ``NASD:AAPL``) is used as typed. A
name matches exactly first (case and spaces aside: ``삼성 전자`` is ``삼성전자``), else as a part of
names; one match is used, several are refused with every candidate and its code, none is
refused with how to search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..domain.errors import InvalidSymbolFormatError
from ..domain.symbols import to_symbol

if TYPE_CHECKING:
    from ..client import Client

US_MARKETS = ("NASD", "NYSE", "AMEX")


@dataclass(frozen=True)
class Listing:
    code: str
    name: str
    market: str
    kind: str

    @property
    def symbol(self) -> str:
        """What to type: ``005930`` or ``NASD:AAPL``."""
        return f"{self.market}:{self.code}" if self.market in US_MARKETS else self.code


def _rows_to_listings(rows: list[dict[str, Any]]) -> list[Listing]:
    return [Listing(str(r["code"]), str(r["name"]), str(r["market"]), str(r.get("kind", "")))
            for r in rows]


def _bundled() -> list[Listing]:
    from ..sim.engine.universe import Universe

    return [Listing(i.code, i.name, str(i.market), str(i.kind)) for i in Universe.default()]


def listings(client: Client) -> tuple[list[Listing], str]:
    """The issues with names the client's market knows, and where they came from."""
    from ..config import REST_URLS

    settings = client.settings
    if settings.environment == "sim":
        if settings.base_url == REST_URLS["sim"]:
            from .._core.embedded import embedded_sim
            from ..sim.universe_listing import universe_listing

            rows = universe_listing(embedded_sim().state.exchange)["instruments"]
            return _rows_to_listings(rows), "the simulator's universe"
        import httpx

        try:
            reply = httpx.get(f"{settings.base_url.rstrip('/')}/_sim/universe", timeout=5)
            if reply.status_code == 200:
                return (_rows_to_listings(reply.json()["instruments"]),
                        "the simulator's universe")
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            pass  # an older simulator or another server: the bundled list
    return _bundled(), "hantoo's bundled list of well-known issues"


def _squeeze(text: str) -> str:
    return "".join(text.casefold().split())


def find(items: list[Listing], query: str) -> list[Listing]:
    """Exact name or code matches if any, else the issues whose name contains ``query``."""
    q = _squeeze(query)
    if not q:
        return []
    exact = [i for i in items if _squeeze(i.name) == q or i.code.casefold() == q
             or _squeeze(i.symbol) == q]
    if exact:
        return exact
    return [i for i in items if q in _squeeze(i.name) or q in i.code.casefold()]


def reads_as_symbol(text: str, exchange: str | None = None) -> bool:
    """Whether ``text`` is already a code or ``EXCHANGE:TICKER`` (or names its exchange)."""
    try:
        to_symbol(text, exchange=exchange)
    except (InvalidSymbolFormatError, ValueError):
        return False
    return True


def resolve_symbol(client: Client, text: str, exchange: str | None = None) -> str:
    """``text`` as typed if it reads as a symbol, else the one issue so named."""
    if not text.strip() or reads_as_symbol(text, exchange):
        return text  # the SDK explains an empty or malformed symbol itself
    items, source = listings(client)
    found = find(items, text)
    if len(found) == 1:
        return found[0].symbol
    if not found:
        ticker = text.strip().upper()
        us = (f"; a US ticker needs its exchange: NASD:{ticker} (or --exchange NASD)"
              if ticker.isascii() and ticker.isalpha() else "")
        raise InvalidSymbolFormatError(
            f"no issue named {text!r} in {source}",
            hint="`hantoo search WORD` lists names with their codes; or give the 6-digit code "
            f"(005930){us or ' or EXCHANGE:TICKER (NASD:AAPL)'}")
    shown = ", ".join(f"{i.name} {i.symbol}" for i in found[:12])
    more = f" and {len(found) - 12} more" if len(found) > 12 else ""
    raise InvalidSymbolFormatError(
        f"{text!r} names {len(found)} issues: {shown}{more}",
        hint="give the code of the one you mean, or the full name")
