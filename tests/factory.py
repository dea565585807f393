"""Builders for facts in tests: a lawful-looking baseline that each test changes in one respect."""

from __future__ import annotations

import copy
from typing import Any

from leadgate.core import Decision, Facts, decide
from leadgate.rules.model import Rulebooks

# Per country: a valid mobile, a valid landline, a valid caller ID, and a weekday 10:30 local time
# (Tuesday 2026-11-24) on which every rulebook's calling hours are open.
PHONES = {
    "NL": ("+31612345678", "+31201234567", "+31201234567"),
    "BE": ("+32470123456", "+3222345678", "+3222345678"),
    "FR": ("+33612345678", "+33140000000", "+33140000000"),
    "DE": ("+4915123456789", "+493012345678", "+493012345678"),
    "GB": ("+447400123456", "+442079460018", "+442079460018"),
}
OFFSET = {"NL": "+01:00", "BE": "+01:00", "FR": "+01:00", "DE": "+01:00", "GB": "+00:00"}


def facts(country: str = "NL", *, channel: str = "phone", kind: str = "consumer",
          at: str | None = None, **changes: Any) -> dict[str, Any]:
    """A facts dict for `country`; keyword arguments replace top-level keys (contact, consents, ...)."""
    mobile, _, caller = PHONES[country]
    data: dict[str, Any] = {
        "id": "t",
        "at": at or f"2026-11-24T10:30:00{OFFSET[country]}",
        "channel": channel,
        "contact": {"kind": kind, "phone": mobile, "email": "jan.jansen@example.com", "country": country},
        "customer": None,
        "consents": [],
        "objections": [],
        "registers": [],
        "attempts": [],
        "campaign": {"id": "c1", "lawful_basis": "legitimate_interest", "lia_approved_at": "2026-03-01",
                     "automated_dialer": False, "caller_id": caller, "relevant_to_role": False,
                     "sector": "energy"},
        "source": {"kind": "webform", "purpose_compatible": True},
    }
    for key, value in changes.items():
        data[key] = copy.deepcopy(value)
    return data


def consent(channel: str = "phone", given_at: str = "2026-10-01T12:00:00+02:00", **changes: Any) -> dict[str, Any]:
    data = {"channel": channel, "purpose": "energy offers", "given_at": given_at,
            "text": "Yes, you may contact me about energy offers.", "source": "LP-TEST-01",
            "single_use": False, "used_at": None, "withdrawn_at": None, "own_initiative": False}
    data.update(changes)
    return data


def run(books: Rulebooks, data: dict[str, Any]) -> Decision:
    return decide(Facts.model_validate(data), books)


def codes(decision: Decision) -> set[str]:
    return {r.code for r in decision.reasons}
