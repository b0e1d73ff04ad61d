"""Pure domain rules: order-type resolution, tick sizes, symbols, Decimal money, export."""

from __future__ import annotations

import builtins
import dataclasses
import datetime as dt
import typing
from decimal import Decimal
from typing import Any

import pytest

from hantoo import domain
from hantoo.domain import (
    Candle,
    Candles,
    Currency,
    DomesticOrderCode,
    OrderType,
    Symbol,
    TickSizeError,
    TimeInForce,
    UnsupportedOrderError,
    align_price,
    resolve_futures,
    resolve_order,
    tick_size,
    to_symbol,
)

SEED_NAMES = ["market", "limit", "conditional", "best", "priority", "pre-market", "post-market",
              "market-on-open", "market-on-close"]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_design_document_name_resolves(name: str) -> None:
    assert isinstance(OrderType.parse(name), OrderType)


@pytest.mark.parametrize("name", ["IOC", "FOK", "GTD", "GTC"])
def test_every_design_document_tif_resolves(name: str) -> None:
    assert TimeInForce.parse(name).value == name.lower()


def test_domestic_codes_are_the_real_ones_not_the_design_documents() -> None:
    assert resolve_order("domestic_stock", "limit").code == "00"
    assert resolve_order("domestic_stock", "market").code == "01"
    assert resolve_order("domestic_stock", "limit", "ioc").code == "11"
    assert resolve_order("domestic_stock", "best", "fok").code == "16"
    assert resolve_order("domestic_stock", "after_hours").code == "07"
    assert resolve_order("domestic_stock", "limit", "gtd").route == "reservation"
    assert DomesticOrderCode.LIMIT.takes_price and not DomesticOrderCode.MARKET.takes_price


def test_moo_for_a_domestic_order_is_explained_with_a_suggestion() -> None:
    with pytest.raises(UnsupportedOrderError) as info:
        resolve_order("domestic_stock", "moo")
    assert "US" in str(info.value) and "PRE_MARKET" in info.value.suggestion


def test_gtc_is_refused_with_an_explanation() -> None:
    with pytest.raises(UnsupportedOrderError, match="no good-till-cancelled") as info:
        resolve_order("domestic_stock", "limit", "gtc")
    assert "GTD" in info.value.suggestion


def test_wire_codes_are_refused_as_order_type_names() -> None:
    with pytest.raises(UnsupportedOrderError, match="00 = limit"):
        OrderType.parse("00")


def test_us_rules() -> None:
    assert resolve_order("us_stock", "moo", side="sell").code == "31"
    assert resolve_order("us_stock", "loc", side="buy").code == "34"
    with pytest.raises(UnsupportedOrderError) as buy_moo:
        resolve_order("us_stock", "moo", side="buy")
    assert buy_moo.value.suggestion == "OrderType.LIMIT_ON_OPEN"
    with pytest.raises(UnsupportedOrderError, match="paper"):
        resolve_order("us_stock", "loo", side="buy", paper=True)
    assert resolve_order("us_stock", "limit", paper=True).code == "00"


def test_futures_codes() -> None:
    assert [c.value for c in resolve_futures("limit", "ioc")] == ["10", "3"]
    assert [c.value for c in resolve_futures("market", "fok")] == ["13", "4"]
    assert resolve_futures("best")[0].value == "04"


@pytest.mark.parametrize(("price", "tick"), [
    (1999, 1), (2000, 5), (4995, 5), (5000, 10), (19990, 10), (20000, 50), (49950, 50),
    (50000, 100), (199900, 100), (200000, 500), (499500, 500), (500000, 1000)])
def test_krx_tick_bands(price: int, tick: int) -> None:
    assert tick_size(Decimal(price)) == tick
    assert align_price(price) == price


def test_tick_refuse_or_round() -> None:
    with pytest.raises(TickSizeError) as info:
        align_price(70_050)
    assert (info.value.lower, info.value.upper) == (70_000, 70_100)
    assert align_price(70_050, rounding="down") == 70_000
    assert align_price(70_050, rounding="up") == 70_100
    assert align_price(4_998, rounding="up") == 5_000
    assert align_price(7_003, "krx_fund", "nearest") == 7_005
    assert align_price("187.255", "us", "down") == Decimal("187.25")
    with pytest.raises(TickSizeError):
        align_price(0)


def test_symbols_normalise_per_kind() -> None:
    assert to_symbol(5930).code == "005930"
    assert to_symbol("A005930").code == "005930"
    etn = to_symbol("Q500001")
    assert etn.kind == "etn" and etn.quote_code == "Q500001" and etn.tick_rule == "krx_fund"
    aapl = to_symbol("NASD:AAPL")
    assert (aapl.exchange, aapl.quote_exchange, aapl.currency) == ("NASD", "NAS", Currency.USD)
    assert to_symbol("KO.NYS") == Symbol.overseas("KO", "NYSE")
    with pytest.raises(ValueError, match="exchange"):
        to_symbol("AAPL")
    bond = to_symbol("kr2033022d33")  # a 12-character KRX bond ISIN is a bond, not a ticker
    assert (bond.kind, bond.code, bond.is_overseas) == ("bond", "KR2033022D33", False)
    with pytest.raises(ValueError, match="exchange"):
        to_symbol("KRXYZ")  # not an ISIN: still an overseas-looking ticker


MONEY_WORDS = ("price", "amount", "cash", "value", "pnl", "change", "open", "high", "low",
               "close", "turnover", "limit", "rate")


def _types(annotation: Any) -> set[Any]:
    args = typing.get_args(annotation)
    return set().union(*(_types(a) for a in args)) if args else {annotation}


def test_money_fields_are_decimal_and_no_float_anywhere() -> None:
    checked = 0
    for name in domain.__all__:
        cls = getattr(domain, name)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            continue
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            types = _types(hints[f.name])
            assert builtins.float not in types, (name, f.name)
            counted = "quantity" in f.name or f.name.endswith(("_code", "_no")) or (
                f.name.startswith("takes_"))
            if set(f.name.split("_")) & set(MONEY_WORDS) and not counted:
                assert types - {type(None)} <= {Decimal}, (name, f.name, types)
                checked += 1
    assert checked > 40


def _candles() -> Candles:
    t = dt.datetime(2026, 1, 5, tzinfo=domain.KST)
    return Candles([Candle(symbol="005930", interval="day", time=t, open=Decimal("70000"),
                           high=Decimal("71000"), low=Decimal("69500"), close=Decimal("70500"),
                           volume=10, currency=Currency.KRW, raw={"x": 1})])


def test_export_keeps_decimal() -> None:
    pdf = _candles().to_pandas()
    assert isinstance(pdf["close"].iloc[0], Decimal) and "raw" not in pdf.columns
    pl = _candles().to_polars()
    assert str(pl.schema["close"]).startswith("Decimal") and pl["volume"][0] == 10


def test_export_without_the_extra_names_the_install_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pandas(name: str, *a: Any, **kw: Any) -> Any:
        if name.split(".")[0] in ("pandas", "polars"):
            raise ImportError(name)
        return real_import(name, *a, **kw)

    import importlib
    monkeypatch.setattr(importlib, "import_module", lambda n: no_pandas(n))
    with pytest.raises(ImportError, match=r'pip install "hantoo\[data\]"'):
        _candles().to_pandas()
    with pytest.raises(ImportError, match=r'pip install "hantoo\[data\]"'):
        _candles().to_polars()


def test_reprs_are_readable() -> None:
    assert repr(_candles()[0]) == ("Candle(005930 day 2026-01-05 O=70000 H=71000 L=69500 "
                                   "C=70500 V=10 KRW)")
