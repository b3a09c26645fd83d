"""The card search answers from its index exactly what a plain reading of the store gives, for
random searches over a varied store, and stays exact after every kind of write."""

from __future__ import annotations

import math
import random
from typing import Any

from starlette.testclient import TestClient

from mockserver.apis.homeq.cardindex import boost
from mockserver.apis.homeq.data import apartment_record, listing_record
from mockserver.apis.homeq.rules import ESTATE_DEFAULTS
from mockserver.apis.homeq.state import HomeQState
from mockserver.engine.store import Store

from .conftest import login
from .helpers import card_ids, cards

Body = dict[str, Any]
PUBLIC = ("active", "approved", "paused", "reserved")
STATUSES = (*PUBLIC, "draft", "rented", "closing", "deleted")
AMENITIES = {
    "balcony": "balcony",
    "dishwasher": "dishwasher",
    "elevator": "elevator",
    "garage": "garage",
    "handicap_friendly": "handicap_adapted",
    "washing_machine": "washing_machine",
}
SORT_KEYS = ("publish_date", "boost_value", "rent", "rooms", "area", "floor", "distance")


# -- a plain reading of the documented semantics --------------------------------------------------
def _distance(centre: tuple[float, float], lat: float, lon: float) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (centre[0], centre[1], lat, lon))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def _has(value: Any) -> bool:
    return value if isinstance(value, bool) else value not in (None, "NONE", "PREPARED", "AVAILABLE")


def _audience(requirement: Body | None) -> str:
    return next((f for f in ("senior", "student", "youth") if requirement and requirement.get(f)), "everyone")


def expected(store: Store, body: Body) -> tuple[list[int], int]:
    """The ids of the page of individual cards and the total, read record by record."""
    radius = body.get("geo_radius") or {}
    centre = (radius.get("latitude", 59.3293), radius.get("longitude", 18.0686))
    limit = float(radius["radius"].removesuffix("km")) if "radius" in radius else None
    company = body.get("company")
    hits: list[tuple[Any, int]] = []
    for listing in store.listings.all():
        status = listing["status"]
        if status not in PUBLIC or listing["is_project_rental"]:
            continue
        if status in ("paused", "reserved") and not body.get(status) and company is None:
            continue
        if not body.get(listing["candidate_sorting_mode"], True):
            continue
        if body.get("ads") and listing["id"] not in body["ads"]:
            continue
        apartment = store.apartments.get(listing["apartment"])
        assert apartment is not None
        estate = store.estates.get(apartment["estate"])
        assert estate is not None
        requirement = store.requirements.get(listing["requirement"]) if listing["requirement"] else None
        out_of_range = any(
            (body.get(f"min_{key}") is not None and apartment[field] < body[f"min_{key}"])
            or (body.get(f"max_{key}") is not None and apartment[field] > body[f"max_{key}"])
            for key, field in (("rent", "rent"), ("room", "rooms"), ("area", "area"), ("floor", "floor"))
        )
        if out_of_range or any(body.get(flag) and not _has(apartment[f]) for flag, f in AMENITIES.items()):
            continue
        if company not in (None, estate["company"]) or body.get("estate") not in (None, estate["id"]):
            continue
        if body.get("pets") and not (requirement and requirement["pets"]):
            continue
        if body.get("tags") and _audience(requirement) not in body["tags"]:
            continue
        bounds = body.get("geo_bounds")
        lat, lon = apartment["latitude"], apartment["longitude"]
        if bounds and not (bounds["min_lat"] <= lat <= bounds["max_lat"]):
            continue
        if bounds and not (bounds["min_lng"] <= lon <= bounds["max_lng"]):
            continue
        distance = _distance(centre, lat, lon)
        if limit is not None and distance > limit:
            continue
        field = body.get("sorting", "publish_date.desc").split(".")[0]
        value: Any = {
            "publish_date": listing["date_publish"] or "",
            "boost_value": boost(listing["id"]),  # a definition (a hash), not a rule
            "rent": apartment["rent"],
            "rooms": apartment["rooms"],
            "area": apartment["area"],
            "floor": apartment["floor"],
            "distance": distance,
        }[field]
        hits.append((value, listing["id"]))
    hits.sort(reverse=body.get("sorting", "publish_date.desc").endswith(".desc"))
    offset, amount = body.get("offset", 0), body.get("amount", 10000)
    return [key for _, key in hits[offset : offset + amount]], len(hits)


