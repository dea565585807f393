"""`leadgate rules list|show|check`: what the rulebooks say, per jurisdiction and date."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import phonenumbers
import typer
from phonenumbers import timezone as phone_timezone
from rich.console import Console
from rich.table import Table

from leadgate.cli.common import OrgOption, fail, load_rulebooks
from leadgate.kit.errors import LeadgateError
from leadgate.kit.settings import Settings
from leadgate.rules.loader import load
from leadgate.rules.model import Rule, Rulebooks

app = typer.Typer(help="The rulebooks: the rules per jurisdiction, their dates and legal references.",
                  no_args_is_help=True)
console = Console()
if not console.is_terminal:
    console.width = max(console.width, 150)  # piped or captured: tables stay readable


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--at {text!r} is not a date like 2026-08-11")


def _book(books: Rulebooks, code: str) -> Any:
    code = code.strip().upper()
    code = "GB" if code == "UK" else code
    book = books.books.get(code) or books.for_region(code)
    if book is None:
        fail(f"no rulebook for {code!r}; known: {', '.join(sorted(books.books))}")
    return book


def _params(rule: Rule) -> str:
    data = rule.params.model_dump(exclude_defaults=False, by_alias=True)
    parts = []
    for key, value in data.items():
        if key == "windows":
            value = "; ".join(f"{d} {','.join(s)}" for d, s in value.items())
        elif key == "special_days":
            value = ", ".join(f"{s['date']} {'closed' if s['until'] is None else 'until ' + s['until']}"
                              for s in value)
        elif isinstance(value, list | tuple):
            value = ", ".join(map(str, value)) or "-"
        parts.append(f"{key}={value}")
    return "\n".join(parts)


@app.command("list")
def list_command(at: str | None = typer.Option(None, "--at", help="Date [default: today]."),
                 org: Path | None = OrgOption) -> None:
    """Every rulebook, the regions it covers and its version in force on a date."""
    day = _day(at)
    books = load_rulebooks(org)
    table = Table(title=f"Rulebooks in force on {day.isoformat()}")
    for col in ("Jurisdiction", "Name", "Covers", "Version", "Rules in force", "Revision"):
        table.add_column(col)
    for code, book in sorted(books.books.items()):
        covers = ", ".join([code, *book.territories])
        in_force = sum(r.in_force(day) for r in book.rules)
        table.add_row(code, book.name, covers, book.version(day), f"{in_force} of {len(book.rules)}",
                      book.revision)
    console.print(table)
    if books.organisation:
        console.print(f"Organisation file applied: {books.organisation}")


@app.command("show")
def show_command(
    jurisdiction: str = typer.Argument(..., help="NL, BE, FR, DE, GB (or UK), or an overseas region like RE."),
    at: str | None = typer.Option(None, "--at", help="Date the rules are in force [default: today]."),
    channel: str | None = typer.Option(None, "--channel", help="Only rules for phone, email or sms."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    org: Path | None = OrgOption,
) -> None:
    """The rules in force on a date, with their parameters and references."""
    day = _day(at)
    book = _book(load_rulebooks(org), jurisdiction)
    rules = [r for r in (*book.rules, *book.disabled)
             if r.in_force(day) and (channel is None or channel in r.channels)]
    if as_json:
        print(json.dumps({"jurisdiction": book.jurisdiction, "version": book.version(day), "rules": [{
            "id": r.id, "kind": r.kind, "channels": sorted(r.channels), "contact_kinds": sorted(r.contact_kinds),
            "sectors": sorted(r.sectors) if r.sectors is not None else None,
            "except_sectors": sorted(r.except_sectors),
            "effective_from": r.effective_from.isoformat(),
            "effective_to": r.effective_to.isoformat() if r.effective_to else None,
            "confidence": r.confidence, "reference": r.reference, "summary": r.summary,
            "params": r.params.model_dump(by_alias=True, mode="json"),
            "override": None if r.override is None else {"loosened": r.override.loosened,
                                                         "reason": r.override.reason},
            "enabled": r not in book.disabled,
        } for r in rules]}, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{book.name} ({book.version(day)}): {len(rules)} rules in force on {day.isoformat()}",
                  show_lines=True)
    for col, style in (("Rule", "bold"), ("Applies to", ""), ("Parameters", "cyan"), ("In force", ""),
                       ("Conf.", ""), ("What it says / reference", "")):
        table.add_column(col, style=style, overflow="fold")
    for r in rules:
        applies = f"{', '.join(sorted(r.channels))}\n{', '.join(sorted(r.contact_kinds))}"
        if r.sectors is not None:
            applies += f"\nsectors: {', '.join(sorted(r.sectors))}"
        if r.except_sectors:
            applies += f"\nnot for: {', '.join(sorted(r.except_sectors))}"
        until = r.effective_to.isoformat() if r.effective_to else "…"
        note = r.summary + f"\n[dim]{r.reference}[/]"
        if r in book.disabled:
            note += "\n[yellow]switched off by the organisation" + (
                f": {r.override.reason}" if r.override and r.override.reason else "") + "[/]"
        elif r.override is not None:
            note += "\n[yellow]organisation override" + (f" (loosened: {r.override.reason})"
                                                         if r.override.loosened else " (stricter)") + "[/]"
        conf = r.confidence if r.confidence in ("H", "practice") else f"[yellow]{r.confidence}[/]"
        table.add_row(f"{r.id}\n[dim]{r.kind}[/]", applies, _params(r),
                      f"{r.effective_from.isoformat()}\n→ {until}", conf, note)
    console.print(table)


def _phone_zones(region: str) -> set[str]:
    """The time zones phonenumbers gives for the region's example fixed-line and mobile numbers."""
    zones: set[str] = set()
    for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
        example = phonenumbers.example_number_for_type(region, kind)
        if example is not None:
            zones.update(z for z in phone_timezone.time_zones_for_number(example) if z != "Etc/Unknown")
    return zones


