"""The same case as each role sees it: status, timestamps, fees, milestones, notes, operations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.testclient import TestClient

from tests.instruction.conftest import HOMEWARD, INSTRUCTION, KEYSTONE, NORTHGATE, VERITAS, instruction, milestone

INTRODUCER_TIMESTAMPS = {"QUOTED", "CREATED", "ORDERED", "APPOINTMENT", "EXPECTEDREPORTDATE", "COMPLETED", "CANCELLED"}
SUPPLIER_TIMESTAMPS = {"ASSIGNED", "OFFEREXPIRY", "ACCEPTED", "APPOINTMENT", "EXPECTEDREPORTDATE", "COMPLETED"}
SUPPLIER_ONLY_OPERATIONS = {
    "ACCEPT",
    "DECLINE",
    "BOOKAPPOINTMENT",
    "REBOOKAPPOINTMENT",
    "CONFIRMAPPOINTMENTCOMPLETED",
    "CONFIRMAPPOINTMENTUNCOMPLETED",
    "UPLOADREPORT",
    "REPLACEREPORT",
    "COMPLETECASE",
}
ALL_FIXTURES = [f"TMP1100{n:02d}" for n in range(1, 17)]


def visible_fixtures(client: TestClient, headers: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(reference, view) of every fixture case the key may see."""
    for reference in ALL_FIXTURES:
        response = client.get(f"{INSTRUCTION}/{reference}", headers=headers)
        if response.status_code == 200:
            yield reference, response.json()


def test_an_accepted_case_is_accepted_for_the_supplier_and_still_allocated_for_the_introducer(
    client: TestClient,
) -> None:
    assert instruction(client, "TMP110006", VERITAS)["caseStatusCode"] == "ACCEPTED"
    assert instruction(client, "TMP110006", HOMEWARD)["caseStatusCode"] == "ALLOCATED"


def test_each_role_gets_only_its_timestamps(client: TestClient) -> None:
    for headers, names in ((HOMEWARD, INTRODUCER_TIMESTAMPS), (VERITAS, SUPPLIER_TIMESTAMPS)):
        for reference, view in visible_fixtures(client, headers):
            assert set(view["timestamps"]) <= names, (reference, headers)
    booked = instruction(client, "TMP110007", HOMEWARD)["timestamps"]
    assert list(booked) == ["QUOTED", "CREATED", "ORDERED", "APPOINTMENT"]
    assert list(instruction(client, "TMP110007", VERITAS)["timestamps"]) == ["ASSIGNED", "ACCEPTED", "APPOINTMENT"]


def test_the_offer_expiry_is_shown_only_while_the_case_is_assigned(client: TestClient) -> None:
    assert "OFFEREXPIRY" in instruction(client, "TMP110004", VERITAS)["timestamps"]
    assert "OFFEREXPIRY" not in instruction(client, "TMP110006", VERITAS)["timestamps"]


def test_introducers_get_total_and_own_fee_and_what_is_due_suppliers_only_their_fee(client: TestClient) -> None:
    assert instruction(client, "TMP110007", HOMEWARD)["fee"] == {
        "TOTALFEEINCLVAT": 980.0,
        "YOURFEEINCLVAT": 120.0,
        "TOTALDUEINCLVAT": 300.0,
    }
    assert instruction(client, "TMP110007", VERITAS)["fee"] == {"YOURFEEINCLVAT": 635.0}


def test_nothing_is_due_at_new(client: TestClient) -> None:
    fee = instruction(client, "TMP110001", HOMEWARD)["fee"]
    assert set(fee) == {"TOTALFEEINCLVAT", "YOURFEEINCLVAT"}


def test_a_price_on_application_has_no_total_fee(client: TestClient) -> None:
    view = instruction(client, "TMP110015", HOMEWARD)
    assert view["fee"] == {}
    assert view["otherInformation"] == {"ISPRICEONAPPLICATION": True}
    assert instruction(client, "TMP110013", VERITAS)["fee"] == {"YOURFEEINCLVAT": 750.0}


def test_introducers_get_their_four_milestones_suppliers_theirs(client: TestClient) -> None:
    codes = [m["milestoneCode"] for m in instruction(client, "TMP110007", HOMEWARD)["milestones"]]
    assert codes == ["ALLOCATED", "APPOINTMENT", "COMPLETED", "CANCELLED"]
    codes = [m["milestoneCode"] for m in instruction(client, "TMP110007", VERITAS)["milestones"]]
    assert codes == ["ASSIGNED", "ACCEPTED", "APPOINTMENT", "COMPLETED"]


