"""Webhooks are safe and bounded: only loopback targets (or the allowed hosts), never the mock's own
control plane, a capped number of registrations, and a fixed pool of workers fed by a bounded queue
that drops the oldest waiting delivery when it is full."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis.homeq.state import HomeQState
from mockserver.engine import webhook_targets
from mockserver.engine.clock import Clock
from mockserver.engine.hosts import ip_address
from mockserver.engine.problems import BadRequest, Conflict
from mockserver.engine.webhooks import Webhooks
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.conftest import assert_problem, make_settings

WAIT = 10.0  # seconds: every wait below is for a condition, bounded by this
PORT = 8765  # the port the mock under test says it serves on (the TestClient opens no socket)


def wait_until(condition: Callable[[], bool], seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


class Receiver:
    """A loopback HTTP server (one thread, one request at a time) answering every POST with
    ``answer()``: a status and headers."""

    def __init__(self, answer: Callable[[], tuple[int, dict[str, str]]] = lambda: (200, {})) -> None:
        self.calls = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls += 1
                status, headers = answer()
                self.send_response(status)
                for name, value in {"Content-Length": "0", **headers}.items():
                    self.send_header(name, value)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def homeq(**settings: Any) -> Iterator[TestClient]:
    server = MockServer(make_settings(apis=("homeq",), port=PORT, **settings))
    with TestClient(server, raise_server_exceptions=True) as client:
        yield client
    hooks(client).close()


def hooks(client: TestClient) -> Webhooks:
    state = client.app.runtime.apis["homeq"].state  # type: ignore[attr-defined]
    assert isinstance(state, HomeQState)
    return state.webhooks


@pytest.fixture(scope="module")
def plain() -> Iterator[TestClient]:
    yield from homeq(webhook_retry_seconds=0.05, webhook_max_attempts=3, webhook_max_registrations=3)


@pytest.fixture(scope="module")
def listed() -> Iterator[TestClient]:
    yield from homeq(webhook_allowed_hosts=("Hooks.Example.test", "10.1.2.3"))


@pytest.fixture(scope="module")
def anything() -> Iterator[TestClient]:
    yield from homeq(webhook_allowed_hosts=("*",))


@pytest.fixture(autouse=True)
def _reset(request: pytest.FixtureRequest) -> None:
    for name in ("plain", "listed", "anything"):
        if name in request.fixturenames:
            request.getfixturevalue(name).post("/__admin/reset", params={"api": "homeq"})


def register(client: TestClient, url: str) -> Any:
    return client.post("/__admin/webhooks", json={"api": "homeq", "url": url})


def engine(post: Callable[[str, dict[str, Any], float], int] | None = None, **settings: Any) -> Webhooks:
    return Webhooks(Settings(port=PORT).replace(**settings), Clock(), ("ping",), post=post)


# -- targets --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1:6379/",
        "http://example.com/hook",
        "http://0.0.0.0:9/hook",
        "http://[::]:9/hook",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_only_loopback_targets_are_allowed_by_default(plain: TestClient, url: str) -> None:
    body = assert_problem(register(plain, url), 400, "bad-request")
    assert "WEBHOOK_ALLOWED_HOSTS" in body["detail"]
    assert plain.get("/__admin/webhooks").json()["webhooks"] == []


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://2130706433:9/", "non-standard form"),
        ("http://0x7f.1:9/", "non-standard form"),
        ("http://127.1:9/", "non-standard form"),
        ("http://0177.0.0.1:9/", "not a valid URL"),  # httpx itself refuses it
        ("http://127.0.0.%31:9/", "percent-encoded"),
        ("http://user:pass@127.0.0.1:9/", "credentials"),
        ("http://user@localhost:9/", "credentials"),
        ("http://@127.0.0.1:9/", "credentials"),
        ("http://127.0.0.1\\@example.com/", "credentials"),
        ("http:///hook", "no host"),
    ],
)
def test_disguised_hosts_and_credentials_are_refused(plain: TestClient, url: str, why: str) -> None:
    assert why in assert_problem(register(plain, url), 400, "bad-request")["detail"]


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "file:///etc/passwd", "gopher://127.0.0.1:6379/_PING"])
def test_schemes_other_than_http_are_refused(plain: TestClient, url: str) -> None:
    assert_problem(register(plain, url), 422)  # the control plane's schema asks for ^https?://
    with pytest.raises(BadRequest, match="http or https"):
        engine().register(url)
    assert engine().register("HTTP://LOCALHOST:9/hook")["url"] == "HTTP://LOCALHOST:9/hook"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://127.8.9.10:9/hook",
        "http://[::1]:9/hook",
        "http://[::ffff:127.0.0.1]:9/hook",
        "http://localhost:9/hook",
        "http://LOCALHOST.:9/hook",
        "https://localhost/hook",
    ],
)
def test_loopback_targets_in_any_spelling_are_allowed(plain: TestClient, url: str) -> None:
    assert register(plain, url).status_code == 201


def test_allowed_hosts_add_exact_names_and_addresses(listed: TestClient) -> None:
    for url in (
        "http://hooks.example.test/h",
        "https://HOOKS.EXAMPLE.TEST./h",
        "http://10.1.2.3/",
        "http://[::ffff:10.1.2.3]/",
    ):
        assert register(listed, url).status_code == 201, url
    for url in (
        "http://other.example.test/",
        "http://sub.hooks.example.test/",
        "http://10.1.2.4/",
        "http://example.test/",
    ):
        assert "WEBHOOK_ALLOWED_HOSTS" in assert_problem(register(listed, url), 400)["detail"], url


def test_a_star_allows_any_host(anything: TestClient) -> None:
    for url in ("http://example.com/hook", "http://10.0.0.1:6379/", "http://0.0.0.0:9/hook"):
        assert register(anything, url).status_code == 201, url


# -- never the mock's own control plane -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"http://127.0.0.1:{PORT}/__admin/reset",
        f"http://127.0.0.1:{PORT}/__admin",
        f"http://localhost:{PORT}/__admin/reset",
        f"http://LOCALHOST.:{PORT}/__ADMIN/reset",
        f"http://0.0.0.0:{PORT}/__admin/reset",
        f"http://[::1]:{PORT}/__admin/reset",
        f"http://[::]:{PORT}/__admin/reset",
        f"http://[::ffff:127.0.0.1]:{PORT}/__admin/reset",
        f"http://127.0.0.2:{PORT}/__admin/reset",
        f"http://127.0.0.1:{PORT}//__admin//reset",
        f"http://127.0.0.1:{PORT}/api/../__admin/reset",
        f"http://127.0.0.1:{PORT}/./__admin/reset",
        f"http://127.0.0.1:{PORT}/%5f%5fadmin/reset",
        f"http://127.0.0.1:{PORT}/%255F%255Fadmin/reset",
        f"http://127.0.0.1:{PORT}/api/%2e%2e/__admin/reset",
        f"http://127.0.0.1:{PORT}/__admin;x/reset",
        f"http://127.0.0.1:{PORT}/__admin/reset?api=homeq",
        f"http://foo.localhost:{PORT}/__admin/reset",
    ],
)
def test_the_own_control_plane_is_never_a_target_even_with_a_star(anything: TestClient, url: str) -> None:
    body = assert_problem(register(anything, url), 400, "bad-request")
    assert "own control plane" in body["detail"]
    assert "WEBHOOK_ALLOWED_HOSTS" in body["detail"]


def test_a_name_resolving_to_this_machine_is_the_own_control_plane(
    anything: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_targets, "_resolve", lambda host, port: [ip_address("127.0.0.1")])
    assert_problem(register(anything, f"http://mock.example.test:{PORT}/__admin/reset"), 400)
    assert register(anything, f"http://mock.example.test:{PORT}/hook").status_code == 201


def test_the_own_port_at_another_path_and_admin_paths_on_other_ports_are_targets(anything: TestClient) -> None:
    for url in (
        f"http://127.0.0.1:{PORT}/api/v1/hook",
        f"http://127.0.0.1:{PORT}/__administrator",
        "http://127.0.0.1:9/__admin",
    ):
        assert register(anything, url).status_code == 201, url


def test_the_default_port_is_the_own_port_when_the_mock_serves_on_it() -> None:
    with pytest.raises(BadRequest, match="own control plane"):
        engine(port=80).register("http://localhost/__admin/reset")
    with pytest.raises(BadRequest, match="own control plane"):
        engine(port=443).register("https://127.0.0.1/__admin/reset")


def test_a_target_that_turns_into_the_own_control_plane_is_refused_at_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []

    def post(url: str, body: dict[str, Any], timeout: float) -> int:
        sent.append(url)
        return 200

    webhooks = engine(post, webhook_allowed_hosts=("*",))
    monkeypatch.setattr(webhook_targets, "_resolve", lambda host, port: [])  # does not resolve yet
    webhooks.register(f"http://rebound.example.test:{PORT}/__admin/reset")
    monkeypatch.setattr(webhook_targets, "_resolve", lambda host, port: [ip_address("127.0.0.1")])
    webhooks.emit("ping", {"n": 1})
    wait_until(lambda: webhooks.pending() == 0)
    (delivery,) = webhooks.deliveries()
    assert delivery["status"] == "failed"
    assert "own control plane" in delivery["reason"]
    assert delivery["attempts"][0]["error"].startswith("Refused, not sent")
    assert sent == []
    webhooks.close()


def test_redirects_are_not_followed(plain: TestClient, receiver: Receiver) -> None:
    redirecting = Receiver(lambda: (307, {"Location": receiver.url}))
    try:
        assert register(plain, redirecting.url).status_code == 201
        plain.post("/__admin/webhooks/trigger", json={"api": "homeq", "event": "reservation"})
        wait_until(lambda: plain.get("/__admin/webhooks").json()["deliveries"][0]["status"] == "failed")
        (delivery,) = plain.get("/__admin/webhooks").json()["deliveries"]
        assert [a["status"] for a in delivery["attempts"]] == [307, 307, 307]
        assert receiver.calls == 0
    finally:
        redirecting.close()


# -- bounds ---------------------------------------------------------------------------------------


def test_one_registration_beyond_the_cap_is_a_409(plain: TestClient) -> None:
    created = [register(plain, f"http://127.0.0.1:9/hook{n}").json() for n in range(3)]
    body = assert_problem(register(plain, "http://127.0.0.1:9/one-more"), 409, "conflict")
    assert "WEBHOOK_MAX_REGISTRATIONS=3" in body["detail"]
    assert plain.delete(f"/__admin/webhooks/homeq/{created[0]['id']}").status_code == 204
    assert register(plain, "http://127.0.0.1:9/one-more").status_code == 201
    with pytest.raises(Conflict):
        hooks(plain).register("http://127.0.0.1:9/another")


class Gate:
    """A ``post`` that records each call and answers ``status`` once released."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls: list[int] = []
        self.open = threading.Event()

    def __call__(self, url: str, body: dict[str, Any], timeout: float) -> int:
        self.calls.append(body["n"])
        assert self.open.wait(WAIT)
        return self.status


