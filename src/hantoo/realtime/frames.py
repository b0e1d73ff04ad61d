"""The KIS realtime wire format, both directions, without I/O.

What travels on the socket:

* **Data frames** are text, not JSON: ``<flag>|<TR_ID>|<NNN>|v1^v2^...`` — flag ``0`` clear,
  ``1`` encrypted (see :mod:`hantoo.realtime.crypto`); ``NNN`` records (zero-padded to three
  digits) back to back, each positional in the TR's column list. KIS adds columns over time,
  so a record may be wider than the catalogue says: the width is ``fields / NNN`` and the
  trailing extras stay on the record (``record.extra``).
* **Control messages** are JSON: subscription acks (``header.tr_id``/``tr_key``/``encrypt``,
  ``body.rt_cd``/``msg_cd``/``msg1``, ``body.output.iv``/``key``) and the keepalive
  ``{"header": {"tr_id": "PINGPONG", ...}}``.
* The original design document described data as JSON (``{"header": {"tr_id"},
  "body": {"rt_cd": "0", ..., "output": {...}}}``); that shape is accepted too and mapped onto
  the columns. It is told from an ack by ``output``: an ack's holds only ``iv``/``key``.

Decoding is by table: ``RECORDS[tr_id]`` gives the generated record class, which decodes a
field only when it is read. Anything malformed raises :class:`FrameError`; the stream turns
that into an error event and carries on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .._core.wire import StreamRecord
from .._generated.streams import RECORDS
from .crypto import CipherError, decrypt, encrypt

__all__ = [
    "PINGPONG",
    "Ack",
    "FrameError",
    "PingPong",
    "ack_message",
    "decode_data",
    "encode_frame",
    "parse_message",
    "pingpong_message",
    "records_from_json",
    "subscribe_message",
]

PINGPONG: Final = "PINGPONG"
_EXCERPT: Final = 120


class FrameError(ValueError):
    """A message that cannot be read. ``excerpt`` is a short prefix for diagnosis."""

    def __init__(self, reason: str, text: str | bytes = "", tr_id: str = "") -> None:
        self.reason = reason
        self.tr_id = tr_id
        shown = text[:_EXCERPT]
        self.excerpt = shown if isinstance(shown, str) else shown.decode("utf-8", "replace")
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class Ack:
    """A control answer to a (un)subscribe request, or an error the server volunteers."""

    tr_id: str
    tr_key: str
    encrypted: bool
    rt_cd: str
    msg_cd: str
    msg1: str
    key: str | None = None
    iv: str | None = None

    @property
    def ok(self) -> bool:
        return self.rt_cd == "0"

    @property
    def unsubscribe(self) -> bool:
        """KIS starts every unsubscribe ack with ``UNSUB``."""
        return self.msg1.upper().startswith("UNSUB")

    def __repr__(self) -> str:  # key/iv are per-TR secrets: never shown
        return (
            f"Ack(tr_id={self.tr_id!r}, tr_key={self.tr_key!r}, rt_cd={self.rt_cd!r}, "
            f"msg_cd={self.msg_cd!r}, msg1={self.msg1!r}, encrypted={self.encrypted})"
        )


@dataclass(frozen=True, slots=True)
class PingPong:
    """The server's keepalive; the client answers by sending ``text`` back."""

    text: str


# --------------------------------------------------------------------------- decoding


def decode_data(
    text: str, ciphers: Mapping[str, tuple[str, str]] | None = None
) -> list[StreamRecord]:
    """One ``flag|TR_ID|NNN|payload`` frame → typed records (``ciphers``: tr_id → key, iv)."""
    parts = text.split("|", 3)
    if len(parts) != 4:
        raise FrameError("data frame without four '|'-separated parts", text)
    flag, tr_id, cnt, payload = parts
    cls = RECORDS.get(tr_id)
    if cls is None:
        raise FrameError(f"unknown TR {tr_id!r}", text, tr_id)
    try:
        count = int(cnt)
    except ValueError:
        raise FrameError(f"record count {cnt[:8]!r} is not a number", text, tr_id) from None
    if count < 1:
        raise FrameError("record count below 1", text, tr_id)
    if flag == "1":
        kv = ciphers.get(tr_id) if ciphers else None
        if kv is None:
            raise FrameError("encrypted frame before its subscription ack (no key/iv)", "", tr_id)
        try:
            payload = decrypt(payload, kv[0], kv[1])
        except CipherError as exc:
            raise FrameError(str(exc), "", tr_id) from None
    elif flag != "0":
        raise FrameError(f"unknown encryption flag {flag[:4]!r}", text, tr_id)
    fields = payload.split("^")
    ncols = len(cls.COLUMNS)
    if count == 1:
        if len(fields) < ncols:
            raise FrameError(
                f"short {tr_id} record: {len(fields)} of {ncols} fields", payload, tr_id
            )
        return [cls(fields)]
    total = len(fields)
    width, rest = divmod(total, count)
    if rest:
        raise FrameError(
            f"{total} fields do not split into {count} {tr_id} records", payload, tr_id
        )
    if width < ncols:
        raise FrameError(f"short {tr_id} records: {width} of {ncols} fields", payload, tr_id)
    return [cls(fields[i : i + width]) for i in range(0, total, width)]


