"""Property: for any stored state (consents, objections, attempts, customer relationships), deciding from
the store equals the core deciding the same facts written out by hand; and an objection recorded through
the service always makes the contact not allowed. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, get_args

from hypothesis import given, settings
from hypothesis import strategies as st

from leadgate.attempts.models import ContactAttempt
from leadgate.campaigns.models import Partner
from leadgate.consent import service as consents
from leadgate.core import decide
from leadgate.core import facts as f
from leadgate.decisions import service
from leadgate.kit.db import unit_of_work
from leadgate.people import customers
from leadgate.people import service as people
from leadgate.rules.model import Rulebooks
from tests.store_helpers import CAMPAIGN, KEY, NOW, setup_store

MOMENTS = [datetime(2026, 11, 24, 9, 30, tzinfo=UTC), datetime(2026, 11, 24, 20, 30, tzinfo=UTC),
           datetime(2026, 3, 10, 9, 30, tzinfo=UTC)]
_numbers = itertools.count(100_000)


@dataclass(frozen=True)
class Relationship:
    paid: bool
    started: int  # days before the moment
    ended: int | None


hours = st.integers(-72, 3000)  # hours before the moment (negative: after it)
consent_st = st.tuples(st.sampled_from(f.CHANNELS), hours, st.booleans(), st.none() | hours, st.none() | hours,
                       st.booleans())
objection_st = st.tuples(st.sampled_from(["phone", "email", "sms", "all"]), hours)
attempt_st = st.tuples(st.sampled_from(get_args(f.Outcome)), hours, st.none() | st.integers(0, 20))
# started days before the moment, ended `length` days later (None: ongoing), possibly after the moment.
relationship_st = st.tuples(st.booleans(), st.integers(0, 3000), st.none() | st.integers(0, 3000)).map(
    lambda t: Relationship(t[0], t[1], None if t[2] is None else t[1] - t[2]))


def _expected_customer(relations: list[Relationship], day: date) -> f.Customer | None:
    """The spec: an ongoing paid relationship, else the paid one that ended last, else an unpaid one (the
    same order); not one that starts after the day."""
    live = [(r.paid, None if r.ended is None else day - timedelta(days=r.ended))
            for r in relations if r.started >= 0]
    for paid in (True, False):
        ongoing = [end for p, end in live if p == paid and (end is None or end >= day)]
        if ongoing:
            return f.Customer(paid=paid, relationship_ended=None if None in ongoing else max(ongoing))
        ended = [end for p, end in live if p == paid and end is not None]
        if ended:
            return f.Customer(paid=paid, relationship_ended=max(ended))
    return None


def test_deciding_from_the_store_equals_deciding_the_facts(database_url: str, books: Rulebooks) -> None:
    setup_store(database_url)
    with unit_of_work(database_url) as session:
        centre = session.query(Partner).filter_by(name="CallCo").one().id

    @settings(max_examples=40, deadline=None)
    @given(at=st.sampled_from(MOMENTS), channel=st.sampled_from(f.CHANNELS),
           given=st.lists(consent_st, max_size=3, unique_by=lambda c: c[1]),
           objected=st.lists(objection_st, max_size=2, unique_by=lambda o: o[1]),
           attempted=st.lists(attempt_st, max_size=4, unique_by=lambda a: a[1]),
           relations=st.lists(relationship_st, max_size=3, unique_by=lambda r: (r.paid, r.started)),
           late_objection=st.sampled_from(["phone", "all"]))
    def check(at: datetime, channel: str, given: list[Any], objected: list[Any], attempted: list[Any],
              relations: list[Relationship], late_objection: str) -> None:
        phone = f"+3161{next(_numbers):07d}"
        hour = timedelta(hours=1)
        stored_consents: list[f.Consent] = []
        stored_attempts: list[f.Attempt] = []
        with unit_of_work(database_url) as session:
            for ch, before, single, used, withdrawn, own in given:
                moment = at - before * hour
                consent = consents.give_consent(
                    session, contact=phone, country="NL", kind="consumer", channel=ch, text="Ja.", source_code="S",
                    given_at=moment, now=max(moment, NOW), actor="t", single_use=single, own_initiative=own)
                consent.used_at = None if used is None else at - used * hour
                consent.withdrawn_at = None if withdrawn is None else at - withdrawn * hour
                stored_consents.append(f.Consent(
                    channel=ch, given_at=moment, text="Ja.", source="S", single_use=single, used_at=consent.used_at,
                    withdrawn_at=consent.withdrawn_at, own_initiative=own))
            for ch, before in objected:
                consents.record_objection(session, contact=phone, country="NL", channel=ch, at=at - before * hour,
                                          via="test", actor="t", key=KEY)
            for relation in relations:
                customers.record_customer(session, spec=customers.CustomerSpec(
                    contact=phone, country="NL", kind=None, name=None, paid=relation.paid,
                    started_on=at.date() - timedelta(days=relation.started),
                    ended_on=None if relation.ended is None else at.date() - timedelta(days=relation.ended),
                    reference=None), now=NOW, actor="t")
            point = people.find_contact(session, phone, country="NL")
            if attempted and point is None:  # an attempt on an unknown number creates its person
                point = people.find_or_create_contact(session, phone, country="NL", kind="consumer", now=NOW)
            for outcome, before, rings in attempted:
                assert point is not None
                session.add(ContactAttempt(
                    person_id=point.person_id, contact_point_id=point.id, campaign_id=CAMPAIGN,
                    call_centre_id=centre, channel="phone", at=at - before * hour, outcome=outcome, rings=rings,
                    recorded_at=NOW))
                stored_attempts.append(f.Attempt(at=at - before * hour, outcome=outcome, campaign=CAMPAIGN,
                                                 call_centre="CallCo", rings=rings))
        with unit_of_work(database_url) as session:
            stored = service.decide_stored(session, contact=phone, country="NL", campaign_id=CAMPAIGN,
                                           channel=channel, at=at, key=KEY, books=books, record=True, now=NOW,
                                           actor="t")
        # A known person's objections are all on record; for a contact point without a person when it
        # objected, the suppression list keeps the earliest objection per channel.
        objections = {(ch, at - b * hour) for ch, b in objected}
        if not given:
            objections = {(ch, min(t for c, t in objections if c == ch)) for ch, _ in objections}
        by_hand = f.Facts(
            id=stored.contact_point_id or "unknown-contact", at=at, channel=channel,
            contact=f.Contact(kind="consumer", phone=phone, country="NL"),
            customer=_expected_customer(relations, at.date()) if stored.person_id else None,
            consents=tuple(sorted(stored_consents, key=lambda c: c.given_at)),
            objections=tuple(f.Objection(channel=ch, at=t) for ch, t in sorted(objections, key=lambda o: (o[1], o[0]))),
            attempts=tuple(sorted(stored_attempts, key=lambda a: a.at)),
            campaign=f.Campaign(id=CAMPAIGN, lawful_basis="legitimate_interest", lia_approved_at=date(2026, 3, 1),
                                caller_id="+31201234567", sector="energy"))
        assert stored.decision == decide(by_hand, books)
        assert stored.facts == by_hand
        # Whatever else is stored, an objection on the channel (or all) before the moment wins.
        if channel == "phone":
            with unit_of_work(database_url) as session:
                consents.record_objection(session, contact=phone, country="NL", channel=late_objection,
                                          at=at - timedelta(minutes=1), via="call_centre", actor="t", key=KEY)
                after = service.decide_stored(session, contact=phone, country="NL", campaign_id=CAMPAIGN,
                                              channel="phone", at=at, key=KEY, books=books, record=False, now=NOW,
                                              actor="t")
            assert not after.decision.allowed
            assert "OBJECTION" in [r.code for r in after.decision.reasons]

    check()
