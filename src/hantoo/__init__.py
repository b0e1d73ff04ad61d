"""hantoo — the Python toolkit for the Korea Investment & Securities (KIS) Open API.

* :class:`Client` / :class:`AsyncClient` — every KIS REST API, typed, with tokens, limits,
  retries and order safety built in; ``environment="sim"`` (the default) talks to the embedded
  simulator, so nothing here needs credentials to try.
* :mod:`hantoo.errors` — the exception tree.
* :mod:`hantoo.catalog` — every API as data.
"""

from __future__ import annotations

from . import errors
from .client import AsyncClient, Client
from .config import Settings
from .errors import (
    ApiError,
    HantooError,
    OrderStateUnknownError,
    RateLimitError,
)

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "AsyncClient",
    "Client",
    "HantooError",
    "OrderStateUnknownError",
    "RateLimitError",
    "Settings",
    "__version__",
    "errors",
]
