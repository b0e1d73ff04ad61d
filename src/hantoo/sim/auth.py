"""App keys, access tokens, approval keys and hashkeys — with the real server's rules.

Token rules (``POST /oauth2/tokenP``), all on the **simulator clock** so tests can step through a
day in microseconds:

* A token is valid for ``token_ttl_s`` (one day). ``expires_in`` is the seconds it has left and
  ``access_token_token_expired`` its expiry instant, KST ``YYYY-MM-DD HH:MM:SS``.
* Within ``token_reuse_s`` (6 h) of its issuance, a request returns the **same** token. That is not
  an *issuance* (no new token; the real server sends no KakaoTalk notice for it), so it does not
  raise the issuance counter that tests assert on.
* At most one tokenP request per ``token_min_interval_s`` (60 s) per app key: any request within
  that interval of the previous *successful* one is refused with HTTP 403
  ``{"error_code": "EGW00133", ...}`` — whether it would have issued a new token or returned the
  same one. Rationale: the real limit is on requests to the endpoint ("1분당 1회"), and clients
  that re-request a cached token in a loop are exactly what it catches. Refused requests do not
  extend the interval.
* ``revokeP`` invalidates a token at once; the next tokenP (after the interval) issues a new one.

Errors. On the token endpoints: 403 in the ``error_code``/``error_description`` shape
(``EGW00103`` bad app key, ``EGW00105`` bad secret, ``EGW00133`` too often). On API calls: HTTP 500
with ``rt_cd`` ``"1"`` and ``msg_cd`` ``EGW00103``/``EGW00105`` (key/secret), ``EGW00122`` (no
token), ``EGW00121`` (unknown, revoked or another key's token), ``EGW00123`` (expired) — the real
server answers token problems of API calls in the API shape, and clients key on ``msg_cd``.

Unknown app keys of the real lengths (36 and 180 characters) are registered on first use when
``auto_register`` is on (off: ``EGW00103``), with the server's persona. A key's persona (real or
paper) can also be set per key (:meth:`AuthRegistry.register`, ``SimConfig.keys``,
``POST /_sim/keys``). The first account (``CANO`` + ``ACNT_PRDT_CD``) such a key uses becomes its
funded demo account when ``auto_accounts`` is on (see ``SimState.bind_account``).

Hashkey: ``HASH`` = hex HMAC-SHA256 of the canonical JSON of the body (sorted keys, compact), keyed
by the app secret; an order carrying a ``hashkey`` header is checked against its own body.

Nothing here logs or returns a secret; app keys appear in statistics only as :func:`key_id`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .replies import (
    APPKEY_INVALID,
    APPSECRET_INVALID,
    TOKEN_EXPIRED,
    TOKEN_INVALID,
    TOKEN_MISSING,
    TOKEN_TOO_OFTEN,
    KisError,
    api_error,
    token_error,
)

__all__ = ["APP_KEY_LEN", "APP_SECRET_LEN", "AppKey", "AuthRegistry", "Token", "key_id"]

Persona = Literal["real", "paper"]
APP_KEY_LEN = 36
APP_SECRET_LEN = 180
US = 1_000_000


@functools.lru_cache(maxsize=1024)
def key_id(app_key: str) -> str:
    """A stable, non-secret id for an app key (statistics, logs): 12 hex chars of its SHA-256.
    Remembered: the rate limiter asks for it on every call."""
    return hashlib.sha256(app_key.encode("utf-8")).hexdigest()[:12]


@dataclass
class AppKey:
    """One registered app key."""

    key: str = field(repr=False)
    secret: str = field(repr=False)
    persona: Persona = "real"
    account: tuple[str, str] | None = field(default=None, repr=False)
    hts_id: str = ""
    """Empty until configured or bound by the key's first notice subscription."""
    auto: bool = False
    """Registered automatically on first use (rather than configured)."""

    @property
    def id(self) -> str:
        return key_id(self.key)


@dataclass
class Token:
    value: str = field(repr=False)
    app_key: str = field(repr=False)
    issued_us: int
    expires_us: int
    revoked: bool = False


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _kst(us: int) -> str:
    from .engine.clock import from_us

    return from_us(us).strftime("%Y-%m-%d %H:%M:%S")


