"""A view cache's declaration (``viewcache.Reads``) names everything its views are built from: with
the store's ``check_reads`` on, a build that reads a table, another row or the clock that its cache
does not declare fails, naming what it read; every cache of every API builds its views within its
declaration while clients read and write."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.engine.clock import Clock
from mockserver.engine.store import Store, Table
from mockserver.engine.viewcache import Reads, ViewCache
from mockserver.web.app import MockServer
from tests.conftest import bearer, credentials, make_settings

APIS = ("homeq", "consumerportal", "instruction")


def checked(tables: tuple[str, ...] = ("things", "others")) -> Store:
    store = Store(tables)
    store.check_reads = True
    store.things.insert({"id": 1, "name": "a"})
    store.things.insert({"id": 2, "name": "b"})
    return store


def test_a_build_that_reads_an_undeclared_table_fails_naming_it() -> None:
    store = checked()
    cache: ViewCache[Any] = ViewCache(store, Clock(), Reads(tables=("things",)))
    assert cache.get("a", lambda: {"names": [r["name"] for r in store.things.all()]}) == {"names": ["a", "b"]}
    with pytest.raises(AssertionError, match=r"read table 'others', which its cache's Reads\(.*\) leaves out"):
        cache.get("b", lambda: {"count": store.others.count(name="a")})
    with pytest.raises(AssertionError, match="row 1 of 'others'"):
        cache.get("c", lambda: {"in": 1 in store.others})


def test_a_build_may_read_its_own_row_but_no_other() -> None:
    store = checked()
    cache: ViewCache[Any] = ViewCache(store, Clock(), Reads(row="things"))
    assert cache.get((1, "en"), lambda: store.things.peek(1)) == {"id": 1, "name": "a"}
    with pytest.raises(AssertionError, match="row 2 of 'things'"):
        cache.get((1, "sv"), lambda: store.things.get(2))
    with pytest.raises(AssertionError, match="table 'things'"):
        cache.get(1, lambda: store.things.find_one(id=1))


def test_a_build_that_asks_the_time_must_declare_the_clock() -> None:
    store, clock = checked(), Clock()
    timeless: ViewCache[Any] = ViewCache(store, clock, Reads(tables=("things",)))
    with pytest.raises(AssertionError, match="the clock"):
        timeless.get("a", lambda: {"at": clock.stamp()})
    timed: ViewCache[Any] = ViewCache(store, clock, Reads(tables=("things",), clock=True))
    assert timed.get("a", lambda: {"at": clock.stamp()})["at"] == clock.stamp()


def test_a_view_taken_from_another_cache_counts_as_reading_what_that_cache_declares() -> None:
    store, clock = checked(), Clock()
    inner: ViewCache[Any] = ViewCache(store, clock, Reads(row="things", tables=("others",)))
    outer: ViewCache[Any] = ViewCache(store, clock, Reads(tables=("things",)))
    inner.get(1, lambda: {"thing": store.things.peek(1), "others": len(store.others)})  # built here
    with pytest.raises(AssertionError, match="table 'others'"):  # though it is served from the cache
        outer.get("page", lambda: {"inner": inner.get(1, dict)})
    assert inner.misses == 1
    whole: ViewCache[Any] = ViewCache(store, clock, Reads(tables=("things", "others")))
    assert whole.get("page", lambda: {"inner": inner.get(1, dict)})["inner"]["others"] == 0
    everything: ViewCache[Any] = ViewCache(store, clock, Reads(every_table=True))
    assert everything.get("page", lambda: {"inner": inner.get(1, dict)})["inner"]["thing"]["name"] == "a"


def test_only_the_building_thread_s_reads_are_noted() -> None:
    store = checked()
    cache: ViewCache[Any] = ViewCache(store, Clock(), Reads(tables=("things",)))

    def build() -> dict[str, Any]:
        other = threading.Thread(target=lambda: store.others.all())  # another request, meanwhile
        other.start()
        other.join()
        return {"things": len(store.things)}

    assert cache.get("a", build) == {"things": 2}


def test_without_the_check_reads_are_not_noted_and_tables_stay_plain() -> None:
    store = checked()
    clock = Clock()
    cache: ViewCache[Any] = ViewCache(store, clock, Reads(tables=("things",)))
    store.check_reads = False
    assert cache.get("a", lambda: {"others": store.others.all(), "at": clock.stamp()})["others"] == []
    store.check_reads = True
    cache.get("b", lambda: {"things": len(store.things)})
    assert all(type(table) is Table for table in store)  # the noting class only while a build runs
    assert type(clock) is Clock


# -- every API's caches, with the check on -----------------------------------------------------------


@pytest.fixture
def server() -> MockServer:
    server = MockServer(make_settings(apis=APIS))
    for api in APIS:
        state_of(server, api).store.check_reads = True
    return server


def state_of(server: MockServer, api: str) -> Any:
    return server.runtime.apis[api].state


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


#: Inventory pages of every shape: the whole inventory, apartments or listings only (the cache
#: that leaves new estates out), narrowed by listing status, by estate.
PAGES: list[dict[str, Any]] = [
    {"amount": 20},
    {"amount": 20, "offset": 20, "type": "apartment"},
    {"amount": 7, "offset": 5, "type": "object_ad"},
    {"amount": 10, "listing.status": "active"},
    {"amount": 10, "estate.id": 15},
]
#: An apartment of estate 15 (the docs' example, in short).
APARTMENT = {
    "estate": 15, "street_name": "Storgatan", "zip_code": "19448", "longitude": 17.94, "latitude": 59.39,
    "county": "Stockholm", "municipality": "Upplands Väsby", "rooms": 2, "floor": 1, "area": 51.0, "rent": 6100,
    "national_id": "1201",
}  # fmt: skip


def test_homeq_views_read_only_what_they_declare(server: MockServer) -> None:
    state = state_of(server, "homeq")
    with TestClient(server) as client:
        admin = credentials(client, "homeq")

        def read_everything() -> None:
            for params in PAGES:
                ok(client.get("/api/v1/inventory", params=params, headers=admin))
            ok(client.get("/api/v4/estate/15", headers=admin))
            ok(client.get("/api/v4/estate/15"))  # the public view

        read_everything()
        estate = ok(client.post("/api/v4/estate", json={"legal_name": "Nytt", "city": "Stockholm"}, headers=admin))
        read_everything()
        ok(client.patch("/api/v4/estate/15", json={"legal_name": "Solrosen 2"}, headers=admin))
        apartment = ok(client.post("/api/v4/apartment", json={**APARTMENT, "street_number": "9"}, headers=admin), 201)
        read_everything()
        ok(client.patch(f"/api/v4/apartment/{apartment['id']}", json={"rent": 6200}, headers=admin))
        note = {"context": "R", "text": "Anteckning"}
        ok(client.post(f"/api/v1/apartment/{apartment['id']}/notes", json=note, headers=admin), 201)
        ok(client.patch("/api/v1/object_ad/17", json={"status": "paused"}, headers=admin))
        read_everything()
        ok(client.delete(f"/api/v4/estate/{estate['id']}", headers=admin), 204)
        state.clock.advance(dt.timedelta(hours=1))
        read_everything()
    caches = [state.search._pages, state.search._entry_pages, state.inventory._estates, state.access._callers]
    caches += [state.market._estate_refs, state.market._apartment_refs]
    assert all(cache.misses for cache in caches)  # every cache built views under the check


def test_consumer_portal_views_read_only_what_they_declare(server: MockServer) -> None:
    state = state_of(server, "consumerportal")
    sanne, sanne_id = bearer("demo-sanne-token"), "CNSRCEC47CDCA8A89085FB562D681733A6"
    jan, jan_id = bearer("demo-jan-token"), "CNSR22966DC6C1D2E53D861B2794F6A20E"
    otd = {"productaction_id": "PRA0117B05B5D89DBD8632C06847CB133"}
    upload = {
        "productaction_id": "PRA3C062C03C5A66FC334FC94C8A944DE",  # Sanne's open ID upload
        "filename": "id.pdf",
        "mimetype": "application/pdf",
        "Content-Type": "application/octet-stream",
    }
    with TestClient(server) as client:
        for reupload in "01":  # before and after an upload
            for auth, consumer in ((sanne, sanne_id), (jan, jan_id)):
                session = {"consumer_id": consumer, "ip_address": "192.0.2.15"}
                ok(client.get("/consumerportal/getsession", params=session, headers=auth))
            ok(client.get("/consumerportal/get_otd_pdf", params=otd, headers=sanne))
            client.cookies.clear()  # (the session cookie of the last getsession, Jan's)
            ok(client.get("/consumerportal/get_otd_pdf", params=otd))  # no session: as its owner
            pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
            headers = {**sanne, **upload, "is_reupload": reupload}
            ok(client.post("/consumerportal/upload_file", headers=headers, content=pdf))
    assert state.service.views._sessions.misses >= 4
    assert state.service._otds.misses >= 4


def test_instruction_views_read_only_what_they_declare(server: MockServer) -> None:
    state = state_of(server, "instruction")
    homeward, veritas = {"X-Api-Key": "demo-homeward-key"}, {"X-Api-Key": "demo-veritas-key"}
    with TestClient(server) as client:
        for step in range(2):
            for case in ("TMP110001", "TMP110004", "TMP110005"):
                ok(client.get(f"/instruction/{case}", headers=homeward))
            ok(client.get("/instruction/TMP110004", headers=veritas))  # the supplier's view
            references = {"uniqueCustomerReference": f"R-{step}", "uniqueIntegrationReference": None}
            ok(client.put("/instruction/TMP110001/introducerreferences", headers=homeward, json=references))
            state.clock.advance(dt.timedelta(hours=6))
    assert state.service._views.misses >= 8


def test_a_view_that_reads_what_its_cache_leaves_out_is_caught(server: MockServer) -> None:
    """Each API's view, its cache's declaration less one thing it reads: the build fails, naming it."""
    portal = state_of(server, "consumerportal")
    views = portal.service.views
    no_products = Reads(tables=("consumers", "sessions", "dossiers", "productactions"))
    views._sessions = ViewCache(portal.store, portal.clock, no_products)
    with pytest.raises(AssertionError, match="table 'products'"):
        views.consumerportal_session("CNSRCEC47CDCA8A89085FB562D681733A6")

    homeq = state_of(server, "homeq")
    no_offices = Reads(row="estates", tables=("companies", "media", "file_references", "apartments"))
    homeq.market._estate_refs = ViewCache(homeq.store, homeq.clock, no_offices)
    admin = homeq.store.employees.find_one(username="erik.lindberg")
    caller = homeq.access.landlord_caller(admin)
    with pytest.raises(AssertionError, match=r"row \d+ of 'offices'"):  # an estate's reference on a page
        homeq.search.inventory(caller, {}, 20, 0)

    instruction = state_of(server, "instruction")
    service = instruction.service
    timeless = Reads(row="instructions", tables=("organisations",))
    service._views = ViewCache(instruction.store, instruction.clock, timeless)
    organisation = instruction.store.organisations.find_one(apiKey="demo-homeward-key")
    with pytest.raises(AssertionError, match="the clock"):
        service.get(organisation["id"], "TMP110001")
