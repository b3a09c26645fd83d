"""Projects (with their estates, entries, location, 3D views and inventory) and requirement profiles
as HomeQ's docs describe them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.testclient import TestClient

from mockserver.apis.homeq.state import HomeQState

from .conftest import assert_error, login

ADMIN = "erik.lindberg"
LOCATION = {"city": "Uppsala", "latitude": 59.86, "longitude": 17.64, "street": "Ekgatan", "zip_code": "75320"}


def new_project(client: TestClient, headers: dict[str, str], **body: Any) -> int:
    response = client.post("/api/v1/projects", json={"name": "Kvarteret Lärkan", **body}, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def new_estate(client: TestClient, headers: dict[str, str], office: int) -> int:
    body = {"legal_name": "Lärkan 2", "city": "Uppsala", "office": office}
    response = client.post("/api/v4/estate", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


def test_a_project_is_created_at_the_selected_office_unless_one_is_given(client: TestClient) -> None:
    manager = login(client, "malin.hansson")
    project = new_project(client, manager, external_id="LARK-1")
    listed = {p["id"]: p for p in client.get("/api/v1/projects", headers=manager).json()["projects"]}
    assert listed[project]["office"] == 3
    assert listed[project]["status"] == "Not published"
    elsewhere = new_project(client, manager, office=4)
    assert client.get(f"/api/v1/projects/{elsewhere}", headers=manager).json()["office"]["id"] == 4
    only = client.get("/api/v1/projects", params={"external_id": "LARK-1"}, headers=manager).json()["projects"]
    assert [p["id"] for p in only] == [project]


def test_landlords_see_their_view_and_the_public_only_published_projects(client: TestClient) -> None:
    admin = login(client, ADMIN)
    landlord = client.get("/api/v1/projects/12", headers=admin).json()
    public = client.get("/api/v1/projects/12").json()
    assert "external_id" in landlord
    assert "viewing_notes" in landlord
    assert "external_id" not in public
    assert public["freetext_entries"]
    draft = new_project(client, admin)
    assert client.get(f"/api/v1/projects/{draft}", headers=admin).status_code == 200
    assert_error(client.get(f"/api/v1/projects/{draft}"), 404)


def test_publishing_needs_its_prerequisites_and_a_published_project_cannot_be_deleted(client: TestClient) -> None:
    admin = login(client, ADMIN)
    project = new_project(client, admin)
    assert_error(client.patch(f"/api/v1/projects/{project}", json={"published": True}, headers=admin), 412)
    client.patch(f"/api/v1/projects/{project}", json={"info_header": "Lärkan"}, headers=admin)
    assert client.put(f"/api/v1/projects/{project}/location", json=LOCATION, headers=admin).status_code == 200
    published = client.patch(f"/api/v1/projects/{project}", json={"published": True}, headers=admin)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "Published"
    assert client.get(f"/api/v1/projects/{project}").status_code == 200
    assert_error(client.delete(f"/api/v1/projects/{project}", headers=admin), 412, "ProjectPublished")


def test_an_unpublished_project_is_deleted_with_its_entries_and_its_estates_are_released(
    client: TestClient, state: HomeQState
) -> None:
    admin = login(client, ADMIN)
    project = new_project(client, admin, office=3)
    estate = new_estate(client, admin, office=3)
    assert client.post(f"/api/v1/projects/{project}/estates/{estate}", headers=admin).status_code == 204
    client.post(
        f"/api/v1/projects/{project}/freetext", json={"position": 1, "title": "A", "description": "B"}, headers=admin
    )
    assert client.delete(f"/api/v1/projects/{project}", headers=admin).status_code == 204
    assert_error(client.get(f"/api/v1/projects/{project}", headers=admin), 404)
    assert state.store.estates.get(estate)["project"] is None
    assert state.store.project_entries.find(project=project) == []


def test_estates_join_an_open_project_of_their_own_office_once(client: TestClient) -> None:
    admin = login(client, ADMIN)
    project = new_project(client, admin, office=3)
    other_office = new_estate(client, admin, office=4)
    assert_error(
        client.post(f"/api/v1/projects/{project}/estates/{other_office}", headers=admin), 412, "IllegalOfficeHierarchy"
    )
    assert_error(client.post("/api/v1/projects/12/estates/16", headers=admin), 412, "AlreadyInProject")
    estate = new_estate(client, admin, office=3)
    assert client.post(f"/api/v1/projects/{project}/estates/{estate}", headers=admin).status_code == 204
    estates = client.get(f"/api/v1/projects/{project}/estates", headers=admin).json()
    assert [e["id"] for e in estates] == [estate]
    client.patch(f"/api/v1/projects/{project}", json={"closed": True}, headers=admin)
    assert_error(client.post(f"/api/v1/projects/{project}/estates/15", headers=admin), 412, "ProjectClosed")


def test_an_estate_leaves_a_project_only_if_it_is_in_it_and_has_no_ads(client: TestClient) -> None:
    admin = login(client, ADMIN)
    assert_error(client.delete("/api/v1/projects/12/estates/15", headers=admin), 412, "NotInProject")
    created = client.post(
        "/api/v1/object_ad", json={"apartment": 13, "requirement": 13, "is_project_rental": True}, headers=admin
    )
    assert created.status_code == 201
    assert_error(client.delete("/api/v1/projects/12/estates/16", headers=admin), 412, "HasAds")
    client.delete(f"/api/v1/object_ad/{created.json()['id']}", headers=admin)
    assert client.delete("/api/v1/projects/12/estates/16", headers=admin).status_code == 204
    assert client.get("/api/v1/projects/12/estates", headers=admin).json() == []


def test_freetext_and_timeline_entries_and_the_location_are_kept(client: TestClient) -> None:
    admin = login(client, ADMIN)
    entry = client.post(
        "/api/v1/projects/12/freetext", json={"position": 0, "title": "Tvätt", "description": "Ja"}, headers=admin
    ).json()["id"]
    client.patch(f"/api/v1/projects/12/freetext/{entry}", json={"title": "Tvättstuga"}, headers=admin)
    texts = client.get("/api/v1/projects/12/freetext").json()["results"]
    assert texts[0] == {"id": entry, "position": 0, "title": "Tvättstuga", "description": "Ja"}
    step = client.post(
        "/api/v1/projects/12/timeline",
        json={"date": "2027-01-01", "title": "Byggstart", "description": "Spaden i marken"},
        headers=admin,
    )
    assert step.status_code == 201
    assert [t["title"] for t in client.get("/api/v1/projects/12/timeline").json()["results"]][-1] == "Byggstart"
    assert client.delete(f"/api/v1/projects/12/freetext/{entry}", headers=admin).status_code == 204
    assert client.put("/api/v1/projects/12/location", json=LOCATION, headers=admin).json()["city"] == "Uppsala"
    assert client.get("/api/v1/projects/12/location").json()["street"] == "Ekgatan"


def test_project_3d_views_are_added_changed_and_removed(client: TestClient) -> None:
    admin = login(client, ADMIN)
    view = client.post(
        "/api/v1/projects/12/3d_views", json={"url": "https://my.matterport.com/show/?m=x"}, headers=admin
    )
    assert view.status_code == 201, view.text
    view_id = view.json()["id"]
    assert (
        client.patch(f"/api/v1/projects/12/3d_views/{view_id}", json={"title": "Visning"}, headers=admin).status_code
        == 200
    )
    assert view_id in {v["id"] for v in client.get("/api/v1/projects/12/3d_views", headers=admin).json()["results"]}
    assert client.delete(f"/api/v1/projects/12/3d_views/{view_id}", headers=admin).status_code == 204


def test_the_project_inventory_shows_each_apartments_stage(client: TestClient, state: HomeQState) -> None:
    admin = login(client, ADMIN)

    def stage() -> dict[str, Any]:
        (entry,) = client.get("/api/v1/projects/12/inventory", headers=admin).json()["results"]
        return {"listing": entry["object_ad"] and entry["object_ad"]["status"], "snapshots": len(entry["snapshots"])}

    assert stage() == {"listing": None, "snapshots": 0}  # not rented out yet
    created = client.post(
        "/api/v1/object_ad", json={"apartment": 13, "requirement": 13, "is_project_rental": True}, headers=admin
    ).json()["id"]
    assert stage() == {"listing": "active", "snapshots": 0}  # being rented
    state.store.applications.insert(
        {
            "listing": created,
            "consumer": 9123,
            "status": "applied",
            "queue_points": 5,
            "fellow": None,
            "warrantor": None,
            "created": "2026-01-01T10:00:00Z",
        }
    )
    client.patch(f"/api/v1/object_ad/{created}", json={"status": "reserved"}, headers=admin)
    client.post(f"/api/v1/object_ad/{created}/reservation/confirm", headers=admin)
    state.clock.advance(dt.timedelta(seconds=10))
    try:
        assert stage() == {"listing": None, "snapshots": 1}  # rented, with its snapshot
    finally:
        state.clock.advance(dt.timedelta(seconds=-10))


# -- requirement profiles --------------------------------------------------------------------------
def test_requirement_profiles_are_created_read_updated_and_listed(client: TestClient) -> None:
    admin = login(client, ADMIN)
    created = client.post(
        "/api/v1/requirements", json={"name": "Student", "student": True, "rent_factor": 2.5}, headers=admin
    )
    assert created.status_code == 201, created.text
    profile = created.json()["id"]
    read = client.get(f"/api/v1/requirements/{profile}", headers=admin).json()
    assert read["student"] is True
    assert read["rent_factor"] == 2.5
    assert read["ad_count"] == 0
    assert read["rent_calculation_type"] == "RENT_FACTOR"  # the documented default
    updated = client.patch(f"/api/v1/requirements/{profile}", json={"pets": True}, headers=admin).json()
    assert updated["pets"] is True
    assert updated["student"] is True
    assert profile in {r["id"] for r in client.get("/api/v1/requirements", headers=admin).json()["requirements"]}


def test_a_benefit_apartment_is_calculated_as_money_after_rent_with_every_income(client: TestClient) -> None:
    admin = login(client, ADMIN)
    body = {"name": "Tjänstebostad", "benefit_apartment": True, "rent_calculation_type": "RENT_FACTOR"}
    profile = client.post("/api/v1/requirements", json=body, headers=admin).json()["id"]
    read = client.get(f"/api/v1/requirements/{profile}", headers=admin).json()
    assert read["rent_calculation_type"] == "MONEY_AFTER_RENT"
    assert all(value is True for key, value in read.items() if key.startswith("income_"))
    other = client.post("/api/v1/requirements", json={"name": "Vanlig"}, headers=admin).json()["id"]
    switched = client.patch(f"/api/v1/requirements/{other}", json={"benefit_apartment": True}, headers=admin).json()
    assert switched["rent_calculation_type"] == "MONEY_AFTER_RENT"


def test_ad_count_follows_the_listings_and_a_used_profile_cannot_be_deleted(client: TestClient) -> None:
    admin = login(client, ADMIN)
    before = client.get("/api/v1/requirements/13", headers=admin).json()["ad_count"]
    assert before >= 2  # listings 17 and 18
    assert_error(client.delete("/api/v1/requirements/13", headers=admin), 412, "HasAds")
    client.delete("/api/v1/object_ad/17", headers=admin)
    assert client.get("/api/v1/requirements/13", headers=admin).json()["ad_count"] == before - 1
    unused = client.post("/api/v1/requirements", json={"name": "Tom"}, headers=admin).json()["id"]
    assert client.delete(f"/api/v1/requirements/{unused}", headers=admin).status_code == 204
    assert_error(client.get(f"/api/v1/requirements/{unused}", headers=admin), 404)