# -- a varied store and random searches ------------------------------------------------------------
def vary(state: HomeQState, rng: random.Random, count: int) -> None:
    """Adds ``count`` apartments with listings: random values, statuses, modes and profiles."""
    store = state.store
    template = store.apartments.get(12)
    assert template is not None
    estates = []
    for n in range(6):
        fields = {"company": 2 + n % 2, "office": 3, "legal_name": f"Var {n}", "landlord_object_id": f"V-{n}"}
        estates.append(store.estates.insert({**ESTATE_DEFAULTS, **fields, "city": "Stockholm", "created": ""})["id"])
    profiles = [None] + [
        store.requirements.insert({"company": 2, "pets": rng.random() < 0.5} | {flag: True})["id"]
        for flag in ("senior", "student", "youth", "pets")
    ]
    for n in range(count):
        apartment = {**template, "id": None, "estate": rng.choice(estates), "national_id": f"v{n}"}
        apartment.update(
            rent=rng.randrange(3000, 15000, 250),
            rooms=rng.choice([1, 1.5, 2, 3, 4, 5]),
            area=rng.randrange(20, 140),
            floor=rng.randrange(0, 12),
            latitude=59.2 + rng.random() * 0.3,
            longitude=17.9 + rng.random() * 0.3,
            landlord_object_id=f"VA-{n}",
        )
        apartment.update({field: rng.random() < 0.5 for field in AMENITIES.values()})
        apartment_id = store.apartments.insert(apartment_record(apartment))["id"]
        listing = {
            "apartment": apartment_id,
            "estate": apartment["estate"],
            "office": 3,
            "status": rng.choice(STATUSES),
            "requirement": rng.choice(profiles),
            "candidate_sorting_mode": rng.choice(["queue_points", "random", "first_come_first"]),
            "date_publish": rng.choice([None, f"2026-0{rng.randrange(1, 3)}-{rng.randrange(10, 28)}T10:00:00+00:00"]),
            "created": "",
        }
        store.listings.insert(listing_record(listing))


def random_search(rng: random.Random, listing_ids: list[int]) -> Body:
    body: Body = {"card_type": "normal"}
    if rng.random() < 0.4:
        body["min_rent" if rng.random() < 0.5 else "max_rent"] = rng.randrange(3000, 15000, 500)
    if rng.random() < 0.3:
        body["min_room"], body["max_room"] = sorted(rng.sample([1, 1.5, 2, 3, 4], 2))
    if rng.random() < 0.2:
        body["max_area"] = rng.randrange(30, 140)
    if rng.random() < 0.2:
        body["min_floor"] = rng.randrange(0, 10)
    for flag in rng.sample(list(AMENITIES), rng.choice([0, 0, 1, 2])):
        body[flag] = True
    for flag in ("paused", "reserved", "pets"):
        if rng.random() < 0.25:
            body[flag] = True
    for mode in ("queue_points", "random", "first_come_first"):
        if rng.random() < 0.15:
            body[mode] = False
    if rng.random() < 0.15:
        body["company"] = rng.choice([2, 3])
    if rng.random() < 0.2:
        body["tags"] = rng.sample(["everyone", "senior", "student", "youth"], 2)
    if rng.random() < 0.1:
        body["ads"] = rng.sample(listing_ids, 20)
    if rng.random() < 0.2:
        low, high = 59.2 + rng.random() * 0.15, 17.9 + rng.random() * 0.15
        body["geo_bounds"] = {"min_lat": low, "max_lat": low + 0.15, "min_lng": high, "max_lng": high + 0.15}
    if rng.random() < 0.2:
        body["geo_radius"] = {"latitude": 59.33, "longitude": 18.05, "radius": f"{rng.randrange(3, 15)}km"}
    body["sorting"] = f"{rng.choice(SORT_KEYS)}.{rng.choice(['asc', 'desc'])}"
    body["offset"], body["amount"] = rng.choice([0, 0, 5, 40]), rng.choice([1, 10, 50])
    return body


def check(client: TestClient, state: HomeQState, body: Body) -> None:
    found = cards(client, **body)  # first: a search runs HomeQ's background jobs (scheduled publishing)
    ids, total = expected(state.store, body)
    assert [c["id"] for c in found["results"]] == ids, body
    assert found["total_hits"] == total, body


def test_random_searches_match_a_plain_reading_of_the_store(client: TestClient, state: HomeQState) -> None:
    rng = random.Random(7)
    vary(state, rng, 600)
    listing_ids = state.store.listings.keys()
    for _ in range(150):
        check(client, state, random_search(rng, listing_ids))


def test_the_index_follows_every_write_to_the_four_tables(client: TestClient, state: HomeQState) -> None:
    rng = random.Random(11)
    vary(state, rng, 200)
    store = state.store
    bodies = [random_search(rng, store.listings.keys()) for _ in range(8)]
    for body in bodies:
        check(client, state, body)  # the index is built now; from here on it is only kept up to date
    for round_ in range(30):
        listing = rng.choice(store.listings.keys())
        apartment = rng.choice(store.apartments.keys())
        change = round_ % 6
        if change == 0:
            store.listings.update(listing, {"status": rng.choice(STATUSES)})
        elif change == 1:
            store.apartments.update(apartment, {"rent": rng.randrange(3000, 15000, 250), "balcony": rng.random() < 0.5})
        elif change == 2:
            requirement = rng.choice(store.requirements.keys())
            store.requirements.update(requirement, {"pets": rng.random() < 0.5, "student": rng.random() < 0.5})
        elif change == 3:
            store.listings.delete(listing)
        elif change == 4:
            vary(state, rng, 3)
        else:
            estate = rng.choice(store.estates.keys())
            store.estates.update(estate, {"company": rng.choice([2, 3])})
        for body in bodies:
            check(client, state, body)
    state.reset()  # a reset empties the tables: the index is rebuilt from the seeded store
    for body in bodies:
        check(client, state, body)


def test_an_apartment_rent_change_moves_its_card_between_searches(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    assert 17 in card_ids(cards(client, max_rent=7000))  # listing 17 is on apartment 12
    response = client.patch("/api/v4/apartment/12", json={"rent": 9500}, headers=admin)
    assert response.status_code == 200, response.text
    assert 17 not in card_ids(cards(client, max_rent=7000))
    assert 17 in card_ids(cards(client, min_rent=9000, max_rent=10000))
