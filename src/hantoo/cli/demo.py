"""``hantoo demo``: a narrated tour that needs nothing — no account, no keys, no network.

Why it runs a socket server: the live part of the tour (a fill arriving on the realtime stream)
needs a WebSocket, and the embedded simulator has none. So the demo starts the simulator on
127.0.0.1 with :func:`hantoo.sim.server.running_server` and points both the REST client and the
stream at it — exactly what a user does with ``hantoo sim serve``. It uses the simulator's demo
credentials explicitly (never the user's, even if they are configured) and a temporary token
cache, so the user's real token cache is never touched.

``--env paper|real`` runs only the read-only steps (token, quote, order book, balance, candles)
against KIS with the user's own configuration.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._core.redact import Secret
from ..domain.kst import KST
from ..errors import MarketClosedError, UnsupportedInPaperError
from .common import money, signed
from .output import command, console

if TYPE_CHECKING:
    from ..client import Client
    from ..realtime import Stream
    from ..workflows.order import Order

SYMBOL = "005930"


class Tour:
    """Numbered, narrated steps with a pause between them (``--pace``)."""

    def __init__(self, pace: float) -> None:
        self.pace = pace
        self.number = 0
        self.started = time.monotonic()

    def step(self, title: str, why: str) -> None:
        if self.number and self.pace > 0:
            time.sleep(self.pace)
        self.number += 1
        console.print()
        console.rule(f"[bold]{self.number}. {title}", align="left")
        console.print(f"[dim]{why}[/]", highlight=False)

    def say(self, text: str) -> None:
        console.print(text, highlight=False)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


@command
def demo(
    env: Annotated[str, typer.Option("--env", help="sim (default) | paper | real (read-only)")]
    = "sim",
    out: Annotated[Path | None, typer.Option("--out", help="directory for the CSV and chart "
                                             "(default: a new temporary directory)")] = None,
    symbol: Annotated[str, typer.Option(help="the KRX symbol to use")] = SYMBOL,
    quantity: Annotated[int, typer.Option(help="shares to buy and sell (sim)", min=1)] = 10,
    pace: Annotated[float, typer.Option(help="seconds to pause between steps")] = 0.3,
    clock: Annotated[str, typer.Option(
        "--clock", help="sim: the simulator's own trading day (fills at any hour) | wall: real "
        "KST hours (closed at night)")] = "sim",
) -> None:
    """A narrated tour on the local simulator (no configuration needed, about 5 s).

    Token reuse, quote, order book, a buy filled on the live stream, balance and P&L, a sell,
    a month of candles to CSV. --env paper|real runs the read-only steps against KIS with your
    credentials.
    """
    if env not in ("sim", "paper", "real"):
        raise ValueError(f"--env must be sim, paper or real, not {env!r}")
    from .._core.embedded import sim_clock_mode

    mode = sim_clock_mode(clock)
    if env != "sim":
        from ..config import resolve

        resolve(environment=env)  # missing credentials: exit 3 before anything is created
    folder = out or Path(tempfile.mkdtemp(prefix="hantoo-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    tour = Tour(pace)
    if env == "sim":
        _sim_tour(tour, folder, symbol, quantity, mode)
    else:
        _live_tour(tour, env, folder, symbol)
    console.print()
    console.rule(f"[bold green]done in {tour.elapsed:.1f} s", align="left")
    console.print(f"files in {folder}", highlight=False)
    console.print("next: [bold]hantoo --help[/] · [bold]hantoo sim serve[/] (a simulator for "
                  "any KIS client) · [bold]hantoo config init[/] (your own keys)")


# -- the simulator tour --------------------------------------------------------------------------


def _sim_tour(tour: Tour, folder: Path, symbol: str, quantity: int, clock_mode: str) -> None:
    import httpx

    from ..client import Client
    from ..config import SIM_ACCOUNT, SIM_APP_KEY, SIM_APP_SECRET, SIM_HTS_ID
    from ..sim.app import SimConfig, create_app
    from ..sim.server import running_server

    console.print("[bold]hantoo demo[/] — a local exchange simulator that speaks the KIS wire "
                  "protocol; no account, keys or network needed.", highlight=False)
    tour.step("Start the simulator",
              "KRX rules (ticks, sessions, price limits), accounts with fees and taxes, "
              "REST and WebSocket on one port — what `hantoo sim serve` runs.")
    with running_server(app=create_app(SimConfig(clock_mode=clock_mode))) as (rest, ws), \
            tempfile.TemporaryDirectory(prefix="hantoo-demo-tokens-") as cache:
        tour.say(f"REST {rest}   WebSocket {ws}/tryitout")
        creds: dict[str, Any] = {"app_key": SIM_APP_KEY, "app_secret": SIM_APP_SECRET,
                                 "account": SIM_ACCOUNT, "hts_id": SIM_HTS_ID}

        def issued() -> int:
            stats = httpx.get(f"{rest}/_sim/stats", timeout=5).json()
            return sum(int(n) for n in stats.get("token_issuances", {}).values())

        with Client("sim", base_url=rest, cache_dir=cache, **creds) as client:
            _token_step(tour, client, lambda: Client("sim", base_url=rest, cache_dir=cache,
                                                     **creds), issued)
            _market_step(tour, client, symbol)
            from ..realtime import Credentials, Stream

            stream = Stream(Credentials(SIM_APP_KEY, SIM_APP_SECRET), environment="sim",
                            base_url=rest, ws_url=ws, hts_id=SIM_HTS_ID)
            try:
                _trade_steps(tour, client, stream, symbol, quantity)
            except MarketClosedError:
                # Only with --clock wall: the simulator follows real KST and KRX is closed.
                now = client.server_clock.now().strftime("%H:%M")
                tour.say(f"[yellow]KRX is closed now ({now} KST, --clock wall): the trading "
                         "steps are skipped. Without --clock wall the simulator runs its own "
                         "trading day and orders fill at any hour.[/]")
            finally:
                stream.close()
            _candles_step(tour, client, symbol, folder)


def _token_step(tour: Tour, client: Client, second: Callable[[], Client],
                issued: Callable[[], int]) -> None:
    tour.step("A token, issued once and reused",
              "KIS issues one token per minute per app key and notifies you by KakaoTalk each "
              "time, so hantoo caches it on disk (0600) and every client and process reuses it.")
    first = client.token()
    tour.say(f"client 1: token {Secret(first).fingerprint()}… (fingerprint; tokens are never "
             f"printed), cached in {Path(client.tokens.cache.location).name}")
    with second() as other:
        again = other.token()
    same = "the same token" if again == first else "a different token"
    tour.say(f"client 2 (a new client, as another process would be): {same}, from the cache")
    tour.say(f"tokens issued by the server: [bold]{issued()}[/]")


def _market_step(tour: Tour, client: Client, symbol: str) -> None:
    from .market import book_table, quote_table

    tour.step("Quote and order book", "client.quote(...) and client.order_book(...): typed "
              "objects, Decimal prices, KST times.")
    console.print(quote_table([client.quote(symbol)]))
    book = client.order_book(symbol)
    top = type(book)(symbol=book.symbol, currency=book.currency, asks=book.asks[:5],
                     bids=book.bids[:5], total_ask_quantity=book.total_ask_quantity,
                     total_bid_quantity=book.total_bid_quantity)
    console.print(book_table(top))


def _wait_notices(tour: Tour, stream: Stream, order: Order, timeout: float = 10.0) -> int:
    """Consume the stream until the order's fill notices cover its quantity; print each."""
    from .._core.wire import StreamRecord

    deadline = time.monotonic() + timeout
    filled = 0
    wanted = order.order_no.lstrip("0")
    while filled < order.quantity and time.monotonic() < deadline:
        for event in stream.events(timeout=0.5):
            if not isinstance(event, StreamRecord) or event.TR_ID not in ("H0STCNI0", "H0STCNI9"):
                continue
            n = event.to_dict()
            if str(n.get("oder_no") or "").lstrip("0") != wanted:
                continue
            if n.get("cntg_yn") == "2":
                filled += int(n.get("cntg_qty") or 0)
                tour.say(f"  [green]fill notice[/] (decrypted H0STCNI0): {n.get('cntg_qty')} "
                         f"@ {money(n.get('cntg_unpr'))} at {n.get('stck_cntg_hour')}")
            else:
                tour.say(f"  notice: order #{order.order_no} accepted")
            if filled >= order.quantity or time.monotonic() >= deadline:
                break
    return filled


