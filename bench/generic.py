"""The portal served from its spec alone beside the hand-built portal: cold start, memory, throughput.

Usage: ``python bench/generic.py [--starts 5] [--duration 5] [--rounds 2] [--connections 32]``.

Two servers of the same spec (``specs/portal.yaml``, base path ``/api/rest/portal``):

- ``hand-built``: ``python -m mockserver run --api portal`` (the behaviour package ``mockserver/apis/portal``),
- ``generated``: ``python -m mockserver run --spec specs/portal.yaml`` (``mockserver/generic``, no code).

Each is started as ``bench/run.py`` starts our mock (its ``started``: pinned to CPU 0, the same
environment as its ``ours``), with the first demo user's bearer token that ``GET /__admin/apis``
publishes for it. An untimed first start of each finds that token and a record (the first
application of the user's list) and leaves the caches warm (``CACHE_DIR``, as ``bench/cold_start.py``
leaves it: the user's cache folder unless set); then ``--starts`` starts of each, taking turns, are
timed from spawning the process to the first 200 of ``GET /profile/applications/{id}`` with the
token (the median is printed), and its RSS is read from /proc right then.

Then both run at once, and the load generator (``run.py``'s ``load``: wrk -t2 on CPU 1 with
``bench/wrk_script.lua``, autocannon without wrk) drives each workload on each server, taking turns
(an untimed ``--warmup``, then ``--rounds`` runs of ``--duration`` seconds, in reversed order every
other round). Workloads: the application by id (a record in both), the profile and the applications
list and adding a favourite (``bench/workloads.py``'s portal workloads). A workload is checked on
both servers before it runs; one that either answers otherwise than expected is skipped with a note.
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import datetime
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from run import ROOT, Result, Server, combined, free_port, load, request, started
from workloads import WORKLOADS, Call, Workload

from mockserver.settings import default_cache_dir

API = "portal"
BASE = "/api/rest/portal"
LIST = "/profile/applications"
#: The two servers, in the table's order: the ``mockserver run`` arguments of each.
SERVERS = {"hand-built": ["--api", API], "generated": ["--spec", "specs/portal.yaml"]}
HAND, GEN = SERVERS


@dataclasses.dataclass(frozen=True)
class Target:
    """What a server is asked: its demo credentials and the id of a record the user may read."""

    headers: dict[str, str]
    record: str


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=5, help="timed starts of each server (default 5)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per run of a workload (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed seconds per workload and server (default 1)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each workload per server (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.set_defaults(autocannon=False)  # run.py's load() drives wrk when it is installed
    args = parser.parse_args()
    began = time.monotonic()
    command = "python bench/generic.py" + "".join(f" {a}" for a in sys.argv[1:])
    compileall.compile_dir(ROOT / "mockserver", quiet=1)  # as run.py's ours(): bytecode as pip would write it
    cache = os.environ.get("CACHE_DIR") or default_cache_dir(os.environ)
    print(f"`{command}`, {utc_now()}, load average {load_average()}")
    print(f"CACHE_DIR {cache}: warm (one untimed start of each server first, as bench/cold_start.py leaves it)\n")

    targets: dict[str, Target] = {}
    for name, server_args in SERVERS.items():
        with serve(name, server_args) as server:
            targets[name] = target(server)
    cold: dict[str, list[float]] = {name: [] for name in SERVERS}
    rss_start: dict[str, list[float]] = {name: [] for name in SERVERS}
    for turn in range(args.starts):
        for name in list(SERVERS) if turn % 2 == 0 else list(SERVERS)[::-1]:
            seconds, rss = timed_start(name, targets[name])
            cold[name].append(seconds)
            rss_start[name].append(rss)
    for name, times in cold.items():
        print(f"{name} cold start s: " + ", ".join(f"{t:.2f}" for t in times), flush=True)
    print()

    workloads = chosen()
    results: dict[str, dict[str, Result]] = {w.name: {} for w in workloads}
    sizes: dict[str, dict[str, int]] = {w.name: {} for w in workloads}
    notes: list[str] = []
    with serve(HAND, SERVERS[HAND]) as hand, serve(GEN, SERVERS[GEN]) as gen:
        servers = {HAND: hand, GEN: gen}
        runnable = []
        for workload in workloads:
            problem = check(workload, servers, targets, sizes[workload.name])
            if problem:
                notes.append(f"skipped {workload.name}: {problem}")
            else:
                runnable.append(workload)
        for workload in runnable:
            calls = {name: calls_for(workload, targets[name]) for name in SERVERS}
            urls = {name: servers[name].origin + BASE for name in SERVERS}
            if args.warmup:
                for name in SERVERS:
                    load(urls[name], calls[name], targets[name].headers, args, duration=args.warmup)
            runs: dict[str, list[Result]] = {name: [] for name in SERVERS}
            for turn in range(args.rounds):
                for name in list(SERVERS) if turn % 2 == 0 else list(SERVERS)[::-1]:
                    runs[name].append(load(urls[name], calls[name], targets[name].headers, args))
            for name, taken in runs.items():
                results[workload.name][name] = combined(taken)
                result = results[workload.name][name]
                if result.statuses.get("other") or result.errors:
                    notes.append(
                        f"{name}, {workload.name}: {result.statuses.get('other', 0)} non-2xx answers, "
                        f"{result.errors} socket errors"
                    )
        rss_after = {name: server.rss_mib() for name, server in servers.items()}
        records = {name: record_counts(server.origin) for name, server in servers.items()}
    workloads = tuple(runnable)
    median_cold = {name: statistics.median(times) for name, times in cold.items()}
    median_rss = {name: statistics.median(values) for name, values in rss_start.items()}
    print_tables(workloads, results, sizes, median_cold, median_rss, rss_after, targets, args)
    print(f"records after the runs: {HAND} {records[HAND]}; {GEN} {records[GEN]}")
    for note in notes:
        print(f"note: {note}")
    print(f"\nfinished {utc_now()}, load average {load_average()}, took {time.monotonic() - began:.0f} s")
    return 0


# -- servers -------------------------------------------------------------------------------------


@contextmanager
def serve(name: str, server_args: list[str]) -> Iterator[Server]:
    """``python -m mockserver run ARGS`` as run.py's ``ours()`` starts it (same environment)."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "LOG_LEVEL": "error", "ANCHOR_DATE": "2026-03-02"}
    env["MAX_RECORDS"] = "100000000"  # the valid-write workload adds a favourite per request
    env["FAST_PATH"] = "1"
    command = [sys.executable, "-m", "mockserver", "run", *server_args]
    with started(name, command, port, "/__admin/health", env) as server:
        yield server


