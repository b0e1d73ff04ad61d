"""`hantoo sim serve` as a real process: URLs printed, and kill -9 loses nothing acknowledged."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import hantoo

HANTOO = [sys.executable, "-m", "hantoo.cli"]


@contextmanager
def server_process(state: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [*HANTOO, "sim", "serve", "--port", "0", "--state", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    assert proc.stdout is not None
    url = ""
    deadline = time.monotonic() + 30
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"REST\s+(http://127\.0\.0\.1:\d+)", line)
        if m:
            url = m.group(1)
            break
    if not url:
        proc.kill()
        pytest.fail("server did not print its URL:\n" + "".join(lines))
    try:
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def client(url: str, cache: Path) -> hantoo.Client:
    return hantoo.Client("sim", base_url=url, cache_dir=str(cache), rate_limit=False)


def balance_snapshot(c: hantoo.Client) -> tuple[list[tuple[str, str]], str]:
    today = dt.date.today()
    orders = c.rows("domestic_stock/inquire_daily_ccld", {
        "pd_dv": "inner", "inqr_strt_dt": today - dt.timedelta(days=30),
        "inqr_end_dt": today + dt.timedelta(days=30), "sll_buy_dvsn_cd": "00",
        "ccld_dvsn": "00", "inqr_dvsn": "00", "inqr_dvsn_3": "00",
    }, block="output1")
    balance = c.call("domestic_stock/inquire_balance", {
        "afhr_flpr_yn": "N", "inqr_dvsn": "02", "unpr_dvsn": "01", "fund_sttl_icld_yn": "N",
        "fncg_amt_auto_rdpt_yn": "N", "prcs_dvsn": "00",
    })
    summary = balance.rows("output2")
    cash = str(summary[0].get("dnca_tot_amt")) if summary else ""
    return sorted((str(o.get("odno")), str(o.get("tot_ccld_qty"))) for o in orders), cash


def test_kill_dash_nine_loses_no_acknowledged_order(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite3"
    acked: list[str] = []
    with server_process(state) as (proc, url):
        with client(url, tmp_path / "c1") as c:
            for qty in (1, 2, 3):
                r = c.domestic_stock.order_cash(
                    ord_dv="buy", pdno="005930", ord_dvsn="01", ord_qty=qty, ord_unpr=0,
                    excg_id_dvsn_cd="KRX",
                )
                acked.append(str(r.output[0].odno))
            before = balance_snapshot(c)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    with server_process(state) as (_proc, url), client(url, tmp_path / "c2") as c:
        after = balance_snapshot(c)
    assert set(acked) <= {odno for odno, _ in after[0]}
    assert after == before
