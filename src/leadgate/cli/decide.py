"""`leadgate decide`: JSON Lines of facts in, one decision per line out, in input order."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO

import typer

from leadgate.cli.common import OrgOption, fail, load_rulebooks
from leadgate.core.lines import decide_line


def _open_in(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8-sig")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")


def _open_out(path: str) -> IO[str]:
    if path == "-":
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror}")


def decide_command(
    facts: str = typer.Option("-", "--facts", "-f", help="Facts as JSON Lines; '-' reads standard input."),
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
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    try:
        for lineno, line in enumerate(source, start=1):
            if not line.strip():
                continue
            result, ok = decide_line(line, lineno, books)
            bad += not ok
            sink.write(dumps(result))
            sink.write("\n")
    finally:
        if sink is not sys.stdout:
            sink.close()
        if source is not sys.stdin:
            source.close()
    if bad:
        print(f"leadgate decide: {bad} line(s) could not be decided; see their 'error'.", file=sys.stderr)
        raise typer.Exit(2)
