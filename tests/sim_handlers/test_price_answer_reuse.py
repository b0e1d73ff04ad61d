"""The current-price answer is reused while the quote is unchanged: every reused answer is the one
a fresh computation gives, and a trade, a new day or other parameters give a new one."""

from __future__ import annotations

from typing import Any

from handlers_wire import Kis, order_body

from hantoo.sim.handlers import domestic_quotes

Q = "/uapi/domestic-stock/v1/quotations/inquire-price"
T = "/uapi/domestic-stock/v1/trading/order-cash"
PARAMS = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}


async def _price(kis: Kis, params: dict[str, str] = PARAMS) -> dict[str, Any]:
    r = await kis.get(Q, "FHKST01010100", params)
    assert r.ok, r.body
    return r.body


async def _fresh(kis: Kis, params: dict[str, str] = PARAMS) -> dict[str, Any]:
    """The answer computed from scratch (nothing remembered)."""
    domestic_quotes._PRICE_ANSWERS.clear()
    return await _price(kis, params)


async def test_reused_answers_equal_fresh_ones(kis: Kis) -> None:
    first = await _price(kis)
    again = await _price(kis)
    assert again == first == await _fresh(kis)
    assert list(again["output"]) == list(first["output"])  # field order too

    r = await kis.post(T, "TTTC0012U", order_body("005930", 700, 0, dvsn="01"))
    assert r.ok, r.body
    traded = await _price(kis)
    assert int(traded["output"]["acml_vol"]) >= int(first["output"]["acml_vol"]) + 700
    assert traded == await _fresh(kis)
    assert await _price(kis) == traded

    other = {"FID_COND_MRKT_DIV_CODE": "UN", "FID_INPUT_ISCD": "005930"}
    un = await _price(kis, other)
    assert un == await _fresh(kis, other)
    assert await _price(kis) == traded

    kis.advance(24 * 3600)  # the next business day: a new trading date and new filler dates
    await kis.login()  # the day-old token has expired
    next_day = await _price(kis)
    assert next_day != traded
    assert next_day == await _fresh(kis)


async def test_two_simulators_in_one_process_keep_their_own_history() -> None:
    """Past-year extremes are remembered per exchange object (weakly), not per ``id()``: ids
    are reused once an exchange is gone, and a second simulator must never answer with the first
    one's history (seeds 7 and 8 give different years)."""
    from handlers_wire import make_config, session

    w52 = ("w52_hgpr", "w52_lwpr", "w52_hgpr_date", "w52_lwpr_date")
    answers: dict[int, list[Any]] = {}
    for seed in (7, 8, 7):
        async with session(make_config(seed=seed)) as kis:
            out = (await _price(kis))["output"]
            domestic_quotes._PAST.clear()
            domestic_quotes._PRICE_ANSWERS.clear()
            fresh = (await _price(kis))["output"]
            assert [out[k] for k in w52] == [fresh[k] for k in w52]
            answers.setdefault(seed, [out[k] for k in w52])
            assert answers[seed] == [out[k] for k in w52]
            assert kis.state.exchange in domestic_quotes._PAST  # the object, not its id
    assert answers[7] != answers[8]
