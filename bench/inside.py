"""What our app itself costs a request under real load: the server (``mockserver run``, pinned to
CPU 0) times every request inside it, without the time spent in uvicorn's ``send`` (the socket
writes), while wrk drives one workload of ``bench/workloads.py``; compare with
``bench/latency.py --direct`` (the same requests one at a time in-process).

Usage: ``python bench/inside.py API WORKLOAD [--duration 6] [--connections 32]``, WORKLOAD being
part of a workload's name, e.g. ``python bench/inside.py homeq invalid``. Prints req/s, the µs a
request over the socket, and per request our own wall and CPU time and the CPU time in uvicorn's
``send``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from run import auth_headers, free_port, load, started  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

from mockserver.apis import APIS  # noqa: E402


def serve(report: str) -> int:
    """The server, timing its app: writes ``report`` (JSON) when it is told to stop."""
    from mockserver.cli import main
    from mockserver.web import app

    call = app.MockServer.__call__
    totals = {"requests": 0, "wall": 0.0, "cpu": 0.0, "send_cpu": 0.0}

    async def timed(self: Any, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await call(self, scope, receive, send)
            return
        in_send = [0.0, 0.0]

        async def sending(message: Any) -> None:
            wall, cpu = time.perf_counter(), time.thread_time()
            await send(message)
            in_send[0] += time.perf_counter() - wall
            in_send[1] += time.thread_time() - cpu

        wall, cpu = time.perf_counter(), time.thread_time()
        await call(self, scope, receive, sending)
        totals["requests"] += 1
        totals["wall"] += time.perf_counter() - wall - in_send[0]
        totals["cpu"] += time.thread_time() - cpu - in_send[1]
        totals["send_cpu"] += in_send[1]

    def stop(*_: Any) -> None:
        Path(report).write_text(json.dumps(totals))
        os._exit(0)

    app.MockServer.__call__ = timed  # type: ignore[method-assign]
    signal.signal(signal.SIGTERM, stop)
    return main(["run"])


def measure(args: argparse.Namespace) -> int:
    workload = next(w for w in WORKLOADS[args.api] if args.workload in w.name)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "inside.json"
        env = {**os.environ, "PORT": str(port), "LOG_LEVEL": "error", "ANCHOR_DATE": "2026-03-02"}
        command = [sys.executable, __file__, "--serve", str(report)]
        with started("mockserver", command, port, "/__admin/health", env) as server:
            headers = auth_headers(server.origin, args.api)
            result = load(server.origin + APIS[args.api].base_path, workload, headers, args)
        totals = json.loads(report.read_text())
    n = max(totals["requests"], 1)
    print(f"{args.api}: {workload.name}: {result.rps:,.0f} req/s, {1e6 / result.rps:.0f} µs a request over the socket")
    print(
        f"inside the server, a request: ours {totals['wall'] / n * 1e6:.1f} µs wall, "
        f"{totals['cpu'] / n * 1e6:.1f} µs CPU; uvicorn's send {totals['send_cpu'] / n * 1e6:.1f} µs CPU"
    )
    return 0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        return serve(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("api", choices=sorted(APIS))
    parser.add_argument("workload", help="part of the workload's name")
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--autocannon", action="store_true", help="drive load with autocannon even if wrk is there")
    return measure(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
