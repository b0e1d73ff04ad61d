"""Realtime overseas futures and options records from the seeded price model (issue 15).

Why a module of its own: overseas futures do not trade in the matching engine but against the
seeded model of :mod:`.engine.futures_quotes` (options: :mod:`.engine.options_quotes`), through
the futures book of :mod:`.engine.futures_book`. Their realtime TRs must show the numbers the
REST quote APIs (``overseas_futureoption/inquire_price``, ``inquire_asking_price`` and the
``opt_*`` twins) answer at the same simulator instant, so both read one function of
``(seed, series, time)``:

* ``HDFFF020`` (실시간체결가): a record when the day's volume grew since the subscriber's last
  one, as KIS sends trades when they happen: nothing at subscription, nothing before the
  session's first trade or after its close. ``LAST_QNTT`` is the contracts traded since that
  subscriber's previous record, ``VOL`` the day's volume; the last, open, high and low are the
  live bar's (on the contract's tick). ``QUOTSIGN`` follows the tick rule (``1`` up, ``5``
  down, the previous one when unchanged).
* ``HDFFF010`` (실시간호가): the five levels a side that ``inquire_asking_price`` answers (one tick
  apart around the live price), sent when they changed.

Dates and times: ``RECV_DATE``/``RECV_TIME`` are the moment of the record on the simulator's
clock in Korean time (when KIS received it, as ``inquire_price``'s ``proc_time``);
``BSNS_DATE``, the session open and close and ``RECV_TIME2`` are the exchange's local (Chicago)
date and time, as KIS sends the exchange's own figures.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .engine.futures_book import book_of
from .engine.futures_quotes import CHICAGO, FBar
from .engine.overseas_futures import FuturesSpec, parse_series

__all__ = ["FUTURES_NOTICE_TRS", "FUTURES_TRS", "FuturesFeed"]

TRADE, BOOK = "HDFFF020", "HDFFF010"
FUTURES_TRS = (TRADE, BOOK)
FUTURES_NOTICE_TRS = ("HDFFF2C0", "HDFFF1C0")
_LEVELS = 5


@dataclass
class _Cursor:
    """What one subscriber has been sent of one series' trades."""

    day: date
    volume: int
    last: int = 0  # ticks of the last record (for the tick rule)
    sign: str = "1"


@dataclass(frozen=True)
class _Snapshot:
    """The series at one instant, as the REST quote sees it."""

    spec: FuturesSpec
    live: FBar
    prev: FBar  # the previous business day's bar (its close is the reference price)
    now: datetime


def _px(spec: FuturesSpec, ticks: int) -> str:
    return str((spec.tick * ticks).quantize(spec.tick))


def _sign(diff: int) -> str:
    return "2" if diff > 0 else "5" if diff < 0 else "3"


def _rate(diff: int, base: int) -> str:
    value = Decimal(diff * 100) / base if base else Decimal(0)
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


