"""Writing candles to CSV or Parquet, exactly.

Why not ``DataFrame.to_csv``: pandas is an optional extra, and the CSV must carry prices as the
server sent them (``Decimal`` text), never through a float. Parquet needs pyarrow (the ``data``
extra); prices become ``decimal128`` columns there, again without floats.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain.objects import Candle
from ..errors import ConfigurationError

COLUMNS = ("time", "open", "high", "low", "close", "volume", "turnover", "symbol", "interval",
           "currency")
FORMATS = (".csv", ".parquet")


def candle_row(c: Candle) -> dict[str, Any]:
    """One candle as plain values: ISO time (a date for day/week/month bars), exact prices."""
    when = c.time.isoformat() if c.interval == "minute" else c.date.isoformat()
    return {
        "time": when, "open": c.open, "high": c.high, "low": c.low, "close": c.close,
        "volume": c.volume, "turnover": c.turnover, "symbol": c.symbol, "interval": c.interval,
        "currency": str(c.currency),
    }


def check_format(path: Path) -> str:
    """The file format from the suffix; a usage error for anything else."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"--out {path}: the file must end in .csv or .parquet")
    return suffix


def write_candles(candles: Sequence[Candle], path: Path) -> None:
    """Write ``candles`` to ``path`` (``.csv`` or ``.parquet``), creating its directory."""
    suffix = check_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [candle_row(c) for c in candles]
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else str(v) for k, v in row.items()})
        return
    _write_parquet(rows, path)


def _write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigurationError(
            "writing Parquet needs pyarrow, which is not installed",
            hint='pip install "hantoo[data]", or write a .csv file instead',
        ) from None
    columns: dict[str, Any] = {}
    for name in COLUMNS:
        values = [r[name] for r in rows]
        if any(isinstance(v, Decimal) for v in values):
            scale = max((_scale(v) for v in values if isinstance(v, Decimal)), default=0)
            columns[name] = pa.array(values, type=pa.decimal128(38, scale))
        else:
            columns[name] = pa.array(values)
    pq.write_table(pa.table(columns), str(path))


def _scale(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0
