"""Company, offices, employees, existing tenants, environment reset and small helpers."""

from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.apis.homeq.state import HomeQState
from tests.homeq.conftest import assert_error, login


def test_a_landlord_sees_their_company_and_a_consumer_the_list_of_companies(
    client: TestClient, state: HomeQState
) -> None:
    company = client.get("/api/v1/company", headers=login(client, "sara.nilsson")).json()
    assert company["name"] == "Sweden Real Estate AB"
    assert company["has_fast_api_key"] is False
    consumer = {"Authorization": f"JWT {state.access.issue('consumer', 9120, None)}"}
    assert client.get("/api/v1/company", headers=consumer).json() == [{"id": 2, "name": "Sweden Real Estate AB"}]
    assert_error(client.get("/api/v1/employees", headers=consumer), 403, "PermissionDenied")


def test_company_settings_change_and_a_bad_fast_api_key_is_412(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    changed = client.patch("/api/v1/company", json={"minimum_up_time": 72, "fast_api_key": "A" * 20}, headers=admin)
    assert changed.json()["minimum_up_time"] == 72
    assert changed.json()["has_fast_api_key"] is True
    bad = client.patch("/api/v1/company", json={"fast_api_key": "short"}, headers=admin)
    assert_error(bad, 412, "InvalidFastApiKey")
    assert_error(client.patch("/api/v1/company", json={"minimum_up_time": 1}, headers=admin), 400, "ValidationError")


def test_a_new_office_gets_the_documented_defaults_below_its_parent(client: TestClient) -> None:
    manager = login(client, "malin.hansson")
    created = client.post("/api/v1/office", json={"name": "Västerås", "parent": 3}, headers=manager)
    assert created.status_code == 201
    office = client.get(f"/api/v1/office?mode=default&office_id={created.json()['id']}", headers=manager).json()[0]
    assert office["parent"] == 3
    assert (office["batch_size"], office["offer_min_response_time"], office["offer_per_ad"]) == (5, 48, 5)
    assert (office["candidate_sorting_mode"], office["contract_system"]) == ("queue_points", "manual_selection_lock")


def test_default_emails_need_an_office_email(client: TestClient) -> None:
    manager = login(client, "malin.hansson")
    body = {"name": "Gävle", "parent": 3, "default_email_for_offers": True}
    assert_error(client.post("/api/v1/office", json=body, headers=manager), 412, "OfficeEmailRequired")
    body["email"] = "gavle@example.se"
    assert client.post("/api/v1/office", json=body, headers=manager).status_code == 201
    assert_error(
        client.patch("/api/v1/office/4", json={"default_email_for_contracts": True, "email": None}, headers=manager),
        400,
        "ValidationError",
    )


def test_offices_are_a_tree_seen_from_the_callers_root_office(client: TestClient) -> None:
    manager = login(client, "malin.hansson")
    assert [o["id"] for o in client.get("/api/v1/office?mode=default", headers=manager).json()] == [3, 4]
    admin = login(client, "erik.lindberg")
    assert [o["id"] for o in client.get("/api/v1/office?mode=manage", headers=admin).json()] == [1, 3, 4, 5]
    outside = client.post("/api/v1/office", json={"name": "Borås", "parent": 5}, headers=manager)
    assert_error(outside, 403, "PermissionError")
    assert_error(client.patch("/api/v1/office/3", json={"parent": 4}, headers=admin), 412, "IllegalOfficeHierarchy")


def test_employees_are_listed_at_and_below_the_selected_office(client: TestClient) -> None:
    manager = login(client, "malin.hansson")
    listed = client.get("/api/v1/employees", headers=manager).json()["employees"]
    ids = {e["id"] for e in listed}
    assert {15, 16, 17} <= ids
    assert 10 not in ids
    assert client.patch("/api/v1/employees/15", json={"selected_office": 4}, headers=manager).status_code == 200
    narrowed = {e["id"] for e in client.get("/api/v1/employees", headers=manager).json()["employees"]}
    assert 16 in narrowed
    assert 15 not in narrowed
    assert 17 not in narrowed


def test_editing_yourself_allows_names_phone_and_selected_office_only(client: TestClient) -> None:
    employee = login(client, "johan.berg")
    own = client.patch(
        "/api/v1/employees/16", json={"first_name": "Jonas", "phone_number": "+46700000000"}, headers=employee
    )
    assert own.json()["employees"][0]["first_name"] == "Jonas"
    assert_error(client.patch("/api/v1/employees/16", json={"right_profile": 4}, headers=employee), 403)
    assert_error(client.patch("/api/v1/employees/16", json={"selected_office": 3}, headers=employee), 403)
    manager = login(client, "malin.hansson")
    assert_error(client.patch("/api/v1/employees/16", json={"first_name": "X"}, headers=manager), 403)


def test_changing_someones_root_office_resets_their_selected_office(client: TestClient) -> None:
    manager = login(client, "malin.hansson")
    client.patch("/api/v1/employees/15", json={"selected_office": 4}, headers=manager)
    admin = login(client, "erik.lindberg")
    moved = client.patch("/api/v1/employees/17", json={"root_office": 4}, headers=admin).json()["employees"][0]
    assert moved["root_office"]["id"] == moved["selected_office"]["id"] == 4


def test_an_api_user_can_log_in_with_the_credentials_it_is_given(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    created = client.post("/api/v1/employees/api_user", headers=admin)
    assert created.status_code == 201
    body = created.json()
    token = login(client, body["username"], body["password"])
    listed = client.get("/api/v1/employees", headers=token).json()["employees"]
    assert any(e["id"] == body["id"] and e["api_user"] for e in listed)


def test_existing_tenants_are_created_and_deleted_at_most_500_at_a_time(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    operations = [{"action": "create", "ssn": f"19900101-{i:04d}"} for i in range(3)]
    operations.append({"action": "delete", "ssn": "19900214-2381"})
    operations.append({"action": "delete", "ssn": "19000101-0000"})
    result = client.post("/api/v1/existing_tenants", json={"operations": operations}, headers=admin).json()
    assert result == {"created": 3, "deleted": 1}
    too_many = [{"action": "create", "ssn": str(i)} for i in range(501)]
    assert_error(client.post("/api/v1/existing_tenants", json={"operations": too_many}, headers=admin), 400)
    assert_error(
        client.post(
            "/api/v1/existing_tenants", json={"operations": operations}, headers=login(client, "malin.hansson")
        ),
        403,
    )


def test_reset_environment_removes_the_inventory_but_keeps_employees_and_requirements(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    assert client.post("/api/v1/company/reset", headers=admin).status_code == 204
    assert_error(client.get("/api/v4/estate/15", headers=admin), 404, "NotFound")
    assert_error(client.get("/api/v4/apartment/12", headers=admin), 404, "NotFound")
    assert client.get("/api/v1/inventory", headers=admin).json()["total"] == 0
    assert client.get("/api/v1/requirements/13", headers=admin).status_code == 200
    assert client.get("/api/v1/employees/15", headers=admin).status_code == 200


def test_digital_contracts_verify_by_uuid_and_the_deprecated_endpoint_answers(client: TestClient) -> None:
    verified = client.get("/api/v1/digital_contract/verify?uuid=0b6a8f6e-3c2d-4a1b-9e7f-5d3c1a2b4c6d").json()
    assert verified["is_valid"] is True
    assert verified["signatories"][0]["ssn"] == "19900214-2381"
    assert_error(client.get("/api/v1/digital_contract/verify?uuid=nope"), 404, "NotFound")
    deprecated = client.get("/api/v1/deprecation/")
    assert deprecated.status_code == 200
    assert deprecated.headers["Deprecation"] == "true"
    assert deprecated.json() == {"detail": "This endpoint is deprecated."}


def test_user_notes_belong_to_the_company(client: TestClient) -> None:
    manager = login(client, "malin.hansson")
    created = client.post("/api/v1/user_notes", json={"user_profile": 9120, "text": "Ringde."}, headers=manager)
    assert created.status_code == 201
    notes = client.get("/api/v1/user_notes?user_profile=9120", headers=manager).json()["notes"]
    assert notes[0]["text"] == "Har ringt och bekräftat inkomstuppgifterna."
    assert notes[-1]["text"] == "Ringde."
    assert notes[-1]["author"] == 15
