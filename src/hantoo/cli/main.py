"""The ``hantoo`` command: entry point and global options."""

from __future__ import annotations

from typing import Annotated

import typer

from . import api, sim
from .output import set_debug

app = typer.Typer(
    name="hantoo",
    help="hantoo — Korea Investment & Securities (KIS) Open API toolkit: SDK, simulator, CLI.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(api.app, name="api")
app.add_typer(sim.app, name="sim")


@app.callback()
def _global(
    debug: Annotated[bool, typer.Option("--debug", help="show full traces on errors")] = False,
) -> None:
    set_debug(debug)


def main() -> None:
    app()
