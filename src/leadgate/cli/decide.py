"""`leadgate decide`: JSON Lines of facts in, one decision per line out, in input order."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import BinaryIO

import typer

from leadgate.cli.common import OrgOption, fail, load_rulebooks
from leadgate.core.lines import decide_line

_BOM = b"\xef\xbb\xbf"


def _open_in(path: str) -> BinaryIO:
    # Bytes, not text: a line that is not UTF-8 becomes that line's error, not a crash of the run.
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")


def _open_out(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdout.buffer
    try:
        return open(path, "wb")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror}")


def decide_command(
    facts: str = typer.Option("-", "--facts", "-f", help="Facts as JSON Lines (UTF-8); '-' reads standard input."),
    out: str = typer.Option("-", "--out", "-o", help="Where the decisions go; '-' is standard output."),
    org: Path | None = OrgOption,
) -> None:
    """Decide each facts line (DESIGN.md's contract): allowed or not, why, and when next allowed.

    Exit code 0 when every line was decided, 2 when a line could not be read or validated (its output
    line then carries "error" with the line number and field; the other lines are still decided).
    """
    books = load_rulebooks(org)
    source, sink = _open_in(facts), _open_out(out)
    bad = 0
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    try:
        for lineno, line in enumerate(source, start=1):
            if lineno == 1:
                line = line.removeprefix(_BOM)  # Excel and PowerShell write one; it is not data
            if not line.strip():
                continue
            result, ok = decide_line(line, lineno, books)
            bad += not ok
            sink.write(encode(result).encode())
            sink.write(b"\n")
    finally:
        sink.flush()
        if out != "-":
            sink.close()
        if facts != "-":
            source.close()
    if bad:
        print(f"leadgate decide: {bad} line(s) could not be decided; see their 'error'.", file=sys.stderr)
        raise typer.Exit(2)
