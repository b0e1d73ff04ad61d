"""``hantoo order buy|sell``, ``orders``, ``cancel``, ``balance``: trading from the shell.

An order is validated locally first (order type, tick size, quantity — the SDK's
``prepare_order``), so a mistake costs nothing. In ``real`` the command then shows side,
quantity, price, type and the estimated amount and asks (or takes ``--yes``); without a terminal
and without ``--yes`` it refuses before sending anything. If the outcome of a sent order is
unknown (timeout, reset, gateway timeout), the command reconciles it from the day's orders —
never by sending again — and exits 6.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.table import Table

from ..catalog import catalog
from ..domain.errors import TickSizeError
from ..domain.objects import Balance, OrderSnapshot
from ..domain.ordertypes import Side
from ..domain.ticks import PriceRounding
from ..errors import HantooError, MarketClosedError, OrderStateUnknownError
from .common import (
    SIM_NOTE,
    BaseUrlOption,
    EnvOption,
    ExchangeOption,
    JsonOption,
    money,
    open_client,
    parse_decimal,
    plain,
    qty,
    signed,
)
from .output import (
    EXIT_API,
    EXIT_ORDER_UNKNOWN,
    EXIT_USAGE,
    command,
    console,
    err_console,
    fail,
    print_json,
)
from .safety import check_can_confirm, confirm, needs_confirmation

if TYPE_CHECKING:
    from ..client import Client
    from ..workflows.trading import PreparedOrder

MarketOption = Annotated[str, typer.Option("--market", help="domestic | us")]

order_app = typer.Typer(
    help=f"Place an order (validated locally first; confirmation in real). {SIM_NOTE}",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(order_app, name="order")
    app.command("orders")(orders)
    app.command("cancel")(cancel)
    app.command("balance")(balance)
    from . import fills_modify, search

    fills_modify.register(app)
    search.register(app)


def _market(text: str) -> Literal["domestic", "us"]:
    if text == "domestic":
        return "domestic"
    if text == "us":
        return "us"
    raise ValueError(f"--market must be domestic or us, not {text!r}")


# -- order ---------------------------------------------------------------------------------------


def tr_id_for(prepared: PreparedOrder, environment: str) -> str:
    """The TR ID the order will carry (the simulator answers the real ones)."""
    sym = prepared.symbol
    if prepared.resolved.route == "reservation":
        key = "domestic_stock/order_resv"
    else:
        key = "overseas_stock/order" if sym.is_overseas else "domestic_stock/order_cash"
    api = catalog().get(key)
    chosen = {"ord_dv": prepared.side.value, "ovrs_excg_cd": sym.exchange}
    paper = environment == "paper"
    for variant in api.variants:
        if all(chosen.get(name) in values for name, values in variant.when.items()):
            return (variant.paper if paper else variant.real) or "-"
    return (api.tr_paper if paper else api.tr_real) or "-"


def describe(prepared: PreparedOrder, environment: str,
             estimate: Decimal | None, estimate_basis: str) -> list[tuple[str, str]]:
    """What will be sent, as rows for the confirmation and ``--dry-run``."""
    sym = prepared.symbol
    price = money(prepared.price) if prepared.price is not None else "market"
    amount = "-" if estimate is None else f"{money(estimate)} {sym.currency}{estimate_basis}"
    return [
        ("environment", environment),
        ("side", prepared.side.value),
        ("symbol", str(sym)),
        ("quantity", f"{prepared.quantity:,}"),
        ("price", price),
        ("type", f"{prepared.order_type.value} (code {prepared.resolved.code})"),
        ("TR ID", tr_id_for(prepared, environment)),
        ("estimated amount", amount),
    ]


def estimate_amount(client: Client, prepared: PreparedOrder) -> tuple[Decimal | None, str]:
    """Price × quantity; for orders without a price, the last price × quantity (a read)."""
    if prepared.price is not None:
        return prepared.price * prepared.quantity, ""
    try:
        last = client.quote(prepared.symbol).price
    except HantooError:
        return None, ""
    return last * prepared.quantity, " (at the last price; the market sets it)"


def _place(side: Side, symbol: str, quantity: int, price: str | None, order_type: str | None,
           tif: str | None, rounding: str, exchange: str | None, dry_run: bool, yes: bool,
           wait: float, env: str | None, base_url: str | None, as_json: bool) -> None:
    from ..workflows.driver import Context
    from ..workflows.trading import prepare_order

    with open_client(env, base_url) as client:
        environment = client.settings.environment
        from ..domain.symbols import to_symbol
        from .names import resolve_symbol

        try:
            prepared = prepare_order(
                Context.of(client.settings, client.server_clock),
                to_symbol(resolve_symbol(client, symbol, exchange), exchange=exchange), side,
                quantity, parse_decimal(price, "--price") if price is not None else None,
                order_type, tif, rounding=PriceRounding(rounding))
        except TickSizeError as exc:
            hint = exc.hint.replace("pass rounding='down'|'up'|'nearest'", "pass --round "
                                    "down|up|nearest").replace("a market order takes no price",
                                                               "leave --price out for a "
                                                               "market order")
            fail(exc.message, hint=hint, code=EXIT_USAGE)
        if not dry_run:
            check_can_confirm(environment, yes)  # before any request, even the quote
        estimate, basis = estimate_amount(client, prepared)
        rows = describe(prepared, environment, estimate, basis)
        if dry_run:
            if as_json:
                print_json({
                    "dry_run": True, "environment": environment, "side": prepared.side.value,
                    "symbol": str(prepared.symbol), "quantity": prepared.quantity,
                    "price": prepared.price, "order_type": prepared.order_type.value,
                    "code": prepared.resolved.code, "tr_id": tr_id_for(prepared, environment),
                    "estimated_amount": estimate, "currency": str(prepared.symbol.currency)})
            else:
                table = Table(title="dry run — nothing sent", show_header=False)
                for name, value in rows:
                    table.add_row(name, value)
                console.print(table)
            return
        if needs_confirmation(environment, yes):
            confirm(rows)
        try:
            order = client.place_order(prepared.symbol, side, quantity, prepared.price,
                                       prepared.order_type, tif)  # price already on the grid
        except OrderStateUnknownError as exc:
            _report_unknown(client, exc)
        except MarketClosedError as exc:
            if prepared.symbol.is_overseas:
                raise
            from .krx_hours import closed_hint, market_now

            fail(exc.message, hint=closed_hint(market_now(client)), code=EXIT_API)
        waited_out = False
        try:
            snap = order.wait(wait) if wait > 0 else order.refresh()
        except TimeoutError:  # the order is placed and working: not a failure of the command
            snap, waited_out = order.refresh(), True
    if as_json:
        print_json(plain(snap))
        return
    console.print(f"order [bold]#{snap.order_no}[/] {snap.side} {snap.symbol} "
                  f"{snap.filled_quantity:,}/{snap.quantity:,} filled"
                  + (f" @ {money(snap.average_fill_price)}" if snap.average_fill_price else "")
                  + f" — {snap.status}")
    if waited_out:
        err_console.print(f"still working after --wait {wait:g}s: `hantoo orders` shows it, "
                          f"`hantoo modify {snap.order_no.lstrip('0')} --price P` moves it, "
                          f"`hantoo cancel {snap.order_no.lstrip('0')}` cancels it",
                          highlight=False, markup=False)


def _report_unknown(client: Client, exc: OrderStateUnknownError) -> None:
    """Say what is known about an order whose outcome was lost; never resend it."""
    err_console.print(f"[bold red]order outcome unknown:[/] {exc.message}")
    try:
        result = client.reconcile(exc)
    except HantooError as again:
        fail(f"could not reconcile: {again.message}",
             hint="check `hantoo orders` and the day's fills before sending again",
             code=EXIT_ORDER_UNKNOWN)
    if result.present and result.order is not None:
        fail(f"the order reached the exchange as #{result.order.order_no} "
             f"({result.order.status})", hint="do not send it again", code=EXIT_ORDER_UNKNOWN)
    if result.absent:
        fail("no such order among the day's orders: it was not executed (nothing was resent)",
             hint="you may send it again", code=EXIT_ORDER_UNKNOWN)
    fail(f"several orders of the day match ({len(result.candidates)})",
         hint="check `hantoo orders` before sending again", code=EXIT_ORDER_UNKNOWN)


QtyArg = Annotated[int, typer.Argument(help="number of shares", min=1)]
SymbolArg = Annotated[str, typer.Argument(help="005930, NASD:AAPL, or a name: 삼성전자")]
PriceOption = Annotated[str | None, typer.Option("--price", help="limit price (exact)")]
TypeOption = Annotated[
    str | None,
    typer.Option("--type", help="limit | market | conditional | best | priority | pre_market | "
                 "post_market | after_hours_single_price | moo | loo | moc | loc "
                 "(default: limit with --price, else market)"),
]
TifOption = Annotated[str | None, typer.Option("--tif", help="day | ioc | fok")]
RoundOption = Annotated[str, typer.Option(
    "--round", help="a price off the tick grid: refuse | down | up | nearest")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="validate and show; send nothing")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="confirm a real order without "
                                         "asking")]
WaitOption = Annotated[float, typer.Option("--wait", help="seconds to wait for a final state")]


@order_app.command("buy")
@command
def buy(symbol: SymbolArg, quantity: QtyArg, price: PriceOption = None,
        order_type: TypeOption = None, tif: TifOption = None, rounding: RoundOption = "refuse",
        exchange: ExchangeOption = None, dry_run: DryRunOption = False, yes: YesOption = False,
        wait: WaitOption = 0.0,
        env: EnvOption = None, base_url: BaseUrlOption = None,
        as_json: JsonOption = False) -> None:
    """Buy QTY shares of SYMBOL."""
    _place(Side.BUY, symbol, quantity, price, order_type, tif, rounding, exchange, dry_run, yes,
           wait, env, base_url, as_json)


@order_app.command("sell")
@command
def sell(symbol: SymbolArg, quantity: QtyArg, price: PriceOption = None,
         order_type: TypeOption = None, tif: TifOption = None, rounding: RoundOption = "refuse",
         exchange: ExchangeOption = None, dry_run: DryRunOption = False, yes: YesOption = False,
        wait: WaitOption = 0.0,
         env: EnvOption = None, base_url: BaseUrlOption = None,
         as_json: JsonOption = False) -> None:
    """Sell QTY shares of SYMBOL."""
    _place(Side.SELL, symbol, quantity, price, order_type, tif, rounding, exchange, dry_run, yes,
           wait, env, base_url, as_json)


# -- orders, cancel ------------------------------------------------------------------------------


def orders_table(items: list[OrderSnapshot]) -> Table:
    table = Table(title=f"{len(items)} working orders")
    for col in ("order", "side", "symbol", "qty", "price", "filled", "left", "status", "placed"):
        table.add_column(col, justify="right" if col in ("qty", "price", "filled", "left")
                         else "left", no_wrap=col == "order")
    for o in items:
        table.add_row(o.order_no, str(o.side), o.symbol, qty(o.quantity), money(o.price),
                      qty(o.filled_quantity), qty(o.remaining_quantity), str(o.status),
                      o.placed_at.strftime("%H:%M:%S") if o.placed_at else "-")
    return table


@command
def orders(
    market: MarketOption = "domestic",
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Orders with quantity still working."""
    with open_client(env, base_url) as client:
        items = client.open_orders(market=_market(market))
    if as_json:
        print_json([plain(o) for o in items])
        return
    console.print(orders_table(items))


