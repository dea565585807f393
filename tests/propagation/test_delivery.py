"""Delivering the outbox to call centres' webhooks: through failures every opt-out arrives, signed with
the call centre's own secret; a claim is a lease, so a worker that dies mid-delivery costs a resend,
never a loss; two workers never send one row at once; only due rows of call centres with a URL go."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text
from typer.testing import CliRunner

from leadgate.campaigns import service as campaigns
from leadgate.cli.main import app as cli
from leadgate.kit.db import engine_for, unit_of_work
from leadgate.kit.errors import InvalidInput
from leadgate.ledger.models import LedgerEvent
from leadgate.propagation import worker
from leadgate.propagation.webhooks import check_url, set_webhook
from leadgate.propagation.worker import BACKOFF_BASE, BACKOFF_CAP, backoff, deliver_once
from tests.propagation.delivery_support import (
    SECRET,
    Receiver,
    add_rows,
    check_signed,
    delivery_settings,
    free_port,
    rows,
    secret_of,
)
from tests.store_helpers import NOW, setup_store

OTHER = "OtherCall"


@pytest.fixture
def store(database_url: str) -> str:
    """CallCo and OtherCall (call centres), LeadShop (lead supplier); no webhook URLs yet."""
    setup_store(database_url)
    with unit_of_work(database_url) as session:
        campaigns.add_partner(session, name=OTHER, kind="call_centre", now=NOW, actor="test")
    return database_url


def point(database_url: str, call_centre: str, url: str | None, *, at: datetime = NOW) -> int:
    with unit_of_work(database_url) as session:
        return set_webhook(session, partner=call_centre, url=url, now=at, actor="test").rescheduled


def test_every_opt_out_arrives_through_failures_each_signed_with_its_call_centres_secret(store: str) -> None:
    """CallCo answers 500 twice, then holds a request past the timeout, then drops a connection;
    OtherCall's endpoint refuses connections for two rounds. Rounds run at an advancing `now`."""
    start = datetime.now(UTC)
    settings = delivery_settings(store, webhook_timeout_seconds=1)
    late_port = free_port()
    with Receiver([500, 500, "hang", "drop"]) as callco:
        point(store, "CallCo", callco.url)
        point(store, OTHER, f"http://127.0.0.1:{late_port}/hook")
        callco_ids = set(add_rows(store, "CallCo", 4, at=start, due=start))
        other_ids = set(add_rows(store, OTHER, 3, at=start, due=start))

        assert deliver_once(settings, now=start) == 0
        first = rows(store)
        # Each failure is kept by kind, without the person's data; an endpoint that is down (timeout,
        # refused) is not tried again for the same call centre's other rows in that round.
        assert Counter(first[i].last_error for i in callco_ids) == Counter(
            {"HTTP 500": 2, "ReadTimeout": 1, "ReadTimeout (on an earlier row)": 1})
        assert Counter(first[i].last_error for i in other_ids) == Counter(
            {"ConnectError": 1, "ConnectError (on an earlier row)": 2})
        assert sorted(first[i].attempts for i in callco_ids | other_ids) == [0, 0, 0, 1, 1, 1, 1]
        for row in first.values():
            assert row.contact not in (row.last_error or "")
            assert row.delivered_at is None and row.next_attempt_at is not None
            assert row.next_attempt_at.replace(tzinfo=UTC) >= start + BACKOFF_BASE / 2

        moment, other = start, None
        try:
            for round_number in range(1, 20):
                if round_number == 2:
                    other = Receiver(port=late_port).__enter__()
                moment += BACKOFF_CAP + timedelta(minutes=1)
                deliver_once(settings, now=moment)
                if all(row.delivered_at is not None for row in rows(store).values()):
                    break
            assert other is not None
            final = rows(store)
            assert {r.id for r in callco.arrived()} == callco_ids
            assert {r.id for r in other.arrived()} == other_ids
            # Every request, including those that failed, carries a valid signature with its own secret.
            for received in callco.all():
                check_signed(received, secret=secret_of(store, "CallCo"), call_centre="CallCo")
            for received in other.all():
                check_signed(received, secret=secret_of(store, OTHER), call_centre=OTHER)
        finally:
            if other is not None:
                other.__exit__()
    for row in final.values():
        assert row.delivered_at is not None and row.next_attempt_at is None and row.last_error is None
        assert row.acknowledged_at is None  # delivered is not acknowledged: the call centre confirms by id


def test_only_due_rows_of_call_centres_with_a_url_are_sent(store: str) -> None:
    start = datetime.now(UTC)
    with Receiver() as callco:
        point(store, "CallCo", callco.url)
        due = add_rows(store, "CallCo", 1, at=start, due=start)
        add_rows(store, "CallCo", 1, at=start, due=None)  # pull only
        add_rows(store, "CallCo", 1, at=start, due=start + timedelta(seconds=1))  # not yet
        add_rows(store, "CallCo", 1, at=start, due=start, acknowledged_at=start)  # pulled and acknowledged
        add_rows(store, "CallCo", 1, at=start, due=start, delivered_at=start)
        add_rows(store, OTHER, 1, at=start, due=start)  # OtherCall has no webhook: it pulls
        assert deliver_once(delivery_settings(store), now=start) == 1
        assert deliver_once(delivery_settings(store), now=start) == 0
        assert [r.id for r in callco.all()] == due


