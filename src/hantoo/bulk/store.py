"""A directory of per-symbol files that a killed job can resume and a later job can extend.

Layout: ``DIR/<code>.parquet`` (or ``.csv``) per symbol, and ``DIR/.hantoo-download.json``, the
manifest: for each symbol the interval, the requested range, the newest bar and whether the
range was fetched completely.

Why it is safe to kill at any moment:

* every file - data or manifest - is written to a temporary sibling and moved into place with
  ``os.replace``, so a reader sees the old file or the complete new one, never half of one;
* a symbol enters the manifest only *after* its file is in place, so the manifest never claims
  data that is not on disk. The manifest is rewritten at most once a second (a 2,000-symbol job
  would otherwise rewrite it 2,000 times); a kill loses at most that last second of entries, and
  those few symbols are fetched again on resume;
* leftover temporary files of a killed run are removed when the store opens.

Memory stays constant: a symbol's bars are written as soon as it is done and then dropped; only
``--append`` reads one existing file back, to merge.

Parquet columns are typed (``date32`` or a KST timestamp; prices ``decimal128(24, 4)`` - exact,
never float); CSV carries the prices as the server's decimal text.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain.objects import Candle
from ..errors import ConfigurationError

__all__ = ["COLUMNS", "MANIFEST", "Store"]

MANIFEST = ".hantoo-download.json"
COLUMNS = ("time", "open", "high", "low", "close", "volume", "turnover", "symbol", "interval",
           "currency")
_FORMATS = ("parquet", "csv")
_PRICE_SCALE = 4
_MANIFEST_EVERY = 1.0  # seconds between manifest rewrites


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through a temporary sibling and ``os.replace`` (all or nothing)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _file_stem(code: str) -> str:
    """A file name for a symbol (overseas ``NASD:AAPL`` → ``NASD_AAPL``)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in code)


def _time_text(c: Candle) -> str:
    return c.time.isoformat() if c.interval == "minute" else c.date.isoformat()


