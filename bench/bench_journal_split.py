"""Where the journaled engine's time goes: the same 40,000 public commands four ways.

Each variant runs in its own process (fresh heap, fresh exchange), alternated ``--rounds`` times
because the machine is shared; the median of each is printed with the spread:

* ``mem``: a plain ``Exchange`` (no persistence): the baseline;
* ``nosync``: ``open_exchange`` with every command journaled, but no group commit during the
  run (one sync at its end) and no periodic snapshot: the cost of the records themselves;
* ``nosnap``: the same with the bench's group commit on the syncing thread: plus the syncs;
* ``journal``: the default ``open_exchange`` (periodic background snapshots): what users run.

    python bench/bench_journal_split.py [--rounds 5] [--commands 40000]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_matching as bm
from hantoo.sim import store

VARIANTS = ("mem", "nosync", "nosnap", "journal")


def one(variant: str, commands: int) -> float:
    """Commands per second (wall) of ``variant`` in this process."""
    group = 64
    with tempfile.TemporaryDirectory() as tmp:
        if variant == "mem":
            ex, insts = bm.build(1)
        else:
            every = store.SNAPSHOT_EVERY if variant == "journal" else 0
            bm.open_exchange = functools.partial(store.open_exchange, snapshot_every=every)
            ex, insts = bm.build(1, f"{tmp}/bench.sqlite3")
            if variant == "nosync":
                group = 10**9  # no group closes inside the run: one sync at its end
        ops = bm.stream(ex, insts, commands, 1)
        dt = bm.run_public(ex, ops, group)[0]
        journal = getattr(ex, "journal", None)
        if journal is not None:
            journal.close()
    return commands / dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--commands", type=int, default=40_000)
    ap.add_argument("--one", choices=VARIANTS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(one(args.one, args.commands))
        return 0
    rates: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for _ in range(args.rounds):
        for v in VARIANTS:
            out = subprocess.run(
                [sys.executable, __file__, "--one", v, "--commands", str(args.commands)],
                capture_output=True, text=True, check=True)
            rates[v].append(float(out.stdout.strip().splitlines()[-1]))
    base = statistics.median(rates["mem"])
    print(f"bench_journal_split: {args.commands:,} public commands, {args.rounds} alternated "
          "rounds, medians (min-max)")
    for v in VARIANTS:
        med = statistics.median(rates[v])
        print(f"  {v:8s} {med:9,.0f}/s ({min(rates[v]):,.0f}-{max(rates[v]):,.0f})  "
              f"ratio to mem {med / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
