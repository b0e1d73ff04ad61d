"""What a periodic background snapshot costs, in figures a shared machine does not blur.

The journaled exchange of ``bench_matching`` runs 20,000 public commands (no snapshot due), then:

* ``gc``: takes a background snapshot whose child is held back, and runs one full collection
  of the cyclic GC in the parent meanwhile (a server runs with the GC on). Prints the parent's
  minor page faults for the checkpoint pause and for that collection: every page the parent
  writes while the child shares the heap is copied.
* ``write``: does the child's work in-process (prune the finished orders, pickle the state,
  commit it with the archive documents), for an instruction counter; ``none`` stops before it::

    valgrind --tool=callgrind python bench/bench_snapshot_child.py write
    valgrind --tool=callgrind python bench/bench_snapshot_child.py none

    python bench/bench_snapshot_child.py gc
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_matching as bm
from hantoo.sim import store


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "gc"
    if mode not in ("gc", "write", "none"):
        print("usage: bench_snapshot_child.py gc|write|none", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        ex, insts = bm.build(1, f"{tmp}/bench.sqlite3")
        ex._j_every = 10**9  # no periodic snapshot inside the stream
        bm.run_public(ex, bm.stream(ex, insts, 20_000, 1), 64)
        st = ex._j_checkpointer
        assert isinstance(st, store.StateStore)
        if mode == "write":
            orders, fills = store._prune(ex)
            dpruned = store.deriv_archive.prune(ex)
            db = store._connect(st.path)
            store._write_snapshot(db, ex.journal.appended if ex.journal else 0, ex._now,
                                  store._dump(ex), orders, fills, st._meta_of(ex), dpruned)
            db.close()
            print(f"bench_snapshot_child: wrote a snapshot archiving {len(orders):,} orders "
                  f"and {len(fills):,} fills")
        elif mode == "gc":
            gc.collect()
            read_end, write_end = os.pipe()
            store._child_hook = lambda: os.read(read_end, 1)  # the child waits meanwhile
            f0, t0 = _faults(), time.perf_counter()
            st.checkpoint(ex, background=True)
            f1, t1 = _faults(), time.perf_counter()
            frozen = gc.get_freeze_count()
            gc.collect()
            f2, t2 = _faults(), time.perf_counter()
            os.write(write_end, b"go")
            st.wait()
            print(f"bench_snapshot_child: checkpoint pause {1e3 * (t1 - t0):.0f} ms, "
                  f"{f1 - f0:,} minor faults; one full GC while the child runs "
                  f"{1e3 * (t2 - t1):.1f} ms, {f2 - f1:,} minor faults "
                  f"(objects frozen meanwhile: {frozen:,})")
        st.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
