"""Bulk downloads against the in-process simulator: concurrency under the limiter, isolation of
failures, resumable and appendable exports, atomic files, bulk quotes."""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

import hantoo
from hantoo._core.inprocess import SyncASGITransport
from hantoo.bulk.store import MANIFEST, Store, atomic_write
from hantoo.domain.objects import Candle, Candles

sys.path.insert(0, str(Path(__file__).parent))
from simkit import Capture, private_sim

SYMBOLS = ["005930", "000660", "035420", "005380", "051910", "006400"]
FIRST, LAST = "2026-01-02", "2026-11-20"


class Aborted(Exception):
    pass


class Stamped(httpx.BaseTransport):
    """Records when each API request left (after the limiter let it go)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.sent = inner, []  # type: list[float]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "/uapi/" in request.url.path:
            self.sent.append(time.monotonic())
        return self.inner.handle_request(request)


class InFlight(httpx.BaseTransport):
    """Counts the API requests under way at once (the sync client sends from worker threads)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.now, self.most = inner, 0, 0
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        api = "/uapi/" in request.url.path
        if api:
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
        try:
            return self.inner.handle_request(request)
        finally:
            if api:
                with self.lock:
                    self.now -= 1


def test_symbols_page_concurrently_under_the_limit_with_no_rejection() -> None:
    # 6 symbols x 3 pages = 18 calls: at 5/s they take ~3.5 s, so a job that ignored the
    # limiter (6 workers at once) would be refused by the server's 6/s window at once.
    with private_sim(limits="6/s") as sim:
        stamped = Stamped(Capture(SyncASGITransport(sim.app, sim.loop), sim.wire))
        with hantoo.Client(transport=stamped, rate_limit="5/s", cache_dir=sim.cache_dir) as c:
            job = c.download(SYMBOLS, FIRST, LAST, concurrency=6)
            assert sim.state.limiter.refused == 0
            assert job.summary.rate_limited == 0 and job.summary.retries == 0
            sent = stamped.sent
            assert len(sent) == job.summary.requests == 18
            # never more than 5 sends in any one-second window, as the limiter promises
            assert all(sent[i + 5] - sent[i] >= 1.0 for i in range(len(sent) - 5))
    with private_sim(limits="20/s") as sim:
        sim.state.faults.update(latency_ms=200)  # a round trip spans several 50 ms sends
        counting = InFlight(Capture(SyncASGITransport(sim.app, sim.loop), sim.wire))
        c = hantoo.Client(transport=counting, rate_limit="20/s", cache_dir=sim.cache_dir)
        job = c.download(SYMBOLS, FIRST, LAST, concurrency=6)
        assert job.ok and job.summary.completed == len(SYMBOLS)
        calls = [s.params["FID_INPUT_ISCD"] for s in sim.wire.paths("itemchartprice")]
        assert len(calls) == job.summary.pages == sum(r.pages for r in job.values())
        assert counting.most > 1  # concurrent: requests overlapped (a loop has one at a time)
        # and every symbol equals what the sequential API returns
        for code in SYMBOLS[:2]:
            alone = c.candles(code, FIRST, LAST)
            got = job[code].candles
            assert got is not None and list(got) == list(alone)
            assert all(isinstance(b.close, Decimal) for b in got)
        c.close()


