"""The overseas futures account as typed objects: positions, margin and P&L (issue 15).

Why its own object and not :class:`~hantoo.domain.objects.Balance`: a futures account holds
no shares but contracts, long or short, against margin; its money is in the contract's
currency (dollars for every listed product) with KIS's own total in won. So
:class:`FuturesBalance` reads ``inquire_unpd`` (미결제내역: the positions) and
``inquire_deposit`` twice (예수금현황: ``CRCY_CD`` ``USD`` and ``TKR``, the won total KIS
converts at the day's rate), and keeps every amount a :class:`~decimal.Decimal`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .._core.wire import ApiResponse
from ..domain.ordertypes import Side
from .steps import Call, Workflow, collect_rows

__all__ = ["FuturesBalance", "FuturesMoney", "FuturesPosition", "futures_balance_flow"]

_ZERO = Decimal(0)


def _dec(row: Any, name: str) -> Decimal:
    v = row.get(name) if row is not None else None
    if v is None or v == "":
        return _ZERO
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return _ZERO


@dataclass(frozen=True, slots=True, kw_only=True)
class FuturesPosition:
    """One open position: ``quantity`` contracts, positive long, negative short."""

    symbol: str
    side: Side
    quantity: int
    average_price: Decimal
    current_price: Decimal
    unrealized_pnl: Decimal  # in ``currency``
    currency: str
    option: bool = False
    option_value: Decimal = _ZERO  # an option position at today's premium
    closable_quantity: int = 0  # not already taken by open closing orders
    raw: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class FuturesMoney:
    """The account's money in one currency (``USD``; ``KRW``: KIS's won figures)."""

    currency: str
    cash: Decimal
    total: Decimal  # cash + the futures' P&L + options at today's premium
    realized_pnl: Decimal  # today's, closed positions
    unrealized_pnl: Decimal
    fees: Decimal
    margin: Decimal  # initial margin held (positions and open orders)
    maintenance_margin: Decimal
    margin_call: Decimal  # what must come in to get back to maintenance
    orderable: Decimal
    raw: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class FuturesBalance:
    """Positions plus the money in the contract currency and in won, at one call."""

    positions: tuple[FuturesPosition, ...]
    money: FuturesMoney  # in the contracts' currency (USD)
    krw: FuturesMoney  # the same figures in won, as KIS converts them

    @property
    def unrealized_pnl(self) -> Decimal:
        return self.money.unrealized_pnl


def _money(r: ApiResponse, currency: str) -> FuturesMoney:
    rows = r.rows("output")
    row: Any = rows[0] if rows else {}
    return FuturesMoney(
        currency=currency, cash=_dec(row, "fm_dnca_rmnd"), total=_dec(row, "fm_tot_asst_evlu_amt"),
        realized_pnl=_dec(row, "fm_lqd_pfls_amt"),
        unrealized_pnl=_dec(row, "fm_fuop_evlu_pfls_amt"), fees=_dec(row, "fm_fee"),
        margin=_dec(row, "fm_brkg_mgn_amt"), maintenance_margin=_dec(row, "fm_mntn_mgn_amt"),
        margin_call=_dec(row, "fm_add_mgn_amt"), orderable=_dec(row, "fm_ord_psbl_amt"), raw=r)


def futures_balance_flow(day: dt.date) -> Workflow[FuturesBalance]:
    """Positions (``inquire_unpd``), then the money in dollars and in won (``inquire_deposit``)."""
    rows, _extra, _last = yield from collect_rows("overseas_futureoption/inquire_unpd", {
        "fuop_dvsn": "00", "ctx_area_fk100": "", "ctx_area_nk100": ""}, block="output")
    positions = []
    for p in rows:
        qty = int(_dec(p, "fm_ustl_qty"))
        if not qty:
            continue
        side = Side.from_code(str(p.get("sll_buy_dvsn_cd") or "")) or Side.BUY
        positions.append(FuturesPosition(
            symbol=str(p.get("ovrs_futr_fx_pdno") or ""), side=side,
            quantity=qty if side is Side.BUY else -qty,
            average_price=_dec(p, "fm_ccld_avg_pric"), current_price=_dec(p, "fm_now_pric"),
            unrealized_pnl=_dec(p, "fm_evlu_pfls_amt"), currency=str(p.get("crcy_cd") or ""),
            option=str(p.get("fuop_dvsn") or "") == "02",
            option_value=_dec(p, "fm_opt_evlu_amt"),
            closable_quantity=int(_dec(p, "fm_lqd_psbl_qty")), raw=p))
    usd: ApiResponse = yield Call("overseas_futureoption/inquire_deposit",
                                  {"crcy_cd": "USD", "inqr_dt": day})
    krw: ApiResponse = yield Call("overseas_futureoption/inquire_deposit",
                                  {"crcy_cd": "TKR", "inqr_dt": day})
    return FuturesBalance(positions=tuple(positions), money=_money(usd, "USD"),
                          krw=_money(krw, "KRW"))
