"""Order and fill notices: engine events → encrypted ``H0STCNI0``/``H0STCNI9`` realtime frames.

KIS sends a notice to the HTS ID that owns an account when one of its orders is accepted,
modified, cancelled or executed. The simulator does the same from the matching engine's real
events, so a client sees on the stream exactly what the daily-fills query later shows (order
number, symbol, side, quantity, price, time).

Routing: a notice for account *A* goes to the HTS ID of every app key bound to *A*, on the
paper TR (``H0STCNI9``) for paper-persona keys and the real TR (``H0STCNI0``) otherwise. Only
domestic orders are reported here (overseas notices use another TR and column set).

Binding: KIS knows a customer's HTS ID from the account; a client only ever names it as the
``tr_key`` of its notice subscription. So a key without a configured HTS ID takes the first one
it subscribes notices with (:func:`hts_binder`), exactly as a key without an account takes the
first account it uses. A key whose HTS ID is already set keeps it: a subscription with another
HTS ID is accepted (KIS does not refuse it either) but carries no notices of this key's account.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .engine.views import OrderAccepted, OrderCancelled, OrderFilled, OrderInfo, OrderModified
from .feed import FillNotice
from .handlers.domestic_orders import ORDER_ORGNO

if TYPE_CHECKING:
    from .state import SimState

__all__ = ["hts_binder", "notice_listener"]

_log = logging.getLogger("hantoo.sim.notices")


def _won(value: Decimal) -> int:
    return int(value.to_integral_value())


def _notice(
    order: OrderInfo, hts_id: str, *, filled: bool, qty: int, price: Decimal, time: str,
    correction: str = "0",
) -> FillNotice:
    return FillNotice(
        hts_id=hts_id,
        account=order.account[0] + order.account[1],
        order_no=order.odno,
        symbol=order.symbol,
        side=order.side.code,  # SELN_BYOV_CLS: 01 sell, 02 buy
        qty=qty,
        price=_won(price),
        time=time,
        order_qty=order.qty,
        order_price=_won(order.price),
        filled=filled,
        original_order_no=order.orig_odno or "",
        order_kind=str(getattr(order.order_type, "value", order.order_type))[:2],
        name=order.name,
        branch=ORDER_ORGNO,  # BRNC_NO: the branch the order answer names (KRX_FWDG_ORD_ORGNO)
        correction=correction,
    )


def hts_binder(state: SimState) -> Callable[[str, str], None]:
    """``(app_key, hts_id)`` → bind ``hts_id`` to the key when it has none yet."""
    warned: set[tuple[str, str]] = set()

    def bind(app_key: str, hts_id: str) -> None:
        rec = state.auth.keys.get(app_key)
        if rec is None or not hts_id:
            return
        if not rec.hts_id:
            rec.hts_id = hts_id
            _log.info("key %s: notices bound to the HTS ID it subscribed with", rec.id)
        elif rec.hts_id != hts_id and (rec.key, hts_id) not in warned:
            warned.add((rec.key, hts_id))
            _log.warning(
                "key %s subscribed notices with an HTS ID other than its own; that "
                "subscription gets no notices of this key's account", rec.id,
            )

    return bind


def notice_listener(state: SimState) -> Callable[[Any], None]:
    """An engine listener that publishes notices through ``state.realtime_hub``."""

    def recipients(account: tuple[str, str]) -> list[tuple[str, str]]:
        out = []
        for rec in state.auth.keys.values():
            if rec.account == tuple(account) and rec.hts_id:
                tr = "H0STCNI9" if rec.persona == "paper" else "H0STCNI0"
                if (tr, rec.hts_id) not in out:
                    out.append((tr, rec.hts_id))
        return out

    def on_event(event: Any) -> None:
        hub = state.realtime_hub
        if hub is None:
            return
        try:
            if isinstance(event, OrderFilled):
                order, filled = event.order, True
                qty, price = event.fill.qty, event.fill.price
                when, correction = event.fill.time.strftime("%H%M%S"), "0"
            elif isinstance(event, OrderAccepted | OrderModified | OrderCancelled):
                order, filled = event.order, False
                qty, price = order.qty, order.price
                when = state.clock.now().strftime("%H%M%S")
                correction = (
                    "1" if isinstance(event, OrderModified)
                    else "2" if isinstance(event, OrderCancelled) else "0"
                )
                if isinstance(event, OrderCancelled):
                    qty = event.qty
            else:
                return
            if order.market.is_overseas:
                return
            for tr, hts_id in recipients(order.account):
                notice = _notice(order, hts_id, filled=filled, qty=qty, price=price, time=when,
                                 correction=correction)
                hub.publish(tr, hts_id, [notice.row()])
        except Exception:  # a notice must never break the engine's command
            _log.exception("could not publish an order notice")

    return on_event
