"""Hostile clients against a real server (raw sockets on 127.0.0.1, the options `mockserver run`
uses): heads too large or too many, heads sent too slowly, a shutdown with a body still arriving,
and redirects that would echo the client's ``Host``."""

from __future__ import annotations

import contextlib
import selectors
import socket
import time
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.conftest import ALICE, PORTAL, make_settings
from tests.live import serve

HEADER_TIMEOUT = 0.5
SHUTDOWN_TIMEOUT = 0.5
#: How long past a deadline the server may take to act on it (a loaded machine, two cores shared).
MARGIN = 1.5
PROFILE = f"{PORTAL}/profile"
LIMITS = Settings()


class Response(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with serve(MockServer(make_settings(header_timeout=HEADER_TIMEOUT))) as served:
        yield served


def connect(origin: str) -> socket.socket:
    address = urlsplit(origin)
    sock = socket.create_connection((address.hostname or "", address.port or 80), timeout=5.0)
    return sock


def read_response(sock: socket.socket) -> Response:
    """One response, read up to its ``Content-Length`` (bounded by the socket's timeout)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a whole response head: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in lines)}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside a response body"
        body += chunk
    return Response(int(status_line.split()[1]), headers, body)


def closes(sock: socket.socket, within: float, trickle: bool = False) -> float | None:
    """When (``time.monotonic()``) the server closes ``sock``, waiting at most ``within`` seconds
    (``None`` if it stays open), sending one more byte of a header every 0.1 s when ``trickle``."""
    deadline = time.monotonic() + within
    sock.settimeout(0.1)
    while time.monotonic() < deadline:
        try:
            if trickle:
                sock.send(b"a")
            if sock.recv(4096) == b"":
                return time.monotonic()
        except TimeoutError:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic()
    return None


def head(path: str = PROFILE, fields: list[tuple[str, str]] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: localhost", *(f"{n}: {v}" for n, v in fields or [])]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def is_header_problem(response: Response) -> bool:
    problem = orjson.loads(response.body)
    return (
        response.status == 431
        and response.headers["content-type"] == "application/problem+json"
        and response.headers["connection"] == "close"
        and int(response.headers["content-length"]) == len(response.body)
        and problem["type"] == "/__admin/problems#request-header-fields-too-large"
        and problem["status"] == 431
    )


def served_normally(origin: str) -> bool:
    return httpx.get(origin + PROFILE, headers=ALICE, timeout=5.0).status_code == 200


def padded_to(size: int, count: int = 3) -> bytes:
    """A valid profile request whose request line and headers are exactly ``size`` bytes, in
    ``count`` header fields (Host and Authorization among them)."""
    fields = [("Authorization", ALICE["Authorization"])] + [(f"X-Pad-{i}", "p") for i in range(count - 3)]
    fields.append(("X-Pad", ""))
    fields[-1] = ("X-Pad", "p" * (size - len(head(fields=fields))))
    data = head(fields=fields)
    assert len(data) == size
    assert data.count(b"\r\n") - 2 == count
    return data


def test_a_head_over_the_byte_limit_is_a_431_problem_and_the_connection_closes(origin: str) -> None:
    with connect(origin) as sock:
        sock.sendall(padded_to(LIMITS.max_header_bytes + 1))
        response = read_response(sock)
        assert is_header_problem(response), response
        assert orjson.loads(response.body)["instance"] == PROFILE
        assert closes(sock, within=MARGIN) is not None
    assert served_normally(origin)


def test_an_endless_header_is_refused_as_it_streams_in_not_when_it_ends(origin: str) -> None:
    """The header never ends: a server that buffered it until its end would say nothing before the
    head deadline, then close."""
    with connect(origin) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ")
        for _ in range(8):
            sock.sendall(b"b" * (LIMITS.max_header_bytes // 4))
        response = read_response(sock)
        assert is_header_problem(response), response
        assert closes(sock, within=MARGIN) is not None
    assert served_normally(origin)


def test_a_head_over_the_limit_pipelined_behind_a_request_in_one_write_is_refused(origin: str) -> None:
    """Its bytes came in the read that ended the request before it, uncounted until its head ended;
    the connection is closed (a 431 then would come before the first request's answer)."""
    with connect(origin) as sock:
        sock.sendall(head(fields=[("Authorization", ALICE["Authorization"])]) + padded_to(LIMITS.max_header_bytes + 1))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        assert data.count(b"HTTP/1.1 ") <= 1, data  # the second request was not served


def test_more_header_fields_than_the_limit_is_a_431_problem(origin: str) -> None:
    with connect(origin) as sock:
        sock.sendall(padded_to(2000, count=LIMITS.max_header_count + 1))
        response = read_response(sock)
        assert is_header_problem(response), response
        assert "header fields" in orjson.loads(response.body)["detail"]


def test_heads_at_the_limits_are_served_each_request_counted_alone(origin: str) -> None:
    with connect(origin) as sock:
        for data in (padded_to(LIMITS.max_header_bytes), padded_to(40_000, count=LIMITS.max_header_count)) * 2:
            sock.sendall(data)
            response = read_response(sock)
            assert response.status == 200, response
            assert orjson.loads(response.body)["email"] == "alice@example.com"


def test_a_head_sent_slowly_is_closed_at_the_deadline_while_others_are_served(origin: str) -> None:
    with connect(origin) as sock:
        connected = time.monotonic()
        sock.sendall(b"GET " + PROFILE.encode() + b" HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        assert served_normally(origin)
        closed = closes(sock, within=HEADER_TIMEOUT + MARGIN, trickle=True)
        assert closed is not None
        assert closed - connected >= HEADER_TIMEOUT - 0.05


def test_on_keep_alive_the_next_head_has_the_deadline_from_the_last_response(origin: str) -> None:
    with connect(origin) as sock:
        sock.sendall(head(fields=[("Authorization", ALICE["Authorization"])]))
        assert read_response(sock).status == 200
        sock.sendall(b"GET " + PROFILE.encode() + b" HTTP/1.1\r\nX-Slow: ")
        assert closes(sock, within=HEADER_TIMEOUT + MARGIN, trickle=True) is not None


def test_many_slow_connections_are_all_closed(origin: str) -> None:
    socks = [connect(origin) for _ in range(200)]
    selector = selectors.DefaultSelector()
    try:
        for sock in socks:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        open_ = set(socks)
        deadline = time.monotonic() + HEADER_TIMEOUT + 2 * MARGIN
        while open_ and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.1):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    closed = sock.recv(4096) == b""
                except ConnectionResetError:
                    closed = True
                if closed:
                    selector.unregister(sock)
                    open_.discard(sock)
        assert not open_, f"{len(open_)} of {len(socks)} slow connections still open"
        assert served_normally(origin)
    finally:
        selector.close()
        for sock in socks:
            sock.close()


def test_a_shutdown_waits_at_most_shutdown_timeout_for_a_body_still_arriving() -> None:
    """It waits (the request is in flight: no shutdown takes as long without one), then closes."""
    settings = make_settings(apis=("portal",), shutdown_timeout=SHUTDOWN_TIMEOUT)
    with contextlib.ExitStack() as stack:
        with serve(MockServer(settings)) as served:
            sock = stack.enter_context(connect(served))
            sock.sendall(
                f"PUT {PROFILE} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {ALICE['Authorization']}\r\n"
                "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{".encode()
            )
            started = time.monotonic()
        took = time.monotonic() - started
        assert SHUTDOWN_TIMEOUT - 0.1 <= took <= SHUTDOWN_TIMEOUT + MARGIN
        assert closes(sock, within=MARGIN) is not None


@pytest.mark.parametrize(
    "path",
    [
        "/instruction/TMP110009/file/TMP110009-report.pdf/",
        "/instruction/TMP110009/",
        "/instruction/TMP110009/introducerreferences/",
        "/api/rest/portal/profile/",
        "/api/v2/tokens",
        "/__admin/openapi.json/",
        "/instruction/ui",
    ],
)
def test_no_answer_echoes_the_host_header(origin: str, path: str) -> None:
    """Paths the specs do not write are 404; the one redirect left (Swagger UI's) is relative."""
    response = httpx.get(f"{origin}{path}?a=1", headers={"Host": "evil.example"}, timeout=5.0)
    assert "evil" not in response.headers.get("location", "")
    assert b"evil" not in response.content
    if path.endswith("/ui"):
        assert (response.status_code, response.headers["location"]) == (307, path + "/")
    else:
        assert response.status_code == 404
