"""``hantoo api list`` and ``hantoo api call``: every API of the catalogue from the shell."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from ..catalog import Api, catalog
from .output import command, console, err_console, fail, print_json

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


def matches(entry: dict[str, Any], words: list[str]) -> bool:
    """Every word found (case-insensitively) in the key, Korean title, path, method name or a
    TR ID — so ``주식현재가``, ``FHKST01010100``, ``inquire_price`` and ``/quotations/`` all find
    what they name."""
    haystack = " ".join([entry["key"], entry["title_ko"], entry["path"], entry["method_name"],
                         *entry["tr_id_real"], *entry["tr_id_paper"]]).casefold()
    squeezed = "".join(haystack.split())  # 주식 현재가 finds 주식현재가 and the other way round
    return all(word.casefold() in haystack or "".join(word.casefold().split()) in squeezed
               for word in words)


COLUMNS = ("key", "title", "method", "path", "TR real", "TR paper", "kind")


def _row(e: dict[str, Any]) -> list[str]:
    return [e["key"], e["title_ko"], e["method"], e["path"], " ".join(e["tr_id_real"]),
            " ".join(e["tr_id_paper"]) or "-", e["kind"]]


@app.command("list")
@command
def list_apis(
    words: Annotated[list[str] | None, typer.Argument(
        help="search words: Korean title, TR ID, key or path (all must match), "
        "e.g. 주식현재가 or FHKST01010100", show_default=False)] = None,
    search: Annotated[str | None, typer.Option(
        "--search", "-s", help="the same search as the words, as an option")] = None,
    category: Annotated[str | None, typer.Option(help="only this category")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List every API: key, Korean title, method, path, TR IDs, kind.

    On a terminal it is a table; piped, one tab-separated line per API that is never wrapped,
    so `hantoo api list | grep 주식현재가` finds it.
    """
    cat = catalog()
    if category and category not in cat.categories():
        fail(f"unknown category {category!r}", hint="one of: " + ", ".join(cat.categories()),
             code=2)
    terms = [*(words or []), *(search.split() if search else [])]
    entries = [describe(a) for a in cat if category in (None, a.category)]
    entries = [e for e in entries if matches(e, terms)]
    if as_json:
        print_json(entries)
        return
    if not entries:
        err_console.print(f"no API matches {' '.join(terms)!r}",
                          highlight=False)
        err_console.print("[dim]hint: search by Korean title (주식현재가), TR ID "
                          "(FHKST01010100), key (inquire_price) or path (/quotations/)[/]")
        return
    if not console.is_terminal:
        sys.stdout.write("\t".join(COLUMNS) + "\n")
        for e in entries:
            sys.stdout.write("\t".join(_row(e)) + "\n")
        return
    title = f"{len(entries)} APIs" + (f" matching {' '.join(terms)!r}" if terms else "")
    table = Table(title=title, show_lines=False)
    for col in COLUMNS:
        table.add_column(col, overflow="fold")
    for e in entries:
        table.add_row(*_row(e))
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
