"""Catalogue-shaped answers for APIs that have no handler of their own.

Why: every one of the 276 REST APIs must answer something a client can decode, even before
anyone writes its semantics. The answer is built from the catalogue alone: ``rt_cd`` ``"0"``,
every documented block with every documented field, values plausible for the field's encoding
and **deterministic** — a function of (simulator seed, API key, request parameters, row, field
name) — so the same request always gets the same answer and a test can rely on it.

Block layout. The catalogue knows each block's fields for most APIs; for the rest (``blocks``
null, ``fields`` listing every field) each block gets every field. Whether a block is a list or an
object comes from the catalogue's recorded shapes (:func:`hantoo.catalog.block_shapes`, checked
against the broker's public samples; clients index into these blocks and break on the wrong
shape). Only a block the record lacks falls back to a guess: for paginated APIs the first block
of an API with cursors is the list (``output``/``output1``); for APIs paged by ``tr_cont`` alone a
single ``output`` or the ``output2`` block is the list; everything else is an object.

Values by encoding (see ``hantoo._core.encoding``): ``price`` around a per-symbol base price on
the KRX tick grid (overseas: four decimals), ``rate`` ``"-1.23"``, ``qty``/``count``/``amount``
integers, ``yyyymmdd`` on or before the simulator date (list rows walk back one business day per
row), ``hhmmss`` in the trading session, ``flag`` ``Y``/``N``, codes by naming convention
(``*_sign`` ``"2"``/``"5"``, symbol and account fields echo the request). Name fields carry the
instrument's name from the engine's universe (the code itself when the engine does not list it);
other free text is left blank — never a made-up placeholder a client could mistake for data.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hantoo.catalog import Api, block_shapes, field_table

from .handlers import Call, Reply, ok, page_size_for, paginate

__all__ = ["block_fields", "fill_fields", "layout", "request_seed", "respond"]

_MASK = (1 << 64) - 1
SYMBOL_PARAMS = (
    "FID_INPUT_ISCD", "PDNO", "OVRS_PDNO", "SYMB", "FID_INPUT_ISCD_1", "SRS_CD", "ITEM_CD",
)
ROWS_UNPAGED = 10


def _mix(x: int) -> int:
    """splitmix64 finaliser: a cheap, well-spread hash step."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


@functools.lru_cache(maxsize=8192)
def _name_hash(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


_SUFFIX_ENC = (
    ("_yn", "flag"), ("qty", "qty"), ("_amt", "amount"), ("pric", "price"), ("prpr", "price"),
    ("unpr", "price"), ("_dt", "yyyymmdd"), ("date", "yyyymmdd"), ("ctrt", "rate"),
    ("rate", "rate"), ("_rt", "rate"), ("_tmd", "hhmmss"), ("hour", "hhmmss"), ("_cnt", "count"),
)


@functools.lru_cache(maxsize=4096)
def _enc_of(name: str) -> str:
    """The field table's encoding; for fields it lacks, one guessed from KIS naming."""
    f = field_table().get(name.lower())
    if f is not None:
        return f.enc
    for suffix, enc in _SUFFIX_ENC:
        if name.endswith(suffix):
            return enc
    return "text"


def request_seed(call: Call) -> int:
    """Seed of a request: simulator seed, API key and the non-cursor parameters."""
    cursor_wires = {p.wire for p in call.api.params if p.cursor}
    text = "&".join(
        f"{k}={v.strip()}" for k, v in sorted(call.params.items()) if k not in cursor_wires
    )
    return _mix(zlib.crc32(f"{call.state.config.seed}|{call.api.key}|{text}".encode()))


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True, slots=True)
class Block:
    name: str
    is_list: bool
    fields: tuple[str, ...]


_layouts: dict[str, tuple[Block, ...]] = {}  # catalogue-derived, immutable: a cache, not state


def _compute_layout(api: Api) -> tuple[Block, ...]:
    names = list(api.response.blocks)
    all_fields = tuple(api.response.all_fields())
    paging = api.paging
    has_cursors = bool(paging and paging.response)
    recorded = block_shapes().get(api.key, {})
    out: list[Block] = []
    for i, name in enumerate(names):
        known = api.response.blocks[name]
        fields = tuple(known) if known is not None else all_fields
        if has_cursors:
            is_list = i == 0
        elif paging is not None and paging.tr_cont:
            is_list = len(names) == 1 or name == "output2"
        else:
            is_list = False
        shape = recorded.get(name)
        if shape is not None:
            is_list = shape.is_list
        out.append(Block(name, is_list, fields))
    return tuple(out)


def layout(api: Api) -> tuple[Block, ...]:
    """The blocks of an API's answer: name, list or object, fields."""
    cached = _layouts.get(api.key)
    if cached is None:
        cached = _layouts[api.key] = _compute_layout(api)
    return cached


