"""``MAX_RECORDS``: a client's create into a full table is refused (409 ``store-full``, in each API's
error shape); seeding never is, and updates, deletes and resets go on working."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.engine.problems import StoreFull
from mockserver.engine.store import Store
from mockserver.web.app import MockServer
from tests.conftest import ALICE, PORTAL, assert_problem, credentials, make_settings
from tests.consumerportal.helpers import DONE_ID_UPLOAD, OPEN_ID_UPLOAD, OPEN_INSURANCE_UPLOAD, upload
from tests.homeq.conftest import assert_error
from tests.portal.helpers import complete

#: A draft application form (``PUT /profile/assessment``): each one is a new row of ``forms``.
DRAFT = {
    "listingId": 5354,
    "applicants": [
        {"firstName": "Alice", "lastName": "Thompson", "email": "alice@example.com", "phone": "07700 900123"}
    ],
}


# -- the store ------------------------------------------------------------------------------------
def full_store() -> Store:
    store = Store(["rows", "others"], indexes={"rows": ("group",)}, max_records=3, name="demo")
    for n in range(3):
        store.rows.insert({"group": n % 2})
    return store


def test_an_insert_into_a_full_table_is_refused_and_changes_nothing() -> None:
    store = full_store()
    version, generation = store.rows.version, store.generation
    with pytest.raises(StoreFull) as refused:
        store.rows.insert({"group": 1})
    problem = refused.value
    assert (problem.status, problem.kind.slug, problem.code) == (409, "store-full", "StoreFull")
    assert problem.detail is not None
    for words in ("demo's rows table", "3 records", "MAX_RECORDS=3", "POST /__admin/reset?api=demo"):
        assert words in problem.detail
    assert (len(store.rows), store.rows.version, store.generation) == (3, version, generation)
    assert store.rows.keys(group=1) == [2]
    store.others.insert({"x": 1})  # the cap is per table


def test_updates_deletes_and_restores_work_in_a_full_table_and_a_delete_makes_room() -> None:
    store = full_store()
    assert store.rows.update(1, {"group": 5})["group"] == 5
    assert store.rows.change(2, {"flag": True})
    row = store.rows.delete(3)
    assert row is not None
    store.rows.restore(3, row)  # a fault mode undoing a delete: the row was there before
    store.rows.delete(3)
    assert store.rows.insert({"group": 0})["id"] == 4
    with pytest.raises(StoreFull):
        store.rows.insert({"group": 0})


def test_seeding_loads_and_a_restore_are_never_refused_and_a_clear_makes_room_again() -> None:
    store = full_store()
    with store.seeding():
        for n in range(5):
            store.rows.insert({"group": n})
    assert len(store.rows) == 8
    with pytest.raises(StoreFull):
        store.rows.insert({"group": 0})
    snapshot = store.snapshot()
    dumped = store.dump()
    store.clear()
    store.load(dumped)  # a cached seed larger than the cap
    assert len(store.rows) == 8
    for key in (1, 2):
        store.rows.delete(key)
    assert store.restore_missing(snapshot) == 2
    store.clear()
    assert [store.rows.insert({"group": n})["id"] for n in range(3)] == [1, 2, 3]
    with pytest.raises(StoreFull):
        store.rows.insert({"group": 0})


def test_the_cap_comes_back_when_seeding_fails() -> None:
    store = full_store()
    with pytest.raises(RuntimeError), store.seeding():
        raise RuntimeError("a broken fixture")
    with pytest.raises(StoreFull):
        store.rows.insert({})


def test_a_store_without_a_cap_takes_any_number_of_rows() -> None:
    store = Store(["rows"])
    for _ in range(1000):
        store.rows.insert({})
    assert len(store.rows) == 1000


# -- over HTTP ------------------------------------------------------------------------------------
def capped_server(api: str, table: str, room: int) -> MockServer:
    """A server serving ``api`` alone whose ``table`` takes ``room`` more rows after seeding (the
    seed is the same for the same settings, so a first server tells how many rows it holds)."""
    seeded = MockServer(make_settings(apis=(api,))).runtime.apis[api].state.counts()[table]
    return MockServer(make_settings(apis=(api,), max_records=seeded + room))


def records(client: TestClient, api: str, table: str) -> int:
    found: int = next(a for a in client.get("/__admin/apis").json()["apis"] if a["name"] == api)["records"][table]
    return found


def test_portal_refuses_a_draft_into_full_forms_as_an_rfc_7807_problem_and_a_reset_makes_room() -> None:
    with TestClient(capped_server("portal", "forms", 1)) as client:
        start = f"{PORTAL}/profile/assessment"
        seeded = records(client, "portal", "forms")
        assert client.put(start, headers=ALICE, json=DRAFT).status_code == 201
        problem = assert_problem(client.put(start, headers=ALICE, json=DRAFT), 409, "store-full")
        assert problem["code"] == "StoreFull"
        assert "portal's forms table" in problem["detail"]
        assert "POST /__admin/reset?api=portal" in problem["detail"]
        assert records(client, "portal", "forms") == seeded + 1
        # A change of a stored row still works: editing a draft.
        assert client.put(f"{start}/201", headers=ALICE, json=DRAFT).status_code == 200
        assert client.post("/__admin/reset?api=portal").status_code == 200
        assert client.put(start, headers=ALICE, json=DRAFT).status_code == 201
        assert records(client, "portal", "forms") == seeded + 1


def test_consumer_portal_refuses_a_new_upload_row_but_takes_reuploads_when_uploads_is_full() -> None:
    with TestClient(capped_server("consumerportal", "uploads", 1)) as client:
        assert upload(client, OPEN_ID_UPLOAD).status_code == 200
        problem = assert_problem(upload(client, OPEN_INSURANCE_UPLOAD), 409, "store-full")
        assert "consumerportal's uploads table" in problem["detail"]
        # A re-upload replaces the action's row: no new row, so a full table takes it.
        assert upload(client, OPEN_ID_UPLOAD, is_reupload="1").status_code == 200
        assert_problem(upload(client, DONE_ID_UPLOAD, is_reupload="1"), 409, "store-full")
        assert client.post("/__admin/reset?api=consumerportal").status_code == 200
        assert upload(client, OPEN_INSURANCE_UPLOAD).status_code == 200


def homeq_error(response: Any) -> dict[str, Any]:
    body = assert_error(response, 409, "StoreFull")
    assert set(body) == {"error", "description"}
    return body


def test_homeq_refuses_an_estate_into_full_estates_in_its_own_shape_and_a_delete_or_reset_makes_room() -> None:
    with TestClient(capped_server("homeq", "estates", 1)) as client:
        admin = credentials(client, "homeq")
        estate = {"legal_name": "Solrosen I", "city": "Stockholm"}
        created = client.post("/api/v4/estate", json=estate, headers=admin)
        assert created.status_code == 200, created.text
        body = homeq_error(client.post("/api/v4/estate", json=estate, headers=admin))
        assert "homeq's estates table" in body["description"]
        assert "MAX_RECORDS" in body["description"]
        new = created.json()["id"]
        assert client.patch(f"/api/v4/estate/{new}", json={"city": "Lund"}, headers=admin).status_code == 200
        assert client.delete(f"/api/v4/estate/{new}", headers=admin).status_code == 204
        assert client.post("/api/v4/estate", json=estate, headers=admin).status_code == 200
        homeq_error(client.post("/api/v4/estate", json=estate, headers=admin))
        assert client.post("/__admin/reset?api=homeq").status_code == 200
        admin = credentials(client, "homeq")
        assert client.post("/api/v4/estate", json=estate, headers=admin).status_code == 200


def test_a_full_table_refuses_on_the_fast_path_and_through_connexion_alike() -> None:
    """The same 409 whichever path serves the create (``FAST_PATH=0`` sends it through Connexion)."""
    answers = []
    for fast_path in (True, False):
        server = MockServer(make_settings(apis=("homeq",), max_records=1, fast_path=fast_path))
        with TestClient(server) as client:
            response = client.post(
                "/api/v4/estate", json={"legal_name": "X", "city": "Y"}, headers=credentials(client, "homeq")
            )
            answers.append((response.status_code, response.headers["content-type"], response.json()))
    assert answers[0] == answers[1]
    assert answers[0][2]["error"] == "StoreFull"


def test_a_submission_that_would_fill_a_full_table_changes_nothing() -> None:
    """A logged-out submission creates a customer, an application and a form: with forms full it
    is refused before the customer or the application is made, never half done."""
    server = MockServer(make_settings(apis=("portal",), max_records=30))
    store = server.runtime.apis["portal"].state.store  # type: ignore[attr-defined]
    with store.seeding():  # forms full, customers and applications with room
        while len(store.forms) < 30:
            store.forms.insert({"customerId": 0, "status": "draft"})
    with TestClient(server) as client:
        before = client.get("/__admin/apis").json()["apis"][0]["records"]
        assert before["customers"] < 30
        assert before["applications"] < 30
        refused = client.post(f"{PORTAL}/assessment", json=complete(email="new.person@example.com"))
        assert_problem(refused, 409, "store-full")
        assert client.get("/__admin/apis").json()["apis"][0]["records"] == before