def test_a_full_queue_drops_the_oldest_waiting_delivery_and_records_it() -> None:
    gate = Gate()
    webhooks = engine(gate, webhook_workers=1, webhook_queue_size=3)
    webhooks.register("http://127.0.0.1:9/hook")
    webhooks.emit("ping", {"n": 1})
    wait_until(lambda: gate.calls == [1])  # the one worker holds delivery 1
    for n in range(2, 7):
        webhooks.emit("ping", {"n": n})
    statuses = {d["body"]["n"]: d["status"] for d in webhooks.deliveries()}
    assert statuses == {1: "pending", 2: "dropped", 3: "dropped", 4: "pending", 5: "pending", 6: "pending"}
    dropped = next(d for d in webhooks.deliveries() if d["body"]["n"] == 2)
    assert "WEBHOOK_QUEUE_SIZE" in dropped["reason"]
    assert dropped["attempts"] == []
    gate.open.set()
    wait_until(lambda: webhooks.pending() == 0)
    assert gate.calls == [1, 4, 5, 6]
    assert {d["body"]["n"]: d["status"] for d in webhooks.deliveries()} == {
        **statuses,
        1: "delivered",
        4: "delivered",
        5: "delivered",
        6: "delivered",
    }
    webhooks.close()


def test_a_thousand_registrations_are_delivered_by_a_bounded_pool(receiver: Receiver) -> None:
    webhooks = engine(webhook_max_registrations=1000, webhook_history=2000, webhook_workers=4)
    before = threading.active_count()
    for _ in range(1000):
        webhooks.register(receiver.url)
    most = before
    ids = webhooks.emit("ping", {"n": 1}) + webhooks.emit("ping", {"n": 2})
    deadline = time.monotonic() + 60
    while webhooks.pending() and time.monotonic() < deadline:
        most = max(most, threading.active_count())
        time.sleep(0.005)
    assert webhooks.pending() == 0
    assert most <= before + 4
    outcome = [d["status"] for d in webhooks.deliveries()]
    assert len(ids) == len(outcome) == 2000
    assert set(outcome) <= {"delivered", "dropped"}
    assert outcome.count("delivered") == receiver.calls >= 1000
    webhooks.close()
    wait_until(lambda: webhooks.pool.threads() == 0)


