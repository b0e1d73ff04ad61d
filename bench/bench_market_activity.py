"""A market that is alive (issue 11): liveness as users start it, and what participants cost.

Run: python bench/bench_market_activity.py [--seconds 10] [--commands 20000] [--rounds 3]

1. **Liveness**, measured against the default configuration: ``hantoo sim serve`` in a child
   process (default options; only the state file is put in a temporary directory, persistence
   stays on), a raw WebSocket client subscribes ``H0STCNT0`` for five liquid symbols and counts,
   for ``--seconds`` of wall time, the trade records with volume (``CNTG_VOL`` > 0). No order of
   one's own is sent. Target: ≥ 50 records in 10 s.
2. **Cost on command throughput**, in process, in the same run: the engine with ``activity=0`` and
   with the default ``activity=1``, ``--commands`` place/cancel commands over the five symbols
   (a place, then its cancel) while the stepped clock moves 1 ms per command (1,000 commands a
   simulated second: participants tick once every 200 commands); best of
   ``--rounds`` alternating runs. The ratio is what participants cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import httpx
import websockets

from hantoo._generated.streams import RECORDS
from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.realtime.frames import subscribe_message

LIQUID = ["005930", "000660", "035720", "105560", "015760"]


@contextmanager
def sim_serve(state_dir: str) -> Iterator[str]:
    """``hantoo sim serve`` with its defaults; yields the REST base URL."""
    cmd = [sys.executable, "-c", "from hantoo.cli.main import main; main()", "sim", "serve",
           "--port", "0", "--state", os.path.join(state_dir, "sim-state.sqlite3")]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        base = ""
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("hantoo sim serve exited before it was ready")
            m = re.search(r"REST\s+(http://\S+)", line)
            if m:
                base = m.group(1)
                break
        if not base:
            raise RuntimeError("hantoo sim serve did not print its address")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def count_trades(base: str, seconds: float) -> tuple[int, int, dict[str, int]]:
    """(records with volume, total volume, records per symbol) over ``seconds``."""
    r = httpx.post(f"{base}/oauth2/Approval", json={
        "grant_type": "client_credentials", "appkey": SIM_APP_KEY, "secretkey": SIM_APP_SECRET})
    approval = r.json()["approval_key"]
    cols = [c.upper() for c in RECORDS["H0STCNT0"].COLUMNS]
    vol_at, n_cols = cols.index("CNTG_VOL"), len(cols)
    per: dict[str, int] = dict.fromkeys(LIQUID, 0)
    volume = 0
    ws_url = base.replace("http://", "ws://") + "/tryitout"
    async with websockets.connect(ws_url) as ws:
        for s in LIQUID:
            await ws.send(subscribe_message(approval, "H0STCNT0", s))
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                msg = await asyncio.wait_for(ws.recv(), left)
            except TimeoutError:
                break
            if not isinstance(msg, str) or not msg.startswith("0|H0STCNT0|"):
                if isinstance(msg, str) and "PINGPONG" in msg:
                    await ws.send(msg)
                continue
            fields = msg.split("|", 3)[3].split("^")
            for i in range(0, len(fields) - n_cols + 1, n_cols):
                q = int(fields[i + vol_at] or 0)
                if q > 0:
                    per[fields[i]] = per.get(fields[i], 0) + 1
                    volume += q
    return sum(per.values()), volume, per


def throughput(activity: float, commands: int) -> tuple[float, int]:
    """Commands per second of the in-process engine, and the participants' trades."""
    from hantoo.sim.engine import KST, Exchange, ExchangeConfig, OrderType, SessionClock, Side
    from hantoo.sim.engine.types import EngineReject

    clock = SessionClock("stepped", start=datetime(2026, 3, 10, 10, 0, tzinfo=KST))
    ex = Exchange(ExchangeConfig(seed=1, clock=clock, activity=activity))
    acct = ex.open_account("10000001", "01", krw=10**13)
    for s in LIQUID:
        ex.grant_shares(acct, s, 10**7, ex.quote(s).price)
    prices = {s: int(ex.quote(s).price) for s in LIQUID}
    ms = timedelta(milliseconds=1)
    placed: list[str] = []
    t0 = time.perf_counter()
    for i in range(commands):
        ex.clock.advance(ms)
        s = LIQUID[i % 5]
        try:
            if i & 1 and placed:
                ex.cancel_order(acct, placed.pop())
            else:
                side = Side.BUY if i & 2 else Side.SELL
                tick = ex.instrument(s).tick_of(prices[s])
                px = prices[s] - 5 * tick if side is Side.BUY else prices[s] + 5 * tick
                placed.append(ex.place_order(acct, s, side, OrderType.LIMIT, 1, px).odno)
        except EngineReject:
            pass
    elapsed = time.perf_counter() - t0
    trades = sum(1 for s in LIQUID for t in ex.trades(s, 10**7)
                 if t.time > datetime(2026, 3, 10, 10, 0, tzinfo=KST))
    return commands / elapsed, trades


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--commands", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip-serve", action="store_true")
    args = ap.parse_args()
    if not args.skip_serve:
        with tempfile.TemporaryDirectory(prefix="hantoo-live-") as d, sim_serve(d) as base:
            n, vol, per = asyncio.run(count_trades(base, args.seconds))
        print(f"liveness (hantoo sim serve, defaults): {n} H0STCNT0 records with volume in "
              f"{args.seconds:.0f} s over {len(LIQUID)} symbols, volume {vol:,}; per symbol "
              f"{json.dumps(per)}")
    quiet = live = 0.0
    quiet_trades = live_trades = 0
    for _ in range(args.rounds):  # alternate, keep the best of each: the machine is noisy
        q, quiet_trades = throughput(0, args.commands)
        lv, live_trades = throughput(1, args.commands)
        quiet, live = max(quiet, q), max(live, lv)
    sim_s = args.commands / 1000
    print(f"engine commands/s, clock 1 ms per command ({sim_s:.0f} simulated s): "
          f"activity 0 {quiet:,.0f} ({quiet_trades} trades), activity 1 {live:,.0f} "
          f"({live_trades} trades); ratio live/quiet {live / quiet:.2f}")


if __name__ == "__main__":
    main()
