"""On-disk cache of access tokens and WebSocket approval keys, plus the issuance lock.

Why: KIS issues at most one token per minute per app key, returns the same token for six hours,
and notifies the account holder (KakaoTalk) at every issuance. Tokens must therefore outlive the
process that obtained them and be shared by every process of the user.

Where
-----
The directory is, in order of precedence: the ``cache_dir`` argument, the ``HANTOO_CACHE_DIR``
environment variable, or ``platformdirs.user_cache_dir("hantoo")`` (e.g.
``~/.cache/hantoo`` on Linux, ``~/Library/Caches/hantoo`` on macOS,
``%LOCALAPPDATA%\\hantoo\\Cache`` on Windows). hantoo writes nowhere else.

What
----
One JSON file per (environment, kind, app key): ``<environment>-<kind>-<hash>.json`` where
``<hash>`` is a SHA-256 prefix of the app key - the key itself never appears in a file name.
An entry holds the token, its type, ``expires_at`` and ``issued_at`` (UTC Unix seconds, with an
ISO-8601 copy of the expiry for humans). Files are created with mode 0600 inside a directory
created with mode 0700, and written atomically: a temporary file in the same directory (created
0600 by :func:`tempfile.mkstemp`), ``fsync``, then :func:`os.replace` - a reader sees the old
entry or the new one, never half of one. A missing, unreadable or malformed file reads as "no
entry" (a warning is logged, naming the file but never its content).

Issuance lock
-------------
A sibling ``.lock`` file guarded by :class:`filelock.FileLock` (``flock`` on POSIX, released by
the kernel if its holder dies, so it can never go stale). :meth:`TokenCache.try_acquire` never
blocks, so a sans-I/O flow can poll it with ``Sleep``: the process that wins re-reads the cache,
issues, stores and releases; the others poll the cache file until the entry appears.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import filelock
import platformdirs

from .redact import Secret, get_logger

__all__ = [
    "ACCESS_TOKEN",
    "APPROVAL_KEY",
    "CachedToken",
    "TokenCache",
    "default_cache_dir",
]

_log = get_logger("token_cache")

ACCESS_TOKEN: Final = "access_token"
APPROVAL_KEY: Final = "approval_key"
_FORMAT_VERSION: Final = 1


def default_cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The cache directory: ``override``, else ``$HANTOO_CACHE_DIR``, else the platform's."""
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get("HANTOO_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir("hantoo", appauthor=False))


@dataclass(frozen=True, slots=True)
class CachedToken:
    """One credential with its lifetime. ``value`` is masked in every repr."""

    value: Secret
    token_type: str
    expires_at: float  # UTC Unix seconds
    issued_at: float  # UTC Unix seconds

    def is_valid(self, now: float, margin: float = 0.0) -> bool:
        """Usable at ``now`` (Unix seconds) for at least ``margin`` more seconds."""
        return bool(self.value) and now + margin < self.expires_at

    def to_json(self, environment: str, kind: str) -> dict[str, Any]:
        return {
            "version": _FORMAT_VERSION,
            "environment": environment,
            "kind": kind,
            "token": self.value.get_secret_value(),
            "token_type": self.token_type,
            "expires_at": self.expires_at,
            "expires_at_iso": datetime.fromtimestamp(self.expires_at, UTC).isoformat(),
            "issued_at": self.issued_at,
        }

    @classmethod
    def from_json(cls, data: Any, environment: str, kind: str) -> CachedToken:
        """Parse a cache entry; raises ``ValueError`` (without the token) when malformed."""
        if not isinstance(data, dict):
            raise ValueError("entry is not an object")
        if data.get("environment") != environment or data.get("kind") != kind:
            raise ValueError("entry belongs to another environment or kind")
        token = data.get("token")
        if not isinstance(token, str) or not token:
            raise ValueError("entry has no token")
        token_type = data.get("token_type", "Bearer")
        if not isinstance(token_type, str):
            raise ValueError("token_type is not a string")
        expires_at = _epoch(data.get("expires_at"))
        issued_at = _epoch(data.get("issued_at", 0.0))
        return cls(Secret(token), token_type, expires_at, issued_at)


def _epoch(value: Any) -> float:
    """Accept Unix seconds or an ISO-8601 string (naive means UTC)."""
    if isinstance(value, bool):
        raise ValueError("timestamp is a boolean")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        number = parsed.timestamp()
    else:
        raise ValueError("timestamp missing")
    if not math.isfinite(number):
        raise ValueError("timestamp not finite")
    return number


def _key_hash(app_key: str) -> str:
    return hashlib.sha256(b"hantoo-appkey:" + app_key.encode()).hexdigest()[:16]


class TokenCache:
    """The cache entry and issuance lock for one (environment, kind, app key).

    Thread-safe. :meth:`try_acquire` is exclusive across threads, tasks and processes.
    """

    def __init__(
        self,
        environment: str,
        kind: str,
        app_key: str | Secret,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        if not environment.isidentifier() or not kind.isidentifier():
            raise ValueError("environment and kind must be simple names")
        raw_key = app_key.get_secret_value() if isinstance(app_key, Secret) else app_key
        self.environment = environment
        self.kind = kind
        self.directory = default_cache_dir(cache_dir)
        stem = f"{environment}-{kind}-{_key_hash(raw_key)}"
        self.path = self.directory / f"{stem}.json"
        self.lock_path = self.directory / f"{stem}.lock"
        # 0600 like the cache itself: nothing secret inside, but no file here is public.
        self._flock = filelock.FileLock(str(self.lock_path), thread_local=False, mode=0o600)
        self._thread_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenCache(path={str(self.path)!r})"

    # -- what the coordinator interface (hantoo._core.coordinator.TokenStore) adds -----------

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def lock_location(self) -> str:
        return str(self.lock_path)

    #: Files are not re-read behind a token in memory (a rejected token is reloaded instead).
    recheck_interval: float | None = None

    def revoked(self, value: Secret) -> bool:
        """Files keep no revocation marks: a revoked token is refused by the server, dropped
        (:meth:`TokenManager.invalidate`) and reloaded from the file."""
        return False

    # -- entries ----------------------------------------------------------------------------------

    def ensure_directory(self) -> None:
        """Create the directory with mode 0700 if it does not exist."""
        if not self.directory.is_dir():
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                os.chmod(self.directory, 0o700)

    def load(self) -> CachedToken | None:
        """The stored entry, or ``None`` if absent, unreadable or malformed (never raises)."""
        try:
            with open(self.path, encoding="utf-8") as fh:
                mode = os.fstat(fh.fileno()).st_mode
                text = fh.read()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            _log.warning(
                "token cache %s unreadable (%s); ignoring it", self.path, type(exc).__name__
            )
            return None
        if os.name == "posix" and mode & 0o077:
            _log.warning("token cache %s is readable by other users; tightening to 0600", self.path)
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o600)
        try:
            return CachedToken.from_json(json.loads(text), self.environment, self.kind)
        except json.JSONDecodeError:
            _log.warning("token cache %s is corrupt (not valid JSON); ignoring it", self.path)
            return None
        except (ValueError, TypeError) as exc:
            # Never echo the content: it may hold a token. These messages are our own.
            reason = str(exc) if isinstance(exc, ValueError) else "malformed entry"
            _log.warning("token cache %s is corrupt (%s); ignoring it", self.path, reason)
            return None

    def store(self, token: CachedToken) -> None:
        """Write the entry atomically with mode 0600."""
        self.ensure_directory()
        data = json.dumps(token.to_json(self.environment, self.kind)).encode()
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{self.path.stem}.", suffix=".tmp")
        try:
            with contextlib.suppress(AttributeError, OSError):  # no fchmod on Windows
                os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        os.close(fd)
        try:
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._fsync_directory()

    def _fsync_directory(self) -> None:
        if os.name != "posix":  # pragma: no cover
            return
        try:
            dfd = os.open(self.directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dfd)
        except OSError:
            pass
        finally:
            os.close(dfd)

    def delete(self) -> None:
        """Remove the entry (missing is fine)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    # -- issuance lock ----------------------------------------------------------------------------

    def try_acquire(self) -> bool:
        """Take the issuance lock without waiting; ``True`` if this caller now holds it.

        Exclusive among the threads and tasks of this process (a plain ``threading.Lock``, which
        any thread may release) and among processes (the file lock).
        """
        if not self._thread_lock.acquire(blocking=False):
            return False
        try:
            self.ensure_directory()
            self._flock.acquire(timeout=0, blocking=False)
        except filelock.Timeout:
            self._thread_lock.release()
            return False
        except BaseException:
            self._thread_lock.release()
            raise
        return True

    def release(self) -> None:
        """Give the issuance lock back (only after a successful :meth:`try_acquire`)."""
        try:
            self._flock.release()
        finally:
            self._thread_lock.release()

    @property
    def held(self) -> bool:
        """Whether this object currently holds the issuance lock."""
        return self._flock.is_locked
