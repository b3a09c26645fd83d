"""Rules set through the control plane (``/__admin/rules``): delays, forced answers and network
faults for clients that cannot send a ``Prefer`` header. Network faults are checked with a real
server on 127.0.0.1 and real clients (raw sockets and httpx), as a frontend would meet them."""

from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.engine.jsonpointer import deref
from mockserver.engine.rules import RuleSet
from mockserver.web.app import MockServer
from mockserver.web.fastpath import FastPath
from tests.conftest import ALICE, PORTAL, assert_problem, credentials, make_settings
from tests.live import serve

PROFILE = f"{PORTAL}/profile"
APPLICATION = f"{PORTAL}/profile/applications/101"
#: How long past its due time a delayed or dripped answer may come on a loaded machine.
MARGIN = 2.0


def add(client: Any, **rule: Any) -> dict[str, Any]:
    response = client.post("/__admin/rules", json=rule)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def journal_rules(client: Any, count: int) -> list[int | None]:
    """The ``rule`` of the last ``count`` requests, oldest first."""
    entries = client.get(f"/__admin/requests?limit={count}").json()["requests"]
    return [entry["rule"] for entry in reversed(entries)]


def timed(client: TestClient, path: str) -> tuple[int, float]:
    started = time.monotonic()
    status = client.get(path, headers=ALICE).status_code
    return status, time.monotonic() - started


# -- the control plane -----------------------------------------------------------------------------
def test_a_rule_is_added_listed_with_its_hits_and_deleted(client: TestClient) -> None:
    rule = add(client, api="portal", operationId="getProfile", delay_ms=0, times=3)
    assert rule == {
        "id": 1,
        "api": "portal",
        "operationId": "getProfile",
        "method": "GET",
        "template": "/profile",
        "delay_ms": 0,
        "probability": 1.0,
        "times": 3,
        "hits": 0,
        "remaining": 3,
    }
    client.get(PROFILE, headers=ALICE)
    listed = client.get("/__admin/rules").json()["rules"]
    assert [(r["id"], r["hits"], r["remaining"]) for r in listed] == [(1, 1, 2)]
    assert client.get("/__admin/rules?api=homeq").json() == {"rules": []}
    assert client.delete("/__admin/rules/1").status_code == 204
    assert client.get("/__admin/rules").json() == {"rules": []}
    assert_problem(client.delete("/__admin/rules/1"), 404, "not-found")


def test_a_rule_for_an_unknown_api_is_404_and_for_an_unknown_operation_400_naming_it(client: TestClient) -> None:
    assert_problem(client.post("/__admin/rules", json={"api": "nope", "delay_ms": 5}), 404, "not-found")
    unknown_id = assert_problem(
        client.post("/__admin/rules", json={"api": "portal", "operationId": "getNothing", "delay_ms": 5}), 400
    )
    assert "getNothing" in unknown_id["detail"]
    template = "/profile/{nothing}"
    unknown_template = assert_problem(
        client.post("/__admin/rules", json={"api": "portal", "method": "GET", "template": template, "delay_ms": 5}),
        400,
    )
    assert template in unknown_template["detail"]
    # A template known for another method only names no operation either.
    wrong_method = {"api": "portal", "method": "DELETE", "template": "/profile", "delay_ms": 5}
    assert_problem(client.post("/__admin/rules", json=wrong_method), 400)
    assert client.get("/__admin/rules").json() == {"rules": []}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"api": "portal"}, 422),  # does nothing
        ({"delay_ms": -1}, 422),
        ({"delay_ms": 1500, "probability": 1.5}, 422),
        ({"fault": "network-down"}, 422),
        ({"delay_ms": 5, "surprise": True}, 422),
        ({"operationId": "getProfile", "delay_ms": 5}, 400),  # an operation needs its API
        ({"api": "portal", "operationId": "getProfile", "method": "GET", "template": "/profile", "delay_ms": 5}, 400),
        ({"api": "portal", "method": "GET", "delay_ms": 5}, 400),
        ({"api": "portal", "operationId": "getProfile", "respond": {"code": 418}}, 400),  # not documented
        ({"api": "instruction", "operationId": "getInstruction", "respond": {"example": "nope"}}, 400),
        ({"api": "portal", "respond": {"code": 500}, "fault": "connection-reset"}, 400),  # answers nothing
        ({"delay_ms": 60_001}, 400),  # MAX_DELAY_MS
        ({"delay_ms": {"min": 200, "max": 100}}, 400),
        ({"delay_ms": {"median": 200, "p99": 100}}, 400),
    ],
)
def test_a_rule_that_cannot_be_carried_out_is_refused(client: TestClient, body: dict[str, Any], status: int) -> None:
    assert_problem(client.post("/__admin/rules", json=body), status)
    assert client.get("/__admin/rules").json() == {"rules": []}


