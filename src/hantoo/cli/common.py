"""What the data commands share: the environment options, opening a client, formatting.

Why one module: every command that talks to a server takes the same ``--env`` / ``--base-url``
options and must say the same thing about them (the embedded simulator forgets everything when
the command ends), and every table prints money the same way (``Decimal`` as written, with
thousands separators — never through a float).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from ..client import Client

SIM_NOTE = (
    "With --env sim (the default) each command starts its own in-process simulator, so orders "
    "and balances do not carry over to the next command; run `hantoo sim serve` and pass its "
    "URL with --base-url to keep state between commands."
)

EnvOption = Annotated[
    str | None,
    typer.Option("--env", help="sim | paper | real (default: HANTOO_ENV, the profile, or sim)"),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option("--base-url", help="another server, e.g. the URL `hantoo sim serve` prints"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON (Decimals as strings)")]
ExchangeOption = Annotated[
    str | None,
    typer.Option("--exchange", help="overseas exchange (NASD, NYSE, AMEX, ...); or NASD:AAPL"),
]


def open_client(env: str | None, base_url: str | None, **kwargs: Any) -> Client:
    """A :class:`hantoo.Client` for the command's options (configuration precedence applies).

    Nothing is sent here: a missing app key fails with a :class:`ConfigurationError` (exit 3)
    before any network traffic.
    """
    from ..client import Client

    return Client(env, base_url=base_url, **kwargs)


def plain(value: Any) -> dict[str, Any]:
    """A domain object as a dict of its shown fields (``raw`` wire rows left out)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: getattr(value, f.name)
            for f in dataclasses.fields(value)
            if f.name != "raw" and f.repr
        }
    raise TypeError(f"cannot show {type(value).__name__}")


def money(value: Decimal | int | None) -> str:
    """``71,000`` / ``187.25`` / ``-``: exact, with thousands separators."""
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):,}"
    return f"{value:,f}"


def signed(value: Decimal | None, suffix: str = "") -> str:
    """``+1,200`` / ``-0.85%`` with a colour for rich (red up, blue down, as in Korea)."""
    if value is None:
        return "-"
    text = money(value) + suffix
    if value > 0:
        return f"[red]+{text}[/]"
    if value < 0:
        return f"[blue]{text}[/]"
    return text


def qty(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def parse_day(text: str, option: str) -> dt.date:
    """``2026-11-02`` or ``20261102``; a usage error (exit 2) naming the option otherwise."""
    try:
        if "-" in text:
            return dt.date.fromisoformat(text)
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def parse_decimal(text: str, option: str) -> Decimal:
    """A price as typed, kept exact (never through ``float``)."""
    try:
        value = Decimal(text.replace(",", ""))
    except ArithmeticError:
        raise ValueError(f"{option} {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{option} {text!r} is not a number")
    return value
