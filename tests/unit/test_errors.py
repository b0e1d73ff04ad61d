"""KIS error bodies map to the exception tree; secrets never appear in error text."""

from __future__ import annotations

import json

import pytest

from hantoo import errors
from hantoo._core.flow import HttpResponse
from hantoo._core.protocol import api_error, interpret
from hantoo.catalog import error_codes


def response(status: int, body: object) -> HttpResponse:
    return HttpResponse(status=status, headers={}, content=json.dumps(body).encode())


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("EGW00201", errors.RateLimitError),
        ("EGW00123", errors.TokenExpiredError),
        ("EGW00121", errors.TokenExpiredError),
        ("EGW00133", errors.TokenIssuanceRateError),
        ("EGW00103", errors.AuthenticationError),
        ("EGW00206", errors.PermissionDeniedError),
        ("MCA05918", errors.InvalidSymbolError),
        ("SYDB0050", errors.DataChangedError),
        ("EGW00301", errors.ServiceUnavailableError),
        ("OPSQ0001", errors.InvalidRequestError),
        ("OPSQ0002", errors.AuthenticationError),
        ("OPSQ0003", errors.PermissionDeniedError),
        ("OPSQ0004", errors.RateLimitError),
        ("OPSQ0005", errors.ServiceUnavailableError),
        ("OPSQ1001", errors.InsufficientBalanceError),
        ("OPSQ1002", errors.QuantityLimitError),
        ("OPSQ1003", errors.InvalidSymbolError),
        ("OPSQ1004", errors.MarketClosedError),
        ("OPSQ1005", errors.TradingSuspendedError),
    ],
)
def test_codes_map_to_classes(code: str, cls: type[errors.ApiError]) -> None:
    with pytest.raises(cls) as info:
        interpret(response(500, {"rt_cd": "1", "msg_cd": code, "msg1": "m"}), tr_id="TR1")
    err = info.value
    assert (err.msg_cd, err.msg1, err.tr_id, err.status) == (code, "m", "TR1", 500)
    assert err.retryable == error_codes()[code].retry


def test_token_error_shape() -> None:
    body = {"error_code": "EGW00133", "error_description": "1분당 1회"}
    with pytest.raises(errors.TokenIssuanceRateError) as info:
        interpret(response(403, body))
    assert info.value.msg_cd == "EGW00133"


def test_unknown_codes_fall_back_to_message_text() -> None:
    assert isinstance(api_error("X1", "초당 거래건수를 초과하였습니다."), errors.RateLimitError)
    assert isinstance(api_error("X2", "주문가능금액을 초과 했습니다"),
                      errors.InsufficientBalanceError)
    assert type(api_error("X3", "something else")) is errors.ApiError


def test_success_and_non_json() -> None:
    assert interpret(response(200, {"rt_cd": "0", "output": {}}))["rt_cd"] == "0"
    with pytest.raises(errors.HttpStatusError, match="502"):
        interpret(HttpResponse(status=502, headers={}, content=b"<html>bad gateway</html>"))
    with pytest.raises(errors.HttpStatusError):
        interpret(HttpResponse(status=200, headers={}, content=b"not json"))


def test_every_code_names_an_existing_class() -> None:
    for code, info in error_codes().items():
        cls = getattr(errors, info.class_)
        assert issubclass(cls, errors.HantooError), code
        if issubclass(cls, errors.ApiError):  # OPSP* are realtime control codes
            assert isinstance(api_error(code, "m"), cls)


def test_order_state_unknown_keeps_what_was_sent_but_not_in_text() -> None:
    err = errors.OrderStateUnknownError(
        "order may have executed", tr_id="TTTC0012U",
        sent={"CANO": "12345678", "PDNO": "005930"}, sent_at=0.0, cause="ReadTimeout",
    )
    assert err.sent["PDNO"] == "005930"
    assert "12345678" not in str(err)
    assert "reconcile" in str(err)


def test_unknown_order_error_masks_the_account_but_keeps_it_reachable() -> None:
    sent = {"CANO": "73914582", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_QTY": "3"}
    exc = errors.OrderStateUnknownError("lost", tr_id="TTTC0012U", sent=sent, sent_at=0.0,
                                        cause="ConnectionLostError: connection lost")
    for shown in (repr(exc.sent), str(exc.sent), f"{exc.sent}", repr(vars(exc)), str(exc)):
        assert "73914582" not in shown
    assert "'PDNO': '005930'" in repr(exc.sent)
    assert exc.sent["CANO"] == "73914582" and dict(exc.sent) == sent
