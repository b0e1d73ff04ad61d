"""Overseas stocks on their own exchanges, through the SDK against the simulator: Hong Kong,
Tokyo and the US. Order → fill → position → balance in the market's currency → P&L in won at
the day's rate; candles agree with the quote over a long range; lot and tick rules are checked
before anything is sent."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from hantoo.domain import OrderStatus
from hantoo.domain.errors import TickSizeError
from hantoo.errors import ApiError
from hantoo.sim.engine.clock import KST
from hantoo.sim.engine.fx import rates_of

sys.path.insert(0, str(Path(__file__).parent))
from simkit import ACCOUNT, private_sim

#: A Tuesday: Hong Kong (10:00 HKT), Tokyo (11:00 JST) and the US (mirror) are all trading.
START = dt.datetime(2026, 11, 24, 11, 0, tzinfo=KST)
DEPOSIT = {"HKD": Decimal(1_000_000), "JPY": Decimal(50_000_000), "USD": Decimal(100_000)}


@pytest.mark.parametrize(("symbol", "currency", "qty"), [
    ("SEHK:00700", "HKD", 200), ("TSE:7203", "JPY", 300), ("NASD:AAPL", "USD", 10),
])
def test_overseas_lifecycle_in_its_currency(symbol: str, currency: str, qty: int) -> None:
    exchange = symbol.split(":")[0]
    with private_sim(clock_start=START) as sim, sim.client() as c:
        ex = sim.state.exchange
        ex.deposit(ACCOUNT, DEPOSIT[currency], currency)
        cash0 = c.balance(market=exchange).cash
        assert cash0 is not None and cash0 >= DEPOSIT[currency]  # the US has a starting deposit
        book = c.order_book(symbol)
        ask = book.best_ask
        assert ask is not None and book.currency == currency
        assert ask.quantity >= qty
        order = c.place_order(symbol, "buy", qty, ask.price)
        snap = order.refresh()
        assert snap.status is OrderStatus.FILLED
        assert (snap.filled_quantity, snap.average_fill_price) == (qty, ask.price)

        (pos,) = c.positions(market=exchange)
        assert (pos.quantity, pos.currency, pos.average_price) == (qty, currency, ask.price)
        bal = c.balance(market=exchange)
        assert bal.currency == currency and bal.cash is not None
        fee = cash0 - bal.cash - qty * ask.price
        assert 0 < fee <= qty * ask.price * Decimal("0.0025") + 1  # the 0.25 % commission
        assert bal.total_value == bal.cash + (bal.market_value or 0)

        # the market moves on; the won P&L is the foreign P&L at the day's rate
        sim.advance(40 * 60)
        day = ex.trading_day("KRX")
        won_rate = rates_of(ex).rate(currency, day, sim.state.clock.now())  # the rate now
        r = c.call("overseas_stock/inquire_present_balance", {
            "WCRC_FRCR_DVSN_CD": "01", "NATN_CD": "000", "TR_MKET_CD": "00",
            "INQR_DVSN_CD": "00"})
        (held,) = r.rows("output1")
        assert Decimal(str(held.get("bass_exrt"))) == won_rate
        (pos,) = c.positions(market=exchange)
        assert pos.pnl is not None
        won_pnl = Decimal(str(r.rows("output3")[0].get("evlu_pfls_amt_smtl")))
        assert abs(won_pnl - pos.pnl * won_rate) <= 1
        foreign = c.call("overseas_stock/inquire_present_balance", {
            "WCRC_FRCR_DVSN_CD": "02", "NATN_CD": "000", "TR_MKET_CD": "00",
            "INQR_DVSN_CD": "00"})
        (cur,) = [x for x in foreign.rows("output2") if x.get("crcy_cd") == currency]
        assert Decimal(str(cur.get("frcr_dncl_amt_2"))) == bal.cash


@pytest.mark.parametrize("symbol", ["SEHK:00700", "TSE:7203", "NASD:AAPL", "SHAA:600519",
                                    "VNSE:VNM"])
def test_candles_agree_with_the_quote_over_any_range(symbol: str) -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.advance(30 * 60)
        quote = c.quote(symbol)
        bars = c.candles(symbol, "2025-01-01", "2026-11-24")
        assert 400 <= len(bars) <= 500  # ~ two years of business days, not ten filler bars
        assert bars[0].date <= dt.date(2025, 1, 10)
        for b in bars:
            assert b.high >= max(b.open, b.close) >= min(b.open, b.close) >= b.low > 0
            assert b.currency == quote.currency
        days = [b.date for b in bars]
        assert days == sorted(set(days))
        last = bars[-1]
        assert quote.volume > 0  # every one of these markets is trading at this hour
        assert last.close == quote.price and last.volume == quote.volume  # today's live bar
        weeks = c.candles(symbol, "2026-01-01", "2026-11-24", "week")
        assert weeks[-1].close == bars[-1].close
        assert max(w.high for w in weeks) == max(b.high for b in bars if b.date.year == 2026)


def test_lots_and_ticks_are_checked_before_sending() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        with pytest.raises(ValueError, match="lots of 100"):
            c.place_order("TSE:7203", "buy", 150, 2800)
        with pytest.raises(TickSizeError, match="tick"):
            c.place_order("SEHK:00700", "buy", 100, "480.1")  # HK$0.2 ticks from 200 to 500
        with pytest.raises(ValueError, match="lots of 100"):
            c.place_order("SZAA:000858", "buy", 50, "130.00")
        assert sim.wire.orders() == []
        # Hong Kong board lots differ per issue: the exchange refuses, naming the lot
        sim.state.exchange.deposit(ACCOUNT, Decimal(1_000_000), "HKD")
        with pytest.raises(ApiError, match="400") as err:
            c.call("overseas_stock/order", {
                "ord_dv": "buy", "OVRS_EXCG_CD": "SEHK", "PDNO": "00005", "ORD_QTY": "100",
                "OVRS_ORD_UNPR": "95.00", "ORD_SVR_DVSN_CD": "0", "ORD_DVSN": "00",
                "CTAC_TLNO": "", "MGCO_APTM_ODNO": ""})
        assert err.value.msg_cd == "APBK0400"


def test_an_order_needs_cash_in_the_markets_currency() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.fund(krw=1_000_000_000, usd=1_000_000)  # plenty of won and dollars, no yen
        with pytest.raises(ApiError, match="JPY"):
            c.place_order("TSE:7203", "buy", 100, 2800)


def test_realtime_overseas_records_come_from_the_engine() -> None:
    from hantoo._generated.streams import RECORDS
    from hantoo.sim.ws import hub_for

    with private_sim(clock_start=START) as sim, sim.client() as c:
        feed = hub_for(sim.state).feed
        cols = [col.lower() for col in RECORDS["HDFSCNT0"].COLUMNS]
        # a new subscription gets the prints that follow it, as KIS sends them
        assert feed.rows("HDFSCNT0", "DHKS00700", 1, sub="t") == []
        sim.advance(60)
        rows = feed.rows("HDFSCNT0", "DHKS00700", 1, sub="t")
        assert rows
        rec = dict(zip(cols, rows[-1], strict=False))
        quote = c.quote("SEHK:00700")
        assert int(rec["tvol"]) == quote.volume
        assert (rec["symb"], rec["zdiv"]) == ("00700", "3")
        assert Decimal(rec["last"]) == quote.price and rec["last"] == f"{quote.price:.3f}"
        assert rec["xhms"][:2] == "10" and rec["khms"][:2] == "11"  # Hong Kong is KST - 1h
        book_cols = [col.lower() for col in RECORDS["HDFSASP1"].COLUMNS]
        (brow,) = feed.rows("HDFSASP1", "DTSE7203", 1)
        book = dict(zip(book_cols, brow, strict=False))
        tokyo = c.order_book("TSE:7203")
        assert tokyo.best_ask is not None and Decimal(book["pask1"]) == tokyo.best_ask.price


def test_hong_kong_order_modify_cancel_and_open_orders_by_market() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.state.exchange.deposit(ACCOUNT, Decimal(1_000_000), "HKD")
        bid = c.order_book("SEHK:00700").best_bid
        assert bid is not None
        low = bid.price - 2  # two dollars under the bid: rests (HK$0.2 ticks)
        order = c.place_order("SEHK:00700", "buy", 100, low)
        assert [w.order_no for w in c.open_orders(market="SEHK")] == [order.order_no]
        assert c.open_orders(market="us") == []  # NASD means the US only
        after = order.modify(low - 1)
        assert after.price == low - 1 and after.currency == "HKD"
        assert order.cancel().status is OrderStatus.CANCELLED
        assert c.open_orders(market="SEHK") == []
        c.place_order("SEHK:00700", "buy", 100, low)
        assert len(c.cancel_all(market="SEHK")) == 1
        assert c.open_orders(market="HKS") == []  # the quote naming works too


def test_rankings_agree_with_the_quotes_of_the_exchange() -> None:
    with private_sim(clock_start=START) as sim, sim.client() as c:
        sim.advance(20 * 60)
        r = c.call("overseas_stock/trade_vol", {"EXCD": "HKS", "NDAY": "0", "VOL_RANG": "0",
                                                 "KEYB": "", "AUTH": "", "PRC1": "", "PRC2": ""})
        rows = r.rows("output2")
        hk = [i.code for i in sim.state.exchange.universe if i.market.value == "SEHK"]
        assert sorted(str(x.get("symb")) for x in rows) == sorted(hk)
        volumes = [int(str(x.get("tvol"))) for x in rows]
        assert volumes == sorted(volumes, reverse=True)
        for x in rows:
            q = c.quote(f"SEHK:{x.get('symb')}")
            assert Decimal(str(x.get("last"))) == q.price and int(str(x.get("tvol"))) == q.volume
        up = c.call("overseas_stock/updown_rate", {"EXCD": "TSE", "NDAY": "0", "GUBN": "1",
                                                   "VOL_RANG": "0", "AUTH": "", "KEYB": ""})
        rates = [Decimal(str(x.get("rate"))) for x in up.rows("output2")]
        assert rates and rates == sorted(rates, reverse=True)


@pytest.mark.parametrize("series", ["ESZ26", "CLF27", "ZNZ26", "6EZ26", "GCG27"])
def test_futures_quote_agrees_with_its_bars(series: str) -> None:
    # 02:00 KST Tuesday = 11:00 Monday in Chicago: the regular session is on
    with private_sim(clock_start=dt.datetime(2026, 11, 24, 2, 0, tzinfo=KST)) as sim, \
            sim.client() as c:
        price = c.call("overseas_futureoption/inquire_price", {"SRS_CD": series})
        (p,) = price.rows("output1")
        assert p.get("low_price") <= p.get("open_price") <= p.get("high_price")
        assert p.get("low_price") <= p.get("last_price") <= p.get("high_price")
        for key in ("daily_ccnl", "weekly_ccnl", "monthly_ccnl"):
            r = c.call(f"overseas_futureoption/{key}", {
                "SRS_CD": series, "EXCH_CD": "", "START_DATE_TIME": "", "CLOSE_DATE_TIME": "",
                "QRY_TP": "Q", "QRY_CNT": "30", "QRY_GAP": "", "INDEX_KEY": ""})
            bars = r.rows("output2")
            assert bars, key
            for b in bars:
                assert b.get("high_price") >= max(b.get("open_price"), b.get("last_price"))
                assert min(b.get("open_price"), b.get("last_price")) >= b.get("low_price") > 0
            newest = bars[0]
            assert newest.get("last_price") == p.get("last_price")  # the live bar is the quote
            assert newest.get("high_price") == p.get("high_price") or key != "daily_ccnl"
        sim.advance(3600)
        later = c.call("overseas_futureoption/inquire_price", {"SRS_CD": series}).rows("output1")
        assert later[0].get("high_price") >= p.get("high_price")  # the day's range only widens
        with pytest.raises(ApiError, match="SRS_CD"):
            c.call("overseas_futureoption/inquire_price", {"SRS_CD": "XXZ26"})
