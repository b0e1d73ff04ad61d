"""Every REST API answers each response block in the shape the project's catalogue records.

Why: clients index into ``output``/``output1``/``output2`` and break when an object arrives where
a list belongs (or the reverse). Whether a block is a list or one object is recorded once, in
``hantoo/catalog/block_shapes.json`` (checked against the broker's public samples, with the
source or the reason it is unverified); the simulator's generic responder reads it, and every
handler must agree with it. This walks the whole catalogue with a well-formed request for each
API (``example_params``) and compares every block of every successful answer.
"""

from __future__ import annotations

from market_kit import CANO, PRDT, Wire

from hantoo.catalog import block_shapes, catalog
from hantoo.sim.validation import example_params

#: Answers that carry no block to check: the auth APIs answer one flat object (token, approval
#: key, hash), not a block.
FLAT = frozenset(a.key for a in catalog() if a.category == "auth")


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
    checked = 0
    for key in _rest():
        if key in FLAT:
            continue
        api = catalog().get(key)
        r = await kis.call(api, example_params(api, (CANO, PRDT)))
        if not r.ok:
            refused.append((key, str(r.body.get("msg_cd", r.status))))
            continue
        for name, shape in shapes[key].items():
            if name not in r.body:
                continue
            value = r.body[name]
            if isinstance(value, list) != shape.is_list or not isinstance(value, (list, dict)):
                wrong.append((key, name, shape.shape))
                continue
            rows = value if isinstance(value, list) else [value]
            assert all(isinstance(row, dict) for row in rows), (key, name)
            checked += 1
    print(f"\nblock shapes on the wire: {checked} blocks checked; refused example requests: "
          f"{len(refused)} {refused}")
    assert not wrong, wrong
    assert checked > 300, checked
