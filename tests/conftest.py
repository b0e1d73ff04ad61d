"""Shared fixtures: every test gets its own token cache and fresh rate limiters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hantoo._core.limiter import reset_limiters


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HANTOO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HANTOO_CONFIG", str(tmp_path / "no-profile.toml"))
    for var in ("HANTOO_APP_KEY", "HANTOO_APP_SECRET", "HANTOO_ACCOUNT", "HANTOO_ENV",
                "HANTOO_HTS_ID", "HANTOO_BASE_URL", "HANTOO_WS_URL", "HANTOO_PROFILE",
                "HANTOO_COORDINATOR"):
        monkeypatch.delenv(var, raising=False)
    reset_limiters()
    yield
    reset_limiters()
