"""Overseas futures contracts as data: what the SDK checks before an order leaves.

One record per product root (CME group products): exchange, currency, contract multiplier and
tick size, from the exchanges' contract specification pages. A KIS series code is the root, the
month letter and the two-digit year (``ESZ26`` = E-mini S&P 500, December 2026); an option
series adds ``C``/``P`` and the strike (``ESZ26 C6000``). A symbol names the exchange too:
``"CME:ESZ26"``.

The simulator builds its futures market on the same records (:mod:`hantoo.sim.engine.
overseas_futures`), so a tick the SDK accepts is a tick the simulator accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .errors import InvalidSymbolFormatError

__all__ = ["CONTRACTS", "EXCHANGES", "MONTH_CODES", "FuturesContract", "Series", "parse_series"]

#: Futures month codes, January to December.
MONTH_CODES = "FGHJKMNQUVXZ"


@dataclass(frozen=True, slots=True)
class FuturesContract:
    """One futures product (all its delivery months)."""

    root: str
    name: str
    exchange: str
    currency: str
    multiplier: Decimal
    tick: Decimal
    kind: str  # equity_index, rates, fx, energy, metal, agriculture

    @property
    def tick_value(self) -> Decimal:
        """Money one tick moves one contract by."""
        return self.tick * self.multiplier


def _c(root: str, name: str, exchange: str, mult: str, tick: str, kind: str) -> FuturesContract:
    return FuturesContract(root, name, exchange, "USD", Decimal(mult), Decimal(tick), kind)


CONTRACTS: dict[str, FuturesContract] = {c.root: c for c in (
    _c("ES", "E-mini S&P 500", "CME", "50", "0.25", "equity_index"),
    _c("NQ", "E-mini Nasdaq-100", "CME", "20", "0.25", "equity_index"),
    _c("YM", "E-mini Dow ($5)", "CBOT", "5", "1", "equity_index"),
    _c("RTY", "E-mini Russell 2000", "CME", "50", "0.1", "equity_index"),
    _c("MES", "Micro E-mini S&P 500", "CME", "5", "0.25", "equity_index"),
    _c("MNQ", "Micro E-mini Nasdaq-100", "CME", "2", "0.25", "equity_index"),
    _c("ZT", "2-Year T-Note", "CBOT", "2000", "0.0078125", "rates"),
    _c("ZF", "5-Year T-Note", "CBOT", "1000", "0.0078125", "rates"),
    _c("ZN", "10-Year T-Note", "CBOT", "1000", "0.015625", "rates"),
    _c("ZB", "U.S. Treasury Bond", "CBOT", "1000", "0.03125", "rates"),
    _c("6E", "Euro FX", "CME", "125000", "0.00005", "fx"),
    _c("6J", "Japanese Yen", "CME", "12500000", "0.0000005", "fx"),
    _c("6A", "Australian Dollar", "CME", "100000", "0.00005", "fx"),
    _c("6B", "British Pound", "CME", "62500", "0.0001", "fx"),
    _c("CL", "Crude Oil WTI", "NYMEX", "1000", "0.01", "energy"),
    _c("NG", "Henry Hub Natural Gas", "NYMEX", "10000", "0.001", "energy"),
    _c("GC", "Gold", "COMEX", "100", "0.1", "metal"),
    _c("SI", "Silver", "COMEX", "5000", "0.005", "metal"),
    _c("HG", "Copper", "COMEX", "25000", "0.0005", "metal"),
    _c("ZC", "Corn", "CBOT", "50", "0.25", "agriculture"),
    _c("ZS", "Soybeans", "CBOT", "50", "0.25", "agriculture"),
    _c("ZW", "Chicago SRW Wheat", "CBOT", "50", "0.25", "agriculture"),
)}
#: Exchange codes KIS uses for overseas derivatives (``EXCH_CD``, ``FM_EXCG_CD``).
EXCHANGES = frozenset({"CME", "CBOT", "NYMEX", "COMEX", "ICE", "EUREX", "SGX", "HKEX", "OSE"})

_SERIES = re.compile(r"^([0-9A-Z]{1,4}?)([FGHJKMNQUVXZ])(\d{2})(?: ?([CP])(\d+(?:\.\d+)?))?$")


@dataclass(frozen=True, slots=True)
class Series:
    """One series: the product, its delivery month and, for an option, right and strike."""

    code: str
    contract: FuturesContract
    month: int
    year2: int
    right: str = ""  # "", "C" or "P"
    strike: Decimal | None = None


def parse_series(code: str) -> Series | None:
    """The series a code names, or ``None`` when it names no known product."""
    text = code.strip().upper()
    m = _SERIES.match(text)
    if m is None:
        return None
    root, month, year, right, strike = m.groups()
    contract = CONTRACTS.get(root)
    if contract is None:
        return None
    return Series(text, contract, MONTH_CODES.index(month) + 1, int(year), right or "",
                  Decimal(strike) if strike else None)


def series_or_error(code: str) -> Series:
    """:func:`parse_series`, or an error saying what a series code looks like."""
    s = parse_series(code)
    if s is None:
        raise InvalidSymbolFormatError(
            f"{code!r} is not a futures series: product root + month letter + two-digit year, "
            f"e.g. ESZ26 (known roots: {', '.join(sorted(CONTRACTS))})")
    return s
