"""Shared helpers for the realtime tests (fixtures live in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

from hantoo._core.backoff import RetryPolicy
from hantoo.realtime import Credentials, RealtimeStream
from hantoo.sim.ws import RealtimeHub

FAST = RetryPolicy(max_attempts=1_000_000, base=0.02, cap=0.2, jitter="full")


def creds(n: int = 0) -> Credentials:
    return Credentials(f"PSTEST{n:030d}", "s" * 180)


@dataclass
class Sim:
    hub: RealtimeHub
    base_url: str
    ws_url: str

    def stream(self, *credentials: Credentials, **kw: object) -> RealtimeStream:
        kw.setdefault("reconnect", FAST)
        kw.setdefault("seed", 7)
        return RealtimeStream(
            list(credentials) or [creds()],
            ws_url=self.ws_url,
            base_url=self.base_url,
            environment="sim",
            **kw,  # type: ignore[arg-type]
        )
