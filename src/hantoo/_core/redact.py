"""Keeping secrets out of reprs, logs and exception text.

Why this exists: an app secret, an access token or an approval key that reaches a log file is a
credential leak, and an account number is personal data. hantoo therefore

* wraps every credential in :class:`Secret`, whose ``repr``/``str`` are masked and whose value is
  only reachable through the explicit :meth:`Secret.get_secret_value` (so an f-string or a
  ``%r`` cannot leak it by accident);
* keeps a process-wide registry of secret values (:func:`register_secret`,
  :func:`register_account`); a ``Secret`` registers itself when created;
* installs :class:`RedactingFilter` on its own loggers (:func:`get_logger`), which replaces any
  registered value - and a few well-known shapes such as ``Bearer <token>``, ``"appsecret": ...``
  and ``12345678-01`` account numbers - with ``***`` in the message, its arguments, ``extra``
  fields and the formatted traceback.

Structured logging stays standard :mod:`logging`: loggers are named ``hantoo.<part>`` and the
fields ``tr_id``, ``elapsed`` and ``attempt`` travel in ``extra`` (see :func:`log_extra`), so any
formatter or JSON handler can pick them up.

Nothing here does I/O; the registry is in memory only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
from typing import Any, Final

__all__ = [
    "MASK",
    "RedactingFilter",
    "Secret",
    "clear_registry",
    "get_logger",
    "install_library_redaction",
    "log_extra",
    "redact",
    "register_account",
    "register_secret",
]

MASK: Final = "***"

# Values shorter than this are not registered: redacting "1" or "ab" everywhere would make logs
# unreadable and protects nothing (real secrets are 36-300 characters long).
_MIN_SECRET_LEN: Final = 6

# Shapes that are redacted even when the value was never registered (defence in depth).
_STATIC_PATTERNS: Final[tuple[re.Pattern[str], ...]] = (
    # authorization: Bearer eyJ...
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/=]{8,}"),
    # "appsecret": "...", appsecret=..., 'secretkey': '...', "access_token": "..."
    re.compile(
        r"(?i)((?:app_?secret|secret_?key|access_token|approval_key|app_?key|authorization|"
        r"hashkey)[\"']?\s*[:=]\s*[\"']?)([^\"'\s,}&]{6,})"
    ),
    # account number with product code: 12345678-01
    re.compile(r"(?<!\d)(\d{8}-\d{2})(?!\d)"),
    # the 8-digit account (CANO) as a query parameter or a JSON/dict field: CANO=12345678
    re.compile(r"(?i)(\bCANO[\"']?\s*[:=]\s*[\"']?)(\d{8})(?!\d)"),
)


class _Registry:
    """The set of values to redact, with a lazily rebuilt alternation regex (longest first)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: str) -> None:
        if len(value) < _MIN_SECRET_LEN:
            return
        with self._lock:
            if value not in self._values:
                self._values.add(value)
                self._pattern = None

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._pattern = None

    def pattern(self) -> re.Pattern[str] | None:
        pat = self._pattern
        if pat is not None or not self._values:
            return pat
        with self._lock:
            if self._pattern is None and self._values:
                ordered = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
            return self._pattern


_REGISTRY: Final = _Registry()


def register_secret(value: str | Secret) -> None:
    """Add ``value`` to the process-wide set of strings that are masked in logs."""
    raw = value.get_secret_value() if isinstance(value, Secret) else value
    _REGISTRY.add(raw)


def register_account(account: str) -> None:
    """Register an account number in all the spellings KIS uses.

    ``"12345678-01"`` registers ``12345678-01``, ``1234567801`` and the 8-digit ``CANO`` part
    ``12345678`` (sent alone as ``CANO`` with ``ACNT_PRDT_CD`` = ``01``).
    """
    acct = account.strip()
    register_secret(acct)
    digits = acct.replace("-", "")
    register_secret(digits)
    if len(digits) >= 8:
        register_secret(digits[:8])


def clear_registry() -> None:
    """Forget every registered value (for tests)."""
    _REGISTRY.clear()


