"""HomeQ's generated data: deterministic per seed, Swedish, and valid against the spec."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from mockserver.apis.homeq.data import MOST_APPLICANTS
from mockserver.apis.homeq.state import HomeQState
from mockserver.engine.clock import Clock
from mockserver.web.app import MockServer
from tests.conftest import make_settings

from .conftest import login

ADMIN_TOKEN_ROUTES = ("/api/v1/inventory?amount=1000", "/api/v1/employees", "/api/v1/requirements")


def _snapshot(seed: int) -> list[Any]:
    server = MockServer(make_settings(apis=("homeq",), seed=seed))
    state = server.runtime.apis["homeq"].state
    assert isinstance(state, HomeQState)
    headers = {"Authorization": f"JWT {state.auth_description()['users'][0]['longLivedToken']}"}
    with TestClient(server) as client:
        responses = [client.get(route, headers=headers).json() for route in ADMIN_TOKEN_ROUTES]
    for entry in responses[0]["results"]:
        entry.pop("indexed_at", None)
        ad = entry.get("object_ad") or {}
        (ad.get("current_stats") or {}).pop("timestamp", None)
    return responses


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    seven = _snapshot(7)
    assert seven == _snapshot(7)
    assert seven != _snapshot(8)


def test_generated_records_are_swedish_and_served_valid(client: TestClient, state: HomeQState) -> None:
    headers = {"Authorization": f"JWT {state.auth_description()['users'][0]['longLivedToken']}"}
    apartments = state.store.apartments.all()
    assert len(apartments) > 5
    for apartment in apartments:
        assert re.fullmatch(r"[0-9]{5}", apartment["zip_code"])
        assert re.fullmatch(r"[1-9][0-9]*[\s]*[a-zA-ZåäöÅÄÖ]*", apartment["street_number"])
        assert re.fullmatch(r"[0-9]{4}", apartment["national_id"])
        assert 55.0 < apartment["latitude"] < 69.1
        assert 10.9 < apartment["longitude"] < 24.2
        # Response validation is on: every apartment and estate view must fit the spec.
        assert client.get(f"/api/v4/apartment/{apartment['id']}", headers=headers).status_code == 200
        assert client.get(f"/api/v4/estate/{apartment['estate']}", headers=headers).status_code == 200
    for employee in state.store.employees.all():
        assert re.fullmatch(r"(19|20)[0-9]{6}-[0-9]{4}", employee["personal_number"]) or employee["api_user"]


# -- applicants of generated listings --------------------------------------------------------------
FIXTURE_LISTINGS = (17, 18)


def generated_listings(state: HomeQState, *statuses: str) -> list[dict[str, Any]]:
    return [
        lst
        for lst in sorted(state.store.listings.all(), key=lambda lst: lst["id"])
        if lst["id"] not in FIXTURE_LISTINGS and (not statuses or lst["status"] in statuses)
    ]


def test_generated_public_listings_have_applicants_and_drafts_none(client: TestClient, state: HomeQState) -> None:
    listings = generated_listings(state)
    assert {lst["status"] for lst in listings} >= {"draft", "active", "reserved", "rented"}
    for lst in listings:
        applications = state.store.applications.find(listing=lst["id"])
        if lst["status"] == "draft":
            assert applications == []
            continue
        assert 1 <= len(applications) <= MOST_APPLICANTS
        for application in applications:
            assert set(application) == {
                "id", "listing", "consumer", "fellow", "warrantor", "queue_points", "created", "status"
            }  # fmt: skip
            assert state.store.consumers.get(application["consumer"]) is not None
            assert application["fellow"] is None or state.store.consumers.get(application["fellow"]) is not None
            assert lst["date_publish"] < application["created"] < state.clock.stamp()
        by_status = {a["status"] for a in applications}
        if lst["status"] == "reserved":
            # The candidate is the one reserving would choose: the most queue points.
            best = max(applications, key=lambda a: (a["queue_points"], -a["id"]))
            assert lst["reserved_candidate"] == best["id"]
            assert by_status <= {"reserved", "applied"}
            assert state.store.applications.get(best["id"])["status"] == "reserved"
        elif lst["status"] in ("rented", "closing"):
            (winner,) = [a for a in applications if a["status"] == "won"]
            assert by_status <= {"won", "not_offered"}
            assert lst["winner"]["id"] == winner["id"]
        else:
            assert by_status == {"applied"}


def test_generated_applicants_are_swedish_home_seekers(state: HomeQState) -> None:
    applicants = {
        a["consumer"] for lst in generated_listings(state) for a in state.store.applications.find(listing=lst["id"])
    }
    for consumer_id in applicants:
        consumer = state.store.consumers.get(consumer_id)
        assert consumer is not None
        assert re.fullmatch(r"(19|20)[0-9]{6}-[0-9]{4}", consumer["ssn"])
        assert re.fullmatch(r"[0-9]{5}", consumer["zip_code"])
        assert consumer["email"].endswith("@example.se")


def _applicants(seed: int) -> tuple[list[Any], list[Any], list[Any]]:
    settings = make_settings(apis=("homeq",), seed=seed)
    state = HomeQState(settings, Clock(settings.anchor_date))
    return state.store.applications.all(), state.store.consumers.all(), state.store.listings.all()


def test_the_same_seed_gives_the_same_applicants_and_another_seed_others() -> None:
    assert _applicants(7) == _applicants(7)
    assert _applicants(7)[:2] != _applicants(8)[:2]


def test_a_generated_reserved_listing_can_be_confirmed(client: TestClient, state: HomeQState) -> None:
    (listing, *_) = generated_listings(state, "reserved")
    candidate = state.store.applications.get(listing["reserved_candidate"])
    admin = login(client, "erik.lindberg")
    confirmed = client.post(f"/api/v1/object_ad/{listing['id']}/reservation/confirm", headers=admin)
    assert confirmed.status_code == 204, confirmed.text
    assert client.get(f"/api/v1/object_ad/{listing['id']}", headers=admin).json()["object_ad"]["status"] == "rented"
    (agreement,) = state.store.agreements.find(rental=listing["id"])
    assert agreement["consumer"] == candidate["consumer"]
    rented = client.get("/api/v1/inventory", params={"listing.status": "rented", "amount": 100}, headers=admin).json()
    (entry,) = [r for r in rented["results"] if r["object_ad"]["id"] == listing["id"]]
    assert entry["reserved_application"]["id"] == candidate["id"]


def test_a_generated_reserved_listing_can_be_rejected_and_reserved_again(client: TestClient, state: HomeQState) -> None:
    (listing, *_) = generated_listings(state, "reserved")
    candidate = listing["reserved_candidate"]
    admin = login(client, "erik.lindberg")
    reason = client.get("/api/v1/reservation/rejection_reasons", headers=admin).json()["reasons"][0]["id"]
    rejected = client.post(
        f"/api/v1/object_ad/{listing['id']}/reservation/reject", json={"reason": reason}, headers=admin
    )
    assert rejected.status_code == 204, rejected.text
    assert state.store.applications.get(candidate)["status"] == "rejected"
    assert client.get(f"/api/v1/object_ad/{listing['id']}", headers=admin).json()["object_ad"]["status"] == "active"
    # Open again: the applicant with the most queue points after the rejected one is reserved next.
    waiting = [a for a in state.store.applications.find(listing=listing["id"]) if a["status"] == "applied"]
    assert waiting, "the generated reserved listing should have more than one applicant"
    again = client.patch(f"/api/v1/object_ad/{listing['id']}", json={"status": "reserved"}, headers=admin)
    assert again.status_code == 200, again.text
    best = max(waiting, key=lambda a: (a["queue_points"], -a["id"]))
    assert state.store.listings.get(listing["id"])["reserved_candidate"] == best["id"]
