"""Realtime (WebSocket) market data and order notices for the KIS protocol.

* :class:`RealtimeStream` — asyncio: ``async for event in stream`` and callbacks.
* :class:`Stream` — the same, blocking, backed by a private event-loop thread.
* Events: typed records (one class per TR, ``hantoo._generated.streams``) and the control
  events in :mod:`hantoo.realtime.events` — above all :class:`Gap`, sent after every reconnect.
* :class:`Credentials` — several of them form a pool; subscriptions beyond one app key's cap
  spread across the others.

Importing this package does no I/O.
"""

from __future__ import annotations

from .approval import ApprovalKeyProvider, Credentials, HttpApprovalKeys, TokenManagerApprovalKeys
from .events import (
    Connected,
    ControlEvent,
    Disconnected,
    Event,
    FrameError,
    Gap,
    Reconnecting,
    Subscribed,
    Subscription,
    SubscriptionRejected,
    Unsubscribed,
)
from .queue import EventQueue, Policy
from .stream import DEFAULT_RECONNECT, RealtimeStream, StreamStats
from .subscriptions import LIMIT_PROFILES, WsLimits, tr_kind
from .sync import Stream

__all__ = [
    "DEFAULT_RECONNECT",
    "LIMIT_PROFILES",
    "ApprovalKeyProvider",
    "Connected",
    "ControlEvent",
    "Credentials",
    "Disconnected",
    "Event",
    "EventQueue",
    "FrameError",
    "Gap",
    "HttpApprovalKeys",
    "Policy",
    "RealtimeStream",
    "Reconnecting",
    "Stream",
    "StreamStats",
    "Subscribed",
    "Subscription",
    "SubscriptionRejected",
    "TokenManagerApprovalKeys",
    "Unsubscribed",
    "WsLimits",
    "tr_kind",
]
