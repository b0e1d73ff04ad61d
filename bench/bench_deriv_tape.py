"""Benchmark (issue 14): memory of a futures series' day tape, packed vs a list of prints.

The derivatives market keeps every trade of the trading day per series (the realtime trade
records and the intraday candles are built from it). Measures, for ``--prints`` trades, the
bytes per trade held by a list of ``Print`` objects (the former layout, the same-run baseline)
and by :class:`hantoo.sim.derivatives.tape.PrintTape`, in memory (``tracemalloc``) and pickled
(what every snapshot writes), and prints the ratios.

    python bench/bench_deriv_tape.py [--prints 100000]
"""

from __future__ import annotations

import argparse
import gc
import pickle
import tracemalloc
from datetime import datetime, timedelta

from hantoo.sim.derivatives.market import Print
from hantoo.sim.derivatives.tape import PrintTape
from hantoo.sim.engine.clock import KST


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prints", type=int, default=100_000)
    n = ap.parse_args().prints
    t0 = datetime(2026, 11, 23, 10, 0, tzinfo=KST)

    def prints() -> list[Print]:
        return [Print(i + 1, 33_000 + i % 40, 1 + i % 5, t0 + timedelta(microseconds=i * 1000),
                      1 + i % 2) for i in range(n)]

    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    as_list = prints()
    list_bytes = tracemalloc.get_traced_memory()[0] - base
    list_pickled = len(pickle.dumps(as_list, protocol=pickle.HIGHEST_PROTOCOL))
    del as_list
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    tape = PrintTape()
    for p in prints():
        tape.append(p)
    gc.collect()
    tape_bytes = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    tape_pickled = len(pickle.dumps(tape, protocol=pickle.HIGHEST_PROTOCOL))
    print(f"{n:,} prints")
    print(f"list of Print: {list_bytes / n:6.1f} B/print in memory, "
          f"{list_pickled / n:5.1f} B/print pickled")
    print(f"PrintTape:     {tape_bytes / n:6.1f} B/print in memory, "
          f"{tape_pickled / n:5.1f} B/print pickled")
    print(f"ratio (list / tape): memory {list_bytes / tape_bytes:.1f}x, "
          f"pickled {list_pickled / tape_pickled:.1f}x")


if __name__ == "__main__":
    main()
