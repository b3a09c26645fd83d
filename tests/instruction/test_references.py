"""Each party sets its own references through the TMP reference: unique, short, never read only."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import assert_problem
from tests.instruction.conftest import HOMEWARD, INSTRUCTION, KEYSTONE, NORTHGATE, VERITAS, instruction


def put_introducer(client: TestClient, reference: str, body: object, headers: dict[str, str] = HOMEWARD) -> Any:
    return client.put(f"{INSTRUCTION}/{reference}/introducerreferences", headers=headers, json=body)


def put_supplier(client: TestClient, reference: str, body: object, headers: dict[str, str] = VERITAS) -> Any:
    return client.put(f"{INSTRUCTION}/{reference}/supplierreferences", headers=headers, json=body)


def test_the_docs_payload_sets_introducer_references_and_the_look_up_finds_the_case(client: TestClient) -> None:
    response = put_introducer(
        client, "TMP110001", {"uniqueCustomerReference": "C-299AJJ", "uniqueIntegrationReference": "INT-28828"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["otherInformation"] == {
        "INTRODUCERCUSTOMERREFERENCE": "C-299AJJ",
        "INTRODUCERINTEGRATIONREFERENCE": "INT-28828",
    }
    for reference in ("C-299AJJ", "INT-28828", "c-299ajj"):
        assert instruction(client, f"introducer/{reference}", HOMEWARD)["tmpReference"] == "TMP110001"


def test_the_docs_payload_sets_supplier_references_and_the_look_up_finds_the_case(client: TestClient) -> None:
    body = {"uniqueCustomerReference": "F-300AUR", "uniqueIntegrationReference": "SUP-28828"}
    assert put_supplier(client, "TMP110004", body).status_code == 200
    for reference in ("F-300AUR", "SUP-28828"):
        assert instruction(client, f"supplier/{reference}", VERITAS)["tmpReference"] == "TMP110004"
    # The introducer does not see the supplier's references.
    assert instruction(client, "TMP110004", HOMEWARD)["otherInformation"] == {}


def test_new_references_replace_the_old_ones(client: TestClient) -> None:
    assert put_introducer(client, "TMP110002", {"uniqueCustomerReference": "HM-NEW-1"}).status_code == 200
    assert instruction(client, "introducer/HM-NEW-1", HOMEWARD)["tmpReference"] == "TMP110002"
    # Left out: removed.
    assert_problem(client.get(f"{INSTRUCTION}/introducer/HM-INT-110002", headers=HOMEWARD), 404)
    assert_problem(client.get(f"{INSTRUCTION}/introducer/HM-C-110002", headers=HOMEWARD), 404)
    cleared = put_introducer(client, "TMP110002", {"uniqueCustomerReference": None})
    assert cleared.json()["otherInformation"] == {}


def test_a_reference_used_by_another_case_is_rejected_naming_it(client: TestClient) -> None:
    response = put_introducer(client, "TMP110001", {"uniqueIntegrationReference": "hm-c-110002"})
    problem = assert_problem(response, 409, "conflict")
    assert problem["errors"] == [{"field": "uniqueIntegrationReference", "message": problem["detail"]}]
    assert "TMP110002" in problem["detail"]
    assert instruction(client, "TMP110001", HOMEWARD)["otherInformation"] == {}
    assert_problem(put_supplier(client, "TMP110004", {"uniqueCustomerReference": "VS-C-110007"}), 409, "conflict")


def test_setting_the_same_references_again_is_not_a_duplicate(client: TestClient) -> None:
    body = {"uniqueCustomerReference": "HM-C-110007", "uniqueIntegrationReference": "HM-INT-110007"}
    assert put_introducer(client, "TMP110007", body).status_code == 200
    assert put_introducer(client, "TMP110007", body).status_code == 200
    lower = {"uniqueCustomerReference": "hm-c-110007", "uniqueIntegrationReference": "hm-int-110007"}
    assert put_introducer(client, "TMP110007", lower).status_code == 200
    assert instruction(client, "introducer/HM-C-110007", HOMEWARD)["otherInformation"] == {
        "INTRODUCERCUSTOMERREFERENCE": "hm-c-110007",
        "INTRODUCERINTEGRATIONREFERENCE": "hm-int-110007",
    }


def test_a_reference_given_up_by_one_case_can_be_given_to_another(client: TestClient) -> None:
    assert put_introducer(client, "TMP110001", {"uniqueCustomerReference": "HM-C-110002"}).status_code == 409
    assert put_introducer(client, "TMP110002", {"uniqueIntegrationReference": "HM-INT-110002"}).status_code == 200
    assert put_introducer(client, "TMP110001", {"uniqueCustomerReference": "Hm-C-110002"}).status_code == 200
    assert instruction(client, "introducer/HM-C-110002", HOMEWARD)["tmpReference"] == "TMP110001"
    # And back: the look-up follows the reference, not the case it was first set on.
    assert put_introducer(client, "TMP110001", {}).status_code == 200
    assert_problem(client.get(f"{INSTRUCTION}/introducer/HM-C-110002", headers=HOMEWARD), 404, "not-found")
    assert put_introducer(client, "TMP110002", {"uniqueCustomerReference": "HM-C-110002"}).status_code == 200
    assert instruction(client, "introducer/hm-c-110002", HOMEWARD)["tmpReference"] == "TMP110002"


def test_a_reference_of_a_case_the_supplier_no_longer_sees_is_free_for_another(client: TestClient) -> None:
    # TMP110014 was cancelled after Veritas accepted it: its VS-C-110014 neither answers nor blocks.
    assert put_supplier(client, "TMP110004", {"uniqueCustomerReference": "vs-c-110014"}).status_code == 200
    assert instruction(client, "supplier/VS-C-110014", VERITAS)["tmpReference"] == "TMP110004"


def test_references_are_unique_per_organisation(client: TestClient) -> None:
    # Keystone may use a reference Homeward uses; each finds its own case.
    assert put_introducer(client, "TMP110013", {"uniqueCustomerReference": "HM-C-110002"}, KEYSTONE).status_code == 200
    assert instruction(client, "introducer/HM-C-110002", KEYSTONE)["tmpReference"] == "TMP110013"
    assert instruction(client, "introducer/HM-C-110002", HOMEWARD)["tmpReference"] == "TMP110002"


def test_a_reference_is_at_most_30_characters(client: TestClient) -> None:
    assert put_introducer(client, "TMP110001", {"uniqueCustomerReference": "A" * 30}).status_code == 200
    problem = assert_problem(put_introducer(client, "TMP110001", {"uniqueCustomerReference": "B" * 31}), 422)
    assert [e["field"] for e in problem["errors"]] == ["uniqueCustomerReference"]
    problem = assert_problem(put_supplier(client, "TMP110004", {"uniqueIntegrationReference": "C" * 31}), 422)
    assert [e["field"] for e in problem["errors"]] == ["uniqueIntegrationReference"]
    assert instruction(client, "TMP110001", HOMEWARD)["otherInformation"] == {"INTRODUCERCUSTOMERREFERENCE": "A" * 30}


@pytest.mark.parametrize("value", ["", "with space", "a/b", "..", 42])
def test_a_reference_must_be_usable_in_the_look_up_path(client: TestClient, value: object) -> None:
    response = put_introducer(client, "TMP110001", {"uniqueCustomerReference": value})
    assert_problem(response, 422, "validation-failed")


def test_references_of_a_read_only_case_cannot_change(client: TestClient) -> None:
    problem = assert_problem(put_introducer(client, "TMP110012", {"uniqueCustomerReference": "X-1"}), 409, "conflict")
    assert "read only" in problem["detail"]
    assert_problem(put_supplier(client, "TMP110012", {"uniqueCustomerReference": "X-1"}), 409, "conflict")
    assert instruction(client, "introducer/HM-C-110012", HOMEWARD)["tmpReference"] == "TMP110012"


def test_only_the_matching_role_may_set_its_references(client: TestClient) -> None:
    problem = assert_problem(put_introducer(client, "TMP110007", {}, VERITAS), 403, "forbidden")
    assert "introducer" in problem["detail"]
    assert_problem(put_supplier(client, "TMP110007", {}, HOMEWARD), 403, "forbidden")


def test_references_are_set_only_on_cases_the_caller_can_see(client: TestClient) -> None:
    assert_problem(put_introducer(client, "TMP110013", {"uniqueCustomerReference": "X-2"}), 404, "not-found")
    assert_problem(put_supplier(client, "TMP110004", {"uniqueCustomerReference": "X-2"}, NORTHGATE), 404)
    assert_problem(put_supplier(client, "TMP110014", {"uniqueCustomerReference": "X-2"}), 404, "not-found")
    assert_problem(put_introducer(client, "TMP999999", {"uniqueCustomerReference": "X-2"}), 404, "not-found")


def test_references_can_only_be_set_through_the_tmp_reference(client: TestClient) -> None:
    response = client.put(f"{INSTRUCTION}/introducer/HM-C-110002", headers=HOMEWARD, json={})
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET, HEAD"


def test_the_body_must_be_a_json_object(client: TestClient) -> None:
    assert_problem(put_introducer(client, "TMP110001", ["C-1"]), 422, "validation-failed")
    response = client.put(
        f"{INSTRUCTION}/TMP110001/introducerreferences",
        headers={**HOMEWARD, "Content-Type": "application/json"},
        content=b'{"uniqueCustomerReference": ',
    )
    assert_problem(response, 400, "bad-request")


def test_a_reset_brings_the_fixture_references_back(client: TestClient) -> None:
    assert put_introducer(client, "TMP110002", {"uniqueCustomerReference": "HM-NEW-2"}).status_code == 200
    assert client.post("/__admin/reset?api=instruction").json() == {"reset": ["instruction"]}
    assert instruction(client, "introducer/HM-C-110002", HOMEWARD)["tmpReference"] == "TMP110002"
    assert_problem(client.get(f"{INSTRUCTION}/introducer/HM-NEW-2", headers=HOMEWARD), 404, "not-found")
