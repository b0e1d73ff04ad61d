"""Frozen, public snapshots of engine state and the events sent to listeners.

The engine's own objects are mutable and integer-priced; everything here is immutable and priced
in ``Decimal`` (KRW whole won, USD dollars with cents), ready for the HTTP layer to format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .types import (
    CreditType,
    Market,
    OrderAction,
    OrderStatus,
    OrderType,
    Phase,
    RejectReason,
    Side,
)

AccountKey = tuple[str, str]


def akey(account: AccountKey | list[str]) -> AccountKey:
    """Normalise an account key given as any 2-sequence ``(CANO, ACNT_PRDT_CD)``."""
    return (str(account[0]), str(account[1]))


@dataclass(frozen=True, slots=True)
class OrderInfo:
    """One order record (a new order, a modify or a cancel)."""

    odno: str  # 10-digit, zero-padded (KIS ODNO)
    orig_odno: str | None  # the order a modify/cancel refers to (KIS ORGN_ODNO)
    account: AccountKey
    symbol: str
    name: str
    market: Market
    currency: str
    side: Side
    order_type: OrderType
    action: OrderAction
    price: Decimal  # limit price; 0 for market-type orders
    qty: int
    filled_qty: int
    remaining_qty: int
    cancelled_qty: int
    replaced_qty: int
    avg_fill_price: Decimal
    fill_amount: Decimal
    fees: Decimal
    taxes: Decimal
    status: OrderStatus
    time: datetime
    trade_date: date
    credit_type: CreditType | None
    loan_date: date | None
    reservation_seq: int | None
    exchange: str = "KRX"  # the venue the order works on: KRX or NXT (EXCG_ID_DVSN_CD)


def _fast_constructor(cls: type[Any]) -> Callable[..., Any]:
    """A positional constructor for a frozen slots dataclass that skips its ``__init__``.

    Why: a frozen dataclass sets each field through ``object.__setattr__``, which costs about
    four times what a plain ``self.x = x`` into a slot does; :class:`OrderInfo` is built for
    every order command's answer, so this is on the engine's command path. The object is built
    as a mutable twin with the very same slots (plain attribute stores, the interpreter's
    fastest), then becomes ``cls`` by ``__class__`` assignment, which CPython allows between
    classes of identical layout. The result is the same class, frozen and equal to one built
    normally. Where the assignment is refused (another interpreter), the fields are set through
    the slot descriptors instead.
    """
    names = [f.name for f in fields(cls)]
    params = ", ".join(names)
    env: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    stores = "".join(f"  self.{n} = {n}\n" for n in names)
    exec(
        f"class _Twin:\n __slots__ = {tuple(cls.__slots__)!r}\n"
        f" def __init__(self, {params}):\n{stores}  self.__class__ = _cls\n",
        env,
    )
    twin = env["_Twin"]
    try:
        probe = twin(*range(len(names)))
        if type(probe) is cls and [getattr(probe, n) for n in names] == list(range(len(names))):
            return twin  # type: ignore[no-any-return]
    except TypeError:
        pass
    env.update({f"_s{i}": getattr(cls, n).__set__ for i, n in enumerate(names)})
    body = "".join(f" _s{i}(o, {n})\n" for i, n in enumerate(names))
    exec(f"def make({params}):\n o = _new(_cls)\n{body} return o\n", env)
    return env["make"]  # type: ignore[no-any-return]


make_order_info: Callable[..., OrderInfo] = _fast_constructor(OrderInfo)
"""``OrderInfo(*fields)`` in field order, for the engine's hot path (see above)."""


@dataclass(frozen=True, slots=True)
class FillInfo:
    """One execution of one order."""

    fill_id: str
    odno: str
    account: AccountKey
    symbol: str
    side: Side
    qty: int
    price: Decimal
    amount: Decimal
    fee: Decimal
    tax: Decimal
    time: datetime
    trade_date: date
    currency: str
    credit_type: CreditType | None


@dataclass(frozen=True, slots=True)
class Quote:
    """Current-price snapshot (KIS 주식현재가 시세 / 해외주식 현재체결가)."""

    symbol: str
    name: str
    market: Market
    currency: str
    time: datetime
    trade_date: date
    phase: Phase
    price: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    prev_close: Decimal
    change: Decimal
    change_rate: Decimal  # percent, 2 decimals
    change_sign: str  # KIS prdy_vrss_sign: 1 upper limit, 2 up, 3 flat, 4 lower limit, 5 down
    volume: int
    trade_value: Decimal
    upper_limit: Decimal | None
    lower_limit: Decimal | None
    tick_size: Decimal
    best_ask: Decimal | None
    best_bid: Decimal | None
    high_52w: Decimal
    high_52w_date: date
    low_52w: Decimal
    low_52w_date: date
    shares_outstanding: int
    market_cap: Decimal
    expected_price: Decimal | None  # during call auctions
    expected_qty: int | None


