"""Demo credentials and helpers of the instruction service tests (fixtures/instruction/)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.conftest import make_settings

INSTRUCTION = "/instruction"


def api_key(key: str) -> dict[str, str]:
    return {"X-Api-Key": key}


HOMEWARD = api_key("demo-homeward-key")  # introducer of every fixture case but TMP110013
KEYSTONE = api_key("demo-keystone-key")  # introducer of TMP110013
VERITAS = api_key("demo-veritas-key")  # supplier
NORTHGATE = api_key("demo-northgate-key")  # supplier of TMP110005 and TMP110010


def settings(**changes: Any) -> Settings:
    """Only the instruction service: the other APIs' seeding would only slow these tests down."""
    return make_settings(apis=("instruction",), **changes)


@pytest.fixture
def server() -> MockServer:
    return MockServer(settings())


def instruction(client: TestClient, reference: str, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(f"{INSTRUCTION}/{reference}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def milestone(view: dict[str, Any], code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in view["milestones"] if m["milestoneCode"] == code)
    return found
