"""The store view read with plain cursors equals the one built from ORM objects (the implementation it
replaced, kept below as the reference), on SQLite and PostgreSQL: same people and contact points, same
values of the same types (aware UTC moments with their microseconds, dates, booleans), same order."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone

import polars as pl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.attempts.models import ContactAttempt
from leadgate.campaigns.models import Partner
from leadgate.consent.models import Consent, Objection
from leadgate.core import facts as f
from leadgate.intake.models import DataSource, Lead
from leadgate.kit.db import unit_of_work
from leadgate.kit.moments import from_store, to_store
from leadgate.people.models import ContactPoint, CustomerRelationship, Person, new_id
from leadgate.screening import storeview
from leadgate.screening.bulk import consent_facts
from leadgate.screening.storeview import LeadContext, StoredConsent, StoreView
from tests.screening.builder import CAMPAIGN, NOW, attempt, give_consent, make_customer, object_to, setup_campaign

AT = datetime(2026, 11, 20, 9, 15, 30, 123456, tzinfo=UTC)
PHONES = ("+31612345001", "+31612345002", "+32470123003", "+33612345004", "+447400123005", "+31612345006")


def _orm_load(session: Session, *, person_ids: set[str], point_ids: set[str]) -> StoreView:
    """storeview.load as it was (ORM objects and SQLAlchemy rows, IN-lists), consents turned into the
    records the new one gives with from_store applied as its users did."""
    view = StoreView()
    consents: defaultdict[str, list[Consent]] = defaultdict(list)
    for c in session.scalars(select(Consent).where(Consent.contact_point_id.in_(sorted(point_ids)))):
        consents[c.contact_point_id].append(c)
    view.consents = {k: [StoredConsent(c.id, c.channel, c.purpose, from_store(c.given_at), c.text, c.source_code,
                                       c.single_use, None if c.used_at is None else from_store(c.used_at),
                                       None if c.withdrawn_at is None else from_store(c.withdrawn_at),
                                       c.own_initiative, c.automated_calls)
                         for c in sorted(v, key=lambda c: (from_store(c.given_at), c.id))]
                     for k, v in consents.items()}
    objections: defaultdict[str, list[tuple[str, datetime]]] = defaultdict(list)
    customers: defaultdict[str, list[tuple[bool, date | None, date | None]]] = defaultdict(list)
    latest: dict[str, tuple[datetime, str, LeadContext, f.Source]] = {}
    batch = sorted(person_ids)
    for pid, channel, at in session.execute(select(Objection.person_id, Objection.channel, Objection.at)
                                            .where(Objection.person_id.in_(batch))):
        if pid is not None:
            objections[pid].append((channel, from_store(at)))
    for pid, paid, started, ended in session.execute(
            select(CustomerRelationship.person_id, CustomerRelationship.paid, CustomerRelationship.started_on,
                   CustomerRelationship.ended_on).where(CustomerRelationship.person_id.in_(batch))):
        customers[pid].append((paid, started, ended))
    rows = session.execute(
        select(Lead.person_id, Lead.id, Lead.received_at, Lead.extra, DataSource.code, DataSource.kind,
               DataSource.purpose_compatible, DataSource.disabled, Partner.name)
        .join(DataSource, DataSource.id == Lead.data_source_id)
        .outerjoin(Partner, Partner.id == DataSource.supplier_id)
        .where(Lead.person_id.in_(batch)))
    for pid, lead_id, received, extra, code, kind, compatible, disabled, supplier in rows:
        moment = from_store(received)
        seen = latest.get(pid)
        if seen is None or (moment, lead_id) > (seen[0], seen[1]):
            latest[pid] = (moment, lead_id, LeadContext(supplier, code, kind, moment, extra),
                           f.Source(kind=kind, purpose_compatible=compatible, disabled=disabled))
    view.objections, view.customers = dict(objections), dict(customers)
    view.leads = {pid: v[2] for pid, v in latest.items()}
    view.sources = {pid: v[3] for pid, v in latest.items()}
    attempts: defaultdict[str, list[f.Attempt]] = defaultdict(list)
    for a, name in session.execute(select(ContactAttempt, Partner.name)
                                   .outerjoin(Partner, ContactAttempt.call_centre_id == Partner.id)
                                   .where(ContactAttempt.contact_point_id.in_(sorted(point_ids)))):
        assert a.contact_point_id is not None
        attempts[a.contact_point_id].append(f.Attempt(at=from_store(a.at), outcome=a.outcome,
                                                      campaign=a.campaign_id, call_centre=name, rings=a.rings))
    view.attempts = {k: tuple(sorted(v, key=lambda a: a.at)) for k, v in attempts.items()}
    return view


def _shown(view: StoreView) -> str:
    """The view's repr with every map in key order (maps have no order of their own) and the unordered lists
    (objections and relationships, which customer() and objections() order themselves) sorted: repr tells
    True from 1, a date from its text, an aware moment from a naive one; lists of consents and attempts
    keep their order."""
    def keyed(d: Mapping[str, object]) -> list[tuple[str, object]]:
        return sorted(d.items())
    return repr((keyed(view.consents), keyed({k: sorted(v, key=repr) for k, v in view.objections.items()}),
                 keyed({k: sorted(v, key=repr) for k, v in view.customers.items()}), keyed(view.attempts),
                 keyed(view.sources), keyed(view.leads)))


def _history(url: str) -> None:
    """People with every kind of history: through the services, and rows the services do not write
    (used single-use consents, sources without a supplier or assessment, tied leads and attempts)."""
    setup_campaign(url)
    first, second, belgian, french, british, bare = PHONES
    give_consent(url, first, given_at=AT - timedelta(days=30))
    give_consent(url, first, given_at=AT - timedelta(days=3, microseconds=7), withdrawn_at=AT - timedelta(days=1))
    give_consent(url, belgian, given_at=(AT - timedelta(days=400)).astimezone(timezone(timedelta(hours=2))))
    make_customer(url, first, paid=True)
    make_customer(url, second, paid=False, ended_on=date(2025, 6, 30))
    object_to(url, second, at=AT - timedelta(days=2))  # a known person's objections (others: suppressions only)
    object_to(url, second, at=AT - timedelta(days=1), channel="all")
    make_customer(url, french, paid=True, ended_on=date(2026, 1, 31))
    for days, outcome in ((0, "busy"), (5, "no_answer"), (2, "connected")):
        attempt(url, first, at=AT - timedelta(days=days), outcome=outcome)
    attempt(url, belgian, at=AT - timedelta(hours=3), outcome="not_interested")
    attempt(url, british, at=AT - timedelta(hours=1), outcome="voicemail")
    with unit_of_work(url) as session:
        points = {p.value: p for p in session.scalars(select(ContactPoint))}
        supplier = session.scalars(select(Partner).where(Partner.name == "LeadShop")).one()
        centre = session.scalars(select(Partner).where(Partner.name == "CallCo")).one()
        person = Person(id=new_id(), kind="consumer", country="FR", created_at=NOW)
        session.add(person)
        session.flush()
        points[bare] = ContactPoint(id=new_id(), person_id=person.id, medium="phone", value=bare, region="NL",
                                    mobile=True, created_at=NOW)
        session.add(points[bare])
        session.add(ContactPoint(id=new_id(), person_id=person.id, medium="email", value="x@example.com",
                                 created_at=NOW))
        french_point = points[french]
        session.add_all([
            Consent(id=new_id(), person_id=french_point.person_id, contact_point_id=french_point.id, channel="phone",
                    purpose=None, text="Oui", text_sha256="0" * 64, given_at=to_store(AT - timedelta(days=9)),
                    source_code="form-9", collection_method="webform", single_use=True,
                    used_at=to_store(AT - timedelta(days=8, microseconds=1)), own_initiative=True,
                    automated_calls=True),
            Consent(id="0" * 32, person_id=french_point.person_id, contact_point_id=french_point.id, channel="sms",
                    purpose="offers", text="Oui SMS", text_sha256="1" * 64, given_at=to_store(AT - timedelta(days=9)),
                    source_code="form-9", collection_method="webform"),
        ])
        sources = [DataSource(id=new_id(), supplier_id=supplier.id, code="bought", kind="purchased_list",
                              purpose_compatible=False, disabled=True, created_at=NOW),
                   DataSource(id=new_id(), supplier_id=None, code="own-web", kind="webform",
                              purpose_compatible=None, created_at=NOW),
                   DataSource(id=new_id(), supplier_id=None, code="crm", kind="crm", purpose_compatible=True,
                              created_at=NOW)]
        session.add_all(sources)
        session.flush()
        moment = to_store(AT - timedelta(days=40))
        for value, source, received, extra, lead_id in (
                (first, sources[0], moment, '{"note": "x"}', "a" * 32),
                (first, sources[1], moment, None, "b" * 32),  # tied moment: the higher id is the latest
                (french, sources[1], moment - timedelta(days=1), None, None),
                (french, sources[0], moment + timedelta(microseconds=1), None, None),
                (bare, sources[2], moment, "{}", None)):
            session.add(Lead(id=lead_id or new_id(), person_id=points[value].person_id, data_source_id=source.id,
                             received_at=received, extra=extra))
        for value, at, outcome, rings in ((bare, AT, "connected", 4), (bare, AT - timedelta(days=1), "busy", None),
                                          (french, AT - timedelta(seconds=1), "wrong_number", 0)):
            session.add(ContactAttempt(id=new_id(), person_id=points[value].person_id,
                                       contact_point_id=points[value].id, campaign_id=CAMPAIGN,
                                       call_centre_id=centre.id, at=to_store(at), outcome=outcome, rings=rings,
                                       recorded_at=NOW))
        session.add(CustomerRelationship(id=new_id(), person_id=points[bare].person_id, paid=True, started_on=None,
                                         ended_on=None, created_at=NOW))


def _ids(session: Session) -> tuple[set[str], set[str]]:
    rows = session.execute(select(ContactPoint.person_id, ContactPoint.id).where(ContactPoint.medium == "phone")).all()
    return {r[0] for r in rows}, {r[1] for r in rows}


@pytest.mark.parametrize("size", [None, 0.0, float("inf")], ids=["estimated", "scan", "search"])
def test_the_view_read_with_cursors_equals_the_one_built_from_orm_objects(
        database_url: str, size: float | None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both ways of reading a table (whole, or searched by id) and the choice between them.
    if size is not None:
        monkeypatch.setattr(storeview._Reader, "_size", lambda self, table: size)
    _history(database_url)
    with unit_of_work(database_url) as session:
        people, points = _ids(session)
        new = storeview.load(session, person_ids=people, point_ids=points)
        old = _orm_load(session, person_ids=people, point_ids=points)
        assert _shown(new) == _shown(old)
        assert new == old
        # Every kind of history is there, so the comparison covers it.
        assert len(new.consents) == 3 and sum(len(v) for v in new.consents.values()) == 5
        assert len(new.objections) == 1 and len(new.customers) == 4 and len(new.attempts) == 5
        assert {lead.source_code for lead in new.leads.values()} == {"own-web", "bought", "crm"}
        assert {s.purpose_compatible for s in new.sources.values()} == {None, False, True}
        assert all(c.given_at.tzinfo is UTC for v in new.consents.values() for c in v)
        assert any(c.given_at.microsecond for v in new.consents.values() for c in v)
        # Moments are already UTC: the facts and the call sheet may still apply from_store to them.
        for given in new.consents.values():
            for c in given:
                assert from_store(c.given_at) == c.given_at and from_store(c.given_at).tzinfo is UTC
                assert consent_facts(c).given_at == c.given_at
        # Attempts are built as trusted: each equals the attempt validated from its own values.
        for tried in new.attempts.values():
            for a in tried:
                assert f.Attempt.model_validate(a.model_dump()) == a and type(a.rings) in (int, type(None))

        # A subset of the ids, and none: only what was asked for.
        some_people, some_points = set(sorted(people)[:2]), set(sorted(points)[:3])
        assert _shown(storeview.load(session, person_ids=some_people, point_ids=some_points)) == _shown(
            _orm_load(session, person_ids=some_people, point_ids=some_points))
        assert storeview.load(session, person_ids=set(), point_ids=set()) == StoreView()


def test_the_view_sees_what_this_unit_of_work_added(database_url: str) -> None:
    setup_campaign(database_url)
    give_consent(database_url, PHONES[0], given_at=AT)
    with unit_of_work(database_url) as session:
        point = session.scalars(select(ContactPoint)).one()
        session.add(Objection(id=new_id(), person_id=point.person_id, channel="phone", at=to_store(AT),
                              received_via="test"))  # not flushed yet
        view = storeview.load(session, person_ids={point.person_id}, point_ids={point.id})
        assert gc.isenabled()  # paused while loading only
        assert view.objections == {point.person_id: [("phone", AT)]}
        assert [c.given_at for c in view.consents[point.id]] == [AT]


@pytest.mark.parametrize("size", [None, 0.0, float("inf")], ids=["estimated", "scan", "search"])
def test_phone_points_are_the_rows_attach_store_reads(
        database_url: str, size: float | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if size is not None:
        monkeypatch.setattr(storeview._Reader, "_size", lambda self, table: size)
    _history(database_url)
    with unit_of_work(database_url) as session:
        rows = session.execute(select(ContactPoint.value, ContactPoint.id, Person.id, Person.kind, Person.country,
                                      Person.job_title)
                               .join(Person, Person.id == ContactPoint.person_id)
                               .where(ContactPoint.medium == "phone")).all()
        expected = pl.DataFrame([tuple(r) for r in rows], schema=storeview.PHONE_POINTS_SCHEMA, orient="row")
        got = storeview.phone_points(session)
        assert got.schema == storeview.PHONE_POINTS_SCHEMA
        # The same rows, in another order: one per number, which the unique (medium, value) makes certain.
        assert got.sort("e164").equals(expected.sort("e164"))
        assert got["e164"].is_unique().all()
        assert sorted(got["e164"].to_list()) == sorted(PHONES)
        assert got.filter(pl.col("e164") == PHONES[-1])["person_country"].to_list() == ["FR"]


@pytest.mark.parametrize(("relations", "expected"), [
    (None, None),
    ([], None),
    ([(True, date(2020, 1, 1), None)], f.Customer(paid=True)),
    ([(False, None, date(2025, 3, 1)), (True, None, date(2024, 1, 1))],
     f.Customer(paid=True, relationship_ended="2024-01-01")),
    ([(True, date(2026, 12, 1), None), (False, None, None)], f.Customer(paid=False)),  # starts after the day
    ([(True, date(2026, 12, 1), None)], None),
])
def test_customer_facts_built_as_trusted_equal_the_validated_ones(
        relations: list[tuple[bool, date | None, date | None]] | None, expected: f.Customer | None) -> None:
    got = storeview.customer(relations, date(2026, 11, 26))
    assert got == expected
    if got is not None:
        assert f.Customer.model_validate(got.model_dump()) == got


def test_objection_facts_built_as_trusted_equal_the_validated_ones() -> None:
    at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    own, listed = [("phone", at), ("all", at + timedelta(days=1))], [("phone", at), ("email", at - timedelta(days=3))]
    got = storeview.objections(own, listed)
    assert got == (f.Objection(channel="email", at=(at - timedelta(days=3)).isoformat()),
                   f.Objection(channel="phone", at=at.isoformat()),
                   f.Objection(channel="all", at=(at + timedelta(days=1)).isoformat()))
    assert storeview.objections(None, None) == () == storeview.objections([], None)
