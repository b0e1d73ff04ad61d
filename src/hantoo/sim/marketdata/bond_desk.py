"""Bond orders, fills and holdings: a dealer desk quoting the simulator's listed bonds.

Why a desk and not the matching engine: KRX's retail bond market is thin and quote-driven; the
simulator's bonds (:mod:`.bonds`) have a yield at every instant but no order book. The desk
fills an order at that quote when the order's limit reaches it — a buy whose limit is at or above
the clean price, a sell at or below — and leaves it open otherwise; open orders are retried at the
quote of the moment each time the account's bond APIs are called (the clock being the
simulator's, this is deterministic).

Conventions (simplified KRX retail bond market):

* quantity ``ORD_QTY2`` is face value in won, in multiples of 1,000;
* prices are clean prices per 10,000 won of face (two decimals), as the quote API answers;
* a trade settles ``principal = qty × price / 10,000`` plus ``accrued = qty × accrued per
  10,000 / 10,000`` (both rounded down to the won) — the buyer pays the seller the interest
  accrued since the last coupon;
* a lot's yield (``buy_erng_rt``) is the yield to maturity at its fill price (solved from the
  price with :func:`.bonds.dirty_price`).

Cash moves through the engine's account (a withdrawal on a buy, a deposit on a sale), so the
stock balance APIs see it; holdings and bond orders live here, per simulator. ``Decimal``
throughout, never floats.

**Durable by the stock commands' rule.** The desk lives on the engine's exchange (attribute
``bond_desk``), so a snapshot of the exchange (:mod:`hantoo.sim.store`) holds the bond orders
and lots with the cash they moved. Each command that changes the desk — an order, a cancel, a
re-price, and a retry that filled — appends one ``bond`` record to the exchange's command journal
(:meth:`hantoo.sim.durable.JournaledExchange.record`) with the instant and previous business day
it ran at, before the answer goes out; restart replays it through :func:`replay` at that instant.
The cash a fill moves is therefore *not* journaled as a deposit of its own (the bond record
replays it): fills move cash through the engine's unjournaled ``Exchange.deposit``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from ..engine.clock import from_us, to_us
from ..engine.exchange import Exchange
from .bonds import BONDS, FACE, Bond, accrued, dirty_price, quote

__all__ = ["BondDesk", "BondLot", "BondOrder", "DeskError", "desk_for", "desk_of", "replay",
           "settlement", "yield_from_price"]

_log = logging.getLogger("hantoo.sim")

BUY, SELL = "02", "01"
"""KIS ``SLL_BUY_DVSN_CD``: 01 sell, 02 buy."""
UNIT = 1_000
"""Smallest face amount tradable, won."""
_CENT = Decimal("0.01")
_WON = Decimal(1)


class DeskError(ValueError):
    """A bond order the desk refuses: ``code`` is the KIS-style message code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class BondOrder:
    odno: str
    orgn_odno: str
    day: date
    time: datetime
    account: tuple[str, str]
    code: str
    side: str
    qty: int
    limit: Decimal
    filled: int = 0
    fill_price: Decimal = Decimal(0)
    fill_amount: int = 0
    """Principal paid or received (won, accrued interest excluded)."""
    fill_accrued: int = 0
    cancelled: int = 0

    @property
    def open_qty(self) -> int:
        return self.qty - self.filled - self.cancelled


@dataclass
class BondLot:
    code: str
    buy_day: date
    seq: int
    qty: int
    price: Decimal
    yield_pct: Decimal
    amount: int
    """Principal paid for the lot still held (won)."""


@dataclass
class _Book:
    orders: dict[str, BondOrder] = field(default_factory=dict)
    lots: dict[tuple[str, str], list[BondLot]] = field(default_factory=dict)
    next_odno: int = 0
    next_seq: int = 0


def settlement(bond: Bond, qty: int, price: Decimal, settle: date) -> tuple[int, int]:
    """(principal, accrued interest) in won of ``qty`` face at clean ``price`` on ``settle``."""
    principal = (qty * price / FACE).quantize(_WON, ROUND_DOWN)
    interest = (qty * accrued(bond, settle) / FACE).quantize(_WON, ROUND_DOWN)
    return int(principal), int(interest)


def yield_from_price(bond: Bond, settle: date, clean: Decimal) -> Decimal:
    """The yield (percent, three decimals) at which the bond's clean price is ``clean``."""
    target = clean + accrued(bond, settle)
    lo, hi = Decimal("-5"), Decimal("50")
    for _ in range(60):  # the price falls as the yield rises: bisection
        mid = (lo + hi) / 2
        if dirty_price(bond, settle, mid) > target:
            lo = mid
        else:
            hi = mid
    return ((lo + hi) / 2).quantize(Decimal("0.001"), ROUND_HALF_UP)


