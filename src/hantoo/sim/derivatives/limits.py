"""KRX staged price limits (단계적 가격제한폭) for futures and options.

Why staged: KRX does not open the whole daily range at once. A series trades within the first
stage's limits around its base price; only when the market has *reached* a limit and stayed
there does the next stage open, in that direction only, so a one-off spike cannot run the price
to ±20 % in a blink. What the simulator does (KRX 파생상품시장 업무규정 시행세칙, as public
material describes it):

* **Stages** of the base price: index futures ±8 % → ±15 % → ±20 %; stock futures ±10 % →
  ±20 % → ±30 %.
* **Options** have no percentage of their own premium: a stage's limits are the option's
  theoretical prices with the *underlying* moved by the stage's percentage from its base
  (the previous close) — the upper limit the dearer of the two, the lower limit the cheaper,
  never below one tick.
* **Expansion**: a limit counts as reached when the series' model value sits at or beyond it,
  or a trade printed at it; when it has been reached for :data:`HOLD_US` (five minutes) the
  next stage opens on that side. Only the first stage applies in the night session and before
  the regular session's 09:00 (the 08:45 opening call), as KRX rules.
* The check runs whenever a series is brought to now (every read and command), so the stage
  opens at the first look after the five minutes; that instant is journaled like every other
  change of the market, so a restart rebuilds the same stage.

Order validation reads the *current* limits (``SeriesState.lower``/``upper``): an order beyond
them is refused with KIS's ``APBK0507`` (상하한가를 벗어난 주문입니다), naming the stage.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from .instruments import DerivInstrument

__all__ = ["HOLD_US", "REGULAR_FROM", "band", "stages"]

INDEX_STAGES = (8, 15, 20)
STOCK_STAGES = (10, 20, 30)
HOLD_US = 5 * 60 * 1_000_000
"""How long a limit must stay reached before the next stage opens (microseconds)."""
REGULAR_FROM = time(9, 0)
"""Before this (the opening call from 08:45) and at night only the first stage applies."""


def stages(inst: DerivInstrument) -> tuple[int, ...]:
    """The stage percentages of ``inst``'s product."""
    return STOCK_STAGES if inst.product.on_stock else INDEX_STAGES


def _floor(units: int, inst: DerivInstrument) -> int:
    tick = inst.tick_of(max(units, 1))
    return units // tick * tick


def _ceil(units: int, inst: DerivInstrument) -> int:
    tick = inst.tick_of(max(units, 1))
    return -(-units // tick) * tick


def band(inst: DerivInstrument, stage: int, base: int, spot_base: float,
         value: Callable[[float], int]) -> tuple[int, int]:
    """``(lower, upper)`` in price units of stage ``stage`` (0-based) of ``inst``.

    Futures: ``base`` ± the stage's percentage, inward onto the tick grid. Options: the model
    value (``value(spot)``, in units) at the underlying's base ``spot_base`` moved by ± the
    stage's percentage."""
    pct = stages(inst)[stage]
    if inst.is_option:
        a = value(spot_base * (100 + pct) / 100)
        b = value(spot_base * (100 - pct) / 100)
        tick = inst.tick_of(1)
        return max(_ceil(min(a, b), inst), tick), max(_floor(max(a, b), inst), tick)
    width = base * pct // 100
    return _ceil(base - width, inst), _floor(base + width, inst)
