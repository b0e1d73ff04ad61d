"""Domestic futures and options as domain objects: quotes, the option chain, orders, positions.

``FuturesOptions(client)`` wraps the generated ``client.domestic_futureoption`` methods so the
daily work reads like the stock workflows::

    fo = FuturesOptions(client)
    fut = fo.quote("A01612")                       # KOSPI200 futures, December 2026
    chain = fo.option_chain("202612")              # calls and puts with prices and greeks
    ack = fo.place_order("A01612", "buy", 1, Decimal("330.00"))
    fo.cancel_order(ack.odno)
    fo.positions(); fo.margin()
    Warrants(client).search("005930", "call")      # ELWs with gearing, parity and greeks

``AsyncFuturesOptions`` / ``AsyncWarrants`` are the same helpers on an ``AsyncClient``: both
run the same request plans (``_Req``: method, arguments, parser), so no rule is written twice.

Codes are KRX short codes (``A01612`` futures, ``B01612330``/``C01612330`` call/put; see
``hantoo.sim.derivatives.codes`` for the format and its source). Prices are ``Decimal`` points.
Orders go out once: the order APIs are never retried by the SDK (an unknown outcome raises
:class:`~hantoo.errors.OrderStateUnknownError`; reconcile with :meth:`orders`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from .domain.ordertypes import Side

if TYPE_CHECKING:
    from .client import AsyncClient, Client

T = TypeVar("T")

__all__ = [
    "AsyncFuturesOptions",
    "AsyncWarrants",
    "FoMargin",
    "FoOrderAck",
    "FoPosition",
    "FuturesOptions",
    "FuturesQuote",
    "OptionChain",
    "OptionQuote",
    "Warrant",
    "WarrantQuote",
    "Warrants",
]

OrderKind = Literal["limit", "market", "conditional", "best"]
_KIND_CODES: dict[tuple[str, str | None], str] = {
    ("limit", None): "01", ("market", None): "02", ("conditional", None): "03",
    ("best", None): "04", ("limit", "ioc"): "10", ("limit", "fok"): "11",
    ("market", "ioc"): "12", ("market", "fok"): "13", ("best", "ioc"): "14",
    ("best", "fok"): "15",
}


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


@dataclass(frozen=True, slots=True)
class FuturesQuote:
    """A futures (or option) series now, from 선물옵션 시세."""

    code: str
    name: str
    price: Decimal
    prev_close: Decimal
    change: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    upper_limit: Decimal
    lower_limit: Decimal
    volume: int
    theoretical: Decimal
    basis: Decimal
    last_trading_day: date | None
    days_left: int
    underlying: Decimal


@dataclass(frozen=True, slots=True)
class OptionQuote:
    """One option of a chain: price, book top, model value and greeks (points)."""

    code: str
    kind: Literal["call", "put"]
    strike: Decimal
    price: Decimal
    bid: Decimal
    ask: Decimal
    theoretical: Decimal
    implied_vol: Decimal
    """Percent (``18.02`` = 18.02 %)."""
    delta: Decimal
    gamma: Decimal
    vega: Decimal
    theta: Decimal
    rho: Decimal
    volume: int
    open_interest: int
    moneyness: str


@dataclass(frozen=True, slots=True)
class OptionChain:
    """Calls and puts of one expiry month, strikes ascending."""

    expiry_month: str
    calls: tuple[OptionQuote, ...]
    puts: tuple[OptionQuote, ...]

    def strikes(self) -> list[Decimal]:
        return [c.strike for c in self.calls]

    def pair(self, strike: Decimal | int | str) -> tuple[OptionQuote, OptionQuote]:
        """The (call, put) at ``strike``; ``KeyError`` naming the listed strikes otherwise."""
        k = Decimal(str(strike))
        for c, p in zip(self.calls, self.puts, strict=False):
            if c.strike == k and p.strike == k:
                return c, p
        raise KeyError(f"strike {k} is not listed for {self.expiry_month}; "
                       f"listed: {self.strikes()[0]}…{self.strikes()[-1]}")

    def atm(self) -> tuple[OptionQuote, OptionQuote]:
        for c in self.calls:
            if c.moneyness == "ATM":
                return self.pair(c.strike)
        mid = self.calls[len(self.calls) // 2]
        return self.pair(mid.strike)


@dataclass(frozen=True, slots=True)
class FoOrderAck:
    odno: str
    time: Any


@dataclass(frozen=True, slots=True)
class FoPosition:
    code: str
    name: str
    side: Side
    quantity: int
    average_price: Decimal
    price: Decimal
    purchase_amount: Decimal
    market_value: Decimal
    unrealized_pnl: Decimal
    realized_pnl: Decimal


@dataclass(frozen=True, slots=True)
class FoMargin:
    """Cash, margin and P&L of the futures/options account (선물옵션 총자산현황)."""

    cash: Decimal
    initial_margin: Decimal
    maintenance_margin: Decimal
    orderable: Decimal
    margin_call: Decimal
    futures_realized: Decimal
    options_realized: Decimal
    futures_unrealized: Decimal
    options_unrealized: Decimal
    fees: Decimal
    equity: Decimal


def _market_of(code: str) -> str:
    c = code.strip().upper()
    return "F" if len(c) == 6 else "O"


@dataclass(frozen=True, slots=True)
class _Req(Generic[T]):
    """One API call of a helper: which generated method, its arguments, and how its answer
    becomes the domain object. Why: the sync and async helpers run the same requests — each
    rule (parameters, field mapping, validation) is written once, here, and only the call
    itself differs (``_run`` / ``_arun``)."""

    group: Literal["domestic_futureoption", "elw", "domestic_stock"]
    method: str
    kwargs: dict[str, Any]
    parse: Callable[[Any], T]


def _run(client: Any, req: _Req[T]) -> T:
    return req.parse(getattr(getattr(client, req.group), req.method)(**req.kwargs))


async def _arun(client: Any, req: _Req[T]) -> T:
    return req.parse(await getattr(getattr(client, req.group), req.method)(**req.kwargs))


# ---- futures and options: the requests ----------------------------------------------------
def _quote_req(code: str) -> _Req[FuturesQuote]:
    def parse(r: Any) -> FuturesQuote:
        o = r.output1[0]
        u = r.output2[0] if r.output2 else None
        return FuturesQuote(
            code=code, name=o.hts_kor_isnm or "", price=_d(o.futs_prpr),
            prev_close=_d(o.futs_prdy_clpr), change=_d(o.futs_prdy_vrss), open=_d(o.futs_oprc),
            high=_d(o.futs_hgpr), low=_d(o.futs_lwpr), upper_limit=_d(o.futs_mxpr),
            lower_limit=_d(o.futs_llam), volume=int(o.acml_vol or 0),
            theoretical=_d(o.hts_thpr), basis=_d(o.basis),
            last_trading_day=o.futs_last_tr_date, days_left=int(o.hts_rmnn_dynu or 0),
            underlying=_d(u.bstp_nmix_prpr if u else 0),
        )

    return _Req("domestic_futureoption", "inquire_price",
                {"fid_cond_mrkt_div_code": _market_of(code), "fid_input_iscd": code}, parse)


Book = tuple[list[tuple[Decimal, int]], list[tuple[Decimal, int]]]


def _book_req(code: str) -> _Req[Book]:
    def parse(r: Any) -> Book:
        o = r.output2[0]
        bids, asks = [], []
        for i in range(1, 6):
            bp, bq = _d(getattr(o, f"futs_bidp{i}")), int(getattr(o, f"bidp_rsqn{i}") or 0)
            ap, aq = _d(getattr(o, f"futs_askp{i}")), int(getattr(o, f"askp_rsqn{i}") or 0)
            if bq:
                bids.append((bp, bq))
            if aq:
                asks.append((ap, aq))
        return bids, asks

    return _Req("domestic_futureoption", "inquire_asking_price",
                {"fid_cond_mrkt_div_code": _market_of(code), "fid_input_iscd": code}, parse)


def _expiries_req() -> _Req[list[str]]:
    return _Req("domestic_futureoption", "display_board_option_list",
                {"fid_cond_scr_div_code": "509"},
                lambda r: [str(x.mtrt_yymm_code) for x in r.output])


def _chain_req(expiry: str | date) -> _Req[OptionChain]:
    month = f"{expiry:%Y%m}" if isinstance(expiry, date) else str(expiry)

    def q(row: Any, kind: Literal["call", "put"]) -> OptionQuote:
        return OptionQuote(
            code=row.optn_shrn_iscd or "", kind=kind, strike=_d(row.acpr),
            price=_d(row.optn_prpr), bid=_d(row.optn_bidp), ask=_d(row.optn_askp),
            theoretical=_d(row.hts_thpr), implied_vol=_d(row.hts_ints_vltl),
            delta=_d(row.delta_val), gamma=_d(row.gama), vega=_d(row.vega),
            theta=_d(row.theta), rho=_d(row.rho), volume=int(row.acml_vol or 0),
            open_interest=int(row.hts_otst_stpl_qty or 0),
            moneyness=str(row.atm_cls_name or ""),
        )

    return _Req("domestic_futureoption", "display_board_callput",
                {"fid_cond_mrkt_div_code": "O", "fid_cond_scr_div_code": "20503",
                 "fid_mrkt_cls_code": "CO", "fid_mtrt_cnt": month, "fid_mrkt_cls_code1": "PO"},
                lambda r: OptionChain(month, tuple(q(x, "call") for x in r.output1),
                                      tuple(q(x, "put") for x in r.output2)))


def _ack(r: Any) -> FoOrderAck:
    o = r.output[0]
    return FoOrderAck(str(o.odno), o.ord_tmd)


def _place_req(code: str, side: Side | str, quantity: int, price: Decimal | int | str | None,
               kind: OrderKind, tif: Literal["ioc", "fok"] | None,
               session: Literal["day", "night"]) -> _Req[FoOrderAck]:
    s = Side.parse(side)
    code_ = _KIND_CODES.get((kind, tif))
    if code_ is None:
        raise ValueError(f"order kind {kind!r} with tif {tif!r}: use limit/market/"
                         "conditional/best and ioc/fok (conditional has no ioc/fok)")
    if kind in ("limit", "conditional") and price is None:
        raise ValueError(f"a {kind} order needs a price (points, e.g. Decimal('330.05'))")
    return _Req("domestic_futureoption", "order", {
        "ord_dv": session, "ord_prcs_dvsn_cd": "02", "sll_buy_dvsn_cd": s.code,
        "shtn_pdno": code, "ord_qty": quantity,
        "unit_price": Decimal(str(price)) if price is not None else 0, "nmpr_type_cd": "",
        "krx_nmpr_cndt_cd": "", "ord_dvsn_cd": code_}, _ack)


def _modify_req(odno: str, price: Decimal | int | str, quantity: int | None,
                session: Literal["day", "night"]) -> _Req[FoOrderAck]:
    return _Req("domestic_futureoption", "order_rvsecncl", {
        "day_dv": session, "ord_prcs_dvsn_cd": "02", "rvse_cncl_dvsn_cd": "01",
        "orgn_odno": odno, "ord_qty": quantity or 0, "unit_price": Decimal(str(price)),
        "nmpr_type_cd": "", "krx_nmpr_cndt_cd": "", "rmn_qty_yn": "N" if quantity else "Y",
        "ord_dvsn_cd": "01"}, _ack)


def _cancel_req(odno: str, quantity: int | None,
                session: Literal["day", "night"]) -> _Req[FoOrderAck]:
    return _Req("domestic_futureoption", "order_rvsecncl", {
        "day_dv": session, "ord_prcs_dvsn_cd": "02", "rvse_cncl_dvsn_cd": "02",
        "orgn_odno": odno, "ord_qty": quantity or 0, "unit_price": 0, "nmpr_type_cd": "",
        "krx_nmpr_cndt_cd": "", "rmn_qty_yn": "N" if quantity else "Y", "ord_dvsn_cd": "01"},
        _ack)


def _orders_req(day: date) -> _Req[list[Any]]:
    return _Req("domestic_futureoption", "inquire_ccnl", {
        "strt_ord_dt": f"{day:%Y%m%d}", "end_ord_dt": f"{day:%Y%m%d}", "sll_buy_dvsn_cd": "00",
        "ccld_nccs_dvsn": "00", "sort_sqn": "AS"}, lambda r: list(r.output1))


def _positions_req() -> _Req[list[FoPosition]]:
    def parse(r: Any) -> list[FoPosition]:
        return [FoPosition(
            code=x.shtn_pdno or x.pdno or "", name=x.prdt_name or "",
            side=Side.BUY if x.sll_buy_dvsn_name == "매수" else Side.SELL,
            quantity=int(x.cblc_qty or 0), average_price=_d(x.ccld_avg_unpr1),
            price=_d(x.idx_clpr), purchase_amount=_d(x.pchs_amt),
            market_value=_d(x.evlu_amt), unrealized_pnl=_d(x.evlu_pfls_amt),
            realized_pnl=_d(x.trad_pfls_amt)) for x in r.output1]

    return _Req("domestic_futureoption", "inquire_balance",
                {"mgna_dvsn": "01", "excc_stat_cd": "1"}, parse)


def _margin_req() -> _Req[FoMargin]:
    def parse(r: Any) -> FoMargin:
        o = r.output[0]
        return FoMargin(
            cash=_d(o.dnca_tota), initial_margin=_d(o.brkg_mgna_cash),
            maintenance_margin=_d(o.cash_mntn_amt), orderable=_d(o.ord_psbl_tota),
            margin_call=_d(o.add_mgna_tota), futures_realized=_d(o.futr_trad_pfls),
            options_realized=_d(o.opt_trad_pfls_amt),
            futures_unrealized=_d(o.futr_evlu_pfls_amt),
            options_unrealized=_d(o.opt_evlu_pfls_amt), fees=_d(o.brkg_fee),
            equity=_d(o.prsm_dpast_amt))

    return _Req("domestic_futureoption", "inquire_deposit", {}, parse)


def _orderable_req(code: str, side: Side | str, price: Decimal | int | str
                   ) -> _Req[tuple[int, int]]:
    def parse(r: Any) -> tuple[int, int]:
        o = r.output[0]
        return int(o.ord_psbl_qty or 0), int(o.lqd_psbl_qty1 or 0)

    return _Req("domestic_futureoption", "inquire_psbl_order", {
        "pdno": code, "sll_buy_dvsn_cd": Side.parse(side).code,
        "unit_price": Decimal(str(price)), "ord_dvsn_cd": "01"}, parse)


class FuturesOptions:
    """Futures/options workflows on a sync :class:`~hantoo.Client`."""

    def __init__(self, client: Client) -> None:
        self._c = client

    # ---- quotes -------------------------------------------------------------------------
    def quote(self, code: str) -> FuturesQuote:
        return _run(self._c, _quote_req(code))

    def order_book(self, code: str) -> Book:
        """(bids, asks), best first, up to five levels each."""
        return _run(self._c, _book_req(code))

    def expiries(self) -> list[str]:
        """Listed monthly option expiries (``YYYYMM``)."""
        return _run(self._c, _expiries_req())

    def option_chain(self, expiry: str | date) -> OptionChain:
        """Calls and puts of one expiry month with prices and greeks."""
        return _run(self._c, _chain_req(expiry))

    # ---- orders -------------------------------------------------------------------------
    def place_order(self, code: str, side: Side | str, quantity: int,
                    price: Decimal | int | str | None = None, *, kind: OrderKind = "limit",
                    tif: Literal["ioc", "fok"] | None = None,
                    session: Literal["day", "night"] = "day") -> FoOrderAck:
        """Send one order (never retried). ``price`` is required for limit/conditional."""
        return _run(self._c, _place_req(code, side, quantity, price, kind, tif, session))

    def modify_order(self, odno: str, price: Decimal | int | str, quantity: int | None = None,
                     *, session: Literal["day", "night"] = "day") -> FoOrderAck:
        """Re-price ``quantity`` (all when ``None``) of a working limit order."""
        return _run(self._c, _modify_req(odno, price, quantity, session))

    def cancel_order(self, odno: str, quantity: int | None = None, *,
                     session: Literal["day", "night"] = "day") -> FoOrderAck:
        return _run(self._c, _cancel_req(odno, quantity, session))

    def orders(self, day: date) -> list[Any]:
        """The day's orders with their fills (선물옵션 주문체결내역조회 rows)."""
        return _run(self._c, _orders_req(day))

    # ---- account ------------------------------------------------------------------------
    def positions(self) -> list[FoPosition]:
        return _run(self._c, _positions_req())

    def margin(self) -> FoMargin:
        return _run(self._c, _margin_req())

    def orderable(self, code: str, side: Side | str, price: Decimal | int | str) -> tuple[int,
                                                                                          int]:
        """(new contracts the margin allows, closable contracts) at ``price``."""
        return _run(self._c, _orderable_req(code, side, price))


