"""Applications: filters, detail with customer, write-through updates, eligibility, archiving."""

from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.web.app import MockServer
from tests.conftest import ALICE, BOB, PORTAL, assert_problem

APPLICATIONS = f"{PORTAL}/profile/applications"


def listed(client: TestClient, query: str = "") -> list[int]:
    return [a["id"] for a in client.get(f"{APPLICATIONS}{query}", headers=ALICE).json()["data"]]


def test_archived_filter_selects_archived_active_or_all(client: TestClient) -> None:
    assert listed(client) == [101, 102, 103]
    assert listed(client, "?archived=1") == listed(client, "?archived=true") == [103]
    assert listed(client, "?archived=0") == listed(client, "?archived=false") == [101, 102]
    assert_problem(client.get(f"{APPLICATIONS}?archived=maybe", headers=ALICE), 400, "bad-request")


def test_single_application_includes_the_customer_but_list_items_do_not(client: TestClient) -> None:
    items = client.get(APPLICATIONS, headers=ALICE).json()["data"]
    assert all("customer" not in item for item in items)
    detail = client.get(f"{APPLICATIONS}/101", headers=ALICE).json()
    assert detail["customer"]["email"] == "alice@example.com"
    assert detail["property"]["plotNumber"] == "12"


def test_applications_of_other_customers_are_not_found(client: TestClient) -> None:
    assert_problem(client.get(f"{APPLICATIONS}/104", headers=ALICE), 404, "not-found")
    assert_problem(client.put(f"{APPLICATIONS}/104", headers=ALICE, json={}), 404)
    assert [a["id"] for a in client.get(APPLICATIONS, headers=BOB).json()["data"]] == [104]


def test_updating_an_application_writes_customer_fields_through_to_the_profile(client: TestClient) -> None:
    response = client.put(
        f"{APPLICATIONS}/102", headers=ALICE, json={"additionalInfo": "Need parking", "occupation": "Architect"}
    )
    assert response.status_code == 200
    assert response.json()["additionalInfo"] == "Need parking"
    assert response.json()["customer"]["occupation"] == "Architect"
    assert client.get(f"{PORTAL}/profile", headers=ALICE).json()["occupation"] == "Architect"


def test_validate_eligibility_makes_the_eligibility_fields_mandatory(client: TestClient) -> None:
    url = f"{APPLICATIONS}/104?validate_eligibility=1"
    problem = assert_problem(client.put(url, headers=BOB, json={"deposit": 5000}), 422, "validation-failed")
    assert {e["field"] for e in problem["errors"]} == {
        "annualHouseholdIncome",
        "eligibleCitizen",
        "homeOwnershipStatus",
        "livingCircumstance",
        "workingCircumstance",
    }
    # Without the flag the same body is accepted and eligibility is assessed from the profile.
    ok = client.put(f"{APPLICATIONS}/104", headers=BOB, json={"deposit": 5000})
    assert ok.status_code == 200
    assert ok.json()["eligibilityStatus"] == "passed"  # Bob's profile now has every field


def test_eligibility_follows_the_customer_data(client: TestClient) -> None:
    failed = client.put(f"{APPLICATIONS}/101", headers=ALICE, json={"annualHouseholdIncome": 150000})
    assert failed.json()["eligibilityStatus"] == "failed"  # above the listing's income cap
    considered = client.put(
        f"{APPLICATIONS}/101", headers=ALICE, json={"annualHouseholdIncome": 50000, "homeOwnershipStatus": 4}
    )
    assert considered.json()["eligibilityStatus"] == "considered"
    incomplete = client.put(f"{APPLICATIONS}/101", headers=ALICE, json={"deposit": None})
    assert incomplete.json()["eligibilityStatus"] == "incomplete"


def test_application_utm_is_stored_only_when_its_utm_fields_are_empty(client: TestClient, server: MockServer) -> None:
    applications = server.runtime.apis["portal"].state.store.applications  # type: ignore[attr-defined]
    client.put(f"{APPLICATIONS}/102", headers=ALICE, json={"utmSource": "facebook"})
    client.put(f"{APPLICATIONS}/102", headers=ALICE, json={"utmSource": "google", "utmMedium": "cpc"})
    assert applications.get(102)["utm"]["utmSource"] == "facebook"
    assert applications.get(102)["utm"]["utmMedium"] is None


def test_archiving_is_one_way_and_cancels_upcoming_confirmed_appointments(client: TestClient) -> None:
    before = client.get(f"{APPLICATIONS}/101", headers=ALICE).json()
    assert before["appointments"][0]["status"] == "confirmed"
    assert before["nextAppointmentDateTime"] == before["appointments"][0]["dateTime"]
    archived = client.patch(f"{APPLICATIONS}/101/archive", headers=ALICE)
    assert archived.status_code == 200
    body = archived.json()
    assert body["isArchived"] is True
    assert [a["status"] for a in body["appointments"]] == ["cancelled"]
    assert body["nextAppointmentDateTime"] is None
    upcoming = client.get(f"{PORTAL}/profile/appointments?upcoming=1", headers=ALICE).json()["data"]
    assert upcoming == []
    # There is no way back: archiving again changes nothing, updates are refused.
    assert client.patch(f"{APPLICATIONS}/101/archive", headers=ALICE).json()["isArchived"] is True
    assert_problem(client.put(f"{APPLICATIONS}/101", headers=ALICE, json={"additionalInfo": "x"}), 409, "conflict")
    assert listed(client, "?archived=0") == [102]


def test_archiving_keeps_past_appointments_as_they_were(client: TestClient) -> None:
    client.patch(f"{APPLICATIONS}/104/archive", headers=BOB)
    appointments = client.get(f"{APPLICATIONS}/104/appointments", headers=BOB).json()["data"]
    assert [a["status"] for a in appointments] == ["confirmed"]
