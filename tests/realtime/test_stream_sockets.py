"""The SDK against the simulator's WebSocket over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
import websockets
from realtime_helpers import FAST, Sim, creds

from hantoo._generated.streams import RECORDS
from hantoo.errors import SubscriptionLimitError
from hantoo.realtime import (
    Connected,
    Disconnected,
    Event,
    FrameError,
    Gap,
    RealtimeStream,
    Stream,
    Subscribed,
    SubscriptionRejected,
)
from hantoo.realtime.frames import subscribe_message
from hantoo.sim.feed import FillNotice

SYMBOLS = [f"{i:06d}" for i in range(1, 21)]


async def collect(
    stream: RealtimeStream, until: Callable[[list[Event]], bool], timeout: float = 10.0
) -> list[Event]:
    """Consume events until ``until(events)`` holds (fails the test after ``timeout``)."""
    events: list[Event] = []
    deadline = time.monotonic() + timeout
    while not until(events):
        left = deadline - time.monotonic()
        assert left > 0, f"timed out; last events: {events[-5:]!r}"
        events.extend(await stream.next_batch(4096, timeout=min(left, 0.5)))
    return events


async def eventually(cond: Callable[[], bool], timeout: float = 5.0) -> None:
    """Server state is updated on the server's thread: poll for it briefly."""
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def server_subs(sim: Sim) -> list[set[tuple[str, str]]]:
    return [set(s.subs) for s in sim.hub.sessions]


async def test_trades_book_index_us_are_typed(sim: Sim) -> None:
    async with sim.stream() as stream:
        await stream.subscribe_trades("005930")
        await stream.subscribe_book("005930")
        await stream.subscribe_index("0001")
        await stream.subscribe_expected("000660")
        await stream.subscribe_us_trades("DNASAAPL")
        await stream.subscribe_us_book("DNASAAPL")
        wanted = {"H0STCNT0", "H0STASP0", "H0UPCNT0", "H0STANC0", "HDFSCNT0", "HDFSASP0"}
        seen: dict[str, object] = {}

        def done(evs: list[Event]) -> bool:
            for e in evs:
                tr = getattr(e, "TR_ID", None)
                if tr:
                    seen.setdefault(tr, e)
            return wanted <= set(seen)

        await collect(stream, done)
        trade = seen["H0STCNT0"]
        assert isinstance(trade, RECORDS["H0STCNT0"])
        assert trade.mksc_shrn_iscd == "005930"  # type: ignore[attr-defined]
        assert isinstance(trade.stck_prpr, Decimal)  # type: ignore[attr-defined]
        book = seen["H0STASP0"]
        assert book.askp1 > book.bidp1  # type: ignore[attr-defined]
        us = seen["HDFSCNT0"]
        assert us.symb == "AAPL"  # type: ignore[attr-defined]


async def test_twenty_subscriptions_survive_ten_drops(sim: Sim) -> None:
    async with sim.stream() as stream:
        await stream.subscribe_trades(*SYMBOLS[:10])
        await stream.subscribe_book(*SYMBOLS[:10])
        assert len(stream.subscriptions) == 20
        wanted = {(s.tr_id, s.tr_key) for s in stream.subscriptions}

        def subscribed_20(evs: list[Event]) -> bool:
            return sum(isinstance(e, Subscribed) for e in evs) >= 20

        def restored_and_flowing(evs: list[Event]) -> bool:
            """A gap, 20 re-subscriptions, and trade data again after the gap."""
            gap_at = next((i for i, e in enumerate(evs) if isinstance(e, Gap)), None)
            return (
                gap_at is not None
                and sum(isinstance(e, Subscribed) for e in evs) >= 20
                and any(getattr(e, "TR_ID", "") == "H0STCNT0" for e in evs[gap_at:])
            )

        await collect(stream, subscribed_20)
        gaps = 0
        for _drop in range(10):
            assert sim.hub.faults.drop_all() == 1
            events = await collect(stream, restored_and_flowing)
            gap = next(e for e in events if isinstance(e, Gap))
            gaps += 1
            assert {(s.tr_id, s.tr_key) for s in gap.subscriptions} == wanted
            assert gap.until >= gap.since
            assert any(isinstance(e, Disconnected) for e in events)
            assert any(isinstance(e, Connected) and e.reconnect for e in events)
            await eventually(lambda: server_subs(sim) == [wanted])
        assert gaps == 10
        assert stream.stats.reconnects >= 10
        assert stream.stats.frame_errors == 0


