"""Clients' sessions (``engine.sessions``, ``web.sessions``): a request with ``X-Mock-Session: <name>``
or under ``/__sessions/<name>/`` works on the session's own copy of every API's seeded data, with
its own tokens, journal, rules and webhooks; the control plane lists, makes, resets and removes
sessions; idle sessions are forgotten and the least recently used goes beyond the cap."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.engine.clock import Clock
from mockserver.engine.problems import SessionNameInvalid
from mockserver.engine.rules import RuleSet
from mockserver.engine.sessions import Sessions, check_name
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from mockserver.web.fastpath import FastPath
from tests.conftest import ALICE, ANCHOR, PORTAL, assert_problem, credentials, make_settings
from tests.live import serve
from tests.plain_requests import REQUESTS, Call
from tests.test_fastpath import Counting, comparable, send

FAVOURITES = f"{PORTAL}/profile/favourites"
PROFILE = f"{PORTAL}/profile"
ESTATES = "/api/v1/inventory?type=estate&amount=1000"
ESTATE = "/api/v4/estate"
LOGIN = "/api/v2/tokens/"


def in_session(name: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    return {**(headers or {}), "X-Mock-Session": name}


def favourites(client: Any, headers: dict[str, str], prefix: str = "") -> set[int]:
    response = client.get(prefix + FAVOURITES, headers=headers)
    assert response.status_code == 200, response.text
    return {f["id"] for f in response.json()["data"]}


def homeq_login(client: Any, headers: dict[str, str] | None = None, prefix: str = "") -> dict[str, str]:
    """A JWT from HomeQ's login as its first demo user, in the session the request names."""
    user = next(a for a in client.get("/__admin/apis").json()["apis"] if a["name"] == "homeq")["auth"]["users"][0]
    body = {"username": user["username"], "password": user["password"]}
    response = client.post(prefix + LOGIN, json=body, headers=headers or {})
    assert response.status_code == 200, response.text
    return {"Authorization": f"JWT {response.json()['token']}"}


def estate_names(client: Any, headers: dict[str, str], prefix: str = "") -> set[str]:
    response = client.get(prefix + ESTATES, headers=headers)
    assert response.status_code == 200, response.text
    return {r["estate"]["name"] for r in response.json()["results"] if r["type"] == "estate"}


def session_credentials(client: TestClient, api: str, session: str) -> dict[str, str]:
    """The API's first demo user's headers in ``session`` (made first), as the control plane lists them."""
    assert client.put(f"/__admin/sessions/{session}").status_code in (200, 201)
    auth = next(a["auth"] for a in client.get(f"/__admin/apis?session={session}").json()["apis"] if a["name"] == api)
    user = auth["users"][0]
    token = user.get("token") or user["longLivedToken"]
    return {auth["header"]: f"{auth['prefix']} {token}" if auth.get("prefix") else token}


# -- isolation -------------------------------------------------------------------------------------
def test_a_session_named_by_header_keeps_its_records_to_itself(client: TestClient) -> None:
    seeded = favourites(client, ALICE)
    added = client.post(FAVOURITES, json={"listing": 5355}, headers=in_session("a", ALICE))
    assert added.status_code == 201
    assert favourites(client, in_session("a", ALICE)) == seeded | {5355}
    assert favourites(client, in_session("b", ALICE)) == seeded  # the portal's demo tokens work in every session
    assert favourites(client, ALICE) == seeded
    client.post(FAVOURITES, json={"listing": 5356}, headers=ALICE)
    assert favourites(client, in_session("a", ALICE)) == seeded | {5355}


def test_connexion_alone_keeps_a_session_s_records_and_tokens_to_itself() -> None:
    with TestClient(MockServer(make_settings(fast_path=False))) as client:
        seeded = favourites(client, ALICE)
        assert client.post(FAVOURITES, json={"listing": 5355}, headers=in_session("a", ALICE)).status_code == 201
        assert favourites(client, in_session("a", ALICE)) == seeded | {5355}
        assert favourites(client, ALICE) == seeded
        token = homeq_login(client, in_session("a"))
        assert client.get("/api/v1/company", headers=in_session("a", token)).status_code == 200
        assert client.get("/api/v1/company", headers=token).status_code == 401