def test_resetting_an_api_removes_its_rules_and_resetting_everything_removes_all(client: TestClient) -> None:
    add(client, api="portal", delay_ms=0)
    add(client, api="homeq", delay_ms=0)
    add(client, delay_ms=0)
    assert client.post("/__admin/reset?api=portal").status_code == 200
    assert [(r["id"], r["api"]) for r in client.get("/__admin/rules").json()["rules"]] == [(2, "homeq"), (3, None)]
    assert client.post("/__admin/reset").status_code == 200
    assert client.get("/__admin/rules").json() == {"rules": []}
    assert add(client, delay_ms=0)["id"] == 1  # ids start again: a run after a reset draws alike


# -- which requests a rule shapes ------------------------------------------------------------------
def test_a_rule_for_an_operation_id_shapes_that_operation_only(client: TestClient) -> None:
    add(client, api="portal", operationId="getProfile", delay_ms=0)
    client.get(PROFILE, headers=ALICE)
    client.put(PROFILE, headers=ALICE, json={"firstName": "Alice"})
    client.get(f"{PORTAL}/profile/applications", headers=ALICE)
    assert journal_rules(client, 3) == [1, None, None]


def test_a_rule_for_a_method_and_template_shapes_the_paths_the_template_names(client: TestClient) -> None:
    add(client, api="portal", method="get", template="/profile/applications/{applicationId}", delay_ms=0)
    client.get(APPLICATION, headers=ALICE)
    client.get(f"{PORTAL}/profile/applications/99999", headers=ALICE)  # a 404 is still that operation's
    client.head(APPLICATION, headers=ALICE)  # HEAD is the GET's
    client.get(f"{PORTAL}/profile/applications", headers=ALICE)
    client.patch(f"{APPLICATION}/archive", headers=ALICE)
    assert journal_rules(client, 5) == [1, 1, 1, None, None]


def test_a_rule_for_one_api_leaves_the_others_alone(client: TestClient) -> None:
    add(client, api="portal", delay_ms=0)
    homeq = credentials(client, "homeq")
    client.get("/consumerportal/nothing-here")
    client.get("/api/v1/object_ad", headers=homeq)
    client.get(PROFILE, headers=ALICE)
    client.get(f"{PORTAL}/no-such-path")  # the API's, if none of its operations'
    assert journal_rules(client, 4) == [None, None, 1, 1]


def test_a_rule_without_a_matcher_shapes_every_api_but_never_the_control_plane(client: TestClient) -> None:
    rule = add(client, fault="connection-reset")  # would break any request it shaped
    assert client.get("/__admin/rules").json()["rules"] == [rule]
    assert client.post("/__admin/reset?api=portal").status_code == 200
    client.delete(f"/__admin/rules/{rule['id']}")
    add(client, delay_ms=0)
    client.get("/consumerportal/nothing-here")
    client.get(PROFILE, headers=ALICE)
    assert journal_rules(client, 2) == [2, 2]


def test_the_newest_matching_rule_shapes_a_request(client: TestClient) -> None:
    add(client, api="portal", delay_ms=0)
    add(client, api="portal", operationId="getProfile", delay_ms=0)
    add(client, api="homeq", delay_ms=0)
    client.get(PROFILE, headers=ALICE)
    client.get(f"{PORTAL}/profile/applications", headers=ALICE)
    assert journal_rules(client, 2) == [2, 1]


def test_a_rule_with_times_stops_after_that_many_hits(client: TestClient) -> None:
    add(client, api="portal", delay_ms=0, times=2)
    for _ in range(3):
        client.get(PROFILE, headers=ALICE)
    assert journal_rules(client, 3) == [1, 1, None]
    (rule,) = client.get("/__admin/rules").json()["rules"]
    assert (rule["hits"], rule["remaining"]) == (2, 0)


def hits_and_misses(seed: int, requests: int = 40) -> list[int | None]:
    with TestClient(MockServer(make_settings(seed=seed))) as client:
        add(client, api="portal", operationId="getProfile", delay_ms=0, probability=0.5)
        for _ in range(requests):
            client.get(PROFILE, headers=ALICE)
        return journal_rules(client, requests)


