"""`leadgate demo`: the main job on bundled sample data, run as a newcomer would, then checked from outside."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from leadgate.cli.demo_store import DEMO_KEY
from leadgate.core import decide
from leadgate.core.facts import Facts
from leadgate.rules.loader import load
from tests.cli.conftest import Result, clean_env
from tests.screening.lawful import assert_exports_lawful

ROWS = 13  # contact points the demo stores: 11 accepted rows (one a duplicate adding an e-mail), customers


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    proc = subprocess.run([sys.executable, "-m", "leadgate.cli.main", *args], capture_output=True, cwd=cwd,
                          env=clean_env(**(env or {})), timeout=120)
    return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    cwd = tmp_path_factory.mktemp("demo")
    return cwd, _run(cwd, "demo")


def db_env(cwd: Path) -> dict[str, str]:
    return {"LEADGATE_DATABASE_URL": f"sqlite:///{cwd / 'leadgate-demo' / 'leadgate-demo.db'}"}


def test_the_demo_builds_the_store_step_by_step(demo: tuple[Path, Result]) -> None:
    _, result = demo
    assert result.code == 0, result.err
    for step in ("partners", "campaign", "customers from the CRM", "intake of the supplier file leads.csv",
                 "consent from the website", "outcomes from CallCo", "register snapshot be-dncm (dncm.txt)"):
        assert f"✔ {step}" in result.out
    assert re.search(r"14 rows, 11 imported, 3 rejected", result.out)
    assert re.search(r"(\d+) of 13 contact points allowed", result.out)
    assert re.search(r"screened 11 row\(s\) for campaign winter-2026 in [\d.]+ s: 5 to call, 6 left out", result.out)
    assert "# Evidence pack: phone +31 6 •••• 78" in result.out


def test_rejected_rows_go_back_to_the_supplier_with_row_and_reason(demo: tuple[Path, Result]) -> None:
    cwd, _ = demo
    text = (cwd / "leadgate-demo" / "leads.rejected.csv").read_text("utf-8-sig")
    rows = list(csv.DictReader(text.splitlines(), delimiter=";"))
    assert [(r["row"], r["field"]) for r in rows] == [("11", "phone"), ("12", "consent_given_at"), ("13", "phone")]
    assert rows[0]["Naam"] == "Ivo Kok"  # the supplier gets its own columns back


def test_the_demo_shows_no_phone_number_or_address_in_clear(demo: tuple[Path, Result]) -> None:
    _, result = demo
    flat = re.sub(r"\s+", "", result.out)
    for number in ("+31612345678", "0612345678", "612345678", "+33612345678", "+3247012345"):
        assert number not in flat
    assert "anna.devries@example.nl" not in result.out and "femke@example.nl" not in result.out


def test_every_recorded_decision_is_the_core_s_answer_and_the_ledger_is_intact(demo: tuple[Path, Result]) -> None:
    cwd, _ = demo
    verify = _run(cwd, "ledger", "verify", env=db_env(cwd))
    assert verify.code == 0, verify.err
    export = _run(cwd, "ledger", "export", env=db_env(cwd))
    events = [json.loads(line) for line in export.out.splitlines()]
    kinds = [e["body"]["kind"] for e in events]
    assert kinds.count("decision.recorded") == ROWS
    assert {"intake", "objection", "consent.given", "customer.recorded", "outcomes.imported"} <= set(kinds)
    with sqlite3.connect(cwd / "leadgate-demo" / "leadgate-demo.db") as db:
        records = db.execute("SELECT facts, decision, allowed FROM decision_records").fetchall()
    books = load(None)
    assert len(records) == ROWS
    outcomes = set()
    for facts, decision, allowed in records:
        again = decide(Facts.model_validate_json(facts), books).as_dict()
        assert again == json.loads(decision)
        assert bool(allowed) is again["allowed"]
        outcomes.add((again["allowed"], tuple(r["code"] for r in again["reasons"])))
    codes = {code for _, reasons in outcomes for code in reasons}
    # The sample data is built to show each of these: opt-out heard by the call centre, retry cool-down,
    # a Belgian customer on the DNCM list, an unassessed public-register source, consumer consent missing.
    assert {"OBJECTION", "RETRY_AFTER_NO_ANSWER", "BE_PHONE_DNCM_LISTED", "DATA_SOURCE_UNASSESSED",
            "NL_PHONE_NATURAL_PERSON_OPT_IN"} <= codes
    assert any(allowed for allowed, _ in outcomes)


def test_running_the_demo_again_starts_afresh(demo: tuple[Path, Result]) -> None:
    cwd, _ = demo
    again = _run(cwd, "demo")
    assert again.code == 0, again.err
    assert re.search(r"14 rows, 11 imported", again.out)  # not "already imported": a fresh database
    assert _run(cwd, "ledger", "verify", env=db_env(cwd)).code == 0


def test_json_output_belongs_to_the_rules_tour(tmp_path: Path) -> None:
    result = _run(tmp_path, "demo", "--json")
    assert result.code == 1 and "--facts" in result.err


def test_the_call_lists_hold_only_lawful_rows_and_every_left_out_row_says_why(demo: tuple[Path, Result]) -> None:
    cwd, _ = demo
    out = cwd / "leadgate-demo" / "call-lists"
    url = db_env(cwd)["LEADGATE_DATABASE_URL"]
    assert assert_exports_lawful(url, load(None), out, key=DEMO_KEY) == 5
    blocked = list(csv.DictReader((out / "blocked.csv").read_text("utf-8").splitlines()))
    reasons = {r["reason_id"]: r for r in csv.DictReader((out / "reasons.csv").read_text("utf-8").splitlines())}
    assert len(blocked) == 6 and all(r["codes"] and reasons[r["reason_id"]]["reason"] for r in blocked)
    assert all(reasons[r["reason_id"]]["codes"] == r["codes"] for r in blocked)
    assert {"BE_PHONE_DNCM_LISTED", "OBJECTION", "DE_PHONE_CONSUMER_CONSENT"} <= {r["codes"] for r in blocked}
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["register_snapshots"] == {"be-dncm": [1]} and summary["exported"] == 5
    export = [json.loads(line) for line in _run(cwd, "ledger", "export", env=db_env(cwd)).out.splitlines()]
    recorded = [e["body"]["data"] for e in export if e["body"]["kind"] == "screening.exported"]
    assert recorded and recorded[0]["files"] == summary["files"]
