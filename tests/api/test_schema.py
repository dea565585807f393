"""schemathesis against the served OpenAPI schema: whatever it generates (valid or not), the server
never answers 5xx, on SQLite and PostgreSQL. Requests carry an admin key, so they get past
authentication into every route's validation and services; a second pass sends no key at all."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import Api

EXAMPLES = 40


def _operations(api: Api) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("role", ["admin", None])
def test_no_generated_request_makes_the_server_fail(api: Api, role: str | None) -> None:
    headers = {"Authorization": f"Bearer {api.tokens[role]}"} if role else {}
    operations = _operations(api)
    assert len(operations) >= 1
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: schemathesis.Case) -> None:
            response = case.call(base_url=api.url, headers=headers)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} answered {response.status_code}: {response.text[:300]}")
            kind = response.headers.get("content-type", [""])[0]  # schemathesis keeps header values as lists
            assert kind.startswith(("application/json", "text/html")), f"{case.method} {case.formatted_path}: {kind}"

        call()
