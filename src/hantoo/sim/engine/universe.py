"""Instruments and the universe loader.

The default universe ships as ``hantoo/sim/data/universe.csv`` (about 60 real KRX issues, a few
US tickers and a few well-known issues of each Asian exchange, with plausible price levels). A
user's file in the KRX listing format
(``code,name,market,last_price,volume,par_value,shares_outstanding``, optional ``kind`` and
``lot``; ``market`` may be any exchange code of :class:`~.types.Market`) is read by the same
loader. Loading is explicit (:meth:`Universe.default`, :meth:`Universe.from_csv`):
nothing is read at import time.
"""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from .overseas_markets import MARKET_SLOT, SLOT_CURRENCY, SPECS, LimitFn, limits_for
from .ticks import (
    CURRENCY_SCALE,
    TickFn,
    daily_limits,
    fund_tick,
    krx_stock_tick,
    to_units,
    us_tick,
)
from .types import InstrumentKind, Market

_FUND_PREFIXES = (
    "KODEX", "TIGER", "KOSEF", "ARIRANG", "KBSTAR", "HANARO", "ACE ", "SOL ", "RISE ", "PLUS ",
)


class Instrument:
    """One listed issue. ``ref_price`` is in minor units (won, cents, ...).

    ``mk`` is the engine slot of its market (timetable and settlement currency, see
    :mod:`.overseas_markets`); ``lot`` the order quantity unit; ``limits_of(base)`` the day's
    (lower, upper) price limits.
    """

    __slots__ = (
        "code",
        "currency",
        "is_us",
        "kind",
        "limits_of",
        "lot",
        "market",
        "mk",
        "name",
        "par_value",
        "ref_price",
        "scale",
        "shares",
        "tick_of",
        "volume",
    )

    def __init__(
        self,
        code: str,
        name: str,
        market: Market,
        ref_price: int,
        *,
        kind: InstrumentKind = InstrumentKind.STOCK,
        volume: int = 0,
        shares: int = 0,
        par_value: int = 0,
        lot: int = 0,
    ) -> None:
        if ref_price <= 0:
            raise ValueError(f"{code}: reference price must be positive")
        self.code = code
        self.name = name
        self.market = market
        self.kind = kind
        self.ref_price = ref_price
        self.volume = volume
        self.shares = shares
        self.par_value = par_value
        self.is_us = market.is_us
        self.mk = MARKET_SLOT[market]
        self.currency = SLOT_CURRENCY[self.mk]
        self.scale = CURRENCY_SCALE[self.currency]
        self.tick_of: TickFn
        self.limits_of: LimitFn
        spec = SPECS.get(market)
        if spec is not None:
            self.tick_of = us_tick if self.is_us else spec.tick_of
            self.limits_of = limits_for(market, code)
            self.lot = lot or spec.lot
        else:
            self.tick_of = krx_stock_tick if kind is InstrumentKind.STOCK else fund_tick
            self.limits_of = self._krx_limits
            self.lot = lot or 1

    def _krx_limits(self, base: int) -> tuple[int, int]:
        return daily_limits(base, self.tick_of)

    def __repr__(self) -> str:
        return f"Instrument({self.code!r}, {self.name!r}, {self.market.value})"


def _guess_kind(name: str, market: Market) -> InstrumentKind:
    if not market.is_overseas and name.upper().startswith(_FUND_PREFIXES):
        return InstrumentKind.ETF
    if "ETN" in name.upper():
        return InstrumentKind.ETN
    return InstrumentKind.STOCK


def _rows(text: str) -> Iterator[dict[str, str]]:
    yield from csv.DictReader(io.StringIO(text.lstrip("\ufeff")))


def _count(text: str | None) -> int:
    """A whole number from a listing column ("1,234", "0.25", "" and "-" are tolerated)."""
    t = (text or "").replace(",", "").strip()
    if not t or t == "-":
        return 0
    return int(Decimal(t))


def _parse(row: dict[str, str], line: int) -> Instrument:
    try:
        market = Market(row["market"].strip().upper())
        code = row["code"].strip()
        if not market.is_overseas or market in (Market.SHAA, Market.SZAA):
            code = code.zfill(6)
        elif market is Market.SEHK:
            code = code.zfill(5)
        name = row["name"].strip()
        kind_text = (row.get("kind") or "").strip().upper()
        kind = InstrumentKind(kind_text) if kind_text else _guess_kind(name, market)
        scale = CURRENCY_SCALE[SLOT_CURRENCY[MARKET_SLOT[market]]]
        price = to_units(row["last_price"].strip().replace(",", ""), scale)
        if price is None:
            raise ValueError(f"price {row['last_price']!r} has too many decimals")
        tick = Instrument(code, name, market, price, kind=kind).tick_of(price)
        price -= price % tick  # old snapshots may predate the current grid
        return Instrument(
            code,
            name,
            market,
            max(price, tick),
            kind=kind,
            volume=_count(row.get("volume")),
            shares=_count(row.get("shares_outstanding")),
            par_value=_count(row.get("par_value")),
            lot=_count(row.get("lot")),
        )
    except (KeyError, ValueError, InvalidOperation) as exc:
        raise ValueError(f"universe line {line}: {exc}") from exc


