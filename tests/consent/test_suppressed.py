"""The bulk suppression check on SQLite and PostgreSQL: bucket prefilter, e-mail rows, legacy rows."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from leadgate.consent import service
from leadgate.consent.buckets import EMAIL_BUCKET, phone_bucket
from leadgate.consent.models import Suppression
from leadgate.consent.suppressed import RESULT_SCHEMA, legacy_suppressions, listed_buckets, suppressed_numbers
from leadgate.decisions.service import _objections
from leadgate.kit.db import unit_of_work
from leadgate.kit.errors import InvalidInput

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
KEY = b"test-suppression-key-0123456789"
SUPPRESSED = (32470123456, 31612345678, 4915112345678)


def object_to(url: str, contact: str, channel: str = "phone", at: datetime = NOW) -> None:
    with unit_of_work(url) as session:
        service.record_objection(session, contact=contact, country=None, channel=channel, at=at,
                                 via="call_centre", actor="test", key=KEY)


def check(url: str, numbers: list[int | None], key: bytes = KEY) -> pl.DataFrame:
    with unit_of_work(url) as session:
        return suppressed_numbers(session, key=key, numbers=pl.Series(numbers, dtype=pl.Int64))


def legacy_row(url: str, value: str, channel: str = "phone") -> None:
    """A suppression as recorded before migration 0005: digest only, no bucket."""
    with unit_of_work(url) as session:
        session.add(Suppression(digest=service.suppression_digest(KEY, value), channel=channel, at=NOW, bucket=None))


def test_a_suppressed_number_is_found_once_per_suppression(database_url: str) -> None:
    object_to(database_url, "+32 470 12 34 56", "phone", NOW - timedelta(days=2))
    object_to(database_url, "+32470123456", "sms", NOW + timedelta(hours=1, minutes=30))
    found = check(database_url, [31699999999, 32470123456, None, 32470123456, None])
    assert found.schema == RESULT_SCHEMA
    assert found.rows() == [(32470123456, "phone", NOW - timedelta(days=2)),
                            (32470123456, "sms", NOW + timedelta(hours=1, minutes=30))]



def test_buckets_read_beforehand_give_the_same_answer(database_url: str) -> None:
    # Screening reads the list's buckets on another thread while it reads the file, then passes them in.
    for number in SUPPRESSED:
        object_to(database_url, f"+{number}")
    object_to(database_url, "+32470123456", "sms")  # a second row in the same bucket
    object_to(database_url, "jan@example.nl", "all")  # the e-mail marker is no phone bucket
    numbers = pl.Series([*SUPPRESSED, 32470999999, None], dtype=pl.Int64)
    with unit_of_work(database_url) as session:
        buckets = listed_buckets(session)
        assert sorted(buckets.to_list()) == sorted({phone_bucket(KEY, f"+{n}") for n in SUPPRESSED})
        given = suppressed_numbers(session, key=KEY, numbers=numbers, buckets=buckets)
        read_here = suppressed_numbers(session, key=KEY, numbers=numbers)
    assert given.equals(read_here) and sorted(set(given["number"].to_list())) == sorted(SUPPRESSED)
    assert given.height == len(SUPPRESSED) + 1

def test_phone_objections_get_a_bucket_and_email_objections_the_email_marker(database_url: str) -> None:
    object_to(database_url, "+32470123456")
    object_to(database_url, "jan@example.nl", "all")
    with unit_of_work(database_url) as session:
        buckets = dict(session.execute(select(Suppression.channel, Suppression.bucket)).all())
        assert legacy_suppressions(session) == 0
    assert buckets == {"phone": phone_bucket(KEY, "+32470123456"), "all": EMAIL_BUCKET}


def test_email_suppressions_are_never_taken_for_phones(database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    object_to(database_url, "jan@example.nl", "all")
    object_to(database_url, "+31612345678", "all")
    with caplog.at_level(logging.WARNING):
        found = check(database_url, [31612345678, 32470123456])
    assert found["number"].to_list() == [31612345678]
    assert "predate" not in caplog.text  # e-mail rows do not force hashing every number


def test_a_number_sharing_only_the_bucket_is_not_reported(database_url: str) -> None:
    # A false candidate: same bucket as a suppression, another digest; the HMAC must reject it.
    with unit_of_work(database_url) as session:
        session.add(Suppression(digest="0" * 64, channel="phone", at=NOW, bucket=phone_bucket(KEY, "+32470123456")))
    assert check(database_url, [32470123456]).is_empty()


def test_the_list_only_answers_to_its_own_key(database_url: str) -> None:
    object_to(database_url, "+32470123456")
    assert check(database_url, [32470123456], key=b"another-key-0123456789abcdef").is_empty()
    with pytest.raises(InvalidInput, match="LEADGATE_SUPPRESSION_KEY"):
        check(database_url, [32470123456], key=b"short")


def test_nothing_in_nothing_out(database_url: str) -> None:
    assert check(database_url, []).is_empty() and check(database_url, [None]).is_empty()
    object_to(database_url, "+32470123456")
    assert check(database_url, []).schema == RESULT_SCHEMA


def test_exactly_the_suppressed_numbers_are_found(database_url: str) -> None:
    for number in SUPPRESSED:
        object_to(database_url, f"+{number}")

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.one_of(st.none(), st.integers(min_value=10**8, max_value=10**15 - 1),
                              st.sampled_from(SUPPRESSED)), max_size=30))
    def prop(numbers: list[int | None]) -> None:
        found = check(database_url, numbers)
        assert found["number"].to_list() == sorted({n for n in numbers if n in SUPPRESSED})

    prop()


def test_legacy_rows_without_a_bucket_are_still_found(database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    legacy_row(database_url, "phone:+32470123456")
    legacy_row(database_url, "email:jan@example.nl", "all")
    object_to(database_url, "+31612345678")
    with unit_of_work(database_url) as session:
        assert legacy_suppressions(session) == 2
    with caplog.at_level(logging.WARNING, logger="leadgate.consent.suppressed"):
        found = check(database_url, [32470123456, 31612345678, 31699999999, 32470123456])
    assert found.rows() == [(31612345678, "phone", NOW), (32470123456, "phone", NOW)]
    assert "2 suppressions predate the phone prefilter" in caplog.text


def test_a_legacy_and_a_bucketed_row_of_one_number_give_one_row_each(database_url: str) -> None:
    legacy_row(database_url, "phone:+32470123456", "phone")
    object_to(database_url, "+32470123456", "sms", NOW + timedelta(hours=1))
    found = check(database_url, [32470123456])
    assert found.rows() == [(32470123456, "phone", NOW), (32470123456, "sms", NOW + timedelta(hours=1))]


def test_a_repeated_objection_gives_a_legacy_row_its_bucket(database_url: str) -> None:
    legacy_row(database_url, "phone:+32470123456")
    object_to(database_url, "+32470123456", "phone", NOW + timedelta(days=1))
    with unit_of_work(database_url) as session:
        assert legacy_suppressions(session) == 0
        assert session.scalars(select(Suppression.bucket)).one() == phone_bucket(KEY, "+32470123456")
    assert check(database_url, [32470123456]).rows() == [(32470123456, "phone", NOW)]


def test_the_single_contact_check_still_sees_bucketed_suppressions(database_url: str) -> None:
    object_to(database_url, "+32470123456", "phone")
    with unit_of_work(database_url) as session:
        objections = _objections(session, None, service.suppression_digest(KEY, "phone:+32470123456"))
    assert [(o.channel, o.at) for o in objections] == [("phone", NOW)]


def test_an_objection_recorded_in_the_same_unit_of_work_counts(database_url: str) -> None:
    with unit_of_work(database_url) as session:
        session.add(Suppression(digest=service.suppression_digest(KEY, "phone:+32470123456"), channel="phone",
                                at=NOW, bucket=phone_bucket(KEY, "+32470123456")))
        found = suppressed_numbers(session, key=KEY, numbers=pl.Series([32470123456], dtype=pl.Int64))
    assert found.rows() == [(32470123456, "phone", NOW)]
