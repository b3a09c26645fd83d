"""Does a storm of webhooks slow the mock's API down, and how many threads and how much memory does it take?

Usage: ``python bench/webhook_storm.py [--registrations 1000] [--triggers 100] [--clients 4]
[--seconds 3] [--sink-delay 0] [--deadline 180]``.

It starts, on 127.0.0.1, the real server (``python -m mockserver run --api portal --api homeq``,
uvicorn, with ``WEBHOOK_MAX_REGISTRATIONS`` raised to ``--registrations``) and a loopback sink that
answers every POST with 200 (after ``--sink-delay`` seconds), each in its own process. ``--clients``
concurrent clients GET the portal's ``/profile`` the whole time; their latencies are reported per
phase: ``before`` (``--seconds``), ``register`` (``--registrations`` HomeQ webhooks to the sink),
``during`` (``--triggers`` sequential ``POST /__admin/webhooks/trigger``) and ``after``
(``--seconds`` more). For every phase: requests, errors, p50/p99/max latency and the server's
highest thread count and RSS (sampled every 50 ms from ``/proc``); then the trigger requests'
latency and what the sink received. ``--deadline`` bounds the whole run; ``--root`` runs another
checkout (e.g. a ``git worktree`` of an older commit) with the same script.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PROFILE = "/api/rest/portal/profile"
ALICE = {"Authorization": "Bearer demo-alice-token"}
STARTUP_SECONDS = 60.0
TIMEOUT = httpx.Timeout(30.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--triggers", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--sink-delay", type=float, default=0.0, help="seconds the sink waits before answering")
    parser.add_argument("--deadline", type=float, default=180.0, help="seconds the whole run may take")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose mockserver is run")
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)  # internal: serve the sink on this port
    args = parser.parse_args()
    if args.sink is not None:
        asyncio.run(sink(args.sink, args.sink_delay))
        return 0
    return asyncio.run(storm(args))


# -- the sink: a minimal HTTP/1.1 server with keep-alive, one asyncio task per connection -----------


async def sink(port: int, delay: float) -> None:
    received = 0

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                if head.startswith(b"GET"):  # the bench asks how many POSTs came
                    body = str(received).encode()
                else:
                    received += 1
                    body = b""
                    if delay:
                        await asyncio.sleep(delay)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(connection, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


# -- the run ---------------------------------------------------------------------------------------


class Samples:
    """Latencies of the clients' requests and the server's threads and RSS, by phase."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.phase = "start"
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.threads: dict[str, int] = {}
        self.rss_mib: dict[str, float] = {}

    def sample_process(self) -> None:
        threads, rss = 0, 0.0
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("Threads:"):
                    threads = int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
        self.threads[self.phase] = max(self.threads.get(self.phase, 0), threads)
        self.rss_mib[self.phase] = max(self.rss_mib.get(self.phase, 0.0), rss)


async def storm(args: argparse.Namespace) -> int:
    began = time.monotonic()
    port, sink_port = free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(args.root),
        "PORT": str(port),
        "LOG_LEVEL": "error",
        "ANCHOR_DATE": "2026-03-02",
        "WEBHOOK_MAX_REGISTRATIONS": str(args.registrations),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "run", "--api", "portal", "--api", "homeq"],
        cwd=args.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    sink_process = subprocess.Popen(
        [sys.executable, __file__, "--sink", str(sink_port), "--sink-delay", str(args.sink_delay)],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    origin, sink_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sink_port}"
    try:
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(base_url=origin, timeout=TIMEOUT, limits=limits) as client:
            await until_up(client, server, "/__admin/health")
            await until_up(client, sink_process, sink_url + "/count")
            work = run_phases(client, Samples(server.pid), sink_url, args)
            remaining = args.deadline - (time.monotonic() - began)
            await asyncio.wait_for(work, timeout=max(remaining, 1.0))
    except TimeoutError:
        print(f"\nstopped: the run took longer than --deadline {args.deadline:.0f} s", flush=True)
        return 1
    finally:
        for process in (server, sink_process):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in (server, sink_process):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)
    return 0


async def run_phases(client: httpx.AsyncClient, samples: Samples, sink_url: str, args: argparse.Namespace) -> None:
    stop = asyncio.Event()

    async def monitor() -> None:
        while not stop.is_set():
            samples.sample_process()
            await asyncio.sleep(0.05)

    async def hammer() -> None:
        while not stop.is_set():
            phase, started = samples.phase, time.perf_counter()
            try:
                response = await client.get(PROFILE, headers=ALICE)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                samples.latencies.setdefault(phase, []).append(time.perf_counter() - started)
            else:
                samples.errors[phase] = samples.errors.get(phase, 0) + 1

    background = [asyncio.create_task(monitor()), *(asyncio.create_task(hammer()) for _ in range(args.clients))]
    triggers: list[float] = []
    try:
        samples.phase = "before"
        await asyncio.sleep(args.seconds)
        samples.phase = "register"
        hook = {"api": "homeq", "url": sink_url + "/hook", "events": ["signing_completed"]}
        for _ in range(args.registrations):
            response = await client.post("/__admin/webhooks", json=hook)
            assert response.status_code == 201, response.text
        samples.phase = "during"
        trigger = {"api": "homeq", "event": "signing_completed"}
        for _ in range(args.triggers):
            started = time.perf_counter()
            response = await client.post("/__admin/webhooks/trigger", json=trigger)
            triggers.append(time.perf_counter() - started)
            assert response.status_code == 202, response.text
        samples.phase = "after"
        await asyncio.sleep(args.seconds)
    finally:
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
    received = int((await client.get(sink_url + "/count")).text)
    overview = (await client.get("/__admin/webhooks", params={"api": "homeq"})).json()
    report(samples, triggers, received, overview, args)


def report(
    samples: Samples, triggers: list[float], received: int, overview: dict[str, Any], args: argparse.Namespace
) -> None:
    print(f"checkout {args.root}; {args.clients} clients GET {PROFILE}; sink delay {args.sink_delay} s")
    print("| phase | requests | errors | p50 ms | p99 ms | max ms | threads (max) | RSS MiB (max) |")
    print("|---|---|---|---|---|---|---|---|")
    for phase in ("before", "register", "during", "after"):
        found = sorted(samples.latencies.get(phase, []))
        p50, p99, most = (percentile(found, 50), percentile(found, 99), found[-1] * 1000) if found else (0, 0, 0)
        print(
            f"| {phase} | {len(found)} | {samples.errors.get(phase, 0)} | {p50:.1f} | {p99:.1f} | {most:.1f} "
            f"| {samples.threads.get(phase, 0)} | {samples.rss_mib.get(phase, 0.0):.0f} |"
        )
    if triggers:
        print(
            f"{len(triggers)} triggers × {args.registrations} registrations: trigger request median "
            f"{statistics.median(triggers) * 1000:.1f} ms, max {max(triggers) * 1000:.1f} ms"
        )
    statuses: dict[str, int] = {}
    for delivery in overview.get("deliveries", []):
        statuses[delivery["status"]] = statuses.get(delivery["status"], 0) + 1
    print(f"sink received {received} deliveries by the end; the last {sum(statuses.values())} kept: {statuses}")


def percentile(ordered: list[float], pct: float) -> float:
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index] * 1000


async def until_up(client: httpx.AsyncClient, process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            await client.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench: {url} did not come up") from None
            await asyncio.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
