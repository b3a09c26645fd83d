"""Appointments: open-day slots, booking, one upcoming appointment, re-booking, cancelling."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import ALICE, BOB, PORTAL, assert_problem

APPLICATIONS = f"{PORTAL}/profile/applications"
APPOINTMENTS = f"{PORTAL}/profile/appointments"


def slot_ids(client: TestClient, application: int, headers: dict[str, str] = ALICE) -> list[int]:
    days = client.get(f"{APPLICATIONS}/{application}/available-appointments", headers=headers).json()["data"]
    return [slot["id"] for day in days for slot in day["slots"]]


def test_available_appointments_are_the_listing_open_day_slots_ahead(client: TestClient) -> None:
    days = client.get(f"{APPLICATIONS}/101/available-appointments", headers=ALICE).json()["data"]
    assert [d["date"] for d in days] == ["2026-03-09", "2026-03-16"]
    assert [s["id"] for s in days[0]["slots"]] == [174, 951, 2076, 2417]
    assert days[0]["slots"][0] == {"id": 174, "slotTime": "10:00", "slotDurationMin": 30}
    assert 2419 not in slot_ids(client, 104, BOB)  # that open day is over
    assert slot_ids(client, 103) == []  # archived


def test_booking_takes_a_slot_from_the_available_list(client: TestClient) -> None:
    response = client.post(f"{APPLICATIONS}/102/appointments", headers=ALICE, json={"slot": 2420, "remarks": "Hi"})
    assert response.status_code == 201
    appointment = response.json()
    assert appointment["type"] == "open-day"
    assert appointment["status"] == "confirmed"
    assert appointment["dateTime"] == "2026-03-12T09:30:00Z"
    assert appointment["durationMin"] == 60
    application = client.get(f"{APPLICATIONS}/102", headers=ALICE).json()
    assert application["nextAppointmentDateTime"] == "2026-03-12T09:30:00Z"
    assert [a["id"] for a in application["appointments"]] == [appointment["id"]]


def test_booking_a_slot_of_another_listing_or_an_unknown_slot_is_not_found(client: TestClient) -> None:
    assert_problem(client.post(f"{APPLICATIONS}/102/appointments", headers=ALICE, json={"slot": 174}), 404)
    assert_problem(client.post(f"{APPLICATIONS}/102/appointments", headers=ALICE, json={"slot": 99999}), 404)
    assert_problem(client.post(f"{APPLICATIONS}/104/appointments", headers=BOB, json={"slot": 2419}), 404)


def test_no_second_booking_while_an_upcoming_confirmed_appointment_exists(client: TestClient) -> None:
    problem = assert_problem(
        client.post(f"{APPLICATIONS}/101/appointments", headers=ALICE, json={"slot": 951}), 409, "conflict"
    )
    assert "change or cancel" in problem["detail"]
    client.patch(f"{APPOINTMENTS}/301/cancel", headers=ALICE)
    assert client.post(f"{APPLICATIONS}/101/appointments", headers=ALICE, json={"slot": 951}).status_code == 201


def test_a_full_slot_is_no_longer_offered_or_bookable(client: TestClient) -> None:
    # Slot 2417 takes one visitor; Bob books it for his application on the same listing.
    assert client.post(f"{APPLICATIONS}/104/appointments", headers=BOB, json={"slot": 2417}).status_code == 201
    assert 2417 not in slot_ids(client, 101)
    client.patch(f"{APPOINTMENTS}/301/cancel", headers=ALICE)
    assert_problem(client.post(f"{APPLICATIONS}/101/appointments", headers=ALICE, json={"slot": 2417}), 409)


def test_changing_the_slot_moves_the_appointment(client: TestClient) -> None:
    response = client.put(f"{APPOINTMENTS}/301", headers=ALICE, json={"slot": 2418, "remarks": "Later, please"})
    assert response.status_code == 200
    assert response.json()["dateTime"] == "2026-03-16T11:00:00Z"
    assert response.json()["durationMin"] == 45
    assert response.json()["remarks"] == "Later, please"
    application = client.get(f"{APPLICATIONS}/101", headers=ALICE).json()
    assert application["nextAppointmentDateTime"] == "2026-03-16T11:00:00Z"
    assert_problem(client.put(f"{APPOINTMENTS}/301", headers=ALICE, json={"slot": 2420}), 404)


def test_cancelling_is_irreversible(client: TestClient) -> None:
    cancelled = client.patch(f"{APPOINTMENTS}/301/cancel", headers=ALICE)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert_problem(client.patch(f"{APPOINTMENTS}/301/cancel", headers=ALICE), 409, "conflict")
    assert_problem(client.put(f"{APPOINTMENTS}/301", headers=ALICE, json={"slot": 951}), 409, "conflict")
    assert client.get(f"{APPLICATIONS}/101", headers=ALICE).json()["nextAppointmentDateTime"] is None


def test_past_appointments_cannot_be_changed_or_cancelled(client: TestClient) -> None:
    assert_problem(client.patch(f"{APPOINTMENTS}/304/cancel", headers=BOB), 409)


def test_upcoming_filter_of_customer_appointments(client: TestClient) -> None:
    def listed(query: str) -> list[int]:
        return [a["id"] for a in client.get(f"{APPOINTMENTS}{query}", headers=ALICE).json()["data"]]

    assert listed("") == [302, 303, 301]  # all, cancelled included, by date
    assert listed("?upcoming=1") == listed("?upcoming=true") == [301]
    assert listed("?upcoming=0") == listed("?upcoming=false") == [302]
    item = client.get(APPOINTMENTS, headers=ALICE).json()["data"][0]
    assert item["application"]["id"] == 103


def test_appointments_of_other_customers_are_not_found(client: TestClient) -> None:
    assert_problem(client.patch(f"{APPOINTMENTS}/301/cancel", headers=BOB), 404)
    assert_problem(client.get(f"{APPLICATIONS}/101/appointments", headers=BOB), 404)
