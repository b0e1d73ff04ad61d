"""Drive python-kis (PyPI ``python-kis``, ``import pykis``) through a trading day.

Run by ``test_third_party_client.py`` with the interpreter of a venv that has only python-kis
installed; it never imports hantoo. The one change to python-kis: its two base URLs (REST and
WebSocket), module constants it reads at call time — what a user changes to point it elsewhere.
Prints one ``RESULT {json}`` line.

Arguments come from the environment: ``SIM_REST``, ``SIM_WS``, ``KIS_APPKEY``,
``KIS_SECRET``, ``KIS_HTS_ID``, ``KIS_ACCOUNT``.
"""

from __future__ import annotations

import json
import logging
import os
import time

import pykis.client.websocket
import pykis.kis
from pykis import PyKis

pykis.kis.REAL_DOMAIN = os.environ["SIM_REST"]
pykis.client.websocket.WEBSOCKET_REAL_DOMAIN = os.environ["SIM_WS"]


class _Notices(logging.Handler):
    """Watches python-kis's own log for the notice frames it received (observation only)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        # Frames only: "RTC Subscribed to H0STCNI0..." is bookkeeping, not a notice.
        if "H0STCNI0" in text and not text.startswith("RTC "):
            self.lines.append(text)


def main() -> None:
    notices = _Notices()
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
    while time.time() < deadline and (not trades or not (fills or notices.lines)):
        time.sleep(0.2)
    out["trades"] = [[str(t.price), str(t.volume)] for t in trades]  # type: ignore[attr-defined]
    out["fills"] = [str(f.executed_quantity) for f in fills]  # type: ignore[attr-defined]
    out["notice_log"] = notices.lines
    balance = account.balance()
    out["holding"] = str(sum(s.qty for s in balance.stocks if s.symbol == "005930"))
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
    del tickets
    kis.websocket.disconnect()


if __name__ == "__main__":
    main()
