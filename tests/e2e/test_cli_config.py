"""`hantoo config init|show`: a 0600 profile file, the secret never echoed or printed."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
from cli_kit import ok, run

from hantoo.config import read_profile, resolve

KEY = "PS" + "K" * 34
SECRET = "top-secret-" + "z" * 169


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "conf" / "profile.toml"
    monkeypatch.setenv("HANTOO_CONFIG", str(path))
    return path


def answers(env: str = "paper", key: str = KEY, secret: str = SECRET,
            account: str = "12345678-01", hts: str = "myhts") -> str:
    return "\n".join((env, key, secret, account, hts)) + "\n"


def test_init_writes_a_private_profile_and_never_shows_the_secret(profile: Path) -> None:
    result = ok("config", "init", input=answers())
    assert SECRET not in result.output  # hidden input, and not printed back
    assert "app secret" in result.output  # it was asked for
    mode = stat.S_IMODE(os.stat(profile).st_mode)
    assert mode == 0o600, oct(mode)
    data = tomllib.loads(profile.read_text(encoding="utf-8"))
    assert data["default"] == {"environment": "paper", "app_key": KEY, "app_secret": SECRET,
                               "account": "12345678-01", "hts_id": "myhts"}
    settings = resolve()  # the SDK reads what was written
    assert (settings.environment, settings.app_key, settings.cano) == ("paper", KEY, "12345678")
    shown = ok("config", "show").output
    assert SECRET not in shown and KEY not in shown and "*** (set)" in shown


def test_init_refuses_to_overwrite_without_force_and_keeps_other_profiles(
    profile: Path,
) -> None:
    ok("config", "init", input=answers())
    again = run("config", "init", input=answers(secret="other-secret"))
    assert again.exit_code == 3 and "--force" in again.output
    # the section name is printed as written (an unescaped "[default]" was eaten as markup),
    # and the path whole on one line however long it is
    assert f"{profile} already has a [default] profile" in again.output
    assert read_profile()["app_secret"] == SECRET
    ok("config", "init", "--profile", "live", input=answers(env="real", secret="s2" * 90))
    ok("config", "init", "--force", input=answers(secret="new-secret" * 18))
    assert read_profile("default")["app_secret"] == "new-secret" * 18
    assert read_profile("live")["environment"] == "real"
    assert stat.S_IMODE(os.stat(profile).st_mode) == 0o600


def test_init_rejects_a_bad_account_before_writing(profile: Path) -> None:
    result = run("config", "init", input=answers(account="1234"))
    assert result.exit_code == 3 and "12345678-01" in result.output
    assert not profile.exists()


def test_options_skip_the_prompts_but_never_the_secret(profile: Path) -> None:
    result = ok("config", "init", "--env", "real", "--app-key", KEY, "--account",
                "87654321-01", "--hts-id", "me", input=SECRET + "\n")
    assert SECRET not in result.output
    assert read_profile()["account"] == "87654321-01"
    assert run("config", "init", "--app-secret", "x").exit_code == 2  # no such option


def test_init_and_show_name_the_profile(profile: Path) -> None:
    written = ok("config", "init", "--profile", "live", input=answers()).output
    assert f"wrote [live] to {profile}" in " ".join(written.split())
    assert "[live] in" in ok("config", "show").output


def test_init_without_a_terminal_or_answers_refuses_with_the_options_to_pass(
    profile: Path,
) -> None:
    result = run("config", "init")  # stdin: empty, not a terminal
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert "needs the app key, but there is no terminal" in flat
    assert "--app-key" in flat and "--app-secret-stdin" in flat
    assert "Abort" not in flat and "echoed" not in flat
    assert not profile.exists()


def test_init_for_scripts_secret_on_stdin(profile: Path) -> None:
    result = ok("config", "init", "--env", "paper", "--app-key", KEY, "--account",
                "12345678-01", "--app-secret-stdin", input=SECRET + "\n")
    assert SECRET not in result.output and "echoed" not in result.output
    assert read_profile() == {"environment": "paper", "app_key": KEY, "app_secret": SECRET,
                              "account": "12345678-01"}
    empty = run("config", "init", "--force", "--env", "paper", "--app-key", KEY,
                "--account", "12345678-01", "--app-secret-stdin")
    assert empty.exit_code == 2 and "stdin has no line" in empty.output


def test_init_for_scripts_from_environment_variables(profile: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANTOO_APP_KEY", KEY)
    monkeypatch.setenv("HANTOO_APP_SECRET", SECRET)
    monkeypatch.setenv("HANTOO_ACCOUNT", "87654321-01")
    result = ok("config", "init", "--env", "real")
    assert SECRET not in result.output and "from HANTOO_APP_SECRET" in result.output
    assert read_profile() == {"environment": "real", "app_key": KEY, "app_secret": SECRET,
                              "account": "87654321-01"}
