"""One HomeQ-only mock per test module, back to its seeded state before every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis.homeq.state import HomeQState
from mockserver.web.app import MockServer
from tests.conftest import make_settings

PASSWORDS = {
    "erik.lindberg": "Admin-demo-2024",
    "malin.hansson": "S0lrosen!2023",
    "johan.berg": "Employee-demo-2024",
    "sara.nilsson": "Observer-demo-2024",
}


@pytest.fixture(scope="module")
def homeq_server() -> MockServer:
    return MockServer(make_settings(apis=("homeq",)))


@pytest.fixture
def client(homeq_server: MockServer) -> Iterator[TestClient]:
    homeq_server.runtime.reset("homeq")
    with TestClient(homeq_server, raise_server_exceptions=True) as test_client:
        yield test_client


@pytest.fixture
def state(homeq_server: MockServer) -> HomeQState:
    found = homeq_server.runtime.apis["homeq"].state
    assert isinstance(found, HomeQState)
    return found


def login(client: TestClient, username: str, password: str | None = None, **extra: Any) -> dict[str, str]:
    body = {"username": username, "password": password or PASSWORDS[username], **extra}
    response = client.post("/api/v2/tokens/", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"JWT {response.json()['token']}"}


def assert_error(response: Any, status: int, name: str | None = None) -> dict[str, Any]:
    """HomeQ's documented error shape: ``{error, description}`` as application/json."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) >= {"error", "description"}
    if name:
        assert body["error"] == name, body
    return body
