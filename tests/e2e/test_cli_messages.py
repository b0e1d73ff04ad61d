"""Error messages a new user reads (issue 12): each names the problem and a fix that applies.

The session refusals run against a simulator whose clock is pinned (stepped) at the instant under
test, so the hint is checked against the market's own time, never the wall clock.
"""

from __future__ import annotations

import datetime as dt

import pytest
from cli_kit import run

from hantoo.cli.krx_hours import closed_hint
from hantoo.domain.kst import KST
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.server import running_server

MONDAY = dt.date(2026, 11, 2)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_price_zero_says_above_zero_not_use_0_or_0() -> None:
    result = run("order", "buy", "005930", "1", "--price", "0", "--dry-run")
    assert result.exit_code == 2
    out = _flat(result.output)
    assert "use 0 or 0" not in out and "got Decimal" not in out
    assert "price must be a positive number, got 0" in out
    assert "above 0" in out and "leave --price out for a market order" in out


def test_off_tick_price_hint_names_the_cli_option() -> None:
    result = run("order", "buy", "005930", "1", "--price", "71050", "--dry-run")
    assert result.exit_code == 2
    out = _flat(result.output)
    assert "use 71000 or 71100" in out and "--round down|up|nearest" in out
    assert "rounding=" not in out


def test_empty_symbol_says_a_symbol_is_required() -> None:
    result = run("quote", "")
    assert result.exit_code == 2
    out = _flat(result.output)
    assert "a symbol is required" in out and "NASD:'" not in out


def _order_at(when: dt.datetime, *args: str) -> str:
    app = create_app(SimConfig(limits="off", token_min_interval_s=0, clock_mode="stepped",
                               clock_start=when))
    with running_server(app=app) as (url, _ws):
        result = run("order", "buy", "005930", "1", *args, "--base-url", url)
    assert result.exit_code == 4, result.output  # KRX (the simulator) refused it
    assert "APBK0918" in result.output
    return _flat(result.output)


def test_refused_at_night_says_when_the_market_opens() -> None:
    out = _order_at(dt.datetime.combine(MONDAY, dt.time(19, 0), KST), "--price", "70000")
    assert "KRX takes no orders now (Mon 19:00 KST)" in out
    assert "opens at 08:30 on the next weekday" in out
    assert "--type" not in out and "off-hours order type" not in out


def test_refused_after_hours_suggests_only_the_open_session() -> None:
    out = _order_at(dt.datetime.combine(MONDAY, dt.time(16, 30), KST), "--price", "70000")
    assert "after-hours single price until 18:00 takes --type after_hours_single_price" in out
    assert "post_market" not in out and "pre_market" not in out


def test_refused_in_the_break_names_the_next_session() -> None:
    out = _order_at(dt.datetime.combine(MONDAY, dt.time(15, 35), KST), "--price", "70000")
    assert "the post-market at the close opens at 15:40 (--type post_market)" in out


def test_closed_hint_on_a_weekend_and_before_the_open() -> None:
    saturday = dt.datetime(2026, 11, 7, 10, 0, tzinfo=KST)
    assert closed_hint(saturday).startswith("KRX takes no orders now (Sat 10:00 KST)")
    assert "next weekday" in closed_hint(saturday)
    early = closed_hint(dt.datetime.combine(MONDAY, dt.time(7, 0), KST))
    assert "opens at 08:30 today" in early


@pytest.mark.parametrize(("at", "types"), [
    (dt.time(8, 35), {"pre_market", "limit"}),
    (dt.time(10, 0), {"limit", "best"}),
    (dt.time(15, 25), {"limit"}),
    (dt.time(15, 45), {"post_market"}),
])
def test_closed_hint_names_what_is_open(at: dt.time, types: set[str]) -> None:
    hint = closed_hint(dt.datetime.combine(MONDAY, at, KST))
    assert hint.startswith("now (")
    assert all(t in hint for t in types)
    assert "after_hours_single_price" not in hint
