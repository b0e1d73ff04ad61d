"""A live market on the realtime feed, over real sockets, with no orders of one's own.

The simulator runs with the default ``activity`` (synthetic participants on) and a stepped clock
that the test moves 200 ms at a time, so the participants' trades are seeded and the test is
bounded by a deadline rather than timed: five trade records (``H0STCNT0``) with volume must
arrive for every subscribed symbol, their cumulative volume rising and agreeing with the REST quote.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import websockets

from hantoo._generated.streams import RECORDS
from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.realtime.frames import subscribe_message
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.server import running_server

SYMBOLS = ("005930", "000660")
START = datetime(2026, 11, 23, 10, 0, tzinfo=KST)


async def test_liquid_symbols_print_trades_with_volume_on_the_feed() -> None:
    app = create_app(SimConfig(clock_mode="stepped", clock_start=START, limits="off", seed=5))
    assert app.sim.config.activity == 1  # the default: a live market
    cols = [c.upper() for c in RECORDS["H0STCNT0"].COLUMNS]
    vol_at, acml_at, n_cols = cols.index("CNTG_VOL"), cols.index("ACML_VOL"), len(cols)
    seen: dict[str, list[tuple[int, int]]] = {s: [] for s in SYMBOLS}
    with running_server(app=app) as (base, ws_url):
        approval = httpx.post(f"{base}/oauth2/Approval", json={
            "grant_type": "client_credentials", "appkey": SIM_APP_KEY,
            "secretkey": SIM_APP_SECRET}).json()["approval_key"]

        async def clock() -> None:
            while True:
                await asyncio.sleep(0.05)
                app.sim.clock.advance(timedelta(milliseconds=200))

        ticker = asyncio.create_task(clock())
        try:
            async with websockets.connect(ws_url + "/tryitout") as ws:
                for s in SYMBOLS:
                    await ws.send(subscribe_message(approval, "H0STCNT0", s))
                deadline = asyncio.get_running_loop().time() + 20
                while any(sum(1 for v, _ in recs if v > 0) < 5 for recs in seen.values()):
                    left = deadline - asyncio.get_running_loop().time()
                    assert left > 0, {s: len(v) for s, v in seen.items()}
                    msg = await asyncio.wait_for(ws.recv(), left)
                    if not isinstance(msg, str) or not msg.startswith("0|H0STCNT0|"):
                        continue
                    fields = msg.split("|", 3)[3].split("^")
                    for i in range(0, len(fields) - n_cols + 1, n_cols):
                        rec = fields[i:i + n_cols]
                        seen[rec[0]].append((int(rec[vol_at]), int(rec[acml_at])))
        finally:
            ticker.cancel()
        quotes = {s: app.sim.exchange.quote(s).volume for s in SYMBOLS}
    for s, recs in seen.items():
        acml = [a for _, a in recs]
        assert acml == sorted(acml) and acml[-1] > acml[0]  # cumulative volume only rises
        assert acml[-1] <= quotes[s]