def test_the_path_prefix_names_the_same_session_as_the_header(client: TestClient) -> None:
    seeded = favourites(client, ALICE)
    added = client.post("/__sessions/w3" + FAVOURITES, json={"listing": 5355}, headers=ALICE)
    assert added.status_code == 201
    assert favourites(client, ALICE, prefix="/__sessions/w3") == seeded | {5355}
    assert favourites(client, in_session("w3", ALICE)) == seeded | {5355}
    assert favourites(client, in_session("w3", ALICE), prefix="/__sessions/w3") == seeded | {5355}
    assert favourites(client, ALICE) == seeded
    # HomeQ, served at the root, under the prefix too.
    token = homeq_login(client, prefix="/__sessions/w3")
    assert client.post("/__sessions/w3" + ESTATE, json={"legal_name": "Prefixed", "city": "Lund"}, headers=token)
    assert "Prefixed" in estate_names(client, in_session("w3", token))


@pytest.mark.parametrize(("base", "url"), [(PORTAL, PORTAL), ("", "/")])
def test_swagger_ui_under_the_prefix_tries_requests_out_in_the_session(client: TestClient, base: str, url: str) -> None:
    page = client.get(f"/__sessions/w3{base}/ui/")
    assert page.status_code == 200
    assert f'url: "/__sessions/w3{base}/openapi.json"' in page.text
    redirected = client.get(f"/__sessions/w3{base}/ui", follow_redirects=False)
    assert redirected.headers["location"] == f"/__sessions/w3{base}/ui/"
    as_written = client.get(f"{base}/openapi.json").json()
    assert [s["url"] for s in as_written["servers"]] == [url]
    for spec in (
        client.get(f"/__sessions/w3{base}/openapi.json").json(),
        yaml.safe_load(client.get(f"/__sessions/w3{base}/openapi.yaml").text),
    ):
        assert [s["url"] for s in spec["servers"]] == [f"/__sessions/w3{url}".rstrip("/")]
        assert {**spec, "servers": as_written["servers"]} == json.loads(json.dumps(as_written))
    # "Try it out" sends the path under the spec's server: the session's state answers.
    if base == PORTAL:
        server = client.get(f"/__sessions/w3{base}/openapi.json").json()["servers"][0]["url"]
        assert client.post(server + "/profile/favourites", json={"listing": 5355}, headers=ALICE).status_code == 201
        assert 5355 in favourites(client, in_session("w3", ALICE))
        assert 5355 not in favourites(client, ALICE)
    # The default state's page and spec are as they were.
    assert f'url: "{base}/openapi.json"' in client.get(f"{base}/ui/").text


def test_an_error_under_the_prefix_names_the_path_without_it(client: TestClient) -> None:
    missing = client.get(f"/__sessions/w3{PORTAL}/profile/applications/999999", headers=ALICE)
    assert assert_problem(missing, 404)["instance"] == f"{PORTAL}/profile/applications/999999"
    homeq = client.get("/__sessions/w3/api/v1/company", headers={"Authorization": "JWT nonsense"})
    assert homeq.status_code == 401
    assert set(homeq.json()) == {"error", "description"}  # HomeQ's own errors stay in its shape