def test_a_retry_waits_without_holding_a_worker() -> None:
    sent: list[str] = []

    def post(url: str, body: dict[str, Any], timeout: float) -> int:
        sent.append(url)
        return 500 if url.endswith("/failing") else 200

    webhooks = engine(post, webhook_workers=1, webhook_retry_seconds=1.5, webhook_max_attempts=2)
    webhooks.register("http://127.0.0.1:9/failing")
    webhooks.register("http://127.0.0.1:9/working")
    webhooks.emit("ping", {"n": 1})
    # The one worker delivers to the second receiver while the first one's retry is not due yet.
    wait_until(lambda: {d["url"][-7:]: d["status"] for d in webhooks.deliveries()}.get("working") == "delivered")
    failing = next(d for d in webhooks.deliveries() if d["url"].endswith("/failing"))
    assert (failing["status"], len(failing["attempts"])) == ("retrying", 1)
    wait_until(lambda: webhooks.pending() == 0)
    failing = next(d for d in webhooks.deliveries() if d["url"].endswith("/failing"))
    assert (failing["status"], [a["status"] for a in failing["attempts"]]) == ("failed", [500, 500])
    assert sent == ["http://127.0.0.1:9/failing", "http://127.0.0.1:9/working", "http://127.0.0.1:9/failing"]
    webhooks.close()