def _trade_steps(tour: Tour, client: Client, stream: Stream, symbol: str,
                 quantity: int) -> None:
    from ..realtime import Subscribed
    from .trade import balance_tables

    tour.step("A buy, filled on the live stream",
              "Subscribe to your order notices (H0STCNI0, AES-encrypted, keyed by HTS ID), "
              "then buy at market; the fill arrives on the WebSocket.")
    client.track_notices(stream)  # notices also update the Order handle
    stream.subscribe_fills()
    deadline = time.monotonic() + 10
    subscribed = False
    while not subscribed and time.monotonic() < deadline:
        subscribed = any(isinstance(e, Subscribed) for e in stream.events(timeout=0.5))
    before = client.balance()
    buy = client.place_order(symbol, "buy", quantity, order_type="market")
    tour.say(f"sent: buy {quantity} {symbol} at market → order #{buy.order_no}")
    if _wait_notices(tour, stream, buy) < quantity:
        buy.wait_filled(10)
    bought = buy.refresh()
    tour.say(f"order #{bought.order_no}: {bought.status}, {bought.filled_quantity} @ "
             f"{money(bought.average_fill_price)} ({buy.notices} notices applied to the handle)")

    tour.step("Balance and P&L", "client.balance(): cash, settlement cash (D+2), holdings "
              "valued at the current price.")
    summary, positions = balance_tables(client.balance())
    console.print(positions)
    console.print(summary)

    tour.step("A sell", "The same shares back to the market.")
    sell = client.place_order(symbol, "sell", quantity, order_type="market")
    tour.say(f"sent: sell {quantity} {symbol} at market → order #{sell.order_no}")
    if _wait_notices(tour, stream, sell) < quantity:
        sell.wait_filled(10)
    sold = sell.refresh()
    after = client.balance()
    gross = ((sold.average_fill_price or Decimal(0))
             - (bought.average_fill_price or Decimal(0))) * quantity
    tour.say(f"order #{sold.order_no}: {sold.status}, {sold.filled_quantity} @ "
             f"{money(sold.average_fill_price)}")
    tour.say(f"round trip before costs: {signed(gross)} KRW")
    if before.settlement_cash is not None and after.settlement_cash is not None:
        net = after.settlement_cash - before.settlement_cash
        tour.say(f"cash after settlement (D+2): {money(before.settlement_cash)} → "
                 f"{money(after.settlement_cash)} ({signed(net)} KRW: the round trip, "
                 "commissions and the sell tax)")


