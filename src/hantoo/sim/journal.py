"""The simulator's append-only command journal, with group commit.

Why a journal: the engine is a deterministic state machine under its seed and clock, so the
*commands* users send (with the simulated instant each one ran at) are all that must survive a
crash; the market's own activity is recomputed from the seed and the time. Appending one short
line per command and syncing it costs far less than rewriting the touched accounts, orders and
positions of every command into SQLite.

Record format (UTF-8 lines). Records are written in *groups*, one group per write that a
sync covers::

    <JSON array> "\n"            (one line per record of the group)
    ...
    "#" <crc32 of the group's record lines, 8 lowercase hex digits> <space> <count> "\n"

The JSON array is ``[seq, time_us, op, *args]``: ``seq`` counts records from 1 and never
repeats, ``time_us`` is the engine instant the command ran at (epoch microseconds) and ``op``
names the command (see :mod:`hantoo.sim.durable`). One checksum per group rather than per
record: a group is acknowledged as a whole (its commands answer only after the sync that
covers it), so a crash can only tear a whole group, and the per-record checksum and its
formatting were a fifth of the journal's cost on every command. A group without its trailer,
or with a wrong checksum, at the *end* of the file is a write torn by a crash: none of it was
acknowledged, so it is dropped (and cut off before appending again). A damaged group followed
by more records is corruption and is refused.

Journals written before groups (``<crc32 8 hex> <space> <JSON array>`` per line, each line its
own checksum) are read as they are; new records follow them in groups.

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


def _frame(lines: list[bytes]) -> bytes:
    """One group: the encoded records, a line each, then the trailer with their checksum."""
    body = b"\n".join(lines) + b"\n"
    return b"%s#%08x %d\n" % (body, _crc32(body), len(lines))


def _trailer_ok(line: bytes, body: bytes, count: int) -> bool:
    """Whether ``line`` (``#crc count``) closes a group of ``count`` lines reading ``body``."""
    if len(line) < 11 or line[9:10] != b" ":
        return False
    try:
        return int(line[1:9], 16) == _crc32(body) and int(line[10:]) == count
    except ValueError:
        return False


def _v1_payload(line: bytes) -> bytes | None:
    """The JSON of a pre-group line (``crc32 JSON``), or ``None`` when its checksum fails."""
    if len(line) <= 9 or line[8:9] != b" ":
        return None
    payload = line[9:]
    try:
        return payload if int(line[:8], 16) == _crc32(payload) else None
    except ValueError:
        return None


def _scan(data: bytes, path: Path) -> tuple[list[list[Any]], int]:
    """The records of ``data`` and the length of its intact prefix."""
    records: list[list[Any]] = []
    good = pos = 0  # ``good``: the end of the last intact group or pre-group line
    end = len(data)
    group: list[bytes] = []
    damaged = -1  # where a damaged unit starts; fatal only if intact data follows
    while pos < end:
        nl = data.find(b"\n", pos)
        if nl < 0:
            break  # torn final write
        line = data[pos:nl]
        if line[:1] == b"[":  # a record of the group the next trailer closes
            group.append(line)
        elif line[:1] == b"#" and group:
            if not _trailer_ok(line, data[good:pos], len(group)):
                damaged = good
                break
            for rec in group:
                records.append(_decode(rec, good, path))
            group.clear()
            good = nl + 1
        else:
            payload = None if group else _v1_payload(line)
            if payload is None:
                damaged = good if group else pos
                break
            records.append(_decode(payload, pos, path))
            good = nl + 1
        pos = nl + 1
    if damaged >= 0:
        nl = data.find(b"\n", pos)
        if nl >= 0 and nl + 1 < end:
            raise JournalCorrupt(
                f"{path}: damaged record at byte {damaged} followed by more records")
    return records, good


def _decode(payload: bytes, at: int, path: Path) -> list[Any]:
    try:
        record: list[Any] = _json_decode(payload)
    except msgspec.DecodeError:
        raise JournalCorrupt(f"{path}: record at byte {at} is not JSON") from None
    return record


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
        self._buf.append(_json_encode(record))  # encoded now: the caller's objects may change
        if self.autosync:
            self.flush()
        return seq

    def _stage(self) -> None:
        if self._buf:
            self._pending.append((_frame(self._buf), self.appended))
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
