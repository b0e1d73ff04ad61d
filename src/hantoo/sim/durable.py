"""An exchange whose user commands go to the command journal: event sourcing for the engine.

:class:`JournaledExchange` is the engine's :class:`~hantoo.sim.engine.exchange.Exchange` with
its public *commands* wrapped: after a command succeeds it appends one journal record holding
the command, its arguments and the engine instant it ran at. Reads, clock syncs and rejected
commands append nothing: what the market does by itself (auctions, synthetic steps, expiries,
reservations sent at the open, participants acting on seed and clock) is a pure function of the
seed and the time, so replaying the commands at their instants rebuilds the same state. The two
things a *read* can change in that market — a symbol going live for the participants, and the
ticks they skip after a long gap — are journaled too (``watch``, ``ptskip``).

Ops (``args`` after ``[seq, time_us, op]``; amounts and prices as decimal strings):

``d*``         the futures/options market's records (:mod:`hantoo.sim.derivatives.journaled`)
=============  =============================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from .engine.clock import SessionClock, from_us
from .engine.exchange import Exchange
from .engine.futures_book import FuturesBook, book_of
from .engine.matching import Fill, fill_info, order_info
from .engine.orders import Order
from .engine.queries import _match_filters
from .engine.types import CreditType, EngineReject, OrderType, RejectReason, Side
from .engine.views import AccountKey, FillInfo, OrderInfo, ReservationInfo, akey
from .journal import CommandJournal

__all__ = ["Checkpointer", "JournaledExchange", "ReplayClock", "apply_record"]


class Checkpointer(Protocol):
    """What takes a snapshot of the exchange (``hantoo.sim.store``)."""

    def checkpoint(self, exchange: JournaledExchange, *, background: bool = False) -> bool: ...

    def wait(self) -> None: ...

    def poll(self) -> None: ...


class Archive(Protocol):
    """Where finished orders and their fills live once out of the hot state."""

    def archived_order(self, ex: Exchange, key: AccountKey, odno: int) -> Order | None: ...

    def archived_orders(
        self, ex: Exchange, key: AccountKey, start: date, end: date
    ) -> list[Order]: ...

    def archived_fills(
        self, ex: Exchange, key: AccountKey, start: date, end: date
    ) -> list[Fill]: ...


class ReplayClock(SessionClock):
    """A stepped clock that replay sets to each record's instant."""

    __slots__ = ()

    def set_us(self, t: int) -> None:
        if t > self._anchor_sim:
            self._anchor_sim = t


def _dec(v: Decimal | int | str | None) -> str | None:
    return None if v is None else str(v)


def _ot(v: OrderType | str | None) -> str | None:
    if v is None:
        return None
    return v.value if isinstance(v, OrderType) else str(v)


