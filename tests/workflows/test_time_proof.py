"""Time that holds on any date: the machine's clock never leaks into what the simulator answers,
and the SDK works whatever the machine's date and whatever the simulator's date.

The machine's clock is faked with ``time-machine`` to a moment the simulator never runs at
(03:33 KST, far from any session), on dates years away from the simulator's, so a leaked value
is recognisable: a date string of the machine's day, or a time of day starting ``0333``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simkit import ACCOUNT, private_sim

from hantoo._generated.streams import RECORDS
from hantoo.domain.objects import OrderStatus
from hantoo.sim.engine.calendar import TradingCalendar
from hantoo.sim.engine.clock import KST
from hantoo.sim.ws import hub_for

#: The machine's faked "now": 03:33:33 KST, when no KRX session runs.
MACHINE = dt.datetime(2031, 7, 2, 3, 33, 33, tzinfo=KST)


def _leaks(value: str, machine: dt.datetime) -> bool:
    ymd = machine.strftime("%Y%m%d")
    return ymd in value or machine.strftime("%Y-%m-%d") in value or (
        len(value) == 6 and value.isdigit() and value.startswith(machine.strftime("%H%M")))


def _strings(node: Any) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str):
                yield k, v
            else:
                yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def _get(http: httpx.Client, token: str, path: str, tr_id: str, **params: str) -> httpx.Response:
    return http.get(path, params=params, headers={
        "authorization": f"Bearer {token}", "appkey": "k" * 36, "appsecret": "s" * 180,
        "tr_id": tr_id, "custtype": "P"})


def _wire_answers(start: dt.datetime) -> list[tuple[str, httpx.Response]]:
    """Raw answers of the main REST APIs, as any KIS client sees them."""
    answers: list[tuple[str, httpx.Response]] = []
    with private_sim(clock_start=start) as sim, sim.client() as c:
        sim.fund(krw=100_000_000)
        order = c.place_order("005930", "buy", 3, order_type="market")
        order.wait_filled(timeout=5)
        day = start.strftime("%Y%m%d")
        http = c._http  # the client's own transport: the in-process simulator
        tok = http.post("/oauth2/tokenP", json={
            "grant_type": "client_credentials", "appkey": "k" * 36, "appsecret": "s" * 180})
        answers.append(("tokenP", tok))
        token = tok.json()["access_token"]
        q = "/uapi/domestic-stock/v1/quotations"
        answers += [
            ("price", _get(http, token, f"{q}/inquire-price", "FHKST01010100",
                           FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")),
            ("ccnl", _get(http, token, f"{q}/inquire-ccnl", "FHKST01010300",
                          FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")),
            ("daily", _get(http, token, f"{q}/inquire-daily-itemchartprice", "FHKST03010100",
                           FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930",
                           FID_INPUT_DATE_1=(start - dt.timedelta(days=140)).strftime("%Y%m%d"),
                           FID_INPUT_DATE_2=day,
                           FID_PERIOD_DIV_CODE="D", FID_ORG_ADJ_PRC="0")),
            ("minute", _get(http, token, f"{q}/inquire-time-itemchartprice", "FHKST03010200",
                            FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930",
                            FID_INPUT_HOUR_1=start.strftime("%H%M%S"), FID_PW_DATA_INCU_YN="N",
                            FID_ETC_CLS_CODE="")),
            ("fills", _get(http, token, "/uapi/domestic-stock/v1/trading/inquire-daily-ccld",
                           "TTTC0081R", CANO=ACCOUNT[0], ACNT_PRDT_CD=ACCOUNT[1],
                           INQR_STRT_DT=day, INQR_END_DT=day, SLL_BUY_DVSN_CD="00",
                           INQR_DVSN="00", PDNO="", CCLD_DVSN="00", ORD_GNO_BRNO="", ODNO="",
                           INQR_DVSN_3="00", INQR_DVSN_1="", CTX_AREA_FK100="",
                           CTX_AREA_NK100="", EXCG_ID_DVSN_CD="KRX")),
            ("holiday", _get(http, token, f"{q}/chk-holiday", "CTCA0903R", BASS_DT=day,
                             CTX_AREA_NK="", CTX_AREA_FK="")),
            ("ranking", _get(http, token, f"{q}/volume-rank", "FHPST01710000",
                             FID_COND_MRKT_DIV_CODE="J", FID_COND_SCR_DIV_CODE="20171",
                             FID_INPUT_ISCD="0000", FID_DIV_CLS_CODE="0",
                             FID_BLNG_CLS_CODE="0", FID_TRGT_CLS_CODE="111111111",
                             FID_TRGT_EXLS_CLS_CODE="000000", FID_INPUT_PRICE_1="",
                             FID_INPUT_PRICE_2="", FID_VOL_CNT="", FID_INPUT_DATE_1="")),
        ]
        feed = hub_for(sim.state).feed
        for tr_id, cls in RECORDS.items():
            key = "DNASAAPL" if tr_id.startswith("HDF") else "005930"
            for row in feed.rows(tr_id, key, 2):
                answers.append((tr_id, httpx.Response(200, json=dict(
                    zip([c.lower() for c in cls.COLUMNS], row, strict=False)))))
    return answers


def _check_no_leak(start: dt.datetime, machine: dt.datetime) -> None:
    for name, resp in _wire_answers(start):
        body = json.loads(resp.content)
        leaked = [(k, v) for k, v in _strings(body) if _leaks(v, machine)]
        assert not leaked, f"{name} answered the machine's clock: {leaked[:5]}"
        stamp = resp.headers.get("date")
        if stamp is not None and resp.request is not None:
            server = email.utils.parsedate_to_datetime(stamp).astimezone(KST)
            assert server.date() == start.date(), f"{name}: Date header {stamp}"


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=st.dates(dt.date(2004, 1, 5), dt.date(2045, 12, 20)))
def test_no_answer_carries_the_machine_clock(day: dt.date) -> None:
    """The simulator at an arbitrary date, years before or after the machine's: every date and
    time in REST answers, headers and realtime records is the simulator's."""
    # The answers include 140 days of daily bars: keep the machine's date out of that window,
    # where it would rightly appear as a past trading day.
    if abs((day - MACHINE.date()).days) < 200:
        day = day.replace(year=day.year - 3)
    start = dt.datetime.combine(TradingCalendar().on_or_before(day), dt.time(10, 0), KST)
    with time_machine.travel(MACHINE, tick=True):
        _check_no_leak(start, MACHINE)


@pytest.mark.parametrize("machine_years", [-3, 5])
def test_a_trading_day_with_the_machine_clock_years_away(machine_years: int) -> None:
    """Order, fill, fills, balance and candles work with the machine's clock years away from
    the simulator's (the workflows ask the server for today, never the machine)."""
    machine = MACHINE.replace(year=2026 + machine_years)
    with time_machine.travel(machine, tick=True), private_sim() as sim, sim.client() as c:
        sim.fund(krw=100_000_000)
        order = c.place_order("005930", "buy", 5, order_type="market")
        assert order.wait_filled(timeout=5).status is OrderStatus.FILLED
        assert c.server_clock.today() == sim.state.clock.now().date()
        fills = c.fills(sim.state.clock.now().date())
        assert sum(f.quantity for f in fills) == 5
        assert any(p.symbol == "005930" and p.quantity == 5 for p in c.balance().positions)
        end = sim.state.clock.now().date()
        bars = c.candles("005930", end - dt.timedelta(days=30), end, "day")
        assert len(bars) > 0 and bars[-1].time.date() == end
        gtd = c.place_order("005930", "buy", 1, 50_000, tif="gtd",
                            expire=end + dt.timedelta(days=10))
        assert gtd.order_no
