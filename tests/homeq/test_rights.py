"""Right profiles and the rights each operation needs (``x-required-rights`` in the spec): every write
needs one, so the observer only reads."""

from __future__ import annotations

import re
from itertools import chain
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis.homeq import API
from mockserver.apis.homeq.lookups import RIGHT_NAMES
from mockserver.apis.homeq.state import HomeQState
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


def test_the_spec_accepts_exactly_the_rights_the_list_holds(client: TestClient) -> None:
    """A right profile may only grant a listed right: the spec's ``Right`` enum says which."""
    rights = {r["name"] for r in client.get("/api/v1/rights", headers=login(client, "sara.nilsson")).json()["rights"]}
    assert set(API.spec["components"]["schemas"]["Right"]["enum"]) == rights == RIGHT_NAMES


def test_a_changed_profile_changes_what_its_logged_in_employees_may_do_at_once(client: TestClient) -> None:
    admin = login(client, "erik.lindberg")
    profile = client.post("/api/v1/right_profiles", json={"name": "Läsare", "rights": []}, headers=admin).json()
    client.patch("/api/v1/employees/17", json={"right_profile": profile["id"]}, headers=admin)
    sara = login(client, "sara.nilsson")
    assert_error(client.get("/api/v1/employees", headers=sara), 403, "PermissionDenied")
    body = {"name": "Läsare", "rights": ["entity.employees"]}
    assert client.put(f"/api/v1/right_profiles/{profile['id']}", json=body, headers=admin).status_code == 200
    assert client.get("/api/v1/employees", headers=sara).status_code == 200  # the same token


# -- every write needs a right: the observer is read-only ------------------------------------------
#: POSTs that only read (log in, verify a token, look places up, search the public cards): no right.
READS_BY_POST = {"login", "verifyToken", "estimateGeolocation", "reverseGeolocation", "searchCards"}
#: The rights the docs name for a write; every other right a write needs is the mock's inference.
DOCUMENTED_RIGHTS = {
    **dict.fromkeys(
        ("createApartmentThreeDView", "createApartmentPicture", "createApartmentVideo"),
        frozenset({"entity.Apartment.update"}),
    ),
    **dict.fromkeys(("createEstateAreaPicture", "createEstatePicture"), frozenset({"entity.estate.update"})),
    **dict.fromkeys(("createProjectThreeDView", "createProjectPicture"), frozenset({"entity.Project.update"})),
    **dict.fromkeys(("updateExistingTenants", "updateCompany"), frozenset({"entity.organization"})),
    **dict.fromkeys(("createApiUser", "updateEmployee", "deleteEmployee"), frozenset({"entity.employees"})),
    "createListing": frozenset({"entity.object_ad.create"}),
    "updateListing": frozenset({"entity.object_ad.update"}),
    "deleteListing": frozenset({"entity.object_ad.delete"}),
    "createRightProfile": frozenset({"entity.right_profile.create"}),
    "updateRightProfile": frozenset({"entity.right_profile.update"}),
    "deleteRightProfile": frozenset({"entity.right_profile.delete"}),
}
#: Path parameters of the walks: fixture records (by resource, then by name); anything else is 1.
PATH_VALUES: dict[tuple[str, str] | str, int] = {
    ("apartment", "id"): 12,
    ("estate", "id"): 15,
    ("object_ad", "id"): 17,
    ("office", "id"): 4,
    ("requirements", "id"): 13,
    ("apartment", "picture_id"): 51,
    ("estate", "picture_id"): 3,
    ("apartment", "note_id"): 301,
    ("user_notes", "note_id"): 88,
    ("estate", "estate_id"): 15,
    "apartment_id": 12,
    "estate_id": 16,
    "area_picture_id": 7,
    "object_ad_id": 18,
    "employee_id": 15,
    "right_profile_id": 999,
    "project_id": 12,
    "freetext_id": 5,
    "timeline_id": 7,
}


def _writes() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, item in API.spec["paths"].items():
        for method, operation in item.items():
            if method in ("post", "put", "patch", "delete") and operation["operationId"] not in READS_BY_POST:
                found.append((method, path, operation))
    return found


WRITES = _writes()


