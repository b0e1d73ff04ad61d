"""KRX and NXT over the KIS wire: ``EXCG_ID_DVSN_CD`` on orders, ``FID_COND_MRKT_DIV_CODE``
``J``/``NX``/``UN`` on quotes, the venue shown back by the open-orders query."""

from __future__ import annotations

from handlers_wire import Kis, Q, T, acct, order_body

BUY = "TTTC0012U"


async def _quote(kis: Kis, market: str, symbol: str = "005930") -> dict[str, str]:
    r = await kis.get(Q + "inquire-price", "FHKST01010100",
                      {"FID_COND_MRKT_DIV_CODE": market, "FID_INPUT_ISCD": symbol})
    assert r.ok, r.body
    out: dict[str, str] = r.body["output"]
    return out


async def _book(kis: Kis, market: str, symbol: str = "005930") -> dict[str, str]:
    r = await kis.get(Q + "inquire-asking-price-exp-ccn", "FHKST01010200",
                      {"FID_COND_MRKT_DIV_CODE": market, "FID_INPUT_ISCD": symbol})
    assert r.ok, r.body
    out: dict[str, str] = r.body["output1"]
    return out


async def test_an_nxt_order_trades_on_the_nxt_book_and_shows_in_nx_and_un(kis: Kis) -> None:
    nx_book = await _book(kis, "NX")
    j_book = await _book(kis, "J")
    assert int(nx_book["askp1"]) > 0 and int(nx_book["askp_rsqn1"]) > 0
    un_book = await _book(kis, "UN")
    assert int(un_book["askp1"]) == min(int(nx_book["askp1"]), int(j_book["askp1"]))
    before = {m: int((await _quote(kis, m))["acml_vol"]) for m in ("J", "NX", "UN")}
    body = order_body("005930", 7, nx_book["askp1"]) | {"EXCG_ID_DVSN_CD": "NXT"}
    r = await kis.post(T + "order-cash", BUY, body)
    assert r.ok, r.body
    after = {m: int((await _quote(kis, m))["acml_vol"]) for m in ("J", "NX", "UN")}
    assert after["NX"] == before["NX"] + 7
    assert after["J"] == before["J"]  # nothing traded on KRX
    assert after["UN"] == after["J"] + after["NX"]
    assert (await _quote(kis, "NX"))["stck_prpr"] == nx_book["askp1"]


async def test_a_resting_nxt_order_is_listed_with_its_venue(kis: Kis) -> None:
    nx_book = await _book(kis, "NX")
    low = int(nx_book["bidp10"]) - 1_000
    body = order_body("005930", 2, low) | {"EXCG_ID_DVSN_CD": "NXT"}
    r = await kis.post(T + "order-cash", BUY, body)
    assert r.ok, r.body
    open_ = await kis.get(T + "inquire-psbl-rvsecncl", "TTTC0084R",
                          acct(INQR_DVSN_1="0", INQR_DVSN_2="0", CTX_AREA_FK100="",
                               CTX_AREA_NK100=""))
    rows = open_.body["output"]
    assert [(x["psbl_qty"], x["excg_id_dvsn_cd"]) for x in rows] == [("2", "NXT")]


async def test_an_unknown_exchange_code_is_refused_as_kis_does(kis: Kis) -> None:
    body = order_body("005930", 1, 70_000) | {"EXCG_ID_DVSN_CD": "NYSE"}
    r = await kis.post(T + "order-cash", BUY, body)
    assert not r.ok and r.body["msg_cd"] == "OPSQ2001"