def test_sixteen_sessions_writing_at_once_never_see_each_others_records() -> None:
    server = MockServer(make_settings(validate_responses=False))
    portal_state = server.runtime.apis["portal"].state
    seeded_favourites = {row[0] for row in portal_state.store.favourites.values(("listingId",), customerId=1)}
    listings = sorted(set(portal_state.store.listings.keys()) - seeded_favourites)[:16]
    assert len(listings) == 16
    failures: list[str] = []
    seen: dict[int, tuple[set[int], set[str]]] = {}

    with serve(server) as origin:
        with httpx.Client(base_url=origin, timeout=30) as plain:
            seeded_estates = estate_names(plain, homeq_login(plain))

        def client_of(index: int) -> None:
            name = f"parallel-{index}"
            # Half of them name their session by header, half by the path prefix.
            headers, prefix = (in_session(name), "") if index % 2 else ({}, f"/__sessions/{name}")
            try:
                with httpx.Client(base_url=origin, timeout=30) as http:
                    token = {**headers, **homeq_login(http, headers, prefix)}
                    mine = {f"{name}-estate-{n}" for n in range(3)}
                    for estate in sorted(mine):
                        body = {"legal_name": estate, "city": "Uppsala"}
                        assert http.post(prefix + ESTATE, json=body, headers=token).status_code == 200
                    added = http.post(
                        prefix + FAVOURITES, json={"listing": listings[index]}, headers={**headers, **ALICE}
                    )
                    assert added.status_code == 201, added.text
                    seen[index] = (favourites(http, {**headers, **ALICE}, prefix), estate_names(http, token, prefix))
                    if seen[index][1] != seeded_estates | mine:
                        failures.append(f"{name} sees the estates {sorted(seen[index][1] - seeded_estates)}")
            except Exception as exc:  # reported by the main thread
                failures.append(f"{name}: {exc!r}")

        threads = [threading.Thread(target=client_of, args=(index,)) for index in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
        assert not failures, failures
        for index, (favourite_ids, _) in seen.items():
            assert favourite_ids == seeded_favourites | {listings[index]}, index
        with httpx.Client(base_url=origin, timeout=30) as plain:
            assert favourites(plain, ALICE) == seeded_favourites
            assert estate_names(plain, homeq_login(plain)) == seeded_estates
            listed = {s["name"] for s in plain.get("/__admin/sessions").json()["sessions"]}
            assert listed == {f"parallel-{index}" for index in range(16)}


def test_a_homeq_token_issued_in_a_session_works_only_in_that_session(client: TestClient) -> None:
    token = homeq_login(client, in_session("a"))
    assert client.get("/api/v1/company", headers=in_session("a", token)).status_code == 200
    assert client.get("/api/v1/company", headers=in_session("b", token)).status_code == 401
    assert client.get("/api/v1/company", headers=token).status_code == 401
    default_token = homeq_login(client)
    assert client.get("/api/v1/company", headers=in_session("a", default_token)).status_code == 401
    # The control plane lists each session's own long-lived demo tokens.
    assert client.get("/api/v1/company", headers=in_session("a", session_credentials(client, "homeq", "a"))).is_success


# -- names -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["", "a b", "a!", "ä", "x" * 65, "a.b"])
def test_a_name_that_is_no_session_name_is_a_400_problem_for_every_api(client: TestClient, name: str) -> None:
    for path in (PROFILE, "/api/v1/company", "/consumerportal/getsession"):
        by_header = client.get(path, headers={"X-Mock-Session": name.encode()})
        assert_problem(by_header, 400, "session-name-invalid")  # HomeQ's too: the mock's own problem
        assert_problem(client.get(f"/__sessions/{name}{path}"), 400, "session-name-invalid")
    assert client.get("/__admin/sessions").json()["sessions"] == []


@pytest.mark.parametrize("name", ["a%20b", "a!", "%C3%A4", "x" * 65, "a.b"])
def test_the_control_plane_refuses_a_name_that_is_no_session_name_as_the_data_plane_does(
    client: TestClient, name: str
) -> None:
    for method in ("PUT", "GET", "DELETE"):
        refused = assert_problem(client.request(method, f"/__admin/sessions/{name}"), 400, "session-name-invalid")
        assert "is not a session name" in refused["detail"]
    assert client.get("/__admin/sessions").json()["sessions"] == []


@pytest.mark.parametrize("name", ["a b", "a!", "x" * 65, "a.b"])
def test_a_session_named_in_a_control_plane_query_or_body_is_checked_as_in_its_path(
    client: TestClient, name: str
) -> None:
    for answer in (
        client.post("/__admin/reset", params={"session": name}),
        client.get("/__admin/requests", params={"session": name}),
        client.get("/__admin/rules", params={"session": name}),
        client.post("/__admin/rules", json={"session": name, "api": "portal", "delay_ms": 1}),
    ):
        assert_problem(answer, 400, "session-name-invalid")
    assert client.get("/__admin/sessions").json()["sessions"] == []


def test_a_percent_encoded_session_name_is_refused() -> None:
    with pytest.raises(SessionNameInvalid):
        check_name("a%20b")
    server = MockServer(make_settings())
    scope_path = f"/__sessions/w3{PROFILE}"
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send_(message: dict[str, Any]) -> None:
        answer.setdefault("status", message.get("status"))

    scope = {
        "type": "http",
        "method": "GET",
        "path": scope_path,
        "raw_path": f"/__sessions/w%33{PROFILE}".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"authorization", b"Bearer demo-alice-token")],
    }
    asyncio.run(server(scope, receive, send_))
    assert answer["status"] == 400


