"""Realtime futures/options records from the derivatives market, so the stream and REST agree.

:class:`~hantoo.sim.engine_feed.EngineFeed` answers the stock TRs from the matching engine; the
domestic futures/options TRs (``H0IFCNT0``/``H0IFASP0`` index futures, ``H0IOCNT0``/``H0IOASP0``
index options, ``H0ZFCNT0``/``H0ZFASP0`` stock futures, ``H0ZOCNT0``/``H0ZOASP0`` stock options,
the night ``H0MF*``/``H0EU*`` and the commodity ``H0CF*`` twins) would otherwise be invented by
the synthetic feed. For a series the market lists (:mod:`hantoo.sim.derivatives.market`) this
feed sends, by the same rules as the stock feed:

* **trade records**: one per trade of the series (its house quotes included), only when one
  happened — no snapshot at subscription, no zero-quantity record. ``LAST_CNQN`` is the
  trade's quantity, ``ACML_VOL`` the day's volume up to it (rising record by record),
  ``BSOP_HOUR`` its time on the simulator's clock, prices on the series' tick grid in the units
  the REST quote shows (points with two decimals). The day's running figures (open/high/low and
  their times, buy/sell counts and volumes, 체결강도) are folded per series as trades arrive.
* **book records**: the series' five levels each side (the house's quotes and resting user
  orders), the same :meth:`~hantoo.sim.derivatives.market.DerivMarket.snapshot` the REST
  ``inquire-asking-price`` answers from, sent when the book changed.

Reading the market here is a read like a REST quote (it brings the house quotes to now and
journals that as a read does), so a replay rebuilds the same tape.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .._generated.streams import RECORDS
from .derivatives.market import Print, Snapshot, market_for
from .engine.orders import BUY
from .engine_feed import EngineFeed, _num, _pct, _sign, _strength

__all__ = ["DerivFeed"]

_KEYS = ("futs_shrn_iscd", "optn_shrn_iscd")
#: Records kept per series for subscribers that poll late (older ones are skipped).
_KEEP = 4096


@dataclass
class _Tape:
    """One series' running figures of one trading day, folded print by print."""

    day: dt.date
    seen: int = 0  # prints folded
    open: int = 0
    high: int = 0
    low: int = 0
    open_t: dt.datetime | None = None
    high_t: dt.datetime | None = None
    low_t: dt.datetime | None = None
    buy_vol: int = 0
    sell_vol: int = 0
    buy_n: int = 0
    sell_n: int = 0
    value: int = 0
    records: deque[tuple[int, dict[str, str]]] = field(
        default_factory=lambda: deque(maxlen=_KEEP))
    """Built records by print index (the newest kept for subscribers that poll late)."""


