"""Whole-market data jobs at the speed of the rate limit.

``client.download(symbols, start, end, interval)`` pages every symbol's history concurrently under
the client's one rate limiter, keeps enough requests in flight to cover the round trip, and
returns one typed result per symbol plus a summary; with ``out=DIR`` it streams each symbol to
its own Parquet/CSV file and resumes a killed job where it stopped. ``client.quotes(symbols)``
prices hundreds of symbols with the 30-symbol ``intstock_multprice`` call.

Layout: :mod:`.flows` (per-symbol paging, sans-I/O), :mod:`.engine` (the one async engine the
sync client also drives), :mod:`.results` (typed results), :mod:`.store` (resumable exports),
:mod:`.universe` (symbols from lists, files, markets and master files), :mod:`.quotes`.
"""

from __future__ import annotations

from .results import Download, DownloadProgress, DownloadSummary, SymbolResult
from .universe import Listing, Universe

__all__ = [
    "Download",
    "DownloadProgress",
    "DownloadSummary",
    "Listing",
    "SymbolResult",
    "Universe",
]
