"""Inventory pages, the apartments' references on them and estates are remembered (``ViewCache``)
but never stale: after any write, and when the clock moves on, a page (or an estate) is what a
fresh build of it gives."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis.homeq.search import CACHED_PAGE_SIZE
from mockserver.apis.homeq.state import HomeQState

from .conftest import login
from .helpers import ADMIN, DOCS_APARTMENT

PAGES: list[dict[str, Any]] = [
    {"amount": 20},
    {"amount": 20, "type": "apartment"},
    {"amount": 20, "offset": 20, "type": "apartment"},  # to the end, where new estates' apartments come
    {"amount": 7, "offset": 5, "type": "object_ad"},
    {"amount": 10, "listing.status": "active"},
    {"amount": 10, "estate.id": 15},
]


def page(client: TestClient, headers: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    response = client.get("/api/v1/inventory", params=params, headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def fresh(state: HomeQState, params: dict[str, Any]) -> dict[str, Any]:
    """The page built now, past the caches of pages and of apartments' references (what the caches
    must agree with)."""
    state.market._apartment_refs.clear()
    state.market._estate_refs.clear()
    admin = state.store.employees.find_one(username=ADMIN)
    assert admin is not None
    caller = state.access.landlord_caller(admin)
    filters = {k: v for k, v in params.items() if k not in ("amount", "offset")}
    built: dict[str, Any] = state.search._inventory(caller, filters, params["amount"], params.get("offset", 0))
    return built


def test_a_page_read_twice_is_built_once(client: TestClient, state: HomeQState) -> None:
    admin = login(client, ADMIN)
    misses = state.search._pages.misses
    first = page(client, admin, PAGES[0])
    assert page(client, admin, PAGES[0]) == first
    assert state.search._pages.misses == misses + 1


def test_every_page_follows_random_writes(
    client: TestClient, state: HomeQState, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = state.clock.now()
    monkeypatch.setattr(state.clock, "now", lambda: moment)  # a fresh build shows the same second
    admin = login(client, ADMIN)
    rng = random.Random(7)
    apartments = [a["id"] for a in state.store.apartments.all() if a["estate"] == 15]
    estates = [15]  # where new apartments go: estate 15 or a new estate
    changed = 0
    for step in range(60):
        before = {i: page(client, admin, p) for i, p in enumerate(PAGES)}
        action = rng.choice(
            [
                "estate",
                "rename",
                "office",
                "picture",
                "apartment",
                "rent",
                "note",
                "draft",
                "delete",
                "listing",
                "nothing",
            ]
        )
        if action == "estate":
            body = {"legal_name": f"Nytt {step}", "city": "Stockholm"}
            estates.append(client.post("/api/v4/estate", json=body, headers=admin).json()["id"])
        elif action == "rename":
            renamed = client.patch("/api/v4/estate/15", json={"legal_name": f"Solrosen {step}"}, headers=admin)
            assert renamed.status_code == 200, renamed.text
        elif action == "office":  # an estate's reference names its office
            office = state.store.estates.peek(15)["office"]
            moved = client.patch(f"/api/v1/office/{office}", json={"name": f"Kontor {step}"}, headers=admin)
            assert moved.status_code == 200, moved.text
        elif action == "picture":  # the estate's view and reference show its pictures
            if state.store.media.peek(3) is not None:
                assert client.delete("/api/v1/estate/15/pictures/3", headers=admin).status_code == 204
            else:
                captioned = client.patch(
                    "/api/v1/estate/15/area_pictures/7", json={"caption": f"{step}"}, headers=admin
                )
                assert captioned.status_code == 200, captioned.text
        elif action == "apartment":
            estate_id = rng.choice(estates)
            body = {
                **DOCS_APARTMENT,
                "estate": estate_id,
                "street_number": str(step + 1),
                "landlord_object_id": f"C{step}",
            }
            created = client.post("/api/v4/apartment", json=body, headers=admin)
            assert created.status_code == 201, created.text
            apartments.append(created.json()["id"])
        elif action == "rent" and apartments:
            target = rng.choice(apartments)
            client.patch(f"/api/v4/apartment/{target}", json={"rent": rng.randint(3000, 9000)}, headers=admin)
        elif action == "note" and apartments:
            note = {"context": "R", "text": f"Anteckning {step}"}
            written = client.post(f"/api/v1/apartment/{rng.choice(apartments)}/notes", json=note, headers=admin)
            assert written.status_code == 201, written.text
        elif action == "draft" and apartments:  # the apartment's reference gets has_draft
            client.post(
                "/api/v1/object_ad", json={"apartment": rng.choice(apartments), "is_draft": True}, headers=admin
            )
        elif action == "delete" and apartments:
            client.delete(f"/api/v4/apartment/{apartments.pop(rng.randrange(len(apartments)))}", headers=admin)
        elif action == "listing":
            status = rng.choice(["paused", "active"])
            client.patch("/api/v1/object_ad/17", json={"status": status}, headers=admin)
        for i, params in enumerate(PAGES):
            after = page(client, admin, params)
            assert after == fresh(state, params), (step, action, params)
            changed += after != before[i]
        estate = client.get("/api/v4/estate/15", headers=admin).json()
        assert estate == state.inventory.views.estate(state.store.estates.peek(15), landlord=True), (step, action)
    assert changed > 20  # the writes did show on the pages


def test_a_new_estate_keeps_the_pages_of_apartments_and_listings(
    client: TestClient, state: HomeQState, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = state.clock.now()
    monkeypatch.setattr(state.clock, "now", lambda: moment)  # no page is built again for a new second
    admin = login(client, ADMIN)
    kinds = [{"amount": 20, "offset": 20, "type": kind} for kind in ("apartment", "object_ad", "estate")]
    kinds.append({"amount": 50})
    before = [page(client, admin, params) for params in kinds]
    misses = state.search._pages.misses
    created = client.post("/api/v4/estate", json={"legal_name": "Nytt", "city": "Stockholm"}, headers=admin)
    after = [page(client, admin, params) for params in kinds]
    # An estate comes without apartments and listings: only the pages that show estates change.
    assert after[:2] == before[:2]
    assert state.search._pages.misses == misses + 2
    assert after[2]["total"] == before[2]["total"] + 1
    assert after[3]["total"] == before[3]["total"] + 1
    assert after[3]["results"][-1]["identifier"] == f"estate.{created.json()['id']}"
    # Its first apartment is on the page of apartments at once.
    body = {**DOCS_APARTMENT, "estate": created.json()["id"], "landlord_object_id": "NY1"}
    apartment = client.post("/api/v4/apartment", json=body, headers=admin).json()["id"]
    last = page(client, admin, kinds[0])
    assert last["total"] == before[0]["total"] + 1
    assert last["results"][-1]["identifier"] == f"apartment.{apartment}"


def test_indexed_at_follows_the_clock(client: TestClient, state: HomeQState) -> None:
    admin = login(client, ADMIN)
    before = page(client, admin, PAGES[0])["results"][0]["indexed_at"]
    state.clock.advance(dt.timedelta(hours=1))
    try:
        after = page(client, admin, PAGES[0])["results"][0]["indexed_at"]
    finally:
        state.clock.advance(-dt.timedelta(hours=1))
    assert dt.datetime.fromisoformat(after) - dt.datetime.fromisoformat(before) >= dt.timedelta(hours=1)


def test_large_pages_are_not_kept(client: TestClient, state: HomeQState) -> None:
    admin = login(client, ADMIN)
    held = len(state.search._pages)
    page(client, admin, {"amount": CACHED_PAGE_SIZE + 1})
    assert len(state.search._pages) == held
