"""The journal's group framing: what a crash can leave, what is corruption, older files.

Records are written in groups closed by one checksum line (``#crc count``); a group is
acknowledged only after the sync covering it, so a crash tears at most whole groups at the
end, which are dropped. Journals written one checksum per line (before groups) still read.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from hantoo.sim.journal import CommandJournal, JournalCorrupt, read_journal


def _grouped(path: Path, groups: list[int], autosync: bool = False) -> list[list[object]]:
    """Write ``groups`` (their sizes) through a journal; the records written."""
    j = CommandJournal(path, autosync=autosync)
    written: list[list[object]] = []
    t = 1_700_000_000_000_000
    for size in groups:
        for _ in range(size):
            t += 1
            rec: list[object] = [0, t, "dep", "10000001", "01", "1000", "KRW"]
            j.add(rec)
            written.append(rec)
        j.flush()
    j.close()
    return written


def test_groups_are_one_checksum_each_and_read_back_in_order(tmp_path: Path) -> None:
    path = tmp_path / "j"
    written = _grouped(path, [3, 1, 5])
    lines = path.read_bytes().splitlines()
    assert [ln for ln in lines if ln.startswith(b"#")] == [
        ln for ln in lines if not ln.startswith(b"[")]
    assert sum(ln.startswith(b"#") for ln in lines) == 3
    assert read_journal(path) == written
    assert [r[0] for r in written] == list(range(1, 10))


def test_a_torn_last_group_is_dropped_and_cut_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "j"
    written = _grouped(path, [2, 2])
    good = path.read_bytes()
    for tail in (b'[5,1,"dep"]\n[6,1,"dep"]\n',  # records written, the trailer never
                 b'[5,1,"dep"]\n#0000',  # the trailer itself torn
                 b'[5,1,"dep"]\n#00000000 1\n'):  # a wrong checksum on the last group
        path.write_bytes(good + tail)
        assert read_journal(path) == written
        j = CommandJournal(path, last_seq=4)
        assert path.read_bytes() == good  # cut off before anything new is appended
        j.add([0, 9, "clk"])
        j.close()
        assert [r[0] for r in read_journal(path)] == [1, 2, 3, 4, 5]
        path.write_bytes(good)


def test_a_damaged_group_followed_by_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j"
    _grouped(path, [2, 2, 2])
    data = path.read_bytes()
    first_record_end = data.index(b"\n")
    damaged = data[:5] + b"9" + data[6:]  # a digit of the first record changed
    assert damaged != data and damaged.index(b"\n") == first_record_end
    path.write_bytes(damaged)
    with pytest.raises(JournalCorrupt, match="followed by more records"):
        read_journal(path)
    with pytest.raises(JournalCorrupt):
        CommandJournal(path)


def test_a_journal_of_checksummed_lines_still_reads_and_grows_in_groups(tmp_path: Path) -> None:
    path = tmp_path / "j"
    old = [[1, 10, "acct", "10000001", "01", "5000", "0"], [2, 11, "clk"]]
    lines = []
    for rec in old:
        payload = b'[%d,%d,"%s"%s]' % (rec[0], rec[1], str(rec[2]).encode(),
                                      b"".join(b',"%s"' % str(a).encode() for a in rec[3:]))
        lines.append(b"%08x %s\n" % (zlib.crc32(payload), payload))
    path.write_bytes(b"".join(lines))
    assert read_journal(path) == old
    j = CommandJournal(path, last_seq=2)
    j.add([0, 12, "clk"])
    j.close()
    assert read_journal(path) == [*old, [3, 12, "clk"]]
