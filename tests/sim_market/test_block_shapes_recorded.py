"""Every REST API answers each response block in the shape the project's catalogue records.

Why: clients index into ``output``/``output1``/``output2`` and break when an object arrives where
a list belongs (or the reverse). Whether a block is a list or one object is recorded once, in
``hantoo/catalog/block_shapes.json`` (checked against the broker's public samples, with the
source or the reason it is unverified); the simulator's generic responder reads it, and every
handler must agree with it. This walks the whole catalogue with a well-formed request for each
API (``example_params``) and compares every block of every successful answer.
"""

from __future__ import annotations

from typing import Any

import httpx
from market_kit import CANO, PRDT, Wire, config

from hantoo._core.wire import decode_response
from hantoo.catalog import block_shapes, catalog
from hantoo.client import _generic_model
from hantoo.sim.app import create_app
from hantoo.sim.derivatives.market import market_for
from hantoo.sim.state import KeySpec
from hantoo.sim.validation import example_params

#: Answers that carry no block to check: the auth APIs answer one flat object (token, approval
#: key, hash), not a block.
FLAT = frozenset(a.key for a in catalog() if a.category == "auth")


#: The pension APIs answer only a pension account (product 29): walked on their own simulator.
PENSION = frozenset(k for k in catalog().by_key if k.startswith("domestic_stock/pension_"))
PENSION_KEY, PENSION_SECRET = "PSHANTOOSHAPES0000000000000000000001", "s" * 180


#: Example requests this walk leaves refused, and why: each needs a live order or a price the
#: walk does not set up. A refusal outside this list fails the test.
EXPECTED_REFUSED = {
    "domestic_bond/order_rvsecncl": "the walk's bond buy fills at once, leaving nothing to cancel",
    "domestic_futureoption/order_rvsecncl": "needs a resting futures order",
    "overseas_futureoption/order": "needs a limit price on the series' tick grid",
    "overseas_futureoption/order_rvsecncl": "needs a resting overseas futures order",
}


def _overrides(kis: Wire) -> dict[str, dict[str, str]]:
    """Parameters that make ``example_params`` well-formed where its generic values are not:
    a listed futures series, an ELW market code, a limit price, a count in range."""
    m = market_for(kis.app.sim.exchange)
    m.sync()
    series = m.listing().series
    fut = next(c for c, i in series.items() if not i.is_option)
    opt = next(c for c, i in series.items() if i.is_option)
    elw = next(iter(m.elws()))
    fq = {"FID_COND_MRKT_DIV_CODE": "F", "FID_INPUT_ISCD": fut}
    month = f"202{fut[3]}{fut[4:6]}"  # A01612 → 202612
    out: dict[str, dict[str, str]] = {
        "domestic_futureoption/inquire_price": fq,
        "domestic_futureoption/inquire_asking_price": fq,
        "domestic_futureoption/exp_price_trend": fq,
        "domestic_futureoption/display_board_top": fq,
        "domestic_futureoption/inquire_daily_fuopchartprice": fq,
        "domestic_futureoption/inquire_time_fuopchartprice": fq,
        "domestic_futureoption/display_board_futures": {"FID_COND_MRKT_DIV_CODE": "F"},
        "domestic_futureoption/display_board_option_list": {"FID_COND_MRKT_DIV_CODE": "O",
                                                            "FID_COND_SCR_DIV_CODE": "509"},
        "domestic_futureoption/display_board_callput": {"FID_COND_MRKT_DIV_CODE": "O",
                                                        "FID_MTRT_CNT": month},
        "domestic_futureoption/inquire_ccnl": {"PDNO": fut},
        "domestic_futureoption/inquire_ngt_ccnl": {"PDNO": fut},
        "domestic_futureoption/inquire_psbl_order": {"PDNO": fut, "ORD_DVSN_CD": "02"},
        "domestic_futureoption/inquire_psbl_ngt_order": {"PDNO": fut},
        "domestic_futureoption/order": {"SHTN_PDNO": fut, "ORD_DVSN_CD": "02",
                                        "NMPR_TYPE_CD": "02"},
        "domestic_stock/order_credit": {"ORD_DVSN": "01"},
        "domestic_stock/order_resv": {"ORD_DVSN_CD": "01", "ORD_UNPR": "0",
                                      "RSVN_ORD_END_DT": ""},
        "domestic_stock/order_resv_rvsecncl": {"ORD_TYPE": "cancel"},
        "domestic_stock/inquire_elw_price": {"FID_COND_MRKT_DIV_CODE": "W", "FID_INPUT_ISCD": elw},
        "domestic_stock/search_info": {"PDNO": "005930"},
        "overseas_stock/inquire_time_itemchartprice": {"NREC": "120"},
        "domestic_bond/buy": {"ORD_QTY2": "1000"},
        "domestic_bond/sell": {"ORD_QTY2": "1000"},
    }
    for key in ("elw/indicator_trend_ccnl", "elw/indicator_trend_daily",
                "elw/indicator_trend_minute", "elw/lp_trade_trend", "elw/sensitivity_trend_ccnl",
                "elw/sensitivity_trend_daily", "elw/volatility_trend_ccnl",
                "elw/volatility_trend_daily", "elw/volatility_trend_minute",
                "elw/volatility_trend_tick"):
        out[key] = {"FID_INPUT_ISCD": elw}
    out["elw/indicator_trend_minute"]["FID_HOUR_CLS_CODE"] = "60"
    for key in ("elw/cond_search", "elw/indicator", "elw/quick_change", "elw/updown_rate",
                "elw/volume_rank"):
        out[key] = {"FID_INPUT_ISCD": "00000", "FID_UNAS_INPUT_ISCD": "005930"}  # all issuers
    out["elw/quick_change"] |= {"FID_MRKT_CLS_CODE": "A", "FID_HOUR_CLS_CODE": "1",
                                "FID_INPUT_HOUR_1": "10"}
    for key in ("elw/expiration_stocks", "elw/newly_listed", "elw/sensitivity",
                "elw/udrl_asset_list", "elw/udrl_asset_price"):
        out[key] = {"FID_COND_MRKT_DIV_CODE": "W", "FID_UNAS_INPUT_ISCD": "005930",
                    "FID_INPUT_ISCD": "00000", "FID_INPUT_ISCD_2": "00000"}
    for key in ("overseas_futureoption/opt_price", "overseas_futureoption/opt_asking_price",
                "overseas_futureoption/opt_detail", "overseas_futureoption/opt_daily_ccnl",
                "overseas_futureoption/opt_weekly_ccnl", "overseas_futureoption/opt_monthly_ccnl",
                "overseas_futureoption/opt_tick_ccnl", "overseas_futureoption/search_opt_detail",
                "overseas_futureoption/inquire_time_optchartprice"):
        out[key] = {"SRS_CD": "ESZ26 C6000"}
    out["overseas_futureoption/search_opt_detail"] = {
        f"SRS_CD_{i:02d}": "ESZ26 C6000" if i == 1 else "" for i in range(1, 31)}
    del opt
    return out


