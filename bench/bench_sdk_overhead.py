"""Per-call overhead of the SDK versus a bare httpx request to the same simulator endpoint.

Both send the current-price request over one keep-alive connection to the simulator server
(limits off, SDK limiter off) sequentially; the SDK adds parameter encoding, TR-ID choice, the
token manager, circuit breaker, response interpretation and typed decoding. Target: <= 1.3x.

    python bench/bench_sdk_overhead.py [--calls 2000]
"""

from __future__ import annotations

import argparse
import time

import httpx

import hantoo
from hantoo.config import SIM_APP_KEY, SIM_APP_SECRET
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.server import running_server

PATH = "/uapi/domestic-stock/v1/quotations/inquire-price"
PARAMS = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}


def bare(base_url: str, token: str, calls: int) -> float:
    headers = {
        "content-type": "application/json; charset=utf-8", "authorization": f"Bearer {token}",
        "appkey": SIM_APP_KEY, "appsecret": SIM_APP_SECRET, "tr_id": "FHKST01010100",
        "custtype": "P", "tr_cont": "",
    }
    with httpx.Client(base_url=base_url) as http:
        first = http.get(PATH, params=PARAMS, headers=headers)
        assert first.status_code == 200, first.text
        start = time.perf_counter()
        for _ in range(calls):
            body = http.get(PATH, params=PARAMS, headers=headers).json()
            assert body["rt_cd"] == "0"
        return (time.perf_counter() - start) / calls


def sdk(client: hantoo.Client, calls: int) -> float:
    client.domestic_stock.inquire_price(fid_cond_mrkt_div_code="J", fid_input_iscd="005930")
    start = time.perf_counter()
    for _ in range(calls):
        r = client.domestic_stock.inquire_price(fid_cond_mrkt_div_code="J",
                                                fid_input_iscd="005930")
        assert r.output[0].stck_prpr is not None
    return (time.perf_counter() - start) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    app = create_app(SimConfig(limits="off", clock_mode="stepped"))
    with running_server(app=app, http="httptools") as (base_url, _ws), hantoo.Client(
        "sim", base_url=base_url, rate_limit=False
    ) as client:
        token = client.token()
        bares, sdks = [], []
        for _ in range(args.rounds):  # interleave to share any drift fairly
            bares.append(bare(base_url, token, args.calls))
            sdks.append(sdk(client, args.calls))
    b, s = min(bares), min(sdks)
    print(f"per call: bare httpx {b * 1e3:.3f} ms, SDK {s * 1e3:.3f} ms, "
          f"overhead {s / b:.2f}x (best of {args.rounds} rounds of {args.calls} calls)")


if __name__ == "__main__":
    main()