class AsyncFuturesOptions:
    """:class:`FuturesOptions` on an :class:`~hantoo.AsyncClient` (same requests, awaited)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def quote(self, code: str) -> FuturesQuote:
        return await _arun(self._c, _quote_req(code))

    async def order_book(self, code: str) -> Book:
        """(bids, asks), best first, up to five levels each."""
        return await _arun(self._c, _book_req(code))

    async def expiries(self) -> list[str]:
        """Listed monthly option expiries (``YYYYMM``)."""
        return await _arun(self._c, _expiries_req())

    async def option_chain(self, expiry: str | date) -> OptionChain:
        """Calls and puts of one expiry month with prices and greeks."""
        return await _arun(self._c, _chain_req(expiry))

    async def place_order(self, code: str, side: Side | str, quantity: int,
                          price: Decimal | int | str | None = None, *,
                          kind: OrderKind = "limit", tif: Literal["ioc", "fok"] | None = None,
                          session: Literal["day", "night"] = "day") -> FoOrderAck:
        """Send one order (never retried). ``price`` is required for limit/conditional."""
        return await _arun(self._c, _place_req(code, side, quantity, price, kind, tif,
                                               session))

    async def modify_order(self, odno: str, price: Decimal | int | str,
                           quantity: int | None = None, *,
                           session: Literal["day", "night"] = "day") -> FoOrderAck:
        """Re-price ``quantity`` (all when ``None``) of a working limit order."""
        return await _arun(self._c, _modify_req(odno, price, quantity, session))

    async def cancel_order(self, odno: str, quantity: int | None = None, *,
                           session: Literal["day", "night"] = "day") -> FoOrderAck:
        return await _arun(self._c, _cancel_req(odno, quantity, session))

    async def orders(self, day: date) -> list[Any]:
        """The day's orders with their fills (선물옵션 주문체결내역조회 rows)."""
        return await _arun(self._c, _orders_req(day))

    async def positions(self) -> list[FoPosition]:
        return await _arun(self._c, _positions_req())

    async def margin(self) -> FoMargin:
        return await _arun(self._c, _margin_req())

    async def orderable(self, code: str, side: Side | str, price: Decimal | int | str
                        ) -> tuple[int, int]:
        """(new contracts the margin allows, closable contracts) at ``price``."""
        return await _arun(self._c, _orderable_req(code, side, price))


