"""Authentication and the cross-cutting behaviour every route shares: JSON errors, size limit, rate limit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadgate.access import service as access
from leadgate.api.app import create_app
from leadgate.kit.db import unit_of_work
from leadgate.rules.model import Rulebooks
from tests.api.conftest import Api, ServerThread, api_settings, make_keys
from tests.store_helpers import setup_store


def test_each_key_says_who_it_is(api: Api) -> None:
    for role in access.ROLES:
        with api.client(role) as client:
            answer = client.get("/v1/whoami")
        assert answer.status_code == 200, answer.text
        assert answer.json()["role"] == role
        assert answer.json()["call_centre"] == ("CallCo" if role == "call_centre" else None)


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic abc", "Bearer lg_x_y",
                                    "Bearer lg_0000000000000000_wrong"])
def test_missing_or_wrong_keys_are_refused_with_json(api: Api, header: str | None) -> None:
    with api.client(headers={"Authorization": header} if header else {}) as client:
        answer = client.get("/v1/whoami")
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthenticated"
    assert answer.headers["www-authenticate"] == "Bearer"


def test_a_wrong_secret_for_a_real_key_id_is_refused(api: Api) -> None:
    token = api.tokens["admin"]
    with api.client(headers={"Authorization": f"Bearer {token[:-2]}xx"}) as client:
        assert client.get("/v1/whoami").status_code == 401


def test_a_revoked_key_is_refused_from_the_next_request(api: Api) -> None:
    token = api.tokens["marketing"]
    with api.client("marketing") as client:
        assert client.get("/v1/whoami").status_code == 200
        with unit_of_work(api.database_url) as session:
            access.revoke_key(session, key_id=token, now=datetime.now(UTC), actor="test")
        assert client.get("/v1/whoami").status_code == 401


def test_unknown_routes_and_methods_answer_json(api: Api) -> None:
    with api.client("admin") as client:
        missing, wrong = client.get("/v1/nothing-here"), client.delete("/v1/whoami")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")


def test_bodies_above_the_limit_are_refused_before_they_are_read(database_url: str, books: Rulebooks) -> None:
    setup_store(database_url)
    tokens = make_keys(database_url)
    app = create_app(api_settings(database_url, api_max_body_bytes=100), books=books)

    @app.post("/test-echo")
    def echo(body: dict[str, object]) -> dict[str, object]:  # a route that reads its body
        return body

    with ServerThread(app) as running, \
            Api(f"http://127.0.0.1:{running.port}", app.state.leadgate.settings, database_url, tokens).client(
                "admin") as client:
        declared = client.post("/test-echo", content=b"x" * 101, headers={"Content-Type": "application/json"})

        def chunks() -> object:
            yield b"x" * 80
            yield b"x" * 80

        streamed = client.post("/test-echo", content=chunks(), headers={"Content-Type": "application/json"})
        small = client.post("/test-echo", json={"a": 1})
    assert small.json() == {"a": 1}
    for answer in (declared, streamed):
        assert answer.status_code == 413, answer.text
        assert answer.json()["code"] == "body_too_large"


def test_a_key_over_its_rate_is_told_to_wait(database_url: str, books: Rulebooks) -> None:
    setup_store(database_url)
    tokens = make_keys(database_url)
    app = create_app(api_settings(database_url, api_rate_per_minute=60), books=books)  # bursts of 10
    with ServerThread(app) as running:
        base = f"http://127.0.0.1:{running.port}"
        api = Api(base, app.state.leadgate.settings, database_url, tokens)
        with api.client("admin") as admin, api.client("compliance") as other:
            codes = [admin.get("/v1/whoami").status_code for _ in range(12)]
            assert codes[:10] == [200] * 10
            limited = admin.get("/v1/whoami")
            assert limited.status_code == 429
            assert limited.json()["code"] == "rate_limited"
            assert "retry-after" in limited.headers
            assert other.get("/v1/whoami").status_code == 200  # per key, not per server