def redact(text: str) -> str:
    """Return ``text`` with every registered secret and well-known secret shape replaced."""
    pat = _REGISTRY.pattern()
    if pat is not None:
        text = pat.sub(MASK, text)
    bearer, keyed, account, cano = _STATIC_PATTERNS
    text = bearer.sub(lambda m: m.group(1) + MASK, text)
    text = keyed.sub(lambda m: m.group(1) + MASK, text)
    text = cano.sub(lambda m: m.group(1) + MASK, text)
    return account.sub(MASK, text)


class Secret:
    """A credential whose value never shows up in ``repr``, ``str`` or f-strings.

    The value is reached only through :meth:`get_secret_value`, which makes every place that
    handles the raw credential easy to find. Creating a ``Secret`` registers its value for log
    redaction (pass ``register=False`` for throwaway values in tests).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str, *, register: bool = True) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value
        if register:
            _REGISTRY.add(value)

    def get_secret_value(self) -> str:
        """The raw value. Use only where it must go on the wire or to the token cache."""
        return self._value

    def fingerprint(self) -> str:
        """A short, stable, non-reversible tag (first 8 hex digits of SHA-256), for diagnostics."""
        return hashlib.sha256(self._value.encode()).hexdigest()[:8]

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return hmac.compare_digest(self._value.encode(), other._value.encode())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("hantoo.Secret", self._value))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickling (e.g. to a spawned process) keeps the value; registration happens on load.
        return (Secret, (self._value,))


# Attributes every LogRecord has; anything else came from ``extra`` and is redacted too.
_RECORD_ATTRS: Final = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys() | {"message", "asctime"}
)


class RedactingFilter(logging.Filter):
    """A :class:`logging.Filter` that masks secrets in a record before any handler sees it.

    The message is formatted once (``msg % args``), redacted, and stored back with ``args``
    cleared; string ``extra`` fields and the exception text are redacted as well. The filter
    never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template, redacted
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _RECORD_ATTRS and isinstance(value, str):
                setattr(record, key, redact(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER: Final = RedactingFilter()


def get_logger(part: str) -> logging.Logger:
    """The logger ``hantoo.<part>`` with :class:`RedactingFilter` attached (idempotent).

    A filter on a logger only sees records logged on that very logger, so every hantoo module
    gets its logger from here rather than from ``logging.getLogger`` directly.
    """
    name = part if part == "hantoo" or part.startswith("hantoo.") else f"hantoo.{part}"
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


def log_extra(
    *,
    tr_id: str | None = None,
    elapsed: float | None = None,
    attempt: int | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """The ``extra`` mapping for a structured log line; ``None`` values are left out."""
    out: dict[str, Any] = {}
    if tr_id is not None:
        out["tr_id"] = tr_id
    if elapsed is not None:
        out["elapsed"] = round(elapsed, 6)
    if attempt is not None:
        out["attempt"] = attempt
    for key, value in fields.items():
        if key in _RECORD_ATTRS:
            raise ValueError(f"extra field {key!r} would overwrite a LogRecord attribute")
        if value is not None:
            out[key] = value
    return out


# Loggers of the libraries hantoo drives, which log what they send: httpx's request line carries
# the query string (``CANO=<account>``), httpcore and websockets at DEBUG log headers and frames
# (tokens, approval keys), uvicorn's access log (the simulator's socket server) logs the path.
# A logger filter only sees records logged on that very logger, so every name is listed.
_LIBRARY_LOGGERS: Final = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "websockets.client",
    "websockets.server",
    "websockets.protocol",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "uvicorn.asgi",
    "hantoo",
    "hantoo.sim",
    "hantoo.sim.app",
    "hantoo.sim.ws",
    "hantoo.sim.notices",
    "hantoo.sim.handlers",
)
# Any logger already created under these prefixes gets the filter as well.
_LIBRARY_PREFIXES: Final = ("httpx.", "httpcore.", "websockets.", "uvicorn.", "hantoo.")


def install_library_redaction() -> None:
    """Attach :class:`RedactingFilter` to the loggers of httpx, httpcore, websockets, uvicorn
    and hantoo itself (idempotent; called whenever a client or stream is created).

    Why a filter on those loggers and not on a handler: the handlers belong to the application
    (and its logging configuration); levels, handlers and propagation are left untouched, only
    the records these libraries emit are masked before any handler sees them.
    """
    names = set(_LIBRARY_LOGGERS)
    names.update(
        name for name in list(logging.root.manager.loggerDict)
        if name.startswith(_LIBRARY_PREFIXES)
    )
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
