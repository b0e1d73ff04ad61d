"""``client.stream()``: realtime on the client's own key — including the embedded simulator,
which starts a loopback WebSocket server on its own event loop for it."""

from __future__ import annotations

import time

import hantoo
from hantoo.realtime import Subscribed


def test_embedded_sim_stream_delivers_trades_and_fill_notices() -> None:
    with hantoo.Client() as client, client.stream() as stream:
        stream.subscribe_trades("005930")
        stream.subscribe_fills()
        acks = 0
        deadline = time.monotonic() + 10
        while acks < 2:
            assert time.monotonic() < deadline, "no subscription ack"
            acks += sum(isinstance(e, Subscribed) for e in stream.events(timeout=0.2))
        order = client.place_order("005930", "buy", 1)
        kinds: set[str] = set()
        while not {"H0STCNT0", "H0STCNI0"} <= kinds:
            assert time.monotonic() < deadline, f"only saw {kinds}"
            kinds |= {getattr(e, "TR_ID", "") for e in stream.events(timeout=0.2)}
        assert order.refresh().filled_quantity == 1
