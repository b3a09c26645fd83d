"""What keeping the state costs (``STATE_DIR``, ``mockserver.engine.persistence``): `make bench`'s
write workloads against our mock without a state folder and with one, the two servers taking turns.

Usage: ``python bench/persistence.py [--duration 5] [--rounds 2] [--connections 32] [--api homeq]
[--flush-seconds 0.5]``.

Both servers are started as ``bench/run.py`` starts ours (``python -m mockserver run``, pinned to
CPU 0, the load generator on CPU 1), one of them with ``STATE_DIR`` set to a fresh temporary folder.
Each API's workloads that write (``post-valid`` and ``mixed``, ``bench/workloads.py``) are driven
with wrk (autocannon without it) for ``--duration`` seconds per run, ``--rounds`` runs per server
in turns (the order reversed every other round); the table gives req/s and p50/p99 of each and the
ratio (with a state folder ÷ without), and, at the end, how big the state file grew and whether
every change was written (``GET /__admin/state``: nothing pending).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import run
from run import ROOT, Result, Server, auth_headers, combined, free_port, load, request, started
from workloads import WORKLOADS

from mockserver.apis import APIS

#: The workload kinds that write.
WRITES = ("post-valid", "mixed")
PLAIN = "no state dir"
KEPT = "STATE_DIR"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds per run of a workload (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed seconds per workload and server (default 1)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each workload per server, taking turns")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--api", action="append", dest="apis", help="only this API (repeatable)")
    parser.add_argument("--autocannon", action="store_true", help="drive load with autocannon even if wrk is there")
    parser.add_argument("--flush-seconds", type=float, default=0.5, help="STATE_FLUSH_SECONDS (default 0.5)")
    args = parser.parse_args()
    if not shutil.which("wrk") or args.autocannon:
        run.install_node_tools()
    apis = args.apis or [name for name in WORKLOADS if name in APIS]
    tool = "wrk -t2" if shutil.which("wrk") and not args.autocannon else "autocannon"
    print(f"bench: {tool}, {args.connections} connections, {args.rounds} x {args.duration} s per workload", end="")
    print(f"; server on CPU 0, load on CPU 1; STATE_FLUSH_SECONDS={args.flush_seconds}\n")
    with tempfile.TemporaryDirectory(prefix="mockserver-state-") as folder:
        with ours() as plain, ours({"STATE_DIR": folder, "STATE_FLUSH_SECONDS": str(args.flush_seconds)}) as kept:
            print(f"cold start: {plain.cold_start:.2f} s without, {kept.cold_start:.2f} s with a state folder\n")
            print("| API | workload | no state dir req/s | p50/p99 ms | STATE_DIR req/s | p50/p99 ms | ratio |")
            print("|---|---|---|---|---|---|---|")
            ratios = []
            began = time.monotonic()
            for api in apis:
                ratios += bench_api(api, {PLAIN: plain, KEPT: kept}, args)
            took = (time.monotonic() - began) / 2  # the servers take turns
            state = wait_written(kept.origin)
            size = sum(path.stat().st_size for path in Path(folder).iterdir()) / 2**20
        print(
            f"\nmean ratio {sum(ratios) / len(ratios):.3f} (worst {min(ratios):.3f}); state files {size:.1f} MiB, ",
            end="",
        )
        print(f"pending after the runs: {state['pending']} (last write {state['lastWrite']}); the writes took ", end="")
        print(f"{state['writeCpuSeconds']} CPU s of {took:.0f} s of load")
    return 0


def bench_api(api: str, servers: dict[str, Server], args: argparse.Namespace) -> list[float]:
    definition = APIS[api]
    workloads = [w for w in WORKLOADS[api] if w.kind in WRITES]
    headers = {name: auth_headers(server.origin, api) for name, server in servers.items()}
    for name, server in servers.items():
        for workload in workloads:
            for call in workload.calls:
                status, _, _ = request(server.origin, definition.base_path, call, headers[name])
                if status != call.expect:
                    raise SystemExit(
                        f"bench: {name} {api} {call.method} {call.path}: expected {call.expect}, got {status}"
                    )
    ratios = []
    names = list(servers)
    for workload in workloads:
        runs: dict[str, list[Result]] = {name: [] for name in names}
        urls = {name: server.origin + definition.base_path for name, server in servers.items()}
        if args.warmup:
            for name in names:
                load(urls[name], workload, headers[name], args, duration=args.warmup)
        for turn in range(args.rounds):
            for name in names if turn % 2 == 0 else names[::-1]:
                runs[name].append(load(urls[name], workload, headers[name], args))
        plain, kept = combined(runs[PLAIN]), combined(runs[KEPT])
        ratio = kept.rps / plain.rps if plain.rps else 0.0
        ratios.append(ratio)
        print(
            f"| {api} | {workload.name} | {plain.rps:,.0f} | {plain.p50:.0f}/{plain.p99:.0f} | {kept.rps:,.0f} | "
            f"{kept.p50:.0f}/{kept.p99:.0f} | {ratio:.2f}× |",
            flush=True,
        )
    return ratios


def wait_written(origin: str, seconds: float = 60.0) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while True:
        with urllib.request.urlopen(f"{origin}/__admin/state") as response:
            state: dict[str, object] = json.load(response)
        if not state["pending"] or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


@contextmanager
def ours(extra: dict[str, str] | None = None) -> Iterator[Server]:
    """Our mock as ``bench/run.py`` starts it, with ``extra`` in its environment."""
    compileall.compile_dir(ROOT / "mockserver", quiet=1)
    port = free_port()
    env = {**os.environ, "PORT": str(port), "LOG_LEVEL": "error", "ANCHOR_DATE": "2026-03-02"}
    env["MAX_RECORDS"] = "100000000"  # HomeQ's estates, POSTed at full speed (see bench/run.py)
    env.pop("STATE_DIR", None)
    env |= extra or {}
    name = KEPT if extra else PLAIN
    with started(name, [sys.executable, "-m", "mockserver", "run"], port, "/__admin/health", env) as server:
        yield server


if __name__ == "__main__":
    sys.exit(main())
