"""Wire helpers of the domestic futures/options handlers (codes, numbers, refusals).

Why its own module: the quote and the trading handlers read the same codes (``FID_INPUT_ISCD``,
``PDNO``, ``SHTN_PDNO``) and format the same numbers (points with two decimals, won whole,
greeks with four decimals). Every refusal names the parameter and what is allowed, in KIS's
``rt_cd``/``msg_cd``/``msg1`` shape.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..derivatives.instruments import DerivInstrument
from ..derivatives.market import DerivMarket, market_for
from . import BusinessError, Call
from ._common import engine_errors, exchange

#: ``FID_COND_MRKT_DIV_CODE`` values and what they admit.
MARKETS = {"F": "index futures", "O": "index options", "JF": "stock futures",
           "WF": "weekly options", "CF": "index futures"}


def market(call: Call) -> DerivMarket:
    """The derivatives market, brought to the clock's now (expiries run before any read)."""
    m = market_for(exchange(call))
    with engine_errors():
        m.sync()
    return m


def invalid(wire: str, detail: str) -> BusinessError:
    """KIS's input-check refusal, with what was wrong (never echoes more than a few chars)."""
    return BusinessError("OPSQ2001", f"ERROR : INPUT INVALID_CHECK_{wire} ({detail})", rt_cd="2")


def choice(call: Call, wire: str, allowed: tuple[str, ...], default: str | None = None) -> str:
    raw = call.param(wire).strip().upper()
    if not raw and default is not None:
        return default
    if raw not in allowed:
        shown = ", ".join(a or "(blank)" for a in allowed)
        raise invalid(wire, f"{raw[:8]!r} is not one of {shown}")
    return raw


def instrument(call: Call, wire: str, *, market_code: str | None = None) -> DerivInstrument:
    """The listed series a parameter names; unknown codes → ``MCA05918`` naming the code."""
    raw = call.param(wire).strip().upper()
    with engine_errors():
        inst = market(call).listing().get(raw)
    if inst is None:
        raise BusinessError("MCA05918", f"종목코드 오류입니다. ({wire}={raw[:12]!r}: not a listed "
                                        "futures/options series; see display-board-option-list)")
    if market_code is not None:
        want = {"F": "future", "CF": "future", "JF": "future"}.get(market_code)
        if market_code in ("O", "WF") and not inst.is_option:
            raise invalid("FID_COND_MRKT_DIV_CODE", f"{market_code} is for options, "
                                                    f"{raw} is a futures series")
        if want and inst.is_option:
            raise invalid("FID_COND_MRKT_DIV_CODE", f"{market_code} is for futures, "
                                                    f"{raw} is an option")
        if market_code == "JF" and not inst.product.on_stock:
            raise invalid("FID_COND_MRKT_DIV_CODE", f"JF is for stock futures, {raw} is not one")
    return inst


def market_code(call: Call, wire: str = "FID_COND_MRKT_DIV_CODE") -> str:
    return choice(call, wire, tuple(MARKETS))


def pts(value: Decimal | int | float | None, places: int = 2) -> str:
    """A price in points (or won for stock futures) with ``places`` decimals."""
    if value is None:
        return "0"
    d = value if isinstance(value, Decimal) else Decimal(repr(value))
    return str(d.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def num(value: float | None, places: int = 4) -> str:
    """A model number (greek, volatility) as a decimal string."""
    if value is None:
        return "0"
    return pts(Decimal(repr(value)), places)


def won(value: Decimal | int) -> str:
    return str(int(Decimal(value).to_integral_value(ROUND_HALF_UP)))


def change_fields(price: Decimal, base: Decimal, *, at_upper: bool, at_lower: bool
                  ) -> tuple[str, str, str]:
    """(전일대비, 부호, 대비율) strings."""
    ch = price - base
    s = "1" if at_upper else "4" if at_lower else "2" if ch > 0 else "5" if ch < 0 else "3"
    rate = (ch * 100 / base).quantize(Decimal("0.01"), ROUND_HALF_UP) if base else Decimal(0)
    return pts(ch), s, str(rate)


def as_rows(items: list[dict[str, str]]) -> list[dict[str, Any]]:
    return list(items)
