"""Register files as the registers and check services write them: every separator, number form, header
and encoding gives the same numbers; bad lines are counted and shown masked, never fatal."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.kit.errors import InvalidInput
from leadgate.kit.textfiles import HEAD
from leadgate.registers import parse
from leadgate.registers.parse import mask, parse_check, parse_full

# Belgian mobiles (+32 4[5-9]x xx xx xx) and Brussels fixed lines (+32 2 2xx xx xx).
BE_NUMBER = st.one_of(st.integers(32_450_000_000, 32_499_999_999), st.integers(3_222_000_000, 3_228_999_999))


def written(number: int, form: str) -> str:
    digits = str(number)
    national = "0" + digits[2:]
    return {"national": national, "cc": digits, "plus": "+" + digits, "intl": "00" + digits,
            "spaced": f"{national[:4]} {national[4:6]} {national[6:8]} {national[8:]}"}[form]


@settings(max_examples=60, deadline=None)
@given(numbers=st.lists(BE_NUMBER, min_size=1, max_size=30),
       form=st.sampled_from(["national", "cc", "plus", "intl", "spaced"]),
       separator=st.sampled_from([";", ",", "\t", " ", "  "]),
       header=st.booleans(), crlf=st.booleans(), dates=st.booleans())
def test_dncm_lines_in_any_layout_give_the_same_numbers(numbers: list[int], form: str, separator: str, header: bool,
                                                         crlf: bool, dates: bool) -> None:
    if form == "spaced" and separator.strip() == "":
        form = "national"  # whitespace-separated files cannot have spaces inside the number
    lines = [written(n, form) + (f"{separator}2019-05-0{1 + i % 9}" if dates else "") for i, n in enumerate(numbers)]
    if header:
        lines.insert(0, f"number{separator}registration_date" if dates else "number")
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    parsed = parse_full(text.encode(), register="be-dncm", where="dncm.txt")
    assert parsed.numbers.to_list() == sorted(set(numbers))
    assert parsed.numbers.dtype == pl.Int64
    assert (parsed.lines_total, parsed.lines_invalid) == (len(numbers), 0)


def test_bad_lines_are_counted_and_shown_masked_with_their_line_numbers() -> None:
    text = "number;date\n0470123456;2020-01-01\nn/a;2020-01-01\n\n0470123457;2020-01-02\n0470-12;x\n+32470123456;x\n"
    parsed = parse_full(text.encode(), register="be-dncm", where="dncm.txt")
    assert parsed.numbers.to_list() == [32470123456, 32470123457]
    assert parsed.lines_total == 5 and parsed.lines_invalid == 2
    assert parsed.examples == ((3, mask("n/a;2020-01-01")), (6, mask("0470-12;x")))
    assert "2020-01-01" not in parsed.examples[0][1]  # the line is masked, not repeated whole


def test_a_file_read_in_pieces_gives_the_same_numbers_and_line_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["number;date", *(f"04701{i:05d};2020-01-01" for i in range(200))]
    lines[57], lines[133] = "bad line;x", "047;x"
    data = ("\n".join(lines) + "\n").encode()
    whole = parse_full(data, register="be-dncm", where="d.txt")
    monkeypatch.setattr(parse, "PIECE", 100)  # a few lines a piece
    pieces = parse_full(data, register="be-dncm", where="d.txt")
    assert pieces.numbers.to_list() == whole.numbers.to_list() and pieces.numbers.len() == 198
    assert pieces.examples == whole.examples == ((58, mask("bad line;x")), (134, mask("047;x")))
    assert (pieces.lines_total, pieces.lines_invalid) == (whole.lines_total, whole.lines_invalid) == (200, 2)


def test_mask_keeps_only_the_ends() -> None:
    assert mask("0470123456") == "0470****56"
    assert mask("abc") == "ab*"


def test_tps_national_numbers_default_to_gb() -> None:
    parsed = parse_full(b"07911123456\n02079460018\n07911123456\n", register="gb-tps", where="tps.txt")
    assert parsed.numbers.to_list() == [442079460018, 447911123456]
    assert parsed.lines_total == 3


def test_generic_csv_with_a_named_column_and_a_windows_1252_header() -> None:
    text = "Nom;Téléphone;Date\nA;06 12 34 56 78;x\nB;01 23 45 67 89;y\nC;;z\n"
    parsed = parse_full(text.encode("cp1252"), register="fr-bloctel", where="f.csv", column="Téléphone")
    assert parsed.numbers.to_list() == [33123456789, 33612345678]
    assert parsed.encoding == "windows-1252" and parsed.lines_invalid == 1 and parsed.examples[0][0] == 4
    with pytest.raises(InvalidInput, match="no column 'Phone'"):
        parse_full(text.encode("cp1252"), register="fr-bloctel", where="f.csv", column="Phone")


def test_a_file_without_any_valid_number_is_an_error_not_an_empty_register() -> None:
    with pytest.raises(InvalidInput, match="no valid phone number in 2 line"):
        parse_full(b"12\nworld\n", register="be-dncm", where="x.txt")


def test_binary_files_are_refused_by_what_they_are() -> None:
    with pytest.raises(InvalidInput, match="gzip"):
        parse_full(b"\x1f\x8b\x08\x00" + bytes(100), register="be-dncm", where="x.txt.gz")


def test_check_answers_with_their_listed_flags() -> None:
    text = ("numero;statut\n0612345678;inscrit\n0612345679;non inscrit\n0612345680;OUI\n0612345681;?\n"
            "0612345679;1\n")
    parsed = parse_check(text.encode(), register="fr-bloctel", where="answer.csv")
    assert parsed.listed is not None
    got = dict(zip(parsed.numbers.to_list(), parsed.listed.to_list(), strict=True))
    # An unknown flag makes the row invalid; a number listed on any of its rows is listed (fail closed).
    assert got == {33612345678: True, 33612345679: True, 33612345680: True}
    assert parsed.lines_invalid == 1 and parsed.examples[0][0] == 5


@settings(max_examples=30, deadline=None)
@given(flags=st.lists(st.tuples(st.integers(33_612_000_000, 33_612_999_999),
                                st.sampled_from(["1", "0", "true", "false", "yes", "no", "listed", "not listed"])),
                      min_size=1, max_size=20, unique_by=lambda t: t[0]),
       separator=st.sampled_from([";", ",", "\t"]))
def test_check_flags_round_trip(flags: list[tuple[int, str]], separator: str) -> None:
    text = f"number{separator}listed\n" + "".join(f"+{n}{separator}{flag}\n" for n, flag in flags)
    parsed = parse_check(text.encode(), register="fr-bloctel", where="a.csv")
    assert parsed.listed is not None
    want = {n: flag in ("1", "true", "yes", "listed") for n, flag in flags}
    assert dict(zip(parsed.numbers.to_list(), parsed.listed.to_list(), strict=True)) == want


@pytest.mark.parametrize(("encoding", "bom", "odd"), [("utf-16-le", b"\xff\xfe", "\U0001F600"),
                                                    ("utf-8", b"\xef\xbb\xbf", "é")])
def test_a_character_across_the_binary_check_s_cut_is_read(encoding: str, bom: bytes, odd: str) -> None:
    """The first 64 KB are looked at for binary data: a valid file whose character straddles that cut
    (a UTF-16 surrogate pair, a two-byte UTF-8 letter) is read, not refused."""
    line, unit = "0470123456\n", 2 if encoding.startswith("utf-16") else 1
    lines, rest = divmod((HEAD - unit - len(bom)) // unit, len(line))  # the character starts one unit before
    text = line * lines + "x" * rest + odd + "\n0470999999\n"
    data = bom + text.encode(encoding)
    with pytest.raises(UnicodeDecodeError):
        data[len(bom):HEAD].decode(encoding)  # the cut does split the character
    parsed = parse_full(data, register="be-dncm", where="cut.txt")
    assert parsed.numbers.to_list() == [32470123456, 32470999999]
    assert parsed.lines_invalid == 1 and parsed.examples[0][0] == lines + 1


def test_a_utf8_file_with_its_byte_order_mark_and_a_bad_byte_names_the_line() -> None:
    data = b"\xef\xbb\xbf0470123456\n0470123457\n04701\xff3458\n"
    with pytest.raises(InvalidInput, match=r"bad\.txt .*line 3 is not valid UTF-8"):
        parse_full(data, register="be-dncm", where="bad.txt")
