"""The ELW expiry rules on their own: value per warrant and payment date (KRX, issuers' terms).

The workflow test (``tests/workflows/test_elw_expiry_sim.py``) checks the payment through the
SDK; here the rule itself, against an issuer's published worked example and for any inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from hantoo.sim.derivatives.elw import Elw
from hantoo.sim.derivatives.elw_expiry import payment_date, value_per_warrant
from hantoo.sim.engine.calendar import TradingCalendar


def _elw(kind: str, strike: Decimal, ratio: Decimal, underlying: str = "035720") -> Elw:
    d = dt.date(2026, 12, 10)
    return Elw("531401", "test", "00003", underlying, "u", kind, strike, ratio,
               d - dt.timedelta(days=180), d, 0.0, 0.3)


def test_issuer_worked_example() -> None:
    # 한국투자증권's ELW FAQ: strike 148,000, ratio 0.005, settlement 171,500 -> 117 won a
    # warrant ((171,500 - 148,000) x 0.005 = 117.5, won truncated); the put pays nothing.
    assert value_per_warrant(_elw("call", Decimal(148_000), Decimal("0.005")),
                             Decimal(171_500)) == 117
    assert value_per_warrant(_elw("put", Decimal(148_000), Decimal("0.005")),
                             Decimal(171_500)) == 0


def test_kospi200_elw_pays_100_won_a_point() -> None:
    e = _elw("call", Decimal("300.00"), Decimal(1), underlying="2001")
    assert value_per_warrant(e, Decimal("324.87")) == 2487


@given(st.integers(1_000, 1_000_000), st.integers(1_000, 1_000_000),
       st.sampled_from([Decimal("0.1"), Decimal("0.005"), Decimal("0.02"), Decimal(1)]),
       st.integers(0, 4))
def test_call_and_put_values_are_the_truncated_intrinsic(strike: int, s5: int, ratio: Decimal,
                                                         frac: int) -> None:
    settle = Decimal(s5) + Decimal(frac) / 5  # a five-close mean
    call = value_per_warrant(_elw("call", Decimal(strike), ratio), settle)
    put = value_per_warrant(_elw("put", Decimal(strike), ratio), settle)
    intrinsic = (settle - strike) * ratio
    assert min(call, put) == 0  # at most one side is in the money
    zero = Decimal(0)
    for won, value in ((call, max(intrinsic, zero)), (put, max(-intrinsic, zero))):
        assert isinstance(won, int) and value - 1 < won <= value  # whole won, never rounded up


def test_payment_is_the_second_business_day_after_the_last_trading_day() -> None:
    cal = TradingCalendar()
    assert payment_date(cal, dt.date(2026, 12, 10)) == dt.date(2026, 12, 14)  # Thu -> Mon
    # Christmas (a KRX holiday) and the weekend in between
    assert payment_date(cal, dt.date(2026, 12, 24)) == dt.date(2026, 12, 29)
