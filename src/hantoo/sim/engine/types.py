"""Enumerations and the rejection exception shared by every engine module.

Codes are the real KIS codes (``ORD_DVSN``, ``SLL_BUY_DVSN_CD``, ``CRDT_TYPE``) so the HTTP layer
can map wire values with ``OrderType(code)`` and never keep a second table.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Side(IntEnum):
    """Order side; the value is KIS ``SLL_BUY_DVSN_CD`` as an int (``01`` sell, ``02`` buy)."""

    SELL = 1
    BUY = 2

    @property
    def code(self) -> str:
        """The two-digit KIS code."""
        return f"{self.value:02d}"

    @property
    def opposite(self) -> Side:
        return Side.BUY if self is Side.SELL else Side.SELL


class OrderType(StrEnum):
    """Order division (KIS ``ORD_DVSN``) for domestic stocks and US stocks."""

    LIMIT = "00"  # 지정가
    MARKET = "01"  # 시장가
    CONDITIONAL_LIMIT = "02"  # 조건부지정가: limit, becomes market at the closing auction
    BEST_LIMIT = "03"  # 최유리지정가: price = best opposite
    PRIORITY_LIMIT = "04"  # 최우선지정가: price = best same side
    PRE_MARKET = "05"  # 장전 시간외 (08:30–08:40 at the previous close)
    POST_MARKET = "06"  # 장후 시간외 (15:40–16:00 at the close)
    AFTER_HOURS_SINGLE = "07"  # 시간외 단일가 (16:00–18:00, auction every 10 min)
    IOC_LIMIT = "11"
    FOK_LIMIT = "12"
    IOC_MARKET = "13"
    FOK_MARKET = "14"
    IOC_BEST = "15"
    FOK_BEST = "16"
    # US (overseas) order divisions
    MOO = "31"  # market on open
    LOO = "32"  # limit on open
    MOC = "33"  # market on close
    LOC = "34"  # limit on close


DOMESTIC_ORDER_TYPES = frozenset(
    t for t in OrderType if t.value < "20"
)
US_ORDER_TYPES = frozenset(
    {OrderType.LIMIT, OrderType.MOO, OrderType.LOO, OrderType.MOC, OrderType.LOC}
)
#: Types that carry no price from the user.
PRICELESS_TYPES = frozenset(
    {
        OrderType.MARKET,
        OrderType.BEST_LIMIT,
        OrderType.PRIORITY_LIMIT,
        OrderType.PRE_MARKET,
        OrderType.POST_MARKET,
        OrderType.IOC_MARKET,
        OrderType.FOK_MARKET,
        OrderType.IOC_BEST,
        OrderType.FOK_BEST,
        OrderType.MOO,
        OrderType.MOC,
    }
)
#: Types a reservation order may use (KIS 예약주문).
RESERVATION_TYPES = frozenset(
    {OrderType.LIMIT, OrderType.MARKET, OrderType.CONDITIONAL_LIMIT, OrderType.PRE_MARKET}
)


class Investor(IntEnum):
    """Who is behind an order (KRX investor categories, for investor-flow statistics).

    Users of the simulator are individuals; synthetic participants carry their own type.
    """

    INDIVIDUAL = 0  # 개인
    FOREIGN = 1  # 외국인
    INSTITUTION = 2  # 기관계 (market makers / liquidity providers are securities firms)
    PROGRAM = 3  # 프로그램매매
    OTHER = 4  # 기타법인


class Market(StrEnum):
    """Listing market. US values are the KIS overseas exchange codes (``OVRS_EXCG_CD``)."""

    KOSPI = "KOSPI"
    KOSDAQ = "KOSDAQ"
    KONEX = "KONEX"
    NASD = "NASD"
    NYSE = "NYSE"
    AMEX = "AMEX"

    @property
    def is_us(self) -> bool:
        return self in (Market.NASD, Market.NYSE, Market.AMEX)


class InstrumentKind(StrEnum):
    """What an issue is; decides the tick grid (funds and warrants trade on a flat 5 won)."""

    STOCK = "STOCK"
    ETF = "ETF"
    ETN = "ETN"
    ELW = "ELW"


class Phase(StrEnum):
    """Session phase of a market at an instant."""

    CLOSED = "closed"
    OPENING_AUCTION = "opening_auction"  # KRX 08:30–09:00; US pre-open
    CONTINUOUS = "continuous"  # KRX 09:00–15:20; US regular session
    CLOSING_AUCTION = "closing_auction"  # KRX 15:20–15:30
    BREAK = "break"  # KRX 15:30–15:40: nothing trades
    POST_MARKET = "post_market"  # KRX 15:40–16:00 at the close
    AFTER_HOURS = "after_hours"  # KRX 16:00–18:00 single price every 10 minutes


class OrderStatus(StrEnum):
    OPEN = "open"  # accepted, nothing filled yet
    PARTIAL = "partial"  # partly filled, rest still working
    FILLED = "filled"
    CANCELLED = "cancelled"  # the working rest was cancelled (by the user, IOC/FOK rules)
    EXPIRED = "expired"  # the session ended with quantity left
    REPLACED = "replaced"  # the whole rest moved to a modifying order


class OrderAction(StrEnum):
    """What a record in the order journal is (KIS ``RVSE_CNCL_DVSN_CD``: 01 modify, 02 cancel)."""

    NEW = "00"
    MODIFY = "01"
    CANCEL = "02"


class CreditType(StrEnum):
    """KIS ``CRDT_TYPE`` values the simulator supports: margin loans (융자), not stock loans."""

    SELF_LOAN_NEW = "21"  # 자기융자신규 (buy)
    STREET_LOAN_NEW = "23"  # 유통융자신규 (buy)
    SELF_LOAN_REPAY = "25"  # 자기융자상환 (sell)
    STREET_LOAN_REPAY = "27"  # 유통융자상환 (sell)

    @property
    def is_new_loan(self) -> bool:
        return self in (CreditType.SELF_LOAN_NEW, CreditType.STREET_LOAN_NEW)


class AccountKind(StrEnum):
    """Account family, from ``ACNT_PRDT_CD``: 01 stock, 22 personal pension, 29 retirement."""

    CASH = "cash"
    PENSION = "pension"
    RETIREMENT = "retirement"

    @staticmethod
    def for_product(code: str) -> AccountKind:
        if code == "22":
            return AccountKind.PENSION
        if code == "29":
            return AccountKind.RETIREMENT
        return AccountKind.CASH


class RejectReason(StrEnum):
    """Why the engine refused a command; stable names the server maps to KIS ``msg_cd``."""

    UNKNOWN_SYMBOL = "unknown_symbol"
    UNKNOWN_ACCOUNT = "unknown_account"
    UNKNOWN_ORDER = "unknown_order"
    BAD_QUANTITY = "bad_quantity"
    QUANTITY_OVER_MAX = "quantity_over_max"
    BAD_PRICE = "bad_price"
    BAD_TICK = "bad_tick"
    OUTSIDE_PRICE_LIMIT = "outside_price_limit"
    UNSUPPORTED_ORDER_TYPE = "unsupported_order_type"
    SESSION_CLOSED = "session_closed"
    NO_LIQUIDITY = "no_liquidity"
    INSUFFICIENT_CASH = "insufficient_cash"
    INSUFFICIENT_SHARES = "insufficient_shares"
    ORDER_NOT_OPEN = "order_not_open"
    NOTHING_TO_MODIFY = "nothing_to_modify"
    CANCEL_QTY_EXCEEDS = "cancel_qty_exceeds"
    NOT_ALLOWED_FOR_ACCOUNT = "not_allowed_for_account"
    RESERVATION_LIMIT = "reservation_limit"
    RESERVATION_PERIOD = "reservation_period"
    NO_LOAN = "no_loan"


_MESSAGES: dict[RejectReason, tuple[str, str]] = {
    RejectReason.UNKNOWN_SYMBOL: ("종목코드가 올바르지 않습니다", "unknown symbol"),
    RejectReason.UNKNOWN_ACCOUNT: ("계좌번호가 올바르지 않습니다", "unknown account"),
    RejectReason.UNKNOWN_ORDER: ("원주문번호가 존재하지 않습니다", "unknown order number"),
    RejectReason.BAD_QUANTITY: ("주문수량을 확인하세요", "quantity must be a positive integer"),
    RejectReason.QUANTITY_OVER_MAX: ("주문수량이 한도를 초과합니다", "quantity over the maximum"),
    RejectReason.BAD_PRICE: ("주문단가를 확인하세요", "price missing or not allowed"),
    RejectReason.BAD_TICK: ("호가단위가 올바르지 않습니다", "price is not on the tick grid"),
    RejectReason.OUTSIDE_PRICE_LIMIT: (
        "가격제한폭을 벗어난 주문입니다",
        "price outside the daily limit",
    ),
    RejectReason.UNSUPPORTED_ORDER_TYPE: (
        "주문구분이 올바르지 않습니다",
        "order type not supported for this instrument or account",
    ),
    RejectReason.SESSION_CLOSED: (
        "주문 가능한 시간이 아닙니다",
        "the current session does not accept this order type",
    ),
    RejectReason.NO_LIQUIDITY: ("상대호가가 없습니다", "no quote to price the order against"),
    RejectReason.INSUFFICIENT_CASH: ("주문가능금액을 초과했습니다", "insufficient cash"),
    RejectReason.INSUFFICIENT_SHARES: ("주문가능수량을 초과했습니다", "insufficient shares"),
    RejectReason.ORDER_NOT_OPEN: (
        "정정/취소할 수량이 없습니다",
        "the order has no open quantity",
    ),
    RejectReason.NOTHING_TO_MODIFY: ("정정할 내용이 없습니다", "the modify changes nothing"),
    RejectReason.CANCEL_QTY_EXCEEDS: (
        "취소수량이 잔량을 초과합니다",
        "quantity exceeds the open quantity",
    ),
    RejectReason.NOT_ALLOWED_FOR_ACCOUNT: (
        "해당 계좌에서 불가한 주문입니다",
        "this account type may not place this order",
    ),
    RejectReason.RESERVATION_LIMIT: (
        "예약주문 가능 건수를 초과했습니다",
        "too many reservation orders",
    ),
    RejectReason.RESERVATION_PERIOD: (
        "예약주문 기간을 확인하세요",
        "reservation end date must be within 30 days",
    ),
    RejectReason.NO_LOAN: ("상환할 신용잔고가 없습니다", "no margin loan to repay"),
}


class EngineReject(Exception):
    """A command the engine refused; nothing changed.

    ``reason`` is stable for programs; ``message_ko``/``message_en`` are for people, and
    ``detail`` says what exactly was wrong (never a secret).
    """

    def __init__(self, reason: RejectReason, detail: str = "") -> None:
        ko, en = _MESSAGES[reason]
        self.reason = reason
        self.message_ko = ko
        self.message_en = en
        self.detail = detail
        super().__init__(f"{reason.value}: {en}" + (f" ({detail})" if detail else ""))
