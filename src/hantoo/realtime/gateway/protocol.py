"""What the gateway and its consumers agree on in Redis: key names, entry fields, scripts.

Everything lives under ``hantoo:gw:<pool>:`` so several key pools can share one Redis:

* ``lease`` — the leader lease (``SET NX PX``): only the gateway holding it runs sessions.
* ``info`` — a hash the leader publishes: ``keys`` (pool size), ``cap`` (registrations per
  key), ``ttl`` (consumer heartbeat TTL, ms), ``epoch`` (bumped at every takeover) and
  ``alive`` (its last renewal, Unix seconds).
* ``want`` — the desired state: ``<tr_id>:<tr_key>`` → reference count over all consumers.
* ``held:<consumer>`` — the subscriptions one consumer holds (a set), so its share can be
  released when it leaves or dies.
* ``consumers`` — a sorted set: consumer id → last heartbeat (Redis server milliseconds).
  The leader reaps consumers silent for longer than their TTL.
* ``version`` — bumped on every change of ``want``; the leader polls it.
* ``s:<tr_id>:<tr_key>`` — one Redis Stream per registration (``XADD … MAXLEN ~ N``).

A stream entry is either data — ``f`` (one clear KIS data frame, ``0|TR|NNN|payload``, decoded
by the consumer with the same :func:`~hantoo.realtime.frames.decode_data` as a direct session),
``t`` (gateway-in time), ``e`` (epoch) and ``n`` (records written to this stream in this epoch,
this entry included) — or a marker (``m``: ``restart`` or ``reconnect``, with ``since`` and
``until``) telling consumers that records may be missing: they turn it into a
:class:`~hantoo.realtime.events.Gap`. ``n`` makes trimming detectable: a consumer that finds
``n`` larger than it expects lost exactly the difference.

The scripts make admission and release atomic, so the registration cap cannot be overrun by
two consumers subscribing at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..events import Subscription

__all__ = [
    "ACQUIRE",
    "DEFAULT_POOL",
    "HEARTBEAT",
    "LEAVE",
    "REAP",
    "RELEASE",
    "RENEW",
    "RESIGN",
    "GatewayKeys",
    "connect",
    "split_gateway_url",
    "sub_field",
    "sub_of_field",
]

DEFAULT_POOL: Final = "default"


def split_gateway_url(url: str) -> tuple[str, str]:
    """``redis://host:port/db?pool=name`` → (the Redis URL without ``pool``, the pool name)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("redis", "rediss", "unix"):
        raise ValueError(
            f"a realtime gateway is reached through Redis: use redis://host:port/db "
            f"(optionally ?pool=NAME), not {parts.scheme or url!r}"
        )
    query = parse_qsl(parts.query, keep_blank_values=True)
    pool = DEFAULT_POOL
    rest = []
    for k, v in query:
        if k == "pool":
            pool = v or DEFAULT_POOL
        else:
            rest.append((k, v))
    return parts._replace(query=urlencode(rest)).geturl(), pool


def connect(url: str, **options: Any) -> Any:
    """An asyncio Redis client. Typed ``Any``: redis-py's annotations mix its sync and async
    return types, which strict typing cannot use."""
    import redis.asyncio as aioredis

    return aioredis.Redis.from_url(url, **options)


def sub_field(sub: Subscription) -> str:
    return f"{sub.tr_id}:{sub.tr_key}"


def sub_of_field(field: str | bytes) -> Subscription:
    text = field.decode() if isinstance(field, bytes) else field
    tr_id, _, tr_key = text.partition(":")
    return Subscription(tr_id, tr_key)


@dataclass(frozen=True, slots=True)
class GatewayKeys:
    """The Redis key names of one key pool."""

    pool: str

    @property
    def prefix(self) -> str:
        return f"hantoo:gw:{self.pool}"

    @property
    def lease(self) -> str:
        return f"{self.prefix}:lease"

    @property
    def info(self) -> str:
        return f"{self.prefix}:info"

    @property
    def want(self) -> str:
        return f"{self.prefix}:want"

    @property
    def consumers(self) -> str:
        return f"{self.prefix}:consumers"

    @property
    def version(self) -> str:
        return f"{self.prefix}:version"

    def held(self, consumer: str) -> str:
        return f"{self.prefix}:held:{consumer}"

    def stream(self, sub: Subscription) -> str:
        return f"{self.prefix}:s:{sub.tr_id}:{sub.tr_key}"