def test_a_cancelled_case_has_no_completed_milestone_and_a_completed_one_no_cancelled(client: TestClient) -> None:
    cancelled = instruction(client, "TMP110014", HOMEWARD)
    assert [m["milestoneCode"] for m in cancelled["milestones"]] == ["ALLOCATED", "APPOINTMENT", "CANCELLED"]
    reason = milestone(cancelled, "CANCELLED")
    assert reason["organisationTypeCode"] == "TMP"
    assert reason["data"] == {"ReasonCode": "OTHER", "OtherReason": "Vendor withdrew the property."}
    completed = instruction(client, "TMP110009", HOMEWARD)
    assert [m["milestoneCode"] for m in completed["milestones"]] == ["ALLOCATED", "APPOINTMENT", "COMPLETED"]


def test_the_allocated_milestone_names_the_supplier(client: TestClient) -> None:
    allocated = milestone(instruction(client, "TMP110004", HOMEWARD), "ALLOCATED")
    assert allocated["completedTimestamp"] == "2026-03-01T15:00:00Z"
    assert allocated["data"] == {"SupplierName": "Veritas Surveyors"}
    # Allocated, not accepted yet: no supplier name on the instruction itself.
    assert instruction(client, "TMP110004", HOMEWARD)["supplierName"] is None


def test_the_assigned_milestone_waits_for_acceptance_then_is_overdue_then_accepted(client: TestClient) -> None:
    waiting = milestone(instruction(client, "TMP110004", VERITAS), "ASSIGNED")
    assert (waiting["currentState"], waiting["expectedTimestamp"]) == ("WAITING", "2026-03-03T15:00:00Z")
    assert waiting["organisationName"] == "The Moving Portal"
    assert milestone(instruction(client, "TMP110005", NORTHGATE), "ASSIGNED")["currentState"] == "OVERDUE"
    assert milestone(instruction(client, "TMP110006", VERITAS), "ASSIGNED")["currentState"] == "ACCEPTED"
    # Another introducer's cases run under its own TMP brand.
    assert milestone(instruction(client, "TMP110013", VERITAS), "ASSIGNED")["organisationName"] == "IMyHome"


def test_the_accepted_milestone_carries_the_fee_it_was_accepted_at(client: TestClient) -> None:
    pending = milestone(instruction(client, "TMP110004", VERITAS), "ACCEPTED")
    assert (pending["currentState"], pending["expectedTimestamp"]) == (None, "2026-03-03T15:00:00Z")
    accepted = milestone(instruction(client, "TMP110006", VERITAS), "ACCEPTED")
    assert accepted["currentState"] == "COMPLETED"
    assert accepted["expectedTimestamp"] is None
    assert accepted["data"] == {"YourFeeInclVAT": instruction(client, "TMP110006", VERITAS)["fee"]["YOURFEEINCLVAT"]}
    assert (accepted["organisationTypeCode"], accepted["personName"]) == ("Supplier", "James Whitfield")


def test_the_appointment_milestone_moves_from_booked_to_confirmed_to_completed(client: TestClient) -> None:
    booked = milestone(instruction(client, "TMP110007", HOMEWARD), "APPOINTMENT")
    assert booked["currentState"] == "BOOKED"
    assert booked["expectedTimestamp"] == "2026-03-07T10:00:00Z"
    assert booked["data"] == {"TIMESLOTCODE": "AM"}
    assert milestone(instruction(client, "TMP110008", VERITAS), "APPOINTMENT")["currentState"] == "CONFIRMCOMPLETED"
    assert milestone(instruction(client, "TMP110009", VERITAS), "APPOINTMENT")["currentState"] == "COMPLETED"


def test_the_completed_milestone_expects_the_report_once_the_appointment_is_confirmed(client: TestClient) -> None:
    confirmed = milestone(instruction(client, "TMP110008", HOMEWARD), "COMPLETED")
    assert confirmed["currentState"] == "APPOINTMENTCONFIRMEDCOMPLETED"
    assert confirmed["expectedTimestamp"] == "2026-03-05T17:00:00Z"
    assert confirmed["completedTimestamp"] is None
    done = milestone(instruction(client, "TMP110009", HOMEWARD), "COMPLETED")
    assert (done["currentState"], done["completedTimestamp"]) == ("COMPLETED", "2026-02-20T16:00:00Z")
    assert milestone(instruction(client, "TMP110007", HOMEWARD), "COMPLETED")["currentState"] is None


def test_terms_and_conditions_show_at_allocated_for_introducers_and_accepted_for_suppliers(
    client: TestClient,
) -> None:
    assert instruction(client, "TMP110006", HOMEWARD)["otherInformation"] == {"TERMSANDCONDITIONSSENT": True}
    assert instruction(client, "TMP110006", VERITAS)["otherInformation"] == {"TERMSANDCONDITIONSSENT": True}
    assert "TERMSANDCONDITIONSSENT" not in instruction(client, "TMP110007", VERITAS)["otherInformation"]


