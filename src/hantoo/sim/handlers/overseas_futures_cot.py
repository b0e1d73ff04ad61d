"""해외선물 미결제추이 (``investor_unpd_trend``): weekly open interest by trader class.

Why seeded and not left to filler: the figures must add up as the CFTC's Commitments of Traders
report does — every open contract has one long and one short, so for each week the
non-commercial (spec), commercial (hedge) and non-reportable (missing) longs plus the spreads
equal the open interest, and so do the shorts. The report is weekly (as of Tuesdays); the
figures are a pure function of (seed, product, week), so any date range agrees with itself.
``UPMU_GUBUN`` ``0`` answers positions, ``1`` the change from the week before.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..engine.overseas_futures import SPECS
from ..engine.synthetic import hash64
from . import BusinessError, Call, Reply, ok, register
from ._common import exchange, parse_date, ymd

_WEEKS = 20
_CLASSES = ("bidp_spec", "askp_spec", "spread_spec", "bidp_hedge", "askp_hedge",
            "bidp_missing", "askp_missing")


def _tuesday(d: date) -> date:
    return d - timedelta(days=(d.weekday() - 1) % 7)


def positions(seed: int, root: str, week: date) -> dict[str, int]:
    """The week's report: open interest and the longs/shorts of each class (sums agree)."""
    base = 200_000 + hash64(seed, "cot-base", root) % 1_800_000
    drift = sum(int(hash64(seed, "cot", root, (week - timedelta(weeks=i)).toordinal()) % 201)
                - 100 for i in range(8))
    oi = base * (10_000 + drift * 10) // 10_000
    h = hash64(seed, "cot-split", root, week.toordinal())
    spread = oi * (5 + h % 10) // 100
    spec_long = oi * (15 + (h >> 8) % 20) // 100
    spec_short = oi * (15 + (h >> 16) % 20) // 100
    miss_long = oi * (3 + (h >> 24) % 7) // 100
    miss_short = oi * (3 + (h >> 32) % 7) // 100
    return {
        "hts_otst_smtn": oi, "spread_spec": spread, "bidp_spec": spec_long,
        "askp_spec": spec_short, "bidp_missing": miss_long, "askp_missing": miss_short,
        "bidp_hedge": oi - spread - spec_long - miss_long,
        "askp_hedge": oi - spread - spec_short - miss_short,
    }


@register("overseas_futureoption/investor_unpd_trend")
def investor_unpd_trend(call: Call) -> Reply:
    """Weekly reports up to ``BSOP_DATE``, newest first (``output2``)."""
    root = call.param("PROD_ISCD").strip().upper()
    if root not in SPECS:
        raise BusinessError("MCA05918", f"종목코드 오류입니다 (PROD_ISCD={root[:8]}: "
                            f"{', '.join(sorted(SPECS))})")
    seed = int(getattr(exchange(call), "seed", 0))
    today = call.now().date()
    last = _tuesday(min(parse_date(call, "BSOP_DATE", today), today))
    change = call.param("UPMU_GUBUN") == "1"
    rows = []
    for i in range(_WEEKS):
        week = last - timedelta(weeks=i)
        now = positions(seed, root, week)
        shown = now
        if change:
            before = positions(seed, root, week - timedelta(weeks=1))
            shown = {k: v - before[k] for k, v in now.items()}
        row = {k: str(v) for k, v in shown.items()} | {"bsop_date": ymd(week)}
        # the customer (*_cust) columns: the same classes, as KIS lists them beside
        row |= {f"{k}_cust": row[k] for k in ("bidp_spec", "askp_spec", "spread_spec",
                                             "bidp_hedge", "askp_hedge")}
        row["cust_smtn"] = row["hts_otst_smtn"]
        rows.append(row)
    head = {"row_cnt": str(len(rows)), "prod_iscd": root, "cftc_iscd": root}
    out2 = ("bsop_date", *_CLASSES, "hts_otst_smtn", "bidp_spec_cust", "askp_spec_cust",
            "spread_spec_cust", "bidp_hedge_cust", "askp_hedge_cust", "cust_smtn")
    return ok(output1=head, output2=[{k: r[k] for k in out2} for r in rows], tr_cont="D")
