"""Per-symbol live state for the trading day: books, synthetic path, day statistics.

A :class:`SymbolState` is created lazily the first time a symbol is touched on a trading day, so
a universe of thousands of issues costs only its :class:`~.universe.Instrument` objects until
used. Day statistics come from two sources merged in time order: the synthetic path (points
``0..step`` of :func:`~.synthetic.intraday_path`) and ``extra`` trades (user fills and auction
uncrossings), which are recorded as they happen.
"""

from __future__ import annotations

import random
from array import array
from datetime import date
from typing import Any

from .book import OrderBook
from .nxt import NxtStats
from .orders import Order
from .tape import Tape
from .ticks import AFTER_HOURS_BAND_PCT, ceil_to_tick, daily_limits, floor_to_tick
from .universe import Instrument

#: One recorded trade: (time_us, price, qty, aggressor side: 1 sell / 2 buy / 0 auction).
Trade = tuple[int, int, int, int]


class SymbolState:
    """Everything live about one symbol on one trading day."""

    __slots__ = (
        "active",
        "after",
        "bar",
        "base",
        "book",
        "close_book",
        "close_px",
        "commission",
        "epoch",
        "extra",
        "farb",
        "fixed",
        "flows",
        "fmin",
        "ftape",
        "high",
        "inst",
        "last",
        "live_from",
        "low",
        "lower",
        "lvl_base",
        "mom_ref",
        "nx",
        "nxt",
        "open",
        "path",
        "path_skip",
        "pt_lam",
        "pt_rng",
        "step",
        "steps",
        "synth",
        "synth_aux",
        "synth_nxt",
        "tax",
        "trade_day",
        "upper",
        "value",
        "vols",
        "volume",
    )

    def __init__(
        self,
        inst: Instrument,
        trade_day: date,
        base: int,
        path: array[int],
        vols: array[int],
        commission: tuple[int, int],
        tax: tuple[int, int],
    ) -> None:
        self.inst = inst
        self.trade_day = trade_day
        self.base = base
        self.lower, self.upper = inst.limits_of(base)
        self.path = path
        self.vols = vols
        self.steps = len(path) - 1
        self.step = -1  # last path point applied to the statistics
        self.path_skip: set[int] = set()  # points replaced by a real auction
        self.open = 0
        self.high = 0
        self.low = 0
        self.last = base
        self.close_px = 0  # set when the closing auction has run
        self.volume = 0
        self.value = 0
        self.extra = Tape()  # the day's recorded trades, packed
        self.book = OrderBook()
        self.fixed = OrderBook()
        self.after = OrderBook()
        self.close_book = OrderBook()
        self.synth: list[Order] = []
        self.synth_aux: list[Order] = []
        self.nxt = OrderBook()  # the NXT venue's book (.nxt)
        self.nx = NxtStats(base)
        self.synth_nxt: list[Order] = []
        self.epoch = -1
        self.active = False  # stepped eagerly (user orders or a watcher) until the day ends
        self.commission = commission
        self.tax = tax
        self.lvl_base = max(1, inst.volume // 1_000)
        # Synthetic participants (.participants): path points after ``live_from`` are not
        # printed, because from then on the participants' real trades make the statistics.
        self.live_from = 1 << 30
        self.pt_rng: random.Random | None = None
        self.pt_lam = 0  # expected participant arrivals per tick, in thousandths
        self.mom_ref = 0  # the price momentum traders compare the last trade with
        #: Trades by investor type, KRX then NXT (offset 20): [bought qty of type 0..4, sold
        #: qty, bought value (won), sold value] — five slots each.
        self.flows = [0] * FLOW_SLOTS
        #: The per-minute flow tape (``flow_tape``): running totals at the end of each traded
        #: minute {minute: flows + farb}, the open minute, and the program's arbitrage part
        #: [bought qty, sold qty, bought value, sold value], KRX then NXT.
        self.ftape: dict[int, list[int]] = {}
        self.fmin = -1
        self.farb = [0] * 8

    def record(self, price: int, qty: int) -> None:
        """Fold one trade into the day statistics."""
        if not self.open:
            self.open = self.high = self.low = price
        elif price > self.high:
            self.high = price
        elif price < self.low:
            self.low = price
        self.last = price
        self.volume += qty
        self.value += price * qty

    def apply_path(self, upto: int) -> None:
        """Apply synthetic path points ``step+1..upto`` to the statistics."""
        path, vols, skip = self.path, self.vols, self.path_skip
        live = self.live_from
        for k in range(self.step + 1, min(upto, self.steps) + 1):
            if k not in skip and k <= live:
                self.record(path[k], vols[k])
        if upto > self.step:
            self.step = upto
        if upto >= self.steps and not self.close_px:
            self.close_px = self.last

    def after_band(self) -> tuple[int, int]:
        """After-hours single-price band: ±10 % of the close, inside the daily limits."""
        close = self.close_px or self.last
        tick_of = self.inst.tick_of
        lo, hi = daily_limits(close, tick_of, AFTER_HOURS_BAND_PCT)
        lower = ceil_to_tick(self.lower, tick_of)
        return max(lo, lower), min(hi, floor_to_tick(self.upper, tick_of))


FLOW_SLOTS = 40
"""Length of :attr:`SymbolState.flows` (KRX and NXT × bought/sold × quantity/value × 5 types)."""
_FLOW_SLOTS_V1 = 10
"""Earlier releases kept only the traded quantity, both venues together: [bought of type 0..4,
sold of type 0..4]."""


def upgrade_day_values(values: dict[str, Any]) -> dict[str, Any]:
    """A snapshotted day state's attributes in this release's layout (``values`` is changed).

    Why: a state file written by an earlier release must restore, or users lose their accounts
    on upgrade. The only layout change so far is :attr:`SymbolState.flows` growing from 10 to
    :data:`FLOW_SLOTS` entries. The old quantities go to the KRX slots (the old layout did not
    record the venue) and their won values are taken at the day's average price (what was not
    recorded cannot be recovered; buys and sells stay balanced). From the next trading day the
    state is built fresh. Any other length is refused with a ``ValueError`` naming it.
    """
    values.setdefault("ftape", {})  # older snapshots kept no per-minute flows
    values.setdefault("fmin", -1)
    values.setdefault("farb", [0] * 8)
    flows = values.get("flows")
    if not isinstance(flows, list) or len(flows) == FLOW_SLOTS:
        return values
    if len(flows) != _FLOW_SLOTS_V1:
        raise ValueError(f"a day state has {len(flows)} investor-flow slots; this hantoo reads "
                         f"{_FLOW_SLOTS_V1} (earlier releases) or {FLOW_SLOTS}")
    volume = int(values.get("volume", 0))
    avg = int(values.get("value", 0)) // volume if volume > 0 else int(values.get("last", 0))
    new = [0] * FLOW_SLOTS
    new[:10] = (int(q) for q in flows)
    new[10:20] = (int(q) * avg for q in flows)
    values["flows"] = new
    return values
