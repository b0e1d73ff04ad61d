"""Property tests: random command streams never break the engine's invariants.

After every command (accepted or rejected) :func:`check_invariants` must report nothing:
quantity identity per order, cash and share conservation across all accounts and ledgers,
reservations equal to open orders, no crossed book in the continuous session, FIFO levels.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hantoo.sim.engine import (
    CreditType,
    EngineReject,
    Exchange,
    OrderType,
    Side,
    check_invariants,
)

from ._util import DAY, make_exchange

SYMS = ["005930", "035720", "069500", "001510"]
ACCTS = [("10000001", "01"), ("10000002", "01"), ("10000003", "01")]
TYPES = ["00", "00", "00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16"]

command = st.one_of(
    st.tuples(
        st.just("order"), st.integers(0, 2), st.sampled_from(SYMS), st.sampled_from(Side),
        st.sampled_from(TYPES), st.integers(1, 400), st.integers(-6, 6), st.booleans(),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 2), st.integers(0, 30), st.integers(0, 50)),
    st.tuples(st.just("modify"), st.integers(0, 2), st.integers(0, 30), st.integers(-3, 3),
              st.integers(0, 300), st.booleans()),
    st.tuples(st.just("wait"), st.integers(1, 900)),
)


def _setup(liquidity: bool) -> Exchange:
    ex = make_exchange(at=DAY + timedelta(hours=5, minutes=50), liquidity=liquidity,
                       funded=False)  # 14:50: the closing auction is reachable
    for i, key in enumerate(ACCTS):
        ex.open_account(*key, krw=Decimal(3_000_000_000 * (i + 1)))
        for s in SYMS:
            ex.grant_shares(key, s, 2_000, Decimal(1_000))
    return ex


def _price(ex: Exchange, sym: str, ticks: int) -> Decimal:
    p = int(ex.quote(sym).price)
    inst = ex.instrument(sym)
    for _ in range(abs(ticks)):
        p = p + inst.tick_of(p) if ticks > 0 else p - inst.tick_of(p - 1)
    return Decimal(p)


def _run(ex: Exchange, cmds: list[tuple[object, ...]]) -> None:
    for cmd in cmds:
        kind = cmd[0]
        try:
            if kind == "order":
                _, ai, sym, side, otype, qty, ticks, credit = cmd
                acct = ACCTS[ai]  # type: ignore[index]
                ct = None
                if credit and otype in ("00", "01"):
                    ct = (CreditType.SELF_LOAN_NEW if side is Side.BUY
                          else CreditType.SELF_LOAN_REPAY)
                ex.place_order(acct, sym, side, otype, qty,  # type: ignore[arg-type]
                               _price(ex, sym, ticks), credit=ct)  # type: ignore[arg-type]
            elif kind == "cancel":
                _, ai, k, qty = cmd
                opens = ex.open_orders(ACCTS[ai])  # type: ignore[index]
                if opens:
                    o = opens[k % len(opens)]  # type: ignore[operator]
                    ex.cancel_order(ACCTS[ai], o.odno, qty=qty or None)  # type: ignore[index, arg-type]
            elif kind == "modify":
                _, ai, k, ticks, qty, all_qty = cmd
                opens = ex.open_orders(ACCTS[ai])  # type: ignore[index]
                if opens:
                    o = opens[k % len(opens)]  # type: ignore[operator]
                    ex.modify_order(
                        ACCTS[ai], o.odno,  # type: ignore[index]
                        price=_price(ex, o.symbol, ticks) if ticks else None,  # type: ignore[arg-type]
                        qty=qty or None, all_qty=bool(all_qty),  # type: ignore[arg-type]
                    )
            else:
                ex.advance(cmd[1])  # type: ignore[arg-type]
        except EngineReject:
            pass
        problems = check_invariants(ex)
        assert not problems, (cmd, problems)


PROPS = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPS
@given(st.lists(command, min_size=5, max_size=40))
def test_invariants_with_synthetic_liquidity(cmds: list[tuple[object, ...]]) -> None:
    _run(_setup(True), cmds)


@PROPS
@given(st.lists(command, min_size=5, max_size=40))
def test_invariants_users_only(cmds: list[tuple[object, ...]]) -> None:
    _run(_setup(False), cmds)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(1, 50)), min_size=2, max_size=12),
    st.integers(1, 400),
)
def test_fifo_within_a_level(bids: list[tuple[int, int]], sell_qty: int) -> None:
    """Same-price bids fill strictly in arrival order, whoever placed them."""
    ex = _setup(False)
    px = _price(ex, "005930", -3)
    placed = [ex.place_order(ACCTS[a], "005930", Side.BUY, OrderType.LIMIT, q, px)
              for a, q in bids]
    seller = ("10000009", "01")
    ex.open_account(*seller)
    ex.grant_shares(seller, "005930", 1_000, Decimal(1))
    ex.place_order(seller, "005930", Side.SELL, OrderType.LIMIT, sell_qty, px)
    left = sell_qty
    for o, (a, q) in zip(placed, bids, strict=True):
        want = min(q, left)
        left -= want
        assert ex.order(ACCTS[a], o.odno).filled_qty == want
    assert not check_invariants(ex)