def test_one_symbols_windows_are_fetched_at_once_into_one_ordered_file(tmp_path: Path) -> None:
    """Three years of one symbol: its 140-day windows are independent requests, under way at
    the same time, and still make one complete file in date order without a repeated bar -
    the bars ``candles`` pages for one after another."""
    first, last = "2023-11-20", LAST
    with private_sim(limits="20/s") as sim:
        sim.state.faults.update(latency_ms=200)  # a round trip spans several 50 ms sends
        counting = InFlight(Capture(SyncASGITransport(sim.app, sim.loop), sim.wire))
        with hantoo.Client(transport=counting, rate_limit="20/s",
                           cache_dir=sim.cache_dir) as c:
            job = c.download(["005930"], first, last, out=tmp_path, format="csv")
            assert counting.most > 2  # one symbol, several of its windows in flight
            windows = -(-((dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days
                          + 1) // 140)
            assert job.ok and job["005930"].pages == windows  # one call per window
            alone = c.candles("005930", first, last)
        text = (tmp_path / "005930.csv").read_text(encoding="utf-8").splitlines()
        days = [line.split(",")[0][:10] for line in text[1:]]
        assert days == sorted(set(days))  # ordered, each day once
        assert days == [b.date.isoformat() for b in alone]


def test_short_pages_end_a_window_without_an_extra_call() -> None:
    with private_sim() as sim, sim.client() as c:
        # a range starting on a Sunday: the page loop asks once more for the empty weekend
        job = c.download(["005930"], "2025-12-28", LAST)
        bulk_calls = len(sim.wire.paths("itemchartprice"))
        c.candles("005930", "2025-12-28", LAST)
        loop_calls = len(sim.wire.paths("itemchartprice")) - bulk_calls
        assert job["005930"].rows > 200
        days = (dt.date.fromisoformat(LAST) - dt.date(2025, 12, 28)).days + 1
        assert bulk_calls == -(-days // 140)  # one call per 140-day (100-weekday) window
        assert bulk_calls < loop_calls


def test_one_unknown_symbol_costs_the_others_nothing() -> None:
    with private_sim() as sim, sim.client() as c:
        job = c.download(["005930", "999999", "000660"], FIRST, LAST)
        bad = job["999999"]
        assert not bad.ok and bad.error_code == "MCA05918" and bad.rows == 0
        assert job["005930"].ok and job["000660"].ok
        assert job["005930"].rows == job["000660"].rows > 200
        assert job.summary.failed == 1 and job.summary.completed == 2
        assert set(job.summary.incomplete) == {"999999"}
        assert list(job) == ["005930", "999999", "000660"]


def test_minute_bars_of_a_day_match_the_sequential_api() -> None:
    with private_sim() as sim, sim.client() as c:
        day = sim.state.clock.now().date()
        sim.advance(3 * 3600)  # 13:00: a few pages of minute bars
        job = c.download(["005930", "000660"], day, day, "minute")
        alone = c.candles("005930", day, day, "minute")
        got = job["005930"].candles
        assert got is not None and len(got) > 200
        assert list(got) == list(alone)


async def test_async_client_runs_the_same_engine() -> None:
    with private_sim(limits="20/s") as sim:
        async with sim.async_client(rate_limit="20/s") as c:
            job = await c.download(SYMBOLS[:3], FIRST, LAST)
            quotes = await c.quotes(SYMBOLS)
        assert job.ok and sim.state.limiter.refused == 0
        assert set(quotes) == set(SYMBOLS) and quotes.calls == 1


def test_end_defaults_to_the_markets_today() -> None:
    with private_sim() as sim, sim.client() as c:
        job = c.download(["005930"], "2026-11-01")
        today = sim.state.clock.now().date()
        got = job["005930"].candles
        assert got is not None and got[-1].date == today == job["005930"].end


# -- exports ---------------------------------------------------------------------------------


def _read(path: Path) -> list[dict[str, object]]:
    import pyarrow.parquet as pq

    return pq.read_table(str(path)).to_pylist()


def test_export_resumes_fetching_only_what_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "bars"
    with private_sim() as sim, sim.client() as c:
        def stop_after_two(progress: object) -> None:
            if getattr(progress, "symbols_done", 0) >= 2:
                raise Aborted  # the job dies here, as if killed

        with pytest.raises(Aborted):
            c.download(SYMBOLS, FIRST, LAST, out=out, concurrency=3, on_progress=stop_after_two)
        # the symbols in flight stopped at their next request: not every symbol was asked,
        # and nothing is asked after the call returned
        asked_at_stop = len(sim.wire.sent)
        interrupted = {s.params["FID_INPUT_ISCD"] for s in sim.wire.paths("itemchartprice")}
        assert len(interrupted) < len(SYMBOLS)
        # A symbol stopped mid-way keeps its pages in a file marked incomplete: only the
        # complete ones count as done (and are not asked again).
        manifest = json.loads((out / ".hantoo-download.json").read_text())["symbols"]
        done = {code for code, e in manifest.items() if e.get("complete")}
        assert done <= {p.stem for p in out.glob("*.parquet")}
        assert 2 <= len(done) < len(SYMBOLS)
        assert len(sim.wire.sent) == asked_at_stop
        before = len(sim.wire.paths("itemchartprice"))
        job = c.download(SYMBOLS, FIRST, LAST, out=out)
        asked = {s.params["FID_INPUT_ISCD"] for s in sim.wire.paths("itemchartprice")[before:]}
        assert asked == set(SYMBOLS) - done
        assert job.summary.skipped == len(done) and job.ok
        assert {p.stem for p in out.glob("*.parquet")} == set(SYMBOLS)
        # a third run fetches nothing at all
        before = len(sim.wire.sent)
        again = c.download(SYMBOLS, FIRST, LAST, out=out)
        assert again.summary.skipped == len(SYMBOLS) and len(sim.wire.sent) == before
        rows = _read(out / "005930.parquet")
        fresh = c.candles("005930", FIRST, LAST)
        assert [r["close"] for r in rows] == [b.close for b in fresh]
        assert isinstance(rows[0]["close"], Decimal) and rows[0]["time"] == fresh[0].date
        assert not list(out.glob(".*.tmp"))


def test_append_extends_files_up_to_the_markets_today(tmp_path: Path) -> None:
    out = tmp_path / "csv"
    with private_sim() as sim, sim.client() as c:
        c.download(["005930", "000660"], FIRST, "2026-11-10", out=out, format="csv")
        before = len(sim.wire.paths("itemchartprice"))
        job = c.download(["005930", "000660"], FIRST, out=out, format="csv", append=True)
        pages = sim.wire.paths("itemchartprice")[before:]
        # one call asks the market's today; then only the new days, one short page a symbol
        new = [p for p in pages if p.params["FID_INPUT_DATE_1"] == "20261110"]
        assert len(new) == 2 and len(pages) == 3
        assert job.ok
        lines = (out / "005930.csv").read_text(encoding="utf-8").splitlines()
        days = [line.split(",")[0] for line in lines[1:]]
        fresh = c.candles("005930", FIRST, sim.state.clock.now().date())
        assert days == [b.date.isoformat() for b in fresh]  # no gap, no duplicate
        assert lines[1].split(",")[4] == str(fresh[0].close)
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        entry = manifest["symbols"]["005930"]
        assert entry["start"] == FIRST and entry["newest"] == fresh[-1].date.isoformat()


def test_append_extends_a_file_written_by_candles_out(tmp_path: Path) -> None:
    """No manifest: the newest bar is read from the file itself."""
    from hantoo.cli.export import write_candles

    out = tmp_path / "mine"
    with private_sim() as sim, sim.client() as c:
        write_candles(c.candles("005930", FIRST, "2026-11-10"), out / "005930.csv")
        before = len(sim.wire.paths("itemchartprice"))
        job = c.download(["005930"], FIRST, out=out, format="csv", append=True)
        asked = [p.params["FID_INPUT_DATE_1"] for p in sim.wire.paths("itemchartprice")[before:]]
        assert asked.count("20261110") == 1 and len(asked) == 2  # + the market's-today call
        assert job.ok
        days = [line.split(",")[0] for line in
                (out / "005930.csv").read_text(encoding="utf-8").splitlines()[1:]]
        fresh = c.candles("005930", FIRST, sim.state.clock.now().date())
        assert days == [b.date.isoformat() for b in fresh]


def _bar(day: dt.date, close: str) -> Candle:
    from hantoo.domain.kst import KST
    from hantoo.domain.symbols import Currency

    price = Decimal(close)
    return Candle(symbol="005930", interval="day",
                  time=dt.datetime.combine(day, dt.time(), tzinfo=KST), open=price, high=price,
                  low=price, close=price, volume=1, currency=Currency.KRW)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path, fmt: str) -> None:
    store = Store(tmp_path, fmt)
    day = dt.date(2026, 11, 2)
    path = store.write("005930", "day", day, day, Candles([_bar(day, "70000")]), complete=True)
    old = path.read_bytes()
    # a price Parquet cannot hold exactly (and CSV would) fails the Parquet write midway
    bad = Candles([_bar(day, "70000"), _bar(day + dt.timedelta(days=1), "1.000001")])
    if fmt == "parquet":
        with pytest.raises(ValueError):
            store.write("005930", "day", day, day, bad, complete=True)
        assert path.read_bytes() == old
    # a writer that dies halfway through leaves nothing but the old file
    def dies(tmp: Path) -> None:
        tmp.write_bytes(b"half a file")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(path, dies)
    assert path.read_bytes() == old
    assert not list(tmp_path.glob(".*.tmp"))
    # a temporary file left by a killed run is cleaned up when the store opens again
    (tmp_path / ".005930.parquet.1.2.tmp").write_bytes(b"x")
    Store(tmp_path, fmt)
    assert not list(tmp_path.glob(".*.tmp"))


def test_bulk_quotes_take_thirty_symbols_a_call_and_agree_with_quote() -> None:
    from hantoo.bulk import Universe

    codes = [item.code for item in Universe.simulator()][:45]
    with private_sim() as sim, sim.client() as c:
        batch = c.quotes(codes)
        assert batch.calls == 2 and len(sim.wire.paths("intstock-multprice")) == 2
        assert list(batch) == codes and not batch.errors
        for code in codes[:3]:
            single = c.quote(code)
            assert batch[code].price == single.price and batch[code].volume == single.volume
            assert batch[code].change == single.change
        before = len(sim.wire.sent)
        mixed = c.quotes([*codes[:15], "999999", *codes[15:29]])
        assert list(mixed) == codes[:29] and "MCA05918" in mixed.errors["999999"]
        # found by halving: far fewer calls than one per symbol
        assert mixed.calls == len(sim.wire.sent) - before < 15
