"""A user's recorded bars replace the synthetic prices, seen through the SDK."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import hantoo
from hantoo._core.inprocess import LoopThread, SyncASGITransport
from hantoo.sim.app import SimConfig, create_app


def test_replayed_daily_bars_come_back_as_candles(tmp_path: Path) -> None:
    rows = ["symbol,date,open,high,low,close,volume"]
    # KRX business days (10-05 is the substitute holiday for 개천절, 10-09 is 한글날).
    days = [dt.date(2026, 10, d) for d in (13, 14, 15, 16, 19, 20)]
    closes = [71000, 71500, 70800, 72300, 73000, 72100]
    for d, close in zip(days, closes, strict=True):
        rows.append(f"005930,{d.isoformat()},{close - 300},{close + 500},{close - 700},{close},"
                    f"{1_000_000 + close}")
    path = tmp_path / "bars.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    app = create_app(SimConfig(limits="off", clock_mode="stepped", activity=0,
                               replay_path=str(path)))
    loop = LoopThread("replay-test")
    try:
        with hantoo.Client("sim", transport=SyncASGITransport(app, loop),
                           base_url="http://replay.invalid", rate_limit=False,
                           cache_dir=str(tmp_path / "c")) as client:
            candles = client.candles("005930", days[0], days[-1], "day")
    finally:
        loop.stop()
    got = {c.date: c.close for c in candles}
    assert [got.get(d) for d in days] == [Decimal(c) for c in closes], got
