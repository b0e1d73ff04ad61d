"""Persistence: a restart restores everything; a SIGKILL loses no acknowledged command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from hantoo.sim.engine import (
    CreditType,
    ExchangeConfig,
    OrderStatus,
    OrderType,
    SessionClock,
    Side,
)
from hantoo.sim.store import open_exchange

from ._util import ACCT, DAY, assert_ok

SYM = "005930"


def _cfg() -> ExchangeConfig:
    return ExchangeConfig(seed=3, clock=SessionClock(start=DAY))


def test_restart_restores_state(tmp_path: Path) -> None:
    path = tmp_path / "sim.db"
    ex = open_exchange(path, _cfg())
    ex.open_account(*ACCT, krw=Decimal(10**10))
    ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 100)
    resting = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 10,
                             ex.order_book(SYM).bids[-1].price)
    part = ex.place_order(ACCT, SYM, Side.SELL, OrderType.LIMIT, 30,
                          ex.order_book(SYM).asks[-1].price)
    ex.place_order(ACCT, "000660", Side.BUY, OrderType.MARKET, 5, credit=CreditType.SELF_LOAN_NEW)
    rsv = ex.reserve_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 3, resting.price)
    ex.advance(95)
    before = (ex.balance(ACCT), ex.open_orders(ACCT), ex.quote(SYM).price,
              ex.fill_history(ACCT, DAY.date(), DAY.date()), ex.reservation_list(ACCT))
    ex2 = open_exchange(path)  # the old object is simply abandoned, as after a crash
    after = (ex2.balance(ACCT), ex2.open_orders(ACCT), ex2.quote(SYM).price,
             ex2.fill_history(ACCT, DAY.date(), DAY.date()), ex2.reservation_list(ACCT))
    assert after == before
    assert ex2.now() == ex.now()
    assert_ok(ex2)
    # resting orders are back in the book in priority order and keep working
    assert {o.odno for o in ex2.open_orders(ACCT)} == {resting.odno, part.odno}
    book = ex2.order_book(SYM)
    assert any(lv.price == resting.price for lv in book.bids)
    nxt = ex2.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 1)
    assert int(nxt.odno) > int(part.odno)
    ex2.cancel_order(ACCT, resting.odno)
    ex2.advance_to(DAY.replace(day=11, hour=8, minute=31))
    assert ex2.reservation_list(ACCT)[0].odnos  # sent at the next open
    assert rsv.seq == 1
    assert_ok(ex2)


WRITER = r"""
import random, sys
from decimal import Decimal
from datetime import datetime
from hantoo.sim.engine import ExchangeConfig, SessionClock, Side, OrderType, EngineReject, KST
from hantoo.sim.store import open_exchange

path = sys.argv[1]
ex = open_exchange(path, ExchangeConfig(
    seed=5, clock=SessionClock(start=datetime(2026, 3, 10, 9, 0, tzinfo=KST))))
acct = ("12345678", "01")
if acct not in ex.accounts:
    ex.open_account(*acct, krw=Decimal(10**11))
print("READY", flush=True)
rng = random.Random(1)
syms = ["005930", "000660", "035720", "069500"]
i = 0
while True:
    i += 1
    sym = rng.choice(syms)
    try:
        r = rng.random()
        if r < 0.1 and ex.open_orders(acct):
            o = ex.cancel_order(acct, ex.open_orders(acct)[0].odno)
        elif r < 0.5:
            o = ex.place_order(acct, sym, Side.BUY, OrderType.MARKET, rng.randint(1, 50))
        elif r < 0.8:
            bids = ex.order_book(sym).bids
            o = ex.place_order(acct, sym, Side.BUY, OrderType.LIMIT, rng.randint(1, 50),
                               bids[-1].price)
        else:
            q = ex.sellable_qty(acct, sym)
            if not q:
                continue
            o = ex.place_order(acct, sym, Side.SELL, OrderType.MARKET, rng.randint(1, q))
    except EngineReject:
        continue
    print("ACK", o.odno, o.status.value, flush=True)
    if i % 7 == 0:
        ex.advance(10)
"""


def test_sigkill_loses_no_acknowledged_order(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    acked: dict[str, str] = {}
    for _round in range(2):  # crash, restart the writer on the same file, crash again
        proc = subprocess.Popen(
            [sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        assert proc.stdout is not None
        deadline = time.monotonic() + 20
        n = 0
        for line in proc.stdout:
            if line.startswith("ACK"):
                _, odno, status = line.split()
                acked[odno] = status
                n += 1
            if n >= 60 or time.monotonic() > deadline:
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert n >= 10, "the writer made too little progress"
    ex = open_exchange(path)
    assert_ok(ex)
    for odno, status in acked.items():
        o = ex.order(ACCT, odno)
        if status == OrderStatus.FILLED.value:
            assert o.status is OrderStatus.FILLED
    fills = ex.fill_history(ACCT, date(2026, 1, 1), date(2026, 12, 31))
    bal = ex.balance(ACCT)
    held = {p.symbol: p.qty for p in bal.positions}
    bought: dict[str, int] = {}
    for f in fills:
        bought[f.symbol] = bought.get(f.symbol, 0) + (f.qty if f.side is Side.BUY else -f.qty)
    assert {k: v for k, v in bought.items() if v} == held
    spent = sum((f.amount + f.fee + f.tax) if f.side is Side.BUY else -(f.amount - f.fee - f.tax)
                for f in fills)
    assert bal.summary[0].cash_d2 == Decimal(10**11) - spent
