"""Realtime market data from the matching engine, so the stream and REST tell one story.

:class:`~hantoo.sim.feed.SyntheticFeed` invents prices for any TR; for the symbols the engine
trades, this feed answers the main TRs from the engine instead — the same prints, volume and
book that ``inquire_price``, ``inquire_ccnl`` and ``inquire_asking_price_exp_ccn`` show:

* ``H0STCNT0`` (and the NXT/total twins ``H0NXCNT0``/``H0UNCNT0``): **one record per print**,
  as KIS sends them, and only when a print happened — no snapshot at subscription, no
  zero-volume record. ``CNTG_VOL`` is that print's quantity, ``ACML_VOL`` the day's volume up to
  it (so it rises record by record), ``STCK_CNTG_HOUR`` its time on the simulator's clock. The
  day's running figures (open/high/low and their times, buy/sell counts and volumes, 체결강도,
  VWAP, turnover) are kept per symbol as prints arrive; best bid/ask and their quantities come
  from the live book; the sign codes follow the change (1/4 at the price limits).
* ``H0STASP0`` (and the other 10-level book TRs): the engine's book, sent when it changed.
* ``HDFSCNT0`` / ``HDFSASP0``: the same for US symbols (tr_key such as ``DNASAAPL``).
* ``HDFFF020`` / ``HDFFF010``: overseas futures and options series (``ESZ26``), from the seeded
  model the REST quotes use (:mod:`hantoo.sim.futures_feed`); a key naming no listed series
  gets no records at all (never synthetic ones), as KIS sends nothing for it.
* ``H0UPCNT0`` for the indices ``hantoo.sim.marketdata.indices`` computes (``0001``, ``2001``...):
  the same level ``inquire_index_price`` answers, sent when it changed.
* ``H0STNAV0`` for ETFs: the NAV ``etfetn/inquire_price`` answers
  (``hantoo.sim.marketdata.etf.nav_fields``), sent when it changed.

Every time and date in a record is the simulator's (a print's own time, or the engine clock),
never the machine's. A field the engine cannot know (the previous day's volume at the same
time of day) is ``0``, not an invented number. Every other TR, and symbols the engine does not
know, fall back to the synthetic feed.

Cursors are per subscriber (``sub``: the WebSocket session), so two sessions on the same
symbol each get every print.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .._generated.streams import RECORDS
from .engine.overseas_markets import PRICE_PLACES, local_time
from .feed import SyntheticFeed
from .futures_feed import FUTURES_NOTICE_TRS, FUTURES_TRS, FuturesFeed

__all__ = ["EngineFeed"]

_CENT = Decimal("0.01")
#: Prints kept per symbol for subscribers that poll late (older ones are skipped).
_KEEP = 4096


def _num(value: Decimal | int | None, places: int = 0) -> str:
    if value is None:
        return "0"
    if places:
        return str(Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
    return str(int(Decimal(value).to_integral_value(ROUND_HALF_UP)))


def _pct(num: Decimal | int, den: Decimal | int) -> str:
    if not den:
        return "0.00"
    return str((Decimal(num) * 100 / Decimal(den)).quantize(_CENT, ROUND_HALF_UP))


def _sign(diff: Decimal | int) -> str:
    return "2" if diff > 0 else "5" if diff < 0 else "3"


def _strength(buy: int, sell: int) -> str:
    """체결강도 as the REST time-and-sales answer computes it (so the two agree)."""
    if sell:
        return _pct(buy, sell)
    return "100.00" if not buy else "500.00"


def _mkop(t: dt.datetime) -> str:
    """NEW_MKOP_CLS_CODE of a print: 1x before the open, 2x in the session, 3x after it,
    4x in the after-hours single-price session (second digit 0: ordinary)."""
    hm = t.hour * 100 + t.minute
    if hm < 900:
        return "10"
    if hm < 1530:
        return "20"
    if hm < 1600:
        return "31"
    return "40"


@dataclass
class _Tape:
    """One symbol's prints of one day, with the running figures every trade record carries."""

    day: dt.date
    cum: int = 0
    value: Decimal = Decimal(0)
    open: Decimal | None = None
    high: Decimal = Decimal(0)
    low: Decimal = Decimal(0)
    open_t: dt.datetime | None = None
    high_t: dt.datetime | None = None
    low_t: dt.datetime | None = None
    buy_vol: int = 0
    sell_vol: int = 0
    buy_n: int = 0
    sell_n: int = 0
    last: Decimal = Decimal(0)
    last_dvsn: str = "1"
    records: deque[tuple[int, dict[str, str]]] = field(default_factory=lambda: deque(maxlen=_KEEP))