def test_a_rules_probability_gives_the_same_hits_and_misses_for_the_same_seed() -> None:
    first = hits_and_misses(seed=7)
    assert first == hits_and_misses(seed=7)
    assert 5 < first.count(1) < 35  # about half
    assert first != hits_and_misses(seed=8)


# -- what a rule does ------------------------------------------------------------------------------
def test_a_fixed_delay_holds_each_request_that_long(client: TestClient) -> None:
    add(client, api="portal", operationId="getProfile", delay_ms=150)
    for _ in range(2):
        status, took = timed(client, PROFILE)
        assert status == 200
        assert 0.15 <= took < 0.15 + MARGIN
    entry = client.get("/__admin/requests?limit=1").json()["requests"][0]
    assert entry["durationMs"] >= 150


def delays_of(body: dict[str, Any], count: int, seed: int = 1234) -> list[float]:
    """The delays rule 1 made of ``body`` draws for its first ``count`` requests (same seed, same draws)."""
    rules = RuleSet(seed, {})
    rule = rules.add(body)
    assert rule.id == 1
    return [rule.next_delay_ms() or 0.0 for _ in range(count)]


@pytest.mark.parametrize("delay", [{"min": 50, "max": 120}, {"median": 80, "p99": 200}], ids=["uniform", "log-normal"])
def test_a_drawn_delay_holds_each_request_as_long_as_its_draw(client: TestClient, delay: dict[str, int]) -> None:
    add(client, api="portal", delay_ms=delay)
    for expected in delays_of({"delay_ms": delay}, 4):
        status, took = timed(client, PROFILE)
        assert status == 200
        assert expected / 1000 <= took < expected / 1000 + MARGIN


def test_uniform_delays_stay_between_min_and_max() -> None:
    drawn = delays_of({"delay_ms": {"min": 50, "max": 200}}, 2000)
    assert 50 <= min(drawn) < 60
    assert 190 < max(drawn) <= 200
    assert 110 < statistics.mean(drawn) < 140