def block_fields(api: Api, block: str) -> tuple[str, ...]:
    """The documented fields of one block (every field when the block's membership is unknown)."""
    for b in layout(api):
        if b.name == block:
            return b.fields
    known = list(api.response.blocks)
    raise KeyError(f"{api.key} has no response block {block!r} (blocks: {known})")


# --------------------------------------------------------------------------- values


def _tick(price: int) -> int:
    """KRX tick size for a stock price (since 2023-01-25)."""
    for bound, tick in ((2_000, 1), (5_000, 5), (20_000, 10), (50_000, 50), (200_000, 100),
                        (500_000, 500)):
        if price < bound:
            return tick
    return 1_000


def _on_tick(price: int) -> int:
    price = max(price, 1)
    t = _tick(price)
    return price - price % t if price >= t else price


def _symbol(params: Mapping[str, str]) -> str:
    for wire in SYMBOL_PARAMS:
        v = params.get(wire, "").strip()
        if v:
            return v
    return ""


def _back_business_days(d: date, n: int) -> date:
    while n > 0 or d.weekday() >= 5:
        if d.weekday() < 5:
            n -= 1
        d -= timedelta(days=1)
    return d


@dataclass(frozen=True, slots=True)
class _Ctx:
    symbol: str
    name: str  # the instrument's name (the code when the engine does not list it)
    base: int  # domestic: KRW; overseas: 1/10000 units
    overseas: bool
    today: date
    cano: str
    prdt: str


def _context(call: Any) -> _Ctx:
    params: Mapping[str, str] = call.params
    symbol = _symbol(params).lstrip("QJ") if _symbol(params)[:1] in ("Q", "J") else _symbol(params)
    overseas = call.api.category.startswith("overseas")
    h = _mix(zlib.crc32(f"{call.state.config.seed}|{symbol or call.api.key}".encode()))
    base = 10_0000 + h % 490_0000 if overseas else _on_tick(1_000 + h % 299_000)
    return _Ctx(
        symbol=symbol,
        name=_instrument_name(call, symbol),
        base=base,
        overseas=overseas,
        today=call.state.clock.now().date(),
        cano=params.get("CANO", "").strip(),
        prdt=params.get("ACNT_PRDT_CD", "").strip(),
    )


def _instrument_name(call: Any, symbol: str) -> str:
    if not symbol:
        return ""
    universe = getattr(getattr(call.state, "exchange", None), "universe", None)
    inst = universe.get(symbol) if universe is not None else None
    return str(getattr(inst, "name", "") or symbol)


