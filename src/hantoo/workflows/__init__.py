"""Trading workflows, written once as sans-I/O flows and mounted on both clients.

``client.quote(...)``, ``client.candles(...)``, ``client.place_order(...)`` → an :class:`Order`
handle that tracks itself, ``client.reconcile(error)`` → a :class:`ReconcileResult`,
``client.reconcile_all(errors)`` → a :class:`ReconcileReport`, and the
rest (see :class:`Workflows`). Each is a generator that yields API calls
(:mod:`hantoo.workflows.steps`); the sync and async clients drive the same generator.
"""

from __future__ import annotations

from .futures_account import FuturesBalance, FuturesMoney, FuturesPosition
from .mixins import AsyncWorkflows, Workflows
from .order import AsyncOrder, Order, ReconcileGroup, ReconcileReport, ReconcileResult
from .reconcile import ReconcileFindings, SentOrder
from .steps import Call, Sleep, Step, Workflow

__all__ = [
    "AsyncOrder",
    "AsyncWorkflows",
    "Call",
    "FuturesBalance",
    "FuturesMoney",
    "FuturesPosition",
    "Order",
    "ReconcileFindings",
    "ReconcileGroup",
    "ReconcileReport",
    "ReconcileResult",
    "SentOrder",
    "Sleep",
    "Step",
    "Workflow",
    "Workflows",
]
