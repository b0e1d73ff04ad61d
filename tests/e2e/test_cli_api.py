"""`hantoo api list|call` end to end through the real command object."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hantoo.cli.main import app

runner = CliRunner()


def test_api_list_json_has_all_336() -> None:
    result = runner.invoke(app, ["api", "list", "--json"])
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert len(entries) == 336
    assert len({e["key"] for e in entries}) == 336
    order_cash = next(e for e in entries if e["key"] == "domestic_stock/order_cash")
    assert order_cash["path"] == "/uapi/domestic-stock/v1/trading/order-cash"
    assert order_cash["tr_id_real"] == ["TTTC0012U", "TTTC0011U"]
    assert order_cash["tr_id_paper"] == ["VTTC0012U", "VTTC0011U"]
    assert all(e["path"] for e in entries)
    assert all(e["tr_id_real"] for e in entries if e["category"] != "auth")


def test_api_list_by_category() -> None:
    result = runner.invoke(app, ["api", "list", "--category", "etfetn", "--json"])
    assert result.exit_code == 0
    assert {e["category"] for e in json.loads(result.stdout)} == {"etfetn"}
    bad = runner.invoke(app, ["api", "list", "--category", "nope"])
    assert bad.exit_code == 2
    assert "unknown category" in bad.output


def test_api_call_unknown_key_is_one_clear_line() -> None:
    result = runner.invoke(app, ["api", "call", "domestic_stock/inquire_prise"])
    assert result.exit_code == 2
    assert "no API with key" in result.output
    assert "Traceback" not in result.output


def test_api_call_bad_parameter_syntax() -> None:
    result = runner.invoke(app, ["api", "call", "domestic_stock/inquire_price", "oops"])
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.output


def test_api_call_against_the_simulator_prints_the_body_as_json() -> None:
    from hantoo.sim.app import SimConfig, create_app
    from hantoo.sim.server import running_server

    with running_server(app=create_app(SimConfig(limits="off"))) as (base_url, _ws):
        result = runner.invoke(app, [
            "api", "call", "domestic_stock/inquire_price", "FID_COND_MRKT_DIV_CODE=J",
            "fid_input_iscd=005930", "--base-url", base_url,
        ])
        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert body["rt_cd"] == "0"
        assert int(body["output"]["stck_prpr"]) > 0
        bad = runner.invoke(app, [
            "api", "call", "domestic_stock/inquire_price", "FID_COND_MRKT_DIV_CODE=J",
            "FID_INPUT_ISCD=ZZZZZZ", "--base-url", base_url,
        ])
    assert bad.exit_code == 4  # the API refused: one line, no traceback
    assert "MCA05918" in bad.output and "Traceback" not in bad.output


def _lines(*args: str) -> list[list[str]]:
    result = runner.invoke(app, ["api", "list", *args], env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    return [line.split("\t") for line in result.stdout.splitlines()]


def test_api_list_piped_is_one_unwrapped_line_per_api() -> None:
    rows = _lines()
    assert rows[0] == ["key", "title", "method", "path", "TR real", "TR paper", "kind"]
    assert len(rows) == 1 + 336 and all(len(r) == 7 for r in rows)
    price = [r for r in rows if "주식현재가 시세" in r[1]]  # grep finds the title on one line
    assert ["domestic_stock/inquire_price", "주식현재가 시세", "GET",
            "/uapi/domestic-stock/v1/quotations/inquire-price", "FHKST01010100",
            "FHKST01010100", "query"] in price


def test_api_list_search_by_title_tr_id_key_and_path() -> None:
    keys = lambda *a: {r[0] for r in _lines(*a)[1:]}  # noqa: E731
    by_title = keys("주식현재가")
    assert "domestic_stock/inquire_price" in by_title and "domestic_stock/inquire_ccnl" in by_title
    assert all("주식현재가" in "".join(describe_title(k).split()) for k in by_title)
    assert keys("주식현재가", "시세") == {"domestic_stock/inquire_price",
                                      "domestic_stock/inquire_price_2"}
    assert keys("주식 현재가 시세") == keys("주식현재가 시세")  # spacing does not matter
    assert keys("fhkst01010100") == {"domestic_stock/inquire_price"}
    assert keys("--search", "FHKST01010100") == {"domestic_stock/inquire_price"}
    assert keys("order_cash") == {"domestic_stock/order_cash"}
    assert keys("/uapi/domestic-stock/v1/trading/order-cash") == {"domestic_stock/order_cash"}
    assert "VTTC0012U" in {tr for r in _lines("order_cash")[1:] for tr in r[5].split()}
    as_json = json.loads(runner.invoke(app, ["api", "list", "TTTC0012U", "--json"]).stdout)
    assert [e["key"] for e in as_json] == ["domestic_stock/order_cash"]


def test_api_list_search_without_match_says_how_to_search() -> None:
    result = runner.invoke(app, ["api", "list", "없는시세"])
    assert result.exit_code == 0
    assert "no API matches '없는시세'" in result.output and "TR ID" in result.output


def describe_title(key: str) -> str:
    from hantoo.catalog import catalog

    return catalog().get(key).title_ko
