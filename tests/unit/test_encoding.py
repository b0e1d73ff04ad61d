"""Every encoding round-trips wire ↔ Python, and money never becomes a float."""

from __future__ import annotations

import datetime as dt
import typing
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import hantoo._generated.models as models_pkg
from hantoo._core.encoding import KST, decode, encode
from hantoo._core.wire import Row
from hantoo.catalog import field_table

decimals = st.decimals(allow_nan=False, allow_infinity=False, places=4,
                       min_value=Decimal("-1e12"), max_value=Decimal("1e12"))


@given(decimals, st.sampled_from(["price", "amount", "rate", "number"]))
def test_decimal_round_trip(value: Decimal, enc: str) -> None:
    wire = encode(enc, value, name="x")
    assert isinstance(wire, str) and "E" not in wire.upper()
    assert decode(enc, wire) == value


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["qty", "count"]))
def test_int_round_trip(value: int, enc: str) -> None:
    assert decode(enc, encode(enc, value, name="x")) == value


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_date_round_trip(value: dt.date) -> None:
    assert decode("yyyymmdd", encode("yyyymmdd", value, name="x")) == value


@given(st.times().map(lambda t: t.replace(microsecond=0, tzinfo=None)))
def test_time_round_trip(value: dt.time) -> None:
    assert decode("hhmmss", encode("hhmmss", value, name="x")) == value


@given(st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2999, 1, 1))
       .map(lambda d: d.replace(microsecond=0, tzinfo=KST)))
def test_datetime_round_trip(value: dt.datetime) -> None:
    assert decode("datetime", encode("datetime", value, name="x")) == value


@given(st.booleans())
def test_flag_round_trip(value: bool) -> None:
    assert decode("flag", encode("flag", value, name="x")) is value


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_text_round_trip(value: str) -> None:
    assert decode("text", encode("text", value, name="x")) == value


@given(st.text())
def test_decoding_never_raises(raw: str) -> None:
    for enc in ("price", "qty", "yyyymmdd", "hhmmss", "datetime", "flag", "code"):
        decode(enc, raw)


def test_empty_and_garbage_decode_to_none() -> None:
    assert decode("price", "") is None
    assert decode("price", "abc") is None
    assert decode("qty", "1.5") is None
    assert decode("qty", "10.000") == 10
    assert decode("yyyymmdd", "00000000") is None
    assert decode("price", "-0.70") == Decimal("-0.70")


@pytest.mark.parametrize("enc", ["price", "amount", "rate", "qty", "count"])
def test_floats_are_refused_with_the_parameter_named(enc: str) -> None:
    with pytest.raises(TypeError, match=r"ord_unpr.*float"):
        encode(enc, 0.1, name="ord_unpr")


def test_bad_strings_are_refused() -> None:
    with pytest.raises(ValueError, match="not a number"):
        encode("price", "7만", name="p")
    with pytest.raises(ValueError, match="whole number"):
        encode("qty", "1.5", name="q")
    with pytest.raises(ValueError, match="YYYYMMDD"):
        encode("yyyymmdd", "2024-01-01", name="d")


MONEY_ENCODINGS = {"price", "amount", "rate", "number", "qty", "count"}


def test_field_table_has_no_float_encoding() -> None:
    encodings = {f.enc for f in field_table().values()}
    assert "float" not in encodings
    assert encodings <= {"price", "amount", "rate", "number", "qty", "count", "yyyymmdd",
                         "hhmmss", "datetime", "flag", "code", "text"}


def _row_classes() -> list[type[Row]]:
    import importlib
    import pkgutil

    out: list[type[Row]] = []
    for info in pkgutil.iter_modules(models_pkg.__path__):
        module = importlib.import_module(f"{models_pkg.__name__}.{info.name}")
        out += [v for v in vars(module).values()
                if isinstance(v, type) and issubclass(v, Row) and v is not Row]
    return out


def test_no_money_or_quantity_field_is_a_float() -> None:
    classes = _row_classes()
    assert len(classes) > 250
    checked = 0
    for cls in classes:
        hints = typing.get_type_hints(cls)
        for _wire, attr, enc in cls.__wire__:
            args = typing.get_args(hints[attr])
            assert float not in args, f"{cls.__name__}.{attr} is typed float"
            if enc in MONEY_ENCODINGS:
                assert (Decimal in args) or (int in args), f"{cls.__name__}.{attr}"
                checked += 1
    assert checked > 1000

