"""The order answer's numbers: order numbers, prices and average fill prices, exactly as built.

``order_info`` takes won prices and single-price averages from caches and formats order
numbers without a format spec (see :mod:`hantoo.sim.engine.matching`); these tests pin what the
answer holds against the plain arithmetic, including the exponent of every ``Decimal`` (the
REST layer prints them as they are).
"""

from __future__ import annotations

from decimal import Decimal

from hantoo.sim.engine import Exchange, OrderStatus, OrderType, Side

from ._util import ACCT, ACCT2, assert_ok, make_exchange

SYM = "005930"  # tick 100 around 70,000
CENT = Decimal("0.01")


def _exchange_with_asks(prices_qty: list[tuple[int, int]]) -> tuple[Exchange, int]:
    """A market with no synthetic liquidity and ``ACCT2``'s asks at (ticks above, qty)."""
    ex = make_exchange(liquidity=False)
    base = int(ex.quote(SYM).price)
    ex.grant_shares(ACCT2, SYM, 1_000, Decimal(60_000))
    for ticks, qty in prices_qty:
        ex.place_order(ACCT2, SYM, Side.SELL, OrderType.LIMIT, qty, base + 100 * ticks)
    return ex, base


def test_an_average_over_two_prices_is_the_quotient_rounded_to_cents() -> None:
    ex, base = _exchange_with_asks([(1, 1), (2, 2)])
    got = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 3, base + 200)
    value = (base + 100) + 2 * (base + 200)
    assert got.status is OrderStatus.FILLED and got.filled_qty == 3
    expected = (Decimal(value) / 3).quantize(CENT)
    assert got.avg_fill_price == expected
    assert got.avg_fill_price.as_tuple() == expected.as_tuple()  # same digits and exponent
    assert got.fill_amount == Decimal(value) and got.fill_amount.as_tuple().exponent == 0
    assert got.price.as_tuple() == Decimal(base + 200).as_tuple()
    assert_ok(ex)


def test_a_single_price_fill_shows_the_price_to_the_cent() -> None:
    ex, base = _exchange_with_asks([(1, 5)])
    first = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 2, base + 100)
    again = ex.place_order(ACCT, SYM, Side.BUY, OrderType.MARKET, 3)
    for info in (first, again):
        assert info.avg_fill_price.as_tuple() == Decimal(f"{base + 100}.00").as_tuple()
        assert str(info.avg_fill_price) == f"{base + 100}.00"
    assert again.price == 0 and again.price.as_tuple() == Decimal(0).as_tuple()
    assert_ok(ex)


def test_order_numbers_are_ten_digits_and_a_cancel_names_its_order() -> None:
    ex, base = _exchange_with_asks([(3, 1)])
    working = ex.place_order(ACCT, SYM, Side.BUY, OrderType.LIMIT, 4, base - 100)
    cancel = ex.cancel_order(ACCT, working.odno)
    for info in (working, cancel):
        assert len(info.odno) == 10 and info.odno.isdigit()
        assert info.odno == f"{int(info.odno):010d}"
    assert working.orig_odno is None
    assert cancel.orig_odno == working.odno and cancel.odno > working.odno
    assert cancel.status is OrderStatus.CANCELLED and cancel.cancelled_qty == 4
    assert ex.order(ACCT, working.odno).avg_fill_price == 0
    assert_ok(ex)
