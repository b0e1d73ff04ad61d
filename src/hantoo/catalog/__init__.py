"""hantoo's catalogue of the KIS Open API: every API as data.

The SDK's generated layer, the protocol core, the simulator and the CLI all read the same
catalogue, so a fact (a path, a TR ID, a field's encoding) lives in exactly one place.

Files (written by ``tools/import_catalog.py``; do not edit by hand):

* ``apis.json`` — one entry per API (336: 276 REST, 60 WebSocket)::

      key         "<category>/<name>", unique           e.g. "domestic_stock/order_cash"
      category    auth | domestic_stock | domestic_bond | domestic_futureoption | elw | etfetn
                  | overseas_stock | overseas_futureoption
      name        Python method name within the category
      title_ko    Korean title;  group_ko: Korean subcategory;  api_code: portal code
      kind        query | account | order | auth | stream
      method      GET | POST (null for streams);  path: URL path
      tr_real     TR ID for the real server (null when a selector picks it, or for auth)
      tr_paper    TR ID for paper trading (null: paper does not offer it)
      paper       whether paper trading supports the API
      variants    [{when: {selector: [values]}, real, paper}] when a selector picks the TR ID
      selectors   [{name, wire, choices, doc}] — ``wire`` is set when the selector is also sent
      params      [{wire, name, in: query|body, required, enc, doc, cursor?, omit_empty?,
                    fixed?, account?, credential?, basis?}] — ``account`` params default to the
                  client's account; ``credential`` params (auth APIs) are filled from settings
      response    {blocks: {block: [wire fields] | null}, fields?: [wire fields]} — a null
                  block means the block's fields are not known; ``fields`` then lists every
                  field the API may return, in any block
      paging      {tr_cont, request: [keys], response: [keys], page_size} for paginated APIs
      stream      {tr_id, tr_paper, key_kind: symbol|hts_id, columns, encrypted} for streams

* ``fields.json`` — the field table: wire name (lower-case) → ``py`` name, ``enc`` encoding,
  ``ko`` Korean label.
* ``errors.json`` — message codes → exception class name and retryability (hand-kept facts).
* ``block_shapes.json`` — whether each REST response block is a list or one object (hand-kept
  facts): API key → block → ``{shape: list|object, source}`` where a public sample or client
  decides it, ``{shape, unverified}`` (the reason) where nothing public does. KIS's documents do
  not say it and the reference catalogue cannot tell, yet clients index into these blocks, so
  the shape is recorded once here and the simulator and SDK read it from here.

Loading is lazy and cached: importing this module does no I/O.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any, Literal

import msgspec

__all__ = [
    "Api",
    "BlockShape",
    "Catalog",
    "ErrorCode",
    "Field",
    "Paging",
    "Param",
    "Response",
    "Selector",
    "Stream",
    "Variant",
    "block_shapes",
    "catalog",
    "error_codes",
    "field_table",
]

Kind = Literal["query", "account", "order", "auth", "stream"]


class Param(msgspec.Struct, frozen=True, kw_only=True):
    wire: str
    name: str
    in_: str = msgspec.field(name="in")
    required: bool
    enc: str
    doc: str = ""
    cursor: bool = False
    omit_empty: bool = False
    fixed: str | None = None
    account: bool = False
    credential: str | None = None
    basis: str = ""
    """Order APIs: why ``required`` — ``doc`` ([필수] in KIS's documents), ``raises`` (KIS's
    sample refuses it empty) or ``signature`` (only a positional argument of the sample)."""


class Variant(msgspec.Struct, frozen=True, kw_only=True):
    when: dict[str, list[str]]
    real: str | None
    paper: str | None


class Selector(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    wire: str | None
    choices: list[str]
    doc: str = ""


class Response(msgspec.Struct, frozen=True, kw_only=True):
    blocks: dict[str, list[str] | None]
    fields: list[str] | None = None

    @property
    def blocks_known(self) -> bool:
        return all(v is not None for v in self.blocks.values())

    def all_fields(self) -> list[str]:
        """Every wire field the API may return, in any block, first-seen order."""
        seen: dict[str, None] = {}
        for fields in self.blocks.values():
            for f in fields or []:
                seen.setdefault(f, None)
        for f in self.fields or []:
            seen.setdefault(f, None)
        return list(seen)


class Paging(msgspec.Struct, frozen=True, kw_only=True):
    tr_cont: bool
    request: list[str]
    response: list[str]
    page_size: dict[str, int | None] | None = None


class Stream(msgspec.Struct, frozen=True, kw_only=True):
    tr_id: str
    tr_paper: str | None
    key_kind: str
    key_examples: list[str]
    columns: list[str]
    encrypted: bool


class Api(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    category: str
    name: str
    title_ko: str
    group_ko: str
    api_code: str | None
    kind: Kind
    method: str | None
    path: str
    tr_real: str | None
    tr_paper: str | None
    paper: bool
    variants: list[Variant]
    selectors: list[Selector]
    params: list[Param]
    response: Response
    paging: Paging | None = None
    stream: Stream | None = None

    @property
    def is_rest(self) -> bool:
        return self.stream is None

    def tr_ids(self, environment: str) -> list[str]:
        """Every TR ID this API can send in an environment ('real' or 'paper')."""
        paper = environment == "paper"
        out: list[str] = []
        base = self.tr_paper if paper else self.tr_real
        if base:
            out.append(base)
        for v in self.variants:
            tr = v.paper if paper else v.real
            if tr and tr not in out:
                out.append(tr)
        return out


class Field(msgspec.Struct, frozen=True):
    py: str
    enc: str
    ko: str = ""


class ErrorCode(msgspec.Struct, frozen=True, kw_only=True):
    class_: str = msgspec.field(name="class")
    retry: bool
    ko: str = ""
    unknown: bool = False
    alias: bool = False
    basis: str = ""


class BlockShape(msgspec.Struct, frozen=True, kw_only=True):
    """Whether one response block is a list of rows or one object, and why we believe it."""

    shape: Literal["list", "object"]
    source: str = ""
    """The public sample or client that decides the shape (paths in the file's ``repo``)."""
    unverified: str = ""
    """Why nothing public decides it (the shape is then the catalogue-based guess)."""

    @property
    def is_list(self) -> bool:
        return self.shape == "list"

    @property
    def verified(self) -> bool:
        return bool(self.source) and not self.unverified


class Catalog:
    """All APIs, indexed by key, by (method, path) and by TR ID."""

    def __init__(self, apis: list[Api]) -> None:
        self.apis: tuple[Api, ...] = tuple(apis)
        self.by_key: dict[str, Api] = {a.key: a for a in apis}
        self.by_path: dict[tuple[str, str], Api] = {
            (a.method, a.path): a for a in apis if a.method is not None
        }
        self.by_tr_id: dict[str, list[Api]] = {}
        for a in apis:
            ids = a.tr_ids("real") + a.tr_ids("paper")
            if a.stream is not None:
                ids += [a.stream.tr_id] + ([a.stream.tr_paper] if a.stream.tr_paper else [])
            for tr in dict.fromkeys(ids):
                self.by_tr_id.setdefault(tr, []).append(a)

    def __len__(self) -> int:
        return len(self.apis)

    def __iter__(self) -> Any:
        return iter(self.apis)

    def get(self, key: str) -> Api:
        try:
            return self.by_key[key]
        except KeyError:
            close = [k for k in self.by_key if key.split("/")[-1] in k][:5]
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"no API with key {key!r}{hint} (see `hantoo api list`)") from None

    def categories(self) -> list[str]:
        return list(dict.fromkeys(a.category for a in self.apis))


def _read(name: str) -> bytes:
    return resources.files(__package__).joinpath(name).read_bytes()


class _ApisFile(msgspec.Struct):
    meta: dict[str, str]
    apis: list[Api]


@functools.cache
def catalog() -> Catalog:
    """The catalogue, loaded on first use."""
    return Catalog(msgspec.json.decode(_read("apis.json"), type=_ApisFile).apis)


@functools.cache
def field_table() -> dict[str, Field]:
    """Wire field name (lower-case) → Python name and encoding."""
    return msgspec.json.decode(_read("fields.json"), type=dict[str, Field])


class _ShapesFile(msgspec.Struct):
    meta: dict[str, str]
    apis: dict[str, dict[str, BlockShape]]


@functools.cache
def block_shapes() -> dict[str, dict[str, BlockShape]]:
    """API key → response block → recorded shape (REST APIs only)."""
    return msgspec.json.decode(_read("block_shapes.json"), type=_ShapesFile).apis


@functools.cache
def error_codes() -> dict[str, ErrorCode]:
    """Message code → exception class name and retryability."""
    raw = json.loads(_read("errors.json"))
    return msgspec.convert(raw["codes"], dict[str, ErrorCode])
