"""Candles over ranges that need many pages equal the concatenation of the pages: no gap, no
duplicate at page boundaries (against the simulator, and against a scripted server)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from hantoo._core.wire import decode_response
from hantoo._generated.models.domestic_stock import InquireDailyItemchartpriceResponse
from hantoo.domain import Candle
from hantoo.domain.convert import candle_from
from hantoo.domain.symbols import Symbol
from hantoo.workflows.driver import Context
from hantoo.workflows.market import candles_flow
from hantoo.workflows.steps import Call

sys.path.insert(0, str(Path(__file__).parent))
import itertools

from simkit import private_sim


def test_daily_candles_over_many_pages_match_the_pages() -> None:
    with private_sim() as sim, sim.client() as c:
        bars = c.candles("005930", "2023-01-01", "2026-11-20")
        pages = sim.wire.paths("inquire-daily-itemchartprice")
        assert len(pages) >= 5 and len(bars) > 400
        dates = [b.date for b in bars]
        assert dates == sorted(set(dates))  # strictly increasing: no duplicate
        assert dates[0] >= dt.date(2023, 1, 1) and dates[-1] <= dt.date(2026, 11, 20)
        # re-fetch every page the workflow asked for; their union is exactly the result
        union: dict[dt.date, Candle] = {}
        ends = []
        for page in pages:
            p = page.params
            r = c.domestic_stock.inquire_daily_itemchartprice(
                fid_cond_mrkt_div_code="J", fid_input_iscd="005930",
                fid_input_date_1=p["FID_INPUT_DATE_1"], fid_input_date_2=p["FID_INPUT_DATE_2"],
                fid_period_div_code="D", fid_org_adj_prc=p["FID_ORG_ADJ_PRC"])
            page_bars = [b for b in (candle_from(row, "005930", "day") for row in r.output2)
                         if b is not None]
            if not page_bars:  # the page that told the flow the history had ended
                assert page is pages[-1]
                continue
            assert not {b.date for b in page_bars} & set(union), "duplicate across pages"
            union.update({b.date: b for b in page_bars})
            ends.append((dt.datetime.strptime(p["FID_INPUT_DATE_2"], "%Y%m%d").date(),
                         min(b.date for b in page_bars)))
        assert sorted(union) == dates
        assert [union[d] for d in dates] == list(bars)
        # no gap: each page ends the day before the previous page's oldest bar
        for (_end, oldest), (next_end, _o) in itertools.pairwise(ends):
            assert next_end == oldest - dt.timedelta(days=1)


def test_weekly_and_monthly_candles_have_one_bar_per_period() -> None:
    with private_sim() as sim, sim.client() as c:
        weeks = c.candles("005930", "2022-01-01", "2026-11-20", "week")
        months = c.candles("005930", "2016-01-01", "2026-11-20", "month")
        keys = [b.date.isocalendar()[:2] for b in weeks]
        assert len(keys) == len(set(keys)) > 100
        mkeys = [(b.date.year, b.date.month) for b in months]
        assert len(mkeys) == len(set(mkeys)) > 100
        assert len(sim.wire.paths("inquire-daily-itemchartprice")) >= 4


def _scripted_server(days: list[dt.date], page_size: int) -> Any:
    """Answers like KIS: the newest ``page_size`` bars inside [date_1, date_2]."""
    def answer(call: Call) -> Any:
        a = call.args
        lo, hi = a["fid_input_date_1"], a["fid_input_date_2"]
        inside = [d for d in days if lo <= d <= hi][-page_size:]
        rows = [{"stck_bsop_date": d.strftime("%Y%m%d"), "stck_oprc": "100", "stck_hgpr": "110",
                 "stck_lwpr": "90", "stck_clpr": str(100 + i), "acml_vol": "5"}
                for i, d in enumerate(reversed(inside))]
        return decode_response(InquireDailyItemchartpriceResponse,
                               {"rt_cd": "0", "output1": {}, "output2": rows})
    return answer


def run_scripted(flow: Any, answer: Any) -> tuple[Any, list[Call]]:
    calls: list[Call] = []
    value: Any = None
    while True:
        try:
            step = flow.send(value)
        except StopIteration as stop:
            return stop.value, calls
        assert isinstance(step, Call)
        calls.append(step)
        value = answer(step)


def test_scripted_paging_covers_the_range_exactly() -> None:
    start, end = dt.date(2020, 1, 1), dt.date(2024, 12, 31)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)
            if (start + dt.timedelta(days=i)).weekday() < 5]
    flow = candles_flow(Context("sim"), Symbol.domestic("005930"), start, end, "day")
    bars, calls = run_scripted(flow, _scripted_server(days, 100))
    assert [b.date for b in bars] == days
    assert -(-len(days) // 100) <= len(calls) <= -(-len(days) // 100) + 1


def test_scripted_paging_stops_when_a_server_repeats_itself() -> None:
    """A server that ignores the window must not make the flow loop forever."""
    day = dt.date(2024, 1, 2)
    def stuck(call: Call) -> Any:
        return decode_response(InquireDailyItemchartpriceResponse, {"rt_cd": "0", "output2": [
            {"stck_bsop_date": day.strftime("%Y%m%d"), "stck_clpr": "100"}]})
    flow = candles_flow(Context("sim"), Symbol.domestic("005930"), dt.date(2023, 1, 1),
                        dt.date(2024, 12, 31), "day")
    bars, calls = run_scripted(flow, stuck)
    assert [b.date for b in bars] == [day] and len(calls) == 2