def test_each_role_sees_only_its_own_references_in_other_information(client: TestClient) -> None:
    assert instruction(client, "TMP110007", HOMEWARD)["otherInformation"] == {
        "INTRODUCERCUSTOMERREFERENCE": "HM-C-110007",
        "INTRODUCERINTEGRATIONREFERENCE": "HM-INT-110007",
    }
    assert instruction(client, "TMP110007", VERITAS)["otherInformation"] == {
        "SUPPLIERCUSTOMERREFERENCE": "VS-C-110007",
        "SUPPLIERINTEGRATIONREFERENCE": "VS-INT-110007",
    }


def test_a_read_only_case_says_so_and_allows_only_downloading(client: TestClient) -> None:
    for headers in (HOMEWARD, VERITAS):
        view = instruction(client, "TMP110012", headers)
        assert view["otherInformation"]["READONLY"] is True
        assert view["allowedOperations"] == ["DOWNLOADREPORT"]
    assert "READONLY" not in instruction(client, "TMP110009", HOMEWARD)["otherInformation"]


def test_allowed_operations_follow_status_and_role(client: TestClient) -> None:
    assert instruction(client, "TMP110004", VERITAS)["allowedOperations"] == ["ACCEPT", "DECLINE", "ADDNOTE"]
    assert instruction(client, "TMP110006", VERITAS)["allowedOperations"] == ["BOOKAPPOINTMENT", "ADDNOTE"]
    assert instruction(client, "TMP110007", VERITAS)["allowedOperations"] == [
        "REBOOKAPPOINTMENT",
        "CONFIRMAPPOINTMENTCOMPLETED",
        "CONFIRMAPPOINTMENTUNCOMPLETED",
        "ADDNOTE",
        "MARKNOTESASREAD",
    ]
    assert instruction(client, "TMP110008", VERITAS)["allowedOperations"] == ["UPLOADREPORT", "ADDNOTE"]
    # A report uploaded less than a day ago may still be replaced.
    assert instruction(client, "TMP110016", VERITAS)["allowedOperations"] == [
        "REPLACEREPORT",
        "DOWNLOADREPORT",
        "COMPLETECASE",
        "ADDNOTE",
    ]
    assert instruction(client, "TMP110009", VERITAS)["allowedOperations"] == ["DOWNLOADREPORT", "ADDNOTE"]


def test_an_introducer_is_never_offered_a_supplier_operation(client: TestClient) -> None:
    for headers in (HOMEWARD, KEYSTONE):
        for reference, view in visible_fixtures(client, headers):
            assert not set(view["allowedOperations"]) & SUPPLIER_ONLY_OPERATIONS, reference


def test_downloading_the_report_is_offered_only_when_the_introducer_may_view_it(client: TestClient) -> None:
    assert "DOWNLOADREPORT" in instruction(client, "TMP110009", HOMEWARD)["allowedOperations"]
    hidden = instruction(client, "TMP110010", HOMEWARD)
    assert hidden["configuration"] == {"CanViewReport": False}
    assert "DOWNLOADREPORT" not in hidden["allowedOperations"]
    assert [f["fileReference"] for f in hidden["files"]] == ["TMP110010-report.pdf"]
    assert "DOWNLOADREPORT" in instruction(client, "TMP110010", NORTHGATE)["allowedOperations"]


def test_introducer_and_supplier_notes_are_not_shown_to_each_other(client: TestClient) -> None:
    introducer = instruction(client, "TMP110007", HOMEWARD)["notes"]
    supplier = instruction(client, "TMP110007", VERITAS)["notes"]
    assert [n["createdByOrganisationTypeCode"] for n in introducer] == ["TMP", "Introducer"]
    assert [n["createdByOrganisationTypeCode"] for n in supplier] == ["TMP", "Supplier"]
    # Your own reference on your own notes only.
    assert introducer[1]["caseNoteReference"] == "HM-N-7001"
    assert supplier[0]["caseNoteReference"] is None
    assert supplier[1]["isVisibleToCustomer"] is True


def test_unread_notes_are_tracked_per_party(client: TestClient) -> None:
    introducer = instruction(client, "TMP110007", HOMEWARD)
    supplier = instruction(client, "TMP110007", VERITAS)
    assert introducer["hasUnreadNotes"] is False
    assert "MARKNOTESASREAD" not in introducer["allowedOperations"]
    assert supplier["hasUnreadNotes"] is True
    tmp_note = supplier["notes"][0]
    assert tmp_note["readTimestamp"] is None
    assert tmp_note["readTimestamps"] == {"Introducer": "2026-02-25T12:00:00Z"}
    assert introducer["notes"][0]["readTimestamp"] == "2026-02-25T12:00:00Z"
