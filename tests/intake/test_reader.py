"""Reading supplier files as Excel users save them, and refusing what is not a table, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.intake.mapping import Mapping, normalise_name, plan, read_mapping
from leadgate.intake.reader import DELIMITERS, read_table, sniff_delimiter
from leadgate.kit.errors import InvalidInput

HEADER = ["Naam", "Telefoon", "E-mail", "Plaats"]
ROWS = [["Zoë Müller", "06-12345678", "zoe@example.nl", "Den Haag; Centrum"], ["Jean Dupré", "", "", ""]]


def _csv(delimiter: str) -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if delimiter in value else value
    return "\r\n".join(delimiter.join(cell(v) for v in row) for row in [HEADER, *ROWS]) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(_csv(delimiter).encode(encoding))
    table = read_table(path)
    assert table.headers == HEADER
    assert table.delimiter == delimiter
    assert table.frame.row(0) == (2, "Zoë Müller", "06-12345678", "zoe@example.nl", "Den Haag; Centrum")
    assert table.frame.row(1) == (3, "Jean Dupré", None, None, None)  # empty cells are missing values


def test_row_numbers_are_those_of_the_spreadsheet_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("phone\n0612345678\n\n  \n0612345679\n", encoding="utf-8")
    assert read_table(path).frame["_row"].to_list() == [2, 5]


@pytest.mark.parametrize(("content", "words"), [
    (b"", "is empty"),
    (b"  \r\n", "is empty"),
    (b"Naam;Telefoon\r\n", "header but no data rows"),
    (b"PK\x03\x04\x14\x00\x00\x00binary", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel .xls"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image"),
    (bytes(range(256)) * 4, "binary data"),
    ("Naam;Telefoon\r\nJan;0612345678\r\n".encode("utf-16-le"), "UTF-16 text without a byte order mark"),
])
def test_bad_files_are_refused_whole(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        read_table(path)
    assert words in caught.value.message


def test_xlsx_cells_read_as_text(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Naam", "Telefoon", "Opt-in datum"])
    sheet.append(["Jan", 612345678, "2026-10-02T14:03:00+02:00"])
    sheet.append([None, None, None])
    sheet.append(["Zoë", "+31 6 12345679", None])
    path = tmp_path / "leads.xlsx"
    book.save(path)
    table = read_table(path)
    assert table.headers == ["Naam", "Telefoon", "Opt-in datum"]
    assert table.frame.rows() == [(2, "Jan", "612345678", "2026-10-02T14:03:00+02:00"),
                                  (4, "Zoë", "+31 6 12345679", None)]


@given(st.lists(st.sampled_from(["a", "b c", '"x;y"', "Naam", "e-mail"]), min_size=2, max_size=6),
       st.sampled_from(DELIMITERS))
def test_the_delimiter_is_the_one_in_the_header(names: list[str], delimiter: str) -> None:
    assert sniff_delimiter(delimiter.join(names)) == delimiter


def test_default_aliases_in_three_languages() -> None:
    headers = ["Téléphone", "E-mail", "Nom", "Pays", "Bron", "KvK-nummer", "Opt-in datum", "Geheim"]
    found = plan(headers, Mapping(), "f.csv")
    assert found.fields == {"phone": 0, "email": 1, "name": 2, "country": 3, "source_code": 4,
                            "organisation_id": 5, "consent_given_at": 6}
    assert found.implied == {"organisation_id_kind": "kvk"}
    assert found.ignored == ["Geheim"]
    assert normalise_name(" Adresse e-mail ") == "adresseemail"


def test_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text('extra = ["Interesse"]\ntimezone = "Europe/Amsterdam"\n[columns]\n"Mob. nr" = "phone"\n'
                    '"Tel" = "job_title"\n[defaults]\ncountry = "BE"\n', encoding="utf-8")
    mapping = read_mapping(path)
    found = plan(["Mob. nr", "Tel", "Interesse", "Land"], mapping, "f.csv")
    assert found.fields == {"phone": 0, "job_title": 1, "country": 3}
    assert found.extra == {"Interesse": 2}
    assert mapping.defaults == {"country": "BE"} and mapping.timezone == "Europe/Amsterdam"


@pytest.mark.parametrize(("text", "words"), [
    ('[columns]\n"Tel" = "telephone"\n', "'telephone' is not a leadgate field"),
    ('[colums]\n"Tel" = "phone"\n', "unknown key(s) colums"),
    ('[columns\n', "not valid TOML"),
    ('[defaults]\ncountry = "NL"\nextra = ["Interesse"]\n', "extra must come before the first [table]"),
])
def test_bad_mapping_files(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_mapping(path)
    assert words in caught.value.message


@pytest.mark.parametrize(("headers", "words"), [
    (["Naam", "Plaats"], "no phone or e-mail column found"),
    (["Telefoon", "Phone"], "both map to phone"),
])
def test_column_problems_are_named(headers: list[str], words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        plan(headers, Mapping(), "f.csv")
    assert words in caught.value.message


def test_the_example_mapping_file_is_valid() -> None:
    mapping = read_mapping(Path(__file__).parents[2] / "examples" / "mapping.toml")
    found = plan(["Mob. nr", "Mailadres klant", "KvK", "Optin tijdstip", "Interesse", "Voorkeur belmoment", "Naam"],
                 mapping, "f.csv")
    assert found.fields == {"phone": 0, "email": 1, "organisation_id": 2, "consent_given_at": 3, "name": 6}
    assert list(found.extra) == ["Interesse", "Voorkeur belmoment"]


def test_a_utf8_lead_file_with_its_byte_order_mark_and_a_bad_byte_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(b"\xef\xbb\xbfphone;city\n0612345678;Gen\xe8ve\n")  # a Windows-1252 letter after a UTF-8 mark
    with pytest.raises(InvalidInput, match=r"leads\.csv starts as UTF-8 .*line 2 is not valid UTF-8"):
        read_table(path)