def test_clearing_stops_waiting_deliveries_and_the_retry_of_the_one_in_flight() -> None:
    gate = Gate(status=500)
    webhooks = engine(gate, webhook_workers=1, webhook_retry_seconds=0.01, webhook_max_attempts=50)
    for n in range(3):
        webhooks.register(f"http://127.0.0.1:9/hook{n}")
    webhooks.emit("ping", {"n": 1})
    wait_until(lambda: len(gate.calls) == 1)
    webhooks.clear()
    gate.open.set()
    wait_until(lambda: webhooks.pending() == 0)
    assert gate.calls == [1]
    assert webhooks.deliveries() == []
    webhooks.close()


def test_resetting_the_api_stops_its_deliveries(plain: TestClient) -> None:
    release = threading.Event()

    def held_then_failing() -> tuple[int, dict[str, str]]:
        release.wait(WAIT)
        return 500, {}

    failing = Receiver(held_then_failing)
    try:
        register(plain, failing.url)
        plain.post("/__admin/webhooks/trigger", json={"api": "homeq", "event": "reservation"})
        wait_until(lambda: failing.calls == 1)  # the first attempt is in flight
        assert plain.post("/__admin/reset", params={"api": "homeq"}).status_code == 200
        release.set()
        wait_until(lambda: hooks(plain).pending() == 0)  # nothing waits: no retry was scheduled
        assert failing.calls == 1
        assert plain.get("/__admin/webhooks").json()["deliveries"] == []
    finally:
        release.set()
        failing.close()
