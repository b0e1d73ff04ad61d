"""Import the KIS reference catalogue into hantoo's own catalogue format.

Usage::

    python tools/import_catalog.py [--source ../shared/kis-api/catalogue.json] [--check]

Reads the reference data (facts extracted from the broker's public samples; never committed
here) and writes, under ``src/hantoo/catalog/``:

* ``apis.json``   — one entry per API (336), in hantoo's format (documented in
  ``hantoo/catalog/__init__.py``), facts only;
* ``fields.json`` — the field table: every wire field name → Python name, encoding, Korean label.

``--check`` writes nothing and exits 1 if the files on disk differ from what would be written
(CI uses it when the reference file is present).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from field_rules import infer_encoding, python_name

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "src" / "hantoo" / "catalog"
DEFAULT_SOURCE = ROOT.parent / "shared" / "kis-api" / "catalogue.json"

# Friendlier method names where the sample's function name is not snake_case or says little.
METHOD_NAMES = {
    "auth/revokeP": "revoke_token",
    "auth/auth_token": "issue_token",
    "auth/auth_ws_token": "issue_approval_key",
}
ACCOUNT_PARAMS = {"CANO", "ACNT_PRDT_CD"}
# Why a required parameter is marked required in the samples (kept for order APIs only, where
# the simulator refuses only what KIS refuses): a documented [필수] mark, a sample function
# that raises when it is empty, or merely a positional argument of the sample's signature.
REQUIRED_BASIS = {
    "docstring [필수] mark": "doc",
    "function raises when empty": "raises",
    "signature default value": "signature",
}
CREDENTIAL_PARAMS = {"appkey": "app_key", "appsecret": "app_secret", "secretkey": "app_secret"}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _kind(entry: dict[str, Any]) -> str:
    if entry["category"] == "auth":
        return "auth"
    if entry["kind"] == "websocket":
        return "stream"
    if entry["method"] == "POST":
        return "order"
    names = {p["name"] for p in entry["params"]}
    if "CANO" in names:
        return "account"
    return "query"


def _first_tr(value: Any) -> str | None:
    items = _as_list(value)
    return items[0] if len(items) == 1 else None


def _selectors(entry: dict[str, Any]) -> list[dict[str, Any]]:
    sels = entry.get("tr_id_selectors") or {}
    out = []
    for name, info in sels.items():
        choices: list[str] = []
        for variant in entry.get("tr_id_variants") or []:
            for value in _as_list(variant["when"].get(name)):
                if value not in choices:
                    choices.append(value)
        wire = info.get("wire_param")
        out.append(
            {
                "name": python_name(wire) if wire else name,
                "wire": wire,
                "choices": choices,
                "doc": info.get("description_ko", ""),
            }
        )
    return out


def _variants(entry: dict[str, Any]) -> list[dict[str, Any]]:
    sels = entry.get("tr_id_selectors") or {}
    rename = {
        name: (python_name(info["wire_param"]) if info.get("wire_param") else name)
        for name, info in sels.items()
    }
    out = []
    for variant in entry.get("tr_id_variants") or []:
        out.append(
            {
                "when": {rename.get(k, k): _as_list(v) for k, v in variant["when"].items()},
                "real": variant.get("real"),
                "paper": variant.get("paper"),
            }
        )
    return out


def _params(entry: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for p in entry["params"]:
        wire = p["name"]
        if wire.startswith("("):  # hashkey: the body is any order JSON
            out.append(
                {
                    "wire": "*",
                    "name": "body",
                    "in": "body",
                    "required": True,
                    "enc": "json",
                    "doc": "주문 본문 (any order body JSON)",
                }
            )
            continue
        if entry["category"] != "auth":
            # KIS documents UPPERCASE parameter names; a few samples send lower-case ones.
            wire = wire.upper()
        item: dict[str, Any] = {
            "wire": wire,
            "name": python_name(wire),
            "in": "body" if p["in"].startswith("body") else "query",
            "required": bool(p.get("required")),
            "enc": infer_encoding(wire),
            "doc": p.get("description_ko", ""),
        }
        basis = REQUIRED_BASIS.get(p.get("required_basis") or "")
        if item["required"] and basis and entry["method"] == "POST" and entry["category"] != "auth":
            item["basis"] = basis
        if p.get("pagination_key"):
            item["cursor"] = True
            item["required"] = False
        if p.get("sent_only_when_non_empty"):
            item["omit_empty"] = True
        if "fixed_value" in p:
            item["fixed"] = p["fixed_value"]
        if wire in ACCOUNT_PARAMS and entry["category"] != "auth":
            item["account"] = True
        if entry["category"] == "auth" and wire in CREDENTIAL_PARAMS:
            # Filled by the client from its settings: secrets never pass through user code.
            item["credential"] = CREDENTIAL_PARAMS[wire]
            item["required"] = False
        if entry["category"] == "auth" and wire == "grant_type":
            item["fixed"] = "client_credentials"
        out.append(item)
    return out


def _response(entry: dict[str, Any]) -> dict[str, Any]:
    resp = entry.get("response") or {}
    blocks: dict[str, list[str] | None] = {}
    for block, fields in resp.items():
        blocks[block] = None if fields is None else [f["field"] for f in fields]
    result: dict[str, Any] = {"blocks": blocks}
    unassigned = entry.get("response_fields_unassigned")
    if unassigned:
        result["fields"] = [f["field"] for f in unassigned]
    return result


def convert(entry: dict[str, Any]) -> dict[str, Any]:
    """One reference entry → one hantoo catalogue entry."""
    key = entry["key"]
    out: dict[str, Any] = {
        "key": key,
        "category": entry["category"],
        "name": METHOD_NAMES.get(key, entry["id"]),
        "title_ko": entry["name_ko"],
        "group_ko": entry["subcategory"],
        "api_code": entry.get("api_code"),
        "kind": _kind(entry),
        "method": entry["method"],
        "path": entry["path"],
        "tr_real": _first_tr(entry.get("tr_id_real")),
        "tr_paper": _first_tr(entry.get("tr_id_paper")),
        "paper": bool(entry.get("paper_supported")),
        "variants": _variants(entry),
        "selectors": _selectors(entry),
        "params": _params(entry),
    }
    if entry["kind"] == "websocket":
        out["stream"] = {
            "tr_id": entry["tr_id"],
            "tr_paper": entry.get("tr_id_paper"),
            "key_kind": (entry.get("tr_key") or {}).get("kind", "symbol"),
            "key_examples": (entry.get("tr_key") or {}).get("examples", []),
            "columns": entry.get("columns") or [],
            "encrypted": bool(entry.get("encrypted")),
        }
        out["response"] = {"blocks": {}}
    else:
        out["response"] = _response(entry)
    if entry.get("paginated"):
        pag = entry.get("pagination") or {}
        out["paging"] = {
            "tr_cont": bool(pag.get("tr_cont_header")),
            "request": pag.get("request_keys") or [],
            "response": pag.get("response_keys") or [],
            "page_size": entry.get("page_size_per_docstring"),
        }
    return out


def field_table(apis: list[dict[str, Any]], source: list[dict[str, Any]]) -> dict[str, Any]:
    """Every wire field name (lower-case) → Python name, encoding, Korean label."""
    labels: dict[str, str] = {}
    for entry in source:
        for fields in (entry.get("response") or {}).values():
            for f in fields or []:
                labels.setdefault(f["field"].lower(), f.get("label_ko") or "")
        for f in entry.get("response_fields_unassigned") or []:
            labels.setdefault(f["field"].lower(), f.get("label_ko") or "")
        for p in entry["params"]:
            if not p["name"].startswith("("):
                labels.setdefault(p["name"].lower(), (p.get("description_ko") or "").split(" (")[0])
    for api in apis:
        for col in (api.get("stream") or {}).get("columns", []):
            labels.setdefault(col.lower(), "")
    table = {}
    for wire in sorted(labels):
        table[wire] = {"py": python_name(wire), "enc": infer_encoding(wire), "ko": labels[wire]}
    return table


def render(source_path: Path) -> dict[str, str]:
    source = json.loads(source_path.read_text(encoding="utf-8"))
    apis = [convert(e) for e in source]
    apis.sort(key=lambda a: a["key"])
    fields = field_table(apis, source)
    header = {
        "format": "hantoo-catalog/1",
        "note": "Generated by tools/import_catalog.py from the KIS reference catalogue. "
        "Do not edit.",
    }
    apis_text = (
        "{\n"
        + f' "meta": {json.dumps(header, ensure_ascii=False)},\n'
        + ' "apis": [\n'
        + ",\n".join("  " + json.dumps(a, ensure_ascii=False, sort_keys=True) for a in apis)
        + "\n ]\n}\n"
    )
    fields_text = (
        "{\n"
        + ",\n".join(
            f" {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
            for k, v in fields.items()
        )
        + "\n}\n"
    )
    return {"apis.json": apis_text, "fields.json": fields_text}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--check", action="store_true", help="exit 1 if the output would change")
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"reference catalogue not found: {args.source}", file=sys.stderr)
        return 2
    outputs = render(args.source)
    changed = [n for n, t in outputs.items() if not (OUT_DIR / n).exists()
               or (OUT_DIR / n).read_text(encoding="utf-8") != t]
    if args.check:
        for name in changed:
            print(f"out of date: src/hantoo/catalog/{name}", file=sys.stderr)
        return 1 if changed else 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in outputs.items():
        (OUT_DIR / name).write_text(text, encoding="utf-8")
    summary = ", ".join(changed) or "unchanged"
    print(f"wrote {len(outputs)} files to {OUT_DIR.relative_to(ROOT)} ({summary})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
