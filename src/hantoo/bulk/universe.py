"""Which symbols: codes, files, whole markets, index constituents and name searches.

Sources of listings, best first:

* the broker's **master files** - KIS publishes ``kospi_code.mst`` and ``kosdaq_code.mst``
  (inside ``.mst.zip`` archives on its download server). They are fixed-width CP949 text: each
  line is the 9-character short code, the 12-character standard code, the Korean name, and a
  fixed-length tail (228 characters for KOSPI, 222 for KOSDAQ) whose first field is the security
  group (``ST`` shares, ``EF`` ETFs, ...). The KOSPI tail also flags the KOSPI200 (sector code,
  blank or ``0`` when not a member), KOSPI100 and KOSPI50 constituents. hantoo reads a local
  copy (``Universe.from_master``); it does not download them itself (download the zip from KIS,
  unzip, pass the ``.mst`` paths);
* a **CSV listing** in the KRX format the simulator loads (``code,name,market,...``);
* otherwise the **simulator's universe** (``Universe.simulator()``) - what the embedded
  simulator lists.

:meth:`Universe.select` turns what a user typed into codes: ``005930`` (a code), ``KOSPI`` /
``KOSDAQ`` (a market), ``KOSPI200`` / ``KOSPI100`` / ``KOSPI50`` (constituents, from a KOSPI
master file), ``name:삼성`` (names containing the text), ``@FILE`` (codes one per line or a CSV
with a ``code`` column).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["INDICES", "MARKETS", "Listing", "Universe", "read_symbol_file"]

MARKETS = ("KOSPI", "KOSDAQ", "KONEX")
INDICES = ("KOSPI200", "KOSPI100", "KOSPI50")
_TAIL = {"KOSPI": 228, "KOSDAQ": 222}
# Offsets inside the KOSPI tail: group 2, size 1, three industry codes 4+4+4, manufacturing 1,
# low liquidity 1, governance index 1 -> KOSPI200 sector at 18, KOSPI100 at 19, KOSPI50 at 20.
_KOSPI_FLAGS = {"KOSPI200": 18, "KOSPI100": 19, "KOSPI50": 20}


@dataclass(frozen=True, slots=True)
class Listing:
    """One listed issue: short code, Korean name, market, security group, index memberships."""

    code: str
    name: str
    market: str
    group: str = ""
    indices: frozenset[str] = field(default_factory=frozenset)


class Universe:
    """A set of listings with the selections users ask for (see the module docstring)."""

    def __init__(self, listings: Iterable[Listing], *, source: str = "") -> None:
        self.listings: tuple[Listing, ...] = tuple(listings)
        self.source = source
        self._by_code = {item.code: item for item in self.listings}

    def __len__(self) -> int:
        return len(self.listings)

    def __iter__(self) -> Iterator[Listing]:
        return iter(self.listings)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __repr__(self) -> str:
        return f"Universe({len(self)} listings{', ' + self.source if self.source else ''})"

    # -- sources --------------------------------------------------------------------------

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str]) -> Universe:
        """A KRX-format listing (``code,name,market[,kind]``), as ``hantoo sim serve
        --universe`` reads."""
        p = Path(path)
        with p.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = {"code", "name", "market"} - set(reader.fieldnames or ())
            if missing:
                raise ValueError(f"{p}: a listing CSV needs the columns code, name, market "
                                 f"(missing {', '.join(sorted(missing))})")
            items = [
                Listing(row["code"].strip(), row["name"].strip(), row["market"].strip().upper(),
                        _group_of_kind(row.get("kind") or ""))
                for row in reader if row.get("code")
            ]
        return cls(items, source=str(p))

    @classmethod
    def from_master(cls, *paths: str | os.PathLike[str], market: str | None = None) -> Universe:
        """KIS master files (``kospi_code.mst``, ``kosdaq_code.mst``; CP949). The market comes
        from ``market`` or the file name."""
        items: list[Listing] = []
        for path in paths:
            p = Path(path)
            mkt = (market or _market_of_name(p.name)).upper()
            if mkt not in _TAIL:
                raise ValueError(f"{p}: say which market this master file lists "
                                 "(market='KOSPI' or 'KOSDAQ'; or name it kospi_code.mst)")
            text = p.read_bytes().decode("cp949", errors="replace")
            items.extend(parse_master(text, mkt))
        return cls(items, source=", ".join(str(p) for p in paths))

    @classmethod
    def simulator(cls) -> Universe:
        """The embedded simulator's own listing (domestic issues only)."""
        from ..sim.engine.universe import Universe as SimUniverse

        items = [Listing(inst.code, inst.name, inst.market.value,
                         _group_of_kind(getattr(inst.kind, "value", "")))
                 for inst in SimUniverse.default() if not inst.market.is_overseas]
        return cls(items, source="simulator")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Universe:
        """A master file (``.mst``) or a listing CSV, by its suffix."""
        p = Path(path)
        if not p.exists():
            raise ValueError(f"{p}: no such file")
        if p.suffix.lower() == ".mst":
            return cls.from_master(p)
        return cls.from_csv(p)

    # -- selections -----------------------------------------------------------------------

    def market(self, name: str) -> list[str]:
        wanted = name.upper()
        return [item.code for item in self.listings if item.market == wanted]

    def index(self, name: str) -> list[str]:
        wanted = name.upper()
        codes = [item.code for item in self.listings if wanted in item.indices]
        if not codes:
            raise ValueError(
                f"no {wanted} constituents in {self.source or 'this universe'}: index "
                "membership comes from the KOSPI master file (kospi_code.mst); pass it with "
                "--master")
        return codes

    def search(self, text: str) -> list[str]:
        """Codes whose name contains ``text`` (case-insensitive)."""
        needle = text.casefold()
        return [item.code for item in self.listings if needle in item.name.casefold()]

    def name_of(self, code: str) -> str | None:
        item = self._by_code.get(code)
        return item.name if item else None

    def select(self, specs: Sequence[str]) -> list[str]:
        """Codes for what a user typed, in order, without duplicates."""
        out: list[str] = []
        for spec in specs:
            text = spec.strip()
            if not text:
                continue
            upper = text.upper()
            if text.startswith("@"):
                found = read_symbol_file(text[1:])
            elif upper in MARKETS:
                found = self.market(upper)
                if not found:
                    raise ValueError(f"no {upper} issues in {self.source or 'this universe'}")
            elif upper in INDICES:
                found = self.index(upper)
            elif upper.startswith("NAME:"):
                found = self.search(text[5:])
                if not found:
                    raise ValueError(f"no issue whose name contains {text[5:]!r} in "
                                     f"{self.source or 'this universe'}")
            else:
                found = [text]
            out.extend(found)
        return list(dict.fromkeys(out))


