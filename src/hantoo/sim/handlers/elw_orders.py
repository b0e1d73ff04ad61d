"""ELW orders go through the domestic stock order APIs (as on KIS); what is ELW-specific.

The ELW itself is an instrument of the stock engine (:mod:`hantoo.sim.derivatives.elw_trading`),
so price ticks (5 won), limits, quantities and cash are the engine's rules. Only one refusal is
the ELW's own: an ELW past its last trading day is delisted, so a new order for it is refused
with ``APBK1681`` (거래정지 종목) naming the date; its positions stay in the balance.
"""

from __future__ import annotations

from ..derivatives.elw_trading import refuse_unorderable
from . import BusinessError, Call
from ._common import exchange


def refuse_unorderable_elw(call: Call, code: str) -> None:
    """Raise the KIS refusal for an order on an ELW that cannot trade now."""
    why = refuse_unorderable(exchange(call), code)
    if why is not None:
        raise BusinessError("APBK1681", f"거래정지 종목입니다. {why}")
