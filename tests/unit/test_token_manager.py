from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from _core_flow_helpers import FakeClock, json_response, run_flow, token_race_worker

from hantoo._core.flow import Flow, HttpRequest, HttpResponse, Sleep
from hantoo._core.redact import Secret, get_logger
from hantoo._core.token_cache import ACCESS_TOKEN, CachedToken, TokenCache
from hantoo._core.token_manager import KST, TokenManager, parse_kst
from hantoo.errors import (
    ApiError,
    AuthenticationError,
    DecodeError,
    HttpStatusError,
    TokenIssuanceRateError,
)

APP_KEY = "PSappKEY0123456789abcdefghijklmnopqr"
APP_SECRET = "app-secret-VALUE-0123456789abcdefghijklmnopqrstuvwxyz+/="
JSON_CT = {"content-type": "application/json; charset=utf-8"}


def kst_string(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, KST).strftime("%Y-%m-%d %H:%M:%S")


class Issuer:
    """A fake KIS auth server: counts requests, answers from a script or with fresh tokens."""

    def __init__(
        self, clock: Callable[[], float], script: list[HttpResponse] | None = None
    ) -> None:
        self.clock = clock
        self.script = list(script or [])
        self.requests: list[HttpRequest] = []
        self.lock = threading.Lock()
        self.delay = 0.0

    @property
    def issued(self) -> int:
        return sum(r.url == "/oauth2/tokenP" for r in self.requests)

    def __call__(self, req: HttpRequest) -> HttpResponse:
        with self.lock:
            self.requests.append(req)
            n = len(self.requests)
            scripted = self.script.pop(0) if self.script else None
        if self.delay:
            time.sleep(self.delay)
        if scripted is not None:
            return scripted
        if req.url == "/oauth2/Approval":
            return json_response(200, {"approval_key": f"approval-key-{n:04d}-xxxxxxxx"})
        now = self.clock()
        return json_response(
            200,
            {
                "access_token": f"token-{n:04d}-eyJhbGciOiJIUzUxMiJ9",
                "token_type": "Bearer",
                "expires_in": 86400,
                "access_token_token_expired": kst_string(now + 86400),
            },
        )


def egw00133() -> HttpResponse:
    return json_response(
        403,
        {
            "error_code": "EGW00133",
            "error_description": "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)",
        },
    )


def manager(tmp_path: Path, clock: Callable[[], float], **kw: Any) -> TokenManager:
    kw.setdefault("poll_interval", 0.01)
    return TokenManager("real", APP_KEY, APP_SECRET, None, clock, cache_dir=str(tmp_path), **kw)


def test_parse_kst() -> None:
    assert parse_kst("2024-01-02 09:00:00") == datetime(2024, 1, 2, 0, 0, tzinfo=UTC).timestamp()
    with pytest.raises(ValueError):
        parse_kst("2024-01-02")


def test_first_call_issues_exactly_as_kis_expects_then_reuses(tmp_path: Path) -> None:
    clock = FakeClock()
    issuer = Issuer(clock)
    m = manager(tmp_path, clock)
    tok = run_flow(m.token_flow(), issuer, sleep=clock.sleep)
    assert tok == "token-0001-eyJhbGciOiJIUzUxMiJ9"
    (req,) = issuer.requests
    assert req == HttpRequest(
        "POST",
        "/oauth2/tokenP",
        headers=JSON_CT,
        json={"grant_type": "client_credentials", "appkey": APP_KEY, "appsecret": APP_SECRET},
        unsafe=False,
    )
    cur = m.current_token()
    assert cur is not None and cur.token_type == "Bearer"
    assert cur.expires_at == pytest.approx(clock.now + 86400, abs=1)
    # memory hit: no request
    assert run_flow(m.token_flow(), issuer, sleep=clock.sleep) == tok
    # disk hit from another manager (another process): no request
    other = manager(tmp_path, clock)
    assert run_flow(other.token_flow(), issuer, sleep=clock.sleep) == tok
    assert issuer.issued == 1
    assert m.cache.path.exists()


