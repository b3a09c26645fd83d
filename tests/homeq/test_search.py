"""Reading the inventory, the public card search and the agreements list: every documented filter,
paging with true totals, and answers consistent with the writes just made."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from mockserver.apis.homeq.state import HomeQState

from .conftest import login
from .helpers import ADMIN, card_ids, cards


def inventory(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/inventory", params={"amount": 1000, **params}, headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def identifiers(result: dict[str, Any]) -> list[str]:
    return [r["identifier"] for r in result["results"]]


# -- inventory -------------------------------------------------------------------------------------
def test_pages_cover_the_whole_inventory_once_with_a_true_total(client: TestClient) -> None:
    admin = login(client, ADMIN)
    everything = inventory(client, admin)
    assert everything["total"] == len(everything["results"])
    paged: list[str] = []
    for offset in range(0, everything["total"], 7):
        page = inventory(client, admin, amount=7, offset=offset)
        assert page["total"] == everything["total"]
        paged += identifiers(page)
    assert paged == identifiers(everything)
    assert inventory(client, admin, amount=5, offset=everything["total"] + 3)["results"] == []


def test_each_type_and_id_filter_narrows_the_inventory(client: TestClient) -> None:
    admin = login(client, ADMIN)
    assert {r["type"] for r in inventory(client, admin, type="estate")["results"]} == {"estate"}
    assert identifiers(inventory(client, admin, **{"estate.id": 15, "type": "estate"})) == ["estate.15"]
    assert identifiers(inventory(client, admin, **{"apartment.id": 12})) == ["apartment.12", "object_ad.17"]
    assert identifiers(inventory(client, admin, **{"apartment.external_id": "123-444"})) == [
        "apartment.12",
        "object_ad.17",
    ]
    assert identifiers(inventory(client, admin, **{"estate.external_id": "EST-0016"})) == [
        "estate.16",
        "apartment.13",
    ]
    assert identifiers(inventory(client, admin, **{"project.id": 12})) == ["estate.16", "apartment.13"]
    assert "estate.16" not in identifiers(inventory(client, admin, exclude_projects=True))
    reserved = inventory(client, admin, **{"listing.status": "reserved"})
    assert "object_ad.18" in identifiers(reserved)
    assert {r["object_ad"]["status"] for r in reserved["results"]} == {"reserved"}
    entry = next(r for r in reserved["results"] if r["identifier"] == "object_ad.18")
    assert entry["reserved_application"]["id"] == 4421
    assert inventory(client, admin, **{"listing.employee.id": 15})["total"] == 0


def test_the_selected_office_or_the_root_office_scopes_the_inventory(client: TestClient) -> None:
    employee = login(client, "johan.berg")  # root and selected office 4 (Uppsala)
    ids = identifiers(inventory(client, employee, type="estate"))
    assert "estate.16" in ids
    assert "estate.15" not in ids
    manager = login(client, "malin.hansson")
    everything = inventory(client, manager, use_root_office=True)["total"]
    assert everything >= inventory(client, manager)["total"]


def test_the_inventory_shows_writes_made_a_moment_before(client: TestClient) -> None:
    admin = login(client, ADMIN)
    before = inventory(client, admin)["total"]
    estate = client.post("/api/v4/estate", json={"legal_name": "Nytt 1", "city": "Stockholm"}, headers=admin).json()
    assert inventory(client, admin)["total"] == before + 1
    assert identifiers(inventory(client, admin, **{"estate.id": estate["id"]})) == [f"estate.{estate['id']}"]
    client.patch("/api/v1/object_ad/17", json={"status": "paused"}, headers=admin)
    assert {
        r["object_ad"]["status"]
        for r in inventory(client, admin, **{"apartment.id": 12, "type": "object_ad"})["results"]
    } == {"paused"}
    client.delete(f"/api/v4/estate/{estate['id']}", headers=admin)
    assert inventory(client, admin)["total"] == before


def test_inventory_pages_and_estates_share_no_container_with_the_store(client: TestClient, state: HomeQState) -> None:
    # They are built from the stored rows without copying them: scrambling every container of an
    # answer (references, images, winners, statistics) must leave the store and the next answer as they were.
    # (Built past the view caches, whose views are shared by the requests that read them.)
    admin = state.store.employees.find_one(username=ADMIN)
    assert admin is not None
    caller = state.access.landlord_caller(admin)
    stored = copy.deepcopy(state.store.snapshot())
    reads: list[Callable[[], dict[str, Any]]] = [
        functools.partial(state.search._inventory, caller, filters, amount, 0)
        for filters in ({}, {"listing.status": "reserved"}, {"listing.status": "rented"}, {"project.id": 12})
        for amount in (20, 1000)
    ]
    estate = state.store.estates.peek(15)
    reads += [functools.partial(state.inventory.views.estate, estate, landlord) for landlord in (True, False)]
    for read in reads:
        state.market._apartment_refs.clear()
        state.market._estate_refs.clear()
        answer = read()
        assert answer.get("results") != []
        expected = copy.deepcopy(answer)
        scramble(answer)
        state.market._apartment_refs.clear()  # the scrambled references were shared from there
        state.market._estate_refs.clear()
        assert read() == expected
    assert state.store.snapshot() == stored


def scramble(value: Any) -> None:
    """Changes every dict and list inside ``value`` in place."""
    children = list(value.values()) if isinstance(value, dict) else value
    for child in children:
        if isinstance(child, dict | list):
            scramble(child)
    if isinstance(value, dict):
        value.update(dict.fromkeys(value, "scrambled"), extra=[])
    else:
        value.clear()


def test_the_references_an_inventory_page_shares_are_read_afresh_for_each_page(client: TestClient) -> None:
    admin = login(client, ADMIN)

    def entry(identifier: str) -> dict[str, Any]:
        return next(r for r in inventory(client, admin)["results"] if r["identifier"] == identifier)

    assert entry("apartment.13")["project"]["id"] == 12
    assert client.patch("/api/v1/projects/12", json={"name": "Nya Hagen"}, headers=admin).status_code == 200
    assert client.patch("/api/v1/office/3", json={"name": "Mitt"}, headers=admin).status_code == 200
    assert entry("apartment.13")["project"]["name"] == "Nya Hagen"
    assert entry("object_ad.17")["estate"]["office"] == {"id": 3, "name": "Mitt"}


# -- cards -----------------------------------------------------------------------------------------
def test_cards_need_no_credentials_and_page_with_a_true_total(client: TestClient) -> None:
    everything = cards(client)
    assert everything["total_hits"] == len(everything["results"]) > 2
    first, second = cards(client, amount=2), cards(client, amount=2, offset=2)
    assert first["total_hits"] == second["total_hits"] == everything["total_hits"]
    assert [c["id"] for c in first["results"] + second["results"]] == [c["id"] for c in everything["results"][:4]]


def test_paused_and_reserved_ads_are_shown_only_when_asked_for(client: TestClient) -> None:
    assert 18 not in card_ids(cards(client))
    assert 18 in card_ids(cards(client, reserved=True))
    admin = login(client, ADMIN)
    client.patch("/api/v1/object_ad/17", json={"status": "paused"}, headers=admin)
    assert 17 not in card_ids(cards(client))
    assert 17 in card_ids(cards(client, paused=True))


def test_range_and_amenity_filters(client: TestClient) -> None:
    hits = cards(client, min_rent=6000, max_rent=7000, min_room=1, max_room=1.5, min_area=50, max_area=60,
                 min_floor=3, max_floor=3)  # fmt: skip
    assert 17 in card_ids(hits)
    assert 17 not in card_ids(cards(client, max_rent=6000))
    assert 17 not in card_ids(cards(client, min_floor=4))
    assert 17 in card_ids(cards(client, balcony=True, dishwasher=True, elevator=True))
    assert 17 not in card_ids(cards(client, garage=True))


def test_company_estate_project_and_ads_filters(client: TestClient) -> None:
    assert 17 in card_ids(cards(client, company=2))
    assert card_ids(cards(client, company=999)) == set()
    assert card_ids(cards(client, estate=15)) == {17}
    assert card_ids(cards(client, ads=[17])) == {17}
    # Listing 18 is reserved: a company's search shows all its ads.
    assert 18 in card_ids(cards(client, company=2))


def test_tags_and_pets_follow_the_requirement_profile(client: TestClient) -> None:
    assert 17 in card_ids(cards(client, tags=["everyone"]))
    assert 17 not in card_ids(cards(client, tags=["student"]))
    assert 17 in card_ids(cards(client, pets=True))  # profile 13 allows pets


def test_rental_modes_can_be_left_out(client: TestClient) -> None:
    assert 17 in card_ids(cards(client))  # queue_points
    assert 17 not in card_ids(cards(client, queue_points=False))
    assert 17 in card_ids(cards(client, random=False, first_come_first=False))


def test_geo_bounds_and_radius(client: TestClient) -> None:
    stockholm = {"min_lat": 59.2, "max_lat": 59.5, "min_lng": 17.8, "max_lng": 18.3}
    assert 17 in card_ids(cards(client, geo_bounds=stockholm))
    assert 17 not in card_ids(cards(client, geo_bounds={**stockholm, "min_lat": 59.4}))
    near = {"latitude": 59.3342, "longitude": 18.0646, "radius": "1km"}
    assert card_ids(cards(client, geo_radius=near)) >= {17}
    far = {"latitude": 55.6, "longitude": 13.0, "radius": "50km"}  # Malmö
    assert 17 not in card_ids(cards(client, geo_radius=far))
    by_distance = cards(client, geo_radius={"latitude": 59.3342, "longitude": 18.0646}, sorting="distance.asc")
    assert by_distance["results"][0]["id"] == 17


def test_sorting_modes(client: TestClient) -> None:
    for key in ("rent", "area", "rooms"):
        values = [c[key] for c in cards(client, sorting=f"{key}.asc", card_type="normal")["results"]]
        assert values == sorted(values)
        descending = [c[key] for c in cards(client, sorting=f"{key}.desc", card_type="normal")["results"]]
        assert descending == sorted(values, reverse=True)
    boosted = cards(client, sorting="boost_value.desc", card_type="normal")["results"]
    assert [c["boost_value"] for c in boosted] == sorted((c["boost_value"] for c in boosted), reverse=True)


def test_project_cards_and_the_extended_cards_of_a_project(client: TestClient) -> None:
    assert card_ids(cards(client, card_type="projects"), "project") == {12}
    assert card_ids(cards(client, card_type="normal"), "project") == set()
    admin = login(client, ADMIN)
    created = client.post("/api/v1/object_ad", json={"apartment": 13, "requirement": 13, "is_project_rental": True},
                          headers=admin).json()["id"]  # fmt: skip
    # A project rental is shown on its project card, not as an individual card...
    assert created not in card_ids(cards(client))
    project_card = next(c for c in cards(client)["results"] if c["type"] == "project")
    assert project_card["active_ads"] == 1
    # ... and listed with the extended individual cards of the project.
    within = cards(client, project=12)
    assert card_ids(within) == {created}
    assert within["results"][0]["status"] == "Active"
    assert card_ids(cards(client, project=12, project_ads=[created + 1])) == set()


def test_pins_give_the_location_and_type_of_each_hit(client: TestClient) -> None:
    pins = cards(client, card_pin=True)
    assert pins["total_hits"] == cards(client)["total_hits"]
    assert all(set(p) == {"active_ads", "id", "location", "type"} for p in pins["results"])


# -- agreements and the static map ----------------------------------------------------------------
def test_agreements_are_filtered_and_paged(client: TestClient, state: HomeQState) -> None:
    admin = login(client, ADMIN)
    for n in range(25):
        signed = f"2025-01-{n + 1:02d}T10:00:00Z"
        record = {"company": 2, "consumer": 9121, "apartment": 14, "rental": 5000 + n, "signed": signed}
        state.store.agreements.insert({**record, "digital_contract": f"c-{n}"})
    first = client.get("/api/v1/agreements", headers=admin).json()
    assert first["total"] == 26
    assert len(first["results"]) == 20
    second = client.get("/api/v1/agreements", params={"page": 2}, headers=admin).json()
    assert len(second["results"]) == 6
    assert client.get("/api/v1/agreements", params={"apartment_id": 12}, headers=admin).json()["total"] == 1
    assert client.get("/api/v1/agreements", params={"rental_id": 5003}, headers=admin).json()["total"] == 1
    after = client.get("/api/v1/agreements", params={"signed_after": "2025-01-20"}, headers=admin).json()
    assert after["total"] == 6  # 21st to 25th January, and the fixture's
    consumer = {"Authorization": f"JWT {state.access.long_lived('consumer', 9120, None)}"}
    assert [a["id"] for a in client.get("/api/v1/agreements", headers=consumer).json()["results"]] == [881]


def test_the_static_map_is_a_real_png_and_rate_limited(client: TestClient) -> None:
    params = {"company": 2, "latitude": 59.33, "longitude": 18.06, "width": 40, "height": 20}
    response = client.get("/api/v1/static_map", params=params)
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    for _ in range(59):
        client.get("/api/v1/static_map", params=params)
    limited = client.get("/api/v1/static_map", params=params)
    assert limited.status_code == 429
    assert limited.json()["error"] == "RateLimited"


def test_a_search_without_filters_answers_like_the_filtering_one(client: TestClient) -> None:
    # `min_rent: 0` is a filter that every card passes: it must not change any answer.
    admin = login(client, ADMIN)
    client.post(
        "/api/v1/object_ad", json={"apartment": 13, "requirement": 13, "is_project_rental": True}, headers=admin
    )
    for body in (
        {},
        {"amount": 3, "offset": 2},
        {"sorting": "publish_date.asc"},
        {"sorting": "boost_value.desc", "amount": 5},
        {"paused": True, "reserved": True},
        {"card_type": "normal", "queue_points": False},
        {"card_type": "projects"},
        {"card_pin": True, "amount": 4},
    ):
        assert cards(client, **body) == cards(client, **body, min_rent=0), body
