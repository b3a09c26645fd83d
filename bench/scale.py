"""Does per-request time stay flat as the store grows? GET by id, a customer's list and a filtered
list, with 1k, 100k and 1M applications in the portal's store.

Usage: ``python bench/scale.py [--sizes 1000,100000,1000000] [--requests 400]``
(``make bench-scale``). For each size it starts the portal in-process, fills the store with
that many applications spread over other customers (copies of a generated one with new ids,
cheaper than Faker for a million), gives Alice a page of 20, then times sequential requests
through the full ASGI stack (validation, auth, handler, views) with httpx' ASGI transport, and
reports the memory each stored record costs (RSS growth over the insert).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gc
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import median_us, rss_kib, size_table
from mockserver.settings import Settings
from mockserver.web.app import MockServer

ALICE = {"Authorization": "Bearer demo-alice-token"}
BASE = "http://bench/api/rest/portal"


def fill(server: MockServer, size: int) -> tuple[float, float]:
    """Adds ``size`` applications of other customers; returns (seconds, bytes per record)."""
    state = server.runtime.apis["portal"].state
    store = state.store  # type: ignore[attr-defined]
    template = next(a for a in store.applications.all() if a["customerId"] != 1)
    customers = max(size // 10, 1)
    gc.collect()
    before = rss_kib()
    started = time.perf_counter()
    with store.seeding():  # bulk data, not a client's creates: past the cap too
        for n in range(size):
            record = copy.copy(template)
            record["id"] = None
            record["customerId"] = 1_000_000 + n % customers
            record["isArchived"] = n % 4 == 0
            store.applications.insert(record)
        # Alice gets a page of 20 applications at every size.
        for _ in range(20 - len(store.applications.find(customerId=1))):
            store.applications.insert({**copy.copy(template), "id": None, "customerId": 1})
    seconds = time.perf_counter() - started
    gc.collect()
    return seconds, (rss_kib() - before) * 1024 / size


async def timed(client: httpx.AsyncClient, path: str, params: dict[str, str], count: int) -> float:
    """Median microseconds per request over ``count`` sequential requests (after 20 warm-up)."""
    return (await median_us(client, "GET", path, count, warmup=20, headers=ALICE, params=params))[0]


async def measure(size: int, count: int) -> dict[str, float]:
    server = MockServer(Settings(anchor_date=dt.date(2026, 3, 2), volume=20, apis=("portal",)))
    seconds, per_record = fill(server, size)
    transport = httpx.ASGITransport(app=server)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        mine = (await client.get("/profile/applications", headers=ALICE)).json()["data"]
        one = mine[0]["id"]
        return {
            "insert_s": seconds,
            "bytes_per_record": per_record,
            "page": len(mine),
            "by_id": await timed(client, f"/profile/applications/{one}", {}, count),
            "list": await timed(client, "/profile/applications", {}, count),
            "filtered": await timed(client, "/profile/applications", {"archived": "false"}, count),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,100000,1000000", help="store sizes (comma-separated)")
    parser.add_argument("--requests", type=int, default=400, help="timed requests per kind and size")
    args = parser.parse_args()
    columns = [
        ("insert s", "insert_s", ".1f"),
        ("bytes/record", "bytes_per_record", ",.0f"),
        ("Alice's list", "page", ".0f"),
        ("GET by id µs", "by_id", ",.0f"),
        ("list µs", "list", ",.0f"),
        ("filtered µs", "filtered", ",.0f"),
    ]
    size_table("applications in store", columns, args.sizes, lambda size: measure(size, args.requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
