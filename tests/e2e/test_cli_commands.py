"""Every `hantoo` data command end to end against a simulator on 127.0.0.1.

The server runs for the module (in-process, with ``running_server``); each command is the real
typer command object invoked with ``--base-url``, so state carries across invocations exactly as
with ``hantoo sim serve``. One test drives the installed entry point as separate processes.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from cli_kit import HANTOO, ok, ok_json, png_size, run, serve_process, stats

from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.server import running_server

SYMBOL = "005930"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = create_app(SimConfig(limits="off", token_min_interval_s=0))
    with running_server(app=app) as (base_url, _ws_url):
        yield base_url


@pytest.fixture(autouse=True)
def shared_cache(_isolated_environment: None, tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> None:
    """One token cache for the module, as one user has: the token is issued once."""
    monkeypatch.setenv("HANTOO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cli-cache"))


def test_quote_json_and_table(server: str) -> None:
    quotes = ok_json("quote", SYMBOL, "000660", "--base-url", server)
    assert [q["symbol"] for q in quotes] == [SYMBOL, "000660"]
    for q in quotes:
        assert Decimal(q["price"]) > 0 and isinstance(q["price"], str)  # Decimal as a string
    table = ok("quote", SYMBOL, "--base-url", server).stdout
    assert SYMBOL in table and "price" in table


def test_book(server: str) -> None:
    book = ok_json("book", SYMBOL, "--base-url", server)
    assert len(book["asks"]) == len(book["bids"]) == 10
    assert Decimal(book["asks"][0]["price"]) > Decimal(book["bids"][0]["price"])
    assert "ask qty" in ok("book", SYMBOL, "--base-url", server).stdout


def _below_market(server: str) -> str:
    """A limit price 10 % under the market (it rests in the book), rounded by --round."""
    price = Decimal(ok_json("quote", SYMBOL, "--base-url", server)[0]["price"])
    return str((price * Decimal("0.9")).quantize(Decimal(1)))


def test_order_orders_cancel_balance_across_calls(server: str) -> None:
    price = _below_market(server)
    placed = ok_json("order", "buy", SYMBOL, "3", "--price", price, "--round", "down",
                     "--base-url", server)
    assert placed["status"] == "accepted" and placed["quantity"] == 3
    order_no = placed["order_no"]
    working = ok_json("orders", "--base-url", server)
    assert order_no in [o["order_no"] for o in working]
    cancelled = ok_json("cancel", order_no, "--base-url", server)
    assert cancelled["status"] == "cancelled"
    assert order_no not in [o["order_no"] for o in ok_json("orders", "--base-url", server)]

    filled = ok_json("order", "buy", SYMBOL, "2", "--wait", "10", "--base-url", server)
    assert filled["status"] == "filled" and filled["filled_quantity"] == 2
    balance = ok_json("balance", "--base-url", server)
    held = {p["symbol"]: p for p in balance["positions"]}
    assert held[SYMBOL]["quantity"] >= 2
    assert Decimal(balance["cash"]) > 0
    assert "positions" in ok("balance", "--base-url", server).stdout

    ok("order", "buy", SYMBOL, "1", "--price", price, "--round", "down", "--base-url", server)
    assert len(ok_json("cancel", "--all", "--base-url", server)["cancelled"]) == 1
    assert ok_json("orders", "--base-url", server) == []


def test_dry_run_validates_and_sends_nothing(server: str) -> None:
    before = stats(server)["calls_by_api"].get("domestic_stock/order_cash", 0)
    plan = ok_json("order", "sell", SYMBOL, "5", "--price", "70000", "--dry-run",
                   "--base-url", server)
    assert plan["dry_run"] is True
    assert (plan["side"], plan["quantity"], plan["price"]) == ("sell", 5, "70000")
    assert (plan["code"], plan["tr_id"]) == ("00", "TTTC0011U")
    assert plan["estimated_amount"] == "350000"
    assert stats(server)["calls_by_api"].get("domestic_stock/order_cash", 0) == before


def test_order_mistakes_are_usage_errors_sent_nowhere(server: str) -> None:
    off_tick = run("order", "buy", SYMBOL, "1", "--price", "70050", "--base-url", server)
    assert off_tick.exit_code == 2
    assert "not a valid price" in off_tick.output and "70000 or 70100" in off_tick.output
    moo = run("order", "buy", SYMBOL, "1", "--type", "moo", "--base-url", server)
    assert moo.exit_code == 2 and "US stocks" in moo.output
    bad = run("quote", "NOPE", "--base-url", server)
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    traced = run("--debug", "quote", "NOPE", "--base-url", server)
    assert traced.exit_code == 2 and "Traceback" in traced.output


def test_candles_to_csv_and_parquet(server: str, tmp_path: Path) -> None:
    out = tmp_path / "bars.csv"
    ok("candles", SYMBOL, "--from", "2025-01-01", "--to", "2025-12-31", "--out", str(out),
       "--base-url", server)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("time,open,high,low,close,volume")
    assert 230 <= len(lines) - 1 <= 260  # one bar per KRX trading day of 2025
    days = [line.split(",")[0] for line in lines[1:]]
    assert days == sorted(set(days))  # windows neither overlap nor reorder
    pq = pytest.importorskip("pyarrow.parquet")
    weekly = tmp_path / "bars.parquet"
    ok("candles", SYMBOL, "--from", "2025-01-01", "--to", "2025-06-30", "--interval", "week",
       "--out", str(weekly), "--base-url", server)
    table = pq.read_table(str(weekly))
    assert 24 <= table.num_rows <= 27
    assert str(table.schema.field("close").type).startswith("decimal128")
    assert run("candles", SYMBOL, "--out", str(tmp_path / "x.xlsx")).exit_code == 2


def test_chart_is_a_png_of_the_requested_size(server: str, tmp_path: Path) -> None:
    out = tmp_path / "chart.png"
    ok("chart", SYMBOL, "--out", str(out), "--width", "640", "--height", "360",
       "--base-url", server)
    assert png_size(out) == (640, 360)
    assert out.stat().st_size > 5_000  # something was drawn
    assert run("chart", SYMBOL, "--out", str(tmp_path / "c.jpg")).exit_code == 2


def test_stream_prints_trades(server: str) -> None:
    result = ok("stream", SYMBOL, "--count", "3", "--json", "--base-url", server)
    trades = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(trades) == 3
    assert {t["mksc_shrn_iscd"] for t in trades} == {SYMBOL}
    assert all(isinstance(t["stck_prpr"], str) for t in trades)
    table = ok("stream", SYMBOL, "--duration", "1.5", "--base-url", server)
    assert "live trades" in table.stdout and "trades" in table.output


def test_auth_status_never_shows_the_token_and_revoke_forgets_it(server: str) -> None:
    ok("quote", SYMBOL, "--base-url", server)  # a token exists after any call
    status = ok_json("auth", "status", "--base-url", server)
    assert status["access_token"]["cached"] and status["access_token"]["valid"]
    token = json.loads(Path(status["cache_file"]).read_text())["token"]
    shown = ok("auth", "status", "--base-url", server).output
    assert token not in shown and token not in json.dumps(status)
    assert "valid" in shown
    assert "revoked" in ok("auth", "revoke", "--base-url", server).stdout
    assert ok_json("auth", "status", "--base-url", server)["access_token"] == {"cached": False}
    assert "nothing to revoke" in ok("auth", "revoke", "--base-url", server).stdout


def test_real_order_without_yes_and_without_a_tty_is_refused_before_sending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HANTOO_APP_KEY", "PS" + "x" * 34)
    monkeypatch.setenv("HANTOO_APP_SECRET", "s" * 180)
    monkeypatch.setenv("HANTOO_ACCOUNT", "12345678-01")
    # a closed port: any attempt to send would end as a transport error (exit 5), not exit 2
    dead = "http://127.0.0.1:9"
    limit = ["--price", "70000"]
    market = ["--type", "market"]  # would need a quote for the estimate: refused before that
    for how in (limit, market):
        result = run("order", "buy", SYMBOL, "1", *how, "--env", "real", "--base-url", dead)
        assert result.exit_code == 2, result.output
        assert "refusing to send a real order" in result.output
        assert "--yes" in result.output
    # --dry-run in real shows the plan and sends no order (the limit price needs no quote)
    plan = run("order", "buy", SYMBOL, "1", "--price", "70000", "--dry-run", "--json",
               "--env", "real", "--base-url", dead)
    assert plan.exit_code == 0 and json.loads(plan.stdout)["tr_id"] == "TTTC0012U"


def test_state_carries_across_processes_with_sim_serve(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    with serve_process(tmp_path / "sim.sqlite3") as url:
        def hantoo(*args: str) -> object:
            proc = subprocess.run([*HANTOO, *args, "--base-url", url, "--json"],
                                  capture_output=True, text=True, env=env, timeout=60)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            return json.loads(proc.stdout)

        placed = hantoo("order", "buy", SYMBOL, "4", "--wait", "10")
        assert isinstance(placed, dict) and placed["status"] == "filled"
        balance = hantoo("balance")
        assert isinstance(balance, dict)
        assert {p["symbol"]: p["quantity"] for p in balance["positions"]}[SYMBOL] == 4
