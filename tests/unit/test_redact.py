from __future__ import annotations

import logging
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hantoo._core.redact import (
    MASK,
    RedactingFilter,
    Secret,
    clear_registry,
    get_logger,
    install_library_redaction,
    log_extra,
    redact,
    register_account,
    register_secret,
)

SECRET = "S3cr3t-app-secret-value-0123456789abcdef"


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    clear_registry()


def test_secret_repr_str_format_are_masked() -> None:
    s = Secret(SECRET)
    assert SECRET not in repr(s)
    assert SECRET not in str(s)
    assert SECRET not in f"{s}"
    assert SECRET not in f"{s!r}"
    assert SECRET not in "%s %r" % (s, s)  # noqa: UP031 - %-formatting is what logging uses
    assert SECRET not in repr([s, {"k": s}])
    assert s.get_secret_value() == SECRET


def test_secret_equality_and_hash() -> None:
    a, b, c = Secret(SECRET), Secret(SECRET), Secret("another-secret-value")
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert a != SECRET  # a Secret never equals a plain string by accident
    assert len(a.fingerprint()) == 8 and a.fingerprint() not in SECRET


def test_secret_pickles_and_stays_masked() -> None:
    s = pickle.loads(pickle.dumps(Secret(SECRET)))
    assert s.get_secret_value() == SECRET
    assert SECRET not in repr(s)


def test_secret_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        Secret(123)  # type: ignore[arg-type]


def test_registered_values_are_redacted() -> None:
    register_secret("tok-abcdef-0123456789")
    out = redact("sending tok-abcdef-0123456789 twice: tok-abcdef-0123456789!")
    assert "tok-abcdef" not in out
    assert out.count(MASK) == 2


def test_secret_creation_registers_value() -> None:
    Secret("created-secret-XYZ-987654")
    assert redact("value=created-secret-XYZ-987654") == f"value={MASK}"


def test_short_values_are_not_registered() -> None:
    register_secret("01")
    assert redact("order 01 at 10:01") == "order 01 at 10:01"


def test_account_numbers_in_all_spellings() -> None:
    register_account("87654321-22")
    for text in ("acct 87654321-22", "CANO=87654321 ACNT=22", "8765432122"):
        assert "87654321" not in redact(text), text
    # an unregistered account with product code is caught by shape
    assert "11112222-01" not in redact("account 11112222-01 done")
    # but an ordinary date is left alone
    assert redact("date 20240131") == "date 20240131"


def test_static_shapes_redacted_without_registration() -> None:
    out = redact(
        'authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig and "appsecret": "zzzzzzzz"'
    )
    assert "eyJhbGci" not in out
    assert "zzzzzzzz" not in out


@settings(max_examples=50, deadline=None)
@given(
    # '*' is excluded: a value built from the mask itself could be re-formed by the mask.
    secret=st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="*"), min_size=6, max_size=40
    ),
    prefix=st.text(max_size=20),
    suffix=st.text(max_size=20),
)
def test_redact_never_leaks_registered(secret: str, prefix: str, suffix: str) -> None:
    clear_registry()
    register_secret(secret)
    assert secret not in redact(prefix + secret + suffix)


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


def test_filter_redacts_message_args_extra_and_traceback() -> None:
    value = "tracebacked-token-ABCDEFGHIJ"
    Secret(value)
    logger = get_logger("test.redact")
    handler = _ListHandler()
    handler.setFormatter(logging.Formatter("%(message)s %(tr_id)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        try:
            raise ValueError(f"bad {value}")
        except ValueError:
            logger.exception("got %s", value, extra=log_extra(tr_id=value, attempt=1))
    finally:
        logger.removeHandler(handler)
    assert handler.lines
    text = "\n".join(handler.lines)
    assert value not in text
    assert MASK in text
    assert handler.records[0].attempt == 1  # type: ignore[attr-defined]


def test_get_logger_names_and_is_idempotent() -> None:
    a = get_logger("limiter")
    b = get_logger("hantoo.limiter")
    assert a is b and a.name == "hantoo.limiter"
    assert sum(isinstance(f, RedactingFilter) for f in a.filters) == 1


def test_log_extra_drops_none_and_refuses_reserved_names() -> None:
    assert log_extra(tr_id="FHKST01010100", elapsed=0.1234567) == {
        "tr_id": "FHKST01010100",
        "elapsed": 0.123457,
    }
    with pytest.raises(ValueError):
        log_extra(msg="x")


def test_library_loggers_are_redacted_without_touching_their_configuration(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """httpx logs the request line with its query string (``CANO=<account>``); httpcore and
    websockets log headers and frames. Their records are masked; levels and handlers stay."""
    register_account("73914582-01")
    httpx_log = logging.getLogger("httpx")
    before = (httpx_log.level, list(httpx_log.handlers), httpx_log.propagate)
    install_library_redaction()
    install_library_redaction()  # idempotent
    assert (httpx_log.level, list(httpx_log.handlers), httpx_log.propagate) == before
    with caplog.at_level(logging.DEBUG):
        httpx_log.info('HTTP Request: %s %s "%s"', "GET",
                       "http://x/inquire-balance?CANO=73914582&ACNT_PRDT_CD=01", "200 OK")
        logging.getLogger("httpcore.http11").debug("headers %r", [(b"appsecret", SECRET)])
        logging.getLogger("websockets.client").debug("> TEXT %s", '{"approval_key": "abcdef12"}')
    text = caplog.text
    assert "CANO=***&ACNT_PRDT_CD=01" in text
    assert "73914582" not in text and "abcdef12" not in text
    assert sum(httpx_log.filters.count(f) for f in httpx_log.filters) == 1


def test_unregistered_cano_query_parameter_is_masked() -> None:
    assert redact("GET /x?CANO=12345678&ACNT_PRDT_CD=01") == "GET /x?CANO=***&ACNT_PRDT_CD=01"
    assert redact("{'CANO': '12345678'}") == "{'CANO': '***'}"