# --------------------------------------------------------------------------- ELW


@dataclass(frozen=True, slots=True)
class WarrantQuote:
    """One ELW now (ELW 현재가 시세): won prices, implied volatility in percent."""

    code: str
    name: str
    price: Decimal
    prev_close: Decimal
    bid: Decimal
    ask: Decimal
    volume: int
    theoretical: Decimal
    implied_vol: Decimal
    strike: Decimal
    underlying: str
    underlying_price: Decimal


@dataclass(frozen=True, slots=True)
class Warrant:
    """One ELW with its LP price and model numbers (ELW 기초자산별 종목시세)."""

    code: str
    name: str
    kind: Literal["call", "put"]
    strike: Decimal
    price: Decimal
    theoretical: Decimal
    implied_vol: Decimal
    delta: Decimal
    gamma: Decimal
    vega: Decimal
    theta: Decimal
    gearing: Decimal
    leverage: Decimal
    parity: Decimal
    breakeven_rate: Decimal
    conversion_ratio: Decimal
    days_left: int
    listed: date | None
    last_trading_day: date | None


def _underlyings_req() -> _Req[list[tuple[str, str, Decimal]]]:
    return _Req("elw", "udrl_asset_list", {
        "fid_cond_scr_div_code": "11541", "fid_rank_sort_cls_code": "0",
        "fid_input_iscd": "00000"},
        lambda r: [(str(x.unas_shrn_iscd), str(x.unas_isnm), _d(x.unas_prpr)) for x in r.output])


