"""One "host" of the two-host test and benchmark: run inside its network namespace by
:mod:`netns_kit`, it starts a group of fleet workers (spawned processes) and prints their
results as one ``RESULTS <json>`` line."""

from __future__ import annotations

import json
import multiprocessing
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fleet_workers import FileBarrier, fleet_worker


def main() -> None:
    cfg = json.loads(sys.argv[1])
    barrier = FileBarrier(cfg["barrier"], cfg["parties"])
    root = Path(cfg["cache_root"])
    jobs = []
    for i in range(cfg["procs"]):
        # one cache directory per process (only Redis is shared), or one per host (the
        # host-wide file limiter, the baseline)
        cache = root / f"host{cfg['host']}" / ("shared" if cfg["shared_cache"] else f"proc{i}")
        jobs.append((cfg["base_url"], cfg["redis_url"], str(cache), cfg["tasks"], barrier,
                     cfg["seconds"]))
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(cfg["procs"]) as pool:
        results = pool.starmap(fleet_worker, jobs, chunksize=1)
    print("RESULTS " + json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
