"""KIS-style response bodies and the errors that become them.

Every answer the simulator gives has one of two shapes, as the real server's:

* the API shape ``{"rt_cd", "msg_cd", "msg1", ...blocks}`` — success (``rt_cd`` ``"0"``) and every
  error of an API call, rate limits and token problems included;
* the token-endpoint shape ``{"error_code", "error_description"}`` — errors of ``/oauth2/*``.

Status codes (one rule, so clients need no table):

==========================================  =======  ============================================
what                                        status   body
==========================================  =======  ============================================
success                                     200      API shape, ``rt_cd`` ``"0"``
business / input / token / rate-limit error 500      API shape, ``rt_cd`` ``"1"`` (``"2"`` for input
                                                     validation, as the real ``OPSQ2001``)
``/oauth2/*`` error                         403      token shape (``EGW00133`` and friends)
wrong HTTP method                           405      API shape
unknown path                                404      API shape
==========================================  =======  ============================================

Message codes come from the real server where the reference material documents them
(``EGW*``, ``OPSQ200x``, ``MCA05918``, ``SYDB0050``). Conditions it does not document get the
simulator's own ``SIM*`` codes, so nobody mistakes them for real ones.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

__all__ = [
    "CONTENT_TYPE",
    "SUCCESS_MSG1",
    "SUCCESS_MSG_CD",
    "KisError",
    "api_error",
    "encode_body",
    "input_error",
    "ok_body",
    "token_error",
]

CONTENT_TYPE: Final = b"application/json; charset=UTF-8"
SUCCESS_MSG_CD: Final = "MCA00000"
SUCCESS_MSG1: Final = "정상처리 되었습니다."

# Real codes (see shared design kis-facts.md "Codes") and their texts.
APPKEY_INVALID: Final = ("EGW00103", "유효하지 않은 AppKey입니다.")
APPSECRET_INVALID: Final = ("EGW00105", "유효하지 않은 AppSecret입니다.")
TOKEN_INVALID: Final = ("EGW00121", "유효하지 않은 token 입니다.")
TOKEN_MISSING: Final = ("EGW00122", "token이 없습니다.")
TOKEN_EXPIRED: Final = ("EGW00123", "기간이 만료된 token 입니다.")
HASHKEY_INVALID: Final = ("EGW00131", "유효하지 않은 hashkey입니다.")
TOKEN_TOO_OFTEN: Final = ("EGW00133", "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)")
RATE_LIMITED: Final = ("EGW00201", "초당 거래건수를 초과하였습니다.")
NOT_PAPER_TR: Final = ("EGW00213", "모의투자 TR 이 아닙니다.")
NOT_REAL_TR: Final = ("EGW00213", "실전투자 TR 이 아닙니다.")
GATEWAY_TIMEOUT: Final = ("EGW00301", "연결시간이 초과되었습니다. 직전 거래를 반드시 확인하세요.")
BAD_SYMBOL: Final = ("MCA05918", "종목코드 오류입니다.")
# Input validation: the real gateway answers rt_cd "2", OPSQ2001 "ERROR : INPUT INVALID_CHECK_<F>".
INPUT_INVALID: Final = "OPSQ2001"
ACCOUNT_INVALID: Final = ("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
# The simulator's own codes (no documented real equivalent).
UNKNOWN_PATH: Final = "SIM00404"
BAD_METHOD: Final = "SIM00405"
BAD_TR_ID: Final = "SIM00410"
TOO_LARGE: Final = "SIM00413"
MAINTENANCE: Final = (
    "SIM00503", "시스템 점검 중입니다. 잠시 후 다시 시도하세요. (simulated maintenance)"
)
INTERNAL: Final = "SIM00500"

_encoder = msgspec.json.Encoder()


def encode_body(body: Any) -> bytes:
    """Compact UTF-8 JSON (Korean text unescaped, as KIS sends it)."""
    return _encoder.encode(body)


def ok_body(
    blocks: dict[str, Any] | None = None,
    *,
    msg_cd: str = SUCCESS_MSG_CD,
    msg1: str = SUCCESS_MSG1,
) -> dict[str, Any]:
    """A success body: ``rt_cd``/``msg_cd``/``msg1`` first, then the blocks."""
    body: dict[str, Any] = {"rt_cd": "0", "msg_cd": msg_cd, "msg1": msg1}
    if blocks:
        body.update(blocks)
    return body


class KisError(Exception):
    """An error answer: raised anywhere in the request path, turned into a response at the top.

    ``token_shape`` selects the ``error_code``/``error_description`` body of the token endpoints.
    """

    def __init__(
        self,
        msg_cd: str,
        msg1: str,
        *,
        status: int = 500,
        rt_cd: str = "1",
        token_shape: bool = False,
    ) -> None:
        super().__init__(f"{msg_cd}: {msg1}")
        self.msg_cd = msg_cd
        self.msg1 = msg1
        self.status = status
        self.rt_cd = rt_cd
        self.token_shape = token_shape

    def body(self) -> dict[str, str]:
        if self.token_shape:
            return {"error_description": self.msg1, "error_code": self.msg_cd}
        return {"rt_cd": self.rt_cd, "msg_cd": self.msg_cd, "msg1": self.msg1}


def api_error(code: tuple[str, str], *, status: int = 500, detail: str = "") -> KisError:
    """A :class:`KisError` in the API shape from one of the ``(msg_cd, msg1)`` constants."""
    msg1 = f"{code[1]} ({detail})" if detail else code[1]
    return KisError(code[0], msg1, status=status)


def token_error(code: tuple[str, str], *, status: int = 403) -> KisError:
    """A :class:`KisError` in the token-endpoint shape."""
    return KisError(code[0], code[1], status=status, token_shape=True)


def input_error(field: str, problem: str) -> KisError:
    """Input validation failure, naming the field (wire name) and what is wrong with it."""
    return KisError(
        INPUT_INVALID, f"ERROR : INPUT INVALID_CHECK_{field} ({problem})", rt_cd="2"
    )
