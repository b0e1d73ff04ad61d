"""The engine's invariants as executable checks (see the package docstring for the list).

Used by the property tests after every command and by the store test after a crash-restart;
cheap enough to call in a debugging session, too slow for the hot path.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from .orders import BUY
from .types import OrderAction, Phase

if TYPE_CHECKING:
    from .exchange import Exchange


def check_invariants(ex: Exchange) -> list[str]:
    """Every violated invariant, described; an empty list means all hold."""
    bad: list[str] = []
    # 1. quantity identity
    for o in ex.orders.values():
        if o.qty != o.filled + o.remaining + o.cancelled + o.replaced:
            bad.append(f"qty identity broken for {o!r}")
        if o.remaining < 0 or o.filled < 0 or o.cancelled < 0:
            bad.append(f"negative quantity in {o!r}")
    replaced_into: dict[int, int] = defaultdict(int)
    for o in ex.orders.values():
        if o.action is OrderAction.MODIFY:
            replaced_into[o.orig_odno] += o.qty
    for odno, q in replaced_into.items():
        orig = ex.orders.get(odno)
        if orig is not None and orig.replaced > q:
            bad.append(f"order {odno}: replaced {orig.replaced} but modifies hold {q}")
    # 2. cash and shares conservation
    everyone = [*ex.accounts.values(), ex.house, ex.lender]
    for u in range(len(ex.deposits)):
        total = sum(a.cash[u] for a in everyone) + ex.fee_ledger[u] + ex.tax_ledger[u]
        if total != ex.deposits[u]:
            bad.append(f"cash[{u}] not conserved: {total} != deposits {ex.deposits[u]}")
    shares: dict[str, int] = defaultdict(int)
    for a in everyone:
        for p in a.positions.values():
            shares[p.code] += p.qty
        for lot in a.lots.values():
            shares[lot.code] += lot.qty
    for code, n in shares.items():
        if n:
            bad.append(f"shares of {code} not conserved: net {n}")
    # 3. reservations
    res: dict[tuple[tuple[str, str], int], int] = defaultdict(int)
    held: dict[tuple[tuple[str, str], str, object], int] = defaultdict(int)
    for o in ex.working_orders():
        if o.side == BUY:
            res[(o.acct.key, o.inst.mk)] += o.reserved
        else:
            held[(o.acct.key, o.inst.code, o.loan_date if o.credit else None)] += o.remaining
    for a in ex.accounts.values():
        for u in range(len(a.reserved)):
            if a.reserved[u] != res[(a.key, u)]:
                bad.append(f"{a!r} reserved[{u}] {a.reserved[u]} != open buys {res[(a.key, u)]}")
        for p in a.positions.values():
            if p.reserved != held[(a.key, p.code, None)]:
                bad.append(f"{a!r} {p.code} reserved {p.reserved} != open sells")
        for lot in a.lots.values():
            if lot.reserved != held[(a.key, lot.code, lot.loan_date)]:
                bad.append(f"{a!r} lot {lot.code} reserved {lot.reserved} != open sells")
    # 4 + 5. books
    for code, st in ex._states.items():
        mk = st.inst.mk
        if ex._phase[mk] is Phase.CONTINUOUS and st.book.crossed():
            bad.append(f"{code}: crossed book in the continuous session")
        if st.nxt.crossed():
            bad.append(f"{code}: crossed NXT book")
        for book in (st.book, st.fixed, st.after, st.close_book, st.nxt):
            for side in (book.bids, book.asks):
                if sorted(side.keys) != side.keys or set(side.keys) != set(side.levels):
                    bad.append(f"{code}: level index out of order")
                for lvl in side.levels.values():
                    live = [o for o in lvl.orders if o.remaining]
                    if sum(o.remaining for o in live) != lvl.total or lvl.total <= 0:
                        bad.append(f"{code}@{lvl.price}: level total {lvl.total} is wrong")
                    prios = [o.prio for o in live]
                    if prios != sorted(prios) or len(set(prios)) != len(prios):
                        bad.append(f"{code}@{lvl.price}: FIFO order broken")
    return bad
