"""The frame codec: decoding by table, tolerance, and the wire builders."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hantoo._generated.streams import RECORDS
from hantoo.realtime.crypto import CipherError, decrypt, encrypt, new_key_iv
from hantoo.realtime.frames import (
    Ack,
    FrameError,
    PingPong,
    ack_message,
    encode_frame,
    parse_message,
    pingpong_message,
    subscribe_message,
)
from hantoo.sim.feed import FillNotice, SyntheticFeed

CNT = RECORDS["H0STCNT0"]


def rows(tr: str, n: int) -> list[list[str]]:
    return SyntheticFeed(3).rows(tr, "005930", n)


def test_single_record_typed_and_lazy() -> None:
    r = rows("H0STCNT0", 1)
    out = parse_message(encode_frame("H0STCNT0", r))
    assert isinstance(out, list) and len(out) == 1
    rec = out[0]
    assert isinstance(rec, CNT)
    assert rec.values == r[0]
    assert rec.to_dict()["mksc_shrn_iscd"] == "005930"
    assert isinstance(rec.to_dict()["stck_prpr"], Decimal)
    assert isinstance(rec.to_dict()["cntg_vol"], int)


def test_multi_record_frame_and_zero_padded_count() -> None:
    r = rows("H0STCNT0", 5)
    frame = encode_frame("H0STCNT0", r)
    assert frame.startswith("0|H0STCNT0|005|")
    out = parse_message(frame)
    assert isinstance(out, list)
    assert [list(x.values) for x in out] == r


def test_extra_trailing_fields_are_kept() -> None:
    r = [[*row, "X1", "X2"] for row in rows("H0STCNT0", 3)]
    out = parse_message(encode_frame("H0STCNT0", r))
    assert isinstance(out, list)
    assert all(rec.extra == ("X1", "X2") for rec in out)


@pytest.mark.parametrize(
    "frame, reason",
    [
        ("0|H0STCNT0|001|a^b^c", "short"),
        ("0|H0STCNT0|002|" + "^".join(["1"] * 93), "do not split"),
        ("0|NOPE0000|001|a", "unknown TR"),
        ("0|H0STCNT0|x1|a", "not a number"),
        ("0|H0STCNT0", "four"),
        ("7|H0STCNT0|001|" + "^".join(["1"] * 46), "neither"),
        ("1|H0STCNI0|001|abcd", "before its subscription ack"),
        ("hello", "neither"),
        ("{not json", "malformed JSON"),
        ("[1, 2]", "neither"),
        ('{"header": 1}', "header"),
    ],
)
def test_malformed_frames_raise_frame_error(frame: str, reason: str) -> None:
    with pytest.raises(FrameError, match=reason):
        parse_message(frame)


def test_encrypted_notice_round_trip() -> None:
    key, iv = new_key_iv()
    assert len(key) == 32 and len(iv) == 16
    notice = FillNotice(
        hts_id="hantoo",
        account="5000000001",
        order_no="0000012345",
        symbol="005930",
        side="02",
        qty=10,
        price=71000,
        time="093015",
        order_qty=10,
        order_price=71000,
    )
    frame = encode_frame("H0STCNI0", [notice.row()], cipher=(key, iv))
    assert frame.startswith("1|H0STCNI0|001|")
    assert "005930" not in frame
    out = parse_message(frame, {"H0STCNI0": (key, iv)})
    assert isinstance(out, list)
    rec = out[0].to_dict()
    assert rec["oder_no"] == "0000012345"
    assert rec["stck_shrn_iscd"] == "005930"
    assert rec["cntg_qty"] == 10 and rec["cntg_unpr"] == Decimal("71000")
    with pytest.raises(FrameError):
        parse_message(frame, {"H0STCNI0": new_key_iv()})


def test_crypto_rejects_garbage() -> None:
    key, iv = new_key_iv()
    assert decrypt(encrypt("a^b", key, iv), key, iv) == "a^b"
    for bad in ("!!!", "YWJj", ""):
        with pytest.raises(CipherError):
            decrypt(bad, key, iv)


def test_ack_and_pingpong_parse() -> None:
    ack = parse_message(
        ack_message(
            "H0STCNI0",
            "hantoo",
            rt_cd="0",
            msg_cd="OPSP0000",
            msg1="SUBSCRIBE SUCCESS",
            encrypted=True,
            cipher=("k" * 32, "i" * 16),
        )
    )
    assert isinstance(ack, Ack) and ack.ok and ack.encrypted
    assert (ack.key, ack.iv) == ("k" * 32, "i" * 16)
    assert "k" * 32 not in repr(ack)
    unsub = parse_message(
        ack_message("H0STCNT0", "005930", rt_cd="0", msg_cd="OPSP0001", msg1="UNSUBSCRIBE SUCCESS")
    )
    assert isinstance(unsub, Ack) and unsub.unsubscribe
    ping = pingpong_message("20240105093015")
    got = parse_message(ping.encode())
    assert isinstance(got, PingPong) and got.text == ping


def test_subscribe_message_shape() -> None:
    msg = json.loads(subscribe_message("AK", "H0STCNT0", "005930", subscribe=False))
    assert msg == {
        "header": {"approval_key": "AK", "custtype": "P", "tr_type": "2", "content-type": "utf-8"},
        "body": {"input": {"tr_id": "H0STCNT0", "tr_key": "005930"}},
    }


def test_json_data_shape_from_the_design_document() -> None:
    values = dict(zip([c.lower() for c in CNT.COLUMNS], rows("H0STCNT0", 1)[0], strict=True))
    values["new_field"] = "9"
    msg = json.dumps({"header": {"tr_id": "H0STCNT0"}, "body": {"output": values}})
    out = parse_message(msg)
    assert isinstance(out, list) and out[0].to_dict()["mksc_shrn_iscd"] == "005930"
    assert out[0].extra == ("9",)
    with pytest.raises(FrameError):
        parse_message(json.dumps({"header": {"tr_id": "H0STCNT0"}, "body": {"output": {"x": 1}}}))


#: The design document's "Real-time Price Response", verbatim: rt_cd/msg_cd/msg1 *and* data.
DESIGN_DOC_PRICE = """{
  "header": {
    "tr_id": "H0STCNT0",
    "datetime": "20240101120000"
  },
  "body": {
    "rt_cd": "0",
    "msg_cd": "OPSP0000",
    "msg1": "정상처리",
    "output": {
      "stck_cntg_hour": "120000",
      "stck_prpr": "71000",
      "prdy_vrss": "-500",
      "prdy_ctrt": "-0.70",
      "acml_vol": "10234567"
    }
  }
}"""


def test_design_document_json_price_is_data_not_an_ack() -> None:
    out = parse_message(DESIGN_DOC_PRICE)
    assert isinstance(out, list) and len(out) == 1, out
    rec = out[0].to_dict()
    assert rec["stck_prpr"] == Decimal("71000") and rec["prdy_vrss"] == Decimal("-500")
    assert rec["prdy_ctrt"] == Decimal("-0.70") and rec["acml_vol"] == 10234567
    assert rec["stck_cntg_hour"] is not None


def test_real_acks_stay_acks_next_to_json_data() -> None:
    ack = json.dumps({"header": {"tr_id": "H0STCNI0", "tr_key": "hts", "encrypt": "Y"},
                      "body": {"rt_cd": "0", "msg_cd": "OPSP0000", "msg1": "SUBSCRIBE SUCCESS",
                               "output": {"iv": "0123456789abcdef", "key": "k" * 32}}})
    parsed = parse_message(ack)
    assert isinstance(parsed, Ack) and parsed.ok and parsed.iv == "0123456789abcdef"
    refused = json.loads(DESIGN_DOC_PRICE)
    refused["body"].update(rt_cd="1", msg_cd="OPSP8996", msg1="ALREADY IN USE")
    bad = parse_message(json.dumps(refused))
    assert isinstance(bad, Ack) and not bad.ok and bad.msg_cd == "OPSP8996"
    bare = parse_message(json.dumps({"header": {"tr_id": "H0STCNT0", "tr_key": "005930"},
                                     "body": {"rt_cd": "0", "msg_cd": "OPSP0002",
                                              "msg1": "UNSUBSCRIBE SUCCESS"}}))
    assert isinstance(bare, Ack)


def test_every_tr_decodes_synthetic_records() -> None:
    feed = SyntheticFeed(1)
    for tr in RECORDS:
        r = feed.rows(tr, "KEY01", 2)
        out = parse_message(encode_frame(tr, r))
        assert isinstance(out, list) and len(out) == 2
        assert len(out[0].to_dict()) == len(RECORDS[tr].COLUMNS)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.binary()))
def test_arbitrary_input_only_ever_raises_frame_error(data: str | bytes) -> None:
    with contextlib.suppress(FrameError):
        parse_message(data, {"H0STCNI0": new_key_iv()})


_parts = st.sampled_from(["0", "1", "2", ""]) | st.text(max_size=3)
_trs = st.sampled_from([*list(RECORDS)[:5], "H0STCNT0", "H0STCNI0", "X"]) | st.text(max_size=9)


@settings(max_examples=400, deadline=None)
@given(_parts, _trs, st.text(max_size=4), st.lists(st.text(max_size=6), max_size=120))
def test_structured_fuzz_of_data_frames(flag: str, tr: str, cnt: str, vals: list[str]) -> None:
    frame = f"{flag}|{tr}|{cnt}|" + "^".join(vals)
    try:
        out = parse_message(frame, {"H0STCNI0": new_key_iv()})
    except FrameError:
        return
    assert isinstance(out, list | Ack | PingPong)
