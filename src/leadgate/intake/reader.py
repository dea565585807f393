"""Reading a supplier's file (CSV as Excel users save it, or XLSX) into a table of text columns.

CSV: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), else Windows-1252 (Excel's
"CSV" on Windows) and Latin-1 for the five bytes Windows-1252 leaves undefined; the delimiter (`;`, `,`,
tab or `|`) is sniffed from the header line. Every value stays text: a phone number is never a number.
A binary file (an .xlsx, .xls, .pdf or picture renamed .csv) is refused with what it looks like.

A UTF-8 file (the common case) is parsed by polars straight from the open file, with neither a copy of
its bytes nor a decoded copy in Python, while a thread hashes it and checks that it is UTF-8 (hashing
releases the GIL, so the two overlap); anything unusual about the file
(another encoding, a blank or over-long first line, the file changing while read, a polars error) sends
it down the general path, which decodes it whole and gives the same Table or the same error as always.
"""

from __future__ import annotations

__all__ = ["DELIMITERS", "Table", "read_table", "sniff_delimiter"]

import codecs
import hashlib
import io
import os
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from pathlib import Path

import polars as pl

from leadgate.kit.errors import InvalidInput
from leadgate.kit.textfiles import DELIMITERS, HEAD, decode_text, refuse_binary, sniff_delimiter

_BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 24  # bytes hashed and checked at a time by the fast path's thread
_GROUP = 2  # columns stripped at a time: in parallel on two cores, one stripped copy of two columns in memory


@dataclass(frozen=True)
class Table:
    """The file's data rows as text columns (None for empty cells) and where each came from."""

    frame: pl.DataFrame  # columns "c0", "c1", ... (header names may repeat); "_row" = row number (header = 1)
    headers: list[str]  # the header as written, in column order
    sha256: str
    encoding: str
    delimiter: str | None  # None for XLSX


Columns = Callable[[list[str]], Collection[int] | None]


