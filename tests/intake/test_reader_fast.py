"""The UTF-8 fast path of read_table gives exactly the Table (or the error) of the general path, which
decodes the whole file first: for random tables, with tiny read sizes so every boundary case is reached."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from leadgate.intake import reader
from leadgate.intake.reader import DELIMITERS, Table, read_table
from leadgate.kit.errors import InvalidInput

# Spaces and other whitespace (NBSP, EM SPACE, NEL, ideographic space) to strip, quotes, every delimiter,
# line ends inside quoted cells, and non-ASCII text of one to four bytes a character.
ALPHABET = ["a", "Z", "0", " ", "  ", "\t", "\u00a0", "\u2003", "\u0085", "\u3000", '"', ";", ",", "|", "\t",
            "\n", "\r\n", "é", "ü", "’", "€", "中", "😀"]
CELL = st.lists(st.sampled_from(ALPHABET), max_size=6).map("".join)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from(DELIMITERS))
    width = draw(st.integers(1, 4))
    rows = [draw(st.lists(CELL, min_size=width, max_size=width))]
    rows += draw(st.lists(st.one_of(st.lists(CELL, min_size=0, max_size=width + 1),  # ragged and blank rows
                                    st.just([" "]), st.just([""])), max_size=6))
    always = draw(st.booleans())

    def cell(value: str) -> str:
        if always or any(c in value for c in (delimiter, '"', "\n", "\r")) or draw(st.booleans()):
            return '"' + value.replace('"', '""') + '"'
        return value
    line_end = draw(st.sampled_from(["\n", "\r\n"]))
    text = line_end.join(delimiter.join(cell(v) for v in row) for row in rows)
    text += draw(st.sampled_from(["", line_end, line_end * 2]))
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + text.encode("utf-8")


def _read(path: Path, *, fast: bool) -> Table | str:
    """The Table, or the message of the InvalidInput; fast=False forces the general path."""
    if not fast:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(reader, "_read_utf8_csv", lambda path, **_: None)
            return _read(path, fast=True)
    try:
        return read_table(path)
    except InvalidInput as exc:
        return exc.message


def _same(fast: Table | str, general: Table | str) -> None:
    if isinstance(general, str) or isinstance(fast, str):
        assert fast == general
        return
    assert_frame_equal(fast.frame, general.frame)
    assert (fast.headers, fast.sha256, fast.encoding, fast.delimiter) == (
        general.headers, general.sha256, general.encoding, general.delimiter)


@contextmanager
def _sizes(head: int, chunk: int) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "HEAD", head)
        patch.setattr(reader, "_CHUNK", chunk)
        yield


@settings(max_examples=400, deadline=None)
@given(csv_files(), st.sampled_from([(65536, 1 << 24), (8, 3), (1, 1), (40, 7)]))
def test_the_fast_path_gives_the_general_paths_table(content: bytes, sizes: tuple[int, int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        path.write_bytes(content)
        general = _read(path, fast=False)
        with _sizes(*sizes):
            fast = _read(path, fast=True)
        _same(fast, general)


def test_the_fast_path_is_taken_for_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(b"\xef\xbb\xbfNaam;Telefoon\r\n  Zo\xc3\xab ;0612345678\r\n;\r\n")
    taken = []
    fast = reader._read_utf8_csv

    def spied(path: Path, **kw: object) -> object:
        taken.append(fast(path, **kw))  # type: ignore[arg-type]
        return taken[-1]
    monkeypatch.setattr(reader, "_read_utf8_csv", spied)
    table = read_table(path)
    assert taken[0] is not None
    assert (table.encoding, table.delimiter, table.headers) == ("utf-8-sig", ";", ["Naam", "Telefoon"])
    assert table.frame.rows() == [(2, "Zoë", "0612345678")]


def test_windows_1252_after_the_first_bytes_goes_the_general_way(tmp_path: Path) -> None:
    """UTF-8 in the bytes the fast path checks first, Windows-1252 further on: the file is Windows-1252."""
    path = tmp_path / "leads.csv"
    path.write_bytes(b"Naam;Plaats\r\n" + b"Jan;Zo\xc3\xab\r\n" * 10_000 + "Zoë;Dupré\r\n".encode("cp1252"))
    table = read_table(path)
    assert table.encoding == "windows-1252"
    assert table.frame.row(0) == (2, "Jan", "ZoÃ«")  # read as Windows-1252 throughout, as before
    assert table.frame.row(-1) == (10_002, "Zoë", "Dupré")


@pytest.mark.parametrize("content", [
    b'"Naam\nvoluit";Telefoon\nJan;06\n',  # a header cell over two lines
    b"\xef\xbb\xbf\xef\xbb\xbfNaam;Telefoon\nJan;06\n",  # two byte order marks
    b"  \n\nNaam;Telefoon\nJan;06\n",  # a blank first line
    b"Naam;Telefoon\nJan;\xe9\n",  # not UTF-8
    b"\xff\xfeN\x00a\x00a\x00m\x00\n\x00J\x00\n\x00",  # UTF-16
    b"Naam;Telefoon\n",  # no data rows
    b"PK\x03\x04\x14\x00\x00\x00binary",
])
def test_unusual_files_give_what_they_gave(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    _same(_read(path, fast=True), _read(path, fast=False))


@settings(max_examples=300, deadline=None)
@given(csv_files(), st.sets(st.integers(0, 4), min_size=1), st.booleans())
def test_reading_some_columns_gives_those_columns_of_the_whole_table(content: bytes, chosen: set[int],
                                                                     fast: bool) -> None:
    """Rows and their numbers as when every column is read, blank lines told by every column (a line whose
    only text is in a column not read is a row), the chosen columns alone in the frame."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        path.write_bytes(content)
        whole = _read(path, fast=fast)
        with pytest.MonkeyPatch.context() as patch:
            if not fast:
                patch.setattr(reader, "_read_utf8_csv", lambda path, **_: None)
            try:
                some: Table | str = read_table(path, columns=lambda headers: chosen & set(range(len(headers))))
            except InvalidInput as exc:
                some = exc.message
    if isinstance(whole, str) or isinstance(some, str):
        assert some == whole
        return
    kept = [c for c in whole.frame.columns if c == "_row" or int(c[1:]) in chosen] \
        if chosen & set(range(len(whole.headers))) else whole.frame.columns
    assert_frame_equal(some.frame, whole.frame.select(kept))
    assert (some.headers, some.sha256) == (whole.headers, whole.sha256)


