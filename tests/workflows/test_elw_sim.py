"""ELWs against the simulator through the SDK: the price API, the underlying screens and the
sensitivity ranking agree on every number; LP quotes straddle the price; prices respect the
option bounds and order by strike; unknown codes are refused naming them."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from hantoo.errors import HantooError

sys.path.insert(0, str(Path(__file__).parent))
from simkit import START, private_sim

SCREEN = dict(fid_cond_mrkt_div_code="W", fid_cond_scr_div_code="11541", fid_input_iscd="00000",
              fid_vol_cnt="", fid_trgt_exls_cls_code="0", fid_input_price_1="",
              fid_input_price_2="", fid_input_vol_1="", fid_input_vol_2="",
              fid_input_rmnn_dynu_1="", fid_input_rmnn_dynu_2="", fid_option="0",
              fid_input_option_1="", fid_input_option_2="")


def test_elw_numbers_agree_across_apis() -> None:
    with private_sim() as sim, sim.client() as c:
        unders = c.elw.udrl_asset_list(fid_cond_scr_div_code="11541", fid_rank_sort_cls_code="0",
                                       fid_input_iscd="00000").output
        codes = [u.unas_shrn_iscd for u in unders]
        assert "2001" in codes and len(codes) >= 4
        sens = {r.elw_shrn_iscd: r for r in c.elw.sensitivity(
            fid_cond_mrkt_div_code="W", fid_cond_scr_div_code="20285",
            fid_unas_input_iscd="000000", fid_input_iscd="00000", fid_div_cls_code="0",
            fid_input_price_1="", fid_input_price_2="", fid_input_vol_1="", fid_input_vol_2="",
            fid_rank_sort_cls_code="0", fid_input_rmnn_dynu_1="",
            fid_input_date_1=f"{START:%Y%m%d}", fid_blng_cls_code="0").output}
        deltas = [abs(r.delta_val) for r in sens.values()]
        assert deltas == sorted(deltas, reverse=True)  # ranked by |delta|
        for under in codes:
            rows = c.elw.udrl_asset_price(fid_mrkt_cls_code="A", fid_unas_input_iscd=under,
                                          **SCREEN).output
            assert rows
            spot = next(u.unas_prpr for u in unders if u.unas_shrn_iscd == under)
            for r in rows:
                p = c.domestic_stock.inquire_elw_price(fid_cond_mrkt_div_code="W",
                                                       fid_input_iscd=r.elw_shrn_iscd).output[0]
                assert p.unas_shrn_iscd == under and p.unas_prpr == spot
                assert p.elw_prpr == r.elw_prpr == sens[r.elw_shrn_iscd].elw_prpr
                assert p.bidp < p.askp and p.bidp <= p.elw_prpr <= p.askp  # the LP book
                assert p.elw_prpr % 5 == 0
                assert r.delta_val == sens[r.elw_shrn_iscd].delta_val
                assert abs(p.elw_prpr - max(p.hts_thpr, Decimal(5))) <= Decimal("2.5")  # the model
                # (an ELW never trades below one 5-won tick)
                call = "콜" in (r.hts_kor_isnm or "")
                if call:  # a European call (rate above yield) is worth its intrinsic value;
                    assert p.elw_prpr >= r.invl_val - 5  # a deep put may be worth less
                assert (0 < r.delta_val < 1) if call else (-1 < r.delta_val < 0)
            # same issuer and expiry: calls cheaper, puts dearer as the strike rises
            by_series: dict[tuple[str, str, bool], list[tuple[Decimal, Decimal]]] = {}
            for r in rows:
                name = r.hts_kor_isnm or ""
                key = (name[:2], f"{r.stck_last_tr_date}", "콜" in name)
                by_series.setdefault(key, []).append((r.acpr, r.elw_prpr))
            for (_, _, call), pts in by_series.items():
                prices = [p for _, p in sorted(pts)]
                assert prices == (sorted(prices, reverse=True) if call else sorted(prices))


def test_unknown_elw_and_underlying_codes_are_refused() -> None:
    with private_sim() as sim, sim.client() as c:
        with pytest.raises(HantooError) as exc:
            c.domestic_stock.inquire_elw_price(fid_cond_mrkt_div_code="W",
                                               fid_input_iscd="599999")
        assert "599999" in str(exc.value)
        with pytest.raises(HantooError) as exc:
            c.elw.udrl_asset_price(fid_mrkt_cls_code="A", fid_unas_input_iscd="ZZ9999", **SCREEN)
        assert "ZZ9999" in str(exc.value)
        with pytest.raises(HantooError) as exc:
            c.elw.udrl_asset_price(fid_mrkt_cls_code="X", fid_unas_input_iscd="2001", **SCREEN)
        assert "FID_MRKT_CLS_CODE" in str(exc.value)


def test_warrants_helper_returns_domain_objects() -> None:
    from hantoo.futures_options import Warrants

    with private_sim() as sim, sim.client() as c:
        w = Warrants(c)
        unders = w.underlyings()
        code = next(u for u, _, _ in unders if u != "2001")
        calls = w.search(code, "call")
        assert calls and all(x.kind == "call" and 0 < x.delta < 1 for x in calls)
        puts = w.search(code, "put", issuer="00003")
        assert puts and all(x.kind == "put" and x.delta < 0 for x in puts)
        for x in calls:
            assert x.gearing > 0 and x.leverage > 0 and x.conversion_ratio == Decimal("0.1")
            assert x.last_trading_day is not None and x.days_left > 0
