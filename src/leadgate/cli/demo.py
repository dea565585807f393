"""`leadgate demo`: the main job on bundled sample data (a demo database built through intake, customers,
consents and outcomes, a recorded decision per contact and an evidence pack), or with `--facts` the rules
tour: the bundled example facts of every jurisdiction decided by the core."""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from leadgate.cli import demo_store
from leadgate.cli.common import OrgOption, fail, load_rulebooks
from leadgate.core.lines import decide_line
from leadgate.core.phone import parse_phone
from leadgate.rules.model import Rulebooks


def mask(contact: dict[str, str | None], channel: str) -> str:
    """Enough of the contact point to recognise it, not enough to dial it (personal data minimised)."""
    if channel == "email":
        email = contact.get("email") or ""
        local, _, domain = email.partition("@")
        return f"{local[:1]}•••@{domain}" if domain else "•••"
    raw = contact.get("phone") or ""
    parsed = parse_phone(raw, contact.get("country"))
    phone = parsed.e164 if parsed else "".join(ch for ch in raw if ch.isdigit())
    return phone[:-6] + "••••" + phone[-2:] if len(phone) > 8 else "•••"


def demo_command(
    facts: bool = typer.Option(False, "--facts", help="The rules tour instead: decide the bundled example "
                               "facts (NL, BE, FR incl. La Réunion, DE, UK) without a database."),
    as_json: bool = typer.Option(False, "--json", help="With --facts: print the decisions as JSON Lines."),
    directory: Path = typer.Option(Path("leadgate-demo"), "--dir", file_okay=False,
                                   help="Folder for the demo database, the sample files and the rejected rows "
                                   "(rebuilt on every run; your own database is never touched)."),
    at: datetime | None = typer.Option(None, "--at", help="The moment to decide about "
                                       f"[default: {demo_store.DEMO_AT.isoformat()}, a Tuesday morning]."),
    org: Path | None = OrgOption,
) -> None:
    """Build a demo database from bundled sample data the way you would build yours (partners, a campaign,
    the CRM's customers, a messy supplier file, a web consent, a call centre's outcomes with an opt-out, a
    Belgian do-not-call register snapshot), decide and record every contact point, screen the campaign into
    call lists per call centre (in DIR/call-lists), and show one evidence pack."""
    books = load_rulebooks(org)
    if not facts:
        if as_json:
            fail("--json goes with --facts (the store demo prints tables and an evidence pack)")
        moment = at or demo_store.DEMO_AT
        if moment.tzinfo is None:
            fail("--at needs a UTC offset, e.g. 2026-11-24T10:30:00+01:00")
        _store_demo(directory, books, moment)
        return
    _facts_tour(books, as_json)


def _store_demo(directory: Path, books: Rulebooks, at: datetime) -> None:
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 160)
    url = demo_store.prepare(directory)
    console.print(f"[bold]leadgate demo[/]: a demo database in {directory}/leadgate-demo.db", highlight=False)
    demo_store.build(url, directory, console)
    demo_store.decide_all(url, books, at, console)
    demo_store.screen_campaign(url, directory, books, at, console)
    demo_store.show_evidence(url, "06-12345678", console)
    console.print(f"\nExplore it: [bold]export LEADGATE_DATABASE_URL=sqlite:///{directory}/leadgate-demo.db[/], "
                  "then leadgate evidence, leadgate ledger verify, leadgate decide --contact ... "
                  "(the demo's suppression key is in leadgate/cli/demo_store.py; never use it for real data). "
                  "The rules tour without a database: [bold]leadgate demo --facts[/].", highlight=False)


def _facts_tour(books: Rulebooks, as_json: bool) -> None:
    text = (resources.files("leadgate.samples") / "demo_facts.jsonl").read_text("utf-8")
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 140)
    table = Table(title="leadgate demo: may we contact them now?", show_lines=True)
    for col, width in (("Case", 30), ("Contact", 18), ("When", 25), ("Allowed", 7), ("Why", None),
                       ("Next allowed", 25)):
        table.add_column(col, overflow="fold", max_width=width, ratio=None if width else 1)
    allowed = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        facts = json.loads(line)
        decision, _ = decide_line(line, lineno, books)
        if as_json:
            print(json.dumps(decision, ensure_ascii=False))
            continue
        allowed += decision["allowed"]
        items = decision["reasons"] or decision["grounds"]
        colour = "red" if decision["reasons"] else "green"
        why = "\n".join(f"[{colour}]{r['code']}[/] {r['message']}" for r in items)
        table.add_row(
            facts["id"],
            f"{mask(facts['contact'], facts['channel'])}\n{facts['channel']}, {facts['contact']['kind']}",
            f"{facts['at']}\n{decision['jurisdiction'] or '?'} · {decision['rulebook'] or 'no rulebook'}",
            "[bold green]yes[/]" if decision["allowed"] else "[bold red]no[/]",
            why,
            decision["next_allowed_at"] or "-",
        )
    if not as_json:
        console.print(table)
        total = len(text.splitlines())
        console.print(f"{allowed} of {total} contacts allowed. Decide your own facts with "
                      "[bold]leadgate decide --facts FILE.jsonl[/] (one JSON object per line).")
