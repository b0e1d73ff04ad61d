"""ELW expiry: automatic exercise and cash settlement, as KRX runs it.

KRX ELWs are European and cash-settled: nobody files an exercise notice, the issuer pays every
holder of an in-the-money warrant after its last trading day and the rest lapse. The rules used
here (KRX ELW 매매·결제제도, issuers' ELW terms and guides, e.g. 한국투자증권's trueelw FAQ):

* **Settlement price** (만기평가가격): for a stock ELW the arithmetic mean of the underlying's
  closing prices over the five trading days up to and including the last trading day (kept
  exact, not rounded); for a KOSPI200 ELW the index's closing level on the last trading day
  (to 0.01 point, as the index is published).
* **Value per warrant** (1증권당 행사가치): ``(settlement − strike) × conversion ratio`` for a
  call, ``(strike − settlement) × ratio`` for a put (for KOSPI200 ELWs, × 100 won per point),
  floored at 0 and truncated to whole won (원 미만 절사). A holder receives value × quantity;
  no commission or tax is charged on the exercise.
* **Payment date** (지급일): the second business day after the last trading day (T+2, as
  KRX settles ELW trades). Until then the position stays in the balance, valued at its last
  price; on the payment date it is removed and the cash credited (settled cash at once: the
  payment *is* the settlement, so no D+1/D+2 flow is recorded).

How it shows: an exercised position is closed by a record sell order filled at the value per
warrant on the payment date (the engine's own order and fill records, so the daily order/fill
queries, the realised P&L and the balance agree); a worthless one just leaves the balance with
its cost realised as a loss, with no order or fill (nothing was paid). The issuer's side is the
engine's house account (the LP sold every warrant a user holds), which pays the cash and takes
the warrants back, so cash and share conservation hold.

Why in the engine's timetable (:func:`settle_due`, called at each KRX day roll) and not as a
journaled command: the payment is a pure function of the seed, the date and the positions (an
expired ELW takes no orders), and replay after a restart re-runs the timetable at each journal
record's instant, so the same payment happens at the same instant again, before any later
command that might spend it.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from ..engine.orders import SELL, Order
from ..engine.types import OrderStatus, OrderType
from .elw import INDEX_WON_PER_POINT, Elw

__all__ = ["AVERAGE_DAYS", "payment_date", "settle_due", "settlement_price", "value_per_warrant"]

AVERAGE_DAYS = 5
"""Closes averaged for a stock ELW's settlement price (the last trading day included)."""
PAYMENT_LAG = 2
"""Business days from the last trading day to the payment date."""


def payment_date(cal: Any, expiry: date) -> date:
    """The business day ``PAYMENT_LAG`` business days after the last trading day."""
    d = expiry
    for _ in range(PAYMENT_LAG):
        d = cal.next_business_day(d)
    return d


def settlement_price(ex: Any, e: Elw) -> Decimal:
    """The ELW's 만기평가가격 (see the module docstring), from the engine's daily closes."""
    from .elw_trading import close_at

    cal = ex.schedules[0].calendar
    if e.on_index:
        return Decimal(repr(close_at(ex, e, e.expiry))).quantize(Decimal("0.01"))
    days = [e.expiry]
    while len(days) < AVERAGE_DAYS:
        days.append(cal.previous_business_day(days[-1]))
    total = sum((Decimal(round(close_at(ex, e, d))) for d in days), Decimal(0))
    return total / AVERAGE_DAYS


def value_per_warrant(e: Elw, settlement: Decimal) -> int:
    """Won paid per warrant at ``settlement``: intrinsic value × ratio, ≥ 0, won truncated."""
    diff = settlement - e.strike if e.kind == "call" else e.strike - settlement
    if diff <= 0:
        return 0
    won = diff * e.ratio * (INDEX_WON_PER_POINT if e.on_index else 1)
    return int(won.to_integral_value(rounding=ROUND_FLOOR))


def settle_due(ex: Any, day: date) -> None:
    """Pay out every ELW position whose payment date is on or before trading day ``day``.

    Called by the engine at the KRX day roll, inside a command frame (its journal transaction
    takes the changed accounts, orders and fills)."""
    from .elw_trading import ElwInstrument

    cal = ex.schedules[0].calendar
    # codes already paid out (kept in the engine's snapshot with the rest of its state), so
    # later day rolls do not scan every account again for them
    paid: set[str] = ex.__dict__.setdefault("_elw_paid", set())
    # by code, then by account: the record orders' numbers must not depend on the order the
    # issues were listed in (a restored universe adopts them in the snapshot's order)
    for inst in sorted(ex.universe.extras(), key=lambda i: i.code):
        if not isinstance(inst, ElwInstrument) or inst.elw.expiry >= day or inst.code in paid:
            continue
        if payment_date(cal, inst.elw.expiry) > day:
            continue
        paid.add(inst.code)
        holders = sorted((a for a in ex.accounts.values() if inst.code in a.positions),
                         key=lambda a: a.key)
        if not holders:
            continue
        value = value_per_warrant(inst.elw, settlement_price(ex, inst.elw))
        for a in holders:
            _pay(ex, a, inst, value, day)


def _pay(ex: Any, a: Any, inst: Any, value: int, day: date) -> None:
    pos = a.positions.pop(inst.code)
    qty, amount = pos.qty, pos.qty * value
    house = ex.house
    house.position(inst.code).qty += qty
    house.cash[0] -= amount
    a.cash[0] += amount
    a.realized[0] += amount - pos.cost
    tx = ex._tx
    if tx is not None:
        tx.accounts[a.key] = a
        tx.accounts[house.key] = house
    if not amount or qty <= 0:
        return  # lapsed worthless: nothing paid, nothing to show as a fill
    from ..engine.matching import Fill

    ex._next_odno += 1
    o = Order(ex._next_odno, a, inst, SELL, OrderType.LIMIT, value, qty, ex._now, day)
    o.remaining = 0
    o.filled = qty
    o.fill_value = amount
    o.status = OrderStatus.FILLED
    ex._next_fill += 1
    f = Fill(ex._next_fill, o, qty, value, ex._now, day, 0, 0)
    ex.orders[o.odno] = o
    ex.fills.append(f)
    a.order_log.append(o)
    a.fill_log.append(f)
    if tx is not None:
        tx.orders[o.odno] = o
        tx.fills.append(f)
