"""``GET /_sim/universe``: the simulator's listed issues (code, name, market, kind).

Why: KIS has no API that turns a name into a code (its clients download master files), yet the
simulator knows the name of every issue it lists. The command line uses this to accept
``삼성전자`` wherever it takes ``005930`` against a simulator server, including one started with
a user's ``--universe`` file. Public listing data only: nothing about accounts.
"""

from __future__ import annotations

from typing import Any


def universe_listing(exchange: Any) -> dict[str, Any]:
    """The instruments of ``exchange.universe`` as JSON-ready rows."""
    universe = getattr(exchange, "universe", None)
    rows = [] if universe is None else [
        {"code": inst.code, "name": inst.name, "market": str(inst.market),
         "kind": str(inst.kind)}
        for inst in universe
    ]
    return {"instruments": rows}