class Store:
    """Per-symbol files under ``directory`` plus the manifest (see the module docstring)."""

    def __init__(self, directory: str | os.PathLike[str], fmt: str = "parquet") -> None:
        fmt = fmt.lower().lstrip(".")
        if fmt not in _FORMATS:
            raise ValueError(f"format must be parquet or csv, not {fmt!r}")
        if fmt == "parquet":
            _pyarrow()
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise ValueError(f"{self.directory} exists and is not a directory")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.fmt = fmt
        self._lock = threading.Lock()
        self._written_at = 0.0
        self._dirty = False
        self._appending: set[str] = set()
        for stale in self.directory.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()
        self._entries: dict[str, dict[str, Any]] = self._read_manifest()

    # -- the manifest -----------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self.directory / MANIFEST

    def _read_manifest(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}  # unreadable: everything is fetched again, nothing is trusted
        symbols = data.get("symbols") if isinstance(data, dict) else None
        return {k: v for k, v in symbols.items() if isinstance(v, dict)} if isinstance(
            symbols, dict) else {}

    def entry(self, code: str) -> dict[str, Any] | None:
        with self._lock:
            e = self._entries.get(code)
            return dict(e) if e is not None else None

    def flush(self) -> None:
        """Write the manifest now (atomically)."""
        with self._lock:
            payload = json.dumps({"version": 1, "format": self.fmt, "symbols": self._entries},
                                 ensure_ascii=False, sort_keys=True)
            self._dirty = False
            self._written_at = time.monotonic()

            def write(tmp: Path) -> None:
                tmp.write_text(payload, encoding="utf-8")

            atomic_write(self.manifest_path, write)

    # -- planning ---------------------------------------------------------------------------

    def path_of(self, code: str) -> Path:
        return self.directory / f"{_file_stem(code)}.{self.fmt}"

    def plan(self, code: str, interval: str, first: dt.date, last: dt.date,
             append: bool) -> tuple[dt.date, dt.date] | None:
        """The range still to fetch for ``code``, or ``None`` when the file already has it.

        Without ``append`` a complete file covering ``[first, last]`` is kept and anything else
        is fetched whole (and replaced). With ``append`` an existing file is extended from its
        newest bar's day (fetched again: it may have been a partial day) up to ``last``.
        """
        path = self.path_of(code)
        e = self.entry(code)
        usable = (e is not None and e.get("complete") and e.get("interval") == interval
                  and path.exists())
        if usable and e is not None:
            have_first = dt.date.fromisoformat(e["start"])
            have_last = dt.date.fromisoformat(e["end"])
            if not append:
                if have_first <= first and have_last >= last:
                    return None
                return first, last
            newest = e.get("newest")
            if have_last >= last and newest:
                return None
            lo = dt.date.fromisoformat(newest) if newest else have_first
            self._appending.add(code)
            return max(min(lo, last), have_first), last
        if e is not None:
            return first, last  # recorded but incomplete (or another interval): fetch it whole
        if append and path.exists():  # a file this store did not write: derive from the file
            newest_day = self._newest_in_file(path)
            if newest_day is not None:
                self._appending.add(code)
                return min(newest_day, last), last
        return first, last

    def _newest_in_file(self, path: Path) -> dt.date | None:
        """The newest bar's day in a file this store did not record (derived from the file)."""
        try:
            times = self._read_times(path)
        except Exception:
            return None
        return max((dt.date.fromisoformat(t[:10]) for t in times), default=None)

    def _read_times(self, path: Path) -> list[str]:
        if self.fmt == "csv":
            with path.open(newline="", encoding="utf-8") as fh:
                return [row["time"] for row in csv.DictReader(fh)]
        _pa, pq = _pyarrow()
        column = pq.read_table(str(path), columns=["time"]).column("time")
        return [v.isoformat() for v in column.to_pylist() if v is not None]

    # -- writing ----------------------------------------------------------------------------

    def write(self, code: str, interval: str, first: dt.date, last: dt.date,
              candles: Sequence[Candle], *, complete: bool) -> Path:
        """Put ``code``'s bars of ``[first, last]`` on disk (merged with the existing file when
        appending), then record them in the manifest."""
        path = self.path_of(code)
        merge = code in self._appending and path.exists()
        previous = self.entry(code) if merge else None
        if self.fmt == "csv":
            atomic_write(path, lambda tmp: self._write_csv(tmp, path if merge else None,
                                                           candles, first))
        else:
            atomic_write(path, lambda tmp: self._write_parquet(tmp, path if merge else None,
                                                               candles, interval, first))
        start = first
        if previous is not None and previous.get("start"):
            start = min(first, dt.date.fromisoformat(previous["start"]))
        elif merge:
            times = self._read_times(path)
            if times:
                start = min(first, dt.date.fromisoformat(min(times)[:10]))
        newest = candles[-1].date if candles else None
        if newest is None and previous is not None and previous.get("newest"):
            newest = dt.date.fromisoformat(previous["newest"])
        rows = len(candles)
        with self._lock:
            self._entries[code] = {
                "interval": interval, "start": start.isoformat(), "end": last.isoformat(),
                "newest": newest.isoformat() if newest else None, "fetched_rows": rows,
                "complete": complete,
            }
            self._dirty = True
            due = time.monotonic() - self._written_at >= _MANIFEST_EVERY
            self._appending.discard(code)
        if due:
            self.flush()
        return path

    def _write_csv(self, tmp: Path, old: Path | None, candles: Sequence[Candle],
                   first: dt.date) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            if old is not None:
                bound = first.isoformat()
                with old.open(newline="", encoding="utf-8") as fh:
                    reader = csv.reader(fh)
                    header = next(reader, None)
                    if header is not None and tuple(header) != COLUMNS:
                        raise ConfigurationError(
                            f"{old}: not a file this command wrote (columns {header})",
                            hint="choose another --out directory or remove the file")
                    for row in reader:
                        if row and row[0][:10] < bound:
                            writer.writerow(row)
            for c in candles:
                writer.writerow([
                    _time_text(c), c.open, c.high, c.low, c.close, c.volume,
                    "" if c.turnover is None else c.turnover, c.symbol, c.interval,
                    str(c.currency)])

    def _write_parquet(self, tmp: Path, old: Path | None, candles: Sequence[Candle],
                       interval: str, first: dt.date) -> None:
        pa, pq = _pyarrow()
        schema = _schema(pa, interval)
        table = _table(pa, schema, candles)
        with pq.ParquetWriter(str(tmp), schema) as writer:
            if old is not None:
                previous = pq.read_table(str(old))
                if previous.schema.names != schema.names:
                    raise ConfigurationError(
                        f"{old}: not a file this command wrote (columns {previous.schema.names})",
                        hint="choose another --out directory or remove the file")
                keep = [i for i, t in enumerate(previous.column("time").to_pylist())
                        if t is not None and _day_of(t) < first]
                if keep:
                    writer.write_table(previous.take(pa.array(keep)).cast(schema))
            writer.write_table(table)


def _day_of(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _schema(pa: Any, interval: str) -> Any:
    price = pa.decimal128(24, _PRICE_SCALE)
    when = pa.timestamp("s", tz="Asia/Seoul") if interval == "minute" else pa.date32()
    return pa.schema([
        ("time", when), ("open", price), ("high", price), ("low", price), ("close", price),
        ("volume", pa.int64()), ("turnover", price), ("symbol", pa.string()),
        ("interval", pa.string()), ("currency", pa.string()),
    ])


def _exact(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    q = value.quantize(Decimal(1).scaleb(-_PRICE_SCALE))
    if q != value:
        raise ValueError(f"price {value} has more than {_PRICE_SCALE} decimals")
    return q


def _table(pa: Any, schema: Any, candles: Sequence[Candle]) -> Any:
    minute = schema.field("time").type != pa.date32()
    columns = [
        [c.time if minute else c.date for c in candles],
        [_exact(c.open) for c in candles],
        [_exact(c.high) for c in candles],
        [_exact(c.low) for c in candles],
        [_exact(c.close) for c in candles],
        [c.volume for c in candles],
        [_exact(c.turnover) for c in candles],
        [c.symbol for c in candles],
        [c.interval for c in candles],
        [str(c.currency) for c in candles],
    ]
    return pa.Table.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
        schema=schema)


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigurationError(
            "writing Parquet needs pyarrow, which is not installed",
            hint='pip install "hantoo[data]", or choose --format csv',
        ) from None
    return pa, pq
