"""Resolving an unknown order outcome — without ever sending the order again.

After a timeout, a reset or a gateway-timeout code KIS may or may not have executed the order;
there is no idempotency key to ask by. What *can* be asked: the daily order-execution query
(every order of the day, filled or not) and the open-orders query. An order is *present* when
exactly one order there matches what was sent — symbol, side, quantity, price, order type —
was placed inside a time window around the send (in the server's clock: the offset between the
server's order times and this machine's is learnt from earlier orders), and is not an order this
client already knows by number. None matching proves it *absent* (the queries are the broker's
own record of the day); several matching make it *ambiguous*, and all are returned as evidence.

Identical orders (same symbol, side, quantity, price and type) cannot be told apart: KIS has no
client order id. What *can* be proven is their number. :func:`reconcile_all_flow` therefore
groups unknown outcomes by that signature and counts: with ``n`` unknown intents and ``m``
executed orders of the signature in the window that no handle of this client owns,

* ``m == 0`` — all ``n`` are *absent*;
* ``m == n`` — all ``n`` are *present* (each error gets one of the orders; which one is
  arbitrary, and harmless, because the orders are identical);
* ``0 < m < n`` — *counted*: ``m`` of the ``n`` executed; the ``m`` orders are adopted as
  handles, and the other ``n - m`` intents did not reach the exchange;
* ``m > n`` — *ambiguous*: more orders than intents (another program on the same account?), so
  none is adopted and all are returned as evidence.

The single-error :func:`reconcile_flow` is the same rule with ``n == 1``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeAlias

from ..catalog import catalog
from ..domain.convert import order_snapshot_from, us_order_snapshot_from
from ..domain.kst import KST
from ..domain.objects import OrderSnapshot
from ..domain.ordertypes import Side
from ..domain.symbols import Symbol
from ..errors import OrderStateUnknownError
from .driver import Context
from .futures_orders import futures_rows_flow, futures_snapshot_from
from .steps import Workflow
from .trading import OrderRef, open_orders_flow, order_rows_flow, same_order_no

__all__ = [
    "Outcome",
    "ReconcileFindings",
    "ReconcileGroupFindings",
    "SentOrder",
    "reconcile_all_flow",
    "reconcile_flow",
    "sent_order",
]

#: ``counted``: some of several identical orders executed (see the module docstring).
Outcome: TypeAlias = Literal["present", "absent", "ambiguous", "counted"]


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
    if key.startswith("overseas_futureoption/"):
        return _sent_futures(error, sent)
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


def _sent_futures(error: OrderStateUnknownError, sent: Mapping[str, Any]) -> SentOrder:
    """An overseas futures order's wire body (issue 15): its own field names; modify and
    cancel are told apart by TR ID (OTFM3002U / OTFM3003U)."""
    code = str(sent.get("OVRS_FUTR_FX_PDNO", "") or "").strip()
    symbol = Symbol.futures(code) if code else Symbol("", exchange="KRX")
    action: Literal["new", "modify", "cancel"] = "new"
    if error.endpoint_key.endswith("rvsecncl"):
        action = "cancel" if error.tr_id.upper().startswith("OTFM3003") else "modify"
    qty = _dec(sent.get("FM_ORD_QTY"))
    return SentOrder(
        endpoint_key=error.endpoint_key, symbol=symbol,
        side=Side.from_code(str(sent.get("SLL_BUY_DVSN_CD", "") or "")),
        quantity=int(qty) if qty is not None else None,
        price=_dec(sent.get("FM_LIMIT_ORD_PRIC")),
        order_type_code=str(sent.get("PRIC_DVSN_CD", "") or ""),
        original_order_no=str(sent.get("ORGN_ODNO", "") or ""), action=action,
        sent_at=dt.datetime.fromtimestamp(error.sent_at, KST))


@dataclass(frozen=True, slots=True)
class ReconcileFindings:
    """What the queries showed: the verdict, the match (if one), everything considered."""

    outcome: Outcome
    sent: SentOrder
    match: OrderSnapshot | None
    candidates: tuple[OrderSnapshot, ...]
    examined: tuple[OrderSnapshot, ...]
    window: tuple[dt.datetime, dt.datetime]
    queries: tuple[str, ...]
    ref: OrderRef | None = field(default=None)
    #: the group of identical unknown orders this one was counted with (``None``: alone)
    group: ReconcileGroupFindings | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ReconcileGroupFindings:
    """Identical unknown orders counted together: ``intents`` sent, ``executed`` found."""

    outcome: Outcome
    sent: SentOrder
    intents: int
    executed: int
    matches: tuple[tuple[OrderRef, OrderSnapshot], ...]  # the orders adopted as handles
    candidates: tuple[OrderSnapshot, ...]


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
    client's own handles) are never taken for the lost one. The days searched are around
    ``ctx.today()``, the server's date (a simulator's may be any date).
    """
    found = yield from reconcile_all_flow(
        ctx, [error], known_order_nos=known_order_nos, clock_offset=clock_offset, before=before,
        after=after, lookback_days=lookback_days)
    return found[0]


_Signature: TypeAlias = tuple[Any, ...]


def _signature(s: SentOrder) -> _Signature:
    return (s.action, s.symbol.order_code, s.symbol.is_overseas, s.side, s.quantity, s.price,
            s.order_type_code, s.original_order_no.lstrip("0"))


