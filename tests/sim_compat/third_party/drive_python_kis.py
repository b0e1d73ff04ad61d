"""Drive python-kis (PyPI ``python-kis``, ``import pykis``) through a trading day.

Run by ``test_third_party_client.py`` with the interpreter of a venv that has only python-kis
installed; it never imports hantoo. The one change to python-kis: its two base URLs (REST and
WebSocket), module constants it reads at call time — what a user changes to point it elsewhere.
Prints one ``RESULT {json}`` line.

Observation, not change: the notice records python-kis decrypted are recorded by a pass-through
wrapper around its record parser (it calls the original with the same arguments), and the
errors it logs about the notice TR are collected from its own logger by their structured
arguments. Why both: python-kis 2.1.6 decrypts KIS's notice and then refuses it by length
(it knows 23 columns, KIS sends 26 since March 2025; python-kis issue #68), so "a notice
reached python-kis" can only be seen at those two points. Matching log *text* is not enough:
python-kis words both its bookkeeping ("RTC Subscribed to H0STCNI0...") and its refusal
("RTC Failed to parse message: H0STCNI0 ...") the same way.

Arguments come from the environment: ``SIM_REST``, ``SIM_WS``, ``KIS_APPKEY``,
``KIS_SECRET``, ``KIS_HTS_ID``, ``KIS_ACCOUNT``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import pykis.client.websocket
import pykis.kis
from pykis import PyKis
from pykis.api.websocket import WEBSOCKET_RESPONSES_MAP
from pykis.responses.websocket import KisWebsocketResponse

pykis.kis.REAL_DOMAIN = os.environ["SIM_REST"]
pykis.client.websocket.WEBSOCKET_REAL_DOMAIN = os.environ["SIM_WS"]

NOTICE_TR = "H0STCNI0"
NOTICE_TYPE = WEBSOCKET_RESPONSES_MAP[NOTICE_TR]
_parse = KisWebsocketResponse.parse.__func__  # type: ignore[attr-defined]
decrypted: list[str] = []


def _watching_parse(cls: type, data: str, /, count: int | None = None, split: str = "^", *,
                    response_type: type) -> Any:
    """python-kis's own parser, called unchanged; notice records are noted on the way."""
    if response_type is NOTICE_TYPE:
        decrypted.append(data)
    return _parse(cls, data, count, split, response_type=response_type)


KisWebsocketResponse.parse = classmethod(_watching_parse)  # type: ignore[method-assign, assignment]


class _NoticeErrors(logging.Handler):
    """What python-kis reported as going wrong with a notice frame (decrypt, key, parse)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if args and getattr(args[0], "id", args[0]) == NOTICE_TR:
            self.errors.append(str(args[-1]) if len(args) > 1 else record.getMessage())


def _filled_qty() -> int:
    rows = [r.split("^") for r in decrypted]
    return sum(int(r[9] or 0) for r in rows if len(r) > 13 and r[13] == "2")


def main() -> None:
    notices = _NoticeErrors()
    logging.getLogger("pykis").addHandler(notices)
    kis = PyKis(id=os.environ["KIS_HTS_ID"], account=os.environ["KIS_ACCOUNT"],
                appkey=os.environ["KIS_APPKEY"], secretkey=os.environ["KIS_SECRET"],
                keep_token=False)
    out: dict[str, object] = {}
    stock = kis.stock("005930")
    out["name"] = stock.name
    out["price"] = str(stock.quote().price)
    trades: list[object] = []
    fills: list[object] = []
    account = kis.account()
    tickets = [stock.on("price", lambda _s, e: trades.append(e.response)),
               account.on("execution", lambda _s, e: fills.append(e.response))]
    time.sleep(1.0)
    order = stock.buy(qty=3)  # a market order
    out["order"] = str(order.number)
    deadline = time.time() + 15
    while time.time() < deadline and (not trades or _filled_qty() < 3):
        time.sleep(0.2)
    # A record is noted before python-kis parses it: let it finish with the last one.
    while time.time() < deadline and len(notices.errors) + len(fills) < len(decrypted):
        time.sleep(0.05)
    out["trades"] = [[str(t.price), str(t.volume)] for t in trades]  # type: ignore[attr-defined]
    out["fills"] = [str(f.executed_quantity) for f in fills]  # type: ignore[attr-defined]
    out["notices"] = list(decrypted)
    out["notice_errors"] = notices.errors
    balance = account.balance()
    out["holding"] = str(sum(s.qty for s in balance.stocks if s.symbol == "005930"))
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
    del tickets
    kis.websocket.disconnect()


if __name__ == "__main__":
    main()
