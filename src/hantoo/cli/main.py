"""The ``hantoo`` command: entry point and global options.

Each group lives in its own module and registers itself here: ``demo``; market data (``quote``,
``book``, ``candles``, ``chart``); trading (``order``, ``orders``, ``cancel``, ``balance``);
``stream``; ``config``; ``auth``; ``api``; ``sim``.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from . import api, auth, config_cmd, demo, download, gateway, market, sim, stream, trade
from .global_options import GlobalFirstGroup, hand_down
from .output import set_debug

app = typer.Typer(
    name="hantoo",
    help="hantoo — Korea Investment & Securities (KIS) Open API toolkit: SDK, simulator, CLI. "
    "Start with `hantoo demo`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=GlobalFirstGroup,
)
app.command("demo")(demo.demo)
market.register(app)
download.register(app)
trade.register(app)
app.command("stream")(stream.stream)
app.command("gateway")(gateway.gateway)
app.add_typer(config_cmd.app, name="config")
app.add_typer(auth.app, name="auth")
app.add_typer(api.app, name="api")
app.add_typer(sim.app, name="sim")


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"hantoo {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="show full traces on errors")] = False,
    env: Annotated[str | None, typer.Option(
        "--env", help="sim | paper | real, for every command (also after the command)")] = None,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="another server for every command, e.g. `hantoo sim serve`'s URL")]
    = None,
    clock: Annotated[str | None, typer.Option(
        "--clock", help="with --env sim: sim (its own trading day, orders fill at any hour) | "
        "wall (real KST hours)")] = None,
    version: Annotated[bool, typer.Option(
        "--version", help="print the version and exit", is_eager=True,
        callback=_print_version)] = False,
) -> None:
    set_debug(debug)
    hand_down(ctx, {"env": env, "base_url": base_url})
    if clock is not None:
        from .._core.embedded import sim_clock_mode

        try:
            sim_clock_mode(clock)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--clock") from None
        os.environ["HANTOO_SIM_CLOCK"] = clock  # read when the embedded simulator starts


def main() -> None:
    app()
