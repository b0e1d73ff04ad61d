from __future__ import annotations

import json
import logging
import os
import stat
import threading
from pathlib import Path

import pytest

from hantoo._core.redact import Secret
from hantoo._core.token_cache import (
    ACCESS_TOKEN,
    APPROVAL_KEY,
    CachedToken,
    TokenCache,
    default_cache_dir,
)

APP_KEY = "PSkeyABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.cached-token-value"

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def token(value: str = TOKEN, expires_at: float = 2_000_000_000.0) -> CachedToken:
    return CachedToken(Secret(value), "Bearer", expires_at, expires_at - 86_400)


def test_default_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HANTOO_CACHE_DIR", str(tmp_path / "env"))
    assert default_cache_dir() == tmp_path / "env"
    assert default_cache_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("HANTOO_CACHE_DIR")
    assert default_cache_dir().name.lower() in {"hantoo", "cache"}


def test_file_name_never_contains_the_app_key(tmp_path: Path) -> None:
    c = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    assert APP_KEY not in str(c.path) and APP_KEY not in str(c.lock_path)
    assert c.path.name.startswith("real-access_token-")
    assert c.lock_path.parent == c.path.parent
    other = TokenCache("paper", ACCESS_TOKEN, APP_KEY, tmp_path)
    key = TokenCache("real", APPROVAL_KEY, APP_KEY, tmp_path)
    assert len({c.path, other.path, key.path}) == 3
    assert APP_KEY not in repr(c)


def test_missing_file_is_absent(tmp_path: Path) -> None:
    assert TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path / "none").load() is None


@posix_only
def test_round_trip_with_modes(tmp_path: Path) -> None:
    d = tmp_path / "cache" / "hantoo"
    c = TokenCache("real", ACCESS_TOKEN, APP_KEY, d)
    c.store(token())
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(c.path).st_mode) == 0o600
    loaded = c.load()
    assert loaded == token()
    assert loaded is not None and loaded.value.get_secret_value() == TOKEN
    data = json.loads(c.path.read_text())
    assert data["token_type"] == "Bearer"
    assert data["expires_at_iso"].startswith("2033-05-18T03:33:20")
    assert TOKEN not in repr(loaded)
    # only the entry remains: no temporary files left behind
    assert sorted(p.name for p in d.iterdir()) == [c.path.name]


@posix_only
def test_store_is_0600_even_with_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        c = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path / "c")
        c.store(token())
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(c.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(c.directory).st_mode) == 0o700


@posix_only
def test_loose_file_mode_is_tightened(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    c = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    c.store(token())
    os.chmod(c.path, 0o644)
    with caplog.at_level(logging.WARNING, logger="hantoo.token_cache"):
        assert c.load() == token()
    assert stat.S_IMODE(os.stat(c.path).st_mode) == 0o600
    assert "readable by other users" in caplog.text


def test_iso_expiry_accepted(tmp_path: Path) -> None:
    c = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    c.path.write_text(
        json.dumps(
            {
                "environment": "real",
                "kind": ACCESS_TOKEN,
                "token": TOKEN,
                "token_type": "Bearer",
                "expires_at": "2033-05-18T03:33:20+00:00",
                "issued_at": "2033-05-17T03:33:20",
            }
        )
    )
    assert c.load() == token()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[]",
        json.dumps({"environment": "real", "kind": ACCESS_TOKEN}).encode(),
        json.dumps(
            {"environment": "real", "kind": ACCESS_TOKEN, "token": TOKEN, "expires_at": "soon"}
        ).encode(),
        json.dumps(
            {"environment": "real", "kind": ACCESS_TOKEN, "token": TOKEN, "expires_at": None}
        ).encode(),
        json.dumps(
            {"environment": "paper", "kind": ACCESS_TOKEN, "token": TOKEN, "expires_at": 1e10}
        ).encode(),
        json.dumps(
            {"environment": "real", "kind": ACCESS_TOKEN, "token": 5, "expires_at": 1}
        ).encode(),
    ],
)
def test_corrupt_file_is_absent_and_logged_without_content(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    c = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    c.path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="hantoo.token_cache"):
        assert c.load() is None
    assert caplog.records, "a warning is expected"
    assert TOKEN not in caplog.text
    assert "eyJ0" not in caplog.text


def test_unreadable_path_is_absent(tmp_path: Path) -> None:
    c = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    c.path.mkdir()  # a directory where the file should be
    assert c.load() is None


def test_failed_write_leaves_old_entry_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    c.store(token())

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        c.store(token("a-new-token-value-000000"))
    monkeypatch.undo()
    assert c.load() == token()
    assert [p.name for p in tmp_path.iterdir()] == [c.path.name]


def test_readers_never_see_a_partial_file(tmp_path: Path) -> None:
    writer_cache = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    reader_cache = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    writer_cache.store(token("t" * 2000))
    stop = threading.Event()
    bad: list[object] = []

    def writer() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            writer_cache.store(token(str(i % 10) * (1000 + i % 3000)))

    t = threading.Thread(target=writer)
    t.start()
    try:
        for _ in range(400):
            got = reader_cache.load()
            if got is None or len(set(got.value.get_secret_value())) != 1:
                bad.append(got)
    finally:
        stop.set()
        t.join(10)
    assert bad == []


def test_delete_is_idempotent(tmp_path: Path) -> None:
    c = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    c.store(token())
    c.delete()
    c.delete()
    assert c.load() is None


def test_try_acquire_is_exclusive_across_objects_and_threads(tmp_path: Path) -> None:
    a = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    b = TokenCache("real", ACCESS_TOKEN, APP_KEY, tmp_path)
    assert a.try_acquire()
    assert a.held
    assert not b.try_acquire()  # another object (another fd) - as another process would be
    result: list[bool] = []
    t = threading.Thread(target=lambda: result.append(a.try_acquire()))
    t.start()
    t.join(5)
    assert result == [False]  # another thread using the same object
    a.release()
    assert b.try_acquire()
    assert not a.try_acquire()
    b.release()
    assert a.try_acquire()
    a.release()


def test_is_valid_margin() -> None:
    t = token(expires_at=1000.0)
    assert t.is_valid(900.0)
    assert not t.is_valid(900.0, margin=100.0)
    assert not t.is_valid(1000.0)


def test_bad_names_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        TokenCache("../x", ACCESS_TOKEN, APP_KEY, tmp_path)
