"""Garbage requests to every domestic stock, ETF/ETN and bond API are refused, as KIS refuses them.

For every such REST API of the catalogue the test builds, from the catalogue alone, a plausible
request (each parameter a well-formed value: a listed issue, a real date, a documented code) and
then spoils it one way at a time: every value blank; dates that are not dates; issue and code
parameters that name nothing; negative quantities and prices. Each spoiled request must be refused
with a KIS-shaped error (``rt_cd`` not ``"0"``, ``msg_cd`` and ``msg1`` present, no 2xx). The
refusal rate over all garbage requests must reach 95 %; the figure and the APIs that still accept
garbage are printed (``pytest -s``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from market_kit import CANO, PRDT, Wire

from hantoo.catalog import Api, Param, catalog
from hantoo.sim.validation import example_value

CATEGORIES = ("domestic_stock", "etfetn", "domestic_bond")
APIS = [a for a in catalog() if a.is_rest and a.category in CATEGORIES and a.tr_ids("real")]
SYMBOL = re.compile(r"^(FID_INPUT_ISCD(_\d+)?|PDNO|MKSC_SHRN_ISCD|SHT_CD)$")


def plausible(api: Api, p: Param) -> str:
    return example_value(api, p, (CANO, PRDT))


def _kinds(api: Api) -> Iterator[tuple[str, dict[str, str]]]:
    base = {p.wire: plausible(api, p) for p in api.params if p.wire != "*"}
    blank = {w: ("" if w not in ("CANO", "ACNT_PRDT_CD") else v) for w, v in base.items()}
    if any(p.required and p.wire not in ("CANO", "ACNT_PRDT_CD") for p in api.params):
        yield "blank", blank  # with nothing required, a blank request is a valid one
    dates = [p.wire for p in api.params if p.enc == "yyyymmdd"]
    if dates:
        yield "bad date", {**base, **{w: "20261345" for w in dates}}
        yield "not a date", {**base, **{w: "yesterday" for w in dates}}
    codes = [p.wire for p in api.params if SYMBOL.match(p.wire)]
    if codes:
        yield "unknown code", {**base, **{w: "ZZ9999" for w in codes}}
    numbers = [p.wire for p in api.params if p.enc in ("qty", "price", "count", "amount")
               and not p.cursor]
    if numbers:
        yield "negative", {**base, **{w: "-5" for w in numbers}}
    enums = [p.wire for p in api.params if p.enc == "code" and p.required
             and p.wire.startswith(("FID_COND_MRKT", "FID_PERIOD", "FID_DIV_CLS"))]
    if enums:
        yield "unknown enum", {**base, **{w: "@@" for w in enums}}


def _refused(status: int, body: dict[str, object]) -> bool:
    return status >= 400 and body.get("rt_cd") in ("1", "2") and bool(body.get("msg_cd")) \
        and bool(body.get("msg1"))


async def test_garbage_requests_are_refused(kis: Wire) -> None:
    total = refused = 0
    accepted: list[str] = []
    for api in APIS:
        for kind, params in _kinds(api):
            r = await kis.call(api, params)
            total += 1
            if _refused(r.status, r.body):
                refused += 1
            else:
                assert r.status == 200 and r.body.get("rt_cd") == "0", (api.key, r.body)
                accepted.append(f"{api.key} [{kind}]")
    rate = refused / total
    print(f"\ngarbage refused: {refused}/{total} = {rate:.1%} over {len(APIS)} APIs")
    for a in accepted:
        print("  accepted:", a)
    assert total >= len(APIS) * 2
    assert rate >= 0.95, accepted


async def test_refusals_name_the_parameter(kis: Wire) -> None:
    api = catalog().get("domestic_stock/inquire_daily_itemchartprice")
    params = {p.wire: plausible(api, p) for p in api.params}
    r = await kis.call(api, {**params, "FID_INPUT_DATE_1": "20261131"})
    assert (r.status, r.body["rt_cd"], r.body["msg_cd"]) == (500, "2", "OPSQ2001")
    assert "INVALID_CHECK_FID_INPUT_DATE_1" in str(r.body["msg1"])
    r = await kis.call(api, {**params, "FID_INPUT_ISCD": "123456"})
    assert (r.body["msg_cd"], r.body["msg1"]) == ("MCA05918", "종목코드 오류입니다.")
    r = await kis.call(api, {**params, "FID_PERIOD_DIV_CODE": "Q"})
    assert "INVALID_CHECK_FID_PERIOD_DIV_CODE" in str(r.body["msg1"])


async def test_plausible_requests_mostly_succeed(kis: Wire) -> None:
    """Validation must not refuse well-formed requests: most catalogue-plausible queries pass.

    (Orders and account queries may still be refused for business reasons — no cash, nothing to
    cancel — so only read-only quotation APIs are counted.)"""
    ok = total = 0
    refused: list[str] = []
    for api in APIS:
        if api.kind != "query":
            continue
        params = {p.wire: plausible(api, p) for p in api.params if p.wire != "*"}
        r = await kis.call(api, params)
        total += 1
        if r.ok:
            ok += 1
        else:
            refused.append(f"{api.key}: {r.body.get('msg1')}")
    print(f"\nplausible queries accepted: {ok}/{total}")
    for line in refused:
        print("  refused:", line)
    assert ok / total >= 0.9, refused


async def test_blank_requests_are_refused_in_every_category(kis: Wire) -> None:
    """Every parameter blank (a valid account aside) is refused across the whole catalogue —
    overseas, derivatives and ELW included — wherever the API requires anything at all."""
    total = refused = 0
    accepted: list[str] = []
    for api in catalog():
        if not api.is_rest or api.category == "auth" or not api.tr_ids("real"):
            continue
        if not any(p.required and p.wire not in ("CANO", "ACNT_PRDT_CD") for p in api.params):
            continue
        params = {p.wire: "" for p in api.params if p.wire != "*"}
        if "CANO" in params:
            params.update(CANO=CANO, ACNT_PRDT_CD=PRDT)
        r = await kis.call(api, params)
        total += 1
        if _refused(r.status, r.body):
            refused += 1
        else:
            accepted.append(api.key)
    print(f"\nall-blank refused: {refused}/{total} = {refused / total:.1%}")
    for a in accepted:
        print("  accepted:", a)
    assert refused / total >= 0.9, accepted