def read_table(path: Path, *, columns: Columns | None = None) -> Table:
    """The file as a Table, or InvalidInput saying what is wrong with it as a whole. `columns`: given the
    header, the indices of the columns the caller reads (None: all); the Table's frame then holds only
    those (named by their index as always), and the others are looked at only to tell a blank line."""
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist or is not a file.", field="file")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        fast = _read_utf8_csv(path, columns=columns)
        if fast is not None:
            headers, frame, sha, encoding, separator, rest = fast
            return _table(path.name, headers, frame, sha, encoding, separator, columns=columns, rest=rest)
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise InvalidInput(f"{path.name} is empty.", field="file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        headers, frame = _read_xlsx(data, path.name)
        encoding, delimiter = "xlsx", None
    else:
        text, encoding = decode_text(data, path.name)
        del data
        headers, frame, delimiter = _read_csv(text, path.name)
    return _table(path.name, headers, frame, sha, encoding, delimiter, columns=columns)


# The columns the caller did not choose, read only when some row is blank in the chosen ones (see _table).
Rest = Callable[[], pl.DataFrame]


def _table(name: str, headers: list[str], frame: pl.DataFrame, sha: str, encoding: str,
           delimiter: str | None, *, columns: Columns | None = None, rest: Rest | None = None) -> Table:
    """The Table of a file's text columns: cells stripped, empty ones missing, blank rows dropped. `rest`:
    the reader parsed only the chosen columns (`frame`), and this reads the others when they are needed."""
    headers = [h.strip() for h in headers]
    others = pl.DataFrame()
    if rest is None:
        chosen = columns(headers) if columns is not None else None
        if chosen:  # the other columns are neither stripped nor kept: screening reads ~6 of a file's columns
            others = frame.select(c for i, c in enumerate(frame.columns) if i not in chosen)
            frame = frame.select(c for i, c in enumerate(frame.columns) if i in chosen)
    _strip_cells(frame)
    frame = frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    # Blank lines are not rows anyone sent; they keep their number so later rows keep theirs.
    blank = frame.select(pl.all_horizontal(pl.exclude("_row").is_null())).to_series()
    maybe = blank.arg_true()
    if maybe.len() and rest is not None:
        others = rest()
    if maybe.len() and others.width:  # blank in the columns read: blank only if the others are too
        others = others[maybe]
        _strip_cells(others)
        blank = blank.scatter(maybe, others.select(pl.all_horizontal(pl.all().is_null())).to_series())
    frame = frame.filter(~blank)
    if frame.height == 0:
        raise InvalidInput(f"{name} has a header but no data rows.", field="file")
    return Table(frame, headers, sha, encoding, delimiter)


def _strip_cells(frame: pl.DataFrame) -> None:
    """Every cell of `frame` stripped and empty ones missing, in place, a few columns at a time: stripping
    all columns at once would hold a stripped copy of the whole table next to it (twice its memory)."""
    names = frame.columns
    for start in range(0, len(names), _GROUP):
        group = names[start:start + _GROUP]
        # Two steps: the strip written into when/then would run twice (polars does not share it there).
        stripped = frame.select(pl.col(name).str.strip_chars() for name in group)
        stripped = stripped.select(pl.when(pl.col(name).str.len_bytes() > 0).then(pl.col(name)) for name in group)
        for index, column in enumerate(stripped.get_columns(), start):
            frame.replace_column(index, column)
        del stripped


def _polars_csv(source: bytes | io.BufferedReader, delimiter: str, *, header: bool,
                columns: list[int] | None = None) -> pl.DataFrame:
    """The CSV `source` parsed as text columns (those at `columns` only, named c0, c1, ... by their place in
    the file), or (header=True) its first row, parsed the same way."""
    if header:
        return pl.read_csv(source, separator=delimiter, has_header=False, infer_schema=False, n_rows=1,
                           truncate_ragged_lines=True, quote_char='"')
    frame = pl.read_csv(source, separator=delimiter, has_header=True, infer_schema=False, columns=columns,
                        truncate_ragged_lines=True, quote_char='"', raise_if_empty=False)
    frame.columns = [f"c{i}" for i in (columns if columns is not None else range(frame.width))]
    return frame


def _read_utf8_csv(path: Path, *, columns: Columns | None = None
                   ) -> tuple[list[str], pl.DataFrame, str, str, str, Rest | None] | None:
    """(headers, frame, sha256, encoding, delimiter, rest) of a UTF-8 CSV file, parsed by polars from the open
    file while a thread hashes the file and checks the rest of it is UTF-8; None when the general path must
    read it, which then gives the Table or the error.

    With `columns`, only the chosen columns are parsed into the frame when the header is a plain first line:
    polars then skips the others' text (10M rows, 6 of 11 columns: ~1.5 CPU-s of ~8 less), and `rest`
    parses them afterwards, which `_table` asks for only when a row is blank in the chosen columns."""
    with path.open("rb") as file:
        before = os.fstat(file.fileno())
        head = file.read(HEAD)
        # A blank start, UTF-16, or BOMs polars would not all skip: the general path says what it is.
        if not head.strip() or head.startswith((b"\xff\xfe", b"\xfe\xff", _BOM * 2)):
            return None
        refuse_binary(head, path.name)  # the errors decode_text gives, from the same first bytes
        whole = len(head) == before.st_size
        decoder = codecs.getincrementaldecoder("utf-8")()
        line_end = head.find(b"\n")
        if line_end < 0 and not whole:
            return None  # a first line longer than HEAD bytes
        line_end = len(head) if line_end < 0 else line_end
        try:
            decoder.decode(head, final=whole)
        except UnicodeDecodeError:
            return None
        first_line = head[:line_end].decode("utf-8").removeprefix("\ufeff").rstrip("\r")
        if not first_line.strip():
            return None
        delimiter = sniff_delimiter(first_line)
        with ThreadPoolExecutor(max_workers=1) as pool:
            checked = pool.submit(_hash_and_check, file.fileno(), head, decoder)
            try:
                chosen: list[int] | None = None
                if b'"' in head[:line_end]:  # a quoted header cell may go on over more lines: all columns
                    file.seek(0)
                    frame = _polars_csv(file, delimiter, header=False)
                    file.seek(0)
                    header = _polars_csv(file, delimiter, header=True)
                else:  # the header row is the first line: parsed alone, not by mapping the whole file again
                    header = _polars_csv(head[:line_end + 1], delimiter, header=True)
                    picked = columns([(v or "").strip() for v in header.row(0)]) if columns is not None else None
                    chosen = sorted(picked) if picked else None
                    file.seek(0)
                    frame = _polars_csv(file, delimiter, header=False, columns=chosen)
            except pl.exceptions.PolarsError:
                checked.result()
                return None
            sha, size, utf8 = checked.result()
        after = os.fstat(file.fileno())
    if not utf8 or size != before.st_size or (after.st_size, after.st_mtime_ns) != (size, before.st_mtime_ns):
        return None  # not UTF-8 after all, or changed while read: the general path reads it once, whole
    encoding = "utf-8-sig" if head.startswith(_BOM) else "utf-8"
    rest = None
    if chosen is not None:
        taken = set(chosen)
        others = [i for i in range(header.width) if i not in taken]
        rest = partial(_other_columns, path, delimiter, others, (before.st_size, before.st_mtime_ns))
    return [value or "" for value in header.row(0)], frame, sha, encoding, delimiter, rest


def _other_columns(path: Path, delimiter: str, columns: list[int], seen: tuple[int, int]) -> pl.DataFrame:
    """The columns at `columns` of the file _read_utf8_csv read, parsed the same way (so row for row)."""
    if not columns:
        return pl.DataFrame()
    with path.open("rb") as file:
        frame = _polars_csv(file, delimiter, header=False, columns=columns)
        now = os.fstat(file.fileno())
    if (now.st_size, now.st_mtime_ns) != seen:
        raise InvalidInput(f"{path.name} changed while it was being read; read it again once it is written.",
                           field="file")
    return frame


def _hash_and_check(fd: int, head: bytes, decoder: codecs.IncrementalDecoder) -> tuple[str, int, bool]:
    """(SHA-256, size, whether UTF-8) of the file open as `fd`, whose first bytes `head` the decoder has seen.
    Read with pread, as the file's position is polars'; hashing releases the GIL, polars parses meanwhile."""
    sha = hashlib.sha256(head)
    offset, utf8 = len(head), True
    while chunk := os.pread(fd, _CHUNK, offset):
        sha.update(chunk)
        offset += len(chunk)
        if utf8 and not (chunk.isascii() and not decoder.getstate()[0]):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return sha.hexdigest(), offset, utf8


def _read_csv(text: str, name: str) -> tuple[list[str], pl.DataFrame, str]:
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if not first_line.strip():
        raise InvalidInput(f"{name} has no header line (the first line is empty).", field="file")
    delimiter = sniff_delimiter(first_line)
    raw = text.encode("utf-8")
    del text
    try:  # bytes, not a BytesIO, which polars would copy once more
        frame = _polars_csv(raw, delimiter, header=False)
        header = _polars_csv(raw, delimiter, header=True)
    except pl.exceptions.PolarsError as exc:
        raise InvalidInput(f"{name} cannot be read as CSV: {str(exc).splitlines()[0]}", field="file") from exc
    headers = [value or "" for value in header.row(0)]
    frame.columns = [f"c{i}" for i in range(frame.width)]
    return headers, frame, delimiter


def _cell(value: object) -> str | None:
    """An Excel cell as the text its user sees: whole numbers without ".0", dates in ISO 8601."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, name: str) -> tuple[list[str], pl.DataFrame]:
    from openpyxl import load_workbook  # imported here: only XLSX intakes pay for it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors... for a damaged file
        raise InvalidInput(f"{name} cannot be read as an XLSX workbook: {exc}", field="file") from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or all(v is None for v in header):
            raise InvalidInput(f"{name} is empty (its first sheet has no header row).", field="file")
        width = len(header)
        columns: list[list[str | None]] = [[] for _ in range(width)]
        for row in rows:
            for i in range(width):
                columns[i].append(_cell(row[i]) if i < len(row) else None)
    finally:
        book.close()
    frame = pl.DataFrame({f"c{i}": pl.Series(values, dtype=pl.String) for i, values in enumerate(columns)})
    return [_cell(h) or "" for h in header], frame