@command
def cancel(
    order_no: Annotated[str | None, typer.Argument(help="the order number to cancel")] = None,
    all_orders: Annotated[bool, typer.Option("--all", help="cancel every working order")]
    = False,
    market: MarketOption = "domestic",
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel one working order, or all of them with --all."""
    if (order_no is None) == (not all_orders):
        fail("name one order number, or pass --all", hint="hantoo orders lists them",
             code=EXIT_USAGE)
    with open_client(env, base_url) as client:
        mkt = _market(market)
        if all_orders:
            cancelled = client.cancel_all(market=mkt)
            if as_json:
                print_json({"cancelled": cancelled})
            else:
                console.print(f"cancelled {len(cancelled)} orders"
                              + (": " + ", ".join(cancelled) if cancelled else ""))
            return
        assert order_no is not None
        wanted = order_no.strip().lstrip("0")
        match = [o for o in client.open_orders(market=mkt) if o.order_no.lstrip("0") == wanted]
        if not match:
            fail(f"no working order #{order_no}", hint="hantoo orders lists the working ones",
                 code=EXIT_USAGE)
        snap = client.cancel_order(match[0])
    if as_json:
        print_json(plain(snap))
        return
    console.print(f"order #{order_no}: {snap.status} ({snap.cancelled_quantity:,} cancelled, "
                  f"{snap.filled_quantity:,} filled)")


# -- balance -------------------------------------------------------------------------------------


def balance_tables(b: Balance) -> tuple[Table, Table]:
    summary = Table(title=f"account ({b.currency})", show_header=False)
    summary.add_column("what", style="bold")
    summary.add_column("amount", justify="right")
    for name, value in (("cash", b.cash), ("cash after settlement (D+2)", b.settlement_cash),
                        ("purchase amount", b.purchase_amount), ("market value", b.market_value),
                        ("total value", b.total_value), ("net assets", b.net_assets)):
        summary.add_row(name, money(value))
    summary.add_row("P&L", signed(b.pnl))
    positions = Table(title=f"{len(b.positions)} positions")
    for col in ("symbol", "name", "qty", "avg price", "price", "value", "P&L", "%"):
        positions.add_column(col, justify="left" if col in ("symbol", "name") else "right")
    for p in b.positions:
        positions.add_row(p.symbol, p.name or "", qty(p.quantity), money(p.average_price),
                          money(p.price), money(p.market_value), signed(p.pnl),
                          signed(p.pnl_rate, "%"))
    return summary, positions


def balance_json(b: Balance) -> dict[str, Any]:
    data = plain(b)
    data["positions"] = [plain(p) for p in b.positions]
    return data


@command
def balance(
    market: MarketOption = "domestic",
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cash, holdings and P&L."""
    with open_client(env, base_url) as client:
        b = client.balance(market=_market(market))
    if as_json:
        print_json(balance_json(b))
        return
    summary, positions = balance_tables(b)
    console.print(summary)
    console.print(positions)
