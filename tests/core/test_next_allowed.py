"""next_allowed_at, table-driven; every expected moment is worked out by hand from the rules.

FR consumers (C. consom. D223-9): Mon-Fri 10:00-13:00 and 14:00-20:00 in the consumer's time zone,
no public holidays, at most 4 calls or attempts per 30 days, 60 days after a refusal.
NL consumers (Code Telemarketing): weekdays 09:00-22:00, Sat 10:00-16:00, 24 Dec until 18:30, no
public holidays. B2B good practice: Mon-Fri 09:00-17:30 local. After no answer: wait a day.
Objections, "not interested" for the same campaign and a register listing are permanent: null.

Calendar used: 2026-11-24 is a Tuesday; 2026-11-27 Friday; 2026-11-28 Saturday; 2026-11-30 Monday;
2026-11-11 (Wed) Armistice; 2026-12-24 Thursday, 25/26 Dec holidays in NL; 2027-12-20 is a Monday.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from leadgate.rules.model import Rulebooks
from tests.factory import consent, facts, run

FR_CONSENT = [consent(given_at="2026-10-01T12:00:00+02:00")]
NL_CONSENT = [consent(given_at="2026-10-01T12:00:00+02:00")]
REUNION = "+262692123456"


def attempt(at: str, outcome: str = "busy", **extra: Any) -> dict[str, Any]:
    return {"at": at, "outcome": outcome, **extra}


def fr(at: str, **changes: Any) -> dict[str, Any]:
    changes.setdefault("consents", FR_CONSENT)
    return facts("FR", at=at, **changes)


def nl(at: str, **changes: Any) -> dict[str, Any]:
    changes.setdefault("consents", NL_CONSENT)
    return facts("NL", at=at, **changes)


def reunion(at: str, **changes: Any) -> dict[str, Any]:
    data = fr(at, **changes)
    data["contact"]["phone"] = REUNION
    return data


def campaign(**changes: Any) -> dict[str, Any]:
    base = facts("FR")["campaign"]
    return {**base, **changes}


CASES: list[tuple[str, dict[str, Any], str | None]] = [
    # --- French consumer hours
    ("fr-saturday", fr("2026-11-28T11:00:00+01:00"), "2026-11-30T10:00:00+01:00"),
    ("fr-lunch-break", fr("2026-11-24T13:30:00+01:00"), "2026-11-24T14:00:00+01:00"),
    ("fr-lunch-break-exact-end", fr("2026-11-24T13:00:00+01:00"), "2026-11-24T14:00:00+01:00"),
    ("fr-early-morning", fr("2026-11-24T09:15:00+01:00"), "2026-11-24T10:00:00+01:00"),
    ("fr-friday-evening", fr("2026-11-27T20:30:00+01:00"), "2026-11-30T10:00:00+01:00"),
    ("fr-friday-evening-given-in-utc", fr("2026-11-27T19:30:00+00:00"), "2026-11-30T10:00:00+01:00"),
    ("fr-armistice", fr("2026-11-11T11:00:00+01:00"), "2026-11-12T10:00:00+01:00"),
    ("fr-eve-of-armistice", fr("2026-11-10T20:05:00+01:00"), "2026-11-12T10:00:00+01:00"),
    # Summer time ends on Sunday 25 Oct 2026: Friday CEST, Monday CET.
    ("fr-over-dst-change", fr("2026-10-23T20:30:00+02:00"), "2026-10-26T10:00:00+01:00"),
    # Before 11 Aug 2026 (Bloctel regime, checked and not listed): the hours apply as well.
    ("fr-bloctel-era-weekend",
     fr("2026-06-06T11:00:00+02:00", consents=[],
        registers=[{"name": "fr-bloctel", "listed": False, "checked_at": "2026-06-01T08:00:00+02:00"}]),
     "2026-06-08T10:00:00+02:00"),
    # --- Réunion: Indian/Reunion time (UTC+4) and its own holiday (20 Dec, abolition of slavery).
    # Tue 2026-11-24 17:30 in Paris is 20:30 in Réunion: closed, Wednesday 10:00 Réunion time.
    ("reunion-evening", reunion("2026-11-24T17:30:00+01:00"), "2026-11-25T10:00:00+04:00"),
    # 06:00 in Paris is 09:00 in Réunion: opens at 10:00 local the same day.
    ("reunion-early", reunion("2026-11-24T06:00:00+01:00"), "2026-11-24T10:00:00+04:00"),
    ("reunion-abolition-day",
     reunion("2027-12-20T11:00:00+04:00", consents=[consent(given_at="2027-10-01T12:00:00+04:00")],
             campaign=campaign(lia_approved_at="2027-03-01")),
     "2027-12-21T10:00:00+04:00"),
    # --- Dutch consumer hours
    ("nl-saturday-after-16", nl("2026-11-28T16:30:00+01:00"), "2026-11-30T09:00:00+01:00"),
    ("nl-saturday-morning", nl("2026-11-28T09:30:00+01:00"), "2026-11-28T10:00:00+01:00"),
    ("nl-sunday", nl("2026-11-29T12:00:00+01:00"), "2026-11-30T09:00:00+01:00"),
    ("nl-weekday-late", nl("2026-11-24T22:00:00+01:00"), "2026-11-25T09:00:00+01:00"),
    ("nl-christmas-eve-after-1830", nl("2026-12-24T19:00:00+01:00"), "2026-12-28T09:00:00+01:00"),
    # --- B2B business hours (good practice, Mon-Fri 09:00-17:30 local)
    ("nl-b2b-18h", nl("2026-11-24T18:00:00+01:00", kind="business", consents=[]), "2026-11-25T09:00:00+01:00"),
    ("nl-b2b-friday-18h", nl("2026-11-27T18:00:00+01:00", kind="business", consents=[]),
     "2026-11-30T09:00:00+01:00"),
    ("fr-b2b-18h", fr("2026-11-24T18:00:00+01:00", kind="business", consents=[]), "2026-11-25T09:00:00+01:00"),
    ("gb-b2b-18h",
     facts("GB", at="2026-11-24T18:00:00+00:00", kind="business",
           registers=[{"name": "gb-ctps", "listed": False, "checked_at": "2026-11-20T08:00:00+00:00"}]),
     "2026-11-25T09:00:00+00:00"),
    # --- retry after no answer: that moment + 1 day, inside calling hours
    ("nl-no-answer-2h-ago",
     nl("2026-11-24T13:00:00+01:00", attempts=[attempt("2026-11-24T11:00:00+01:00", "no_answer")]),
     "2026-11-25T11:00:00+01:00"),
    ("fr-no-answer-2h-ago",
     fr("2026-11-24T13:00:00+01:00", attempts=[attempt("2026-11-24T11:00:00+01:00", "no_answer")]),
     "2026-11-25T11:00:00+01:00"),
    # No answer on Friday 19:00, +1 day is Saturday 19:00: closed, Monday 10:00.
    ("fr-no-answer-friday",
     fr("2026-11-27T19:30:00+01:00", attempts=[attempt("2026-11-27T19:00:00+01:00", "no_answer")]),
     "2026-11-30T10:00:00+01:00"),
    # No answer Tue 12:45, +1 day is Wed 12:45, inside the morning span.
    ("fr-no-answer-then-lunch",
     fr("2026-11-24T13:30:00+01:00", attempts=[attempt("2026-11-24T12:45:00+01:00", "no_answer")]),
     "2026-11-25T12:45:00+01:00"),
    # --- FR: at most 4 attempts per 30 days; the fifth waits until the oldest is 30 days old.
    ("fr-4-attempts",
     fr("2026-11-24T15:00:00+01:00", attempts=[
         attempt("2026-11-02T11:00:00+01:00"), attempt("2026-11-09T11:00:00+01:00", "voicemail"),
         attempt("2026-11-16T11:00:00+01:00"), attempt("2026-11-23T11:00:00+01:00", "busy")]),
     "2026-12-02T11:00:00+01:00"),
    # The oldest drops out on Sunday 6 Dec 19:30: Monday 7 Dec 10:00.
    ("fr-4-attempts-weekend",
     fr("2026-11-24T15:00:00+01:00", attempts=[
         attempt("2026-11-06T19:30:00+01:00"), attempt("2026-11-10T11:00:00+01:00"),
         attempt("2026-11-17T11:00:00+01:00"), attempt("2026-11-20T11:00:00+01:00")]),
     "2026-12-07T10:00:00+01:00"),
    # Five attempts: the second-oldest has to drop out too (4 + the new call must stay <= 4 in 30 days).
    ("fr-5-attempts",
     fr("2026-11-24T15:00:00+01:00", attempts=[
         attempt("2026-11-02T11:00:00+01:00"), attempt("2026-11-03T12:00:00+01:00"),
         attempt("2026-11-09T11:00:00+01:00"), attempt("2026-11-16T11:00:00+01:00"),
         attempt("2026-11-23T11:00:00+01:00")]),
     "2026-12-03T12:00:00+01:00"),
    # --- the FR 60-day cool-down after a refusal in another campaign (own campaign would be permanent).
    # Refusal Tue 2026-09-22 11:00 + 60 days = Sat 2026-11-21 11:00: closed, Monday 23 Nov 10:00. The consent
    # was given after the refusal, so the refusal does not withdraw it.
    ("fr-refusal-60-days",
     fr("2026-11-20T11:00:00+01:00",
        consents=[consent(given_at="2026-10-01T12:00:00+02:00")],
        attempts=[attempt("2026-09-22T11:00:00+02:00", "not_interested", campaign="other")]),
     "2026-11-23T10:00:00+01:00"),
    # --- the own 60-day contact-pressure rule after a conversation in another campaign (NL business).
    # Connected Tue 2026-11-10 11:00 + 60 days = Sat 2027-01-09 11:00: Monday 2027-01-11 09:00.
    ("nl-other-campaign-conversation",
     nl("2026-11-24T11:00:00+01:00", kind="business", consents=[],
        attempts=[attempt("2026-11-10T11:00:00+01:00", "connected", campaign="spring")]),
     "2027-01-11T09:00:00+01:00"),
    # --- a change of law ends the block: Bloctel applies until 2026-08-10, opt-in from 2026-08-11 (Loi 2025-594).
    # Fri 7 Aug 2026 the number is on Bloctel (checked 5 Aug) and the consumer gave a consent (not on their own
    # initiative, so it does not override Bloctel). From Tue 11 Aug the consent is what counts: 10:00 that day.
    ("fr-bloctel-listed-until-opt-in",
     fr("2026-08-07T11:00:00+02:00", consents=[consent(given_at="2026-08-01T12:00:00+02:00")],
        registers=[{"name": "fr-bloctel", "listed": True, "checked_at": "2026-08-05T08:00:00+02:00"}]),
     "2026-08-11T10:00:00+02:00"),
    # --- waiting does not help: null
    ("objection-all",
     nl("2026-11-24T10:30:00+01:00", objections=[{"channel": "all", "at": "2026-01-05T09:00:00+01:00"}]), None),
    ("objection-phone-outside-hours",
     nl("2026-11-28T17:00:00+01:00", objections=[{"channel": "phone", "at": "2026-01-05T09:00:00+01:00"}]), None),
    ("opt-out-during-call", nl("2026-11-24T10:30:00+01:00", attempts=[attempt("2026-11-20T10:00:00+01:00", "opt_out")]),
     None),
    ("not-interested-same-campaign-nl",
     nl("2026-11-24T10:30:00+01:00", attempts=[attempt("2026-11-20T10:00:00+01:00", "not_interested")]), None),
    ("not-interested-same-campaign-fr",
     fr("2026-11-24T10:30:00+01:00", attempts=[attempt("2026-11-20T10:00:00+01:00", "not_interested")]), None),
    ("not-interested-same-campaign-b2b",
     nl("2026-11-24T10:30:00+01:00", kind="business", consents=[],
        attempts=[attempt("2026-11-20T10:00:00+01:00", "not_interested", campaign="c1")]), None),
    ("be-dncm-listed",
     facts("BE", at="2026-11-24T10:30:00+01:00",
           registers=[{"name": "be-dncm", "listed": True, "checked_at": "2026-11-23T06:00:00+01:00"}]), None),
    ("gb-tps-listed-on-saturday",
     facts("GB", at="2026-11-28T10:30:00+00:00",
           registers=[{"name": "gb-tps", "listed": True, "checked_at": "2026-11-23T06:00:00+00:00"}]), None),
    ("nl-no-consent", nl("2026-11-28T17:00:00+01:00", consents=[]), None),
    # The consent reaches its 365-day limit (FR, décret 2026-662) over the weekend: Monday is too late.
    ("fr-consent-expires-before-reopening",
     fr("2026-11-27T20:30:00+01:00", consents=[consent(given_at="2025-11-28T12:00:00+01:00")]), None),
]


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_next_allowed_at(books: Rulebooks, data: dict[str, Any], expected: str | None) -> None:
    decision = run(books, data)
    assert not decision.allowed
    got = decision.as_dict()["next_allowed_at"]
    if expected is None:
        assert got is None
        return
    assert got is not None, [r.code for r in decision.reasons]
    # Same instant and the same local offset (the contact's time zone).
    assert datetime.fromisoformat(got) == datetime.fromisoformat(expected)
    assert datetime.fromisoformat(got).utcoffset() == datetime.fromisoformat(expected).utcoffset()
    # The promise holds: deciding the same facts at that moment allows.
    later = run(books, {**data, "at": got})
    assert later.allowed, [r.code for r in later.reasons]


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in CASES if c[2] is not None],
                         ids=[c[0] for c in CASES if c[2] is not None])
def test_one_minute_earlier_is_not_allowed(books: Rulebooks, data: dict[str, Any], expected: str) -> None:
    """next_allowed_at is the earliest moment: one minute before it the contact is still blocked."""
    moment = datetime.fromisoformat(expected)
    before = moment.replace(minute=moment.minute - 1) if moment.minute else moment.replace(
        hour=moment.hour - 1, minute=59)
    if before <= datetime.fromisoformat(data["at"]):
        pytest.skip("the minute before is not later than the question")
    assert not run(books, {**data, "at": before.isoformat()}).allowed


def test_reunion_inside_local_hours_is_allowed(books: Rulebooks) -> None:
    # Tue 2026-11-24 09:30 Paris = 12:30 Réunion (open); 16:30 Paris = 19:30 Réunion (open).
    assert run(books, reunion("2026-11-24T09:30:00+01:00")).allowed
    assert run(books, reunion("2026-11-24T16:30:00+01:00")).allowed


def test_reunion_holiday_is_not_a_metropolitan_holiday(books: Rulebooks) -> None:
    data = fr("2027-12-20T11:00:00+01:00", consents=[consent(given_at="2027-10-01T12:00:00+02:00")],
              campaign=campaign(lia_approved_at="2027-03-01"))
    assert run(books, data).allowed


def test_allowed_has_no_next_allowed_at(books: Rulebooks) -> None:
    decision = run(books, fr("2026-11-24T10:30:00+01:00"))
    assert decision.allowed
    assert decision.next_allowed_at is None