@pytest.mark.parametrize("server_offset_days", [-3650, -400, 0, 9, 4000])
def test_expiry_follows_expires_in_whatever_the_server_clock(
    tmp_path: Path, server_offset_days: int, caplog: pytest.LogCaptureFixture
) -> None:
    """The server's absolute stamp is on its own clock: it never shortens ``expires_in``."""
    clock = FakeClock()
    server_now = clock.now + server_offset_days * 86_400
    resp = json_response(
        200,
        {
            "access_token": "server-clock-token-value",
            "token_type": "Bearer",
            "expires_in": 86400,
            "access_token_token_expired": kst_string(server_now + 86_400),
        },
    )
    m = manager(tmp_path, clock)
    with caplog.at_level("INFO", logger="hantoo"):
        run_flow(m.token_flow(), Issuer(clock, [resp]), sleep=clock.sleep)
    cur = m.current_token()
    assert cur is not None and cur.expires_at == pytest.approx(clock.now + 86_400, abs=1)
    skew_lines = [r for r in caplog.records if "clock differs" in r.getMessage()]
    assert len(skew_lines) == (0 if server_offset_days == 0 else 1)


def test_expires_in_missing_or_garbage_means_a_day(tmp_path: Path) -> None:
    for value in (None, "", "abc", -5, True):
        clock = FakeClock()
        body: dict[str, object] = {"access_token": "garbage-lifetime-token", "token_type": "Bearer"}
        if value is not None:
            body["expires_in"] = value
        m = manager(tmp_path / str(value), clock)
        run_flow(m.token_flow(), Issuer(clock, [json_response(200, body)]), sleep=clock.sleep)
        cur = m.current_token()
        assert cur is not None and cur.expires_at == pytest.approx(clock.now + 86_400, abs=1)


def test_refresh_near_expiry(tmp_path: Path) -> None:
    clock = FakeClock()
    issuer = Issuer(clock)
    m = manager(tmp_path, clock, refresh_margin=600)
    first = run_flow(m.token_flow(), issuer, sleep=clock.sleep)
    clock.now += 86400 - 599  # inside the margin
    second = run_flow(m.token_flow(), issuer, sleep=clock.sleep)
    assert second != first and issuer.issued == 2


def test_near_expiry_while_another_refreshes_uses_old_token(tmp_path: Path) -> None:
    clock = FakeClock()
    issuer = Issuer(clock)
    m = manager(tmp_path, clock)
    old = run_flow(m.token_flow(), issuer, sleep=clock.sleep)
    clock.now += 86400 - 300
    refresher = m.token_flow()
    assert isinstance(next(refresher), HttpRequest)  # holding the locks, request in flight
    # a second caller does not wait: the old token is still valid
    assert run_flow(m.token_flow(), issuer, sleep=clock.sleep) == old
    with pytest.raises(StopIteration) as stop:
        refresher.send(issuer(HttpRequest("POST", "/oauth2/tokenP", {})))
    assert stop.value.value != old


def test_expired_waiters_poll_then_get_the_new_token(tmp_path: Path) -> None:
    clock = FakeClock()
    issuer = Issuer(clock)
    m = manager(tmp_path, clock, poll_interval=0.5)
    refresher = m.token_flow()
    req = next(refresher)
    assert isinstance(req, HttpRequest)
    waiter = m.token_flow()
    assert next(waiter) == Sleep(0.5)  # in-process lock busy: poll
    assert waiter.send(None) == Sleep(0.5)
    with pytest.raises(StopIteration) as done:
        refresher.send(issuer(req))
    with pytest.raises(StopIteration) as waited:
        waiter.send(None)
    assert waited.value.value == done.value.value
    assert issuer.issued == 1


def test_other_process_issuing_is_awaited_not_duplicated(tmp_path: Path) -> None:
    clock = FakeClock()
    issuer = Issuer(clock)
    m = manager(tmp_path, clock, poll_interval=0.2)
    other = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)  # "another process"
    assert other.try_acquire()
    flow = m.token_flow()
    assert next(flow) == Sleep(0.2)
    assert flow.send(None) == Sleep(0.2)
    other.store(
        CachedToken(Secret("from-other-process-token"), "Bearer", clock.now + 9e4, clock.now)
    )
    other.release()
    with pytest.raises(StopIteration) as stop:
        flow.send(None)
    assert stop.value.value == "from-other-process-token"
    assert issuer.requests == []


