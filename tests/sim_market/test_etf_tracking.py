"""An ETF trades at its NAV: the engine runs each fund on its index's basket.

On a quiet market (participants off) the fund's price is its NAV to the tick at every instant;
on a live one (participants on, market makers quoting at the basket's NAV) it stays within a
fraction of a percent. At one instant every price API — stock price, order book, ETF price, NAV
trend, components — answers the same price, and the ETF APIs the same NAV; so do the realtime
NAV (``H0STNAV0``) and book (``H0STASP0``) records.
"""

from __future__ import annotations

from decimal import Decimal

from market_kit import Wire, wire

from hantoo._generated.streams import RECORDS
from hantoo.sim.engine_feed import EngineFeed

D = Decimal
FUNDS = ("069500", "114800")  # KODEX 200 (×1), KODEX 인버스 (×−1)


async def _one_instant(kis: Wire, code: str, slack: int = 0) -> tuple[D, D, D]:
    """(price, NAV, tick) of ``code`` now, checking every API agrees on them; the last price is
    within ``slack`` ticks of the book (a live trader may have taken a level through)."""
    stock = await kis.get("domestic_stock/inquire_price", FID_COND_MRKT_DIV_CODE="J",
                          FID_INPUT_ISCD=code)
    etf = await kis.get("etfetn/inquire_price", FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=code)
    trend = await kis.get("etfetn/nav_comparison_trend", FID_COND_MRKT_DIV_CODE="J",
                          FID_INPUT_ISCD=code)
    parts = await kis.get("etfetn/inquire_component_stock_price", FID_COND_MRKT_DIV_CODE="J",
                          FID_INPUT_ISCD=code, FID_COND_SCR_DIV_CODE="11216")
    book = await kis.get("domestic_stock/inquire_asking_price_exp_ccn",
                         FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=code)
    for r in (stock, etf, trend, parts, book):
        assert r.ok, r.body
    price = stock.body["output"]["stck_prpr"]
    assert {price, etf.body["output"]["stck_prpr"], trend.body["output1"]["stck_prpr"],
            parts.body["output1"]["stck_prpr"], book.body["output2"]["stck_prpr"]} == {price}
    nav = etf.body["output"]["nav"]
    assert trend.body["output2"]["nav"] == parts.body["output1"]["nav"] == nav
    ask, bid = D(book.body["output1"]["askp1"]), D(book.body["output1"]["bidp1"])
    assert bid < ask
    tick = ask - bid
    assert bid - slack * tick <= D(price) <= ask + slack * tick  # quoted around the last price
    p, n = D(price), D(nav)
    disparity = ((p - n) * 100 / n).quantize(D("0.01"))
    assert D(etf.body["output"]["dprt"]) == disparity
    return p, n, tick


async def test_quiet_market_etf_trades_at_its_nav_to_the_tick() -> None:
    async with wire(activity=0) as kis:
        for _ in range(4):
            for code in FUNDS:
                price, nav, tick = await _one_instant(kis, code)
                assert abs(price - nav) <= tick, (code, price, nav)
            kis.app.sim.clock.advance(1500)


async def test_live_market_etf_tracks_its_nav() -> None:
    async with wire(activity=1) as kis:
        gaps = []
        for _ in range(4):
            for code in FUNDS:
                price, nav, _tick = await _one_instant(kis, code, slack=2)
                gaps.append(abs(price - nav) * 100 / nav)
            kis.app.sim.clock.advance(120)
        assert max(gaps) < D("0.5"), gaps  # percent


async def test_realtime_nav_and_book_are_the_rest_figures() -> None:
    async with wire(activity=0) as kis:
        feed = EngineFeed(kis.app.sim.exchange, seed=7)
        nav_cols = [c.lower() for c in RECORDS["H0STNAV0"].COLUMNS]
        book_cols = [c.lower() for c in RECORDS["H0STASP0"].COLUMNS]
        for _ in range(3):
            kis.app.sim.clock.advance(900)
            for code in FUNDS:
                (nav_row,) = feed.rows("H0STNAV0", code, sub="s")
                (book_row,) = feed.rows("H0STASP0", code, sub="s")
                nav = dict(zip(nav_cols, nav_row, strict=True))
                book = dict(zip(book_cols, book_row, strict=True))
                etf = (await kis.get("etfetn/inquire_price", FID_COND_MRKT_DIV_CODE="J",
                                     FID_INPUT_ISCD=code)).body["output"]
                rest = (await kis.get("domestic_stock/inquire_asking_price_exp_ccn",
                                      FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD=code)).body
                assert nav["mksc_shrn_iscd"] == code
                assert (nav["nav"], nav["nav_prdy_vrss"], nav["nav_prdy_ctrt"]) == (
                    etf["nav"], etf["nav_prdy_vrss"], etf["nav_prdy_ctrt"])
                assert (D(book["askp1"]), D(book["bidp1"])) == (
                    D(rest["output1"]["askp1"]), D(rest["output1"]["bidp1"]))
