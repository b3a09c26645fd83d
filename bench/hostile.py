"""What hostile clients cost the running server: ``python bench/hostile.py``.

Starts ``python -m mockserver run`` on 127.0.0.1 and, one after the other:

1. streams a 200 MB header value while another client asks ``/__admin/health`` in a loop (the
   answer the big header gets, when, the other client's worst latency, the server's RSS);
2. opens 2,000 connections that each send a request line and then a byte a second (slowloris),
   and times until the server has closed them all, asking ``/__admin/health`` meanwhile;
3. sends SIGTERM while a request body is still arriving and times the exit.

Every loop is bounded in count and time; the server is killed at the end whatever happens.
Settings come from the environment as for ``mockserver run`` (``MAX_HEADER_BYTES``,
``HEADER_TIMEOUT``, ``SHUTDOWN_TIMEOUT``, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import rss_kib  # noqa: E402
from tests.live import free_port  # noqa: E402

MB = 1_000_000


@contextlib.contextmanager
def mock(port: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "run", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/__admin/health", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("bench: the mock did not start") from None
                time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def big_header(port: int, megabytes: int) -> None:
    outcome: dict[str, object] = {}

    def send() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(b"GET /__admin/health HTTP/1.1\r\nHost: bench\r\nX-Big: ")
            started, sent, chunk = time.monotonic(), 0, b"a" * MB
            try:
                while sent < megabytes * MB:
                    sock.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                pass  # the server closed its side: what it answered is still to be read
            outcome["sent"] = sent // MB
            try:
                outcome["answer"] = sock.recv(64).split(b"\r\n", 1)[0].decode() or "connection closed"
            except OSError as error:
                outcome["answer"] = f"connection closed ({type(error).__name__})"
            outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=send)
    worker.start()
    latencies = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        deadline = time.monotonic() + 60
        while worker.is_alive() and time.monotonic() < deadline:
            started = time.monotonic()
            client.get("/__admin/health")
            latencies.append(time.monotonic() - started)
    worker.join(30)
    worst = max(latencies) * 1000 if latencies else 0.0
    print(
        f"{megabytes} MB header: {outcome.get('answer')} after {outcome.get('sent')} MB sent in "
        f"{outcome.get('seconds', 0):.2f} s; another client's worst latency meanwhile {worst:.0f} ms "
        f"({len(latencies)} requests)"
    )


def slowloris(port: int, connections: int, limit: float) -> None:
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(connections)]
    selector = selectors.DefaultSelector()
    try:
        for sock in sockets:
            sock.sendall(b"GET /__admin/health HTTP/1.1\r\n")
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        started = time.monotonic()
        answer = httpx.get(f"http://127.0.0.1:{port}/__admin/health", timeout=30)
        other_ms = (time.monotonic() - started) * 1000
        still_open, trickled = set(sockets), 0.0
        while still_open and time.monotonic() - started < limit:
            if time.monotonic() - trickled >= 1:
                trickled = time.monotonic()
                for sock in still_open:
                    with contextlib.suppress(OSError):
                        sock.send(b"X")
            for key, _ in selector.select(timeout=0.2):
                try:
                    closed = key.fileobj.recv(64) == b""  # type: ignore[union-attr]
                except OSError:
                    closed = True
                if closed:
                    still_open.discard(key.fileobj)  # type: ignore[arg-type]
                    selector.unregister(key.fileobj)
        print(
            f"slowloris, {connections} connections sending a byte a second: {connections - len(still_open)} "
            f"closed by the server after {time.monotonic() - started:.2f} s, {len(still_open)} still open; "
            f"another client meanwhile {answer.status_code} in {other_ms:.0f} ms"
        )
    finally:
        selector.close()
        for sock in sockets:
            sock.close()


def shutdown_with_a_slow_body(port: int, process: subprocess.Popen[bytes]) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"PUT /api/rest/portal/profile HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer demo-alice-token\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        time.sleep(0.3)  # the request is in flight: its body's first byte has been read
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        print(f"SIGTERM with a request body still arriving: the server exited after {time.monotonic() - started:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=int, default=200, help="size of the big header (default 200)")
    parser.add_argument("--connections", type=int, default=2000, help="slowloris connections (default 2000)")
    parser.add_argument("--limit", type=float, default=30.0, help="seconds to wait for slowloris closes (default 30)")
    args = parser.parse_args()
    port = free_port()
    with mock(port) as process:
        print(f"RSS at start: {rss_kib(process.pid) // 1024} MiB")
        big_header(port, args.megabytes)
        print(f"RSS after the big header: {rss_kib(process.pid) // 1024} MiB")
        slowloris(port, args.connections, args.limit)
        shutdown_with_a_slow_body(port, process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