def _search_req(underlying: str, kind: Literal["call", "put"] | None, issuer: str
                ) -> _Req[list[Warrant]]:
    if kind not in ("call", "put", None):
        raise ValueError(f"kind {kind!r}: 'call', 'put' or None (both)")
    cls = {"call": "C", "put": "P", None: "A"}[kind]

    def parse(r: Any) -> list[Warrant]:
        out = []
        for x in r.output:
            name = str(x.hts_kor_isnm or "")
            out.append(Warrant(
                code=str(x.elw_shrn_iscd), name=name, kind="put" if "풋" in name else "call",
                strike=_d(x.acpr), price=_d(x.elw_prpr), theoretical=_d(x.hts_thpr),
                implied_vol=_d(x.hts_ints_vltl), delta=_d(x.delta_val), gamma=_d(x.gama),
                vega=_d(x.vega), theta=_d(x.theta), gearing=_d(x.gear),
                leverage=_d(x.lvrg_val), parity=_d(x.prit),
                breakeven_rate=_d(x.prls_qryr_rate), conversion_ratio=_d(x.stck_cnvr_rate),
                days_left=int(x.hts_rmnn_dynu or 0), listed=x.stck_lstn_date,
                last_trading_day=x.stck_last_tr_date))
        return out

    return _Req("elw", "udrl_asset_price", {
        "fid_cond_mrkt_div_code": "W", "fid_cond_scr_div_code": "11541",
        "fid_mrkt_cls_code": cls, "fid_input_iscd": issuer, "fid_unas_input_iscd": underlying,
        "fid_vol_cnt": "", "fid_trgt_exls_cls_code": "0", "fid_input_price_1": "",
        "fid_input_price_2": "", "fid_input_vol_1": "", "fid_input_vol_2": "",
        "fid_input_rmnn_dynu_1": "", "fid_input_rmnn_dynu_2": "", "fid_option": "0",
        "fid_input_option_1": "", "fid_input_option_2": ""}, parse)


