"""Running a workflow on a client: :func:`lower` turns it into a core flow.

The client's own drivers (``run_sync`` / ``run_async``) then perform the I/O, so a workflow is
written once and runs identically on :class:`hantoo.Client` and :class:`hantoo.AsyncClient`.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from .._core.call import CallResult
from .._core.flow import Flow, Sleep
from .._core.server_clock import ServerClock
from .._core.wire import ApiResponse, decode_response
from ..catalog import Api, catalog
from ..config import Settings
from .steps import Call, Workflow

__all__ = ["Context", "FlowHost", "lower", "response_model"]

T = TypeVar("T")


class FlowHost(Protocol):
    """What :func:`lower` needs from a client (both clients have it)."""

    settings: Settings
    server_clock: ServerClock

    def _flow(self, api: Api, args: Any, *, tr_cont: str = "", strict: bool = True) -> (
        Flow[CallResult]
    ): ...


@dataclass(frozen=True, slots=True)
class Context:
    """The facts about the client a workflow may decide on (never credentials).

    ``server_clock`` is the server's time as learnt from its answers: "today" for a workflow
    is the broker's (or the simulator's) today, never the machine's when the two differ.
    """

    environment: str
    hts_id: str | None = None
    server_clock: ServerClock | None = None

    @property
    def paper(self) -> bool:
        return self.environment == "paper"

    def today(self) -> dt.date:
        """The server's current KST date."""
        return (self.server_clock or _LOCAL).today()

    def now(self) -> dt.datetime:
        """The server's current time (KST)."""
        return (self.server_clock or _LOCAL).now()

    @classmethod
    def of(cls, settings: Settings, server_clock: ServerClock | None = None) -> Context:
        return cls(environment=settings.environment, hts_id=settings.hts_id,
                   server_clock=server_clock)


_LOCAL = ServerClock()  # no answer seen: the machine's clock


def response_model(api: Api) -> type[ApiResponse]:
    """The generated response model of an API (by the generator's naming convention)."""
    module = importlib.import_module(f"hantoo._generated.models.{api.category}")
    name = "".join(p[:1].upper() + p[1:] for p in api.name.split("_") if p) + "Response"
    model = getattr(module, name, ApiResponse)
    assert isinstance(model, type) and issubclass(model, ApiResponse)
    return model


def lower(workflow: Workflow[T], host: FlowHost) -> Flow[T]:
    """Run ``workflow`` as a core flow on ``host``: each :class:`Call` becomes the core's
    one-call flow; its exception, if any, is thrown into the workflow."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = workflow.throw(error) if error is not None else workflow.send(value)
        except StopIteration as stop:
            result: T = stop.value
            return result
        value, error = None, None
        if isinstance(step, Sleep):
            yield step
            continue
        if not isinstance(step, Call):
            raise TypeError(f"a workflow yielded {step!r}; expected Call or Sleep")
        api = catalog().get(step.key)
        try:
            done = yield from host._flow(api, dict(step.args), tr_cont=step.tr_cont)
            value = decode_response(
                response_model(api), done.body, tr_id=done.tr_id, tr_cont=done.tr_cont
            )
        except Exception as exc:
            error = exc
