"""What a bulk download returns: one :class:`SymbolResult` per symbol and a summary.

Why per-symbol results rather than one exception: a job over 2,000 symbols must not lose 1,999
symbols' data because one code is unknown or one server answer was bad. Each symbol carries
whether it is complete and, if not, why; the summary lists the incomplete ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.objects import Candles

__all__ = ["Download", "DownloadProgress", "DownloadSummary", "SymbolResult"]


@dataclass(frozen=True, slots=True)
class SymbolResult:
    """One symbol's outcome.

    ``candles`` holds the bars (oldest first) unless the job streamed them to ``path`` (then
    ``None``: a 2,000-symbol job keeps no history in memory). ``complete`` is ``False`` when an
    error or the page cap stopped paging; ``error`` then says why, and whatever arrived before
    is kept. ``skipped``: already on disk from an earlier run, nothing fetched.
    """

    symbol: str
    interval: str
    start: dt.date
    end: dt.date
    rows: int = 0
    pages: int = 0
    retries: int = 0
    complete: bool = True
    error: str | None = None
    error_code: str | None = None
    candles: Candles | None = field(default=None, repr=False)
    path: Path | None = None
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.complete and self.error is None


@dataclass(frozen=True, slots=True)
class DownloadSummary:
    """Totals of one job. ``pages`` counts answered API calls, ``requests`` every HTTP attempt
    (token requests excluded); ``retries`` counts repeated attempts; ``rate_limited`` counts
    ``EGW00201`` refusals seen."""

    symbols: int
    completed: int
    failed: int
    skipped: int
    rows: int
    pages: int
    requests: int
    retries: int
    rate_limited: int
    elapsed: float
    limit_per_second: float | None
    incomplete: Mapping[str, str]

    @property
    def calls_per_second(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def limit_utilisation(self) -> float | None:
        """Share of the per-second limit the job sustained (``None`` without a limiter)."""
        if not self.limit_per_second:
            return None
        return self.calls_per_second / self.limit_per_second

    def as_dict(self) -> dict[str, object]:
        return {
            "symbols": self.symbols, "completed": self.completed, "failed": self.failed,
            "skipped": self.skipped, "rows": self.rows, "pages": self.pages,
            "requests": self.requests, "retries": self.retries,
            "rate_limited": self.rate_limited, "elapsed_s": round(self.elapsed, 3),
            "calls_per_second": round(self.calls_per_second, 2),
            "limit_per_second": self.limit_per_second,
            "incomplete": dict(self.incomplete),
        }


@dataclass(frozen=True, slots=True)
class Download(Mapping[str, SymbolResult]):
    """Results by symbol code (in the order asked) and the :class:`DownloadSummary`."""

    results: Mapping[str, SymbolResult]
    summary: DownloadSummary

    def __getitem__(self, symbol: str) -> SymbolResult:
        return self.results[symbol]

    def __iter__(self) -> Iterator[str]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    @property
    def ok(self) -> bool:
        """Every symbol complete and error-free."""
        return all(r.ok for r in self.results.values())

    def failed(self) -> list[SymbolResult]:
        return [r for r in self.results.values() if not r.ok]


@dataclass(frozen=True, slots=True)
class DownloadProgress:
    """A snapshot for progress bars (sent a few times a second and after each symbol)."""

    symbols_done: int
    symbols_total: int
    rows: int
    requests: int
    elapsed: float
    calls_per_second: float
    limit_per_second: float | None

    @property
    def eta(self) -> float | None:
        """Seconds left, from the symbols' completion rate so far."""
        if self.symbols_done <= 0 or self.elapsed <= 0:
            return None
        left = self.symbols_total - self.symbols_done
        return left * self.elapsed / self.symbols_done
