"""Investor, program and short-sale flows: who bought and who sold each issue's volume.

Why from the participants: the engine's synthetic participants (``sim.engine.participants``)
carry an investor type on every order, and the matching engine books each trade's quantity and
value to the buyer's and the seller's type (``Exchange.investor_trades``). So today's flows are
the participants' (and users') *actual* trades, and they are balanced because every share traded
has one buyer and one seller: across investor types the buy totals equal the sell totals and the
net buys sum to zero.

Engine types map to KIS's categories as follows (documented choice):

=================  =========  ====================================================
engine             KIS        who
=================  =========  ====================================================
``INDIVIDUAL``     ``prsn``   noise traders (most of them); users of the simulator
``FOREIGN``        ``frgn``   noise and momentum traders
``INSTITUTION``    ``orgn``   market makers, the house's liquidity, some noise
``PROGRAM``        ``orgn``   momentum traders running programs (institutions)
``OTHER``          ``etc``    기타법인 (other corporations; KIS ``etc_corp``)
=================  =========  ====================================================

**Program trading** is what the ``PROGRAM`` participants bought and sold. **Short selling** is
what they sold: program momentum traders sell after a fall without holding the stock (the
participants trade through the house account, which holds no inventory of its own), so each of
their sells is a short sale. Both are part of ``orgn``.

Volume no participant traded — the seeded path's prints before the issue went live, and every
past day (the engine keeps no per-trade history of past days) — is attributed with deterministic
weights seeded by (simulator seed, issue, day): the same day always splits the same way, still
balanced; the program share of a past day is a seeded part of the institutions' trades, and its
short sales a seeded part of the program's sells.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from ..engine.types import Investor

__all__ = ["INSTITUTION_TYPES", "INVESTOR_TYPES", "MARKET_VENUES", "DayFlows", "Flow",
           "day_detail", "day_flows", "institution_split", "split"]

INVESTOR_TYPES = ("prsn", "frgn", "orgn", "etc")
"""KIS field prefixes: individuals (개인), foreigners (외국인), institutions (기관계), other
corporations (기타법인)."""

KIS_TYPE = {Investor.INDIVIDUAL: "prsn", Investor.FOREIGN: "frgn",
            Investor.INSTITUTION: "orgn", Investor.PROGRAM: "orgn", Investor.OTHER: "etc"}
"""Engine investor type → KIS category (see the module docstring)."""

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Flow:
    buy_qty: int
    sell_qty: int
    buy_value: Decimal
    sell_value: Decimal

    @property
    def net_qty(self) -> int:
        return self.buy_qty - self.sell_qty

    @property
    def net_value(self) -> Decimal:
        return self.buy_value - self.sell_value

    def __add__(self, other: Flow) -> Flow:
        return Flow(self.buy_qty + other.buy_qty, self.sell_qty + other.sell_qty,
                    self.buy_value + other.buy_value, self.sell_value + other.sell_value)


@dataclass(frozen=True, slots=True)
class DayFlows:
    """One issue's day: flows by KIS type, the program's part and its short sales."""

    types: dict[str, Flow]
    program: Flow
    short_qty: int
    short_value: Decimal
    live: bool
    """True when the participants' trades of the day are in (today), False for a seeded day."""


def _weights(seed: str) -> list[int]:
    h = zlib.crc32(seed.encode())
    return [20 + (h >> (8 * i)) % 80 for i in range(len(INVESTOR_TYPES))]


