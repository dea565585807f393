"""The history ids that group rows: equal ids only for equal facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

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
    histories = stored_histories(view, day=date(2026, 11, 26))
    people, points = histories.people, histories.points
    assert points["p1"] == points["p2"] != points["p3"]  # consents equal but for their stored id
    assert people["s1"] == people["s2"]  # equal sources, whatever the object
    assert people["c1"] == people["c2"] != people["c3"]
    assert len({people["o1"], people["s1"], people["c1"], people["c3"]}) == 4
    assert set(people) == {"o1", "c1", "c2", "c3", "s1", "s2"} and set(points) == {"p1", "p2", "p3"}
    assert 0 not in people.values() and 0 not in points.values()  # 0 means "nothing stored"


def test_customers_alike_in_their_facts_share_a_history_whatever_their_start() -> None:
    from leadgate.screening.bulk import stored_histories
    from leadgate.screening.storeview import StoreView

    day = date(2026, 11, 26)
    view = StoreView(customers={
        "a": [(True, date(2020, 3, 1), date(2025, 6, 1))], "b": [(True, date(2021, 9, 9), date(2025, 6, 1))],
        "c": [(True, date(2021, 9, 9), date(2025, 6, 2))], "d": [(False, date(2021, 9, 9), date(2025, 6, 1))],
        # started the day after: on the planned day the relationship does not exist yet, later that day it may
        "e": [(True, day + timedelta(days=1), None)], "f": [(True, day + timedelta(days=1), None)],
        "g": [(True, day - timedelta(days=30), None)]})
    people = stored_histories(view, day=day).people
    assert people["a"] == people["b"]  # (paid, ended 2025-06-01) either way
    assert len({people["b"], people["c"], people["d"], people["e"], people["g"]}) == 5
    assert people["e"] == people["f"]  # the same relationships, starting near the day: the same history


relation = st.tuples(st.booleans(), st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2026, 12, 31))),
                     st.one_of(st.none(), st.dates(date(2025, 6, 1), date(2027, 6, 1))))


@given(first=st.lists(relation, min_size=1, max_size=3), second=st.lists(relation, min_size=1, max_size=3),
       day=st.dates(date(2026, 2, 1), date(2026, 11, 30)), reach=st.integers(0, 3))
def test_equal_customer_keys_give_equal_customer_facts_on_every_day_within_reach(
        first: list[tuple[bool, date | None, date | None]], second: list[tuple[bool, date | None, date | None]],
        day: date, reach: int) -> None:
    from leadgate.screening.storeview import customer, customer_key

    if customer_key(first, day, reach=reach) != customer_key(second, day, reach=reach):
        return
    for offset in range(-reach, reach + 1):
        moment = day + timedelta(days=offset)
        assert customer(first, moment) == customer(second, moment), (offset, first, second)


@given(relations=st.lists(relation, min_size=1, max_size=3), day=st.dates(date(2026, 2, 1), date(2026, 11, 30)),
       reach=st.integers(0, 3), moves=st.lists(st.integers(1, 400), min_size=3, max_size=3))
def test_contracts_that_started_on_other_days_away_from_the_day_share_a_key_and_the_facts(
        relations: list[tuple[bool, date | None, date | None]], day: date, reach: int, moves: list[int]) -> None:
    from leadgate.screening.storeview import customer, customer_key

    def moved(started: date | None, move: int) -> date | None:
        # Another start on the same side of the days within reach: before all of them, or after all of them.
        if started is None or abs((started - day).days) <= reach:
            return started
        side = -1 if started < day else 1
        return day + timedelta(days=side * (reach + move))

    other = [(paid, moved(started, move), ended) for (paid, started, ended), move in
             zip(relations, moves[:len(relations)], strict=True)]
    key = customer_key(relations, day, reach=reach)
    if key[0] == "relationships":  # a start within reach: the records are the key
        return
    assert customer_key(other, day, reach=reach) == key
    for offset in range(-reach, reach + 1):
        moment = day + timedelta(days=offset)
        assert customer(other, moment) == customer(relations, moment), (offset, relations, other)


@given(relations=st.lists(relation, min_size=1, max_size=3), day=st.dates(date(2026, 2, 1), date(2026, 11, 30)))
def test_the_customer_key_is_the_customer_facts_when_no_relationship_starts_near_the_day(
        relations: list[tuple[bool, date | None, date | None]], day: date) -> None:
    from leadgate.screening.storeview import customer, customer_key

    key = customer_key(relations, day, reach=2)
    fact = customer(relations, day)
    if key[0] == "customer":
        assert (None if fact is None else (fact.paid, fact.relationship_ended)) == key[1]
    else:
        assert any(r[1] is not None and abs((r[1] - day).days) <= 2 for r in relations)


@given(values=st.dictionaries(st.integers(0, 60), st.tuples(st.integers(0, 4), st.integers(0, 3)), max_size=40),
       coarse=st.integers(1, 5))
def test_interning_by_summary_gives_equal_ids_exactly_for_equal_values(
        values: dict[int, tuple[int, int]], coarse: int) -> None:
    from leadgate.screening.bulk import _intern, _intern_rare

    made: list[int] = []

    def value(k: int) -> tuple[int, int]:
        made.append(k)
        return values[k]

    # The summary is a function of the value (here a coarse one, so that summaries are shared).
    ids = _intern_rare({k: v[0] // coarse for k, v in values.items()}, value)
    plain = _intern(values)  # type: ignore[arg-type]
    assert set(ids) == set(values) and all(i > 0 for i in ids.values())
    for a in values:
        for b in values:
            assert (ids[a] == ids[b]) == (values[a] == values[b]) == (plain[a] == plain[b])
    summaries = [v[0] // coarse for v in values.values()]
    alone = {k for k, v in values.items() if summaries.count(v[0] // coarse) == 1}
    assert not alone & set(made)  # a value with a summary of its own is never made


def test_points_with_equal_histories_share_an_id_and_the_others_do_not() -> None:
    from leadgate.core import facts as f
    from leadgate.screening.bulk import stored_histories
    from leadgate.screening.storeview import StoreView

    tried = (f.Attempt(at=GIVEN.isoformat(), outcome="busy"),)
    view = StoreView(
        consents={"a": [_consent(id="1")], "b": [_consent(id="2")], "c": [_consent(id="3", text="Other")],
                  "d": [_consent(id="4", given_at=GIVEN.replace(minute=9))], "e": [_consent(id="5")]},
        attempts={"e": tried, "f": tried, "g": (f.Attempt(at=GIVEN.isoformat(), outcome="connected"),)})
    points = stored_histories(view, day=date(2026, 11, 26)).points
    assert points["a"] == points["b"]  # equal but for the stored id
    assert len({points["a"], points["c"], points["d"], points["e"], points["f"], points["g"]}) == 6
    assert set(points) == set("abcdefg") and 0 not in points.values()
