"""The control plane under /__admin."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.web.app import MockServer
from mockserver.web.middleware import BodyLimitMiddleware
from tests.conftest import ALICE, PORTAL, assert_problem


def test_health(client: TestClient) -> None:
    body = client.get("/__admin/health").json()
    assert body["status"] == "ok"
    assert body["apis"] == list(APIS)
    assert body["anchorDate"] == "2026-03-02"


def test_apis_tell_a_client_how_to_call_each_api_as_a_demo_user(client: TestClient) -> None:
    portal = next(a for a in client.get("/__admin/apis").json()["apis"] if a["name"] == "portal")
    assert portal["name"] == "portal"
    assert portal["basePath"] == PORTAL
    assert client.get(portal["spec"]).status_code == 200
    assert client.get(portal["docs"]).status_code == 200
    auth = portal["auth"]
    assert (auth["header"], auth["prefix"]) == ("Authorization", "Bearer")
    alice = next(u for u in auth["users"] if u["email"] == "alice@example.com")
    assert alice["password"] == "Alice-demo-2024"
    # Every published token works, including the generated customers'.
    for user in auth["users"]:
        response = client.get(f"{PORTAL}/profile", headers={auth["header"]: f"{auth['prefix']} {user['token']}"})
        assert response.json()["email"] == user["email"]


def test_reset_brings_back_the_seeded_and_fixture_state(client: TestClient) -> None:
    before = client.get(f"{PORTAL}/profile/applications", headers=ALICE).content
    client.patch(f"{PORTAL}/profile/applications/101/archive", headers=ALICE)
    client.delete(f"{PORTAL}/profile/favourites/5353", headers=ALICE)
    assert client.get(f"{PORTAL}/profile/applications", headers=ALICE).content != before
    assert client.post("/__admin/reset?api=portal").json() == {"reset": ["portal"]}
    assert client.get(f"{PORTAL}/profile/applications", headers=ALICE).content == before
    assert client.head(f"{PORTAL}/profile/favourites/5353", headers=ALICE).status_code == 200
    assert client.post("/__admin/reset").json() == {"reset": list(APIS)}
    assert_problem(client.post("/__admin/reset?api=nope"), 404, "not-found")


def test_request_journal_lists_recent_requests_newest_first(client: TestClient) -> None:
    client.get(f"{PORTAL}/profile", headers=ALICE)
    client.get(f"{PORTAL}/profile")
    entries = client.get("/__admin/requests?limit=2").json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", f"{PORTAL}/profile", 401),
        ("GET", f"{PORTAL}/profile", 200),
    ]
    assert entries[0]["api"] == "portal"
    assert entries[0]["id"] > entries[1]["id"]
    assert client.get("/__admin/requests?api=portal").json()["requests"][0]["status"] == 401


def test_the_journal_is_bounded(client: TestClient) -> None:
    for _ in range(250):
        client.get("/nowhere")
    assert len(client.get("/__admin/requests").json()["requests"]) == 200


def test_problem_catalogue_documents_every_problem_type(client: TestClient) -> None:
    problems = client.get("/__admin/problems").json()["problems"]
    slugs = {p["slug"] for p in problems}
    assert {"not-found", "validation-failed", "unauthorized", "payload-too-large"} <= slugs
    seen = client.get(f"{PORTAL}/profile").json()["type"]
    assert seen in {p["type"] for p in problems}


def test_only_an_api_with_projects_takes_project_followers(client: TestClient) -> None:
    assert_problem(client.put("/__admin/projects/portal/1/followers/1"), 400, "bad-request")
    assert_problem(client.get("/__admin/projects/portal/1/followers"), 400, "bad-request")
    assert client.put("/__admin/projects/homeq/12/followers/9120").status_code == 201


def test_an_unexpected_failure_answers_an_error_id_and_logs_what_broke(
    server: MockServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 500 names an error id whose log entry tells what broke; the answer carries nothing of it
    (an exception's text can hold paths, data and secrets). In a handler (fast path or Connexion)
    and outside Connexion (the body limit, the guards and the journal sit in front of it) alike."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret-internal-detail")

    handlers = server.handlers["portal"]
    monkeypatch.setattr(handlers, "get_profile", broken)
    monkeypatch.setattr(BodyLimitMiddleware, "_limit", broken)
    client = TestClient(server, raise_server_exceptions=False)
    for method, path, error_shape in (
        ("GET", f"{PORTAL}/profile", False),  # the handler
        ("PUT", f"{PORTAL}/profile", False),  # the body limit
        ("POST", "/api/v1/estates/", True),  # the body limit, in HomeQ's error shape
    ):
        answer = client.request(method, path, headers=ALICE, json={})
        assert answer.status_code == 500
        assert "secret-internal-detail" not in answer.text
        assert "RuntimeError" not in answer.text
        if error_shape:  # HomeQ's own error shape: the id is in its description
            body = answer.json()
            assert set(body) == {"error", "description"}
            error_id = body["description"].rsplit(" ", 1)[-1].rstrip(".")
        else:
            error_id = assert_problem(answer, 500, "internal-error")["errorId"]
        logged = [r for r in caplog.records if error_id in r.getMessage()]
        assert logged
        assert logged[0].exc_info is not None
        assert "secret-internal-detail" in str(logged[0].exc_info[1])
