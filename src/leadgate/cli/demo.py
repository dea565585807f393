"""`leadgate demo`: decide the bundled example facts and show the answers as a table."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from leadgate.cli.common import OrgOption, load_rulebooks
from leadgate.core.lines import decide_line
from leadgate.core.phone import parse_phone


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
    as_json: bool = typer.Option(False, "--json", help="Print the decisions as JSON Lines instead."),
    org: Path | None = OrgOption,
) -> None:
    """Decide the bundled example facts (NL, BE, FR incl. La Réunion, DE, UK) and show why."""
    books = load_rulebooks(org)
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
