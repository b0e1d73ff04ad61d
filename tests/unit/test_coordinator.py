"""The coordinator is chosen by URL; the default is the host's cache directory, unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

import hantoo
from hantoo._core.coordinator import FileCoordinator, get_coordinator, reset_coordinators
from hantoo._core.limiter import FileSharedLimit
from hantoo._core.token_cache import ACCESS_TOKEN, TokenCache

KEY = "PS" + "k" * 34


def test_default_is_the_cache_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANTOO_CACHE_DIR", str(tmp_path))
    c = get_coordinator()
    assert isinstance(c, FileCoordinator) and not c.remote
    store = c.token_store("real", ACCESS_TOKEN, KEY)
    assert isinstance(store, TokenCache)
    assert store.path == TokenCache("real", ACCESS_TOKEN, KEY, tmp_path).path
    assert store.recheck_interval is None  # files are never re-read behind memory
    shared = c.shared_limit("real", "abc")
    assert isinstance(shared, FileSharedLimit)
    assert shared.path == tmp_path / "ratelimit-real-abc.json"
    reset_coordinators()


def test_file_url_names_a_directory(tmp_path: Path) -> None:
    c = get_coordinator(f"file://{tmp_path}/fleet")
    assert isinstance(c, FileCoordinator) and c.directory == tmp_path / "fleet"
    assert get_coordinator(f"file://{tmp_path}/fleet") is c  # one per directory
    reset_coordinators()


@pytest.mark.parametrize("url", ["http://redis:6379", "memcached://x", "redis-ish"])
def test_an_unknown_coordinator_is_refused_clearly(url: str) -> None:
    with pytest.raises(ValueError, match="unknown coordinator") as err:
        get_coordinator(url)
    assert "redis://host:port/db" in str(err.value)


def test_the_client_reads_hantoo_coordinator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANTOO_COORDINATOR", "ftp://nowhere")
    with pytest.raises(ValueError, match="unknown coordinator 'ftp://nowhere'"):
        hantoo.Client("real", app_key=KEY, app_secret="s" * 180)
