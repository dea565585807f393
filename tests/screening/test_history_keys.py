"""The history ids that group rows: equal ids only for equal facts."""

from __future__ import annotations

from datetime import UTC, datetime

from leadgate.screening.bulk import _consent_value
from leadgate.screening.storeview import StoredConsent

GIVEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _consent(**change: object) -> StoredConsent:
    values: dict[str, object] = dict(id="a", channel="phone", purpose=None, given_at=GIVEN, text="Yes, call me",
                                     source_code="web", single_use=False, used_at=None, withdrawn_at=None,
                                     own_initiative=False, automated_calls=False)
    return StoredConsent(**(values | change))  # type: ignore[arg-type]


def test_two_consents_that_differ_only_in_their_stored_id_share_a_history() -> None:
    assert _consent_value(_consent()) == _consent_value(_consent(id="b"))


def test_a_difference_in_any_fact_of_a_consent_is_another_history() -> None:
    other = {"channel": "sms", "purpose": "x", "given_at": GIVEN.replace(second=6), "text": "Yes", "source_code": "s",
             "single_use": True, "used_at": GIVEN, "withdrawn_at": GIVEN, "own_initiative": True,
             "automated_calls": True}
    assert set(other) == set(StoredConsent._fields) - {"id"}  # every field but the id is compared
    for name, value in other.items():
        assert _consent_value(_consent(**{name: value})) != _consent_value(_consent()), name