async def _resting_orders(kis: Wire) -> dict[str, dict[str, str]]:
    """Limit orders that rest (priced at the lower limit / below the market), and the
    parameters that cancel each of them: a correction API answers only for a live order."""
    out: dict[str, dict[str, str]] = {}
    quote = (await kis.get("domestic_stock/inquire_price", FID_COND_MRKT_DIV_CODE="J",
                           FID_INPUT_ISCD="005930")).body["output"]
    out["domestic_stock/order_cash"] = {"ORD_DVSN": "00", "ORD_UNPR": quote["stck_llam"]}
    last = (await kis.get("overseas_stock/price", AUTH="", EXCD="NAS", SYMB="AAPL")
            ).body["output"]["last"]
    out["overseas_stock/order"] = {"OVRS_ORD_UNPR": f"{float(last) * 0.9:.2f}"}
    bond = (await kis.get("domestic_bond/inquire_price", FID_COND_MRKT_DIV_CODE="B",
                          FID_INPUT_ISCD="KR2033022D33")).body["output"]
    out["domestic_bond/buy"] = {"ORD_QTY2": "1000", "BOND_ORD_UNPR": bond["bond_prpr"]}
    out["domestic_bond/sell"] = {"ORD_QTY2": "1000", "BOND_ORD_UNPR": bond["bond_prpr"]}
    return out


#: How an answered order feeds the request that corrects or cancels it.
CHAINS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    # order → (its correction API, answer field → correction parameter, fixed parameters)
    "domestic_stock/order_cash": ("domestic_stock/order_rvsecncl",
                                  {"ODNO": "ORGN_ODNO", "KRX_FWDG_ORD_ORGNO": "KRX_FWDG_ORD_ORGNO"},
                                  {"RVSE_CNCL_DVSN_CD": "02", "QTY_ALL_ORD_YN": "Y",
                                   "ORD_DVSN": "00"}),
    "domestic_stock/order_resv": ("domestic_stock/order_resv_rvsecncl",
                                  {"RSVN_ORD_SEQ": "RSVN_ORD_SEQ"}, {}),
    "overseas_stock/order": ("overseas_stock/order_rvsecncl", {"ODNO": "ORGN_ODNO"},
                             {"RVSE_CNCL_DVSN_CD": "02", "OVRS_ORD_UNPR": "0"}),
    "domestic_bond/buy": ("domestic_bond/order_rvsecncl", {"ODNO": "ORGN_ODNO"},
                          {"ORD_QTY2": "1000", "RVSE_CNCL_DVSN_CD": "02",
                           "QTY_ALL_ORD_YN": "Y"}),
}