def _price(ctx: _Ctx, h: int, row: int, name: str) -> str:
    # integer basis points: synthetic prices never pass through a float
    if "mxpr" in name:
        bp = 13_000
    elif "llam" in name:
        bp = 7_000
    elif "sdpr" in name or "prdy_clpr" in name or "base" in name:
        bp = 10_000
    else:
        bp = 10_000 + (h % 1001) - 500 - row * 20
    v = max(ctx.base * max(bp, 100) // 10_000, 1)
    if ctx.overseas:
        return f"{v // 10_000}.{v % 10_000:04d}"
    return str(_on_tick(v))


_CODE_ECHO = {"cano": "cano", "acnt_prdt_cd": "prdt"}


def _code(ctx: _Ctx, h: int, name: str) -> str:
    if name.endswith("_sign") or name.endswith("sign"):
        return "2" if h & 1 else "5"
    if name in _CODE_ECHO:
        return str(getattr(ctx, _CODE_ECHO[name])) or ("50000000" if name == "cano" else "01")
    if ctx.symbol and (name in ("pdno", "symb", "rsym", "ovrs_pdno", "shtn_pdno")
                       or name.endswith("iscd")):
        return ctx.symbol
    if name == "std_pdno" and len(ctx.symbol) == 6 and ctx.symbol.isalnum():
        return krx_isin(ctx.symbol)
    if name.endswith("_yn"):
        return "Y" if h % 5 == 0 else "N"
    if "crcy" in name:
        return "USD" if ctx.overseas else "KRW"
    if "excg" in name:
        return "NASD" if ctx.overseas else "KRX"
    if name.endswith("_odno") or name == "odno" or name.endswith("orgno"):
        return f"{h % 10**10:010d}"
    return f"{h % 4:02d}"


_NAME_PREFIXES = ("prdt_name", "prdt_abrv", "prdt_eng", "item_name", "ovrs_item", "hts_kor",
                  "kor_isnm", "isnm", "stck_name", "issu_name")


def _is_instrument_name(name: str) -> bool:
    """Whether a text field is the instrument's name (others — market, branch, currency names —
    are not the symbol's, and are left blank rather than invented)."""
    return "isnm" in name or name.startswith(_NAME_PREFIXES)


def krx_isin(code: str) -> str:
    """The standard code (ISIN) of a KRX share: ``KR7`` + code + ``00`` + check digit (Luhn
    over the digits, letters as two digits each) — ``005930`` → ``KR7005930003``."""
    body = f"KR7{code.upper()}00"
    digits = "".join(str(int(c, 36)) for c in body)
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return f"{body}{(10 - total % 10) % 10}"


def _value(enc: str, name: str, ctx: _Ctx, h: int, row: int) -> str:
    if enc == "price":
        return _price(ctx, h, row, name)
    if enc == "rate":
        v = (h % 2001) - 1000
        sign = "-" if v < 0 else ""
        return f"{sign}{abs(v) // 100}.{abs(v) % 100:02d}"
    if enc == "qty":
        return str(h % 100_000)
    if enc == "count":
        return str(h % 1_000)
    if enc == "amount":
        base = ctx.base // 10_000 if ctx.overseas else ctx.base
        return str(base * (h % 10_000))
    if enc == "number":
        return f"{h % 10_000}.{(h >> 20) % 100:02d}"
    if enc == "yyyymmdd":
        d = _back_business_days(ctx.today, row if row else (h % 3))
        return d.strftime("%Y%m%d")
    if enc == "hhmmss":
        secs = 9 * 3600 + (h % (6 * 3600 + 1800)) if not row else 15 * 3600 + 1800 - row * 60
        secs = max(secs, 9 * 3600)
        return f"{secs // 3600:02d}{secs // 60 % 60:02d}{secs % 60:02d}"
    if enc == "datetime":
        d = _back_business_days(ctx.today, row)
        return d.strftime("%Y%m%d") + "153000"
    if enc == "flag":
        return "Y" if h % 4 == 0 else "N"
    if enc == "code":
        return _code(ctx, h, name)
    # text
    if _is_instrument_name(name):
        return ctx.name
    return ""


_LAST_CONTEXT: list[tuple[Any, _Ctx] | None] = [None]
"""The last call's context (held, so its identity cannot be reused by another object)."""


def fill_fields(
    fields: Iterable[str],
    partial: Mapping[str, str],
    *,
    seed: int,
    row: int,
    ctx: Any,
) -> dict[str, str]:
    """``partial`` completed with a value for every field in ``fields`` (catalogue order)."""
    if isinstance(ctx, _Ctx):
        c = ctx
    else:
        last = _LAST_CONTEXT[0]
        if last is not None and last[0] is ctx:
            c = last[1]
        else:  # one per request: a page of rows shares its call's context
            c = _context(ctx)
            _LAST_CONTEXT[0] = (ctx, c)
    names = tuple(fields)
    if not partial:
        return dict(_generated(names, seed, row, c))
    # Only the fields the handler left out are generated (each field's filler depends on its
    # name alone, so the values are those of a full row): chart rows give nearly all of them.
    gen = _generated(tuple(f for f in names if f not in partial), seed, row, c)
    out = {f: partial[f] if f in partial else gen[f] for f in names}
    out.update(partial)  # known fields keep their catalogue position; others are appended
    return out


@functools.lru_cache(maxsize=2048)
def _generated(fields: tuple[str, ...], seed: int, row: int, c: _Ctx) -> dict[str, str]:
    """Generated values of one row (cached: the same request is answered from memory; callers
    copy the dict, so the cached one is never mutated)."""
    row_seed = _mix(seed ^ (row * 0x100000001B3))
    out: dict[str, str] = {}
    for name in fields:
        lname = name.lower()
        h = _mix(row_seed ^ _name_hash(lname))
        out[name] = _value(_enc_of(lname), lname, c, h, row)
    return out


# --------------------------------------------------------------------------- the responder


def respond(call: Call) -> Reply:
    """The generic answer for ``call``: every block, paged where the API pages."""
    seed = request_seed(call)
    ctx = _context(call)
    blocks = layout(call.api)
    body: dict[str, Any] = {}
    tr_cont = ""
    cursors: dict[str, str] = {}
    has_list = any(b.is_list for b in blocks)
    if call.api.paging is not None:
        tr_cont = "D"
    for b in blocks:
        if not b.is_list:
            body[b.name] = fill_fields(b.fields, {}, seed=seed, row=0, ctx=ctx)
            continue
        size = page_size_for(call)
        has_cursor = bool(call.api.paging and call.api.paging.response)
        total = size * 2 + max(size // 2, 1) if has_cursor else min(size, ROWS_UNPAGED)
        page = paginate(call, total, size)
        tr_cont, cursors = page.tr_cont, page.cursors
        body[b.name] = [
            fill_fields(b.fields, {}, seed=seed, row=i, ctx=ctx)
            for i in range(page.start, page.stop)
        ]
    if not has_list and call.api.paging is not None:
        tr_cont = "D"
    reply = ok(tr_cont=tr_cont, **body)
    if cursors:
        reply.body.update(cursors)
    return reply
