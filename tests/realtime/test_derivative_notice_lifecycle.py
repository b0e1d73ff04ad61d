"""Issue 14: the futures/options order notices tell the whole order lifecycle, and agree with
the REST order/fill queries and the balance — in the day session (``H0IFCNI0``) and in the
night session, which runs across midnight (one trading day, two calendar dates) and whose
notices go to the catalogue's night TRs (``H0MFCNI0`` futures, ``H0EUCNI0`` options).

The real SDK against the served simulator over real sockets: orders through
:class:`~hantoo.futures_options.FuturesOptions`, notices decoded by the SDK's realtime stream
(:class:`hantoo.realtime.Stream`, which lays records out by the catalogue's columns).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

import hantoo
from hantoo._generated.streams import RECORDS
from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET, SIM_HTS_ID
from hantoo.errors import HantooError
from hantoo.futures_options import FuturesOptions
from hantoo.realtime import Credentials, Stream, Subscribed
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.derivatives.market import market_for
from hantoo.sim.engine.clock import KST
from hantoo.sim.server import running_server

START = datetime(2026, 11, 23, 10, 0, tzinfo=KST)  # a Monday
FRONT = "A01612"  # KOSPI200 futures, December 2026
NOTICE_TRS = ("H0IFCNI0", "H0MFCNI0", "H0EUCNI0")


@contextmanager
def _served(start: datetime) -> Iterator[tuple[Any, FuturesOptions, Stream]]:
    app = create_app(SimConfig(clock_mode="stepped", clock_start=start, limits="off", seed=7,
                               activity=0))
    with running_server(app=app) as (base, ws_url), \
            hantoo.Client("sim", base_url=base, rate_limit=False) as client, \
            Stream(Credentials(SIM_APP_KEY, SIM_APP_SECRET), ws_url=ws_url, base_url=base,
                   environment="sim") as stream:
        for tr in NOTICE_TRS:
            stream.subscribe(tr, SIM_HTS_ID)
        subscribed = 0
        deadline = time.monotonic() + 10
        while subscribed < len(NOTICE_TRS):
            assert time.monotonic() < deadline, "the notice subscriptions were not confirmed"
            subscribed += sum(isinstance(e, Subscribed) for e in stream.events(0.5))
        yield app, FuturesOptions(client), stream


class Notices:
    """The decoded notices received so far, by TR."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.got: list[tuple[str, dict[str, str]]] = []

    def wait(self, count: int) -> list[tuple[str, dict[str, str]]]:
        """Every notice so far once there are ``count`` (a few seconds at most)."""
        deadline = time.monotonic() + 10
        while len(self.got) < count and time.monotonic() < deadline:
            for ev in self.stream.events(0.3):
                tr = getattr(ev, "TR_ID", "")
                if tr in NOTICE_TRS:
                    assert isinstance(ev, RECORDS[tr])  # decoded by the catalogue's columns
                    raw = dict(zip((c.lower() for c in ev.COLUMNS), ev.values, strict=True))
                    typed = ev.to_dict()  # the SDK's typed values agree with the wire text
                    assert typed["cntg_qty"] == int(raw["cntg_qty"])
                    assert typed["cntg_unpr"] == Decimal(raw["cntg_unpr"])
                    assert typed["stck_shrn_iscd"] == raw["stck_shrn_iscd"]
                    self.got.append((tr, raw))
        assert len(self.got) == count, [n for _, n in self.got]
        return list(self.got)


def _kind(n: dict[str, str]) -> str:
    if n["rfus_yn"] == "1":
        return "refused"
    if n["cntg_yn"] == "2":
        return "fill"
    if n["acpt_yn"] == "3":
        return "killed"
    return {"0": "accepted", "1": "modified", "2": "cancelled"}[n["rctf_cls"]]


def _no(n: dict[str, str], key: str) -> str:
    v = n[key]
    return f"{int(v):010d}" if v else ""


def _agree_with_rest(rest_rows: list[Any], notices: list[dict[str, str]]) -> None:
    """Every order a notice names is a REST order (``inquire-ccnl`` rows) with the same series,
    side, original order and quantity; fill notices add up to the REST fills and their price."""
    rows = {r.odno: r for r in rest_rows}
    for n in notices:
        if _kind(n) == "refused":
            assert _no(n, "oder_no") == ""  # a refused request has no order number
            continue
        row = rows[_no(n, "oder_no")]
        assert (row.pdno, row.sll_buy_dvsn_cd) == (n["stck_shrn_iscd"], n["seln_byov_cls"])
        assert (row.orgn_odno or "") == _no(n, "ooder_no")
        assert int(row.ord_qty) == int(n["oder_qty"])
    for odno, row in rows.items():
        fills = [n for n in notices if _kind(n) == "fill" and _no(n, "oder_no") == odno]
        assert sum(int(n["cntg_qty"]) for n in fills) == row.tot_ccld_qty
        if fills:
            value = sum(int(n["cntg_qty"]) * Decimal(n["cntg_unpr"]) for n in fills)
            assert value / row.tot_ccld_qty == row.avg_idx


