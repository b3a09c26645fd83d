"""Bytes per stored record: what one more record of each API's largest created resource costs, and
what the cap (``MAX_RECORDS``) then means in MiB per table.

Usage: ``python bench/memory.py [--count 10000]``. For each resource it starts the API in-process,
makes a few untimed creates (so that compiled plans and view caches are there already), then makes
``--count`` creates through the whole ASGI app (fast path, validation, auth, handler, service,
store) and reports, after a garbage collection, the Python heap they left behind (``tracemalloc``:
the rows, their indexes and every structure that follows them, such as HomeQ's estate order), per
row of the table the cap bounds. Resident memory (RSS) grows a little more than that (allocator
overhead, dict growth in steps of two); the issue's ``make run`` measurement was 8.2 MiB per
10,000 HomeQ estates.

Clients cannot create instruction cases (the API only sets references on existing ones), so the
table stays as seeded: its row is measured as the difference between two seeded volumes. The
consumer portal keeps one upload row per product action (a re-upload replaces it), so its uploads
are bounded by the seeded actions: they are measured by uploading to as many actions as
``--count``, seeded for the purpose.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import gc
import json
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import asgi_call
from mockserver.engine.store import Table
from mockserver.settings import Settings
from mockserver.web.app import MockServer
from tests.homeq.test_inventory import DOCS_APARTMENT
from tests.portal.test_assessments import COMPLETE_APPLICANT

ANCHOR = dt.date(2026, 3, 2)
WARMUP = 50
MIB = 1024 * 1024

#: One request: method, path, headers, body.
Request = tuple[str, str, dict[str, str], bytes]

#: A complete applicant, and the apartment of HomeQ's python example: the tests' own bodies.
APPLICANT = COMPLETE_APPLICANT
APARTMENT = DOCS_APARTMENT
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def as_json(headers: dict[str, str], body: Any) -> tuple[dict[str, str], bytes]:
    return {**headers, "Content-Type": "application/json"}, json.dumps(body).encode()


def credential(server: MockServer, api: str, user: int = 0) -> dict[str, str]:
    """The headers of the API's ``user``-th demo user, as the control plane publishes them."""
    auth = server.runtime.apis[api].state.auth_description()
    found = auth["users"][user]
    token = found.get("token") or found["longLivedToken"]
    return {auth["header"]: f"{auth['prefix']} {token}" if auth.get("prefix") else token}


# -- what is created ------------------------------------------------------------------------------
def homeq_estates(server: MockServer, count: int) -> Iterator[Request]:
    admin = credential(server, "homeq")
    for n in range(count):
        headers, body = as_json(admin, {"legal_name": f"Solrosen {n}", "city": "Stockholm"})
        yield "POST", "/api/v4/estate", headers, body


def homeq_apartments(server: MockServer, count: int) -> Iterator[Request]:
    admin = credential(server, "homeq")
    for n in range(count):
        apartment = {**APARTMENT, "street_name": f"Street {n}", "landlord_object_id": f"B-{n}"}
        headers, body = as_json(admin, apartment)
        yield "POST", "/api/v4/apartment", headers, body


def portal_drafts(server: MockServer, count: int) -> Iterator[Request]:
    alice = credential(server, "portal")
    for n in range(count):
        headers, body = as_json(alice, {"listingId": 5354, "applicants": [{**APPLICANT, "lastName": f"Price {n}"}]})
        yield "PUT", "/api/rest/portal/profile/assessment", headers, body


def portal_public_forms(server: MockServer, count: int) -> Iterator[Request]:
    for n in range(count):
        applicant = {**APPLICANT, "email": f"applicant{n}@example.com"}
        headers, body = as_json({}, {"listingId": 5354, "applicants": [applicant]})
        yield "POST", "/api/rest/portal/assessment", headers, body


def consumerportal_uploads(server: MockServer, count: int) -> Iterator[Request]:
    store = server.runtime.apis["consumerportal"].state.store  # type: ignore[attr-defined]
    tokens = {c["id"]: c["token"] for c in store.consumers.all() if c.get("token")}
    owners = {d["id"]: d["consumer_id"] for d in store.dossiers.all()}
    made = 0
    for action in store.productactions.all():
        owner = owners[action["dossier_id"]]
        if action["type"] != "UPLOAD_DOCUMENTMANAGEMENT_FILE" or owner not in tokens or made == count:
            continue
        made += 1
        headers = {
            "Authorization": f"Bearer {tokens[owner]}",
            "productaction_id": action["id"],
            "is_reupload": "1" if action["is_done"] else "0",
            "filename": f"document-{made}.pdf",
            "mimetype": "application/pdf",
            "Content-Type": "application/octet-stream",
        }
        yield "POST", "/consumerportal/upload_file", headers, PDF
    if made < count:
        raise SystemExit(f"bench: only {made} upload actions seeded, {count} wanted")


