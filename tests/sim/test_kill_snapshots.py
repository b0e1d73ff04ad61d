"""SIGKILL at random moments, background snapshots included, loses no acknowledged command.

A writer process trades on a state file with a snapshot every few commands, so the kills land
before, during and after snapshots being written by its forked child. Some rounds kill the
writer alone (the child, if any, finishes on its own), others its whole process group (the
child dies mid-snapshot too). After every round the state must open, hold every order whose
answer the writer printed, with the status it had, and keep its files private (0600).
"""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from hantoo.sim.engine import OrderStatus, Side
from hantoo.sim.store import journal_path, open_exchange, prev_journal_path

from ._util import ACCT, assert_ok

KILLS = 6
SNAPSHOT_EVERY = 7

WRITER = r"""
import random, sys
from decimal import Decimal
from datetime import datetime
from hantoo.sim.engine import ExchangeConfig, SessionClock, Side, OrderType, EngineReject, KST
from hantoo.sim.store import open_exchange

path, every, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ex = open_exchange(path, ExchangeConfig(
    seed=5, clock=SessionClock(start=datetime(2026, 3, 10, 9, 0, tzinfo=KST))),
    snapshot_every=every)
acct = ("12345678", "01")
if acct not in ex.accounts:
    ex.open_account(*acct, krw=Decimal(10**11))
print("READY", flush=True)
rng = random.Random(seed)
syms = ["005930", "000660", "035720", "069500"]
i = 0
while True:
    i += 1
    sym = rng.choice(syms)
    try:
        r = rng.random()
        if r < 0.15 and ex.open_orders(acct):
            o = ex.cancel_order(acct, ex.open_orders(acct)[0].odno)
        elif r < 0.5:
            o = ex.place_order(acct, sym, Side.BUY, OrderType.MARKET, rng.randint(1, 30))
        elif r < 0.8:
            bids = ex.order_book(sym).bids
            o = ex.place_order(acct, sym, Side.BUY, OrderType.LIMIT, rng.randint(1, 30),
                               bids[-1].price)
        else:
            q = ex.sellable_qty(acct, sym)
            if not q:
                continue
            o = ex.place_order(acct, sym, Side.SELL, OrderType.MARKET, rng.randint(1, q))
    except EngineReject:
        continue
    print("ACK", o.odno, o.status.value, flush=True)
    if i % 9 == 0:
        ex.advance(5)
"""


def _private(path: Path) -> None:
    for p in (path, journal_path(path), prev_journal_path(path)):
        if p.exists():
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


@pytest.mark.timeout(240)  # six writer start-ups; a loaded machine makes each take seconds
def test_random_kills_around_background_snapshots(tmp_path: Path) -> None:
    path = tmp_path / "kill.db"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    rng = random.Random(20261203)
    acked: dict[str, str] = {}
    for round_ in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(path), str(SNAPSHOT_EVERY), str(round_)],
            stdout=subprocess.PIPE, text=True, start_new_session=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        assert proc.stdout is not None
        stop_after = rng.randint(3, 60)  # acknowledged commands before the kill
        deadline = time.monotonic() + 30
        n = 0
        for line in proc.stdout:
            if line.startswith("ACK"):
                _, odno, status = line.split()
                acked[odno] = status
                n += 1
            if n >= stop_after or time.monotonic() > deadline:
                break
        if round_ % 2:
            os.killpg(proc.pid, signal.SIGKILL)  # the writer and a snapshot child, if any
        else:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        assert n >= min(stop_after, 3), "the writer made too little progress"
        _private(path)
    ex = open_exchange(path)
    assert_ok(ex)
    _private(path)
    for odno, status in acked.items():
        o = ex.order(ACCT, odno)
        if status == OrderStatus.FILLED.value:
            assert o.status is OrderStatus.FILLED, odno
    # every share held and every won spent is explained by the recorded fills (commands the
    # writer ran after the last line read here may be there too: durable, just not seen)
    fills = ex.fill_history(ACCT, date(2026, 1, 1), date(2026, 12, 31))
    assert {o for o, s in acked.items() if s == OrderStatus.FILLED.value} <= {f.odno for f in fills}
    held = {p.symbol: p.qty for p in ex.balance(ACCT).positions}
    bought: dict[str, int] = {}
    for f in fills:
        bought[f.symbol] = bought.get(f.symbol, 0) + (f.qty if f.side is Side.BUY else -f.qty)
    assert {k: v for k, v in bought.items() if v} == held
    spent = sum((f.amount + f.fee + f.tax) if f.side is Side.BUY else -(f.amount - f.fee - f.tax)
                for f in fills)
    assert ex.balance(ACCT).summary[0].cash_d2 == Decimal(10**11) - spent
