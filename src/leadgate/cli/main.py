"""Entry point: `leadgate --help`."""

from __future__ import annotations

import typer

from leadgate.cli import (
    campaigns,
    consent,
    customers,
    db,
    decide,
    demo,
    evidence,
    intake,
    keys,
    ledger,
    lint_email,
    outcomes,
    propagation,
    registers,
    rules,
    screen,
    serve,
    sources,
)

app = typer.Typer(
    name="leadgate",
    help="The compliance gate between your leads and your outreach: may we contact this person, now, and why?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.command("decide")(decide.decide_command)
app.command("demo")(demo.demo_command)
app.add_typer(rules.app, name="rules")
app.add_typer(db.app, name="db")
app.add_typer(consent.app, name="consent")
app.add_typer(campaigns.campaign_app, name="campaign")
app.add_typer(campaigns.partner_app, name="partner")
app.command("object")(consent.object_command)
app.add_typer(ledger.app, name="ledger")
app.command("evidence")(evidence.evidence_command)
app.add_typer(customers.app, name="customer")
app.add_typer(sources.app, name="source")
app.add_typer(outcomes.app, name="outcomes")
app.command("intake")(intake.intake_command)
app.command("screen")(screen.screen_command)
app.add_typer(registers.app, name="registers")
app.add_typer(keys.app, name="keys")
app.command("serve")(serve.serve_command)
app.add_typer(propagation.app, name="propagation")
app.command("lint-email")(lint_email.lint_email_command)

if __name__ == "__main__":
    app()
