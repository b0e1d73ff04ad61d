"""Replay of the derivatives market's journal records (the ops :mod:`.market` journals).

Why through the engine's journal: the futures/options market moves the engine accounts' cash,
so its commands must sit in the same ordered, checksummed, group-committed log as the stock
commands; one file and one replay order keep cash and positions consistent after a restart.
The market is as deterministic as the engine (seed, clock, commands), but a *read* can change
it too (a daily settlement, a series' house quotes moving onto a resting user order), so those
are journaled as well and replayed at their instants.

Ops (``args`` after ``[seq, time_us, op]``; prices as decimal strings):

========  ===============================================================================
``dord``  ``cano, prdt, code, side, ord_code, qty, price, night`` — an accepted order
``dcxl``  ``cano, prdt, odno, qty`` — a cancel (qty 0 = all)
``dmod``  ``cano, prdt, odno, ord_code, price, qty, refused`` — a modify (a refused one still
          moved the original to the back of its queue)
``dsync`` (none) — a read ran a daily settlement or expired working orders
``dref``  ``code`` — a read created a series' state or replaced its house quotes
========  ===============================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..engine.exchange import Exchange
from ..engine.types import EngineReject
from .market import market_for

__all__ = ["OPS"]


def _dord(ex: Exchange, a: list[Any]) -> None:
    market_for(ex).place((a[0], a[1]), a[2], int(a[3]), a[4], int(a[5]), Decimal(a[6]),
                         night=bool(a[7]))


def _dcxl(ex: Exchange, a: list[Any]) -> None:
    market_for(ex).cancel((a[0], a[1]), str(a[2]), int(a[3] or 0))


def _dmod(ex: Exchange, a: list[Any]) -> None:
    try:
        market_for(ex).modify((a[0], a[1]), str(a[2]), a[3], Decimal(a[4]), int(a[5] or 0))
    except EngineReject:
        if not a[6]:
            raise


def _dsync(ex: Exchange, a: list[Any]) -> None:
    market_for(ex).sync()


def _dref(ex: Exchange, a: list[Any]) -> None:
    Exchange.sync(ex)
    market_for(ex).refresh(str(a[0]))


OPS: dict[str, Callable[[Exchange, list[Any]], object]] = {
    "dord": _dord, "dcxl": _dcxl, "dmod": _dmod, "dsync": _dsync, "dref": _dref,
}