def test_a_header_and_a_prefix_naming_different_sessions_are_a_400_problem(client: TestClient) -> None:
    assert_problem(client.get(f"/__sessions/a{PROFILE}", headers=in_session("b", ALICE)), 400, "session-ambiguous")
    assert client.get(f"/__sessions/a{PROFILE}", headers=in_session("a", ALICE)).status_code == 200
    two = client.get(PROFILE, headers=[("X-Mock-Session", "a"), ("X-Mock-Session", "b"), *ALICE.items()])
    assert_problem(two, 400, "session-ambiguous")
    homeq = client.get("/__sessions/a/api/v1/company", headers={"X-Mock-Session": "b"})
    assert_problem(homeq, 400, "session-ambiguous")


def test_the_control_plane_is_in_no_session(client: TestClient) -> None:
    client.post(FAVOURITES, json={"listing": 5355}, headers=in_session("a", ALICE))
    # The header is ignored: the default state's journal, records and rules.
    listed = client.get("/__admin/requests", headers=in_session("a")).json()["requests"]
    assert listed == []
    assert client.get("/__admin/sessions", headers={"X-Mock-Session": "not a name"}).status_code == 200
    assert_problem(client.get("/__sessions/a/__admin/sessions"), 404)
    assert_problem(client.get("/__sessions/a/__admin"), 404)


# -- the control plane -----------------------------------------------------------------------------
def test_the_control_plane_makes_lists_shows_and_removes_sessions(client: TestClient) -> None:
    made = client.put("/__admin/sessions/w1")
    assert made.status_code == 201
    assert made.json()["name"] == "w1"
    assert made.json()["records"]["portal"] == client.get("/__admin/apis").json()["apis"][0]["records"]
    assert client.put("/__admin/sessions/w1").status_code == 200
    client.post(FAVOURITES, json={"listing": 5355}, headers=in_session("w2", ALICE))
    listing = client.get("/__admin/sessions").json()
    assert [s["name"] for s in listing["sessions"]] == ["w2", "w1"]  # the most recently used first
    assert listing["idleSeconds"] == 1800
    assert listing["maxSessions"] == 64
    shown = client.get("/__admin/sessions/w2").json()
    assert shown["records"]["portal"]["favourites"] == made.json()["records"]["portal"]["favourites"] + 1
    assert shown["created"] <= shown["lastUsed"]
    assert client.delete("/__admin/sessions/w2").status_code == 204
    assert_problem(client.delete("/__admin/sessions/w2"), 404)
    assert_problem(client.get("/__admin/sessions/w2"), 404)
    assert_problem(client.put("/__admin/sessions/no%20name"), 400, "session-name-invalid")
    # A session used again after its removal starts from the seeded data.
    assert 5355 not in favourites(client, in_session("w2", ALICE))