def target(server: Server) -> Target:
    """The first demo user's credentials as ``/__admin/apis`` publishes them, and their first application."""
    with urllib.request.urlopen(f"{server.origin}/__admin/apis") as response:
        auth = next(a["auth"] for a in json.load(response)["apis"] if a["name"] == API)
    user = auth["users"][0]
    token = user.get("token") or user["longLivedToken"]
    prefix = auth.get("prefix")
    headers = {auth["header"]: f"{prefix} {token}" if prefix else token}
    status, _, body = request(server.origin, BASE, Call("GET", LIST), headers)
    if status != 200:
        raise SystemExit(f"bench: {server.name} GET {LIST} answered {status}: {body[:300]}")
    return Target(headers, str(json.loads(body)["data"][0]["id"]))


def timed_start(name: str, goal: Target) -> tuple[float, float]:
    """Seconds from spawning the server to its first 200 of the record with the token, and its RSS then."""
    url = f"{BASE}{LIST}/{goal.record}"
    with serve(name, SERVERS[name]) as server:
        # started() timed the spawn up to the first answer of /__admin/health; go on to the record.
        begin = time.perf_counter()
        while True:
            status, _, body = request(server.origin, "", Call("GET", url), goal.headers)
            if status == 200:
                break
            if time.perf_counter() - begin > 30:
                raise SystemExit(f"bench: {name} GET {url} answered {status}: {body[:300]}")
            time.sleep(0.005)
        return server.cold_start + time.perf_counter() - begin, server.rss_mib()


