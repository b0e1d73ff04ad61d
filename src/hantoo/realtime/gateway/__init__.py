"""The realtime gateway: one process holds a key pool's KIS WebSocket sessions; many consumers
read its records through Redis Streams (see ``docs/gateway.md``).

* :class:`Gateway` — the process side (``hantoo gateway --coordinator redis://…``).
* :class:`GatewayFeed` — the consumer side, used by :class:`~hantoo.realtime.RealtimeStream`
  when ``gateway=`` or ``HANTOO_REALTIME_GATEWAY`` is set.

Importing this package needs the ``redis`` package (``pip install 'hantoo[redis]'``).
"""

from __future__ import annotations

from .feed import ENV_VAR, GatewayFeed
from .protocol import DEFAULT_POOL, GatewayKeys, split_gateway_url
from .server import Gateway, GatewayStats

__all__ = [
    "DEFAULT_POOL",
    "ENV_VAR",
    "Gateway",
    "GatewayFeed",
    "GatewayKeys",
    "GatewayStats",
    "split_gateway_url",
]
