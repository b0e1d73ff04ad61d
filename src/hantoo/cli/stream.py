"""``hantoo stream SYMBOL...``: live trades in an updating table (or JSON lines).

Why it starts a server for ``sim``: the realtime protocol is a WebSocket, and the embedded
simulator has no socket. With ``--env sim`` and no ``--base-url`` the command runs a private
simulator on 127.0.0.1 for as long as it streams; with ``--base-url`` (``hantoo sim serve``) or
in paper/real it connects to that server's WebSocket (``--ws-url`` or the configured one).
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

import typer
from rich.live import Live
from rich.table import Table

from ..config import REST_URLS, WS_URLS
from ..domain.symbols import to_symbol
from .common import BaseUrlOption, EnvOption, money, open_client, qty, signed
from .output import command, console, err_console, to_jsonable


@dataclass
class Row:
    """The latest trade of one symbol."""

    price: Decimal | None = None
    change: Decimal | None = None
    rate: Decimal | None = None
    last_qty: int | None = None
    volume: int | None = None
    time: str = "-"
    ticks: int = 0


def render(rows: dict[str, Row], status: str) -> Table:
    table = Table(title="live trades (H0STCNT0)", caption=status)
    for col in ("symbol", "price", "change", "%", "last qty", "volume", "time", "ticks"):
        table.add_column(col, justify="left" if col == "symbol" else "right")
    for symbol, r in rows.items():
        table.add_row(symbol, money(r.price), signed(r.change), signed(r.rate, "%"),
                      qty(r.last_qty), qty(r.volume), r.time, str(r.ticks))
    return table


@contextlib.contextmanager
def endpoints(env: str | None, base_url: str | None, ws_url: str | None) -> (
    Iterator[tuple[str, str, str]]
):
    """``(environment, base_url, ws_url)`` to stream from; a private server for embedded sim."""
    with open_client(env, base_url) as client:
        s = client.settings
    if s.environment == "sim" and s.base_url == REST_URLS["sim"]:
        from ..sim.app import SimConfig, create_app
        from ..sim.server import running_server

        with running_server(app=create_app(SimConfig())) as (rest, ws):
            yield "sim", rest, ws
        return
    yield s.environment, s.base_url, ws_url or ws_for(s.environment, s.base_url, s.ws_url)


def ws_for(environment: str, base_url: str, configured: str) -> str:
    """The WebSocket URL: the configured one, unless only the REST URL was moved (``--base-url``
    of a ``hantoo sim serve``), in which case the same host and port speak WebSocket too."""
    if configured != WS_URLS[environment] or base_url == REST_URLS[environment]:
        return configured
    scheme, sep, rest = base_url.partition("://")
    return ("wss" if scheme == "https" else "ws") + sep + rest


def open_stream(environment: str, rest: str, ws: str, env: str | None,
                base_url: str | None) -> Any:
    """A blocking :class:`hantoo.realtime.Stream`. Paper/real take their approval key from the
    token manager, so it is cached on disk like the access token."""
    from ..realtime import Credentials, Stream, TokenManagerApprovalKeys

    if environment == "sim":
        from ..config import SIM_APP_KEY, SIM_APP_SECRET

        return Stream(Credentials(SIM_APP_KEY, SIM_APP_SECRET), environment="sim",
                      base_url=rest, ws_url=ws)
    with open_client(env, base_url) as client:  # only its settings and token manager are kept
        s = client.settings
        approval = [TokenManagerApprovalKeys(client.tokens, s.base_url)]
    return Stream(Credentials(s.app_key, s.app_secret.get_secret_value()), environment=environment,
                  base_url=rest, ws_url=ws, approval=approval)


@command
def stream(
    symbols: Annotated[list[str], typer.Argument(help="KRX symbols, e.g. 005930 000660")],
    duration: Annotated[float | None, typer.Option("--duration", help="stop after S seconds")]
    = None,
    count: Annotated[int | None, typer.Option("--count", help="stop after N trades", min=1)]
    = None,
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    ws_url: Annotated[str | None, typer.Option("--ws-url", help="the WebSocket server")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per trade")] = False,
) -> None:
    """Live trades of SYMBOL... in an updating table; Ctrl-C (or --duration/--count) stops.

    With --env sim and no --base-url a private simulator is started for the stream.
    """
    from ..realtime import Gap, Reconnecting, SubscriptionRejected

    codes = []
    from .names import resolve_symbol

    with open_client(env, base_url) as named:
        symbols = [resolve_symbol(named, text) for text in symbols]
    for text in symbols:
        sym = to_symbol(text)
        if sym.is_overseas:
            raise ValueError(f"{text}: `hantoo stream` covers KRX symbols; for US trades use "
                             "the SDK's stream.subscribe_us_trades")
        codes.append(sym.code)
    rows = {code: Row() for code in codes}
    seen = 0
    status = "connecting…"
    end = time.monotonic() + duration if duration is not None else None
    with endpoints(env, base_url, ws_url) as (environment, rest, ws):
        st = open_stream(environment, rest, ws, env, base_url)
        try:
            st.subscribe_trades(*codes)
            live = Live(render(rows, status), console=console, refresh_per_second=8,
                        transient=False) if not as_json else contextlib.nullcontext()
            with live:
                done = False
                while not done:
                    left = None if end is None else end - time.monotonic()
                    if left is not None and left <= 0:
                        break
                    wait = 0.5 if left is None else min(0.5, left)
                    for event in st.events(timeout=wait):
                        if getattr(event, "TR_ID", "") == "H0STCNT0":
                            seen += 1
                            _update(rows, event)
                            if as_json:
                                data = to_jsonable(event.to_dict())
                                sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
                        elif isinstance(event, Reconnecting):
                            status = f"reconnecting (attempt {event.attempt})…"
                        elif isinstance(event, Gap):
                            status = "reconnected: trades while disconnected were missed"
                        elif isinstance(event, SubscriptionRejected):
                            status = f"rejected {event.subscription}: {event.message}"
                        else:
                            status = f"{environment} · {ws}"
                        if count is not None and seen >= count:
                            done = True
                        if end is not None and time.monotonic() >= end:
                            done = True
                        if isinstance(live, Live):
                            live.update(render(rows, status))
                        if done:
                            break
        finally:
            st.close()
    if not as_json:
        err_console.print(f"{seen} trades")


def _update(rows: dict[str, Row], record: Any) -> None:
    code = record.mksc_shrn_iscd
    row = rows.get(code)
    if row is None:
        return
    row.price = record.stck_prpr
    row.change = record.prdy_vrss
    row.rate = record.prdy_ctrt
    row.last_qty = record.cntg_vol
    row.volume = record.acml_vol
    t = record.stck_cntg_hour
    row.time = t.strftime("%H:%M:%S") if t else "-"
    row.ticks += 1
