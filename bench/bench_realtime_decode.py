"""Decoding speed of realtime frames into typed records (one core, no sockets).

Run: .venv/bin/python bench/bench_realtime_decode.py [--records 600000]

Reports records/s for H0STCNT0 (46 columns) at 1 and 10 records per frame:
  * decode: split the frame + build typed records (fields decoded lazily);
  * +3 fields: also read stck_prpr (Decimal), cntg_vol (int), stck_cntg_hour (time);
  * to_dict: every column decoded.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from hantoo.realtime.frames import decode_data, encode_frame
from hantoo.sim.feed import SyntheticFeed


def frames(per_frame: int, distinct: int = 64) -> list[str]:
    feed = SyntheticFeed(1)
    return [
        encode_frame("H0STCNT0", feed.rows("H0STCNT0", "005930", per_frame))
        for _ in range(distinct)
    ]


def rate(fn: Callable[[str], int], pool: list[str], records: int, per_frame: int) -> float:
    n_frames = records // per_frame
    start = time.perf_counter()
    done = 0
    i = 0
    m = len(pool)
    while i < n_frames:
        done += fn(pool[i % m])
        i += 1
    return done / (time.perf_counter() - start)


def decode_only(text: str) -> int:
    return len(decode_data(text))


def three_fields(text: str) -> int:
    recs = decode_data(text)
    for r in recs:
        r.stck_prpr  # type: ignore[attr-defined]  # noqa: B018
        r.cntg_vol  # type: ignore[attr-defined]  # noqa: B018
        r.stck_cntg_hour  # type: ignore[attr-defined]  # noqa: B018
    return len(recs)


def full_dict(text: str) -> int:
    recs = decode_data(text)
    for r in recs:
        r.to_dict()
    return len(recs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=600_000)
    args = ap.parse_args()
    print("H0STCNT0 decode (records/s, one core)")
    for per in (1, 10):
        pool = frames(per)
        rate(decode_only, pool, 20_000, per)  # warm-up
        a = rate(decode_only, pool, args.records, per)
        b = rate(three_fields, pool, args.records // 2, per)
        c = rate(full_dict, pool, args.records // 10, per)
        print(
            f"  {per:>2} rec/frame: decode {a:>10,.0f}   +3 fields {b:>10,.0f}   to_dict {c:>9,.0f}"
        )


if __name__ == "__main__":
    main()
