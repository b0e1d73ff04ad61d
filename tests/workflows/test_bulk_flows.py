"""The bulk history flow against a scripted KIS-like server: exact coverage whatever the page
size, across long trading halts and before a listing date, with few calls."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from hantoo.bulk.flows import PageSizes, Sink, history_flow
from hantoo.domain.symbols import Symbol
from hantoo.workflows.driver import Context

sys.path.insert(0, str(Path(__file__).parent))
from test_candles import _scripted_server, run_scripted

START, END = dt.date(2015, 1, 1), dt.date(2024, 12, 31)


def _weekdays(lo: dt.date, hi: dt.date) -> list[dt.date]:
    return [lo + dt.timedelta(days=i) for i in range((hi - lo).days + 1)
            if (lo + dt.timedelta(days=i)).weekday() < 5]


def _run(days: list[dt.date], page_size: int, first: dt.date = START,
         last: dt.date = END) -> tuple[list[dt.date], int, bool]:
    sink = Sink("005930", "day")
    flow = history_flow(Context("sim"), sink, Symbol.domestic("005930"), first, last, "day",
                        PageSizes())
    _none, calls = run_scripted(flow, _scripted_server(days, page_size))
    return [b.date for b in sink.candles()], len(calls), sink.complete


@pytest.mark.parametrize("page_size", [100, 60, 7])
def test_every_bar_exactly_once_whatever_the_page_size(page_size: int) -> None:
    days = _weekdays(START, END)
    got, calls, complete = _run(days, page_size)
    assert got == days and complete
    if page_size == 100:  # one call per 140-day window
        assert calls == -(-((END - START).days + 1) // 140)


def test_a_long_halt_does_not_end_the_history() -> None:
    halt = (dt.date(2019, 3, 1), dt.date(2020, 2, 28))  # a year without a single bar
    days = [d for d in _weekdays(START, END) if not halt[0] <= d <= halt[1]]
    got, calls, complete = _run(days, 100)
    assert got == days and complete
    assert calls <= -(-((END - START).days + 1) // 140) + 1


def test_before_the_listing_one_call_ends_it() -> None:
    days = _weekdays(dt.date(2023, 6, 1), END)
    got, calls, complete = _run(days, 100)
    assert got == days and complete
    windows_listed = -(-((END - dt.date(2023, 6, 1)).days + 1) // 140)
    assert calls <= windows_listed + 2


def _run_pieces(days: list[dt.date], page_size: int, seed: int) -> tuple[list[dt.date], int,
                                                                          bool]:
    """Every piece of the range in its own sink, in a shuffled order after the first (as the
    engine probes the page size with the first, then runs the rest at once), merged."""
    import random

    from hantoo.bulk.flows import parts, piece_flow

    ctx, sym, sizes = Context("sim"), Symbol.domestic("005930"), PageSizes()
    pieces = parts(ctx, sym, START, END, "day")
    rest = pieces[1:]
    random.Random(seed).shuffle(rest)
    merged, calls, complete = Sink("005930", "day"), 0, True
    for piece in [pieces[0], *rest]:
        sink = Sink("005930", "day")
        found, made = run_scripted(piece_flow(ctx, sink, sym, piece, "day", sizes),
                                   _scripted_server(days, page_size))
        assert found == []
        merged.merge(sink)
        calls += len(made)
        complete = complete and sink.complete
    return [b.date for b in merged.candles()], calls, complete


@pytest.mark.parametrize("page_size", [100, 60, 7])
@pytest.mark.parametrize("seed", [1, 2])
def test_pieces_fetched_in_any_order_make_the_same_history(page_size: int, seed: int) -> None:
    halt = (dt.date(2019, 3, 1), dt.date(2020, 2, 28))
    days = [d for d in _weekdays(dt.date(2016, 5, 3), END) if not halt[0] <= d <= halt[1]]
    got, calls, complete = _run_pieces(days, page_size, seed)
    assert got == days and complete  # complete, ordered, each bar once, across the halt
    if page_size == 100:  # one call per 140-day window, as the one-flow history
        assert calls == -(-((END - START).days + 1) // 140)