def test_a_claim_is_a_lease_so_a_worker_dying_mid_delivery_only_delays(store: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    start = datetime.now(UTC)
    settings = delivery_settings(store, webhook_lease_seconds=60)
    with Receiver() as callco:
        point(store, "CallCo", callco.url)
        ids = set(add_rows(store, "CallCo", 3, at=start, due=start))

        def die(*_: object) -> None:
            raise SystemExit("killed while sending")

        monkeypatch.setattr(worker, "_post", die)
        with pytest.raises(SystemExit):
            deliver_once(settings, now=start)
        monkeypatch.undo()
        claimed = rows(store)
        assert {row.attempts for row in claimed.values()} == {1}  # committed before the request left

        assert deliver_once(settings, now=start + timedelta(seconds=59)) == 0  # still leased
        assert callco.all() == []
        assert deliver_once(settings, now=start + timedelta(seconds=61)) == 3
        assert {r.id for r in callco.arrived()} == ids
        assert {row.attempts for row in rows(store).values()} == {2}


def test_two_workers_never_send_the_same_row(store: str) -> None:
    """Workers in parallel (threads here, hosts in production) each claim their own rows: without
    failures every row is sent exactly once."""
    start = datetime.now(UTC) - timedelta(seconds=1)
    settings = delivery_settings(store, webhook_timeout_seconds=5)
    with Receiver() as callco:
        point(store, "CallCo", callco.url)
        point(store, OTHER, callco.url)
        ids = add_rows(store, "CallCo", 30, at=start, due=start) + add_rows(store, OTHER, 30, at=start, due=start)
        problems: list[BaseException] = []

        def work() -> None:
            try:
                while deliver_once(settings, limit=7):
                    pass
            except BaseException as exc:
                problems.append(exc)

        threads = [threading.Thread(target=work) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert problems == []
        sent = Counter(r.id for r in callco.all())
        assert sorted(sent) == sorted(ids) and set(sent.values()) == {1}


def test_rows_locked_by_another_worker_are_skipped_on_postgresql(store: str) -> None:
    if not store.startswith("postgresql"):
        pytest.skip("SQLite serialises writers at BEGIN; there is no row lock to skip")
    start = datetime.now(UTC)
    with Receiver() as callco:
        point(store, "CallCo", callco.url)
        locked, free = add_rows(store, "CallCo", 2, at=start, due=start)
        with engine_for(store).connect() as other_worker, other_worker.begin():
            other_worker.execute(text("SELECT id FROM propagations WHERE id = :id FOR UPDATE"), {"id": locked})
            assert deliver_once(delivery_settings(store), now=start) == 1
        assert [r.id for r in callco.all()] == [free]
        assert deliver_once(delivery_settings(store), now=start) == 1
        assert [r.id for r in callco.all()] == [free, locked]


def test_the_background_loop_delivers_and_stops(store: str) -> None:
    start = datetime.now(UTC) - timedelta(seconds=1)
    settings = delivery_settings(store)
    with Receiver() as callco:
        point(store, "CallCo", callco.url)
        ids = set(add_rows(store, "CallCo", 5, at=start, due=start))
        stop = worker.start(settings)
        try:
            for _ in range(200):
                if {r.id for r in callco.arrived()} == ids:
                    break
                threading.Event().wait(0.05)
        finally:
            stop()
        assert {r.id for r in callco.arrived()} == ids
        assert all(row.delivered_at is not None for row in rows(store).values())


def test_without_a_secret_key_nothing_is_claimed_and_the_loop_refuses_to_start(store: str) -> None:
    start = datetime.now(UTC)
    unsigned = delivery_settings(store, secret_key=None)
    with Receiver() as callco:
        point(store, "CallCo", callco.url)
        add_rows(store, "CallCo", 1, at=start, due=start)
        for attempt in (lambda: deliver_once(unsigned, now=start), lambda: worker.start(unsigned),
                        lambda: worker.run_forever(unsigned, threading.Event())):
            with pytest.raises(InvalidInput, match="LEADGATE_SECRET_KEY"):
                attempt()
        assert callco.all() == [] and {row.attempts for row in rows(store).values()} == {0}


def test_a_lease_no_longer_than_the_timeout_is_refused(store: str) -> None:
    start = datetime.now(UTC)
    add_rows(store, "CallCo", 1, at=start, due=start)
    for timing in ({"webhook_timeout_seconds": 10, "webhook_lease_seconds": 10},
                   {"webhook_timeout_seconds": 0, "webhook_lease_seconds": 10}):
        settings = delivery_settings(store, **timing)
        with pytest.raises(InvalidInput) as refused:
            deliver_once(settings, now=start)
        assert refused.value.field == "webhook_lease_seconds"
        with pytest.raises(InvalidInput, match="LEASE"):
            worker.start(settings)
    assert {row.attempts for row in rows(store).values()} == {0}


@given(st.integers(min_value=1, max_value=200), st.floats(min_value=0, max_value=0.999999))
def test_backoff_doubles_with_jitter_up_to_the_cap(attempts: int, rand: float) -> None:
    step = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(attempts - 1, 30))
    wait = backoff(attempts, rand=lambda: rand)
    assert step / 2 <= wait <= step <= BACKOFF_CAP
    assert backoff(attempts + 1, rand=lambda: rand) >= wait


def test_setting_a_url_pushes_pending_rows_and_removing_it_returns_them_to_pulling(store: str) -> None:
    start = datetime.now(UTC)
    pull_only = add_rows(store, "CallCo", 2, at=start, due=None)
    done = add_rows(store, "CallCo", 1, at=start, due=None, acknowledged_at=start)
    other = add_rows(store, OTHER, 1, at=start, due=None)
    later = start + timedelta(minutes=5)
    assert point(store, "CallCo", "https://callco.example/optouts", at=later) == 2
    after = rows(store)
    assert [after[i].next_attempt_at.replace(tzinfo=UTC) for i in pull_only] == [later, later]  # type: ignore[union-attr]
    assert after[done[0]].next_attempt_at is None and after[other[0]].next_attempt_at is None

    assert point(store, "CallCo", None, at=later) == 2
    assert all(row.next_attempt_at is None for row in rows(store).values())
    with unit_of_work(store) as session:
        events = session.scalars(select(LedgerEvent).where(LedgerEvent.kind.like("partner.webhook%"))
                                 .order_by(LedgerEvent.seq)).all()
    assert [e.kind for e in events] == ["partner.webhook_set", "partner.webhook_removed"]
    assert "https://callco.example/optouts" in events[0].body


@pytest.mark.parametrize("url", ["ftp://callco.example/x", "https://", "callco.example/hook", "https://u:p@x.example/",
                                 "https://x.example/a#frag", "https://x.example:99999/", "https://x.example/a b",
                                 "https://x.example/" + "a" * 500])
def test_a_bad_url_is_refused_and_nothing_changes(store: str, url: str) -> None:
    ids = add_rows(store, "CallCo", 1, at=NOW, due=None)
    with pytest.raises(InvalidInput) as refused:
        point(store, "CallCo", url)
    assert refused.value.field == "url"
    assert rows(store)[ids[0]].next_attempt_at is None


def test_only_a_call_centre_gets_a_webhook(store: str) -> None:
    with pytest.raises(InvalidInput, match="not a call centre"):
        point(store, "LeadShop", "https://leadshop.example/")


@given(st.text(max_size=80))
def test_check_url_refuses_or_accepts_but_never_crashes(url: str) -> None:
    try:
        check_url(url)
    except InvalidInput as exc:
        assert exc.field == "url"


def test_plain_http_is_accepted_with_a_warning_unless_it_stays_on_this_machine() -> None:
    assert check_url("https://callco.example/hook") is None
    for local in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]:9000/"):
        assert check_url(local) is None
    warning = check_url("http://callco.example/hook")
    assert warning is not None and "unencrypted" in warning


