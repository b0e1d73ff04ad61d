"""Worker functions for multi-process contract tests (spawned processes import this)."""

from __future__ import annotations


def quote_once(base_url: str, cache_dir: str, start_at: float) -> str:
    """Wait for a common start instant, then make one call through a fresh client."""
    import time

    import hantoo

    while time.time() < start_at:
        time.sleep(0.001)
    with hantoo.Client("sim", base_url=base_url, cache_dir=cache_dir, rate_limit=False) as c:
        r = c.domestic_stock.inquire_price(fid_cond_mrkt_div_code="J", fid_input_iscd="005930")
    return str(r.output[0].stck_prpr)
