"""``hantoo api list`` and ``hantoo api call``: every API of the catalogue from the shell."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from ..catalog import Api, catalog
from .output import command, console, fail, print_json

app = typer.Typer(help="List and call any of the 336 KIS APIs by key.", no_args_is_help=True)


def describe(api: Api) -> dict[str, Any]:
    return {
        "key": api.key,
        "category": api.category,
        "method_name": f"{api.category}.{api.name}",
        "title_ko": api.title_ko,
        "kind": api.kind,
        "method": api.method or "WEBSOCKET",
        "path": api.path,
        "tr_id_real": api.tr_ids("real") or ([api.stream.tr_id] if api.stream else []),
        "tr_id_paper": api.tr_ids("paper")
        or ([api.stream.tr_paper] if api.stream and api.stream.tr_paper else []),
        "paper": api.paper,
        "paginated": api.paging is not None,
    }


@app.command("list")
@command
def list_apis(
    category: Annotated[str | None, typer.Option(help="only this category")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List every API: key, Korean title, method, path, TR IDs, kind."""
    cat = catalog()
    if category and category not in cat.categories():
        fail(f"unknown category {category!r}", hint="one of: " + ", ".join(cat.categories()),
             code=2)
    entries = [describe(a) for a in cat if category in (None, a.category)]
    if as_json:
        print_json(entries)
        return
    table = Table(title=f"{len(entries)} APIs", show_lines=False)
    for col in ("key", "title", "method", "path", "TR real", "TR paper", "kind"):
        table.add_column(col, overflow="fold")
    for e in entries:
        table.add_row(e["key"], e["title_ko"], e["method"], e["path"],
                      " ".join(e["tr_id_real"]), " ".join(e["tr_id_paper"]) or "—", e["kind"])
    console.print(table)


def parse_params(items: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"parameter {item!r} must look like NAME=VALUE")
        params[name] = value
    return params


@app.command("call")
@command
def call_api(
    key: Annotated[str, typer.Argument(help="API key, e.g. domestic_stock/inquire_price")],
    params: Annotated[list[str] | None, typer.Argument(help="NAME=VALUE parameters")] = None,
    env: Annotated[str | None, typer.Option("--env", help="sim | paper | real")] = None,
    base_url: Annotated[str | None, typer.Option(help="another server (e.g. hantoo sim serve)")]
    = None,
    tr_cont: Annotated[str, typer.Option(help="continuation: N for the next page")] = "",
) -> None:
    """Call any REST API and print the response body as JSON."""
    from ..client import Client

    api = catalog().get(key)
    if api.stream is not None:
        fail(f"{key} is a realtime API ({api.stream.tr_id})", hint="use `hantoo stream`", code=2)
    parsed = parse_params(params or [])
    with Client(env, base_url=base_url) as client:
        response = client.call(key, parsed, tr_cont=tr_cont)
    print_json(response.raw)
