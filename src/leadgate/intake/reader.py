"""Reading a supplier's file (CSV as Excel users save it, or XLSX) into a table of text columns.

CSV: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), else Windows-1252 (Excel's
"CSV" on Windows) and Latin-1 for the five bytes Windows-1252 leaves undefined; the delimiter (`;`, `,`,
tab or `|`) is sniffed from the header line. Every value stays text: a phone number is never a number.
A binary file (an .xlsx, .xls, .pdf or picture renamed .csv) is refused with what it looks like.
"""

from __future__ import annotations

__all__ = ["DELIMITERS", "Table", "read_table", "sniff_delimiter"]

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import polars as pl

from leadgate.kit.errors import InvalidInput
from leadgate.kit.textfiles import DELIMITERS, decode_text, sniff_delimiter


@dataclass(frozen=True)
class Table:
    """The file's data rows as text columns (None for empty cells) and where each came from."""

    frame: pl.DataFrame  # columns "c0", "c1", ... (header names may repeat); "_row" = row number (header = 1)
    headers: list[str]  # the header as written, in column order
    sha256: str
    encoding: str
    delimiter: str | None  # None for XLSX


def read_table(path: Path) -> Table:
    """The file as a Table, or InvalidInput saying what is wrong with it as a whole."""
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist or is not a file.", field="file")
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
    headers = [h.strip() for h in headers]
    stripped = [pl.col(c).str.strip_chars() for c in frame.columns]
    frame = frame.with_columns(pl.when(e.str.len_bytes() > 0).then(e).alias(c) for c, e in zip(frame.columns, stripped,
                                                                                           strict=True))
    frame = frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    # Blank lines are not rows anyone sent; they keep their number so later rows keep theirs.
    frame = frame.filter(~pl.all_horizontal(pl.exclude("_row").is_null()))
    if frame.height == 0:
        raise InvalidInput(f"{path.name} has a header but no data rows.", field="file")
    return Table(frame, headers, sha, encoding, delimiter)


def _read_csv(text: str, name: str) -> tuple[list[str], pl.DataFrame, str]:
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if not first_line.strip():
        raise InvalidInput(f"{name} has no header line (the first line is empty).", field="file")
    delimiter = sniff_delimiter(first_line)
    raw = text.encode("utf-8")
    del text
    try:
        frame = pl.read_csv(io.BytesIO(raw), separator=delimiter, has_header=True, infer_schema=False,
                            truncate_ragged_lines=True, quote_char='"', raise_if_empty=False)
        header = pl.read_csv(io.BytesIO(raw), separator=delimiter, has_header=False, infer_schema=False,
                             n_rows=1, truncate_ragged_lines=True, quote_char='"')
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
