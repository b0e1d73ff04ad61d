"""Every order type and time in force reaches the simulator with the right code; refused
combinations never reach it."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from hantoo.domain import OrderType, TickSizeError, TimeInForce, UnsupportedOrderError
from hantoo.errors import ApiError

sys.path.insert(0, str(Path(__file__).parent))
import contextlib

from simkit import START, private_sim

DOMESTIC = [
    (OrderType.LIMIT, TimeInForce.DAY, True, "00"),
    (OrderType.MARKET, TimeInForce.DAY, False, "01"),
    (OrderType.CONDITIONAL, TimeInForce.DAY, True, "02"),
    (OrderType.BEST, TimeInForce.DAY, False, "03"),
    (OrderType.PRIORITY, TimeInForce.DAY, False, "04"),
    (OrderType.PRE_MARKET, TimeInForce.DAY, False, "05"),
    (OrderType.POST_MARKET, TimeInForce.DAY, False, "06"),
    (OrderType.AFTER_HOURS_SINGLE_PRICE, TimeInForce.DAY, True, "07"),
    (OrderType.LIMIT, TimeInForce.IOC, True, "11"),
    (OrderType.LIMIT, TimeInForce.FOK, True, "12"),
    (OrderType.MARKET, TimeInForce.IOC, False, "13"),
    (OrderType.MARKET, TimeInForce.FOK, False, "14"),
    (OrderType.BEST, TimeInForce.IOC, False, "15"),
    (OrderType.BEST, TimeInForce.FOK, False, "16"),
]

US = [
    ("buy", OrderType.LIMIT, True, "00", "TTTT1002U"),
    ("buy", OrderType.LIMIT_ON_OPEN, True, "32", "TTTT1002U"),
    ("buy", OrderType.LIMIT_ON_CLOSE, True, "34", "TTTT1002U"),
    ("sell", OrderType.MARKET_ON_OPEN, False, "31", "TTTT1006U"),
    ("sell", OrderType.MARKET_ON_CLOSE, False, "33", "TTTT1006U"),
    ("sell", OrderType.LIMIT, True, "00", "TTTT1006U"),
]


def test_every_domestic_order_type_reaches_the_wire_with_its_code() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=1_000_000_000)
        bid = c.order_book("005930").best_bid
        assert bid is not None
        for order_type, tif, priced, code in DOMESTIC:
            before = len(sim.wire.orders())
            # the simulator may refuse the session; the wire is what is checked
            with contextlib.suppress(ApiError):
                c.place_order("005930", "buy", 1, bid.price if priced else None, order_type, tif)
            sent = sim.wire.orders()[before:]
            assert len(sent) == 1, (order_type, tif)
            assert sent[0].tr_id == "TTTC0012U"
            assert sent[0].body["ORD_DVSN"] == code, (order_type, tif)
            assert sent[0].body["ORD_UNPR"] == (str(bid.price) if priced else "0")


def test_every_us_order_type_reaches_the_wire_with_its_code() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(usd=1_000_000)
        bid = c.order_book("NYSE:KO").best_bid
        assert bid is not None
        for side, order_type, priced, code, tr_id in US:
            before = len(sim.wire.orders())
            with contextlib.suppress(ApiError):
                c.place_order("NYSE:KO", side, 1, bid.price if priced else None, order_type)
            sent = sim.wire.orders()[before:]
            assert [(s.tr_id, s.body["ORD_DVSN"]) for s in sent] == [(tr_id, code)], order_type
            assert sent[0].body["OVRS_EXCG_CD"] == "NYSE"


def test_gtd_becomes_a_period_reservation_on_the_wire() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=1_000_000_000)
        expire = START.date() + dt.timedelta(days=20)
        with contextlib.suppress(ApiError):  # outside the reservation window it may say so
            c.place_order("005930", "buy", 1, 60000, tif="gtd", expire=expire)
        sent = [s for s in sim.wire.sent if s.path.endswith("/trading/order-resv")]
        assert len(sent) == 1, [(s.path, s.tr_id, s.body) for s in sim.wire.sent]
        body = sent[0].body
        assert body["RSVN_ORD_END_DT"] == expire.strftime("%Y%m%d")
        assert (body["ORD_DVSN_CD"], body["SLL_BUY_DVSN_CD"], body["ORD_UNPR"]) == (
            "00", "02", "60000")
        assert not sim.wire.paths("/trading/order-cash")


REFUSED = [
    dict(symbol="005930", price=None, order_type="market_on_open"),
    dict(symbol="005930", price=None, order_type="moc"),
    dict(symbol="005930", price=70000, order_type="limit", tif="gtc"),
    dict(symbol="005930", price=70000, order_type="conditional", tif="ioc"),
    dict(symbol="005930", price=70000, order_type="priority", tif="fok"),
    dict(symbol="005930", price=70000, order_type="limit", tif="gtd"),  # no expire
    dict(symbol="005930", price=70000, order_type="limit", tif="gtd",
         expire=dt.date(2099, 1, 1)),
    dict(symbol="005930", price=70000, order_type="market"),  # market with a price
    dict(symbol="005930", price=None, order_type="limit"),  # limit without a price
    dict(symbol="005930", price=None, order_type="00"),  # a wire code
    dict(symbol="NYSE:KO", price=None, order_type="market"),
    dict(symbol="NYSE:KO", price=None, order_type="market_on_open"),  # buy side
    dict(symbol="NYSE:KO", price=Decimal("68.40"), order_type="limit", tif="ioc"),
    dict(symbol="NYSE:KO", price=Decimal("68.40"), order_type="best"),
]


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: f"{c['symbol']}-{c['order_type']}-"
                         f"{c.get('tif', 'day')}")
def test_refused_combinations_never_reach_the_server(case: dict[str, object]) -> None:
    with private_sim() as sim, sim.client() as c:
        before = len(sim.wire.sent)
        with pytest.raises(UnsupportedOrderError) as info:
            c.place_order(case["symbol"], "buy", 1, case["price"], case["order_type"],  # type: ignore[arg-type]
                          case.get("tif"), expire=case.get("expire"))  # type: ignore[arg-type]
        assert info.value.suggestion or "needs" in str(info.value)
        if case.get("expire") is None:
            assert len(sim.wire.sent) == before  # not even a token request
        else:
            # A GTD window is counted from the server's day: with the simulator (any date) the
            # client asks the holiday calendar once to learn it; no order is ever sent.
            assert [s.path.rsplit("/", 1)[-1] for s in sim.wire.sent[before:]
                    if s.path.startswith("/uapi/")] == ["chk-holiday"]


def test_off_tick_prices_are_refused_or_rounded_before_sending() -> None:
    with private_sim() as sim, sim.client() as c:
        sim.fund(krw=1_000_000_000)
        with pytest.raises(TickSizeError) as info:
            c.place_order("005930", "buy", 1, 70_050)
        assert (info.value.lower, info.value.upper) == (Decimal(70_000), Decimal(70_100))
        with pytest.raises(TypeError, match="float"):
            c.place_order("005930", "buy", 1, 70000.0)  # type: ignore[arg-type]
        assert not sim.wire.orders()
        order = c.place_order("005930", "buy", 1, 50_050, rounding="down")
        assert sim.wire.orders()[-1].body["ORD_UNPR"] == "50000"
        order.cancel()
