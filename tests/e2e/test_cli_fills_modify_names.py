"""`hantoo fills`, `hantoo modify`, names for codes, `hantoo search`, US cash (issue 12).

Against one simulator on 127.0.0.1 (state carries across invocations, as with `hantoo sim
serve`), its clock pinned at 10:00 KST of a trading day. Every expected figure is read back from
the simulator through another command, never written down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from cli_kit import ok, ok_json, run

import hantoo
from hantoo.cli.common import money
from hantoo.domain.kst import KST
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.server import running_server

START = dt.datetime(2026, 11, 2, 10, 0, tzinfo=KST)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = create_app(SimConfig(limits="off", token_min_interval_s=0, clock_mode="stepped",
                               clock_start=START))
    with running_server(app=app) as (base_url, _ws_url):
        yield base_url


@pytest.fixture(autouse=True)
def shared_cache(_isolated_environment: None, tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANTOO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cli-cache"))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_fills_shows_todays_executions_with_the_average_price(server: str) -> None:
    best_ask = ok_json("book", "005930", "--base-url", server)["asks"][0]
    assert best_ask["quantity"] >= 4
    placed = ok_json("order", "buy", "005930", "4", "--base-url", server)  # market
    fills = ok_json("fills", "--base-url", server)  # default: the simulator's own today
    mine = [f for f in fills if f["order_no"] == placed["order_no"]]
    assert len(mine) == 1
    assert mine[0]["quantity"] == 4 and mine[0]["price"] == best_ask["price"]
    assert Decimal(mine[0]["amount"]) == Decimal(best_ask["price"]) * 4
    assert mine[0]["time"].startswith(START.date().isoformat())
    table = ok("fills", "--base-url", server).stdout
    assert placed["order_no"].lstrip("0") in table and "avg price" in table
    by_name = ok_json("fills", "--symbol", "삼성전자", "--base-url", server)
    assert {f["symbol"] for f in by_name} == {"005930"}
    other_day = run("fills", "--from", "2026-10-30", "--base-url", server)
    assert other_day.exit_code == 0 and "no fills on 2026-10-30" in other_day.output


def _working(server: str) -> dict[str, dict[str, object]]:
    return {o["order_no"]: o for o in ok_json("orders", "--base-url", server)}


def test_modify_price_and_reduce_quantity(server: str) -> None:
    last = Decimal(ok_json("quote", "005930", "--base-url", server)[0]["price"])
    low = str((last * Decimal("0.9")).quantize(Decimal(1000)))
    placed = ok_json("order", "buy", "005930", "5", "--price", low, "--base-url", server)
    number = placed["order_no"].lstrip("0")

    reduced = ok_json("modify", number, "--qty", "3", "--base-url", server)
    assert reduced["order_no"] == placed["order_no"]
    assert _working(server)[placed["order_no"]]["remaining_quantity"] == 3

    new_price = str(Decimal(low) - 1000)
    moved = ok_json("modify", number, "--price", new_price, "--base-url", server)
    assert moved["order_no"] != placed["order_no"]  # KIS gives a modified order a new number
    working = _working(server)
    assert placed["order_no"] not in working
    assert working[moved["order_no"]]["price"] == new_price
    assert working[moved["order_no"]]["remaining_quantity"] == 3
    assert moved["original_order_no"] == placed["order_no"]

    text = ok("modify", moved["order_no"], "--price", str(Decimal(new_price) - 1000), "--qty",
              "1", "--base-url", server).stdout
    assert f"order #{moved['order_no']} → #" in text and "1 working @" in text
    (last_no,) = [n for n, o in _working(server).items()
                  if o["original_order_no"] == moved["order_no"]]
    assert _working(server)[last_no]["remaining_quantity"] == 1

    too_many = run("modify", last_no, "--qty", "9", "--base-url", server)
    assert too_many.exit_code == 2 and "more than the 1 still working" in too_many.output
    nothing = run("modify", last_no, "--base-url", server)
    assert nothing.exit_code == 2 and "--price and/or --qty" in nothing.output
    unknown = run("modify", "999999", "--price", "50000", "--base-url", server)
    assert unknown.exit_code == 2 and "no working order #999999" in unknown.output
    off_tick = run("modify", last_no, "--price", "50050", "--base-url", server)
    assert off_tick.exit_code == 2 and "--round down|up|nearest" in off_tick.output
    assert last_no in _working(server)  # nothing was sent
    ok("cancel", "--all", "--base-url", server)


def test_names_wherever_a_symbol_is_taken(server: str) -> None:
    by_code = ok_json("quote", "005930", "--base-url", server)[0]
    by_name = ok_json("quote", "삼성전자", "SK하이닉스", "--base-url", server)
    assert [q["symbol"] for q in by_name] == ["005930", "000660"]
    assert by_name[0]["price"] == by_code["price"]
    assert ok_json("quote", "삼성 전자", "--base-url", server)[0]["symbol"] == "005930"
    assert ok_json("book", "삼성전자", "--base-url", server)["symbol"] == "005930"
    assert ok_json("quote", "apple", "--base-url", server)[0]["symbol"] == "AAPL"
    bars = ok_json("candles", "SK하이닉스", "--from", "2026-10-01", "--to", "2026-10-31",
                   "--base-url", server)
    assert bars and {b["symbol"] for b in bars} == {"000660"}
    dry = ok_json("order", "buy", "삼성전자", "1", "--dry-run", "--base-url", server)
    assert dry["symbol"] == "005930"


def test_ambiguous_and_unknown_names_are_refused_with_candidates(server: str) -> None:
    result = run("quote", "삼성", "--base-url", server)
    assert result.exit_code == 2
    out = _flat(result.output)
    assert "'삼성' names" in out
    for pair in ("삼성전자 005930", "삼성SDI 006400", "삼성물산 028260"):
        assert pair in out
    unknown = run("order", "buy", "없는회사", "1", "--dry-run", "--base-url", server)
    assert unknown.exit_code == 2
    assert "no issue named '없는회사'" in _flat(unknown.output)
    assert "hantoo search" in unknown.output


def test_search_lists_names_with_codes(server: str) -> None:
    found = ok_json("search", "삼성", "--base-url", server)
    assert {"symbol": "005930", "code": "005930", "name": "삼성전자", "market": "KOSPI",
            "kind": "STOCK"} in found
    assert all("삼성" in f["name"] for f in found) and len(found) >= 3
    assert [f["symbol"] for f in ok_json("search", "삼성전자", "--base-url", server)] == \
        ["005930"]
    assert ok_json("search", "Apple", "--base-url", server)[0]["symbol"] == "NASD:AAPL"
    embedded = ok_json("search", "하이닉스")  # the in-process simulator knows the same names
    assert [f["symbol"] for f in embedded] == ["000660"]
    none = run("search", "없는회사", "--base-url", server)
    assert none.exit_code == 0 and "no issue named like" in none.output


def test_names_for_paper_and_real_come_from_the_bundled_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HANTOO_APP_KEY", "P" * 36)
    monkeypatch.setenv("HANTOO_APP_SECRET", "s" * 180)
    monkeypatch.setenv("HANTOO_ACCOUNT", "12345678-01")
    found = ok_json("--env", "real", "search", "삼성전자")  # nothing is sent to KIS
    assert [f["symbol"] for f in found] == ["005930"]


def test_us_balance_shows_the_dollar_cash(server: str) -> None:
    before = ok_json("balance", "--market", "us", "--base-url", server)
    assert before["currency"] == "USD" and before["cash"] is not None
    cash = Decimal(before["cash"])
    with hantoo.Client("sim", base_url=server) as client:
        orderable = client.buying_power("NASD:AAPL", "1.00").cash
    assert orderable is not None and cash == orderable  # nothing reserved: the same dollars
    table = _flat(ok("balance", "--market", "us", "--base-url", server).stdout
                  .replace("│", " "))
    assert f"cash {money(cash)} " in table


def test_market_order_repr_shows_the_average_fill_price() -> None:
    from hantoo.domain.objects import OrderSnapshot, OrderStatus
    from hantoo.domain.ordertypes import Side
    from hantoo.domain.symbols import Currency

    snap = OrderSnapshot(order_no="0000000001", symbol="005930", side=Side.BUY, quantity=10,
                         price=Decimal(0), currency=Currency.KRW, status=OrderStatus.FILLED,
                         filled_quantity=10, average_fill_price=Decimal(71100))
    assert repr(snap) == "OrderSnapshot(#0000000001 buy 005930 10/10 @ avg 71,100 KRW filled)"
    working = OrderSnapshot(order_no="2", symbol="005930", side=Side.BUY, quantity=1,
                            price=None, currency=Currency.KRW, status=OrderStatus.ACCEPTED)
    assert "@ market" in repr(working)


def test_wait_timeout_reports_a_working_order_not_an_error(server: str) -> None:
    last = Decimal(ok_json("quote", "005930", "--base-url", server)[0]["price"])
    low = str((last * Decimal("0.8")).quantize(Decimal(1000)))
    result = run("order", "buy", "005930", "1", "--price", low, "--wait", "0.5",
                 "--base-url", server)
    assert result.exit_code == 0, result.output
    assert "still working after --wait 0.5s" in _flat(result.output)
    ok("cancel", "--all", "--base-url", server)
