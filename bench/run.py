"""Our mock side by side with Prism and bare Starlette: throughput, latency, cold start, memory.

Usage: ``make bench`` or ``python bench/run.py [--duration 5] [--rounds 2] [--connections 32] [--api portal]
[--no-prism] [--fast-path-off] [--session NAME]``.

For every API with workloads (``bench/workloads.py``) it starts, on 127.0.0.1 and pinned to CPU 0
(the load generator gets CPU 1):

- our mock (``python -m mockserver run``, every spec loaded, request validation on, stateful data),
- Prism 5 on the same spec, in its fastest configuration (``prism mock -v silent``, static),
- a bare Starlette app answering the same requests with the bytes our mock answered (the ceiling),
- with ``--fast-path-off``, our mock again with ``FAST_PATH=0`` (Connexion's stack answers every
  request), so the table shows what the fast path (``mockserver.web.fastpath``) is worth,

``--session NAME`` runs our mock's workloads in a client's session: every request to it carries
``X-Mock-Session: NAME``, with that session's demo credentials (the other servers get the same
requests without it).

It drives each workload with wrk (installed from Debian's packages when run as root; autocannon from
npm otherwise, which saturates sooner) for ``--duration`` seconds per run, the servers taking turns
(``--rounds`` runs each, in reversed order every other round, so that a drift in the machine's
speed shifts the ratios as little as it can), and prints one table per API with req/s, p50/p99
latency and the ratios, plus cold start (to the first answer) and RSS. Prism and autocannon are
installed by this script from the npm registry into ``bench/node_modules`` at the versions pinned
in ``bench/package.json``. Absolute numbers drift on shared machines: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any

from workloads import WORKLOADS, Call, Workload

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
NODE_BIN = BENCH / "node_modules" / ".bin"
sys.path.insert(0, str(ROOT))

from bench.timing import rss_kib  # noqa: E402
from mockserver.apis import APIS  # noqa: E402

STARTUP_SECONDS = 60.0


@dataclasses.dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    origin: str
    cold_start: float

    def rss_mib(self) -> float:
        """Resident memory of the process and its children (Prism runs under node workers)."""
        return sum(rss_kib(pid) for pid in _tree(self.process.pid)) / 1024


@dataclasses.dataclass(frozen=True)
class Result:
    rps: float
    p50: float
    p99: float
    errors: int
    statuses: dict[str, int]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds per run of a workload (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed seconds per workload and server (default 1)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="runs of each workload per server, taking turns (default 2)"
    )
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--api", action="append", dest="apis", help="only this API (repeatable)")
    parser.add_argument("--no-prism", action="store_true", help="skip Prism (no npm registry at hand)")
    parser.add_argument("--autocannon", action="store_true", help="drive load with autocannon even if wrk is there")
    parser.add_argument(
        "--fast-path-off", action="store_true", help="also run our mock with FAST_PATH=0 (Connexion's stack only)"
    )
    parser.add_argument("--session", help="send X-Mock-Session: SESSION with every request to our mock")
    args = parser.parse_args()
    if not (shutil.which("node") and shutil.which("npm")):
        print("bench: needs Node.js and npm (for Prism and autocannon)", file=sys.stderr)
        return 2
    install_tools()
    apis = args.apis or [name for name in WORKLOADS if name in APIS]
    tool = "wrk -t2" if shutil.which("wrk") and not args.autocannon else "autocannon"
    print(f"bench: {tool}, {args.connections} connections, {args.rounds} x {args.duration} s per workload", end="")
    print("; server on CPU 0, load on CPU 1\n")
    with ours() as mock, ours(fast_path=False) if args.fast_path_off else nullcontext() as slow:
        print(f"our mock (every spec loaded): cold start {mock.cold_start:.2f} s, RSS {mock.rss_mib():.0f} MiB\n")
        for api in apis:
            bench_api(api, mock, args, slow)
    return 0


def install_tools() -> None:
    """wrk from Debian's packages when we may install it (root with apt-get); autocannon otherwise."""
    if not shutil.which("wrk") and shutil.which("apt-get") and os.geteuid() == 0:
        print("bench: installing wrk (apt-get install wrk)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    install_node_tools()


def install_node_tools() -> None:
    if (NODE_BIN / "prism").exists() and (NODE_BIN / "autocannon").exists():
        return
    command = ["npm", "ci" if (BENCH / "package-lock.json").exists() else "install", "--no-audit", "--no-fund"]
    print(f"bench: installing Prism and autocannon ({' '.join(command)})", flush=True)
    subprocess.run(command, cwd=BENCH, check=True, stdout=subprocess.DEVNULL)


def bench_api(api: str, mock: Server, args: argparse.Namespace, slow: Server | None = None) -> None:
    definition = APIS[api]
    headers = auth_headers(mock.origin, api)
    # Our mock's requests: in the session, with its credentials (both of our servers make it alike).
    ours_headers = headers
    if args.session:
        ours_headers = session_headers(mock.origin, api, args.session)
        if slow is not None:
            session_headers(slow.origin, api, args.session)
    workloads = WORKLOADS[api]
    answers = {}
    for workload in workloads:
        for call in workload.calls:
            status, content_type, body = request(mock.origin, definition.base_path, call, ours_headers)
            if status != call.expect:
                raise SystemExit(f"bench: {api} {call.method} {call.path}: expected {call.expect}, got {status}")
            answers[f"{call.method} {call.path}"] = {"status": status, "type": content_type, "body": body}
    results: dict[str, dict[str, Result]] = {w.name: {} for w in workloads}
    cold: dict[str, float] = {"mockserver": mock.cold_start}
    with ExitStack() as stack:
        servers = {"mockserver": (mock, mock.origin + definition.base_path)}
        if slow is not None:
            servers[SLOW] = (slow, slow.origin + definition.base_path)
        if not args.no_prism:
            server = stack.enter_context(prism(definition.spec_file))
            servers["Prism"] = (server, server.origin)
        server = stack.enter_context(baseline(answers))
        servers["Starlette"] = (server, server.origin)
        for key, answer in answers.items():  # the ceiling must do the same work: answer the same
            method, path = key.split(" ", 1)
            call = next(c for w in workloads for c in w.calls if (c.method, c.path) == (method, path))
            status, _, body = request(server.origin, "", call, headers)
            if (status, body) != (answer["status"], answer["body"]):
                raise SystemExit(f"bench: Starlette answered {key} with {status}, not our {answer['status']}")
        cold.update({name: server.cold_start for name, (server, _) in servers.items()})
        names = list(servers)
        sent = {name: ours_headers if name in ("mockserver", SLOW) else headers for name in names}
        for workload in workloads:
            # The servers take turns on each workload (the order reversed every other round), so
            # that a machine whose speed drifts over minutes shifts their ratios as little as it can.
            runs: dict[str, list[Result]] = {name: [] for name in names}
            if args.warmup:  # untimed: a JIT (Prism's V8) and every server's first-request work
                for name in names:
                    load(servers[name][1], workload, sent[name], args, duration=args.warmup)
            for turn in range(args.rounds):
                for name in names if turn % 2 == 0 else names[::-1]:
                    runs[name].append(load(servers[name][1], workload, sent[name], args))
            for name, taken in runs.items():
                results[workload.name][name] = combined(taken)
        rss = {name: server.rss_mib() for name, (server, _) in servers.items()}
    print_table(api, workloads, results, cold, rss)


def combined(runs: list[Result]) -> Result:
    """One server's rounds of a workload: the mean throughput and median, the worst p99."""
    statuses: dict[str, int] = {}
    for run in runs:
        for status, count in run.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return Result(
        rps=sum(r.rps for r in runs) / len(runs),
        p50=sum(r.p50 for r in runs) / len(runs),
        p99=max(r.p99 for r in runs),
        errors=sum(r.errors for r in runs),
        statuses=statuses,
    )


def auth_headers(origin: str, api: str) -> dict[str, str]:
    """The first demo user's credentials, as our control plane publishes them."""
    from mockserver.contract.credentials import resolve

    credential = resolve(APIS[api], origin)
    if credential is None:
        return {}
    with urllib.request.urlopen(f"{origin}/__admin/apis") as response:
        auth = next(a["auth"] for a in json.load(response)["apis"] if a["name"] == api)
    prefix = auth.get("prefix")
    return {auth["header"]: f"{prefix} {credential.token}" if prefix else credential.token}


def session_headers(origin: str, api: str, session: str) -> dict[str, str]:
    """``X-Mock-Session: session`` and the session's first demo user's credentials (the session
    made first), as our control plane publishes them: a session's HomeQ tokens are its own."""
    made = urllib.request.Request(f"{origin}/__admin/sessions/{session}", method="PUT")
    with urllib.request.urlopen(made):
        pass
    with urllib.request.urlopen(f"{origin}/__admin/apis?session={session}") as response:
        auth = next(a["auth"] for a in json.load(response)["apis"] if a["name"] == api)
    user = auth["users"][0]
    token = user.get("token") or user["longLivedToken"]
    prefix = auth.get("prefix")
    return {auth["header"]: f"{prefix} {token}" if prefix else token, "X-Mock-Session": session}


def call_headers(call: Call, headers: dict[str, str]) -> dict[str, str]:
    extra = {"Content-Type": "application/json"} if call.body is not None else {}
    return {**headers, **extra, **dict(call.headers)}


def call_body(call: Call) -> str | None:
    return call.raw if call.raw is not None else (json.dumps(call.body) if call.body is not None else None)


def request(origin: str, base: str, call: Call, headers: dict[str, str]) -> tuple[int, str, str]:
    body = call_body(call)
    data = body.encode() if body is not None else None
    all_headers = call_headers(call, headers)
    req = urllib.request.Request(origin + base + call.path, data=data, method=call.method, headers=all_headers)
    try:
        with urllib.request.urlopen(req) as response:
            return response.status, response.headers.get("content-type", ""), response.read().decode("latin-1")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read().decode("latin-1")


def load(
    base_url: str, workload: Workload, headers: dict[str, str], args: argparse.Namespace, duration: int | None = None
) -> Result:
    requests = [
        {"method": call.method, "path": base_path(base_url) + call.path, "headers": call_headers(call, headers)}
        | ({"body": call_body(call)} if call_body(call) is not None else {})
        for call in workload.calls
    ]
    seconds = args.duration if duration is None else duration
    if shutil.which("wrk") and not args.autocannon:
        return load_wrk(base_url, requests, args.connections, seconds)
    config = {"url": base_url, "connections": args.connections, "duration": seconds, "requests": requests}
    command = pinned(1, ["node", str(BENCH / "load.js"), json.dumps(config)])
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 120).stdout
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return Result(data["rps"], data["p50"], data["p99"], data["errors"], data["statuses"])


