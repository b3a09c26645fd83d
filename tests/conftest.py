"""Shared fixtures: a fresh in-process mock per test, with response validation on."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.settings import Settings
from mockserver.web.app import MockServer

#: Tests fix the anchor day so that generated data do not depend on the day they run.
ANCHOR = dt.date(2026, 3, 2)
PORTAL = "/api/rest/portal"


def make_settings(**changes: Any) -> Settings:
    """Test settings. HomeQ's signing secret is fixed so that two test servers accept each other's
    tokens (tests that compare servers send one token to both); ``jwt_secret=""`` for a random one."""
    return Settings(anchor_date=ANCHOR, validate_responses=True, volume=8, jwt_secret="tests").replace(**changes)


@pytest.fixture
def server() -> MockServer:
    return MockServer(make_settings())


@pytest.fixture
def client(server: MockServer) -> Iterator[TestClient]:
    with TestClient(server, raise_server_exceptions=True) as test_client:
        yield test_client


#: A moment of the clock in an answer (masked where two servers' clocks started apart).
MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def credentials(client: TestClient, api: str) -> dict[str, str]:
    """The headers that authenticate as the API's first demo user, as the control plane lists it."""
    auth = next(a["auth"] for a in client.get("/__admin/apis").json()["apis"] if a["name"] == api)
    user = auth["users"][0]
    token = user.get("token") or user["longLivedToken"]
    return {auth["header"]: f"{auth['prefix']} {token}" if auth.get("prefix") else token}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ALICE = bearer("demo-alice-token")
BOB = bearer("demo-bob-token")
CAROL = bearer("demo-carol-token")


def assert_problem(response: Any, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    if slug:
        assert body["type"] == f"/__admin/problems#{slug}"
    return body
