"""Symbols, normalised per instrument kind, not blindly to six digits.

KIS codes differ by kind: stocks and ETFs are 6 characters (digits, or since 2024 also
alphanumeric such as ``0008Z0``); ETNs are sent as 7 characters with a ``Q`` prefix (``Q500001``,
which the quote APIs require and the order APIs accept); bonds are 12-character ISIN-style codes;
overseas instruments are tickers that only mean something together with an exchange — and the
order/account APIs name exchanges ``NASD``/``NYSE``/``AMEX`` while the quote APIs use
``NAS``/``NYS``/``AMS``. :class:`Symbol` holds one normalised identity and gives each API the
form it wants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidSymbolFormatError
from .futures import EXCHANGES as FUTURES_EXCHANGES
from .futures import FuturesContract, series_or_error
from .ticks import TickRule

__all__ = ["Currency", "InstrumentKind", "Symbol", "to_symbol"]


class Currency(StrEnum):
    KRW = "KRW"
    USD = "USD"
    HKD = "HKD"
    CNY = "CNY"
    JPY = "JPY"
    VND = "VND"


class InstrumentKind(StrEnum):
    STOCK = "stock"
    ETF = "etf"
    ETN = "etn"
    ELW = "elw"
    BOND = "bond"
    OVERSEAS = "overseas"
    FUTURES = "futures"  # overseas futures series (``CME:ESZ26``)


# order/account exchange code → (quote exchange code, currency)
_EXCHANGES: dict[str, tuple[str, Currency]] = {
    "NASD": ("NAS", Currency.USD),
    "NYSE": ("NYS", Currency.USD),
    "AMEX": ("AMS", Currency.USD),
    "SEHK": ("HKS", Currency.HKD),
    "SHAA": ("SHS", Currency.CNY),
    "SZAA": ("SZS", Currency.CNY),
    "TKSE": ("TSE", Currency.JPY),
    "HASE": ("HNX", Currency.VND),
    "VNSE": ("HSX", Currency.VND),
}
_QUOTE_TO_ORDER = {quote: order for order, (quote, _c) in _EXCHANGES.items()}
_ALIASES = {"NASDAQ": "NASD", "NAS": "NASD", "NYS": "NYSE", "AMS": "AMEX", "ARCA": "AMEX",
            "HKS": "SEHK", "SHS": "SHAA", "SZS": "SZAA", "TSE": "TKSE", "HNX": "HASE",
            "HSX": "VNSE"}
US_EXCHANGES = frozenset({"NASD", "NYSE", "AMEX"})
#: Tick table and order lot per non-US exchange (Hong Kong's board lot differs per issue, so
#: the SDK leaves that check to the exchange).
_ASIA_RULES: dict[str, tuple[TickRule, int | None]] = {
    "SEHK": (TickRule.HK, None), "TKSE": (TickRule.TSE, 100), "SHAA": (TickRule.CN, 100),
    "SZAA": (TickRule.CN, 100), "VNSE": (TickRule.HOSE, 100), "HASE": (TickRule.HNX, 100),
}

_DOMESTIC = re.compile(r"^[0-9A-Z]{6}$")
_TICKER = re.compile(r"^[A-Z0-9][A-Z0-9./\-]{0,15}$")


def _exchange(code: str) -> str:
    up = code.strip().upper()
    up = _ALIASES.get(up, up)
    if up not in _EXCHANGES:
        known = ", ".join(sorted(_EXCHANGES))
        raise InvalidSymbolFormatError(f"unknown exchange {code!r}; known: {known}")
    return up


@dataclass(frozen=True, slots=True)
class Symbol:
    """One instrument: ``code`` as KIS orders it, its kind, and the exchange for overseas ones."""

    code: str
    kind: InstrumentKind = InstrumentKind.STOCK
    exchange: str = "KRX"

    def __str__(self) -> str:
        return self.code if self.exchange == "KRX" else f"{self.exchange}:{self.code}"

    @property
    def is_overseas(self) -> bool:
        return self.kind is InstrumentKind.OVERSEAS

    @property
    def is_us(self) -> bool:
        return self.exchange in US_EXCHANGES

    @property
    def is_futures(self) -> bool:
        """An overseas futures series (``CME:ESZ26``): its own APIs, contract and tick."""
        return self.kind is InstrumentKind.FUTURES

    @property
    def contract(self) -> FuturesContract:
        """The futures product of a futures symbol (multiplier, tick, currency)."""
        if not self.is_futures:
            raise ValueError(f"{self} is not a futures symbol")
        return series_or_error(self.code).contract

    @property
    def quote_code(self) -> str:
        """The form quote APIs take (``FID_INPUT_ISCD`` / ``SYMB``)."""
        return self.code

    @property
    def order_code(self) -> str:
        """The form order and account APIs take (``PDNO``)."""
        return self.code

    @property
    def quote_exchange(self) -> str:
        """``EXCD`` for overseas quote APIs (``NAS``), ``""`` for domestic."""
        return _EXCHANGES[self.exchange][0] if self.is_overseas else ""

    @property
    def currency(self) -> Currency:
        if self.is_futures:
            return Currency(self.contract.currency)
        return _EXCHANGES[self.exchange][1] if self.is_overseas else Currency.KRW

    @property
    def lot_size(self) -> int | None:
        """Shares per order unit where the exchange fixes one (Tokyo, China, Vietnam: 100; US
        and KRX: 1); ``None`` for Hong Kong, whose board lot differs per issue."""
        if self.is_overseas and self.exchange in _ASIA_RULES:
            return _ASIA_RULES[self.exchange][1]
        return 1  # futures: whole contracts

    @property
    def tick_rule(self) -> TickRule:
        if self.is_overseas:
            return _ASIA_RULES[self.exchange][0] if self.exchange in _ASIA_RULES else TickRule.US
        if self.kind in (InstrumentKind.ETF, InstrumentKind.ETN, InstrumentKind.ELW):
            return TickRule.KRX_FUND
        return TickRule.KRX_STOCK

    # -- constructors -----------------------------------------------------------------------

    @classmethod
    def domestic(cls, code: str | int, kind: InstrumentKind | str = InstrumentKind.STOCK) -> Symbol:
        """A KRX instrument. Accepts ``5930`` → ``005930``, ``A005930`` (vendor prefix), and for
        ETNs ``500001`` or ``Q500001`` → ``Q500001``."""
        k = InstrumentKind(kind)
        text = str(code).strip().upper()
        if k is InstrumentKind.BOND:
            if not re.fullmatch(r"[0-9A-Z]{12}", text):
                raise InvalidSymbolFormatError(
                    f"bond codes are 12 characters (e.g. KR103502GA34), got {code!r}"
                )
            return cls(text, k)
        if k is InstrumentKind.OVERSEAS:
            raise InvalidSymbolFormatError("use Symbol.overseas(ticker, exchange)")
        if text.startswith("Q") and len(text) == 7:
            k = InstrumentKind.ETN
            text = text[1:]
        elif text.startswith("A") and len(text) == 7 and text[1:].isdigit():
            text = text[1:]
        if text.isdigit() and len(text) < 6:
            text = text.zfill(6)
        if not _DOMESTIC.fullmatch(text):
            raise InvalidSymbolFormatError(
                f"a KRX code is 6 characters (e.g. 005930; ETN Q500001), got {code!r}"
            )
        if k is InstrumentKind.ETN:
            text = "Q" + text
        return cls(text, k)

    @classmethod
    def overseas(cls, ticker: str, exchange: str) -> Symbol:
        """An overseas instrument; ``exchange`` in either naming (``NASD`` or ``NAS``)."""
        t = ticker.strip().upper()
        if not _TICKER.fullmatch(t):
            raise InvalidSymbolFormatError(f"not a ticker: {ticker!r}")
        return cls(t, InstrumentKind.OVERSEAS, _exchange(exchange))

    @classmethod
    def futures(cls, code: str, exchange: str | None = None) -> Symbol:
        """An overseas futures series (``ESZ26``); ``exchange`` (``CME``...) must be the
        product's own when given."""
        series = series_or_error(code)
        if series.right:
            raise InvalidSymbolFormatError(
                f"{code!r} is an option series; options are not supported as symbols")
        own = series.contract.exchange
        if exchange is not None and exchange.strip().upper() != own:
            raise InvalidSymbolFormatError(
                f"{series.code} ({series.contract.name}) trades on {own}, not {exchange!r}")
        return cls(series.code, InstrumentKind.FUTURES, own)


