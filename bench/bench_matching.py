"""Matching-engine throughput: orders per second, in-process, persistence off.

A seeded stream over 100 synthetic KRX symbols mixes limit orders (half of them marketable),
market orders and cancels from 10 accounts. The stream is generated before the clock starts, so
only the engine is timed: validation, reservation, matching, settlement (fees, taxes, positions)
and the order/fill journal in memory. It uses the engine's integer entry points
(``Exchange.submit`` / ``Exchange.cancel``) — what the server calls after parsing a request.

    .venv/bin/python bench/bench_matching.py [--orders N] [--seed S]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from datetime import datetime
from decimal import Decimal

from hantoo.sim.engine import (
    KST,
    EngineReject,
    Exchange,
    ExchangeConfig,
    Instrument,
    Market,
    OrderType,
    SessionClock,
    Universe,
    check_invariants,
)
from hantoo.sim.engine.orders import BUY, SELL, Order

N_SYMBOLS = 100
N_ACCOUNTS = 10
TARGET = 200_000
ORDER, CANCEL = 0, 1


def build(seed: int) -> tuple[Exchange, list[Instrument]]:
    rng = random.Random(seed)
    levels = [1_500, 4_000, 15_000, 42_000, 71_000, 150_000, 320_000, 750_000]
    insts = [
        Instrument(f"{900000 + i}", f"BENCH{i:03d}", Market.KOSPI, rng.choice(levels),
                   volume=1_000_000, shares=10_000_000)
        for i in range(N_SYMBOLS)
    ]
    ex = Exchange(ExchangeConfig(
        seed=seed, universe=Universe(insts), max_order_qty=10**9,
        clock=SessionClock(start=datetime(2026, 3, 10, 9, 0, tzinfo=KST)),
    ))
    for a in range(N_ACCOUNTS):
        key = ex.open_account(f"{10_000_000 + a}", "01", krw=Decimal(10**15))
        for inst in insts:
            ex.grant_shares(key, inst.code, 10**7, Decimal(inst.ref_price))
    return ex, insts


def stream(ex: Exchange, insts: list[Instrument], n: int, seed: int) -> list[tuple[object, ...]]:
    rng = random.Random(seed + 1)
    accts = list(ex.accounts.values())
    mids = {i.code: ex._state(i).last for i in insts}
    out: list[tuple[object, ...]] = []
    for _ in range(n):
        r = rng.random()
        a = rng.choice(accts)
        inst = rng.choice(insts)
        side = BUY if rng.random() < 0.5 else SELL
        qty = rng.randint(1, 50)
        if r < 0.30:
            out.append((CANCEL, a, rng.randint(1, 40)))
        elif r < 0.50:
            out.append((ORDER, a, inst, side, OrderType.MARKET, qty, 0))
        else:
            tick = inst.tick_of(mids[inst.code])
            off = rng.randint(-4, 4) * tick
            px = mids[inst.code] + (off if side == BUY else -off)
            out.append((ORDER, a, inst, side, OrderType.LIMIT, qty, px))
    return out


def run(ex: Exchange, ops: list[tuple[object, ...]]) -> tuple[float, float, int, int, int]:
    submit = ex.submit
    cancel = ex.cancel
    placed: dict[object, list[Order]] = {a: [] for a in ex.accounts.values()}
    rejects = 0
    cancels = 0
    gc.disable()
    c0 = time.process_time()
    t0 = time.perf_counter()
    for op in ops:
        try:
            if op[0] is ORDER:
                _, a, inst, side, otype, qty, px = op
                o = submit(a, inst, side, otype, qty, px)  # type: ignore[arg-type]
                if o.remaining:
                    placed[a].append(o)
            else:
                lst = placed[op[1]]
                k = op[2]
                if len(lst) >= k:  # type: ignore[operator]
                    o = lst.pop(-k)  # type: ignore[operator]
                    if o.remaining:
                        cancel(o)
                        cancels += 1
        except EngineReject:
            rejects += 1
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    gc.enable()
    return dt, cpu, rejects, len(ex.fills), cancels


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=300_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    best: tuple[float, float, int, int, int] | None = None
    problems: list[str] = []
    for _ in range(args.repeat):  # fresh exchange each time; the machine is shared
        ex, insts = build(args.seed)
        ops = stream(ex, insts, args.orders, args.seed)
        res = run(ex, ops)
        problems += check_invariants(ex)
        if best is None or res[0] < best[0]:
            best = res
    assert best is not None
    dt, cpu, rejects, fills, cancels = best
    kinds = {name: sum(1 for o in ops if o[0] is k) for name, k in (("order", ORDER),
                                                                    ("cancel", CANCEL))}
    rate = len(ops) / dt
    print("bench_matching: in-process engine, persistence OFF (no SQLite), no listeners")
    print(f"  symbols={N_SYMBOLS} accounts={N_ACCOUNTS} commands={len(ops):,} "
          f"(orders {kinds['order']:,}, cancel requests {kinds['cancel']:,} of which "
          f"{cancels:,} hit a working order) rejects={rejects:,}")
    print(f"  fills={fills:,} best of {args.repeat}: elapsed={dt:.3f}s cpu={cpu:.3f}s")
    print(f"  throughput: {rate:,.0f} commands/s wall, {len(ops) / cpu:,.0f} per CPU-second "
          f"(target >= {TARGET:,}); new orders alone: {kinds['order'] / dt:,.0f}/s")
    print(f"  invariants: {'ok' if not problems else problems[:3]}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
