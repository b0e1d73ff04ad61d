"""Overseas stock rankings from the engine: volume, trading value, rise/fall rate, market cap.

Why from the engine: a ranking must agree with the quotes of the issues it lists (the same last
price, change and volume). Every issue of the exchange asked (``EXCD``) is quoted once and
ranked; ``VOL_RANG`` keeps issues above a volume floor, ``PRC1``/``PRC2`` a price range.
``NDAY`` other than ``0`` (today) compares with the close that many business days back, taken
from the same daily history as the candles.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from ..engine.overseas_markets import AMOUNT_PLACES, EXCD_OF, PRICE_PLACES, QUOTE_EXCD
from ..engine.types import Market
from ..engine.views import Candle, Quote
from . import BusinessError, Call, Reply, ok, register
from ._common import block_rows, engine_errors, exchange, row, usd

_HEAD = ("zdiv", "stat", "crec", "trec", "nrec")
_FLOOR = {"0": 0, "1": 100, "2": 1_000, "3": 10_000, "4": 100_000, "5": 1_000_000,
          "6": 10_000_000}
#: NDAY combo → business days back.
_NDAYS = {"0": 0, "1": 1, "2": 2, "3": 4, "4": 9, "5": 19, "6": 29, "7": 59, "8": 119, "9": 249}


def _market(call: Call) -> Market:
    code = call.param("EXCD").upper()
    market = QUOTE_EXCD.get(code)
    if market is None:
        raise BusinessError("APBK0506", f"거래소코드 오류 (EXCD={code[:6]!r})")
    return market


def _price_range(call: Call) -> tuple[Decimal | None, Decimal | None]:
    out: list[Decimal | None] = []
    for wire in ("PRC1", "PRC2"):
        raw = call.param(wire)
        out.append(Decimal(raw) if raw else None)
    return out[0], out[1]


def _quotes(call: Call, market: Market) -> list[tuple[Quote, int]]:
    """(quote, shares) of every issue of ``market`` passing the volume and price filters."""
    ex = exchange(call)
    floor = _FLOOR.get(call.param("VOL_RANG") or "0", 0)
    lo, hi = _price_range(call)
    out = []
    for inst in ex.universe:
        if inst.market is not market:
            continue
        with engine_errors():
            q: Quote = ex.quote(inst.code)
        if q.volume < floor or (lo is not None and q.price < lo) or (
            hi is not None and q.price > hi
        ):
            continue
        out.append((q, inst.shares))
    return out


def _base(call: Call, q: Quote) -> Decimal:
    """The comparison close of ``NDAY`` (today: the previous close)."""
    days = _NDAYS.get(call.param("NDAY") or "0", 0)
    if not days:
        return q.prev_close
    with engine_errors():
        bars: list[Candle] = exchange(call).daily_candles(
            q.symbol, q.trade_date - timedelta(days=days * 2 + 10), q.trade_date, "D")
    past = [b for b in bars if b.start != q.trade_date]
    return past[-days].close if len(past) >= days else q.prev_close


Item = tuple[Quote, int, Decimal]  # quote, shares, the NDAY base price


def _ranked(call: Call, key: Callable[[Item], Decimal], *, descending: bool = True) -> Reply:
    market = _market(call)
    found = [(q, shares, _base(call, q)) for q, shares in _quotes(call, market)]
    items = sorted(found, key=key, reverse=descending)
    cur = items[0][0].currency if items else "USD"
    px = PRICE_PLACES.get(cur, 4)
    rows = []
    for rank, (q, shares, base) in enumerate(items, 1):
        diff = q.price - base
        mcap = q.price * shares
        rows.append({
            "rsym": f"D{EXCD_OF[market]}{q.symbol}", "excd": EXCD_OF[market], "symb": q.symbol,
            "name": q.name, "ename": q.name, "last": usd(q.price, px),
            "sign": "2" if diff > 0 else "5" if diff < 0 else "3", "diff": usd(abs(diff), px),
            "rate": usd(diff * 100 / base if base else 0, 2), "tvol": str(q.volume),
            "tamt": usd(q.trade_value, AMOUNT_PLACES.get(cur, 2)),
            "pask": usd(q.best_ask or 0, px), "pbid": usd(q.best_bid or 0, px),
            "a_tvol": str(q.volume), "a_tamt": usd(q.trade_value, AMOUNT_PLACES.get(cur, 2)),
            "n_base": usd(base, px), "n_diff": usd(abs(diff), px),
            "n_rate": usd(diff * 100 / base if base else 0, 2), "shar": str(shares),
            "tomv": usd(mcap, 0), "mcap": usd(mcap, 0), "grav": "0", "rank": str(rank),
            "e_ordyn": "○",
        })
    head = {"zdiv": str(px), "stat": "", "crec": str(len(rows)), "trec": str(len(rows)),
            "nrec": str(len(rows))}
    fields = ("rsym", "excd", "symb", "name", "last", "sign", "diff", "rate", "tvol", "pask",
              "pbid", "tamt", "a_tvol", "a_tamt", "n_base", "n_diff", "n_rate", "shar", "tomv",
              "grav", "rank", "ename", "e_ordyn", "mcap")
    mine = tuple(f for f in fields if f in call.api.response.all_fields())
    return ok(output1=row(call, _HEAD, head), output2=block_rows(call, mine, rows),
              tr_cont="D")


@register("overseas_stock/trade_vol")
def trade_vol(call: Call) -> Reply:
    """해외주식 거래량순위 (HHDFS76310010)."""
    return _ranked(call, lambda it: Decimal(it[0].volume))


@register("overseas_stock/trade_pbmn")
def trade_pbmn(call: Call) -> Reply:
    """해외주식 거래대금순위 (HHDFS76320010)."""
    return _ranked(call, lambda it: it[0].trade_value)


@register("overseas_stock/market_cap")
def market_cap(call: Call) -> Reply:
    """해외주식 시가총액순위 (HHDFS76350100)."""
    return _ranked(call, lambda it: it[0].price * it[1])


@register("overseas_stock/updown_rate")
def updown_rate(call: Call) -> Reply:
    """해외주식 상승율/하락율 (HHDFS76290000): ``GUBN`` 1 rises first, 0 falls first."""
    rising = (call.param("GUBN") or "1") == "1"
    return _ranked(call, lambda it: (it[0].price - it[2]) / it[2] if it[2] else Decimal(0),
                   descending=rising)
