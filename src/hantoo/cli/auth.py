"""``hantoo auth status | revoke``: the cached token, without ever showing it.

Why a status command: KIS issues one token per minute per key and notifies the account holder
at each issuance, so "is there a cached token, and until when" is the question people ask before
starting a script. The answer reads the cache file only; it sends nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table

from .._core.coordinator import TokenStore
from .._core.redact import Secret
from ..config import REST_URLS
from ..domain.kst import KST
from .common import BaseUrlOption, EnvOption, open_client
from .output import command, console, print_json

app = typer.Typer(help="The access token: status (never the token itself) and revocation.",
                  no_args_is_help=True)


def _when(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, KST).strftime("%Y-%m-%d %H:%M:%S KST")


def _entry(cache: TokenStore, now: float) -> dict[str, Any]:
    tok = cache.load()
    if tok is None:
        return {"cached": False}
    return {
        "cached": True,
        "valid": tok.is_valid(now),
        "issued_at": _when(tok.issued_at),
        "expires_at": _when(tok.expires_at),
        "expires_in_s": max(int(tok.expires_at - now), 0),
    }


@app.command("status")
@command
def status(
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Environment, server, key fingerprint, and the cached token's expiry. Sends nothing."""
    import time

    with open_client(env, base_url) as client:
        s = client.settings
        cache = client.tokens.cache
        now = time.time()
        approval = client.tokens.approval_cache
        info: dict[str, Any] = {
            "environment": s.environment,
            "server": s.base_url if s.base_url != REST_URLS["sim"]
            else "embedded simulator (in-process)",
            "app_key_fingerprint": Secret(s.app_key).fingerprint(),
            "account_set": s.account is not None,
            "hts_id_set": bool(s.hts_id),
            "cache_file": cache.location,
            "access_token": _entry(cache, now),
            "approval_key": _entry(approval, now),
        }
    if as_json:
        print_json(info)
        return
    table = Table(title="hantoo auth status", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    for key in ("environment", "server", "app_key_fingerprint", "account_set", "hts_id_set",
                "cache_file"):
        table.add_row(key.replace("_", " "), str(info[key]))
    for kind in ("access_token", "approval_key"):
        e = info[kind]
        if not e["cached"]:
            text = "none cached (the next call issues one)"
        else:
            state = "valid" if e["valid"] else "[red]expired[/]"
            text = f"{state}, issued {e['issued_at']}, expires {e['expires_at']}"
        table.add_row(kind.replace("_", " "), text)
    console.print(table)


@app.command("revoke")
@command
def revoke(env: EnvOption = None, base_url: BaseUrlOption = None) -> None:
    """Revoke the cached access token at the server and delete it locally."""
    with open_client(env, base_url) as client:
        done = client.revoke()
    console.print("token revoked and removed from the cache" if done
                  else "no cached token: nothing to revoke")
