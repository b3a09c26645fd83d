"""``GET /__admin/coverage``: every answered request to a mocked API counted by operation and
status, whichever internal path answered it, in the default state and per session; a reset clears
what it resets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.web.app import MockServer
from mockserver.web.fastpath import FastPath
from tests.conftest import ALICE, PORTAL, assert_problem, credentials, make_settings
from tests.plain_requests import REQUESTS

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def operation(report: dict[str, Any], api: str, operation_id: str) -> dict[str, Any]:
    found = next(a for a in report["apis"] if a["name"] == api)
    return next(o for o in found["operations"] if o["operationId"] == operation_id)


def reached(report: dict[str, Any], api: str, operation_id: str) -> dict[str, int]:
    return {r["code"]: r["count"] for r in operation(report, api, operation_id)["responses"] if r["reached"]}


def test_each_operation_lists_the_documented_responses_answered_and_those_never_reached(client: TestClient) -> None:
    client.get(f"{PORTAL}/profile", headers=ALICE)
    client.get(f"{PORTAL}/profile", headers=ALICE)
    client.get(f"{PORTAL}/profile")
    client.get(f"{PORTAL}/nowhere")
    client.options(f"{PORTAL}/profile", headers={"Origin": "http://x", "Access-Control-Request-Method": "GET"})
    client.get(f"{PORTAL}/openapi.json")
    client.get("/ui/")  # HomeQ's docs, at the root
    report = client.get("/__admin/coverage").json()
    assert report["session"] is None
    assert [a["name"] for a in report["apis"]] == list(APIS)
    profile = operation(report, "portal", "getProfile")
    assert profile["requests"] == 3
    assert reached(report, "portal", "getProfile") == {"200": 2, "401": 1}
    never = [r["code"] for r in profile["responses"] if not r["reached"]]
    assert never
    assert "200" not in never
    portal = next(a for a in report["apis"] if a["name"] == "portal")
    assert portal["unmatched"] == [{"status": 404, "count": 1}]  # the preflight and the docs are not counted
    assert report["totals"]["unmatched"] == 1
    assert portal["totals"]["operations"]["reached"] == 1
    assert report["totals"]["responses"]["reached"] == 2
    only = client.get("/__admin/coverage?api=portal").json()
    assert [a["name"] for a in only["apis"]] == ["portal"]
    assert only["totals"] == portal["totals"]


def test_an_undocumented_status_is_listed_apart() -> None:
    # The deliberately broken mock answers GETs with 203, which no operation documents.
    with TestClient(MockServer(make_settings(faults=("undocumented-status",), validate_responses=False))) as client:
        assert client.get(f"{PORTAL}/profile", headers=ALICE).status_code == 203
        report = client.get("/__admin/coverage?api=portal").json()
    profile = operation(report, "portal", "getProfile")
    assert profile["undocumented"] == [{"status": 203, "count": 1}]
    assert reached(report, "portal", "getProfile") == {}
    assert report["totals"]["undocumented"] == 1
    assert report["totals"]["operations"]["reached"] == 1


def test_a_session_has_counts_of_its_own_and_a_reset_clears_what_it_resets(client: TestClient) -> None:
    client.get(f"{PORTAL}/profile", headers=ALICE)
    client.get(f"{PORTAL}/profile", headers={**ALICE, "X-Mock-Session": "w3"})
    client.get(f"/__sessions/w3{PORTAL}/profile")
    client.get("/api/v1/company/", headers={"X-Mock-Session": "w3"})
    assert reached(client.get("/__admin/coverage").json(), "portal", "getProfile") == {"200": 1}
    in_session = client.get("/__admin/coverage?session=w3").json()
    assert in_session["session"] == "w3"
    assert reached(in_session, "portal", "getProfile") == {"200": 1, "401": 1}
    homeq = next(a for a in in_session["apis"] if a["name"] == "homeq")
    assert homeq["totals"]["operations"]["reached"] + homeq["totals"]["unmatched"] == 1
    # Resetting one API clears its counts, not the others'; resetting all clears all.
    client.post("/__admin/reset?api=portal&session=w3")
    after = client.get("/__admin/coverage?session=w3").json()
    assert reached(after, "portal", "getProfile") == {}
    assert after["totals"]["operations"]["reached"] + after["totals"]["unmatched"] == 1
    client.post("/__admin/reset?session=w3")
    assert client.get("/__admin/coverage?session=w3").json()["totals"]["unmatched"] == 0
    assert reached(client.get("/__admin/coverage").json(), "portal", "getProfile") == {"200": 1}
    client.post("/__admin/reset")
    assert client.get("/__admin/coverage").json()["totals"]["operations"]["reached"] == 0


def test_the_page_comes_with_format_html_or_a_browsers_accept(client: TestClient) -> None:
    client.get(f"{PORTAL}/profile", headers=ALICE)
    for response in (
        client.get("/__admin/coverage?format=html"),
        client.get("/__admin/coverage", headers={"Accept": BROWSER}),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.text.startswith("<!DOCTYPE html>")
        assert "getProfile" in response.text
    for accept in ("*/*", "application/json", "application/json, text/html;q=0.5"):
        assert client.get("/__admin/coverage", headers={"Accept": accept}).headers["content-type"] == "application/json"
    assert client.get("/__admin/coverage?format=json", headers={"Accept": BROWSER}).json()["version"] == 1


def test_unknown_apis_and_sessions_are_404_and_bad_formats_400(client: TestClient) -> None:
    assert_problem(client.get("/__admin/coverage?api=nope"), 404, "not-found")
    assert_problem(client.get("/__admin/coverage?session=nobody"), 404, "not-found")
    assert_problem(client.get("/__admin/coverage?format=xml"), 400)


@pytest.fixture
def pair() -> Iterator[tuple[TestClient, TestClient, list[str]]]:
    """A server with the fast path (what it leaves to Connexion noted) and one without."""
    fast = MockServer(make_settings())
    slow = MockServer(make_settings(fast_path=False))
    front = fast.fast_path
    assert isinstance(front, FastPath)
    fallback = front.fallback
    calls: list[str] = []

    async def noting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            calls.append(scope["path"])
        await fallback(scope, receive, send)

    front.fallback = noting
    with TestClient(fast) as fast_client, TestClient(slow) as slow_client:
        yield fast_client, slow_client, calls


def test_the_counts_are_the_same_whichever_path_answers(pair: tuple[TestClient, TestClient, list[str]]) -> None:
    fast, slow, to_connexion = pair
    sent = 0
    for client in (fast, slow):
        for api, calls in sorted(REQUESTS.items()):
            base = APIS[api].base_path
            for session in (None, "w3"):
                headers = {**credentials(client, api), **({"X-Mock-Session": session} if session else {})}
                for call in calls:
                    extra = dict(call.headers)
                    if call.body is not None:
                        extra.setdefault("content-type", "application/json")
                    content = (
                        call.raw if call.raw is not None else (json.dumps(call.body) if call.body is not None else None)
                    )
                    client.request(call.method, base + call.path, content=content, headers={**headers, **extra})
                    sent += client is fast
        for method, path, headers in [
            ("GET", f"{PORTAL}/profile", {}),
            ("GET", f"{PORTAL}/profile", {"Authorization": "Bearer nobody"}),
            ("DELETE", f"{PORTAL}/profile", ALICE),
            ("GET", f"{PORTAL}/profile/applications/not-a-number", ALICE),
            ("GET", f"{PORTAL}/no/such/path", ALICE),
            ("HEAD", f"{PORTAL}/profile", ALICE),
            ("GET", f"{PORTAL}/profile", {**ALICE, "Prefer": "code=401"}),
        ]:
            client.request(method, path, headers=headers)
    assert 0 < len(to_connexion) < sent  # both paths answered some of them
    for query in ("", "?session=w3"):
        answered = fast.get(f"/__admin/coverage{query}").json()
        assert answered == slow.get(f"/__admin/coverage{query}").json()
        assert answered["totals"]["responses"]["reached"] > 10
