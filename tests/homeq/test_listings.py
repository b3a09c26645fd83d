"""Listings (object ads) as HomeQ's docs describe them: creation rules, statuses, the rate-limited
read, deletion, and the reservation flow."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from starlette.testclient import TestClient

from mockserver.apis.homeq.listings import BACKGROUND
from mockserver.apis.homeq.state import HomeQState
from mockserver.engine.clock import parse

from .conftest import assert_error, login
from .helpers import ADMIN, DOCS_APARTMENT, card_ids, cards


def new_apartment(client: TestClient, headers: dict[str, str], estate: int = 15, number: str = "9") -> int:
    body = {**DOCS_APARTMENT, "estate": estate, "street_name": "Testgatan", "street_number": number}
    body["national_id"] = f"18{number.zfill(2)}"
    response = client.post("/api/v4/apartment", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def create(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/v1/object_ad", json=body, headers=headers)


def listing(client: TestClient, headers: dict[str, str], listing_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/object_ad/{listing_id}", headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["object_ad"]
    return found


def tomorrow(state: HomeQState) -> str:
    return (state.clock.today() + dt.timedelta(days=1)).isoformat()


@contextlib.contextmanager
def later(state: HomeQState, delta: dt.timedelta) -> Iterator[None]:
    """The mock's clock moved on by ``delta`` (and back afterwards: the server outlives the test)."""
    state.clock.advance(delta)
    try:
        yield
    finally:
        state.clock.advance(-delta)


