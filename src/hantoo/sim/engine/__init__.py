"""The simulator's pure core: matching engine, accounts, market data, clock.

Deterministic under a seed: the same configuration and the same sequence of commands give the
same orders, fills and prices. No I/O happens at import; the default universe is read when an
:class:`Exchange` is built without one.

Invariants (checked by the property tests in ``tests/sim``, see :func:`check_invariants`):

1. **Quantity** — for every order ``qty == filled + remaining + cancelled + replaced``; a
   modify's ``replaced`` quantity reappears as the modifying order's ``qty``.
2. **Cash** — per currency, the cash of every account (users, the synthetic *house*
   counterparty, the margin *lender*) plus the fee and tax ledgers equals the sum of deposits.
   Shares likewise: per symbol, user positions + margin lots + the house position sum to zero.
3. **Reservations** — an account's reserved cash equals what its open buy orders hold; a
   position's reserved shares equal its open sell quantity.
4. **No crossed book** — after matching in the continuous session, best bid < best ask.
5. **FIFO** — within a price level, live orders keep their arrival (priority) order.

Public API (prices are ``Decimal`` at this boundary, integers inside)::

    ex = Exchange(ExchangeConfig(seed=1))                # stepped clock at 09:00 KST
    acct = ex.open_account("12345678", "01", krw=10_000_000)
    o = ex.place_order(acct, "005930", Side.BUY, OrderType.LIMIT, 10, Decimal("71000"))
    ex.modify_order(acct, o.odno, price=Decimal("70900"))
    ex.cancel_order(acct, o.odno, qty=5)
    ex.advance(60)                                       # or advance_to(datetime), sync()

Commands: ``open_account``, ``deposit``, ``grant_shares``, ``place_order`` (``credit=``,
``loan_date=`` for margin), ``modify_order``, ``cancel_order``, ``reserve_order``,
``cancel_reservation``, ``watch``, ``advance``/``advance_to``/``sync``, ``add_listener``.
Queries: ``quote``, ``order_book``, ``daily_candles`` (D/W/M/Y), ``minute_candles``, ``trades``,
``open_orders``, ``order_history`` (date range, side, symbol, filled/unfilled), ``order``,
``fill_history``, ``balance``, ``buying_power``, ``sellable_qty``, ``reservation_list``,
``phase``, ``trading_day``, ``instrument``. Events (``add_listener``): :class:`OrderAccepted`,
:class:`OrderFilled`, :class:`OrderModified`, :class:`OrderCancelled`, :class:`OrderRejected`,
:class:`TradeTick`, :class:`BookChanged` — delivered after the command's changes are durable.
Refusals raise :class:`EngineReject` with a stable :class:`RejectReason`.

Hot path for the server and benchmarks: ``Exchange.submit(account, instrument, side, otype, qty,
price_units)`` and ``Exchange.cancel(order)`` take integer prices and internal objects (call
``sync()`` first). Durability: ``hantoo.sim.store.open_exchange(path, config)``.

Simplifications, on purpose: cash and shares move at the fill (D+1/D+2 are *reported* from
per-day cash flows); the unfilled rest of a continuous-session market order waits as a limit at
its last fill price; US sessions ignore US holidays and, with simulated clocks, are laid on the
KRX day (09:30 New York = 09:00 KST, ``us_mode="mirror"``); daily bars of past *simulated*
days come from the seeded history (whose open/close the live day follows), not from a record
of the live session.
"""

from .calendar import KRX_HOLIDAYS, TradingCalendar
from .clock import KST, ClockMode, SessionClock
from .config import ExchangeConfig
from .exchange import Exchange
from .fees import FeeConfig, FeeSchedule
from .invariants import check_invariants
from .replay import ReplayData, load_replay
from .ticks import daily_limits, krx_stock_tick
from .types import (
    AccountKind,
    CreditType,
    EngineReject,
    InstrumentKind,
    Market,
    OrderAction,
    OrderStatus,
    OrderType,
    Phase,
    RejectReason,
    Side,
)
from .universe import Instrument, Universe
from .views import (
    AccountKey,
    Balance,
    BalanceSummary,
    BookChanged,
    BookLevel,
    BookSnapshot,
    BuyingPower,
    Candle,
    Event,
    FillInfo,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderInfo,
    OrderModified,
    OrderRejected,
    PositionInfo,
    Quote,
    ReservationInfo,
    TradeInfo,
    TradeTick,
)

__all__ = [
    "KRX_HOLIDAYS",
    "KST",
    "AccountKey",
    "AccountKind",
    "Balance",
    "BalanceSummary",
    "BookChanged",
    "BookLevel",
    "BookSnapshot",
    "BuyingPower",
    "Candle",
    "ClockMode",
    "CreditType",
    "EngineReject",
    "Event",
    "Exchange",
    "ExchangeConfig",
    "FeeConfig",
    "FeeSchedule",
    "FillInfo",
    "Instrument",
    "InstrumentKind",
    "Market",
    "OrderAccepted",
    "OrderAction",
    "OrderCancelled",
    "OrderFilled",
    "OrderInfo",
    "OrderModified",
    "OrderRejected",
    "OrderStatus",
    "OrderType",
    "Phase",
    "PositionInfo",
    "Quote",
    "RejectReason",
    "ReplayData",
    "ReservationInfo",
    "SessionClock",
    "Side",
    "TradeInfo",
    "TradeTick",
    "TradingCalendar",
    "Universe",
    "check_invariants",
    "daily_limits",
    "krx_stock_tick",
    "load_replay",
]