def parse_master(text: str, market: str) -> list[Listing]:
    """Listings of one master file's text (see the module docstring for the layout)."""
    tail = _TAIL[market]
    items: list[Listing] = []
    for line in text.splitlines():
        line = line.rstrip("\r\n")
        if len(line) <= tail + 21:
            continue
        head, rest = line[:-tail], line[-tail:]
        code = head[0:9].strip()
        name = head[21:].strip()
        if not code:
            continue
        indices: set[str] = set()
        if market == "KOSPI":
            for index, offset in _KOSPI_FLAGS.items():
                flag = rest[offset:offset + 1]
                member = flag.strip() not in ("", "0", "N") if index == "KOSPI200" else (
                    flag == "Y")
                if member:
                    indices.add(index)
        items.append(Listing(code, name, market, rest[0:2].strip(), frozenset(indices)))
    return items


def read_symbol_file(path: str | os.PathLike[str]) -> list[str]:
    """Codes from a file: one per line (``#`` comments allowed), or a CSV with a ``code``
    column."""
    p = Path(path)
    if not p.exists():
        raise ValueError(f"{p}: no such file (a symbol file lists one code per line)")
    text = p.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    if "," in first and "code" in [c.strip().lower() for c in first.split(",")]:
        reader = csv.DictReader(io.StringIO(text))
        column = next(c for c in reader.fieldnames or () if c.strip().lower() == "code")
        return [row[column].strip() for row in reader if row.get(column, "").strip()]
    codes = []
    for line in text.splitlines():
        item = line.split("#", 1)[0].strip()
        if item:
            codes.append(item)
    return codes


def _market_of_name(name: str) -> str:
    lowered = name.lower()
    for market in _TAIL:
        if lowered.startswith(market.lower()):
            return market
    return ""


def _group_of_kind(kind: str) -> str:
    return {"STOCK": "ST", "ETF": "EF", "ETN": "EN"}.get(kind.upper(), "")
