"""Shared fixtures: a fresh in-process mock per test, with response validation on; the Node tools
some tests run (``tests/node/``)."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.settings import Settings
from mockserver.web.app import MockServer

#: Tests fix the anchor day so that generated data do not depend on the day they run.
ANCHOR = dt.date(2026, 3, 2)
PORTAL = "/api/rest/portal"
#: Node tools the tests install for themselves, pinned: Spectral, Redocly CLI, openapi-typescript.
NODE = Path(__file__).resolve().parent / "node"


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
#: A HomeQ JWT in an answer (masked likewise: its `iat` is the server's clock).
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")


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


def node_installed() -> bool:
    """The pinned versions of ``tests/node/package.json`` are in its node_modules."""
    wanted: dict[str, str] = json.loads((NODE / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for name, version in wanted.items():
        manifest = NODE / "node_modules" / name / "package.json"
        if not manifest.exists() or json.loads(manifest.read_text(encoding="utf-8"))["version"] != version:
            return False
    return True


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """``tests/node``'s executables, installed with ``npm ci`` once (as ``make bench`` installs
    Prism); skips without Node.js, fails when the install does."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("Node.js (node and npm) is not installed: the npm tools of tests/node cannot run")
    with (NODE / "package.json").open() as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another pytest process may be installing them right now
        if not node_installed():
            command = ["npm", "ci", "--no-audit", "--no-fund"]
            done = subprocess.run(command, cwd=NODE, capture_output=True, text=True, check=False)
            if done.returncode != 0 or not node_installed():
                pytest.fail(f"`{' '.join(command)}` in {NODE} failed:\n{done.stderr[-3000:]}")
    return NODE / "node_modules" / ".bin"
