"""Resolving an unknown order outcome — without ever sending the order again.

After a timeout, a reset or a gateway-timeout code KIS may or may not have executed the order;
there is no idempotency key to ask by. What *can* be asked: the daily order-execution query
(every order of the day, filled or not) and the open-orders query. An order is *present* when
exactly one order there matches what was sent — symbol, side, quantity, price, order type —
was placed inside a time window around the send (in the server's clock: the offset between the
server's order times and this machine's is learnt from earlier orders), and is not an order this
client already knows by number. None matching proves it *absent* (the queries are the broker's
own record of the day); several matching make it *ambiguous*, and all are returned as evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ..catalog import catalog
from ..domain.convert import order_snapshot_from, us_order_snapshot_from
from ..domain.kst import KST
from ..domain.objects import OrderSnapshot
from ..domain.ordertypes import Side
from ..domain.symbols import Symbol
from ..errors import OrderStateUnknownError
from .driver import Context
from .steps import Workflow
from .trading import OrderRef, open_orders_flow, order_rows_flow, same_order_no

__all__ = ["ReconcileFindings", "SentOrder", "reconcile_flow", "sent_order"]


@dataclass(frozen=True, slots=True)
class SentOrder:
    """What an :class:`OrderStateUnknownError` says was sent, read back into domain terms."""

    endpoint_key: str
    symbol: Symbol
    side: Side | None
    quantity: int | None
    price: Decimal | None
    order_type_code: str
    original_order_no: str  # set for a modify/cancel
    action: Literal["new", "modify", "cancel"]
    sent_at: dt.datetime


def _dec(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _side_of(endpoint_key: str, tr_id: str, sent: Mapping[str, Any]) -> Side | None:
    if "SLL_BUY_DVSN_CD" in sent:
        return Side.from_code(str(sent["SLL_BUY_DVSN_CD"]))
    try:
        api = catalog().get(endpoint_key)
    except Exception:
        return None
    for variant in api.variants:
        if tr_id in (variant.real, variant.paper):
            for name in ("ord_dv", "order_dv"):
                for value in variant.when.get(name, ()):
                    if value in ("buy", "sell"):
                        return Side(value)
    return None


def sent_order(error: OrderStateUnknownError) -> SentOrder:
    """Read an unknown-outcome error's wire body back into an order description."""
    sent = {k.upper(): v for k, v in error.sent.items()}
    key = error.endpoint_key
    excg = str(sent.get("OVRS_EXCG_CD", "") or "")
    code = str(sent.get("PDNO", "") or "")
    symbol = Symbol.overseas(code, excg) if excg else Symbol.domestic(code) if code else (
        Symbol("", exchange="KRX"))
    action: Literal["new", "modify", "cancel"] = "new"
    if "RVSE_CNCL_DVSN_CD" in sent and key.endswith("rvsecncl"):
        action = "modify" if str(sent["RVSE_CNCL_DVSN_CD"]) == "01" else "cancel"
    qty = _dec(sent.get("ORD_QTY", sent.get("FT_ORD_QTY")))
    return SentOrder(
        endpoint_key=key,
        symbol=symbol,
        side=_side_of(key, error.tr_id, sent),
        quantity=int(qty) if qty is not None else None,
        price=_dec(sent.get("ORD_UNPR", sent.get("OVRS_ORD_UNPR", sent.get("FT_ORD_UNPR3")))),
        order_type_code=str(sent.get("ORD_DVSN", sent.get("ORD_DVSN_CD", "")) or ""),
        original_order_no=str(sent.get("ORGN_ODNO", "") or ""),
        action=action,
        sent_at=dt.datetime.fromtimestamp(error.sent_at, KST),
    )


@dataclass(frozen=True, slots=True)
class ReconcileFindings:
    """What the queries showed: the verdict, the match (if one), everything considered."""

    outcome: Literal["present", "absent", "ambiguous"]
    sent: SentOrder
    match: OrderSnapshot | None
    candidates: tuple[OrderSnapshot, ...]
    examined: tuple[OrderSnapshot, ...]
    window: tuple[dt.datetime, dt.datetime]
    queries: tuple[str, ...]
    ref: OrderRef | None = field(default=None)