def test_the_other_columns_are_read_only_for_a_row_blank_in_the_chosen_ones(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(b"Naam;Telefoon;Opmerking\nJan;0612345678;x\n")
    parsed: list[list[int]] = []
    parse = reader._polars_csv

    def spied(source: object, delimiter: str, *, header: bool, columns: list[int] | None = None) -> object:
        if not header:
            parsed.append(columns)  # type: ignore[arg-type]
        return parse(source, delimiter, header=header, columns=columns)  # type: ignore[arg-type]
    monkeypatch.setattr(reader, "_polars_csv", spied)
    assert read_table(path, columns=lambda headers: {1}).frame.rows() == [(2, "0612345678")]
    assert parsed == [[1]]  # the chosen column alone, once
    path.write_bytes(b"Naam;Telefoon;Opmerking\nJan;;x\n;;\n")
    assert read_table(path, columns=lambda headers: {1}).frame.rows() == [(2, None)]  # line 3 is blank
    assert parsed[1:] == [[1], [0, 2]]


def test_a_file_changed_before_its_other_columns_are_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(b"Naam;Telefoon\n;\nJan;0612345678\n")
    fast = reader._read_utf8_csv(path, columns=lambda headers: {1})
    assert fast is not None and fast[5] is not None
    path.write_bytes(b"Naam;Telefoon\nPiet;\nJan;0612345678\n")
    with pytest.raises(InvalidInput, match="changed while it was being read"):
        fast[5]()