def test_log_normal_delays_have_their_median_and_99th_percentile_and_stay_under_the_cap() -> None:
    drawn = sorted(delays_of({"delay_ms": {"median": 100, "p99": 400}}, 4000))
    assert 90 < drawn[len(drawn) // 2] < 110
    assert 320 < drawn[int(len(drawn) * 0.99)] < 500
    capped = RuleSet(1, {}, max_delay_ms=1000).add({"delay_ms": {"median": 500, "p99": 1000}})
    assert max(capped.next_delay_ms() or 0.0 for _ in range(2000)) == 1000


def test_a_respond_rule_forces_the_documented_answer_as_prefer_does(client: TestClient) -> None:
    add(client, api="portal", operationId="getProfile", respond={"code": 401}, times=1)
    forced = client.get(PROFILE, headers=ALICE)
    assert forced.status_code == 401
    assert forced.headers["preference-applied"] == "code=401"
    assert client.get(PROFILE, headers=ALICE).status_code == 200
    # Credentials are still checked first, as for the header.
    add(client, api="portal", operationId="getProfile", respond={"code": 400})
    assert client.get(PROFILE).status_code == 401


def test_a_respond_rule_forces_a_named_example(client: TestClient) -> None:
    add(client, api="instruction", operationId="getInstruction", respond={"example": "documented"})
    forced = client.get("/instruction/TMP-ANY", headers=credentials(client, "instruction"))
    assert forced.status_code == 200, forced.text
    spec = APIS["instruction"].spec
    media = spec["paths"]["/{tmpReference}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert forced.json() == deref(spec, media["examples"]["documented"])["value"]


def test_a_delay_rule_keeps_plain_requests_on_the_fast_path() -> None:
    server = MockServer(make_settings())
    front = server.fast_path
    assert isinstance(front, FastPath)
    handed_over: list[str] = []
    fallback = front.fallback

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            handed_over.append(scope["path"])
        await fallback(scope, receive, send)

    front.fallback = counting
    with TestClient(server) as client:
        assert client.get(PROFILE, headers=ALICE).status_code == 200
        rule = add(client, api="portal", delay_ms=0)
        assert client.get(PROFILE, headers=ALICE).status_code == 200
        client.delete(f"/__admin/rules/{rule['id']}")
        assert client.get(PROFILE, headers=ALICE).status_code == 200
    assert [p for p in handed_over if not p.startswith("/__admin")] == []


def test_a_network_fault_is_a_server_error_where_the_server_gives_no_connection() -> None:
    with TestClient(MockServer(make_settings()), raise_server_exceptions=False) as client:
        add(client, api="portal", fault="empty-response")
        assert_problem(client.get(PROFILE, headers=ALICE), 500, "internal-error")


# -- network faults, seen by real clients ----------------------------------------------------------
@pytest.fixture(scope="module")
def live_origin() -> Iterator[str]:
    with serve(MockServer(make_settings())) as origin:
        yield origin


@pytest.fixture
def live(live_origin: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_origin, timeout=10.0) as control:
        assert control.post("/__admin/reset").status_code == 200
        yield control


def connect(origin: str) -> socket.socket:
    address = urlsplit(origin)
    return socket.create_connection((address.hostname or "", address.port or 80), timeout=5.0)


def get_profile(sock: socket.socket) -> None:
    sock.sendall(
        f"GET {PROFILE} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {ALICE['Authorization']}\r\n\r\n".encode()
    )


def read_to_end(sock: socket.socket) -> list[tuple[float, bytes]]:
    """Every read until the server closes (bounded by the socket's timeout), with its time."""
    reads: list[tuple[float, bytes]] = []
    while True:
        data = sock.recv(65536)
        if not data:
            return reads
        reads.append((time.monotonic(), data))


def head_and_body(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in lines)}
    return int(status_line.split()[1]), headers, body


def test_a_connection_reset_fault_resets_the_connection_without_an_answer(live: httpx.Client) -> None:
    add(live, api="portal", operationId="getProfile", fault="connection-reset")
    with connect(str(live.base_url)) as sock:
        get_profile(sock)
        with pytest.raises(ConnectionResetError):
            read_to_end(sock)
    with pytest.raises(httpx.ReadError):
        httpx.get(f"{live.base_url}{PROFILE}", headers=ALICE, timeout=5.0)
    assert journal_rules(live, 2) == [1, 1]
    # Nothing was answered, and the journal says so rather than inventing a status.
    assert [e["status"] for e in live.get("/__admin/requests?limit=2").json()["requests"]] == [None, None]
    assert live.get("/__admin/health").status_code == 200


def test_an_empty_response_fault_closes_the_connection_without_a_byte(live: httpx.Client) -> None:
    add(live, api="portal", operationId="getProfile", fault="empty-response")
    with connect(str(live.base_url)) as sock:
        get_profile(sock)
        assert read_to_end(sock) == []
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        httpx.get(f"{live.base_url}{PROFILE}", headers=ALICE, timeout=5.0)


def test_a_malformed_body_fault_sends_less_body_than_its_content_length_then_closes(live: httpx.Client) -> None:
    full = httpx.get(f"{live.base_url}{PROFILE}", headers=ALICE, timeout=5.0).content
    add(live, api="portal", operationId="getProfile", fault={"type": "malformed-body"})
    with connect(str(live.base_url)) as sock:
        get_profile(sock)
        status, headers, body = head_and_body(b"".join(data for _, data in read_to_end(sock)))
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(full)
    assert 0 < len(body) < len(full)
    assert full.startswith(body)
    with pytest.raises(httpx.RemoteProtocolError, match=r"complete message body"):
        httpx.get(f"{live.base_url}{PROFILE}", headers=ALICE, timeout=5.0)


def test_a_slow_body_fault_drips_the_whole_answer_at_its_rate(live: httpx.Client) -> None:
    full = httpx.get(f"{live.base_url}{PROFILE}", headers=ALICE, timeout=5.0).content
    rate = 2000
    add(live, api="portal", operationId="getProfile", fault={"type": "slow-body", "bytes_per_second": rate})
    with connect(str(live.base_url)) as sock:
        get_profile(sock)
        started = time.monotonic()
        received = b""
        reads: list[tuple[float, int]] = []
        while b"\r\n\r\n" not in received or len(received.partition(b"\r\n\r\n")[2]) < len(full):
            data = sock.recv(65536)
            assert data, "closed before the whole body"
            received += data
            reads.append((time.monotonic(), len(received)))
    status, _, body = head_and_body(received)
    assert (status, body) == (200, full)
    due = len(full) / rate
    took = reads[-1][0] - started
    assert due * 0.8 <= took < due + MARGIN
    assert len(reads) >= 4  # in pieces, not at once after a wait
    answer = httpx.get(f"{live.base_url}{PROFILE}", headers=ALICE, timeout=10.0)
    assert answer.content == full
    assert journal_rules(live, 1) == [1]
