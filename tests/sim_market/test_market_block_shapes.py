"""Every market-wide API answers its blocks in the shape the project's catalogue records.

Why: clients index into ``output``/``output1``/``output2`` and break when an object arrives
where a list belongs (or the reverse). The shapes are recorded once (``hantoo.sim.generic``'s
layout, read from the catalogue's recorded shapes in ``hantoo/catalog/block_shapes.json``); this
test calls every handler of the market-information modules (indices, rankings, corporate, flows,
ETF, bonds) with a well-formed request and checks each block's shape and field names.
"""

from __future__ import annotations

from market_kit import CANO, PRDT, Wire

from hantoo.catalog import catalog
from hantoo.sim.generic import layout
from hantoo.sim.handlers import load_handlers
from hantoo.sim.validation import example_params

#: The handler modules that answer market-wide information (issue 16).
MARKET_MODULES = ("market_info", "investor_flows", "corporate_info", "bond_info")


def _market_apis() -> list[str]:
    return sorted(k for k, h in load_handlers().items()
                  if h.__module__.rsplit(".", 1)[-1] in MARKET_MODULES)


async def test_every_market_api_answers_the_recorded_block_shapes(kis: Wire) -> None:
    kis.app.sim.clock.advance(120)
    keys = _market_apis()
    assert len(keys) >= 25, keys  # indices, rankings, corporate, flows, ETF, bonds
    wrong = []
    for key in keys:
        api = catalog().get(key)
        r = await kis.call(api, example_params(api, (CANO, PRDT)))
        assert r.ok, (key, r.body)
        want = {b.name: b for b in layout(api)}
        got = {name: v for name, v in r.body.items() if name.startswith("output")}
        assert set(got) == set(want), (key, sorted(got), sorted(want))
        for name, value in got.items():
            block = want[name]
            if isinstance(value, list) != block.is_list:
                wrong.append((key, name, "list" if block.is_list else "object"))
                continue
            # field names are checked where the catalogue assigns them to this block (for
            # multi-block APIs it often lists the fields without saying which block holds them)
            documented = set(api.response.blocks[name] or ())
            rows = value if isinstance(value, list) else [value]
            for row in rows:
                assert isinstance(row, dict) and documented <= set(row), (
                    key, name, sorted(documented - set(row)))
                assert all(isinstance(v, str) for v in row.values()), (key, name)
    assert not wrong, wrong
