"""`leadgate consent add|withdraw` and `leadgate object` as a user runs them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from leadgate.consent.models import Consent, Objection
from leadgate.kit.db import unit_of_work
from leadgate.ledger import service as ledger
from tests.cli.conftest import RunCli

KEY = "cli-test-suppression-key-0123456789"


def test_add_object_withdraw_and_verify(run_cli: RunCli, database_url: str) -> None:
    env = {"LEADGATE_DATABASE_URL": database_url, "LEADGATE_SUPPRESSION_KEY": KEY}
    added = run_cli("consent", "add", "--contact", "06-12345678", "--country", "NL", "--channel", "phone",
                    "--text", "Ja, bel mij", "--source", "LP-1", "--given-at", "2026-11-01T10:00:00+01:00", env=env)
    assert added.code == 0, added.err
    assert "recorded" in added.out
    assert run_cli("object", "+31 6 12345678", "--channel", "phone", env=env).code == 0
    withdrawn = run_cli("consent", "withdraw", "--contact", "0612345678", "--country", "NL", "--channel", "phone",
                        env=env)
    assert withdrawn.code == 0 and "1 consent(s) withdrawn" in withdrawn.out
    with unit_of_work(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Objection)) == 1
        assert session.scalars(select(Consent.withdrawn_via)).one() == "customer_service"
        assert [e["body"]["kind"] for e in ledger.export(session)] == ["consent.given", "objection",
                                                                       "consent.withdrawn"]
    assert run_cli("ledger", "verify", env=env).code == 0


def test_bad_input_is_named_and_stores_nothing(run_cli: RunCli, database_url: str) -> None:
    env = {"LEADGATE_DATABASE_URL": database_url, "LEADGATE_SUPPRESSION_KEY": KEY}
    cases = [
        (("--contact", "06-1234", "--country", "NL"), "not a valid phone number"),
        (("--contact", "0612345678"), "give the country"),
        (("--contact", "0612345678", "--country", "NL", "--given-at", "2026-11-01T10:00:00"), "UTC offset"),
    ]
    for contact_args, words in cases:
        result = run_cli("consent", "add", *contact_args, "--channel", "phone", "--text", "Ja", "--source", "LP",
                         env=env)
        assert result.code == 1, result.out
        assert words in result.err_text
    with unit_of_work(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Consent)) == 0
        assert ledger.count(session) == 0


def test_object_without_a_suppression_key_says_how_to_set_one(run_cli: RunCli, database_url: str) -> None:
    result = run_cli("object", "jan@example.nl", env={"LEADGATE_DATABASE_URL": database_url})
    assert result.code == 1
    assert "LEADGATE_SUPPRESSION_KEY" in result.err_text


def test_partner_campaign_and_balancing_test(run_cli: RunCli, database_url: str, tmp_path: Path) -> None:
    env = {"LEADGATE_DATABASE_URL": database_url}
    assert run_cli("partner", "add", "CallCo", "--kind", "call_centre", env=env).code == 0
    assert run_cli("partner", "add", "CallCo", "--kind", "robot", env=env).code == 1
    file = tmp_path / "campaign.toml"
    file.write_text('id = "winter-2026"\nname = "Winter"\nlawful_basis = "legitimate_interest"\n'
                    'caller_id = "+31201234567"\n[[call_centre]]\nname = "CallCo"\nshare = 100\n', "utf-8")
    created = run_cli("campaign", "create", "--file", file, env=env)
    assert created.code == 0, created.err
    future = run_cli("campaign", "approve-lia", "winter-2026", "--date", "2999-01-01", env=env)
    assert future.code == 1 and "in the future" in future.err_text
    assert run_cli("campaign", "approve-lia", "winter-2026", "--date", "2026-03-01", env=env).code == 0
    assert run_cli("ledger", "verify", env=env).code == 0


def test_error_messages_quote_input_as_written(run_cli: RunCli, tmp_path: Path) -> None:
    # Rich would read "[red]" in a quoted value as markup and swallow it; errors print plain text.
    env = {"LEADGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    assert run_cli("db", "upgrade", env=env).code == 0
    result = run_cli("consent", "add", "--contact", "[red]06[/red]", "--country", "NL", "--channel", "phone",
                     "--text", "Ja", "--source", "S", env=env)
    assert result.code == 1
    assert "'[red]06[/red]' is not a valid phone number" in result.err_text