class JournaledExchange(Exchange):
    """The exchange with a command journal; see the module docstring."""

    _j_journal: CommandJournal | None = None
    _j_replaying = False
    _j_checkpointer: Checkpointer | None = None
    _j_every = 0
    _j_since = 0
    _j_archive: Archive | None = None
    _j_background = True

    def attach_archive(self, archive: Archive) -> None:
        """Answer order and fill queries from ``archive`` too (finished orders go there)."""
        self._j_archive = archive

    def attach_journal(
        self, journal: CommandJournal, checkpointer: Checkpointer | None = None,
        every: int = 0, *, background: bool = True,
    ) -> None:
        """Journal every later command; snapshot through ``checkpointer`` every ``every``.

        ``background``: periodic snapshots are written by a forked process (the default);
        ``False`` writes each before the command returns (exact journal bounds for tests).
        """
        self._j_journal = journal
        self._j_checkpointer = checkpointer
        self._j_every = every
        self._j_background = background

    @property
    def journal(self) -> CommandJournal | None:
        return self._j_journal

    def _log(self, op: str, args: list[Any]) -> None:
        j = self._j_journal
        if j is None or self._j_replaying:
            return
        self._log_record(j, [0, self._now, op, *args])

    def _log_record(self, j: CommandJournal, record: list[Any]) -> None:
        """Append ``[_, time_us, op, *args]`` (the journal numbers it), snapshot when due.

        The order commands build their record whole and come here directly: one list and
        one call less on every order and cancel.
        """
        j.add(record)
        self._j_since += 1
        # periodic snapshots are written by a background process (the caller, maybe an event
        # loop, pauses only to hand over); retried while an earlier one still runs
        if (self._j_every and self._j_since >= self._j_every and self._j_checkpointer
                and self._j_checkpointer.checkpoint(self, background=self._j_background)):
            self._j_since = 0
        elif not self._j_since & 1023 and self._j_checkpointer is not None:
            self._j_checkpointer.poll()  # collect a finished snapshot child soon, not at the next

    def record(self, op: str, args: list[Any]) -> None:
        """Journal a command that ran outside the engine's own (the bond desk's): the caller
        has already applied it, and ``apply_record`` replays it by ``op``. The record is dated
        at the clock's now (the engine is brought there first), the instant the command ran."""
        if self._j_journal is not None and not self._j_replaying:
            self.sync()
        self._log(op, args)

    def checkpoint(self) -> None:
        """Snapshot now, before returning (the journal restarts empty after it)."""
        if self._j_checkpointer is not None and not self._j_replaying:
            self._j_checkpointer.checkpoint(self)
            self._j_since = 0

    def wait_snapshot(self) -> None:
        """Wait until a snapshot being written in the background is committed."""
        if self._j_checkpointer is not None:
            self._j_checkpointer.wait()

    def flush(self) -> None:
        """Make every journaled command durable now (blocking)."""
        if self._j_journal is not None:
            self._j_journal.flush()

    async def durable(self) -> None:
        """Await the group commit covering every command so far (the server's ack rule)."""
        j = self._j_journal
        if j is not None and j.synced < j.appended:
            await j.wait()

    # ---- queries that reach the archive ----------------------------------------------------
    def _archived(self, account: AccountKey, odno: str | int) -> Order | None:
        if self._j_archive is None:
            return None
        try:
            n = int(odno)
        except ValueError:
            return None
        return self._j_archive.archived_order(self, akey(account), n)

    def _not_open(self, rej: EngineReject, account: AccountKey, odno: str | int) -> None:
        """A finished order that left the hot state is 'not open', as before, not 'unknown'."""
        if rej.reason is RejectReason.UNKNOWN_ORDER:
            o = self._archived(account, odno)
            if o is not None:
                raise EngineReject(
                    RejectReason.ORDER_NOT_OPEN, f"{o.odno:010d} is {o.status.value}"
                ) from None

    def order(self, account: AccountKey, odno: str | int) -> OrderInfo:
        try:
            return super().order(account, odno)
        except EngineReject as rej:
            if rej.reason is RejectReason.UNKNOWN_ORDER:
                o = self._archived(account, odno)
                if o is not None:
                    return order_info(o)
            raise

    def order_history(
        self,
        account: AccountKey,
        start: date,
        end: date,
        *,
        symbol: str | None = None,
        side: Side | None = None,
        status: str = "all",
    ) -> list[OrderInfo]:
        if self._j_archive is None:
            return super().order_history(account, start, end, symbol=symbol, side=side,
                                         status=status)
        self.sync_quietly()
        a = self._account(account)
        orders = [o for o in a.order_log if start <= o.day <= end]
        orders += self._j_archive.archived_orders(self, a.key, start, end)
        orders.sort(key=lambda o: o.odno)
        return [
            order_info(o) for o in orders
            if _match_filters(o, symbol, side)
            and not (status == "filled" and not o.filled)
            and not (status == "unfilled" and not o.remaining)
        ]

    def fill_history(
        self,
        account: AccountKey,
        start: date,
        end: date,
        *,
        symbol: str | None = None,
        side: Side | None = None,
    ) -> list[FillInfo]:
        if self._j_archive is None:
            return super().fill_history(account, start, end, symbol=symbol, side=side)
        self.sync_quietly()
        a = self._account(account)
        fills = [f for f in a.fill_log if start <= f.day <= end]
        fills += self._j_archive.archived_fills(self, a.key, start, end)
        fills.sort(key=lambda f: f.fill_id)
        return [fill_info(f) for f in fills if _match_filters(f.order, symbol, side)]

    # ---- wrapped commands -----------------------------------------------------------------
    def open_account(
        self, cano: str, prdt: str = "01", *, krw: Decimal | int = 0, usd: Decimal | int = 0
    ) -> AccountKey:
        key = super().open_account(cano, prdt, krw=krw, usd=usd)
        self._log("acct", [cano, prdt, str(krw), str(usd)])
        return key

    def deposit(self, account: AccountKey, amount: Decimal | int, currency: str = "KRW") -> None:
        super().deposit(account, amount, currency)
        k = akey(account)
        self._log("dep", [k[0], k[1], str(amount), currency])

    def grant_shares(self, account: AccountKey, symbol: str, qty: int, avg_price: Decimal) -> None:
        super().grant_shares(account, symbol, qty, avg_price)
        k = akey(account)
        self._log("grant", [k[0], k[1], symbol, qty, str(avg_price)])

    def place_order(
        self,
        account: AccountKey,
        symbol: str,
        side: Side,
        order_type: OrderType | str,
        qty: int,
        price: Decimal | int | str | None = None,
        *,
        credit: CreditType | None = None,
        loan_date: date | None = None,
        exchange: str = "KRX",
    ) -> OrderInfo:
        info = super().place_order(account, symbol, side, order_type, qty, price, credit=credit,
                                   loan_date=loan_date, exchange=exchange)
        j = self._j_journal
        if j is not None and not self._j_replaying:
            # the normalised key and order type the engine accepted; enums are written as
            # their values by the journal's encoder (no .value lookups on the command path)
            k = info.account
            rec = [0, self._now, "ord", k[0], k[1], symbol, info.side, info.order_type, qty,
                   None if price is None else str(price), credit.value if credit else None,
                   loan_date.isoformat() if loan_date else None]
            if exchange != "KRX" and (venue := exchange.upper()) != "KRX":
                rec.append(venue)
            self._log_record(j, rec)
        return info

    # ---- market events caused by reads (participants, hantoo.sim.engine.participants) ----
    def _pt_following(self) -> bool:
        return self._j_replaying

    def _pt_note(self, op: str, args: list[int | str]) -> None:
        if self._j_journal is None or self._j_replaying:
            return
        if op == "ptskip":  # logged just before the skipped range, where replay must stop
            saved = self._now
            self._now = int(args[0]) - 1
            try:
                self._log(op, args)
            finally:
                self._now = saved
        else:
            self._log(op, args)

    def cancel_order(
        self, account: AccountKey, odno: str | int, *, qty: int | None = None
    ) -> OrderInfo:
        try:
            info = super().cancel_order(account, odno, qty=qty)
        except EngineReject as rej:
            self._not_open(rej, account, odno)
            raise
        j = self._j_journal
        if j is not None and not self._j_replaying:
            k = info.account
            self._log_record(j, [0, self._now, "cxl", k[0], k[1], str(odno), qty])
        return info

    def modify_order(
        self,
        account: AccountKey,
        odno: str | int,
        *,
        price: Decimal | int | str | None = None,
        qty: int | None = None,
        all_qty: bool = True,
        order_type: OrderType | str | None = None,
    ) -> OrderInfo:
        try:
            info = super().modify_order(account, odno, price=price, qty=qty, all_qty=all_qty,
                                        order_type=order_type)
        except EngineReject as rej:
            self._not_open(rej, account, odno)
            raise
        k = akey(account)
        self._log("mod", [k[0], k[1], str(odno), _dec(price), qty, all_qty, _ot(order_type)])
        return info

    def reserve_order(
        self,
        account: AccountKey,
        symbol: str,
        side: Side,
        order_type: OrderType | str,
        qty: int,
        price: Decimal | int | str | None = None,
        *,
        end_date: date | None = None,
        credit: CreditType | None = None,
    ) -> ReservationInfo:
        info = super().reserve_order(account, symbol, side, order_type, qty, price,
                                     end_date=end_date, credit=credit)
        k = akey(account)
        self._log("rsv", [k[0], k[1], symbol, int(side), _ot(order_type), qty, _dec(price),
                          end_date.isoformat() if end_date else None,
                          credit.value if credit else None])
        return info

    def cancel_reservation(self, account: AccountKey, seq: int) -> ReservationInfo:
        info = super().cancel_reservation(account, seq)
        k = akey(account)
        self._log("rsvx", [k[0], k[1], int(seq)])
        return info

    def note_ofut(self, op: str, args: list[Any]) -> None:
        """Journal an overseas futures command (``ofut_*``) at the engine's instant now."""
        if self._j_journal is None or self._j_replaying:
            return
        self.sync()  # the record's instant is the clock's, where replay puts the clock
        self._log(op, args)

    def note_clock(self) -> None:
        """Run what is due and journal the clock's instant (it was moved outside the engine)."""
        self.sync()
        self._log("clk", [])

    def advance(self, delta: timedelta | int) -> datetime:
        now = super().advance(delta)
        self._log("clk", [])
        return now

    def advance_to(self, when: datetime) -> datetime:
        now = super().advance_to(when)
        self._log("clk", [])
        return now


