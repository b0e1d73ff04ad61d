"""Paging through KIS continuation, without I/O.

KIS pages with a response header and body cursors: a response whose ``tr_cont`` header is ``F``
or ``M`` has more pages; the next request repeats the parameters with header ``tr_cont: N`` and
the cursors the body returned (``ctx_area_fk100`` → ``CTX_AREA_FK100``, ...). ``D``/``E`` (or
no header) ends it.

:class:`Pager` holds that state and the safety rules, so the sync and async iterators in the
clients are thin loops:

* a cursor the server already sent once ends the loop with :class:`PaginationError` instead of
  looping forever;
* ``SYDB0050`` (the data changed while paging) restarts from the first page, at most
  ``max_restarts`` times; pages after a restart are numbered from 1 again and flagged;
* ``max_pages`` caps the work and the result says so: ``complete`` is ``False`` when the cap
  stopped paging while the server still had more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..catalog import Api
from ..errors import DataChangedError, PaginationError

__all__ = ["Page", "Pager"]

R = TypeVar("R")


@dataclass(frozen=True)
class Page(Generic[R]):
    """One page: its response, its number (1-based) and whether a restart preceded it."""

    response: R
    number: int
    restart: int = 0
    more: bool = False


class Pager:
    """Continuation state for one paged query (see module docstring)."""

    def __init__(
        self,
        api: Api,
        args: Mapping[str, Any],
        *,
        max_pages: int | None = None,
        max_restarts: int = 3,
    ) -> None:
        if api.paging is None:
            raise PaginationError(f"{api.key} is not a paginated API")
        if max_pages is not None and max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        self.api = api
        self.base_args = dict(args)
        self.max_pages = max_pages
        self.max_restarts = max_restarts
        self.restarts = 0
        self.pages = 0
        self.complete = False
        self.truncated = False
        self._done = False
        self._cursor_args: dict[str, str] = {}
        self._seen: set[tuple[tuple[str, str], ...]] = set()
        self._tr_cont = ""
        # cursor parameter (Python name) ← response key (lower-case wire name)
        params = {p.wire.upper(): p.name for p in api.params}
        self._cursor_map = {
            key.lower(): params[key.upper()]
            for key in api.paging.request
            if key.upper() in params
        }

    @property
    def done(self) -> bool:
        return self._done

    def next_request(self) -> tuple[dict[str, Any], str] | None:
        """Arguments and ``tr_cont`` header for the next page, or ``None`` when finished."""
        if self._done:
            return None
        if self.max_pages is not None and self.pages >= self.max_pages:
            self._done = True
            self.truncated = True
            return None
        return {**self.base_args, **self._cursor_args}, self._tr_cont

    def accept(self, body: Mapping[str, Any], tr_cont_header: str) -> bool:
        """Record a page; returns whether more pages follow."""
        self.pages += 1
        more = tr_cont_header.strip().upper() in ("F", "M")
        cursors = {
            name: str(body.get(resp_key, body.get(resp_key.upper(), ""))).strip()
            for resp_key, name in self._cursor_map.items()
        }
        if not more:
            self._done = True
            self.complete = True
            return False
        signature = tuple(sorted(cursors.items()))
        # Without body cursors (tr_cont-only APIs) the server keeps the position; only the
        # page cap bounds those.
        if self._cursor_map and (signature in self._seen or not any(cursors.values())):
            self._done = True
            raise PaginationError(
                f"{self.api.key}: the server repeated a paging cursor after page {self.pages}; "
                "stopping instead of looping forever"
            )
        self._seen.add(signature)
        self._cursor_args = {k: v for k, v in cursors.items()}
        self._tr_cont = "N"
        return True

    def restart(self, error: DataChangedError) -> None:
        """``SYDB0050``: start again from the first page, or give up after ``max_restarts``."""
        if self.restarts >= self.max_restarts:
            self._done = True
            raise PaginationError(
                f"{self.api.key}: data kept changing while paging "
                f"({self.restarts} restarts); try again later"
            ) from error
        self.restarts += 1
        self.pages = 0
        self._cursor_args = {}
        self._seen.clear()
        self._tr_cont = ""