def records_from_json(tr_id: str, output: Any) -> list[StreamRecord]:
    """The design document's JSON data shape: ``output`` is one object or a list of them."""
    cls = RECORDS.get(tr_id)
    if cls is None:
        raise FrameError(f"unknown TR {tr_id!r}", "", tr_id)
    items = output if isinstance(output, list) else [output]
    out: list[StreamRecord] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise FrameError("JSON data 'output' is not an object", "", tr_id)
        lowered = {str(k).lower(): v for k, v in item.items()}
        known = {c.lower() for c in cls.COLUMNS}
        if not known.intersection(lowered):
            raise FrameError(f"JSON data has none of {tr_id}'s columns", "", tr_id)
        values = ["" if (v := lowered.get(c.lower())) is None else str(v) for c in cls.COLUMNS]
        values += [str(v) for k, v in lowered.items() if k not in known]
        out.append(cls(values))
    return out


#: What a subscription acknowledgement's ``output`` holds (the TR's AES key and IV), and nothing
#: else: an ``output`` with any other field is data.
_ACK_OUTPUT_FIELDS: Final = frozenset({"iv", "key"})


def _is_json_data(body: Mapping[str, Any]) -> bool:
    """Whether a JSON body is data in the design document's shape rather than an ack.

    The document's example carries ``rt_cd``/``msg_cd``/``msg1`` *and* the prices in
    ``output`` (``{"rt_cd": "0", ..., "output": {"stck_prpr": "71000", ...}}``), so ``rt_cd``
    alone cannot tell the two apart; the content of ``output`` does. A failed ``rt_cd`` stays an
    ack, whose error the stream reports.
    """
    output = body.get("output")
    if str(body.get("rt_cd", "0")) != "0":
        return False
    if isinstance(output, list):
        return True
    if isinstance(output, Mapping):
        return bool({str(k).lower() for k in output} - _ACK_OUTPUT_FIELDS)
    return False


def parse_message(
    text: str | bytes, ciphers: Mapping[str, tuple[str, str]] | None = None
) -> list[StreamRecord] | Ack | PingPong:
    """Any message from the server → records, an :class:`Ack` or a :class:`PingPong`."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise FrameError("binary message is not UTF-8", text) from None
    if not text:
        raise FrameError("empty message")
    first = text[0]
    if first in "01":
        return decode_data(text, ciphers)
    if first != "{":
        raise FrameError("neither a data frame nor JSON", text)
    try:
        msg = json.loads(text)
    except ValueError:
        raise FrameError("malformed JSON", text) from None
    if not isinstance(msg, dict):
        raise FrameError("JSON message is not an object", text)
    header = msg.get("header")
    body = msg.get("body")
    if not isinstance(header, dict):
        raise FrameError("JSON message without a header object", text)
    tr_id = str(header.get("tr_id", ""))
    if tr_id == PINGPONG:
        return PingPong(text)
    if isinstance(body, dict) and _is_json_data(body):
        return records_from_json(tr_id, body["output"])
    if not isinstance(body, dict):
        raise FrameError("JSON control message without a body", text, tr_id)
    output = body.get("output")
    key = iv = None
    if isinstance(output, dict):
        key = output.get("key") or None
        iv = output.get("iv") or None
    return Ack(
        tr_id=tr_id,
        tr_key=str(header.get("tr_key", "")),
        encrypted=str(header.get("encrypt", "N")).upper() == "Y",
        rt_cd=str(body.get("rt_cd", "")),
        msg_cd=str(body.get("msg_cd", "")),
        msg1=str(body.get("msg1", "")),
        key=str(key) if key is not None else None,
        iv=str(iv) if iv is not None else None,
    )


# --------------------------------------------------------------------------- encoding


def encode_frame(
    tr_id: str, rows: Sequence[Sequence[str]], *, cipher: tuple[str, str] | None = None
) -> str:
    """Records → one data frame (several records back to back); encrypted when ``cipher``."""
    if not 1 <= len(rows) <= 999:
        raise ValueError("a frame carries 1 to 999 records")
    payload = "^".join("^".join(r) for r in rows)
    if cipher is not None:
        return f"1|{tr_id}|{len(rows):03d}|{encrypt(payload, cipher[0], cipher[1])}"
    return f"0|{tr_id}|{len(rows):03d}|{payload}"


def subscribe_message(
    approval_key: str, tr_id: str, tr_key: str, *, subscribe: bool = True, custtype: str = "P"
) -> str:
    """The (un)subscribe request exactly as KIS expects it."""
    return json.dumps(
        {
            "header": {
                "approval_key": approval_key,
                "custtype": custtype,
                "tr_type": "1" if subscribe else "2",
                "content-type": "utf-8",
            },
            "body": {"input": {"tr_id": tr_id, "tr_key": tr_key}},
        }
    )


def ack_message(
    tr_id: str,
    tr_key: str,
    *,
    rt_cd: str,
    msg_cd: str,
    msg1: str,
    encrypted: bool = False,
    cipher: tuple[str, str] | None = None,
) -> str:
    """A control answer in the real shape (``output`` carries iv/key for encrypted TRs)."""
    body: dict[str, Any] = {"rt_cd": rt_cd, "msg_cd": msg_cd, "msg1": msg1}
    if cipher is not None:
        body["output"] = {"iv": cipher[1], "key": cipher[0]}
    return json.dumps(
        {
            "header": {"tr_id": tr_id, "tr_key": tr_key, "encrypt": "Y" if encrypted else "N"},
            "body": body,
        },
        ensure_ascii=False,
    )


def pingpong_message(stamp: str) -> str:
    """The server's keepalive (``stamp`` = ``YYYYMMDDHHMMSS``)."""
    return json.dumps({"header": {"tr_id": PINGPONG, "datetime": stamp}})
