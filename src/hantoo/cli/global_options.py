"""Global options that work before the subcommand as well as after it.

Why: ``hantoo --env paper quote 005930`` is how people type it, and ``hantoo quote 005930 --env
paper`` is how the commands declare it. Rather than a second copy of ``--env`` / ``--base-url``
on every command, the root callback takes them too and hands them down through click's
``default_map``: every subcommand (at any depth) that has a parameter of that name gets the
value as its default, so an option written after the subcommand still wins.

``--debug`` and ``--version`` are flags of the root alone; :class:`GlobalFirstGroup` moves them
to the front wherever they are written (``hantoo quote 005930 --debug``), up to a ``--``.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

#: Flags of the root command that may be written anywhere on the line.
ROOT_FLAGS = ("--debug", "--version")


class GlobalFirstGroup(TyperGroup):
    """The root group: moves :data:`ROOT_FLAGS` found after the subcommand to the front."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args:
            end = args.index("--") if "--" in args else len(args)
            flags = [a for a in args[:end] if a in ROOT_FLAGS]
            if flags:
                rest = [a for a in args[:end] if a not in ROOT_FLAGS]
                args = flags + rest + args[end:]
        return super().parse_args(ctx, args)


def defaults_for(command: Any, values: dict[str, Any]) -> dict[str, Any]:
    """A ``default_map`` giving ``values`` to every (sub)command that has those parameters.

    Duck-typed (a group is what has ``commands``): typer ships its own copy of click.
    """
    out: dict[str, Any] = {}
    subcommands: dict[str, Any] | None = getattr(command, "commands", None)
    if subcommands is not None:
        for name, sub in subcommands.items():
            nested = defaults_for(sub, values)
            if nested:
                out[name] = nested
        return out
    names = {p.name for p in command.params}
    return {k: v for k, v in values.items() if k in names}


def hand_down(ctx: Any, values: dict[str, Any]) -> None:
    """Make ``values`` (unset ones left out) the defaults of every subcommand below ``ctx``."""
    given = {k: v for k, v in values.items() if v is not None}
    if given:
        ctx.default_map = {**(ctx.default_map or {}), **defaults_for(ctx.command, given)}
