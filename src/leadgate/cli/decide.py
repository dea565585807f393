"""`leadgate decide`: JSON Lines of facts in, one decision per line out, in input order."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import typer
from pydantic_core import to_json

from leadgate.cli.common import OrgOption, fail, load_rulebooks
from leadgate.cli.decide_store import decide_from_store
from leadgate.core.lines import decide_line
from leadgate.rules.model import Rulebooks

_BOM = b"\xef\xbb\xbf"
_CHUNK = 2_000  # lines per batch: one write per batch, one hand-over per batch between processes
_books: Rulebooks | None = None  # the worker processes' copy, inherited at fork


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


def _chunks(source: BinaryIO) -> Iterator[list[tuple[int, bytes]]]:
    numbered = enumerate(source, start=1)
    while chunk := list(islice(numbered, _CHUNK)):
        if chunk[0][0] == 1:
            chunk[0] = (1, chunk[0][1].removeprefix(_BOM))  # Excel and PowerShell write one; not data
        yield [(n, line) for n, line in chunk if line.strip()]


def _decide_chunk(chunk: list[tuple[int, bytes]], books: Rulebooks | None = None) -> tuple[bytes, int]:
    """The output lines of a chunk and how many of its lines could not be decided."""
    books = books or _books
    assert books is not None
    out: list[bytes] = []
    bad = 0
    for lineno, line in chunk:
        result, ok = decide_line(line, lineno, books)
        bad += not ok
        out.append(to_json(result))
    return b"\n".join(out) + b"\n" if out else b"", bad


def _decided(chunks: Iterable[list[tuple[int, bytes]]], books: Rulebooks, jobs: int) -> Iterator[tuple[bytes, int]]:
    if jobs <= 1:
        for chunk in chunks:
            yield _decide_chunk(chunk, books)
        return
    global _books
    _books = books
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(_decide_chunk, chunks)  # imap keeps the input order


def decide_command(
    facts: str = typer.Option("-", "--facts", "-f", help="Facts as JSON Lines (UTF-8); '-' reads standard input."),
    out: str = typer.Option("-", "--out", "-o", help="Where the decisions go; '-' is standard output."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=0, help="Worker processes; 0 = one per core. "
                             "The output order is the input order whatever the number."),
    org: Path | None = OrgOption,
    contact: str | None = typer.Option(None, "--contact", help="Decide about a stored contact (phone number "
                                       "or e-mail address) instead of reading facts; prints one decision."),
    campaign: str | None = typer.Option(None, "--campaign", help="With --contact: the campaign id."),
    channel: str | None = typer.Option(None, "--channel", help="With --contact: phone, email or sms."),
    country: str | None = typer.Option(None, "--country", help="With --contact: country for national formats."),
    at: str | None = typer.Option(None, "--at", help="With --contact: the moment, ISO 8601 with offset "
                                  "[default: now]."),
    record: bool = typer.Option(False, "--record", help="With --contact: keep the facts and the decision as "
                                "evidence (a decision record and a ledger event)."),
) -> None:
    """Decide each facts line (DESIGN.md's contract): allowed or not, why, and when next allowed.

    Exit code 0 when every line was decided, 2 when a line could not be read or validated (its output
    line then carries "error" with the line number and field; the other lines are still decided).

    With --contact, --campaign and --channel the facts come from the store instead (consents, objections,
    customer relationship, attempts, data source, campaign) and one decision is printed as JSON; exit
    code 0 whether or not it is allowed.
    """
    books = load_rulebooks(org)
    if contact is not None:
        decide_from_store(contact=contact, campaign=campaign, channel=channel, country=country, at=at,
                          record=record, books=books)
        return
    if any(v is not None for v in (campaign, channel, country, at)) or record:
        fail("--campaign, --channel, --country, --at and --record go with --contact.")
    source, sink = _open_in(facts), _open_out(out)
    bad = 0
    try:
        for block, failed in _decided(_chunks(source), books, jobs or os.cpu_count() or 1):
            sink.write(block)
            bad += failed
    finally:
        sink.flush()
        if out != "-":
            sink.close()
        if facts != "-":
            source.close()
    if bad:
        print(f"leadgate decide: {bad} line(s) could not be decided; see their 'error'.", file=sys.stderr)
        raise typer.Exit(2)