def load_wrk(base_url: str, requests: list[dict[str, Any]], connections: int, seconds: int) -> Result:
    """wrk (C, 2 threads) when it is installed: it drives ~3x more load than autocannon on one core."""
    script = "requests = " + _lua(requests) + "\n" + (BENCH / "wrk_script.lua").read_text()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", handle.name, base_url]
        out = subprocess.run(
            pinned(1, command), capture_output=True, text=True, check=True, timeout=seconds + 120
        ).stdout
    finally:
        os.unlink(handle.name)
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    rps = data["requests"] / (data["duration_us"] / 1e6)
    ok = data["requests"] - data["non2xx"]
    return Result(rps, data["p50"], data["p99"], data["errors"], {"2xx/3xx": ok, "other": data["non2xx"]})


def _lua(value: Any) -> str:
    """A Lua literal for JSON-shaped data."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{json.dumps(str(k))}] = {_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    if isinstance(value, str):
        return "[==[" + value + "]==]" if "\n" in value else json.dumps(value)
    return json.dumps(value)


def base_path(url: str) -> str:
    return "/" + url.split("/", 3)[3] if url.count("/") >= 3 else ""


def print_table(
    api: str,
    workloads: tuple[Workload, ...],
    results: dict[str, dict[str, Result]],
    cold: dict[str, float],
    rss: dict[str, float],
) -> None:
    servers = [s for s in ("mockserver", SLOW, "Prism", "Starlette") if s in cold]
    print(f"## {api}\n")
    head = " | ".join(f"{s} req/s | {s} p50/p99 ms" for s in servers)
    ratios = " | ".join(f"÷ {s}" for s in servers[1:])
    print(f"| workload | {head} | {ratios} | statuses (ours) |")
    print("|---" * (1 + 2 * len(servers) + len(servers) - 1 + 1) + "|")
    for workload in workloads:
        row = results[workload.name]
        cells = " | ".join(f"{row[s].rps:,.0f} | {row[s].p50:.0f}/{row[s].p99:.0f}" for s in servers)
        ratio = " | ".join(f"{row['mockserver'].rps / row[s].rps:.2f}×" if row[s].rps else "–" for s in servers[1:])
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(row["mockserver"].statuses.items()))
        print(f"| {workload.name} | {cells} | {ratio} | {statuses} |")
    print()
    print("| | " + " | ".join(servers) + " |")
    print("|---" * (len(servers) + 1) + "|")
    print("| cold start s | " + " | ".join(f"{cold[s]:.2f}" for s in servers) + " |")
    print("| RSS MiB | " + " | ".join(f"{rss[s]:.0f}" for s in servers) + " |\n", flush=True)


# -- servers -------------------------------------------------------------------------------------
#: Our mock with the fast path off, in the tables.
SLOW = "FAST_PATH=0"


@contextmanager
def ours(fast_path: bool = True) -> Iterator[Server]:
    # Our modules' bytecode, as pip writes it for an installed package: where PYTHONDONTWRITEBYTECODE
    # is set (containers often set it) an editable checkout would otherwise compile every module
    # from source on every start (~0.15 s of the cold start).
    compileall.compile_dir(ROOT / "mockserver", quiet=1)
    port = free_port()
    env = {**os.environ, "PORT": str(port), "LOG_LEVEL": "error", "ANCHOR_DATE": "2026-03-02"}
    # HomeQ's valid-write workloads POST estates at full speed (~100,000 in a default run, more
    # with --duration or --rounds): past the default cap (MAX_RECORDS) they would time 409s.
    env["MAX_RECORDS"] = "100000000"
    env["FAST_PATH"] = "1" if fast_path else "0"
    command = [sys.executable, "-m", "mockserver", "run"]
    with started("mockserver" if fast_path else SLOW, command, port, "/__admin/health", env) as server:
        yield server


@contextmanager
def prism(spec: Path) -> Iterator[Server]:
    port = free_port()
    command = [str(NODE_BIN / "prism"), "mock", str(spec), "-h", "127.0.0.1", "-p", str(port), "-v", "silent"]
    with started("Prism", command, port, "/", dict(os.environ)) as server:
        yield server


@contextmanager
def baseline(answers: dict[str, Any]) -> Iterator[Server]:
    port = free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(answers, handle)
    try:
        command = [sys.executable, str(BENCH / "baseline.py"), str(port), handle.name]
        with started("Starlette", command, port, "/__admin/health", dict(os.environ)) as server:
            yield server
    finally:
        os.unlink(handle.name)


@contextmanager
def started(name: str, command: list[str], port: int, ready: str, env: dict[str, str]) -> Iterator[Server]:
    begin = time.perf_counter()
    process = subprocess.Popen(
        pinned(0, command), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                urllib.request.urlopen(origin + ready, timeout=1).close()
                break
            except urllib.error.HTTPError:
                break  # any HTTP answer means it is up
            except OSError:
                if process.poll() is not None:
                    raise SystemExit(f"bench: {name} exited during start-up") from None
                if time.perf_counter() - begin > STARTUP_SECONDS:
                    raise SystemExit(f"bench: {name} did not answer within {STARTUP_SECONDS:.0f} s") from None
                time.sleep(0.01)
        yield Server(name, process, origin, time.perf_counter() - begin)
    finally:
        for pid in reversed(_tree(process.pid)):
            with suppress(ProcessLookupError):
                os.kill(pid, 15)
        process.wait(timeout=15)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pinned(cpu: int, command: list[str]) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(cpu), *command]
    return command


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


if __name__ == "__main__":
    sys.exit(main())
