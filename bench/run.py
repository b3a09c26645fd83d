"""Throughput, latency, cold start and memory of the mock, measured with wrk on 127.0.0.1.

Usage: ``make bench`` or ``python bench/run.py [--duration 10] [--connections 32]``.

Starts ``python -m mockserver run`` on a free loopback port (pinned to CPU 0 when ``taskset`` is
there, wrk on CPU 1), waits for its first answer (cold start), drives each workload with wrk and
prints one Markdown table. wrk comes from Debian's package ``wrk``; the script says how to get it
when it is missing. Absolute numbers drift on shared machines: compare rows of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTAL = "/api/rest/portal"
TOKEN = "demo-alice-token"


@dataclass(frozen=True)
class Workload:
    name: str
    method: str
    path: str
    body: dict[str, object] | None = None
    expect: int = 200


WORKLOADS = (
    Workload("GET profile", "GET", f"{PORTAL}/profile"),
    Workload("GET application list", "GET", f"{PORTAL}/profile/applications"),
    Workload("GET favourites list", "GET", f"{PORTAL}/profile/favourites"),
    Workload("POST favourite (valid)", "POST", f"{PORTAL}/profile/favourites", {"listing": 5353}, 201),
    Workload("PUT profile (valid)", "PUT", f"{PORTAL}/profile", {"phone": "07700 900000", "dependants": 1}),
    Workload("PUT profile (invalid, 422)", "PUT", f"{PORTAL}/profile", {"homePostcode": "nope", "dependants": -1}, 422),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pinned(cpu: int, command: list[str]) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(cpu), *command]
    return command


def start_server(port: int, validate_responses: bool) -> tuple[subprocess.Popen[bytes], float]:
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "error",
        "VALIDATE_RESPONSES": "1" if validate_responses else "0",
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        pinned(0, [sys.executable, "-m", "mockserver", "run"]),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = started + 60
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/__admin/health", timeout=1):
                return process, time.perf_counter() - started
        except OSError:
            if process.poll() is not None:
                raise SystemExit("the server exited during start-up") from None
            time.sleep(0.005)
    process.kill()
    raise SystemExit("the server did not answer within 60 s")


def check(port: int, workload: Workload) -> None:
    data = json.dumps(workload.body).encode() if workload.body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{workload.path}",
        data=data,
        method=workload.method,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != workload.expect:
        raise SystemExit(f"{workload.name}: expected {workload.expect}, got {status}")


def lua_script(workload: Workload) -> str:
    lines = [f'wrk.method = "{workload.method}"', f'wrk.headers["Authorization"] = "Bearer {TOKEN}"']
    if workload.body is not None:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append(f"wrk.body = [[{json.dumps(workload.body)}]]")
    return "\n".join(lines) + "\n"


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(port: int, workload: Workload, duration: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(workload))
    try:
        out = subprocess.run(
            pinned(
                1,
                [
                    "wrk",
                    "-t2",
                    f"-c{connections}",
                    f"-d{duration}s",
                    "--latency",
                    "-s",
                    script.name,
                    f"http://127.0.0.1:{port}{workload.path}",
                ],
            ),
            capture_output=True,
            text=True,
            check=True,
            timeout=duration + 60,
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": float(errors.group(1)) if errors else 0.0}


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per workload (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--validate-responses", action="store_true", help="serve with response validation on")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("bench: wrk is missing; install it with `apt-get install wrk` (Debian's package)", file=sys.stderr)
        return 2
    port = free_port()
    process, cold = start_server(port, args.validate_responses)
    try:
        rows = []
        for workload in WORKLOADS:
            check(port, workload)
            rows.append((workload, run_wrk(port, workload, args.duration, args.connections)))
        rss = rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    mode = "with" if args.validate_responses else "without"
    print(f"mockserver, 1 worker, {mode} response validation; wrk -t2 -c{args.connections} -d{args.duration}s")
    print(f"cold start to first answer: {cold:.2f} s; RSS after the runs: {rss:.0f} MiB\n")
    print("| workload | req/s | p50 ms | p99 ms | non-2xx |")
    print("|---|---|---|---|---|")
    for workload, result in rows:
        print(
            f"| {workload.name} | {result['rps']:,.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
            f"{result['non2xx']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
