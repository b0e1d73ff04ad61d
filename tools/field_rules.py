"""How a KIS wire field name becomes a Python name and an encoding.

KIS names are Korean romanised abbreviations joined by underscores (``stck_prpr`` = 주식 현재가,
``ord_qty`` = 주문 수량, ``inqr_strt_dt`` = 조회 시작 일자). The *last* abbreviation says what
kind of value it is, so encodings are inferred from it; ``OVERRIDES`` fixes the names whose
suffix lies. The importer (``tools/import_catalog.py``) applies these rules once and writes the
result into the project's field table, so the runtime never guesses.

Encodings (see ``hantoo._core.encoding``): ``price``, ``amount``, ``rate``, ``number`` (all
``Decimal``), ``qty`` and ``count`` (``int``), ``yyyymmdd`` (``date``), ``hhmmss`` (``time``),
``datetime`` (KST ``datetime``), ``flag`` (``bool`` from Y/N), ``code`` and ``text`` (``str``).
"""

from __future__ import annotations

import keyword
import re

PRICE = {
    "prpr", "pric", "prc", "price", "unpr", "hgpr", "lwpr", "oprc", "clpr", "mxpr", "llam",
    "sdpr", "askp", "bidp", "cnpr", "nav", "vrss", "stpr", "bspr", "prc1", "pr", "last",
    "open", "high", "low", "clos", "base", "sbst", "exrt", "avrg", "uplm", "lslm", "xprc",
    "nmix", "idx", "acpr", "thpr", "prvs", "papr", "pask", "pbid", "xdif", "diff",
}
AMOUNT = {
    "amt", "pbmn", "chgs", "fee", "cash", "ttam", "tlex", "evlu", "pfls", "icdc", "amnt",
    "smtl", "sum", "dnca", "dpst", "prfi", "lblt", "cptl", "sale", "ebitda", "frcr", "krw",
    "tax", "cmsn", "mgna", "bal", "bln", "asst", "tota", "rmnd", "sbsa", "tamt", "avls",
    "expn", "surp", "cost", "cap",
}
RATE = {
    "rate", "rt", "ctrt", "ert", "inrt", "tnrt", "dprt", "dsrt", "rlim", "per", "pbr", "eps",
    "bps", "roe", "roa", "vltl", "prmm", "dlta", "gama", "vega", "theta", "rho", "tmvl",
    "cttr", "grrt", "pct", "ratio", "dfpa", "sprd", "pftrt", "chgrate", "gvrt", "xrat",
}
QTY = {
    "qty", "rsqn", "cnqn", "qntt", "vol", "stcn", "shar", "tvol", "evol", "ntby", "vask", "vbid",
    "volume", "remq",
}
COUNT = {"cnt", "csnu", "num", "dynu", "dcnt", "mcnt", "rcnt", "rank"}
NUMBER = {"val", "smtn", "basis", "delta", "gear", "prit", "cfp", "esdg", "valx"}
DATE = {"dt", "date", "ymd", "day", "kymd", "xymd"}
TIME = {"tmd", "hour", "time", "hms"}
DATETIME = {"dtime", "dttm", "dtmd"}
FLAG = {"yn"}
CODE = {
    "cd", "code", "dvsn", "sign", "iscd", "pdno", "odno", "no", "gb", "tp", "type", "seq",
    "orgno", "kind", "id", "key", "cls", "dv", "stfno", "isin", "symb", "excd", "zdiv",
}
TEXT = {"name", "nm", "isnm", "text", "msg", "desc", "abrv", "eng"}

# Names whose last token misleads the rules above.
OVERRIDES: dict[str, str] = {
    "rt_cd": "code",
    "msg_cd": "code",
    "msg1": "text",
    "tr_cont": "code",
    "ctx_area_fk100": "text",
    "ctx_area_nk100": "text",
    "ctx_area_fk200": "text",
    "ctx_area_nk200": "text",
    "ctx_area_fk": "text",
    "ctx_area_nk": "text",
    "ovrs_excg_cd": "code",
    "excg_id_dvsn_cd": "code",
    "prdy_vrss_sign": "code",
    "prdy_vol_vrss_acml_vol_rate": "rate",
    "acml_vol": "qty",
    "cntg_vol": "qty",
    "bsop_date": "yyyymmdd",
    "stck_bsop_date": "yyyymmdd",
    "access_token_token_expired": "text",
    "expires_in": "count",
    "tr_key": "code",
    "tr_id": "code",
    "hts_id": "code",
    "pdno": "code",
    "odno": "code",
    "orgn_odno": "code",
    "cntg_yn": "code",  # fill notices: "1" accepted, "2" filled — not Y/N
    # fill notices: "1" 주문접수, "2" 확인, "3" 취소(IOC/FOK) — a flag decoder would turn 2 and 3
    # into None and lose whether a modify/cancel was confirmed
    "acpt_yn": "code",
}

_DIGITS = re.compile(r"\d+$")


def python_name(wire: str) -> str:
    """The Python attribute/parameter name for a wire field: lower-case, a valid identifier."""
    name = re.sub(r"[^0-9a-zA-Z_]", "_", wire).lower().strip("_") or "field"
    if name[0].isdigit():
        name = "f_" + name
    if keyword.iskeyword(name) or name in {"raw", "extra", "rows"}:
        name += "_"
    return name


def _tokens(name: str) -> list[str]:
    parts = [p for p in name.split("_") if p]
    # "askp_rsqn10" -> token "rsqn"; "fid_input_date_1" -> "date"
    out = []
    for p in parts:
        stripped = _DIGITS.sub("", p)
        if stripped:
            out.append(stripped)
    return out


def infer_encoding(wire: str) -> str:
    """Encoding of a wire field, by override or by its last meaningful abbreviation."""
    name = wire.lower()
    if name in OVERRIDES:
        return OVERRIDES[name]
    tokens = _tokens(name)
    if not tokens:
        return "text"
    last = tokens[-1]
    if last in FLAG:
        return "flag"
    if last in DATETIME:
        return "datetime"
    if last in DATE:
        return "yyyymmdd"
    if last in TIME:
        return "hhmmss"
    if last in CODE:
        return "code"
    if last in TEXT:
        return "text"
    if last in QTY:
        return "qty"
    if last in COUNT:
        return "count"
    if last in RATE:
        return "rate"
    if last in AMOUNT:
        return "amount"
    if last in NUMBER:
        return "number"
    if last in PRICE:
        # "acml_vol_vrss"-style names compare volumes, not prices.
        if "vol" in tokens[:-1] and last == "vrss":
            return "qty"
        return "price"
    return "text"
