"""The Redis coordinator: one app key shared by every process of every host.

Why Redis: it is the small, well-known server people already run, its single-threaded
command execution makes a Lua script atomic (one round trip per reservation, no lock to hold or
lose), and it has its own clock (``TIME``), which the hosts of a fleet do not share.

Keys (``<env>`` is the token namespace or environment, ``<hash>`` a SHA-256 prefix of the app
key — the key itself never appears in Redis):

* ``hantoo:<env>:<kind>:<hash>`` — the token (or approval key) as the same JSON as the cache
  file, expiring with it (``PX``). Readable by whoever can read the Redis database: protect it
  as you protect the 0600 cache files (a password or ACL, ``rediss://`` across networks).
* ``…:lock`` — the issuance lock: ``SET NX PX 60000`` with a random owner, released by a
  compare-and-delete script, so a dead holder frees it after a minute (KIS issues at most one
  token a minute anyway). Waiters poll the token key.
* ``…:revoked`` — a hash of the last token revoked or rejected (one day), so holders of it in
  other processes drop it at their next re-read (every :data:`RECHECK_INTERVAL` seconds).
* ``hantoo:rl:<env>:<key id>`` — the limiter's GCRA state (one theoretical arrival time per
  window, a server-hint block, the rejoin epoch) and ``…:procs``, a sorted set of the processes
  seen in the last :data:`HEARTBEAT_TTL` seconds (every reservation refreshes its own entry).

The limiter and outages
-----------------------
Every reservation runs one Lua script (:data:`_RESERVE`) applying the GCRA rule of
:func:`hantoo._core.limiter.gcra_reserve` to every window of the profile at once, on the Redis
server's clock; the answer is a wait in seconds, which the caller sleeps on its own monotonic
clock. Server hints (``X-RateLimit-Remaining: 0``) are written to the shared state as a delay.

When Redis cannot be reached the limiter does not stop and does not burst: it switches to a
*local share* — every window's limit divided by the number of processes last seen (or
:data:`UNKNOWN_PROCESSES` if Redis was never reached), no burst — logs it once, and probes Redis
every :data:`PROBE_INTERVAL` seconds. A switch in either direction keeps one full window of the
shortest period (one second for KIS) between the last call of the old schedule and the first
of the new one, so no such window ever holds fleet calls and share calls together; windows of
one schedule alone are within the limits (the fleet's by GCRA, the shares' because they add up
to at most each limit). Going down, the fleet's last slot is the one in this process's last
answer, moved on by the time since (other processes kept reserving meanwhile; a saturated
fleet's schedule keeps its lead). When Redis answers again (data kept or lost) the process does
not rejoin at once: the script opens a *grace* period (:data:`REJOIN_GRACE`, longer than the
probe interval) during which every process keeps its local share and pushes, with every
reservation, a floor one window after its last share slot; the fleet schedule resumes after the
latest floor. A Redis restarted without its data is noticed by its new state epoch: the first
process that had slots in the old state rejoins in the same way, opening the same grace period.

Cost: one script call per reservation, made synchronously under the limiter's lock like the
file limiter's lock and file (about 0.1–0.5 ms on a LAN; bounded by the 0.25 s connect and 0.5 s
read timeouts when Redis is unreachable, after which the local share answers at once).

Tokens and outages: without Redis a process keeps the token it holds; one that has none issues
its own (without the fleet lock — KIS returns the same token within its reuse period, or
answers EGW00133, which the token manager waits out).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .coordinator import SharedLimit, TokenStore, _safe_url
from .limiter import Window, _State, gcra_reserve
from .redact import Secret, get_logger
from .token_cache import CachedToken

if TYPE_CHECKING:
    from .limiter import RateLimiter

try:
    import redis
    from redis.backoff import NoBackoff
    from redis.exceptions import RedisError
    from redis.retry import Retry
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "a redis:// coordinator needs the redis package: pip install 'hantoo[redis]'"
    ) from exc

__all__ = ["RedisCoordinator", "RedisSharedLimit", "RedisTokenStore"]

_log = get_logger("coordinator")

#: Seconds a process stays counted in the fleet after its last reservation.
HEARTBEAT_TTL: Final = 60.0
#: Seconds between attempts to reach Redis while it is down.
PROBE_INTERVAL: Final = 1.0
#: Seconds every process keeps its local share after Redis returns (> the probe interval).
REJOIN_GRACE: Final = 2.5
#: The divisor of the local share when Redis was never reached (the fleet size is unknown).
UNKNOWN_PROCESSES: Final = 8
#: Seconds between re-reads of a remote token behind the one held in memory.
RECHECK_INTERVAL: Final = 2.0
#: Milliseconds an issuance lock lives if its holder dies.
_LOCK_TTL_MS: Final = 60_000
_REVOKED_TTL_S: Final = 86_400
#: Seconds after which the quickest round trip is replaced by a fresh one (clock drift).
_OFFSET_MAX_AGE: Final = 5.0
#: Network timeouts: an unreachable Redis must cost a caller little, and the limiter falls back.
_CONNECT_TIMEOUT: Final = 0.25
_IO_TIMEOUT: Final = 0.5

_ERRORS: Final = (RedisError, OSError)

_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# Forget a token: note its hash as revoked (so holders elsewhere drop it), then delete it.
_FORGET: Final = """
local v = redis.call('GET', KEYS[1])
if v then
  local ok, entry = pcall(cjson.decode, v)
  if ok and type(entry) == 'table' and entry['token'] then
    redis.call('SET', KEYS[2], redis.sha1hex(entry['token']), 'EX', ARGV[1])
  end
  redis.call('DEL', KEYS[1])
