"""What a realtime stream yields besides data.

Data events are the typed records themselves (``StreamRecord`` subclasses from
``hantoo._generated.streams``): wrapping each of hundreds of thousands of records per second in
another object would cost more than decoding them. Everything else — connection state,
subscription outcomes, decode problems and the all-important :class:`Gap` — is one of the small
frozen classes below, so ``match``/``isinstance`` tells them apart.

KIS frames carry no sequence numbers: whatever happened while a session was down is lost. A
:class:`Gap` after every reconnect is the signal to re-query state over REST (open orders,
fills, balances, a quote snapshot); pass ``on_gap=`` / ``resync=`` to have it done for you.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from .._core.wire import StreamRecord

__all__ = [
    "Connected",
    "ControlEvent",
    "Disconnected",
    "Event",
    "FrameError",
    "Gap",
    "Reconnecting",
    "Subscribed",
    "Subscription",
    "SubscriptionRejected",
    "Unsubscribed",
]


@dataclass(frozen=True, slots=True, order=True)
class Subscription:
    """One registration: a TR ID and its key (a symbol, or the HTS ID for notices)."""

    tr_id: str
    tr_key: str

    def __str__(self) -> str:
        return f"{self.tr_id}:{self.tr_key}"


@dataclass(frozen=True, slots=True)
class Connected:
    """A session is open and its subscriptions were (re)sent. ``session`` numbers sessions."""

    session: int
    reconnect: bool


@dataclass(frozen=True, slots=True)
class Disconnected:
    """A session's socket closed; a reconnect follows unless the stream is closing."""

    session: int
    reason: str


@dataclass(frozen=True, slots=True)
class Reconnecting:
    """The next connection attempt for a session starts after ``delay`` seconds."""

    session: int
    attempt: int
    delay: float


@dataclass(frozen=True, slots=True)
class Gap:
    """Data may have been missed between ``since`` and ``until`` (Unix seconds): resync.

    Emitted once per reconnect, after the subscriptions were re-applied, listing them.
    """

    session: int
    subscriptions: tuple[Subscription, ...]
    since: float
    until: float


@dataclass(frozen=True, slots=True)
class Subscribed:
    """The server confirmed a registration."""

    subscription: Subscription
    encrypted: bool


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    """The server confirmed a removal."""

    subscription: Subscription


@dataclass(frozen=True, slots=True)
class SubscriptionRejected:
    """The server refused a registration (``msg_cd`` e.g. ``OPSP0008`` MAX SUBSCRIBE OVER)."""

    subscription: Subscription
    msg_cd: str
    message: str


@dataclass(frozen=True, slots=True)
class FrameError:
    """A message that could not be read; the stream carried on. ``excerpt`` is its start."""

    session: int
    reason: str
    tr_id: str
    excerpt: str


ControlEvent: TypeAlias = (
    Connected
    | Disconnected
    | Reconnecting
    | Gap
    | Subscribed
    | Unsubscribed
    | SubscriptionRejected
    | FrameError
)
Event: TypeAlias = StreamRecord | ControlEvent