def _rest() -> list[str]:
    return sorted(a.key for a in catalog() if a.is_rest)


def test_every_block_has_a_recorded_shape_with_its_source() -> None:
    shapes = block_shapes()
    rest = _rest()
    assert len(rest) == 276
    assert sorted(shapes) == rest, sorted(set(shapes) ^ set(rest))
    verified = unverified = 0
    for key in rest:
        api = catalog().get(key)
        recorded = shapes[key]
        assert sorted(recorded) == sorted(api.response.blocks), (key, sorted(recorded))
        for name, shape in recorded.items():
            assert shape.shape in ("list", "object"), (key, name, shape.shape)
            # a shape is either decided by a named public source or says why it is not
            assert bool(shape.source) != bool(shape.unverified), (key, name, shape)
            text = shape.source or shape.unverified
            assert len(text) > 20, (key, name, text)
            if shape.verified:
                verified += 1
            else:
                unverified += 1
    print(f"\nblock shapes: {verified + unverified} blocks of {len(rest)} REST APIs; "
          f"{verified} verified against public sources, {unverified} unverified (reason recorded)")
    assert verified + unverified >= len(rest)


async def test_every_api_answers_the_recorded_block_shapes(kis: Wire) -> None:
    kis.app.sim.clock.advance(120)
    shapes = block_shapes()
    wrong: list[tuple[str, str, str]] = []
    refused: list[tuple[str, str]] = []
    overrides = _overrides(kis)
    overrides.update(await _resting_orders(kis))
    checked = 0
    for key in _rest():
        if key in FLAT or key in PENSION:
            continue
        api = catalog().get(key)
        params: dict[str, Any] = {**example_params(api, (CANO, PRDT)), **overrides.get(key, {})}
        r = await kis.call(api, params)
        if r.ok and key in CHAINS:
            target, fields, fixed = CHAINS[key]
            answer = r.body.get("output") or {}
            fed = {param: str(answer.get(f) or answer.get(f.lower(), "")) for f, param in
                   fields.items()}
            overrides[target] = {**overrides.get(target, {}), **fixed, **fed}
        # the SDK decodes an object block as one row and a list block as its rows
        decoded = decode_response(_generic_model(api), r.body).blocks() if r.ok else {}
        if not r.ok:
            refused.append((key, f"{r.body.get('msg_cd', r.status)} {r.body.get('msg1', '')}"))
            continue
        for name, shape in shapes[key].items():
            if name not in r.body:
                continue
            value = r.body[name]
            if isinstance(value, list) != shape.is_list or not isinstance(value, (list, dict)):
                wrong.append((key, name, shape.shape))
                continue
            rows = value if isinstance(value, list) else [value] if value else []
            assert all(isinstance(row, dict) for row in rows), (key, name)
            assert len(decoded.get(name, ())) == len(rows), (key, name)
            checked += 1
    print(f"\nblock shapes on the wire: {checked} blocks checked; refused example requests: "
          f"{len(refused)} {refused}")
    assert not wrong, wrong
    assert {k for k, _ in refused} <= set(EXPECTED_REFUSED), refused
    assert checked > 350, checked


class _PensionWire(Wire):
    """The raw wire client, logged in with a key whose account is a pension account."""

    async def login(self) -> None:
        r = await self.http.post("/oauth2/tokenP", json={
            "grant_type": "client_credentials", "appkey": PENSION_KEY,
            "appsecret": PENSION_SECRET})
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]

    def headers(self, tr_id: str) -> dict[str, str]:
        return {**super().headers(tr_id), "appkey": PENSION_KEY, "appsecret": PENSION_SECRET}


async def test_pension_apis_answer_the_recorded_block_shapes() -> None:
    spec = KeySpec(PENSION_KEY, PENSION_SECRET, account=f"{CANO}-29")
    app = create_app(config(keys=(spec,)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sim") as http:
        kis = _PensionWire(http, app)
        await kis.login()
        for key in sorted(PENSION):
            api = catalog().get(key)
            r = await kis.call(api, example_params(api, (CANO, "29")))
            assert r.ok, (key, r.body)
            for name, shape in block_shapes()[key].items():
                assert isinstance(r.body[name], list) == shape.is_list, (key, name, shape.shape)