end
return 1
"""

# One reservation for the fleet: the GCRA rule of limiter.gcra_reserve over every window, on
# the server's clock, plus the process heartbeat and the rejoin grace. Times cross the wire as
# offsets from the server's "now", so no host needs the server's clock.
# KEYS: state hash, process set. ARGV: member, heartbeat ttl, grace, rejoin ('1'/'0'),
# reserve ('1'/'0'), state ttl (ms), n, then per window: label, emission interval, tolerance,
# floor (offset from now, or '' for none).
# Returns: mode ('fleet' or 'grace'), wait, bound window, process count, the state's epoch (set
# when the state is created: a changed epoch means the state was lost), the server's now, this
# process's rank in the process set, then per window the theoretical arrival time as an offset
# from now.
_RESERVE: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local function fmt(x) return string.format('%.6f', x) end
local hb = tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - hb)
redis.call('PEXPIRE', KEYS[2], math.floor(hb * 2000))
local procs = redis.call('ZCARD', KEYS[2])
local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
local rejoin_at = tonumber(redis.call('HGET', KEYS[1], 'rejoin_at') or '0')
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = fmt(now)
  redis.call('HSET', KEYS[1], 'epoch', epoch)
end
if ARGV[4] == '1' then
  rejoin_at = math.max(rejoin_at, now + tonumber(ARGV[3]))
  redis.call('HSET', KEYS[1], 'rejoin_at', fmt(rejoin_at))
end
local blocked = tonumber(redis.call('HGET', KEYS[1], 'blocked') or '0')
local n = tonumber(ARGV[7])
local tats = {}
local start = math.max(now, blocked)
local bound = ''
if blocked > now then bound = 'server' end
for i = 1, n do
  local b = 7 + (i - 1) * 4
  local tat = tonumber(redis.call('HGET', KEYS[1], 't:' .. ARGV[b + 1]) or '0')
  if ARGV[b + 4] ~= '' then tat = math.max(tat, now + tonumber(ARGV[b + 4])) end
  tats[i] = tat
  local allowed = tat - tonumber(ARGV[b + 3])
  if allowed > start then start = allowed; bound = ARGV[b + 1] end
end
local mode = 'fleet'
if now < rejoin_at then mode = 'grace' end
local commit = mode == 'fleet' and ARGV[5] == '1'
local out = {mode, '0', '', procs, epoch, fmt(now), rank}
if commit then out[2] = fmt(start - now); out[3] = bound end
for i = 1, n do
  local b = 7 + (i - 1) * 4
  local tat = tats[i]
  if commit then tat = math.max(tat, start) + tonumber(ARGV[b + 2]) end
  redis.call('HSET', KEYS[1], 't:' .. ARGV[b + 1], fmt(tat))
  out[7 + i] = fmt(tat - now)
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[6]))
return out
"""

