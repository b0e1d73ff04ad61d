"""US stocks and pension accounts over the KIS wire."""

from __future__ import annotations

from handlers_wire import CANO, PRDT, Kis, T, acct, make_config, session

from hantoo.sim.state import KeySpec

OS = "/uapi/overseas-stock/v1/trading/"
P = "/uapi/overseas-price/v1/quotations/"


async def test_us_buy_shows_in_balance_fills_and_buying_power(kis: Kis) -> None:
    q = await kis.get(P + "price", "HHDFS00000300", {"AUTH": "", "EXCD": "NAS", "SYMB": "AAPL"})
    assert q.ok, q.body
    last = q.body["output"]["last"]
    assert q.body["output"]["rsym"] == "DNASAAPL" and len(last.split(".")[1]) == 4
    wrong = await kis.get(P + "price", "HHDFS00000300", {"AUTH": "", "EXCD": "NYS", "SYMB": "AAPL"})
    assert wrong.ok and wrong.body["output"]["last"] == ""  # KIS answers blanks
    book = await kis.get(P + "inquire-asking-price", "HHDFS76200100",
                         {"AUTH": "", "EXCD": "NAS", "SYMB": "AAPL"})
    assert book.ok, book.body
    ask = book.body["output2"]["pask1"]
    power0 = await kis.get(OS + "inquire-psamount", "TTTS3007R", acct(
        OVRS_EXCG_CD="NASD", OVRS_ORD_UNPR=ask, ITEM_CD="AAPL"))
    assert power0.ok, power0.body
    assert power0.body["output"]["ord_psbl_frcr_amt"] == "100000.00"
    order = await kis.post(OS + "order", "TTTT1002U", acct(
        OVRS_EXCG_CD="NASD", PDNO="AAPL", ORD_QTY="5", OVRS_ORD_UNPR=ask, CTAC_TLNO="",
        MGCO_APTM_ODNO="", SLL_TYPE="", ORD_SVR_DVSN_CD="0", ORD_DVSN="00"))
    assert order.ok, order.body
    odno = order.body["output"]["ODNO"]
    bal = await kis.get(OS + "inquire-balance", "TTTS3012R", acct(
        OVRS_EXCG_CD="NASD", TR_CRCY_CD="USD", CTX_AREA_FK200="", CTX_AREA_NK200=""))
    assert bal.ok, bal.body
    (pos,) = bal.body["output1"]
    assert (pos["ovrs_pdno"], pos["ovrs_cblc_qty"], pos["ovrs_excg_cd"]) == ("AAPL", "5", "NASD")
    assert pos["frcr_pchs_amt1"] == f"{float(ask) * 5:.2f}"
    fills = await kis.get(OS + "inquire-ccnl", "TTTS3035R", acct(
        PDNO="%", ORD_STRT_DT="20261123", ORD_END_DT="20261123", SLL_BUY_DVSN="00",
        CCLD_NCCS_DVSN="00", OVRS_EXCG_CD="%", SORT_SQN="DS", ORD_DT="", ORD_GNO_BRNO="",
        ODNO="", CTX_AREA_NK200="", CTX_AREA_FK200=""))
    assert fills.ok, fills.body
    (f,) = fills.body["output"]
    assert (f["odno"], f["ft_ccld_qty"], f["nccs_qty"], f["sll_buy_dvsn_cd"]) == (
        odno, "5", "0", "02")
    spent = round(float(ask) * 5 * 1.0025, 2)  # 0.25 % commission
    power = await kis.get(OS + "inquire-psamount", "TTTS3007R", acct(
        OVRS_EXCG_CD="NASD", OVRS_ORD_UNPR=ask, ITEM_CD="AAPL"))
    left = float(power.body["output"]["ord_psbl_frcr_amt"])
    assert abs(left - (100_000 - spent)) <= 0.011
    # a resting limit shows as open and cancels
    low = f"{float(last) * 0.9:.2f}"
    rest = await kis.post(OS + "order", "TTTT1002U", acct(
        OVRS_EXCG_CD="NASD", PDNO="AAPL", ORD_QTY="2", OVRS_ORD_UNPR=low, CTAC_TLNO="",
        MGCO_APTM_ODNO="", ORD_SVR_DVSN_CD="0", ORD_DVSN="00"))
    assert rest.ok, rest.body
    nccs = await kis.get(OS + "inquire-nccs", "TTTS3018R", acct(
        OVRS_EXCG_CD="NASD", SORT_SQN="DS", CTX_AREA_FK200="", CTX_AREA_NK200=""))
    assert [x["odno"] for x in nccs.body["output"]] == [rest.body["output"]["ODNO"]]
    cancel = await kis.post(OS + "order-rvsecncl", "TTTT1004U", acct(
        OVRS_EXCG_CD="NASD", PDNO="AAPL", ORGN_ODNO=rest.body["output"]["ODNO"],
        RVSE_CNCL_DVSN_CD="02", ORD_QTY="2", OVRS_ORD_UNPR="0", MGCO_APTM_ODNO="",
        ORD_SVR_DVSN_CD="0"))
    assert cancel.ok, cancel.body
    nccs = await kis.get(OS + "inquire-nccs", "TTTS3018R", acct(
        OVRS_EXCG_CD="NASD", SORT_SQN="DS", CTX_AREA_FK200="", CTX_AREA_NK200=""))
    assert nccs.body["output"] == []
    hk = await kis.post(OS + "order", "TTTS1002U", acct(
        OVRS_EXCG_CD="SEHK", PDNO="00700", ORD_QTY="100", OVRS_ORD_UNPR="300", CTAC_TLNO="",
        MGCO_APTM_ODNO="", ORD_SVR_DVSN_CD="0", ORD_DVSN="00"))
    # Hong Kong trades in Hong Kong dollars: the account holds none
    assert hk.status == 500 and hk.body["msg_cd"] == "APBK0013" and "HKD" in hk.body["msg1"]
    moc_buy = await kis.post(OS + "order", "TTTT1002U", acct(
        OVRS_EXCG_CD="NASD", PDNO="AAPL", ORD_QTY="1", OVRS_ORD_UNPR="0", CTAC_TLNO="",
        MGCO_APTM_ODNO="", ORD_SVR_DVSN_CD="0", ORD_DVSN="33"))
    assert moc_buy.body["msg_cd"] == "APBK0506"  # MOC is a sell-only code at KIS