#: Makers of on-demand listers, as ``"module:function"`` (imported at the first code the file
#: does not list): given an exchange, a function from a code to the instrument it lists now (or
#: ``None``). Why: some issues exist only through a model of the simulator (ELWs are listed from
#: the derivatives model, :mod:`hantoo.sim.derivatives.elw_trading`); they are tradable by code
#: but not part of the universe's iteration (rankings, indices).
ON_DEMAND: list[str] = ["hantoo.sim.derivatives.elw_trading:lister"]

#: What on-demand issues do by themselves when a KRX trading day starts, as ``"module:function"``
#: called with ``(exchange, day)`` (only once an issue was listed on demand): ELWs past their
#: payment date are exercised and paid out (:mod:`hantoo.sim.derivatives.elw_expiry`).
ON_ROLL: list[str] = ["hantoo.sim.derivatives.elw_expiry:settle_due"]


def _load(spec: str) -> Callable[[object], Callable[[str], Instrument | None]]:
    module, _, name = spec.partition(":")
    fn: Callable[[object], Callable[[str], Instrument | None]] = getattr(
        importlib.import_module(module), name)
    return fn


class Universe:
    """An ordered, code-indexed set of instruments (plus issues listed on demand, see
    :data:`ON_DEMAND`: found by code, never iterated)."""

    __slots__ = ("_by_code", "_extra", "_owner", "listers")

    def __init__(self, instruments: Iterable[Instrument]) -> None:
        self._extra: dict[str, Instrument] = {}
        self._owner: object | None = None
        self.listers: list[Callable[[str], Instrument | None]] = []
        self._by_code: dict[str, Instrument] = {}
        for inst in instruments:
            if inst.code in self._by_code:
                raise ValueError(f"duplicate code {inst.code}")
            self._by_code[inst.code] = inst

    @classmethod
    def from_csv_text(cls, text: str) -> Universe:
        """Parse CSV text in the KRX listing format (see the module docstring)."""
        return cls(_parse(row, i + 2) for i, row in enumerate(_rows(text)))

    @classmethod
    def from_csv(cls, path: str | Path) -> Universe:
        """Read a user's universe file."""
        return cls.from_csv_text(Path(path).read_text(encoding="utf-8-sig"))

    @classmethod
    def default(cls) -> Universe:
        """The universe shipped with hantoo."""
        text = resources.files("hantoo.sim.data").joinpath("universe.csv").read_text("utf-8")
        return cls.from_csv_text(text)

    def get(self, code: str) -> Instrument | None:
        inst = self._by_code.get(code)
        if inst is None:
            inst = self._extra.get(code)
            if inst is None and self._owner is not None:
                inst = self._on_demand(code)
        return inst

    def _on_demand(self, code: str) -> Instrument | None:
        if not self.listers:
            self.listers = [_load(spec)(self._owner) for spec in ON_DEMAND]
        for lister in self.listers:
            inst = lister(code)
            if inst is not None:
                return self._extra.setdefault(code, inst)
        return None

    def adopt(self, inst: Instrument) -> Instrument:
        """Keep an on-demand instrument (a restored snapshot's), the first one of a code wins."""
        return self._by_code.get(inst.code) or self._extra.setdefault(inst.code, inst)

    def extras(self) -> list[Instrument]:
        """The on-demand instruments listed so far."""
        return list(self._extra.values())

    def roll(self, day: date) -> None:
        """Run the :data:`ON_ROLL` hooks for KRX trading day ``day`` (engine timetable)."""
        if not self._extra or self._owner is None:
            return
        for spec in ON_ROLL:
            module, _, name = spec.partition(":")
            getattr(importlib.import_module(module), name)(self._owner, day)

    def extra(self, code: str) -> Instrument | None:
        """An on-demand instrument already listed (no lister is asked)."""
        return self._extra.get(code)

    def attach(self, exchange: object) -> None:
        """Ask the :data:`ON_DEMAND` listers of ``exchange`` for codes not in the file."""
        self._owner = exchange
        self.listers = []

    def __getitem__(self, code: str) -> Instrument:
        inst = self.get(code)
        if inst is None:
            raise KeyError(code)
        return inst

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def __iter__(self) -> Iterator[Instrument]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def codes(self) -> list[str]:
        return list(self._by_code)
