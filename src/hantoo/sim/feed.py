"""Synthetic realtime records for the simulator's WebSocket, shaped by the catalogue.

Every one of the 60 realtime TRs gets records with all its columns filled, by encoding
(``price``, ``qty``, ``hhmmss``, ...), deterministic under a seed. The TRs users care most
about get coherent semantics on top:

* domestic trades / expected executions (``H0STCNT0``, ``H0STANC0`` and NXT/total twins):
  a tick-size-respecting random walk around a base price, change and sign versus the
  previous close, session open/high/low, cumulative volume and turnover, best bid/ask;
* the 10-level order book (``H0STASP0``): prices a tick apart around the last trade;
* indices (``H0UPCNT0``): an index level walk with advancing/declining counts;
* US trades and book (``HDFSCNT0``/``HDFSASP0``, keys like ``DNASAAPL``).

Order/fill notices are not synthesised: they come from real fills (:class:`FillNotice`),
published by the matching engine (or injected by tests).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import zlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from .._generated.streams import RECORDS

__all__ = ["FillNotice", "SyntheticFeed"]

KST = dt.timezone(dt.timedelta(hours=9), "KST")


@dataclass(frozen=True, slots=True)
class FillNotice:
    """One order event as the notice TR (``H0STCNI0``/``H0STCNI9``) reports it.

    ``filled`` True: an execution of ``qty`` at ``price``; False: the order was accepted
    (``CNTG_YN`` ``1``), with ``qty``/``price`` the order's. Values are wire strings.
    """

    hts_id: str
    account: str  # CANO + product code, e.g. "5000000001"
    order_no: str
    symbol: str
    side: str  # "01" sell, "02" buy (SELN_BYOV_CLS)
    qty: int
    price: int
    time: str  # HHMMSS
    order_qty: int
    order_price: int
    filled: bool = True
    original_order_no: str = ""
    order_kind: str = "00"
    name: str = ""
    branch: str = "01"
    correction: str = "0"  # RCTF_CLS: 0 new, 1 modify, 2 cancel
    rejected: bool = False
    exchange: str = "1"  # ORD_EXG_GB: 1 KRX

    def row(self) -> list[str]:
        values = {
            "cust_id": self.hts_id,
            "acnt_no": self.account,
            "oder_no": self.order_no,
            "ooder_no": self.original_order_no,
            "seln_byov_cls": self.side,
            "rctf_cls": self.correction,
            "oder_kind": self.order_kind,
            "oder_cond": "0",
            "stck_shrn_iscd": self.symbol,
            "cntg_qty": str(self.qty),
            "cntg_unpr": str(self.price),
            "stck_cntg_hour": self.time,
            "rfus_yn": "1" if self.rejected else "0",
            "cntg_yn": "2" if self.filled else "1",
            # ACPT_YN: 1 a new order taken (주문접수), 2 confirmed (확인: fills, modify/cancel).
            "acpt_yn": "1" if not self.filled and self.correction == "0" else "2",
            "brnc_no": self.branch,
            "oder_qty": str(self.order_qty),
            "acnt_name": "",
            "ord_cond_prc": "",
            "ord_exg_gb": self.exchange,
            "popup_yn": "N",
            "filler": "",
            "crdt_cls": "10",
            "crdt_loan_date": "",
            "cntg_isnm40": self.name,
            "oder_prc": str(self.order_price),
        }
        return [values.get(c.lower(), "") for c in RECORDS["H0STCNI0"].COLUMNS]


@dataclass
class _Instrument:
    base: int
    price: int
    open: int
    high: int
    low: int
    volume: int = 0
    turnover: int = 0
    buys: int = 0
    sells: int = 0
    scale: int = 1  # price units per displayed unit (US prices: cents → 100)
    rng: random.Random = field(default_factory=random.Random)


# KRX stock tick sizes since 2023-01-25 (kis-facts.md). Kept here rather than imported from
# the engine so the feed does not pull the whole engine package in.
_TICKS = ((2_000, 1), (5_000, 5), (20_000, 10), (50_000, 50), (200_000, 100), (500_000, 500))


def _tick(price: int) -> int:
    for bound, tick in _TICKS:
        if price < bound:
            return tick
    return 1_000


def _sign(diff: int) -> str:
    return "2" if diff > 0 else "5" if diff < 0 else "3"


def _pct(diff: int, base: int) -> str:
    return f"{diff * 100 / base:.2f}" if base else "0.00"


class SyntheticFeed:
    """Deterministic plausible records for any realtime TR (see module docstring)."""

    def __init__(self, seed: int = 0, clock: Callable[[], float] = time.time) -> None:
        self.seed = seed
        self.clock = clock
        self._inst: dict[str, _Instrument] = {}

    def _instrument(self, key: str, us: bool = False, index: bool = False) -> _Instrument:
        slot = f"{'us' if us else 'ix' if index else 'kr'}:{key}"
        inst = self._inst.get(slot)
        if inst is None:
            rng = random.Random(zlib.crc32(f"{self.seed}:{key}".encode()))
            if us:
                base = rng.randrange(2_000, 80_000)  # cents
            elif index:
                base = rng.randrange(80_000, 300_000)  # hundredths of a point
            else:
                base = rng.randrange(1_000, 300_000)
                base -= base % _tick(base)
            inst = _Instrument(
                base, base, base, base, base, rng=rng, scale=100 if us or index else 1
            )
            self._inst[slot] = inst
        return inst

    def _step(self, inst: _Instrument, us: bool = False) -> int:
        rng = inst.rng
        tick = 1 if us or inst.scale > 1 else _tick(inst.price)
        inst.price = max(tick, inst.price + rng.choice((-2, -1, -1, 0, 0, 1, 1, 2)) * tick)
        qty = rng.choice((1, 1, 2, 5, 10, 10, 20, 50, 100))
        inst.high = max(inst.high, inst.price)
        inst.low = min(inst.low, inst.price)
        inst.volume += qty
        inst.turnover += qty * inst.price // inst.scale
        if rng.random() < 0.5:
            inst.buys += qty
        else:
            inst.sells += qty
        return qty

    def rows(
        self, tr_id: str, tr_key: str, n: int = 1, sub: Hashable = None
    ) -> list[list[str]]:
        """``n`` records for one subscription, advancing its state. ``sub`` names the
        subscriber (the engine feed keeps a cursor per subscriber; this one needs none)."""
        cls = RECORDS[tr_id]
        cols = [c.lower() for c in cls.COLUMNS]
        encs = cls.ENCODINGS
        out: list[list[str]] = []
        now = dt.datetime.fromtimestamp(self.clock(), KST)
        for _ in range(n):
            sem = self._semantic(tr_id, tr_key, cols, now)
            inst = self._instrument(tr_key, us=tr_id.startswith("HDF"))
            row = [
                sem[c] if c in sem else self._generic(c, e, i, tr_key, inst, now)
                for i, (c, e) in enumerate(zip(cols, encs, strict=False))
            ]
            out.append(row)
        return out

    def subscribed(self, tr_id: str, tr_key: str, sub: Hashable) -> None:
        """A subscription starts now (the engine feed starts its cursor here)."""

    def forget(self, sub: Hashable) -> None:
        """A subscriber is gone: drop whatever was kept for it."""

    def catch_up(self, notice_tr: str) -> None:
        """A notice TR is subscribed: bring fills that happen with time alone (the engine feed's
        resting futures orders) up to the clock, so their notices go out (none here)."""

    # -- TRs with real semantics ----------------------------------------------------------------

    def _semantic(
        self, tr_id: str, tr_key: str, cols: list[str], now: dt.datetime
    ) -> dict[str, str]:
        hms = now.strftime("%H%M%S")
        ymd = now.strftime("%Y%m%d")
        if "stck_prpr" in cols and "cntg_vol" in cols:  # domestic trades / expected
            inst = self._instrument(tr_key)
            qty = self._step(inst)
            tick = _tick(inst.price)
            diff = inst.price - inst.base
            return {
                cols[0]: tr_key,
                "stck_cntg_hour": hms,
                "stck_prpr": str(inst.price),
                "prdy_vrss_sign": _sign(diff),
                "prdy_vrss": str(diff),
                "prdy_ctrt": _pct(diff, inst.base),
                "wghn_avrg_stck_prc": f"{inst.turnover / max(inst.volume, 1):.2f}",
                "stck_oprc": str(inst.open),
                "stck_hgpr": str(inst.high),
                "stck_lwpr": str(inst.low),
                "askp1": str(inst.price + tick),
                "bidp1": str(inst.price),
                "cntg_vol": str(qty),
                "acml_vol": str(inst.volume),
                "acml_tr_pbmn": str(inst.turnover),
                "seln_cntg_smtn": str(inst.sells),
                "shnu_cntg_smtn": str(inst.buys),
                "cttr": f"{inst.buys * 100 / max(inst.sells, 1):.2f}",
                "ccld_dvsn": inst.rng.choice(("1", "5")),
                "cntg_cls_code": inst.rng.choice(("1", "5")),
                "oprc_vrss_prpr": str(inst.price - inst.open),
                "oprc_vrss_prpr_sign": _sign(inst.price - inst.open),
                "hgpr_vrss_prpr": str(inst.price - inst.high),
                "hgpr_vrss_prpr_sign": _sign(inst.price - inst.high),
                "lwpr_vrss_prpr": str(inst.price - inst.low),
                "lwpr_vrss_prpr_sign": _sign(inst.price - inst.low),
                "bsop_date": ymd,
                "new_mkop_cls_code": "20",
                "trht_yn": "N",
                "hour_cls_code": "0",
                "mrkt_trtm_cls_code": "0",
                "vi_stnd_prc": "0",
            }
        if "askp10" in cols and "bidp10" in cols:  # 10-level book
            inst = self._instrument(tr_key)
            self._step(inst)
            tick = _tick(inst.price)
            rng = inst.rng
            sem = {cols[0]: tr_key, "bsop_hour": hms, "hour_cls_code": "0"}
            asks = [rng.randrange(1, 5_000) for _ in range(10)]
            bids = [rng.randrange(1, 5_000) for _ in range(10)]
            for k in range(10):
                sem[f"askp{k + 1}"] = str(inst.price + (k + 1) * tick)
                sem[f"bidp{k + 1}"] = str(inst.price - k * tick)
                sem[f"askp_rsqn{k + 1}"] = str(asks[k])
                sem[f"bidp_rsqn{k + 1}"] = str(bids[k])
            sem["total_askp_rsqn"] = str(sum(asks))
            sem["total_bidp_rsqn"] = str(sum(bids))
            sem["acml_vol"] = str(inst.volume)
            sem["antc_cnpr"] = "0"
            sem["antc_cnqn"] = "0"
            sem["stck_deal_cls_code"] = "0"
            return sem
        if tr_id in ("H0UPCNT0", "H0UPANC0"):
            inst = self._instrument(tr_key, index=True)
            self._step(inst, us=True)
            diff = inst.price - inst.base
            rng = inst.rng
            up, down = rng.randrange(200, 600), rng.randrange(200, 600)
            return {
                "bstp_cls_code": tr_key,
                "bsop_hour": hms,
                "prpr_nmix": f"{inst.price / 100:.2f}",
                "prdy_vrss_sign": _sign(diff),
                "bstp_nmix_prdy_vrss": f"{diff / 100:.2f}",
                "acml_vol": str(inst.volume * 1000),
                "acml_tr_pbmn": str(inst.turnover * 10),
                "prdy_ctrt": _pct(diff, inst.base),
                "oprc_nmix": f"{inst.open / 100:.2f}",
                "nmix_hgpr": f"{inst.high / 100:.2f}",
                "nmix_lwpr": f"{inst.low / 100:.2f}",
                "ascn_issu_cnt": str(up),
                "down_issu_cnt": str(down),
                "stnr_issu_cnt": str(rng.randrange(20, 100)),
                "uplm_issu_cnt": "0",
                "lslm_issu_cnt": "0",
            }
        if tr_id in ("HDFSCNT0", "HDFSASP0", "HDFSASP1"):
            inst = self._instrument(tr_key, us=True)
            qty = self._step(inst, us=True)
            diff = inst.price - inst.base
            symb = tr_key[4:] if len(tr_key) > 4 else tr_key
            ny = now.astimezone(dt.timezone(dt.timedelta(hours=-5)))
            common = {
                "symb": symb,
                "zdiv": "4",
                "xymd": ny.strftime("%Y%m%d"),
                "xhms": ny.strftime("%H%M%S"),
                "kymd": ymd,
                "khms": hms,
                "tymd": ny.strftime("%Y%m%d"),
            }
            price = f"{inst.price / 100:.4f}"
            if tr_id == "HDFSCNT0":
                common.update(
                    {
                        "open": f"{inst.open / 100:.4f}",
                        "high": f"{inst.high / 100:.4f}",
                        "low": f"{inst.low / 100:.4f}",
                        "last": price,
                        "sign": _sign(diff),
                        "diff": f"{diff / 100:.4f}",
                        "rate": _pct(diff, inst.base),
                        "pbid": price,
                        "pask": f"{(inst.price + 1) / 100:.4f}",
                        "evol": str(qty),
                        "tvol": str(inst.volume),
                        "tamt": str(inst.turnover // 100),
                        "mtyp": "1",
                    }
                )
            else:
                common.update(
                    {
                        "pbid1": price,
                        "pask1": f"{(inst.price + 1) / 100:.4f}",
                        "vbid1": str(inst.rng.randrange(1, 900)),
                        "vask1": str(inst.rng.randrange(1, 900)),
                    }
                )
            return common
        return {}

    # -- everything else: by encoding -----------------------------------------------------------

    def _generic(
        self, col: str, enc: str, i: int, tr_key: str, inst: _Instrument, now: dt.datetime
    ) -> str:
        if i == 0 and enc in ("code", "text"):
            return tr_key
        if enc == "price":
            return str(inst.price if inst.scale == 1 else f"{inst.price / inst.scale:.2f}")
        if enc == "amount":
            return str(inst.turnover)
        if enc in ("rate", "number"):
            return f"{(inst.price - inst.base) * 100 / max(inst.base, 1):.2f}"
        if enc in ("qty", "count"):
            return str((inst.volume + 7 * i) % 10_000)
        if enc == "yyyymmdd":
            return now.strftime("%Y%m%d")
        if enc == "hhmmss":
            return now.strftime("%H%M%S")
        if enc == "datetime":
            return now.strftime("%Y%m%d%H%M%S")
        if enc == "flag":
            return "N"
        if col.endswith("sign"):
            return _sign(inst.price - inst.base)
        return "0" if enc == "code" else ""
