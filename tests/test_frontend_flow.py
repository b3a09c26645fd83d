"""The README's Playwright suite, as the HTTP requests it makes: two workers, each in its own session
by base URL, a forced 409 and a slow answer with ``Prefer``, and a rule that answers 30 % of one
worker's list reads with the documented 503."""

from __future__ import annotations

import time

from starlette.testclient import TestClient

from tests.conftest import ALICE, PORTAL

APPLICATION = "/profile/applications/102"


def in_session(session: str, path: str) -> str:
    return f"/__sessions/{session}{PORTAL}{path}"


def start(client: TestClient, session: str) -> None:
    """The suite's fixture: the worker's session made (or kept), then back to the seeded data."""
    assert client.put(f"/__admin/sessions/{session}").status_code in (200, 201)
    assert client.post(f"/__admin/reset?session={session}").status_code == 200


def test_each_worker_books_in_its_own_session_and_never_sees_the_other_s(client: TestClient) -> None:
    for session in ("w0", "w1"):
        start(client, session)
    booked = client.post(in_session("w0", f"{APPLICATION}/appointments"), headers=ALICE, json={"slot": 2420})
    assert booked.status_code == 201
    seen = {
        session: client.get(in_session(session, APPLICATION), headers=ALICE).json()["nextAppointmentDateTime"]
        for session in ("w0", "w1")
    }
    assert seen == {"w0": "2026-03-12T09:30:00Z", "w1": None}
    assert client.get(PORTAL + APPLICATION, headers=ALICE).json()["nextAppointmentDateTime"] is None
    start(client, "w0")  # the next test of that worker starts from the seeded data again
    assert client.get(in_session("w0", APPLICATION), headers=ALICE).json()["nextAppointmentDateTime"] is None


def test_a_forced_409_shows_the_conflict_and_books_nothing(client: TestClient) -> None:
    start(client, "w0")
    forced = client.post(
        in_session("w0", f"{APPLICATION}/appointments"), headers={**ALICE, "Prefer": "code=409"}, json={"slot": 2420}
    )
    assert (forced.status_code, forced.headers["preference-applied"]) == (409, "code=409")
    assert client.get(in_session("w0", APPLICATION), headers=ALICE).json()["appointments"] == []


def test_a_slow_profile_answers_after_the_delay_asked_for(client: TestClient) -> None:
    start(client, "w0")
    started = time.monotonic()
    answer = client.get(in_session("w0", "/profile"), headers={**ALICE, "Prefer": "delay=300"})
    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_30_percent_503_rule_shapes_only_its_worker_s_list_reads(client: TestClient) -> None:
    start(client, "w0")
    start(client, "w1")
    rule = {"api": "portal", "operationId": "listApplications", "respond": {"code": 503}, "probability": 0.3}
    assert client.post("/__admin/rules?session=w0", json=rule).status_code == 201
    statuses = [client.get(in_session("w0", "/profile/applications"), headers=ALICE).status_code for _ in range(60)]
    assert set(statuses) == {200, 503}
    assert 8 <= statuses.count(503) <= 30  # 30 % of 60, drawn from the seed
    others = [client.get(in_session("w1", "/profile/applications"), headers=ALICE).status_code for _ in range(10)]
    assert others == [200] * 10
    assert client.get(PORTAL + "/profile/applications", headers=ALICE).status_code == 200