def test_the_cli_sets_the_url_and_shows_the_secret_only_when_asked(store: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADGATE_DATABASE_URL", store)
    monkeypatch.setenv("LEADGATE_SECRET_KEY", SECRET)
    runner = CliRunner()
    quiet = runner.invoke(cli, ["partner", "webhook", "CallCo", "--url", "http://callco.example/hook"])
    assert quiet.exit_code == 0, quiet.output
    assert secret_of(store, "CallCo") not in quiet.output
    assert "unencrypted" in quiet.stderr and "--show-secret" in quiet.stderr
    shown = runner.invoke(cli, ["partner", "webhook", "CallCo", "--show-secret"])
    assert shown.exit_code == 0 and shown.stdout.strip() == secret_of(store, "CallCo")
    refused = runner.invoke(cli, ["partner", "webhook", "CallCo", "--url", "https://a.example", "--remove"])
    assert refused.exit_code != 0
    monkeypatch.delenv("LEADGATE_SECRET_KEY")
    unsigned = runner.invoke(cli, ["partner", "webhook", "CallCo", "--url", "https://a.example/"])
    assert unsigned.exit_code != 0 and "LEADGATE_SECRET_KEY" in unsigned.stderr
    with unit_of_work(store) as session:
        assert campaigns.partner_named(session, "CallCo", kind="call_centre", field="x").webhook_url == \
            "http://callco.example/hook"
