"""Seeded data: deterministic, configurable, and every record conforms to the spec."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis import APIS
from mockserver.engine.clock import Clock
from mockserver.web.app import MockServer
from mockserver.web.validation import ResponseValidator
from tests.conftest import PORTAL, make_settings


def snapshot(server: MockServer) -> list[bytes]:
    """Every customer's view of everything, as bytes on the wire."""
    with TestClient(server) as client:
        users = client.get("/__admin/apis").json()["apis"][0]["auth"]["users"]
        out = []
        for user in users:
            headers = {"Authorization": f"Bearer {user['token']}"}
            for path in (
                "/profile",
                "/profile/favourites",
                "/profile/applications",
                "/profile/appointments",
                "/profile/assessments",
            ):
                out.append(client.get(PORTAL + path, headers=headers).content)
        return out


def test_the_same_seed_gives_byte_identical_responses() -> None:
    assert snapshot(MockServer(make_settings())) == snapshot(MockServer(make_settings()))


def test_a_different_seed_gives_different_data() -> None:
    assert snapshot(MockServer(make_settings())) != snapshot(MockServer(make_settings(seed=99)))


def test_a_different_anchor_day_moves_the_dates() -> None:
    later = MockServer(make_settings(anchor_date=dt.date(2026, 6, 1)))
    with TestClient(later) as client:
        slots = client.get(
            f"{PORTAL}/profile/applications/101/available-appointments",
            headers={"Authorization": "Bearer demo-alice-token"},
        ).json()["data"]
    assert slots[0]["date"] == "2026-06-08"


def test_the_data_volume_is_configurable() -> None:
    small = MockServer(make_settings(volume=2)).runtime.apis["portal"].state.counts()
    large = MockServer(make_settings(volume=40)).runtime.apis["portal"].state.counts()
    assert small["customers"] == 3 + 2
    assert large["customers"] == 3 + 40
    assert large["listings"] > small["listings"]
    assert MockServer(make_settings(volume=0)).runtime.apis["portal"].state.counts()["customers"] == 3


def component_validator(name: str) -> Any:
    spec = APIS["portal"].spec
    return ResponseValidator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})


@pytest.mark.parametrize("seed", [1234, 7])
def test_every_generated_and_fixture_record_conforms_to_the_spec(seed: int) -> None:
    state: Any = MockServer(make_settings(seed=seed, volume=25)).runtime.apis["portal"].state
    service, store, now = state.service, state.store, "2026-03-02T12:00:00Z"
    checks = {
        "Profile": [service.get_profile(c["id"]) for c in store.customers.all()],
        "ApplicationDetail": [service.views.application(a, now, customer=True) for a in store.applications.all()],
        "ApplicationForm": [service.views.form(f, now) for f in store.forms.all()],
        "Listing": [service.views.listing(x, now[:10]) for x in store.listings.all()],
        "AvailableAppointments": [
            service.available_appointments(a["customerId"], a["id"]) for a in store.applications.all()
        ],
        "CustomerAppointmentList": [service.list_appointments(c["id"], None) for c in store.customers.all()],
    }
    for schema, records in checks.items():
        validator = component_validator(schema)
        assert records, schema
        for record in records:
            errors = [e.message for e in validator.iter_errors(record)]
            assert not errors, (schema, record.get("id"), errors)


def test_fixture_forms_are_valid_application_form_bodies() -> None:
    state: Any = MockServer(make_settings(volume=0)).runtime.apis["portal"].state
    draft, complete = component_validator("ApplicationFormDraft"), component_validator("ApplicationFormSubmission")
    for form in state.store.forms.all():
        body = {k: v for k, v in form["formFields"].items() if v is not None}
        validator = complete if form["status"] == "submitted" else draft
        assert not [e.message for e in validator.iter_errors(body)], form["id"]


def test_concurrent_writes_lose_nothing() -> None:
    server = MockServer(make_settings(volume=0))
    headers = {"Authorization": "Bearer demo-alice-token"}
    minimal = {
        "listingId": 5354,
        "applicants": [{"firstName": "A", "lastName": "T", "email": "alice@example.com", "phone": "1"}],
    }
    with TestClient(server) as client:

        def start(_: int) -> int:
            response = client.put(f"{PORTAL}/profile/assessment", headers=headers, json=minimal)
            assert response.status_code == 201
            return int(response.json()["id"])

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(start, range(80)))
        assert len(set(ids)) == 80
        drafts = client.get(f"{PORTAL}/profile/assessments/draft", headers=headers).json()["data"]
        assert {f["id"] for f in drafts} >= set(ids)


def test_clock_runs_from_the_anchor_day() -> None:
    clock = Clock(dt.date(2030, 1, 1))
    assert clock.now().date() == dt.date(2030, 1, 1)
    assert clock.at(-1, 9, 30).isoformat() == "2029-12-31T09:30:00+00:00"
