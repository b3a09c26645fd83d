"""Real servers on 127.0.0.1 for tests that need a socket (the contract command, the proxy)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn

#: How long a test server may take to start before the test fails (bounded wait).
STARTUP_SECONDS = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def serve(app: Any, ready_path: str = "/__admin/health") -> Iterator[str]:
    """Serves ``app`` with uvicorn in a thread on a free loopback port; yields its origin."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="auto", loop="asyncio")
    )
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
