"""A shutdown of `mockserver run` (SIGTERM, Ctrl-C) answers the requests in flight, within
``SHUTDOWN_TIMEOUT``, then exits 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

PROFILE = "/api/rest/portal/profile"
ALICE = "Bearer demo-alice-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    shutdown_timeout = getattr(request, "param", 5.0)
    port = free_port()
    env = {**os.environ, "PORT": str(port), "SHUTDOWN_TIMEOUT": str(shutdown_timeout), "CACHE_DIR": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "run", "--api", "portal"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    origin = f"http://127.0.0.1:{port}"
    with process:
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{origin}/__admin/health", timeout=1)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
                    assert time.monotonic() < deadline, "server did not start within 30 s"
                    time.sleep(0.05)
            yield process, origin
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def in_flight(origin: str, delay_ms: int) -> socket.socket:
    """A connection whose request the server has read and is answering in ``delay_ms``."""
    host, port = origin.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(
        f"GET {PROFILE} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {ALICE}\r\n"
        f"Prefer: delay={delay_ms}\r\nConnection: close\r\n\r\n".encode()
    )
    # One event loop reads both connections in turn: once a later request is answered, the
    # server has read this one too.
    assert httpx.get(f"{origin}/__admin/health", timeout=5).status_code == 200
    return sock


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_request_in_flight_is_answered_before_the_process_exits(
    server: tuple[subprocess.Popen[bytes], str], sig: signal.Signals
) -> None:
    process, origin = server
    with in_flight(origin, 1500) as sock:
        signalled = time.monotonic()
        process.send_signal(sig)
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert b"alice@example.com" in answer
    assert b"preference-applied: delay=1500" in answer.lower()
    assert process.wait(timeout=10) == 0
    assert time.monotonic() - signalled < 5.0


@pytest.mark.parametrize("server", [1.0], indirect=True)
def test_a_request_longer_than_shutdown_timeout_is_closed_at_the_deadline(
    server: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, origin = server
    with in_flight(origin, 20_000) as sock:
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        took = time.monotonic() - signalled
        try:
            answer = read_all(sock)
        except ConnectionResetError:
            answer = b""
    assert 0.9 <= took < 3.0, took
    assert not answer.startswith(b"HTTP/1.1 200"), answer[:200]
