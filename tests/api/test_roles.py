"""Every route's roles, as the README promises them: each role outside a route's list is refused (403),
no key is refused (401), and each role inside it gets past the role check. The table is the contract;
a route missing from it fails the test, so a new route cannot ship without its roles being decided."""

from __future__ import annotations

from typing import Any

import pytest

from leadgate.access.service import ROLES
from tests.api.conftest import Api

STAFF = ("admin", "compliance", "marketing")
# (method, path) → the roles that may call it; PUBLIC: no key, the signed token in the path authenticates.
PUBLIC: tuple[str, ...] = ()
ROUTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/v1/whoami"): ROLES,
    ("POST", "/v1/checks"): (*STAFF, "call_centre"),
    ("POST", "/v1/consents"): (*STAFF, "webform"),
    ("POST", "/v1/consent-texts"): STAFF,
    ("GET", "/v1/consent-texts/{version}"): (*STAFF, "webform"),
    ("POST", "/v1/withdrawals"): STAFF,
    ("POST", "/v1/objections"): STAFF,
    ("POST", "/v1/unsubscribe-links"): STAFF,
    ("POST", "/v1/outcomes"): ("admin", "call_centre"),
    ("POST", "/v1/lint/email"): STAFF,
    ("GET", "/v1/propagations"): ("admin", "compliance", "call_centre"),
    ("POST", "/v1/propagations/ack"): ("admin", "call_centre"),
    ("POST", "/v1/propagations/{propagation_id}/ack"): ("admin", "call_centre"),
    ("GET", "/confirm/{token}"): PUBLIC,
    ("POST", "/confirm/{token}"): PUBLIC,
    ("GET", "/u/{token}"): PUBLIC,
    ("POST", "/u/{token}"): PUBLIC,
}


def _served(api: Api) -> set[tuple[str, str]]:
    with api.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


def _call(api: Api, role: str | None, method: str, path: str) -> Any:
    concrete = path.replace("{version}", "v1").replace("{propagation_id}", "0" * 32).replace("{token}", "x")
    with api.client(role) as client:
        return client.request(method, concrete, json={} if method == "POST" else None)


def test_every_served_route_has_its_roles_decided(api: Api) -> None:
    assert _served(api) == set(ROUTES)


@pytest.mark.parametrize(("method", "path"), [route for route, roles in ROUTES.items() if roles])
def test_each_role_outside_the_list_is_refused_and_each_inside_gets_through(api: Api, method: str,
                                                                              path: str) -> None:
    allowed = ROUTES[(method, path)]
    anonymous = _call(api, None, method, path)
    assert anonymous.status_code == 401, anonymous.text
    for role in (*ROLES, "other_call_centre"):
        answer = _call(api, role, method, path)
        base = "call_centre" if role == "other_call_centre" else role
        if base in allowed:
            assert answer.status_code not in (401, 403), f"{role}: {answer.status_code} {answer.text}"
        else:
            assert answer.status_code == 403, f"{role}: {answer.status_code} {answer.text}"
            assert answer.json()["code"] == "forbidden"
