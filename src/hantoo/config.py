"""Settings: where credentials and the environment come from.

Precedence, highest first — the first place that sets a value wins, per value:

1. arguments passed to ``Client(...)`` / ``AsyncClient(...)`` (or CLI options);
2. environment variables ``HANTOO_APP_KEY``, ``HANTOO_APP_SECRET``, ``HANTOO_ACCOUNT``
   (``12345678-01``), ``HANTOO_HTS_ID``, ``HANTOO_ENV`` (``sim`` | ``paper`` | ``real``),
   ``HANTOO_BASE_URL``, ``HANTOO_WS_URL``;
3. the profile file: ``$HANTOO_CONFIG`` or ``<user config dir>/hantoo/profile.toml`` (on Linux
   ``~/.config/hantoo/profile.toml``), section ``[<profile>]`` where the profile is the
   ``profile`` argument, ``$HANTOO_PROFILE`` or ``default``; written by ``hantoo config init``
   with mode 0600;
4. defaults: environment ``sim`` and, for ``sim`` only, the simulator's demo credentials.

Secrets are held as :class:`hantoo._core.redact.Secret`, whose ``repr`` and ``str`` are masked.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import platformdirs

from ._core.redact import Secret
from .errors import ConfigurationError

Environment = Literal["real", "paper", "sim"]
ENVIRONMENTS: tuple[Environment, ...] = ("real", "paper", "sim")

REST_URLS: dict[str, str] = {
    "real": "https://openapi.koreainvestment.com:9443",
    "paper": "https://openapivts.koreainvestment.com:29443",
    # In-process: requests go to the embedded simulator over ASGI, no socket is opened.
    "sim": "http://sim.hantoo.invalid",
}
WS_URLS: dict[str, str] = {
    "real": "ws://ops.koreainvestment.com:21000",
    "paper": "ws://ops.koreainvestment.com:31000",
    "sim": "ws://sim.hantoo.invalid",
}

# The simulator's demo credentials (not secrets: they only open the local simulator). Real
# lengths (36 and 180 characters) so that any KIS client accepts them.
SIM_APP_KEY = "PSHANTOOSIMULATOR0000DEMO0APPKEY0001"
SIM_APP_SECRET = ("hantoo-simulator-demo-secret-" * 7)[:180]
SIM_ACCOUNT = "50000000-01"
SIM_HTS_ID = "hantoo"

_ACCOUNT_RE = re.compile(r"^(\d{8})-?(\d{2})$")


def parse_account(text: str) -> tuple[str, str]:
    """``"12345678-01"`` → ``("12345678", "01")``; a clear error for anything else."""
    m = _ACCOUNT_RE.match(text.strip())
    if not m:
        raise ConfigurationError(
            "account must look like 12345678-01 (8-digit CANO, 2-digit product code)",
            hint="set HANTOO_ACCOUNT=12345678-01 or pass account='12345678-01'",
        )
    return m.group(1), m.group(2)


def config_path() -> Path:
    override = os.environ.get("HANTOO_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("hantoo")) / "profile.toml"


def read_profile(name: str | None = None, path: Path | None = None) -> dict[str, Any]:
    """The named profile's settings, or ``{}`` when there is no profile file."""
    path = path or config_path()
    profile = name or os.environ.get("HANTOO_PROFILE") or "default"
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read profile file {path}: {exc}") from None
    section = data.get(profile, {})
    if not isinstance(section, dict):
        raise ConfigurationError(f"profile [{profile}] in {path} is not a table")
    return section


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one client. Secrets are masked in ``repr``.

    ``app_secret`` is a :class:`~hantoo._core.redact.Secret` (its value only through
    ``get_secret_value()``), so printing or logging the settings, or an object holding them,
    can never show it.
    """

    environment: Environment
    app_key: str = field(repr=False)
    app_secret: Secret = field(repr=False)
    account: tuple[str, str] | None = field(default=None, repr=False)
    hts_id: str | None = None
    base_url: str = ""
    ws_url: str = ""
    custtype: str = "P"

    @property
    def cano(self) -> str | None:
        return self.account[0] if self.account else None

    @property
    def product_code(self) -> str | None:
        return self.account[1] if self.account else None

    def __repr__(self) -> str:
        return (
            f"Settings(environment={self.environment!r}, app_key='***', app_secret='***', "
            f"account={'***' if self.account else None}, base_url={self.base_url!r})"
        )


def resolve(
    *,
    environment: str | None = None,
    app_key: str | None = None,
    app_secret: str | None = None,
    account: str | None = None,
    hts_id: str | None = None,
    base_url: str | None = None,
    ws_url: str | None = None,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings by the precedence in the module docstring."""
    environ = os.environ if env is None else env
    prof = read_profile(profile) if env is None else {}

    def pick(arg: str | None, var: str, key: str) -> str | None:
        if arg:
            return arg
        if environ.get(var):
            return environ[var]
        value = prof.get(key)
        return str(value) if value else None

    chosen = (pick(environment, "HANTOO_ENV", "environment") or "sim").lower()
    if chosen not in ENVIRONMENTS:
        raise ConfigurationError(
            f"unknown environment {chosen!r}; choose one of sim, paper, real",
            hint="--env sim (the local simulator, no keys), --env paper (KIS paper trading) or "
            "--env real; also HANTOO_ENV or the profile's `environment`",
        )
    env_name: Environment = "real" if chosen == "real" else "paper" if chosen == "paper" else "sim"
    key = pick(app_key, "HANTOO_APP_KEY", "app_key")
    secret = pick(app_secret, "HANTOO_APP_SECRET", "app_secret")
    acct = pick(account, "HANTOO_ACCOUNT", "account")
    hts = pick(hts_id, "HANTOO_HTS_ID", "hts_id")
    if env_name == "sim":
        key = key or SIM_APP_KEY
        secret = secret or SIM_APP_SECRET
        acct = acct or SIM_ACCOUNT
        hts = hts or SIM_HTS_ID
    if not key or not secret:
        raise ConfigurationError(
            f"environment {env_name!r} needs an app key and an app secret",
        )
    return Settings(
        environment=env_name,
        app_key=key,
        app_secret=Secret(secret),
        account=parse_account(acct) if acct else None,
        hts_id=hts,
        base_url=(pick(base_url, "HANTOO_BASE_URL", "base_url") or REST_URLS[env_name]).rstrip(
            "/"
        ),
        ws_url=(pick(ws_url, "HANTOO_WS_URL", "ws_url") or WS_URLS[env_name]).rstrip("/"),
    )