def test_rereads_disk_under_the_lock_before_issuing(tmp_path: Path) -> None:
    clock = FakeClock()
    issuer = Issuer(clock)
    m = manager(tmp_path, clock)
    flow = m.token_flow()
    # another process writes the cache between our in-memory check and our lock
    real_try = m.cache.try_acquire

    def try_acquire_after_write() -> bool:
        m.cache.store(
            CachedToken(Secret("written-meanwhile-token"), "Bearer", clock.now + 9e4, 0.0)
        )
        return real_try()

    m.cache.try_acquire = try_acquire_after_write  # type: ignore[method-assign]
    with pytest.raises(StopIteration) as stop:
        next(flow)
    assert stop.value.value == "written-meanwhile-token"
    assert issuer.requests == []


def test_egw00133_waits_the_minute_and_retries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    issuer = Issuer(clock, [egw00133(), egw00133()])
    m = manager(tmp_path, clock)
    with caplog.at_level(logging.INFO, logger="hantoo"):
        tok = run_flow(m.token_flow(), issuer, sleep=clock.sleep)
    assert tok.startswith("token-0003")
    assert clock.slept == [61.0, 61.0]  # the injected sleep: nothing really waited
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "EGW00133" in warnings[0] and "one per minute" in warnings[0]


def test_egw00133_bounded_then_raises(tmp_path: Path) -> None:
    clock = FakeClock()
    issuer = Issuer(clock, [egw00133(), egw00133(), egw00133(), egw00133()])
    m = manager(tmp_path, clock, max_issuance_attempts=3)
    with pytest.raises(TokenIssuanceRateError) as info:
        run_flow(m.token_flow(), issuer, sleep=clock.sleep)
    assert info.value.msg_cd == "EGW00133" and info.value.status == 403
    assert issuer.issued == 3 and clock.slept == [61.0, 61.0]
    # the locks were released: a later call can issue
    assert run_flow(m.token_flow(), Issuer(clock), sleep=clock.sleep).startswith("token-")


def test_egw00133_picks_up_a_token_cached_meanwhile(tmp_path: Path) -> None:
    clock = FakeClock()
    m = manager(tmp_path, clock)
    writer = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)

    def sleep(s: float) -> None:
        clock.sleep(s)
        writer.store(CachedToken(Secret("cached-during-wait"), "Bearer", clock.now + 9e4, 0.0))

    issuer = Issuer(clock, [egw00133()])
    assert run_flow(m.token_flow(), issuer, sleep=sleep) == "cached-during-wait"
    assert issuer.issued == 1


def test_other_error_bodies_become_authentication_errors(tmp_path: Path) -> None:
    clock = FakeClock()
    body = {"error_code": "EGW00103", "error_description": "유효하지 않은 AppKey입니다."}
    m = manager(tmp_path, clock)
    with pytest.raises(AuthenticationError) as info:
        run_flow(m.token_flow(), Issuer(clock, [json_response(403, body)]), sleep=clock.sleep)
    assert not isinstance(info.value, TokenIssuanceRateError)
    assert info.value.msg_cd == "EGW00103"
    assert APP_SECRET not in str(info.value) and APP_SECRET not in repr(info.value.body)


def test_non_kis_errors(tmp_path: Path) -> None:
    clock = FakeClock()
    m = manager(tmp_path, clock)
    bad = Issuer(clock, [HttpResponse(502, {}, b"<html>")] * 3)
    with pytest.raises(HttpStatusError):  # a bare 5xx is retried like a read, then raised
        run_flow(m.token_flow(), bad, sleep=clock.sleep)
    assert bad.issued == 3
    with pytest.raises(DecodeError):
        run_flow(m.token_flow(), Issuer(clock, [json_response(200, {"x": 1})]))


