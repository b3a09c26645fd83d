"""Measuring shared by the benchmarks: the timing loop and the per-size table of the in-process
ones (``latency.py``, ``scale.py``, ``homeq_scale.py``), and resident memory (``run.py`` too)."""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import httpx

#: A column of :func:`size_table`: heading, key in the measurement, format spec of its value.
Column = tuple[str, str, str]


async def median_us(
    client: httpx.AsyncClient, method: str, path: str, count: int, *, warmup: int, check: bool = True, **kwargs: Any
) -> tuple[float, int]:
    """Median microseconds of ``count`` sequential requests after ``warmup`` untimed ones, and the
    last status; with ``check``, anything but 200 stops the benchmark (it would time an error)."""
    samples = []
    status = 0
    for i in range(count + warmup):
        started = time.perf_counter()
        response = await client.request(method, path, **kwargs)
        elapsed = time.perf_counter() - started
        status = response.status_code
        if check and status != 200:
            raise SystemExit(f"bench: {method} {path} answered {status}: {response.text[:200]}")
        if i >= warmup:
            samples.append(elapsed)
    return statistics.median(samples) * 1e6, status


def asgi_scope(
    method: str, path: str, headers: dict[str, str] | None = None, content: bytes | None = None
) -> dict[str, Any]:
    """The ASGI scope of one request to ``path`` (with its query), as a server on 127.0.0.1 makes it."""
    raw_path, _, query = path.partition("?")
    header_list = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    header_list.append((b"host", b"bench"))
    if content is not None:
        header_list.append((b"content-length", str(len(content)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": header_list,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }


async def asgi_call(
    app: Any, method: str, path: str, headers: dict[str, str] | None = None, content: bytes | None = None
) -> tuple[int, bytes]:
    """One request straight into the ASGI ``app`` (no client, no socket): its status and body."""
    body = content or b""
    status = 0
    answer = bytearray()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            answer.extend(message.get("body", b""))

    await app(asgi_scope(method, path, headers, content), receive, send)
    return status, bytes(answer)


async def asgi_median_us(
    app: Any,
    method: str,
    path: str,
    count: int,
    *,
    warmup: int,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> tuple[float, int]:
    """Like :func:`median_us`, but calls the ASGI ``app`` directly, with no client in between: the
    server's own cost per request (httpx's ASGI transport adds a few hundred microseconds)."""
    body = content or b""
    template = asgi_scope(method, path, headers, content)
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    samples = []
    for i in range(count + warmup):
        scope = {**template, "headers": list(template["headers"])}
        started = time.perf_counter()
        await app(scope, receive, send)
        elapsed = time.perf_counter() - started
        if i >= warmup:
            samples.append(elapsed)
    return statistics.median(samples) * 1e6, status


def size_table(
    first: str,
    columns: Sequence[Column],
    sizes: str,
    measure: Callable[[int], Coroutine[Any, Any, dict[str, float]]],
) -> None:
    """Prints a Markdown table with a row per size of ``sizes`` (comma-separated): the size under
    ``first``, then ``columns`` of what ``measure`` returns for it (each size in its own event loop)."""
    print("| " + " | ".join([first, *(heading for heading, _, _ in columns)]) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for size in (int(s) for s in sizes.split(",")):
        result = asyncio.run(measure(size))
        cells = [f"{size:,}", *(format(result[key], spec) for _, key, spec in columns)]
        print("| " + " | ".join(cells) + " |", flush=True)
        gc.collect()


def rss_kib(pid: int | str = "self") -> int:
    """Resident memory of a process in KiB (0 once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
