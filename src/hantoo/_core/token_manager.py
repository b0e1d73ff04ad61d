"""The token rules, written once as sans-I/O flows: access tokens, approval keys, hashkeys.

Why it is shaped like this:

* **One token per app key.** KIS issues at most one token per minute per key and tells the
  account holder about every issuance, so a token is reused from memory, then from the on-disk
  cache (:mod:`hantoo._core.token_cache`), and only then issued.
* **Single flight.** When the token is missing or near expiry, exactly one caller refreshes it:
  among threads and tasks through an in-process lock, among processes through the cache's file
  lock. Both are taken *without blocking*; a caller that loses polls with ``yield Sleep(...)``,
  so the same flow is correct under the sync and the async driver. A loser whose current token
  is still valid (only *near* expiry) does not wait at all: it uses the old token.
* **Re-read before issuing.** The winner re-reads the cache file under the file lock: another
  process may have issued a token a moment ago.
* **EGW00133** (a token was issued less than a minute ago): logged with the reason, then the
  minute is waited out (``Sleep``) and the request retried, a bounded number of times, before
  :class:`hantoo.errors.TokenIssuanceRateError`. Other token error bodies become
  :class:`hantoo.errors.AuthenticationError` with ``msg_cd`` = the ``error_code``.
* **Invalidate once.** When a call gets ``EGW00123``/``EGW00121`` the caller passes the token it
  used to :meth:`TokenManager.invalidate`. Only if that is still the current token is it dropped,
  so twenty calls failing together cause one refresh, not twenty.
* **Lifetimes from the receiving side.** A token is valid for ``expires_in`` seconds from the
  local moment its answer arrived (``clock()`` right after the response). The answer's absolute
  ``access_token_token_expired`` stamp is on the *server's* clock - a simulator may be running
  any day of any year - so it never shortens the validity; it is only compared with ours and a
  disagreement (clock skew) is logged once. Approval keys have no lifetime on the wire and are
  held ``approval_ttl`` seconds from their local arrival.
* **The same transport policy as every call.** Issuance, revocation and hashkeys go through
  the client's connect-retry/backoff (:class:`RetryPolicy`) and its circuit breaker: a dead
  server gets a bounded number of tries with backoff, then fails; repeated failures open the
  breaker so later calls fail fast instead of each waiting out its own retries.
* **Secrets stay secret.** The app secret, tokens and approval keys are held as
  :class:`hantoo._core.redact.Secret` (masked in reprs, registered for log redaction), and no log
  line or exception built here contains them.

The flows return plain ``str`` values because they go straight into request headers.
"""

from __future__ import annotations

import json
import math
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final

from hantoo.errors import (
    ApiError,
    AuthenticationError,
    DecodeError,
    HantooError,
    HttpStatusError,
    TokenIssuanceRateError,
    TransportError,
)

from .backoff import RetryPolicy, gave_up_hint
from .circuit import CircuitBreaker
from .flow import Flow, HttpRequest, HttpResponse, Sleep
from .redact import Secret, get_logger
from .token_cache import ACCESS_TOKEN, APPROVAL_KEY, CachedToken, TokenCache

if TYPE_CHECKING:
    from .coordinator import Coordinator, TokenStore

__all__ = ["KST", "TokenManager", "parse_kst"]

_log = get_logger("auth")

KST: Final = timezone(timedelta(hours=9), "KST")
_JSON_HEADERS: Final[Mapping[str, str]] = {"content-type": "application/json; charset=utf-8"}
_ISSUANCE_TOO_FREQUENT: Final = "EGW00133"
# Fields of an error body that are safe to keep on the exception (KIS never echoes credentials).
_SAFE_ERROR_FIELDS: Final = ("error_code", "error_description", "rt_cd", "msg_cd", "msg1")
_DEFAULT_LIFETIME: Final = 86_400.0
#: Server and local expiries closer than this are the same instant (network time, rounding).
_SKEW_TOLERANCE: Final = 120.0


def parse_kst(text: str) -> float:
    """``"YYYY-MM-DD HH:MM:SS"`` in Korea Standard Time → UTC Unix seconds."""
    return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=KST).timestamp()


