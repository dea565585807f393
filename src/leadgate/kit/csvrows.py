"""Reading the small CSV files our own systems and partners export (CRM customers, call outcomes) the way
Excel users produce them (encodings and delimiters as in `kit.textfiles`).

These files are refused whole when a row is bad (see `RowErrors`): they come from systems we or our
partners control, so they must be fixed at the source, not half-loaded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from leadgate.kit.errors import InvalidInput
from leadgate.kit.textfiles import decode_text, sniff_delimiter

MAX_NAMED = 20  # rows named in one error message; the count says how many more


@dataclass(frozen=True)
class Row:
    number: int  # the line number in the file, header = 1, as a spreadsheet shows it
    values: dict[str, str]

    def get(self, *names: str) -> str:
        """The first non-empty value among the columns `names` (stripped), or ''."""
        for name in names:
            value = self.values.get(name, "").strip()
            if value:
                return value
        return ""


def read_rows(data: bytes, where: str, *, required: tuple[tuple[str, ...], ...]) -> list[Row]:
    """The data rows with lower-cased, stripped column names. `required` lists alternatives per needed
    column (("contact", "phone", "email") = one of these). Empty files, header-only files and missing
    columns are refused naming what is missing."""
    text, _ = decode_text(data, where)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InvalidInput(f"{where} is empty.", field="file")
    first = next(line for line in lines if line.strip())
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(first))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"{where}: not readable as CSV ({exc}).", field="file") from exc
    numbered = [(n, r) for n, r in enumerate(records, start=1) if any(cell.strip() for cell in r)]
    header_number, header = numbered[0]
    names = [cell.strip().lower() for cell in header]
    missing = [" or ".join(alt) for alt in required if not any(a in names for a in alt)]
    if missing:
        raise InvalidInput(f"{where}: missing column(s) {', '.join(missing)} (the header line has "
                           f"{', '.join(n for n in names if n) or 'no names'}).", field="header")
    rows = [Row(n, {name: (r[i] if i < len(r) else "") for i, name in enumerate(names) if name})
            for n, r in numbered[1:] if n > header_number]
    if not rows:
        raise InvalidInput(f"{where} has a header but no rows.", field="file")
    return rows


@dataclass
class RowErrors:
    """Every bad row and field of a file, for one message that refuses the whole file."""

    where: str
    problems: list[tuple[int, str, str]] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.append((row, column, message))

    def __iter__(self) -> Iterator[tuple[int, str, str]]:
        return iter(self.problems)

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        rows = sorted({row for row, _, _ in self.problems})
        shown = set(rows[:MAX_NAMED])
        named = sorted((p for p in self.problems if p[0] in shown), key=lambda p: p[0])
        lines = [f"  row {row}: {column}: {message}" for row, column, message in named]
        more = f"\n  ... and {len(rows) - MAX_NAMED} more row(s)" if len(rows) > MAX_NAMED else ""
        first_row, first_column, _ = named[0]
        raise InvalidInput(
            f"{self.where}: {len(rows)} bad row(s); nothing was imported. Fix them and import the file "
            "again:\n" + "\n".join(lines) + more, field=f"row {first_row}: {first_column}")
