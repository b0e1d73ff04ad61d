"""The simulator's append-only command journal, with group commit.

Why a journal: the engine is a deterministic state machine under its seed and clock, so the
*commands* users send (with the simulated instant each one ran at) are all that must survive a
crash; the market's own activity is recomputed from the seed and the time. Appending one short
line per command and syncing it costs far less than rewriting the touched accounts, orders and
positions of every command into SQLite.

Record format (one line per record, UTF-8)::

    <crc32 of the JSON, 8 lowercase hex digits> <space> <JSON array> "\\n"

The JSON array is ``[seq, time_us, op, *args]``: ``seq`` counts records from 1 and never
repeats, ``time_us`` is the engine instant the command ran at (epoch microseconds) and ``op``
names the command (see :mod:`hantoo.sim.durable`). A line without its newline or with a wrong
checksum at the *end* of the file is a write torn by a crash: it was never acknowledged, so it
is dropped (and cut off before appending again). A bad line followed by good ones is corruption
and is refused.

Group commit: :meth:`CommandJournal.append` only buffers. :meth:`CommandJournal.flush` writes and
syncs everything buffered (the in-process path, one sync per command). In the server,
:meth:`CommandJournal.wait` lets each request await the sync that covers its record: one
``fdatasync`` runs in a worker thread while other requests keep appending, and the next sync
covers all of them. A command's answer is sent only after ``wait`` returns.
"""

from __future__ import annotations

import asyncio
import os
import threading
import zlib
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

__all__ = ["CommandJournal", "JournalCorrupt", "read_journal", "sync_dir"]

_sync_fd = getattr(os, "fdatasync", os.fsync)


def sync_dir(path: Path) -> None:
    """Make renames, creations and deletions in directory ``path`` durable (POSIX)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # e.g. Windows: directories cannot be opened; nothing to do
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class JournalCorrupt(ValueError):
    """The journal has a damaged record before its end (not a torn final write)."""


# msgspec writes the same compact JSON as ``json.dumps(separators=(",", ":"),
# ensure_ascii=False)`` at a tenth of the cost: the journal is on every command's path.
_json_encode = msgspec.json.Encoder().encode
_json_decode = msgspec.json.Decoder().decode
_crc32 = zlib.crc32


def _encode(record: list[Any]) -> bytes:
    payload = _json_encode(record)
    return b"%08x %s\n" % (zlib.crc32(payload), payload)


def _scan(data: bytes, path: Path) -> tuple[list[list[Any]], int]:
    """The records of ``data`` and the length of its intact prefix."""
    records: list[list[Any]] = []
    pos = 0
    end = len(data)
    while pos < end:
        nl = data.find(b"\n", pos)
        if nl < 0:
            break  # torn final write
        line = data[pos:nl]
        ok = len(line) > 9 and line[8:9] == b" "
        if ok:
            payload = line[9:]
            try:
                ok = int(line[:8], 16) == zlib.crc32(payload)
            except ValueError:
                ok = False
        if not ok:
            if data.find(b"\n", nl + 1) >= 0:
                raise JournalCorrupt(
                    f"{path}: damaged record at byte {pos} followed by more records"
                )
            break  # a damaged last line: torn final write
        try:
            records.append(_json_decode(payload))
        except msgspec.DecodeError:
            raise JournalCorrupt(f"{path}: record at byte {pos} is not JSON") from None
        pos = nl + 1
    return records, pos


def read_journal(path: Path) -> list[list[Any]]:
    """Every intact record of the journal at ``path`` (``[]`` when it does not exist)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    return _scan(data, path)[0]


