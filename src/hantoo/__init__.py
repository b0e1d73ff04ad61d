"""hantoo — the Python toolkit for the Korea Investment & Securities (KIS) Open API."""

from __future__ import annotations

__version__ = "0.1.0"
