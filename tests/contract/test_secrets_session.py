"""A whole session with every logger at DEBUG leaks no secret anywhere.

The real SDK against the real simulator over real sockets (REST and WebSocket): token, quote,
order, balance, fills, a stream with fill notices and an order whose outcome is unknown (its
error printed and reconciled). Root logging is at DEBUG with a capturing handler, so httpx,
httpcore, websockets, uvicorn and hantoo all log everything they have. None of the app secret,
the access token, the approval key or the account number (in any spelling) may appear in a log
record, in what was printed, in the text or repr of an error, or in a file written outside the
token cache (whose files must be 0600 in a 0700 directory).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import hantoo
from hantoo.errors import OrderStateUnknownError
from hantoo.realtime import Subscribed
from hantoo.sim.app import create_app
from hantoo.sim.engine.clock import KST
from hantoo.sim.server import running_server
from hantoo.sim.state import KeySpec, SimConfig

APP_KEY = "PSQZ7c1Rk2LWmY0oTn5vHa9XbE3dGf6uJi8s"  # 36 characters, like a real key
APP_SECRET = "Zq9Lm3Xv" * 22 + "Ab7Cd"  # 181 characters, like a real secret
ACCOUNT = "73914582-01"
HTS_ID = "secrettest"
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=KST)


class Capture(logging.Handler):
    """Formats every record completely: message, traceback, stack and every attribute."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))
        self.texts.append(repr(record.__dict__))


@pytest.fixture
def debug_logging() -> Iterator[Capture]:
    root = logging.getLogger()
    capture = Capture()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(capture)
    # uvicorn's own loggers do not propagate to the root: listen to them directly.
    extra = [logging.getLogger(n) for n in ("uvicorn", "uvicorn.access", "uvicorn.error")]
    for lg in extra:
        lg.addHandler(capture)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)
        for lg in extra:
            lg.removeHandler(capture)


def _wait_for(stream: Any, predicate: Any, seconds: float = 10.0) -> list[Any]:
    seen: list[Any] = []
    deadline = time.monotonic() + seconds
    while not predicate(seen):
        assert time.monotonic() < deadline, f"timed out; saw {seen[-5:]}"
        seen.extend(stream.events(timeout=0.2))
    return seen


def test_full_session_at_debug_leaks_no_secret(
    debug_logging: Capture, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    config = SimConfig(
        clock_mode="stepped", clock_start=START, limits="off", seed=7,
        keys=(KeySpec(APP_KEY, APP_SECRET, account=ACCOUNT, hts_id=HTS_ID),),
    )
    app = create_app(config)
    raised: list[str] = []
    with running_server(app=app) as (base_url, _ws), hantoo.Client(
            "sim", base_url=base_url, app_key=APP_KEY, app_secret=APP_SECRET, account=ACCOUNT,
            hts_id=HTS_ID, cache_dir=str(cache), rate_limit=False) as client:
        app.sim.exchange.deposit(tuple(ACCOUNT.split("-")), Decimal(100_000_000), "KRW")
        token = client.token()
        approval = client.approval_key()
        print(client, client.settings, client.tokens)
        quote = client.quote("005930")
        print(quote)
        with client.stream() as stream:
            stream.subscribe_fills()
            stream.subscribe_trades("005930")
            _wait_for(stream, lambda s: sum(isinstance(e, Subscribed) for e in s) >= 2)
            order = client.place_order("005930", "buy", 1)
            print(order, order.refresh())
            notices = _wait_for(stream, lambda s: any(
                getattr(e, "TR_ID", "") == "H0STCNI0" for e in s))
            print(*notices)
        print(client.balance())
        print(client.fills(START.date()))
        app.sim.faults.update(next_drop=1, apis=["domestic_stock/order_cash"])
        ask = quote.price - 5_000
        try:
            client.place_order("005930", "buy", 2, ask)
        except OrderStateUnknownError as exc:
            print(exc)
            print(repr(exc), exc.sent, vars(exc))
            raised += [str(exc), repr(exc), repr(vars(exc))]
            assert exc.sent["CANO"] == ACCOUNT[:8]  # the real value stays reachable
            logging.getLogger("app").exception("order outcome unknown: %r", exc)
            found = client.reconcile(exc)
            print(found)
            assert found.present
        else:
            pytest.fail("the dropped order did not raise OrderStateUnknownError")
    assert len(token) > 20 and len(approval) > 20
    out = capsys.readouterr()
    secrets = {
        "app secret": APP_SECRET,
        "access token": token,
        "approval key": approval,
        "account": ACCOUNT,
        "account (CANO)": ACCOUNT[:8],
        "account (digits)": ACCOUNT.replace("-", ""),
    }
    places: dict[str, str] = {
        "logs": "\n".join(debug_logging.texts),
        "stdout": out.out,
        "stderr": out.err,
        "errors": "\n".join(raised),
    }
    # Files: the token cache must be private; everything else written must be clean.
    for path in tmp_path.rglob("*"):
        if not path.is_file():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_relative_to(cache):
            assert mode == 0o600, f"{path.name} is {oct(mode)}"
            assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
            continue
        places[f"file {path.relative_to(tmp_path)}"] = path.read_text(errors="replace")
    assert len(debug_logging.texts) > 50  # everything was really logged
    assert any("HTTP Request" in t for t in debug_logging.texts)  # httpx's own line too
    assert "CANO=***" in places["logs"]
    leaks = [f"{what} in {where}" for where, text in places.items()
             for what, value in secrets.items() if value in text]
    assert not leaks, (leaks, [ln for ln in out.out.splitlines() if "73914582" in ln])
    assert os.path.isdir(cache)