@dataclass(frozen=True, slots=True)
class BookLevel:
    price: Decimal
    qty: int


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    """Up to 10 levels a side, best first (KIS 호가/예상체결)."""

    symbol: str
    time: datetime
    phase: Phase
    asks: tuple[BookLevel, ...]
    bids: tuple[BookLevel, ...]
    total_ask_qty: int
    total_bid_qty: int
    expected_price: Decimal | None
    expected_qty: int | None


@dataclass(frozen=True, slots=True)
class Candle:
    """An OHLCV bar; ``start`` is the date (daily+) or the minute (intraday)."""

    start: datetime | date
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    value: Decimal


@dataclass(frozen=True, slots=True)
class TradeInfo:
    """One time-and-sales print."""

    time: datetime
    price: Decimal
    qty: int
    side: Side | None  # aggressor; None for auction prints
    cum_volume: int


@dataclass(frozen=True, slots=True)
class PositionInfo:
    symbol: str
    name: str
    market: Market
    currency: str
    qty: int
    sellable_qty: int
    avg_price: Decimal
    purchase_amount: Decimal
    price: Decimal
    eval_amount: Decimal
    eval_pnl: Decimal
    eval_pnl_rate: Decimal  # percent, 2 decimals
    realized_pnl: Decimal
    credit_type: CreditType | None
    loan_date: date | None
    loan_amount: Decimal


@dataclass(frozen=True, slots=True)
class BalanceSummary:
    """Account totals in one currency. Cash moves at the fill; D+1/D+2 are computed."""

    currency: str
    cash: Decimal  # 예수금 (settled view: today's and yesterday's trade flows taken out)
    cash_d1: Decimal
    cash_d2: Decimal  # what the account will hold once everything settles (= live cash)
    reserved: Decimal  # held by open buy orders
    orderable: Decimal
    purchase_amount: Decimal
    eval_amount: Decimal
    eval_pnl: Decimal
    total_eval: Decimal  # cash_d2 + positions at market - loans
    realized_pnl: Decimal
    fees_paid: Decimal
    taxes_paid: Decimal
    loan_amount: Decimal


@dataclass(frozen=True, slots=True)
class Balance:
    account: AccountKey
    account_kind: str
    positions: tuple[PositionInfo, ...]
    summary: tuple[BalanceSummary, ...]
    pension_contributed: Decimal


@dataclass(frozen=True, slots=True)
class BuyingPower:
    """KIS 매수가능조회: what an order at ``price`` could buy."""

    symbol: str
    price: Decimal
    currency: str
    cash: Decimal
    orderable_cash: Decimal
    max_qty: int  # cash order
    max_qty_credit: int  # margin buy at the configured ratio (0 when not allowed)


@dataclass(frozen=True, slots=True)
class ReservationInfo:
    seq: int
    account: AccountKey
    symbol: str
    side: Side
    order_type: OrderType
    qty: int
    price: Decimal
    created: date
    start_date: date
    end_date: date
    filled_qty: int
    active: bool
    cancelled: bool
    odnos: tuple[str, ...]
    last_error: str | None


# ---- events ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderAccepted:
    order: OrderInfo


@dataclass(frozen=True, slots=True)
class OrderFilled:
    fill: FillInfo
    order: OrderInfo


@dataclass(frozen=True, slots=True)
class OrderModified:
    order: OrderInfo  # the modifying order (new ODNO)
    original: OrderInfo


@dataclass(frozen=True, slots=True)
class OrderCancelled:
    order: OrderInfo
    qty: int
    reason: str  # "user", "ioc", "fok", "expired", "auction"


@dataclass(frozen=True, slots=True)
class OrderRejected:
    account: AccountKey
    symbol: str
    reason: RejectReason
    message: str


@dataclass(frozen=True, slots=True)
class TradeTick:
    """Every print (user or synthetic) of a symbol being watched or traded (H0STCNT0-like)."""

    symbol: str
    time: datetime
    price: Decimal
    qty: int
    side: Side | None
    cum_volume: int
    cum_value: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    prev_close: Decimal


@dataclass(frozen=True, slots=True)
class BookChanged:
    """The visible book of a symbol changed (coalesced: at most one per command)."""

    symbol: str


Event = (
    OrderAccepted
    | OrderFilled
    | OrderModified
    | OrderCancelled
    | OrderRejected
    | TradeTick
    | BookChanged
)
