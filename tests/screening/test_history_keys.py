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


def test_stored_histories_give_equal_ids_to_equal_histories_only() -> None:
    from datetime import date

    from leadgate.core import facts as f
    from leadgate.screening.bulk import stored_histories
    from leadgate.screening.storeview import StoreView

    source = f.Source(kind="purchased_list", purpose_compatible=True)
    same_source = f.Source(kind="purchased_list", purpose_compatible=True)  # another object, equal value
    view = StoreView(
        consents={"p1": [_consent(id="a")], "p2": [_consent(id="b")], "p3": [_consent(id="c", text="Yes")]},
        objections={"o1": [("phone", GIVEN)]},
        customers={"c1": [(True, date(2025, 1, 1), None)], "c2": [(True, date(2025, 1, 1), None)],
                   "c3": [(False, date(2025, 1, 1), None)]},
        sources={"s1": source, "s2": same_source, "c1": source, "c2": source})
    histories = stored_histories(view)
    people, points = histories.people, histories.points
    assert points["p1"] == points["p2"] != points["p3"]  # consents equal but for their stored id
    assert people["s1"] == people["s2"]  # equal sources, whatever the object
    assert people["c1"] == people["c2"] != people["c3"]
    assert len({people["o1"], people["s1"], people["c1"], people["c3"]}) == 4
    assert set(people) == {"o1", "c1", "c2", "c3", "s1", "s2"} and set(points) == {"p1", "p2", "p3"}
    assert 0 not in people.values() and 0 not in points.values()  # 0 means "nothing stored"