class EngineFeed(SyntheticFeed):
    """Engine-backed records for the main TRs (see module docstring)."""

    def __init__(self, exchange: Any, seed: int = 0) -> None:
        # Every time in a record is on the simulator's clock, never the machine's.
        super().__init__(seed, clock=lambda: exchange.clock.now_us() / 1_000_000)
        self.exchange = exchange
        self._tapes: dict[str, _Tape] = {}
        self._cursors: dict[tuple[Hashable, str, str], tuple[dt.date, int]] = {}
        self._last_row: dict[tuple[Hashable, str, str], list[str]] = {}
        self._prev_volume: dict[tuple[str, dt.date], int] = {}
        self._index_volume: dict[str, int] = {}
        self._futures = FuturesFeed(exchange)

    # -- the feed interface -------------------------------------------------------------------

    def rows(
        self, tr_id: str, tr_key: str, n: int = 1, sub: Hashable = None
    ) -> list[list[str]]:
        """New records of one subscription since its previous call (none when nothing happened)."""
        cols = [c.lower() for c in RECORDS[tr_id].COLUMNS]
        if FuturesFeed.handles(tr_id, tr_key):  # overseas futures: the seeded model (issue 15)
            return self._futures.rows(tr_id, tr_key, cols, sub)
        if tr_id in FUTURES_TRS:  # a series no exchange lists: KIS sends nothing for it
            return []
        us = tr_id.startswith("HDFS")
        symbol = tr_key[4:] if us and len(tr_key) > 4 else tr_key
        trade = (us and tr_id == "HDFSCNT0") or (
            "stck_prpr" in cols and "cntg_vol" in cols and "ANC" not in tr_id
        )
        book = ("askp10" in cols and "bidp10" in cols) or tr_id in ("HDFSASP0", "HDFSASP1")
        expected = "stck_prpr" in cols and "cntg_vol" in cols and not trade
        q = self._quote(symbol) if (trade or book or expected) else None
        index = (tr_id == "H0UPCNT0" and self._index(tr_key) is not None) or (
            tr_id == "H0STNAV0" and self._nav(tr_key) is not None)
        if q is None and not index:
            return super().rows(tr_id, tr_key, n)
        if trade:
            return self._trade_rows(tr_id, tr_key, symbol, cols, q, sub)
        (row,) = super().rows(tr_id, tr_key, 1)
        changing = [v for c, v in zip(cols, row, strict=False) if not c.endswith(("hour", "hms"))]
        key = (sub, tr_id, tr_key)
        if self._last_row.get(key) == changing:
            return []
        self._last_row[key] = changing
        return [row]

    def subscribed(self, tr_id: str, tr_key: str, sub: Hashable) -> None:
        """Start the subscription's cursor at the prints so far: it gets the next ones."""
        if FuturesFeed.handles(tr_id, tr_key):
            self._futures.subscribed(tr_id, tr_key, sub)
            return
        cols = [c.lower() for c in RECORDS[tr_id].COLUMNS]
        us = tr_id.startswith("HDFS")
        symbol = tr_key[4:] if us and len(tr_key) > 4 else tr_key
        q = self._quote(symbol)
        if q is not None and (tr_id == "HDFSCNT0" or ("cntg_vol" in cols and "ANC" not in tr_id)):
            tape = self._update(symbol, q)
            self._cursors[(sub, tr_id, tr_key)] = (tape.day, tape.cum)

    def catch_up(self, notice_tr: str) -> None:
        if notice_tr in FUTURES_NOTICE_TRS:
            self._futures.catch_up()

    def forget(self, sub: Hashable) -> None:
        self._futures.forget(sub)
        for store in (self._cursors, self._last_row):
            for key in [k for k in store if k[0] == sub]:
                del store[key]

    def _trade_rows(
        self, tr_id: str, tr_key: str, symbol: str, cols: list[str], q: Any, sub: Hashable
    ) -> list[list[str]]:
        tape = self._update(symbol, q)
        key = (sub, tr_id, tr_key)
        seen = self._cursors.get(key)
        self._cursors[key] = (tape.day, tape.cum)
        if seen is None:
            return []  # KIS sends trades as they happen; a new subscription waits for one
        cursor = seen[1] if seen[0] == tape.day else 0  # a new trading day starts over
        if cursor >= tape.cum:
            return []
        us = tr_id.startswith("HDFS")
        out = []
        for cum, sem in tape.records:
            if cum > cursor:
                fields = self._us_fields(sem, tr_key) if us else sem
                first = {cols[0]: tr_key} if not us else {}
                out.append([first.get(c, fields.get(c, "")) for c in cols])
        return out

    # -- engine access ------------------------------------------------------------------------

    def _quote(self, symbol: str) -> Any:
        try:
            return self.exchange.quote(symbol)
        except Exception:  # unknown symbol, or a symbol the engine cannot quote
            return None

    def _index(self, code: str) -> Any:
        """The index level from the one calculation REST also uses (issue 16)."""
        from .marketdata.indices import index_level

        try:
            return index_level(self.exchange, code)
        except Exception:  # an engine without quotes for a constituent: the synthetic walk
            return None

    def _nav(self, code: str) -> Any:
        """An ETF's NAV from the one calculation the REST ETF APIs use (issue 16)."""
        from .marketdata.etf import etf_nav

        try:
            inst = self.exchange.universe.get(code)
            if inst is None or inst.kind.value != "ETF":
                return None
            return etf_nav(self.exchange, code)
        except Exception:  # an engine without quotes for a constituent: the synthetic walk
            return None

    def _book(self, symbol: str) -> Any:
        try:
            return self.exchange.order_book(symbol)
        except Exception:
            return None

    def _previous_volume(self, symbol: str, day: dt.date) -> int:
        key = (symbol, day)
        vol = self._prev_volume.get(key)
        if vol is None:
            try:
                bars = self.exchange.daily_candles(symbol, day - dt.timedelta(days=14),
                                                   day - dt.timedelta(days=1))
                vol = int(bars[-1].volume) if bars else 0
            except Exception:
                vol = 0
            self._prev_volume[key] = vol
        return vol

    # -- the tape -----------------------------------------------------------------------------

    @staticmethod
    def _symbol(tr_id: str, tr_key: str) -> str:
        return tr_key[4:] if tr_id.startswith("HDFS") and len(tr_key) > 4 else tr_key

    def _update(self, symbol: str, q: Any) -> _Tape:
        """Bring the symbol's tape up to the engine's prints (cheap when nothing traded)."""
        tape = self._tapes.get(symbol)
        wanted = True  # whether the prints folded now can still be sent to anyone
        if tape is None or tape.day != q.trade_date:
            tape = self._tapes[symbol] = _Tape(q.trade_date)
            # A fresh tape's prints so far matter only to a subscriber from an earlier day.
            wanted = any(self._symbol(tr, key) == symbol for _, tr, key in self._cursors)
        if q.volume <= tape.cum:
            return tape
        try:
            since = getattr(self.exchange, "trades_since", None)
            if since is not None:
                new = since(symbol, tape.cum)
            else:  # an engine without the cheap query: the whole tape, newest first
                prints = self.exchange.trades(symbol, limit=10**9)
                new = [t for t in reversed(prints) if t.cum_volume > tape.cum]
        except Exception:
            return tape
        if not new:
            return tape
        book = self._book(symbol)
        prev = self._previous_volume(symbol, q.trade_date)
        first_kept = len(new) - _KEEP if wanted else len(new)  # others feed the running figures
        for i, t in enumerate(new):
            rec = self._record(symbol, q, book, tape, t, prev, build=i >= first_kept)
            if rec is not None:
                tape.records.append((t.cum_volume, rec))
        return tape

    def _record(
        self, symbol: str, q: Any, book: Any, tape: _Tape, t: Any, prev_volume: int,
        *, build: bool = True,
    ) -> dict[str, str] | None:
        """Fold print ``t`` into ``tape`` and return its record's fields (wire names), or
        ``None`` when not ``build`` (a print too old for any subscriber to be sent)."""
        price: Decimal = t.price
        qty: int = t.qty
        when: dt.datetime = t.time
        tape.cum = t.cum_volume
        tape.value += price * qty
        if tape.open is None:
            tape.open, tape.open_t = price, when
            tape.high, tape.high_t = price, when
            tape.low, tape.low_t = price, when
        if price > tape.high:
            tape.high, tape.high_t = price, when
        if price < tape.low:
            tape.low, tape.low_t = price, when
        side = getattr(getattr(t, "side", None), "value", None)
        if side == 2:  # buy aggressor
            tape.buy_vol += qty
            tape.buy_n += 1
            dvsn = "1"
        elif side is not None:
            tape.sell_vol += qty
            tape.sell_n += 1
            dvsn = "5"
        elif when.hour < 9:  # an opening-auction print has no aggressor
            dvsn = "3"
        else:
            # A print without a known aggressor (the engine's background path): shown by the
            # tick rule, but not counted as buy or sell volume — as the REST time and sales
            # counts it, so 체결강도 agrees between the two.
            dvsn = "1" if price > tape.last else "5" if price < tape.last else tape.last_dvsn
        tape.last, tape.last_dvsn = price, dvsn
        if not build:
            return None
        change = price - q.prev_close
        if q.upper_limit is not None and price >= q.upper_limit:
            sign = "1"
        elif q.lower_limit is not None and price <= q.lower_limit:
            sign = "4"
        else:
            sign = _sign(change)
        asks = book.asks if book is not None else ()
        bids = book.bids if book is not None else ()
        # overseas prints: the currency's decimals (USD 4, HKD 3, CNY 2, JPY/VND 0)
        places = PRICE_PLACES.get(q.currency, 0)
        hms = when.strftime("%H%M%S")
        assert tape.open is not None and tape.open_t and tape.high_t and tape.low_t
        return {
            "stck_cntg_hour": hms,
            "stck_prpr": _num(price, places),
            "prdy_vrss_sign": sign,
            "prdy_vrss": _num(change, places),
            "prdy_ctrt": _pct(change, q.prev_close),
            "wghn_avrg_stck_prc": _num(tape.value / tape.cum, 2),
            "stck_oprc": _num(tape.open, places),
            "stck_hgpr": _num(tape.high, places),
            "stck_lwpr": _num(tape.low, places),
            "askp1": _num(asks[0].price if asks else None, places),
            "bidp1": _num(bids[0].price if bids else None, places),
            "cntg_vol": str(qty),
            "acml_vol": str(tape.cum),
            "acml_tr_pbmn": _num(tape.value),
            "seln_cntg_csnu": str(tape.sell_n),
            "shnu_cntg_csnu": str(tape.buy_n),
            "ntby_cntg_csnu": str(tape.buy_n - tape.sell_n),
            "cttr": _strength(tape.buy_vol, tape.sell_vol),
            "seln_cntg_smtn": str(tape.sell_vol),
            "shnu_cntg_smtn": str(tape.buy_vol),
            "ccld_dvsn": dvsn,
            "cntg_cls_code": dvsn,
            # 매수비율 of the classified volume, the same base as 체결강도 (CTTR): prints without
            # an aggressor are in neither, so the two describe one split.
            "shnu_rate": _pct(tape.buy_vol, tape.buy_vol + tape.sell_vol),
            "prdy_vol_vrss_acml_vol_rate": _pct(tape.cum, prev_volume),
            "oprc_hour": tape.open_t.strftime("%H%M%S"),
            "oprc_vrss_prpr_sign": _sign(price - tape.open),
            "oprc_vrss_prpr": _num(price - tape.open, places),
            "hgpr_hour": tape.high_t.strftime("%H%M%S"),
            "hgpr_vrss_prpr_sign": _sign(price - tape.high),
            "hgpr_vrss_prpr": _num(price - tape.high, places),
            "lwpr_hour": tape.low_t.strftime("%H%M%S"),
            "lwpr_vrss_prpr_sign": _sign(price - tape.low),
            "lwpr_vrss_prpr": _num(price - tape.low, places),
            "bsop_date": tape.day.strftime("%Y%m%d"),
            "new_mkop_cls_code": _mkop(when),
            "trht_yn": "N",
            "askp_rsqn1": str(asks[0].qty if asks else 0),
            "bidp_rsqn1": str(bids[0].qty if bids else 0),
            "total_askp_rsqn": str(book.total_ask_qty if book is not None else 0),
            "total_bidp_rsqn": str(book.total_bid_qty if book is not None else 0),
            "vol_tnrt": _pct(tape.cum, q.shares_outstanding),
            "prdy_smns_hour_acml_vol": "0",  # yesterday's intraday volumes are not kept
            "prdy_smns_hour_acml_vol_rate": "0.00",
            "hour_cls_code": "0",
            "mrkt_trtm_cls_code": "0",
            "vi_stnd_prc": "0",
            # what the US record needs besides (kept here so one fold serves both)
            "_ymd": when.strftime("%Y%m%d"),
            "_ny": local_time(q.market, when).strftime("%Y%m%d%H%M%S"),
            "_zdiv": str(places),
        }

    @staticmethod
    def _us_fields(sem: dict[str, str], tr_key: str) -> dict[str, str]:
        ny = sem["_ny"]
        return {
            "rsym": tr_key, "symb": tr_key[4:] if len(tr_key) > 4 else tr_key,
            "zdiv": sem["_zdiv"],
            "tymd": ny[:8], "xymd": ny[:8], "xhms": ny[8:], "kymd": sem["_ymd"],
            "khms": sem["stck_cntg_hour"], "open": sem["stck_oprc"], "high": sem["stck_hgpr"],
            "low": sem["stck_lwpr"], "last": sem["stck_prpr"], "sign": sem["prdy_vrss_sign"],
            "diff": sem["prdy_vrss"], "rate": sem["prdy_ctrt"], "pbid": sem["bidp1"],
            "pask": sem["askp1"], "vbid": sem["bidp_rsqn1"], "vask": sem["askp_rsqn1"],
            "evol": sem["cntg_vol"], "tvol": sem["acml_vol"], "tamt": sem["acml_tr_pbmn"],
            "bivl": sem["shnu_cntg_smtn"], "asvl": sem["seln_cntg_smtn"], "strn": sem["cttr"],
            "mtyp": "1",
        }

    # -- book TRs (sent when the book changed) ------------------------------------------------

    def _semantic(
        self, tr_id: str, tr_key: str, cols: list[str], now: dt.datetime
    ) -> dict[str, str]:
        if tr_id == "H0UPCNT0":
            idx = self._index(tr_key)
            if idx is not None:
                return self._index_record(tr_key, idx)
        if tr_id == "H0STNAV0":
            nav = self._nav(tr_key)
            if nav is not None:
                from .marketdata.etf import nav_fields

                return {"mksc_shrn_iscd": tr_key, **nav_fields(nav)}
        us = tr_id.startswith("HDFS")
        symbol = tr_key[4:] if us and len(tr_key) > 4 else tr_key
        q = self._quote(symbol)
        if q is None:
            return super()._semantic(tr_id, tr_key, cols, now)
        when: dt.datetime = q.time
        if "askp10" in cols and "bidp10" in cols:
            book = self._book(symbol)
            if book is not None:
                return self._domestic_book(cols, tr_key, q, book, when)
        if "stck_prpr" in cols and "cntg_vol" in cols:
            return self._expected(cols, tr_key, q, when)
        if tr_id in ("HDFSASP0", "HDFSASP1"):
            book = self._book(symbol)
            if book is not None:
                return self._us_book(symbol, q, book, when)
        return super()._semantic(tr_id, tr_key, cols, now)

    def _expected(self, cols: list[str], tr_key: str, q: Any, when: dt.datetime) -> dict[str, str]:
        """예상체결 (H0STANC0...): the auction's expected price; the last price outside one."""
        price = q.expected_price if q.expected_price is not None else q.price
        change = price - q.prev_close
        return {
            cols[0]: tr_key, "stck_cntg_hour": when.strftime("%H%M%S"), "stck_prpr": _num(price),
            "prdy_vrss_sign": _sign(change), "prdy_vrss": _num(change),
            "prdy_ctrt": _pct(change, q.prev_close), "stck_oprc": _num(q.open),
            "stck_hgpr": _num(q.high), "stck_lwpr": _num(q.low), "askp1": _num(q.best_ask),
            "bidp1": _num(q.best_bid), "cntg_vol": str(q.expected_qty or 0),
            "acml_vol": str(q.volume), "acml_tr_pbmn": _num(q.trade_value),
            "bsop_date": q.trade_date.strftime("%Y%m%d"), "trht_yn": "N",
            "hour_cls_code": "B" if q.expected_price is not None else "0",
        }

    def _index_record(self, tr_key: str, idx: Any) -> dict[str, str]:
        """``H0UPCNT0`` from :func:`hantoo.sim.marketdata.indices.index_level`."""
        prev = idx.prev_close

        def vs(level: Decimal) -> tuple[str, str, str]:
            d = level - prev
            rate = f"{d * 100 / prev:.2f}" if prev else "0.00"
            return _num(d, 2), "2" if d > 0 else "5" if d < 0 else "3", rate

        o, h, lo = vs(idx.open), vs(idx.high), vs(idx.low)
        return {
            "bstp_cls_code": tr_key,
            "bsop_hour": self.exchange.clock.now().strftime("%H%M%S"),
            "prpr_nmix": _num(idx.level, 2),
            "prdy_vrss_sign": idx.change_sign,
            "bstp_nmix_prdy_vrss": _num(idx.change, 2),
            "acml_vol": str(idx.volume),
            "acml_tr_pbmn": _num(idx.trade_value),
            "pcas_vol": str(self._index_volume_delta(tr_key, idx.volume)),
            "prdy_ctrt": _num(idx.change_rate, 2),
            "oprc_nmix": _num(idx.open, 2),
            "nmix_hgpr": _num(idx.high, 2),
            "nmix_lwpr": _num(idx.low, 2),
            "oprc_vrss_nmix_prpr": o[0], "oprc_vrss_nmix_sign": o[1],
            "hgpr_vrss_nmix_prpr": h[0], "hgpr_vrss_nmix_sign": h[1],
            "lwpr_vrss_nmix_prpr": lo[0], "lwpr_vrss_nmix_sign": lo[1],
            "prdy_clpr_vrss_oprc_rate": o[2], "prdy_clpr_vrss_hgpr_rate": h[2],
            "prdy_clpr_vrss_lwpr_rate": lo[2],
            "uplm_issu_cnt": str(idx.upper_limit), "ascn_issu_cnt": str(idx.advancers),
            "stnr_issu_cnt": str(idx.unchanged), "down_issu_cnt": str(idx.decliners),
            "lslm_issu_cnt": str(idx.lower_limit),
            "qtqt_ascn_issu_cnt": str(idx.advancers), "qtqt_down_issu_cnt": str(idx.decliners),
            "tick_vrss": "0",
        }

    def _index_volume_delta(self, code: str, volume: int) -> int:
        """Volume traded in the index since its previous record (0 for the first)."""
        last = self._index_volume.get(code, volume)
        self._index_volume[code] = volume
        return max(volume - last, 0)

    def _domestic_book(
        self, cols: list[str], tr_key: str, q: Any, book: Any, when: dt.datetime
    ) -> dict[str, str]:
        sem = {cols[0]: tr_key, "bsop_hour": when.strftime("%H%M%S"), "hour_cls_code": "0"}
        for k in range(10):
            ask = book.asks[k] if k < len(book.asks) else None
            bid = book.bids[k] if k < len(book.bids) else None
            sem[f"askp{k + 1}"] = _num(ask.price if ask else None)
            sem[f"bidp{k + 1}"] = _num(bid.price if bid else None)
            sem[f"askp_rsqn{k + 1}"] = str(ask.qty if ask else 0)
            sem[f"bidp_rsqn{k + 1}"] = str(bid.qty if bid else 0)
        expected = book.expected_price
        change = (expected - q.prev_close) if expected is not None else Decimal(0)
        sem.update({
            "total_askp_rsqn": str(book.total_ask_qty),
            "total_bidp_rsqn": str(book.total_bid_qty),
            "ovtm_total_askp_rsqn": "0", "ovtm_total_bidp_rsqn": "0",
            "antc_cnpr": _num(expected), "antc_cnqn": str(book.expected_qty or 0),
            "antc_vol": str(book.expected_qty or 0), "antc_cntg_vrss": _num(change),
            "antc_cntg_vrss_sign": _sign(change),
            "antc_cntg_prdy_ctrt": _pct(change, q.prev_close) if expected is not None else "0.00",
            "acml_vol": str(q.volume),
            "total_askp_rsqn_icdc": "0", "total_bidp_rsqn_icdc": "0",
            "ovtm_total_askp_icdc": "0", "ovtm_total_bidp_icdc": "0",
            "stck_deal_cls_code": "0",
        })
        return sem

    def _us_book(self, symbol: str, q: Any, book: Any, when: dt.datetime) -> dict[str, str]:
        # every overseas exchange: its local time and its currency's decimals
        ny = local_time(q.market, when)
        n = PRICE_PLACES.get(q.currency, 4)
        sem = {"symb": symbol, "zdiv": str(n), "xymd": ny.strftime("%Y%m%d"),
               "xhms": ny.strftime("%H%M%S"), "kymd": when.strftime("%Y%m%d"),
               "khms": when.strftime("%H%M%S"), "bvol": str(book.total_bid_qty),
               "avol": str(book.total_ask_qty), "bdvl": "0", "advl": "0",
               "dbid1": "0", "dask1": "0"}
        if book.bids:
            sem["pbid1"], sem["vbid1"] = _num(book.bids[0].price, n), str(book.bids[0].qty)
        if book.asks:
            sem["pask1"], sem["vask1"] = _num(book.asks[0].price, n), str(book.asks[0].qty)
        return sem
