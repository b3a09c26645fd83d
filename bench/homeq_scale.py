"""Does a fixed page of HomeQ's inventory and card search cost the same in a small and a large store?

Usage: ``python bench/homeq_scale.py [--sizes 1000,100000] [--requests 200]``
(``make bench-homeq-scale``). For each size it starts HomeQ in-process, adds that many apartments
(100 to an estate, in office 3 of company 2; every third one with an active listing, every 50th
with a reserved one), then times sequential requests through the full ASGI stack (validation,
auth, handler, views) with httpx' ASGI transport: the inventory's first page and a page in the
middle, narrowed inventories (one estate; reserved listings), an apartment by id, and card
searches (an estate's cards; the first page of every card).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import median_us, size_table
from mockserver.apis.homeq.data import ESTATE_DEFAULTS, apartment_record, listing_record
from mockserver.apis.homeq.state import HomeQState
from mockserver.engine.store import Store
from mockserver.settings import Settings
from mockserver.web.app import MockServer

BASE = "http://bench"
PER_ESTATE = 100


def fill(state: HomeQState, size: int) -> tuple[float, int]:
    """Adds ``size`` apartments; returns (seconds, the id of an estate in the middle)."""
    store = state.store
    started = time.perf_counter()
    with store.seeding():  # bulk data, not a client's creates: past the cap too
        middle = add_apartments(store, size)
    return time.perf_counter() - started, middle


def add_apartments(store: Store, size: int) -> int:
    """Adds ``size`` apartments (``PER_ESTATE`` to an estate of office 3, a listing for every third);
    returns the id of an estate in the middle."""
    template = store.apartments.get(12)
    assert template is not None
    middle = estate_id = 0
    for n in range(size):
        if n % PER_ESTATE == 0:
            estate = {**ESTATE_DEFAULTS, "company": 2, "office": 3, "legal_name": f"Bench {n // PER_ESTATE}"}
            estate.update({"city": "Stockholm", "landlord_object_id": f"B-{n}", "project": None, "created": ""})
            estate_id = store.estates.insert(estate)["id"]
            if n // PER_ESTATE == size // PER_ESTATE // 2:
                middle = estate_id
        apartment = apartment_record({**template, "id": None, "estate": estate_id, "national_id": str(n)})
        apartment["landlord_object_id"] = f"BA-{n}"
        apartment_id = store.apartments.insert(apartment)["id"]
        if n % 3 == 0:
            status = "reserved" if n % 50 == 0 else "active"
            record = {"apartment": apartment_id, "estate": estate_id, "office": 3, "status": status}
            record["requirement"] = 13
            store.listings.insert(listing_record({**record, "date_publish": "2026-01-01", "created": ""}))
    return middle


async def timed(client: httpx.AsyncClient, method: str, path: str, count: int, **kwargs: Any) -> float:
    """Median microseconds per request over ``count`` sequential requests (after 10 warm-up)."""
    return (await median_us(client, method, path, count, warmup=10, **kwargs))[0]


async def measure(size: int, count: int) -> dict[str, float]:
    server = MockServer(Settings(anchor_date=dt.date(2026, 3, 2), volume=20, apis=("homeq",)))
    state = server.runtime.apis["homeq"].state
    assert isinstance(state, HomeQState)
    seconds, middle = fill(state, size)
    token = state.access.long_lived("landlord", 10, 2)
    auth = {"Authorization": f"JWT {token}"}
    transport = httpx.ASGITransport(app=server)
    async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=auth) as client:
        total = (await client.get("/api/v1/inventory", params={"amount": 1})).json()["total"]
        page = {"amount": 10}
        return {
            "insert_s": seconds,
            "total": total,
            "first": await timed(client, "GET", "/api/v1/inventory", count, params=page),
            "middle": await timed(client, "GET", "/api/v1/inventory", count, params={**page, "offset": total // 2}),
            "estate": await timed(client, "GET", "/api/v1/inventory", count, params={**page, "estate.id": middle}),
            "reserved": await timed(
                client, "GET", "/api/v1/inventory", count, params={**page, "listing.status": "reserved"}
            ),
            "apartment": await timed(client, "GET", "/api/v4/apartment/12", count),
            "cards_estate": await timed(client, "POST", "/api/v3/cards/", count, json={"estate": middle, "amount": 10}),
            "cards_all": await timed(client, "POST", "/api/v3/cards/", max(count // 10, 5), json={"amount": 10}),
            "cards_rent": await timed(
                client, "POST", "/api/v3/cards/", max(count // 10, 5), json={"max_rent": 10000, "amount": 10}
            ),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,100000", help="apartments added (comma-separated)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per kind and size")
    args = parser.parse_args()
    columns = [
        ("insert s", "insert_s", ".1f"),
        ("inventory total", "total", ",.0f"),
        ("inventory page 1 µs", "first", ",.0f"),
        ("middle page µs", "middle", ",.0f"),
        ("one estate µs", "estate", ",.0f"),
        ("reserved µs", "reserved", ",.0f"),
        ("apartment by id µs", "apartment", ",.0f"),
        ("cards of an estate µs", "cards_estate", ",.0f"),
        ("cards, all (scan) µs", "cards_all", ",.0f"),
        ("cards, max_rent µs", "cards_rent", ",.0f"),
    ]
    size_table("apartments added", columns, args.sizes, lambda size: measure(size, args.requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
