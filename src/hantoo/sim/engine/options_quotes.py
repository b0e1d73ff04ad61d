"""Seeded prices of options on the overseas futures: each premium a function of its future.

Why derived and not seeded on its own: an option's price must move with its underlying future
(the quote, book and bars of ``ESZ26 C6000`` follow ``ESZ26``) and call-put parity must hold, as
on a real market. The premium is the Bachelier (normal) model price with no discounting:
``C = (F - K)·N(d) + s·φ(d)``, ``P = C - (F - K)``, ``s = F·σ·√T``, ``d = (F - K)/s``, where
``F`` is the future's price from :class:`.futures_quotes.FuturesQuotes` at the same instant,
``σ`` a fixed annual volatility per product class and ``T`` the years left to the option's
expiry (the future's). Everything is computed in ``Decimal`` (the normal distribution by its
series) and rounded to whole ticks of the future (at least one tick).

A bar's open, high, low and close are the premiums at the future's open, high, low and close,
ordered — the premium is monotone in ``F`` — so high ≥ open, close ≥ low holds here too.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .futures_quotes import FBar, FuturesQuotes, expiry
from .overseas_futures import FuturesSpec, parse_series

#: Annual volatility by product class (a plausible level, not a market figure).
VOLATILITY: dict[str, Decimal] = {
    "equity_index": Decimal("0.18"), "rates": Decimal("0.06"), "fx": Decimal("0.09"),
    "energy": Decimal("0.35"), "metal": Decimal("0.20"), "agriculture": Decimal("0.25"),
}
_PI = Decimal("3.14159265358979323846264338327950288")


def norm_cdf(x: Decimal) -> Decimal:
    """The standard normal distribution function, by the series of erf (|x| ≤ 9)."""
    if x > 9:
        return Decimal(1)
    if x < -9:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 60
        z = x / Decimal(2).sqrt()
        term = z
        total = z
        n = 0
        while abs(term) > Decimal("1e-40") and n < 400:
            n += 1
            term = -term * z * z / n
            total += term / (2 * n + 1)
        erf = 2 / _PI.sqrt() * total
        return (1 + erf) / 2


def norm_pdf(x: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return (-(x * x) / 2).exp() / (2 * _PI).sqrt()


def premium(spec: FuturesSpec, right: str, strike: Decimal, future: Decimal,
            years: Decimal) -> Decimal:
    """The option's price (not rounded) at future price ``future``."""
    intrinsic = max(Decimal(0), future - strike if right == "C" else strike - future)
    if years <= 0 or future <= 0:
        return intrinsic
    with localcontext() as ctx:
        ctx.prec = 40
        s = future * VOLATILITY.get(spec.kind, Decimal("0.2")) * years.sqrt()
        d = (future - strike) / s
        call = (future - strike) * norm_cdf(d) + s * norm_pdf(d)
        value = call if right == "C" else call - (future - strike)
        return max(value, intrinsic)


class OptionQuotes:
    """Option prices over the futures model (same seed, same calendar)."""

    def __init__(self, futures: FuturesQuotes) -> None:
        self.futures = futures
        self.calendar = futures.calendar
        self.seed = futures.seed

    def parse(self, code: str) -> tuple[FuturesSpec, str, Decimal, str, date]:
        """(spec, right, strike, underlying series, expiry); ``ValueError`` if not an option."""
        parsed = parse_series(code)
        if parsed is None or not parsed[3] or parsed[4] is None:
            raise ValueError(f"unknown option series {code!r}")
        spec, month, year2, right, strike = parsed
        assert strike is not None
        under = f"{spec.root}{'FGHJKMNQUVXZ'[month - 1]}{year2:02d}"
        return spec, right, strike, under, expiry(year2, month)

    def series(self, code: str) -> tuple[FuturesSpec, date]:
        spec, _right, _strike, _under, exp = self.parse(code)
        return spec, exp

    def _ticks(self, code: str, f_ticks: int, day: date) -> int:
        spec, right, strike, _under, exp = self.parse(code)
        years = Decimal(max((exp - day).days, 1)) / 365
        p = premium(spec, right, strike, spec.tick * f_ticks, years)
        return max(1, int((p / spec.tick).to_integral_value(ROUND_HALF_UP)))

    def _from(self, code: str, fb: FBar) -> FBar:
        _spec, right, _strike, _under, _exp = self.parse(code)
        o, h, lo, c = (self._ticks(code, t, fb.day) for t in (fb.open, fb.high, fb.low, fb.close))
        high, low = (h, lo) if right == "C" else (lo, h)  # a put is worth most at the low
        return FBar(fb.day, o, max(o, c, high), min(o, c, low), c, max(1, fb.volume // 20))

    def bar(self, code: str, d: date) -> FBar:
        return self._from(code, self.futures.bar(self.parse(code)[3], d))

    def live(self, code: str, now: datetime) -> FBar | None:
        fb = self.futures.live(self.parse(code)[3], now)
        return None if fb is None else self._from(code, fb)

    def bars(self, code: str, start: date, end: date, now: datetime) -> list[FBar]:
        under = self.parse(code)[3]
        return [self._from(code, fb) for fb in self.futures.bars(under, start, end, now)]

    def price(self, spec: FuturesSpec, ticks: int) -> Decimal:
        return (spec.tick * ticks).quantize(spec.tick)