async def test_42nd_registration_refused_before_sending(sim: Sim) -> None:
    async with sim.stream() as stream:
        await stream.subscribe_trades(*[f"{i:06d}" for i in range(41)])
        with pytest.raises(SubscriptionLimitError) as err:
            await stream.subscribe_trades("999999")
        assert "41 per app key" in str(err.value) and "nothing was sent" in str(err.value)
        assert err.value.hint  # says what to do: more app keys
        await collect(stream, lambda evs: sum(isinstance(e, Subscribed) for e in evs) >= 41)
        await eventually(lambda: sim.hub.registrations(creds(0).app_key) == 41)
        assert len(stream.subscriptions) == 41


async def test_42nd_registration_goes_to_the_second_key(sim: Sim) -> None:
    async with sim.stream(creds(0), creds(1)) as stream:
        subs = await stream.subscribe_trades(*[f"{i:06d}" for i in range(42)])
        assert stream.session_of(subs[40]) == 0
        assert stream.session_of(subs[41]) == 1
        events = await collect(
            stream, lambda evs: sum(isinstance(e, Subscribed) for e in evs) >= 42
        )
        assert not any(isinstance(e, SubscriptionRejected) for e in events)
        await eventually(lambda: sim.hub.registrations(creds(0).app_key) == 41)
        await eventually(lambda: sim.hub.registrations(creds(1).app_key) == 1)


async def test_server_enforces_caps_for_raw_clients(sim: Sim) -> None:
    """A client that does not check limits itself gets OPSP0008 / OPSP8996 from the server."""
    key = sim.hub.approvals.issue("RAWKEY")  # type: ignore[attr-defined]
    async with websockets.connect(sim.ws_url + "/tryitout") as ws:
        replies = []
        for i in range(42):
            await ws.send(subscribe_message(key, "H0STCNT0", f"{i:06d}"))
            # Data frames of the symbols already subscribed may come between the answers.
            replies.append(json.loads(await _next_control(ws)))
        assert all(r["body"]["msg1"] == "SUBSCRIBE SUCCESS" for r in replies[:41])
        assert replies[41]["body"]["rt_cd"] == "1"
        assert replies[41]["body"]["msg_cd"] == "OPSP0008"
        assert replies[41]["body"]["msg1"] == "MAX SUBSCRIBE OVER"
        await ws.send(subscribe_message(key, "H0STCNT0", "000000"))
        dup = json.loads(await _next_control(ws))
        assert dup["body"]["msg1"] == "ALREADY IN SUBSCRIBE" and dup["body"]["rt_cd"] == "1"
        async with websockets.connect(sim.ws_url + "/") as ws2:
            await ws2.send(subscribe_message(key, "H0STASP0", "005930"))
            other = json.loads(await _next_control(ws2))
            assert other["body"]["msg_cd"] == "OPSP8996"
            assert "ALREADY IN USE appkey" in other["body"]["msg1"]
        await ws.send(subscribe_message(key, "H0STCNT0", "000000", subscribe=False))
        unsub = json.loads(await _next_control(ws))
        assert unsub["body"]["msg1"].startswith("UNSUB") and unsub["body"]["rt_cd"] == "0"


async def _next_control(ws: websockets.ClientConnection) -> str:
    while True:
        msg = await asyncio.wait_for(ws.recv(), 5)
        assert isinstance(msg, str)
        if msg.startswith("{") and '"body"' in msg:
            return msg