@app.command("check")
def check_command(
    directory: Path | None = typer.Option(None, "--dir", help="Check the rulebooks in this folder "
                                          "instead of the bundled ones.", file_okay=False),
    org: Path | None = OrgOption,
) -> None:
    """Validate every rulebook (schema, dates, parameters, time zones, holiday calendars) and the
    organisation file. Exits 1 naming the file, rule and field of the first problem."""
    try:
        if directory is not None:
            sources = sorted((str(p), p.read_text("utf-8")) for p in directory.glob("*.toml"))
            if not sources:
                fail(f"no *.toml rulebooks in {directory}")
            books = load(org or Settings().resolved_org_file(), sources)
        else:
            books = load_rulebooks(org)
    except LeadgateError as exc:
        fail(exc.message)
    problems = []
    for code, book in books.books.items():
        for region, zone in [(code, book.timezone), *((t.region, t.timezone) for t in book.territories.values())]:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                problems.append(f"{code}: unknown time zone {zone!r} for {region}")
                continue
            numbers_say = _phone_zones(region)
            if numbers_say and zone not in numbers_say:
                problems.append(f"{code}: {region} numbers are in {', '.join(sorted(numbers_say))}, "
                                f"not {zone}")
        for territory in [None, *book.territories.values()]:
            subdiv = territory.holidays_subdiv if territory else None
            try:
                holidays.country_holidays(book.holidays_country, subdiv=subdiv, years=2026)
            except NotImplementedError as exc:
                problems.append(f"{code}: holiday calendar {book.holidays_country}/{subdiv}: {exc}")
    if problems:
        fail("; ".join(problems))
    total = sum(len([r for r in b.rules if r.jurisdiction != "*"]) for b in books.books.values())
    console.print(f"[green]✔[/] {len(books.books)} rulebooks, {total} national rules and the common rules are valid"
                  + (f"; organisation file of {books.organisation} applied" if books.organisation else "") + ".")
