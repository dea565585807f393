"""The pre-dial check's lean path (api.hot, and on PostgreSQL its statements on the event loop) answers every
request exactly as the FastAPI route with its worker-thread path does: two servers over one store, the same
requests, the same statuses and bodies (but for the record's own id and ledger seq), and one record per
answered check on each."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from leadgate.api.app import create_app
from leadgate.api.deps import ServerState
from leadgate.decisions.models import DecisionRecord
from leadgate.rules.model import Rulebooks
from tests.api.checks_support import assign, consent_to, object_to
from tests.api.conftest import Api, ServerThread, api_settings, make_keys
from tests.api.test_checks import AT, CONSENTED, STRANGER
from tests.store_helpers import CAMPAIGN, count, setup_store

ASSIGNED = "+31611112222"


@dataclass
class Servers:
    lean: Api  # as `leadgate serve` runs it
    state: ServerState  # the lean server's
    plain: str  # the URL of a plain FastAPI server (lean=False) on the same store


@pytest.fixture
def both(database_url: str, books: Rulebooks, tmp_path: object) -> Iterator[Servers]:
    setup_store(database_url)
    tokens = make_keys(database_url)
    consent_to(database_url, CONSENTED, given_at=AT - timedelta(days=30))
    consent_to(database_url, "chloe@example.be", country="BE", channel="email", given_at=AT - timedelta(days=3))
    object_to(database_url, "+32470998877", at=AT - timedelta(days=1))
    assign(database_url, "CallCo", ASSIGNED, CONSENTED)
    settings = api_settings(database_url, data_dir=tmp_path, api_max_body_bytes=600)
    app = create_app(settings, books=books)
    with ServerThread(app) as lean, ServerThread(create_app(settings, books=books, lean=False)) as plain:
        yield Servers(Api(f"http://127.0.0.1:{lean.port}", settings, database_url, tokens), app.state.leadgate,
                      f"http://127.0.0.1:{plain.port}")


def body(**given: Any) -> dict[str, Any]:
    return {"campaign": CAMPAIGN, "channel": "phone", "at": AT.isoformat(), **given}


REQUESTS: list[tuple[str | None, Any]] = [  # the key's role (None: no key), the JSON body (bytes: sent raw)
    ("compliance", body(contact=CONSENTED)),
    ("marketing", body(contact="06-12345678", country="NL")),
    ("compliance", body(contact=STRANGER)),
    ("compliance", body(contact="+32470998877")),
    ("compliance", body(contact="chloe@example.be", channel="email")),
    ("compliance", body(contact="nobody@example.fr", channel="email", country="FR")),
    ("admin", body(contact=CONSENTED, at=AT.replace(hour=22).isoformat())),
    ("compliance", body(contact=CONSENTED, kind="business")),
    ("call_centre", body(contact=ASSIGNED)),
    ("call_centre", body(contact=CONSENTED)),
    ("call_centre", body(contact=STRANGER)),  # not assigned to it
    ("other_call_centre", body(contact=ASSIGNED)),  # assigned to another call centre
    ("call_centre", body(contact="chloe@example.be", channel="email")),  # phone only
    ("call_centre", body(contact="chloe@example.be")),  # an address is no number
    ("call_centre", body(contact=STRANGER, campaign="no-such-campaign")),
    ("call_centre", body(contact="12", campaign="no-such-campaign")),
    ("call_centre", body(campaign="no-such-campaign")),
    ("call_centre", body(channel="email")),
    ("compliance", body(contact="12", campaign="no-such-campaign")),
    ("compliance", body(contact="not a number")),
    ("compliance", body(campaign="no-such-campaign")),
    ("compliance", body(contact=CONSENTED, campaign="no-such-campaign")),
    ("compliance", body()),  # neither contact nor person_id
    ("compliance", body(contact=CONSENTED, person_id="abc")),  # both
    ("compliance", body(person_id="0123abc")),  # unknown person: the general path on both servers
    ("compliance", body(contact=CONSENTED, surprise=1)),
    ("compliance", body(contact=CONSENTED, at="2026-11-24T10:30:00")),  # no offset
    ("compliance", body(contact=CONSENTED, channel="fax")),
    ("compliance", b"{not json"),
    ("compliance", b""),
    ("compliance", b"[]"),
    ("compliance", body(contact=CONSENTED, country="X" * 700)),  # over the body limit: 413
    ("webform", body(contact=CONSENTED)),
    (None, body(contact=CONSENTED)),
    ("wrong", body(contact=CONSENTED)),
]


def send(url: str, api: Api, role: str | None, sent: Any) -> httpx.Response:
    headers = {"Authorization": "Bearer lg_nokey_nosecret"} if role == "wrong" else {}
    with api.client(None if role == "wrong" else role, headers=headers) as client:
        if isinstance(sent, bytes):
            return client.post(f"{url}/v1/checks", content=sent, headers={"Content-Type": "application/json"})
        return client.post(f"{url}/v1/checks", json=sent)


def comparable(response: httpx.Response) -> tuple[int, Any, str | None, str | None]:
    answer = response.json()
    if response.status_code == 200:
        assert isinstance(answer.pop("check_id"), str) and isinstance(answer.pop("ledger_seq"), int)
    return (response.status_code, answer, response.headers.get("content-type"),
            response.headers.get("www-authenticate"))


def test_the_lean_path_answers_every_request_as_the_fastapi_route(both: Servers) -> None:
    lean = both.lean
    before = count(lean.database_url, DecisionRecord)
    answered = 0
    for role, sent in REQUESTS:
        fast, slow = send(lean.url, lean, role, sent), send(both.plain, lean, role, sent)
        assert comparable(fast) == comparable(slow), (role, sent)
        answered += 2 * (fast.status_code == 200)
    assert answered >= 18  # the cases above are mostly answers, not only refusals
    assert count(lean.database_url, DecisionRecord) == before + answered


def test_checks_sent_at_once_get_the_answers_they_get_alone(both: Servers) -> None:
    """On PostgreSQL the checks waiting at once share one statement and one record batch (kit.batches):
    every key, scope and refusal above, sent 3 times each by 24 clients at once, still gets its own answer,
    and every answered check its own record and ledger event."""
    lean = both.lean
    alone = {i: comparable(send(both.plain, lean, role, sent)) for i, (role, sent) in enumerate(REQUESTS)}
    before = count(lean.database_url, DecisionRecord)
    wanted = [i for i in range(len(REQUESTS)) for _ in range(3)]
    with ThreadPoolExecutor(24) as clients:
        answers = list(clients.map(lambda i: (i, send(lean.url, lean, *REQUESTS[i])), wanted))
    seqs = [r.json()["ledger_seq"] for _, r in answers if r.status_code == 200]
    for i, response in answers:
        assert comparable(response) == alone[i], REQUESTS[i]
    assert len(seqs) == len(set(seqs)) >= 27  # 9 or more of the cases are answers
    assert count(lean.database_url, DecisionRecord) == before + len(seqs)


def test_a_check_on_postgresql_runs_on_the_event_loop(both: Servers) -> None:
    if not both.lean.database_url.startswith("postgresql"):
        pytest.skip("SQLite checks run in a worker thread")
    pool = both.state.pg
    assert pool is not None and not pool.opened  # nothing connects before the first check
    first = send(both.lean.url, both.lean, "compliance", body(contact=CONSENTED)).json()
    second = send(both.lean.url, both.lean, "call_centre", body(contact=ASSIGNED)).json()
    assert pool.opened and second["ledger_seq"] == first["ledger_seq"] + 1


def test_a_streamed_body_over_the_limit_is_refused_on_both_paths(both: Servers) -> None:
    """Sent in chunks without a Content-Length, the body is counted as it arrives (api.hot.body)."""

    def chunks(n: int) -> Iterator[bytes]:
        yield f'{{"contact": "{CONSENTED}", "campaign": "{CAMPAIGN}", "channel": "phone", "country": "'.encode()
        yield from (b"X" * 100 for _ in range(n))
        yield b'"}'

    for url in (both.lean.url, both.plain):
        with both.lean.client("compliance") as client:
            big = client.post(f"{url}/v1/checks", content=chunks(10), headers={"Content-Type": "application/json"})
            small = client.post(f"{url}/v1/checks", content=chunks(0), headers={"Content-Type": "application/json"})
        assert "content-length" not in big.request.headers
        assert (big.status_code, big.json()["code"]) == (413, "body_too_large")
        assert (small.status_code, small.json()["field"]) == (422, "country")  # read whole, then validated
