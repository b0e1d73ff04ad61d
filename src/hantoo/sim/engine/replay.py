"""Replay: recorded bars or ticks that replace the synthetic process for some symbols.

Accepted inputs (CSV, or Parquet when ``pyarrow`` is importable), one row per bar or tick:

* daily bars: ``symbol,date,open,high,low,close,volume`` (date ``YYYY-MM-DD`` or ``YYYYMMDD``);
* intraday bars: ``symbol,datetime,open,high,low,close,volume`` (local exchange time,
  ``YYYY-MM-DD HH:MM[:SS]``);
* ticks: ``symbol,datetime,price,qty``.

Daily bars replace the synthetic daily history (and so the base price and the day's open/close);
intraday bars/ticks replace the intraday path: the price at each synthetic step is the last
recorded price at or before it, the step's volume the recorded volume inside it.
"""

from __future__ import annotations

import csv
from array import array
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path

from .synthetic import Bar
from .ticks import CURRENCY_SCALE, to_units


def _day(text: str) -> date:
    t = text.strip()
    if len(t) == 8 and t.isdigit():
        return date(int(t[:4]), int(t[4:6]), int(t[6:]))
    return date.fromisoformat(t[:10])


def _units(text: object, scale: int, what: str) -> int:
    v = to_units(str(text).strip(), scale)
    if v is None:
        raise ValueError(f"{what} {text!r} is not a valid price")
    return v


class ReplayData:
    """Recorded market data by symbol; see the module docstring."""

    def __init__(self) -> None:
        self.daily: dict[str, dict[date, Bar]] = {}
        # (seconds since local midnight, price, volume), sorted by time
        self.intraday: dict[str, dict[date, list[tuple[int, int, int]]]] = {}

    def symbols(self) -> set[str]:
        return set(self.daily) | set(self.intraday)

    def add_rows(self, rows: Iterable[Mapping[str, object]], *, us_symbols: set[str]) -> None:
        """Add rows (dicts keyed by the column names above)."""
        for i, row in enumerate(rows):
            try:
                self._add(row, us_symbols)
            except (KeyError, ValueError) as exc:
                raise ValueError(f"replay row {i + 1}: {exc}") from exc
        for days in self.intraday.values():
            for pts in days.values():
                pts.sort(key=lambda p: p[0])

    def _add(self, row: Mapping[str, object], us_symbols: set[str]) -> None:
        sym = str(row["symbol"]).strip()
        scale = CURRENCY_SCALE["USD" if sym in us_symbols else "KRW"]
        if "date" in row and row.get("date"):
            d = _day(str(row["date"]))
            bar = Bar(
                d,
                _units(row["open"], scale, "open"),
                _units(row["high"], scale, "high"),
                _units(row["low"], scale, "low"),
                _units(row["close"], scale, "close"),
                int(str(row.get("volume") or 0)),
            )
            self.daily.setdefault(sym, {})[d] = bar
            return
        raw = row["datetime"]
        dt = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw).strip())
        sec = dt.hour * 3600 + dt.minute * 60 + dt.second
        if "price" in row:
            px = _units(row["price"], scale, "price")
            vol = int(str(row.get("qty") or 0))
        else:
            px = _units(row["close"], scale, "close")
            vol = int(str(row.get("volume") or 0))
        self.intraday.setdefault(sym, {}).setdefault(dt.date(), []).append((sec, px, vol))

    def path(
        self, symbol: str, day: date, start_sec: int, step_seconds: int, steps: int,
        open_: int,
    ) -> tuple[array[int], array[int]] | None:
        """(prices, volumes) at ``steps + 1`` points from recorded intraday data, if any."""
        pts = self.intraday.get(symbol, {}).get(day)
        if not pts:
            return None
        prices = array("i", [0] * (steps + 1))
        vols = array("i", [0] * (steps + 1))
        j = 0
        last = open_
        for k in range(steps + 1):
            t = start_sec + k * step_seconds
            v = 0
            while j < len(pts) and pts[j][0] <= t:
                last = pts[j][1]
                v += pts[j][2]
                j += 1
            prices[k] = last
            vols[k] = max(1, v)
        return prices, vols


def load_replay(path: str | Path, *, us_symbols: Iterable[str] = ()) -> ReplayData:
    """Read a CSV or Parquet replay file (see the module docstring)."""
    p = Path(path)
    data = ReplayData()
    us = set(us_symbols)
    if p.suffix.lower() in (".parquet", ".pq"):
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("reading Parquet needs pyarrow: pip install 'hantoo[data]'") from exc
        rows: list[dict[str, object]] = pq.read_table(p).to_pylist()
        data.add_rows(rows, us_symbols=us)
        return data
    with p.open(encoding="utf-8-sig", newline="") as fh:
        data.add_rows(csv.DictReader(fh), us_symbols=us)
    return data
