"""Named order types and time in force, mapped to the real KIS codes per product family.

Why this module exists: KIS has no time-in-force field and three different order-type code sets
(domestic stock ``ORD_DVSN``, US ``ORD_DVSN``, domestic futures/options ``ORD_DVSN_CD``), and the
design document the project started from has the domestic codes backwards (it calls ``00``
"market"; at KIS ``00`` is *limit*). So users never type a code: they name what they want
(:class:`OrderType` + :class:`TimeInForce`), and :func:`resolve_order` picks the code or refuses
**before anything is sent**, naming the nearest valid choice.

=====================  =========  ============  ==========  ===================================
name                   domestic   US (buy/sell) futures     notes
=====================  =========  ============  ==========  ===================================
LIMIT                  00         00 / 00       01          IOC 11 / FOK 12 (futures 10 / 11)
MARKET                 01         — / —         02          IOC 13 / FOK 14 (futures 12 / 13)
CONDITIONAL            02         —             03          조건부지정가
BEST                   03         —             04          최유리지정가; IOC 15 / FOK 16
PRIORITY               04         —             —           최우선지정가
PRE_MARKET             05         —             —           장전 시간외 (previous close)
POST_MARKET            06         —             —           장후 시간외 (closing price)
AFTER_HOURS_SINGLE     07         —             —           시간외 단일가
MARKET_ON_OPEN         —          — / 31        —           US sell only
LIMIT_ON_OPEN          —          32 / 32       —
MARKET_ON_CLOSE        —          — / 33        —           US sell only
LIMIT_ON_CLOSE         —          34 / 34       —
=====================  =========  ============  ==========  ===================================

Time in force: ``DAY`` (the only kind KIS orders have), ``IOC``/``FOK`` (select the IOC/FOK
codes above), ``GTD`` (becomes a *period reservation*: ``order_resv`` with ``RSVN_ORD_END_DT`` at
most 30 days out; domestic stock only) and ``GTC`` (refused: nothing like it exists). KIS paper
trading accepts only ``LIMIT`` for overseas orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from .errors import UnsupportedOrderError

__all__ = [
    "DomesticOrderCode",
    "FuturesConditionCode",
    "FuturesOrderCode",
    "OrderType",
    "ProductFamily",
    "ResolvedOrder",
    "Side",
    "TimeInForce",
    "UsOrderCode",
    "resolve_futures",
    "resolve_order",
    "resolve_reservation",
]


def _norm(text: str) -> str:
    return "".join(ch for ch in text.strip().lower() if ch not in " -_.")


class Side(StrEnum):
    """Buy or sell. KIS picks the side by TR ID for orders and by ``SLL_BUY_DVSN_CD`` elsewhere."""

    BUY = "buy"
    SELL = "sell"

    @property
    def code(self) -> str:
        """``SLL_BUY_DVSN_CD``: ``01`` sell, ``02`` buy (reservations, queries, notices)."""
        return "02" if self is Side.BUY else "01"

    @classmethod
    def parse(cls, value: Side | str) -> Side:
        if isinstance(value, Side):
            return value
        key = _norm(str(value))
        if key in ("buy", "b", "bid", "long", "매수", "02"):
            return cls.BUY
        if key in ("sell", "s", "ask", "short", "매도", "01"):
            return cls.SELL
        raise ValueError(f"side must be 'buy' or 'sell', got {value!r}")

    @classmethod
    def from_code(cls, code: str | None) -> Side | None:
        """The side of a ``SLL_BUY_DVSN_CD`` / ``SELN_BYOV_CLS`` value (``01`` sell, ``02`` buy)."""
        code = (code or "").strip()
        return cls.SELL if code in ("01", "1") else cls.BUY if code in ("02", "2") else None


class ProductFamily(StrEnum):
    """Which code set applies."""

    DOMESTIC_STOCK = "domestic_stock"
    US_STOCK = "us_stock"
    DOMESTIC_FUTURES = "domestic_futures"


class OrderType(StrEnum):
    """What the user means; mapped to a code per family by :func:`resolve_order`."""

    LIMIT = "limit"
    MARKET = "market"
    CONDITIONAL = "conditional"
    BEST = "best"
    PRIORITY = "priority"
    PRE_MARKET = "pre_market"
    POST_MARKET = "post_market"
    AFTER_HOURS_SINGLE_PRICE = "after_hours_single_price"
    MARKET_ON_OPEN = "market_on_open"
    LIMIT_ON_OPEN = "limit_on_open"
    MARKET_ON_CLOSE = "market_on_close"
    LIMIT_ON_CLOSE = "limit_on_close"

    @classmethod
    def parse(cls, value: OrderType | str) -> OrderType:
        """Accept the enum, its value, the design document's names, common abbreviations and the
        Korean names. Wire codes (``"00"``) are refused on purpose: the design document and KIS
        disagree about what they mean."""
        if isinstance(value, OrderType):
            return value
        text = str(value)
        key = _norm(text)
        if key.isdigit():
            raise UnsupportedOrderError(
                f"order type {text!r} looks like a KIS wire code; hantoo takes names, because the "
                "design document has the codes wrong (at KIS 00 = limit, 01 = market)",
                suggestion="OrderType.LIMIT or OrderType.MARKET",
            )
        if key in _TIF_WORDS:
            raise UnsupportedOrderError(
                f"{text!r} is a time in force, not an order type",
                suggestion=f"tif={key!r} with order_type='limit' (or 'market')",
            )
        found = _ORDER_TYPE_ALIASES.get(key)
        if found is None:
            names = ", ".join(t.value for t in cls)
            raise UnsupportedOrderError(f"unknown order type {text!r}; known: {names}")
        return found


_ORDER_TYPE_ALIASES: dict[str, OrderType] = {
    **{_norm(t.value): t for t in OrderType},
    "lmt": OrderType.LIMIT, "지정가": OrderType.LIMIT,
    "mkt": OrderType.MARKET, "시장가": OrderType.MARKET,
    "conditionallimit": OrderType.CONDITIONAL, "conditional": OrderType.CONDITIONAL,
    "조건부지정가": OrderType.CONDITIONAL,
    "bestlimit": OrderType.BEST, "최유리": OrderType.BEST, "최유리지정가": OrderType.BEST,
    "prioritylimit": OrderType.PRIORITY, "최우선": OrderType.PRIORITY,
    "최우선지정가": OrderType.PRIORITY,
    "premarket": OrderType.PRE_MARKET, "pre": OrderType.PRE_MARKET,
    "preopen": OrderType.PRE_MARKET, "장전시간외": OrderType.PRE_MARKET,
    "postmarket": OrderType.POST_MARKET, "post": OrderType.POST_MARKET,
    "장후시간외": OrderType.POST_MARKET,
    "afterhours": OrderType.AFTER_HOURS_SINGLE_PRICE,
    "afterhourssingle": OrderType.AFTER_HOURS_SINGLE_PRICE,
    "시간외단일가": OrderType.AFTER_HOURS_SINGLE_PRICE,
    "moo": OrderType.MARKET_ON_OPEN, "loo": OrderType.LIMIT_ON_OPEN,
    "moc": OrderType.MARKET_ON_CLOSE, "loc": OrderType.LIMIT_ON_CLOSE,
}


class TimeInForce(StrEnum):
    """How long an order lives. Only DAY/IOC/FOK are real KIS order attributes."""

    DAY = "day"
    IOC = "ioc"
    FOK = "fok"
    GTD = "gtd"
    GTC = "gtc"

    @classmethod
    def parse(cls, value: TimeInForce | str | None) -> TimeInForce:
        if value is None:
            return cls.DAY
        if isinstance(value, TimeInForce):
            return value
        key = _norm(str(value))
        aliases = {
            "day": cls.DAY, "": cls.DAY,
            "ioc": cls.IOC, "immediateorcancel": cls.IOC,
            "fok": cls.FOK, "fillorkill": cls.FOK,
            "gtd": cls.GTD, "goodtilldate": cls.GTD, "goodtildate": cls.GTD,
            "gtc": cls.GTC, "goodtillcancel": cls.GTC, "goodtillcancelled": cls.GTC,
            "goodtilcanceled": cls.GTC, "goodtillcanceled": cls.GTC,
        }
        if key not in aliases:
            raise UnsupportedOrderError(
                f"unknown time in force {value!r}; known: day, ioc, fok, gtd, gtc"
            )
        return aliases[key]


_TIF_WORDS = {"ioc", "fok", "gtd", "gtc", "day"}


class DomesticOrderCode(StrEnum):
    """Domestic stock ``ORD_DVSN`` (order-cash, order-credit, order-rvsecncl, buying power)."""

    LIMIT = "00"
    MARKET = "01"
    CONDITIONAL_LIMIT = "02"
    BEST_LIMIT = "03"
    PRIORITY_LIMIT = "04"
    PRE_MARKET_OFF_HOURS = "05"
    POST_MARKET_OFF_HOURS = "06"
    AFTER_HOURS_SINGLE_PRICE = "07"
    TREASURY_STOCK = "08"
    IOC_LIMIT = "11"
    FOK_LIMIT = "12"
    IOC_MARKET = "13"
    FOK_MARKET = "14"
    IOC_BEST = "15"
    FOK_BEST = "16"
    # Block and basket codes: data only (negotiated trades, not placed through hantoo workflows).
    INTRADAY_BLOCK = "51"
    INTRADAY_BASKET = "52"
    PRE_OPEN_OFF_HOURS_BLOCK = "62"
    PRE_OPEN_OFF_HOURS_BASKET = "63"
    PRE_OPEN_TRUST_TREASURY = "67"
    PRE_OPEN_TREASURY = "69"
    OFF_HOURS_BLOCK = "72"
    OFF_HOURS_TRUST_TREASURY = "77"
    OFF_HOURS_BLOCK_TREASURY = "79"
    BASKET = "80"

    @property
    def takes_price(self) -> bool:
        """Whether ``ORD_UNPR`` carries a price (others send ``"0"``)."""
        return self in _DOMESTIC_PRICED


_DOMESTIC_PRICED = frozenset({
    DomesticOrderCode.LIMIT, DomesticOrderCode.CONDITIONAL_LIMIT,
    DomesticOrderCode.AFTER_HOURS_SINGLE_PRICE, DomesticOrderCode.IOC_LIMIT,
    DomesticOrderCode.FOK_LIMIT,
})


class UsOrderCode(StrEnum):
    """Overseas stock ``ORD_DVSN`` (US unless noted)."""

    LIMIT = "00"
    MARKET_ON_OPEN = "31"
    LIMIT_ON_OPEN = "32"
    MARKET_ON_CLOSE = "33"
    LIMIT_ON_CLOSE = "34"
    HK_ODD_LOT_LIMIT = "50"

    @property
    def takes_price(self) -> bool:
        return self not in (UsOrderCode.MARKET_ON_OPEN, UsOrderCode.MARKET_ON_CLOSE)


class FuturesOrderCode(StrEnum):
    """Domestic futures/options ``ORD_DVSN_CD`` (data and :func:`resolve_futures`)."""

    LIMIT = "01"
    MARKET = "02"
    CONDITIONAL = "03"
    BEST = "04"
    IOC_LIMIT = "10"
    FOK_LIMIT = "11"
    IOC_MARKET = "12"
    FOK_MARKET = "13"
    IOC_BEST = "14"
    FOK_BEST = "15"


class FuturesConditionCode(StrEnum):
    """Domestic futures/options ``KRX_NMPR_CNDT_CD``."""

    NONE = "0"
    IOC = "3"
    FOK = "4"


@dataclass(frozen=True, slots=True)
class ResolvedOrder:
    """What :func:`resolve_order` decided: the wire code, whether it takes a price, and the
    route (an ordinary order, or a period reservation for GTD)."""

    family: ProductFamily
    code: str
    takes_price: bool
    route: Literal["order", "reservation"] = "order"


_GTC_MESSAGE = (
    "KIS has no good-till-cancelled order. The nearest is tif='gtd': a period reservation "
    "(예약주문) ending at most 30 days out, re-sent each business day for the unfilled "
    "quantity (domestic stocks only)"
)
_GTC_SUGGESTION = "tif=TimeInForce.GTD with expire=<a date at most 30 days out>"

_DOMESTIC: dict[tuple[OrderType, TimeInForce], DomesticOrderCode] = {
    (OrderType.LIMIT, TimeInForce.DAY): DomesticOrderCode.LIMIT,
    (OrderType.MARKET, TimeInForce.DAY): DomesticOrderCode.MARKET,
    (OrderType.CONDITIONAL, TimeInForce.DAY): DomesticOrderCode.CONDITIONAL_LIMIT,
    (OrderType.BEST, TimeInForce.DAY): DomesticOrderCode.BEST_LIMIT,
    (OrderType.PRIORITY, TimeInForce.DAY): DomesticOrderCode.PRIORITY_LIMIT,
    (OrderType.PRE_MARKET, TimeInForce.DAY): DomesticOrderCode.PRE_MARKET_OFF_HOURS,
    (OrderType.POST_MARKET, TimeInForce.DAY): DomesticOrderCode.POST_MARKET_OFF_HOURS,
    (OrderType.AFTER_HOURS_SINGLE_PRICE, TimeInForce.DAY):
        DomesticOrderCode.AFTER_HOURS_SINGLE_PRICE,
    (OrderType.LIMIT, TimeInForce.IOC): DomesticOrderCode.IOC_LIMIT,
    (OrderType.LIMIT, TimeInForce.FOK): DomesticOrderCode.FOK_LIMIT,
    (OrderType.MARKET, TimeInForce.IOC): DomesticOrderCode.IOC_MARKET,
    (OrderType.MARKET, TimeInForce.FOK): DomesticOrderCode.FOK_MARKET,
    (OrderType.BEST, TimeInForce.IOC): DomesticOrderCode.IOC_BEST,
    (OrderType.BEST, TimeInForce.FOK): DomesticOrderCode.FOK_BEST,
}

_DOMESTIC_US_ONLY: dict[OrderType, tuple[str, str]] = {
    OrderType.MARKET_ON_OPEN: (
        "market-on-open",
        "OrderType.MARKET placed in the opening call auction (08:30–09:00 KST), or "
        "OrderType.PRE_MARKET (장전 시간외, 08:30–08:40 at the previous close)",
    ),
    OrderType.LIMIT_ON_OPEN: (
        "limit-on-open", "OrderType.LIMIT placed in the opening call auction (08:30–09:00 KST)",
    ),
    OrderType.MARKET_ON_CLOSE: (
        "market-on-close",
        "OrderType.MARKET placed in the closing call auction (15:20–15:30 KST), or "
        "OrderType.POST_MARKET (장후 시간외 at the closing price, 15:40–16:00)",
    ),
    OrderType.LIMIT_ON_CLOSE: (
        "limit-on-close",
        "OrderType.LIMIT placed in the closing call auction (15:20–15:30 KST), or "
        "OrderType.AFTER_HOURS_SINGLE_PRICE (시간외 단일가, 16:00–18:00)",
    ),
}

_RESERVATION = {
    OrderType.LIMIT: DomesticOrderCode.LIMIT,
    OrderType.MARKET: DomesticOrderCode.MARKET,
    OrderType.CONDITIONAL: DomesticOrderCode.CONDITIONAL_LIMIT,
    OrderType.PRE_MARKET: DomesticOrderCode.PRE_MARKET_OFF_HOURS,
}


def _resolve_domestic(order_type: OrderType, tif: TimeInForce) -> ResolvedOrder:
    family = ProductFamily.DOMESTIC_STOCK
    if order_type in _DOMESTIC_US_ONLY:
        what, instead = _DOMESTIC_US_ONLY[order_type]
        raise UnsupportedOrderError(
            f"{what} exists only for US stocks at KIS (codes 31–34); a domestic (KRX) order "
            "cannot be one",
            suggestion=instead,
        )
    if tif is TimeInForce.GTC:
        raise UnsupportedOrderError(_GTC_MESSAGE, suggestion=_GTC_SUGGESTION)
    if tif is TimeInForce.GTD:
        code = _RESERVATION.get(order_type)
        if code is None:
            raise UnsupportedOrderError(
                f"GTD becomes a period reservation, and reservations accept only limit, market, "
                f"conditional and pre-market orders, not {order_type.value}",
                suggestion="OrderType.LIMIT with tif='gtd'",
            )
        return ResolvedOrder(family, code.value, code.takes_price, "reservation")
    code = _DOMESTIC.get((order_type, tif))
    if code is None:
        raise UnsupportedOrderError(
            f"KRX has {tif.value.upper()} only for limit, market and best-limit orders, "
            f"not {order_type.value}",
            suggestion=f"OrderType.LIMIT with tif='{tif.value}' (or tif='day' to keep "
            f"{order_type.value})",
        )
    return ResolvedOrder(family, code.value, code.takes_price)


def _resolve_us(
    order_type: OrderType, tif: TimeInForce, side: Side, paper: bool
) -> ResolvedOrder:
    family = ProductFamily.US_STOCK
    if tif is TimeInForce.GTC:
        raise UnsupportedOrderError(
            "KIS has no good-till-cancelled order for US stocks (and GTD period reservations "
            "exist only for domestic stocks)",
            suggestion="tif='day', or client.place_reservation(...) for the next US session",
        )
    if tif is TimeInForce.GTD:
        raise UnsupportedOrderError(
            "GTD is a domestic period reservation; US reservation orders carry no end date",
            suggestion="client.place_reservation(...) for the next US session, or tif='day'",
        )
    if tif in (TimeInForce.IOC, TimeInForce.FOK):
        raise UnsupportedOrderError(
            f"the KIS API has no {tif.value.upper()} orders for US stocks",
            suggestion="OrderType.LIMIT with tif='day' (cancel what is left yourself)",
        )
    table: dict[OrderType, UsOrderCode] = {
        OrderType.LIMIT: UsOrderCode.LIMIT,
        OrderType.LIMIT_ON_OPEN: UsOrderCode.LIMIT_ON_OPEN,
        OrderType.LIMIT_ON_CLOSE: UsOrderCode.LIMIT_ON_CLOSE,
    }
    if side is Side.SELL:
        table[OrderType.MARKET_ON_OPEN] = UsOrderCode.MARKET_ON_OPEN
        table[OrderType.MARKET_ON_CLOSE] = UsOrderCode.MARKET_ON_CLOSE
    code = table.get(order_type)
    if code is None:
        if order_type is OrderType.MARKET:
            raise UnsupportedOrderError(
                "KIS takes no plain market order for US stocks",
                suggestion=(
                    "OrderType.LIMIT at a marketable price, or OrderType.MARKET_ON_OPEN / "
                    "MARKET_ON_CLOSE" if side is Side.SELL else
                    "OrderType.LIMIT at a marketable price (or LIMIT_ON_OPEN / LIMIT_ON_CLOSE)"
                ),
            )
        if order_type in (OrderType.MARKET_ON_OPEN, OrderType.MARKET_ON_CLOSE):
            near = (OrderType.LIMIT_ON_OPEN if order_type is OrderType.MARKET_ON_OPEN
                    else OrderType.LIMIT_ON_CLOSE)
            raise UnsupportedOrderError(
                f"KIS accepts {order_type.value} only for US *sell* orders; buys take limit, "
                "limit-on-open and limit-on-close",
                suggestion=f"OrderType.{near.name}",
            )
        raise UnsupportedOrderError(
            f"{order_type.value} is a KRX (domestic) order type; US orders take limit, "
            "limit-on-open/close and (sell) market-on-open/close",
            suggestion="OrderType.LIMIT",
        )
    if paper and code is not UsOrderCode.LIMIT:
        raise UnsupportedOrderError(
            f"KIS paper trading accepts only limit orders for overseas stocks, not "
            f"{order_type.value}",
            suggestion="OrderType.LIMIT",
        )
    return ResolvedOrder(family, code.value, code.takes_price)


def resolve_order(
    family: ProductFamily | str,
    order_type: OrderType | str,
    tif: TimeInForce | str | None = None,
    *,
    side: Side | str = Side.BUY,
    paper: bool = False,
) -> ResolvedOrder:
    """The code for an order, or :class:`UnsupportedOrderError` naming the nearest valid choice.

    ``family`` is ``"domestic_stock"``, ``"us_stock"`` or ``"domestic_futures"``; the side
    matters for US (MOO/MOC are sell-only) and ``paper`` for US (limit only).
    """
    fam = ProductFamily(family)
    ot = OrderType.parse(order_type)
    tf = TimeInForce.parse(tif)
    if fam is ProductFamily.DOMESTIC_STOCK:
        return _resolve_domestic(ot, tf)
    if fam is ProductFamily.US_STOCK:
        return _resolve_us(ot, tf, Side.parse(side), paper)
    code = resolve_futures(ot, tf)[0]
    return ResolvedOrder(fam, code.value, code in (
        FuturesOrderCode.LIMIT, FuturesOrderCode.CONDITIONAL, FuturesOrderCode.IOC_LIMIT,
        FuturesOrderCode.FOK_LIMIT,
    ))


def resolve_reservation(order_type: OrderType | str) -> DomesticOrderCode:
    """``ORD_DVSN_CD`` of a domestic reservation order: only 00/01/02/05 exist."""
    ot = OrderType.parse(order_type)
    code = _RESERVATION.get(ot)
    if code is None:
        raise UnsupportedOrderError(
            f"reservation orders accept limit, market, conditional and pre-market only, "
            f"not {ot.value}",
            suggestion="OrderType.LIMIT",
        )
    return code


def resolve_futures(
    order_type: OrderType | str, tif: TimeInForce | str | None = None
) -> tuple[FuturesOrderCode, FuturesConditionCode]:
    """Domestic futures/options ``ORD_DVSN_CD`` and ``KRX_NMPR_CNDT_CD`` for a name."""
    ot = OrderType.parse(order_type)
    tf = TimeInForce.parse(tif)
    if tf in (TimeInForce.GTD, TimeInForce.GTC):
        raise UnsupportedOrderError(
            f"futures/options orders have no {tf.value.upper()}", suggestion="tif='day'"
        )
    table = {
        (OrderType.LIMIT, TimeInForce.DAY): FuturesOrderCode.LIMIT,
        (OrderType.MARKET, TimeInForce.DAY): FuturesOrderCode.MARKET,
        (OrderType.CONDITIONAL, TimeInForce.DAY): FuturesOrderCode.CONDITIONAL,
        (OrderType.BEST, TimeInForce.DAY): FuturesOrderCode.BEST,
        (OrderType.LIMIT, TimeInForce.IOC): FuturesOrderCode.IOC_LIMIT,
        (OrderType.LIMIT, TimeInForce.FOK): FuturesOrderCode.FOK_LIMIT,
        (OrderType.MARKET, TimeInForce.IOC): FuturesOrderCode.IOC_MARKET,
        (OrderType.MARKET, TimeInForce.FOK): FuturesOrderCode.FOK_MARKET,
        (OrderType.BEST, TimeInForce.IOC): FuturesOrderCode.IOC_BEST,
        (OrderType.BEST, TimeInForce.FOK): FuturesOrderCode.FOK_BEST,
    }
    code = table.get((ot, tf))
    if code is None:
        raise UnsupportedOrderError(
            f"futures/options orders take limit, market, conditional and best "
            f"(IOC/FOK: limit, market, best), not {ot.value}/{tf.value}",
            suggestion="OrderType.LIMIT",
        )
    cond = {TimeInForce.IOC: FuturesConditionCode.IOC, TimeInForce.FOK: FuturesConditionCode.FOK}
    return code, cond.get(tf, FuturesConditionCode.NONE)
