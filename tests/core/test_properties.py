"""Property tests of decide() over generated facts (DESIGN.md, "The decision contract" and "Principles").

- Fail closed / monotone: an objection, one consent less or a register listing never turns "not
  allowed" into "allowed" (an objection is absolute: GDPR art. 21(3)).
- A decision is a pure function of the facts, and `allowed` is exactly "no blocking reason".
- next_allowed_at is a later moment at which the same facts are allowed, and the earliest one.
- Any phone string gives a decision or a ValidationError; an unusable number is `invalid_contact`.
- Equivalent spellings of one number are the same contact point, hence the same decision.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from leadgate.core import Decision, Facts, decide
from leadgate.core.lines import decide_line
from leadgate.rules.loader import load
from tests.factory import PHONES

CATEGORIES = {"consent", "register", "objection", "calling_hours", "contact_pressure", "retention",
              "governance", "data_source", "invalid_contact"}
TIME_ONLY = {"calling_hours", "contact_pressure"}
COUNTRIES = ("NL", "BE", "FR", "DE", "GB")
KINDS = ("consumer", "sole_trader", "business", "company_general")
CHANNELS = ("phone", "email", "sms")
OUTCOMES = ("no_answer", "busy", "voicemail", "connected", "not_interested", "callback_requested", "opt_out",
            "wrong_number")
SECTORS = ("charity", "lottery", "press", "energy", "telecom", "financial", "home_renovation", "claims_management",
           "pensions", "other")
SOURCE_KINDS = ("webform", "purchased_list", "rented_list", "crm", "customer_record", "public_register",
                "public_website", "phonebook", "social_network", "referral")
REGISTERS = {"NL": ("nl-bel-me-niet",), "BE": ("be-dncm",), "FR": ("fr-bloctel",), "DE": (),
             "GB": ("gb-tps", "gb-ctps")}
# Days around the cut-overs (NL opt-in 2021-07-01, NL customer exception 2026-07-01, FR opt-in 2026-08-11,
# NL revised code 2024-10-15) and ordinary weeks with weekends and holidays (Armistice, Christmas).
BASE_DAYS = (date(2021, 6, 30), date(2021, 7, 1), date(2024, 10, 14), date(2026, 6, 30), date(2026, 7, 1),
             date(2026, 8, 10), date(2026, 8, 11), date(2026, 11, 11), date(2026, 11, 24), date(2026, 12, 24))
OFFSETS = (UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=2)), timezone(timedelta(hours=-5)))

# Module-level rather than the `books` fixture: hypothesis would print the whole rulebooks on a failure.
BOOKS = load(None)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def iso(moment: datetime) -> str:
    return moment.isoformat()


# ------------------------------------------------------------------------------------------- strategies

def sometimes(draw: st.DrawFn, percent: int) -> bool:
    return draw(st.integers(0, 99)) < percent


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    day = draw(st.sampled_from(BASE_DAYS)) + timedelta(days=draw(st.integers(-3, 6)))
    minute = draw(st.sampled_from((0, 0, 15, 30, 59)))
    # Mostly working hours, also evenings, nights and lunch time.
    hour = draw(st.integers(9, 17)) if sometimes(draw, 60) else draw(st.integers(0, 23))
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone(timedelta(hours=1)))
    return local.astimezone(draw(st.sampled_from(OFFSETS)))


# Hours before (negative) or after the question: minutes ago, a day, a week, 29/31/61 days, a year, ...
RELATIVE_HOURS = st.one_of(
    st.sampled_from((-1, -2, -23, -25, -24 * 7, -24 * 29, -24 * 31, -24 * 59, -24 * 61, -24 * 364, -24 * 366,
                     -24 * 800, 1, 30)),
    st.integers(-24 * 800, 48),
)


def shifted(at: datetime, draw: st.DrawFn, *, past_only: bool = False) -> datetime:
    hours = draw(RELATIVE_HOURS)
    if past_only:
        hours = -abs(hours) or -1
    return at + timedelta(hours=hours, minutes=draw(st.integers(0, 59)))


def days_ago(at: datetime, draw: st.DrawFn, low: int, high: int) -> datetime:
    return at - timedelta(days=draw(st.integers(low, high)), minutes=draw(st.integers(0, 24 * 60 - 1)))


@st.composite
def consents(draw: st.DrawFn, at: datetime, channel: str) -> dict[str, Any]:
    """Mostly a sound recent consent for the channel; sometimes without proof, old, future, used or withdrawn."""
    given = days_ago(at, draw, 1, 200) if sometimes(draw, 75) else shifted(at, draw)
    proof = draw(st.sampled_from(("full",) * 8 + ("no_text", "no_source")))
    return {
        "channel": channel if sometimes(draw, 80) else draw(st.sampled_from(CHANNELS)),
        "purpose": "energy offers",
        "given_at": iso(given),
        "text": None if proof == "no_text" else "Ja, bel mij over energie.",
        "source": None if proof == "no_source" else "LP-TEST-01",
        "single_use": sometimes(draw, 20),
        "used_at": iso(shifted(at, draw)) if sometimes(draw, 20) else None,
        "withdrawn_at": iso(shifted(at, draw)) if sometimes(draw, 15) else None,
        "own_initiative": draw(st.booleans()),
        "automated_calls": draw(st.booleans()),
    }


@st.composite
def register_checks(draw: st.DrawFn, at: datetime, country: str) -> list[dict[str, Any]]:
    checks = []
    names = [n for n in REGISTERS[country] if sometimes(draw, 85)]
    if sometimes(draw, 10):
        names.append(draw(st.sampled_from(("be-dncm", "gb-tps", "fr-bloctel"))))
    for name in names:
        freshness = draw(st.sampled_from(("fresh",) * 6 + ("stale", "after", "any")))
        hours = {"fresh": -draw(st.integers(1, 24 * 4)), "stale": -24 * draw(st.integers(31, 90)),
                 "after": draw(st.integers(1, 48)), "any": draw(RELATIVE_HOURS)}[freshness]
        checks.append({"name": name, "listed": sometimes(draw, 25), "checked_at": iso(at + timedelta(hours=hours))})
    return checks


@st.composite
def fact_dicts(draw: st.DrawFn, *, channels: tuple[str, ...] = CHANNELS) -> dict[str, Any]:
    """Varied facts, lawful in most respects: each blocker (objection, missing or withdrawn consent, register
    listing or stale check, attempts, stale balancing test, hidden caller ID, bad source ...) appears only
    sometimes, so a fair share of the decisions allow and the mutations below have something to break."""
    country = draw(st.sampled_from(COUNTRIES))
    channel = draw(st.sampled_from(channels))
    kind = draw(st.sampled_from(KINDS))
    at = draw(moments())
    mobile, landline, caller = PHONES[country]
    attempts = [
        {"at": iso(shifted(at, draw, past_only=sometimes(draw, 80))), "outcome": draw(st.sampled_from(OUTCOMES)),
         **draw(st.sampled_from(({}, {"campaign": "c1"}, {"campaign": "other"})))}
        for _ in range(draw(st.sampled_from((0, 0, 0, 1, 2, 4, 5))))
    ]
    customer = None
    if sometimes(draw, 40):
        ended = draw(st.one_of(st.none(), st.integers(-1200, 10)))
        customer = {"paid": sometimes(draw, 70),
                    "relationship_ended": None if ended is None else (at.date() + timedelta(days=ended)).isoformat()}
    lia_days = draw(st.integers(1, 300)) if sometimes(draw, 85) else draw(st.integers(-10, 500))
    lia = None if sometimes(draw, 5) else (at.date() - timedelta(days=lia_days)).isoformat()
    source = None
    if sometimes(draw, 85):
        source = {"kind": "webform" if sometimes(draw, 60) else draw(st.sampled_from(SOURCE_KINDS)),
                  "purpose_compatible": True if sometimes(draw, 75) else draw(st.sampled_from((None, False))),
                  "disabled": sometimes(draw, 5)}
    n_consents = draw(st.sampled_from((0, 1, 1, 1, 2)))
    return {
        "id": draw(st.one_of(st.text(max_size=5), st.integers(-5, 5))),
        "at": iso(at),
        "channel": channel,
        "contact": {
            "kind": kind,
            "phone": mobile if sometimes(draw, 80) else landline,
            "email": draw(st.sampled_from(("jan.jansen@example.com",) * 4 + ("info@example.com", None))),
            "country": country,
            "job_title": None,
        },
        "customer": customer,
        "consents": [draw(consents(at, channel)) for _ in range(n_consents)],
        "objections": [
            {"channel": draw(st.sampled_from(("all", *CHANNELS))), "at": iso(shifted(at, draw))}
            for _ in range(1 if sometimes(draw, 10) else 0)
        ],
        "registers": draw(register_checks(at, country)),
        "attempts": attempts,
        "campaign": {
            "id": "c1",
            "lawful_basis": draw(st.sampled_from(("legitimate_interest",) * 5 + ("consent", "contract"))),
            "lia_approved_at": lia,
            "automated_dialer": sometimes(draw, 8),
            "caller_id": caller if sometimes(draw, 90) else draw(st.sampled_from((None, "12", "+31 800 0"))),
            "relevant_to_role": sometimes(draw, 70),
            "sector": draw(st.sampled_from(("energy", "other", *SECTORS))),
        },
        "source": source,
    }


def run(data: dict[str, Any]) -> Decision:
    return decide(Facts.model_validate(data), BOOKS)


def categories(decision: Decision) -> set[str]:
    return {r.category for r in decision.reasons}


# ------------------------------------------------------------------------------------------ monotonicity

@FAST
@given(data=fact_dicts(), which=st.sampled_from(("all", "same")), minutes=st.integers(0, 24 * 60 * 400))
def test_an_objection_always_blocks(data: dict[str, Any], which: str, minutes: int) -> None:
    base = run(data)
    at = datetime.fromisoformat(data["at"])
    objection = {"channel": "all" if which == "all" else data["channel"], "at": iso(at - timedelta(minutes=minutes))}
    after = run({**data, "objections": [*data["objections"], objection]})
    assert not after.allowed
    if base.jurisdiction is not None:
        assert "objection" in categories(after)
        # An objection is permanent: waiting cannot help.
        assert after.next_allowed_at is None


@FAST
@given(data=fact_dicts(), pick=st.integers(0, 10), withdraw=st.booleans(), minutes=st.integers(0, 60 * 24 * 30))
def test_losing_a_consent_never_allows(data: dict[str, Any], pick: int, withdraw: bool,
                                       minutes: int) -> None:
    assume(data["consents"])
    base = run(data)
    index = pick % len(data["consents"])
    consents_ = list(data["consents"])
    if withdraw:
        at = datetime.fromisoformat(data["at"])
        consents_[index] = {**consents_[index], "withdrawn_at": iso(at - timedelta(minutes=minutes))}
    else:
        del consents_[index]
    after = run({**data, "consents": consents_})
    if not base.allowed:
        assert not after.allowed, [r.code for r in base.reasons]


@FAST
@given(data=fact_dicts(channels=("phone",)), pick=st.integers(0, 10))
def test_a_register_listing_never_allows(data: dict[str, Any], pick: int) -> None:
    assume(data["registers"])
    base = run(data)
    registers = list(data["registers"])
    index = pick % len(registers)
    registers[index] = {**registers[index], "listed": True}
    after = run({**data, "registers": registers})
    if not base.allowed:
        assert not after.allowed, [r.code for r in base.reasons]


@FAST
@given(data=fact_dicts(channels=("phone",)))
def test_listing_every_register_never_allows(data: dict[str, Any]) -> None:
    assume(data["registers"])
    base = run(data)
    after = run({**data, "registers": [{**r, "listed": True} for r in data["registers"]]})
    if not base.allowed:
        assert not after.allowed


# ---------------------------------------------------------------------------------- determinism, shape

@FAST
@given(data=fact_dicts())
def test_decisions_are_deterministic_and_consistent(data: dict[str, Any]) -> None:
    first = run(data)
    second = run(json.loads(json.dumps(data)))
    assert first.as_dict() == second.as_dict()
    # The JSON Lines path reaches the same core and gives the same answer.
    line, ok = decide_line(json.dumps(data), 1, BOOKS)
    assert ok
    assert line == first.as_dict()

    out = first.as_dict()
    assert out["allowed"] == (out["reasons"] == [])
    assert first.allowed == (first.reasons == ())
    assert {r["category"] for r in out["reasons"]} <= CATEGORIES
    assert {g["category"] for g in out["grounds"]} <= CATEGORIES
    for reason in out["reasons"]:
        assert reason["code"] and reason["message"]
    if out["allowed"]:
        assert out["next_allowed_at"] is None
        # An allowed contact rests on something: a consent, a customer exception, a register check, a rule.
        assert out["grounds"]
        assert out["jurisdiction"] in COUNTRIES
    if out["jurisdiction"] is None:
        assert not out["allowed"]
        assert {r["category"] for r in out["reasons"]} == {"invalid_contact"}


# ------------------------------------------------------------------------------------------ next allowed

def _check_next_allowed(data: dict[str, Any], decision: Decision) -> None:
    assert decision.next_allowed_at is not None
    at = datetime.fromisoformat(data["at"])
    nxt = decision.next_allowed_at
    assert nxt.tzinfo is not None
    assert nxt > at
    later = run({**data, "at": iso(nxt)})
    assert later.allowed, (nxt, [r.code for r in later.reasons])
    # The earliest such moment: a second before, the contact is still blocked.
    just_before = nxt - timedelta(seconds=1)
    if just_before > at:
        assert not run({**data, "at": iso(just_before)}).allowed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=fact_dicts(channels=("phone",)))
def test_next_allowed_at_is_kept(data: dict[str, Any]) -> None:
    decision = run(data)
    if decision.allowed or decision.next_allowed_at is None:
        return
    _check_next_allowed(data, decision)


@st.composite
def timed_facts(draw: st.DrawFn) -> dict[str, Any]:
    """Lawful except, often, for the hour or the contact pressure: valid recent consent, fresh register check."""
    country = draw(st.sampled_from(COUNTRIES))
    kind = draw(st.sampled_from(("consumer", "business")))
    at = draw(moments())
    mobile, _, caller = PHONES[country]
    attempts = [
        {"at": iso(at - timedelta(hours=draw(st.sampled_from((1, 2, 20, 23, 25, 24 * 10, 24 * 29, 24 * 40))),
                                  minutes=draw(st.integers(0, 59)))),
         "outcome": draw(st.sampled_from(("no_answer", "busy", "voicemail", "connected", "callback_requested"))),
         **draw(st.sampled_from(({}, {"campaign": "other"})))}
        for _ in range(draw(st.integers(0, 5)))
    ]
    return {
        "id": "t", "at": iso(at), "channel": "phone",
        "contact": {"kind": kind, "phone": mobile, "country": country},
        "consents": [{"channel": "phone", "given_at": iso(at - timedelta(days=10)), "text": "Yes, call me.",
                      "source": "LP-1"}],
        "registers": [{"name": n, "listed": False, "checked_at": iso(at - timedelta(hours=6))}
                      for n in REGISTERS[country]],
        "attempts": attempts,
        "campaign": {"id": "c1", "lawful_basis": "legitimate_interest",
                     "lia_approved_at": (at.date() - timedelta(days=30)).isoformat(), "caller_id": caller,
                     "relevant_to_role": True, "sector": "energy"},
        "source": {"kind": "webform", "purpose_compatible": True},
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=timed_facts())
def test_time_only_blocks_clear_at_next_allowed_at(data: dict[str, Any]) -> None:
    decision = run(data)
    if decision.allowed:
        return
    if categories(decision) <= TIME_ONLY and decision.next_allowed_at is not None:
        _check_next_allowed(data, decision)
    if decision.next_allowed_at is not None:
        assert decision.next_allowed_at > datetime.fromisoformat(data["at"])


# ------------------------------------------------------------------------------------------ phone strings

SEPARATORS = st.sampled_from(("", " ", "-", ".", "/", "  ", " - "))
PREFIXES = st.sampled_from(("", "+", "+31", "+31 (0)", "0031", "00 31 ", "0", "06", "+33", "0033", "+32", "+49",
                            "+44 (0)", "+262", "(0)", "00", "+1", "tel:", "++31"))


@st.composite
def messy_phones(draw: st.DrawFn) -> str:
    groups = draw(st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=0, max_size=5))
    sep = draw(SEPARATORS)
    tail = draw(st.sampled_from(("", "", "x12", " ext. 5", "a", "ABC", " bel na 18u", "#", ")")))
    return draw(PREFIXES) + sep.join(groups) + tail


PHONE_TEXT = st.one_of(
    st.text(max_size=80),
    messy_phones(),
    st.sampled_from(("", " ", "0", "+", "()", "+31", "06", "06-1234567", "06-123456789", "0612345678910",
                     "+31 6 1234 567O", "06-CALL-NOW", "abc", "tel:", "+999 123456789", "0800-FLOWERS",
                     "06\u00a012345678", "\uff10\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18")),
)


def _library_says_valid(raw: str, region: str | None) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(raw, region))
    except phonenumbers.NumberParseException:
        return False


@settings(max_examples=400, deadline=None)
@given(raw=PHONE_TEXT, country=st.sampled_from((*COUNTRIES, None, "US", "XX")),
       channel=st.sampled_from(("phone", "sms")), kind=st.sampled_from(KINDS))
def test_any_phone_string_gives_a_decision_or_a_validation_error(raw: str, country: str | None,
                                                                  channel: str, kind: str) -> None:
    data = {
        "id": "p", "at": "2026-11-24T10:30:00+01:00", "channel": channel,
        "contact": {"kind": kind, "phone": raw, "country": country},
        "campaign": {"id": "c1", "lawful_basis": "legitimate_interest", "lia_approved_at": "2026-03-01",
                     "caller_id": "+31201234567"},
    }
    out, ok = decide_line(json.dumps(data), 1, BOOKS)  # never raises
    try:
        facts = Facts.model_validate(data)
    except ValidationError as exc:
        assert not ok
        assert out["allowed"] is False
        assert all(e["loc"][:2] == ("contact", "phone") for e in exc.errors())
        return
    decision = decide(facts, BOOKS)
    assert ok
    assert out == decision.as_dict()
    if not raw.strip() or not any(ch.isalnum() for ch in raw) or not _library_says_valid(raw, country):
        assert not decision.allowed
        assert categories(decision) == {"invalid_contact"}
        assert decision.jurisdiction is None
        assert decision.next_allowed_at is None


@pytest.mark.parametrize("raw", ["", "   ", "abc", "06", "+31", "0031", "+31 (0)", "not a number",
                                 "+999 123456789", "+31 6 123", "00", "+", "()"])
@pytest.mark.parametrize("country", COUNTRIES)
def test_unparseable_number_is_invalid_contact(raw: str, country: str) -> None:
    data = {
        "id": "p", "at": "2026-11-24T10:30:00+01:00", "channel": "phone",
        "contact": {"kind": "consumer", "phone": raw, "country": country},
        "consents": [{"channel": "phone", "given_at": "2026-10-01T12:00:00+02:00", "text": "Yes.", "source": "S"}],
        "campaign": {"id": "c1", "lawful_basis": "consent", "caller_id": PHONES[country][2]},
    }
    decision = run(data)
    assert not decision.allowed
    assert categories(decision) == {"invalid_contact"}


# ------------------------------------------------------------------------------- equivalent phone formats

NL_FORMS = ("06-12345678", "+31 (0)6 12345678", "0031612345678", "+31612345678", "06 12 34 56 78", "06.12.34.56.78",
            "(06) 12345678", "+31 6 1234 5678", "0031 (0)6-12345678", "+31-6-12-34-56-78", " 0612345678 ")
FR_FORMS = ("06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "+33 (0)6 12 34 56 78", "06.12.34.56.78",
            "06-12-34-56-78", "+33612345678")


@st.composite
def same_day_facts(draw: st.DrawFn, country: str) -> dict[str, Any]:
    at = draw(moments())
    outcome = draw(st.sampled_from((None, "no_answer", "busy", "not_interested")))
    return {
        "id": "eq", "at": iso(at), "channel": draw(st.sampled_from(("phone", "sms"))),
        "contact": {"kind": draw(st.sampled_from(KINDS)), "country": country},
        "consents": draw(st.sampled_from((
            [], [{"channel": "phone", "given_at": iso(at - timedelta(days=20)), "text": "Yes.", "source": "S"}]))),
        "attempts": [] if outcome is None else [{"at": iso(at - timedelta(hours=3)), "outcome": outcome}],
        "campaign": {"id": "c1", "lawful_basis": "legitimate_interest",
                     "lia_approved_at": (at.date() - timedelta(days=30)).isoformat(),
                     "caller_id": PHONES[country][2], "sector": draw(st.sampled_from(SECTORS))},
    }


def _with_phone(data: dict[str, Any], phone: str) -> dict[str, Any]:
    return {**data, "contact": {**data["contact"], "phone": phone}}


@settings(max_examples=80, deadline=None)
@given(data=same_day_facts("NL"))
def test_equivalent_nl_formats_give_the_same_decision(data: dict[str, Any]) -> None:
    expected = run(_with_phone(data, "+31612345678")).as_dict()
    assert expected["jurisdiction"] == "NL"
    for form in NL_FORMS:
        assert run(_with_phone(data, form)).as_dict() == expected, form


@settings(max_examples=40, deadline=None)
@given(data=same_day_facts("FR"))
def test_equivalent_fr_formats_give_the_same_decision(data: dict[str, Any]) -> None:
    expected = run(_with_phone(data, "+33612345678")).as_dict()
    assert expected["jurisdiction"] == "FR"
    for form in FR_FORMS:
        assert run(_with_phone(data, form)).as_dict() == expected, form


@settings(max_examples=40, deadline=None)
@given(data=same_day_facts("NL"), default=st.sampled_from(("BE", "FR", "DE", "GB", None)))
def test_international_format_ignores_the_default_region(data: dict[str, Any],
                                                         default: str | None) -> None:
    """The jurisdiction is the number's country; contact.country only helps parse national formats."""
    expected = run(_with_phone(data, "+31612345678")).as_dict()
    for form in ("+31612345678", "+31 (0)6 12345678", "+31 6 1234 5678"):
        other = _with_phone(data, form)
        other["contact"]["country"] = default
        assert run(other).as_dict() == expected, (form, default)


@pytest.mark.parametrize(("raw", "country"), [
    ("+31 6 ABCD EFGH", "NL"), ("030-ABCDEFG", "NL"), ("06-123-ABCD", "DE"), ("0612345678abc", "DE"),
    ("06 12 34 56 7B", "BE"), ("061234567O", "BE"),
])
def test_letters_are_not_read_as_digits(raw: str, country: str) -> None:
    """Fail closed (DESIGN.md): a lead's number with letters in it is not a usable number. Reading the
    letters as keypad digits ("ABCD" -> 2223) or dropping them dials a number nobody gave us."""
    data = {
        "id": "p", "at": "2026-11-24T10:30:00+01:00", "channel": "phone",
        "contact": {"kind": "business", "phone": raw, "country": country},
        "consents": [{"channel": "phone", "given_at": "2026-10-01T12:00:00+02:00", "text": "Yes.", "source": "S"}],
        "campaign": {"id": "c1", "lawful_basis": "consent", "caller_id": PHONES[country][2], "relevant_to_role": True},
    }
    decision = run(data)
    assert not decision.allowed
    assert categories(decision) == {"invalid_contact"}