class BondDesk:
    """Bond orders and holdings of one simulator (see the module docstring)."""

    def __init__(self) -> None:
        self._book = _Book()

    # -- queries -------------------------------------------------------------------------------
    def lots(self, account: tuple[str, str]) -> list[BondLot]:
        return [lot for lot in self._book.lots.get(account, []) if lot.qty > 0]

    def orders(self, account: tuple[str, str]) -> list[BondOrder]:
        return [o for o in self._book.orders.values() if o.account == account]

    def order(self, account: tuple[str, str], odno: str) -> BondOrder:
        o = self._book.orders.get(odno.lstrip("0").rjust(10, "0"))
        if o is None or o.account != account:
            raise DeskError("APBK0918", "주문번호가 존재하지 않습니다.")
        return o

    def sellable(self, account: tuple[str, str], code: str) -> int:
        held = sum(lot.qty for lot in self.lots(account) if lot.code == code)
        selling = sum(o.open_qty for o in self.orders(account)
                      if o.code == code and o.side == SELL)
        return held - selling

    # -- commands ------------------------------------------------------------------------------
    def place(self, ex: Any, account: tuple[str, str], code: str, side: str, qty: int,
              limit: Decimal, now: datetime, prev_day: date) -> BondOrder:
        """Accept an order (refusing a bad one) and fill it at once if the quote allows."""
        o = self._place(ex, account, code, side, qty, limit, now, prev_day)
        _journal(ex, "place", account, now, prev_day, [o.code, side, qty, str(limit)])
        return o

    def _place(self, ex: Any, account: tuple[str, str], code: str, side: str, qty: int,
               limit: Decimal, now: datetime, prev_day: date) -> BondOrder:
        bond = BONDS.get(code.upper())
        if bond is None:
            raise DeskError("MCA05918", "종목코드 오류입니다.")
        if qty <= 0 or qty % UNIT:
            raise DeskError("APBK1516", f"주문수량은 {UNIT:,}원 단위로 입력하십시오.")
        if limit <= 0:
            raise DeskError("APBK0919", "주문단가를 확인하십시오.")
        if side == SELL and self.sellable(account, bond.code) < qty:
            raise DeskError("APBK0400", "매도가능수량을 초과하였습니다.")
        if side == BUY:
            principal, interest = settlement(bond, qty, limit, now.date())
            if self.cash(ex, account) < principal + interest:
                raise DeskError("APBK0952", "주문가능금액을 초과 하였습니다.")
        return self._new(ex, account, bond, side, qty, limit, now, prev_day, "")

    def _new(self, ex: Any, account: tuple[str, str], bond: Bond, side: str, qty: int,
             limit: Decimal, now: datetime, prev_day: date, orgn: str) -> BondOrder:
        b = self._book
        b.next_odno += 1
        o = BondOrder(f"{b.next_odno:010d}", orgn, now.date(), now, account, bond.code, side,
                      qty, limit.quantize(_CENT))
        b.orders[o.odno] = o
        self._try_fill(ex, o, now, prev_day)
        return o

    @staticmethod
    def _check_part(qty: int | None) -> None:
        if qty is not None and (qty <= 0 or qty % UNIT):
            raise DeskError("APBK1516", f"정정/취소 수량은 {UNIT:,}원 단위로 입력하십시오.")

    def cancel(self, ex: Any, account: tuple[str, str], odno: str, qty: int | None,
               now: datetime, prev_day: date) -> BondOrder:
        """Cancel ``qty`` (all when ``None``) of an order's open quantity."""
        self._check_part(qty)
        o = self.order(account, odno)
        if o.open_qty <= 0:
            raise DeskError("APBK0551", "정정/취소할 수량이 없습니다.")
        take = o.open_qty if qty is None else min(qty, o.open_qty)
        o.cancelled += take
        _journal(ex, "cancel", account, now, prev_day, [o.odno, qty])
        return o

    def modify(self, ex: Any, account: tuple[str, str], odno: str, qty: int | None,
               limit: Decimal, now: datetime, prev_day: date) -> BondOrder:
        """Replace an open order's price (for ``qty`` of it, all when ``None``): the old part is
        cancelled and a new order at ``limit`` carries the original's number as its origin."""
        self._check_part(qty)
        if limit <= 0:
            raise DeskError("APBK0919", "주문단가를 확인하십시오.")
        o = self.order(account, odno)
        if o.open_qty <= 0:
            raise DeskError("APBK0551", "정정/취소할 수량이 없습니다.")
        take = o.open_qty if qty is None else min(qty, o.open_qty)
        o.cancelled += take
        new = self._new(ex, account, BONDS[o.code], o.side, take, limit, now, prev_day, o.odno)
        _journal(ex, "modify", account, now, prev_day, [o.odno, qty, str(limit)])
        return new

    def sync(self, ex: Any, account: tuple[str, str], now: datetime, prev_day: date) -> None:
        """Retry the account's open orders at the quote of ``now`` (journaled when one fills:
        the fill moved cash and holdings)."""
        filled = False
        for o in self.orders(account):
            if o.open_qty > 0:
                filled = self._try_fill(ex, o, now, prev_day) or filled
        if filled:
            _journal(ex, "sync", account, now, prev_day, [])

    @staticmethod
    def cash(ex: Any, account: tuple[str, str]) -> int:
        """Cash the account can spend (the engine's buying power for a cash buy)."""
        krw = next(s for s in ex.balance(account).summary if s.currency == "KRW")
        return int(krw.orderable)

    # -- fills ---------------------------------------------------------------------------------
    def _try_fill(self, ex: Any, o: BondOrder, now: datetime, prev_day: date) -> bool:
        """Fill ``o`` at the quote of ``now`` if its limit reaches it; True when it filled."""
        q = quote(o.code, now, prev_day)
        if q is None or o.open_qty <= 0:
            return False
        marketable = o.limit >= q.price if o.side == BUY else o.limit <= q.price
        if not marketable:
            return False
        bond, qty, day = q.bond, o.open_qty, now.date()
        principal, interest = settlement(bond, qty, q.price, day)
        # the engine's own deposit, unjournaled: the desk's ``bond`` record replays this fill
        if o.side == BUY:
            if self.cash(ex, o.account) < principal + interest:
                return False  # stays open until the account can pay
            Exchange.deposit(ex, o.account, -(principal + interest))
            b = self._book
            b.next_seq += 1
            b.lots.setdefault(o.account, []).append(BondLot(
                bond.code, day, b.next_seq, qty, q.price,
                yield_from_price(bond, day, q.price), principal))
        else:
            left = qty
            for lot in self.lots(o.account):
                if lot.code != bond.code or not left:
                    continue
                take = min(lot.qty, left)
                lot.amount -= lot.amount * take // lot.qty
                lot.qty -= take
                left -= take
            Exchange.deposit(ex, o.account, principal + interest)
        o.filled += qty
        o.fill_amount += principal
        o.fill_accrued += interest
        o.fill_price = q.price
        return True