def _opt_date(v: str | None) -> date | None:
    return date.fromisoformat(v) if v else None


def _opt_credit(v: str | None) -> CreditType | None:
    return CreditType(v) if v else None


def _opt_dec(v: str | None) -> Decimal | None:
    return None if v is None else Decimal(v)


def _opt_int(v: int | None) -> int | None:
    return None if v is None else int(v)


_APPLY: dict[str, Callable[[Exchange, list[Any]], object]] = {
    "acct": lambda ex, a: Exchange.open_account(ex, a[0], a[1], krw=Decimal(a[2]),
                                                usd=Decimal(a[3])),
    "dep": lambda ex, a: Exchange.deposit(ex, (a[0], a[1]), Decimal(a[2]), a[3]),
    "grant": lambda ex, a: Exchange.grant_shares(ex, (a[0], a[1]), a[2], int(a[3]),
                                                 Decimal(a[4])),
    "ord": lambda ex, a: Exchange.place_order(
        ex, (a[0], a[1]), a[2], Side(a[3]), a[4], int(a[5]), a[6],
        credit=_opt_credit(a[7]), loan_date=_opt_date(a[8]),
        exchange=a[9] if len(a) > 9 else "KRX"),
    "watch": lambda ex, a: _replay_watch(ex, str(a[0])),
    "ptskip": lambda ex, a: _replay_skip(ex, int(a[1])),
    "cxl": lambda ex, a: Exchange.cancel_order(ex, (a[0], a[1]), a[2], qty=_opt_int(a[3])),
    "mod": lambda ex, a: Exchange.modify_order(
        ex, (a[0], a[1]), a[2], price=a[3], qty=_opt_int(a[4]), all_qty=bool(a[5]),
        order_type=a[6]),
    "rsv": lambda ex, a: Exchange.reserve_order(
        ex, (a[0], a[1]), a[2], Side(a[3]), a[4], int(a[5]), a[6], end_date=_opt_date(a[7]),
        credit=_opt_credit(a[8])),
    "rsvx": lambda ex, a: Exchange.cancel_reservation(ex, (a[0], a[1]), int(a[2])),
    "clk": lambda ex, a: Exchange.sync(ex),
    "bond": lambda ex, a: _replay_bond(ex, a),
    "ofut_ord": lambda ex, a: _ofut(ex).place(
        (a[0], a[1]), a[2], a[3], int(a[4]), a[5], None if a[6] is None else Decimal(a[6]),
        a[7], from_us(int(a[8])), _opt_dec(a[9] if len(a) > 9 else None)),
    "ofut_mod": lambda ex, a: _ofut(ex).modify((a[0], a[1]), a[2], _opt_dec(a[3]),
                                               from_us(int(a[4])),
                                               _opt_dec(a[5] if len(a) > 5 else None)),
    "ofut_cxl": lambda ex, a: _ofut(ex).cancel((a[0], a[1]), a[2], from_us(int(a[3]))),
    "ofut_sync": lambda ex, a: _ofut(ex).sync(from_us(int(a[0]))),
}


