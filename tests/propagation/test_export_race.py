"""An objection recorded while a screening export runs either leaves the person out of that export or is
propagated for it — never neither. The interleaving is forced: the export's progress hook, called after
the store (suppressions included) was read and before the files and who-received-which-number rows are
written, records the objection from another thread and connection and waits for its commit.

On PostgreSQL the objection commits in between (READ COMMITTED, no lock held yet): the export still
exports the number, and its catch-up queues the propagation. On SQLite writers serialise at BEGIN: the
objection waits for the export's commit and then finds the export's rows itself."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from leadgate.kit.db import unit_of_work
from leadgate.ledger import service as ledger
from leadgate.propagation import service as propagation
from leadgate.rules.model import Rulebooks
from leadgate.screening import service as screening
from leadgate.screening.models import ExportContact, ExportSheet
from tests.propagation.support import outbox
from tests.screening.builder import CAMPAIGN, KEY, NOW, give_consent, object_to, setup_campaign, write_leads

AT = datetime.fromisoformat("2026-11-25T10:30:00+01:00")  # a Wednesday morning
PHONE, CALLED = "+31612345678", "+31687654321"


def _screen_while_objecting(url: str, books: Rulebooks, tmp_path: Path) -> tuple[str, bool]:
    """Screen a list with PHONE and CALLED (both consented); between the export's read and write, PHONE's
    person objects in another transaction. Returns (export id, whether the objection committed meanwhile)."""
    setup_campaign(url, shares=(("CallCo", 100, None),))
    for number in (PHONE, CALLED):
        give_consent(url, number, given_at=AT - timedelta(days=30))
    leads = write_leads(tmp_path / "leads.csv", [{"phone": PHONE, "country": "NL"},
                                                 {"phone": CALLED, "country": "NL"}])
    objecting = threading.Thread(target=object_to, args=(url, PHONE), kwargs={"at": AT - timedelta(minutes=1)})
    committed_meanwhile: list[bool] = []

    def stage(name: str, _total: int | None) -> Callable[[int], None]:
        if name == "writing files":  # the store was read, nothing written yet
            objecting.start()
            objecting.join(timeout=3)
            committed_meanwhile.append(not objecting.is_alive())
        return lambda _n: None

    with unit_of_work(url) as session:
        result = screening.screen(session, campaign_id=CAMPAIGN, at=AT, books=books, key=KEY,
                                  data_dir=tmp_path / "data", out_dir=tmp_path / "out", now=NOW, actor="test",
                                  leads=leads, stage=stage)
    objecting.join(timeout=30)
    assert not objecting.is_alive()
    return result.export_id, committed_meanwhile == [True]


def _exported(url: str, export_id: str) -> set[str]:
    with unit_of_work(url) as session:
        return {f"+{n}" for n in session.scalars(
            select(ExportContact.number).join(ExportSheet, ExportSheet.id == ExportContact.sheet_id)
            .where(ExportSheet.export_id == export_id))}


def _queued_for(url: str) -> list[object]:
    with unit_of_work(url) as session:
        return [e["body"]["data"]["export"] for e in ledger.export(session)
                if e["body"]["kind"] == "propagation.queued"]


def test_an_objection_during_an_export_is_left_out_or_propagated(database_url: str, books: Rulebooks,
                                                                   tmp_path: Path) -> None:
    export_id, committed_meanwhile = _screen_while_objecting(database_url, books, tmp_path)
    postgres = database_url.startswith("postgresql")
    assert committed_meanwhile == postgres  # the interleaving each database allows

    exported = _exported(database_url, export_id)
    propagated = {(centre, contact) for centre, cause, contact, _, _ in outbox(database_url) if cause == "objection"}
    assert PHONE not in exported or ("CallCo", PHONE) in propagated  # never neither
    # Here the export read the store before the objection: the number went out, so it must be propagated,
    # on PostgreSQL by the export's catch-up, on SQLite by the objection's own enqueue after the export.
    assert exported == {PHONE, CALLED} and propagated == {("CallCo", PHONE)}
    assert _queued_for(database_url) == [export_id if postgres else None]


def test_without_the_catch_up_postgresql_would_lose_the_opt_out(database_url: str, books: Rulebooks,
                                                                tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above forces a real race: with the export's catch-up switched off, PostgreSQL ends with the
    number exported and no propagation (SQLite, serialised, still propagates)."""
    monkeypatch.setattr(propagation, "catch_up_export", lambda *_a, **_k: [])
    export_id, _ = _screen_while_objecting(database_url, books, tmp_path)
    assert PHONE in _exported(database_url, export_id)
    lost = not any(contact == PHONE for _, _, contact, _, _ in outbox(database_url))
    assert lost == database_url.startswith("postgresql")


def test_the_catch_up_queues_every_opt_out_recorded_since_the_export_read_the_store(database_url: str) -> None:
    """What the export's catch-up finds, step by step: the opt-outs recorded after its high-water mark
    whose numbers it exported — a number the store does not know (matched by its suppression digest), a
    known person's number, a consent withdrawal — and nothing recorded before the mark; twice is once."""
    from tests.propagation.support import consent_for, exported, setup

    unknown, known, withdrawn, earlier = "+31611110001", "+31611110002", "+31611110003", "+31611110004"
    setup(database_url)
    for number in (known, withdrawn):
        consent_for(database_url, number)
    object_to(database_url, earlier, at=NOW)  # before the export read the store: it left the number out
    with unit_of_work(database_url) as session:
        since = propagation.high_water(session)
    object_to(database_url, unknown, at=NOW)
    object_to(database_url, known, at=NOW, channel="all")
    with unit_of_work(database_url) as session:
        from leadgate.consent import service as consent

        consent.withdraw_consents(session, contact=withdrawn, country=None, channel="phone", at=NOW, via="test",
                                  actor="test")
    assert outbox(database_url) == []  # nobody had received these numbers yet
    export_id = exported(database_url, "CallCo", unknown, known, withdrawn, earlier, "+31611110005")

    for _ in range(2):
        with unit_of_work(database_url) as session:
            propagation.catch_up_export(session, export_id=export_id, since_seq=since, key=KEY, now=NOW,
                                        actor="test")
    assert sorted((cause, contact, channel) for _, cause, contact, channel, _ in outbox(database_url)) == [
        ("objection", unknown, "phone"), ("objection", known, "all"), ("withdrawal", withdrawn, "phone")]
    assert _queued_for(database_url) == [export_id] * 3