def _allocate(total: int, weights: list[int]) -> list[int]:
    """``total`` split by ``weights``; the last share takes the rounding remainder, so the parts
    always add up to ``total`` exactly."""
    w = sum(weights)
    parts = [total * x // w for x in weights[:-1]]
    return [*parts, total - sum(parts)]


def _share(value: Decimal, qty: int, of_qty: int) -> Decimal:
    """The value of ``qty`` of ``of_qty`` shares worth ``value`` (won, rounded down)."""
    if of_qty == 0:
        return _ZERO
    return (value * qty / of_qty).quantize(Decimal(1), ROUND_DOWN)


def split(volume: int, value: Decimal, seed: str) -> dict[str, Flow]:
    """``volume``/``value`` attributed to buyers and sellers by type (balanced)."""
    buys = _allocate(volume, _weights(seed + "|buy"))
    sells = _allocate(volume, _weights(seed + "|sell"))

    def values(qtys: list[int]) -> list[Decimal]:
        if volume == 0:
            return [_ZERO] * len(qtys)
        out = [_share(value, q, volume) for q in qtys[:-1]]
        return [*out, value - sum(out, _ZERO)]

    bv, sv = values(buys), values(sells)
    return {t: Flow(buys[i], sells[i], bv[i], sv[i]) for i, t in enumerate(INVESTOR_TYPES)}


#: ``FID_COND_MRKT_DIV_CODE`` → the engine venues (``orders.VENUE_MAIN`` 0, ``VENUE_NXT`` 4)
#: whose trades it covers: ``J`` KRX, ``NX`` Nextrade, ``UN`` both.
MARKET_VENUES = {"J": (0,), "NX": (4,), "UN": (0, 4)}


def _engine_flows(exchange: Any, symbol: str, day: date, market: str = "J"
                  ) -> dict[Investor, tuple[int, ...]] | None:
    """The engine's trades of ``symbol`` by investor type on ``market``'s venues, when ``day``
    is its trading day."""
    trades = getattr(exchange, "investor_trades", None)
    if trades is None:
        return None
    out: dict[Investor, tuple[int, ...]] | None = None
    for venue in MARKET_VENUES[market]:
        trade_day, by_type = trades(symbol, venue)
        if trade_day != day:
            return None
        if out is None:
            out = dict(by_type)
        else:
            out = {inv: tuple(a + b for a, b in zip(out[inv], by_type[inv], strict=True))
                   for inv in Investor}
    return out


def day_detail(exchange: Any, seed: int, symbol: str, day: date, volume: int,
               value: Decimal, market: str = "J") -> DayFlows:
    """Flows of ``symbol`` on ``day`` whose total volume/value is ``volume``/``value`` (on
    ``market``'s venues today: ``J`` KRX, ``NX`` Nextrade, ``UN`` both; the engine keeps no
    per-venue history, so a past day is KRX's whatever ``market`` says, as in the charts)."""
    key = f"{seed}|{symbol}|{day.isoformat()}"
    value = Decimal(value)
    engine = _engine_flows(exchange, symbol, day, market)
    if engine is not None:
        traded = sum(f[0] for f in engine.values())
        traded_value = Decimal(sum(f[2] for f in engine.values()))
        if traded <= volume:
            rest = split(volume - traded, value - traded_value, key + "|path")
            types = dict(rest)
            for inv, (bq, sq, bv, sv) in engine.items():
                t = KIS_TYPE[inv]
                types[t] = types[t] + Flow(bq, sq, Decimal(bv), Decimal(sv))
            bq, sq, bv, sv = engine[Investor.PROGRAM]
            program = Flow(bq, sq, Decimal(bv), Decimal(sv))
            return DayFlows(types, program, sq, Decimal(sv), True)
    types = split(volume, value, key)
    orgn = types["orgn"]
    pct = 10 + zlib.crc32((key + "|program").encode()) % 31  # 10–40 % of institutions' trades
    pb, ps = orgn.buy_qty * pct // 100, orgn.sell_qty * pct // 100
    program = Flow(pb, ps, _share(orgn.buy_value, pb, orgn.buy_qty),
                   _share(orgn.sell_value, ps, orgn.sell_qty))
    short_pct = 20 + zlib.crc32((key + "|short").encode()) % 41  # 20–60 % of program sells
    short = ps * short_pct // 100
    return DayFlows(types, program, short, _share(program.sell_value, short, ps), False)


def day_flows(exchange: Any, seed: int, symbol: str, day: date, volume: int,
              value: Decimal, market: str = "J") -> dict[str, Flow]:
    """Flows of ``symbol`` on ``day`` by KIS type (see :func:`day_detail`)."""
    return day_detail(exchange, seed, symbol, day, volume, value, market).types


#: KIS institution sub-types (기관계 = their sum): securities, investment trusts, private funds,
#: banks, insurers, other financials (merchant banks), pension funds.
INSTITUTION_TYPES = ("scrt", "ivtr", "pe_fund", "bank", "insu", "mrbn", "fund")


def institution_split(net_qty: int, net_value: Decimal, seed: str) -> dict[str, tuple[int,
                                                                                    Decimal]]:
    """An institution net (qty, value) split among :data:`INSTITUTION_TYPES`, summing exactly."""
    weights = [20 + zlib.crc32(f"{seed}|{t}".encode()) % 80 for t in INSTITUTION_TYPES]
    qtys = _allocate(net_qty, weights)
    w = sum(weights)
    values = [(net_value * x / w).quantize(Decimal(1), ROUND_DOWN) for x in weights[:-1]]
    values.append(net_value - sum(values, Decimal(0)))
    return {t: (qtys[i], values[i]) for i, t in enumerate(INSTITUTION_TYPES)}


def institution_flow_split(flow: Flow, seed: str) -> dict[str, Flow]:
    """The institutions' buys and sells split among :data:`INSTITUTION_TYPES` (each side sums
    exactly to the institutions')."""
    weights = [20 + zlib.crc32(f"{seed}|{t}".encode()) % 80 for t in INSTITUTION_TYPES]
    bq, sq = _allocate(flow.buy_qty, weights), _allocate(flow.sell_qty, weights)
    bv = [_share(flow.buy_value, q, flow.buy_qty) for q in bq[:-1]]
    sv = [_share(flow.sell_value, q, flow.sell_qty) for q in sq[:-1]]
    bv.append(flow.buy_value - sum(bv, _ZERO))
    sv.append(flow.sell_value - sum(sv, _ZERO))
    return {t: Flow(bq[i], sq[i], bv[i], sv[i]) for i, t in enumerate(INSTITUTION_TYPES)}

