"""Reading register files column-wise: the full lists (DNCM "number + registration date" lines, TPS/CTPS
national numbers, a generic CSV with a named number column) and a check service's answer (a CSV of the
submitted numbers with a listed flag), into sorted distinct E.164 numbers (digits as int64).

Numbers go through `leadgate.intake.phones.normalise_phones` with the register's country as default
region, so a register number is judged exactly like a lead's. A bad line is counted and shown (masked),
never fatal; a file without a single valid number is an error, since importing it would unlist everyone.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import phonenumbers
import polars as pl

from leadgate.intake.phones import normalise_phones
from leadgate.kit.errors import InvalidInput
from leadgate.kit.textfiles import HEAD, decode_text, refuse_binary, sniff_delimiter

Format = Literal["dncm", "tps", "csv"]
FORMATS: tuple[Format, ...] = ("dncm", "tps", "csv")
EXAMPLES = 5
PIECE = 64 * 1024 * 1024  # bytes of lines parsed at a time (~3 million register lines)
TRUTHY = frozenset({"1", "true", "yes", "y", "oui", "o", "ja", "j", "x", "listed", "inscrit", "inscrite",
                    "bloctel", "opposed", "oppose", "opposé", "blocked", "tps", "ctps"})
FALSY = frozenset({"0", "false", "no", "n", "non", "nee", "not listed", "not_listed", "unlisted", "non inscrit",
                   "non-inscrit", "non_inscrit", "non inscrite", "free", "libre", "clean"})
NUMBER_NAMES = ("number", "numero", "numéro", "phone", "telephone", "téléphone", "tel", "msisdn", "nummer")
LISTED_NAMES = ("listed", "status", "statut", "result", "résultat", "resultat", "inscrit", "bloctel", "opposition")


@dataclass(frozen=True)
class ParsedFile:
    """What one register file says. `numbers`: distinct, sorted, Int64; for a check-service answer `listed`
    holds the flag of each (same order), else None. `examples`: (line number, masked value) of bad lines."""

    numbers: pl.Series
    listed: pl.Series | None
    lines_total: int
    lines_invalid: int
    examples: tuple[tuple[int, str], ...]
    encoding: str


def region_of(register: str) -> str:
    """The default region of a register's national numbers: its name's first two letters (gb-tps -> GB)."""
    return register[:2].upper()


def default_format(register: str) -> Format:
    return "tps" if register.startswith("gb-") else "dncm"


def mask(value: str) -> str:
    """A bad line as shown in reports: enough to find it in the file, not the whole number."""
    value = value.strip()[:40]
    if len(value) <= 6:
        return value[:2] + "*" * max(len(value) - 2, 0)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def _utf8(data: bytes, where: str) -> tuple[bytes, str]:
    """The file as UTF-8 bytes, with binary files refused. Plain ASCII (every real register) is not copied."""
    # Binary files and UTF-16 without a byte order mark, refused by name. Not decode_text of the head: its
    # cut could split a UTF-8 or UTF-16 character of a valid file.
    refuse_binary(data[:HEAD], where)
    if data.isascii():
        return data, "ascii"
    text, encoding = decode_text(data, where)
    return text.encode("utf-8"), encoding


def _pieces(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The file in pieces of whole lines, each with the number of its first line: the intermediate columns
    of a 25-million-line file at once would take several GB."""
    start, line = 0, 1
    while start < len(data):
        end = data.find(b"\n", start + PIECE)
        end = len(data) if end < 0 else end + 1
        piece = data[start:end]
        yield line, piece
        line += piece.count(b"\n")
        start = end


def _lines(data: bytes, first: int = 1) -> pl.DataFrame:
    """Columns line_no (1-based, as an editor counts) and line (stripped), blank lines dropped."""
    whole = pl.Series("line", [data], dtype=pl.Binary).cast(pl.String)
    lines = whole.str.split("\n").explode().to_frame()
    return (lines.with_row_index("line_no", offset=first)
            .with_columns(pl.col("line").str.strip_chars())
            .filter(pl.col("line").str.len_bytes() > 0))


