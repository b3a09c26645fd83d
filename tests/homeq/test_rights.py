"""Right profiles and the rights each operation needs (``x-required-rights`` in the spec)."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.homeq.conftest import assert_error, login


def test_an_operation_naming_a_right_answers_403_to_a_user_without_it(client: TestClient) -> None:
    observer = login(client, "sara.nilsson")
    assert_error(client.get("/api/v1/employees", headers=observer), 403, "PermissionDenied")
    assert_error(client.get("/api/v1/apartment/12/pictures", headers=observer), 403, "PermissionDenied")
    manager = login(client, "malin.hansson")
    assert client.get("/api/v1/employees", headers=manager).status_code == 200
    assert client.get("/api/v1/apartment/12/pictures", headers=manager).status_code == 200


def test_employees_may_read_themselves_without_the_employees_right(client: TestClient) -> None:
    observer = login(client, "sara.nilsson")
    own = client.get("/api/v1/employees/17", headers=observer)
    assert own.status_code == 200
    assert own.json()["employees"][0]["right_profile"] == {"id": 1, "name": "observer"}
    assert_error(client.get("/api/v1/employees/15", headers=observer), 403, "PermissionDenied")


def test_bank_details_of_an_estate_need_their_own_right(client: TestClient) -> None:
    employee = login(client, "johan.berg")
    assert client.patch("/api/v4/estate/16", json={"estate_owner": "Eken AB"}, headers=employee).status_code == 200
    assert_error(client.patch("/api/v4/estate/16", json={"bankgiro": "1-1"}, headers=employee), 403, "PermissionDenied")
    manager = login(client, "malin.hansson")
    assert client.patch("/api/v4/estate/16", json={"bankgiro": "1-1"}, headers=manager).json()["bankgiro"] == "1-1"


def test_four_default_profiles_and_custom_ones_that_grant_what_they_list(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    profiles = client.get("/api/v1/right_profiles", headers=admin).json()["right_profiles"]
    assert [(p["id"], p["name"], p["company"]) for p in profiles[:4]] == [
        (1, "observer", None),
        (2, "employee", None),
        (3, "manager", None),
        (4, "admin", None),
    ]
    created = client.post(
        "/api/v1/right_profiles", json={"name": "Personalansvarig", "rights": ["entity.employees"]}, headers=admin
    )
    assert created.status_code == 201
    assert created.json()["company"] == 2
    profile = created.json()["id"]
    changed = client.patch("/api/v1/employees/17", json={"right_profile": profile}, headers=admin)
    assert changed.json()["employees"][0]["right_profile"]["name"] == "Personalansvarig"
    sara = login(client, "sara.nilsson")
    assert client.get("/api/v1/employees", headers=sara).status_code == 200
    assert_error(client.post("/api/v1/object_ad", json={"apartment": 13}, headers=sara), 403, "PermissionDenied")


def test_default_profiles_cannot_be_changed_and_unknown_rights_are_refused(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    body = {"name": "observer plus", "rights": ["entity.employees"]}
    assert_error(client.put("/api/v1/right_profiles/1", json=body, headers=admin), 403, "PermissionDenied")
    bad = {"name": "Hittepå", "rights": ["entity.everything"]}
    assert_error(client.post("/api/v1/right_profiles", json=bad, headers=admin), 400, "ValidationError")


def test_deleting_a_custom_profile_leaves_its_employees_without_one(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    profile = client.post("/api/v1/right_profiles", json={"name": "Tillfällig", "rights": []}, headers=admin).json()
    client.patch("/api/v1/employees/17", json={"right_profile": profile["id"]}, headers=admin)
    assert client.delete(f"/api/v1/right_profiles/{profile['id']}", headers=admin).status_code == 204
    response = client.post("/api/v2/tokens/", json={"username": "sara.nilsson", "password": "Observer-demo-2024"})
    assert_error(response, 409, "MissingRightProfile")


def test_the_rights_list_holds_every_right_the_spec_names(client: TestClient) -> None:
    rights = {r["name"] for r in client.get("/api/v1/rights", headers=login(client, "sara.nilsson")).json()["rights"]}
    assert {"entity.Apartment.update", "entity.employees", "entity.object_ad.create", "entity.organization"} <= rights


def test_a_changed_profile_changes_what_its_logged_in_employees_may_do_at_once(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    profile = client.post("/api/v1/right_profiles", json={"name": "Läsare", "rights": []}, headers=admin).json()
    client.patch("/api/v1/employees/17", json={"right_profile": profile["id"]}, headers=admin)
    sara = login(client, "sara.nilsson")
    assert_error(client.get("/api/v1/employees", headers=sara), 403, "PermissionDenied")
    body = {"name": "Läsare", "rights": ["entity.employees"]}
    assert client.put(f"/api/v1/right_profiles/{profile['id']}", json=body, headers=admin).status_code == 200
    assert client.get("/api/v1/employees", headers=sara).status_code == 200  # the same token
