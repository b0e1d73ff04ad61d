"""Selecting symbols: master files (a small one written here in the KIS layout), listing CSVs,
symbol files, markets, index constituents and name searches."""

from __future__ import annotations

from pathlib import Path

import pytest

from hantoo.bulk.universe import Universe, parse_master, read_symbol_file


def _kospi_line(code: str, name: str, *, group: str = "ST", k200: str = " ",
                k100: str = "N", k50: str = "N") -> str:
    head = code.ljust(9) + f"KR7{code}003".ljust(12) + name
    # group 2, size 1, industry 4+4+4, manufacturing, low liquidity, governance, then the flags
    tail = group + "1" + "0001" + "0013" + "0000" + "Y" + "N" + "N" + k200 + k100 + k50
    return head + tail.ljust(228, "0")


def _kosdaq_line(code: str, name: str) -> str:
    head = code.ljust(9) + f"KR7{code}008".ljust(12) + name
    return head + ("ST" + "2").ljust(222, "0")


@pytest.fixture
def masters(tmp_path: Path) -> tuple[Path, Path]:
    kospi = tmp_path / "kospi_code.mst"
    kospi.write_bytes("\n".join([
        _kospi_line("005930", "삼성전자", k200="1", k100="Y", k50="Y"),
        _kospi_line("005935", "삼성전자우"),
        _kospi_line("000660", "SK하이닉스", k200="1", k100="Y"),
        _kospi_line("069500", "KODEX 200", group="EF"),
    ]).encode("cp949") + b"\n")
    kosdaq = tmp_path / "kosdaq_code.mst"
    kosdaq.write_bytes((_kosdaq_line("247540", "에코프로비엠") + "\r\n").encode("cp949"))
    return kospi, kosdaq


def test_master_files_give_codes_names_markets_groups_and_indices(
        masters: tuple[Path, Path]) -> None:
    u = Universe.from_master(*masters)
    assert len(u) == 5
    by_code = {item.code: item for item in u}
    assert by_code["005930"].name == "삼성전자" and by_code["005930"].market == "KOSPI"
    assert by_code["069500"].group == "EF" and by_code["247540"].market == "KOSDAQ"
    assert u.select(["KOSPI200"]) == ["005930", "000660"]
    assert u.select(["KOSPI50"]) == ["005930"]
    assert u.select(["KOSDAQ"]) == ["247540"]
    assert u.select(["name:삼성", "000660", "005930"]) == ["005930", "005935", "000660"]


def test_index_constituents_need_the_kospi_master(tmp_path: Path) -> None:
    listing = tmp_path / "universe.csv"
    listing.write_text("code,name,market\n005930,삼성전자,KOSPI\n247540,에코프로비엠,KOSDAQ\n",
                       encoding="utf-8")
    u = Universe.load(listing)
    assert u.select(["KOSPI"]) == ["005930"]
    with pytest.raises(ValueError, match=r"kospi_code\.mst"):
        u.select(["KOSPI200"])
    with pytest.raises(ValueError, match="no issue whose name contains"):
        u.select(["name:없는회사"])


def test_symbol_files_one_per_line_or_a_code_column(tmp_path: Path) -> None:
    plain = tmp_path / "watch.txt"
    plain.write_text("# my list\n005930\n\n000660  # hynix\n", encoding="utf-8")
    table = tmp_path / "watch.csv"
    table.write_text("name,code\n삼성전자,005930\nSK하이닉스,000660\n", encoding="utf-8")
    assert read_symbol_file(plain) == ["005930", "000660"]
    assert read_symbol_file(table) == ["005930", "000660"]
    assert Universe([]).select([f"@{plain}", "035420"]) == ["005930", "000660", "035420"]
    with pytest.raises(ValueError, match="no such file"):
        read_symbol_file(tmp_path / "missing.txt")


def test_the_simulators_universe_is_the_fallback() -> None:
    u = Universe.simulator()
    assert "005930" in u and u.search("삼성전자")[:1] == ["005930"]
    assert all(not code.isalpha() for code in u.market("KOSPI"))


def test_short_or_blank_master_lines_are_skipped() -> None:
    assert parse_master("\n   \nshort\n", "KOSPI") == []
