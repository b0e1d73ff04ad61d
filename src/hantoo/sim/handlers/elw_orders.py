"""ELW orders go through the domestic stock order APIs (as on KIS); what is ELW-specific.

The ELW itself is an instrument of the stock engine (:mod:`hantoo.sim.derivatives.elw_trading`),
so price ticks (5 won), the 10-warrant unit, quantities and cash are the engine's rules. The
ELW's own refusals (KRX 매매제도): an ELW past its last trading day is delisted (``APBK1681``,
거래정지 종목, naming the date; its positions stay in the balance); ELWs trade by limit order
only and never on credit (``APBK0506``).
"""

from __future__ import annotations

from ..derivatives.elw_trading import refuse_unorderable
from . import BusinessError, Call
from ._common import exchange


def refuse_unorderable_elw(call: Call, code: str, *, credit: bool = False) -> None:
    """Raise the KIS refusal for an order on an ELW that cannot trade so."""
    limit = call.param("ORD_DVSN").strip() in ("00", "")
    why = refuse_unorderable(exchange(call), code, limit=limit, credit=credit)
    if why is not None:
        raise BusinessError(*why)