def test_resetting_one_session_leaves_the_others_and_the_default_state(client: TestClient) -> None:
    seeded = favourites(client, ALICE)
    for name in ("a", "b"):
        client.post(FAVOURITES, json={"listing": 5355}, headers=in_session(name, ALICE))
    client.post(FAVOURITES, json={"listing": 5356}, headers=ALICE)
    assert client.post("/__admin/reset?session=a").json() == {"reset": list(APIS)}
    assert favourites(client, in_session("a", ALICE)) == seeded
    assert favourites(client, in_session("b", ALICE)) == seeded | {5355}
    assert favourites(client, ALICE) == seeded | {5356}
    assert client.post("/__admin/reset?session=b&api=portal").json() == {"reset": ["portal"]}
    assert favourites(client, in_session("b", ALICE)) == seeded
    # The default state's reset leaves every session as it is.
    client.post(FAVOURITES, json={"listing": 5355}, headers=in_session("a", ALICE))
    client.post("/__admin/reset")
    assert favourites(client, ALICE) == seeded
    assert favourites(client, in_session("a", ALICE)) == seeded | {5355}
    assert_problem(client.post("/__admin/reset?session=unknown"), 404)


# -- expiry and the cap ----------------------------------------------------------------------------
class Ticks:
    """A settable time for :class:`Sessions` (``now``), so that idle sessions expire without sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticking() -> Iterator[tuple[TestClient, Ticks]]:
    server = MockServer(make_settings(session_idle_seconds=60, max_sessions=3))
    ticks = Ticks()
    server.runtime.sessions.now = ticks
    with TestClient(server) as client:
        yield client, ticks


def names(client: TestClient) -> list[str]:
    return [s["name"] for s in client.get("/__admin/sessions").json()["sessions"]]


def test_an_idle_session_is_forgotten_and_starts_again_from_the_seeded_data(
    ticking: tuple[TestClient, Ticks],
) -> None:
    client, ticks = ticking
    seeded = favourites(client, ALICE)
    client.post(FAVOURITES, json={"listing": 5355}, headers=in_session("a", ALICE))
    ticks.now = 30
    client.get(PROFILE, headers=in_session("b", ALICE))
    ticks.now = 60  # a: idle 60 s, as long as it may be
    assert names(client) == ["b", "a"]
    assert client.get("/__admin/sessions/a").json()["idleSeconds"] == 60
    ticks.now = 61
    assert names(client) == ["b"]
    assert_problem(client.get("/__admin/sessions/a"), 404)
    assert favourites(client, in_session("a", ALICE)) == seeded
    ticks.now = 200  # b was forgotten when a was used again; a is idle too long now
    assert names(client) == []


def test_one_session_more_than_the_cap_forgets_the_least_recently_used(ticking: tuple[TestClient, Ticks]) -> None:
    client, ticks = ticking
    for moment, name in enumerate(("a", "b", "c")):
        ticks.now = moment
        assert client.put(f"/__admin/sessions/{name}").status_code == 201
    registered = client.post("/__admin/webhooks", json={"session": "b", "api": "homeq", "url": "http://127.0.0.1:9/"})
    assert registered.status_code == 201
    server: MockServer = client.app  # type: ignore[assignment]
    session_b = server.runtime.sessions.get("b")
    assert session_b is not None
    hooks = session_b.states["homeq"].webhooks  # type: ignore[attr-defined]
    ticks.now = 3
    client.get(PROFILE, headers=in_session("a", ALICE))  # a is used again: b is now the least recent
    ticks.now = 4
    client.get(PROFILE, headers=in_session("d", ALICE))
    assert names(client) == ["d", "a", "c"]
    assert hooks.registrations() == []  # a forgotten session's webhooks stop


def test_sessions_expire_and_are_capped_in_the_engine_alone() -> None:
    ticks = Ticks()
    settings = make_settings(session_idle_seconds=10, max_sessions=2)
    made: list[str] = []

    def fork(name: str) -> dict[str, Any]:
        made.append(name)
        return {}

    sessions = Sessions(settings, Clock(ANCHOR), fork, lambda: RuleSet(1, {}), now=ticks)
    first = sessions.use("a")
    ticks.now = 0.5
    assert sessions.use("a") is first  # used again within the touch interval: the same, not marked
    assert sessions.create("a") == (first, False)
    ticks.now = 2
    sessions.use("b")
    ticks.now = 3
    sessions.use("c")  # one more than two: a, the least recently used, goes
    assert [s.name for s in sessions.all()] == ["c", "b"]
    ticks.now = 12.5  # b idle 10.5 s
    assert [s.name for s in sessions.all()] == ["c"]
    assert sessions.remove("c")
    assert not sessions.remove("c")
    assert made == ["a", "b", "c"]
    with pytest.raises(SessionNameInvalid):
        sessions.use("not a name")


def test_session_settings_come_from_the_environment_and_are_checked() -> None:
    settings = Settings.from_env({"SESSION_IDLE_SECONDS": "90.5", "MAX_SESSIONS": "3"})
    assert (settings.session_idle_seconds, settings.max_sessions) == (90.5, 3)
    assert (Settings().session_idle_seconds, Settings().max_sessions) == (1800.0, 64)
    with pytest.raises(ValueError, match="MAX_SESSIONS"):
        Settings.from_env({"MAX_SESSIONS": "0"})
    with pytest.raises(ValueError, match="SESSION_IDLE_SECONDS"):
        Settings.from_env({"SESSION_IDLE_SECONDS": "soon"})
    with pytest.raises(ValueError, match="SESSION_IDLE_SECONDS"):
        Settings(session_idle_seconds=0)


# -- journal, rules, webhooks ----------------------------------------------------------------------
def test_each_session_has_its_own_journal(client: TestClient) -> None:
    client.get(PROFILE, headers=in_session("a", ALICE))
    client.get(f"/__sessions/a{FAVOURITES}", headers=ALICE)
    client.get(PROFILE, headers=in_session("b", ALICE))
    client.get(FAVOURITES, headers=ALICE)
    journal_a = client.get("/__admin/requests?session=a").json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in journal_a] == [
        ("GET", FAVOURITES, 200),
        ("GET", PROFILE, 200),
    ]
    assert [e["path"] for e in client.get("/__admin/requests?session=b").json()["requests"]] == [PROFILE]
    assert [e["path"] for e in client.get("/__admin/requests").json()["requests"]] == [FAVOURITES]
    assert_problem(client.get("/__admin/requests?session=c"), 404)


def test_a_rule_in_one_session_shapes_neither_another_nor_the_default_state(client: TestClient) -> None:
    rule = {"api": "portal", "operationId": "getProfile", "respond": {"code": 401}}
    assert client.post("/__admin/rules?session=a", json=rule).status_code == 404  # no such session yet
    client.put("/__admin/sessions/a")
    client.put("/__admin/sessions/b")
    assert client.post("/__admin/rules?session=a", json=rule).status_code == 201
    in_b = {**rule, "session": "b", "operationId": "listFavourites"}
    assert client.post("/__admin/rules", json=in_b).status_code == 201
    assert client.get(PROFILE, headers=in_session("a", ALICE)).status_code == 401
    assert client.get(f"/__sessions/a{FAVOURITES}", headers=ALICE).status_code == 200
    assert client.get(f"/__sessions/b{PROFILE}", headers=ALICE).status_code == 200
    assert client.get(f"/__sessions/b{FAVOURITES}", headers=ALICE).status_code == 401
    assert client.get(PROFILE, headers=in_session("c", ALICE)).status_code == 200
    assert client.get(PROFILE, headers=ALICE).status_code == 200
    assert client.get("/__admin/rules").json()["rules"] == []
    (listed,) = client.get("/__admin/rules?session=a").json()["rules"]
    assert listed["hits"] == 1
    journal = client.get("/__admin/requests?session=a").json()["requests"]
    assert [(e["path"], e["rule"]) for e in journal] == [(FAVOURITES, None), (PROFILE, listed["id"])]
    assert_problem(client.post("/__admin/rules?session=a", json={**rule, "session": "b"}), 400)
    assert_problem(client.delete(f"/__admin/rules/{listed['id']}"), 404)  # not the default state's
    assert client.delete(f"/__admin/rules/{listed['id']}?session=a").status_code == 204
    assert client.get(PROFILE, headers=in_session("a", ALICE)).status_code == 200


def test_the_keep_deleted_fault_puts_back_what_a_request_deletes_in_its_own_session() -> None:
    with TestClient(MockServer(make_settings(faults=("keep-deleted",)))) as client:
        seeded = favourites(client, ALICE)
        assert client.post(FAVOURITES, json={"listing": 5355}, headers=in_session("k", ALICE)).status_code == 201
        assert client.delete(f"{FAVOURITES}/5355", headers=in_session("k", ALICE)).status_code == 204
        assert favourites(client, in_session("k", ALICE)) == seeded | {5355}
        one = min(seeded)
        assert client.delete(f"/__sessions/k{FAVOURITES}/{one}", headers=ALICE).status_code == 204
        assert favourites(client, in_session("k", ALICE)) == seeded | {5355}
        assert client.delete(f"{FAVOURITES}/{one}", headers=ALICE).status_code == 204
        assert favourites(client, ALICE) == seeded


def test_webhook_registrations_are_each_session_s_own(client: TestClient) -> None:
    client.put("/__admin/sessions/a")
    hook = {"api": "homeq", "url": "http://127.0.0.1:9/hook", "events": ["project_follow"]}
    made = client.post("/__admin/webhooks", json={**hook, "session": "a"})
    assert made.status_code == 201
    assert [w["url"] for w in client.get("/__admin/webhooks?session=a").json()["webhooks"]] == [hook["url"]]
    assert client.get("/__admin/webhooks").json()["webhooks"] == []
    assert_problem(client.delete(f"/__admin/webhooks/homeq/{made.json()['id']}"), 404)
    assert client.delete(f"/__admin/webhooks/homeq/{made.json()['id']}?session=a").status_code == 204
    assert_problem(client.post("/__admin/webhooks", json={**hook, "session": "nobody"}), 404)


# -- both paths ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[TestClient, TestClient, Counting]]:
    fast = MockServer(make_settings())
    slow = MockServer(make_settings(fast_path=False))
    assert isinstance(fast.fast_path, FastPath)
    counting = fast.fast_path.fallback = Counting(fast.fast_path.fallback)
    with TestClient(fast) as fast_client, TestClient(slow) as slow_client:
        yield fast_client, slow_client, counting


def send_in(client: TestClient, api: str, call: Call, headers: dict[str, str], prefix: str) -> Any:
    """The call under ``prefix`` (``/__sessions/<name>``, or nothing)."""
    extra = dict(call.headers)
    if call.body is not None:
        extra.setdefault("content-type", "application/json")
    content = call.raw if call.raw is not None else (json.dumps(call.body) if call.body is not None else None)
    url = prefix + APIS[api].base_path + call.path
    return client.request(call.method, url, content=content, headers={**headers, **extra})


@pytest.mark.parametrize("by", ["header", "prefix"])
@pytest.mark.parametrize("api", sorted(REQUESTS))
def test_the_fast_path_serves_session_requests_itself_and_answers_as_connexion_does(
    pair: tuple[TestClient, TestClient, Counting], api: str, by: str
) -> None:
    fast, slow, fallback = pair
    session = f"paths-{api}-{by}"
    headers = session_credentials(slow, api, session)
    session_credentials(fast, api, session)
    prefix = f"/__sessions/{session}" if by == "prefix" else ""
    if by == "header":
        headers = in_session(session, headers)
    for call in REQUESTS[api]:
        fallback.calls.clear()
        answer = send_in(fast, api, call, headers, prefix)
        expected = send_in(slow, api, call, headers, prefix)
        assert answer.status_code == call.expect, (call, answer.text)
        assert comparable(answer) == comparable(expected), call
        if call.expect < 400:
            assert fallback.calls == [], call


def test_session_errors_go_to_connexion_and_read_as_its_answers(pair: tuple[TestClient, TestClient, Counting]) -> None:
    fast, slow, fallback = pair
    for method, path, kwargs in [
        ("GET", PROFILE, {}),
        ("GET", PROFILE, {"headers": {"Authorization": "Bearer nobody"}}),
        ("PUT", PROFILE, {"headers": {**ALICE, "content-type": "application/json"}, "content": b"{bad"}),
        ("GET", f"{PORTAL}/profile/applications/not-a-number", {"headers": ALICE}),
        ("GET", "/api/v1/company", {"headers": {"Authorization": "JWT forged"}}),
    ]:
        headers = in_session("errors", kwargs.pop("headers", {}))
        fallback.calls.clear()
        answer = fast.request(method, path, headers=headers, **kwargs)
        expected = slow.request(method, path, headers=headers, **kwargs)
        assert answer.status_code >= 400
        assert comparable(answer) == comparable(expected), (method, path)
        assert fallback.calls == [f"{method} {path}"]


@pytest.mark.parametrize("api", sorted(REQUESTS))
def test_a_new_session_answers_as_a_new_server_s_default_state_does(api: str) -> None:
    with TestClient(MockServer(make_settings())) as default, TestClient(MockServer(make_settings())) as other:
        plain = credentials(default, api)
        headers = in_session("fresh", session_credentials(other, api, "fresh"))
        for call in REQUESTS[api]:
            assert comparable(send(other, api, call, headers)) == comparable(send(default, api, call, plain)), call


def test_prefer_works_inside_a_session(client: TestClient) -> None:
    seeded = favourites(client, ALICE)
    refused = client.post(FAVOURITES, json={"listing": 5355}, headers={**in_session("a", ALICE), "Prefer": "code=404"})
    assert refused.status_code == 404
    assert refused.headers["preference-applied"] == "code=404"
    added = client.post(FAVOURITES, json={"listing": 5355}, headers={**in_session("a", ALICE), "Prefer": "code=201"})
    assert added.headers["preference-applied"] == "code=201"
    assert favourites(client, in_session("a", ALICE)) == seeded | {5355}
    assert favourites(client, ALICE) == seeded
    journal = client.get("/__admin/requests?session=a").json()["requests"]
    assert [e["applied"] for e in journal[1:3]] == ["code=201", "code=404"]


def test_a_browser_may_send_x_mock_session_across_origins(client: TestClient) -> None:
    origin = "http://localhost:5173"
    for path in (PROFILE, f"/__sessions/a{PROFILE}"):
        preflight = client.options(
            path,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization, x-mock-session",
            },
        )
        assert preflight.status_code == 200, path
        assert "x-mock-session" in preflight.headers["access-control-allow-headers"].lower()
    answer = client.get(PROFILE, headers={**in_session("a", ALICE), "Origin": origin})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"


def test_the_control_plane_lists_a_session_s_demo_credentials_and_records(client: TestClient) -> None:
    client.post(FAVOURITES, json={"listing": 5355}, headers=in_session("a", ALICE))
    default = {a["name"]: a for a in client.get("/__admin/apis").json()["apis"]}
    session = {a["name"]: a for a in client.get("/__admin/apis?session=a").json()["apis"]}
    assert session["portal"]["records"]["favourites"] == default["portal"]["records"]["favourites"] + 1
    assert session["portal"]["auth"] == default["portal"]["auth"]
    default_tokens = json.dumps(default["homeq"]["auth"]["users"])
    assert json.dumps(session["homeq"]["auth"]["users"]) != default_tokens
    assert_problem(client.get("/__admin/apis?session=nobody"), 404)