class AuthRegistry:
    """App keys, tokens and approval keys of one simulator (one per app; no globals)."""

    def __init__(
        self,
        *,
        now_us: Callable[[], int],
        seed: int = 0,
        persona: Persona = "real",
        auto_register: bool = True,
        token_ttl_s: int = 86_400,
        token_reuse_s: int = 6 * 3600,
        token_min_interval_s: int = 60,
    ) -> None:
        self._now = now_us
        self._rng = random.Random(f"hantoo-sim-auth|{seed}")
        self._sign_key = hashlib.sha256(f"hantoo-sim-token|{seed}".encode()).digest()
        self.persona: Persona = persona
        self.auto_register = auto_register
        self.token_ttl_us = token_ttl_s * US
        self.token_reuse_us = token_reuse_s * US
        self.token_min_interval_us = token_min_interval_s * US
        self.keys: dict[str, AppKey] = {}
        self.tokens: dict[str, Token] = {}
        self._current: dict[str, Token] = {}
        self._last_request_us: dict[str, int] = {}
        self._issuances: dict[str, int] = {}
        self._approvals: dict[str, str] = {}  # approval key -> app key

    # -- keys ---------------------------------------------------------------------------------

    def register(
        self,
        app_key: str,
        app_secret: str,
        *,
        persona: Persona | None = None,
        account: tuple[str, str] | None = None,
        hts_id: str = "",
        auto: bool = False,
    ) -> AppKey:
        """Add (or replace) an app key. Any lengths are accepted for configured keys."""
        if not app_key or not app_secret:
            raise ValueError("app key and app secret must not be empty")
        rec = AppKey(
            app_key, app_secret, persona or self.persona, account, hts_id, auto
        )
        self.keys[app_key] = rec
        return rec

    def identify(self, app_key: str, app_secret: str, *, token_shape: bool = False) -> AppKey:
        """The record of a key whose secret matches; registers a real-length unknown key."""
        rec = self.keys.get(app_key)
        err: Callable[[tuple[str, str]], KisError] = token_error if token_shape else api_error
        if rec is None:
            if (
                self.auto_register
                and len(app_key) == APP_KEY_LEN
                and len(app_secret) == APP_SECRET_LEN
                and app_key.isascii()
                and app_secret.isascii()
            ):
                return self.register(app_key, app_secret, auto=True)
            raise err(APPKEY_INVALID)
        if not hmac.compare_digest(rec.secret.encode(), app_secret.encode()):
            raise err(APPSECRET_INVALID)
        return rec

    # -- tokens -------------------------------------------------------------------------------

    def _new_token(self, rec: AppKey, now: int) -> Token:
        header = _b64(b'{"typ":"JWT","alg":"HS512"}')
        payload = {
            "sub": "tokenP",
            "aud": f"{self._rng.getrandbits(128):032x}",
            "prdt_cd": "",
            "iss": "hantoo-sim",
            "exp": (now + self.token_ttl_us) // US,
            "iat": now // US,
            "jti": rec.id,
        }
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        sig = _b64(hmac.new(self._sign_key, f"{header}.{body}".encode(), "sha512").digest())
        tok = Token(f"{header}.{body}.{sig}", rec.key, now, now + self.token_ttl_us)
        self.tokens[tok.value] = tok
        self._current[rec.key] = tok
        self._issuances[rec.key] = self._issuances.get(rec.key, 0) + 1
        return tok

    def issue_token(self, app_key: str, app_secret: str) -> dict[str, Any]:
        """The tokenP answer body (or a token-shape :class:`KisError`)."""
        rec = self.identify(app_key, app_secret, token_shape=True)
        now = self._now()
        last = self._last_request_us.get(rec.key)
        if last is not None and now - last < self.token_min_interval_us:
            raise token_error(TOKEN_TOO_OFTEN)
        tok = self._current.get(rec.key)
        if (
            tok is None
            or tok.revoked
            or now >= tok.expires_us
            or now - tok.issued_us >= self.token_reuse_us
        ):
            tok = self._new_token(rec, now)
        self._last_request_us[rec.key] = now
        return {
            "access_token": tok.value,
            "access_token_token_expired": _kst(tok.expires_us),
            "token_type": "Bearer",
            "expires_in": max((tok.expires_us - now) // US, 0),
        }

    def revoke(self, app_key: str, app_secret: str, token: str) -> dict[str, Any]:
        """The revokeP answer body: the token stops working at once."""
        rec = self.identify(app_key, app_secret, token_shape=True)
        tok = self.tokens.get(token)
        if tok is None or tok.app_key != rec.key:
            raise KisError(
                TOKEN_INVALID[0], TOKEN_INVALID[1], status=403, token_shape=True
            )
        tok.revoked = True
        return {"code": 200, "message": "접근토큰 폐기에 성공하였습니다"}

    def revoke_all(self, app_key: str | None = None) -> int:
        """Invalidate every token of ``app_key`` (all keys when ``None``); returns how many."""
        n = 0
        for tok in self.tokens.values():
            if not tok.revoked and (app_key is None or tok.app_key == app_key):
                tok.revoked = True
                n += 1
        return n

    def check_token(self, authorization: str, rec: AppKey) -> Token:
        """The token of an API call, or an API-shape error (EGW00121/122/123)."""
        value = authorization.strip()
        if value[:6].lower() == "bearer" and (len(value) == 6 or value[6] in " \t"):
            value = value[6:].strip()
        if not value:
            raise api_error(TOKEN_MISSING)
        tok = self.tokens.get(value)
        if tok is None or tok.revoked or tok.app_key != rec.key:
            raise api_error(TOKEN_INVALID)
        if self._now() >= tok.expires_us:
            raise api_error(TOKEN_EXPIRED)
        return tok

    def issuances(self, app_key: str) -> int:
        """How many tokens were *issued* (not re-returned) for ``app_key``."""
        return self._issuances.get(app_key, 0)

    def issuance_stats(self) -> dict[str, int]:
        """Issuances per :func:`key_id`."""
        return {key_id(k): n for k, n in self._issuances.items()}

    # -- approval keys (WebSocket) ------------------------------------------------------------

    def approval(self, app_key: str, secretkey: str) -> dict[str, str]:
        """The ``/oauth2/Approval`` answer: a fresh approval key for the WebSocket."""
        rec = self.identify(app_key, secretkey, token_shape=True)
        r = self._rng.getrandbits(128)
        h = f"{r:032x}"
        approval = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        self._approvals[approval] = rec.key
        return {"approval_key": approval}

    def approval_owner(self, approval_key: str) -> AppKey | None:
        """The app key an approval key was issued to (for the WebSocket server)."""
        owner = self._approvals.get(approval_key)
        return self.keys.get(owner) if owner is not None else None

    # -- hashkey ------------------------------------------------------------------------------

    @staticmethod
    def canonical(body: Any) -> bytes:
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def hashkey(self, rec: AppKey, body: Any) -> str:
        return hmac.new(rec.secret.encode(), self.canonical(body), "sha256").hexdigest()

    def verify_hashkey(self, rec: AppKey, body: Any, given: str) -> bool:
        return hmac.compare_digest(self.hashkey(rec, body), given.strip().lower())
