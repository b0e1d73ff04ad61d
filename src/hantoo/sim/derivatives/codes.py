"""KRX short codes (단축코드) of domestic futures and options, as KIS's APIs take them.

Format (6 characters for futures, 9 for options)::

    T PP Y MM [KKK]
    │ │  │ │   └─ options: the strike's integer part, three digits ("357" = 357.5 when the
    │ │  │ │      strike ladder has a half point: 2.5-point spacing, as KRX codes it)
    │ │  │ └──── expiry month, two digits ("03" = March)
    │ │  └────── expiry year, one character of KRX's 30-year cycle
    │ │          ``6789012345ABCDEFGHJKLMNPQRSTVW`` (1996 = "6", 2025 = "W", 2026 = "6" again)
    │ └───────── product: 01 KOSPI200, 05 mini KOSPI200, 06 KOSDAQ150, 09 KOSPI200 weekly,
    │            11.. stock futures (see :mod:`.instruments`)
    └─────────── kind: A futures, B call, C put (series expiring before 2026: 1, 2, 3)

Sources: KIS's order API documents ``SHTN_PDNO`` as "선물 6자리 (예: A01603), 옵션 9자리
(예: B01603955)" (KOSPI200 futures March 2026 and a March-2026 call, strike 955), while its
older samples show ``101W09`` / ``201T10340`` (the same layout with the kind digits 1/2/3 and
year letters W = 2025, T = 2023). The year cycle and the half-point strike rule are KRX's, as
described in CQG's KRX symbol notes. When the year cycle restarted at "6" in 2026 the kind
digit became a letter, so a 2026 series can never be mistaken for a 1996 one.

Weekly options (product ``09``) use the same 9 characters with the month as one character
(``1``–``9``, ``A``–``C``) followed by the week of the month (1–5, counting Thursdays):
``B096C4340`` is a call expiring on the fourth Thursday of December 2026, strike 340. KRX numbers
weeklies serially; the simulator uses this readable variant (weeklies never expire on the monthly
expiry day, so a week digit never collides with a monthly series).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

YEAR_CYCLE = "6789012345ABCDEFGHJKLMNPQRSTVW"
MONTH_CODES = "123456789ABC"
#: Kind characters of the current (2026+) format, and of the earlier one.
KIND_NEW = {"future": "A", "call": "B", "put": "C"}
KIND_OLD = {"future": "1", "call": "2", "put": "3"}


def year_code(year: int) -> str:
    """KRX's one-character expiry-year code (30-year cycle from 1996)."""
    return YEAR_CYCLE[(year - 1996) % 30]


def kind_char(kind: str, expiry: date) -> str:
    """The kind character: letters from the 2026 cycle restart on, digits before."""
    return (KIND_NEW if expiry.year >= 2026 else KIND_OLD)[kind]


def strike_code(strike: Decimal) -> str:
    """Three digits of the strike's integer part (``357.5`` → ``"357"``)."""
    return f"{int(strike) % 1000:03d}"


def futures_code(product: str, expiry: date) -> str:
    """``A01603``-style code of a futures series."""
    return f"{kind_char('future', expiry)}{product}{year_code(expiry.year)}{expiry.month:02d}"


def option_code(product: str, kind: str, expiry: date, strike: Decimal) -> str:
    """``B01603955``-style code of a monthly option series."""
    return (f"{kind_char(kind, expiry)}{product}{year_code(expiry.year)}{expiry.month:02d}"
            f"{strike_code(strike)}")


def weekly_code(kind: str, expiry: date, week: int, strike: Decimal) -> str:
    """Code of a weekly option: month as one character, then the week of the month."""
    return (f"{kind_char(kind, expiry)}09{year_code(expiry.year)}"
            f"{MONTH_CODES[expiry.month - 1]}{week}{strike_code(strike)}")
