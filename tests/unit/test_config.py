"""Settings precedence: arguments > environment variables > profile file > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from hantoo import config
from hantoo.errors import ConfigurationError


def write_profile(path: Path) -> None:
    path.write_text(
        '[default]\nenvironment = "paper"\napp_key = "PROFILEKEY"\napp_secret = "PSEC"\n'
        'account = "11111111-01"\n[other]\nenvironment = "real"\napp_key = "OTHER"\n'
        'app_secret = "OSEC"\n',
        encoding="utf-8",
    )


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = tmp_path / "profile.toml"
    write_profile(profile)
    monkeypatch.setenv("HANTOO_CONFIG", str(profile))
    s = config.resolve()
    assert (s.environment, s.app_key, s.account) == ("paper", "PROFILEKEY", ("11111111", "01"))
    monkeypatch.setenv("HANTOO_APP_KEY", "ENVKEY")
    monkeypatch.setenv("HANTOO_ACCOUNT", "22222222-03")
    s = config.resolve()
    assert (s.app_key, s.account) == ("ENVKEY", ("22222222", "03"))
    s = config.resolve(app_key="ARGKEY", environment="real")
    assert (s.environment, s.app_key, s.app_secret.get_secret_value()) == (
        "real", "ARGKEY", "PSEC")
    assert config.resolve(profile="other").environment == "real"


def test_sim_defaults_need_no_credentials() -> None:
    s = config.resolve()
    assert s.environment == "sim"
    assert len(s.app_key) == 36 and len(s.app_secret) == 180
    assert s.account == ("50000000", "01")


def test_real_needs_credentials() -> None:
    with pytest.raises(ConfigurationError, match="app key"):
        config.resolve(environment="real")


def test_bad_values_are_explained() -> None:
    with pytest.raises(ConfigurationError, match="12345678-01"):
        config.parse_account("1234-5")
    with pytest.raises(ConfigurationError, match="sim, paper, real"):
        config.resolve(environment="prod")


def test_repr_hides_secrets() -> None:
    s = config.resolve(environment="real", app_key="K" * 36, app_secret="SECRETSECRET",
                       account="12345678-01")
    text = repr(s)
    assert "SECRETSECRET" not in text and "K" * 36 not in text and "12345678" not in text


def test_app_secret_is_held_as_a_secret() -> None:
    from hantoo._core.redact import Secret

    s = config.resolve(environment="real", app_key="K" * 36, app_secret="Q" * 180, env={})
    assert isinstance(s.app_secret, Secret)
    assert "Q" * 180 not in repr(s) + str(s.app_secret) + f"{s.app_secret}"
    assert s.app_secret.get_secret_value() == "Q" * 180
