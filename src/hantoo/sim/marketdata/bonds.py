"""A small bond market: a few listed bonds, their yields, and price/yield/accrued arithmetic.

Why: the engine trades stocks only, yet the bond APIs must answer numbers that hang together — a
quoted price *is* the present value of the bond's cash flows at the quoted yield. Bonds here are
the simulator's own list (:data:`BONDS`; 12-character ``KR`` codes, plain semi-annual coupon
bullets, face 10,000 won). Yields move deterministically with the simulator clock (seeded per
bond and day, at most ±8 bp from the day's base), so every API sees the same yield at one
instant and a run can be replayed.

Pricing (the Korean market convention, simplified to whole days): with ``n`` coupons left, ``d``
days from settlement to the next coupon and ``B`` days in the current coupon period,

    dirty = Σ_k CF_k / (1 + y/2)^(k-1) / (1 + (y/2)·d/B)
    accrued = face · c/2 · (B − d) / B        clean = dirty − accrued

Prices are per 10,000 won of face value; yields in percent. ``Decimal`` throughout.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["BONDS", "Bond", "BondQuote", "accrued", "bond_yield_at", "clean_price", "coupon_dates",
           "dirty_price", "quote"]

FACE = Decimal(10_000)
_CENT = Decimal("0.01")
_BP = Decimal("0.01")  # one basis point, in percent


@dataclass(frozen=True, slots=True)
class Bond:
    code: str
    name: str
    coupon: Decimal
    """Annual coupon rate, percent."""
    issued: date
    maturity: date
    base_yield: Decimal
    """The yield (percent) the bond trades around on the universe's base date."""


BONDS: dict[str, Bond] = {
    b.code: b
    for b in (
        Bond("KR2033022D33", "국고채권 03250-2809(23-7)", Decimal("3.250"), date(2023, 9, 10),
             date(2028, 9, 10), Decimal("2.850")),
        Bond("KR103502GA34", "국고채권 01375-3012(20-9)", Decimal("1.375"), date(2020, 12, 10),
             date(2030, 12, 10), Decimal("2.950")),
        Bond("KR6449111CB8", "한국전력공사채권 1234", Decimal("4.100"), date(2022, 11, 25),
             date(2027, 11, 25), Decimal("3.150")),
        Bond("KR101501DD63", "국고채권 03625-5309(23-8)", Decimal("3.625"), date(2023, 9, 10),
             date(2053, 9, 10), Decimal("2.750")),
    )
}


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))  # coupon days of listed bonds are ≤ 28


def coupon_dates(bond: Bond, settle: date) -> tuple[date, list[date]]:
    """(previous coupon date, the remaining coupon dates) as of ``settle``."""
    dates: list[date] = []
    k = 0
    while True:
        d = _add_months(bond.maturity, -6 * k)
        if d <= settle or d <= bond.issued:
            previous = max(d, bond.issued)
            break
        dates.append(d)
        k += 1
    dates.reverse()
    return previous, dates


def accrued(bond: Bond, settle: date) -> Decimal:
    """Accrued interest per 10,000 face at ``settle`` (won, two decimals)."""
    prev, dates = coupon_dates(bond, settle)
    if not dates:
        return Decimal(0)
    period = (dates[0] - prev).days
    elapsed = (settle - prev).days
    return (FACE * bond.coupon / 200 * elapsed / period).quantize(_CENT, ROUND_HALF_UP)


def dirty_price(bond: Bond, settle: date, yield_pct: Decimal) -> Decimal:
    """Present value of the remaining cash flows per 10,000 face at ``yield_pct``."""
    prev, dates = coupon_dates(bond, settle)
    if not dates:
        return FACE
    half = yield_pct / 200
    cpn = FACE * bond.coupon / 200
    d = Decimal((dates[0] - settle).days)
    b = Decimal((dates[0] - prev).days)
    pv = Decimal(0)
    for k in range(len(dates)):
        cf = cpn + (FACE if k == len(dates) - 1 else 0)
        pv += cf / (1 + half) ** k
    return pv / (1 + half * d / b)


@dataclass(frozen=True, slots=True)
class BondQuote:
    bond: Bond
    yield_pct: Decimal
    prev_yield: Decimal
    open_yield: Decimal
    price: Decimal
    """Clean price per 10,000 face (two decimals)."""
    prev_price: Decimal
    accrued: Decimal


def _yield_at(bond: Bond, day: date, minute: int) -> Decimal:
    """The day's base (a seeded ±15 bp walk from the universe base) plus an intraday ±8 bp."""
    day_h = zlib.crc32(f"{bond.code}|{day.isoformat()}".encode())
    base = bond.base_yield + Decimal(day_h % 31 - 15) * _BP
    if minute < 0:
        return base.quantize(Decimal("0.001"))
    h = zlib.crc32(f"{bond.code}|{day.isoformat()}|{minute // 5}".encode())
    return (base + Decimal(h % 17 - 8) * _BP).quantize(Decimal("0.001"))


def bond_yield_at(bond: Bond, day: date, minute: int) -> Decimal:
    """The yield of ``bond`` ``minute`` minutes into ``day``'s session (negative: the day's
    base, its previous-day reference); what the quote and the bond tape both use."""
    return _yield_at(bond, day, minute)


def clean_price(bond: Bond, settle: date, yield_pct: Decimal) -> Decimal:
    return (dirty_price(bond, settle, yield_pct) - accrued(bond, settle)).quantize(
        _CENT, ROUND_HALF_UP)


def quote(code: str, now: datetime, prev_day: date) -> BondQuote | None:
    """The bond ``code`` at ``now`` (``None`` for a bond the simulator does not list)."""
    bond = BONDS.get(code.upper())
    if bond is None:
        return None
    today = now.date()
    # the session's yield path: 09:00 (minute 0) to the close at 15:30, where it stops
    minute = min(max(now.hour * 60 + now.minute - 9 * 60, 0), 390)
    y = _yield_at(bond, today, minute)
    prev_y = _yield_at(bond, prev_day, 390)  # the previous session's close
    return BondQuote(
        bond=bond,
        yield_pct=y,
        prev_yield=prev_y,
        open_yield=_yield_at(bond, today, 0),
        price=clean_price(bond, today, y),
        prev_price=clean_price(bond, prev_day, prev_y),
        accrued=accrued(bond, today),
    )