def _warrant_quote_req(code: str) -> _Req[WarrantQuote]:
    def parse(r: Any) -> WarrantQuote:
        o = r.output[0]
        return WarrantQuote(
            code=str(o.elw_shrn_iscd or code), name=str(o.hts_kor_isnm or ""),
            price=_d(o.elw_prpr), prev_close=_d(o.stck_prdy_clpr), bid=_d(o.bidp),
            ask=_d(o.askp), volume=int(o.acml_vol or 0), theoretical=_d(o.hts_thpr),
            implied_vol=_d(o.hts_ints_vltl), strike=_d(o.acpr),
            underlying=str(o.unas_shrn_iscd or ""), underlying_price=_d(o.unas_prpr))

    return _Req("domestic_stock", "inquire_elw_price",
                {"fid_cond_mrkt_div_code": "W", "fid_input_iscd": code}, parse)


class Warrants:
    """ELW search, quotes and sensitivities on a sync :class:`~hantoo.Client`. ELWs are ordered
    like shares: ``client.place_order(code, "buy", qty, price)`` with the ELW's code."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def underlyings(self) -> list[tuple[str, str, Decimal]]:
        """(code, name, price) of every underlying with listed ELWs."""
        return _run(self._c, _underlyings_req())

    def search(self, underlying: str = "000000", kind: Literal["call", "put"] | None = None,
               issuer: str = "00000") -> list[Warrant]:
        """ELWs on ``underlying`` (``000000`` all), optionally only calls or puts, of one
        issuer (``00003`` 한국투자증권, ``00017`` KB증권, ``00005`` 미래에셋증권; ``00000`` all)."""
        return _run(self._c, _search_req(underlying, kind, issuer))

    def quote(self, code: str) -> WarrantQuote:
        """One ELW now: the LP's book top, the last price and the model numbers."""
        return _run(self._c, _warrant_quote_req(code))


class AsyncWarrants:
    """:class:`Warrants` on an :class:`~hantoo.AsyncClient` (same requests, awaited)."""

    def __init__(self, client: AsyncClient) -> None:
        self._c = client

    async def underlyings(self) -> list[tuple[str, str, Decimal]]:
        """(code, name, price) of every underlying with listed ELWs."""
        return await _arun(self._c, _underlyings_req())

    async def search(self, underlying: str = "000000",
                     kind: Literal["call", "put"] | None = None,
                     issuer: str = "00000") -> list[Warrant]:
        """ELWs on ``underlying`` (``000000`` all), as :meth:`Warrants.search`."""
        return await _arun(self._c, _search_req(underlying, kind, issuer))

    async def quote(self, code: str) -> WarrantQuote:
        """One ELW now, as :meth:`Warrants.quote`."""
        return await _arun(self._c, _warrant_quote_req(code))
