"""Realtime market data from the matching engine, so the stream and REST tell one story.

:class:`~hantoo.sim.feed.SyntheticFeed` invents prices for any TR; for the symbols the engine
trades, this feed answers the main TRs from the engine instead — the same price, volume and book
that ``inquire_price`` and ``inquire_asking_price_exp_ccn`` show, stamped with the simulator's
clock:

* ``H0STCNT0`` (and the other domestic trade TRs): the engine's quote; ``CNTG_VOL`` is the volume
  traded since this subscription's previous record;
* ``H0STASP0`` (and the other 10-level book TRs): the engine's book;
* ``HDFSCNT0`` / ``HDFSASP0``: the same for US symbols (tr_key such as ``DNASAAPL``);
* ``H0UPCNT0`` for the indices ``hantoo.sim.marketdata.indices`` computes (``0001``, ``2001``...):
  the same level ``inquire_index_price`` answers.

Like KIS, a record is sent only when something happened: a trade record when volume was traded
since the last one, a book record when the book changed (the first record of a subscription is
always sent, as a snapshot). Every other TR, and symbols the engine does not know, fall back to
the synthetic feed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .._generated.streams import RECORDS
from .feed import SyntheticFeed

__all__ = ["EngineFeed"]


def _num(value: Decimal | int | None, places: int = 0) -> str:
    if value is None:
        return "0"
    if places:
        return f"{Decimal(value):.{places}f}"
    return str(int(value))


class EngineFeed(SyntheticFeed):
    """Engine-backed records for the main TRs (see module docstring)."""

    def __init__(self, exchange: Any, seed: int = 0) -> None:
        # Every time in a record is on the simulator's clock, never the machine's.
        super().__init__(seed, clock=lambda: exchange.clock.now_us() / 1_000_000)
        self.exchange = exchange
        self._last_volume: dict[tuple[str, str], int] = {}
        self._last_row: dict[tuple[str, str], list[str]] = {}

    def rows(self, tr_id: str, tr_key: str, n: int = 1) -> list[list[str]]:
        """At most one record a call for engine-backed TRs, and none when nothing changed."""
        cols = [c.lower() for c in RECORDS[tr_id].COLUMNS]
        backed = ("stck_prpr" in cols and "cntg_vol" in cols) or (
            "askp10" in cols and "bidp10" in cols
        ) or tr_id in ("HDFSCNT0", "HDFSASP0", "HDFSASP1")
        symbol = tr_key[4:] if tr_id.startswith("HDFS") and len(tr_key) > 4 else tr_key
        index = tr_id == "H0UPCNT0" and self._index(tr_key) is not None
        if not index and (not backed or self._quote(symbol) is None):
            return super().rows(tr_id, tr_key, n)
        (row,) = super().rows(tr_id, tr_key, 1)
        changing = [v for c, v in zip(cols, row, strict=False) if not c.endswith(("hour", "hms"))]
        key = (tr_id, tr_key)
        if self._last_row.get(key) == changing:
            return []
        self._last_row[key] = changing
        return [row]

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

    def _book(self, symbol: str) -> Any:
        try:
            return self.exchange.order_book(symbol)
        except Exception:
            return None

    def _semantic(
        self, tr_id: str, tr_key: str, cols: list[str], now: dt.datetime
    ) -> dict[str, str]:
        if tr_id == "H0UPCNT0":
            idx = self._index(tr_key)
            if idx is not None:
                return self._index_record(tr_id, tr_key, idx)
        us = tr_id.startswith("HDFS")
        symbol = tr_key[4:] if us and len(tr_key) > 4 else tr_key
        q = self._quote(symbol)
        if q is None:
            return super()._semantic(tr_id, tr_key, cols, now)
        when: dt.datetime = q.time
        if "stck_prpr" in cols and "cntg_vol" in cols:
            return self._domestic_trade(tr_id, tr_key, cols, q, when)
        if "askp10" in cols and "bidp10" in cols:
            book = self._book(symbol)
            if book is not None:
                return self._domestic_book(cols, tr_key, q, book, when)
        if tr_id == "HDFSCNT0":
            return self._us_trade(tr_id, tr_key, symbol, q, when)
        if tr_id in ("HDFSASP0", "HDFSASP1"):
            book = self._book(symbol)
            if book is not None:
                return self._us_book(symbol, book, when)
        return super()._semantic(tr_id, tr_key, cols, now)

    def _volume_delta(self, tr_id: str, tr_key: str, volume: int) -> int:
        last = self._last_volume.get((tr_id, tr_key), volume)
        self._last_volume[(tr_id, tr_key)] = volume
        return max(volume - last, 0)

    def _domestic_trade(
        self, tr_id: str, tr_key: str, cols: list[str], q: Any, when: dt.datetime
    ) -> dict[str, str]:
        vwap = (q.trade_value / q.volume) if q.volume else q.price
        return {
            cols[0]: tr_key,
            "stck_cntg_hour": when.strftime("%H%M%S"),
            "stck_prpr": _num(q.price),
            "prdy_vrss_sign": q.change_sign,
            "prdy_vrss": _num(q.change),
            "prdy_ctrt": _num(q.change_rate, 2),
            "wghn_avrg_stck_prc": _num(vwap, 2),
            "stck_oprc": _num(q.open),
            "stck_hgpr": _num(q.high),
            "stck_lwpr": _num(q.low),
            "askp1": _num(q.best_ask),
            "bidp1": _num(q.best_bid),
            "cntg_vol": str(self._volume_delta(tr_id, tr_key, q.volume)),
            "acml_vol": str(q.volume),
            "acml_tr_pbmn": _num(q.trade_value),
            "oprc_vrss_prpr": _num(q.price - q.open),
            "hgpr_vrss_prpr": _num(q.price - q.high),
            "lwpr_vrss_prpr": _num(q.price - q.low),
            "bsop_date": q.trade_date.strftime("%Y%m%d"),
            "new_mkop_cls_code": "20",
            "trht_yn": "N",
            "hour_cls_code": "0",
            "mrkt_trtm_cls_code": "0",
            "vi_stnd_prc": "0",
        }

    def _index_record(self, tr_id: str, tr_key: str, idx: Any) -> dict[str, str]:
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
            "pcas_vol": str(self._volume_delta(tr_id, tr_key, idx.volume)),
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
        sem["total_askp_rsqn"] = str(book.total_ask_qty)
        sem["total_bidp_rsqn"] = str(book.total_bid_qty)
        sem["acml_vol"] = str(q.volume)
        sem["antc_cnpr"] = _num(book.expected_price)
        sem["antc_cnqn"] = str(book.expected_qty or 0)
        sem["stck_deal_cls_code"] = "0"
        return sem

    def _us_trade(
        self, tr_id: str, tr_key: str, symbol: str, q: Any, when: dt.datetime
    ) -> dict[str, str]:
        ny = when.astimezone(dt.timezone(dt.timedelta(hours=-5)))
        return {
            "symb": symbol, "zdiv": "4",
            "xymd": ny.strftime("%Y%m%d"), "xhms": ny.strftime("%H%M%S"),
            "kymd": when.strftime("%Y%m%d"), "khms": when.strftime("%H%M%S"),
            "tymd": ny.strftime("%Y%m%d"),
            "open": _num(q.open, 4), "high": _num(q.high, 4), "low": _num(q.low, 4),
            "last": _num(q.price, 4), "sign": q.change_sign, "diff": _num(q.change, 4),
            "rate": _num(q.change_rate, 2), "pbid": _num(q.best_bid, 4),
            "pask": _num(q.best_ask, 4), "evol": str(self._volume_delta(tr_id, tr_key, q.volume)),
            "tvol": str(q.volume), "tamt": _num(q.trade_value), "mtyp": "1",
        }

    def _us_book(self, symbol: str, book: Any, when: dt.datetime) -> dict[str, str]:
        ny = when.astimezone(dt.timezone(dt.timedelta(hours=-5)))
        sem = {"symb": symbol, "zdiv": "4", "xymd": ny.strftime("%Y%m%d"),
               "xhms": ny.strftime("%H%M%S"), "kymd": when.strftime("%Y%m%d"),
               "khms": when.strftime("%H%M%S")}
        if book.bids:
            sem["pbid1"], sem["vbid1"] = _num(book.bids[0].price, 4), str(book.bids[0].qty)
        if book.asks:
            sem["pask1"], sem["vask1"] = _num(book.asks[0].price, 4), str(book.asks[0].qty)
        return sem