def _time_of_day_seconds(t: dt.datetime) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _in_window(placed: dt.datetime | None, low: dt.datetime, high: dt.datetime) -> bool:
    """Compare times of day (the server's trading date may differ from this machine's)."""
    if placed is None:
        return False
    p, lo, hi = (_time_of_day_seconds(x) for x in (placed, low, high))
    return lo <= p <= hi if lo <= hi else (p >= lo or p <= hi)


def _matches(s: OrderSnapshot, sent: SentOrder) -> bool:
    if sent.action != "new":
        return same_order_no(s.original_order_no, sent.original_order_no)
    if s.symbol != sent.symbol.order_code:
        return False
    if sent.side is not None and s.side is not sent.side:
        return False
    if sent.quantity is not None and s.quantity != sent.quantity:
        return False
    if sent.price and s.price is not None and s.price != sent.price:
        return False
    return not (sent.order_type_code and s.order_type_code
                and s.order_type_code != sent.order_type_code)


def reconcile_flow(
    ctx: Context,
    error: OrderStateUnknownError,
    *,
    known_order_nos: Iterable[str] = (),
    clock_offset: dt.timedelta | None = dt.timedelta(0),
    before: dt.timedelta = dt.timedelta(seconds=5),
    after: dt.timedelta = dt.timedelta(minutes=2),
    lookback_days: int = 7,
) -> Workflow[ReconcileFindings]:
    """Search the day's orders and the open orders for the order ``error`` describes.

    ``clock_offset`` is server time minus local time (learnt from earlier order answers;
    ``None`` when it cannot be known: then the whole day is searched, without a time window);
    ``before``/``after`` widen the window around the send; orders in ``known_order_nos`` (the
    client's own handles) are never taken for the lost one.
    """
    sent = sent_order(error)
    us = sent.symbol.is_overseas
    server_sent = sent.sent_at + (clock_offset or dt.timedelta(0))
    low, high = server_sent - before, server_sent + after
    if clock_offset is None:
        day = dt.datetime.combine(server_sent.date(), dt.time(0), KST)
        low, high = day, day + dt.timedelta(hours=23, minutes=59, seconds=59)
    today = ctx.today()
    start = min(today, server_sent.date()) - dt.timedelta(days=lookback_days)
    queries = ["overseas_stock/inquire_ccnl" if us else "domestic_stock/inquire_daily_ccld"]
    rows = yield from order_rows_flow(ctx, us=us, start=start, end=max(today, server_sent.date()),
                                      symbol=sent.symbol if sent.symbol.code else None)
    convert = us_order_snapshot_from if us else order_snapshot_from
    examined = [convert(r) for r in rows]
    try:
        working = yield from open_orders_flow(ctx, us=us)
        queries.append("open orders")
    except Exception:  # the open-orders API may be missing (paper): the daily query suffices
        working = []
    seen = {s.order_no.lstrip("0") for s in examined}
    examined += [w for w in working if w.order_no.lstrip("0") not in seen]
    known = list(known_order_nos)
    candidates = tuple(
        s for s in examined
        if _matches(s, sent) and _in_window(s.placed_at, low, high)
        and not any(same_order_no(s.order_no, k) for k in known)
    )
    window = (low, high)
    if len(candidates) == 1:
        m = candidates[0]
        side = m.side
        ref = OrderRef(
            symbol=sent.symbol, side=side, chain=(m.order_no,), branch=m.branch,
            quantity=m.quantity, price=m.price, order_type_code=m.order_type_code,
            placed_at=m.placed_at, order_day=m.placed_at.date() if m.placed_at else None)
        return ReconcileFindings("present", sent, m, candidates, tuple(examined), window,
                                 tuple(queries), ref)
    outcome: Literal["absent", "ambiguous"] = "absent" if not candidates else "ambiguous"
    return ReconcileFindings(outcome, sent, None, candidates, tuple(examined), window,
                             tuple(queries))
