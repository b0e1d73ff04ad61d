"""Issue 13, part 4: catch-all answers in the block shapes KIS uses, with no invented values."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from compat_wire import Q, acct, in_process

from hantoo.catalog import catalog

PRESENT = "/uapi/overseas-stock/v1/trading/inquire-present-balance"
PLACEHOLDER = re.compile(r"항목\d+|종목\d{6}")


async def test_stock_basic_info_is_one_object() -> None:
    async with in_process() as (w, _):
        for tr, path in (("CTPF1604R", "search-info"), ("CTPF1002R", "search-stock-info")):
            r = await w.get(Q + path, tr, {"PDNO": "005930", "PRDT_TYPE_CD": "300"})
            assert r.ok, r.body
            out = r.body["output"]
            assert isinstance(out, dict), (tr, type(out))
            assert out["pdno"] == "005930"
        assert out["prdt_abrv_name"] == "삼성전자"  # the universe's name, not a placeholder
        info = await w.get(Q + "search-info", "CTPF1604R", {"PDNO": "005930",
                                                           "PRDT_TYPE_CD": "300"})
        assert info.body["output"]["std_pdno"] == "KR7005930003"
        assert info.body["output"]["shtn_pdno"] == "005930"
        # The name fields KIS answers beyond its sample's list (clients read them).
        assert info.body["output"]["prdt_eng_name120"] == "삼성전자"
        assert info.body["output"]["prdt_abrv_name"] == "삼성전자"
        # Another product type does not hold the code: rt_cd 7, no data.
        other = await w.get(Q + "search-info", "CTPF1604R", {"PDNO": "005930",
                                                            "PRDT_TYPE_CD": "512"})
        assert other.status == 500 and other.body["rt_cd"] == "7"
        us = await w.get(Q + "search-info", "CTPF1604R", {"PDNO": "AAPL",
                                                         "PRDT_TYPE_CD": "512"})
        assert us.ok and us.body["output"]["shtn_pdno"] == "AAPL"


async def _us_buy(w: object, qty: int) -> Decimal:
    from compat_wire import Wire

    assert isinstance(w, Wire)
    r = await w.get("/uapi/overseas-price/v1/quotations/inquire-asking-price", "HHDFS76200100",
                    {"AUTH": "", "EXCD": "NAS", "SYMB": "AAPL"})
    o2 = r.body["output2"]
    ask = (o2 if isinstance(o2, dict) else o2[0])["pask1"]
    r = await w.post("/uapi/overseas-stock/v1/trading/order", "TTTT1002U",
                     acct(OVRS_EXCG_CD="NASD", PDNO="AAPL", ORD_QTY=str(qty),
                          OVRS_ORD_UNPR=ask, ORD_DVSN="00"))
    assert r.ok, r.body
    return Decimal(ask)


async def test_present_balance_blocks_and_currencies() -> None:
    async with in_process() as (w, _):
        ask = await _us_buy(w, 3)
        params = acct(WCRC_FRCR_DVSN_CD="02", NATN_CD="000", TR_MKET_CD="00",
                      INQR_DVSN_CD="00")
        r = await w.get(PRESENT, "CTRP6504R", params)
        assert r.ok, r.body
        holdings, currencies, summary = r.body["output1"], r.body["output2"], r.body["output3"]
        assert isinstance(holdings, list) and isinstance(currencies, list)
        assert isinstance(summary, dict)
        (aapl,) = holdings
        assert aapl["pdno"] == "AAPL" and aapl["cblc_qty13"] == "3"
        assert aapl["thdt_buy_ccld_qty1"] == "3"
        assert Decimal(aapl["frcr_pchs_amt"]) == ask * 3  # dollars with cents
        assert aapl["buy_crcy_cd"] == "USD" and aapl["natn_kor_name"] == "미국"
        assert [c["crcy_cd"] for c in currencies] == ["USD"]
        assert Decimal(currencies[0]["frcr_buy_amt_smtl"]) == ask * 3
        # The won view converts the same amounts at the base rate the answer states.
        won = await w.get(PRESENT, "CTRP6504R", params | {"WCRC_FRCR_DVSN_CD": "01"})
        rate = Decimal(won.body["output1"][0]["bass_exrt"])
        assert Decimal(won.body["output1"][0]["frcr_pchs_amt"]) == (ask * 3 * rate).quantize(1)
        assert summary["pchs_amt_smtl"] == won.body["output1"][0]["pchs_rmnd_wcrc_amt"]
        # Japan: the simulator holds nothing there.
        jp = await w.get(PRESENT, "CTRP6504R", params | {"NATN_CD": "392"})
        assert jp.body["output1"] == [] and jp.body["output2"] == []


async def test_no_answer_carries_a_placeholder_value() -> None:
    """Every GET API, asked with its required parameters: no made-up label in any answer."""
    async with in_process() as (w, _):
        seen = 0
        for api in catalog():
            if api.method != "GET" or api.kind == "auth" or not api.path.startswith("/uapi"):
                continue
            tr = api.tr_real or next((v.real for v in api.variants if v.real), None)
            if tr is None:
                continue
            params = {p.wire: "" for p in api.params}
            params |= {k: v for k, v in acct().items() if k in params}
            for wire in ("FID_INPUT_ISCD", "PDNO", "SYMB", "OVRS_PDNO"):
                if wire in params:
                    params[wire] = "AAPL" if api.category.startswith("overseas") else "005930"
            r = await w.get(api.path, tr, params)
            text = json.dumps(r.body, ensure_ascii=False)
            assert not PLACEHOLDER.search(text), (api.key, PLACEHOLDER.search(text))
            seen += 1
        assert seen > 150
