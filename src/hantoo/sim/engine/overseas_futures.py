"""Overseas futures contract specifications as data (CME group and a few others).

One record per product root: exchange, currency, contract multiplier, tick size, initial margin
per contract, and the Globex-style session. A KIS series code is the root, the month letter and
the two-digit year (``ESZ26`` = E-mini S&P 500, December 2026; ``6AM24`` as in the KIS docs);
an option series adds ``C``/``P`` and the strike (``ESZ26 C6000``).

Sources: the exchanges' contract specification pages (multipliers and ticks); margins are
round figures of the order of the exchanges' published maintenance levels, for the simulator's
buying power only. The simulator uses these records to validate series codes, to price them
(:mod:`.futures_quotes`) and to trade them (:mod:`.futures_book`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

#: Futures month codes, January to December.
MONTH_CODES = "FGHJKMNQUVXZ"


@dataclass(frozen=True)
class FuturesSpec:
    """One futures product (all its delivery months)."""

    root: str
    name: str
    exchange: str
    currency: str
    multiplier: Decimal
    tick: Decimal
    margin: Decimal  # initial margin per contract, in ``currency``
    kind: str  # equity_index, rates, fx, energy, metal, agriculture
    ref: Decimal = Decimal(0)  # a plausible price level (late 2026), anchors the seeded model


def _spec(root: str, name: str, exchange: str, mult: str, tick: str, margin: int,
          kind: str, currency: str = "USD") -> FuturesSpec:
    return FuturesSpec(root, name, exchange, currency, Decimal(mult), Decimal(tick),
                       Decimal(margin), kind, _REF[root])


_REF = {k: Decimal(v) for k, v in {
    "ES": "6000", "NQ": "21000", "YM": "44000", "RTY": "2300", "MES": "6000", "MNQ": "21000",
    "ZT": "103.5", "ZF": "107", "ZN": "110.5", "ZB": "117", "6E": "1.08", "6J": "0.0067",
    "6A": "0.65", "6B": "1.27", "CL": "70", "NG": "3.2", "GC": "2650", "SI": "31", "HG": "4.2",
    "ZC": "430", "ZS": "1000", "ZW": "560"}.items()}


SPECS: dict[str, FuturesSpec] = {s.root: s for s in (
    _spec("ES", "E-mini S&P 500", "CME", "50", "0.25", 12_650, "equity_index"),
    _spec("NQ", "E-mini Nasdaq-100", "CME", "20", "0.25", 18_700, "equity_index"),
    _spec("YM", "E-mini Dow ($5)", "CBOT", "5", "1", 9_000, "equity_index"),
    _spec("RTY", "E-mini Russell 2000", "CME", "50", "0.1", 6_800, "equity_index"),
    _spec("MES", "Micro E-mini S&P 500", "CME", "5", "0.25", 1_265, "equity_index"),
    _spec("MNQ", "Micro E-mini Nasdaq-100", "CME", "2", "0.25", 1_870, "equity_index"),
    _spec("ZT", "2-Year T-Note", "CBOT", "2000", "0.0078125", 1_100, "rates"),
    _spec("ZF", "5-Year T-Note", "CBOT", "1000", "0.0078125", 1_500, "rates"),
    _spec("ZN", "10-Year T-Note", "CBOT", "1000", "0.015625", 2_200, "rates"),
    _spec("ZB", "U.S. Treasury Bond", "CBOT", "1000", "0.03125", 4_000, "rates"),
    _spec("6E", "Euro FX", "CME", "125000", "0.00005", 2_600, "fx"),
    _spec("6J", "Japanese Yen", "CME", "12500000", "0.0000005", 3_300, "fx"),
    _spec("6A", "Australian Dollar", "CME", "100000", "0.00005", 1_600, "fx"),
    _spec("6B", "British Pound", "CME", "62500", "0.0001", 2_100, "fx"),
    _spec("CL", "Crude Oil WTI", "NYMEX", "1000", "0.01", 6_000, "energy"),
    _spec("NG", "Henry Hub Natural Gas", "NYMEX", "10000", "0.001", 3_500, "energy"),
    _spec("GC", "Gold", "COMEX", "100", "0.1", 10_000, "metal"),
    _spec("SI", "Silver", "COMEX", "5000", "0.005", 14_000, "metal"),
    _spec("HG", "Copper", "COMEX", "25000", "0.0005", 5_500, "metal"),
    _spec("ZC", "Corn", "CBOT", "50", "0.25", 1_100, "agriculture"),
    _spec("ZS", "Soybeans", "CBOT", "50", "0.25", 2_000, "agriculture"),
    _spec("ZW", "Chicago SRW Wheat", "CBOT", "50", "0.25", 1_700, "agriculture"),
)}
#: Exchange codes KIS uses for overseas derivatives (``EXCH_CD``, ``FM_EXCG_CD``).
EXCHANGES = frozenset({"CME", "CBOT", "NYMEX", "COMEX", "ICE", "EUREX", "SGX", "HKEX", "OSE"})

_SERIES = re.compile(r"^([0-9A-Z]{1,4}?)([FGHJKMNQUVXZ])(\d{2})(?: ?([CP])(\d+(?:\.\d+)?))?$")


def parse_series(code: str) -> tuple[FuturesSpec, int, int, str, Decimal | None] | None:
    """(spec, month 1–12, two-digit year, ``""``/``C``/``P``, strike) of a series code, or
    ``None`` when the code names no known product."""
    m = _SERIES.match(code.strip().upper())
    if m is None:
        return None
    root, month, year, right, strike = m.groups()
    spec = SPECS.get(root)
    if spec is None:
        return None
    return (spec, MONTH_CODES.index(month) + 1, int(year), right or "",
            Decimal(strike) if strike else None)
