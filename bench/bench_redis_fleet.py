"""One app key, a fleet of processes, one Redis: refusals, utilisation and token issuances.

A ``hantoo sim serve`` process enforces the real KIS limits on the demo key (18/s, 1,000/min,
50,000/h; EGW00201 for the excess) and counts token issuances; a ``redis-server`` started here
on a free 127.0.0.1 port coordinates. ``--procs`` processes in ``--hosts`` groups, each process
with ``--tasks`` asyncio tasks calling the current-price API as fast as its client lets it for
``--seconds``. Every process has its own token cache directory.

"Hosts": by default groups of processes that share nothing but Redis and the server (separate
cache directories, Redis connections and heartbeat entries). With ``--netns`` (Linux, root) the
hosts are real network namespaces (``tests/fleet/netns_kit.py``): Redis and ``hantoo sim serve``
in a server namespace, ``--procs / 2`` processes in each of two host namespaces, joined by a
private bridge; the file baseline then runs all its processes in one host namespace (it cannot
span hosts). Modes, same run:

* ``file`` — the baseline: the host-wide file limiter and token cache, all processes in one
  cache directory (the one-host setup of issue 13; it cannot span hosts);
* ``redis`` — the Redis coordinator (tokens and limiter), cache directories per process.

Printed per mode: calls, calls/s, the share of what the server's windows allow over the run
(``min(18 * T, 1000 * max(1, T / 60))``), EGW00201 counted by the server, EGW00201 reaching a
caller, token issuances, and the ratio of the two modes' calls.

    python bench/bench_redis_fleet.py [--seconds 30] [--procs 8] [--hosts 2] [--tasks 10]
        [--modes file,redis] [--netns]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "fleet"))
from _fleet_workers import fleet_worker, min_span
from redis_kit import RedisServer, sim_serve


def measure(base_url: str, redis_url: str, mode: str, args: argparse.Namespace
            ) -> dict[str, Any]:
    before = httpx.get(f"{base_url}/_sim/stats").json()
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="hantoo-fleet-") as tmp, ctx.Manager() as manager:
        ready = manager.Barrier(args.procs)
        jobs = []
        for i in range(args.procs):
            host = i % args.hosts
            cache = f"{tmp}/shared" if mode == "file" else f"{tmp}/host{host}/proc{i}"
            jobs.append((base_url, redis_url if mode == "redis" else "", cache, args.tasks,
                         ready, args.seconds))
        with ctx.Pool(args.procs) as pool:
            results = pool.starmap(fleet_worker, jobs, chunksize=1)
    after = httpx.get(f"{base_url}/_sim/stats").json()
    return _summary(mode, results, before, after, args)


def measure_netns(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    """One mode on two namespace hosts, against a fresh server namespace."""
    from netns_kit import two_hosts

    with tempfile.TemporaryDirectory(prefix="hantoo-netns-") as tmp, \
            two_hosts(Path(tmp), lifetime=args.seconds + 200) as net:
        before = net.get_json("/_sim/stats")
        per_host = args.procs // 2
        if mode == "file":  # one host, one cache directory: the host-wide file limiter
            groups = [net.start_group(0, procs=args.procs, tasks=args.tasks,
                                      seconds=args.seconds, cache_root=Path(tmp) / "c",
                                      barrier_dir=Path(tmp) / "b", parties=args.procs,
                                      redis=False, shared_cache=True)]
        else:
            groups = [net.start_group(h, procs=per_host, tasks=args.tasks,
                                      seconds=args.seconds, cache_root=Path(tmp) / "c",
                                      barrier_dir=Path(tmp) / "b", parties=2 * per_host,
                                      redis=True) for h in (0, 1)]
        results = [r for g in groups for r in net.results(g, timeout=args.seconds + 180)]
        after = net.get_json("/_sim/stats")
    return _summary(mode, results, before, after, args)


def _summary(mode: str, results: list[dict[str, Any]], before: dict[str, Any],
             after: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    ok = sum(r["calls"] for r in results)
    t = args.seconds
    allowed = min(18 * t, 1000 * max(1.0, t / 60))
    return {"mode": mode, "calls": ok, "rate": ok / t, "share": 100 * ok / allowed,
            "server_rejections": after["rate_limited"] - before["rate_limited"],
            "caller_rejections": sum(r["rejected"] for r in results),
            "other_errors": sum(r["other"] for r in results),
            "min_span": min_span([t for r in results for t in r["sends"]], 18),
            "issuances": sum(after["token_issuances"].values())
            - sum(before["token_issuances"].values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--hosts", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--modes", default="file,redis")
    parser.add_argument("--netns", action="store_true",
                        help="two real hosts: Linux network namespaces (needs root)")
    args = parser.parse_args()
    if args.netns:
        from netns_kit import unavailable

        reason = unavailable()
        if reason is not None:
            raise SystemExit(f"--netns: {reason}")
        args.hosts = 2
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="hantoo-redis-") as work:
        redis = RedisServer(Path(work))
        redis.start()
        try:
            for mode in modes:
                # a fresh server per mode: its own minute window and token counters
                if args.netns:
                    r = measure_netns(mode, args)
                else:
                    with sim_serve(cli=True) as base_url:
                        r = measure(base_url, redis.url, mode, args)
                rows.append(r)
                print(f"{r['mode']:>5}: {r['calls']} calls in {args.seconds:.0f}s = "
                      f"{r['rate']:.2f}/s ({r['share']:.1f} % of what the limits allow), "
                      f"EGW00201 at the server: {r['server_rejections']}, reaching callers: "
                      f"{r['caller_rejections']}, other errors: {r['other_errors']}, shortest "
                      f"span of 19 sends: {r['min_span']:.3f}s, token "
                      f"issuances: {r['issuances']}  [{args.procs} procs in {args.hosts} "
                      f"{'namespace hosts' if args.netns else 'groups'} x {args.tasks} "
                      "tasks]", flush=True)
                time.sleep(1)
        finally:
            redis.stop()
    if len(rows) == 2 and rows[0]["calls"]:
        print(f"ratio {rows[1]['mode']}/{rows[0]['mode']} calls: "
              f"{rows[1]['calls'] / rows[0]['calls']:.2f}")


if __name__ == "__main__":
    main()
