"""Failures of the local machine, told as what to do: a port in use, a damaged state file, a
cache path that is not a directory.

Why a module of its own: these errors arrive as bare ``OSError`` / ``sqlite3.DatabaseError``
whose text ("[Errno 98] Address already in use", "file is not a database") names neither the
port nor the file, from deep inside uvicorn, SQLite or the token cache. The command knows which
port and which file it asked for, so it translates here, at the edge, whatever layer raised it
(the simulator's store may wrap SQLite's error in its own: the chain is searched).

All of them exit with :data:`EXIT_LOCAL` (7).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .output import EXIT_LOCAL, fail


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and its causes/contexts, each once."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def find_database_error(exc: BaseException) -> sqlite3.DatabaseError | None:
    """The SQLite error behind ``exc`` (itself or anywhere in its chain), if any."""
    for item in _chain(exc):
        if isinstance(item, sqlite3.DatabaseError):
            return item
    return None


def fail_state_file(path: str, cause: BaseException) -> None:
    """A state file SQLite cannot read: name it and say how to start afresh."""
    fail(f"the simulator state file {path} cannot be opened: {cause}",
         hint=f"it is damaged or not a hantoo state file; move it aside (mv {path} "
         f"{path}.broken) to start a fresh simulator, or pass --state with another file "
         "(or :memory:)", code=EXIT_LOCAL)


def fail_port_in_use(host: str, port: int) -> None:
    fail(f"port {port} on {host} is already in use (another `hantoo sim serve`, or another "
         "program)", hint=f"pass --port with a free port, e.g. --port {port + 1}, or --port 0 "
         "to pick one; or stop what is listening there", code=EXIT_LOCAL)


@contextmanager
def serving(host: str, port: int, state_path: str) -> Iterator[None]:
    """Around ``hantoo sim serve``: a port in use or a damaged state file, told plainly."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            fail_port_in_use(host, port)
        raise
    except Exception as exc:
        found = find_database_error(exc)
        if found is not None:
            fail_state_file(state_path, found)
        raise


def _cache_dir() -> Path | None:
    from .._core.token_cache import default_cache_dir

    try:
        return default_cache_dir()
    except Exception:  # only used to name the path in a message
        return None


def describe_local(exc: BaseException) -> tuple[str, str] | None:
    """``(message, hint)`` for a local failure any command may hit, else ``None``."""
    found = find_database_error(exc)
    if found is not None:
        state = os.environ.get("HANTOO_SIM_STATE")
        where = f"the simulator state file {state} (HANTOO_SIM_STATE)" if state else \
            "a simulator state file"
        return (f"{where} cannot be opened: {found}",
                "it is damaged or not a hantoo state file; move it aside or unset "
                "HANTOO_SIM_STATE to start a fresh simulator")
    if not isinstance(exc, OSError) or not exc.filename:
        return None
    path = Path(os.fsdecode(exc.filename))
    cache = _cache_dir()
    is_cache = cache is not None and (path == cache or path in cache.parents)
    what = f"the token cache directory {path}" if is_cache else str(path)
    if isinstance(exc, FileExistsError | NotADirectoryError) or exc.errno in (
            errno.EEXIST, errno.ENOTDIR):
        fix = ("point HANTOO_CACHE_DIR at a directory, or move that file away"
               if is_cache else "move that file away or choose another path")
        return f"{what} is a file, not a directory", fix
    if isinstance(exc, PermissionError):
        fix = ("point HANTOO_CACHE_DIR at a directory you can write to" if is_cache
               else "fix its permissions or choose another path")
        return f"no permission to use {what}", fix
    if exc.errno == errno.ENOSPC:
        return f"no space left on the device of {what}", "free some space and run again"
    return None
