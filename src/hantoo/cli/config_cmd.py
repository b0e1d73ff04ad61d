"""``hantoo config init | show``: the profile file, written safely.

Why it is careful: the file holds the app secret. It is created with mode 0600 from the first
byte (``os.open`` with the mode, then an atomic rename — never a world-readable moment), the
secret is typed without echo and never printed back, and an existing profile is only replaced
with ``--force``. Other profiles in the same file are kept.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..config import ENVIRONMENTS, config_path, parse_account
from ..errors import ConfigurationError
from .output import EXIT_CONFIG, EXIT_USAGE, command, console, err_console, fail, print_json
from .safety import interactive

app = typer.Typer(help="The profile file (credentials for paper and real).",
                  no_args_is_help=True)

SECRET_KEYS = ("app_secret",)


def _quote(value: str) -> str:
    """A TOML basic string."""
    out = ['"']
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _key(name: str) -> str:
    bare = name and all(ch.isalnum() or ch in "-_" for ch in name)
    return name if bare else _quote(name)


def dump_profiles(profiles: dict[str, dict[str, Any]]) -> str:
    """Profiles (tables of scalars) as TOML; what :func:`hantoo.config.read_profile` reads."""
    lines = ["# hantoo profiles — written by `hantoo config init`; keep this file private (0600)"]
    for name, section in profiles.items():
        lines.append("")
        lines.append(f"[{_key(name)}]")
        for key, value in section.items():
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, int | float):
                text = str(value)
            else:
                text = _quote(str(value))
            lines.append(f"{_key(key)} = {text}")
    return "\n".join(lines) + "\n"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600, atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_all(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read profile file {path}: {exc}",
                                 hint="fix or remove the file, then run again") from None
    return {k: v for k, v in data.items() if isinstance(v, dict)}


NO_TERMINAL_HINT = ("without a terminal pass --env, --app-key and --account, and the secret "
                    "as the first line of stdin with --app-secret-stdin (or in "
                    "HANTOO_APP_SECRET); HANTOO_APP_KEY / HANTOO_ACCOUNT / HANTOO_HTS_ID work too")


def _read_line(prompt: str, what: str, default: str | None) -> str:
    """One answer from a stdin that is not a terminal (a pipe, a file, nothing).

    Why not ``typer.prompt``: without a terminal it warns that a password may be echoed and
    ends in a bare "Abort" at end of input. A pipe echoes nothing, so a plain line is enough;
    at end of input the default is taken, or the command refuses and says which options to pass.
    """
    err_console.print(f"{prompt}: ", end="", highlight=False, markup=False)
    line = sys.stdin.readline()
    err_console.print(highlight=False)
    if not line:
        if default is not None:
            return default
        fail(f"config init needs the {what}, but there is no terminal to ask and stdin has no "
             "answer", hint=NO_TERMINAL_HINT, code=EXIT_USAGE)
    return line.rstrip("\r\n").strip()


def _ask(value: str | None, prompt: str, *, what: str, var: str | None = None,
         hide: bool = False, default: str | None = None) -> str:
    """An answer from the option, else ``$var``, else the terminal, else a line of stdin."""
    if value:
        return value
    if var and os.environ.get(var):
        err_console.print(f"{what}: from {var}", highlight=False, markup=False)
        return os.environ[var].strip()
    if not interactive():
        return _read_line(prompt, what, default)
    answer: str = typer.prompt(prompt, hide_input=hide, default=default, err=True,
                               show_default=default is not None)
    return answer.strip()


def _stdin_secret() -> str:
    """The secret from the first line of stdin (``--app-secret-stdin``)."""
    line = sys.stdin.readline().rstrip("\r\n").strip()
    if not line:
        fail("--app-secret-stdin: stdin has no line with the app secret",
             hint="e.g. `pass show kis/secret | hantoo config init --app-secret-stdin ...`",
             code=EXIT_USAGE)
    return line


@app.command("init")
@command
def init(
    environment: Annotated[str | None, typer.Option("--env", help="paper | real")] = None,
    app_key: Annotated[str | None, typer.Option("--app-key", help="the 36-character app key")]
    = None,
    account: Annotated[str | None, typer.Option("--account", help="12345678-01")] = None,
    hts_id: Annotated[str | None, typer.Option("--hts-id", help="HTS ID (for fill notices)")]
    = None,
    profile: Annotated[str, typer.Option("--profile", help="section name")] = "default",
    force: Annotated[bool, typer.Option("--force", help="replace an existing profile")] = False,
    secret_stdin: Annotated[bool, typer.Option(
        "--app-secret-stdin", help="read the app secret from the first line of stdin "
        "(for scripts; HANTOO_APP_SECRET works too)")] = False,
) -> None:
    """Write the profile file (mode 0600). The app secret is asked without echo — there is
    deliberately no option that takes it as a value, so it never lands in your shell history;
    scripts pass it on stdin (--app-secret-stdin) or in HANTOO_APP_SECRET."""
    path = config_path()
    profiles = read_all(path)
    if profile in profiles and not force:
        fail(f"{path} already has a [{profile}] profile",
             hint="pass --force to replace it, or --profile NAME for another one",
             code=EXIT_CONFIG)
    secret = _stdin_secret() if secret_stdin else None
    env = _ask(environment, "environment (paper or real)", what="environment",
               default="paper").lower()
    if env not in ENVIRONMENTS or env == "sim":
        raise ValueError(f"environment must be paper or real, not {env!r} "
                         "(sim needs no profile)")
    key = _ask(app_key, "app key", what="app key", var="HANTOO_APP_KEY")
    secret = _ask(secret, "app secret (hidden)", what="app secret", var="HANTOO_APP_SECRET",
                  hide=True)
    if not key or not secret:
        fail("an app key and an app secret are both needed", code=EXIT_CONFIG)
    acct = _ask(account, "account (12345678-01)", what="account", var="HANTOO_ACCOUNT")
    parse_account(acct)  # a clear error now rather than at the first call
    hts = _ask(hts_id, "HTS ID (for realtime fill notices; empty to skip)", what="HTS ID",
               var="HANTOO_HTS_ID", default="")
    section: dict[str, Any] = {"environment": env, "app_key": key, "app_secret": secret,
                               "account": acct}
    if hts:
        section["hts_id"] = hts
    profiles[profile] = section
    write_private(path, dump_profiles(profiles))
    console.print(f"wrote [{profile}] to {path} (mode 0600)", markup=False, highlight=False,
                  soft_wrap=True)  # a path cut across lines cannot be copied
    console.print("next: [bold]hantoo auth status[/] · [bold]hantoo demo --env "
                  f"{env}[/] (read-only)")


def masked(section: dict[str, Any]) -> dict[str, str]:
    """A profile for display: the secret replaced, the key and account shortened."""
    out: dict[str, str] = {}
    for key, value in section.items():
        text = str(value)
        if key in SECRET_KEYS:
            text = "*** (set)" if text else "(empty)"
        elif key == "app_key":
            text = text[:4] + "…" + f" ({len(text)} characters)"
        elif key == "account":
            text = text[:2] + "******" + text[-3:] if len(text) > 5 else "***"
        out[key] = text
    return out


@app.command("show")
@command
def show(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Where the profile file is and what it sets (secrets masked)."""
    path = config_path()
    profiles = {name: masked(section) for name, section in read_all(path).items()}
    if as_json:
        print_json({"path": str(path), "exists": path.exists(), "profiles": profiles})
        return
    if not profiles:
        console.print(f"no profile file at {path} — [bold]hantoo config init[/] writes one")
        return
    for name, section in profiles.items():
        table = Table(title=escape(f"[{name}] in {path}"), show_header=False)
        for key, value in section.items():
            table.add_row(key, value)
        console.print(table)