def _replay_bond(ex: Exchange, args: list[Any]) -> None:
    from .marketdata.bond_desk import replay  # the desk is a simulator add-on of the engine

    replay(ex, args)


def _ofut(ex: Exchange) -> FuturesBook:
    """The exchange's overseas futures book, with the engine run up to the record's instant."""
    Exchange.sync(ex)
    return book_of(ex)


def _replay_watch(ex: Exchange, symbol: str) -> None:
    Exchange.sync(ex)
    Exchange._pt_watch(ex, ex._state(ex._inst(symbol)))


def _replay_skip(ex: Exchange, to_us: int) -> None:
    Exchange.sync(ex)  # every tick before the skipped range, as live
    if to_us > ex._pt_next:
        ex._pt_next = to_us


def _extension_ops() -> dict[str, Callable[[Exchange, list[Any]], object]]:
    """Ops of markets built on the engine (futures/options: ``d*``, :mod:`.derivatives`)."""
    from .derivatives.journaled import OPS

    return OPS


def apply_record(ex: JournaledExchange, clock: ReplayClock, record: list[Any]) -> None:
    """Re-run one journal record at its instant (the engine is deterministic)."""
    _seq, t, op, *args = record
    fn = _APPLY.get(op)
    if fn is None:
        fn = _extension_ops().get(op)
    if fn is None:
        raise ValueError(f"unknown journal op {op!r} (a newer hantoo wrote this state?)")
    clock.set_us(int(t))
    fn(ex, args)


def replay_clock(start_us: int, mode_speed: Fraction | int = 1) -> ReplayClock:
    """A stepped replay clock standing at ``start_us``."""
    from .engine.clock import from_us

    return ReplayClock("stepped", start=from_us(start_us), speed=mode_speed)
