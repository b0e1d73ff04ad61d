"""Where the processes sharing one app key coordinate: the host's cache directory, or Redis.

Why: KIS allows one token at a time per app key (one issuance a minute, each announced to the
account holder) and about 18 calls a second, counted per key whatever process or machine they
come from. Every process using a key must therefore agree on three things: the current token
(and WebSocket approval key), who issues the next one, and the rate-limit state. A
*coordinator* is the place they meet. It is chosen by URL, so the rules that use it — the token
manager (:mod:`hantoo._core.token_manager`) and the limiter (:mod:`hantoo._core.limiter`) — are
written once:

* ``HANTOO_COORDINATOR`` unset, empty or ``file:`` / ``file:///some/dir``: the host's cache
  directory (:class:`FileCoordinator`; tokens in 0600 files, the issuance lock an ``flock``, the
  shared limiter a small JSON file). Processes of one host only.
* ``redis://[:password@]host:port/db`` or ``rediss://…`` (TLS): one Redis server shared by
  every host (:class:`hantoo._core.coordinator_redis.RedisCoordinator`; needs the ``redis``
  package: ``pip install 'hantoo[redis]'``).

The interface is deliberately small:

* :meth:`Coordinator.token_store` — one credential slot (access token or approval key): load,
  store, delete, and a non-blocking issuance lock. The file version is
  :class:`hantoo._core.token_cache.TokenCache` unchanged.
* :meth:`Coordinator.shared_limit` — the shared state of a rate limiter: reserve a send slot
  for the whole fleet, and record a server hint (``block_until``).

Coordinators are cached per URL and directory (:func:`get_coordinator`), so every client of a
process talks to Redis through one connection pool.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol
from urllib.parse import urlsplit

from .redact import Secret
from .token_cache import CachedToken, TokenCache, default_cache_dir

if TYPE_CHECKING:
    from .limiter import RateLimiter

__all__ = [
    "ENV_VAR",
    "Coordinator",
    "FileCoordinator",
    "SharedLimit",
    "TokenStore",
    "get_coordinator",
    "reset_coordinators",
]

#: The environment variable naming the coordinator when ``coordinator=`` is not given.
ENV_VAR: Final = "HANTOO_COORDINATOR"


class TokenStore(Protocol):
    """One shared credential (an access token or an approval key) and its issuance lock.

    ``try_acquire`` never blocks, so a sans-I/O flow polls it with ``Sleep``; the winner
    re-reads, issues, stores and releases, the others poll :meth:`load` for the result.
    """

    environment: str
    kind: str

    @property
    def location(self) -> str:
        """Where the entry lives, for messages (never its content)."""
        ...

    @property
    def lock_location(self) -> str:
        """Where the issuance lock lives, for messages."""
        ...

    @property
    def recheck_interval(self) -> float | None:
        """How often a holder re-reads the store to see others' revocations (``None``: never)."""
        ...

    def load(self) -> CachedToken | None: ...

    def store(self, token: CachedToken) -> None: ...

    def delete(self) -> None: ...

    def revoked(self, value: Secret) -> bool:
        """Whether ``value`` was revoked or rejected by another process (remote stores)."""
        ...

    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class SharedLimit(Protocol):
    """The shared state of one limiter (one environment and app key).

    Both operations take the limiter, whose profile and GCRA rule they apply
    (:func:`hantoo._core.limiter.gcra_reserve` in Python, or its Redis twin in Lua).
    """

    #: The limiter's time base: slots and waits are in this clock's seconds.
    clock: Callable[[], float]

    def reserve(self, limiter: RateLimiter, now: float | None) -> tuple[float, str, float]:
        """Commit the next slot: ``(seconds to wait, window that bound it, clock reading)``."""
        ...

    def block_until(self, limiter: RateLimiter, until: float) -> bool:
        """Record a server hint for everybody; ``False`` if the limiter should keep it locally."""
        ...


class Coordinator(Protocol):
    """A place where the processes using one app key meet. See the module docstring."""

    url: str

    def token_store(self, environment: str, kind: str, app_key: str | Secret) -> TokenStore: ...

    def shared_limit(self, environment: str, key_id: str) -> SharedLimit: ...

    @property
    def remote(self) -> bool:
        """Whether this coordinator reaches past the host (turns the shared limiter on)."""
        ...


class FileCoordinator:
    """The host's cache directory: today's files (see :mod:`hantoo._core.token_cache`)."""

    remote = False

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.directory = default_cache_dir(cache_dir)
        self.url = self.directory.as_uri() if self.directory.is_absolute() else "file:"

    def __repr__(self) -> str:
        return f"FileCoordinator({str(self.directory)!r})"

    def token_store(self, environment: str, kind: str, app_key: str | Secret) -> TokenStore:
        return TokenCache(environment, kind, app_key, self.directory)

    def shared_limit(self, environment: str, key_id: str) -> SharedLimit:
        from .limiter import FileSharedLimit

        return FileSharedLimit(self.directory, environment, key_id)


_LOCK: Final = threading.Lock()
_COORDINATORS: dict[tuple[str, str], Coordinator] = {}


def get_coordinator(
    url: str | None = None, cache_dir: str | os.PathLike[str] | None = None
) -> Coordinator:
    """The coordinator for ``url`` (else ``$HANTOO_COORDINATOR``, else the cache directory).

    Raises ``ValueError`` naming the problem for an unknown scheme, and ``ImportError`` with
    the install command when ``redis://`` is asked for without the ``redis`` package.
    """
    chosen = (url if url is not None else os.environ.get(ENV_VAR, "")).strip()
    scheme = urlsplit(chosen).scheme.lower() if chosen else ""
    if not chosen or scheme == "file":
        directory: str | os.PathLike[str] | None = cache_dir
        if scheme == "file" and urlsplit(chosen).path:
            directory = Path(urlsplit(chosen).path)
        key = ("file", str(default_cache_dir(directory)))
    elif scheme in ("redis", "rediss", "unix"):
        key = ("redis", chosen)
    else:
        raise ValueError(
            f"unknown coordinator {_safe_url(chosen)!r}: use redis://host:port/db (or "
            f"rediss:// for TLS) to share one app key across hosts, or leave {ENV_VAR} unset "
            "for the host's cache directory"
        )
    with _LOCK:
        found = _COORDINATORS.get(key)
        if found is None:
            if key[0] == "file":
                found = FileCoordinator(key[1])
            else:
                from .coordinator_redis import RedisCoordinator

                found = RedisCoordinator(chosen)
            _COORDINATORS[key] = found
        return found


def reset_coordinators() -> None:
    """Forget every cached coordinator (for tests)."""
    with _LOCK:
        for c in _COORDINATORS.values():
            close = getattr(c, "close", None)
            if close is not None:
                close()
        _COORDINATORS.clear()


def _safe_url(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return parts._replace(netloc=f"{user}{host}{port}").geturl()
