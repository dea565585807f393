"""Reading the CSV files Excel users produce: any of three delimiters, UTF-8 with or without BOM, or
Windows-1252; bad files refused with a message that says what is wrong."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from leadgate.kit.csvrows import RowErrors, read_rows
from leadgate.kit.errors import InvalidInput

# Text Windows-1252 can encode, without the characters CSV quoting or line splitting would touch.
cell = st.text(st.characters(codec="cp1252", exclude_categories=("Cc", "Cs", "Zl", "Zp"),
                             exclude_characters='";,'), max_size=12).map(str.strip)



def _valid_utf8(data: bytes) -> bool:
    """Non-ASCII bytes that also decode as UTF-8 (ASCII reads the same either way)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not data.isascii()


@given(rows=st.lists(st.tuples(cell, cell), min_size=1, max_size=6), delimiter=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), crlf=st.booleans())
def test_any_dialect_reads_back_the_same_cells(rows: list[tuple[str, str]], delimiter: str, encoding: str,
                                               crlf: bool) -> None:
    newline = "\r\n" if crlf else "\n"
    lines = [f"Contact{delimiter} Paid "] + [f"{a or 'x'}{delimiter}{b}" for a, b in rows]
    data = newline.join(lines).encode(encoding)
    if encoding == "cp1252":
        # Bytes that are also valid UTF-8 ("à\xa0¡" is E0 A0 A1, U+0821) are read as UTF-8, as any reader
        # that prefers UTF-8 must: such a file is ambiguous, not a Windows-1252 case to test.
        assume(not _valid_utf8(data))
    read = read_rows(data, "f.csv", required=(("contact",), ("paid",)))
    assert [(r.get("contact"), r.get("paid")) for r in read] == [(a or "x", b) for a, b in rows]
    assert [r.number for r in read] == list(range(2, len(rows) + 2))


@pytest.mark.parametrize(("data", "words"), [
    (b"", "is empty"),
    (b"\n \n", "is empty"),
    (b"contact;paid\n", "header but no rows"),
    (b"phone;betaald\n0612345678;ja\n", "missing column(s) paid"),
    (b"PK\x03\x04\x00\x00binary", "binary data"),
])
def test_bad_files_say_what_is_wrong(data: bytes, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_rows(data, "f.csv", required=(("contact", "phone"), ("paid",)))
    assert words in caught.value.message


def test_errors_are_listed_by_row_with_the_first_as_field() -> None:
    errors = RowErrors("f.csv")
    errors.raise_if_any()  # nothing to say: no exception
    errors.add(5, "at", "no offset")
    errors.add(3, "contact", "empty")
    with pytest.raises(InvalidInput) as caught:
        errors.raise_if_any()
    message = caught.value.message
    assert message.index("row 3: contact") < message.index("row 5: at")
    assert caught.value.field == "row 3: contact"