def _request(method: str, path: str, operation: dict[str, Any]) -> dict[str, Any]:
    """The operation's call with fixture ids and the spec's own example body (of the operation or its schema)."""
    resource = path.split("/")[3]
    url = re.sub(r"{(\w+)}", lambda m: str(PATH_VALUES.get((resource, m[1]), PATH_VALUES.get(m[1], 1))), path)
    call: dict[str, Any] = {"method": method.upper(), "url": url}
    if "requestBody" in operation:
        media = operation["requestBody"]["content"]["application/json"]
        if "example" in media:
            call["json"] = media["example"]
        elif "realistic" in media.get("examples", {}):  # beside the docs' placeholder sample
            call["json"] = media["examples"]["realistic"]["value"]
        else:
            call["json"] = API.spec["components"]["schemas"][media["schema"]["$ref"].rsplit("/", 1)[1]]["example"]
    # The example edits the caller's own selected office; only they may (a 403 for the admin too).
    if operation["operationId"] == "updateEmployee":
        call["json"] = {"phone_number": "+46709876543"}
    return call


def _records(client: TestClient) -> dict[str, int]:
    homeq = next(api for api in client.get("/__admin/apis").json()["apis"] if api["name"] == "homeq")
    records: dict[str, int] = homeq["records"]
    return records


def test_every_write_needs_a_right_and_the_ones_the_docs_do_not_name_are_marked_inferred() -> None:
    for method, path, operation in WRITES:
        where = f"{method.upper()} {path}"
        value_rights = operation.get("x-value-rights", {})
        needed = {*operation.get("x-required-rights", ()), *chain(*chain(*(v.values() for v in value_rights.values())))}
        assert needed, f"{where} needs no right"
        assert operation["responses"].get("403") or operation["responses"].get("default"), where
        inferred = set(operation.get("x-inferred-rights", ()))
        assert inferred <= needed, where
        assert needed - inferred == DOCUMENTED_RIGHTS.get(operation["operationId"], frozenset()), where
        if inferred:
            assert operation["x-inferred"] is True, where
            assert "Right inferred" in operation["x-inferred-reason"], where
            assert "Right inferred" in operation["description"], where
    for right in chain(*(op.get("x-inferred-rights", ()) for _, _, op in WRITES)):
        assert right in RIGHT_NAMES


def test_the_observer_is_read_only_every_write_answers_403_and_changes_nothing(
    client: TestClient, state: HomeQState
) -> None:
    observer = login(client, "sara.nilsson")
    before, generation = _records(client), state.store.generation
    for method, path, operation in WRITES:
        response = client.request(**_request(method, path, operation), headers=observer)
        assert_error(response, 403, "PermissionDenied")
    assert _records(client) == before
    assert state.store.generation == generation


@pytest.mark.parametrize(("method", "path", "operation"), WRITES, ids=[op["operationId"] for _, _, op in WRITES])
def test_the_admin_holds_every_right_a_write_needs(
    client: TestClient, method: str, path: str, operation: dict[str, Any]
) -> None:
    response = client.request(**_request(method, path, operation), headers=login(client, "erik.lindberg"))
    assert response.status_code != 403, response.text
    assert response.status_code < 500, response.text


def test_employees_and_managers_write_their_inventory_but_only_admins_configure_the_company(
    client: TestClient,
) -> None:
    employee, manager = login(client, "johan.berg"), login(client, "malin.hansson")
    estate = client.post("/api/v4/estate", json={"legal_name": "Eken II", "city": "Uppsala"}, headers=employee)
    assert estate.status_code == 200
    assert client.post("/api/v1/projects", json={"name": "Eken"}, headers=employee).status_code == 201
    assert_error(client.post("/api/v1/office", json={"name": "Enköping", "parent": 4}, headers=employee), 403)
    assert client.post("/api/v1/office", json={"name": "Enköping", "parent": 4}, headers=manager).status_code == 201
    for headers in (employee, manager):
        assert_error(client.post("/api/v1/requirements", json={"name": "Student"}, headers=headers), 403)
        assert_error(client.post("/api/v1/company/reset", headers=headers), 403, "PermissionDenied")


def test_a_file_reference_needs_the_right_of_what_the_file_is_for(client: TestClient, state: HomeQState) -> None:
    body = {"content_length": 10, "content_md5": "CY9rzUYh03PK3k6DJie09g==", "mime_type": "image/jpeg"}
    employee = login(client, "johan.berg")
    image = client.post("/api/v1/file_reference", json={**body, "entity_type": "apartment_image"}, headers=employee)
    assert image.status_code == 201
    logo = client.post("/api/v1/file_reference", json={**body, "entity_type": "logo_image"}, headers=employee)
    assert_error(logo, 403, "PermissionDenied")
    consumer = {"Authorization": f"JWT {state.access.issue('consumer', 9120, None)}"}
    chat = {**body, "entity_type": "conversation_file"}
    assert client.post("/api/v1/file_reference", json=chat, headers=consumer).status_code == 201
    own = client.post("/api/v1/file_reference", json={**body, "entity_type": "apartment_image"}, headers=consumer)
    assert assert_error(own, 403, "PermissionDenied")["description"] == "You are not allowed to upload this entity."
