"""The pre-dial fast path (decisions.pgfacts, PostgreSQL only) assembles exactly the facts of the service's
per-part queries: on a store with every part (consents, objections and suppressions, customers, attempts,
sources, business persons, full register lists moved by a second import and overridden by a later check
service) for known and unknown contacts, every channel and moments before, between and after the
snapshots. The SQLite run checks that the fast path is not taken there."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from leadgate.attempts.models import ContactAttempt
from leadgate.campaigns.models import Partner
from leadgate.consent import service as consents
from leadgate.core import facts as f
from leadgate.decisions import pgfacts, service
from leadgate.intake import sources
from leadgate.intake.models import Lead
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import InvalidInput
from leadgate.people import customers
from leadgate.people import service as people
from leadgate.people.models import Person
from leadgate.registers import service as registers
from leadgate.rules.model import Rulebooks
from tests.store_helpers import CAMPAIGN, KEY, NOW, setup_store

DAY1, DAY2, DAY3 = NOW - timedelta(days=3), NOW - timedelta(days=2), NOW - timedelta(days=1)
MOMENTS = (NOW - timedelta(days=5), DAY1 + timedelta(hours=1), DAY2 + timedelta(hours=1), NOW,
           datetime.fromisoformat("2026-11-23T10:15:00+01:00"))
BE = [f"+3247{i:07d}" for i in range(30)]
NL = [f"+3161{i:07d}" for i in range(30)]
MAILS = [f"p{i}@example.be" for i in range(10)]


def _store(url: str, data_dir: Path, books: Rulebooks) -> None:
    rng = random.Random(7)
    setup_store(url)
    with unit_of_work(url) as session:
        centre = session.query(Partner).filter_by(name="CallCo").one().id
        source, _ = sources.add_source(session, supplier="LeadShop", code="LP-1", kind="purchased_list",
                                       compatible=True, now=NOW, actor="t")
        other, _ = sources.add_source(session, supplier="LeadShop", code="LP-2", kind="webform", now=NOW, actor="t")
        for i, contact in enumerate([*BE[:20], *NL[:20], *MAILS[:6]]):
            kind = "business" if i % 7 == 0 else "consumer"
            country = "BE" if contact.startswith("+32") or contact.endswith(".be") else "NL"
            point = people.find_or_create_contact(session, contact, country=country if i % 5 else None, kind=kind,
                                                  now=NOW)
            if kind == "business":
                session.get(Person, point.person_id).job_title = "Facility manager"  # type: ignore[union-attr]
            for _ in range(rng.randint(0, 2)):
                consent = consents.give_consent(
                    session, contact=contact, country=country, kind=kind, channel=rng.choice(f.CHANNELS),
                    text="Ja.", source_code="S", given_at=NOW - timedelta(hours=rng.randint(1, 5000)), now=NOW,
                    actor="t", single_use=rng.random() < 0.3)
                if rng.random() < 0.2:
                    consent.withdrawn_at = NOW - timedelta(hours=rng.randint(0, 40))
            if rng.random() < 0.2:
                consents.record_objection(session, contact=contact, country=country, channel=rng.choice(
                    ["phone", "email", "all"]), at=NOW - timedelta(hours=rng.randint(1, 900)), via="t", actor="t",
                    key=KEY)
            for _ in range(rng.randint(0, 2)):
                started = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2700))
                customers.record_customer(session, spec=customers.CustomerSpec(
                    contact=contact, country=country, kind=None, name=None, paid=rng.random() < 0.7,
                    started_on=started, ended_on=started + timedelta(days=400) if rng.random() < 0.4 else None,
                    reference=None), now=NOW, actor="t")
            for _ in range(rng.randint(0, 3)):
                session.add(ContactAttempt(
                    person_id=point.person_id, contact_point_id=point.id, campaign_id=CAMPAIGN,
                    call_centre_id=centre if rng.random() < 0.8 else None, channel="phone",
                    at=NOW - timedelta(hours=rng.randint(1, 2000)), outcome=rng.choice(["no_answer", "connected"]),
                    rings=rng.choice([None, 3]), recorded_at=NOW))
            for _ in range(rng.randint(0, 2)):
                session.add(Lead(person_id=point.person_id, data_source_id=rng.choice([source.id, other.id]),
                                 received_at=NOW - timedelta(days=rng.randint(1, 90))))
        consents.record_objection(session, contact=BE[25], country="BE", channel="phone", at=DAY1, via="t",
                                  actor="t", key=KEY)  # a suppression without a stored person
    # The first full list, a second one moving some numbers, and a check service's later answers.
    listed1, listed2 = BE[0:40:3], BE[1:40:3]
    for listed, day in ((listed1, DAY1), (listed2, DAY2)):
        data = "".join(f"0{n[3:]};2020-01-01\n" for n in listed).encode()
        with unit_of_work(url) as session:
            registers.import_full(session, register="be-dncm", data=data, where="dncm.txt", checked_at=day, now=NOW,
                                  actor="t", data_dir=data_dir, books=books, force=True)
    answer = "number;listed\n" + "".join(f"{n};{'yes' if i % 2 else 'no'}\n" for i, n in enumerate(BE[0:12]))
    with unit_of_work(url) as session:
        registers.import_check(session, register="be-dncm", data=answer.encode(), where="answer.csv", checked_at=DAY3,
                               now=NOW, actor="t", data_dir=data_dir, books=books)


def test_the_one_statement_assembles_the_facts_of_the_per_part_queries(
        database_url: str, tmp_path: Path, books: Rulebooks, monkeypatch: pytest.MonkeyPatch) -> None:
    _store(database_url, tmp_path, books)
    contacts = [*((n, None) for n in BE), *((n, None) for n in NL), ("0470 00 00 03", "BE"),
                *((m, "BE") for m in MAILS)]
    with unit_of_work(database_url) as session:
        if not pgfacts.applies(session):
            assert session.get_bind().dialect.name == "sqlite"
            return
    compared, seen = 0, set()
    for contact, country in contacts:
        for channel in f.CHANNELS:
            for at in MOMENTS:
                for kind in (None, "business"):
                    asked = {"contact": contact, "country": country, "campaign_id": CAMPAIGN, "channel": channel,
                             "at": at, "key": KEY, "kind": kind}
                    with unit_of_work(database_url) as session:
                        fast, fast_point = service._assemble(session, **asked)  # type: ignore[arg-type]
                    with monkeypatch.context() as patched:
                        patched.setattr(pgfacts, "applies", lambda _: False)
                        with unit_of_work(database_url) as session:
                            slow, slow_point = service._assemble(session, **asked)  # type: ignore[arg-type]
                    assert fast == slow, (contact, channel, at, kind)
                    assert fast.model_dump(mode="json") == slow.model_dump(mode="json")
                    assert (fast_point and (fast_point.id, fast_point.person_id)) == \
                           (slow_point and (slow_point.id, slow_point.person_id))
                    compared += 1
                    seen |= {name for name, there in (
                        ("listed", any(r.listed for r in fast.registers)),
                        ("check service", any(r.checked_at == DAY3 for r in fast.registers)),
                        ("second list", any(r.checked_at == DAY2 for r in fast.registers)),
                        ("customer", fast.customer is not None), ("source", fast.source is not None),
                        ("objection", bool(fast.objections)), ("consent", bool(fast.consents)),
                        ("attempt", bool(fast.attempts)), ("business", fast.contact.kind == "business"),
                        ("unknown", fast_point is None)) if there}
    assert compared == len(contacts) * len(f.CHANNELS) * len(MOMENTS) * 2
    assert seen == {"listed", "check service", "second list", "customer", "source", "objection", "consent",
                    "attempt", "business", "unknown"}


def test_errors_come_in_the_same_order_on_the_fast_path(database_url: str, books: Rulebooks) -> None:
    setup_store(database_url)
    for contact, campaign, field in (("not a number", "nope", "campaign"), ("not a number", CAMPAIGN, "contact"),
                                     ("+31612345678", "nope", "campaign")):
        with unit_of_work(database_url) as session, pytest.raises(InvalidInput) as raised:
            service.decide_stored(session, contact=contact, country=None, campaign_id=campaign, channel="phone",
                                  at=NOW.astimezone(UTC), key=KEY, books=books, record=False, now=NOW, actor="t")
        assert raised.value.field == field
