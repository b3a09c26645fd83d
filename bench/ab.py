"""In-process A/B of two versions of the server in one process: the way to see what a change pays
on a machine whose speed drifts (both versions take turns, so a drift cannot take sides).

Usage: ``python bench/ab.py API [--rounds 8] [--requests 500] --pre CODE --a CODE --b CODE``.
``--pre`` runs once (imports, keeping the real function); ``--a`` and ``--b`` each switch the
code to one version, before its server is built and before each of its turns. It times every
single-request workload of ``bench/workloads.py`` for the API directly on the ASGI app (as
``bench/latency.py --direct``) and prints each one's median of medians for A and B. Example, the
instruction API's case view without and with its cache::

    python bench/ab.py instruction \\
      --pre 'import mockserver.apis.instruction.service as S; cached = S.InstructionService._view
    def plain(self, record, organisation): return self.views.instruction(record, organisation, self.clock.now())' \\
      --a 'S.InstructionService._view = plain' --b 'S.InstructionService._view = cached'

Validators are compiled once per process and shared by both servers: a change inside one is
measured by switching the function that uses it, not the compiled object.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from latency import credentials  # noqa: E402
from run import call_body, call_headers  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

from bench.timing import asgi_median_us  # noqa: E402
from mockserver.apis import APIS  # noqa: E402
from mockserver.settings import Settings  # noqa: E402
from mockserver.web.app import MockServer  # noqa: E402


async def build(api: str) -> tuple[MockServer, dict[str, str]]:
    server = MockServer(Settings(anchor_date=dt.date(2026, 3, 2), apis=(api,)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server), base_url="http://bench") as client:
        return server, await credentials(client, api)


async def compare(args: argparse.Namespace) -> None:
    scope: dict[str, Any] = {}
    exec(args.pre, scope)  # the operator's own code, as with python -c
    versions = {}
    for label in ("A", "B"):
        exec(getattr(args, label.lower()), scope)
        versions[label] = await build(args.api)
    base = APIS[args.api].base_path
    single = [w for w in WORKLOADS[args.api] if len(w.calls) == 1]
    medians: dict[tuple[str, str], list[float]] = {}
    for turn in range(args.rounds):
        for label in ("A", "B") if turn % 2 == 0 else ("B", "A"):
            exec(getattr(args, label.lower()), scope)
            server, headers = versions[label]
            for workload in single:
                (call,) = workload.calls
                body = call_body(call)
                median, _ = await asgi_median_us(
                    server,
                    call.method,
                    base + call.path,
                    args.requests,
                    warmup=20,
                    headers=call_headers(call, headers),
                    content=body.encode() if body is not None else None,
                )
                medians.setdefault((workload.name, label), []).append(median)
    for workload in single:
        a, b = (statistics.median(medians[(workload.name, label)]) for label in ("A", "B"))
        print(f"{workload.name:45s} A {a:7.1f} µs  B {b:7.1f} µs  B/A {b / a:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("api", choices=sorted(APIS))
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--pre", default="", help="code run once first")
    parser.add_argument("--a", default="", help="code that switches to version A")
    parser.add_argument("--b", default="", help="code that switches to version B")
    asyncio.run(compare(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