def record_counts(origin: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{origin}/__admin/apis") as response:
        api = next(a for a in json.load(response)["apis"] if a["name"] == API)
    return dict(api.get("records") or {})


# -- workloads -----------------------------------------------------------------------------------

#: Stands for the record's id in a path; each server's own id replaces it.
RECORD = "{record}"


def chosen() -> tuple[Workload, ...]:
    """The application by id (the same operation on both), then workloads.py's portal profile,
    list and valid write."""
    portal = {w.kind: w for w in WORKLOADS[API]}
    by_id = Workload("GET a record (application by id)", (Call("GET", f"{LIST}/{RECORD}"),), "record")
    return (by_id, portal["record"], portal["list"], portal["post-valid"])


def calls_for(workload: Workload, goal: Target) -> Workload:
    calls = tuple(dataclasses.replace(c, path=c.path.replace(RECORD, goal.record)) for c in workload.calls)
    return dataclasses.replace(workload, calls=calls)


def check(
    workload: Workload, servers: dict[str, Server], targets: dict[str, Target], sizes: dict[str, int]
) -> str | None:
    """None when both servers answer every call of ``workload`` as expected (the body sizes noted)."""
    for name, server in servers.items():
        for call in calls_for(workload, targets[name]).calls:
            status, _, body = request(server.origin, BASE, call, targets[name].headers)
            if status != call.expect:
                return f"{name} answered {call.method} {call.path} with {status}, not {call.expect}: {body[:200]}"
            sizes[name] = len(body.encode("latin-1"))
    return None


# -- output --------------------------------------------------------------------------------------


def print_tables(
    workloads: tuple[Workload, ...],
    results: dict[str, dict[str, Result]],
    sizes: dict[str, dict[str, int]],
    cold: dict[str, float],
    rss: dict[str, float],
    rss_after: dict[str, float],
    targets: dict[str, Target],
    args: argparse.Namespace,
) -> None:
    print(
        f"wrk -t2 -c{args.connections} (server on CPU 0, load on CPU 1), per workload {args.warmup} s untimed, "
        f"then {args.rounds} x {args.duration} s per server taking turns; cold start: median of {args.starts}\n"
    )
    head = ["server", "cold start s", "RSS MiB after start", "RSS MiB after load"]
    for workload in workloads:
        head += [f"{workload.name} req/s", "p99 ms"]
    print("| " + " | ".join(head) + " |")
    print("|---" * len(head) + "|")
    for name in SERVERS:
        cells = [name, f"{cold[name]:.2f}", f"{rss[name]:.0f}", f"{rss_after[name]:.0f}"]
        for workload in workloads:
            result = results[workload.name][name]
            cells += [f"{result.rps:,.0f}", f"{result.p99:.1f}"]
        print("| " + " | ".join(cells) + " |")
    cells = [f"{GEN} ÷ {HAND}", ratio(cold[GEN], cold[HAND]), ratio(rss[GEN], rss[HAND])]
    cells.append(ratio(rss_after[GEN], rss_after[HAND]))
    for workload in workloads:
        row = results[workload.name]
        cells += [ratio(row[GEN].rps, row[HAND].rps), ratio(row[GEN].p99, row[HAND].p99)]
    print("| " + " | ".join(cells) + " |\n")

    print("| workload | request (hand-built / generated) | p50 ms | answer bytes |")
    print("|---|---|---|---|")
    for workload in workloads:
        row = results[workload.name]
        calls = {name: calls_for(workload, targets[name]).calls[0] for name in SERVERS}
        shown = " / ".join(dict.fromkeys(f"{c.method} {c.path} → {c.expect}" for c in calls.values()))
        p50 = " / ".join(f"{row[name].p50:.1f}" for name in SERVERS)
        size = " / ".join(f"{sizes[workload.name][name]:,}" for name in SERVERS)
        print(f"| {workload.name} | {shown} | {p50} | {size} |")
    print()


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base else "–"


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def load_average() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
