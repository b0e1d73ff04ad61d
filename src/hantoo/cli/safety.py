"""Confirmation before a real order leaves.

Why two steps: a script without a terminal must be refused *before anything is sent* — not even
a quote for the estimate — so :func:`check_can_confirm` runs first, on the options alone. Only
then does the command price the order and :func:`confirm` ask.
"""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from .output import EXIT_USAGE, err_console, fail


def needs_confirmation(environment: str, yes: bool) -> bool:
    """Real money and no ``--yes``."""
    return environment == "real" and not yes


def interactive() -> bool:
    """Whether a person can answer: stdin is a terminal."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def check_can_confirm(environment: str, yes: bool, what: str = "order") -> None:
    """Refuse (exit 2) when confirmation is needed but nobody can give it."""
    if needs_confirmation(environment, yes) and not interactive():
        fail(
            f"refusing to send a real {what} without confirmation: no terminal to ask",
            hint="pass --yes to confirm non-interactively (nothing was sent)",
            code=EXIT_USAGE,
        )


def confirm(rows: list[tuple[str, str]], question: str = "Send this order?") -> None:
    """Show what will be sent and ask; anything but yes aborts (exit 1, nothing sent)."""
    table = Table(title="[bold red]REAL ORDER[/] — real money", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for name, value in rows:
        table.add_row(name, value)
    err_console.print(table)
    if not typer.confirm(question, default=False, err=True):
        err_console.print("not sent.")
        raise typer.Exit(1)