async def test_injected_fill_arrives_decrypted(sim: Sim) -> None:
    async with sim.stream(hts_id="hantoo") as stream:
        fills: list[Event] = []
        stream.on_fill(fills.append)
        await stream.subscribe_fills()
        events = await collect(stream, lambda evs: any(isinstance(e, Subscribed) for e in evs))
        sub = next(e for e in events if isinstance(e, Subscribed))
        assert sub.encrypted
        # The server's per-TR key is on the session, not on the wire in clear.
        (session,) = sim.hub.sessions
        assert len(session.ciphers["H0STCNI0"][0]) == 32
        notice = FillNotice(
            hts_id="hantoo",
            account="5000000001",
            order_no="0000000042",
            symbol="005930",
            side="02",
            qty=7,
            price=71200,
            time="101530",
            order_qty=10,
            order_price=71200,
        )
        assert sim.hub.publish_fill(notice) == 1
        async for ev in stream:  # iteration fires callbacks
            if getattr(ev, "TR_ID", "") == "H0STCNI0":
                break
        rec = fills[-1]
        assert isinstance(rec, RECORDS["H0STCNI0"])
        d = rec.to_dict()
        assert d["oder_no"] == "0000000042"
        assert d["stck_shrn_iscd"] == "005930"
        assert d["seln_byov_cls"] == "02"
        assert d["cntg_qty"] == 7 and d["cntg_unpr"] == Decimal("71200")
        assert d["stck_cntg_hour"].strftime("%H%M%S") == "101530"
        # CNTG_YN is "2" fill / "1" accepted; the field table types it as a Y/N flag
        # (decodes to None), so read the raw value.
        assert rec.values[rec.COLUMNS.index("CNTG_YN")] == "2"


async def test_pingpong_answered_and_silent_client_dropped(
    sim_factory: Callable[..., contextlib.AbstractContextManager[Sim]],
) -> None:
    with sim_factory(ping_interval=0.1, ping_grace=0.35) as sim:
        async with sim.stream() as stream:
            await stream.subscribe_trades("005930")
            # Answering: the session outlives many ping intervals.
            await asyncio.sleep(1.0)
            assert sim.hub.accepted == 1
            assert not any(isinstance(e, Disconnected) for e in await stream.next_batch(10**6))
            # Stop answering: the server drops the session and the stream reconnects.
            (session,) = stream._sessions.values()
            session.answer_pings = False
            events = await collect(
                stream, lambda evs: any(isinstance(e, Disconnected) for e in evs), timeout=5
            )
            session.answer_pings = True
            if not any(isinstance(e, Gap) for e in events):  # it may have come in that batch
                events += await collect(
                    stream, lambda evs: any(isinstance(e, Gap) for e in evs), timeout=5
                )
            await eventually(lambda: sim.hub.accepted >= 2)
            await eventually(lambda: server_subs(sim) == [{("H0STCNT0", "005930")}])


async def test_pong_frame_answers_count(
    sim_factory: Callable[..., contextlib.AbstractContextManager[Sim]],
) -> None:
    """Some KIS clients answer PINGPONG with a WebSocket pong frame carrying the text."""
    with sim_factory(ping_interval=0.1, ping_grace=0.35) as sim:
        key = sim.hub.approvals.issue("PONGKEY")  # type: ignore[attr-defined]
        async with websockets.connect(sim.ws_url + "/tryitout", ping_interval=None) as ws:
            await ws.send(subscribe_message(key, "H0UPCNT0", "0001"))
            end = time.monotonic() + 1.2
            while time.monotonic() < end:
                msg = await asyncio.wait_for(ws.recv(), 1)
                if isinstance(msg, str) and "PINGPONG" in msg:
                    await ws.pong(msg.encode())
            assert sim.hub.accepted == 1 and len(sim.hub.sessions) == 1
        async with websockets.connect(sim.ws_url + "/tryitout", ping_interval=None) as ws:
            await ws.send(subscribe_message(key, "H0UPCNT0", "0001"))
            with pytest.raises(websockets.ConnectionClosed):
                while True:  # never answering: dropped after the grace period
                    await asyncio.wait_for(ws.recv(), 2)


async def test_bad_frames_do_not_kill_the_stream(sim: Sim) -> None:
    async with sim.stream() as stream:
        await stream.subscribe_trades("005930")
        await collect(stream, lambda evs: any(isinstance(e, Subscribed) for e in evs))
        (session,) = sim.hub.sessions
        for junk in ("0|H0STCNT0|001|a^b", "garbage", "0|ZZZZ|001|x", "{bad", "1|H0STCNI0|001|x"):
            session.push(junk)
        events = await collect(
            stream,
            lambda evs: (
                sum(isinstance(e, FrameError) for e in evs) >= 5
                and isinstance(evs[-1], RECORDS["H0STCNT0"])
            ),
        )
        errors = [e for e in events if isinstance(e, FrameError)]
        assert {e.reason.split(" ")[0] for e in errors} >= {"short", "neither", "unknown"}
        assert stream.stats.frame_errors >= 5
        assert stream.stats.reconnects == 0


