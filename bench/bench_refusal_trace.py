"""Benchmark/diagnosis (issue 18): trace every request of a bulk job from the client's limiter
slot to the server's rate-limit check, and show the window of each refusal.

Runs ``hantoo sim serve`` (``--limit`` calls/s, ``--latency-ms``, optional ``--universe``) and
one ``hantoo download`` job at ``--headroom`` of the server's limit, both under
:mod:`refusal_trace`, then prints where each stage's delay goes and, for every refused call,
the requests the server counted in the second before it.

    python bench/bench_refusal_trace.py --universe PATH [--symbols 2000] [--limit 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench_bulk_download import free_port, wait_healthy
from hantoo.bulk import Universe
from refusal_trace import report

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--universe", help="a KRX listing CSV (default: the simulator's own)")
    ap.add_argument("--symbols", type=int, default=2000)
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--headroom", type=float, default=0.9)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--to", default="2026-11-30")
    ap.add_argument("--shown", type=int, default=3, help="refusals shown in detail")
    ap.add_argument("--repeat", type=int, default=2,
                    help="jobs in a row (the first builds the server's histories; later ones "
                         "run at the client's limit)")
    ap.add_argument("--keep", help="write the traces into this directory (kept)")
    opts = ap.parse_args()
    universe = (Universe.from_csv(opts.universe) if opts.universe else Universe.simulator())
    codes = [item.code for item in universe][:opts.symbols]
    first = (dt.date.fromisoformat(opts.to) - dt.timedelta(days=opts.days - 1)).isoformat()
    tracer = str(HERE / "refusal_trace.py")
    with tempfile.TemporaryDirectory(prefix="hantoo-trace-") as tmp:
        root = Path(opts.keep or tmp)
        root.mkdir(parents=True, exist_ok=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        args = ["timeout", "900", sys.executable, tracer, "serve", str(root / "server.json"),
                "sim", "serve", "--port", str(port), "--state", ":memory:", "--limits",
                f"{opts.limit}/s", "--clock", "wall"]
        if opts.universe:
            args += ["--universe", opts.universe]
        server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_healthy(base, server)
            httpx.post(f"{base}/_sim/faults", json={"latency_ms": opts.latency_ms}, timeout=5)
            (root / "codes.txt").write_text("\n".join(codes) + "\n", encoding="utf-8")
            client_limit = f"{max(1, int(opts.limit * opts.headroom))}/s"
            env = dict(os.environ, HANTOO_CACHE_DIR=str(root / "cache"))
            for n in range(opts.repeat):
                t0 = time.monotonic()
                done = subprocess.run(
                    ["timeout", "900", sys.executable, tracer, "client",
                     str(root / f"client{n}.json"), "download", f"@{root / 'codes.txt'}",
                     "--out", str(root / f"out{n}"), "--from", first, "--to", opts.to,
                     "--base-url", base, "--rate-limit", client_limit, "--json"],
                    env=env, capture_output=True, text=True, check=False)
                print(f"job {n + 1}: {len(codes)} symbols, server {opts.limit}/s, client "
                      f"{client_limit}, {time.monotonic() - t0:.1f} s, exit {done.returncode}")
        finally:
            server.terminate()
            server.wait(30)
        print(report(root / "server.json", [root / f"client{n}.json" for n in
                                            range(opts.repeat)], limit=opts.limit,
                     shown=opts.shown))


if __name__ == "__main__":
    main()
