"""`leadgate evidence` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from leadgate.kit.db import unit_of_work
from leadgate.ledger.models import LedgerEvent
from leadgate.people.models import Person
from tests.cli.conftest import RunCli
from tests.evidence.screened import EXPORTED as SCREENED_NUMBER
from tests.evidence.screened import build as build_screened
from tests.evidence.state import E164, FORM_TEXT, KEY, State, build
from tests.ledger.test_service import tamper
from tests.screening.builder import KEY as SCREENING_KEY


@pytest.fixture
def env(run_cli: RunCli, tmp_path: Path) -> dict[str, str]:
    values = {"LEADGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}", "LEADGATE_SUPPRESSION_KEY": KEY.decode()}
    assert run_cli("db", "upgrade", env=values).code == 0
    return values


@pytest.fixture
def state(env: dict[str, str]) -> State:
    return build(env["LEADGATE_DATABASE_URL"])


def test_markdown_pack_on_standard_output(run_cli: RunCli, env: dict[str, str], state: State) -> None:
    result = run_cli("evidence", "06 12 34 56 78", "--country", "NL", env=env)
    assert result.code == 0, result.err
    assert result.out.startswith("# Evidence pack: phone +31 6 •••• 78")
    assert FORM_TEXT in result.out and E164 not in result.out and "Jan Jansen" not in result.out
    assert "chain intact" in result.out and result.err == ""


def test_json_pack_to_a_file(run_cli: RunCli, env: dict[str, str], state: State, tmp_path: Path) -> None:
    target = tmp_path / "pack.json"
    result = run_cli("evidence", E164, "--format", "json", "--out", target, env=env)
    assert result.code == 0, result.err
    assert result.out == "" and "written to" in result.err_text and "10 entries" in result.err_text
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["contact"]["value"] == E164 and len(doc["timeline"]) == 10 and doc["problems"] == []


def test_a_broken_chain_exits_2_and_says_so(run_cli: RunCli, env: dict[str, str], state: State) -> None:
    url = env["LEADGATE_DATABASE_URL"]
    with unit_of_work(url) as session:
        seq = session.scalars(select(LedgerEvent.seq).where(LedgerEvent.kind == "objection")).one()
    tamper(url, f"DELETE FROM ledger_events WHERE seq = {seq}")
    result = run_cli("evidence", E164, env=env)
    assert result.code == 2
    # The event after the removed one no longer follows its predecessor.
    assert f"THE LEDGER CHAIN IS BROKEN: event {seq + 1} does not follow the event before it" in result.out
    assert "warning: the pack reports" in result.err_text and "LEDGER CHAIN BROKEN" in result.err_text


def test_erased_person_with_and_without_the_key(run_cli: RunCli, env: dict[str, str], state: State) -> None:
    with unit_of_work(env["LEADGATE_DATABASE_URL"]) as session:
        session.execute(delete(Person).where(Person.id == state.person))
    result = run_cli("evidence", E164, env=env)
    assert result.code == 0, result.err
    assert "erased from the store; the objection stands" in result.out
    no_key = {k: v for k, v in env.items() if k != "LEADGATE_SUPPRESSION_KEY"}
    result = run_cli("evidence", E164, env=no_key)
    assert result.code == 1
    assert "holds nothing about +31 6 •••• 78" in result.err_text and "LEADGATE_SUPPRESSION_KEY not set" in \
        result.err_text


@pytest.mark.parametrize(("args", "words"), [
    (("+32 470 12 34 56",), "holds nothing about +32 4 •••• 56"),
    (("0612345678",), "give the country"),
    (("nobody@@example.com",), "not a valid e-mail address"),
    ((E164, "--format", "pdf"), "--format must be md or json"),
])
def test_user_errors_exit_1_with_a_clear_message(run_cli: RunCli, env: dict[str, str], args: tuple[str, ...],
                                                 words: str) -> None:
    result = run_cli("evidence", *args, env=env)
    assert result.code == 1 and words in result.err_text and "Traceback" not in result.err
    assert result.out == ""


def test_a_database_behind_is_named(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("evidence", E164, env={"LEADGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    assert result.code == 1 and "leadgate db upgrade" in result.err_text


def test_help_explains_the_formats(run_cli: RunCli) -> None:
    result = run_cli("evidence", "--help")
    assert result.code == 0 and "regulator" in result.out and "--format" in result.out and "--out" in result.out


def test_a_tampered_export_summary_exits_2(run_cli: RunCli, env: dict[str, str], tmp_path: Path) -> None:
    url = env["LEADGATE_DATABASE_URL"]
    screened = build_screened(url, tmp_path)
    env = env | {"LEADGATE_SUPPRESSION_KEY": SCREENING_KEY.decode()}
    result = run_cli("evidence", SCREENED_NUMBER, env=env)
    assert result.code == 0, result.err
    assert "exported to call centre" in result.out and f"snapshot #{screened.snapshot} (full)" in result.out
    tamper(url, "UPDATE exports SET summary = replace(summary, '\"be-dncm\": [', '\"be-dncm\": [99, ')")
    result = run_cli("evidence", SCREENED_NUMBER, env=env)
    assert result.code == 2
    assert "EXPORT SUMMARY MISMATCH" in result.out and "EXPORT SUMMARY MISMATCH" in result.err_text
