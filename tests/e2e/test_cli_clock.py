"""The simulated clock where users meet it: ``--clock`` on the per-command simulator and the
demo, and a served simulator at any date handing out tokens valid a day from *now*."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
import time_machine
from cli_kit import ok, run

import hantoo
from hantoo.config import SIM_ACCOUNT, SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.server import running_server

#: A Wednesday evening in KST: KRX is closed, the simulator's own day is not.
EVENING = dt.datetime(2027, 3, 3, 21, 30, tzinfo=KST)


def test_global_clock_option_refuses_a_bad_value() -> None:
    result = run("--clock", "sometimes", "quote", "005930")
    assert result.exit_code == 2
    assert "--clock" in result.output and "sim or wall" in result.output


def test_demo_with_the_wall_clock_at_night_says_the_market_is_closed(tmp_path: Path) -> None:
    with time_machine.travel(EVENING, tick=True):
        result = ok("demo", "--clock", "wall", "--pace", "0", "--out", str(tmp_path))
    assert "KRX is closed now (21:30 KST, --clock wall)" in result.output
    assert (tmp_path / "005930-day.csv").exists()  # the read-only steps still ran


def test_demo_with_its_own_clock_fills_at_night(tmp_path: Path) -> None:
    with time_machine.travel(EVENING, tick=True):
        result = ok("demo", "--pace", "0", "--out", str(tmp_path))
    assert "KRX is closed" not in result.output
    assert "filled" in result.output


@pytest.mark.parametrize("sim_day", [dt.date(2019, 4, 3), dt.date(2039, 5, 2)])
def test_served_simulator_tokens_are_valid_a_day_from_now(sim_day: dt.date,
                                                          tmp_path: Path) -> None:
    """Whatever the simulator's date, the SDK holds a fresh token for 20-24 h of local time,
    and ``hantoo auth status`` shows that (local) expiry."""
    start = dt.datetime.combine(sim_day, dt.time(10, 0), KST)
    app = create_app(SimConfig(clock_mode="stepped", clock_start=start, state_path=":memory:",
                               limits="off"))
    with running_server(app=app) as (rest, _ws):
        with hantoo.Client("sim", base_url=rest, app_key=SIM_APP_KEY,
                           app_secret=SIM_APP_SECRET, account=SIM_ACCOUNT) as client:
            assert client.quote("005930").price > 0
            tok = client.tokens.current_token()
            assert tok is not None
            left = tok.expires_at - time.time()
            assert 20 * 3600 <= left <= 24 * 3600, left
            assert client.server_today() == sim_day
        status = json.loads(ok("auth", "status", "--base-url", rest, "--json").stdout)
    assert status["access_token"]["valid"] is True
    assert 20 * 3600 <= status["access_token"]["expires_in_s"] <= 24 * 3600
