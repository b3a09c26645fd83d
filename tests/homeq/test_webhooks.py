"""HomeQ's webhooks: registered through the control plane, POSTed to a loopback listener when the
matching state change happens, valid against the spec's event schemas, retried on non-200."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from mockserver.apis.homeq import API
from mockserver.apis.homeq.events import EVENT_NAMES
from mockserver.apis.homeq.state import HomeQState
from mockserver.web.app import MockServer
from tests.conftest import assert_problem, make_settings

from .conftest import assert_error, login

WAIT = 5.0  # seconds: a bounded wait for deliveries


class Listener:
    """A loopback HTTP server that records every POST; the first ``fail`` answers are 500."""

    def __init__(self, fail: int = 0) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail = fail
        self.calls = 0
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                listener.calls += 1
                failing = listener.calls <= listener.fail
                if not failing:
                    listener.received.append(body)
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int) -> list[dict[str, Any]]:
        deadline = time.monotonic() + WAIT
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.received)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def homeq_server() -> MockServer:
    # Retries after 50 ms instead of HomeQ's 5 minutes.
    return MockServer(make_settings(apis=("homeq",), webhook_retry_seconds=0.05, webhook_max_attempts=3))


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def settle(state: HomeQState) -> None:
    """Waits (bounded) until no delivery is waiting or being attempted: every body sent so far has
    arrived (a listener records it before it answers), and none is still to come."""
    deadline = time.monotonic() + WAIT
    while state.webhooks.pending():
        assert time.monotonic() < deadline, "deliveries still pending"
        time.sleep(0.02)


def register(client: TestClient, url: str, *events: str) -> dict[str, Any]:
    response = client.post("/__admin/webhooks", json={"api": "homeq", "url": url, "events": list(events)})
    assert response.status_code == 201, response.text
    registration: dict[str, Any] = response.json()
    return registration


def check_schema(event: str, body: dict[str, Any]) -> None:
    spec = API.spec
    body_schema = spec["x-webhooks"][event]["post"]["requestBody"]["content"]["application/json"]["schema"]
    ref = body_schema["$ref"].rsplit("/", 1)[-1]
    schema = {**spec["components"]["schemas"][ref], "components": spec["components"]}
    jsonschema.validate(body, _resolve(schema, spec))
    assert body["uuid"]
    assert body["created"]


def _resolve(schema: Any, spec: dict[str, Any]) -> Any:
    """The schema with its local $refs inlined (the spec's components are plain JSON Schema)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _resolve(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]], spec)
        return {k: _resolve(v, spec) for k, v in schema.items() if k not in ("components", "nullable", "example")}
    if isinstance(schema, list):
        return [_resolve(v, spec) for v in schema]
    return schema


def test_the_spec_documents_every_event_the_mock_sends_as_a_post_to_the_receiver() -> None:
    webhooks = API.spec["x-webhooks"]
    assert sorted(webhooks) == sorted(EVENT_NAMES)
    assert all(set(item) == {"post"} for item in webhooks.values())


def test_reserving_a_listing_posts_the_reservation_event(client: TestClient, listener: Listener) -> None:
    register(client, listener.url, "reservation")
    admin = login(client, "erik.lindberg")
    assert client.patch("/api/v1/object_ad/17", json={"status": "reserved"}, headers=admin).status_code == 200
    (event,) = listener.wait_for(1)
    check_schema("reservation", event)
    assert event["object_ad_id"] == 17
    assert event["apartment_id"] == 12
    assert event["applicant"]["first_name"] == "Oskar"
    assert event["fellow"]["first_name"] == "Elin"
    assert event["employee"]["email"] == "erik.lindberg@example.se"


def test_confirming_a_reservation_posts_signatures_signing_completed_and_agreement_created(
    client: TestClient, listener: Listener
) -> None:
    register(client, listener.url)
    admin = login(client, "erik.lindberg")
    assert client.post("/api/v1/object_ad/18/reservation/confirm", headers=admin).status_code == 204
    events = listener.wait_for(4)
    kinds = sorted(e["type"] for e in events)
    assert kinds == ["application_signature", "application_signature", "signing_completed", "signing_completed"]
    by_name = {}
    for event in events:
        name = "agreement_created" if "agreement_id" in event else event["type"]
        check_schema(name, event)
        by_name.setdefault(name, []).append(event)
    assert {e["signatory_type"] for e in by_name["application_signature"]} == {"TENANT", "LANDLORD"}
    assert by_name["agreement_created"][0]["office_id"] == 1  # the root office
    agreements = client.get("/api/v1/agreements", headers=admin).json()["results"]
    assert by_name["agreement_created"][0]["agreement_id"] in {a["id"] for a in agreements}


def test_a_failing_receiver_is_retried_a_bounded_number_of_times(client: TestClient) -> None:
    flaky = Listener(fail=2)
    broken = Listener(fail=100)
    try:
        register(client, flaky.url)
        register(client, broken.url)
        triggered = client.post("/__admin/webhooks/trigger", json={"api": "homeq", "event": "signing_completed"})
        assert triggered.status_code == 202, triggered.text
        assert len(triggered.json()["deliveries"]) == 2
        assert len(flaky.wait_for(1)) == 1
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            deliveries = client.get("/__admin/webhooks").json()["deliveries"]
            if all(d["status"] in ("delivered", "failed") for d in deliveries):
                break
            time.sleep(0.05)
        outcome = {d["url"]: d for d in deliveries}
        assert outcome[flaky.url]["status"] == "delivered"
        assert [a["status"] for a in outcome[flaky.url]["attempts"]] == [500, 500, 200]
        assert outcome[broken.url]["status"] == "failed"
        assert len(outcome[broken.url]["attempts"]) == 3
    finally:
        flaky.close()
        broken.close()


def test_an_unreachable_receiver_is_recorded_as_failed(client: TestClient) -> None:
    register(client, "http://127.0.0.1:9/nowhere")
    client.post("/__admin/webhooks/trigger", json={"api": "homeq", "event": "reservation"})
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        (delivery,) = client.get("/__admin/webhooks").json()["deliveries"]
        if delivery["status"] == "failed":
            break
        time.sleep(0.05)
    assert delivery["status"] == "failed"
    assert delivery["attempts"][0]["status"] is None
    assert delivery["attempts"][0]["error"]


@pytest.mark.parametrize("event", ["reservation", "application_signature", "signing_completed", "agreement_created"])
def test_the_control_plane_triggers_any_event_on_demand(client: TestClient, listener: Listener, event: str) -> None:
    register(client, listener.url, event)
    triggered = client.post("/__admin/webhooks/trigger", json={"api": "homeq", "event": event})
    assert triggered.status_code == 202, triggered.text
    (received,) = listener.wait_for(1)
    check_schema(event, received)
    assert received == triggered.json()["body"]


def test_project_follow_events_can_be_triggered_for_a_consumer(client: TestClient, listener: Listener) -> None:
    register(client, listener.url, "project_follow")
    fields = {"project_id": 12, "consumer_id": 9120, "interaction_type": "UNSUBSCRIBED"}
    client.post("/__admin/webhooks/trigger", json={"api": "homeq", "event": "project_follow", "fields": fields})
    (event,) = listener.wait_for(1)
    check_schema("project_follow", event)
    assert event["interaction_type"] == "UNSUBSCRIBED"
    assert event["email_id"] == "anna.lindqvist@example.se"


def test_only_the_registered_events_are_delivered(client: TestClient, listener: Listener, state: HomeQState) -> None:
    register(client, listener.url, "project_follow")
    admin = login(client, "erik.lindberg")
    client.patch("/api/v1/object_ad/17", json={"status": "reserved"}, headers=admin)
    settle(state)
    assert listener.received == []
    assert client.get("/__admin/webhooks").json()["deliveries"] == []


def test_registrations_are_listed_and_can_be_removed(client: TestClient) -> None:
    registration = register(client, "http://127.0.0.1:9/hook", "reservation")
    overview = client.get("/__admin/webhooks", params={"api": "homeq"}).json()
    assert overview["webhooks"] == [registration]
    assert "signing_completed" in overview["events"]["homeq"]
    assert client.delete(f"/__admin/webhooks/homeq/{registration['id']}").status_code == 204
    assert client.get("/__admin/webhooks").json()["webhooks"] == []
    assert client.delete(f"/__admin/webhooks/homeq/{registration['id']}").status_code == 404


def test_unknown_events_and_apis_are_refused(client: TestClient) -> None:
    bad = client.post("/__admin/webhooks", json={"api": "homeq", "url": "http://127.0.0.1:9/", "events": ["nope"]})
    assert bad.status_code == 400
    assert client.post("/__admin/webhooks", json={"api": "nope", "url": "http://127.0.0.1:9/"}).status_code == 404
    assert client.post("/__admin/webhooks/trigger", json={"api": "homeq", "event": "nope"}).status_code == 404


def test_the_request_is_not_kept_waiting_by_a_slow_receiver(client: TestClient) -> None:
    # A loopback socket that is listened on but never read: the attempt hangs until its timeout.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        register(client, f"http://127.0.0.1:{silent.getsockname()[1]}/blackhole")
        admin = login(client, "erik.lindberg")
        started = time.monotonic()
        response = client.patch("/api/v1/object_ad/17", json={"status": "reserved"}, headers=admin)
        assert response.status_code == 200
        assert time.monotonic() - started < 1.0
        invalid = client.patch("/api/v1/object_ad/17", json={"status": "rented"}, headers=admin)
        assert_error(invalid, 412, "InvalidStatus")


# -- consumers following projects, simulated by the control plane ----------------------------------
FOLLOWERS = "/__admin/projects/homeq/12/followers"


def test_a_consumer_following_a_project_is_recorded_and_posts_project_follow(
    client: TestClient, listener: Listener, state: HomeQState
) -> None:
    register(client, listener.url, "project_follow")
    followed = client.put(f"{FOLLOWERS}/9121")
    assert followed.status_code == 201, followed.text
    assert followed.json()["followers"] == [9121]
    assert followed.json()["changed"] is True
    (event,) = listener.wait_for(1)
    check_schema("project_follow", event)
    assert event == followed.json()["event"]
    assert (event["project_id"], event["interaction_type"]) == (12, "SUBSCRIBED")
    assert (event["email_id"], event["first_name"], event["ssn"]) == ("oskar.holm@example.se", "Oskar", "19870612-4471")
    assert (event["company_id"], event["office_id"]) == (2, state.store.projects.get(12)["office"])
    assert client.get(FOLLOWERS).json() == {"api": "homeq", "project": 12, "followers": [9121]}
    assert state.store.projects.get(12)["followers"] == [9121]


def test_following_a_project_twice_changes_and_sends_nothing(
    client: TestClient, listener: Listener, state: HomeQState
) -> None:
    register(client, listener.url, "project_follow")
    assert client.put(f"{FOLLOWERS}/9121").status_code == 201
    again = client.put(f"{FOLLOWERS}/9121")
    assert again.status_code == 200, again.text
    assert (again.json()["changed"], again.json()["event"], again.json()["deliveries"]) == (False, None, [])
    assert again.json()["followers"] == [9121]
    settle(state)
    assert len(listener.received) == 1
    assert len(client.get("/__admin/webhooks").json()["deliveries"]) == 1


def test_unfollowing_posts_unsubscribed_and_only_a_follower_can_unfollow(
    client: TestClient, listener: Listener
) -> None:
    register(client, listener.url, "project_follow")
    assert_problem(client.delete(f"{FOLLOWERS}/9120"), 409, "conflict")
    client.put(f"{FOLLOWERS}/9120")
    client.put(f"{FOLLOWERS}/9123")
    left = client.delete(f"{FOLLOWERS}/9120")
    assert left.status_code == 200, left.text
    assert (left.json()["following"], left.json()["followers"]) == (False, [9123])
    events = listener.wait_for(3)
    # Several workers deliver: the events may arrive in any order.
    assert sorted((e["email_id"], e["interaction_type"]) for e in events) == [
        ("ahmed.karimi@example.se", "SUBSCRIBED"),
        ("anna.lindqvist@example.se", "SUBSCRIBED"),
        ("anna.lindqvist@example.se", "UNSUBSCRIBED"),
    ]
    for event in events:
        check_schema("project_follow", event)
    assert_problem(client.delete(f"{FOLLOWERS}/9120"), 409, "conflict")


def test_following_an_unknown_project_consumer_or_api_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.put("/__admin/projects/homeq/99999/followers/9121"), 404, "not-found")
    assert_problem(client.delete("/__admin/projects/homeq/99999/followers/9121"), 404, "not-found")
    assert_problem(client.get("/__admin/projects/homeq/99999/followers"), 404, "not-found")
    assert_problem(client.put(f"{FOLLOWERS}/99999"), 404, "not-found")
    assert_problem(client.put("/__admin/projects/nope/12/followers/9121"), 404, "not-found")
    assert client.get(FOLLOWERS).json()["followers"] == []


def test_an_unpublished_project_cannot_be_followed(client: TestClient, listener: Listener, state: HomeQState) -> None:
    register(client, listener.url, "project_follow")
    admin = login(client, "erik.lindberg")
    project = client.post("/api/v1/projects", json={"name": "Kvarteret Linden"}, headers=admin).json()["id"]
    assert_problem(client.put(f"/__admin/projects/homeq/{project}/followers/9121"), 409, "conflict")
    settle(state)
    assert listener.received == []


def test_followers_are_not_the_landlords_to_set_and_a_reset_forgets_them(client: TestClient, state: HomeQState) -> None:
    client.put(f"{FOLLOWERS}/9121")
    admin = login(client, "erik.lindberg")
    patched = client.patch("/api/v1/projects/12", json={"followers": [9123], "name": "Nyproduktion II"}, headers=admin)
    assert patched.status_code == 200, patched.text
    assert state.store.projects.get(12)["followers"] == [9121]
    assert client.post("/__admin/reset", params={"api": "homeq"}).status_code == 200
    assert client.get(FOLLOWERS).json()["followers"] == []