def _candles_step(tour: Tour, client: Client, symbol: str, folder: Path) -> None:
    from .export import write_candles
    from .market import candle_table

    tour.step("A month of candles, to CSV", "client.candles(symbol, start, end, interval) pages "
              "for you; Decimal prices are written exactly.")
    end = client.server_today()
    bars = client.candles(symbol, end - dt.timedelta(days=30), end, "day")
    path = folder / f"{symbol}-day.csv"
    write_candles(bars, path)
    console.print(candle_table(type(bars)(bars[-5:]), f"{symbol}: last 5 of {len(bars)} bars"))
    tour.say(f"wrote {len(bars)} bars to {path}")
    try:
        from .chart import render_chart

        chart = folder / f"{symbol}-day.png"
        render_chart(bars, chart, width=1000, height=600, title=f"{symbol} daily (simulator)")
        tour.say(f"and a chart: {chart}")
    except Exception as exc:  # the chart is a bonus; matplotlib is an optional extra
        tour.say(f"[dim](no chart: {exc})[/]")


# -- the read-only tour against KIS ------------------------------------------------------------


def _live_tour(tour: Tour, env: str, folder: Path, symbol: str) -> None:
    from ..client import Client
    from .market import book_table, candle_table, quote_table
    from .trade import balance_tables

    client = Client(env)  # no credentials → ConfigurationError (exit 3) before any request
    with client:
        console.print(f"[bold]hantoo demo --env {env}[/] — read-only: nothing is ordered.",
                      highlight=False)
        tour.step("Your token", "Reused from the cache when one is valid; issued otherwise.")
        client.token()
        current = client.tokens.current_token()
        expires = (dt.datetime.fromtimestamp(current.expires_at, KST).strftime("%Y-%m-%d %H:%M")
                   if current else "?")
        tour.say(f"token ready (expires {expires} KST), cache {client.tokens.cache.location}")

        def optional(title: str, why: str, run: Callable[[], None]) -> None:
            tour.step(title, why)
            try:
                run()
            except UnsupportedInPaperError as exc:
                tour.say(f"[yellow]skipped:[/] {exc.message}")

        optional("Quote", "inquire_price", lambda: console.print(
            quote_table([client.quote(symbol)])))
        optional("Order book", "inquire_asking_price_exp_ccn", lambda: console.print(
            book_table(client.order_book(symbol))))

        def show_balance() -> None:
            if client.settings.account is None:
                tour.say("[yellow]skipped:[/] no account configured (HANTOO_ACCOUNT)")
                return
            summary, positions = balance_tables(client.balance())
            console.print(positions)
            console.print(summary)

        optional("Balance", "inquire_balance", show_balance)

        def candles() -> None:
            from .export import write_candles

            end = client.server_today()
            bars = client.candles(symbol, end - dt.timedelta(days=30), end, "day")
            path = folder / f"{symbol}-day.csv"
            write_candles(bars, path)
            console.print(candle_table(type(bars)(bars[-5:]), f"last 5 of {len(bars)} bars"))
            tour.say(f"wrote {len(bars)} bars to {path}")

        optional("A month of candles, to CSV", "inquire_daily_itemchartprice", candles)
