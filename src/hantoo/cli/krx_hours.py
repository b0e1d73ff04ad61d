"""KRX trading hours, for telling a refused order what *would* be taken now.

Why here: when KRX refuses an order because the session does not take it, the generic advice
("use an off-hours order type") is wrong at 19:00 or on a Sunday, when nothing is open. The
command knows the clock of the market it talks to (the simulator's own clock, or KST for KIS),
so it can name what is open now, or when the market opens next.

The timetable is KRX's (the simulator follows the same one, ``hantoo.sim.engine.sessions``):
pre-market at the previous close 08:30–08:40, opening call auction 08:30–09:00, regular session
09:00–15:20, closing call auction 15:20–15:30, post-market at the close 15:40–16:00, after-hours
single price 16:00–18:00. Public holidays are not known here: "the next weekday" is said then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.kst import KST

if TYPE_CHECKING:
    from ..client import Client


@dataclass(frozen=True)
class Session:
    start: dt.time
    end: dt.time
    name: str
    types: tuple[str, ...]  # values of ``--type`` this session takes


SESSIONS: tuple[Session, ...] = (
    Session(dt.time(8, 30), dt.time(8, 40), "pre-market at the previous close", ("pre_market",)),
    Session(dt.time(8, 30), dt.time(9, 0), "opening call auction",
            ("limit", "market", "conditional")),
    Session(dt.time(9, 0), dt.time(15, 20), "regular session",
            ("limit", "market", "conditional", "best", "priority")),
    Session(dt.time(15, 20), dt.time(15, 30), "closing call auction", ("limit", "market")),
    Session(dt.time(15, 40), dt.time(16, 0), "post-market at the close", ("post_market",)),
    Session(dt.time(16, 0), dt.time(18, 0), "after-hours single price",
            ("after_hours_single_price",)),
)


def open_sessions(now: dt.datetime) -> list[Session]:
    """The sessions taking orders at ``now`` (KST); none on a weekend."""
    local = now.astimezone(KST)
    if local.weekday() >= 5:
        return []
    t = local.time()
    return [s for s in SESSIONS if s.start <= t < s.end]


def closed_hint(now: dt.datetime) -> str:
    """What to do when KRX refused an order for its session: what is open now, or when the
    next session opens."""
    local = now.astimezone(KST)
    stamp = local.strftime("%a %H:%M KST")
    sessions = open_sessions(local)
    if sessions:
        offers = "; ".join(f"{s.name} until {s.end:%H:%M} takes --type {'|'.join(s.types)}"
                           for s in sessions)
        return f"now ({stamp}): {offers}"
    t = local.time()
    weekday = local.weekday() < 5
    if weekday and t < SESSIONS[0].start:
        return (f"KRX takes no orders now ({stamp}); it opens at 08:30 today (pre-market and "
                "the opening auction), the regular session at 09:00")
    later = [s for s in SESSIONS if s.start > t] if weekday else []
    if later:
        nxt = later[0]
        return (f"KRX takes no orders now ({stamp}); the {nxt.name} opens at {nxt.start:%H:%M} "
                f"(--type {'|'.join(nxt.types)})")
    return (f"KRX takes no orders now ({stamp}); it opens at 08:30 on the next weekday "
            "(the regular session at 09:00)")


def market_now(client: Client) -> dt.datetime:
    """The time of the market the client talks to: the simulator's clock, else KST now."""
    from ..config import REST_URLS

    settings = client.settings
    if settings.environment == "sim":
        if settings.base_url == REST_URLS["sim"]:
            from .._core.embedded import embedded_sim

            now: dt.datetime = embedded_sim().state.clock.now()
            return now
        import httpx

        try:
            reply = httpx.get(f"{settings.base_url.rstrip('/')}/_sim/clock", timeout=5)
            return dt.datetime.fromisoformat(reply.json()["now"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            pass  # another server: fall back to the wall clock
    return dt.datetime.now(KST)
