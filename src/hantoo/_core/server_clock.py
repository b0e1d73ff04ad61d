"""The server's idea of *now*, learnt from the ``Date`` header of its answers.

Why: several workflows need "today" as the broker sees it — the day an order was placed, the
range of today's fills, the window a reconciliation searches. Against KIS that is the KST date
of this machine's clock (give or take a second). Against the simulator it is the simulator's own
trading day, which may be any date of any year (tests pin it; ``--clock`` chooses it), and a
workflow that asked the machine for today would look for its fills on the wrong day.

Every HTTP answer carries ``Date`` (RFC 9110), and the simulator stamps it from its own clock.
The offset between that stamp and the local arrival time is kept; ``now()`` is local time plus
the latest offset. Offsets below :data:`_NOISE` are the header's one-second resolution and the
network, and are ignored, so against KIS nothing changes. Until the first answer arrives the
local clock is used.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time
from collections.abc import Callable, Mapping
from typing import Final

from ..domain.kst import KST

__all__ = ["ServerClock"]

#: Offsets smaller than this are the header's resolution plus network time, not another clock.
_NOISE: Final = 5.0


class ServerClock:
    """Local time shifted by the offset last observed in a server's ``Date`` header."""

    __slots__ = ("_clock", "_known", "_lock", "_offset")

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._offset = 0.0
        self._known = False
        self._lock = threading.Lock()

    @property
    def known(self) -> bool:
        """Whether an answer with a ``Date`` has been seen (else ``now()`` is the local clock)."""
        return self._known

    @property
    def offset(self) -> float:
        """Server clock minus local clock, in seconds (0 until a distant clock is seen)."""
        return self._offset

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn from one answer's headers (lower-cased names); a missing or bad header is
        ignored."""
        stamp = headers.get("date")
        if not stamp:
            return
        try:
            server = email.utils.parsedate_to_datetime(stamp)
        except (TypeError, ValueError):
            return
        if server.tzinfo is None:
            return
        offset = server.timestamp() - self._clock()
        with self._lock:
            self._offset = offset if abs(offset) >= _NOISE else 0.0
            self._known = True

    def now(self) -> dt.datetime:
        """The server's current time, in KST."""
        return dt.datetime.fromtimestamp(self._clock() + self._offset, KST)

    def today(self) -> dt.date:
        """The server's current KST date: the broker's (or simulator's) "today"."""
        return self.now().date()

    def __repr__(self) -> str:
        return f"ServerClock(offset={self._offset:+.0f}s)"