#: Consumer subscribes. KEYS: want, held, consumers, info, version. ARGV: consumer id, fields.
#: All or nothing: refused when the distinct registrations would pass ``keys * cap``.
#: Returns {status, keys, cap, total, server ms, consumer TTL ms}; status 0 ok, -1 no gateway
#: info, -2 over cap.
ACQUIRE: Final = """
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local keys = tonumber(redis.call('HGET', KEYS[4], 'keys') or '0')
local cap = tonumber(redis.call('HGET', KEYS[4], 'cap') or '0')
local ttl = tonumber(redis.call('HGET', KEYS[4], 'ttl') or '15000')
if keys == 0 then return {-1, 0, 0, 0, ms, ttl} end
local fresh = {}
local seen = {}
local new = 0
for i = 2, #ARGV do
  local s = ARGV[i]
  if not seen[s] and redis.call('SISMEMBER', KEYS[2], s) == 0 then
    seen[s] = true
    fresh[#fresh + 1] = s
    if tonumber(redis.call('HGET', KEYS[1], s) or '0') <= 0 then new = new + 1 end
  end
end
local total = redis.call('HLEN', KEYS[1])
if total + new > keys * cap then return {-2, keys, cap, total, ms, ttl} end
for _, s in ipairs(fresh) do
  redis.call('HINCRBY', KEYS[1], s, 1)
  redis.call('SADD', KEYS[2], s)
end
redis.call('ZADD', KEYS[3], ms, ARGV[1])
if #fresh > 0 then redis.call('INCR', KEYS[5]) end
return {0, keys, cap, total + new, ms, ttl}
"""

#: Consumer unsubscribes. KEYS: want, held, version. ARGV: fields. Returns how many released.
RELEASE: Final = """
local n = 0
for i = 1, #ARGV do
  if redis.call('SREM', KEYS[2], ARGV[i]) == 1 then
    n = n + 1
    if redis.call('HINCRBY', KEYS[1], ARGV[i], -1) <= 0 then
      redis.call('HDEL', KEYS[1], ARGV[i])
    end
  end
end
if n > 0 then redis.call('INCR', KEYS[3]) end
return n
"""

#: Consumer leaves (or is reaped). KEYS: want, held, consumers, version. ARGV: consumer id.
LEAVE: Final = """
local subs = redis.call('SMEMBERS', KEYS[2])
for _, s in ipairs(subs) do
  if redis.call('HINCRBY', KEYS[1], s, -1) <= 0 then redis.call('HDEL', KEYS[1], s) end
end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
if #subs > 0 then redis.call('INCR', KEYS[4]) end
return #subs
"""

#: Consumer heartbeat. KEYS: consumers. ARGV: consumer id. 0 when it was reaped meanwhile.
HEARTBEAT: Final = """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
return 1
"""

#: Leader reaps silent consumers. KEYS: want, consumers, version. ARGV: TTL ms, held prefix.
#: (It touches ``held:<id>`` keys it computes: fine on one Redis server, not on a cluster.)
REAP: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[1]))
local released = 0
for _, c in ipairs(dead) do
  local held = ARGV[2] .. c
  for _, s in ipairs(redis.call('SMEMBERS', held)) do
    released = released + 1
    if redis.call('HINCRBY', KEYS[1], s, -1) <= 0 then redis.call('HDEL', KEYS[1], s) end
  end
  redis.call('DEL', held)
  redis.call('ZREM', KEYS[2], c)
end
if released > 0 then redis.call('INCR', KEYS[3]) end
return #dead
"""

#: Leader renews its lease. KEYS: lease. ARGV: owner, ms. 0 when the lease is no longer ours.
RENEW: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

#: Leader steps down (clean shutdown): the standby takes over at once. KEYS: lease. ARGV: owner.
RESIGN: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