@dataclasses.dataclass(frozen=True)
class Resource:
    name: str
    api: str
    #: The table whose cap bounds the resource (one row of it per create).
    table: str
    requests: Callable[[MockServer, int], Iterator[Request]]
    expect: int
    #: Seeded volume (the consumer portal's uploads need that many actions to go to).
    volume: Callable[[int], int] = lambda count: 20
    note: str = ""
    #: The share of ``--count`` made (fewer where each create costs O(rows)).
    share: float = 1.0


RESOURCES = (
    Resource("HomeQ estate", "homeq", "estates", homeq_estates, 200),
    Resource(
        "HomeQ apartment",
        "homeq",
        "apartments",
        homeq_apartments,
        201,
        note="a fifth of the count: its uniqueness check scans the table, O(rows) a create",
        share=0.2,
    ),
    Resource("portal draft form", "portal", "forms", portal_drafts, 201, note="a complete applicant"),
    Resource(
        "portal public form",
        "portal",
        "forms",
        portal_public_forms,
        201,
        note="+ a customer and an application per new e-mail",
    ),
    Resource(
        "consumer portal upload",
        "consumerportal",
        "uploads",
        consumerportal_uploads,
        200,
        volume=lambda count: (count + WARMUP) // 3 + 100,  # ~3.9 upload actions per seeded consumer
        note="one row per seeded product action at most",
    ),
)


# -- measuring ------------------------------------------------------------------------------------
async def call(app: Any, request: Request) -> tuple[int, bytes]:
    """One request straight into the ASGI ``app`` (no client, no socket: only the server's work)."""
    method, path, headers, body = request
    return await asgi_call(app, method, path, headers, body)


def table_of(server: MockServer, resource: Resource) -> Table:
    table: Table = getattr(server.runtime.apis[resource.api].state.store, resource.table)  # type: ignore[attr-defined]
    return table


async def created(resource: Resource, count: int) -> dict[str, float]:
    """Bytes the heap keeps per row after ``count`` creates of ``resource`` through the app."""
    count = max(int(count * resource.share), 1)
    settings = Settings(anchor_date=ANCHOR, apis=(resource.api,), volume=resource.volume(count))
    server = MockServer(settings)
    requests = resource.requests(server, count + WARMUP)
    for _ in range(WARMUP):
        await send_checked(server, resource, next(requests))
    table = table_of(server, resource)
    rows = len(table)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for request in requests:
        await send_checked(server, resource, request)
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {"rows": len(table) - rows, "bytes": kept / (len(table) - rows)}


async def send_checked(server: MockServer, resource: Resource, request: Request) -> None:
    status, body = await call(server, request)
    if status != resource.expect:
        raise SystemExit(f"bench: {resource.name}: {request[0]} {request[1]} answered {status}: {body[:300]!r}")


def seeded_instruction_case(count: int) -> dict[str, float]:
    """An instruction case's bytes: two seeded volumes apart (clients cannot create cases)."""

    def build(volume: int) -> tuple[int, int, MockServer]:
        gc.collect()
        tracemalloc.start()
        server = MockServer(Settings(anchor_date=ANCHOR, apis=("instruction",), volume=volume))
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return kept, len(server.runtime.apis["instruction"].state.store.instructions), server  # type: ignore[attr-defined]

    build(1)  # Faker's providers and the spec are loaded once per process: not a case's cost
    small, small_rows, _ = build(10)
    large, large_rows, _ = build(10 + count // 2)  # two cases per volume
    return {"rows": large_rows - small_rows, "bytes": (large - small) / (large_rows - small_rows)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000, help="records created per resource (default 10000)")
    parser.add_argument("--only", help="only resources whose name contains this")
    args = parser.parse_args()
    cap = Settings().max_records
    print(f"| resource | table | rows made | bytes/row | MiB at the cap ({cap:,} rows) | note |")
    print("|---|---|---|---|---|---|")

    def row(name: str, table: str, result: dict[str, float], note: str) -> None:
        at_cap = result["bytes"] * cap / MIB
        print(
            f"| {name} | {table} | {result['rows']:,.0f} | {result['bytes']:,.0f} | {at_cap:,.0f} | {note} |",
            flush=True,
        )

    for resource in RESOURCES:
        if args.only and args.only not in resource.name:
            continue
        row(resource.name, resource.table, asyncio.run(created(resource, args.count)), resource.note)
        gc.collect()
    if not args.only or args.only in "instruction case":
        row("instruction case", "instructions", seeded_instruction_case(args.count), "seeded: clients cannot create")
    return 0


if __name__ == "__main__":
    sys.exit(main())