def inventory_statuses(client: TestClient, headers: dict[str, str], **params: Any) -> dict[int, str]:
    response = client.get("/api/v1/inventory", params={"type": "object_ad", "amount": 500, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return {r["object_ad"]["id"]: r["object_ad"]["status"] for r in response.json()["results"]}


def test_a_listing_without_a_publish_date_is_active_at_once(client: TestClient) -> None:
    admin = login(client, ADMIN)
    apartment = new_apartment(client, admin)
    created = create(client, admin, apartment=apartment, requirement=13)
    assert created.status_code == 201, created.text
    assert listing(client, admin, created.json()["id"])["status"] == "active"


def test_a_past_publish_date_publishes_at_once_and_a_future_one_schedules(
    client: TestClient, state: HomeQState
) -> None:
    admin = login(client, ADMIN)
    past = create(
        client, admin, apartment=new_apartment(client, admin, number="1"), requirement=13, date_publish="2020-01-01"
    )
    assert listing(client, admin, past.json()["id"])["status"] == "active"
    future = create(
        client, admin, apartment=new_apartment(client, admin, number="2"), requirement=13, date_publish=tomorrow(state)
    )
    scheduled = listing(client, admin, future.json()["id"])
    assert scheduled["status"] == "approved"
    assert scheduled["date_publish"] == f"{tomorrow(state)}T00:00:00Z"


def test_a_draft_is_not_published_and_needs_no_requirement(client: TestClient) -> None:
    admin = login(client, ADMIN)
    created = create(client, admin, apartment=new_apartment(client, admin), is_draft=True)
    assert created.status_code == 201, created.text
    ad = listing(client, admin, created.json()["id"])
    assert ad["status"] == "draft"
    assert ad["date_publish"] is None
    # Published later, it needs its requirement profile first.
    patch = client.patch(f"/api/v1/object_ad/{ad['id']}", json={"status": "active"}, headers=admin)
    assert_error(patch, 412, "MissingRequirement")
    patch = client.patch(f"/api/v1/object_ad/{ad['id']}", json={"status": "active", "requirement": 13}, headers=admin)
    assert patch.status_code == 200, patch.text
    assert patch.json()["object_ad"]["status"] == "active"


def test_a_published_listing_needs_a_requirement_of_the_callers_company(client: TestClient) -> None:
    admin = login(client, ADMIN)
    apartment = new_apartment(client, admin)
    assert_error(create(client, admin, apartment=apartment), 412, "MissingRequirement")
    assert_error(create(client, admin, apartment=apartment, requirement=99999), 412, "MissingRequirement")


def test_one_listing_per_apartment(client: TestClient) -> None:
    admin = login(client, ADMIN)
    assert_error(create(client, admin, apartment=12, requirement=13), 412, "ApartmentHasAd")


def test_contract_system_needs_the_advanced_right(client: TestClient) -> None:
    employee = login(client, "johan.berg")
    admin = login(client, ADMIN)
    apartment = new_apartment(client, admin, estate=16, number="3")
    body = {"apartment": apartment, "requirement": 13, "contract_system": "automatic"}
    assert_error(create(client, employee, **body), 403, "PermissionDenied")
    assert create(client, admin, **body).status_code == 201


def test_an_apartment_outside_the_callers_offices_is_refused(client: TestClient) -> None:
    employee = login(client, "johan.berg")  # Uppsala only: apartment 12 is in Stockholm (office 3)
    assert_error(create(client, employee, apartment=12, requirement=13), 403, "PermissionError")


def test_a_project_rental_needs_a_linked_and_active_project(client: TestClient) -> None:
    admin = login(client, ADMIN)
    outside = new_apartment(client, admin, estate=15, number="4")
    assert_error(
        create(client, admin, apartment=outside, requirement=13, is_project_rental=True), 412, "NoLinkedProject"
    )
    # Apartment 13 is in estate 16 of the published project 12.
    created = create(client, admin, apartment=13, requirement=13, is_project_rental=True)
    assert created.status_code == 201, created.text
    client.delete(f"/api/v1/object_ad/{created.json()['id']}", headers=admin)
    closed = client.patch("/api/v1/projects/12", json={"closed": True}, headers=admin)
    assert closed.status_code == 200, closed.text
    assert_error(create(client, admin, apartment=13, requirement=13, is_project_rental=True), 412, "ProjectNotActive")


def test_a_project_rental_takes_the_projects_configuration(client: TestClient) -> None:
    admin = login(client, ADMIN)
    client.patch("/api/v1/projects/12", json={"candidate_sorting_mode": "random"}, headers=admin)
    created = create(client, admin, apartment=13, requirement=13, is_project_rental=True)
    detail = client.get(f"/api/v1/object_ad/{created.json()['id']}", headers=admin).json()
    assert detail["object_ad"]["candidate_sorting_mode"] == "random"
    assert detail["project"]["id"] == 12


def test_status_changes_follow_the_documented_states(client: TestClient) -> None:
    admin = login(client, ADMIN)
    paused = client.patch("/api/v1/object_ad/17", json={"status": "paused"}, headers=admin)
    assert paused.json()["object_ad"]["status"] == "paused"
    active = client.patch("/api/v1/object_ad/17", json={"status": "active"}, headers=admin)
    assert active.json()["object_ad"]["status"] == "active"
    assert_error(client.patch("/api/v1/object_ad/17", json={"status": "rented"}, headers=admin), 412, "InvalidStatus")
    assert_error(client.patch("/api/v1/object_ad/17", json={"status": "deleted"}, headers=admin), 412, "InvalidStatus")
    assert_error(
        client.patch("/api/v1/object_ad/17", json={"requirement": None}, headers=admin), 412, "MissingRequirement"
    )


def test_the_listing_read_allows_60_requests_a_minute_per_user(client: TestClient) -> None:
    admin = login(client, ADMIN)
    for _ in range(60):
        assert client.get("/api/v1/object_ad/17", headers=admin).status_code == 200
    limited = client.get("/api/v1/object_ad/17", headers=admin)
    assert_error(limited, 429, "RateLimited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    # Another user has their own budget.
    assert client.get("/api/v1/object_ad/17", headers=login(client, "malin.hansson")).status_code == 200


def test_deleting_marks_deleted_removes_applications_and_the_listing_disappears(
    client: TestClient, state: HomeQState
) -> None:
    admin = login(client, ADMIN)
    assert state.store.applications.count(listing=17) == 3
    assert client.delete("/api/v1/object_ad/17", headers=admin).status_code == 204
    assert state.store.applications.count(listing=17) == 0
    assert_error(client.get("/api/v1/object_ad/17", headers=admin), 404)
    assert inventory_statuses(client, admin, **{"listing.status": "deleted"}) == {17: "deleted"}
    # The apartment is free for a new listing at once.
    assert create(client, admin, apartment=12, requirement=13).status_code == 201
    state.clock.advance(dt.timedelta(seconds=10))
    try:
        assert inventory_statuses(client, admin, **{"listing.status": "deleted"}) == {}
        assert state.store.listings.get(17) is None
    finally:
        state.clock.advance(dt.timedelta(seconds=-10))


def test_only_approved_active_draft_or_paused_listings_can_be_deleted(client: TestClient) -> None:
    admin = login(client, ADMIN)
    assert_error(client.delete("/api/v1/object_ad/18", headers=admin), 412, "InvalidStatus")  # reserved
    assert_error(client.delete("/api/v1/object_ad/999999", headers=admin), 412, "NoSuchObjectAd")


def test_rejection_reasons_are_listed(client: TestClient) -> None:
    admin = login(client, ADMIN)
    reasons = client.get("/api/v1/reservation/rejection_reasons", headers=admin).json()["reasons"]
    assert reasons
    assert all(set(r) == {"id", "description"} for r in reasons)


def test_confirming_the_reserved_candidate_rents_the_listing_and_then_closes_it(
    client: TestClient, state: HomeQState
) -> None:
    admin = login(client, ADMIN)
    before = len(state.store.agreements.all())
    assert client.post("/api/v1/object_ad/18/reservation/confirm", headers=admin).status_code == 204
    assert listing(client, admin, 18)["status"] == "rented"
    agreements = state.store.agreements.find(apartment=14)
    assert len(state.store.agreements.all()) == before + 1
    assert agreements[0]["consumer"] == 9121
    rented = client.get("/api/v1/inventory", params={"listing.status": "rented"}, headers=admin).json()["results"]
    assert rented[0]["reserved_application"]["id"] == 4421
    state.clock.advance(dt.timedelta(seconds=10))
    try:
        assert listing(client, admin, 18)["status"] == "closing"
    finally:
        state.clock.advance(dt.timedelta(seconds=-10))
    assert_error(client.post("/api/v1/object_ad/18/reservation/confirm", headers=admin), 412, "InvalidStatus")


def test_rejecting_the_reserved_candidate_reopens_the_listing(client: TestClient, state: HomeQState) -> None:
    admin = login(client, ADMIN)
    reason = client.get("/api/v1/reservation/rejection_reasons", headers=admin).json()["reasons"][0]["id"]
    rejected = client.post("/api/v1/object_ad/18/reservation/reject", json={"reason": reason}, headers=admin)
    assert rejected.status_code == 204, rejected.text
    assert listing(client, admin, 18)["status"] == "active"
    assert state.store.applications.get(4421)["status"] == "rejected"
    # Open again: the next candidate (4422) can be reserved.
    again = client.patch("/api/v1/object_ad/18", json={"status": "reserved"}, headers=admin)
    assert again.json()["object_ad"]["status"] == "reserved"
    assert state.store.listings.get(18)["reserved_candidate"] == 4422


def test_rejecting_needs_a_known_reason(client: TestClient) -> None:
    admin = login(client, ADMIN)
    assert_error(client.post("/api/v1/object_ad/18/reservation/reject", json={"reason": 98765}, headers=admin), 404)


def test_reserving_picks_the_applicant_with_most_queue_points(client: TestClient, state: HomeQState) -> None:
    admin = login(client, ADMIN)
    reserved = client.patch("/api/v1/object_ad/17", json={"status": "reserved"}, headers=admin)
    assert reserved.status_code == 200, reserved.text
    assert state.store.listings.get(17)["reserved_candidate"] == 4412


def test_reserving_without_applicants_is_refused(client: TestClient) -> None:
    admin = login(client, ADMIN)
    created = create(client, admin, apartment=new_apartment(client, admin), requirement=13)
    patch = client.patch(f"/api/v1/object_ad/{created.json()['id']}", json={"status": "reserved"}, headers=admin)
    assert_error(patch, 412, "NoApplicants")


# -- scheduled publishing (approved → publishing → active) ------------------------------------------
def scheduled(client: TestClient, headers: dict[str, str], state: HomeQState, number: str, **body: Any) -> int:
    apartment = new_apartment(client, headers, number=number)
    created = create(client, headers, apartment=apartment, requirement=13, date_publish=tomorrow(state), **body)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def until_tomorrow(state: HomeQState) -> dt.timedelta:
    midnight = dt.datetime.combine(state.clock.today() + dt.timedelta(days=1), dt.time(0, 0), dt.UTC)
    return midnight - state.clock.now()


def test_on_its_date_a_scheduled_listing_is_publishing_and_active_a_few_seconds_later(
    client: TestClient, state: HomeQState
) -> None:
    admin = login(client, ADMIN)
    ad = scheduled(client, admin, state, "5")
    date = tomorrow(state)
    with later(state, until_tomorrow(state) - dt.timedelta(minutes=1)):
        assert listing(client, login(client, ADMIN), ad)["status"] == "approved"
    with later(state, until_tomorrow(state)):
        admin = login(client, ADMIN)
        assert listing(client, admin, ad)["status"] == "publishing"
        assert inventory_statuses(client, admin, **{"listing.status": "publishing"}) == {ad: "publishing"}
        # The moment it entered publishing is kept; the background job finishes BACKGROUND after it.
        entered = parse(state.store.listings.get(ad)["publishing_at"])
        assert dt.timedelta(0) <= state.clock.now() - entered <= dt.timedelta(seconds=2)
        with later(state, BACKGROUND / 2):
            assert listing(client, admin, ad)["status"] == "publishing"
        with later(state, BACKGROUND):
            published = listing(client, admin, ad)
            assert published["status"] == "active"
            assert published["date_publish"] == f"{date}T00:00:00Z"


def test_the_background_jobs_see_a_listing_changed_in_the_store_without_the_services(
    client: TestClient, state: HomeQState
) -> None:
    # The jobs skip calls until their next due moment; any write to the listings brings it forward,
    # one the services make or one straight into the store (as the control plane's fault modes do).
    admin = login(client, ADMIN)
    assert inventory_statuses(client, admin, **{"apartment.id": 12})[17] == "active"
    state.store.listings.update(17, {"status": "approved", "date_publish": "2020-01-01"})
    assert inventory_statuses(client, admin, **{"apartment.id": 12})[17] == "publishing"
    with later(state, BACKGROUND * 2):
        assert inventory_statuses(client, admin, **{"apartment.id": 12})[17] == "active"


def test_a_scheduled_listing_can_be_deleted_but_not_one_being_published(client: TestClient, state: HomeQState) -> None:
    admin = login(client, ADMIN)
    first, second = scheduled(client, admin, state, "5"), scheduled(client, admin, state, "6")
    assert client.delete(f"/api/v1/object_ad/{first}", headers=admin).status_code == 204
    with later(state, until_tomorrow(state)):
        admin = login(client, ADMIN)
        assert listing(client, admin, second)["status"] == "publishing"
        assert_error(client.delete(f"/api/v1/object_ad/{second}", headers=admin), 412, "InvalidStatus")


def test_the_card_search_shows_a_scheduled_listing_as_approved(client: TestClient, state: HomeQState) -> None:
    admin = login(client, ADMIN)
    ad = scheduled(client, admin, state, "5")
    assert card_ids(cards(client, ads=[ad])) == {ad}
    # Apartment 13 is in project 12: its extended card says the status.
    body = {"apartment": 13, "requirement": 13, "is_project_rental": True, "date_publish": tomorrow(state)}
    project_ad = client.post("/api/v1/object_ad", json=body, headers=admin).json()["id"]
    (card,) = cards(client, project=12)["results"]
    assert (card["id"], card["status"]) == (project_ad, "Approved")


def test_a_draft_with_a_future_date_is_scheduled_when_published(client: TestClient, state: HomeQState) -> None:
    admin = login(client, ADMIN)
    apartment = new_apartment(client, admin, number="5")
    draft = create(client, admin, apartment=apartment, is_draft=True, date_publish=tomorrow(state)).json()["id"]
    assert listing(client, admin, draft)["status"] == "draft"
    for target in ("active", "approved"):  # publishing by either status follows the date
        patch = client.patch(f"/api/v1/object_ad/{draft}", json={"status": target, "requirement": 13}, headers=admin)
        assert patch.status_code == 200, patch.text
        assert patch.json()["object_ad"]["status"] == "approved"
        back = client.patch(f"/api/v1/object_ad/{draft}", json={"status": "draft"}, headers=admin)
        assert back.json()["object_ad"]["status"] == "draft"
        assert back.json()["object_ad"]["date_publish"] == f"{tomorrow(state)}T00:00:00Z"  # kept for later
    # Without a future date, publishing makes it active at once.
    now = client.patch(
        f"/api/v1/object_ad/{draft}", json={"status": "approved", "date_publish": "2020-01-01"}, headers=admin
    )
    assert now.json()["object_ad"]["status"] == "active"


def test_a_scheduled_listing_is_published_now_with_active_or_moved_by_a_new_date(
    client: TestClient, state: HomeQState
) -> None:
    admin = login(client, ADMIN)
    ad = scheduled(client, admin, state, "5")
    later_date = (state.clock.today() + dt.timedelta(days=5)).isoformat()
    moved = client.patch(f"/api/v1/object_ad/{ad}", json={"date_publish": later_date}, headers=admin)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["object_ad"]["status"], moved.json()["object_ad"]["date_publish"]) == (
        "approved",
        f"{later_date}T00:00:00Z",
    )
    past = client.patch(f"/api/v1/object_ad/{ad}", json={"date_publish": "2020-01-01"}, headers=admin)
    assert past.json()["object_ad"]["status"] == "active"
    other = scheduled(client, admin, state, "6")
    now = client.patch(f"/api/v1/object_ad/{other}", json={"status": "active"}, headers=admin)
    assert now.json()["object_ad"]["status"] == "active"
    published = parse(now.json()["object_ad"]["date_publish"])
    assert dt.timedelta(0) <= state.clock.now() - published <= dt.timedelta(seconds=2)


def test_a_scheduled_or_publishing_listing_is_not_paused_or_reserved(client: TestClient, state: HomeQState) -> None:
    admin = login(client, ADMIN)
    ad = scheduled(client, admin, state, "5")
    for target in ("paused", "reserved", "publishing"):
        patch = client.patch(f"/api/v1/object_ad/{ad}", json={"status": target}, headers=admin)
        assert_error(patch, 412, "InvalidStatus")
    with later(state, until_tomorrow(state)):
        admin = login(client, ADMIN)
        for target in ("draft", "active", "paused", "closing"):
            patch = client.patch(f"/api/v1/object_ad/{ad}", json={"status": target}, headers=admin)
            assert_error(patch, 412, "InvalidStatus")