class FuturesFeed:
    """``HDFFF020``/``HDFFF010`` records of one exchange's futures model (module docstring)."""

    def __init__(self, exchange: Any) -> None:
        self.exchange = exchange
        self._cursors: dict[tuple[Hashable, str], _Cursor] = {}
        self._last_book: dict[tuple[Hashable, str], list[str]] = {}

    @staticmethod
    def handles(tr_id: str, tr_key: str) -> bool:
        """Whether ``tr_key`` of ``tr_id`` is a series this feed prices."""
        return tr_id in FUTURES_TRS and parse_series(tr_key.strip().upper()) is not None

    def _snapshot(self, code: str) -> _Snapshot | None:
        """The live bar and the previous day's, or ``None`` outside the day's trading."""
        book = book_of(self.exchange)
        model = book.pricer(code)
        try:
            spec, _exp = model.series(code)
        except ValueError:
            return None
        now = self.exchange.clock.now()
        live = model.live(code, now)
        if live is None:
            return None
        prev = model.bar(code, model.calendar.previous_business_day(live.day))
        return _Snapshot(spec, live, prev, now)

    # -- the feed interface -------------------------------------------------------------------

    def subscribed(self, tr_id: str, tr_key: str, sub: Hashable) -> None:
        """A trade subscription starts at the volume so far: it gets the next trades only."""
        if tr_id != TRADE:
            return
        code = tr_key.strip().upper()
        snap = self._snapshot(code)
        if snap is not None:
            self._cursors[(sub, code)] = _Cursor(snap.live.day, snap.live.volume,
                                                 snap.live.close)

    def catch_up(self) -> None:
        """Fill the resting futures orders the clock has reached, so their notices go out
        without waiting for a REST call (the same sync a read does, journaled like one)."""
        book = self.exchange.__dict__.get("_futures_book")
        if book is None or not any(o.status == "open" for o in book.orders.values()):
            return
        book_of(self.exchange).sync(self.exchange.clock.now())

    def forget(self, sub: Hashable) -> None:
        for store in (self._cursors, self._last_book):
            for key in [k for k in store if k[0] == sub]:
                del store[key]

    def rows(self, tr_id: str, tr_key: str, cols: list[str], sub: Hashable) -> list[list[str]]:
        """New records of one subscription since its previous call (none when nothing moved)."""
        code = tr_key.strip().upper()
        snap = self._snapshot(code)
        if snap is None:
            return []
        if tr_id == TRADE:
            fields = self._trade(code, snap, sub)
            if fields is None:
                return []
        else:
            fields = self._book(code, snap)
            changing = [fields.get(c, "") for c in cols if not c.startswith("recv_")]
            key = (sub, code)
            if self._last_book.get(key) == changing:
                return []
            self._last_book[key] = changing
        fields["series_cd"] = tr_key
        return [[fields.get(c, "") for c in cols]]

    # -- records ------------------------------------------------------------------------------

    def _trade(self, code: str, snap: _Snapshot, sub: Hashable) -> dict[str, str] | None:
        live, prev, spec = snap.live, snap.prev, snap.spec
        key = (sub, code)
        cur = self._cursors.get(key)
        if cur is None:  # KIS sends trades as they happen; a new subscription waits for one
            self._cursors[key] = _Cursor(live.day, live.volume, live.close)
            return None
        seen = cur.volume if cur.day == live.day else 0  # a new trading day starts over
        if live.volume <= seen:
            return None
        qty = live.volume - seen
        if live.close != cur.last:
            cur.sign = "1" if live.close > cur.last else "5"
        cur.day, cur.volume, cur.last = live.day, live.volume, live.close
        diff = live.close - prev.close
        local = snap.now.astimezone(CHICAGO)
        day = live.day.strftime("%Y%m%d")
        return {
            "bsns_date": day, "mrkt_open_date": day, "mrkt_open_time": "083000",
            "mrkt_close_date": day, "mrkt_close_time": "151500",
            "prev_price": _px(spec, prev.close),
            "recv_date": snap.now.strftime("%Y%m%d"), "recv_time": snap.now.strftime("%H%M%S"),
            "active_flag": "1",
            "last_price": _px(spec, live.close), "last_qntt": str(qty),
            "prev_diff_price": _px(spec, abs(diff)), "prev_diff_rate": _rate(diff, prev.close),
            "open_price": _px(spec, live.open), "high_price": _px(spec, live.high),
            "low_price": _px(spec, live.low), "vol": str(live.volume),
            "prev_sign": _sign(diff), "quotsign": cur.sign,
            "recv_time2": local.strftime("%H%M%S"),
            "psttl_price": _px(spec, prev.close), "psttl_sign": _sign(diff),
            "psttl_diff_price": _px(spec, abs(diff)), "psttl_diff_rate": _rate(diff, prev.close),
        }

    @staticmethod
    def _book(code: str, snap: _Snapshot) -> dict[str, str]:
        """The levels ``inquire_asking_price`` answers at this instant."""
        spec, last = snap.spec, snap.live.close
        out = {"recv_date": snap.now.strftime("%Y%m%d"), "recv_time": snap.now.strftime("%H%M%S"),
               "prev_price": _px(spec, snap.prev.close), "sttl_price": _px(spec, snap.prev.close)}
        for i in range(_LEVELS):
            n = i + 1
            out[f"bid_qntt_{n}"] = str(10 + 3 * i)
            out[f"bid_num_{n}"] = str(2 + i)
            out[f"bid_price_{n}"] = _px(spec, last - 1 - i)
            out[f"ask_qntt_{n}"] = str(8 + 4 * i)
            out[f"ask_num_{n}"] = str(2 + i)
            out[f"ask_price_{n}"] = _px(spec, last + 1 + i)
        return out
