"""`hantoo chart`: moving averages and the price scale on the right (issue 12).

The bars come from a simulator on 127.0.0.1 whose clock is pinned, so the history is fixed. The
figure is inspected as an object — its lines, their labels and data, the side of the price
axis — and the averages are compared with means computed here from the same bars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from cli_kit import ok, png_size, run

import hantoo
from hantoo.cli.chart import build_figure, moving_average
from hantoo.cli.market import _warmup_days
from hantoo.domain.kst import KST
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.server import running_server

FIRST, LAST = dt.date(2026, 8, 3), dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = create_app(SimConfig(limits="off", token_min_interval_s=0, clock_mode="stepped",
                               clock_start=dt.datetime(2026, 12, 1, 10, 0, tzinfo=KST)))
    with running_server(app=app) as (base_url, _ws_url):
        yield base_url


def _bars(server: str) -> tuple[list[hantoo.Candle], int]:
    start = FIRST - dt.timedelta(days=_warmup_days("day", 120))
    with hantoo.Client("sim", base_url=server) as client:
        bars = list(client.candles("005930", start, LAST, "day"))
    visible_from = next(i for i, c in enumerate(bars) if c.time.date() >= FIRST)
    return bars, visible_from


def test_moving_averages_are_drawn_exactly_from_the_first_visible_bar(server: str) -> None:
    bars, visible_from = _bars(server)
    assert visible_from >= 119  # enough earlier bars for MA120 on the first visible day
    fig = build_figure(bars, width=1200, height=700, title="t", visible_from=visible_from)
    price_ax = fig.axes[0]
    lines = {line.get_label(): line for line in price_ax.get_lines()}
    assert list(lines) == ["MA5", "MA20", "MA60", "MA120"]
    legend = price_ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["MA5", "MA20", "MA60", "MA120"]
    closes = [c.close for c in bars]
    shown = len(bars) - visible_from
    for n in (5, 20, 60, 120):
        xs, ys = lines[f"MA{n}"].get_data()
        assert list(xs) == list(range(shown))  # defined on every visible bar
        last = sum(closes[-n:], Decimal(0)) / n
        assert ys[-1] == pytest.approx(float(last))
        first = sum(closes[visible_from - n + 1:visible_from + 1], Decimal(0)) / n
        assert ys[0] == pytest.approx(float(first))
    for ax in fig.axes:  # the scale is on the right, next to the latest bar
        assert ax.yaxis.get_ticks_position() == "right"
        assert ax.yaxis.get_label_position() == "right"


def test_ma_choice_and_no_ma(server: str) -> None:
    bars, visible_from = _bars(server)
    two = build_figure(bars, width=800, height=500, title="t", mas=(5, 20),
                       visible_from=visible_from)
    assert [line.get_label() for line in two.axes[0].get_lines()] == ["MA5", "MA20"]
    none = build_figure(bars, width=800, height=500, title="t", mas=(),
                        visible_from=visible_from)
    assert none.axes[0].get_lines() == [] and none.axes[0].get_legend() is None
    short = build_figure(bars[-30:], width=800, height=500, title="t")  # no warm-up bars
    xs, _ys = short.axes[0].get_lines()[1].get_data()  # MA20 starts at the 20th bar
    assert list(xs) == list(range(19, 30))
    assert [line.get_label() for line in short.axes[0].get_lines()] == ["MA5", "MA20"]


def test_moving_average_is_exact() -> None:
    closes = [Decimal(v) for v in ("100", "101", "103", "106")]
    assert moving_average(closes, 3) == [None, None, Decimal("304") / 3, Decimal("310") / 3]


def test_cli_chart_options(server: str, tmp_path: Path) -> None:
    out = tmp_path / "ma.png"
    result = ok("chart", "삼성전자", "--out", str(out), "--from", str(FIRST), "--to", str(LAST),
                "--width", "900", "--height", "520", "--base-url", server)
    assert png_size(out) == (900, 520)
    flat = " ".join(result.output.split())
    assert "MA 5/20/60/120" in flat
    bars, visible_from = _bars(server)
    assert f"{len(bars) - visible_from} bars" in flat  # only the asked range is shown
    picked = ok("chart", "005930", "--out", str(out), "--ma", "5,20", "--from", str(FIRST),
                "--to", str(LAST), "--base-url", server)
    assert "MA 5/20)" in " ".join(picked.output.split())
    bare = ok("chart", "005930", "--out", str(out), "--no-ma", "--from", str(FIRST), "--to",
              str(LAST), "--base-url", server)
    assert "MA" not in bare.output
    bad = run("chart", "005930", "--out", str(out), "--ma", "5,x", "--base-url", server)
    assert bad.exit_code == 2 and "--ma '5,x'" in bad.output
