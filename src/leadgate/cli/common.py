"""Helpers shared by the commands: loading the rulebooks with the organisation file, failing cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

from leadgate.kit.db import ensure_current
from leadgate.kit.errors import LeadgateError
from leadgate.kit.settings import Settings
from leadgate.rules.loader import load
from leadgate.rules.model import Rulebooks

err_console = Console(stderr=True)

OrgOption = typer.Option(
    None, "--org", help="Organisation file that tightens the rulebooks "
    "[default: $LEADGATE_ORG_FILE, else ./leadgate.toml if present].", dir_okay=False)


def fail(message: str, code: int = 1) -> NoReturn:
    # The message is plain text: it often quotes file data, where "[red]" must stay as written.
    err_console.print(Text.assemble(("error:", "bold red"), " ", message))
    raise typer.Exit(code)


def current_database() -> str:
    """The configured database URL, after checking its schema is the one this leadgate expects."""
    url = Settings().database_url
    try:
        ensure_current(url)
    except LeadgateError as exc:
        fail(exc.message)
    return url


def load_rulebooks(org: Path | None) -> Rulebooks:
    path = org if org is not None else Settings().resolved_org_file()
    try:
        return load(path)
    except LeadgateError as exc:
        fail(exc.message)