def _seconds(value: object) -> float | None:
    """``expires_in`` (a number or a numeric string) as positive seconds, else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def _body(resp: HttpResponse) -> dict[str, Any]:
    try:
        data = json.loads(resp.content or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _error_of(data: Mapping[str, Any]) -> tuple[str, str]:
    code = data.get("error_code") or data.get("msg_cd") or ""
    desc = data.get("error_description") or data.get("msg1") or ""
    return str(code), str(desc)


def _safe(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in _SAFE_ERROR_FIELDS if k in data}


class _Slot:
    """The single-flight state of one credential kind (access token or approval key)."""

    def __init__(
        self,
        name: str,
        cache: TokenStore,
        clock: Callable[[], float],
        margin: float,
    ) -> None:
        self.name = name
        self.cache = cache
        self.clock = clock
        self.margin = margin
        self.current: CachedToken | None = None
        self.rejected: Secret | None = None  # the token the server refused last
        self.refresh_lock = threading.Lock()  # held by the one in-process refresher
        self.state_lock = threading.Lock()  # guards current / rejected
        self.retry_not_before = -math.inf  # after a failed refresh with a still-valid token
        self.next_recheck = -math.inf  # remote stores: when to re-read behind `current`

    def usable(self, tok: CachedToken | None, now: float, margin: float) -> bool:
        return tok is not None and tok.is_valid(now, margin) and tok.value != self.rejected

    def adopt(self, tok: CachedToken) -> None:
        with self.state_lock:
            self.current = tok

    def from_disk(self, now: float) -> CachedToken | None:
        disk = self.cache.load()
        if self.usable(disk, now, self.margin):
            assert disk is not None
            self.adopt(disk)
            return disk
        return None

    def invalidate(self, value: str | Secret) -> bool:
        failed = value if isinstance(value, Secret) else Secret(value, register=False)
        with self.state_lock:
            cur = self.current
            if cur is None or cur.value != failed:
                return False
            self.current = None
            self.rejected = cur.value
        # Drop the disk copy too, but only if it is that token and nobody is issuing right now
        # (otherwise we could delete the fresh token another process is writing). `rejected`
        # keeps us from reloading it meanwhile.
        if self.cache.try_acquire():
            try:
                disk = self.cache.load()
                if disk is not None and disk.value == failed:
                    self.cache.delete()
            finally:
                self.cache.release()
        _log.info("%s rejected by the server; it will be refreshed once", self.name)
        return True

    def recheck(self, cur: CachedToken, now: float) -> CachedToken | None:
        """Re-read a remote store behind the token in memory (at most every
        ``recheck_interval`` s): adopt a newer token, drop one another process revoked or saw
        rejected (``None``: get a new one), and put ours back if the store lost it (a Redis
        restarted without persistence) so that nobody issues a token needlessly."""
        interval = self.cache.recheck_interval
        self.next_recheck = now + (interval or 0.0)
        stored = self.cache.load()
        if stored is not None and stored.value != cur.value:
            if self.usable(stored, now, self.margin):
                self.adopt(stored)
                return stored
            return cur
        if stored is None:
            if self.cache.revoked(cur.value):
                with self.state_lock:
                    if self.current is not None and self.current.value == cur.value:
                        self.current = None
                    self.rejected = cur.value
                _log.info("%s revoked by another process; getting the current one", self.name)
                return None
            if self.cache.try_acquire():
                try:
                    if self.cache.load() is None:
                        self.cache.store(cur)
                        _log.info("%s missing from %s; stored ours again", self.name,
                                  self.cache.location)
                except OSError:
                    pass
                finally:
                    self.cache.release()
        return cur

    def forget(self) -> None:
        with self.state_lock:
            self.current = None
        self.cache.delete()

    def get_flow(
        self,
        issue: Callable[[], Flow[CachedToken]],
        *,
        poll: float,
        lock_timeout: float,
    ) -> Flow[str]:
        waited = 0.0
        while True:
            now = self.clock()
            cur = self.current
            if self.usable(cur, now, self.margin):
                assert cur is not None
                if self.cache.recheck_interval is None or now < self.next_recheck:
                    return cur.value.get_secret_value()
                cur = self.recheck(cur, now)
                if cur is not None:
                    return cur.value.get_secret_value()
            disk = self.from_disk(now)
            if disk is not None:
                return disk.value.get_secret_value()
            still_ok = self.usable(cur, now, 0.0)
            if still_ok and now < self.retry_not_before:
                assert cur is not None
                return cur.value.get_secret_value()
            if not self.refresh_lock.acquire(blocking=False):
                # Another thread or task of this process is refreshing.
                if still_ok:
                    assert cur is not None
                    return cur.value.get_secret_value()
                waited = self._wait_check(waited, lock_timeout)
                yield Sleep(poll)
                waited += poll
                continue
            try:
                return (yield from self._refresh_locked(issue, cur, poll, lock_timeout, waited))
            finally:
                self.refresh_lock.release()

    def _refresh_locked(
        self,
        issue: Callable[[], Flow[CachedToken]],
        cur: CachedToken | None,
        poll: float,
        lock_timeout: float,
        waited: float,
    ) -> Flow[str]:
        while not self.cache.try_acquire():
            # Another process is issuing: watch for its result.
            now = self.clock()
            disk = self.from_disk(now)
            if disk is not None:
                return disk.value.get_secret_value()
            if self.usable(self.current, now, self.margin):
                assert self.current is not None
                return self.current.value.get_secret_value()
            if self.usable(cur, now, 0.0):
                assert cur is not None
                return cur.value.get_secret_value()
            waited = self._wait_check(waited, lock_timeout)
            yield Sleep(poll)
            waited += poll
        try:
            now = self.clock()
            if self.usable(self.current, now, self.margin):
                assert self.current is not None
                return self.current.value.get_secret_value()
            disk = self.from_disk(now)
            if disk is not None:
                return disk.value.get_secret_value()
            try:
                tok = yield from issue()
            except HantooError:
                now = self.clock()
                if self.usable(cur, now, 0.0):
                    assert cur is not None
                    self.retry_not_before = now + 60.0
                    _log.warning(
                        "could not refresh the %s; using the current one until it expires",
                        self.name,
                        exc_info=True,
                    )
                    return cur.value.get_secret_value()
                raise
            try:
                self.cache.store(tok)
            except OSError as exc:
                _log.warning(
                    "could not write the %s cache %s (%s); other processes will issue their own",
                    self.name,
                    self.cache.location,
                    type(exc).__name__,
                )
            with self.state_lock:
                self.current = tok
                self.rejected = None
            return tok.value.get_secret_value()
        finally:
            self.cache.release()

    def _wait_check(self, waited: float, lock_timeout: float) -> float:
        if waited >= lock_timeout:
            raise TokenIssuanceRateError(
                "HANTOO_TOKEN_LOCK",
                f"waited {waited:.0f}s for another caller to obtain the {self.name}",
                hint="another process holds the token lock for too long; check "
                f"{self.cache.lock_location} and the processes using this app key",
            )
        return waited


class TokenManager:
    """Access token, approval key and hashkey for one app key in one environment.

    ``clock`` is wall-clock time (UTC Unix seconds): expiries are absolute. Flows are driven by
    a sync or async driver; see :mod:`hantoo._core.flow`.
    """

    def __init__(
        self,
        environment: str,
        app_key: str | Secret,
        app_secret: str | Secret,
        cache: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
        *,
        refresh_margin: float = 600.0,
        approval_cache: TokenStore | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        coordinator: Coordinator | None = None,
        poll_interval: float = 0.1,
        issuance_wait: float = 61.0,
        max_issuance_attempts: int = 3,
        lock_timeout: float = 300.0,
        approval_ttl: float = 86_400.0,
        retry: RetryPolicy | None = None,
        circuit: CircuitBreaker | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if max_issuance_attempts < 1:
            raise ValueError("max_issuance_attempts must be at least 1")
        self.environment = environment
        self._app_key = app_key if isinstance(app_key, Secret) else Secret(app_key)
        self._app_secret = app_secret if isinstance(app_secret, Secret) else Secret(app_secret)
        # Where the fleet's tokens live: the coordinator's stores (e.g. Redis), else the files.
        token_cache: TokenStore
        key_cache: TokenStore
        if coordinator is not None:
            token_cache = cache or coordinator.token_store(environment, ACCESS_TOKEN, self._app_key)
            key_cache = approval_cache or coordinator.token_store(
                environment, APPROVAL_KEY, self._app_key)
        else:
            files = TokenCache(environment, ACCESS_TOKEN, self._app_key, cache_dir)
            token_cache = cache or files
            key_cache = approval_cache or TokenCache(
                environment, APPROVAL_KEY, self._app_key, cache_dir or files.directory
            )
        self.clock = clock
        self.refresh_margin = refresh_margin
        self.poll_interval = poll_interval
        self.issuance_wait = issuance_wait
        self.max_issuance_attempts = max_issuance_attempts
        self.lock_timeout = lock_timeout
        self.approval_ttl = approval_ttl
        self._access = _Slot("access token", token_cache, clock, refresh_margin)
        self._approval = _Slot("approval key", key_cache, clock, refresh_margin)
        self._skew_logged = False
        self.retry = retry or RetryPolicy()
        self.circuit = circuit
        self._rng = rng or random.Random()

    def __repr__(self) -> str:
        return (
            f"TokenManager(environment={self.environment!r}, "
            f"key={self._app_key.fingerprint()!r}, cache={self._access.cache.location!s})"
        )

    @property
    def cache(self) -> TokenStore:
        return self._access.cache

    @property
    def approval_cache(self) -> TokenStore:
        return self._approval.cache

    def current_token(self) -> CachedToken | None:
        """The access token held in memory, if any (no I/O)."""
        return self._access.current

    # -- access token ---------------------------------------------------------------------------

    def token_flow(self) -> Flow[str]:
        """A valid access token: from memory, the disk cache, or a (single-flight) issuance."""
        return self._access.get_flow(
            self._issue_access, poll=self.poll_interval, lock_timeout=self.lock_timeout
        )

    def invalidate(self, token: str | Secret) -> bool:
        """The server rejected ``token``: drop it if it is still current. ``True`` if dropped."""
        return self._access.invalidate(token)

    def revoke_flow(self) -> Flow[bool]:
        """Revoke the current token at KIS and delete it locally. ``False`` if there was none."""
        tok = self._access.current or self._access.cache.load()
        if tok is None:
            return False
        try:
            resp = yield from self._send(HttpRequest(
                "POST",
                "/oauth2/revokeP",
                headers=_JSON_HEADERS,
                json={
                    "appkey": self._app_key.get_secret_value(),
                    "appsecret": self._app_secret.get_secret_value(),
                    "token": tok.value.get_secret_value(),
                },
            ))
        finally:
            self._access.forget()
        assert resp is not None
        data = _body(resp)
        code, desc = _error_of(data)
        if resp.status >= 400 or code:
            if code:
                raise AuthenticationError(code, desc, status=resp.status, body=_safe(data))
            raise HttpStatusError(resp.status, "token revocation refused")
        _log.info("access token revoked (%s)", self.environment)
        return True

    def _issue_access(self) -> Flow[CachedToken]:
        body = {
            "grant_type": "client_credentials",
            "appkey": self._app_key.get_secret_value(),
            "appsecret": self._app_secret.get_secret_value(),
        }
        return self._issue("access token", "/oauth2/tokenP", body, self._access, self._parse_access)

    def _parse_access(self, data: Mapping[str, Any], issued_at: float) -> CachedToken | None:
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            return None
        lifetime = _seconds(data.get("expires_in"))
        if lifetime is None:
            _log.warning("the access token answer has no usable expires_in; assuming 24 hours")
            lifetime = _DEFAULT_LIFETIME
        expires_at = issued_at + lifetime
        self._note_skew(data.get("access_token_token_expired"), expires_at)
        token_type = data.get("token_type")
        return CachedToken(
            Secret(token),
            token_type if isinstance(token_type, str) and token_type else "Bearer",
            expires_at,
            issued_at,
        )

    def _note_skew(self, stamp: object, expires_at: float) -> None:
        """Compare the server's absolute expiry stamp with ours; log a disagreement once.

        The stamp is on the server's clock (a simulator may run a different day entirely), so
        it never shortens the validity that ``expires_in`` gives: it only tells the user that
        the two clocks differ, which matters for nothing but their reading of logs.
        """
        if self._skew_logged or not isinstance(stamp, str) or not stamp.strip():
            return
        try:
            server_expiry = parse_kst(stamp)
        except ValueError:
            self._skew_logged = True
            _log.warning("unreadable access_token_token_expired; the expiry follows expires_in")
            return
        skew = server_expiry - expires_at
        if abs(skew) > _SKEW_TOLERANCE:
            self._skew_logged = True
            _log.info(
                "the server's clock differs from this machine's by about %.0f s "
                "(access_token_token_expired vs expires_in); the expiry follows expires_in",
                skew,
            )

    # -- approval key (WebSocket) -----------------------------------------------------------------

    def approval_key_flow(self) -> Flow[str]:
        """A WebSocket approval key (cached like tokens; treated as valid ``approval_ttl`` s)."""
        return self._approval.get_flow(
            self._issue_approval, poll=self.poll_interval, lock_timeout=self.lock_timeout
        )

    def invalidate_approval_key(self, key: str | Secret) -> bool:
        return self._approval.invalidate(key)

    def _issue_approval(self) -> Flow[CachedToken]:
        body = {
            "grant_type": "client_credentials",
            "appkey": self._app_key.get_secret_value(),
            "secretkey": self._app_secret.get_secret_value(),
        }
        return self._issue(
            "approval key", "/oauth2/Approval", body, self._approval, self._parse_approval
        )

    def _parse_approval(self, data: Mapping[str, Any], issued_at: float) -> CachedToken | None:
        key = data.get("approval_key")
        if not isinstance(key, str) or not key:
            return None
        return CachedToken(Secret(key), "approval_key", issued_at + self.approval_ttl, issued_at)

    # -- shared issuance loop -------------------------------------------------------------------

    def _issue(
        self,
        what: str,
        url: str,
        body: Mapping[str, str],
        slot: _Slot,
        parse: Callable[[Mapping[str, Any], float], CachedToken | None],
    ) -> Flow[CachedToken]:
        attempts = self.max_issuance_attempts
        for attempt in range(1, attempts + 1):
            resp = yield from self._send(
                HttpRequest("POST", url, headers=_JSON_HEADERS, json=dict(body)))
            data = _body(resp)
            issued_at = self.clock()
            if resp.status < 400:
                tok = parse(data, issued_at)
                if tok is not None:
                    _log.info(
                        "issued a new %s for %s (expires %s UTC)",
                        what,
                        self.environment,
                        datetime.fromtimestamp(tok.expires_at, UTC).strftime("%Y-%m-%d %H:%M:%S"),
                    )
                    return tok
            code, desc = _error_of(data)
            if code == _ISSUANCE_TOO_FREQUENT:
                if attempt >= attempts:
                    raise TokenIssuanceRateError(
                        code,
                        desc or "token issuance too frequent",
                        status=resp.status,
                        body=_safe(data),
                    )
                _log.warning(
                    "KIS refused to issue the %s (EGW00133: at most one per minute per app key, "
                    "and one was issued less than a minute ago - another program or process "
                    "using this key?); waiting %.0fs before trying again (attempt %d of %d)",
                    what,
                    self.issuance_wait,
                    attempt + 1,
                    attempts,
                )
                yield Sleep(self.issuance_wait)
                disk = slot.from_disk(self.clock())  # someone else's issuance may be cached now
                if disk is not None:
                    return disk
                continue
            if code:
                raise AuthenticationError(code, desc, status=resp.status, body=_safe(data))
            if resp.status >= 400:
                raise HttpStatusError(resp.status, f"{what} request refused ({url})")
            raise DecodeError(f"the {what} response from {url} has no {what.replace(' ', '_')}")
        raise AssertionError("unreachable")  # pragma: no cover

    # -- transport policy -------------------------------------------------------------------------

    def _send(self, request: HttpRequest) -> Flow[HttpResponse]:
        """One auth request under the client's retry/backoff and circuit-breaker policy.

        Transport failures and bare 5xx answers count against the breaker and are retried with
        backoff (an issuance is not an order: asking again cannot duplicate anything; a second
        token inside the minute is answered EGW00133, which :meth:`_issue` waits out). When the
        tries are used up the error says how many there were.
        """
        attempt = 0
        while True:
            attempt += 1
            if self.circuit is not None:
                self.circuit.before_call()
            try:
                resp = yield request
            except TransportError as exc:
                if self.circuit is not None:
                    self.circuit.record_failure()
                if not self.retry.should_retry(attempt):
                    exc.hint = gave_up_hint(attempt)
                    raise
                delay = self.retry.delay(attempt, rng=self._rng)
                _log.info("%s: %s; retry %d in %.2fs", request.url, type(exc).__name__, attempt,
                          delay)
                yield Sleep(delay)
                continue
            assert resp is not None
            if resp.status >= 500 and not _error_of(_body(resp))[0]:
                if self.circuit is not None:
                    self.circuit.record_failure()
                if self.retry.should_retry(attempt):
                    delay = self.retry.delay(attempt, rng=self._rng)
                    _log.info("%s: HTTP %d; retry %d in %.2fs", request.url, resp.status,
                              attempt, delay)
                    yield Sleep(delay)
                    continue
                return resp
            if self.circuit is not None:
                self.circuit.record_success()
            return resp

    # -- hashkey ----------------------------------------------------------------------------------

    def hashkey_flow(self, body: Mapping[str, Any]) -> Flow[str]:
        """``POST /uapi/hashkey`` with the order body → the ``HASH`` to send as ``hashkey``."""
        resp = yield from self._send(HttpRequest(
            "POST",
            "/uapi/hashkey",
            headers={
                **_JSON_HEADERS,
                "appkey": self._app_key.get_secret_value(),
                "appsecret": self._app_secret.get_secret_value(),
            },
            json=dict(body),
        ))
        data = _body(resp)
        value = data.get("HASH")
        if resp.status < 400 and isinstance(value, str) and value:
            return value
        code, desc = _error_of(data)
        if code:
            raise ApiError(code, desc, status=resp.status, body=_safe(data))
        if resp.status >= 400:
            raise HttpStatusError(resp.status, "hashkey request refused")
        raise DecodeError("the hashkey response has no HASH")
