"""Bond book, ticks, daily prices and chart answer the same market as the bond quote.

At one instant: the book's best levels are the quote's price and their yields its yield; the
newest print and today's close are the quote's price, the prints add up to the quote's volume,
open/high/low are the prints'; yesterday's close is the quote's previous close; the chart and
the daily prices are the same bars. After the close the market stops moving.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Any

from market_kit import START, Wire

from hantoo.sim.marketdata.bond_desk import yield_from_price
from hantoo.sim.marketdata.bonds import BONDS

D = Decimal


async def _get(kis: Wire, key: str, code: str) -> list[dict[str, str]]:
    r = await kis.get(f"domestic_bond/{key}", FID_COND_MRKT_DIV_CODE="B", FID_INPUT_ISCD=code)
    assert r.ok, (key, r.body)
    v: Any = r.body["output"]
    return v if isinstance(v, list) else [v]


async def _all(kis: Wire, code: str) -> dict[str, list[dict[str, str]]]:
    return {k: await _get(kis, k, code) for k in ("inquire_price", "inquire_asking_price",
                                                 "inquire_ccnl", "inquire_daily_price",
                                                 "inquire_daily_itemchartprice")}


def _check(a: dict[str, list[dict[str, str]]], code: str) -> None:
    q = a["inquire_price"][0]
    price, y = D(q["bond_prpr"]), D(q["ernn_rate"])
    book = a["inquire_asking_price"][0]
    assert D(book["bond_askp1"]) == D(book["bond_bidp1"]) == price  # the desk's two-way price
    for k in range(1, 5):
        assert D(book[f"bond_askp{k + 1}"]) > D(book[f"bond_askp{k}"])
        assert D(book[f"bond_bidp{k + 1}"]) < D(book[f"bond_bidp{k}"])
        assert D(book[f"seln_ernn_rate{k + 1}"]) <= D(book[f"seln_ernn_rate{k}"])  # dearer
    assert abs(D(book["seln_ernn_rate1"]) - y) <= D("0.002")
    assert sum(int(book[f"askp_rsqn{k}"]) for k in range(1, 6)) == int(book["total_askp_rsqn"])
    ticks = a["inquire_ccnl"]
    assert D(ticks[0]["bond_prpr"]) == price
    assert ticks[0]["acml_vol"] == q["acml_vol"]
    for newer, older in pairwise(ticks):
        assert int(newer["acml_vol"]) - int(older["acml_vol"]) == int(newer["cntg_vol"])
        assert newer["stck_cntg_hour"] > older["stck_cntg_hour"]
    days, chart = a["inquire_daily_price"], a["inquire_daily_itemchartprice"]
    today = days[0]
    assert today["stck_bsop_date"] == "20261123"
    assert D(today["bond_prpr"]) == price and today["acml_vol"] == q["acml_vol"]
    assert (today["bond_oprc"], today["bond_hgpr"], today["bond_lwpr"]) == (
        q["bond_oprc"], q["bond_hgpr"], q["bond_lwpr"])
    assert D(days[1]["bond_prpr"]) == D(q["bond_prdy_clpr"])  # yesterday's close
    assert D(today["bond_prdy_vrss"]) == D(q["bond_prdy_vrss"])
    for d, c in zip(days, chart, strict=True):
        assert (d["stck_bsop_date"], d["bond_prpr"], d["bond_oprc"], d["bond_hgpr"],
                d["bond_lwpr"], d["acml_vol"]) == (
            c["stck_bsop_date"], c["bond_prpr"], c["bond_oprc"], c["bond_hgpr"],
            c["bond_lwpr"], c["acml_vol"])
        assert D(d["bond_lwpr"]) <= D(d["bond_prpr"]) <= D(d["bond_hgpr"])
    # the quote's yield is the yield of its price (the book's yields use the same solver)
    bond = BONDS[code]
    assert abs(yield_from_price(bond, START.date(), price) - y) <= D("0.002")


async def test_bond_market_apis_agree_with_the_quote(kis: Wire) -> None:
    for step in range(3):
        kis.app.sim.clock.advance(700 * (step + 1))
        for code in BONDS:
            _check(await _all(kis, code), code)


async def test_bond_market_stops_at_the_close(kis: Wire) -> None:
    kis.app.sim.clock.advance(6 * 3600)  # 16:00
    code = next(iter(BONDS))
    before = await _all(kis, code)
    _check(before, code)
    assert before["inquire_ccnl"][0]["stck_cntg_hour"] == "153000"
    kis.app.sim.clock.advance(1800)
    after = await _all(kis, code)
    assert after["inquire_price"][0]["bond_prpr"] == before["inquire_price"][0]["bond_prpr"]
    assert after["inquire_daily_price"][0] == before["inquire_daily_price"][0]


async def test_bond_market_refuses_unlisted_and_malformed_codes(kis: Wire) -> None:
    for code in ("KR0000000000", "005930", "KR2033022D3"):
        r = await kis.get("domestic_bond/inquire_ccnl", FID_COND_MRKT_DIV_CODE="B",
                          FID_INPUT_ISCD=code)
        assert not r.ok and r.body["msg_cd"] in ("MCA05918", "OPSQ2001"), (code, r.body)


async def test_average_unit_prices_bracket_the_days_close(kis: Wire) -> None:
    from datetime import date

    kis.app.sim.clock.advance(1800)
    code = "KR2033022D33"
    bond = BONDS[code]
    r = await kis.get("domestic_bond/avg_unit", INQR_STRT_DT="20261110", INQR_END_DT="20261123",
                      PDNO=code, PRDT_TYPE_CD="302", VRFC_KIND_CD="00", CTX_AREA_NK30="",
                      CTX_AREA_FK100="")
    assert r.ok, r.body
    rows = r.body["output1"]
    assert isinstance(rows, list)
    closes = {d["stck_bsop_date"]: D(d["bond_prpr"])
              for d in await _get(kis, "inquire_daily_price", code)}
    assert [row["evlu_dt"] for row in rows] == sorted(
        (d for d in closes if "20261110" <= d <= "20261123"), reverse=True)
    quote = (await _get(kis, "inquire_price", code))[0]
    assert abs(D(rows[0]["avg_evlu_erng_rt"]) - D(quote["ernn_rate"])) <= D("0.02")
    for row in rows:
        day = date(int(row["evlu_dt"][:4]), int(row["evlu_dt"][4:6]), int(row["evlu_dt"][6:]))
        close_yield = yield_from_price(bond, day, closes[row["evlu_dt"]])
        units = [D(row[f]) for f in ("kis_unpr", "kbp_unpr", "nice_evlu_unpr", "fnp_unpr")]
        assert min(units) <= D(row["avg_evlu_unpr"]) <= max(units)
        for u in units:
            assert abs(yield_from_price(bond, day, u) - close_yield) <= D("0.021")
