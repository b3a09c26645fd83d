"""In-process latency of single requests through the whole ASGI stack (no sockets, one at a time):
the quickest way to see what a change to the request path costs.

Usage: ``python bench/latency.py [--requests 400] [PATH ...]`` (portal paths, as Alice), e.g.
``python bench/latency.py /profile /profile/applications``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import median_us
from mockserver.settings import Settings
from mockserver.web.app import MockServer

ALICE = {"Authorization": "Bearer demo-alice-token"}


async def measure(paths: list[str], count: int) -> None:
    server = MockServer(Settings(anchor_date=dt.date(2026, 3, 2), apis=("portal",)))
    transport = httpx.ASGITransport(app=server)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench/api/rest/portal") as client:
        for path in paths:
            median, status = await median_us(client, "GET", path, count, warmup=20, check=False, headers=ALICE)
            print(f"{path}: median {median:,.0f} µs ({status})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("paths", nargs="*", default=["/profile", "/profile/applications"])
    args = parser.parse_args()
    asyncio.run(measure(args.paths, args.requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
