"""Paging: cursors followed, repeats caught, SYDB0050 restarts, caps reported."""

from __future__ import annotations

import json

import httpx
import pytest

import hantoo
from hantoo.errors import PaginationError

KEY = "domestic_stock/inquire_daily_ccld"
PARAMS = {
    "pd_dv": "inner", "inqr_strt_dt": "20261101", "inqr_end_dt": "20261120",
    "sll_buy_dvsn_cd": "00", "ccld_dvsn": "00", "inqr_dvsn": "00", "inqr_dvsn_3": "00",
}


class PagedServer:
    """Serves ``total`` rows, ``size`` per page, with KIS cursors; scripted faults."""

    def __init__(self, total: int = 7, size: int = 3, *, repeat_cursor: bool = False,
                 changed_on_call: int | None = None) -> None:
        self.total, self.size = total, size
        self.repeat_cursor = repeat_cursor
        self.changed_on_call = changed_on_call
        self.calls: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/tokenP":
            return httpx.Response(200, json={
                "access_token": "T" * 40, "token_type": "Bearer", "expires_in": 86400,
                "access_token_token_expired": "2099-12-31 23:59:59"})
        params = dict(request.url.params)
        self.calls.append({**params, "tr_cont": request.headers["tr_cont"]})
        if self.changed_on_call == len(self.calls):
            return httpx.Response(500, json={"rt_cd": "1", "msg_cd": "SYDB0050",
                                             "msg1": "조회이후에 자료가 변경되었습니다."})
        start = int(params.get("CTX_AREA_NK100") or 0)
        end = min(start + self.size, self.total)
        rows = [{"odno": f"{i:010d}", "ord_qty": "1"} for i in range(start, end)]
        more = end < self.total
        cursor = "0" if self.repeat_cursor else str(end)
        body = {"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "ok", "output1": rows,
                "output2": {"tot_ord_qty": str(self.total)},
                "ctx_area_fk100": "F" + cursor, "ctx_area_nk100": cursor}
        return httpx.Response(200, headers={"tr_cont": "M" if more else "D"},
                              content=json.dumps(body).encode())


def client_for(server: PagedServer) -> hantoo.Client:
    return hantoo.Client("real", app_key="K" * 36, app_secret="S" * 180, account="12345678-01",
                         transport=httpx.MockTransport(server), rate_limit=False)


def test_all_pages_followed_with_cursors() -> None:
    server = PagedServer(total=7, size=3)
    client = client_for(server)
    pages = client.paginate(KEY, PARAMS)
    got = [r.get("odno") for page in pages for r in page.response.rows("output1")]
    assert got == [f"{i:010d}" for i in range(7)]
    assert pages.complete and not pages.truncated
    assert [c["tr_cont"] for c in server.calls] == ["", "N", "N"]
    assert server.calls[1]["CTX_AREA_NK100"] == "3"
    assert server.calls[1]["CTX_AREA_FK100"] == "F3"


def test_repeated_cursor_stops_with_an_error() -> None:
    client = client_for(PagedServer(total=9, size=3, repeat_cursor=True))
    with pytest.raises(PaginationError, match="repeated"):
        list(client.paginate(KEY, PARAMS))


def test_page_cap_reports_truncation() -> None:
    client = client_for(PagedServer(total=9, size=3))
    pages = client.paginate(KEY, PARAMS, max_pages=2)
    assert len(list(pages)) == 2
    assert pages.truncated and not pages.complete


def test_data_changed_restarts_from_the_first_page() -> None:
    server = PagedServer(total=7, size=3, changed_on_call=2)
    client = client_for(server)
    rows = client.rows(KEY, PARAMS, block="output1")
    assert [r.get("odno") for r in rows] == [f"{i:010d}" for i in range(7)]
    assert server.calls[2]["tr_cont"] == ""  # restarted without a cursor


def test_restarts_are_bounded() -> None:
    class AlwaysChanging(PagedServer):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.url.path != "/oauth2/tokenP" and request.headers["tr_cont"] == "N":
                self.changed_on_call = len(self.calls) + 1
            return super().__call__(request)

    client = client_for(AlwaysChanging(total=9, size=3))
    with pytest.raises(PaginationError, match="kept changing"):
        list(client.paginate(KEY, PARAMS, max_restarts=2))


async def test_async_paging() -> None:
    server = PagedServer(total=5, size=2)
    async with hantoo.AsyncClient(
        "real", app_key="K" * 36, app_secret="S" * 180, account="12345678-01",
        transport=httpx.MockTransport(server), rate_limit=False,
    ) as client:
        numbers = [p.number async for p in client.paginate(KEY, PARAMS)]
    assert numbers == [1, 2, 3]


def test_not_paginated_is_refused() -> None:
    client = client_for(PagedServer())
    with pytest.raises(PaginationError, match="not a paginated"):
        client.paginate("domestic_stock/inquire_price", {})
