"""Strict facts (DESIGN.md, "The decision contract"): every malformed field is an error naming that field.

Each case changes one field of an otherwise valid facts object and expects a pydantic ValidationError
whose location is that field; the JSON Lines reader turns the same error into an error record.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from leadgate.core.facts import Facts
from leadgate.core.lines import decide_line
from leadgate.rules.model import Rulebooks
from tests.factory import consent, facts

# The facts example of DESIGN.md, verbatim.
CONTRACT_EXAMPLE = """{"id": "case-1",
 "at": "2026-11-23T10:15:00+01:00",
 "channel": "phone",
 "contact": {"kind": "consumer", "phone": "06-12345678", "email": null, "country": "NL",
             "job_title": null},
 "customer": {"paid": true, "relationship_ended": "2025-01-31"},
 "consents": [{"channel": "phone", "purpose": "energy offers", "given_at": "2026-10-02T14:03:00+02:00",
               "text": "Ja, bel mij over ...", "source": "LP-ENERGY-07",
               "single_use": false, "used_at": null, "withdrawn_at": null, "own_initiative": false}],
 "objections": [{"channel": "all", "at": "2026-01-05T09:00:00+01:00"}],
 "registers": [{"name": "nl-bel-me-niet", "listed": false, "checked_at": "2026-11-20T06:00:00+01:00"}],
 "attempts": [{"at": "2026-11-22T11:00:00+01:00", "outcome": "no_answer"}],
 "campaign": {"id": "winter-2026", "lawful_basis": "legitimate_interest",
              "lia_approved_at": "2026-03-01", "automated_dialer": false,
              "caller_id": "+31201234567", "relevant_to_role": true, "sector": "energy"},
 "source": {"kind": "webform", "purpose_compatible": true}}"""

DECISION_KEYS = {"id", "allowed", "jurisdiction", "reasons", "grounds", "next_allowed_at", "rulebook"}
CATEGORIES = {"consent", "register", "objection", "calling_hours", "contact_pressure", "retention",
              "governance", "data_source", "invalid_contact"}

Path = tuple[str | int, ...]
_DELETE = object()


def full() -> dict[str, Any]:
    """Valid facts with every optional list and object filled, so each nested field can be broken."""
    return facts(
        "NL",
        customer={"paid": True, "relationship_ended": "2025-01-31"},
        consents=[consent()],
        objections=[{"channel": "email", "at": "2026-01-05T09:00:00+01:00"}],
        registers=[{"name": "nl-bel-me-niet", "listed": False, "checked_at": "2026-11-20T06:00:00+01:00"}],
        attempts=[{"at": "2026-11-20T11:00:00+01:00", "outcome": "busy", "rings": 5},
                  {"at": "2026-11-21T11:00:00+01:00", "outcome": "voicemail"}],
    )


def changed(path: Path, value: Any) -> dict[str, Any]:
    data = full()
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out


INVALID: list[tuple[str, Path, Any]] = [
    # unknown fields
    ("unknown-top-level", ("colour",), "blue"),
    ("unknown-contact", ("contact", "telephone"), "+31612345678"),
    ("unknown-consent", ("consents", 0, "ip_address"), "10.0.0.1"),
    ("unknown-campaign", ("campaign", "budget"), 100),
    ("unknown-register", ("registers", 0, "source"), "dncm"),
    ("unknown-source", ("source", "supplier"), "acme"),
    # wrong types: string for bool
    ("string-bool-paid", ("customer", "paid"), "yes"),
    ("string-bool-single-use", ("consents", 0, "single_use"), "false"),
    ("string-bool-listed", ("registers", 0, "listed"), "true"),
    ("string-bool-dialer", ("campaign", "automated_dialer"), "no"),
    ("string-bool-own-initiative", ("consents", 0, "own_initiative"), "1"),
    ("int-bool-relevant", ("campaign", "relevant_to_role"), 1),
    ("int-bool-disabled", ("source", "disabled"), 0),
    # wrong types: number for phone / text
    ("number-phone", ("contact", "phone"), 612345678),
    ("number-email", ("contact", "email"), 42),
    ("number-caller-id", ("campaign", "caller_id"), 31201234567),
    ("number-campaign-id", ("campaign", "id"), 7),
    ("float-id", ("id",), 1.5),
    ("bool-id", ("id",), True),
    ("list-contact", ("contact",), ["consumer"]),
    ("object-consents", ("consents",), {"channel": "phone"}),
    ("string-rings", ("attempts", 0, "rings"), "7"),
    ("negative-rings", ("attempts", 0, "rings"), -1),
    # wrong types: number for datetime / date
    ("number-at", ("at",), 1764000000),
    ("number-given-at", ("consents", 0, "given_at"), 1764000000),
    ("float-checked-at", ("registers", 0, "checked_at"), 1764000000.5),
    ("number-relationship-ended", ("customer", "relationship_ended"), 20250131),
    ("number-lia", ("campaign", "lia_approved_at"), 20260301),
    # impossible dates and times
    ("feb-30-at", ("at",), "2026-02-30T10:00:00+01:00"),
    ("month-13-given-at", ("consents", 0, "given_at"), "2026-13-01T10:00:00+01:00"),
    ("hour-25-at", ("at",), "2026-11-24T25:00:00+01:00"),
    ("feb-30-relationship-ended", ("customer", "relationship_ended"), "2026-02-30"),
    ("month-13-lia", ("campaign", "lia_approved_at"), "2026-13-01"),
    ("feb-29-non-leap", ("objections", 0, "at"), "2026-02-29T09:00:00+01:00"),
    ("not-a-date", ("attempts", 1, "at"), "yesterday"),
    ("offset-out-of-range", ("at",), "2026-11-24T10:30:00+25:00"),
    # naive datetimes (no offset)
    ("naive-at", ("at",), "2026-11-24T10:30:00"),
    ("date-only-at", ("at",), "2026-11-24"),
    ("naive-given-at", ("consents", 0, "given_at"), "2026-10-01T12:00:00"),
    ("naive-withdrawn-at", ("consents", 0, "withdrawn_at"), "2026-11-01T12:00:00"),
    ("naive-used-at", ("consents", 0, "used_at"), "2026-11-01T12:00:00"),
    ("naive-objection", ("objections", 0, "at"), "2026-01-05T09:00:00"),
    ("naive-register", ("registers", 0, "checked_at"), "2026-11-20T06:00:00"),
    ("naive-attempt", ("attempts", 1, "at"), "2026-11-21T11:00:00"),
    # bad country codes
    ("country-alpha3", ("contact", "country"), "NLD"),
    ("country-digit", ("contact", "country"), "N1"),
    ("country-empty", ("contact", "country"), ""),
    ("country-name", ("contact", "country"), "Netherlands"),
    ("country-number", ("contact", "country"), 31),
    # bad enums
    ("channel-fax", ("channel",), "fax"),
    ("channel-capitalised", ("channel",), "Phone"),
    ("kind-person", ("contact", "kind"), "person"),
    ("outcome-hung-up", ("attempts", 0, "outcome"), "hung_up"),
    ("outcome-second-attempt", ("attempts", 1, "outcome"), "answered"),
    ("sector-gambling", ("campaign", "sector"), "gambling"),
    ("lawful-basis", ("campaign", "lawful_basis"), "vital_interest"),
    ("source-kind", ("source", "kind"), "scraped"),
    ("objection-channel", ("objections", 0, "channel"), "post"),
    ("consent-channel-all", ("consents", 0, "channel"), "all"),
    ("register-name", ("registers", 0, "name"), "Bel-me-niet"),
    # length limits
    ("phone-too-long", ("contact", "phone"), "+31 6 " + "1" * 80),
    ("empty-campaign-id", ("campaign", "id"), ""),
    # missing required fields
    ("missing-id", ("id",), _DELETE),
    ("missing-at", ("at",), _DELETE),
    ("missing-channel", ("channel",), _DELETE),
    ("missing-contact", ("contact",), _DELETE),
    ("missing-campaign", ("campaign",), _DELETE),
    ("missing-kind", ("contact", "kind"), _DELETE),
    ("missing-paid", ("customer", "paid"), _DELETE),
    ("missing-consent-channel", ("consents", 0, "channel"), _DELETE),
    ("missing-objection-at", ("objections", 0, "at"), _DELETE),
    ("missing-objection-channel", ("objections", 0, "channel"), _DELETE),
    ("missing-register-checked", ("registers", 0, "checked_at"), _DELETE),
    ("missing-register-listed", ("registers", 0, "listed"), _DELETE),
    ("missing-attempt-outcome", ("attempts", 1, "outcome"), _DELETE),
    ("missing-campaign-id", ("campaign", "id"), _DELETE),
    ("missing-lawful-basis", ("campaign", "lawful_basis"), _DELETE),
    ("missing-source-kind", ("source", "kind"), _DELETE),
    # null where a value is required
    ("null-at", ("at",), None),
    ("null-contact", ("contact",), None),
    ("null-paid", ("customer", "paid"), None),
]


def test_the_baseline_is_valid() -> None:
    Facts.model_validate_json(json.dumps(full()))


@pytest.mark.parametrize(("path", "value"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
@pytest.mark.parametrize("mode", ["python", "json"])
def test_invalid_field_is_named(path: Path, value: Any, mode: str) -> None:
    data = changed(path, value)
    with pytest.raises(ValidationError) as info:
        if mode == "json":
            Facts.model_validate_json(json.dumps(data))
        else:
            Facts.model_validate(data)
    locations = [tuple(e["loc"]) for e in info.value.errors()]
    assert any(loc[:len(path)] == path for loc in locations), locations


@pytest.mark.parametrize(("path", "value"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_decide_line_error_record(books: Rulebooks, path: Path, value: Any) -> None:
    line = json.dumps(changed(path, value))
    out, ok = decide_line(line, 17, books)
    assert ok is False
    assert out["allowed"] is False
    assert set(out) >= {"id", "allowed", "error"}
    assert "reasons" not in out  # nothing was decided
    error = out["error"]
    assert error["line"] == 17
    field = dotted(path)
    assert error["field"] == field
    assert field in error["message"]
    if path != ("id",):
        assert out["id"] == "t"  # the id of the line is echoed so the caller can match the error


@pytest.mark.parametrize(("path", "value", "field"), [
    (("contact", "phone"), 612345678, "contact.phone"),
    (("consents", 0, "given_at"), "2026-10-01T12:00:00", "consents[0].given_at"),
    (("attempts", 1, "outcome"), "answered", "attempts[1].outcome"),
    (("registers", 0, "checked_at"), "2026-02-30T06:00:00+01:00", "registers[0].checked_at"),
    (("id",), 1.5, "id"),
])
def test_decide_line_names_the_field_as_the_contract_does(books: Rulebooks, path: Path, value: Any,
                                                          field: str) -> None:
    out, ok = decide_line(json.dumps(changed(path, value)), 3, books)
    assert not ok
    assert out["error"]["field"] == field
    assert out["error"]["line"] == 3
    assert field in out["error"]["message"]


def test_naive_datetime_message_asks_for_an_offset(books: Rulebooks) -> None:
    out, _ = decide_line(json.dumps(changed(("at",), "2026-11-24T10:30:00")), 1, books)
    assert "offset" in out["error"]["message"].lower() or "timezone" in out["error"]["message"].lower()


def test_several_errors_are_all_reported(books: Rulebooks) -> None:
    data = changed(("contact", "phone"), 612345678)
    data["channel"] = "fax"
    out, ok = decide_line(json.dumps(data), 9, books)
    assert not ok
    fields = {d["field"] for d in out["error"]["details"]}
    assert {"contact.phone", "channel"} <= fields


@pytest.mark.parametrize("line", ["", "not json", "{", "[]", "42", "null", '"facts"', '{"id": "x"'])
def test_unreadable_line_is_an_error_record(books: Rulebooks, line: str) -> None:
    out, ok = decide_line(line, 5, books)
    assert ok is False
    assert out["allowed"] is False
    assert out["error"]["line"] == 5
    assert out["error"]["message"]


# ------------------------------------------------------------------------------------------ valid lines

def test_contract_example_is_a_valid_line(books: Rulebooks) -> None:
    out, ok = decide_line(CONTRACT_EXAMPLE, 1, books)
    assert ok is True
    assert set(out) >= DECISION_KEYS
    assert "error" not in out
    assert out["id"] == "case-1"
    assert out["jurisdiction"] == "NL"  # 06-12345678 with default region NL
    # The objection of 2026-01-05 ("all") is absolute: not allowed, and waiting does not help.
    assert out["allowed"] is False
    assert "objection" in {r["category"] for r in out["reasons"]}
    assert out["next_allowed_at"] is None
    # The unanswered call of Sunday 11:00 also blocks until a day has passed.
    assert "contact_pressure" in {r["category"] for r in out["reasons"]}
    # The NL cut-over of 2026-07-01 (customer exception ends) is the latest one in force.
    assert out["rulebook"] == "nl/2026-07-01"
    for reason in out["reasons"]:
        assert reason["category"] in CATEGORIES
        assert reason["code"] and reason["message"] and reason["reference"]


def test_contract_example_without_the_objection(books: Rulebooks) -> None:
    data = json.loads(CONTRACT_EXAMPLE)
    data["objections"] = []
    out, ok = decide_line(json.dumps(data), 1, books)
    assert ok
    # Only the one-day wait after the unanswered call of 2026-11-22 11:00 remains.
    assert out["allowed"] is False
    assert {r["category"] for r in out["reasons"]} == {"contact_pressure"}
    assert out["next_allowed_at"] == "2026-11-23T11:00:00+01:00"
    # Without the attempt, the consent of 2026-10-02 (LP-ENERGY-07) carries the call.
    data["attempts"] = []
    out, ok = decide_line(json.dumps(data), 1, books)
    assert ok
    assert out["allowed"] is True
    assert out["reasons"] == []
    assert any("LP-ENERGY-07" in g["message"] for g in out["grounds"])


def test_valid_line_gives_a_decision(books: Rulebooks) -> None:
    out, ok = decide_line(json.dumps(facts("FR", consents=[consent()])), 1, books)
    assert ok
    assert set(out) >= DECISION_KEYS
    assert out["allowed"] is True
    assert out["jurisdiction"] == "FR"


@pytest.mark.parametrize(("path", "value"), [
    # Country codes are normalised: lower case, surrounding spaces, and UK for GB.
    (("contact", "country"), "nl"),
    (("contact", "country"), " NL "),
    (("contact", "country"), None),
    # Optional values may be null or absent.
    (("customer",), None),
    (("source",), None),
    (("consents", 0, "purpose"), None),
    (("customer", "relationship_ended"), None),
    (("campaign", "lia_approved_at"), _DELETE),
    (("attempts", 0, "rings"), None),
    (("consents",), _DELETE),
    (("objections",), _DELETE),
    (("registers",), _DELETE),
    (("attempts",), _DELETE),
    # An integer id is allowed besides a string.
    (("id",), 12),
    # Other offsets than the contact's own, and UTC as "Z".
    (("at",), "2026-11-24T09:30:00Z"),
    (("at",), "2026-11-24T04:30:00-05:00"),
])
def test_valid_variants(books: Rulebooks, path: Path, value: Any) -> None:
    line = json.dumps(changed(path, value))
    Facts.model_validate_json(line)
    out, ok = decide_line(line, 1, books)
    assert ok, out
    assert "error" not in out


def test_uk_is_read_as_gb(books: Rulebooks) -> None:
    data = facts("GB")
    data["contact"]["country"] = "uk"
    data["contact"]["phone"] = "07400 123456"
    out, ok = decide_line(json.dumps(data), 1, books)
    assert ok
    assert out["jurisdiction"] == "GB"
