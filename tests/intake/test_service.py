"""Intake on SQLite and PostgreSQL: matching, merging, consents with their proof, one ledger event, and
nothing stored for a dry run, a second import of the same file or a bad file."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from leadgate.campaigns import service as campaigns
from leadgate.consent import service as consents
from leadgate.consent.digest import batch_digest
from leadgate.consent.models import Consent
from leadgate.intake.models import DataSource, Intake, Lead
from leadgate.intake.service import Summary, run_intake
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import InvalidInput
from leadgate.ledger import service as ledger
from leadgate.ledger.models import LedgerEvent
from leadgate.people.models import ContactPoint, CustomerRelationship, Person

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TABLES = (Person, ContactPoint, Consent, Intake, Lead, DataSource, LedgerEvent)
HEADER = "Naam;Telefoon;E-mail;Land;Bron;Opt-in datum;Toestemmingstekst;Interesse;Geheim"
MESSY = [
    "Jan Jansen;06-12345678;jan@example.nl;NL;LP-1;2026-10-02T14:03:00+02:00;Ja, bel mij;zonnepanelen;x",
    "Zoë Müller;+31 (0)6 12345679;;NL;LP-1;;;warmtepomp;y",
    "José Dupré;0031 6 12345680;jose@example.nl;;LP-2;2026-10-02 14:03;Ja, bel mij;;z",
    "Jan J.;0612345678;JAN@Example.NL;NL;LP-1;2026-10-02T14:03:00+02:00;Ja, bel mij;;",  # same person, same consent
    "Jan again;;jan2@example.nl;NL;LP-1;;;;",
    "Jan third;06 12 34 56 78;jan2@example.nl;NL;LP-1;2026-11-01T09:00:00+01:00;Ja, bel mij;;",  # links the two
    "Éric;06 12 34 56 78;eric@exemple.fr;FR;LP-3;2026-09-01T10:00:00+02:00;Oui, appelez-moi;;",
]


def write(path: Path, lines: list[str], encoding: str = "utf-8-sig", header: str = HEADER) -> Path:
    path.write_bytes("\r\n".join([header, *lines]).encode(encoding) + b"\r\n")
    return path


def setup(url: str) -> None:
    with unit_of_work(url) as session:
        campaigns.add_partner(session, name="LeadShop", kind="lead_supplier", now=NOW, actor="test")
        campaigns.add_partner(session, name="CallCo", kind="call_centre", now=NOW, actor="test")


def counts(url: str) -> dict[str, int]:
    with unit_of_work(url) as session:
        return {t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES}


def intake(url: str, path: Path, **options: Any) -> Summary:
    options.setdefault("country", "NL")
    with unit_of_work(url) as session:
        return run_intake(session, path=path, supplier=options.pop("supplier", "LeadShop"), now=NOW, actor="test",
                          **options)


def test_a_messy_file_is_stored_with_persons_merged(database_url: str, tmp_path: Path) -> None:
    setup(database_url)
    path = write(tmp_path / "leads.csv", MESSY, encoding="cp1252")
    summary = intake(database_url, path, timezone="Europe/Amsterdam")
    assert (summary.rows_read, summary.rows_imported, summary.rows_rejected) == (7, 7, 0)
    # Jan: rows 2, 5 (same number and address), 6 and 7 (joined by 06 12 34 56 78 = Jan's number);
    # Zoë, José, and Éric (a French number) are the others.
    assert (summary.persons_created, summary.persons_matched) == (4, 0)
    assert summary.consents_created == 4  # row 5 repeats row 2's consent exactly
    assert summary.ignored_columns == ["Interesse", "Geheim"]
    assert summary.encoding == "windows-1252" and summary.rejected_file is None
    with unit_of_work(database_url) as session:
        jan = session.scalars(select(ContactPoint).where(ContactPoint.value == "+31612345678")).one()
        values = set(session.scalars(select(ContactPoint.value).where(ContactPoint.person_id == jan.person_id)))
        # e-mail normalisation lowercases the domain only (as email-validator does): JAN@ is another address
        assert values == {"+31612345678", "jan@example.nl", "JAN@example.nl", "jan2@example.nl"}
        person = session.get(Person, jan.person_id)
        assert person is not None and (person.name, person.country, person.kind) == ("Jan Jansen", "NL", "consumer")
        leads = session.scalars(select(Lead).order_by(Lead.row_number)).all()
        assert [lead.row_number for lead in leads] == [2, 3, 4, 5, 6, 7, 8]
        assert {s.code for s in session.scalars(select(DataSource))} == {"LP-1", "LP-2", "LP-3"}
        stored = session.scalars(select(Consent).where(Consent.source_code == "LP-2")).one()
        assert stored.given_at.replace(tzinfo=stored.given_at.tzinfo or UTC) == datetime(2026, 10, 2, 12, 3,
                                                                                         tzinfo=UTC)
        assert (stored.collection_method, stored.intake_id, stored.channel) == ("import", summary.intake_id, "phone")
        french = session.scalars(select(ContactPoint).where(ContactPoint.value == "+33612345678")).one()
        assert french.region == "FR"
        record = session.get(Intake, summary.intake_id)
        assert record is not None and record.ledger_seq == summary.ledger_seq
        assert (record.rows_total, record.rows_imported, record.consents_created) == (7, 7, 4)
        event = session.scalars(select(LedgerEvent).where(LedgerEvent.seq == record.ledger_seq)).one()
        body = json.loads(event.body)
        lines = [(c.id, c.text_sha256, c.given_at, c.source_code, c.channel) for c in session.scalars(select(Consent))]
        assert ledger.verify(session).intact
    assert (event.kind, event.subject) == ("intake", None)
    assert body["data"]["consents_sha256"] == batch_digest(lines)
    assert body["data"]["file_sha256"] == summary.sha256 and body["data"]["counts"]["rows_imported"] == 7
    assert "+316" not in event.body and "example.nl" not in event.body  # no personal data in the ledger


def test_matching_stored_persons_and_paying_customers(database_url: str, tmp_path: Path) -> None:
    setup(database_url)
    with unit_of_work(database_url) as session:
        consents.give_consent(session, contact="0612345678", country="NL", kind="consumer", channel="phone",
                              text="Ja", source_code="WEB", given_at=NOW, now=NOW, actor="test")
        consents.give_consent(session, contact="piet@example.nl", country="NL", kind="consumer", channel="email",
                              text="Ja", source_code="WEB", given_at=NOW, now=NOW, actor="test")
        point = session.scalars(select(ContactPoint).where(ContactPoint.value == "+31612345678")).one()
        session.add(CustomerRelationship(person_id=point.person_id, paid=True, started_on=date(2025, 1, 1),
                                         created_at=NOW))
    before = counts(database_url)
    path = write(tmp_path / "leads.csv", [
        "Jan;+31612345678;jan@example.nl;NL;LP-1;;;;",  # stored customer; his new address joins him
        "Piet;0612345699;piet@example.nl;NL;LP-1;;;;",  # stored by e-mail
        "Both;0612345678;piet@example.nl;NL;LP-1;;;;",  # two stored persons: refused
    ])
    summary = intake(database_url, path)
    assert (summary.rows_imported, summary.persons_created, summary.persons_matched) == (2, 0, 2)
    assert summary.customers_matched == 1
    assert summary.reasons == [("phone", "phone number and e-mail address belong to two different persons already "
                                         "stored", 1)]
    after = counts(database_url)
    assert after["persons"] == before["persons"] and after["contact_points"] == before["contact_points"] + 2
    with unit_of_work(database_url) as session:
        record = session.get(Intake, summary.intake_id)
        assert record is not None and record.customers_matched == 1


def test_rejected_rows_are_written_with_row_field_and_reason(database_url: str, tmp_path: Path) -> None:
    setup(database_url)
    lines = [f"P{i};06123450{i:02d};;NL;LP-1;;;;" for i in range(38)]  # 40 rows, 10 % invalid
    lines[3] = "Bad;06-1234;;NL;LP-1;;;;"
    lines[11] = "Future;0612345699;;NL;LP-1;2027-01-01T10:00:00+01:00;Ja;;"
    lines.append("Empty;;;NL;LP-1;;;;")
    lines.append("Mail;;jan@;NL;LP-1;;;;")
    summary = intake(database_url, write(tmp_path / "supplier file.csv", lines))
    assert (summary.rows_read, summary.rows_imported, summary.rows_rejected) == (40, 36, 4)
    assert summary.rejected_file == tmp_path / "supplier file.rejected.csv"
    with summary.rejected_file.open(encoding="utf-8-sig", newline="") as handle:
        rejected = list(csv.DictReader(handle, delimiter=";"))
    assert [(r["row"], r["field"], r["Telefoon"]) for r in rejected] == [
        ("5", "phone", "06-1234"), ("13", "consent_given_at", "0612345699"), ("40", "phone", ""), ("41", "email", "")]
    assert rejected[1]["reason"] == "in the future" and rejected[0]["Naam"] == "Bad"
    assert counts(database_url)["leads"] == 36


def test_dry_run_and_second_import_store_nothing(database_url: str, tmp_path: Path) -> None:
    setup(database_url)
    path = write(tmp_path / "leads.csv", MESSY[:2])
    before = counts(database_url)
    dry = intake(database_url, path, dry_run=True)
    assert (dry.rows_imported, dry.persons_created, dry.consents_created, dry.intake_id) == (2, 2, 1, None)
    assert counts(database_url) == before
    first = intake(database_url, path)
    stored = counts(database_url)
    again = intake(database_url, path)
    assert again.already_imported_at is not None and again.intake_id == first.intake_id
    assert counts(database_url) == stored


@pytest.mark.parametrize(("lines", "supplier", "words"), [
    (["Jan;;;NL;LP-1;;;;"], "LeadShop", "No row of leads.csv can be imported"),
    (MESSY[:1], "Nobody", "leadgate partner add 'Nobody' --kind lead_supplier"),
    (MESSY[:1], "CallCo", "is a call_centre, not a lead supplier"),
])
def test_bad_input_stores_nothing(database_url: str, tmp_path: Path, lines: list[str], supplier: str,
                                  words: str) -> None:
    setup(database_url)
    before = counts(database_url)
    with pytest.raises(InvalidInput) as caught:
        intake(database_url, write(tmp_path / "leads.csv", lines), supplier=supplier)
    assert words in caught.value.message
    assert counts(database_url) == before


def test_consent_times_without_offset_need_a_zone(database_url: str, tmp_path: Path) -> None:
    setup(database_url)
    summary = intake(database_url, write(tmp_path / "leads.csv", [MESSY[2], MESSY[1]]), dry_run=True)
    assert summary.reasons[0][:2] == ("consent_given_at", "no UTC offset (e.g. 2026-10-02T14:03:00+02:00); or "
                                                          "give --timezone for local times")
