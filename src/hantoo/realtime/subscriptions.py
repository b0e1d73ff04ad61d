"""Subscriptions as desired state, and the limits that bound them.

The stream keeps the set of subscriptions the user *wants*; sessions come and go, and every
new session is told the whole set for its slot again. That is what makes reconnects boring.

Limits are data per environment (``LIMIT_PROFILES``), checked *before* anything is sent, so
the 42nd registration fails in the caller's hands with a clear message instead of as an
``OPSP0008`` that arrives later on a socket. With several app keys (a credentials pool), the
:class:`Planner` places each subscription in the first session slot with room, so capacity
grows with the pool.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from ..catalog import catalog
from ..errors import StreamError, SubscriptionLimitError
from .events import Subscription

__all__ = [
    "LIMIT_PROFILES",
    "Planner",
    "Slot",
    "WsLimits",
    "is_encrypted",
    "resolve_tr_id",
    "tr_kind",
]


@dataclass(frozen=True, slots=True)
class WsLimits:
    """WebSocket caps per app key (see kis-facts.md, "Limits").

    ``registrations_per_session`` is ``None`` when only the per-key total applies (real KIS).
    """

    sessions_per_key: int = 1
    registrations_per_key: int = 41
    registrations_per_session: int | None = None

    def session_cap(self) -> int:
        cap = self.registrations_per_key
        if self.registrations_per_session is not None:
            cap = min(cap, self.registrations_per_session)
        return cap


LIMIT_PROFILES: dict[str, WsLimits] = {
    "real": WsLimits(),
    "paper": WsLimits(),
    "sim": WsLimits(),
    # The original design document: 5 connections, 40 registrations each.
    "document": WsLimits(
        sessions_per_key=5, registrations_per_key=200, registrations_per_session=40
    ),
}

Slot = tuple[int, int]  # (index of the app key in the pool, session number for that key)


@functools.cache
def _stream_table() -> dict[str, tuple[str, str | None, bool, str]]:
    """tr_id (real and paper) → (catalogue key, paper tr_id, encrypted, kind)."""
    out: dict[str, tuple[str, str | None, bool, str]] = {}
    for api in catalog():
        s = api.stream
        if s is None:
            continue
        entry = (api.key, s.tr_paper, s.encrypted, _kind_of(api.key, s.encrypted))
        out[s.tr_id] = entry
        if s.tr_paper:
            out.setdefault(s.tr_paper, entry)
    return out


def _kind_of(key: str, encrypted: bool) -> str:
    name = key.split("/", 1)[1]
    if encrypted or "notice" in name:
        return "fill"
    if "asking_price" in name or "quote" in name:
        return "book"
    if "exp_ccnl" in name:
        return "expected"
    if name.startswith("index_") or "bond_index" in name:
        return "index"
    if "ccnl" in name or "conclusion" in name:
        return "trade"
    return "other"


def tr_kind(tr_id: str) -> str:
    """``trade`` | ``book`` | ``fill`` | ``expected`` | ``index`` | ``other`` (callback routing)."""
    entry = _stream_table().get(tr_id)
    return entry[3] if entry else "other"


def is_encrypted(tr_id: str) -> bool:
    entry = _stream_table().get(tr_id)
    return bool(entry and entry[2])


def resolve_tr_id(name: str, environment: str) -> str:
    """A TR ID or catalogue key (``domestic_stock/ccnl_krx``) → the TR ID for ``environment``.

    Paper trading swaps the notice TRs (``H0STCNI0`` → ``H0STCNI9``); everything else is the same.
    """
    table = _stream_table()
    tr_id = name
    if name not in table:
        for tr, entry in table.items():
            if entry[0] == name:
                tr_id = tr
                break
        else:
            raise StreamError(
                f"{name!r} is not a realtime TR ID or stream key",
                hint="see `hantoo api list --kind stream` for the 60 realtime TRs",
            )
    if environment == "paper":
        paper = table[tr_id][1]
        if paper:
            return paper
    return tr_id


class Planner:
    """Places subscriptions into session slots under the limits (first fit, stable)."""

    def __init__(self, n_keys: int, limits: WsLimits) -> None:
        if n_keys < 1:
            raise ValueError("at least one app key is needed")
        self.n_keys = n_keys
        self.limits = limits
        self._where: dict[Subscription, Slot] = {}
        self._per_slot: dict[Slot, dict[Subscription, None]] = {}
        self._per_key: list[int] = [0] * n_keys

    def __contains__(self, sub: object) -> bool:
        return sub in self._where

    def __len__(self) -> int:
        return len(self._where)

    @property
    def capacity(self) -> int:
        per_key = min(
            self.limits.registrations_per_key,
            self.limits.session_cap() * self.limits.sessions_per_key,
        )
        return per_key * self.n_keys

    def slot_of(self, sub: Subscription) -> Slot | None:
        return self._where.get(sub)

    def place(self, sub: Subscription) -> Slot:
        """The slot that will carry ``sub``; :class:`SubscriptionLimitError` when none has room."""
        if sub in self._where:
            return self._where[sub]
        cap = self.limits.session_cap()
        for k in range(self.n_keys):
            if self._per_key[k] >= self.limits.registrations_per_key:
                continue
            for s in range(self.limits.sessions_per_key):
                subs = self._per_slot.get((k, s), {})
                if len(subs) < cap:
                    self._per_slot.setdefault((k, s), {})[sub] = None
                    self._per_key[k] += 1
                    self._where[sub] = (k, s)
                    return (k, s)
        keys = "app key" if self.n_keys == 1 else f"{self.n_keys} app keys"
        raise SubscriptionLimitError(
            f"cannot subscribe {sub}: registration {len(self._where) + 1} is over the cap of "
            f"{self.capacity} for {keys} ({self.limits.registrations_per_key} per app key, "
            f"{self.limits.sessions_per_key} session(s) per key); nothing was sent"
        )

    def remove(self, sub: Subscription) -> Slot | None:
        slot = self._where.pop(sub, None)
        if slot is not None:
            self._per_slot[slot].pop(sub, None)
            self._per_key[slot[0]] -= 1
        return slot

    def in_slot(self, slot: Slot) -> list[Subscription]:
        return list(self._per_slot.get(slot, {}))

    def __iter__(self) -> Iterator[Subscription]:
        return iter(self._where)
