"""`leadgate customer`, `source`, `outcomes import` and `decide --contact` as a user runs them, on a
SQLite file migrated with `leadgate db upgrade`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from leadgate.intake.models import DataSource, Lead
from leadgate.kit.db import unit_of_work
from leadgate.people.models import ContactPoint
from tests.cli.conftest import Result, RunCli
from tests.store_helpers import setup_store

KEY = "cli-test-suppression-key-0123456789"
DECIDE = ("decide", "--campaign", "winter-2026", "--channel", "phone", "--country", "NL")
NOVEMBER = ("--at", "2026-11-24T10:30:00+01:00")  # a Tuesday morning
MARCH = ("--at", "2026-03-10T10:30:00+01:00")  # the NL customer exception still in force


@pytest.fixture
def store(run_cli: RunCli, tmp_path: Path) -> tuple[RunCli, dict[str, str], str]:
    """A SQLite file migrated by `leadgate db upgrade`, with a call centre, a lead supplier and an approved
    campaign (set up in-process: `tests/cli/test_consent.py` runs those commands)."""
    url = f"sqlite:///{tmp_path / 'leadgate.db'}"
    env = {"LEADGATE_DATABASE_URL": url, "LEADGATE_SUPPRESSION_KEY": KEY}
    upgraded = run_cli("db", "upgrade", env=env)
    assert upgraded.code == 0, upgraded.err
    setup_store(url)
    return run_cli, env, url


def decision(result: Result) -> dict[str, object]:
    assert result.code == 0, result.err
    return json.loads(result.out)


def codes(items: object) -> list[str]:
    assert isinstance(items, list)
    return [item["code"] for item in items]


def events(run: RunCli, env: dict[str, str]) -> list[dict[str, object]]:
    result = run("ledger", "export", env=env)
    return [json.loads(line)["body"] for line in result.out.splitlines()]


def test_outcomes_use_consents_and_record_opt_outs_once(store: tuple[RunCli, dict[str, str], str],
                                                        tmp_path: Path) -> None:
    run, env, _ = store
    added = run("consent", "add", "--contact", "06-12345678", "--country", "NL", "--channel", "phone", "--text",
                "Ja, bel mij één keer.", "--source", "LP-1", "--given-at", "2026-11-01T10:00:00+01:00",
                "--single-use", env=env)
    assert added.code == 0, added.err
    assert decision(run(*DECIDE, "--contact", "0612345678", *NOVEMBER, env=env))["allowed"] is True
    (tmp_path / "out.csv").write_text(
        "call_id;contact;campaign;at;outcome;rings\n"
        "CC-1;06-12345678;winter-2026;2026-11-20T10:00:00+01:00;connected;3\n"
        "CC-2;06 87654321;winter-2026;2026-11-20T11:00:00+01:00;opt_out;\n", "utf-8")
    first = run("outcomes", "import", tmp_path / "out.csv", "--call-centre", "CallCo", "--country", "NL", env=env)
    assert first.code == 0, first.err
    assert "2 attempt(s) recorded, 0 already known" in " ".join(first.out.split())
    again = run("outcomes", "import", tmp_path / "out.csv", "--call-centre", "CallCo", "--country", "NL", env=env)
    assert "0 attempt(s) recorded, 2 already known" in " ".join(again.out.split())
    recorded = run(*DECIDE, "--contact", "+31612345678", *NOVEMBER, "--record", env=env)
    assert "recorded as decision record" in recorded.err
    used = decision(recorded)
    assert used["allowed"] is False and "single-use consent from LP-1 was used" in json.dumps(used)
    objected = decision(run(*DECIDE, "--contact", "0687654321", *NOVEMBER, env=env))
    assert objected["allowed"] is False and "OBJECTION" in codes(objected["reasons"])
    kinds = [e["kind"] for e in events(run, env)]
    assert kinds.count("outcomes.imported") == 2 and kinds.count("consent.used") == 1
    assert kinds.count("objection") == 1 and kinds[-1] == "decision.recorded"
    assert run("ledger", "verify", env=env).code == 0


def test_a_bad_outcomes_file_is_refused_whole(store: tuple[RunCli, dict[str, str], str], tmp_path: Path) -> None:
    run, env, _ = store
    before = len(events(run, env))
    (tmp_path / "out.csv").write_bytes(
        b"call_id,contact,country,campaign,at,outcome\n"
        b"CC-1,0612345678,NL,winter-2026,2026-11-20T10:00:00+01:00,opt_out\n"
        b"CC-2,0612345679,NL,winter-2026,2026-11-20T10:00:00,busy\n"
        b"CC-3,0612345670,NL,zomer,2026-11-20T10:00:00+01:00,hung up\n")
    result = run("outcomes", "import", tmp_path / "out.csv", "--call-centre", "CallCo", env=env)
    assert result.code == 1
    for words in ("2 bad row(s); nothing was imported", "row 3: at", "UTC offset", "row 4: outcome"):
        assert words in result.err_text
    assert len(events(run, env)) == before
    unknown = run("outcomes", "import", tmp_path / "out.csv", "--call-centre", "BelBureau", env=env)
    assert unknown.code == 1 and "partner add" in unknown.err_text


def test_customers_from_the_crm_and_the_nl_customer_exception(store: tuple[RunCli, dict[str, str], str],
                                                              tmp_path: Path) -> None:
    run, env, _ = store
    crm = tmp_path / "crm.csv"
    crm.write_bytes("\ufeffcontact;country;kind;name;paid;started_on;ended_on;reference\n"
                    "+31623456789;NL;consumer;Bram Jansen;ja;2019-04-01;;KL-1\n"
                    "06 34567890;NL;consumer;Carla Visser;yes;2021-01-01;2023-06-30;KL-2\n".encode())
    imported = run("customer", "import", crm, env=env)
    assert imported.code == 0, imported.err
    assert "2 relationship(s) created" in imported.out
    assert "0 relationship(s) created, 0 updated, 2 already known" in run("customer", "import", crm, env=env).out
    ongoing = decision(run(*DECIDE, "--contact", "0623456789", *MARCH, env=env))
    assert ongoing["allowed"] is True and "NL_PHONE_CUSTOMER_EXCEPTION" in codes(ongoing["grounds"])
    # Ended 2023-06-30: more than two years ago, past the ex-customer retention period.
    ended = decision(run(*DECIDE, "--contact", "0634567890", *NOVEMBER, env=env))
    assert ended["allowed"] is False and "RETENTION_EX_CUSTOMER" in codes(ended["reasons"])
    added = run("customer", "add", "--contact", "0634567890", "--country", "NL", "--paid", "--since", "2021-01-01",
                "--until", "2025-09-30", "--reference", "KL-2", env=env)
    assert added.code == 0 and "updated" in added.out
    within = decision(run(*DECIDE, "--contact", "0634567890", *MARCH, env=env))
    assert "NL_PHONE_CUSTOMER_EXCEPTION" in codes(within["grounds"])


def test_a_bad_customer_file_names_its_rows_and_stores_nothing(store: tuple[RunCli, dict[str, str], str],
                                                               tmp_path: Path) -> None:
    run, env, url = store
    crm = tmp_path / "crm.csv"
    crm.write_bytes("contact\tpaid\tstarted_on\tended_on\n"
                    "0612345678\tja\t2020-01-01\t\n"
                    "0612345679\tmisschien\t2020-01-01\t2019-01-01\n"
                    "06-1\tnee\t\t\n".encode("cp1252"))
    result = run("customer", "import", crm, "--country", "NL", env=env)
    assert result.code == 1
    for words in ("row 3: paid", "row 4: contact", "nothing was imported"):
        assert words in result.err_text
    with unit_of_work(url) as session:
        assert session.scalars(select(ContactPoint)).first() is None


def test_sources_and_a_disabled_source_blocks(store: tuple[RunCli, dict[str, str], str]) -> None:
    run, env, url = store
    assert run("customer", "add", "--contact", "0612345678", "--country", "NL", "--paid", env=env).code == 0
    added = run("source", "add", "LP-1", "--supplier", "LeadShop", "--kind", "webform", "--compatible", env=env)
    assert added.code == 0 and "added" in added.out
    with unit_of_work(url) as session:  # what `leadgate intake` does: the person came in through LP-1
        source = session.scalars(select(DataSource)).one()
        point = session.scalars(select(ContactPoint)).one()
        session.add(Lead(person_id=point.person_id, data_source_id=source.id, received_at=datetime.now(UTC)))
    assert decision(run(*DECIDE, "--contact", "0612345678", *MARCH, env=env))["allowed"] is True
    disabled = run("source", "disable", "LP-1", "--supplier", "LeadShop", "--reason", "complaints", env=env)
    assert disabled.code == 0, disabled.err
    listed = run("source", "list", env=env)
    assert "LP-1" in listed.out and "disabled" in listed.out
    blocked = decision(run(*DECIDE, "--contact", "0612345678", *MARCH, env=env))
    assert blocked["allowed"] is False and "DATA_SOURCE_DISABLED" in codes(blocked["reasons"])
    again = run("source", "add", "LP-1", "--supplier", "LeadShop", "--kind", "webform", env=env)
    assert "updated (disabled)" in again.out
    assert run("source", "add", "LP-2", "--supplier", "CallCo", "--kind", "webform", env=env).code == 1


def test_decide_from_the_store_options_and_errors(store: tuple[RunCli, dict[str, str], str]) -> None:
    run, env, _ = store
    unknown = decision(run(*DECIDE, "--contact", "jan@example.nl", "--channel", "email", env=env))
    assert unknown["allowed"] is False and unknown["id"] == "unknown-contact"
    cases = [
        (("decide", "--contact", "0612345678", "--campaign", "zomer", "--channel", "phone", "--country", "NL"),
         "No campaign 'zomer'"),
        (("decide", "--contact", "0612345678", "--channel", "phone"), "--contact needs --campaign"),
        ((*DECIDE, "--contact", "0612345678", "--at", "2026-11-24T10:30:00"), "UTC offset"),
        (("decide", "--record"), "go with --contact"),
    ]
    for args, words in cases:
        result = run(*args, env=env)
        assert result.code == 1, result.out
        assert words in result.err_text
    without_key = run(*DECIDE, "--contact", "0612345678", env={"LEADGATE_DATABASE_URL": env["LEADGATE_DATABASE_URL"]})
    assert without_key.code == 1 and "LEADGATE_SUPPRESSION_KEY" in without_key.err_text