def test_invalidate_only_the_current_token(tmp_path: Path) -> None:
    clock = FakeClock()
    issuer = Issuer(clock)
    m = manager(tmp_path, clock)
    t1 = run_flow(m.token_flow(), issuer, sleep=clock.sleep)
    assert not m.invalidate("some-other-token-value")
    assert run_flow(m.token_flow(), issuer, sleep=clock.sleep) == t1
    assert m.invalidate(t1)
    assert m.cache.load() is None  # the disk copy of the failed token is gone too
    assert not m.invalidate(t1)  # second report of the same failure: no-op
    t2 = run_flow(m.token_flow(), issuer, sleep=clock.sleep)
    assert t2 != t1 and issuer.issued == 2
    assert not m.invalidate(t1)  # late failure of the old token does not drop the new one
    assert run_flow(m.token_flow(), issuer, sleep=clock.sleep) == t2


def test_invalidated_token_is_not_reloaded_from_disk(tmp_path: Path) -> None:
    clock = FakeClock()
    issuer = Issuer(clock)
    m = manager(tmp_path, clock)
    t1 = run_flow(m.token_flow(), issuer, sleep=clock.sleep)
    # another process keeps the issuance lock, so the disk copy cannot be deleted
    other = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    assert other.try_acquire()
    try:
        assert m.invalidate(t1)
        assert m.cache.load() is not None
        flow = m.token_flow()
        assert isinstance(next(flow), Sleep)  # waits, does not reuse the rejected token
    finally:
        other.release()
    req = flow.send(None)  # lock free now: it issues rather than reloading the rejected token
    assert isinstance(req, HttpRequest) and req.url == "/oauth2/tokenP"
    with pytest.raises(StopIteration) as stop:
        flow.send(issuer(req))
    assert stop.value.value != t1


