"""Spoiled requests to all 21 ELW REST APIs are refused, each message naming the problem.

Each API first answers a well-formed request (a listed ELW, documented codes, today's date on
the pinned clock). Then each spoiled variant changes one thing: an unknown ELW or underlying
code, a wrong market code, a wrong screen number, an unknown issuer, an undocumented sort or
enumeration value, a malformed date, a negative price range, an unknown minute interval. A
refusal counts when it is KIS-shaped (``rt_cd`` 1/2, a ``msg_cd``, a ``msg1``) and its message
names the spoiled parameter or value. The rate must reach 95 %; ``pytest -s`` prints it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "sim_market"))
from market_kit import Resp, Wire, wire

from hantoo.catalog import Api, catalog

ELW = "531701"  # a Samsung Electronics call of the first issuer, listed on the pinned clock
SCREENS = {"udrl_asset_list": "11541", "udrl_asset_price": "11541", "sensitivity": "20285",
           "compare_stocks": "11517", "newly_listed": "11548", "expiration_stocks": "11547",
           "cond_search": "11510", "indicator": "20279", "quick_change": "20287",
           "updown_rate": "20277", "volume_rank": "20278"}
ONE_ELW = ("volatility_trend", "sensitivity_trend", "indicator_trend", "lp_trade_trend",
           "inquire_elw_price")
BASE = {"FID_COND_MRKT_DIV_CODE": "W", "FID_INPUT_ISCD": "00000", "FID_UNAS_INPUT_ISCD": "005930",
        "FID_MRKT_CLS_CODE": "A", "FID_DIV_CLS_CODE": "0", "FID_RANK_SORT_CLS_CODE": "0",
        "FID_INPUT_DATE_1": "20261101", "FID_INPUT_DATE_2": "20271231",
        "FID_BLNG_CLS_CODE": "0", "FID_INPUT_ISCD_2": "00000", "FID_TRGT_EXLS_CLS_CODE": "0",
        "FID_OPTION": "0", "FID_HOUR_CLS_CODE": "60", "FID_PW_DATA_INCU_YN": "N",
        "FID_INPUT_CNT_1": "1", "FID_INPUT_HOUR_1": "10"}


def elw_apis() -> list[Api]:
    return [a for a in catalog() if a.is_rest and (a.category == "elw"
                                                    or a.key.endswith("inquire_elw_price"))]


def good(api: Api) -> dict[str, str]:
    name = api.key.split("/")[-1]
    out = {p.wire: BASE.get(p.wire, "") for p in api.params if p.wire != "*"}
    if name in SCREENS:
        out["FID_COND_SCR_DIV_CODE"] = SCREENS[name]
    if any(k in name for k in ONE_ELW):
        out["FID_INPUT_ISCD"] = ELW
    if name == "compare_stocks":
        out["FID_INPUT_ISCD"] = "005930"
    if name == "newly_listed":
        out["FID_DIV_CLS_CODE"] = "02"
    if name == "quick_change":
        out["FID_HOUR_CLS_CODE"] = "1"
    if name == "cond_search":
        out["FID_MRKT_CLS_CODE"] = ""
    return out


def spoiled(api: Api) -> Iterator[tuple[str, dict[str, str], tuple[str, ...]]]:
    """(what, params, words one of which the refusal must contain)."""
    base = good(api)
    name = api.key.split("/")[-1]
    if base.get("FID_INPUT_ISCD") not in (None, "", "00000"):
        yield "unknown code", {**base, "FID_INPUT_ISCD": "599999"}, ("599999",)
        yield "letters for a code", {**base, "FID_INPUT_ISCD": "ZZZZZZ"}, ("ZZZZZZ",)
    if base.get("FID_INPUT_ISCD") == "00000":
        yield "unknown issuer", {**base, "FID_INPUT_ISCD": "99999"}, ("FID_INPUT_ISCD",
                                                                       "99999")
    if "FID_UNAS_INPUT_ISCD" in base:
        yield "unknown underlying", {**base, "FID_UNAS_INPUT_ISCD": "999999"}, ("999999",)
    if "FID_COND_MRKT_DIV_CODE" in base:
        yield "wrong market", {**base, "FID_COND_MRKT_DIV_CODE": "J"}, (
            "FID_COND_MRKT_DIV_CODE",)
    if name in SCREENS:
        yield "wrong screen", {**base, "FID_COND_SCR_DIV_CODE": "99999"}, (
            "FID_COND_SCR_DIV_CODE",)
    if "FID_RANK_SORT_CLS_CODE" in base:
        yield "unknown sort", {**base, "FID_RANK_SORT_CLS_CODE": "Q"}, (
            "FID_RANK_SORT_CLS_CODE",)
    if "FID_DIV_CLS_CODE" in base:
        yield "unknown call/put", {**base, "FID_DIV_CLS_CODE": "7"}, ("FID_DIV_CLS_CODE",)
    dates = [w for w in ("FID_INPUT_DATE_1", "FID_INPUT_DATE_2") if w in base]
    if dates and name not in ("updown_rate",):  # updown_rate's date fields are not dates
        yield "bad date", {**base, **{w: "20261345" for w in dates}}, ("_DATE",)
    if "FID_INPUT_PRICE_1" in base and name not in ("updown_rate",):
        yield "negative price", {**base, "FID_INPUT_PRICE_1": "-5"}, ("FID_INPUT_PRICE_1",)
    if "FID_HOUR_CLS_CODE" in base:
        yield "unknown interval", {**base, "FID_HOUR_CLS_CODE": "77"}, ("FID_HOUR_CLS_CODE",)
    if "FID_PW_DATA_INCU_YN" in base:
        yield "bad flag", {**base, "FID_PW_DATA_INCU_YN": "X"}, ("FID_PW_DATA_INCU_YN",)


def refused(r: Resp, words: tuple[str, ...]) -> bool:
    msg = str(r.body.get("msg1", ""))
    return (r.status >= 400 and r.body.get("rt_cd") in ("1", "2") and bool(r.body.get("msg_cd"))
            and any(w in msg for w in words))


async def _run(kis: Wire) -> tuple[int, int, list[str]]:
    total = ok = 0
    missed: list[str] = []
    for api in elw_apis():
        answer = await kis.call(api, good(api))
        assert answer.ok, (api.key, answer.body)
        for what, params, words in spoiled(api):
            r = await kis.call(api, params)
            total += 1
            if refused(r, words):
                ok += 1
            else:
                missed.append(f"{api.key} [{what}]: {r.status} {r.body.get('msg1')}")
    return total, ok, missed


async def test_spoiled_elw_requests_are_refused_naming_the_problem() -> None:
    apis = elw_apis()
    assert len(apis) == 22  # the 21 ELW REST APIs and inquire_elw_price
    async with wire() as kis:
        total, ok, missed = await _run(kis)
    rate = ok / total
    print(f"\nELW garbage refused, naming the problem: {ok}/{total} = {rate:.1%} "
          f"over {len(apis)} APIs")
    for m in missed:
        print("  not refused as expected:", m)
    assert total >= 100
    assert rate >= 0.95, missed
