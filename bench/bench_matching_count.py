"""The public-command stream of ``bench_matching`` for an instruction counter (noise-free A/B).

On a shared machine wall and CPU figures swing 2x from run to run; the number of instructions
a run executes does not. Run it under valgrind with N commands and with 0, and divide the
difference by N (both trees byte-compiled first, so no run pays for compiling)::

    valgrind --tool=callgrind python bench/bench_matching_count.py mem 10000
    valgrind --tool=callgrind python bench/bench_matching_count.py mem 0
    valgrind --tool=callgrind python bench/bench_matching_count.py journaled 20000

``journaled`` is the default persistent exchange (``open_exchange``) with the bench's group
commit; a snapshot falls due after about 19,000 commands of the stream.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_matching as bm


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "mem"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    if mode not in ("mem", "journaled"):
        print("usage: bench_matching_count.py mem|journaled N", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        ex, insts = bm.build(1, None if mode == "mem" else f"{tmp}/bench.sqlite3")
        ops = bm.stream(ex, insts, 30_000, 1)[:n]
        bm.run_public(ex, ops, 64)
        journal = getattr(ex, "journal", None)
        if journal is not None:
            journal.close()
    print(f"bench_matching_count: {mode}, {n:,} public commands")
    return 0


if __name__ == "__main__":
    sys.exit(main())
