"""Real servers on 127.0.0.1 for tests that need a socket (the contract command, the proxy, the HTTP
protocol's limits), run with the uvicorn options ``mockserver run`` uses."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn

from mockserver.cli import _uvicorn_options
from mockserver.settings import Settings

#: How long a test server may take to start before the test fails (bounded wait).
STARTUP_SECONDS = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def serve(app: Any, ready_path: str = "/__admin/health", settings: Settings | None = None) -> Iterator[str]:
    """Serves ``app`` with uvicorn in a thread on a free loopback port; yields its origin. The
    protocol's limits and the shutdown's wait come from ``settings``, else the app's own, else the
    defaults."""
    settings = settings or getattr(app, "settings", None) or Settings()
    port = free_port()
    options = _uvicorn_options(settings) | {"host": "127.0.0.1", "port": port, "log_level": "warning"}
    options["access_log"] = False
    server = uvicorn.Server(uvicorn.Config(app, lifespan="auto", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            try:
                httpx.get(origin + ready_path, timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or not thread.is_alive():
                    raise RuntimeError(f"test server on {origin} did not start") from None
                time.sleep(0.05)
        yield origin
    finally:
        server.should_exit = True
        thread.join(timeout=10)