def test_twenty_concurrent_failures_cause_one_refresh(tmp_path: Path) -> None:
    issuer = Issuer(time.time)
    issuer.delay = 0.05
    m = manager(tmp_path, time.time, poll_interval=0.005)
    t1 = run_flow(m.token_flow(), issuer)
    barrier = threading.Barrier(20)
    dropped: list[bool] = []
    got: list[str] = []
    lock = threading.Lock()

    def call() -> None:
        barrier.wait()
        d = m.invalidate(t1)  # each call failed with EGW00123 using t1
        tok = run_flow(m.token_flow(), issuer)
        with lock:
            dropped.append(d)
            got.append(tok)

    threads = [threading.Thread(target=call) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert dropped.count(True) == 1
    assert issuer.issued == 2  # the first issuance + exactly one refresh
    assert len(set(got)) == 1 and got[0] != t1


async def test_async_tasks_single_flight(tmp_path: Path) -> None:
    issuer = Issuer(time.time)
    m = manager(tmp_path, time.time, poll_interval=0.005)

    async def drive(flow: Flow[str]) -> str:
        try:
            action = next(flow)
            while True:
                if isinstance(action, Sleep):
                    await asyncio.sleep(action.seconds)
                    action = flow.send(None)
                else:
                    await asyncio.sleep(0.05)  # network latency
                    action = flow.send(issuer(action))
        except StopIteration as stop:
            result: str = stop.value
            return result

    tokens = await asyncio.gather(*(drive(m.token_flow()) for _ in range(10)))
    assert len(set(tokens)) == 1 and issuer.issued == 1


def test_revoke_flow(tmp_path: Path) -> None:
    clock = FakeClock()
    issuer = Issuer(clock)
    m = manager(tmp_path, clock)
    assert run_flow(m.revoke_flow(), issuer) is False  # nothing to revoke
    assert issuer.requests == []
    tok = run_flow(m.token_flow(), issuer, sleep=clock.sleep)
    issuer.script.append(
        json_response(200, {"code": 200, "message": "접근토큰 폐기에 성공하였습니다"})
    )
    assert run_flow(m.revoke_flow(), issuer) is True
    req = issuer.requests[-1]
    assert (req.method, req.url) == ("POST", "/oauth2/revokeP")
    assert req.json == {"appkey": APP_KEY, "appsecret": APP_SECRET, "token": tok}
    assert m.cache.load() is None and m.current_token() is None
    # refused revocation: local state is still gone, the error says why
    run_flow(m.token_flow(), issuer, sleep=clock.sleep)
    issuer.script.append(
        json_response(403, {"error_code": "EGW00121", "error_description": "invalid token"})
    )
    with pytest.raises(AuthenticationError):
        run_flow(m.revoke_flow(), issuer)
    assert m.cache.load() is None


def test_approval_key_issued_and_cached(tmp_path: Path) -> None:
    clock = FakeClock()
    issuer = Issuer(clock)
    m = manager(tmp_path, clock)
    key = run_flow(m.approval_key_flow(), issuer, sleep=clock.sleep)
    assert key == "approval-key-0001-xxxxxxxx"
    (req,) = issuer.requests
    assert (req.method, req.url, dict(req.headers)) == ("POST", "/oauth2/Approval", JSON_CT)
    assert req.json == {
        "grant_type": "client_credentials",
        "appkey": APP_KEY,
        "secretkey": APP_SECRET,
    }
    other = manager(tmp_path, clock)
    assert run_flow(other.approval_key_flow(), issuer, sleep=clock.sleep) == key
    clock.now += 86_400
    assert run_flow(other.approval_key_flow(), issuer, sleep=clock.sleep) != key
    assert len(issuer.requests) == 2
    # access token and approval key live in different files
    assert not m.cache.path.exists()


def test_hashkey_flow(tmp_path: Path) -> None:
    clock = FakeClock()
    m = manager(tmp_path, clock)
    order = {"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_QTY": "1"}
    issuer = Issuer(clock, [json_response(200, {"BODY": order, "HASH": "abc123hash"})])
    assert run_flow(m.hashkey_flow(order), issuer) == "abc123hash"
    (req,) = issuer.requests
    assert req.url == "/uapi/hashkey" and req.json == order
    assert req.headers["appkey"] == APP_KEY and req.headers["appsecret"] == APP_SECRET
    bad = Issuer(clock, [json_response(500, {"rt_cd": "1", "msg_cd": "EGW00131", "msg1": "x"})])
    with pytest.raises(ApiError) as info:
        run_flow(m.hashkey_flow(order), bad)
    assert info.value.msg_cd == "EGW00131"


def test_secrets_never_in_repr_logs_or_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    m = manager(tmp_path, clock, max_issuance_attempts=2)
    texts: list[str] = [repr(m), str(m)]
    with caplog.at_level(logging.DEBUG, logger="hantoo"):
        tok = run_flow(m.token_flow(), Issuer(clock), sleep=clock.sleep)
        m.invalidate(tok)
        try:
            run_flow(m.token_flow(), Issuer(clock, [egw00133(), egw00133()]), sleep=clock.sleep)
        except TokenIssuanceRateError as exc:
            texts += [str(exc), repr(exc), repr(exc.body)]
        cur = CachedToken(Secret(tok), "Bearer", 1.0, 0.0)
        texts += [repr(cur), str(cur), repr(m.cache)]
        get_logger("test").warning("header was Bearer %s, secret %s", tok, APP_SECRET)
    texts.append(caplog.text)
    texts += [r.getMessage() for r in caplog.records]
    blob = "\n".join(texts)
    assert tok not in blob
    assert APP_SECRET not in blob
    assert APP_KEY not in repr(m)


def test_eight_processes_issue_exactly_one_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(8)
    results = ctx.Queue()
    counter = tmp_path / "issued.txt"
    cache_dir = tmp_path / "cache"
    procs = [
        ctx.Process(target=token_race_worker, args=(str(cache_dir), str(counter), barrier, results))
        for _ in range(8)
    ]
    t0 = time.monotonic()
    for p in procs:
        p.start()
    try:
        outcomes = [results.get(timeout=20) for _ in procs]
    finally:
        for p in procs:
            p.join(5)
            if p.is_alive():  # pragma: no cover - only on failure
                p.kill()
    assert time.monotonic() - t0 < 20
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert len({tok for _, tok in outcomes}) == 1
    assert len(counter.read_text().splitlines()) == 1
    entry = json.loads(next(cache_dir.glob("real-access_token-*.json")).read_text())
    assert entry["token"] == outcomes[0][1]
