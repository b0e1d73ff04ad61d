"""Safe transport against the real simulator: tokens, limits, retries, faults, secrets.

Everything here runs the real SDK against the real simulator server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import multiprocessing
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

import hantoo
from hantoo._core.backoff import RetryPolicy
from hantoo._core.circuit import CircuitConfig
from hantoo.config import SIM_ACCOUNT, SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.auth import key_id
from hantoo.sim.server import running_server

sys.path.insert(0, str(Path(__file__).parent))
from _workers import quote_once

QUOTE = {"fid_cond_mrkt_div_code": "J", "fid_input_iscd": "005930"}
FAST_RETRY = RetryPolicy(max_attempts=4, base=0.01, cap=0.05)


@pytest.fixture
def sim() -> Iterator[tuple[Any, str]]:
    app = create_app(SimConfig(limits="off", clock_mode="stepped", activity=0))
    with running_server(app=app) as (base_url, _ws):
        yield app, base_url


def issuances(base_url: str) -> int:
    stats = httpx.get(f"{base_url}/_sim/stats").json()
    return int(stats["token_issuances"].get(key_id(SIM_APP_KEY), 0))


def client(base_url: str, **kw: Any) -> hantoo.Client:
    kw.setdefault("rate_limit", False)
    kw.setdefault("retry", FAST_RETRY)
    return hantoo.Client("sim", base_url=base_url, **kw)


def test_eight_processes_issue_exactly_one_token(sim: tuple[Any, str], tmp_path: Path) -> None:
    _app, base_url = sim
    cache = str(tmp_path / "shared-cache")
    ctx = multiprocessing.get_context("spawn")
    start_at = time.time() + 4.0
    with ctx.Pool(8) as pool:
        prices = pool.starmap(quote_once, [(base_url, cache, start_at)] * 8, chunksize=1)
    assert len(prices) == 8 and all(prices)
    assert issuances(base_url) == 1


def test_token_expiry_mid_session_refreshes_once(sim: tuple[Any, str]) -> None:
    app, base_url = sim
    with client(base_url) as c:
        c.domestic_stock.inquire_price(**QUOTE)
        first = c.token()
        app.sim.clock.advance(86_400 + 60)  # a day later on the simulator clock
        c.domestic_stock.inquire_price(**QUOTE)
        assert c.token() != first
    assert issuances(base_url) == 2


def test_server_side_revocation_refreshes_once(sim: tuple[Any, str]) -> None:
    app, base_url = sim
    with client(base_url) as c:
        c.domestic_stock.inquire_price(**QUOTE)
        httpx.post(f"{base_url}/_sim/faults", json={"revoke_tokens": "*"})
        app.sim.clock.advance(61)  # KIS issues at most one token a minute
        c.domestic_stock.inquire_price(**QUOTE)
    assert issuances(base_url) == 2


def test_token_reused_across_clients_through_the_cache(sim: tuple[Any, str]) -> None:
    _app, base_url = sim
    for _ in range(3):
        with client(base_url) as c:
            c.domestic_stock.inquire_price(**QUOTE)
    assert issuances(base_url) == 1


def test_reads_survive_latency_5xx_and_resets(sim: tuple[Any, str]) -> None:
    app, base_url = sim
    with client(base_url, timeout=2.0) as c:
        c.domestic_stock.inquire_price(**QUOTE)
        app.sim.faults.update(next_error=2)
        assert c.domestic_stock.inquire_price(**QUOTE).output[0].stck_prpr
        app.sim.faults.update(next_reset=2)
        assert c.domestic_stock.inquire_price(**QUOTE).output[0].stck_prpr
        app.sim.faults.update(next_drop=1)
        assert c.domestic_stock.inquire_price(**QUOTE).output[0].stck_prpr
        app.sim.faults.update(latency_ms=50)
        assert c.domestic_stock.inquire_price(**QUOTE).output[0].stck_prpr
    counters = app.sim.faults.counters
    assert sum(counters.values()) >= 5


def _order_count(app: Any) -> int:
    cano, prdt = SIM_ACCOUNT.split("-")
    orders = app.sim.exchange.order_history(
        (cano, prdt), dt.date(2000, 1, 1), dt.date(2100, 1, 1)
    )
    return len(orders)


def test_orders_are_never_sent_twice(sim: tuple[Any, str]) -> None:
    app, base_url = sim
    with client(base_url, timeout=2.0) as c:
        c.domestic_stock.inquire_price(**QUOTE)
        before = _order_count(app)
        outcomes: list[str] = []
        plan = ["ok", "drop", "error", "reset", "ok", "drop"]
        for fault in plan:
            if fault == "drop":
                app.sim.faults.update(next_drop=1, apis=("kind:order",))
            elif fault == "error":
                app.sim.faults.update(next_error=1, apis=("kind:order",))
            elif fault == "reset":
                app.sim.faults.update(next_reset=1, apis=("kind:order",))
            try:
                c.domestic_stock.order_cash(
                    ord_dv="buy", pdno="005930", ord_dvsn="00", ord_qty=1,
                    ord_unpr=_price_below_market(c), excg_id_dvsn_cd="KRX",
                )
                outcomes.append("ok")
            except hantoo.OrderStateUnknownError as exc:
                outcomes.append("unknown")
                assert exc.sent["PDNO"] == "005930"
                assert exc.tr_id == "TTTC0012U"
    # Each order call reached the server exactly once; only dropped ones executed unseen.
    assert outcomes == ["ok", "unknown", "unknown", "unknown", "ok", "unknown"]
    executed = _order_count(app) - before
    assert executed == plan.count("ok") + plan.count("drop")


def _price_below_market(c: hantoo.Client) -> str:
    price = c.domestic_stock.inquire_price(**QUOTE).output[0].stck_llam
    assert price is not None
    return str(price)


def test_rate_limited_order_is_not_retried_and_says_safe(sim: tuple[Any, str]) -> None:
    app, base_url = sim
    with client(base_url) as c:
        c.domestic_stock.inquire_price(**QUOTE)
        before = _order_count(app)
        httpx.post(f"{base_url}/_sim/limits", json={"limits": "1/s"})
        c.domestic_stock.inquire_price(**QUOTE)
        with pytest.raises(hantoo.RateLimitError, match="safe to resend"):
            c.domestic_stock.order_cash(
                ord_dv="buy", pdno="005930", ord_dvsn="00", ord_qty=1, ord_unpr="60000",
                excg_id_dvsn_cd="KRX",
            )
        assert _order_count(app) == before


def test_circuit_breaker_fails_fast(sim: tuple[Any, str]) -> None:
    app, base_url = sim
    with client(base_url, circuit=CircuitConfig(failure_threshold=3, cooldown=0.5)) as c:
        c.domestic_stock.inquire_price(**QUOTE)
        app.sim.faults.update(error_rate=1.0)
        with pytest.raises((hantoo.errors.ApiError, hantoo.errors.CircuitOpenError)):
            c.domestic_stock.inquire_price(**QUOTE)
        requests_before = app.sim.requests
        with pytest.raises(hantoo.errors.CircuitOpenError, match="fail fast"):
            c.domestic_stock.inquire_price(**QUOTE)
        assert app.sim.requests == requests_before  # failed fast: nothing sent
        app.sim.faults.clear()
        time.sleep(0.6)  # cool-down over: one probe goes out, succeeds, closes the circuit
        assert c.domestic_stock.inquire_price(**QUOTE).output[0].stck_prpr
        assert c.domestic_stock.inquire_price(**QUOTE).output[0].stck_prpr


async def test_fifty_tasks_for_thirty_seconds_see_no_rejection(tmp_path: Path) -> None:
    """The simulator runs in its own process (as KIS does), enforcing 18/s per app key.

    The client keeps 1/s of headroom (94 %, tighter than the SDK's default 90 %): a client at
    exactly the server's limit has no room for the scheduling jitter between two processes,
    and the suite runs beside another test worker on two cores (one refusal in 581 calls seen).
    """
    duration = 30.0
    with sim_process("--limits", "18/s") as base_url:
        async with hantoo.AsyncClient("sim", base_url=base_url, rate_limit="17/s",
                                      cache_dir=str(tmp_path)) as c:
            await c.domestic_stock.inquire_price(**QUOTE)
            stop = time.monotonic() + duration
            done = 0

            async def worker() -> None:
                nonlocal done
                while time.monotonic() < stop:
                    await c.domestic_stock.inquire_price(**QUOTE)
                    done += 1

            await asyncio.gather(*(worker() for _ in range(50)))
        stats = httpx.get(f"{base_url}/_sim/stats").json()
    assert stats["rate_limited"] == 0, stats
    assert done >= 17 * duration * 0.95, f"{done} calls in {duration}s"


@contextmanager
def sim_process(*args: str) -> Iterator[str]:
    """``hantoo sim serve`` in a subprocess on a free port; yields its base URL."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hantoo.cli", "sim", "serve", "--port", "0", "--state",
         ":memory:", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            match = re.search(r"REST\s+(http://127\.0\.0\.1:\d+)", line)
            if match:
                yield match.group(1)
                return
            if not line:
                break
        pytest.fail("the simulator did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_no_secret_in_logs_or_errors(sim: tuple[Any, str],
                                     caplog: pytest.LogCaptureFixture) -> None:
    app, base_url = sim
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    with client(base_url, timeout=1.0) as c:
        c.domestic_stock.inquire_price(**QUOTE)
        token = c.token()
        approval = c.approval_key()
        texts += [repr(c), repr(c.settings), repr(c.tokens)]
        app.sim.faults.update(next_drop=1, apis=("kind:order",))
        for attempt in range(3):
            try:
                c.domestic_stock.order_cash(
                    ord_dv="buy", pdno="999999", ord_dvsn="00", ord_qty=1, ord_unpr="1000",
                    excg_id_dvsn_cd="KRX",
                )
            except hantoo.HantooError as exc:
                texts += [str(exc), repr(exc)]
            del attempt
        httpx.post(f"{base_url}/_sim/faults", json={"revoke_tokens": "*"})
        app.sim.clock.advance(61)
        c.domestic_stock.inquire_price(**QUOTE)
    texts += [r.getMessage() for r in caplog.records]
    blob = "\n".join(texts)
    for secret in (SIM_APP_SECRET, token, approval, "50000000-01"):
        assert secret not in blob


def test_hashkey_option_sends_a_hashkey_the_simulator_verifies(
    sim: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, base_url = sim
    with client(base_url, hashkey=True) as c:
        before = _order_count(app)
        price = _price_below_market(c)
        order = {"ord_dv": "buy", "pdno": "005930", "ord_dvsn": "00", "ord_qty": 1,
                 "ord_unpr": price, "excg_id_dvsn_cd": "KRX"}
        assert c.domestic_stock.order_cash(**order).output[0].odno  # type: ignore[arg-type]
        assert _order_count(app) == before + 1

        def wrong_hash(body: Any) -> Any:
            return "0" * 64
            yield  # a flow that asks for nothing

        monkeypatch.setattr(c.tokens, "hashkey_flow", wrong_hash)
        with pytest.raises(hantoo.errors.ApiError) as refused:
            c.domestic_stock.order_cash(**order)  # type: ignore[arg-type]
        assert refused.value.msg_cd == "EGW00131"  # the header is sent and checked
        assert _order_count(app) == before + 1
