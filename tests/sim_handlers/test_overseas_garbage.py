"""Garbage requests to the 77 overseas REST APIs are refused, naming the problem.

The requests are generated from the catalogue: for each API the validator's own well-formed
request (:func:`hantoo.sim.validation.example_params`), then one request per parameter with that
parameter spoiled according to its encoding (a date that is not a date, a number with letters, a
flag that is not Y/N, a code with symbols in it or one nobody issues, control characters or an
overlong value in text) and one per required parameter left out (those KIS refuses when missing:
:func:`hantoo.sim.wire_compat.enforced_required`). A refusal counts when the answer is an error
*and* its message names the spoiled parameter (or echoes the bad value), so a refusal for an
unrelated reason does not count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from handlers_wire import CANO, PRDT, Kis

from hantoo.catalog import Api, catalog
from hantoo.sim.validation import example_params
from hantoo.sim.wire_compat import enforced_required

#: What a spoiled value looks like, per catalogue encoding.
GARBAGE: dict[str, tuple[str, ...]] = {
    "yyyymmdd": ("20261345", "2026-11-23"),
    "hhmmss": ("256199", "ab:cd"),
    "price": ("12a.5", "-3"),
    "amount": ("1e", "-1"),
    "number": ("x9",),
    "rate": ("1.2.3",),
    "qty": ("-7", "3.5"),
    "count": ("ten",),
    "flag": ("Q", "yes"),
    "code": ("Z!9", "<zz>", "ZZ9Q"),
    "text": ("A\x01B", "A" * 300),
}


def overseas_apis() -> list[Api]:
    return [a for a in catalog().apis if a.category.startswith("overseas")
            and a.kind != "stream"]


def tr_of(api: Api) -> str:
    if api.tr_real:
        return api.tr_real
    return api.variants[0].real if api.variants else ""


def cases(api: Api) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(spoiled wire name, spoiled value, request) for one API."""
    base = example_params(api, (CANO, PRDT))  # well-formed: the validator's own examples
    for p in api.params:
        if p.account:
            continue
        for bad in GARBAGE.get(p.enc, ()):
            yield p.wire, bad, base | {p.wire: bad}
        if enforced_required(api, p):  # what KIS refuses when left out (not sample-only ones)
            yield p.wire, "", {k: v for k, v in base.items() if k != p.wire}


async def test_garbage_to_the_overseas_apis_is_refused_naming_the_problem(kis: Kis) -> None:
    apis = overseas_apis()
    assert len(apis) == 77
    sent = refused = 0
    missed: Counter[str] = Counter()
    for api in apis:
        for wire, bad, params in cases(api):
            sent += 1
            if api.method == "GET":
                r = await kis.get(api.path, tr_of(api), params)
            else:
                r = await kis.post(api.path, tr_of(api), params)
            msg = str(r.body.get("msg1", ""))
            if not r.ok and (wire in msg or (bad and bad[:8] in msg)):
                refused += 1
            else:
                missed[f"{api.key}:{wire}={bad[:10]!r}"] += 1
    rate = refused / sent
    assert sent > 800, sent
    assert rate >= 0.95, (rate, sorted(missed)[:40])
    # every API refuses most of its garbage, not just the sum over all of them
    per_api: Counter[str] = Counter(k.split(":")[0] for k in missed)
    totals = Counter(api.key for api in apis for _ in cases(api))
    worst = sorted((n / totals[k], k) for k, n in per_api.items())[-3:]
    assert all(share <= 0.2 for share, _k in worst), worst
