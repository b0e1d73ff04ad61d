"""Overseas stock exchanges as data: currency, tick table, lot, price limits, sessions, holidays.

One record per exchange family drives the one matching core (:mod:`.exchange`): the engine keeps
a *slot* per market timetable, and the same number indexes the account's cash per currency, so a
Hong Kong order reserves Hong Kong dollars and a Tokyo order yen.

======  =======================  ========  ====================================================
slot    exchanges (OVRS_EXCG_CD)  currency  rules (sources: the exchanges' public rule books)
======  =======================  ========  ====================================================
0       KOSPI, KOSDAQ, KONEX     KRW       KRX (see :mod:`.ticks`, :mod:`.sessions`)
1       NASD, NYSE, AMEX         USD       1-cent ticks, 1-share lots, no daily limits
2       SEHK                     HKD       HKEX spread table, board lots per issue (in the
                                           universe file), no daily limit; 09:30–12:00 and
                                           13:00–16:00 HKT, pre-opening auction from 09:00
3       TKSE                     JPY       TSE tick table (standard issues), 100-share units,
                                           daily limits by price band; 09:00–11:30 and
                                           12:30–15:30 JST, pre-open from 08:00
4       SHAA, SZAA               CNY       0.01 yuan ticks, 100-share lots, ±10 % (±20 % for
                                           STAR 688xxx and ChiNext 300xxx/301xxx); 09:30–11:30
                                           and 13:00–15:00 CST, call auction from 09:15
5       HASE (Hanoi), VNSE (HCM)  VND       HOSE 10/50/100-dong table and ±7 %, HNX flat 100
                                           dong and ±10 %, 100-share lots; 09:15–11:30 and
                                           13:00–14:45 ICT, ATO from 09:00
======  =======================  ========  ====================================================

The closing auctions of the Asian markets (HK CAS, TSE closing, SSE/SZSE 14:57, HOSE ATC) are
modelled, like the US close, as one uncross at the closing bell. Holidays: weekends plus the
fixed-date public holidays listed per market below (lunar-calendar holidays move every year
and are not derived; a user can still pass extra dates for KRX through the engine config).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .calendar import TradingCalendar
from .sessions import Ev, MarketSchedule, _s
from .ticks import TickFn, ceil_to_tick, floor_to_tick
from .types import Market, Phase

#: Engine slots: one per timetable and, equally, one per settlement currency.
KRX_SLOT, US_SLOT, HK_SLOT, JP_SLOT, CN_SLOT, VN_SLOT = range(6)
SLOT_CURRENCY: tuple[str, ...] = ("KRW", "USD", "HKD", "JPY", "CNY", "VND")
N_SLOTS = len(SLOT_CURRENCY)

MARKET_SLOT: dict[Market, int] = {
    Market.KOSPI: KRX_SLOT, Market.KOSDAQ: KRX_SLOT, Market.KONEX: KRX_SLOT,
    Market.NASD: US_SLOT, Market.NYSE: US_SLOT, Market.AMEX: US_SLOT,
    Market.SEHK: HK_SLOT, Market.TKSE: JP_SLOT, Market.SHAA: CN_SLOT, Market.SZAA: CN_SLOT,
    Market.HASE: VN_SLOT, Market.VNSE: VN_SLOT,
}

#: Quote-API exchange codes (``EXCD``) → the order/listing exchange code (``OVRS_EXCG_CD``).
QUOTE_EXCD: dict[str, Market] = {
    "NAS": Market.NASD, "NYS": Market.NYSE, "AMS": Market.AMEX,
    "BAQ": Market.NASD, "BAY": Market.NYSE, "BAA": Market.AMEX,
    "HKS": Market.SEHK, "TSE": Market.TKSE, "SHS": Market.SHAA, "SZS": Market.SZAA,
    "HNX": Market.HASE, "HSX": Market.VNSE,
}
#: The inverse: the quote code of each overseas exchange.
EXCD_OF: dict[Market, str] = {
    Market.NASD: "NAS", Market.NYSE: "NYS", Market.AMEX: "AMS", Market.SEHK: "HKS",
    Market.TKSE: "TSE", Market.SHAA: "SHS", Market.SZAA: "SZS", Market.HASE: "HNX",
    Market.VNSE: "HSX",
}


# --------------------------------------------------------------------------- tick tables
def _table(rows: tuple[tuple[int, int], ...], top: int) -> TickFn:
    """A tick function from ``(price strictly below, tick)`` rows."""

    def tick(price: int) -> int:
        for bound, t in rows:
            if price < bound:
                return t
        return top

    return tick


#: HKEX spread table in thousandths of a dollar (HKD is held in 0.001 units).
hk_tick = _table(
    ((250, 1), (500, 5), (10_000, 10), (20_000, 20), (100_000, 50), (200_000, 100),
     (500_000, 200), (1_000_000, 500), (2_000_000, 1_000), (5_000_000, 2_000)),
    5_000,
)
#: TSE tick table for standard issues, in yen ("up to and including" → strictly below +1).
tse_tick = _table(
    ((3_001, 1), (5_001, 5), (30_001, 10), (50_001, 50), (300_001, 100), (500_001, 500),
     (3_000_001, 1_000), (5_000_001, 5_000)),
    10_000,
)
#: HOSE tick table in dong.
hose_tick = _table(((10_000, 10), (50_000, 50)), 100)


def cent_tick(price: int) -> int:
    """One minor unit (a US cent, a Chinese fen)."""
    return 1


def hnx_tick(price: int) -> int:
    """HNX: a flat 100 dong."""
    return 100


# --------------------------------------------------------------------------- daily limits
LimitFn = Callable[[int], tuple[int, int]]

#: TSE daily price limits: (base price strictly below, limit width), yen.
_TSE_LIMITS = (
    (100, 30), (200, 50), (500, 80), (700, 100), (1_000, 150), (1_500, 300), (2_000, 400),
    (3_000, 500), (5_000, 700), (7_000, 1_000), (10_000, 1_500), (15_000, 3_000),
    (20_000, 4_000), (30_000, 5_000), (50_000, 7_000), (70_000, 10_000), (100_000, 15_000),
    (150_000, 30_000), (200_000, 40_000), (300_000, 50_000), (500_000, 70_000),
)


def no_limits(base: int) -> tuple[int, int]:
    """Markets without a daily limit (US, Hong Kong): any positive price."""
    return 1, 1 << 40


def pct_limits(pct: int, tick_of: TickFn) -> LimitFn:
    """±pct % of the base, cut to the grid."""

    def limits(base: int) -> tuple[int, int]:
        width = base * pct // 100
        return ceil_to_tick(max(base - width, 1), tick_of), floor_to_tick(base + width, tick_of)

    return limits


def tse_limits(base: int) -> tuple[int, int]:
    """TSE: a fixed yen width by the base price band."""
    width = next((w for bound, w in _TSE_LIMITS if base < bound), base * 15 // 100)
    return ceil_to_tick(max(base - width, 1), tse_tick), floor_to_tick(base + width, tse_tick)


@dataclass(frozen=True)
class ExchangeSpec:
    """The rules of one overseas exchange that the engine and the handlers read."""

    market: Market
    name_ko: str
    country_ko: str
    nation_code: str  # ISO 3166 numeric, as KIS ``tr_natn``
    tick_of: TickFn
    lot: int
    limits: LimitFn

    @property
    def slot(self) -> int:
        return MARKET_SLOT[self.market]

    @property
    def currency(self) -> str:
        return SLOT_CURRENCY[self.slot]


def _cn_limits(code: str) -> LimitFn:
    return pct_limits(20 if code.startswith(("688", "300", "301")) else 10, cent_tick)


SPECS: dict[Market, ExchangeSpec] = {
    Market.NASD: ExchangeSpec(Market.NASD, "나스닥", "미국", "840", cent_tick, 1, no_limits),
    Market.NYSE: ExchangeSpec(Market.NYSE, "뉴욕", "미국", "840", cent_tick, 1, no_limits),
    Market.AMEX: ExchangeSpec(Market.AMEX, "아멕스", "미국", "840", cent_tick, 1, no_limits),
    Market.SEHK: ExchangeSpec(Market.SEHK, "홍콩", "홍콩", "344", hk_tick, 100, no_limits),
    Market.TKSE: ExchangeSpec(Market.TKSE, "도쿄", "일본", "392", tse_tick, 100, tse_limits),
    Market.SHAA: ExchangeSpec(Market.SHAA, "상해", "중국", "156", cent_tick, 100,
                              pct_limits(10, cent_tick)),
    Market.SZAA: ExchangeSpec(Market.SZAA, "심천", "중국", "156", cent_tick, 100,
                              pct_limits(10, cent_tick)),
    Market.HASE: ExchangeSpec(Market.HASE, "하노이", "베트남", "704", hnx_tick, 100,
                              pct_limits(10, hnx_tick)),
    Market.VNSE: ExchangeSpec(Market.VNSE, "호치민", "베트남", "704", hose_tick, 100,
                              pct_limits(7, hose_tick)),
}


def limits_for(market: Market, code: str) -> LimitFn:
    """The daily-limit rule of one issue (China's growth boards differ by code)."""
    if market in (Market.SHAA, Market.SZAA):
        return _cn_limits(code)
    return SPECS[market].limits


# --------------------------------------------------------------------------- calendars
#: Fixed-date holidays (month, day) per slot; weekends are always closed.
FIXED_HOLIDAYS: dict[int, tuple[tuple[int, int], ...]] = {
    US_SLOT: ((1, 1), (6, 19), (7, 4), (12, 25)),
    HK_SLOT: ((1, 1), (5, 1), (7, 1), (10, 1), (12, 25), (12, 26)),
    JP_SLOT: ((1, 1), (1, 2), (1, 3), (2, 11), (2, 23), (4, 29), (5, 3), (5, 4), (5, 5),
              (11, 3), (11, 23), (12, 31)),
    CN_SLOT: ((1, 1), (5, 1), (5, 2), (5, 3), (10, 1), (10, 2), (10, 3), (10, 4), (10, 5),
              (10, 6), (10, 7)),
    VN_SLOT: ((1, 1), (4, 30), (5, 1), (9, 2)),
}
_YEARS = range(1990, 2061)


def calendar_for(slot: int) -> TradingCalendar:
    """Weekends plus the slot's fixed holidays for 1990–2060."""
    days = [date(y, m, d) for y in _YEARS for m, d in FIXED_HOLIDAYS.get(slot, ())]
    return TradingCalendar(extra_holidays=days, weekends_only=True)


# --------------------------------------------------------------------------- timetables
#: (time zone, auction start, continuous segments) per Asian slot, local seconds of day.
_TIMETABLES: dict[int, tuple[str, int, tuple[tuple[int, int], ...]]] = {
    HK_SLOT: ("Asia/Hong_Kong", _s(9, 0), ((_s(9, 30), _s(12, 0)), (_s(13, 0), _s(16, 0)))),
    JP_SLOT: ("Asia/Tokyo", _s(8, 0), ((_s(9, 0), _s(11, 30)), (_s(12, 30), _s(15, 30)))),
    CN_SLOT: ("Asia/Shanghai", _s(9, 15), ((_s(9, 30), _s(11, 30)), (_s(13, 0), _s(15, 0)))),
    VN_SLOT: ("Asia/Ho_Chi_Minh", _s(9, 0), ((_s(9, 15), _s(11, 30)), (_s(13, 0), _s(14, 45)))),
}
_NAMES = {HK_SLOT: "SEHK", JP_SLOT: "TKSE", CN_SLOT: "CN", VN_SLOT: "VN"}


def asia_schedule(slot: int, step_seconds: int = 10) -> MarketSchedule:
    """The timetable of one Asian slot: auction, morning, lunch break, afternoon, close."""
    tz, auction, segments = _TIMETABLES[slot]
    (m_open, m_close), (a_open, a_close) = segments
    tpl: list[tuple[int, Ev, int]] = [(auction, Ev.OPEN_AUCTION_START, 0), (m_open, Ev.OPEN, 0)]
    phases = [
        (0, Phase.CLOSED), (auction, Phase.OPENING_AUCTION), (m_open, Phase.CONTINUOUS),
        (m_close, Phase.BREAK), (a_open, Phase.CONTINUOUS), (a_close, Phase.CLOSED),
    ]
    sch = MarketSchedule(
        _NAMES[slot], tpl, phases, ZoneInfo(tz), calendar_for(slot), (m_open, a_close),
        step_seconds, breaks=((m_close, a_open),),
    )
    n = sch.steps_per_day
    steps = [(sch.step_second(k), Ev.STEP, k) for k in range(1, n)]
    steps.append((m_close, Ev.BREAK_START, 0))
    steps.append((a_close, Ev.CLOSE, 0))
    sch.extend(steps)
    return sch


#: Local time zone of each overseas exchange (the US in New York time, as KIS's ``xhms``).
MARKET_TZ: dict[Market, str] = {
    Market.NASD: "America/New_York", Market.NYSE: "America/New_York",
    Market.AMEX: "America/New_York", Market.SEHK: "Asia/Hong_Kong", Market.TKSE: "Asia/Tokyo",
    Market.SHAA: "Asia/Shanghai", Market.SZAA: "Asia/Shanghai", Market.HASE: "Asia/Ho_Chi_Minh",
    Market.VNSE: "Asia/Ho_Chi_Minh",
}


def local_time(market: Market, t: datetime) -> datetime:
    """``t`` in the exchange's local time."""
    return t.astimezone(ZoneInfo(MARKET_TZ.get(market, "America/New_York")))


#: Wire decimals of prices and amounts per currency (KIS overseas format).
PRICE_PLACES: dict[str, int] = {"USD": 4, "HKD": 3, "CNY": 2, "JPY": 0, "VND": 0}
AMOUNT_PLACES: dict[str, int] = {"USD": 2, "HKD": 2, "CNY": 2, "JPY": 0, "VND": 0}
