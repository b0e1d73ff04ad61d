"""Global options before or after the subcommand, ``--version``, and local failures told plainly
(issue 12, "what a new user hits").

The local failures are real: a socket really holds the port, the state file really is garbage,
the cache path really is a file. Each must name the thing, say what to do, exit 7 (documented)
and show no raw errno text.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_kit import HANTOO, ok, ok_json, run

import hantoo
from hantoo.cli.output import EXIT_LOCAL
from hantoo.sim.app import SimConfig, create_app
from hantoo.sim.server import running_server


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = create_app(SimConfig(limits="off", token_min_interval_s=0))
    with running_server(app=app) as (base_url, _ws_url):
        yield base_url


def test_version() -> None:
    result = ok("--version")
    assert result.stdout.strip() == f"hantoo {hantoo.__version__}"


def test_env_before_the_subcommand_is_applied_and_after_wins() -> None:
    before = run("--env", "paper", "quote", "005930")
    assert before.exit_code == 3, before.output  # paper needs keys: the option was taken
    assert "'paper' needs an app key" in before.output
    assert ok_json("--env", "paper", "quote", "005930", "--env", "sim")[0]["symbol"] == "005930"


def test_base_url_before_the_subcommand_reaches_nested_commands(server: str) -> None:
    placed = ok_json("--base-url", server, "order", "buy", "005930", "1", "--price", "60000")
    working = ok_json("--base-url", server, "orders")
    assert placed["order_no"] in [o["order_no"] for o in working]
    ok("--base-url", server, "cancel", "--all")


def test_debug_after_the_subcommand_shows_the_trace() -> None:
    result = run("quote", "005930", "--env", "bogus", "--debug")
    assert result.exit_code == 3
    assert "Traceback" in result.output


def test_bogus_env_names_the_valid_environments_not_credentials() -> None:
    result = run("--env", "bogus", "quote", "005930")
    assert result.exit_code == 3
    assert "sim, paper, real" in result.output
    assert "HANTOO_APP_KEY" not in result.output and "config init" not in result.output


def _no_raw_errno(text: str) -> None:
    assert "[Errno" not in text and "--debug" not in text, text


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "300"}
    return subprocess.run([*HANTOO, "sim", "serve", *args], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def test_port_in_use_names_the_port_and_suggests_another() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = _serve("--port", str(port), "--state", ":memory:")
    assert done.returncode == EXIT_LOCAL, done.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
    assert "--port" in done.stderr and "--port 0" in done.stderr
    _no_raw_errno(done.stderr)


def test_corrupted_state_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    state.write_bytes(b"this is not a database\n" * 100)
    done = _serve("--port", "0", "--state", str(state))
    assert done.returncode == EXIT_LOCAL, done.stderr
    flat = " ".join(done.stderr.split())
    assert str(state) in flat and "file is not a database" in flat
    assert "move it aside" in flat and "--state" in flat
    _no_raw_errno(done.stderr)
    assert state.read_bytes().startswith(b"this is not")  # left as it was


def test_cache_path_that_is_a_file(server: str, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache-is-a-file"
    cache.write_text("x")
    monkeypatch.setenv("HANTOO_CACHE_DIR", str(cache))
    result = run("quote", "005930", "--base-url", server)
    assert result.exit_code == EXIT_LOCAL, result.output
    flat = " ".join(result.output.split())
    assert f"the token cache directory {cache} is a file, not a directory" in flat
    assert "HANTOO_CACHE_DIR" in flat
    _no_raw_errno(result.output)
