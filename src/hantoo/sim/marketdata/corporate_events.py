"""Analyst opinions and the depository's (KSD) corporate-event calendar, per issue.

Why derived, not invented per request: an opinion's target price and disparity must agree with
the issue's price history, and a dividend with the statements (``corporate``) and today's price,
whichever API a client asks. So:

* **Opinions.** A covering broker (:data:`BROKERS`) publishes on a business day chosen by a hash
  of (issue, day) — about one day in twelve. Its target is the previous close times a seeded
  upside in −10 % … +40 %; the opinion follows from the upside (매수 at 15 % or more, 매도 below
  zero, 중립 between), and the previous opinion is that broker's last one before. Previous
  closes are the engine's daily candles, so ``dprt`` (close against target) is the market's.
* **Dividends.** Every common stock pays one annual cash dividend, the ``corporate`` dividend per
  share (payout × the latest year's EPS), recorded on the last business day of December and paid
  in April; KSD's 현금배당률 is that amount over the par value.
* **Shareholder meetings.** Every issue holds its annual meeting on the third Friday of March,
  for the December record date.
* **Other events** (splits, bonus or rights issues, mergers, capital reductions): the simulated
  issues have none — their share counts and par values never change — so those calendars are
  empty, which is what the prices (never adjusted) say too.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .corporate import fundamentals

__all__ = ["BROKERS", "Opinion", "annual_meeting", "dividend_dates", "opinions"]

BROKERS: tuple[tuple[str, str], ...] = (
    ("00003", "한국투자증권"), ("00005", "미래에셋증권"), ("00008", "NH투자증권"),
    ("00010", "삼성증권"), ("00012", "KB증권"),
)
"""(member code, name) of the brokers whose analysts cover the simulated issues."""

OPINION_NAMES = {"1": "매수", "2": "중립", "3": "매도"}
"""Opinion codes, as ``invest_opbysec``'s ``FID_DIV_CLS_CODE`` numbers them."""


def _h(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


@dataclass(frozen=True, slots=True)
class Opinion:
    day: date
    code: str
    broker: tuple[str, str]
    opinion: str
    """``1`` 매수, ``2`` 중립, ``3`` 매도."""
    previous: str
    """The broker's previous opinion on the issue (``""`` for its first)."""
    target: Decimal
    prev_close: Decimal


def _opinion_of(upside: int) -> str:
    return "1" if upside >= 15 else "3" if upside < 0 else "2"


def opinions(exchange: Any, code: str, start: date, end: date) -> list[Opinion]:
    """The issue's opinions published between ``start`` and ``end``, newest first."""
    lookback = start - timedelta(days=400)  # to know each broker's previous opinion
    candles = exchange.daily_candles(code, lookback - timedelta(days=10), end, "D")
    out: list[Opinion] = []
    last: dict[str, str] = {}
    prev_close: Decimal | None = None
    for c in candles:
        day = c.start
        if prev_close is not None and day >= lookback and _h(code, day, "opinion") % 12 == 0:
            broker = BROKERS[_h(code, day, "broker") % len(BROKERS)]
            upside = _h(code, day, "upside") % 51 - 10
            step = Decimal(100 if prev_close >= 10_000 else 10 if prev_close >= 1_000 else 1)
            target = (prev_close * (100 + upside) / 100 / step).quantize(
                Decimal(1), ROUND_HALF_UP) * step
            op = _opinion_of(upside)
            if day >= start:
                out.append(Opinion(day, code, broker, op, last.get(broker[0], ""), target,
                                   prev_close))
            last[broker[0]] = op
        prev_close = Decimal(c.close)
    out.reverse()
    return out


def dividend_dates(calendar: Any, fiscal_year: int) -> tuple[date, date]:
    """(record date, payment date) of the dividend for ``fiscal_year``."""
    record = calendar.on_or_before(date(fiscal_year, 12, 31))
    pay = calendar.next_business_day(date(fiscal_year + 1, 4, 14))
    return record, pay


def annual_meeting(fiscal_year: int) -> date:
    """The third Friday of March after ``fiscal_year``."""
    first = date(fiscal_year + 1, 3, 1)
    friday = first + timedelta(days=(4 - first.weekday()) % 7)
    return friday + timedelta(days=14)


def dividend_per_share(inst: Any) -> Decimal:
    """The annual cash dividend per share (``corporate``'s, the one ``dividend_rate`` ranks)."""
    return fundamentals(inst).dividend_per_share
