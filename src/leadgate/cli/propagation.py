"""`leadgate propagation status|deliver` (being written)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Opt-out propagation to call centres: what is pending, acknowledged, overdue.",
                  no_args_is_help=True)
