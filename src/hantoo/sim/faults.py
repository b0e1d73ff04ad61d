"""Fault injection: the failures a KIS client must survive, on demand and reproducibly.

Knobs (:class:`FaultConfig`; set at start through ``SimConfig.faults``, at run time through
``POST /_sim/faults`` with a JSON object of the same names, or ``state.faults.update(...)``):

``latency_ms`` / ``jitter_ms``
    added delay (uniform jitter on top); ``latency_at`` says where: ``"before"`` (default) holds
    the request before it is read, so a client that times out has executed nothing;
    ``"after"`` runs and commits the request first and holds the *answer*, so a client that
    times out has an order that executed ("timed out, but executed").
``late_rate`` / ``next_late`` with ``late_ms``
    share of calls (or the next *n*) that **run and commit**, then answer only after
    ``late_ms`` (default 5000): the answer arrives after a client's timeout, the commonest real
    unknown outcome of an order.
``error_rate``
    share of calls answered HTTP 500 ``EGW00301`` (the gateway-timeout body) *without* running
    the handler.
``drop_rate``
    share of calls whose handler **runs and commits**, after which the connection is dropped and
    no response is sent: the "unknown outcome" of an order.
``reset_rate``
    share of calls whose connection is reset **before** anything runs.
``maintenance``
    every API call answers ``SIM00503`` (HTTP 503); ``maintenance_window`` ``("HH:MM", "HH:MM")``
    does the same daily on the simulator clock (KST), wrapping midnight if needed.
``next_error`` / ``next_drop`` / ``next_reset`` / ``next_late``
    deterministic one-shots: the next *n* matching calls get that fault (tests use these).
``apis``
    which calls faults apply to: catalogue keys (``"domestic_stock/order_cash"``) or kinds
    (``"kind:order"``); empty = every API call (never the ``/_sim`` control endpoints or
    ``/oauth2`` token endpoints, so a test can always repair the server).

The rate limit counts a call when it arrives, before any injected delay, as KIS's gateway does:
a slow server never lets a burst through late.

Token revocation is a one-shot action, not a knob: ``POST /_sim/faults {"revoke_tokens": "*"}`` or
``state.auth.revoke_all(app_key)``.

Draws come from ``random.Random(seed)``, so a run with the same seed and the same request
sequence fails the same calls; counters say what happened (``GET /_sim/faults``).

How a dropped/reset connection surfaces:

* over a real socket (uvicorn), the server closes the TCP connection without writing a byte
  (drop: orderly close, the client sees "server disconnected without sending a response"; reset:
  abort with RST, the client sees a connection reset);
* in-process over ASGI (``httpx.ASGITransport``), the app raises :class:`ResponseDropped` /
  :class:`ConnectionReset` — both subclasses of the built-in :class:`ConnectionError`.
  ``hantoo._core.inprocess`` turns ``ConnectionError`` into :class:`httpx.RemoteProtocolError`;
  with a bare ``httpx.ASGITransport`` the exception reaches the caller as it is.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

__all__ = ["ConnectionReset", "FaultConfig", "Faults", "PreFault", "ResponseDropped"]


class ResponseDropped(ConnectionError):
    """The request was executed; the response is deliberately never sent."""


class ConnectionReset(ConnectionResetError):
    """The connection is reset before the request is executed."""


@dataclass(frozen=True)
class FaultConfig:
    latency_ms: int = 0
    jitter_ms: int = 0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    reset_rate: float = 0.0
    maintenance: bool = False
    maintenance_window: tuple[str, str] | None = None
    next_error: int = 0
    next_drop: int = 0
    next_reset: int = 0
    apis: tuple[str, ...] = field(default_factory=tuple)
    latency_at: str = "before"
    late_rate: float = 0.0
    next_late: int = 0
    late_ms: int = 5_000

    def validated(self) -> FaultConfig:
        for name in ("error_rate", "drop_rate", "reset_rate", "late_rate"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or isinstance(v, bool) or not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be a number between 0 and 1")
        for name in ("latency_ms", "jitter_ms", "next_error", "next_drop", "next_reset",
                     "next_late", "late_ms"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ValueError(f"{name} must be a non-negative integer")
        if self.latency_at not in ("before", "after"):
            raise ValueError(
                'latency_at must be "before" (hold the request: nothing executes if the client '
                'gives up) or "after" (execute, then hold the answer)'
            )
        if not isinstance(self.maintenance, bool):
            raise ValueError("maintenance must be true or false")
        w = self.maintenance_window
        if w is not None and (len(w) != 2 or not all(_hhmm(x) is not None for x in w)):
            raise ValueError('maintenance_window must be ["HH:MM", "HH:MM"]')
        if not all(isinstance(a, str) for a in self.apis):
            raise ValueError("apis must be a list of strings")
        return self


def _hhmm(text: Any) -> int | None:
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        return None
    h, m = text[:2], text[3:]
    if not (h.isdigit() and m.isdigit()) or int(h) > 23 or int(m) > 59:
        return None
    return int(h) * 60 + int(m)


PreFault = Literal["reset", "error", "maintenance"]


class Faults:
    """The fault state of one simulator: knobs, a seeded RNG, counters."""

    def __init__(self, config: FaultConfig | None = None, *, seed: int = 0) -> None:
        self.config = (config or FaultConfig()).validated()
        self._rng = random.Random(f"hantoo-sim-faults|{seed}")
        self.counters: dict[str, int] = {
            "latency": 0, "error": 0, "drop": 0, "reset": 0, "maintenance": 0, "late": 0,
        }

    @property
    def active(self) -> bool:
        """False when no knob is set (the hot path then skips every check)."""
        c = self.config
        return bool(
            c.latency_ms or c.jitter_ms or c.error_rate or c.drop_rate or c.reset_rate
            or c.maintenance or c.maintenance_window or c.next_error or c.next_drop
            or c.next_reset or c.late_rate or c.next_late
        )

    def update(self, **changes: Any) -> FaultConfig:
        """Change some knobs (names as :class:`FaultConfig`); unknown names are an error."""
        known = {f.name for f in fields(FaultConfig)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown fault knob(s): {', '.join(unknown)}; known: {sorted(known)}")
        if "maintenance_window" in changes and changes["maintenance_window"] is not None:
            changes["maintenance_window"] = tuple(changes["maintenance_window"])
        if "apis" in changes:
            changes["apis"] = tuple(changes["apis"] or ())
        self.config = replace(self.config, **changes).validated()
        return self.config

    def clear(self) -> None:
        self.config = FaultConfig()

    def snapshot(self) -> dict[str, Any]:
        return {"config": asdict(self.config), "counters": dict(self.counters)}

    def applies(self, api_key: str, kind: str) -> bool:
        apis = self.config.apis
        return not apis or api_key in apis or f"kind:{kind}" in apis

    def in_maintenance(self, minute_of_day: int) -> bool:
        c = self.config
        if c.maintenance:
            return True
        if c.maintenance_window is None:
            return False
        start, end = (_hhmm(x) for x in c.maintenance_window)
        assert start is not None and end is not None
        if start <= end:
            return start <= minute_of_day < end
        return minute_of_day >= start or minute_of_day < end

    def delay_s(self, at: str = "before") -> float:
        """The injected latency to apply at ``at`` (``before``/``after`` execution), if any."""
        c = self.config
        if not (c.latency_ms or c.jitter_ms) or c.latency_at != at:
            return 0.0
        self.counters["latency"] += 1
        jitter = self._rng.uniform(0, c.jitter_ms) if c.jitter_ms else 0.0
        return (c.latency_ms + jitter) / 1000.0

    def _draw(self, one_shot: str, rate: float) -> bool:
        left = getattr(self.config, one_shot)
        if left:
            self.config = replace(self.config, **{one_shot: left - 1})
            return True
        return bool(rate) and self._rng.random() < rate

    def before(self, minute_of_day: int) -> PreFault | None:
        """The fault to apply before executing a call, if any (counted)."""
        c = self.config
        if self.in_maintenance(minute_of_day):
            self.counters["maintenance"] += 1
            return "maintenance"
        if self._draw("next_reset", c.reset_rate):
            self.counters["reset"] += 1
            return "reset"
        if self._draw("next_error", c.error_rate):
            self.counters["error"] += 1
            return "error"
        return None

    def late_s(self) -> float:
        """Seconds to hold the answer of a call that has just executed (counted), or 0."""
        if self._draw("next_late", self.config.late_rate):
            self.counters["late"] += 1
            return self.config.late_ms / 1000.0
        return 0.0

    def drop_after(self) -> bool:
        """Whether to drop the response of a call that has just executed (counted)."""
        if self._draw("next_drop", self.config.drop_rate):
            self.counters["drop"] += 1
            return True
        return False