async def test_stall_and_delay_faults(sim: Sim) -> None:
    async with sim.stream() as stream:
        await stream.subscribe_trades("005930")
        await collect(stream, lambda evs: any(getattr(e, "TR_ID", "") for e in evs))
        sim.hub.faults.stall(0.6)
        await asyncio.sleep(0.1)
        await stream.next_batch(10**6, timeout=0.01)  # drain what was in flight
        quiet = await stream.next_batch(10**6, timeout=0.3)
        assert quiet == []
        await collect(stream, lambda evs: any(getattr(e, "TR_ID", "") for e in evs), timeout=3)
        sim.hub.faults.delay(0.05)
        start = time.monotonic()
        await collect(stream, lambda evs: len(evs) >= 3, timeout=3)
        assert time.monotonic() - start >= 0.1
        sim.hub.faults.clear()


async def test_backpressure_drop_oldest_counts(
    sim_factory: Callable[..., contextlib.AbstractContextManager[Sim]],
) -> None:
    with sim_factory(bench_frame_records=50) as sim:
        async with sim.stream(queue_size=500, backpressure="drop_oldest") as stream:
            await stream.subscribe_trades("005930")
            await asyncio.sleep(0.5)  # not consuming
            stats = stream.stats
            assert stats.queued <= 500 + 10
            assert stats.dropped > 0
            assert stats.records >= stats.dropped


async def test_unsubscribe_and_desired_state(sim: Sim) -> None:
    async with sim.stream() as stream:
        await stream.subscribe_trades("005930", "000660")
        await collect(stream, lambda evs: sum(isinstance(e, Subscribed) for e in evs) >= 2)
        await stream.unsubscribe("H0STCNT0", "000660")
        await collect(stream, lambda evs: any(type(e).__name__ == "Unsubscribed" for e in evs))
        await eventually(lambda: server_subs(sim) == [{("H0STCNT0", "005930")}])
        sim.hub.faults.drop_all()
        # The re-subscription ack may arrive before or after the Gap event: wait for both.
        await collect(stream, lambda evs: any(isinstance(e, Gap) for e in evs)
                      and any(isinstance(e, Subscribed) for e in evs))
        await eventually(lambda: server_subs(sim) == [{("H0STCNT0", "005930")}])


def test_sync_facade_iterates_and_calls_back(sim: Sim) -> None:
    trades: list[object] = []
    gaps: list[Gap] = []
    with Stream(
        creds(), ws_url=sim.ws_url, base_url=sim.base_url, environment="sim", reconnect=FAST
    ) as stream:
        stream.on_trade(trades.append)
        stream.on_gap(gaps.append)
        stream.subscribe_trades("005930")
        n = 0
        for _ev in stream.events(timeout=5):
            n += 1
            if len(trades) == 3:
                sim.hub.faults.drop_all()
            if gaps and len(trades) > 6:
                break
        assert n > 6 and len(gaps) == 1
        assert all(isinstance(t, RECORDS["H0STCNT0"]) for t in trades)


async def test_against_the_full_simulator_server() -> None:
    """The same stream against ``hantoo.sim.server.running_server`` (auth, routes mounted)."""
    server = pytest.importorskip("hantoo.sim.server")
    from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
    from hantoo.realtime import Credentials
    from hantoo.sim.state import SimConfig

    try:
        # Trade records follow prints (one per 10 s of market time): a 20x clock prints
        # twice a second, so the first record arrives promptly.
        ctx = server.running_server(SimConfig(clock_mode="accelerated", clock_speed=20))
        base, ws = ctx.__enter__()
    except Exception as exc:  # the server is still being built by another engineer
        pytest.skip(f"running_server not usable yet: {type(exc).__name__}")
    try:
        async with RealtimeStream(
            Credentials(SIM_APP_KEY, SIM_APP_SECRET),
            ws_url=ws,
            base_url=base,
            environment="sim",
            reconnect=FAST,
        ) as stream:
            await stream.subscribe_trades("005930")
            events = await collect(
                stream, lambda evs: any(getattr(e, "TR_ID", "") == "H0STCNT0" for e in evs)
            )
            assert any(isinstance(e, Subscribed) for e in events)
    finally:
        ctx.__exit__(None, None, None)
