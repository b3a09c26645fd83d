"""HomeQ's documented words and shape reach the client even for errors the web layer raises."""

from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.web.app import MockServer
from tests.conftest import make_settings
from tests.homeq.conftest import assert_error


def test_a_protected_operation_without_a_token_says_please_provide_a_token(client: TestClient) -> None:
    body = assert_error(client.get("/api/v1/company"), 401, "Unauthorized")
    assert body["description"] == "Please provide a token"


def test_the_portal_served_beside_it_keeps_its_problem_for_the_same_case() -> None:
    with TestClient(MockServer(make_settings(apis=("portal", "homeq")))) as both:
        portal = both.get("/api/rest/portal/profile")
        homeq = both.get("/api/v1/company")
    assert portal.status_code == 401
    assert portal.headers["content-type"] == "application/problem+json"
    assert portal.json()["detail"] == "No authorization token provided"
    assert homeq.json() == {"error": "Unauthorized", "description": "Please provide a token"}