def desk_for(ex: Any) -> BondDesk:
    """The bond desk of an exchange, created on first use. It is an attribute of the exchange
    so that the exchange's snapshots carry it (see the module docstring)."""
    desk: BondDesk | None = getattr(ex, "bond_desk", None)
    if desk is None:
        desk = BondDesk()
        ex.bond_desk = desk
    return desk


def desk_of(state: Any) -> BondDesk:
    """The bond desk of one simulator state (its exchange's)."""
    return desk_for(state.exchange)


def _journal(ex: Any, action: str, account: tuple[str, str], now: datetime, prev_day: date,
             rest: list[Any]) -> None:
    """Append a ``bond`` record when ``ex`` keeps a command journal (a state file)."""
    record = getattr(ex, "record", None)
    if record is not None:
        record("bond", [action, account[0], account[1], to_us(now), prev_day.isoformat(),
                        *rest])


def replay(ex: Any, args: list[Any]) -> None:
    """Re-run one journaled desk command (``[action, cano, prdt, now_us, prev_day, ...]``)
    at its recorded instant: the quote and the cash are what they were, so it does the same."""
    action, cano, prdt, now_us, prev, *rest = args
    account = (str(cano), str(prdt))
    now, prev_day = from_us(int(now_us)), date.fromisoformat(prev)
    desk = desk_for(ex)
    try:
        if action == "place":
            code, side, qty, limit = rest
            desk.place(ex, account, code, side, int(qty), Decimal(limit), now, prev_day)
        elif action == "cancel":
            odno, qty = rest
            desk.cancel(ex, account, odno, None if qty is None else int(qty), now, prev_day)
        elif action == "modify":
            odno, qty, limit = rest
            desk.modify(ex, account, odno, None if qty is None else int(qty), Decimal(limit),
                        now, prev_day)
        elif action == "sync":
            desk.sync(ex, account, now, prev_day)
        else:
            raise ValueError(f"unknown bond desk command {action!r} (a newer hantoo wrote this?)")
    except DeskError as e:  # should not happen: the desk is deterministic
        _log.warning("journaled bond %s no longer applies: %s", action, e.message)
