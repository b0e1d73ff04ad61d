"""``hantoo gateway --coordinator redis://…``: the realtime gateway of a key pool.

Why a separate process: a KIS app key allows one WebSocket session of 41 registrations, and
every process that streams directly needs its own. The gateway holds the sessions of a pool of
keys and hands records to any number of consumers through Redis Streams; consumers are ordinary
``client.stream()`` calls with ``HANTOO_REALTIME_GATEWAY`` set (docs/gateway.md).

The pool: the configured app key (``HANTOO_APP_KEY``/``HANTOO_APP_SECRET`` or the profile)
plus every line ``APP_KEY APP_SECRET`` of ``--keys-file`` (or ``$HANTOO_GATEWAY_KEYS_FILE``),
so secrets never appear on a command line. Approval keys come from the coordinator's token store:
issued once for the fleet, whichever gateway (leader or standby) asks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import BaseUrlOption, EnvOption
from .output import command, err_console

KEYS_FILE_ENV = "HANTOO_GATEWAY_KEYS_FILE"


def read_keys_file(path: Path) -> list[tuple[str, str]]:
    """``APP_KEY APP_SECRET`` per line; blank lines and ``#`` comments skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read the keys file {str(path)!r}: {exc.strerror}") from None
    out: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValueError(f"{path.name} line {number}: expected `APP_KEY APP_SECRET` "
                             f"(two fields separated by spaces), found {len(parts)} field(s)")
        out.append((parts[0], parts[1]))
    return out


@command
def gateway(
    coordinator: Annotated[str | None, typer.Option(
        "--coordinator", help="redis://host:port/db — where consumers find the gateway "
        "(default: HANTOO_COORDINATOR)")] = None,
    pool: Annotated[str, typer.Option(
        "--pool", help="name of this key pool (consumers add ?pool=NAME to the URL)")]
    = "default",
    keys_file: Annotated[Path | None, typer.Option(
        "--keys-file", help=f"more app keys, `APP_KEY APP_SECRET` per line (or ${KEYS_FILE_ENV})"
    )] = None,
    only_file: Annotated[bool, typer.Option(
        "--only-keys-file", help="the pool is the keys file alone (not the configured key)")]
    = False,
    maxlen: Annotated[int, typer.Option(
        "--maxlen", help="entries kept per stream (MAXLEN ~): how far a consumer may lag",
        min=10)] = 10_000,
    lease: Annotated[float, typer.Option(
        "--lease", help="leader lease, seconds: a standby takes over this long after a crash",
        min=0.5)] = 5.0,
    consumer_ttl: Annotated[float, typer.Option(
        "--consumer-ttl", help="seconds without heartbeat after which a consumer's "
        "subscriptions are released", min=1.0)] = 15.0,
    duration: Annotated[float | None, typer.Option(
        "--duration", help="stop after S seconds (default: until SIGTERM/Ctrl-C)")] = None,
    env: EnvOption = None,
    base_url: BaseUrlOption = None,
    ws_url: Annotated[str | None, typer.Option("--ws-url", help="the KIS WebSocket server")]
    = None,
) -> None:
    """Run the realtime gateway of a key pool (leader or standby) until stopped."""
    from .._core.coordinator import ENV_VAR, get_coordinator
    from .._core.token_manager import TokenManager
    from ..config import REST_URLS, resolve
    from ..realtime.approval import Credentials, TokenManagerApprovalKeys
    from ..realtime.gateway import Gateway
    from ..realtime.subscriptions import LIMIT_PROFILES
    from .stream import ws_for

    url = coordinator or os.environ.get(ENV_VAR, "")
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("the gateway needs a Redis coordinator: --coordinator "
                         "redis://host:port/0 (or HANTOO_COORDINATOR)")
    s = resolve(environment=env, base_url=base_url, ws_url=ws_url)
    if s.environment == "sim" and s.base_url == REST_URLS["sim"]:
        raise ValueError("with --env sim the gateway needs a simulator server: "
                         "--base-url http://127.0.0.1:PORT (`hantoo sim serve`)")
    ws = ws_url or ws_for(s.environment, s.base_url, s.ws_url)
    pairs: list[tuple[str, str]] = [] if only_file else [
        (s.app_key, s.app_secret.get_secret_value())]
    file = keys_file or (Path(os.environ[KEYS_FILE_ENV]) if os.environ.get(KEYS_FILE_ENV)
                         else None)
    if file is not None:
        pairs += read_keys_file(file)
    pool_keys = list(dict(pairs).items())  # one entry per app key, first secret wins
    if not pool_keys:
        raise ValueError("the key pool is empty: give --keys-file or drop --only-keys-file")
    coord = get_coordinator(url)
    approval: list[Any] = []
    for key, secret in pool_keys:
        Credentials(key, secret)  # registers the secret for log redaction
        manager = TokenManager(s.environment, key, secret, coordinator=coord)
        approval.append(TokenManagerApprovalKeys(manager, s.base_url))
    sep = "&" if "?" in url else "?"
    gw = Gateway(f"{url}{sep}pool={pool}", approval, ws,
                 limits=LIMIT_PROFILES.get(s.environment), maxlen=maxlen,
                 lease_seconds=lease, consumer_ttl=consumer_ttl,
                 custtype=s.custtype)
    err_console.print(f"gateway: pool {pool!r}, {len(pool_keys)} app key(s), capacity "
                      f"{gw.capacity} registrations; waiting for the lease")
    asyncio.run(_serve(gw, duration))


async def _serve(gw: Any, duration: float | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if duration is not None:
        loop.call_later(duration, stop.set)

    async def announce() -> None:
        await gw.leading.wait()
        err_console.print(f"gateway: leading (epoch {gw.epoch})")

    told = asyncio.create_task(announce())
    try:
        await gw.run(stop)
    finally:
        told.cancel()
    st = gw.stats
    err_console.print(f"gateway: stopped; {st.records_in} records in, {st.entries_out} "
                      f"entries out, {st.reaped} consumer(s) reaped")
