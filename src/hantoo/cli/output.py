"""How the command line reports: one clear line per error, distinct exit codes, JSON on demand.

Exit codes: 0 success · 1 unexpected failure · 2 usage (bad arguments) · 3 configuration ·
4 the API refused (KIS error) · 5 network/transport · 6 an order's outcome is unknown
(reconcile before resending) · 7 a local resource is unusable (a port in use, a damaged state
file, a cache path that is not a directory) · 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from .. import errors

console = Console()
err_console = Console(stderr=True)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_API = 4
EXIT_TRANSPORT = 5
EXIT_ORDER_UNKNOWN = 6
EXIT_LOCAL = 7
EXIT_INTERRUPTED = 130

_debug = False


def set_debug(value: bool) -> None:
    global _debug
    _debug = value


def to_jsonable(value: Any) -> Any:
    """Decimals as strings (never floats), dates ISO, structures recursively."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")


def fail(message: str, *, hint: str = "", code: int = EXIT_FAILURE) -> NoReturn:
    """Print the error and its hint, then exit with ``code``.

    The text is escaped (a path or KIS message with ``[...]`` is not markup) and soft-wrapped:
    the terminal folds long lines, so a path or command in the message is never cut by an
    inserted newline and can be copied whole.
    """
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    if hint:
        err_console.print(f"[dim]hint: {escape(hint)}[/]", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def exit_code_for(exc: BaseException) -> int:
    if isinstance(exc, errors.OrderStateUnknownError):
        return EXIT_ORDER_UNKNOWN
    if isinstance(exc, errors.ConfigurationError | errors.UnsupportedInPaperError):
        return EXIT_CONFIG
    if isinstance(exc, errors.ApiError | errors.HttpStatusError):
        return EXIT_API
    if isinstance(exc, errors.TransportError | errors.CircuitOpenError):
        return EXIT_TRANSPORT
    if isinstance(exc, TypeError | ValueError | KeyError):
        return EXIT_USAGE
    return EXIT_FAILURE


@contextmanager
def reporting() -> Iterator[None]:
    """Turn exceptions into one line + hint + exit code (the trace only with ``--debug``)."""
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        err_console.print("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if _debug:
            err_console.print_exception()
        from .local_errors import describe_local

        local = None if isinstance(exc, errors.HantooError) else describe_local(exc)
        if local is not None:
            fail(local[0], hint=local[1], code=EXIT_LOCAL)
        hint = exc.hint if isinstance(exc, errors.HantooError) else ""
        message = exc.message if isinstance(exc, errors.HantooError) else str(exc)
        if isinstance(exc, KeyError) and exc.args:
            message = str(exc.args[0])
        if not _debug and not isinstance(exc, errors.HantooError | TypeError | ValueError |
                                         KeyError):
            hint = hint or "run again with --debug for the full trace"
        fail(message or type(exc).__name__, hint=hint, code=exit_code_for(exc))


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator form of :func:`reporting` for typer commands."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with reporting():
            return fn(*args, **kwargs)

    return wrapper
