"""Opt-outs queued for the call centres that hold the number, acknowledged by id, reported when overdue:
through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from leadgate.campaigns import service as campaigns
from leadgate.campaigns.models import Campaign
from leadgate.consent import service as consent
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import NotFound
from leadgate.kit.moments import from_store
from leadgate.ledger import service as ledger
from leadgate.propagation import service
from leadgate.propagation.models import Propagation
from leadgate.rules.model import Rulebooks
from tests.propagation.support import (
    FAST,
    checked,
    consent_for,
    exported,
    outbox,
    partner,
    second_contact,
    setup,
)
from tests.store_helpers import KEY, NOW

PHONE, OTHER_PHONE, EMAIL = "+31612345678", "+31687654321", "jan@example.nl"
LATER = NOW + timedelta(hours=1)


def object_to(url: str, contact: str, channel: str = "all", *, at: object = NOW) -> int:
    """Record an objection (as of LATER); returns its ledger seq."""
    with unit_of_work(url) as session:
        consent.record_objection(session, contact=contact, country="NL", channel=channel, at=at,  # type: ignore
                                 via="test", actor="test", key=KEY, now=LATER)
    with unit_of_work(url) as session:
        return max(int(e["seq"]) for e in ledger.export(session) if e["body"]["kind"] == "objection")


def events(url: str, kind: str) -> list[dict[str, object]]:
    with unit_of_work(url) as session:
        return [e["body"] for e in ledger.export(session) if e["body"]["kind"] == kind]


def rows(url: str) -> list[Propagation]:
    with unit_of_work(url) as session:
        return list(session.scalars(select(Propagation).order_by(Propagation.contact, Propagation.call_centre_id)))


def test_an_objection_reaches_every_call_centre_that_received_the_number(
        database_url: str, books: Rulebooks) -> None:
    setup(database_url)
    consent_for(database_url, PHONE)
    exported(database_url, "CallCo", PHONE)
    exported(database_url, "CallCo", PHONE, campaign=FAST)  # twice to CallCo: one row, the shorter deadline
    checked(database_url, books, "OtherCall", PHONE)  # a pre-dial check of the webhook call centre
    exported(database_url, "OtherCall", OTHER_PHONE)  # someone else's number: not concerned

    seq = object_to(database_url, "06-12345678", "phone")

    assert outbox(database_url) == [("CallCo", "objection", PHONE, "phone", seq),
                                    ("OtherCall", "objection", PHONE, "phone", seq)]
    with unit_of_work(database_url) as session:
        call_co, other = partner(session, "CallCo"), partner(session, "OtherCall")
    by_centre = {r.call_centre_id: r for r in rows(database_url)}
    assert from_store(by_centre[call_co].due_by) == LATER + timedelta(hours=4)  # FAST's deadline
    assert from_store(by_centre[other].due_by) == LATER + timedelta(hours=24)  # the default
    assert from_store(by_centre[call_co].effective_at) == NOW and from_store(by_centre[call_co].created_at) == LATER
    assert by_centre[call_co].next_attempt_at is None  # pull only: nothing to send
    due = by_centre[other].next_attempt_at
    assert due is not None and from_store(due) == LATER  # webhook: due at once
    assert all(r.attempts == 0 and r.medium == "phone" and r.acknowledged_at is None for r in by_centre.values())
    (queued,) = events(database_url, "propagation.queued")
    data = queued["data"]
    assert isinstance(data, dict) and data["cause_seq"] == seq
    assert sorted(p["id"] for p in data["propagations"]) == sorted(r.id for r in by_centre.values())
    assert PHONE not in json.dumps(queued)  # no personal data in the ledger


def test_an_email_objection_to_all_channels_reaches_the_call_centres_holding_the_persons_numbers(
        database_url: str) -> None:
    setup(database_url)
    person = consent_for(database_url, EMAIL)
    second_contact(database_url, person, PHONE)
    second_contact(database_url, person, OTHER_PHONE)
    exported(database_url, "CallCo", PHONE, OTHER_PHONE)  # two numbers at one call centre: two rows
    exported(database_url, "OtherCall", OTHER_PHONE)

    seq = object_to(database_url, EMAIL, "all")

    assert outbox(database_url) == [("CallCo", "objection", PHONE, "all", seq),
                                    ("CallCo", "objection", OTHER_PHONE, "all", seq),
                                    ("OtherCall", "objection", OTHER_PHONE, "all", seq)]


@pytest.mark.parametrize("contact", [EMAIL, PHONE])
def test_an_objection_to_email_alone_concerns_no_call_centre(database_url: str, contact: str) -> None:
    setup(database_url)
    person = consent_for(database_url, EMAIL)
    second_contact(database_url, person, PHONE)
    exported(database_url, "CallCo", PHONE)
    object_to(database_url, contact, "email")
    assert outbox(database_url) == [] and events(database_url, "propagation.queued") == []


def test_an_objection_of_a_number_the_store_does_not_know_still_reaches_who_received_it(database_url: str) -> None:
    setup(database_url)
    exported(database_url, "CallCo", PHONE)  # from a lead file: no person in the store
    seq = object_to(database_url, PHONE, "phone")
    assert outbox(database_url) == [("CallCo", "objection", PHONE, "phone", seq)]


def test_an_objection_nobody_received_queues_nothing(database_url: str) -> None:
    setup(database_url)
    consent_for(database_url, PHONE)
    object_to(database_url, PHONE, "phone")
    assert outbox(database_url) == [] and events(database_url, "propagation.queued") == []


def test_a_phone_consent_withdrawal_is_propagated_once_per_call_centre(database_url: str, books: Rulebooks) -> None:
    setup(database_url)
    consent_for(database_url, PHONE)
    consent_for(database_url, PHONE)  # two active consents: two ledger events, one withdrawal
    exported(database_url, "CallCo", PHONE)
    checked(database_url, books, "CallCo", PHONE)
    with unit_of_work(database_url) as session:
        consent.withdraw_consents(session, contact=PHONE, country=None, channel="phone", at=NOW, via="phone",
                                  actor="test", now=LATER)
    with unit_of_work(database_url) as session:
        seqs = [e["seq"] for e in ledger.export(session) if e["body"]["kind"] == "consent.withdrawn"]
    assert outbox(database_url) == [("CallCo", "withdrawal", PHONE, "phone", min(seqs))]


def test_acknowledging_is_once_per_row_forgets_the_number_and_is_in_the_ledger(database_url: str) -> None:
    setup(database_url)
    consent_for(database_url, PHONE)
    exported(database_url, "CallCo", PHONE)
    exported(database_url, "OtherCall", PHONE)
    object_to(database_url, PHONE, "phone")
    with unit_of_work(database_url) as session:
        call_co, other = partner(session, "CallCo"), partner(session, "OtherCall")
    ours = next(r.id for r in rows(database_url) if r.call_centre_id == call_co)
    theirs = next(r.id for r in rows(database_url) if r.call_centre_id == other)

    with pytest.raises(NotFound), unit_of_work(database_url) as session:  # another call centre's id: not found
        service.acknowledge(session, ids=[ours, theirs], call_centre_id=call_co, now=LATER, actor="test")
    assert all(r.acknowledged_at is None for r in rows(database_url))  # all or none

    for _ in range(2):  # again: the same answer, no second event
        with unit_of_work(database_url) as session:
            (done,) = service.acknowledge(session, ids=[ours], call_centre_id=call_co,
                                          now=LATER + timedelta(minutes=5), actor="api-key:x")
            assert from_store(done.acknowledged_at) == LATER + timedelta(minutes=5)  # type: ignore[arg-type]
    (ack,) = events(database_url, "propagation.acknowledged")
    assert ack["data"] == {"propagations": [ours], "call_centres": [call_co]} and ack["actor"] == "api-key:x"
    acked = {r.id: r for r in rows(database_url)}
    assert acked[ours].contact is None and acked[ours].next_attempt_at is None and acked[ours].ack_seq
    assert acked[theirs].contact == PHONE and acked[theirs].acknowledged_at is None
    with unit_of_work(database_url) as session:  # admin (no scope) may acknowledge any row
        service.acknowledge(session, ids=[theirs], call_centre_id=None, now=LATER, actor="admin")
    assert all(r.contact is None for r in rows(database_url))


def test_the_overview_counts_pending_delivered_overdue_and_acknowledged(database_url: str) -> None:
    setup(database_url)
    for number in (PHONE, OTHER_PHONE, "+31611112222"):
        exported(database_url, "CallCo", number)
    exported(database_url, "OtherCall", PHONE, campaign=FAST)
    for number in (PHONE, OTHER_PHONE, "+31611112222"):
        object_to(database_url, number, "phone")
    with unit_of_work(database_url) as session:
        call_co = partner(session, "CallCo")
        ours = list(session.scalars(select(Propagation).where(Propagation.call_centre_id == call_co)
                                    .order_by(Propagation.contact)))
        ours[0].delivered_at = ours[0].created_at
        service.acknowledge(session, ids=[ours[1].id], call_centre_id=call_co, now=LATER, actor="test")

    def view(hours: int) -> dict[str, tuple[int, int, int, int]]:
        with unit_of_work(database_url) as session:
            found = service.overview(session, now=LATER + timedelta(hours=hours))
        return {c.call_centre: (c.pending, c.delivered, c.overdue, c.acknowledged) for c in found}

    assert view(1) == {"CallCo": (2, 1, 0, 1), "OtherCall": (1, 0, 0, 0)}
    assert view(5) == {"CallCo": (2, 1, 0, 1), "OtherCall": (1, 0, 1, 0)}  # FAST: 4 hours
    assert view(25) == {"CallCo": (2, 1, 2, 1), "OtherCall": (1, 0, 1, 0)}
    with unit_of_work(database_url) as session:
        late = {c.call_centre: c.oldest_overdue for c in service.overview(session, now=LATER + timedelta(hours=5))}
        listed = service.list_propagations(session, status="overdue", now=LATER + timedelta(hours=5),
                                           call_centre_id=None, limit=10)
    assert late == {"CallCo": None, "OtherCall": LATER + timedelta(hours=4)}
    assert [(row.contact, name) for row, name in listed] == [(PHONE, "OtherCall")]


def test_a_campaigns_deadline_is_1_to_720_hours_default_24(database_url: str) -> None:
    setup(database_url)
    with unit_of_work(database_url) as session:
        assert session.get(Campaign, FAST).propagation_deadline_hours == 4  # type: ignore[union-attr]
        assert session.get(Campaign, "winter-2026").propagation_deadline_hours == 24  # type: ignore[union-attr]
    for hours in (0, 721):
        with pytest.raises(ValidationError, match="propagation_deadline_hours"):
            campaigns.CampaignSpec(id="x", name="X", lawful_basis="consent", propagation_deadline_hours=hours)



def test_a_persons_propagations_are_found_through_their_opt_out_events(database_url: str) -> None:
    setup(database_url)
    person = consent_for(database_url, PHONE)
    exported(database_url, "CallCo", PHONE, OTHER_PHONE)
    object_to(database_url, PHONE, "phone")
    object_to(database_url, OTHER_PHONE, "phone")  # someone the store does not know
    with unit_of_work(database_url) as session:
        found = service.of_person(session, person_id=person)
        assert [(row.contact, name) for row, name in found] == [(PHONE, "CallCo")]
