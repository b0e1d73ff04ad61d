"""``hantoo fills`` and ``hantoo modify``: the day's executions, and changing a working order.

Both are thin over the SDK (``client.fills``, ``client.modify_order``). ``fills`` defaults to the
market's own today — the simulator's clock date with ``--env sim``, KST otherwise — so it shows
what was just executed even when the simulator's day is not the calendar's. ``modify`` finds the
order among the working ones by the number ``hantoo orders`` shows (leading zeros optional),
checks the new price on the tick grid before sending (``--round`` as for ``order``), and in
``real`` asks for confirmation as ``order`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from ..domain.errors import TickSizeError
from ..domain.objects import Fills, OrderSnapshot
from ..domain.ticks import PriceRounding
from .common import (
    BaseUrlOption,
    EnvOption,
    JsonOption,
    money,
    open_client,
    parse_day,
    parse_decimal,
    plain,
    qty,
)
from .output import EXIT_USAGE, command, console, err_console, fail, print_json
from .safety import check_can_confirm, confirm, needs_confirmation

if TYPE_CHECKING:
    from ..client import Client

Market = Literal["domestic", "us"]
MarketOption = Annotated[str, typer.Option("--market", help="domestic | us")]


def register(app: typer.Typer) -> None:
    app.command("fills")(fills)
    app.command("modify")(modify)


def fills_table(items: Fills, title: str) -> Table:
    table = Table(title=title)
    for col in ("time", "order", "side", "symbol", "name", "qty", "avg price", "amount"):
        table.add_column(col, justify="right" if col in ("qty", "avg price", "amount")
                         else "left", no_wrap=col in ("order", "time", "symbol"))
    for f in items:
        table.add_row(f.time.strftime("%H:%M:%S") if f.time else "-", f.order_no.lstrip("0"),
                      str(f.side), f.symbol, f.name or "", qty(f.quantity), money(f.price),
                      money(f.amount))
    return table


@command
def fills(
    start: Annotated[str | None, typer.Option("--from", help="first day (default: today)")]
    = None,
    end: Annotated[str | None, typer.Option("--to", help="last day (default: --from)")] = None,
    symbol: Annotated[str | None, typer.Option("--symbol", help="only this symbol (or name)")]
    = None,
    market: MarketOption = "domestic",
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Executions per order (quantity and average price): today's, or --from/--to."""
    from .krx_hours import market_now
    from .names import resolve_symbol
    from .trade import _market

    mkt = _market(market)
    with open_client(env, base_url) as client:
        first = parse_day(start, "--from") if start else market_now(client).date()
        last = parse_day(end, "--to") if end else first
        if first > last:
            raise ValueError(f"--from {first} is after --to {last}")
        sym = resolve_symbol(client, symbol) if symbol else None
        items = client.fills(first, last, symbol=sym, market=mkt)
    if as_json:
        print_json([plain(f) for f in items])
        return
    span = f"{first}" if first == last else f"{first} … {last}"
    if not items:
        err_console.print(f"no fills on {span}", highlight=False)
        return
    currency = items[0].currency
    console.print(fills_table(items, f"{len(items)} orders with fills, {span} ({currency})"))


def _working(client: Client, order_no: str, market: Market) -> OrderSnapshot | None:
    """The working order of that number (leading zeros optional), as the broker sees it now."""
    wanted = order_no.strip().lstrip("0")
    for o in client.open_orders(market=market):
        if o.order_no.lstrip("0") == wanted:
            return o
    return None


@command
def modify(
    order_no: Annotated[str, typer.Argument(help="the working order's number (hantoo orders)")],
    price: Annotated[str | None, typer.Option("--price", help="the new limit price (exact)")]
    = None,
    quantity: Annotated[int | None, typer.Option(
        "--qty", help="leave N working (the rest is cancelled); at most what is working",
        min=1)] = None,
    rounding: Annotated[str, typer.Option(
        "--round", help="a price off the tick grid: refuse | down | up | nearest")] = "refuse",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="confirm in real without asking")]
    = False,
    market: MarketOption = "domestic",
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a working order: --price moves what is working to a new price (KIS gives it a
    new number); --qty N leaves N working (the rest is cancelled)."""
    from .trade import _market

    if price is None and quantity is None:
        fail("say what to change: --price and/or --qty",
             hint=f"e.g. hantoo modify {order_no} --price 70500", code=EXIT_USAGE)
    new_price = parse_decimal(price, "--price") if price is not None else None
    mkt = _market(market)
    with open_client(env, base_url) as client:
        environment = client.settings.environment
        check_can_confirm(environment, yes, "modification")
        found = _working(client, order_no, mkt)
        if found is None:
            fail(f"no working order #{order_no}", hint="hantoo orders lists the working ones",
                 code=EXIT_USAGE)
        before = found
        left = before.remaining_quantity
        if quantity is not None and quantity > left:
            fail(f"--qty {quantity:,} is more than the {left:,} still working on "
                 f"#{before.order_no}",
                 hint="--qty can only keep or reduce what is working; place another order "
                 "for more", code=EXIT_USAGE)
        cut = left - quantity if quantity is not None else 0
        if cut == 0 and (new_price is None or new_price == before.price):
            fail(f"nothing to change: #{before.order_no} already has {left:,} working at "
                 f"{money(before.price)}", hint="give another --price or a smaller --qty",
                 code=EXIT_USAGE)
        if needs_confirmation(environment, yes):
            confirm([("environment", environment), ("order", f"#{before.order_no}"),
                     ("symbol", before.symbol),
                     ("price", f"{money(before.price)} → {money(new_price or before.price)}"),
                     ("working quantity", f"{left:,} → {left - cut:,}")],
                    question="Send this modification?")
        after = before
        if cut:  # KIS reduces a working order by cancelling part of it
            client.cancel_order(before, cut)
            after = _working(client, before.order_no, mkt) or before
        if new_price is not None and new_price != before.price:
            try:
                after = client.modify_order(after, new_price, rounding=PriceRounding(rounding))
            except TickSizeError as exc:
                fail(exc.message, hint=exc.hint.replace(
                    "pass rounding='down'|'up'|'nearest'", "pass --round down|up|nearest"),
                    code=EXIT_USAGE)
            # The broker's working list is the authority on what is left (it needs no date).
            after = _working(client, after.order_no, mkt) or after
    if as_json:
        print_json(plain(after))
        return
    number = f"#{before.order_no}" + (f" → #{after.order_no}"
                                       if after.order_no != before.order_no else "")
    console.print(f"order {number}: {after.side} {after.symbol} {after.remaining_quantity:,} "
                  f"working @ {money(after.price)} — {after.status}", highlight=False)
