"""Accounts, positions and margin lots.

An account is keyed like KIS: ``(CANO, ACNT_PRDT_CD)`` — 8 digits and 2 digits. Money is held per
currency in lists indexed by the market slot (0 = KRW won, 1 = USD cents, 2 HKD, 3 JPY, 4 CNY,
5 VND; see :mod:`.overseas_markets`) so the settlement code indexes instead of hashing names.

*Buying power* is ``cash - reserved``: every open buy order reserves ``remaining × reserve price
+ commission rounded up``; the reservation shrinks exactly as the order fills or is cancelled.
Sell orders reserve shares (``Position.reserved``), so *sellable* is ``qty - reserved``.

Settlement is simplified: cash and shares move at the fill. T+2 is reported, not enforced: each
account keeps its net cash flow per trade date so balance queries can show D+1/D+2 figures.

Two internal accounts close the books: the *house* (the synthetic counterparty every user trades
against when no other user is there; its cash and positions may go negative) and the *lender*
(cash lent for margin buys). Fees and taxes go to exchange-level ledgers. Hence the conservation
law checked by the tests: Σ cash over all accounts + fees + taxes = Σ deposits.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from .overseas_markets import N_SLOTS
from .types import AccountKind, CreditType

if TYPE_CHECKING:
    from .matching import Fill
    from .orders import Order


class Position:
    """Cash-account holding of one symbol. ``cost`` is the purchase cost in minor units."""

    __slots__ = ("code", "cost", "qty", "realized", "reserved")

    def __init__(self, code: str, qty: int = 0, cost: int = 0) -> None:
        self.code = code
        self.qty = qty
        self.cost = cost
        self.reserved = 0  # shares held by open sell orders
        self.realized = 0  # realised P&L (gross of fees and taxes), minor units

    @property
    def sellable(self) -> int:
        return self.qty - self.reserved


class CreditLot:
    """Shares bought on margin on one loan date: qty, cost, outstanding loan."""

    __slots__ = ("code", "cost", "credit", "loan", "loan_date", "qty", "reserved")

    def __init__(self, code: str, loan_date: date, credit: CreditType) -> None:
        self.code = code
        self.loan_date = loan_date
        self.credit = credit
        self.qty = 0
        self.cost = 0
        self.loan = 0
        self.reserved = 0

    @property
    def sellable(self) -> int:
        return self.qty - self.reserved


class Account:
    """One account; see the module docstring for the money layout."""

    __slots__ = (
        "cano",
        "cash",
        "contributed",
        "fees",
        "fill_log",
        "flows",
        "house",
        "key",
        "kind",
        "lots",
        "order_log",
        "positions",
        "prdt",
        "realized",
        "reserved",
        "taxes",
    )

    def __init__(self, cano: str, prdt: str, *, house: bool = False) -> None:
        if not house and (len(cano) != 8 or not cano.isdigit()):
            raise ValueError("CANO must be 8 digits")
        if len(prdt) != 2 or not prdt.isdigit():
            raise ValueError("ACNT_PRDT_CD must be 2 digits")
        self.cano = cano
        self.prdt = prdt
        self.key = (cano, prdt)
        self.kind = AccountKind.for_product(prdt)
        self.house = house
        self.cash = [0] * N_SLOTS
        self.reserved = [0] * N_SLOTS
        self.realized = [0] * N_SLOTS
        self.fees = [0] * N_SLOTS
        self.taxes = [0] * N_SLOTS
        self.positions: dict[str, Position] = {}
        self.lots: dict[tuple[str, date], CreditLot] = {}
        self.flows: dict[date, list[int]] = {}
        self.fill_log: list[Fill] = []  # this account's executions, oldest first
        self.order_log: list[Order] = []  # this account's order records, oldest first
        self.contributed = 0  # pension: deposits this year (KRW)

    def position(self, code: str) -> Position:
        pos = self.positions.get(code)
        if pos is None:
            pos = self.positions[code] = Position(code)
        return pos

    def buying_power(self, slot: int) -> int:
        """Cash of currency ``slot`` not held by open buy orders, minor units."""
        i = int(slot)
        return self.cash[i] - self.reserved[i]

    def add_flow(self, day: date, slot: int, amount: int) -> None:
        """Record a trade-date cash flow (for the D+1/D+2 display)."""
        f = self.flows.get(day)
        if f is None:
            f = self.flows[day] = [0] * N_SLOTS
        elif len(f) < N_SLOTS:
            f.extend([0] * (N_SLOTS - len(f)))
        f[int(slot)] += amount

    def __repr__(self) -> str:
        return f"Account({self.cano}-{self.prdt})"


def max_buy_qty(available: int, price: int, fee_num: int, fee_den: int) -> int:
    """Largest q with ``q*price + ceil(q*price*fee)`` ≤ ``available`` (exact integers)."""
    if price <= 0 or available <= 0:
        return 0
    q = available * fee_den // (price * (fee_den + fee_num))
    while q > 0 and q * price + -(-q * price * fee_num // fee_den) > available:
        q -= 1
    while (q + 1) * price + -(-(q + 1) * price * fee_num // fee_den) <= available:
        q += 1
    return q