def to_symbol(
    value: Symbol | str | int,
    *,
    exchange: str | None = None,
    kind: InstrumentKind | str | None = None,
) -> Symbol:
    """Normalise what a user typed: ``"005930"``, ``5930``, ``"Q500001"``, ``"NASD:AAPL"``,
    ``"AAPL.NAS"``, ``"AAPL"`` with ``exchange="NASD"``, a bond ISIN ``"KR2033022D33"``, or an
    overseas futures series ``"CME:ESZ26"``."""
    if isinstance(value, Symbol):
        return value
    text = str(value).strip().upper()
    if kind is not None and InstrumentKind(kind) is InstrumentKind.FUTURES:
        return Symbol.futures(text, exchange)
    if exchange is not None and exchange.strip().upper() in FUTURES_EXCHANGES:
        return Symbol.futures(text, exchange)
    if not text:
        raise InvalidSymbolFormatError(
            "a symbol is required: a 6-digit code such as 005930, or EXCHANGE:TICKER such as "
            "NASD:AAPL")
    if exchange is not None:
        return Symbol.overseas(text, exchange)
    if kind is not None and InstrumentKind(kind) is InstrumentKind.OVERSEAS:
        raise InvalidSymbolFormatError(f"{value!r}: an overseas symbol needs an exchange")
    for sep in (":", "."):
        if sep in text:
            left, right = text.split(sep, 1)
            if sep == ":" and left in FUTURES_EXCHANGES:
                return Symbol.futures(right, left)
            if left in _EXCHANGES or left in _ALIASES:
                return Symbol.overseas(right, left)
            if right in _EXCHANGES or right in _ALIASES:
                return Symbol.overseas(left, right)
    if kind is None and len(text) == 12 and text.startswith("KR") and text.isalnum():
        return Symbol.domestic(text, InstrumentKind.BOND)  # a KRX bond ISIN, never a ticker
    if isinstance(value, int) or text[:1].isdigit() or (
        len(text) == 7 and text[0] in "QA" and text[1:].isdigit()
    ) or (kind is not None):
        return Symbol.domestic(text, kind or InstrumentKind.STOCK)
    if not text.isascii():
        raise InvalidSymbolFormatError(
            f"{value!r} is not a code: give the 6-digit code (e.g. 005930 for 삼성전자); "
            "`hantoo search NAME` finds it")
    raise InvalidSymbolFormatError(
        f"{value!r} looks like an overseas ticker: name its exchange, e.g. 'NASD:{text}' "
        "or exchange='NASD'"
    )


def exchange_from_quote_code(code: str) -> str:
    """``NAS`` → ``NASD`` (responses sometimes carry the quote naming)."""
    up = code.strip().upper()
    return _QUOTE_TO_ORDER.get(up, up)
