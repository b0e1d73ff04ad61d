"""The one shape every workflow has: a generator that asks for API calls and gets typed answers.

A workflow yields

* :class:`Call` — "call API *key* with these arguments" → receives the typed response (the
  generated model, e.g. ``InquirePriceResponse``), or has the API's exception thrown in;
* :class:`hantoo._core.flow.Sleep` — "wait this long" (polling) → receives ``None``;

and returns its result. It performs no I/O, so the sync client, the async client and a test's
scripted driver all run the *same* body: :func:`hantoo.workflows.driver.lower` turns a workflow
into a core flow (each :class:`Call` becomes the core's one-call flow: token, limiter, retries,
order safety), and the clients' existing drivers run that.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .._core.flow import Sleep
from .._core.paging import Pager
from .._core.wire import ApiResponse, Row
from ..catalog import catalog
from ..errors import DataChangedError

__all__ = ["Call", "Sleep", "Step", "Workflow", "call", "collect_rows"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call:
    """Ask the driver to call one REST API (``args`` by Python parameter name)."""

    key: str
    args: Mapping[str, Any] = field(default_factory=dict)
    tr_cont: str = ""


Step = Call | Sleep
Workflow = Generator[Step, Any, T]


def call(key: str, **args: Any) -> Workflow[ApiResponse]:
    """One call; ``None`` arguments are dropped (the API's defaults apply)."""
    response: ApiResponse = yield Call(key, {k: v for k, v in args.items() if v is not None})
    return response


def collect_rows(
    key: str,
    args: Mapping[str, Any],
    *,
    block: str,
    max_pages: int = 50,
    extra_blocks: tuple[str, ...] = (),
) -> Workflow[tuple[list[Row], dict[str, list[Row]], ApiResponse | None]]:
    """Every row of ``block`` over all pages (``tr_cont`` + ``CTX_AREA_*``), restarting on
    ``SYDB0050``; also the rows of ``extra_blocks`` from the *last* page (KIS puts totals
    there) and the last response."""
    api = catalog().get(key)
    clean = {k: v for k, v in args.items() if v is not None}
    if api.paging is None or not api.paging.request:
        response: ApiResponse = yield Call(key, clean)
        return list(response.rows(block)), {b: list(response.rows(b)) for b in extra_blocks}, (
            response
        )
    pager = Pager(api, clean, max_pages=max_pages)
    rows: list[Row] = []
    last: ApiResponse | None = None
    while (step := pager.next_request()) is not None:
        page_args, tr_cont = step
        try:
            last = yield Call(key, page_args, tr_cont)
        except DataChangedError as exc:
            pager.restart(exc)
            rows.clear()
            continue
        assert last is not None
        rows.extend(last.rows(block))
        pager.accept(last.raw, last.tr_cont)
    extras = {b: list(last.rows(b)) for b in extra_blocks} if last is not None else {}
    return rows, extras, last