PENSION_KEY = "PSHANTOOPENSION000000000000000000001"
PENSION_SECRET = "p" * 180


async def test_pension_account_buys_and_reports() -> None:
    spec = KeySpec(PENSION_KEY, PENSION_SECRET, account=f"{CANO}-29")
    async with session(make_config(keys=(spec,)), PENSION_KEY, PENSION_SECRET) as kis:
        pension = {"CANO": CANO, "ACNT_PRDT_CD": "29"}
        dep = await kis.get(T + "pension/inquire-deposit", "TTTC0506R",
                            pension | {"ACCA_DVSN_CD": "00"})
        assert dep.ok, dep.body
        assert dep.body["output"]["dnca_tota"] == "100000000"
        r = await kis.post(T + "order-cash", "TTTC0012U", pension | {
            "PDNO": "069500", "ORD_DVSN": "01", "ORD_QTY": "10", "ORD_UNPR": "0",
            "EXCG_ID_DVSN_CD": "KRX"})
        assert r.ok, r.body
        bal = await kis.get(T + "pension/inquire-balance", "TTTC2208R", pension | {
            "ACCA_DVSN_CD": "00", "INQR_DVSN": "00", "CTX_AREA_FK100": "", "CTX_AREA_NK100": ""})
        assert bal.ok, bal.body
        (pos,) = bal.body["output1"]
        assert (pos["pdno"], pos["hldg_qty"], pos["thdt_buyqty"]) == ("069500", "10", "10")
        present = await kis.get(T + "pension/inquire-present-balance", "TTTC2202R", pension | {
            "USER_DVSN_CD": "00", "CTX_AREA_FK100": "", "CTX_AREA_NK100": ""})
        assert present.body["output1"][0]["cblc_weit"] == "100.00"
        ccld = await kis.get(T + "pension/inquire-daily-ccld", "TTTC2201R", pension | {
            "USER_DVSN_CD": "%%", "SLL_BUY_DVSN_CD": "00", "CCLD_NCCS_DVSN": "%%",
            "INQR_DVSN_3": "00", "CTX_AREA_FK100": "", "CTX_AREA_NK100": ""})
        assert [x["odno"] for x in ccld.body["output"]] == [r.body["output"]["ODNO"]]
        psbl = await kis.get(T + "pension/inquire-psbl-order", "TTTC0503R", pension | {
            "PDNO": "069500", "ACCA_DVSN_CD": "00", "CMA_EVLU_AMT_ICLD_YN": "N",
            "ORD_UNPR": pos["prpr"], "ORD_DVSN": "00"})
        assert psbl.ok and int(psbl.body["output"]["max_buy_qty"]) > 0
        us = await kis.post("/uapi/overseas-stock/v1/trading/order", "TTTT1002U", pension | {
            "OVRS_EXCG_CD": "NASD", "PDNO": "AAPL", "ORD_QTY": "1", "OVRS_ORD_UNPR": "200",
            "CTAC_TLNO": "", "MGCO_APTM_ODNO": "", "ORD_SVR_DVSN_CD": "0", "ORD_DVSN": "00"})
        assert us.status == 500 and us.body["msg_cd"] == "EGW00206"


async def test_pension_api_refuses_a_stock_account(kis: Kis) -> None:
    r = await kis.get(T + "pension/inquire-deposit", "TTTC0506R",
                      {"CANO": CANO, "ACNT_PRDT_CD": PRDT, "ACCA_DVSN_CD": "00"})
    assert r.status == 500 and r.body["msg_cd"] == "OPSQ2000"
