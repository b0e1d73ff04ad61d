"""Helpers shared by the simulator engine tests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hantoo.sim.engine import KST, Exchange, ExchangeConfig, SessionClock, check_invariants

#: A Tuesday that is a KRX business day.
DAY = datetime(2026, 3, 10, 9, 0, tzinfo=KST)
ACCT = ("12345678", "01")
ACCT2 = ("87654321", "01")
RICH = Decimal(100_000_000_000)


def make_exchange(
    *, at: datetime = DAY, liquidity: bool = True, seed: int = 7, funded: bool = True,
    **kw: object,
) -> Exchange:
    cfg = ExchangeConfig(
        seed=seed,
        clock=SessionClock(start=at),
        synthetic_liquidity=liquidity,
        **kw,  # type: ignore[arg-type]
    )
    e = Exchange(cfg)
    if funded:
        e.open_account(*ACCT, krw=RICH, usd=Decimal(1_000_000))
        e.open_account(*ACCT2, krw=RICH, usd=Decimal(1_000_000))
    return e


def assert_ok(e: Exchange) -> None:
    problems = check_invariants(e)
    assert not problems, problems
