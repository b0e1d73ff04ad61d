"""The realtime gateway end to end, with real parts only.

A real ``redis-server``, the simulator's WebSocket over 127.0.0.1 (its synthetic feed ticks
every subscription), ``hantoo gateway`` as a child process, and consumers that are ordinary
:class:`~hantoo.realtime.RealtimeStream` objects pointed at the gateway.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("redis", reason="the redis package is not installed (hantoo[redis])")

import redis
from gateway_kit import GatewayProc, collect, consumer, eventually, gateway_proc
from redis_kit import RedisServer, redis_server

from hantoo._generated.streams import RECORDS
from hantoo.errors import SubscriptionLimitError
from hantoo.realtime import Event, Gap
from hantoo.realtime.gateway import GatewayKeys
from hantoo.sim.ws import RealtimeHub, WsConfig, serve_standalone, standalone_app

SYMBOLS = [f"{i:06d}" for i in range(1, 43)]


@pytest.fixture
def rds(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path) as server:
        yield server


@pytest.fixture
def sim_hub() -> Iterator[tuple[str, RealtimeHub]]:
    app, hub = standalone_app(WsConfig(tick_interval=0.05, seed=3))
    with serve_standalone(app) as (base, _ws):
        yield base, hub


@pytest.fixture
def sim_url(sim_hub: tuple[str, RealtimeHub]) -> str:
    return sim_hub[0]


def want(url: str, pool: str = "default") -> dict[str, int]:
    r = redis.Redis.from_url(url)
    try:
        raw: dict[bytes, bytes] = r.hgetall(GatewayKeys(pool).want)  # type: ignore[assignment]
        return {k.decode(): int(v) for k, v in raw.items()}
    finally:
        r.close()


def trades(events: list[Event], symbol: str | None = None) -> list[object]:
    cls = RECORDS["H0STCNT0"]
    return [e for e in events if isinstance(e, cls)
            and (symbol is None or e.values[0] == symbol)]


async def test_records_flow_and_refcounts_follow_consumers(
        rds: RedisServer, sim_url: str, tmp_path: Path) -> None:
    with gateway_proc(rds.url, sim_url, tmp_path):
        a, b = consumer(rds.url), consumer(rds.url)
        await a.subscribe_trades("005930", "000660")
        await b.subscribe_trades("005930")
        assert want(rds.url) == {"H0STCNT0:005930": 2, "H0STCNT0:000660": 1}
        got_a = await collect(a, lambda ev: len(trades(ev, "000660")) >= 3
                              and len(trades(ev, "005930")) >= 3)
        got_b = await collect(b, lambda ev: len(trades(ev, "005930")) >= 3)
        assert not trades(got_b, "000660")  # b never asked for it
        rec = trades(got_a, "005930")[0]
        assert rec.to_dict()["stck_prpr"] > 0  # type: ignore[attr-defined]
        assert not [e for e in got_a + got_b if isinstance(e, Gap)]
        await a.unsubscribe("H0STCNT0", "000660")
        assert want(rds.url) == {"H0STCNT0:005930": 2}
        await a.close()
        assert want(rds.url) == {"H0STCNT0:005930": 1}
        await b.close()
        assert want(rds.url) == {}
        assert a.stats.dropped == 0 and b.stats.dropped == 0


async def test_a_dead_consumer_is_released_after_its_ttl(
        rds: RedisServer, sim_url: str, tmp_path: Path) -> None:
    code = ("import asyncio, sys, time\n"
            "from hantoo.realtime import RealtimeStream\n"
            "async def main():\n"
            "    s = RealtimeStream(environment='sim', ws_url='ws://x', base_url='http://x',\n"
            "                       gateway=sys.argv[1])\n"
            "    await s.subscribe_trades('005930', '035720')\n"
            "    print('subscribed', flush=True)\n"
            "    await asyncio.sleep(60)\n"
            "asyncio.run(main())\n")
    with gateway_proc(rds.url, sim_url, tmp_path, extra=("--consumer-ttl", "1")):
        alive = consumer(rds.url)
        await alive.subscribe_trades("005930")
        proc = subprocess.Popen([sys.executable, "-c", code, rds.url], stdout=subprocess.PIPE,
                                text=True)
        try:
            assert proc.stdout is not None  # read in a thread: heartbeats must go on meanwhile
            assert (await asyncio.to_thread(proc.stdout.readline)).strip() == "subscribed"
            assert want(rds.url) == {"H0STCNT0:005930": 2, "H0STCNT0:035720": 1}
            proc.send_signal(signal.SIGKILL)  # no goodbye, no more heartbeats
            proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        await eventually(lambda: want(rds.url) == {"H0STCNT0:005930": 1})
        got = await collect(alive, lambda ev: len(trades(ev)) >= 3)  # the survivor still reads
        assert trades(got, "005930")
        await alive.close()


async def test_cap_refusal_with_one_key_and_spreading_over_two(
        rds: RedisServer, sim_hub: tuple[str, RealtimeHub], tmp_path: Path) -> None:
    sim_url, hub = sim_hub
    with gateway_proc(rds.url, sim_url, tmp_path, keys=1, pool="one"):
        a, b = consumer(rds.url, "one"), consumer(rds.url, "one")
        await a.subscribe_trades(*SYMBOLS[:30])
        await b.subscribe_trades(*SYMBOLS[20:41])  # 41 distinct registrations in all
        with pytest.raises(SubscriptionLimitError) as err:
            await b.subscribe_trades(SYMBOLS[41])
        text = str(err.value)
        assert "41 per app key" in text and "1 app key" in text and "41 are in use" in text
        assert len(want(rds.url, "one")) == 41
        await b.subscribe_trades(SYMBOLS[0])  # already registered by a: shares, no new slot
        await a.close()
        await b.close()
    with gateway_proc(rds.url, sim_url, tmp_path, keys=2, pool="two"):
        c = consumer(rds.url, "two")
        await c.subscribe_trades(*SYMBOLS)  # 42 registrations: one key could not carry them
        got = await collect(c, lambda ev: {SYMBOLS[0], SYMBOLS[41]} <= {
            r.values[0] for r in trades(ev)})  # type: ignore[attr-defined]
        assert got
        per_key = sorted(hub.registrations(f"PSGWTEST{n:028d}") for n in range(2))
        assert per_key == [1, 41]  # the first key filled to its cap, the 42nd on the second
        await c.close()


async def test_kill_9_gateway_then_restart_gives_gap_and_records_resume(
        rds: RedisServer, sim_url: str, tmp_path: Path) -> None:
    with gateway_proc(rds.url, sim_url, tmp_path, extra=("--lease", "1")) as gw:
        c = consumer(rds.url)
        await c.subscribe_trades("005930")
        await collect(c, lambda ev: len(trades(ev)) >= 3)
        gw.kill9()
        await asyncio.sleep(0.3)
        gw.start()
        gw.wait_leading()
        after: list[Event] = []

        def resumed(ev: list[Event]) -> bool:
            gaps = [i for i, e in enumerate(ev) if isinstance(e, Gap)]
            return bool(gaps) and len(trades(ev[gaps[0]:])) >= 3

        after = await collect(c, resumed)
        gap = next(e for e in after if isinstance(e, Gap))
        assert [str(s) for s in gap.subscriptions] == ["H0STCNT0:005930"]
        assert gap.since <= gap.until
        assert want(rds.url) == {"H0STCNT0:005930": 1}  # the desired state survived the crash
        await c.close()


async def test_a_consumer_that_stops_reading_loses_alone_and_counts(
        rds: RedisServer, sim_url: str, tmp_path: Path) -> None:
    with gateway_proc(rds.url, sim_url, tmp_path, extra=("--maxlen", "20")):
        slow = consumer(rds.url, queue_size=5)
        fast = consumer(rds.url)
        await slow.subscribe_trades("005930")
        await fast.subscribe_trades("005930")
        await collect(slow, lambda ev: len(trades(ev)) >= 1)
        feed = fast.gateway
        assert feed is not None
        # slow stops reading; fast reads on while the stream is trimmed far past slow's place
        fast_got = await collect(fast, lambda ev: len(trades(ev)) >= 150, timeout=60)
        got = await collect(slow, lambda ev: any(isinstance(e, Gap) for e in ev))
        assert slow.stats.dropped > 0  # counted, not silent
        slow_feed = slow.gateway
        assert slow_feed is not None and slow_feed.detached >= 1  # left the shared reader
        assert feed.detached == 0
        assert not [e for e in fast_got if isinstance(e, Gap)]
        assert fast.stats.dropped == 0
        assert trades(got)  # and slow is live again after its gap
        await slow.close()
        await fast.close()


async def test_kis_session_drop_reaches_consumers_as_a_gap(
        rds: RedisServer, sim_hub: tuple[str, RealtimeHub], tmp_path: Path) -> None:
    sim_url, hub = sim_hub
    with gateway_proc(rds.url, sim_url, tmp_path):
        c = consumer(rds.url)
        await c.subscribe_trades("005930")
        await collect(c, lambda ev: len(trades(ev)) >= 2)
        assert hub.faults.drop_all() == 1  # KIS closes the gateway's session

        def resumed(ev: list[Event]) -> bool:
            gaps = [i for i, e in enumerate(ev) if isinstance(e, Gap)]
            return bool(gaps) and len(trades(ev[gaps[0]:])) >= 2

        await collect(c, resumed)
        await c.close()


async def test_a_standby_takes_over_when_the_leader_is_killed(
        rds: RedisServer, sim_url: str, tmp_path: Path) -> None:
    with gateway_proc(rds.url, sim_url, tmp_path, extra=("--lease", "1")) as leader:
        standby = GatewayProc(rds.url, sim_url, tmp_path, extra=("--lease", "1"))
        standby.log = tmp_path / "standby.log"
        standby.start()
        try:
            c = consumer(rds.url)
            await c.subscribe_trades("000660")
            await collect(c, lambda ev: len(trades(ev)) >= 2)
            assert "leading" not in standby.output()  # one leader at a time
            leader.kill9()
            standby.wait_leading()

            def resumed(ev: list[Event]) -> bool:
                gaps = [i for i, e in enumerate(ev) if isinstance(e, Gap)]
                return bool(gaps) and len(trades(ev[gaps[0]:])) >= 2

            await collect(c, resumed)
            await c.close()
        finally:
            standby.stop()


def test_client_stream_unchanged_through_the_gateway(
        rds: RedisServer, sim_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sync facade from ``Client.stream()``, pointed at the gateway by the environment."""
    from hantoo import Client

    with gateway_proc(rds.url, sim_url, tmp_path):
        monkeypatch.setenv("HANTOO_REALTIME_GATEWAY", rds.url)
        with Client("sim", base_url=sim_url) as client:
            stream = client.stream()
            try:
                assert stream.core.gateway is not None
                stream.subscribe_trades("005930")
                seen = []
                for event in stream:
                    if isinstance(event, RECORDS["H0STCNT0"]):
                        seen.append(event)
                    if len(seen) >= 3:
                        break
                assert want(rds.url) == {"H0STCNT0:005930": 1}
            finally:
                stream.close()
        assert want(rds.url) == {}


async def test_redis_restarted_without_data_consumers_register_again_with_a_gap(
        rds: RedisServer, sim_url: str, tmp_path: Path) -> None:
    with gateway_proc(rds.url, sim_url, tmp_path,
                      extra=("--lease", "1", "--consumer-ttl", "2")):
        c = consumer(rds.url)
        await c.subscribe_trades("005930")
        await collect(c, lambda ev: len(trades(ev)) >= 2)
        rds.stop()  # everything in Redis is lost: lease, desired state, streams
        await asyncio.sleep(0.5)
        rds.start()

        def resumed(ev: list[Event]) -> bool:
            gaps = [i for i, e in enumerate(ev) if isinstance(e, Gap)]
            return bool(gaps) and len(trades(ev[gaps[0]:])) >= 2

        await collect(c, resumed, timeout=40)
        # the consumer's heartbeat finds its entry gone and registers again
        await eventually(lambda: want(rds.url) == {"H0STCNT0:005930": 1}, timeout=40)
        await collect(c, lambda ev: len(trades(ev)) >= 3)  # served by the new leader
        await c.close()