_BLOCK: Final = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'blocked') or '0')
if until_ > cur then redis.call('HSET', KEYS[1], 'blocked', string.format('%.6f', until_)) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""


def _key_hash(app_key: str | Secret) -> str:
    raw = app_key.get_secret_value() if isinstance(app_key, Secret) else app_key
    return hashlib.sha256(b"hantoo-appkey:" + raw.encode()).hexdigest()[:16]


class RedisCoordinator:
    """The processes of every host using a key meet in one Redis database (``url``)."""

    remote = True

    def __init__(self, url: str) -> None:
        self.url = url
        self.safe_url = _safe_url(url)
        self.client: redis.Redis = redis.Redis.from_url(
            url,
            socket_connect_timeout=_CONNECT_TIMEOUT,
            socket_timeout=_IO_TIMEOUT,
            retry=Retry(NoBackoff(), 0),  # the limiter falls back; it must not stall retrying
        )
        self._nonce = uuid.uuid4().hex[:8]
        self._host = socket.gethostname()
        self.reserve_script = self.client.register_script(_RESERVE)
        self.block_script = self.client.register_script(_BLOCK)
        self.release_script = self.client.register_script(_RELEASE)
        self.forget_script = self.client.register_script(_FORGET)

    def __repr__(self) -> str:
        return f"RedisCoordinator({self.safe_url!r})"

    @property
    def member(self) -> str:
        """This process in the fleet's heartbeat set (host, pid — forks get their own)."""
        return f"{self._host}:{os.getpid()}:{self._nonce}"

    def token_store(self, environment: str, kind: str, app_key: str | Secret) -> TokenStore:
        return RedisTokenStore(self, environment, kind, app_key)

    def shared_limit(self, environment: str, key_id: str) -> SharedLimit:
        return RedisSharedLimit(self, environment, key_id)

    def close(self) -> None:
        self.client.close()


class RedisTokenStore:
    """A credential and its issuance lock in Redis (see the module docstring)."""

    recheck_interval: float | None = RECHECK_INTERVAL

    def __init__(
        self, coordinator: RedisCoordinator, environment: str, kind: str, app_key: str | Secret
    ) -> None:
        self.coordinator = coordinator
        self.environment = environment
        self.kind = kind
        self.key = f"hantoo:{environment}:{kind}:{_key_hash(app_key)}"
        self._thread_lock = threading.Lock()
        self._owner: str | None = None
        self._warned = False

    def __repr__(self) -> str:
        return f"RedisTokenStore({self.location!r})"

    @property
    def location(self) -> str:
        return f"{self.coordinator.safe_url} {self.key}"

    @property
    def lock_location(self) -> str:
        return f"{self.coordinator.safe_url} {self.key}:lock"

    def _unreachable(self, exc: BaseException) -> None:
        if not self._warned:
            self._warned = True
            _log.warning("Redis at %s unreachable for the %s (%s); carrying on without it",
                         self.coordinator.safe_url, self.kind, type(exc).__name__)

    def load(self) -> CachedToken | None:
        try:
            raw: Any = self.coordinator.client.get(self.key)
        except _ERRORS as exc:
            self._unreachable(exc)
            return None
        self._warned = False
        if raw is None:
            return None
        try:
            return CachedToken.from_json(json.loads(raw), self.environment, self.kind)
        except (ValueError, TypeError):
            _log.warning("token entry %s in Redis is malformed; ignoring it", self.location)
            return None

    def store(self, token: CachedToken) -> None:
        ttl_ms = max(1, int((token.expires_at - time.time()) * 1000))
        data = json.dumps(token.to_json(self.environment, self.kind))
        try:
            self.coordinator.client.set(self.key, data, px=ttl_ms)
        except _ERRORS as exc:
            raise OSError(f"Redis unreachable ({type(exc).__name__})") from None

    def delete(self) -> None:
        try:
            self.coordinator.forget_script(keys=[self.key, f"{self.key}:revoked"],
                                           args=[_REVOKED_TTL_S])
        except _ERRORS as exc:
            self._unreachable(exc)

    def revoked(self, value: Secret) -> bool:
        try:
            mark: Any = self.coordinator.client.get(f"{self.key}:revoked")
        except _ERRORS as exc:
            self._unreachable(exc)
            return False
        digest = hashlib.sha1(value.get_secret_value().encode()).hexdigest()
        return mark is not None and mark.decode() == digest

    def try_acquire(self) -> bool:
        if not self._thread_lock.acquire(blocking=False):
            return False
        owner = uuid.uuid4().hex
        try:
            won = self.coordinator.client.set(f"{self.key}:lock", owner, nx=True, px=_LOCK_TTL_MS)
        except _ERRORS as exc:
            # Without Redis nobody can hold the fleet's lock: issue under this process's alone.
            self._unreachable(exc)
            self._owner = None
            return True
        except BaseException:
            self._thread_lock.release()
            raise
        if not won:
            self._thread_lock.release()
            return False
        self._owner = owner
        return True

    def release(self) -> None:
        try:
            if self._owner is not None:
                self.coordinator.release_script(keys=[f"{self.key}:lock"], args=[self._owner])
        except _ERRORS as exc:
            self._unreachable(exc)  # the lock expires by itself
        finally:
            self._owner = None
            self._thread_lock.release()