def test_day_session_lifecycle_on_the_notice_stream() -> None:
    with _served(START) as (_app, fo, stream):
        notices = Notices(stream)
        bids, asks = fo.order_book(FRONT)
        low = bids[0][0] - Decimal("2.00")
        rest = fo.place_order(FRONT, "buy", 2, low)  # rests: accepted
        moved = fo.modify_order(rest.odno, low - Decimal("0.50"))  # modified: a new number
        cancel = fo.cancel_order(moved.odno)  # cancelled
        bought = fo.place_order(FRONT, "buy", 3, asks[0][0])  # accepted, then a fill
        ioc = fo.place_order(FRONT, "sell", 1, low - Decimal("3.00"), tif="ioc")  # fill ...
        lower = fo.quote(FRONT).lower_limit
        with pytest.raises(HantooError):  # below the lower limit: refused
            fo.place_order(FRONT, "buy", 1, lower - Decimal("1.00"))
        got = notices.wait(8)
        trs = {tr for tr, _ in got}
        seen = [(_kind(n), _no(n, "oder_no"), _no(n, "ooder_no")) for _, n in got]
        positions = fo.positions()
        rows = fo.orders(START.date())
    assert trs == {"H0IFCNI0"}  # day-session orders: the day TR only
    assert seen[:4] == [
        ("accepted", rest.odno, ""),
        ("modified", moved.odno, rest.odno),
        ("cancelled", cancel.odno, moved.odno),
        ("accepted", bought.odno, ""),
    ]
    assert [k for k, _, _ in seen[4:]] == ["fill", "accepted", "fill", "refused"]
    assert seen[5][1] == seen[6][1] == ioc.odno
    got_n = [n for _, n in got]
    assert all(n["cust_id"] == SIM_HTS_ID for n in got_n)
    assert all(n["stck_cntg_hour"] == "100000" for n in got_n)  # the stepped clock's instant
    assert int(got_n[2]["cntg_qty"]) == 2  # the whole working quantity was cancelled
    assert Decimal(got_n[1]["order_prc"]) == low - Decimal("0.50")
    _agree_with_rest(rows, got_n)
    # the balance: bought 3, sold 1 (the IOC filled against the house bid)
    (pos,) = positions
    assert (pos.code, pos.quantity) == (FRONT, 2)


def test_night_session_lifecycle_across_midnight() -> None:
    monday_night = START.replace(hour=19)  # the night session of Tuesday's trading day
    tuesday = START.date() + timedelta(days=1)
    with _served(monday_night) as (app, fo, stream):
        notices = Notices(stream)
        m = market_for(app.sim.exchange)
        call = next(i for i in m.listing().options()
                    if i.kind == "call" and not i.product.on_stock
                    and m.snapshot(i.code).asks and m.snapshot(i.code).price > 1)
        _, asks = fo.order_book(FRONT)
        bought = fo.place_order(FRONT, "buy", 2, asks[0][0], session="night")
        _, call_asks = fo.order_book(call.code)
        opt = fo.place_order(call.code, "buy", 1, call_asks[0][0], session="night")
        first = notices.wait(4)
        app.sim.clock.advance(timedelta(hours=6))  # 01:00 Tuesday: the same session
        rest = fo.place_order(FRONT, "sell", 1, asks[0][0] + Decimal("3.00"), session="night")
        cancel = fo.cancel_order(rest.odno, session="night")
        got = notices.wait(6)
        rows = fo.orders(tuesday)
        monday_rows = fo.orders(START.date())
        positions = {p.code: p.quantity for p in fo.positions()}
    assert first == got[:4]
    by_tr = [(tr, _kind(n), _no(n, "oder_no")) for tr, n in got]
    assert by_tr == [
        ("H0MFCNI0", "accepted", bought.odno), ("H0MFCNI0", "fill", bought.odno),
        ("H0EUCNI0", "accepted", opt.odno), ("H0EUCNI0", "fill", opt.odno),
        ("H0MFCNI0", "accepted", rest.odno), ("H0MFCNI0", "cancelled", cancel.odno),
    ]
    hours = [n["stck_cntg_hour"] for _, n in got]
    assert hours == ["190000"] * 4 + ["010000"] * 2  # two calendar dates ...
    assert monday_rows == [] and len(rows) == 4  # ... one trading day: Tuesday's
    assert {r.ord_dt for r in rows} == {tuesday}
    _agree_with_rest(rows, [n for _, n in got])
    assert positions == {FRONT: 2, call.code: 1}
