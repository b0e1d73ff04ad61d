"""``hantoo search NAME``: issues by name (or part of it), with the code to type.

The names are those :mod:`hantoo.cli.names` knows: the simulator's universe with ``--env sim``
(in-process or a server's), hantoo's bundled list of well-known issues for paper and real.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from .common import BaseUrlOption, EnvOption, JsonOption, open_client
from .names import find, listings
from .output import command, console, err_console, print_json


def register(app: typer.Typer) -> None:
    app.command("search")(search)


@command
def search(
    words: Annotated[list[str], typer.Argument(
        help="a name or part of one: 삼성, 삼성전자, apple")],
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find issues by name and show their codes (삼성전자 → 005930)."""
    query = " ".join(words)
    with open_client(env, base_url) as client:
        items, source = listings(client)
    found = find(items, query)
    if as_json:
        print_json([{"symbol": i.symbol, "code": i.code, "name": i.name, "market": i.market,
                     "kind": i.kind} for i in found])
        return
    if not found:
        err_console.print(f"no issue named like {query!r} in {source}", highlight=False)
        err_console.print("[dim]hint: try part of the name (삼성), or give the 6-digit code[/]")
        return
    table = Table(title=f"{len(found)} issues matching {query!r} ({source})")
    for col in ("symbol", "name", "market", "kind"):
        table.add_column(col, no_wrap=col == "symbol")
    for i in found:
        table.add_row(i.symbol, i.name, i.market, i.kind)
    console.print(table)
