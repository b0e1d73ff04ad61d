"""The ``hantoo`` command: entry point and global options.

Each group lives in its own module and registers itself here: ``demo``; market data (``quote``,
``book``, ``candles``, ``chart``); trading (``order``, ``orders``, ``cancel``, ``balance``);
``stream``; ``config``; ``auth``; ``api``; ``sim``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from . import api, auth, config_cmd, demo, download, market, sim, stream, trade
from .output import set_debug

app = typer.Typer(
    name="hantoo",
    help="hantoo — Korea Investment & Securities (KIS) Open API toolkit: SDK, simulator, CLI. "
    "Start with `hantoo demo`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("demo")(demo.demo)
market.register(app)
download.register(app)
trade.register(app)
app.command("stream")(stream.stream)
app.add_typer(config_cmd.app, name="config")
app.add_typer(auth.app, name="auth")
app.add_typer(api.app, name="api")
app.add_typer(sim.app, name="sim")


@app.callback()
def _global(
    debug: Annotated[bool, typer.Option("--debug", help="show full traces on errors")] = False,
) -> None:
    set_debug(debug)


def main() -> None:
    app()
