"""Application forms: drafts, edits, submission, the logged-out one-shot form, the lists."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import ALICE, BOB, PORTAL, assert_problem
from tests.portal.helpers import COMPLETE_APPLICANT, complete

START = f"{PORTAL}/profile/assessment"
PUBLIC = f"{PORTAL}/assessment"
LISTS = f"{PORTAL}/profile/assessments"

MINIMAL = {
    "listingId": 5354,
    "applicants": [
        {"firstName": "Alice", "lastName": "Thompson", "email": "alice@example.com", "phone": "07700 900123"}
    ],
}


def listed(client: TestClient, which: str = "", headers: dict[str, str] = ALICE) -> list[tuple[int, str]]:
    return [(f["id"], f["status"]) for f in client.get(f"{LISTS}{which}", headers=headers).json()["data"]]


def test_starting_a_form_saves_a_draft_with_the_documented_minimum(client: TestClient) -> None:
    response = client.put(START, headers=ALICE, json=MINIMAL)
    assert response.status_code == 201
    form = response.json()
    assert form["status"] == "draft"
    assert form["application"] is None
    assert form["listing"]["id"] == 5354
    assert form["development"]["name"] == "Meadow Park"
    assert form["formFields"]["applicants"][0]["firstName"] == "Alice"
    assert (form["id"], "draft") in listed(client, "/draft")


def test_a_draft_needs_the_minimum_fields(client: TestClient) -> None:
    body = {"listingId": 5354, "applicants": [{"firstName": "Alice", "lastName": "Thompson"}]}
    problem = assert_problem(client.put(START, headers=ALICE, json=body), 422, "validation-failed")
    assert {e["field"] for e in problem["errors"]} == {"applicants.0.email", "applicants.0.phone"}
    assert_problem(client.put(START, headers=ALICE, json={**MINIMAL, "listingId": 424242}), 404)


def test_a_draft_can_be_edited_until_it_is_submitted(client: TestClient) -> None:
    edited = {"listingId": 5354, "applicants": [{**MINIMAL["applicants"][0], "middleNames": "Jane"}]}
    response = client.put(f"{START}/201", headers=ALICE, json=edited)
    assert response.status_code == 200
    assert response.json()["formFields"]["applicants"][0]["middleNames"] == "Jane"
    assert client.get(f"{START}/201", headers=ALICE).json()["formFields"]["applicants"][0]["middleNames"] == "Jane"
    assert_problem(client.put(f"{START}/202", headers=ALICE, json=edited), 409, "conflict")


def test_submitting_converts_the_draft_and_attaches_an_application(client: TestClient) -> None:
    response = client.post(START, headers=ALICE, json={**complete(), "id": 201})
    assert response.status_code == 201
    form = response.json()
    assert (form["id"], form["status"]) == (201, "submitted")
    assert form["application"]["id"] == 102  # Alice's existing application for listing 5354
    assert listed(client, "/draft") == []
    assert listed(client, "/submitted") == [(201, "submitted"), (202, "submitted")]
    assert_problem(client.put(f"{START}/201", headers=ALICE, json=MINIMAL), 409)
    assert_problem(client.post(START, headers=ALICE, json={**complete(), "id": 201}), 409)


def test_submitting_without_an_id_submits_the_draft_for_the_same_listing(client: TestClient) -> None:
    form = client.post(START, headers=BOB, json=complete(listing=5353)).json()
    assert form["id"] == 203
    assert form["application"]["id"] == 104
    assert listed(client, headers=BOB) == [(203, "submitted")]


def test_submitting_for_a_listing_without_application_registers_one(client: TestClient) -> None:
    form = client.post(START, headers=BOB, json=complete(listing=5354)).json()
    application = form["application"]
    assert application["listing"]["id"] == 5354
    ids = [a["id"] for a in client.get(f"{PORTAL}/profile/applications", headers=BOB).json()["data"]]
    assert ids == [104, application["id"]]


def test_a_submitted_form_must_be_complete(client: TestClient) -> None:
    incomplete = {"listingId": 5354, "applicants": MINIMAL["applicants"]}
    problem = assert_problem(client.post(START, headers=ALICE, json=incomplete), 422, "validation-failed")
    assert "applicants.0.dateOfBirth" in {e["field"] for e in problem["errors"]}
    assert listed(client, "/draft") == [(201, "draft")]  # nothing changed


def test_conditional_requirements_of_the_form_are_enforced(client: TestClient) -> None:
    cases = {
        "applicants.0.employerName": complete(employerName=None),
        "applicants.0.loanBalance": complete(hasLoans=True, loanPurpose="Car", loanEndDate="2030-01-01"),
        "applicants.0.homePostcode": complete(homePostcode=None),
        "applicants.0.relationshipToHAWorker": complete(relatedToHAWorker=True),
        "applicants.0.immediateFamilyRelation": complete(immediateFamilyInLocalAuthority=True),
    }
    for field, body in cases.items():
        body["applicants"][0] = {k: v for k, v in body["applicants"][0].items() if v is not None}
        problem = assert_problem(client.post(START, headers=ALICE, json=body), 422)
        assert [e["field"] for e in problem["errors"]] == [field]
    # Not working: no employer needed.
    unemployed = complete(workingCircumstance=4)
    for name in ("employerName", "workAddressLine1", "workAddressLine2", "workPostcode", "workLocalAuthorityId"):
        unemployed["applicants"][0].pop(name)
    assert client.post(START, headers=ALICE, json=unemployed).status_code == 201


def test_dates_of_the_form_must_be_in_the_past_or_future_as_documented(client: TestClient) -> None:
    body = complete(
        dateOfBirth="2099-01-01",
        homeMoveInDate="2099-01-01",
        hasLoans=True,
        loanBalance=100,
        loanPurpose="Car",
        loanEndDate="2001-01-01",
    )
    problem = assert_problem(client.post(START, headers=ALICE, json=body), 422)
    assert {e["field"] for e in problem["errors"]} == {
        "applicants.0.dateOfBirth",
        "applicants.0.homeMoveInDate",
        "applicants.0.loanEndDate",
    }


def test_additional_applicants_must_say_whether_they_share_the_main_address(client: TestClient) -> None:
    body = complete()
    joint = {**COMPLETE_APPLICANT, "email": "sam@example.com", "firstName": "Sam"}
    for name in ("homeAddressLine1", "homeAddressLine2", "homePostcode", "homeLocalAuthorityId"):
        joint.pop(name)
    body["applicants"].append(joint)
    problem = assert_problem(client.post(START, headers=ALICE, json=body), 422)
    assert [e["field"] for e in problem["errors"]] == ["applicants.1.addressSameAsMainApplicant"]
    body["applicants"][1]["addressSameAsMainApplicant"] = True
    assert client.post(START, headers=ALICE, json=body).status_code == 201


def test_logged_out_submission_needs_no_token_and_never_saves_a_draft(client: TestClient) -> None:
    assert_problem(client.post(PUBLIC, json={"listingId": 5354, "applicants": MINIMAL["applicants"]}), 422)
    response = client.post(PUBLIC, json=complete())
    assert response.status_code == 201
    assert response.json()["status"] == "submitted"
    assert response.json()["application"]["listing"]["id"] == 5354


def test_logged_out_submission_is_attached_to_the_customer_with_that_email(client: TestClient) -> None:
    client.post(PUBLIC, json=complete(email="bob@example.com"))
    assert [status for _, status in listed(client, headers=BOB)] == ["draft", "submitted"]
    # A new e-mail registers a passwordless customer who now appears among the demo users.
    client.post(PUBLIC, json=complete(email="new.buyer@example.com"))
    users = client.get("/__admin/apis").json()["apis"][0]["auth"]["users"]
    assert any(u["email"] == "new.buyer@example.com" and u["password"] is None for u in users)


def test_forms_of_other_customers_are_not_found(client: TestClient) -> None:
    assert_problem(client.get(f"{START}/203", headers=ALICE), 404)
    assert_problem(client.put(f"{START}/203", headers=ALICE, json=MINIMAL), 404)
    assert listed(client) == [(201, "draft"), (202, "submitted")]