class DerivFeed(EngineFeed):
    """The engine feed, plus futures/options records from the derivatives market."""

    def __init__(self, exchange: Any, seed: int = 0) -> None:
        super().__init__(exchange, seed)
        self._dtapes: dict[str, _Tape] = {}
        self._dcursors: dict[tuple[Hashable, str, str], tuple[dt.date, int]] = {}
        self._dbooks: dict[tuple[Hashable, str, str], list[str]] = {}

    @staticmethod
    def _deriv_kind(tr_id: str) -> str:
        rec = RECORDS.get(tr_id)
        if rec is None:
            return ""
        cols = [c.lower() for c in rec.COLUMNS]
        if cols[0] not in _KEYS:
            return ""
        if "last_cnqn" in cols and "acml_vol" in cols:
            return "trade"
        if "askp_rsqn5" in cols and "bidp_rsqn5" in cols:
            return "book"
        return ""

    def _deriv_snap(self, code: str) -> Snapshot | None:
        try:
            m = market_for(self.exchange)
            if m.listing().get(code) is None:
                return None
            return m.snapshot(code)
        except Exception:  # no derivatives on this exchange, or outside what it can quote
            return None

    # -- the feed interface -------------------------------------------------------------------

    def rows(
        self, tr_id: str, tr_key: str, n: int = 1, sub: Hashable = None
    ) -> list[list[str]]:
        kind = self._deriv_kind(tr_id)
        snap = self._deriv_snap(tr_key) if kind else None
        if snap is None:
            return super().rows(tr_id, tr_key, n, sub)
        cols = [c.lower() for c in RECORDS[tr_id].COLUMNS]
        key = (sub, tr_id, tr_key)
        if kind == "trade":
            tape = self._deriv_fold(tr_key, snap)
            seen = self._dcursors.get(key)
            self._dcursors[key] = (tape.day, tape.seen)
            if seen is None:
                return []  # trades are sent as they happen; a new subscription waits for one
            cursor = seen[1] if seen[0] == tape.day else 0
            return [[sem.get(c, "0") for c in cols]
                    for i, sem in tape.records if i >= cursor]
        sem = self._deriv_book(cols, snap)
        row = [sem.get(c, "0") for c in cols]
        changing = [v for c, v in zip(cols, row, strict=True) if c != "bsop_hour"]
        if self._dbooks.get(key) == changing:
            return []
        self._dbooks[key] = changing
        return [row]

    def subscribed(self, tr_id: str, tr_key: str, sub: Hashable) -> None:
        if self._deriv_kind(tr_id) == "trade":
            snap = self._deriv_snap(tr_key)
            if snap is not None:
                tape = self._deriv_fold(tr_key, snap)
                self._dcursors[(sub, tr_id, tr_key)] = (tape.day, tape.seen)
                return
        super().subscribed(tr_id, tr_key, sub)

    def forget(self, sub: Hashable) -> None:
        super().forget(sub)
        for store in (self._dcursors, self._dbooks):
            for key in [k for k in store if k[0] == sub]:
                del store[key]

    # -- the tape -----------------------------------------------------------------------------

    def _deriv_fold(self, code: str, snap: Snapshot) -> _Tape:
        """Bring the series' tape up to the market's prints of the trading day."""
        m = market_for(self.exchange)
        st = m._states.get(code)
        day = st.day if st is not None else m.trade_day()
        tape = self._dtapes.get(code)
        if tape is None or tape.day != day:
            tape = self._dtapes[code] = _Tape(day)
        prints: Sequence[Print] = getattr(st, "prints", []) if st is not None else []
        records = tape.records
        for p in prints[tape.seen:]:
            records.append((tape.seen, self._deriv_record(snap, tape, p)))
            tape.seen += 1
        return tape

    def _deriv_record(self, snap: Snapshot, tape: _Tape, p: Print) -> dict[str, str]:
        inst = snap.inst

        def px(units: int) -> str:
            return _num(inst.points(units), 2)

        if not tape.open:
            tape.open = tape.high = tape.low = p.units
            tape.open_t = tape.high_t = tape.low_t = p.time
        if p.units > tape.high:
            tape.high, tape.high_t = p.units, p.time
        if p.units < tape.low:
            tape.low, tape.low_t = p.units, p.time
        tape.value += inst.notional(p.units, p.qty)
        if p.side == BUY:
            tape.buy_vol += p.qty
            tape.buy_n += 1
        else:
            tape.sell_vol += p.qty
            tape.sell_n += 1
        price = inst.points(p.units)
        change = price - snap.base
        if price >= snap.upper:
            sign = "1"
        elif price <= snap.lower:
            sign = "4"
        else:
            sign = _sign(change)
        rate = _pct(change, snap.base)
        chg = _num(change, 2)
        assert tape.open_t and tape.high_t and tape.low_t
        sem = {
            "futs_shrn_iscd": inst.code, "optn_shrn_iscd": inst.code,
            "bsop_hour": p.time.strftime("%H%M%S"),
            "futs_prpr": px(p.units), "optn_prpr": px(p.units), "stck_prpr": px(p.units),
            "prdy_vrss_sign": sign, "futs_prdy_vrss": chg, "optn_prdy_vrss": chg,
            "prdy_vrss": chg, "futs_prdy_ctrt": rate, "prdy_ctrt": rate,
            "last_cnqn": str(p.qty), "acml_vol": str(p.cum),
            "acml_tr_pbmn": str(tape.value),
            "hts_thpr": _num(snap.theo, 2),
            "hts_otst_stpl_qty": str(snap.open_interest),
            "oprc_hour": tape.open_t.strftime("%H%M%S"),
            "hgpr_hour": tape.high_t.strftime("%H%M%S"),
            "lwpr_hour": tape.low_t.strftime("%H%M%S"),
            "shnu_rate": _pct(tape.buy_vol, tape.buy_vol + tape.sell_vol),
            "cttr": _strength(tape.buy_vol, tape.sell_vol),
            "seln_cntg_csnu": str(tape.sell_n), "shnu_cntg_csnu": str(tape.buy_n),
            "ntby_cntg_csnu": str(tape.buy_n - tape.sell_n),
            "seln_cntg_smtn": str(tape.sell_vol), "shnu_cntg_smtn": str(tape.buy_vol),
            "dynm_prc_limt_yn": "N",
        }
        for pre in ("futs", "optn", "stck"):
            sem[f"{pre}_oprc"] = px(tape.open)
            sem[f"{pre}_hgpr"] = px(tape.high)
            sem[f"{pre}_lwpr"] = px(tape.low)
        for name, ref in (("oprc", tape.open), ("hgpr", tape.high), ("lwpr", tape.low)):
            diff = inst.points(p.units) - inst.points(ref)
            sem[f"{name}_vrss_prpr_sign"] = _sign(diff)
            sem[f"{name}_vrss_nmix_prpr"] = _num(diff, 2)
            sem[f"{name}_vrss_prpr"] = _num(diff, 2)
        # the best quotes as the book stands now (the REST quote's book)
        for pre in ("futs_", "optn_", ""):
            sem[f"{pre}askp1"] = px(0) if not snap.asks else _num(snap.asks[0][0], 2)
            sem[f"{pre}bidp1"] = px(0) if not snap.bids else _num(snap.bids[0][0], 2)
        sem["askp_rsqn1"] = str(snap.asks[0][1] if snap.asks else 0)
        sem["bidp_rsqn1"] = str(snap.bids[0][1] if snap.bids else 0)
        sem["total_askp_rsqn"] = str(sum(q for _, q in snap.asks))
        sem["total_bidp_rsqn"] = str(sum(q for _, q in snap.bids))
        g = snap.greeks
        if g is not None:
            for name, val in (("delta", g.delta), ("gama", g.gamma), ("vega", g.vega),
                              ("theta", g.theta), ("rho", g.rho)):
                sem[name] = _num(Decimal(repr(val)), 4)
        if snap.iv is not None:
            sem["hts_ints_vltl"] = _num(Decimal(repr(snap.iv * 100)), 2)
        return sem

    # -- book records -------------------------------------------------------------------------

    def _deriv_book(self, cols: list[str], snap: Snapshot) -> dict[str, str]:
        code = snap.inst.code
        pre = cols[2][:-1]  # "futs_askp", "optn_askp" or "askp"
        sem = {cols[0]: code,
               "bsop_hour": self.exchange.clock.now().strftime("%H%M%S")}
        for k in range(10):
            ap, aq = snap.asks[k] if k < len(snap.asks) else (Decimal(0), 0)
            bp, bq = snap.bids[k] if k < len(snap.bids) else (Decimal(0), 0)
            sem[f"{pre}{k + 1}"] = _num(ap, 2)
            sem[f"{pre.replace('ask', 'bid')}{k + 1}"] = _num(bp, 2)
            sem[f"askp_rsqn{k + 1}"] = str(aq)
            sem[f"bidp_rsqn{k + 1}"] = str(bq)
            sem[f"askp_csnu{k + 1}"] = "1" if aq else "0"
            sem[f"bidp_csnu{k + 1}"] = "1" if bq else "0"
        sem.update({
            "total_askp_rsqn": str(sum(q for _, q in snap.asks)),
            "total_bidp_rsqn": str(sum(q for _, q in snap.bids)),
            "total_askp_csnu": str(len(snap.asks)), "total_bidp_csnu": str(len(snap.bids)),
            "total_askp_rsqn_icdc": "0", "total_bidp_rsqn_icdc": "0",
        })
        return sem
