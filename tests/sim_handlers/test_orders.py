"""Domestic orders and account queries over the KIS wire, against the engine's books."""

from __future__ import annotations

from datetime import timedelta

from handlers_wire import (
    CANO,
    PRDT,
    Kis,
    Q,
    T,
    acct,
    all_pages,
    balance_params,
    ccld_params,
    make_config,
    order_body,
    session,
)

DAY = "20261123"
BUY, SELL = "TTTC0012U", "TTTC0011U"


async def _book(kis: Kis, symbol: str) -> dict[str, str]:
    r = await kis.get(Q + "inquire-asking-price-exp-ccn", "FHKST01010200",
                      {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": symbol})
    assert r.ok
    out: dict[str, str] = r.body["output1"]
    return out


async def _summary(kis: Kis) -> dict[str, str]:
    r = await kis.get(T + "inquire-balance", "TTTC8434R", balance_params())
    assert r.ok, r.body
    out: dict[str, str] = r.body["output2"][0]
    return out


async def _positions(kis: Kis) -> dict[str, dict[str, str]]:
    r = await kis.get(T + "inquire-balance", "TTTC8434R", balance_params())
    return {p["pdno"]: p for p in r.body["output1"]}


async def _orders(kis: Kis, **extra: str) -> list[dict[str, str]]:
    r = await kis.get(T + "inquire-daily-ccld", "TTTC0081R", ccld_params(DAY, DAY, **extra))
    assert r.ok, r.body
    rows: list[dict[str, str]] = r.body["output1"]
    return rows


def _fee(notional: int) -> int:
    return notional * 15 // 100_000  # 0.015 %, floored to the won


async def test_buy_fills_and_shows_in_fills_and_balance(kis: Kis) -> None:
    before = await _summary(kis)
    r = await kis.post(T + "order-cash", BUY, order_body("005930", 10, 0, dvsn="01"))
    assert r.ok, r.body
    out = r.body["output"]
    assert set(out) >= {"KRX_FWDG_ORD_ORGNO", "ODNO", "ORD_TMD"}
    assert len(out["ODNO"]) == 10 and out["ODNO"].isdigit() and out["ORD_TMD"] == "100000"
    rows = await _orders(kis)
    assert [x["odno"] for x in rows] == [out["ODNO"]]
    row = rows[0]
    assert (row["sll_buy_dvsn_cd"], row["pdno"], row["ord_qty"], row["tot_ccld_qty"],
            row["rmn_qty"], row["ord_dvsn_cd"], row["cncl_yn"]) == (
        "02", "005930", "10", "10", "0", "01", "N")
    amount = int(row["tot_ccld_amt"])
    assert amount == 10 * int(row["avg_prvs"])
    after = await _summary(kis)
    cost = amount + _fee(amount)
    assert int(after["prvs_rcdl_excc_amt"]) == int(before["prvs_rcdl_excc_amt"]) - cost
    assert int(after["dnca_tot_amt"]) == int(before["dnca_tot_amt"])  # settles on D+2
    assert after["thdt_buy_amt"] == str(amount) and after["thdt_tlex_amt"] == str(_fee(amount))
    pos = (await _positions(kis))["005930"]
    assert (pos["hldg_qty"], pos["ord_psbl_qty"], pos["thdt_buyqty"]) == ("10", "10", "10")
    assert int(pos["pchs_amt"]) == amount
    assert float(pos["pchs_avg_pric"]) * 10 == amount
    assert int(pos["evlu_amt"]) == 10 * int(pos["prpr"])
    assert int(pos["evlu_pfls_amt"]) == int(pos["evlu_amt"]) - amount
    assert int(after["tot_evlu_amt"]) == int(after["prvs_rcdl_excc_amt"]) + int(pos["evlu_amt"])


async def test_sell_realises_pnl_and_pays_tax(kis: Kis) -> None:
    before = await _summary(kis)
    await kis.post(T + "order-cash", BUY, order_body("005930", 20, 0, dvsn="01"))
    kis.advance(600)  # ten minutes of price moves
    book = await _book(kis, "005930")
    r = await kis.post(T + "order-cash", SELL, order_body("005930", 20, book["bidp1"]))
    assert r.ok, r.body
    rows = await _orders(kis, INQR_DVSN="01")
    buy, sell = rows
    assert sell["sll_buy_dvsn_cd"] == "01" and sell["tot_ccld_qty"] == "20"
    b_amt, s_amt = int(buy["tot_ccld_amt"]), int(sell["tot_ccld_amt"])
    tax = s_amt * 20 // 10_000  # KOSPI sell tax 0.20 %
    after = await _summary(kis)
    expected = (int(before["prvs_rcdl_excc_amt"]) - b_amt - _fee(b_amt)
                + s_amt - _fee(s_amt) - tax)
    assert int(after["prvs_rcdl_excc_amt"]) == expected
    assert "005930" not in await _positions(kis)
    rlz = await kis.get(T + "inquire-balance-rlz-pl", "TTTC8494R",
                        balance_params(INQR_DVSN="00", COST_ICLD_YN="N"))
    assert rlz.ok, rlz.body
    assert int(rlz.body["output2"][0]["rlzt_pfls"]) == s_amt - b_amt
    sellable = await kis.get(T + "inquire-psbl-sell", "TTTC8408R", acct(PDNO="005930"))
    assert sellable.body["output"]["buy_qty"] == "20"
    assert sellable.body["output"]["sll_qty"] == "20"
    assert sellable.body["output"]["ord_psbl_qty"] == "0"


async def test_partial_fill_then_modify_then_cancel() -> None:
    # the synthetic first ask level is worth billions: fund the account for it
    async with session(make_config(demo_krw=20_000_000_000)) as kis:
        await _partial_fill_then_modify_then_cancel(kis)


async def _partial_fill_then_modify_then_cancel(kis: Kis) -> None:
    book = await _book(kis, "000660")
    p1, q1 = int(book["askp1"]), int(book["askp_rsqn1"])
    r = await kis.post(T + "order-cash", BUY, order_body("000660", q1 + 7, p1))
    assert r.ok, r.body
    odno = r.body["output"]["ODNO"]
    open_ = await kis.get(T + "inquire-psbl-rvsecncl", "TTTC0084R",
                          acct(INQR_DVSN_1="0", INQR_DVSN_2="0", CTX_AREA_FK100="",
                               CTX_AREA_NK100=""))
    assert [(x["odno"], x["psbl_qty"], x["tot_ccld_qty"]) for x in open_.body["output"]] == [
        (odno, "7", str(q1))]
    low = book["bidp10"]
    m = await kis.post(T + "order-rvsecncl", "TTTC0013U", acct(
        KRX_FWDG_ORD_ORGNO="06010", ORGN_ODNO=odno, ORD_DVSN="00", RVSE_CNCL_DVSN_CD="01",
        ORD_QTY="0", ORD_UNPR=low, QTY_ALL_ORD_YN="Y", EXCG_ID_DVSN_CD="KRX"))
    assert m.ok, m.body
    new = m.body["output"]["odno"]
    assert new != odno
    power = await kis.get(T + "inquire-psbl-order", "TTTC8908R", acct(
        PDNO="000660", ORD_UNPR=low, ORD_DVSN="00", CMA_EVLU_AMT_ICLD_YN="N", OVRS_ICLD_YN="N"))
    summary = await _summary(kis)
    held = 7 * int(low)
    held += -(-held * 15 // 100_000)
    assert int(power.body["output"]["ord_psbl_cash"]) == int(
        summary["prvs_rcdl_excc_amt"]) - held
    c = await kis.post(T + "order-rvsecncl", "TTTC0013U", acct(
        KRX_FWDG_ORD_ORGNO="06010", ORGN_ODNO=new, ORD_DVSN="00", RVSE_CNCL_DVSN_CD="02",
        ORD_QTY="0", ORD_UNPR="0", QTY_ALL_ORD_YN="Y", EXCG_ID_DVSN_CD="KRX"))
    assert c.ok, c.body
    rows = {x["odno"]: x for x in await _orders(kis)}
    assert rows[odno]["tot_ccld_qty"] == str(q1) and rows[odno]["rmn_qty"] == "0"
    assert rows[new]["orgn_odno"] == odno and rows[new]["ord_qty"] == "7"
    assert rows[new]["ord_unpr"] == low and rows[new]["rmn_qty"] == "0"
    cancel = rows[c.body["output"]["odno"]]
    assert (cancel["cncl_yn"], cancel["orgn_odno"], cancel["cnc_cfrm_qty"]) == ("Y", new, "7")
    unfilled = await _orders(kis, CCLD_DVSN="02")
    assert unfilled == []
    power = await kis.get(T + "inquire-psbl-order", "TTTC8908R", acct(
        PDNO="000660", ORD_UNPR=low, ORD_DVSN="00", CMA_EVLU_AMT_ICLD_YN="N", OVRS_ICLD_YN="N"))
    assert power.body["output"]["ord_psbl_cash"] == (await _summary(kis))["prvs_rcdl_excc_amt"]
    again = await kis.post(T + "order-rvsecncl", "TTTC0013U", acct(
        KRX_FWDG_ORD_ORGNO="06010", ORGN_ODNO=new, ORD_DVSN="00", RVSE_CNCL_DVSN_CD="02",
        ORD_QTY="0", ORD_UNPR="0", QTY_ALL_ORD_YN="Y", EXCG_ID_DVSN_CD="KRX"))
    assert again.status == 500 and again.body["msg_cd"] == "APBK0656"


async def test_insufficient_cash_is_refused_and_changes_nothing(kis: Kis) -> None:
    summary = await _summary(kis)
    quote = await kis.get(Q + "inquire-price", "FHKST01010100",
                          {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"})
    upper = quote.body["output"]["stck_mxpr"]
    r = await kis.post(T + "order-cash", BUY, order_body("005930", 100_000, upper))
    assert r.status == 500
    assert (r.body["rt_cd"], r.body["msg_cd"]) == ("1", "APBK0013")
    assert "주문가능금액" in r.body["msg1"]
    assert await _summary(kis) == summary
    assert await _orders(kis) == []
    assert await _positions(kis) == {}
    # bad tick and price outside the limits: refused with their own codes, nothing kept
    tick = await kis.post(T + "order-cash", BUY, order_body("005930", 1, 69_850))
    assert tick.body["msg_cd"] == "APBK0506"
    limit = await kis.post(T + "order-cash", BUY, order_body("005930", 1, int(upper) + 100))
    assert limit.body["msg_cd"] == "APBK0507"
    bad = await kis.post(T + "order-cash", BUY, order_body("123456", 1, 1000))
    assert bad.body["msg_cd"] == "MCA05918"
    assert await _orders(kis) == []


async def test_reservation_is_listed_and_cancelled(kis: Kis) -> None:
    body = acct(PDNO="005930", ORD_QTY="3", ORD_UNPR="60000", SLL_BUY_DVSN_CD="02",
                ORD_DVSN_CD="00", ORD_OBJT_CBLC_DVSN_CD="10", LOAN_DT="",
                RSVN_ORD_END_DT="20261210", LDNG_DT="")
    r = await kis.post(T + "order-resv", "CTSC0008U", body)
    assert r.ok, r.body
    seq = r.body["output"]["RSVN_ORD_SEQ"]
    query = acct(RSVN_ORD_ORD_DT=DAY, RSVN_ORD_END_DT=DAY, TMNL_MDIA_KIND_CD="00",
                 PRCS_DVSN_CD="0", CNCL_YN="N", RSVN_ORD_SEQ="", PDNO="",
                 SLL_BUY_DVSN_CD="", CTX_AREA_FK200="", CTX_AREA_NK200="")
    listed = await kis.get(T + "order-resv-ccnl", "CTSC0004R", query)
    assert listed.ok, listed.body
    (row,) = listed.body["output"]
    assert (row["rsvn_ord_seq"], row["pdno"], row["ord_rsvn_qty"], row["ord_rsvn_unpr"],
            row["sll_buy_dvsn_cd"], row["rsvn_end_dt"], row["prcs_rslt"]) == (
        seq, "005930", "3", "60000", "02", "20261210", "미처리")
    too_far = await kis.post(T + "order-resv", "CTSC0008U", body | {"RSVN_ORD_END_DT": "20270115"})
    assert too_far.status == 500 and too_far.body["msg_cd"] == "OPSQ2001"
    market_on_close = await kis.post(T + "order-resv", "CTSC0008U", body | {"ORD_DVSN_CD": "03"})
    assert market_on_close.body["msg_cd"] == "APBK0506"
    cancel = await kis.post(T + "order-resv-rvsecncl", "CTSC0009U", acct(
        RSVN_ORD_SEQ=seq, RSVN_ORD_ORGNO="", RSVN_ORD_ORD_DT=DAY))
    assert cancel.ok and cancel.body["output"]["nrml_prcs_yn"] == "Y"
    hidden = await kis.get(T + "order-resv-ccnl", "CTSC0004R", query)
    assert hidden.body["output"] == []
    shown = await kis.get(T + "order-resv-ccnl", "CTSC0004R", query | {"CNCL_YN": "Y"})
    assert [x["prcs_rslt"] for x in shown.body["output"]] == ["취소"]


async def test_long_daily_history_pages_without_duplicates(kis: Kis) -> None:
    quote = await kis.get(Q + "inquire-price", "FHKST01010100",
                          {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "035720"})
    low = quote.body["output"]["stck_llam"]  # rests all day, never fills
    placed: list[str] = []
    for day in range(2):
        for _ in range(130):
            r = await kis.post(T + "order-cash", BUY, order_body("035720", 1, low))
            assert r.ok, r.body
            placed.append(r.body["output"]["ODNO"])
        if day == 0:
            kis.advance(int(timedelta(days=1).total_seconds()))  # Tuesday 10:00
            await kis.login()  # a day later the token has expired, as on KIS
            q2 = await kis.get(Q + "inquire-price", "FHKST01010100",
                               {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "035720"})
            low = q2.body["output"]["stck_llam"]
    extra: list[str] = []

    async def place_between_pages() -> None:
        r = await kis.post(T + "order-cash", BUY, order_body("035720", 1, low))
        extra.append(r.body["output"]["ODNO"])

    path, tr = T + "inquire-daily-ccld", "TTTC0081R"
    newest, pages = await all_pages(kis, path, tr, ccld_params(DAY, "20261124"), "output1",
                                    between=place_between_pages)
    odnos = [x["odno"] for x in newest]
    assert pages == 3
    assert len(odnos) == len(set(odnos)) == 260  # no repeats despite new orders meanwhile
    assert odnos == sorted(placed, reverse=True)
    oldest, _ = await all_pages(kis, path, tr, ccld_params(DAY, "20261124", INQR_DVSN="01"),
                                "output1")
    assert [x["odno"] for x in oldest] == sorted(placed + extra)
    first_day, _ = await all_pages(kis, path, tr, ccld_params(DAY, DAY), "output1")
    assert {x["ord_dt"] for x in first_day} == {DAY} and len(first_day) == 130
    r = await kis.get(path, tr, ccld_params(DAY, "20261124"))
    totals = r.body["output2"]
    assert totals["tot_ord_qty"] == str(260 + len(extra)) and totals["tot_ccld_qty"] == "0"


async def test_account_of_another_person_is_refused(kis: Kis) -> None:
    r = await kis.get(T + "inquire-balance", "TTTC8434R",
                      balance_params() | {"CANO": "12345678"})
    assert r.status == 500 and r.body["msg_cd"] == "OPSQ2000"
    assert CANO != "12345678" and PRDT == "01"