class CommandJournal:
    """An open journal file: buffered appends, synchronous or grouped durable writes."""

    def __init__(self, path: Path, *, last_seq: int = 0, autosync: bool = True) -> None:
        self.path = path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            data = os.read(fd, os.fstat(fd).st_size) if os.fstat(fd).st_size else b""
            records, good = _scan(data, path)
            if good < len(data):
                os.ftruncate(fd, good)  # drop a torn final write before appending after it
                os.fsync(fd)
            os.lseek(fd, 0, os.SEEK_END)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self.records_on_open = records
        seq = records[-1][0] if records else 0
        self.appended = max(seq, last_seq)
        """Sequence number of the last record appended (buffered or written)."""
        self.synced = self.appended
        """Sequence number of the last record known to be on disk."""
        self.autosync = autosync
        """Sync on every append (in-process use); the server turns it off and awaits ``wait``."""
        self.syncs = 0
        self._buf: list[bytes] = []
        self._pending: deque[tuple[bytes, int]] = deque()
        self._lock = threading.Lock()
        self._flushing: asyncio.Task[None] | None = None

    # -- appending ------------------------------------------------------------------------
    def append(self, time_us: int, op: str, args: list[Any]) -> int:
        """Buffer one record; returns its sequence number (durable only after a sync)."""
        return self.add([0, time_us, op, *args])

    def add(self, record: list[Any]) -> int:
        """Buffer ``[_, time_us, op, *args]``, numbered here (``record[0]`` is set to the
        sequence number); returns that number. The engine's order commands build their record
        whole and call this directly: no second list per command."""
        seq = self.appended = self.appended + 1
        record[0] = seq
        payload = _json_encode(record)  # _encode, inline: every command
        self._buf.append(b"%08x %s\n" % (_crc32(payload), payload))
        if self.autosync:
            self.flush()
        return seq

    def _stage(self) -> None:
        if self._buf:
            self._pending.append((b"".join(self._buf), self.appended))
            self._buf.clear()

    def _drain(self) -> None:
        """Write every staged chunk in order and sync once (callers may be any thread)."""
        with self._lock:
            upto = 0
            while self._pending:
                chunk, upto = self._pending.popleft()
                view = memoryview(chunk)
                while view:
                    n = os.write(self._fd, view)
                    view = view[n:]
            if upto:
                _sync_fd(self._fd)
                self.syncs += 1
                if upto > self.synced:
                    self.synced = upto

    def stage(self) -> None:
        """Close the current group: what is buffered goes to the next :meth:`drain`."""
        self._stage()

    def drain(self) -> None:
        """Write and sync every staged group (safe from a worker thread, as the server does)."""
        self._drain()

    def flush(self) -> None:
        """Make every appended record durable now (blocking)."""
        self._stage()
        self._drain()

    async def wait(self, seq: int | None = None) -> None:
        """Return once record ``seq`` (default: the last appended) is durable.

        Concurrent callers share syncs: at most one runs at a time, and each covers every
        record appended before it started.
        """
        target = self.appended if seq is None else seq
        while self.synced < target:
            task = self._flushing
            if task is None:
                task = self._flushing = asyncio.get_running_loop().create_task(self._flush_async())
            await asyncio.shield(task)

    async def _flush_async(self) -> None:
        try:
            self._stage()
            await asyncio.to_thread(self._drain)
        finally:
            self._flushing = None

    # -- compaction -----------------------------------------------------------------------
    def truncate(self) -> None:
        """Empty the file (after a durable snapshot covers every record); numbering goes on."""
        self.flush()
        with self._lock:
            os.ftruncate(self._fd, 0)
            os.lseek(self._fd, 0, os.SEEK_SET)
            os.fsync(self._fd)

    def rotate(self, to: Path) -> None:
        """Move the file, every record so far synced in it, to ``to``; go on in a new empty file.

        A background snapshot covers the moved records; they are deleted once it is committed.
        The directory is synced before any record goes to the new file, so both names survive a
        crash.
        """
        self.flush()
        with self._lock:
            os.rename(self.path, to)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            sync_dir(self.path.parent)
            os.close(self._fd)
            self._fd = fd

    def records(self) -> Iterator[list[Any]]:
        """The records written so far (flushes first)."""
        self.flush()
        yield from read_journal(self.path)

    def close(self) -> None:
        if self._fd >= 0:
            self.flush()
            os.close(self._fd)
            self._fd = -1