def _window_of(sent: SentOrder, clock_offset: dt.timedelta | None, before: dt.timedelta,
               after: dt.timedelta) -> tuple[dt.datetime, dt.datetime]:
    server_sent = sent.sent_at + (clock_offset or dt.timedelta(0))
    if clock_offset is None:
        day = dt.datetime.combine(server_sent.date(), dt.time(0), KST)
        return day, day + dt.timedelta(hours=23, minutes=59, seconds=59)
    return server_sent - before, server_sent + after


def _ref_of(sent: SentOrder, m: OrderSnapshot) -> OrderRef:
    day = m.placed_at.date() if m.placed_at else None
    if sent.symbol.is_futures and m.raw is not None:  # the order's local trading day
        local = m.raw.get("ord_dt")
        day = local if isinstance(local, dt.date) else day
    return OrderRef(
        symbol=sent.symbol, side=m.side, chain=(m.order_no,), branch=m.branch,
        quantity=m.quantity, price=m.price, order_type_code=m.order_type_code,
        placed_at=m.placed_at, order_day=day)


def _placed_key(s: OrderSnapshot) -> tuple[str, str]:
    placed = s.placed_at.strftime("%H%M%S") if s.placed_at else ""
    return placed, s.order_no.lstrip("0").rjust(12, "0")


def reconcile_all_flow(
    ctx: Context,
    errors: Iterable[OrderStateUnknownError],
    *,
    known_order_nos: Iterable[str] = (),
    clock_offset: dt.timedelta | None = dt.timedelta(0),
    before: dt.timedelta = dt.timedelta(seconds=5),
    after: dt.timedelta = dt.timedelta(minutes=2),
    lookback_days: int = 7,
) -> Workflow[list[ReconcileFindings]]:
    """Resolve many unknown outcomes at once, identical ones by count (module docstring).

    Returns one :class:`ReconcileFindings` per error, in the order given. The day's orders are
    read once per market and symbol, not once per error.
    """
    errs = list(errors)
    sents = [sent_order(e) for e in errs]
    known = [k.lstrip("0") for k in known_order_nos]
    today = ctx.today()
    # One read per (market, symbol): every order of the searched days, plus the open orders.
    seen_sets: dict[tuple[bool, str], tuple[list[OrderSnapshot], list[str]]] = {}
    for sent in sents:
        us = sent.symbol.is_overseas
        slot = (us, sent.symbol.code)
        if slot in seen_sets:
            continue
        days = [today, (sent.sent_at + (clock_offset or dt.timedelta(0))).date()]
        if sent.symbol.is_futures:  # issue 15: the futures daily order list covers it all
            frows = yield from futures_rows_flow(min(days) - dt.timedelta(days=lookback_days),
                                                 max(days))
            seen_sets[slot] = (
                [futures_snapshot_from(r, sent.symbol) for r in frows
                 if str(r.get("ovrs_futr_fx_pdno") or "") == sent.symbol.code],
                ["overseas_futureoption/inquire_daily_order"])
            continue
        queries = ["overseas_stock/inquire_ccnl" if us else "domestic_stock/inquire_daily_ccld"]
        rows = yield from order_rows_flow(
            ctx, us=us, start=min(days) - dt.timedelta(days=lookback_days), end=max(days),
            symbol=sent.symbol if sent.symbol.code else None)
        convert = us_order_snapshot_from if us else order_snapshot_from
        examined = [convert(r) for r in rows]
        try:
            working = yield from open_orders_flow(ctx, us=us)
            queries.append("open orders")
        except Exception:  # the open-orders API may be missing (paper): the daily query suffices
            working = []
        nos = {s.order_no.lstrip("0") for s in examined}
        examined += [w for w in working if w.order_no.lstrip("0") not in nos]
        seen_sets[slot] = (examined, queries)

    groups: dict[_Signature, list[int]] = {}
    for i, sent in enumerate(sents):
        groups.setdefault(_signature(sent), []).append(i)
    results: list[ReconcileFindings | None] = [None] * len(errs)
    for members in groups.values():
        sent = sents[members[0]]
        examined, queries = seen_sets[(sent.symbol.is_overseas, sent.symbol.code)]
        windows = [_window_of(sents[i], clock_offset, before, after) for i in members]
        candidates = tuple(sorted((
            s for s in examined
            if _matches(s, sent) and any(_in_window(s.placed_at, lo, hi) for lo, hi in windows)
            and not any(same_order_no(s.order_no, k) for k in known)
        ), key=_placed_key))
        n, m = len(members), len(candidates)
        outcome: Outcome = ("absent" if m == 0 else "present" if m == n
                            else "counted" if m < n else "ambiguous")
        adopted = candidates if outcome in ("present", "counted") else ()
        group = ReconcileGroupFindings(
            outcome, sent, n, m, tuple((_ref_of(sent, c), c) for c in adopted), candidates)
        by_time = sorted(members, key=lambda i: sents[i].sent_at)
        for rank, i in enumerate(by_time):
            match = candidates[rank] if outcome == "present" else None
            results[i] = ReconcileFindings(
                outcome, sents[i], match, candidates, tuple(examined), windows[members.index(i)],
                tuple(queries), _ref_of(sents[i], match) if match is not None else None,
                group if n > 1 else None)
    done = [r for r in results if r is not None]
    assert len(done) == len(errs)
    return done