@dataclass(frozen=True, slots=True)
class _Reply:
    mode: str  # "fleet" or "grace"
    wait: float
    bound: str
    processes: int
    epoch: str
    now: float  # the server's clock when the script ran
    rank: int  # this process's place in the fleet (0 .. processes - 1)
    tats: tuple[float, ...]  # offsets from the server's now


def _share_of(windows: Sequence[Window], processes: int) -> tuple[Window, ...]:
    """Each window's limit divided among ``processes``, without burst: the outage schedule."""
    n = max(1, processes)
    return tuple(Window(max(1, w.limit // n), w.period, 1, w.margin) for w in windows)


class RedisSharedLimit:
    """The fleet's limiter state in Redis, with the local-share fallback (module docstring)."""

    def __init__(self, coordinator: RedisCoordinator, environment: str, key_id: str) -> None:
        self.coordinator = coordinator
        self.state_key = f"hantoo:rl:{environment or 'default'}:{key_id or 'anon'}"
        self.procs_key = f"{self.state_key}:procs"
        # Slots are waits on this process's own clock; only Redis's clock is shared.
        self.clock: Callable[[], float] = time.monotonic
        self.mode = "fleet"  # "fleet", "grace" (Redis back or restarted) or "down"
        self.processes = 0  # the fleet size last seen (0: never reached Redis)
        self._fleet_seen = False  # whether that size came from a settled fleet
        self._last: tuple[_Reply, float] | None = None  # last answer and when it arrived
        self._share: tuple[Window, ...] = ()
        self._share_state = _State([])
        self._share_last = -math.inf  # our latest share slot (what the rejoin floor is after)
        self._next_probe = -math.inf
        self._epoch: str | None = None  # the shared state's epoch last seen
        self._offset: tuple[float, float, float] | None = None  # (rtt, server - ours, when)

    def __repr__(self) -> str:
        return f"RedisSharedLimit({self.coordinator.safe_url!r}, {self.state_key!r}, {self.mode})"

    def _call(
        self, windows: Sequence[Window], *, reserve: bool, rejoin: bool,
        floors: Sequence[float] | None,
    ) -> _Reply:
        args: list[Any] = [self.coordinator.member, HEARTBEAT_TTL, REJOIN_GRACE,
                           "1" if rejoin else "0", "1" if reserve else "0",
                           int(max(w.period for w in windows) * 2000) + 60_000, len(windows)]
        for i, w in enumerate(windows):
            floor = "" if floors is None or not math.isfinite(floors[i]) else f"{floors[i]:.6f}"
            args += [w.label, f"{w.emission_interval:.9f}", f"{w.tolerance:.9f}", floor]
        sent = self.clock()
        raw = self.coordinator.reserve_script(keys=[self.state_key, self.procs_key], args=args)
        back = self.clock()
        text = [v.decode() if isinstance(v, bytes) else v for v in raw]
        reply = _Reply(str(text[0]), float(text[1]), str(text[2]), int(text[3]), str(text[4]),
                       float(text[5]), int(text[6]), tuple(float(v) for v in text[7:]))
        self._sample_offset(reply.now, sent, back)
        return reply

    def _sample_offset(self, server_now: float, sent: float, back: float) -> None:
        """Track ``server clock - our clock`` from the quickest recent round trip.

        Why: the wait the script returns counts from the moment it ran. Adding it to a reading
        of our clock taken *after* the answer would shift the slot later by however long this
        process was descheduled in between — a late call bunched with the next process's
        on-time one. Placing the slot through the offset of the quickest round trip (the
        NTP idea) bounds the error by half that round trip (~0.1 ms on a LAN).
        """
        rtt = back - sent
        offset = server_now - (sent + back) / 2
        best = self._offset
        age = back - best[2] if best is not None else math.inf
        # A quicker sample always wins; an old one gives way to a comparable one (clock drift
        # is parts per million), and to any sample after a minute.
        if (best is None or rtt <= best[0] or age > 60.0
                or (age > _OFFSET_MAX_AGE and rtt <= 2 * best[0] + 0.001)):
            self._offset = (rtt, offset, back)

    def _local(self, server_time: float) -> float:
        """A server instant on our clock."""
        assert self._offset is not None
        return server_time - self._offset[1]

    def reserve(self, limiter: RateLimiter, now: float | None) -> tuple[float, str, float]:
        """The fleet's next slot. ``now`` is ignored while Redis answers: its clock decides."""
        windows = limiter.profile.windows
        if self.mode == "fleet":
            try:
                reply = self._call(windows, reserve=True, rejoin=False, floors=None)
            except _ERRORS as exc:
                self._go_down(windows, exc)
            else:
                at = self.clock()
                if self._epoch is not None and reply.epoch != self._epoch:
                    # The state our slots were committed in is gone (Redis restarted empty):
                    # share again, starting from the schedule we last knew, and rejoin with it
                    # as a floor so that nobody is scheduled over the slots still pending.
                    _log.warning("the fleet's rate-limit state at %s was lost; rejoining",
                                 self.coordinator.safe_url)
                    self._epoch = reply.epoch
                    self._enter_share(windows)
                    self.mode = "down"
                    self._next_probe = -math.inf
                    return self._reserve_share(windows, now)
                self._epoch = reply.epoch
                self._seen(reply, at)
                if reply.mode == "fleet":
                    # the slot is (server now + wait); say when "server now" was on our clock
                    return reply.wait, reply.bound, self._local(reply.now)
                _log.info("the fleet's rate limit at %s is settling (a process rejoined or "
                          "Redis restarted); using a local share for %.1fs",
                          self.coordinator.safe_url, REJOIN_GRACE)
                self._enter_share(windows)
                self.mode = "grace"
        return self._reserve_share(windows, now)

    def _reserve_share(
        self, windows: Sequence[Window], now: float | None
    ) -> tuple[float, str, float]:
        """A slot of the local share, or — when a probe finds the fleet resumed — of the fleet.

        The share slot is reserved tentatively and pushed as part of the floor in the same
        script call that asks for a fleet slot: if the fleet has resumed, the fleet slot comes
        after every share slot of ours (the tentative one included, which is dropped); if not,
        the share slot is kept and Redis already holds the floor after it. A share slot
        reserved first and pushed later could land within a window of fleet calls that other
        processes reserve in between.
        """
        at = self.clock() if now is None else now
        state = _State(list(self._share_state.tats), self._share_state.blocked_until)
        delay, bound = gcra_reserve(self._share, state, at)
        last = max(self._share_last, at + delay)
        if self.mode == "grace" or at >= self._next_probe:
            reply = self._probe(windows, at, state.tats, last)
            if reply is not None and reply.mode == "fleet":
                return reply.wait, reply.bound, self._local(reply.now)
        self._share_state = state
        self._share_last = last
        return delay, bound or "local share", at

    def _probe(
        self, windows: Sequence[Window], at: float, tats: Sequence[float], last: float
    ) -> _Reply | None:
        """Push our schedule as a floor and ask for a fleet slot; ``None`` if Redis is down.

        The floor of every window puts the fleet's first conforming slot one shortest period
        after ``last``, our latest share slot (the window's tolerance is added back, as the
        fleet may send that much before its theoretical arrival time), and no earlier than our
        share schedule ``tats`` for that window: the fleet resumes after the latest floor, so
        no window of the shortest period holds share calls and fleet calls. Every process
        pushes its floor with each reservation during the grace, which lasts longer than the
        probe interval, so the latest floor is in before the fleet resumes. The answer commits
        a fleet slot only if the grace is over.
        """
        period = min(w.period for w in windows)
        floors = [max(t, last + period + w.tolerance) - at
                  for t, w in zip(tats, windows, strict=True)]
        try:
            reply = self._call(windows, reserve=True, rejoin=self.mode == "down", floors=floors)
        except _ERRORS:
            self._next_probe = at + PROBE_INTERVAL
            return None
        grown = reply.processes > self.processes
        self._epoch = reply.epoch
        self._seen(reply, self.clock())
        if self.mode == "down":
            _log.warning("Redis at %s answers; rejoining the fleet's rate limit",
                         self.coordinator.safe_url)
            self.mode = "grace"
        if reply.mode == "fleet":
            self.mode = "fleet"
            _log.info("rejoined the fleet's rate limit at %s", self.coordinator.safe_url)
        elif grown:
            self._share = _share_of(windows, self.divisor)
        return reply

    def _seen(self, reply: _Reply, at: float) -> None:
        self._last = (reply, at)
        if self.mode == "fleet" and reply.mode == "fleet":
            self.processes = reply.processes
            self._fleet_seen = True
        else:  # while on a share, the divisor only grows
            self.processes = max(self.processes, reply.processes)

    @property
    def divisor(self) -> int:
        """How many processes share the key's limits when this one falls back: the fleet size
        last seen while settled, else (never settled: the heartbeat set may be incomplete after
        a restart) at least :data:`UNKNOWN_PROCESSES`."""
        if self._fleet_seen:
            return max(1, self.processes)
        return max(self.processes, UNKNOWN_PROCESSES)

    def _go_down(self, windows: Sequence[Window], exc: BaseException) -> None:
        n = self.divisor
        _log.warning(
            "Redis at %s unreachable (%s); limiting this process to 1/%d of the key's limits "
            "until it returns", self.coordinator.safe_url, type(exc).__name__, n)
        self._enter_share(windows)
        self.mode = "down"
        self._next_probe = self.clock() + PROBE_INTERVAL

    def _enter_share(self, windows: Sequence[Window]) -> None:
        """Start the local share one full window after the fleet's last send known here.

        The rule (both directions of a switch are kept a full window apart, so no sliding window
        of the shortest period holds fleet calls *and* share calls):

        * the fleet's last slot is taken from the last answer, moved on by the time since
          (``now + the schedule's lead then``): other processes kept reserving after that
          answer, and in a saturated fleet the schedule's lead stays what it was;
        * the first share call comes at least one shortest period after that slot, and no
          earlier in any window than the fleet's schedule for it (the longer windows continue
          the fleet's GCRA state; the shares add up to at most each limit);
        * on top of that, each process starts its rank in the fleet times the fleet's interval
          later, so processes that switch from similar views interleave (one call per fleet
          interval) instead of sending together — a delay only, which the rule allows.

        Why not start right after the fleet's slot, interleaved by rank (the former rule): the
        processes switch at different moments from different, stale views of the schedule, so
        a share call could land among the fleet calls still pending — 19 in under a second.
        """
        share = _share_of(windows, self.divisor)
        at = self.clock()
        tats = [at] * len(windows)
        if self._last is not None:
            reply, _arrived = self._last
            short = min(range(len(windows)), key=lambda i: windows[i].period)
            ahead = [at + reply.tats[i] if i < len(reply.tats) else at
                     for i in range(len(windows))]
            fleet_last = ahead[short] - windows[short].emission_interval
            start = max(at, fleet_last + windows[short].period)
            start += (reply.rank % self.divisor) * windows[short].emission_interval
            tats = [max(a, start) for a in ahead]
        self._share = share
        self._share_state = _State(tats)
        self._share_last = -math.inf

    def block_until(self, limiter: RateLimiter, until: float) -> bool:
        delay = until - self.clock()
        if delay <= 0:
            return True
        ttl = int(max(w.period for w in limiter.profile.windows) * 2000) + 60_000
        with contextlib.suppress(*_ERRORS):
            self.coordinator.block_script(keys=[self.state_key], args=[f"{delay:.6f}", ttl])
        # Keep it locally too: it covers the local share if Redis goes away.
        self._share_state.blocked_until = max(self._share_state.blocked_until, until)
        return True
