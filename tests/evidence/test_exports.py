"""Call-list exports and register checks in the evidence pack, on SQLite and PostgreSQL: "screened at T
against register snapshot S", re-checked against the ledger, and the status of the number on each register
its rulebook names (listed, not listed, no snapshot, stale)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from leadgate.consent import service as consents
from leadgate.evidence import render, service
from leadgate.evidence.ledgerview import Entry
from leadgate.evidence.service import Pack
from leadgate.kit.db import unit_of_work
from leadgate.ledger.models import LedgerEvent
from leadgate.screening.models import Export
from tests.evidence.screened import AT, CHECKED_AT, DNCM, EXPORTED, LISTED, Screened, build, dncm, sha256
from tests.evidence.test_service import sql
from tests.screening.builder import KEY, NOW, give_consent

PACK_AT = NOW  # the DNCM snapshot is 23.5 hours old then: fresh (maximum 5 days)


def pack_of(url: str, contact: str, *, now: datetime = PACK_AT) -> Pack:
    with unit_of_work(url) as session:
        return service.build_pack(session, contact=contact, country=None, key=KEY, now=now)


@pytest.fixture
def screened(database_url: str, tmp_path: Path) -> Screened:
    return build(database_url, tmp_path)


def _export_entry(pack: Pack) -> Entry:
    [entry] = [e for e in pack.entries if e.what.startswith("exported to call centre")]
    return entry


def test_a_screened_contact_shows_the_export_with_call_centre_and_snapshot(screened: Screened) -> None:
    pack = pack_of(screened.url, EXPORTED)
    assert pack.problems == ()
    entry = _export_entry(pack)
    centre = entry.details["call_centre"]
    assert centre in {"CallCo", "BelBureau"} and entry.what == f"exported to call centre {centre}"
    assert entry.at == NOW and entry.details["planned_at"] == AT
    assert (entry.details["export"], entry.details["campaign"], entry.details["flow"]) == \
        (screened.export_id, "winter-2026", "leadflow")
    assert entry.details["file"].endswith("/leadflow.csv") and len(entry.details["file_sha256"]) == 64
    [snapshot] = entry.details["register_snapshots"]
    assert snapshot == {"register": "be-dncm", "snapshot": screened.snapshot, "kind": "full",
                        "checked_at": CHECKED_AT.astimezone(UTC), "file_sha256": sha256(DNCM),
                        "ledger_seq": screened.snapshot_seq, "ledger_hash": snapshot["ledger_hash"]}
    with unit_of_work(screened.url) as session:
        export = session.get(Export, screened.export_id)
        assert export is not None
        event = session.get(LedgerEvent, export.ledger_seq)
        assert event is not None and entry.ledger is not None
        assert (entry.ledger.seq, entry.ledger.hash, entry.ledger.kind) == (event.seq, event.hash,
                                                                            "screening.exported")
    assert f"the stored export summary equals ledger event {entry.ledger.seq}" in entry.checks
    assert any(c.startswith(f"snapshot {screened.snapshot}: ") and "file_sha256" in c for c in entry.checks)
    assert "exported in call lists: 1" in pack.summary[-2]
    # The consent comes before the export that rested on it.
    assert [e.what for e in pack.entries] == ["consent given (phone)", entry.what]


def test_the_export_in_markdown_and_json(screened: Screened) -> None:
    pack = pack_of(screened.url, EXPORTED)
    md = render.to_markdown(pack)
    entry = _export_entry(pack)
    assert EXPORTED not in md and "32470123456" not in md
    assert f"— exported to call centre {entry.details['call_centre']}\n" in md
    assert (f"  - be-dncm: snapshot #{screened.snapshot} (full) checked {CHECKED_AT.astimezone(UTC):%Y-%m-%d %H:%M:%S}"
            f" UTC, file sha256 `{sha256(DNCM)}`, ledger event {screened.snapshot_seq}") in md
    doc = json.loads(render.to_json(pack))
    [exported] = [e for e in doc["timeline"] if e["what"].startswith("exported")]
    assert exported["details"]["register_snapshots"][0]["file_sha256"] == sha256(DNCM)
    assert datetime.fromisoformat(exported["details"]["planned_at"]) == AT


@pytest.mark.parametrize(("change", "words"), [
    (lambda s: s | {"register_snapshots": {"be-dncm": [999]}}, "EXPORT SUMMARY MISMATCH"),
    (lambda s: s | {"exported": 1}, "the stored exported differ(s)"),
    (lambda s: {k: v for k, v in s.items() if k != "files"}, "EXPORT SUMMARY MISMATCH"),
])
def test_a_tampered_export_summary_is_reported(screened: Screened, change: object, words: str) -> None:
    with unit_of_work(screened.url) as session:
        export = session.get(Export, screened.export_id)
        assert export is not None
        summary = json.loads(export.summary)
    assert callable(change)
    sql(screened.url, "UPDATE exports SET summary = :summary", summary=json.dumps(change(summary)))
    pack = pack_of(screened.url, EXPORTED)
    assert pack.chain.intact
    assert any(words in p for p in pack.problems), pack.problems
    # The pack still shows what the ledger recorded, not the tampered row.
    assert _export_entry(pack).details["register_snapshots"][0]["snapshot"] == screened.snapshot


@pytest.mark.parametrize(("statement", "words"), [
    ("UPDATE exports SET planned_at = :later", "MISMATCH with ledger event"),
    ("UPDATE exports SET created_at = :later", "MISMATCH with ledger event"),
    ("UPDATE exports SET ledger_seq = 1", "NO LEDGER EVENT records this export"),
    ("UPDATE register_snapshots SET file_sha256 = :fake", "MISMATCH with ledger event"),
])
def test_a_changed_export_or_snapshot_row_is_reported(screened: Screened, statement: str, words: str) -> None:
    sql(screened.url, statement, later=AT + timedelta(days=1), fake="0" * 64)
    problems = pack_of(screened.url, EXPORTED).problems
    assert any(words in p for p in problems), problems


def test_a_removed_export_record_is_reported_with_its_ledger_event(screened: Screened) -> None:
    sql(screened.url, "PRAGMA foreign_keys = OFF" if screened.url.startswith("sqlite") else
        "ALTER TABLE export_sheets DROP CONSTRAINT export_sheets_export_id_fkey")
    sql(screened.url, "DELETE FROM exports")
    pack = pack_of(screened.url, EXPORTED)
    entry = _export_entry(pack)
    assert any(f"EXPORT {screened.export_id} IS NOT STORED" in p for p in pack.problems)
    assert entry.ledger is not None and entry.ledger.kind == "screening.exported" and entry.at == NOW


def test_a_receipt_row_whose_sheet_is_gone_is_reported(screened: Screened) -> None:
    sql(screened.url, "DELETE FROM export_sheets")  # nothing refers to a sheet by a foreign key
    pack = pack_of(screened.url, EXPORTED)
    assert any("EXPORT SHEET " in p and "IS NOT STORED" in p for p in pack.problems), pack.problems


def test_registers_listed_and_not_listed(screened: Screened) -> None:
    pack = pack_of(screened.url, EXPORTED)
    [line] = pack.registers.lines
    assert (line.register, line.status, line.listed, line.snapshot, line.max_age_days) == \
        ("be-dncm", "not_listed", False, screened.snapshot, 5)
    assert line.ledger is not None and line.ledger.seq == screened.snapshot_seq and line.problems == ()
    assert line.text == (f"not listed on be-dncm per snapshot #{screened.snapshot} checked 2026-11-24 09:30 UTC "
                         f"(file sha256 {sha256(DNCM)}, ledger event {screened.snapshot_seq})")
    assert pack.summary[-1] == f"register checks: be-dncm not listed (snapshot #{screened.snapshot}, checked " \
                               "2026-11-24 09:30 UTC)"
    listed = pack_of(screened.url, LISTED)
    [line] = listed.registers.lines
    assert (line.status, line.listed) == ("listed", True)
    assert line.text.startswith(f"listed on be-dncm per snapshot #{screened.snapshot} checked")
    md = render.to_markdown(listed)
    assert f"- Listed on be-dncm per snapshot #{screened.snapshot} checked 2026-11-24 09:30 UTC" in md
    assert "32470998877" not in md
    doc = json.loads(render.to_json(listed))["registers"]
    assert doc["note"].startswith("as of 2026-11-25 09:00 UTC, per the BE rulebook")
    assert doc["checks"][0] | {"ledger": None, "text": None, "rules": None} == {
        "register": "be-dncm", "rules": None, "max_age_days": 5, "status": "listed", "listed": True,
        "snapshot": {"id": screened.snapshot, "kind": "full", "checked_at": "2026-11-24T09:30:00+00:00",
                     "file_sha256": sha256(DNCM)}, "ledger": None, "text": None, "checks": doc["checks"][0]["checks"],
        "problems": []}
    assert doc["checks"][0]["rules"] == ["BE_PHONE_DNCM"]


def test_a_stale_snapshot_is_not_a_check(screened: Screened) -> None:
    pack = pack_of(screened.url, EXPORTED, now=CHECKED_AT + timedelta(days=5, hours=1))
    [line] = pack.registers.lines
    assert (line.status, line.listed, line.snapshot) == ("stale", False, screened.snapshot)
    assert line.text.startswith(f"not checked on be-dncm: snapshot #{screened.snapshot} checked 2026-11-24 09:30 UTC")
    assert line.text.endswith("is older than the maximum age of 5 days (it said: not listed)")
    assert "be-dncm stale" in pack.summary[-1]


def test_a_changed_snapshot_row_shows_in_the_register_section(screened: Screened) -> None:
    sql(screened.url, "UPDATE register_snapshots SET file_sha256 = :fake", fake="0" * 64)
    pack = pack_of(screened.url, LISTED)
    assert any(p.startswith("register be-dncm: MISMATCH with ledger event") for p in pack.problems), pack.problems


def test_no_snapshot_before_the_packs_moment(database_url: str, tmp_path: Path) -> None:
    give_consent(database_url, EXPORTED, given_at=AT - timedelta(days=30))
    pack = pack_of(database_url, EXPORTED)
    [line] = pack.registers.lines
    assert (line.status, line.listed, line.snapshot, line.ledger) == ("no_snapshot", None, None, None)
    assert line.text == "not checked on be-dncm: no snapshot checked at or before 2026-11-25 09:00 UTC"
    assert ("## Register checks\n\nAs of 2026-11-25 09:00 UTC, per the BE rulebook. The status of this number on "
            "each register:\n\n- Not checked on be-dncm: no snapshot checked at or before 2026-11-25 09:00 UTC.\n") \
        in render.to_markdown(pack)
    assert pack.summary[-1] == "register checks: be-dncm no snapshot"
    dncm(database_url, tmp_path / "data", checked_at=PACK_AT + timedelta(hours=1))  # later than the pack
    assert pack_of(database_url, EXPORTED).registers.lines[0].status == "no_snapshot"
    assert pack_of(database_url, EXPORTED, now=PACK_AT + timedelta(hours=2)).registers.lines[0].status == \
        "not_listed"


def test_an_email_address_gets_the_phone_only_sentence(database_url: str) -> None:
    with unit_of_work(database_url) as session:
        consents.give_consent(session, contact="jan@voorbeeld.be", country="BE", kind="consumer", channel="email",
                              text="Ja, mail mij.", source_code="NB-1", given_at=AT, now=AT, actor="t")
    pack = pack_of(database_url, "jan@voorbeeld.be")
    assert pack.registers.lines == () and pack.registers.note == "registers apply to phone numbers only"
    assert pack.summary[-1] == "register checks: registers apply to phone numbers only"
    assert "## Register checks\n\nRegisters apply to phone numbers only.\n" in render.to_markdown(pack)
    assert json.loads(render.to_json(pack))["registers"]["checks"] == []
    assert not any(e.what.startswith("exported") for e in pack.entries)


def test_a_check_service_answer_later_than_the_full_list_is_the_one_shown(screened: Screened,
                                                                            tmp_path: Path) -> None:
    from leadgate.registers.service import import_check

    with unit_of_work(screened.url) as session:
        seq = session.scalars(select(LedgerEvent.seq).order_by(LedgerEvent.seq.desc())).first()
        answer = import_check(session, register="be-dncm", data=b"number;listed\n0470123456;yes\n",
                              where="check.csv", checked_at=CHECKED_AT + timedelta(hours=2), now=NOW, actor="t",
                              data_dir=tmp_path / "data")
    assert seq is not None and answer.ledger_seq is not None and answer.ledger_seq > seq
    [line] = pack_of(screened.url, EXPORTED).registers.lines
    assert (line.status, line.snapshot, line.snapshot_kind) == ("listed", answer.snapshot_id, "check")
    assert line.ledger is not None and line.ledger.seq == answer.ledger_seq