def _international(raw: pl.Expr, region: str) -> pl.Expr:
    """`32470...` written without + or 00 (a register's own export) becomes `+32470...`; national numbers
    start with 0 in every region leadgate serves, so no national number is mistaken for one."""
    code = str(phonenumbers.country_code_for_region(region))
    return pl.when(raw.str.contains(f"^{code}[0-9]{{6,13}}$")).then(pl.lit("+") + raw).otherwise(raw)


def _found(frame: pl.DataFrame, region: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`frame` (line_no, raw, ...) with raw in international form, and the distinct raws with their `number`
    (Int64, null when not a valid phone number)."""
    frame = frame.with_columns(_international(pl.col("raw").fill_null(""), region).alias("raw"))
    pairs = frame.select(pl.col("raw"), pl.lit(region).alias("region"))
    found = normalise_phones(pairs).select("raw", pl.col("e164").str.slice(1).cast(pl.Int64).alias("number"))
    return frame, found


def _normalise(frame: pl.DataFrame, region: str) -> pl.DataFrame:
    """`frame` (line_no, raw, ...) with a `number` column (Int64, null when not a valid phone number)."""
    frame, found = _found(frame, region)
    return frame.join(found, on="raw", how="left")


def _first_field(lines: pl.DataFrame, sample: str) -> pl.DataFrame:
    """The number of each line: its first field, whatever the separator (`;`, `,`, tab, `|` or whitespace,
    as the `sample` lines show it)."""
    separator = next((s for s in (";", "\t", ",", "|") if s in sample), None)
    if separator is None:
        # Whitespace only: the number may itself hold spaces (`0470 12 34 56`), so the line minus a trailing
        # date (and whatever follows it) is the number.
        raw = pl.col("line").str.replace(r"\s+\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(\s.*|T.*)?$", "")
    else:
        raw = pl.col("line").str.split_exact(separator, 1).struct.field("field_0").str.strip_chars()
        if '"' in sample:
            raw = raw.str.strip_chars('"')
    return lines.select("line_no", raw.alias("raw"), "line")


def _distinct(numbers: pl.Series) -> pl.Series:
    """Sorted distinct numbers: a sort and one comparison with the neighbour (no hash table of 25 M)."""
    ordered = numbers.sort()
    return ordered.filter(ordered.diff().fill_null(1) != 0)


def _header_dropped(frame: pl.DataFrame) -> pl.DataFrame:
    """Without the first line if it is a header: letters and no valid number (`number;date`, `Nummer`)."""
    if frame.height == 0:
        return frame
    first = frame.row(0, named=True)
    if first["number"] is None and any(c.isalpha() for c in str(first["line"])):
        return frame.slice(1)
    return frame


def _examples(lines: pl.DataFrame) -> tuple[tuple[int, str], ...]:
    bad = lines.filter(pl.col("number").is_null()).head(EXAMPLES).select("line_no", "line")
    return tuple((int(n), mask(str(v))) for n, v in bad.iter_rows())


def _report(numbers: pl.Series, listed: pl.Series | None, lines: pl.DataFrame, encoding: str,
            where: str) -> ParsedFile:
    """`lines` (line_no, line, number: null on a bad line) gives the counts and the examples."""
    invalid = lines.filter(pl.col("number").is_null()).height
    return _checked(ParsedFile(numbers, listed, lines.height, invalid, _examples(lines), encoding), where)


def _checked(parsed: ParsedFile, where: str) -> ParsedFile:
    if parsed.numbers.len() == 0:
        raise InvalidInput(f"{where} has no valid phone number in {parsed.lines_total:,} line(s); nothing was "
                           "imported. Is it the right file, and the right --format / --column?", field="file")
    return parsed


def _result(frame: pl.DataFrame, encoding: str, where: str, listed: bool) -> ParsedFile:
    good = frame.filter(pl.col("number").is_not_null())
    if listed:
        # One answer per number: a number listed on any of its lines counts as listed (fail closed).
        good = good.group_by("number").agg(pl.col("listed").any()).sort("number")
        return _report(good["number"], good["listed"], frame, encoding, where)
    return _report(good["number"].unique().sort(), None, frame, encoding, where)


def parse_full(data: bytes, *, register: str, where: str, fmt: Format | None = None,
               column: str | None = None) -> ParsedFile:
    """A full register file. `dncm`/`tps`: one number a line (first field; a header line is skipped);
    `csv` (or any format with `column`): a CSV with a header, the number in `column` (default: the first)."""
    data, encoding = _utf8(data, where)
    region = region_of(register)
    if column is not None or (fmt or default_format(register)) == "csv":
        frame = _csv(data, where, column)
        return _result(_normalise(frame, region), encoding, where, listed=False)
    parts: list[pl.Series] = []
    total, invalid, sample = 0, 0, ""
    examples: tuple[tuple[int, str], ...] = ()
    for first, piece in _pieces(data):
        lines = _lines(piece, first)
        sample = sample or " ".join(lines["line"].head(50).to_list())
        frame, found = _found(_first_field(lines, sample), region)
        # Millions of distinct numbers: joining them back to their lines would cost more than the rest
        # together, so only the few bad values are looked up again.
        bad = found.filter(pl.col("number").is_null())["raw"]
        is_bad = pl.col("raw").is_in(bad.to_list())
        lines = frame.select("line_no", "line", pl.when(is_bad).then(None).otherwise(0).alias("number"))
        lines = _header_dropped(lines) if first == 1 else lines
        parts.append(found["number"].drop_nulls())
        total += lines.height
        invalid += lines.filter(pl.col("number").is_null()).height
        examples = (*examples, *_examples(lines))[:EXAMPLES]
    numbers = _distinct(pl.concat(parts)) if parts else pl.Series("number", [], dtype=pl.Int64)
    return _checked(ParsedFile(numbers, None, total, invalid, examples, encoding), where)


def _pick(columns: list[str], wanted: str | None, names: tuple[str, ...], default: int, what: str,
          where: str) -> str:
    if wanted is not None:
        if wanted not in columns:
            raise InvalidInput(f"{where} has no column {wanted!r} (columns: {', '.join(columns)}).", field="column")
        return wanted
    for column in columns:
        if column.strip().lower() in names:
            return column
    if len(columns) <= default:
        raise InvalidInput(f"{where} needs a {what} column (columns found: {', '.join(columns)}).", field="file")
    return columns[default]


def _csv(data: bytes, where: str, column: str | None, listed: bool = False) -> pl.DataFrame:
    """A CSV with a header as (line_no, raw, line[, flag]); line numbers count the header as line 1."""
    header = data[:4096].split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    separator = sniff_delimiter(header)
    table = pl.read_csv(io.BytesIO(data), separator=separator, infer_schema=False, truncate_ragged_lines=True)
    columns = table.columns
    name = _pick(columns, column, NUMBER_NAMES, 0, "number", where)
    out = table.with_row_index("line_no", offset=2).select(
        "line_no", pl.col(name).str.strip_chars().alias("raw"), pl.col(name).fill_null("").alias("line"))
    if listed:
        flag = _pick(columns, None, LISTED_NAMES, 1, "listed/status", where)
        out = out.with_columns(table[flag].str.strip_chars().str.to_lowercase().fill_null("").alias("flag"))
    return out


def parse_check(data: bytes, *, register: str, where: str, column: str | None = None) -> ParsedFile:
    """A check service's answer: a CSV with a header, one submitted number a row and whether it is listed.

    The number column is `column`, else one named like number/numero/phone/telephone/msisdn, else the
    first; the flag column is one named listed/status/statut/result/inscrit/bloctel, else the second. Listed:
    1, true, yes, oui, listed, inscrit, bloctel ...; not listed: 0, false, no, non, not listed, non inscrit,
    libre ... Any other flag makes the row invalid (an unknown answer is not a "not listed")."""
    data, encoding = _utf8(data, where)
    frame = _csv(data, where, column, listed=True)
    flag = pl.col("flag")
    frame = frame.with_columns(
        pl.when(flag.is_in(list(TRUTHY))).then(True).when(flag.is_in(list(FALSY))).then(False)
        .otherwise(None).alias("listed"))
    frame = _normalise(frame, region_of(register)).with_columns(
        pl.when(pl.col("listed").is_null()).then(None).otherwise(pl.col("number")).alias("number"),
        (pl.col("line") + pl.lit(" / ") + flag).alias("line"))
    return _result(frame, encoding, where, listed=True)
